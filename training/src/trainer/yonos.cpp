// YONOS-SR (Noroozi et al., "You Only Need One Step: Fast Super-Resolution with Stable Diffusion
// via Scale Distillation") in four stages, one run folder each:
//   autoencoder  the KL autoencoder (L1 + SSIM-Y + KL), unless the user has one
//   teacher      the latent U-Net at x2 (or any scale) on [z_t, encode(bicubic(LQ))], v-prediction
//   distil       the x4 student, initialised from the teacher, trained to match the frozen
//                teacher's output at the same z_t when the teacher sees the crop degraded at its
//                own (smaller) scale: the teacher's prediction is the student's target
//   decoder      the U-Net frozen, the decoder fine-tuned on the student's one-step outputs
#include "shiftsr/training/yonos.h"
#include "shiftsr/nn/json_util.h"

#include "common.h"
#include "presets.h"
#include "run_files.h"
#include "yonos_parts.h"

#include "shiftsr/engine/metrics.h"
#include "shiftsr/nn/color_fix.h"
#include "shiftsr/nn/device.h"
#include "shiftsr/nn/image_tensor.h"
#include "shiftsr/nn/sampler.h"
#include "shiftsr/nn/sha256.h"
#include "shiftsr/nn/tensor_io.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <optional>

namespace shiftsr::training {

namespace F = torch::nn::functional;
using json = nlohmann::json;

// ---------------------------------------------------------------- presets and packages

nn::KLConfig yonosCodecPreset(const TrainJob& job) {
    nn::KLConfig c;
    c.layersPerBlock = 1;
    c.midBlockAddAttention = false; // whole-latent attention: quadratic in the tile, little gain
    c.scalingFactor = 1.0;          // set from the latents' spread when the stage finishes
    if (job.preset == "tiny") {
        c.blockOutChannels = {16, 16, 32};
        c.normNumGroups = 8;
        c.latentChannels = 4;
    } else if (job.codecPreset == "f8") {
        // Same compression as f4 with 4 channels (192 values -> 16 per cell): the U-Net works on
        // a quarter of the positions.
        c.blockOutChannels = {32, 64, 64, 128};
        c.normNumGroups = 16;
        c.latentChannels = 16;
    } else {
        c.blockOutChannels = {32, 64, 128};
        c.normNumGroups = 16;
        c.latentChannels = 4;
    }
    return c;
}

Result<Architecture> yonosArchitecture(const TrainJob& job, const nn::KLConfig& kl, int scale) {
    Architecture a;
    a.family = "yonos";
    a.kl = kl;
    a.codec = "kl-f" + std::to_string(kl.downFactor());
    a.scale = scale;
    a.steps = 1;
    auto& u = a.sdUnet;
    u.inChannels = 2 * kl.latentChannels;
    u.outChannels = kl.latentChannels;
    if (job.preset == "tiny") {
        u.blockOutChannels = {32, 32};
        u.layersPerBlock = 1;
        u.downBlockTypes = {"DownBlock2D", "CrossAttnDownBlock2D"};
        u.upBlockTypes = {"CrossAttnUpBlock2D", "UpBlock2D"};
        u.attentionHeads = {2};
        u.normNumGroups = 8;
        a.name = "ShiftSR tiny YONOS";
    } else {
        u.blockOutChannels = {64, 128, 192};
        u.layersPerBlock = 2;
        u.downBlockTypes = {"DownBlock2D", "DownBlock2D", "CrossAttnDownBlock2D"};
        u.upBlockTypes = {"CrossAttnUpBlock2D", "UpBlock2D", "UpBlock2D"};
        u.attentionHeads = {4};
        u.normNumGroups = 32;
        a.name = "ShiftSR YONOS-lite x" + std::to_string(scale);
    }
    u.crossAttentionDim = 0;
    if (!job.modelJson.empty()) {
        auto merged = u.toJson();
        merged.merge_patch(json::parse(job.modelJson));
        auto c = nn::SDUNetConfig::fromJson(merged);
        if (!c)
            return c.status().withContext("job model");
        u = *c;
    }
    if (!job.scheduleJson.empty()) {
        auto merged = a.ddim.toJson();
        merged.merge_patch(json::parse(job.scheduleJson));
        auto c = DdimConfig::fromJson(merged);
        if (!c)
            return c.status().withContext("job schedule");
        a.ddim = *c;
    }
    a.paddingOffset = a.yonosPaddingUnit();
    if (!job.name.empty())
        a.name = job.name;
    auto check = Architecture::fromMetadata(a.toMetadata());
    if (!check)
        return check.status().withContext("preset " + job.preset);
    return *check;
}

// A teacher's architecture: the init package's U-Net at job.scale when the init package has one
// (a converted Stable Diffusion model or an earlier teacher keeps its shape and its schedule), else
// the preset's with the job's "model" and "schedule" overrides.
Result<Architecture> teacherArchitecture(const TrainJob& job, const nn::KLConfig& kl,
                                         const YonosPackage* init) {
    if (!init || !init->unet)
        return yonosArchitecture(job, kl, job.scale);
    auto bad = [&](const std::string& what) {
        return Status::error(StatusCode::InvalidArgument, job.initModel + ": " + what);
    };
    if (!job.modelJson.empty() || !job.scheduleJson.empty())
        return bad("the U-Net and schedule come from this init package; remove \"model\" and "
                   "\"schedule\" from the job");
    const auto& u = init->arch.sdUnet;
    if (u.inChannels != 2 * kl.latentChannels || u.outChannels != kl.latentChannels)
        return bad("its U-Net takes " + std::to_string(u.inChannels) + " channels and gives " +
                   std::to_string(u.outChannels) + ", but the autoencoder's latents have " +
                   std::to_string(kl.latentChannels) + " (it needs 2 x and 1 x that)");
    Architecture a = init->arch;
    a.kl = kl;
    a.codec = "kl-f" + std::to_string(kl.downFactor());
    a = a.yonosAtScale(job.scale);
    a.steps = 1;
    a.name = job.name.empty() ? "ShiftSR YONOS x" + std::to_string(job.scale) + " (from " +
                                    init->arch.name.substr(0, 80) + ")"
                              : job.name;
    auto check = Architecture::fromMetadata(a.toMetadata());
    if (!check)
        return check.status().withContext(job.initModel);
    return *check;
}

// openYonosPackage for an optional path: nothing for an empty one.
static Result<std::optional<YonosPackage>> openOptionalPackage(const std::string& path) {
    if (path.empty())
        return std::optional<YonosPackage>();
    auto opened = openYonosPackage(path);
    if (!opened)
        return opened.status();
    return std::optional<YonosPackage>(std::move(opened.value()));
}

static Status loadInto(torch::nn::Module& module, const SafeTensorsFile& f,
                       const std::string& prefix, const std::string& what) {
    auto tensors = readTensors(f, prefix);
    if (!tensors)
        return tensors.status();
    auto r = loadStateDict(module, *tensors, what);
    if (!r)
        return r.status();
    if (!r->unexpected.empty())
        return Status::error(StatusCode::InvalidFile,
                             what + ": unexpected tensor '" + prefix + r->unexpected.front() + "'");
    return Status::ok();
}

Result<YonosPackage> openYonosPackage(const std::string& path) {
    auto f = SafeTensorsFile::open(path);
    if (!f)
        return f.status();
    const auto& meta = f->metadata();
    const auto family = meta.count("family") ? meta.at("family") : std::string();
    YonosPackage p;
    try {
        if (family == "autoencoder") {
            auto it = meta.find(meta::kCodecConfig);
            if (it == meta.end())
                return Status::error(StatusCode::InvalidFile,
                                     path + ": an autoencoder package needs codec_config");
            auto j = parseJsonOrDiscarded(it->second);
            auto kc = nn::KLConfig::fromJson(j);
            if (!kc)
                return kc.status().withContext(path);
            p.autoencoderOnly = true;
            p.arch.kl = *kc;
        } else if (family == "yonos") {
            auto arch = Architecture::fromMetadata(meta);
            if (!arch)
                return arch.status().withContext(path);
            p.arch = *arch;
            p.unet = std::make_shared<nn::SDUNetImpl>(p.arch.sdUnet);
            if (Status s = loadInto(*p.unet, *f, "unet.", path + " (unet)"); !s)
                return s;
        } else {
            return Status::error(StatusCode::InvalidArgument,
                                 path + " is neither a yonos model nor an autoencoder package");
        }
        p.codec = std::make_unique<KLCodec>(p.arch.kl);
        if (Status s = loadInto(*p.codec->module(), *f, "codec.", path + " (codec)"); !s)
            return s;
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::InvalidFile, path + ": " + e.what_without_backtrace());
    }
    p.lineage = packageLineage(*f);
    return p;
}

