// Decoder-head training (codec unshuffle-f4-refine): fits a small full-resolution convolutional
// head after the pixel shuffle to a frozen package's own sampler outputs. See decoder.h.
#include "shiftsr/training/decoder.h"
#include "shiftsr/nn/json_util.h"

#include "common.h"
#include "distributed.h"
#include "presets.h"
#include "run_files.h"

#include "shiftsr/nn/degrid.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/sampler.h"
#include "shiftsr/nn/tensor_io.h"

#include "shiftsr/engine/safetensors.h"

#include <chrono>
#include <cmath>

namespace shiftsr::training {

namespace F = torch::nn::functional;
using json = nlohmann::json;

namespace {

// The frozen base model, the trained head (inside a RefineCodec) and its EMA copy.
struct DecoderNets {
    Architecture arch; // the base's, with codec unshuffle-f4-refine
    json baseProvenance;
    std::string baseHash;
    std::shared_ptr<nn::UNetModelSwinImpl> unet;
    std::unique_ptr<RefineCodec> head, headEma;
    int steps = 1;          // sampler steps whose outputs the head learns
    bool continued = false; // the base already had a head with this configuration
};

Result<DecoderNets> buildDecoderNets(const TrainJob& job) {
    auto pkg = SafeTensorsFile::open(job.baseModel);
    if (!pkg)
        return pkg.status().withContext("base");
    auto archR = Architecture::fromMetadata(pkg->metadata());
    if (!archR)
        return archR.status().withContext(job.baseModel);
    DecoderNets n;
    n.arch = *archR;
    if (n.arch.codec != "unshuffle-f4" && n.arch.codec != "unshuffle-f4-refine")
        return Status::error(StatusCode::Unsupported,
                             job.baseModel +
                                 ": a decoder head needs an unshuffle-f4 package, not codec '" +
                                 n.arch.codec + "'");
    nn::RefinerConfig rc;
    rc.channels = job.refineChannels;
    rc.layers = job.refineLayers;
    if (n.arch.codec == "unshuffle-f4-refine") {
        if (!n.arch.refine.sameShape(rc))
            return Status::error(StatusCode::InvalidArgument,
                                 job.baseModel + ": its decoder head has " +
                                     n.arch.refine.toJson().dump() + ", the job asks for " +
                                     rc.toJson().dump());
        n.continued = true;
    }
    n.arch.codec = "unshuffle-f4-refine";
    n.arch.refine = rc; // the heads below train at strength 1; the package applies the job's
    n.arch.refine.strength = job.refineStrength;
    if (!job.name.empty())
        n.arch.name = job.name;
    n.steps = job.refineSteps > 0 ? job.refineSteps : n.arch.steps;
    if (n.steps != 1 && n.steps != n.arch.schedule.steps)
        return Status::error(StatusCode::InvalidArgument,
                             "decoder.steps must be 1 or the base's T (" +
                                 std::to_string(n.arch.schedule.steps) + ")");
    if (auto it = pkg->metadata().find(meta::kProvenance); it != pkg->metadata().end()) {
        auto p = parseJsonOrDiscarded(it->second);
        if (!p.is_discarded())
            n.baseProvenance = p;
    }
    try {
        n.unet = std::make_shared<nn::UNetModelSwinImpl>(n.arch.unet);
        n.head = std::make_unique<RefineCodec>(rc);
        n.headEma = std::make_unique<RefineCodec>(rc);
        // A base with a head of this shape continues from it; one without starts at zero, i.e. as
        // the plain shuffle (its codec has no tensors to load).
        if (Status s = loadInitWeights(job.baseModel, *n.unet, n.continued ? n.head.get() : nullptr,
                                       &n.baseHash);
            !s)
            return s;
        copyParameters(*n.head->module(), *n.headEma->module());
        n.unet->eval();
        for (auto& p : n.unet->parameters())
            p.set_requires_grad(false);
        for (auto& p : n.headEma->module()->parameters())
            p.set_requires_grad(false);
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, std::string("building the decoder networks: ") +
                                                       e.what_without_backtrace());
    }
    return n;
}

// The package provenance: the base's own (so a student still names its teacher), plus "decoder".
json decoderProvenance(const TrainJob& job, const DecoderNets& n, const RunState& state,
                       double wallTime, int worldSize) {
    json d = runProvenance(job, state, wallTime, worldSize);
    d["base"] = n.arch.name;
    d["base_sha256"] = n.baseHash;
    d["sampler_steps"] = n.steps;
    d["head"] = n.arch.refine.toJson();
    d["validation_strength"] = 1.0; // "validation" above ran the head as trained
    d["continued_from_base_head"] = n.continued;
    d["loss"] = job.refineSsimWeight > 0
                    ? "pixel MSE + " + json(job.refineSsimWeight).dump() +
                          " (1 - SSIM-Y) of the decoded sampler output to the HR photo"
                    : "pixel MSE of the decoded sampler output to the HR photo";
    json prov = n.baseProvenance.is_object() ? n.baseProvenance : json::object();
    prov["decoder"] = d;
    return prov;
}

// Per-sample noise for the sampler, in its draw order (prior eps; then per step: the extra input
// channels of a student, and the step's eps), each sample's from its own generator.
struct BatchNoise {
    torch::Tensor prior;
    std::vector<torch::Tensor> queue;
};

BatchNoise drawNoise(const TrainJob& job, std::uint64_t firstIndex, int64_t B,
                     at::IntArrayRef latent, int extra, int steps) {
    std::vector<torch::Tensor> prior;
    std::vector<std::vector<torch::Tensor>> draws; // [draw][sample]
    const auto opts = torch::TensorOptions().dtype(torch::kFloat);
    const std::vector<int64_t> extraShape{extra, latent[1], latent[2]};
    for (int64_t i = 0; i < B; ++i) {
        // Offset the stream from the loader's: it also derives its draws from (seed, index).
        auto gen = sampleGenerator(job.seed ^ 0xDEC0DE5ull, firstIndex + std::uint64_t(i));
        prior.push_back(at::randn(latent, gen, opts));
        size_t d = 0;
        auto push = [&](torch::Tensor t) {
            if (draws.size() <= d)
                draws.emplace_back();
            draws[d++].push_back(std::move(t));
        };
        for (int k = 0; k < steps; ++k) {
            if (extra > 0)
                push(at::randn(extraShape, gen, opts));
            if (steps > 1)
                push(at::randn(latent, gen, opts));
        }
    }
    BatchNoise out;
    out.prior = torch::stack(prior);
    for (auto& d : draws)
        out.queue.push_back(torch::stack(d));
    return out;
}

} // namespace

