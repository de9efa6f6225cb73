// ResShift teacher training loop: x0-prediction MSE at random timesteps of the forward process,
// AdamW with warm-up + cosine, EMA, clipping, exact resume, validation, c10d data parallelism.
#include "shiftsr/training/teacher.h"
#include "shiftsr/training/decoder.h"
#include "shiftsr/training/rsd.h"
#include "shiftsr/training/yonos.h"

#include "common.h"
#include "distributed.h"
#include "presets.h"
#include "run_files.h"

#include "shiftsr/nn/device.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/sampler.h"
#include "shiftsr/nn/tensor_io.h"

#include "shiftsr/engine/metrics.h"
#include "shiftsr/training/dataset.h"
#include "shiftsr/training/degradation.h"
#include "shiftsr/training/loader.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>

namespace shiftsr::training {

namespace fs = std::filesystem;
namespace F = torch::nn::functional;
using json = nlohmann::json;

namespace {

// The package provenance of a teacher run at `state` (finished or not).
json teacherProvenance(const TrainJob& job, const RunState& state, double wallTime, int worldSize,
                       const std::string& initHash, const json& initLineage) {
    json prov = runProvenance(job, state, wallTime, worldSize);
    prov["preset"] = job.preset;
    if (!initHash.empty()) {
        prov["init_sha256"] = initHash;
        prov["init"] = initLineage;
    }
    return prov;
}

} // namespace

Status runTraining(const TrainJob& jobIn, const RunOptions& ro, const JobControl& control) {
    TrainJob job = jobIn;
    auto runR = openRun(job, ro);
    if (!runR)
        return runR.status();
    RunSetup& run = *runR;
    const DistributedEnv& env = run.env;
    auto& pg = run.pg;
    auto& files = run.files;

    // --- model
    auto archR = buildArchitecture(job);
    if (!archR)
        return archR.status();
    Architecture arch = *archR;
    auto schedR = ResShiftSchedule::create(arch.schedule);
    if (!schedR)
        return schedR.status();
    const ResShiftSchedule sched = *schedR;
    auto unet = std::make_shared<nn::UNetModelSwinImpl>(arch.unet);
    auto ema = std::make_shared<nn::UNetModelSwinImpl>(arch.unet);
    auto codec = arch.makeCodec();
    std::string initHash;
    json initLineage;
    if (!job.initModel.empty()) {
        if (Status s = loadInitWeights(job.initModel, *unet, codec.get(), &initHash, &initLineage);
            !s)
            return s;
    } else if (codec->module()) {
        return Status::error(StatusCode::InvalidArgument,
                             "the vq-f4 codec must come from a package: set \"init\" in job.json");
    }
    if (codec->module())
        codec->module()->eval();
    copyParameters(*unet, *ema);
    std::vector<torch::Tensor> params = unet->parameters();
    std::vector<torch::Tensor> emaParams = ema->parameters();
    std::vector<torch::Tensor> adamM, adamV;
    for (auto& p : params) {
        adamM.push_back(torch::zeros_like(p));
        adamV.push_back(torch::zeros_like(p));
    }

    // --- data, resume
    auto dataR =
        startData(run, job, control, ro.resume, arch.scale, params, emaParams, adamM, adamV);
    if (!dataR)
        return dataR.status();
    RunState& state = dataR->state;
    PairLoader& loader = *dataR->loader;
    const ValSet& val = dataR->val;

    const ForwardProcess forwardProcess(sched);
    const int T = sched.steps();
    unet->train();

    auto validate = [&](int step) -> json {
        unet->eval();
        json figures =
            runValidation(*ema, codec.get(), sched, arch, val, job.valSteps, 0, files, step);
        unet->train();
        return figures;
    };

    StepLoop loop(job, ro, control, run, state, loader, [&](const RunState& s) {
        return files.saveCheckpoint(s, params, emaParams, adamM, adamV);
    });
    LogWindow& window = loop.window();

    while (loop.next()) {
        auto bl = nextBatch(loader, *codec, arch.scale);
        if (!bl)
            return bl.status();
        const torch::Tensor& x0 = bl->x0;
        const torch::Tensor& y = bl->y;
        const torch::Tensor& lq = bl->lq;
        const int64_t B = x0.size(0);
        std::vector<int64_t> tv;
        std::vector<torch::Tensor> epsv;
        for (int64_t i = 0; i < B; ++i) {
            auto gen = sampleGenerator(job.seed, bl->firstIndex + std::uint64_t(i));
            tv.push_back(at::randint(T, {1}, gen, torch::kLong).item<int64_t>());
            epsv.push_back(
                at::randn(x0[0].sizes(), gen, torch::TensorOptions().dtype(torch::kFloat)));
        }
        auto t = torch::tensor(tv, torch::kLong);
        auto eps = torch::stack(epsv);
        auto xin = forwardProcess(x0, y, t, eps);

        const double lr = learningRate(job, state.step);
        unet->zero_grad();
        auto pred = unet->forward(xin, t, lq);
        auto loss = F::mse_loss(pred, x0);
        loss.backward();
        std::vector<torch::Tensor> grads = gradsOf(params);
        auto lossValue = loss.detach().clone();
        if (pg) {
            pg->allReduceMean(grads);
            std::vector<torch::Tensor> l{lossValue};
            pg->allReduceMean(l);
        }
        const double gradNorm = adamwStep(params, grads, adamM, adamV, lr, state.step, job);
        emaUpdate(emaParams, params, job.ema);
        ++state.step;
        const double lv = lossValue.item<double>();
        window.add("loss", lv);
        window.add("grad_norm", gradNorm);
        if (Status s = loop.endStep(lv, lr, validate); !s)
            return s;
    }
    if (Status s = loop.end(); !s)
        return s;
    if (pg) {
        // Data parallelism must keep every rank's weights identical: check it once at the end.
        torch::NoGradGuard ng;
        double own = 0;
        for (auto& p : params)
            own += p.to(torch::kDouble).sum().item<double>();
        std::vector<torch::Tensor> c{torch::tensor({own}, torch::kDouble)};
        pg->allReduceMean(c);
        const double spread = std::abs(own - c[0].item<double>());
        files.appendLog({{"step", state.step},
                         {"event", "rank_check"},
                         {"world_size", env.worldSize},
                         {"checksum", own},
                         {"rank_spread", spread}});
        pg->barrier();
    }
    return loop.finish([&](double wall) {
        json prov = teacherProvenance(job, state, wall, env.worldSize, initHash, initLineage);
        prov["photos"] = run.images.size();
        return files.writeModel(arch, prov, *ema, codec.get());
    });
}

Status exportCheckpoint(const TrainJob& job, const std::string& runDir, const std::string& outPath,
                        int* stepOut, bool half, bool raw) {
    if (job.kind == "rsd")
        return exportRsdCheckpoint(job, runDir, outPath, stepOut, half, raw);
    if (job.kind == "decoder")
        return exportDecoderCheckpoint(job, runDir, outPath, stepOut, half, raw);
    if (job.kind == "yonos")
        return exportYonosCheckpoint(job, runDir, outPath, stepOut, half, raw);
    try {
        auto archR = buildArchitecture(job);
        if (!archR)
            return archR.status();
        Architecture arch = *archR;
        auto unet = std::make_shared<nn::UNetModelSwinImpl>(arch.unet);
        auto ema = std::make_shared<nn::UNetModelSwinImpl>(arch.unet);
        auto codec = arch.makeCodec();
        std::string initHash;
        json initLineage;
        if (!job.initModel.empty())
            if (Status s =
                    loadInitWeights(job.initModel, *unet, codec.get(), &initHash, &initLineage);
                !s)
                return s;
        std::vector<torch::Tensor> params = unet->parameters(), emaParams = ema->parameters();
        RunState state;
        if (Status s = loadLatestWeights(runDir, params, emaParams, &state); !s)
            return s;
        if (stepOut)
            *stepOut = state.step;
        const json prov = teacherProvenance(job, state, state.elapsed, 1, initHash, initLineage);
        return writeExportPackage(runDir, job, state, arch, prov, *ema, params, codec.get(),
                                  outPath, half, raw);
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, e.what_without_backtrace());
    }
}

} // namespace shiftsr::training