// ---------------------------------------------------------------- shared pieces

torch::Tensor drawTimesteps(int64_t batch, int trainSteps, double oneStepFraction,
                            std::uint64_t seed, std::uint64_t firstIndex,
                            std::vector<torch::Tensor>* eps, at::IntArrayRef epsShape) {
    std::vector<int64_t> tv;
    for (int64_t i = 0; i < batch; ++i) {
        auto gen = sampleGenerator(seed, firstIndex + std::uint64_t(i));
        const double u =
            at::rand({1}, gen, torch::TensorOptions().dtype(torch::kDouble)).item<double>();
        const int64_t uniform = at::randint(trainSteps, {1}, gen, torch::kLong).item<int64_t>();
        tv.push_back(u < oneStepFraction ? trainSteps - 1 : uniform);
        if (eps)
            eps->push_back(at::randn(epsShape, gen, torch::TensorOptions().dtype(torch::kFloat)));
    }
    return torch::tensor(tv, torch::kLong);
}

// Gaussian noise of `shape` for each sample (the autoencoder's reparameterisation, the decoder
// stage's x_T): the draw drawTimesteps makes after its timestep, so a sample's noise is the same
// in every stage and does not depend on how the batch is split.
static torch::Tensor sampleNoise(int64_t batch, std::uint64_t seed, std::uint64_t firstIndex,
                                 at::IntArrayRef shape) {
    std::vector<torch::Tensor> eps;
    drawTimesteps(batch, 2, 0, seed, firstIndex, &eps, shape);
    return torch::stack(eps);
}

