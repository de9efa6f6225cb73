// ResShift teacher training loop: x0-prediction MSE at random timesteps of the forward process,
// AdamW with warm-up + cosine, EMA, clipping, exact resume, validation, c10d data parallelism.
#include "shiftsr/training/teacher.h"

#include "distributed.h"
#include "presets.h"
#include "run_files.h"

#include "device.h"
#include "model_impl.h"
#include "sampler.h"
#include "tensor_io.h"

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

// cv::Mat CV_32FC3 RGB [0,1] list -> [B, 3, H, W] in [-1, 1].
torch::Tensor toBatch(const std::vector<cv::Mat>& images) {
    std::vector<torch::Tensor> ts;
    ts.reserve(images.size());
    for (const auto& m : images) {
        cv::Mat c = m.isContinuous() ? m : m.clone();
        ts.push_back(torch::from_blob(c.data, {c.rows, c.cols, 3}, torch::kFloat).permute({2, 0, 1}).clone());
    }
    return torch::stack(ts).mul_(2.0).sub_(1.0);
}

// Per-sample generator: every random draw of global sample i depends on (seed, i) only, so
// results do not depend on the number of processes or on where a run was resumed.
at::Generator sampleGenerator(std::uint64_t seed, std::uint64_t index) {
    std::uint64_t h = seed * 0x9E3779B97F4A7C15ull ^ (index + 0x632BE59BD9B4E019ull);
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
    return at::detail::createCPUGenerator(h);
}

double learningRate(const TrainJob& j, int step) {
    if (step < j.warmup)
        return j.lr * double(step + 1) / double(j.warmup);
    const double total = std::max(1, j.steps - j.warmup);
    const double p = std::min(1.0, double(step - j.warmup) / total);
    return j.lrMin + 0.5 * (j.lr - j.lrMin) * (1.0 + std::cos(M_PI * p));
}

struct ValSet {
    std::vector<cv::Mat> hr; // CV_32FC3 RGB [0,1]
    std::vector<cv::Mat> lq;
    std::vector<std::string> names;
};

ValSet buildValSet(const TrainJob& j, const std::vector<ImageRecord>& trainImages, std::vector<std::string>* warnings) {
    ValSet v;
    std::vector<ImageRecord> pool;
    if (!j.valFolder.empty()) {
        ScanOptions so;
        so.minSide = j.valSize;
        auto scan = scanImageFolders({j.valFolder}, so);
        if (scan)
            pool = scan->images;
        else
            warnings->push_back("validation folder unusable: " + scan.status().message());
    }
    if (pool.empty()) {
        warnings->push_back("no validation folder: validating on the first training photos");
        pool = trainImages;
    }
    DegradationOptions dopt;
    dopt.scale = 4;
    dopt.bicubicOnly = j.degradation == "bicubic";
    RealEsrganDegradation deg(dopt);
    const int side = j.valSize / 16 * 16;
    for (const auto& rec : pool) {
        if (int(v.hr.size()) >= j.valCount)
            break;
        auto decoded = decodeTrainingImage(rec.path);
        if (!decoded || decoded->rows < side || decoded->cols < side)
            continue;
        const cv::Mat& img = *decoded;
        cv::Mat crop = img(cv::Rect((img.cols - side) / 2, (img.rows - side) / 2, side, side)).clone();
        cv::Mat rgb, f;
        cv::cvtColor(crop, rgb, cv::COLOR_BGR2RGB);
        rgb.convertTo(f, CV_32FC3, img.depth() == CV_16U ? 1.0 / 65535.0 : 1.0 / 255.0);
        std::mt19937_64 rng(0xC0FFEEull + v.hr.size());
        v.lq.push_back(deg.degrade(f, rng));
        v.hr.push_back(f);
        v.names.push_back(fs::path(rec.path).filename().string());
    }
    return v;
}

cv::Mat toBgr8(const cv::Mat& rgb01) {
    cv::Mat u8, bgr;
    rgb01.convertTo(u8, CV_8UC3, 255.0);
    cv::cvtColor(u8, bgr, cv::COLOR_RGB2BGR);
    return bgr;
}

} // namespace