Status runDecoder(const TrainJob& job, const RunOptions& ro, const JobControl& control) {
    auto runR = openRun(job, ro);
    if (!runR)
        return runR.status();
    RunSetup& run = *runR;
    auto& pg = run.pg;
    auto& files = run.files;

    auto netsR = buildDecoderNets(job);
    if (!netsR)
        return netsR.status();
    DecoderNets& nets = *netsR;
    auto schedR = ResShiftSchedule::create(nets.arch.schedule);
    if (!schedR)
        return schedR.status();
    const ResShiftSchedule sched = *schedR;
    const float scaleFactor = float(sched.config().scaleFactor);
    const int extra = nets.arch.unet.extraInputChannels;

    std::vector<torch::Tensor> params = nets.head->module()->parameters();
    std::vector<torch::Tensor> emaParams = nets.headEma->module()->parameters();
    std::vector<torch::Tensor> adamM, adamV;
    for (auto& p : params) {
        adamM.push_back(torch::zeros_like(p));
        adamV.push_back(torch::zeros_like(p));
    }
    auto dataR =
        startData(run, job, control, ro.resume, nets.arch.scale, params, emaParams, adamM, adamV);
    if (!dataR)
        return dataR.status();
    RunState& state = dataR->state;
    PairLoader& loader = *dataR->loader;
    const ValSet& val = dataR->val;

    UnshuffleCodec plain(4);
    DiffusionParts parts{nets.unet.get(), &plain, &sched, nets.arch.paddingOffset,
                         nets.arch.degridSigma};
    SampleOptions so;
    so.mode = nets.steps == 1 ? SamplerMode::OneStep : SamplerMode::MultiStep;
    so.extraNoiseChannels = extra;

    StepLoop loop(job, ro, control, run, state, loader, [&](const RunState& s) {
        return files.saveCheckpoint(s, params, emaParams, adamM, adamV);
    });
    LogWindow& window = loop.window();
    auto validate = [&](int step) {
        return runValidation(*nets.unet, nets.headEma.get(), sched, nets.arch, val, nets.steps,
                             extra, files, step);
    };
    while (loop.next()) {
        auto bl = nextBatch(loader, plain, nets.arch.scale);
        if (!bl)
            return bl.status();
        const int64_t B = bl->x0.size(0);
        torch::Tensor sampled; // the base model's output, shuffled to pixels, unclamped
        {
            torch::NoGradGuard ng;
            auto zY = bl->y * scaleFactor;
            BatchNoise bn = drawNoise(job, bl->firstIndex, B, zY[0].sizes(), extra, nets.steps);
            SuppliedNoise noise(std::move(bn.queue));
            auto xT = priorSample(sched, zY, bn.prior);
            auto z = sampleLatent(parts, xT, bl->lq, noise, so, {});
            if (parts.degridSigma > 0) // the head learns on what it will see at inference
                z = degridLatent(z, zY, 4, parts.degridSigma);
            sampled = torch::pixel_shuffle(z / scaleFactor, 4);
        }
        const double lr = learningRate(job, state.step);
        nets.head->module()->zero_grad();
        auto out = nets.head->refiner()->forward(sampled);
        auto mse = F::mse_loss(out, bl->hr);
        auto loss = mse;
        if (job.refineSsimWeight > 0) {
            auto ssimLoss = ssimLossY(out, bl->hr);
            loss = loss + job.refineSsimWeight * ssimLoss;
            window.add("ssim_loss", ssimLoss.item<double>());
        }
        loss.backward();
        std::vector<torch::Tensor> grads = gradsOf(params);
        auto lossValue = mse.detach().clone();
        auto baseValue = F::mse_loss(sampled, bl->hr).detach().clone();
        if (pg) {
            pg->allReduceMean(grads);
            std::vector<torch::Tensor> l{lossValue, baseValue};
            pg->allReduceMean(l);
        }
        const double gradNorm = adamwStep(params, grads, adamM, adamV, lr, state.step, job);
        emaUpdate(emaParams, params, job.ema);
        ++state.step;
        const double lv = lossValue.item<double>();
        window.add("loss", lv);                            // the head's pixel MSE
        window.add("base_loss", baseValue.item<double>()); // the plain shuffle's, same samples
        window.add("grad_norm", gradNorm);
        if (Status st = loop.endStep(lv, lr, validate); !st)
            return st;
    }
    if (Status st = loop.end(); !st)
        return st;
    if (pg)
        pg->barrier();
    return loop.finish([&](double wall) {
        json prov = decoderProvenance(job, nets, state, wall, run.env.worldSize);
        prov["decoder"]["photos"] = run.images.size();
        return files.writeModel(nets.arch, prov, *nets.unet, nets.headEma.get());
    });
}

Status exportDecoderCheckpoint(const TrainJob& job, const std::string& runDir,
                               const std::string& outPath, int* stepOut, bool half, bool raw) {
    auto netsR = buildDecoderNets(job);
    if (!netsR)
        return netsR.status();
    DecoderNets& nets = *netsR;
    try {
        std::vector<torch::Tensor> params = nets.head->module()->parameters();
        std::vector<torch::Tensor> emaParams = nets.headEma->module()->parameters();
        RunState state;
        if (Status s = loadLatestWeights(runDir, params, emaParams, &state); !s)
            return s;
        if (stepOut)
            *stepOut = state.step;
        json prov = decoderProvenance(job, nets, state, state.elapsed, 1);
        prov["decoder"]["weights"] = raw ? "raw" : "ema";
        // The UNet is the base's: writeExportPackage's own raw/EMA choice concerns it and stays
        // off.
        Codec* head =
            raw ? static_cast<Codec*>(nets.head.get()) : static_cast<Codec*>(nets.headEma.get());
        return writeExportPackage(runDir, job, state, nets.arch, prov, *nets.unet, {}, head,
                                  outPath, half, false,
                                  /*stateWeights=*/false);
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, e.what_without_backtrace());
    }
}

} // namespace shiftsr::training