torch::Tensor scaleDistillationTarget(nn::SDUNetImpl& teacher, const torch::Tensor& zt,
                                      const torch::Tensor& teacherCond, const torch::Tensor& t) {
    torch::NoGradGuard ng;
    return teacher.forward(torch::cat({zt, teacherCond}, 1), t);
}

torch::Tensor encodeCondition(Codec& codec, const torch::Tensor& lq, int scale) {
    torch::NoGradGuard ng;
    auto up =
        F::interpolate(lq, F::InterpolateFuncOptions()
                               .scale_factor(std::vector<double>{double(scale), double(scale)})
                               .mode(torch::kBicubic)
                               .align_corners(false));
    return codec.encode(up);
}

namespace {

// The tile of the Fourier amplitude term (yonos.fft_weight): every crop (data.gt_size >= 32) holds
// at least one, and 32 px is about the size of the textures a 192 px evaluation crop shows.
constexpr int kFourierTile = 32;

// The wavelet levels of the pipeline's colour fix (engine/src/finish.cpp).
constexpr int kColorFixLevels = 5;

std::vector<torch::Tensor> fresh(const std::vector<torch::Tensor>& like) {
    std::vector<torch::Tensor> out;
    for (const auto& p : like)
        out.push_back(torch::zeros_like(p));
    return out;
}

std::vector<torch::Tensor> cloned(const std::vector<torch::Tensor>& like) {
    std::vector<torch::Tensor> out;
    torch::NoGradGuard ng;
    for (const auto& p : like)
        out.push_back(p.detach().clone());
    return out;
}

void assign(std::vector<torch::Tensor>& to, const std::vector<torch::Tensor>& from) {
    torch::NoGradGuard ng;
    for (size_t i = 0; i < to.size(); ++i)
        to[i].copy_(from[i]);
}

// The decoder half a decoder stage trains: decoder.* and post_quant_conv.*.
std::vector<torch::Tensor> decoderParameters(torch::nn::Module& codec) {
    std::vector<torch::Tensor> out;
    for (const auto& p : codec.named_parameters())
        if (p.key().rfind("decoder.", 0) == 0 || p.key().rfind("post_quant_conv.", 0) == 0)
            out.push_back(p.value());
    return out;
}

void setTrainable(torch::nn::Module& m, bool on) {
    for (auto& p : m.parameters())
        p.set_requires_grad(on);
}

// PSNR/SSIM/sharpness (Y) of a one-step run on the validation set, with a sample sheet.
json validateYonos(nn::SDUNetImpl& unet, KLCodec& codec, const DdimSchedule& sched,
                   const Architecture& arch, const ValSet& val, RunFiles& files, int step) {
    unet.eval();
    DiffusionParts parts;
    parts.codec = &codec;
    parts.paddingOffset = arch.paddingOffset;
    parts.sdUnet = &unet;
    parts.ddim = &sched;
    parts.scale = arch.scale;
    parts.ddimSteps = 1;
    return scoreValidation(
        val, arch.scale,
        [&](const torch::Tensor& lq, size_t i) {
            SeededNoise noise(0x5EEDull + i);
            return superResolve(parts, lq, noise, {}, {});
        },
        files, step);
}

// Reconstruction PSNR/SSIM (Y) of the autoencoder on the validation photos.
json validateAutoencoder(nn::KLAutoencoderImpl& ae, const ValSet& val, RunFiles& files, int step) {
    json out = json::object();
    if (val.hr.empty())
        return out;
    device::InferenceGuard guard;
    ae.eval();
    double psnr = 0, ssim = 0;
    std::vector<cv::Mat> rows;
    for (size_t i = 0; i < val.hr.size(); ++i) {
        auto hr = toBatch({val.hr[i]});
        auto rec = ae.decode(ae.encode(hr)).clamp(-1, 1).add(1.0).div(2.0);
        cv::Mat recBgr = tensor01ToMat(rec, CV_8U), hrBgr = toBgr8(val.hr[i]);
        psnr += metrics::psnrY(recBgr, hrBgr, 0);
        ssim += metrics::ssimY(recBgr, hrBgr, 0);
        if (rows.size() < 3) {
            cv::Mat row;
            cv::hconcat(std::vector<cv::Mat>{recBgr, hrBgr}, row);
            rows.push_back(row);
        }
    }
    const double n = double(val.hr.size());
    out = {{"recon_psnr_y", psnr / n}, {"recon_ssim_y", ssim / n}, {"images", val.hr.size()}};
    cv::Mat sheet;
    cv::vconcat(rows, sheet);
    files.writeSample(step, sheet);
    return out;
}

// The autoencoder package: a codec, not a model (family "autoencoder").
Status writeAutoencoderPackage(const std::string& path, const nn::KLConfig& kl,
                               const std::string& name, const json& provenance,
                               const torch::nn::Module& ae) {
    SafeTensorsWriter w;
    w.setMetadata(meta::kFormat, "1");
    w.setMetadata(meta::kName, name);
    w.setMetadata(meta::kFamily, "autoencoder");
    w.setMetadata(meta::kCodec, "kl-f" + std::to_string(kl.downFactor()));
    w.setMetadata(meta::kCodecConfig, kl.toJson().dump());
    w.setMetadata(meta::kProvenance, provenance.dump());
    if (Status s = addModule(w, "codec.", ae); !s)
        return s;
    return w.write(path);
}

// The std of the latents the autoencoder gives the validation photos (or `fallback`'s): its
// inverse is the scaling factor, so the diffusion model sees latents of unit spread.
double latentStd(nn::KLAutoencoderImpl& ae, const ValSet& val, const torch::Tensor& fallback) {
    device::InferenceGuard guard;
    std::vector<torch::Tensor> zs;
    for (const auto& hr : val.hr) {
        torch::Tensor mean, logvar;
        nn::klSplitMoments(ae.moments(toBatch({hr})), &mean, &logvar);
        zs.push_back(mean.flatten());
    }
    if (zs.empty() && fallback.defined()) {
        torch::Tensor mean, logvar;
        nn::klSplitMoments(ae.moments(fallback), &mean, &logvar);
        zs.push_back(mean.flatten());
    }
    if (zs.empty())
        return 1.0;
    const double s = torch::cat(zs).std().item<double>();
    return s > 1e-6 ? s : 1.0;
}

// L1 + ssim_weight x (1 - SSIM-Y) + fft_weight x the Fourier amplitude L1 of an image to the truth
// (the autoencoder and decoder stages); the parts go to the log window.
torch::Tensor reconstructionLoss(const TrainJob& job, const torch::Tensor& rec,
                                 const torch::Tensor& hr, LogWindow& window) {
    auto loss = (rec - hr).abs().mean();
    window.add("l1", loss.item<double>());
    if (job.yonosSsimWeight > 0) {
        auto ssimL = ssimLossY(rec, hr);
        window.add("ssim_loss", ssimL.item<double>());
        loss = loss + job.yonosSsimWeight * ssimL;
    }
    if (job.yonosFftWeight > 0) {
        auto fftL = fourierAmplitudeLossY(rec, hr, kFourierTile);
        window.add("fft_loss", fftL.item<double>());
        loss = loss + job.yonosFftWeight * fftL;
    }
    return loss;
}

// What every stage's loop needs: the run, its data and the optimiser state of `params`.
struct Stage {
    RunSetup run;
    std::vector<torch::Tensor> params, ema, adamM, adamV;
    RunData data;
};

Result<std::unique_ptr<Stage>> startStage(const TrainJob& job, const RunOptions& ro,
                                          const JobControl& control,
                                          std::vector<torch::Tensor> params, int scale,
                                          int secondScale = 0) {
    auto stage = std::make_unique<Stage>();
    auto runR = openRun(job, ro);
    if (!runR)
        return runR.status();
    stage->run = std::move(runR.value());
    stage->params = std::move(params);
    stage->ema = cloned(stage->params);
    stage->adamM = fresh(stage->params);
    stage->adamV = fresh(stage->params);
    auto dataR = startData(stage->run, job, control, ro.resume, scale, stage->params, stage->ema,
                           stage->adamM, stage->adamV, secondScale);
    if (!dataR)
        return dataR.status();
    stage->data = std::move(dataR.value());
    return stage;
}

// One optimiser step of `stage` from `loss` (already backpropagated into params' .grad).
double optimiserStep(const TrainJob& job, Stage& st, const torch::Tensor& loss, double lr,
                     double* lossOut);

// The end of every stage's step: backpropagates `loss`, steps the optimiser, logs the loss and the
// gradient norm, and lets the loop log, validate and checkpoint.
Status finishStep(const TrainJob& job, Stage& st, StepLoop& loop, const torch::Tensor& loss,
                  const StepLoop::Validate& validate) {
    const double lr = learningRate(job, st.data.state.step);
    loss.backward();
    double lv = 0;
    const double gn = optimiserStep(job, st, loss, lr, &lv);
    ++st.data.state.step;
    loop.window().add("loss", lv);
    loop.window().add("grad_norm", gn);
    return loop.endStep(lv, lr, validate);
}

double optimiserStep(const TrainJob& job, Stage& st, const torch::Tensor& loss, double lr,
                     double* lossOut) {
    std::vector<torch::Tensor> grads = gradsOf(st.params);
    auto lossValue = loss.detach().clone();
    if (st.run.pg) {
        st.run.pg->allReduceMean(grads);
        std::vector<torch::Tensor> l{lossValue};
        st.run.pg->allReduceMean(l);
    }
    const double gradNorm =
        adamwStep(st.params, grads, st.adamM, st.adamV, lr, st.data.state.step, job);
    emaUpdate(st.ema, st.params, job.ema);
    for (auto& p : st.params)
        p.mutable_grad() = torch::Tensor();
    *lossOut = lossValue.item<double>();
    return gradNorm;
}

json stageProvenance(const TrainJob& job, const RunState& state, double wall, int worldSize) {
    json prov = runProvenance(job, state, wall, worldSize);
    prov["stage"] = job.yonosStage;
    prov["preset"] = job.preset;
    prov["scale"] = job.scale;
    return prov;
}

std::vector<cv::Mat> lqsOf(const Batch& b, bool second) {
    std::vector<cv::Mat> out;
    for (const auto& p : b.pairs)
        out.push_back(second ? p.lq2 : p.lq);
    return out;
}

std::vector<cv::Mat> hrsOf(const Batch& b) {
    std::vector<cv::Mat> out;
    for (const auto& p : b.pairs)
        out.push_back(p.hr);
    return out;
}

// ---------------------------------------------------------------- stages

Status runAutoencoderStage(const TrainJob& job, const RunOptions& ro, const JobControl& control) {
    const nn::KLConfig kl = yonosCodecPreset(job);
    auto ae = std::make_shared<nn::KLAutoencoderImpl>(kl);
    auto stR = startStage(job, ro, control, ae->parameters(), job.scale);
    if (!stR)
        return stR.status();
    Stage& st = **stR;
    auto emaNet = std::make_shared<nn::KLAutoencoderImpl>(kl);
    auto emaParams = emaNet->parameters();
    auto validate = [&](int step) {
        assign(emaParams, st.ema);
        return validateAutoencoder(*emaNet, st.data.val, st.run.files, step);
    };
    StepLoop loop(job, ro, control, st.run, st.data.state, *st.data.loader, [&](const RunState& s) {
        return st.run.files.saveCheckpoint(s, st.params, st.ema, st.adamM, st.adamV);
    });
    torch::Tensor lastHr;
    ae->train();
    while (loop.next()) {
        auto b = st.data.loader->next();
        if (!b)
            return b.status();
        auto hr = toBatch(hrsOf(*b));
        lastHr = hr;
        torch::Tensor mean, logvar;
        nn::klSplitMoments(ae->moments(hr), &mean, &logvar);
        auto z = mean + torch::exp(0.5 * logvar) *
                            sampleNoise(hr.size(0), job.seed, b->firstIndex, mean[0].sizes());
        auto rec = ae->decode(z * float(kl.scalingFactor));
        auto kld = 0.5 * (mean.pow(2) + logvar.exp() - 1.0 - logvar).mean();
        loop.window().add("kl", kld.item<double>());
        auto loss = reconstructionLoss(job, rec, hr, loop.window()) + job.klWeight * kld;
        if (Status s = finishStep(job, st, loop, loss, validate); !s)
            return s;
    }
    if (Status s = loop.end(); !s)
        return s;
    return loop.finish([&](double wall) {
        assign(emaParams, st.ema);
        nn::KLConfig out = kl;
        out.scalingFactor = 1.0 / latentStd(*emaNet, st.data.val, lastHr);
        auto packaged = std::make_shared<nn::KLAutoencoderImpl>(out);
        copyParameters(*emaNet, *packaged);
        json prov = stageProvenance(job, st.data.state, wall, st.run.env.worldSize);
        prov["photos"] = st.run.images.size();
        const std::string name = job.name.empty() ? "ShiftSR " + job.preset + " autoencoder kl-f" +
                                                        std::to_string(out.downFactor())
                                                  : job.name;
        return writeAutoencoderPackage(st.run.files.modelPath(), out, name, prov, *packaged);
    });
}

// The teacher stage (a U-Net trained on the truth at job.scale) and the distil stage (trained on
// the frozen teacher's outputs) share everything but the target.
Status runUNetStage(const TrainJob& job, const RunOptions& ro, const JobControl& control) {
    const bool distil = job.yonosStage == "distil";
    // The autoencoder (teacher: "autoencoder" or the init package; distil: the teacher's).
    YonosPackage teacher;
    std::unique_ptr<KLCodec> codec;
    json codecLineage, initLineage;
    if (distil) {
        auto t = openYonosPackage(job.teacherModel);
        if (!t)
            return t.status();
        teacher = std::move(t.value());
        if (teacher.autoencoderOnly)
            return Status::error(StatusCode::InvalidArgument,
                                 job.teacherModel + " is an autoencoder, not a yonos teacher");
        setTrainable(*teacher.unet, false);
        teacher.unet->eval();
        codec = std::move(teacher.codec);
    } else {
        auto a =
            openYonosPackage(job.autoencoderModel.empty() ? job.initModel : job.autoencoderModel);
        if (!a)
            return a.status();
        codec = std::move(a->codec);
        codecLineage = a->lineage;
    }
    setTrainable(*codec->module(), false);
    codec->module()->eval();
    const nn::KLConfig kl = codec->model()->config();
    // The student starts as the teacher (or the init package); a teacher from init or scratch.
    const std::string initPath = distil && job.initModel.empty() ? job.teacherModel : job.initModel;
    auto opened = openOptionalPackage(initPath);
    if (!opened)
        return opened.status();
    std::optional<YonosPackage> init = std::move(opened.value());
    Architecture arch;
    if (distil) {
        arch = teacher.arch.yonosAtScale(job.scale);
        arch.name = job.name.empty() ? "ShiftSR YONOS-" + job.preset + " x" +
                                           std::to_string(job.scale) + " (scale-distilled)"
                                     : job.name;
    } else {
        auto a = teacherArchitecture(job, kl, init ? &*init : nullptr);
        if (!a)
            return a.status();
        arch = *a;
    }
    auto schedR = DdimSchedule::create(arch.ddim);
    if (!schedR)
        return schedR.status();
    const DdimSchedule sched = *schedR;
    auto unet = std::make_shared<nn::SDUNetImpl>(arch.sdUnet);
    if (init && init->unet) {
        if (init->arch.sdUnet.toJson() != arch.sdUnet.toJson())
            return Status::error(StatusCode::InvalidArgument,
                                 initPath + ": its U-Net differs from this job's");
        copyParameters(*init->unet, *unet);
        initLineage = init->lineage;
    }
    const int teacherScale = distil ? teacher.arch.scale : 0;
    auto stR = startStage(job, ro, control, unet->parameters(), job.scale, teacherScale);
    if (!stR)
        return stR.status();
    Stage& st = **stR;
    auto emaNet = std::make_shared<nn::SDUNetImpl>(arch.sdUnet);
    auto emaParams = emaNet->parameters();
    auto validate = [&](int step) {
        assign(emaParams, st.ema);
        return validateYonos(*emaNet, *codec, sched, arch, st.data.val, st.run.files, step);
    };
    StepLoop loop(job, ro, control, st.run, st.data.state, *st.data.loader, [&](const RunState& s) {
        return st.run.files.saveCheckpoint(s, st.params, st.ema, st.adamM, st.adamV);
    });
    unet->train();
    while (loop.next()) {
        auto b = st.data.loader->next();
        if (!b)
            return b.status();
        torch::Tensor z0, cond;
        {
            torch::NoGradGuard ng;
            z0 = codec->encode(toBatch(hrsOf(*b)));
            cond = encodeCondition(*codec, toBatch(lqsOf(*b, false)), job.scale);
        }
        std::vector<torch::Tensor> epsv;
        auto t = drawTimesteps(z0.size(0), sched.trainSteps(), job.oneStepFraction, job.seed,
                               b->firstIndex, &epsv, z0[0].sizes());
        auto eps = torch::stack(epsv);
        auto zt = sched.addNoise(z0, eps, t);
        torch::Tensor target;
        if (distil) {
            auto teacherCond =
                encodeCondition(*codec, toBatch(lqsOf(*b, true)), teacher.arch.scale);
            target = scaleDistillationTarget(*teacher.unet, zt, teacherCond, t);
        } else {
            target = sched.target(z0, eps, t);
        }
        if (distil) { // how far the teacher's target is from the truth's, for the log
            torch::NoGradGuard ng;
            loop.window().add("target_vs_truth",
                              F::mse_loss(target, sched.target(z0, eps, t)).item<double>());
        }
        auto pred = unet->forward(torch::cat({zt, cond}, 1), t);
        if (Status s = finishStep(job, st, loop, F::mse_loss(pred, target), validate); !s)
            return s;
    }
    if (Status s = loop.end(); !s)
        return s;
    return loop.finish([&](double wall) {
        assign(emaParams, st.ema);
        json prov = stageProvenance(job, st.data.state, wall, st.run.env.worldSize);
        prov["photos"] = st.run.images.size();
        if (distil) {
            prov["teacher"] = teacher.lineage;
            prov["teacher_sha256"] = teacher.lineage.value("sha256", "");
            prov["teacher_scale"] = teacher.arch.scale;
        } else {
            prov["autoencoder"] = codecLineage;
        }
        if (!initLineage.is_null() && !distil)
            prov["init"] = initLineage;
        return st.run.files.writeModel(arch, prov, *emaNet, codec.get());
    });
}

Status runDecoderStage(const TrainJob& job, const RunOptions& ro, const JobControl& control) {
    auto baseR = openYonosPackage(job.baseModel);
    if (!baseR)
        return baseR.status();
    YonosPackage base = std::move(baseR.value());
    if (base.autoencoderOnly)
        return Status::error(StatusCode::InvalidArgument,
                             job.baseModel + " is an autoencoder, not a yonos model");
    Architecture arch = base.arch;
    if (!job.name.empty())
        arch.name = job.name;
    else
        arch.name += " + decoder";
    auto schedR = DdimSchedule::create(arch.ddim);
    if (!schedR)
        return schedR.status();
    const DdimSchedule sched = *schedR;
    setTrainable(*base.unet, false);
    base.unet->eval();
    auto& codec = *base.codec;
    setTrainable(*codec.module(), false);
    auto trained = decoderParameters(*codec.module());
    for (auto& p : trained)
        p.set_requires_grad(true);
    auto stR = startStage(job, ro, control, trained, arch.scale);
    if (!stR)
        return stR.status();
    Stage& st = **stR;
    // The EMA is validated and packaged in a second codec whose decoder holds it.
    auto emaCodec = std::make_unique<KLCodec>(arch.kl);
    copyParameters(*codec.module(), *emaCodec->module());
    auto emaParams = decoderParameters(*emaCodec->module());
    auto validate = [&](int step) {
        assign(emaParams, st.ema);
        return validateYonos(*base.unet, *emaCodec, sched, arch, st.data.val, st.run.files, step);
    };
    StepLoop loop(job, ro, control, st.run, st.data.state, *st.data.loader, [&](const RunState& s) {
        return st.run.files.saveCheckpoint(s, st.params, st.ema, st.adamM, st.adamV);
    });
    const int tLast = sched.timesteps(1).front();
    codec.module()->train();
    while (loop.next()) {
        auto b = st.data.loader->next();
        if (!b)
            return b.status();
        auto hr = toBatch(hrsOf(*b));
        torch::Tensor x0;
        {
            // The U-Net's one-step output from per-sample noise, exactly as inference makes it.
            torch::NoGradGuard ng;
            auto cond = encodeCondition(codec, toBatch(lqsOf(*b, false)), arch.scale);
            auto zT = sampleNoise(cond.size(0), job.seed, b->firstIndex, cond[0].sizes());
            auto out =
                base.unet->forward(torch::cat({zT, cond}, 1),
                                   torch::full({cond.size(0)}, int64_t(tLast), torch::kLong));
            sched.predict(zT, out, tLast, &x0, nullptr);
        }
        auto loss = reconstructionLoss(job, codec.decode(x0), hr, loop.window());
        if (Status s = finishStep(job, st, loop, loss, validate); !s)
            return s;
    }
    if (Status s = loop.end(); !s)
        return s;
    return loop.finish([&](double wall) {
        assign(emaParams, st.ema);
        json prov = base.lineage.value("provenance", json::object());
        prov["decoder"] = stageProvenance(job, st.data.state, wall, st.run.env.worldSize);
        prov["decoder"]["base"] = {{"sha256", base.lineage.value("sha256", "")},
                                   {"name", base.lineage.value("name", "")}};
        prov["decoder"]["base_sha256"] = base.lineage.value("sha256", "");
        return st.run.files.writeModel(arch, prov, *base.unet, emaCodec.get());
    });
}

} // namespace