Status runTraining(const TrainJob& jobIn, const RunOptions& ro, const JobControl& control) {
    TrainJob job = jobIn;
    auto envR = DistributedEnv::fromEnvironment();
    if (!envR)
        return envR.status();
    const DistributedEnv env = *envR;
    std::unique_ptr<ProcessGroup> pg;
    if (env.enabled()) {
        auto g = ProcessGroup::connect(env);
        if (!g)
            return g.status();
        pg = std::move(g.value());
    }
    const bool writer = env.rank == 0;
    RunFiles files(ro.runDir, writer, job.keepCheckpoints);
    if (Status s = files.prepare(ro.resume); !s)
        return s;

    device::setThreads(job.threads);
    torch::manual_seed(job.seed);

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
    if (!job.initModel.empty()) {
        if (Status s = loadInitWeights(job.initModel, *unet, codec.get(), &initHash); !s)
            return s;
    } else if (codec->module()) {
        return Status::error(StatusCode::InvalidArgument,
                             "the vq-f4 codec must come from a package: set \"init\" in job.json");
    }
    if (codec->module())
        codec->module()->eval();
    {
        torch::NoGradGuard ng;
        auto src = unet->parameters();
        auto dst = ema->parameters();
        for (size_t i = 0; i < src.size(); ++i)
            dst[i].copy_(src[i]);
    }
    std::vector<torch::Tensor> params = unet->parameters();
    std::vector<torch::Tensor> emaParams = ema->parameters();
    std::vector<torch::Tensor> adamM, adamV;
    for (auto& p : params) {
        adamM.push_back(torch::zeros_like(p));
        adamV.push_back(torch::zeros_like(p));
    }

    // --- data
    ScanOptions so;
    so.minSide = std::max(job.minSide, job.gtSize / 2);
    auto scan = scanImageFolders(job.trainFolders, so, control);
    if (!scan)
        return scan.status();
    if (scan->images.empty())
        return Status::error(StatusCode::InvalidArgument, "no usable training photos in the data folders");
    std::vector<std::string> pendingWarnings;
    for (const auto& s : scan->skipped)
        pendingWarnings.push_back("skipped " + s.path + ": " + s.reason);

    // --- resume
    RunState state;
    if (ro.resume) {
        if (Status s = files.loadLatest(&state, params, emaParams, adamM, adamV); !s)
            return s;
    } else if (writer) {
        if (Status s = files.writeConfig(job.toJson()); !s)
            return s;
    }
    if (pg) {
        // Same starting point everywhere: rank 0's weights and optimiser state.
        std::vector<torch::Tensor> all;
        for (auto* v : {&params, &emaParams, &adamM, &adamV})
            for (auto& t : *v)
                all.push_back(t);
        torch::NoGradGuard ng;
        pg->broadcast(all);
    }

    LoaderOptions lo;
    lo.gtSize = job.gtSize;
    lo.batch = job.batch;
    lo.workers = std::max(1, job.workers);
    lo.seed = job.seed;
    lo.scale = arch.scale;
    lo.rank = env.rank;
    lo.worldSize = env.worldSize;
    lo.degradation.bicubicOnly = job.degradation == "bicubic";
    const std::uint64_t perStep = std::uint64_t(job.batch) * env.worldSize;
    if (Status s = PairLoader::validate(lo, scan->images.size()); !s)
        return s;
    PairLoader loader(scan->images, lo, std::uint64_t(state.step) * perStep);

    std::vector<std::string> valWarnings;
    ValSet val = writer ? buildValSet(job, scan->images, &valWarnings) : ValSet();
    for (auto& w : valWarnings)
        pendingWarnings.push_back(w);

    auto etas = torch::tensor(std::vector<float>(sched.etas.begin(), sched.etas.end()));
    auto sqrtEtas = torch::tensor(std::vector<float>(sched.sqrtEtas.begin(), sched.sqrtEtas.end()));
    const float kappa = float(sched.kappa());
    const int T = sched.steps();
    unet->train();

    auto validate = [&](int step) -> json {
        json out = json::object();
        if (!writer || val.hr.empty())
            return out;
        device::InferenceGuard guard;
        ema->eval();
        DiffusionParts parts{ema.get(), codec.get(), &sched, arch.paddingOffset};
        double psnr = 0, ssim = 0, sharp = 0, psnrBic = 0;
        std::vector<cv::Mat> rows;
        for (size_t i = 0; i < val.hr.size(); ++i) {
            SeededNoise noise(0x5EEDull + i);
            auto lq = toBatch({val.lq[i]});
            SampleOptions o;
            o.mode = job.valSteps == 1 ? SamplerMode::OneStep : SamplerMode::MultiStep;
            auto sr = superResolve(parts, lq, noise, o, {}).add(1.0).div(2.0);
            auto hwc = sr.squeeze(0).permute({1, 2, 0}).contiguous();
            cv::Mat srMat(int(hwc.size(0)), int(hwc.size(1)), CV_32FC3, hwc.data_ptr<float>());
            cv::Mat srBgr = toBgr8(srMat), hrBgr = toBgr8(val.hr[i]);
            cv::Mat bic;
            cv::resize(toBgr8(val.lq[i]), bic, hrBgr.size(), 0, 0, cv::INTER_CUBIC);
            psnr += metrics::psnrY(srBgr, hrBgr, arch.scale);
            ssim += metrics::ssimY(srBgr, hrBgr, arch.scale);
            sharp += metrics::sharpnessRatio(srBgr, hrBgr, arch.scale);
            psnrBic += metrics::psnrY(bic, hrBgr, arch.scale);
            if (rows.size() < 3) {
                cv::Mat row;
                cv::hconcat(std::vector<cv::Mat>{bic, srBgr, hrBgr}, row);
                rows.push_back(row);
            }
        }
        const double n = double(val.hr.size());
        out = {{"psnr_y", psnr / n}, {"ssim_y", ssim / n}, {"sharpness", sharp / n},
               {"bicubic_psnr_y", psnrBic / n}, {"images", val.hr.size()}};
        if (!rows.empty()) {
            cv::Mat sheet;
            cv::vconcat(rows, sheet);
            files.writeSample(step, sheet);
        }
        return out;
    };

    const auto started = std::chrono::steady_clock::now();
    double windowLoss = 0, windowGrad = 0;
    int windowSteps = 0;
    auto windowStart = std::chrono::steady_clock::now();
    const int lastStep = ro.maxSteps >= 0 ? std::min(job.steps, ro.maxSteps) : job.steps;
    bool stopped = false;

    while (state.step < lastStep) {
        if ((ro.stop && ro.stop->load()) || control.cancelled()) {
            stopped = true;
            break;
        }
        auto br = loader.next();
        if (!br)
            return br.status();
        Batch b = std::move(br.value());
        std::vector<cv::Mat> hrs, lqs;
        for (auto& p : b.pairs) {
            hrs.push_back(p.hr);
            lqs.push_back(p.lq);
        }
        auto hr = toBatch(hrs), lq = toBatch(lqs);
        const int64_t B = hr.size(0);
        torch::Tensor x0, y;
        {
            torch::NoGradGuard ng;
            x0 = codec->encode(hr);
            auto up = F::interpolate(lq, F::InterpolateFuncOptions()
                                             .scale_factor(std::vector<double>{double(arch.scale), double(arch.scale)})
                                             .mode(torch::kBicubic)
                                             .align_corners(false));
            y = codec->encode(up);
        }
        std::vector<int64_t> tv;
        std::vector<torch::Tensor> epsv;
        for (int64_t i = 0; i < B; ++i) {
            auto gen = sampleGenerator(job.seed, b.firstIndex + std::uint64_t(i));
            tv.push_back(at::randint(T, {1}, gen, torch::kLong).item<int64_t>());
            epsv.push_back(at::randn(x0[0].sizes(), gen, torch::TensorOptions().dtype(torch::kFloat)));
        }
        auto t = torch::tensor(tv, torch::kLong);
        auto eps = torch::stack(epsv);
        auto et = etas.index_select(0, t).view({B, 1, 1, 1});
        auto st = sqrtEtas.index_select(0, t).view({B, 1, 1, 1});
        auto xt = x0 + et * (y - x0) + kappa * st * eps;
        auto xin = sched.config().normalizeInput ? xt / torch::sqrt(et * (kappa * kappa) + 1.0f) : xt;

        const double lr = learningRate(job, state.step);
        unet->zero_grad();
        auto pred = unet->forward(xin, t, lq);
        auto loss = F::mse_loss(pred, x0);
        loss.backward();
        std::vector<torch::Tensor> grads;
        for (auto& p : params)
            grads.push_back(p.grad().defined() ? p.grad() : torch::zeros_like(p));
        auto lossValue = loss.detach().clone();
        if (pg) {
            pg->allReduceMean(grads);
            std::vector<torch::Tensor> l{lossValue};
            pg->allReduceMean(l);
        }
        double gradNorm = 0;
        {
            torch::NoGradGuard ng;
            for (auto& g : grads)
                gradNorm += g.pow(2).sum().item<double>();
            gradNorm = std::sqrt(gradNorm);
            const double clip = job.gradClip > 0 && gradNorm > job.gradClip ? job.gradClip / (gradNorm + 1e-6) : 1.0;
            const double step1 = double(state.step + 1);
            const double bc1 = 1.0 - std::pow(job.beta1, step1), bc2 = 1.0 - std::pow(job.beta2, step1);
            for (size_t i = 0; i < params.size(); ++i) {
                auto g = clip != 1.0 ? grads[i] * clip : grads[i];
                if (job.weightDecay > 0)
                    params[i].mul_(1.0 - lr * job.weightDecay);
                adamM[i].mul_(job.beta1).add_(g, 1.0 - job.beta1);
                adamV[i].mul_(job.beta2).addcmul_(g, g, 1.0 - job.beta2);
                auto denom = (adamV[i] / bc2).sqrt_().add_(job.eps);
                params[i].addcdiv_(adamM[i], denom, -lr / bc1);
                emaParams[i].mul_(job.ema).add_(params[i], 1.0 - job.ema);
            }
        }
        ++state.step;
        const double lv = lossValue.item<double>();
        if (!std::isfinite(lv))
            return Status::error(StatusCode::Internal, "training diverged (loss is " + std::to_string(lv) +
                                                           ") at step " + std::to_string(state.step) +
                                                           ": lower the learning rate and resume");
        windowLoss += lv;
        windowGrad += gradNorm;
        ++windowSteps;
        for (auto& w : loader.takeWarnings())
            pendingWarnings.push_back(w);

        const bool logNow = state.step % job.logEvery == 0 || state.step == lastStep;
        const bool valNow = state.step % job.validateEvery == 0 || state.step == job.steps;
        const bool ckptNow = state.step % job.checkpointEvery == 0 || state.step == lastStep;
        if (writer && (logNow || valNow)) {
            const auto now = std::chrono::steady_clock::now();
            const double dt = std::chrono::duration<double>(now - windowStart).count();
            const double sps = dt > 0 ? windowSteps * double(perStep) / dt : 0;
            json line = {{"step", state.step}, {"steps", job.steps}, {"loss", windowLoss / std::max(1, windowSteps)},
                         {"lr", lr}, {"grad_norm", windowGrad / std::max(1, windowSteps)},
                         {"samples_per_s", sps},
                         {"eta_s", sps > 0 ? (job.steps - state.step) * double(perStep) / sps : 0.0},
                         {"elapsed_s", state.elapsed + std::chrono::duration<double>(now - started).count()},
                         {"world_size", env.worldSize}};
            if (!pendingWarnings.empty())
                line["warnings"] = pendingWarnings;
            if (valNow) {
                unet->eval();
                line["val"] = validate(state.step);
                unet->train();
                state.lastVal = line["val"];
            }
            files.appendLog(line);
            pendingWarnings.clear();
            windowLoss = windowGrad = 0;
            windowSteps = 0;
            windowStart = std::chrono::steady_clock::now();
            control.report(double(state.step) / job.steps, "step " + std::to_string(state.step));
        }
        if (ckptNow && writer) {
            RunState s = state;
            s.elapsed += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            s.loaderPosition = loader.position();
            if (Status st = files.saveCheckpoint(s, params, emaParams, adamM, adamV); !st)
                return st;
        }
    }
    if (stopped && writer) {
        RunState s = state;
        s.elapsed += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (Status st = files.saveCheckpoint(s, params, emaParams, adamM, adamV); !st)
            return st;
        files.appendLog({{"step", state.step}, {"event", "stopped"}, {"message", "stopped on request; resume with --resume"}});
    }
    if (pg) {
        // Data parallelism must keep every rank's weights identical: check it once at the end.
        torch::NoGradGuard ng;
        double own = 0;
        for (auto& p : params)
            own += p.to(torch::kDouble).sum().item<double>();
        std::vector<torch::Tensor> c{torch::tensor({own}, torch::kDouble)};
        pg->allReduceMean(c);
        const double spread = std::abs(own - c[0].item<double>());
        files.appendLog({{"step", state.step}, {"event", "rank_check"}, {"world_size", env.worldSize},
                         {"checksum", own}, {"rank_spread", spread}});
        pg->barrier();
    }
    if (!stopped && state.step >= job.steps && writer) {
        json prov = {{"training", job.kind},
                     {"preset", job.preset},
                     {"data", job.trainFolders},
                     {"photos", scan->images.size()},
                     {"steps", state.step},
                     {"batch", job.batch * env.worldSize},
                     {"gt_size", job.gtSize},
                     {"degradation", job.degradation},
                     {"wall_time_s", state.elapsed + std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()},
                     {"validation", state.lastVal},
                     {"seed", job.seed},
                     {"trainer", std::string("shiftsr-train ") + SHIFTSR_VERSION}};
        if (!initHash.empty())
            prov["init_sha256"] = initHash;
        if (Status s = files.writeModel(arch, prov, *ema, codec.get()); !s)
            return s;
        files.appendLog({{"step", state.step}, {"event", "finished"}, {"model", files.modelPath()}});
    }
    return Status::ok();
}

