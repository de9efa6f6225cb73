// Shared trainer pieces (see common.h).
#include "common.h"

#include "shiftsr/nn/device.h"
#include "shiftsr/nn/image_tensor.h"
#include "shiftsr/nn/sampler.h"

#include "shiftsr/engine/metrics.h"
#include "shiftsr/training/degradation.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <filesystem>
#include <random>

namespace shiftsr::training {

namespace fs = std::filesystem;
using json = nlohmann::json;

torch::Tensor toBatch(const std::vector<cv::Mat>& images) {
    std::vector<torch::Tensor> ts;
    ts.reserve(images.size());
    for (const auto& m : images) {
        cv::Mat c = m.isContinuous() ? m : m.clone();
        ts.push_back(torch::from_blob(c.data, {c.rows, c.cols, 3}, torch::kFloat)
                         .permute({2, 0, 1})
                         .clone());
    }
    return torch::stack(ts).mul_(2.0).sub_(1.0);
}

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

ValSet buildValSet(const TrainJob& j, const std::vector<ImageRecord>& trainImages,
                   std::vector<std::string>* warnings) {
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
    dopt.scale = j.scale; // 4 except in the yonos stages (teacher: 2)
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
        cv::Mat crop =
            img(cv::Rect((img.cols - side) / 2, (img.rows - side) / 2, side, side)).clone();
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

Result<RunSetup> openRun(const TrainJob& job, const RunOptions& ro) {
    RunSetup run;
    auto env = DistributedEnv::fromEnvironment();
    if (!env)
        return env.status();
    run.env = *env;
    if (run.env.enabled()) {
        auto g = ProcessGroup::connect(run.env);
        if (!g)
            return g.status();
        run.pg = std::move(g.value());
    }
    run.writer = run.env.rank == 0;
    run.files = RunFiles(ro.runDir, run.writer, job.keepCheckpoints);
    if (Status s = run.files.prepare(ro.resume); !s)
        return s;
    run.perStep = std::uint64_t(job.batch) * std::uint64_t(run.env.worldSize);
    device::setThreads(job.threads);
    torch::manual_seed(job.seed);
    return run;
}

Status scanPhotos(RunSetup& run, const TrainJob& job, const JobControl& control) {
    ScanOptions so;
    so.minSide = std::max(job.minSide, job.gtSize / 2);
    auto scan = scanImageFolders(job.trainFolders, so, control);
    if (!scan)
        return scan.status();
    if (scan->images.empty())
        return Status::error(StatusCode::InvalidArgument,
                             "no usable training photos in the data folders");
    for (const auto& s : scan->skipped)
        run.warnings.push_back("skipped " + s.path + ": " + s.reason);
    run.images = std::move(scan->images);
    return Status::ok();
}

Status resumeOrStart(RunSetup& run, const TrainJob& job, bool resume, RunState* state,
                     std::vector<torch::Tensor>& params, std::vector<torch::Tensor>& ema,
                     std::vector<torch::Tensor>& m, std::vector<torch::Tensor>& v) {
    if (resume && run.files.hasCheckpoint()) {
        if (Status s = run.files.loadLatest(state, params, ema, m, v); !s)
            return s;
    } else if (!resume && run.writer) { // (resuming without a checkpoint: from step 0)
        if (Status s = run.files.writeConfig(job.toJson()); !s)
            return s;
    }
    if (run.pg) { // same starting point everywhere: rank 0's weights and optimiser state
        std::vector<torch::Tensor> all;
        for (auto* list : {&params, &ema, &m, &v})
            all.insert(all.end(), list->begin(), list->end());
        torch::NoGradGuard ng;
        run.pg->broadcast(all);
    }
    return Status::ok();
}

Result<std::unique_ptr<PairLoader>> startLoader(const RunSetup& run, const TrainJob& job, int scale,
                                                const RunState& state, int secondScale) {
    LoaderOptions lo;
    lo.gtSize = job.gtSize;
    lo.batch = job.batch;
    lo.workers = std::max(1, job.workers);
    lo.seed = job.seed;
    lo.scale = scale;
    lo.secondScale = secondScale;
    lo.rank = run.env.rank;
    lo.worldSize = run.env.worldSize;
    lo.degradation.bicubicOnly = job.degradation == "bicubic";
    if (Status s = PairLoader::validate(lo, run.images.size()); !s)
        return s;
    return std::make_unique<PairLoader>(run.images, lo, std::uint64_t(state.step) * run.perStep);
}

Result<RunData> startData(RunSetup& run, const TrainJob& job, const JobControl& control,
                          bool resume, int scale, std::vector<torch::Tensor>& params,
                          std::vector<torch::Tensor>& ema, std::vector<torch::Tensor>& m,
                          std::vector<torch::Tensor>& v, int secondScale) {
    RunData d;
    if (Status s = scanPhotos(run, job, control); !s)
        return s;
    if (Status s = resumeOrStart(run, job, resume, &d.state, params, ema, m, v); !s)
        return s;
    auto loader = startLoader(run, job, scale, d.state, secondScale);
    if (!loader)
        return loader.status();
    d.loader = std::move(loader.value());
    if (run.writer)
        d.val = buildValSet(job, run.images, &run.warnings);
    return d;
}

BatchLatents encodeBatch(const Batch& batch, Codec& codec, int scale) {
    std::vector<cv::Mat> hrs, lqs;
    for (const auto& p : batch.pairs) {
        hrs.push_back(p.hr);
        lqs.push_back(p.lq);
    }
    BatchLatents b;
    b.firstIndex = batch.firstIndex;
    b.hr = toBatch(hrs);
    b.lq = toBatch(lqs);
    torch::NoGradGuard ng;
    b.x0 = codec.encode(b.hr);
    namespace F = torch::nn::functional;
    auto up =
        F::interpolate(b.lq, F::InterpolateFuncOptions()
                                 .scale_factor(std::vector<double>{double(scale), double(scale)})
                                 .mode(torch::kBicubic)
                                 .align_corners(false));
    b.y = codec.encode(up);
    return b;
}

Result<BatchLatents> nextBatch(PairLoader& loader, Codec& codec, int scale) {
    auto b = loader.next();
    if (!b)
        return b.status();
    return encodeBatch(*b, codec, scale);
}

namespace {
// BasicSR's Y on [0, 1]: (65.481 R + 128.553 G + 24.966 B + 16) / 255 with R, G, B in [0, 1], of
// images in [-1, 1].
torch::Tensor lumaOf(const torch::Tensor& x) {
    const auto w =
        torch::tensor({65.481f, 128.553f, 24.966f}, x.options()).view({1, 3, 1, 1}) / 255.0f;
    return ((x + 1) * 0.5f * w).sum(1, true) + 16.0f / 255.0f;
}
} // namespace

torch::Tensor ssimLossY(const torch::Tensor& pred, const torch::Tensor& target) {
    namespace F = torch::nn::functional;
    auto g = torch::arange(11, pred.options()) - 5;
    g = torch::exp(-g * g / (2 * 1.5f * 1.5f));
    g = g / g.sum();
    const auto kernel = torch::outer(g, g).view({1, 1, 11, 11});
    auto blur = [&](const torch::Tensor& x) { return F::conv2d(x, kernel); }; // 'valid'
    const auto a = lumaOf(pred), b = lumaOf(target);
    const auto ma = blur(a), mb = blur(b);
    const auto ma2 = ma * ma, mb2 = mb * mb, mab = ma * mb;
    const auto sa = blur(a * a) - ma2, sb = blur(b * b) - mb2, sab = blur(a * b) - mab;
    const float c1 = 0.01f * 0.01f, c2 = 0.03f * 0.03f;
    const auto map = (2 * mab + c1) * (2 * sab + c2) / ((ma2 + mb2 + c1) * (sa + sb + c2));
    return 1 - map.mean();
}

torch::Tensor fourierAmplitudeLossY(const torch::Tensor& pred, const torch::Tensor& target,
                                    int patch) {
    const int64_t B = pred.size(0), th = pred.size(2) / patch, tw = pred.size(3) / patch;
    if (th < 1 || tw < 1)
        throw std::invalid_argument("fourierAmplitudeLossY: images smaller than one tile");
    auto tiles = [&](const torch::Tensor& x) {
        return lumaOf(x)
            .narrow(2, 0, th * patch)
            .narrow(3, 0, tw * patch)
            .reshape({B, th, patch, tw, patch})
            .permute({0, 1, 3, 2, 4});
    };
    auto amplitude = [&](const torch::Tensor& t) {
        return torch::fft::rfft2(t, c10::nullopt, {-2, -1}, "ortho").abs();
    };
    return (amplitude(tiles(pred)) - amplitude(tiles(target))).abs().mean();
}

ForwardProcess::ForwardProcess(const ResShiftSchedule& s)
    : etas_(torch::tensor(std::vector<float>(s.etas.begin(), s.etas.end()))),
      sqrtEtas_(torch::tensor(std::vector<float>(s.sqrtEtas.begin(), s.sqrtEtas.end()))),
      kappa_(float(s.kappa())), normalize_(s.config().normalizeInput) {}

torch::Tensor ForwardProcess::operator()(const torch::Tensor& x0, const torch::Tensor& y,
                                         const torch::Tensor& t, const torch::Tensor& eps) const {
    const int64_t B = x0.size(0);
    auto et = etas_.index_select(0, t).view({B, 1, 1, 1});
    auto st = sqrtEtas_.index_select(0, t).view({B, 1, 1, 1});
    auto xt = x0 + et * (y - x0) + kappa_ * st * eps;
    return normalize_ ? xt / torch::sqrt(et * (kappa_ * kappa_) + 1.0f) : xt;
}

double adamwStep(std::vector<torch::Tensor>& params, const std::vector<torch::Tensor>& grads,
                 std::vector<torch::Tensor>& m, std::vector<torch::Tensor>& v, double lr, int step,
                 const TrainJob& job, double beta1, double beta2) {
    torch::NoGradGuard ng;
    const double b1 = beta1 >= 0 ? beta1 : job.beta1, b2 = beta2 >= 0 ? beta2 : job.beta2;
    double gradNorm = 0;
    for (auto& g : grads)
        gradNorm += g.pow(2).sum().item<double>();
    gradNorm = std::sqrt(gradNorm);
    const double clip =
        job.gradClip > 0 && gradNorm > job.gradClip ? job.gradClip / (gradNorm + 1e-6) : 1.0;
    const double step1 = double(step + 1);
    const double bc1 = 1.0 - std::pow(b1, step1), bc2 = 1.0 - std::pow(b2, step1);
    for (size_t i = 0; i < params.size(); ++i) {
        auto g = clip != 1.0 ? grads[i] * clip : grads[i];
        if (job.weightDecay > 0)
            params[i].mul_(1.0 - lr * job.weightDecay);
        m[i].mul_(b1).add_(g, 1.0 - b1);
        v[i].mul_(b2).addcmul_(g, g, 1.0 - b2);
        auto denom = (v[i] / bc2).sqrt_().add_(job.eps);
        params[i].addcdiv_(m[i], denom, -lr / bc1);
    }
    return gradNorm;
}

void emaUpdate(std::vector<torch::Tensor>& ema, const std::vector<torch::Tensor>& params,
               double decay) {
    torch::NoGradGuard ng;
    for (size_t i = 0; i < ema.size() && i < params.size(); ++i)
        ema[i].mul_(decay).add_(params[i], 1.0 - decay);
}

void copyParameters(torch::nn::Module& from, torch::nn::Module& to) {
    torch::NoGradGuard ng;
    auto src = from.parameters();
    auto dst = to.parameters();
    for (size_t i = 0; i < src.size(); ++i)
        dst[i].copy_(src[i]);
}

std::vector<torch::Tensor> gradsOf(const std::vector<torch::Tensor>& params) {
    std::vector<torch::Tensor> grads;
    grads.reserve(params.size());
    for (auto& p : params)
        grads.push_back(p.grad().defined() ? p.grad() : torch::zeros_like(p));
    return grads;
}

json scoreValidation(const ValSet& val, int scale,
                     const std::function<torch::Tensor(const torch::Tensor& lq, size_t i)>& upscale,
                     RunFiles& files, int step) {
    json out = json::object();
    if (val.hr.empty())
        return out;
    device::InferenceGuard guard;
    double psnr = 0, ssim = 0, sharp = 0, psnrBic = 0;
    std::vector<cv::Mat> rows;
    for (size_t i = 0; i < val.hr.size(); ++i) {
        auto sr = upscale(toBatch({val.lq[i]}), i).add(1.0).div(2.0);
        cv::Mat srBgr = tensor01ToMat(sr, CV_8U), hrBgr = toBgr8(val.hr[i]);
        cv::Mat bic;
        cv::resize(toBgr8(val.lq[i]), bic, hrBgr.size(), 0, 0, cv::INTER_CUBIC);
        psnr += metrics::psnrY(srBgr, hrBgr, scale);
        ssim += metrics::ssimY(srBgr, hrBgr, scale);
        sharp += metrics::sharpnessRatio(srBgr, hrBgr, scale);
        psnrBic += metrics::psnrY(bic, hrBgr, scale);
        if (rows.size() < 3) {
            cv::Mat row;
            cv::hconcat(std::vector<cv::Mat>{bic, srBgr, hrBgr}, row);
            rows.push_back(row);
        }
    }
    const double n = double(val.hr.size());
    out = {{"psnr_y", psnr / n},
           {"ssim_y", ssim / n},
           {"sharpness", sharp / n},
           {"bicubic_psnr_y", psnrBic / n},
           {"images", val.hr.size()}};
    cv::Mat sheet;
    cv::vconcat(rows, sheet);
    files.writeSample(step, sheet);
    return out;
}

json runValidation(nn::UNetModelSwinImpl& net, Codec* codec, const ResShiftSchedule& sched,
                   const Architecture& arch, const ValSet& val, int valSteps,
                   int extraNoiseChannels, RunFiles& files, int step) {
    net.eval();
    DiffusionParts parts{&net, codec, &sched, arch.paddingOffset, arch.degridSigma};
    SampleOptions o;
    o.mode = valSteps == 1 ? SamplerMode::OneStep : SamplerMode::MultiStep;
    o.extraNoiseChannels = extraNoiseChannels;
    return scoreValidation(
        val, arch.scale,
        [&](const torch::Tensor& lq, size_t i) {
            SeededNoise noise(0x5EEDull + i);
            return superResolve(parts, lq, noise, o, {});
        },
        files, step);
}

LogWindow::LogWindow(const TrainJob& job, std::uint64_t perStep, double elapsedBefore,
                     int worldSize)
    : job_(job), perStep_(perStep), elapsedBefore_(elapsedBefore), worldSize_(worldSize),
      started_(std::chrono::steady_clock::now()), windowStart_(started_) {}

void LogWindow::add(const std::string& key, double value) {
    sums_[key] += value;
}

json LogWindow::line(int step, double lr) const {
    const auto now = std::chrono::steady_clock::now();
    const double dt = std::chrono::duration<double>(now - windowStart_).count();
    const double sps = dt > 0 ? steps_ * double(perStep_) / dt : 0;
    json l = {{"step", step},
              {"steps", job_.steps},
              {"lr", lr},
              {"samples_per_s", sps},
              {"eta_s", sps > 0 ? (job_.steps - step) * double(perStep_) / sps : 0.0},
              {"elapsed_s", elapsed()},
              {"world_size", worldSize_}};
    for (const auto& [k, v] : sums_)
        l[k] = v / std::max(1, steps_);
    return l;
}

void LogWindow::reset() {
    sums_.clear();
    steps_ = 0;
    windowStart_ = std::chrono::steady_clock::now();
}

double LogWindow::elapsed() const {
    return elapsedBefore_ +
           std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

StepLoop::StepLoop(const TrainJob& job, const RunOptions& options, const JobControl& control,
                   RunSetup& run, RunState& state, PairLoader& loader, Save save)
    : job_(job), options_(options), control_(control), run_(run), state_(state), loader_(loader),
      save_(std::move(save)), window_(job, run.perStep, state.elapsed, run.env.worldSize),
      lastStep_(options.maxSteps >= 0 ? std::min(job.steps, options.maxSteps) : job.steps) {
    if (options_.stepping)
        options_.stepping->store(true);
}

bool StepLoop::next() {
    if (state_.step >= lastStep_)
        return false;
    if ((options_.stop && options_.stop->load()) || control_.cancelled()) {
        stopped_ = true;
        return false;
    }
    return true;
}

Status StepLoop::save() {
    RunState s = state_;
    s.elapsed = window_.elapsed();
    s.loaderPosition = loader_.position();
    return save_(s);
}

Status StepLoop::endStep(double loss, double lr, const Validate& validate) {
    const int step = state_.step;
    if (!std::isfinite(loss))
        return Status::error(StatusCode::Internal,
                             "training diverged (loss is " + std::to_string(loss) + ") at step " +
                                 std::to_string(step) + ": lower the learning rate and resume");
    window_.endStep();
    std::vector<std::string>& warnings = run_.warnings;
    for (auto& w : loader_.takeWarnings())
        warnings.push_back(std::move(w));
    if (!run_.writer) { // only rank 0 logs
        warnings.clear();
        return Status::ok();
    }
    const bool logNow = step % job_.logEvery == 0 || step == lastStep_;
    const bool valNow = step % job_.validateEvery == 0 || step == job_.steps;
    const bool ckptNow = step % job_.checkpointEvery == 0 || step == lastStep_;
    if (logNow || valNow) {
        json line = window_.line(step, lr);
        if (!warnings.empty())
            line["warnings"] = warnings;
        if (valNow) {
            line["val"] = validate(step);
            state_.lastVal = line["val"];
        }
        run_.files.appendLog(line);
        warnings.clear();
        window_.reset();
        control_.report(double(step) / job_.steps, "step " + std::to_string(step));
    }
    return ckptNow ? save() : Status::ok();
}

Status StepLoop::end() {
    if (!stopped_ || !run_.writer)
        return Status::ok();
    if (Status s = save(); !s)
        return s;
    run_.files.appendLog({{"step", state_.step},
                          {"event", "stopped"},
                          {"message", "stopped on request; resume with --resume"}});
    return Status::ok();
}

Status StepLoop::finish(const std::function<Status(double wallTime)>& write) {
    if (!finished() || !run_.writer)
        return Status::ok();
    if (Status s = write(window_.elapsed()); !s)
        return s;
    run_.files.appendLog(
        {{"step", state_.step}, {"event", "finished"}, {"model", run_.files.modelPath()}});
    return Status::ok();
}

nlohmann::json runProvenance(const TrainJob& job, const RunState& state, double wallTime,
                             int worldSize) {
    return {{"training", job.kind},
            {"data", job.trainFolders},
            {"steps", state.step},
            {"planned_steps", job.steps},
            {"finished", state.step >= job.steps},
            {"batch", job.batch * worldSize},
            {"gt_size", job.gtSize},
            {"degradation", job.degradation},
            {"wall_time_s", wallTime},
            {"validation", state.lastVal},
            {"seed", job.seed},
            {"trainer", std::string("shiftsr-train ") + SHIFTSR_VERSION}};
}

Status loadLatestWeights(const std::string& runDir, std::vector<torch::Tensor>& params,
                         std::vector<torch::Tensor>& ema, RunState* state) {
    std::vector<torch::Tensor> m, v;
    for (auto& p : params) {
        m.push_back(torch::zeros_like(p));
        v.push_back(torch::zeros_like(p));
    }
    return RunFiles(runDir, /*writer=*/false).loadLatest(state, params, ema, m, v);
}

Status writeExportPackage(const std::string& runDir, const TrainJob& job, const RunState& state,
                          Architecture arch, nlohmann::json provenance, nn::UNetModelSwinImpl& net,
                          const std::vector<torch::Tensor>& rawParams, Codec* codec,
                          const std::string& outPath, bool half, bool raw, bool stateWeights) {
    if (state.step < job.steps)
        arch.name +=
            " (step " + std::to_string(state.step) + " of " + std::to_string(job.steps) + ")";
    if (stateWeights)
        provenance["weights"] = raw ? "raw" : "ema";
    torch::NoGradGuard ng;
    if (raw) {
        auto params = net.parameters();
        for (size_t i = 0; i < params.size(); ++i)
            params[i].copy_(rawParams[i]);
    }
    if (half) {
        for (auto& p : net.parameters())
            p.set_data(p.to(torch::kHalf));
        provenance["stored_as"] = "f16";
    }
    return RunFiles(runDir, /*writer=*/false).writeModel(arch, provenance, net, codec, outPath);
}

} // namespace shiftsr::training