Result<json> reconstructPhotos(const std::string& package, const std::vector<std::string>& folders,
                               int crop, int limit, bool colorFix) {
    if (crop < 16 || crop % 8)
        return Status::error(StatusCode::InvalidArgument,
                             "the crop must be a multiple of 8, >= 16");
    auto opened = openYonosPackage(package);
    if (!opened)
        return opened.status();
    KLCodec& codec = *opened->codec;
    ScanOptions so;
    so.minSide = crop;
    auto scan = scanImageFolders(folders, so);
    if (!scan)
        return scan.status();
    device::InferenceGuard guard;
    codec.module()->eval();
    json per = json::array();
    double psnr = 0, ssim = 0, sharp = 0;
    for (const auto& rec : scan->images) {
        if (limit > 0 && int(per.size()) >= limit)
            break;
        auto decoded = decodeCentreCrop8(rec.path, crop);
        if (!decoded)
            return decoded.status();
        const cv::Mat& hr = *decoded;
        cv::Mat rgb, rgb01;
        cv::cvtColor(hr, rgb, cv::COLOR_BGR2RGB);
        rgb.convertTo(rgb01, CV_32F, 1.0 / 255.0);
        auto in = toBatch({rgb01});
        auto rec01 = codec.decode(codec.encode(in)).clamp(-1, 1).add(1.0).div(2.0);
        if (colorFix) // the pipeline's luma fix, its reference the photo itself
            rec01 = colorfix::wavelet(rec01, in.add(1.0).div(2.0), kColorFixLevels, 0);
        const cv::Mat out = tensor01ToMat(rec01, CV_8U);
        const double p = metrics::psnrY(out, hr, 4), s = metrics::ssimY(out, hr, 4),
                     sh = metrics::sharpnessRatio(out, hr, 4);
        psnr += p;
        ssim += s;
        sharp += sh;
        per.push_back({{"photo", rec.path}, {"psnr_y", p}, {"ssim_y", s}, {"sharpness", sh}});
    }
    if (per.empty())
        return Status::error(StatusCode::NotFound,
                             "no photo of at least " + std::to_string(crop) + " px to reconstruct");
    const double n = double(per.size());
    return json{{"photos", per.size()},   {"crop", crop},
                {"codec", codec.name()},  {"color_fix", colorFix ? "luma" : "none"},
                {"psnr_y", psnr / n},     {"ssim_y", ssim / n},
                {"sharpness", sharp / n}, {"per_photo", per}};
}