Status exportCheckpoint(const TrainJob& job, const std::string& runDir, const std::string& outPath, int* stepOut,
                        bool half, bool raw) {
    try {
        auto archR = buildArchitecture(job);
        if (!archR)
            return archR.status();
        Architecture arch = *archR;
        auto unet = std::make_shared<nn::UNetModelSwinImpl>(arch.unet);
        auto ema = std::make_shared<nn::UNetModelSwinImpl>(arch.unet);
        auto codec = arch.makeCodec();
        std::string initHash;
        if (!job.initModel.empty())
            if (Status s = loadInitWeights(job.initModel, *unet, codec.get(), &initHash); !s)
                return s;
        std::vector<torch::Tensor> params = unet->parameters(), emaParams = ema->parameters(), m, v;
        for (auto& p : params) {
            m.push_back(torch::zeros_like(p));
            v.push_back(torch::zeros_like(p));
        }
        RunFiles files(runDir, /*writer=*/false);
        RunState state;
        if (Status s = files.loadLatest(&state, params, emaParams, m, v); !s)
            return s;
        json prov = {{"training", job.kind},
                     {"preset", job.preset},
                     {"data", job.trainFolders},
                     {"steps", state.step},
                     {"planned_steps", job.steps},
                     {"finished", state.step >= job.steps},
                     {"batch", job.batch},
                     {"gt_size", job.gtSize},
                     {"degradation", job.degradation},
                     {"wall_time_s", state.elapsed},
                     {"validation", state.lastVal},
                     {"seed", job.seed},
                     {"trainer", std::string("shiftsr-train ") + SHIFTSR_VERSION}};
        if (!initHash.empty())
            prov["init_sha256"] = initHash;
        if (state.step < job.steps)
            arch.name += " (step " + std::to_string(state.step) + " of " + std::to_string(job.steps) + ")";
        if (stepOut)
            *stepOut = state.step;
        prov["weights"] = raw ? "raw" : "ema";
        if (raw) {
            torch::NoGradGuard ng;
            for (size_t i = 0; i < params.size(); ++i)
                emaParams[i].copy_(params[i]);
        }
        if (half) {
            torch::NoGradGuard ng;
            for (auto& p : ema->parameters())
                p.set_data(p.to(torch::kHalf));
            prov["stored_as"] = "f16";
        }
        return files.writeModel(arch, prov, *ema, codec.get(), outPath);
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, e.what_without_backtrace());
    }
}

} // namespace shiftsr::training