Status runYonos(const TrainJob& job, const RunOptions& ro, const JobControl& control) {
    try {
        if (job.yonosStage == "autoencoder")
            return runAutoencoderStage(job, ro, control);
        if (job.yonosStage == "decoder")
            return runDecoderStage(job, ro, control);
        return runUNetStage(job, ro, control);
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, e.what_without_backtrace());
    }
}

Status exportYonosCheckpoint(const TrainJob& job, const std::string& runDir,
                             const std::string& outPath, int* stepOut, bool half, bool raw) {
    if (half)
        return Status::error(StatusCode::Unsupported,
                             "export --half is not available for yonos runs yet");
    try {
        RunState state;
        // Loads the latest checkpoint into `params` (a network's own tensors): its EMA, or with
        // `raw` the optimiser's weights.
        auto weights = [&](std::vector<torch::Tensor> params) -> Status {
            std::vector<torch::Tensor> ema = cloned(params);
            if (Status s = loadLatestWeights(runDir, params, ema, &state); !s)
                return s;
            if (!raw)
                assign(params, ema);
            return Status::ok();
        };
        json prov;
        if (job.yonosStage == "autoencoder") {
            const nn::KLConfig kl = yonosCodecPreset(job);
            auto ae = std::make_shared<nn::KLAutoencoderImpl>(kl);
            if (Status s = weights(ae->parameters()); !s)
                return s;
            // The scaling factor is measured as when the stage ends: on the validation photos.
            ScanOptions so;
            so.minSide = std::max(job.minSide, job.gtSize / 2);
            auto scan = scanImageFolders(job.trainFolders, so);
            std::vector<std::string> warnings;
            const ValSet val =
                buildValSet(job, scan ? scan->images : std::vector<ImageRecord>{}, &warnings);
            if (val.hr.empty())
                return Status::error(StatusCode::NotFound,
                                     "cannot measure the latent scaling factor: no validation or "
                                     "training photo of this job can be read");
            nn::KLConfig out = kl;
            out.scalingFactor = 1.0 / latentStd(*ae, val, {});
            auto packaged = std::make_shared<nn::KLAutoencoderImpl>(out);
            copyParameters(*ae, *packaged);
            prov = stageProvenance(job, state, state.elapsed, 1);
            if (stepOut)
                *stepOut = state.step;
            return writeAutoencoderPackage(
                outPath, out, "ShiftSR autoencoder (step " + std::to_string(state.step) + ")", prov,
                *packaged);
        }
        if (job.yonosStage == "decoder") {
            auto base = openYonosPackage(job.baseModel);
            if (!base)
                return base.status();
            if (Status s = weights(decoderParameters(*base->codec->module())); !s)
                return s;
            prov = base->lineage.value("provenance", json::object());
            prov["decoder"] = stageProvenance(job, state, state.elapsed, 1);
            prov["decoder"]["base_sha256"] = base->lineage.value("sha256", "");
            if (stepOut)
                *stepOut = state.step;
            return RunFiles(runDir, true)
                .writeModel(base->arch, prov, *base->unet, base->codec.get(), outPath);
        }
        const bool distil = job.yonosStage == "distil";
        auto src = openYonosPackage(distil                         ? job.teacherModel
                                    : job.autoencoderModel.empty() ? job.initModel
                                                                   : job.autoencoderModel);
        if (!src)
            return src.status();
        Architecture arch;
        if (distil) {
            arch = src->arch.yonosAtScale(job.scale);
        } else {
            auto init = openOptionalPackage(job.initModel);
            if (!init)
                return init.status();
            auto a =
                teacherArchitecture(job, src->codec->model()->config(), *init ? &**init : nullptr);
            if (!a)
                return a.status();
            arch = *a;
        }
        auto unet = std::make_shared<nn::SDUNetImpl>(arch.sdUnet);
        if (Status s = weights(unet->parameters()); !s)
            return s;
        arch.name +=
            " (step " + std::to_string(state.step) + " of " + std::to_string(job.steps) + ")";
        prov = stageProvenance(job, state, state.elapsed, 1);
        if (stepOut)
            *stepOut = state.step;
        return RunFiles(runDir, true).writeModel(arch, prov, *unet, src->codec.get(), outPath);
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, e.what_without_backtrace());
    }
}

} // namespace shiftsr::training
