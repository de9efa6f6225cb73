// RSD one-step distillation (residual shift distillation): a one-step student, a "fake" ResShift
// model that follows the student's output distribution, and the frozen multi-step teacher.
//
// Per step, on a batch of (HR, LQ) pairs with HR latents x0 and y = encode(bicubic(LQ)):
//  1. student: x_s = x0 + eta_s (y - x0) + kappa sqrt(eta_s) eps at one of N evenly spaced start
//     timesteps s (real HR latents, as the RSD paper trains; inference always starts at T), plus
//     one extra noise channel z; x0_student = G(x_s, s, lq, z).
//  2. K fake updates: the fake model learns the ordinary ResShift objective on the student's
//     (detached) outputs as clean latents; the discriminator head on its encoder features learns
//     real (noised HR latents) vs generated (noised student outputs), non-saturating.
//  3. student update: at a random t, x_t is the forward process from x0_student; with f_T and f_F
//     the teacher's and the fake model's x0 predictions (no gradient),
//        L_dm = (|f_T|^2 - |f_F|^2 - 2 <f_T - f_F, x0_student>) / mean|f_T - x0_student| / numel
//     per sample (its gradient pulls x0_student toward the teacher's prediction and away from the
//     fake model's), plus the supervised MSE of x0_student to the HR latent (the substitute for
//     LPIPS, whose pretrained weights cannot be had offline; for the unshuffle codec the latent
//     is the image, so this is the pixel MSE; optionally, weight rsd.ssim_weight, 1 - SSIM-Y of
//     the student's image to the HR photo), plus the generator's GAN loss through the head.
// The student starts as the teacher with a zero-weighted noise input, or (job "init") from an
// earlier student of the same teacher, to continue its distillation under other settings.
#include "shiftsr/training/rsd.h"
#include "shiftsr/nn/json_util.h"

#include "common.h"
#include "distributed.h"
#include "presets.h"
#include "rsd_init.h"
#include "run_files.h"

#include "shiftsr/nn/device.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/sha256.h"
#include "shiftsr/nn/tensor_io.h"

#include "shiftsr/engine/safetensors.h"
#include "shiftsr/training/dataset.h"
#include "shiftsr/training/loader.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace shiftsr::training {

namespace F = torch::nn::functional;
using json = nlohmann::json;

namespace {

// Discriminator head on the fake model's encoder features: conv, [GroupNorm,] SiLU, 1x1 conv to
// one logit per feature position. On the middle block (rsd.disc_features "middle") it keeps the
// GroupNorm it always had, so earlier runs resume and reproduce. On the first level ("first") it
// has none: with it the head stays at chance (2 ln 2) even on the tiny preset, probably because a
// per-sample normalisation divides out the feature energy, where noised student outputs and noised
// real latents differ.
class DiscHeadImpl : public torch::nn::Module {
public:
    DiscHeadImpl(int64_t channels, bool normalise) {
        conv1 = register_module(
            "conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).padding(1)));
        if (normalise)
            norm = register_module("norm", torch::nn::GroupNorm(torch::nn::GroupNormOptions(
                                               std::min<int64_t>(32, channels), channels)));
        conv2 =
            register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, 1, 1)));
    }
    torch::Tensor forward(const torch::Tensor& f) {
        auto h = conv1->forward(f);
        return conv2->forward(torch::silu(norm ? norm->forward(h) : h));
    }

private:
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
    torch::nn::GroupNorm norm{nullptr};
};
TORCH_MODULE(DiscHead);

void setRequiresGrad(torch::nn::Module& m, bool on) {
    for (auto& p : m.parameters())
        p.set_requires_grad(on);
}

std::vector<torch::Tensor> concat(std::initializer_list<const std::vector<torch::Tensor>*> lists) {
    std::vector<torch::Tensor> out;
    for (const auto* l : lists)
        out.insert(out.end(), l->begin(), l->end());
    return out;
}

// The networks of an rsd run: teacher (frozen), fake (from the teacher), student (teacher + one
// zero-weighted noise channel) and its EMA, the discriminator head.
struct RsdNets {
    Architecture teacherArch, studentArch;
    std::shared_ptr<nn::UNetModelSwinImpl> teacher, fake, student, studentEma;
    DiscHead head{nullptr};
    bool headOnFirstLevel =
        false; // rsd.disc_features "first": the head reads encoderFeatures(..., true)
    std::unique_ptr<Codec> codec;
    std::string teacherHash;
    json init; // the student package the student started from (job "init"), if any
};

Result<RsdNets> buildRsdNets(const TrainJob& job) {
    auto pkg = SafeTensorsFile::open(job.teacherModel);
    if (!pkg)
        return pkg.status().withContext("teacher");
    auto archR = Architecture::fromMetadata(pkg->metadata());
    if (!archR)
        return archR.status().withContext(job.teacherModel);
    RsdNets n;
    n.teacherArch = *archR;
    n.studentArch = n.teacherArch;
    n.studentArch.unet.extraInputChannels = 1;
    n.studentArch.steps = 1;
    n.studentArch.name =
        job.name.empty() ? n.teacherArch.name + " - RSD one-step student" : job.name;
    try {
        n.teacher = std::make_shared<nn::UNetModelSwinImpl>(n.teacherArch.unet);
        n.codec = n.teacherArch.makeCodec();
        if (Status s = loadInitWeights(job.teacherModel, *n.teacher, n.codec.get(), &n.teacherHash);
            !s)
            return s;
        n.teacher->eval();
        setRequiresGrad(*n.teacher, false);
        if (n.codec->module()) {
            n.codec->module()->eval();
            setRequiresGrad(*n.codec->module(), false);
        }
        n.fake = std::make_shared<nn::UNetModelSwinImpl>(n.teacherArch.unet);
        copyParameters(*n.teacher, *n.fake);
        n.student = std::make_shared<nn::UNetModelSwinImpl>(n.studentArch.unet);
        n.studentEma = std::make_shared<nn::UNetModelSwinImpl>(n.studentArch.unet);
        initStudentFromTeacher(*n.teacher, *n.student, n.teacherArch.unet.inChannels);
        if (!job.initModel.empty()) { // continue an earlier student of the same teacher
            json lineage;
            if (Status s = loadInitWeights(job.initModel, *n.student, nullptr, nullptr, &lineage);
                !s)
                return s.withContext("init (a one-step student of this teacher)");
            const auto prov = lineage.value("provenance", json::object());
            const auto meta = pkg->metadata().find("provenance");
            const std::vector<std::string> teacherHashes = sameUNetHashes(
                n.teacherHash, meta == pkg->metadata().end() ? std::string() : meta->second);
            const std::string named = prov.value("teacher_sha256", n.teacherHash);
            if (std::find(teacherHashes.begin(), teacherHashes.end(), named) == teacherHashes.end())
                return Status::error(
                    StatusCode::InvalidArgument,
                    job.initModel + ": this student was distilled from another teacher (sha256 " +
                        prov.value("teacher_sha256", std::string()) + ", not " + n.teacherHash +
                        ")");
            n.init = {{"name", lineage.value("name", std::string())},
                      {"sha256", lineage.value("sha256", std::string())}};
        }
        copyParameters(*n.student, *n.studentEma);
        setRequiresGrad(*n.studentEma, false);
        n.headOnFirstLevel = job.discFeatures == "first";
        n.head = DiscHead(n.headOnFirstLevel ? n.teacher->firstLevelChannels()
                                             : n.teacher->middleChannels(),
                          /*normalise=*/!n.headOnFirstLevel);
        if (job.ssimWeight > 0 && n.teacherArch.codec.rfind("unshuffle-f4", 0) != 0)
            return Status::error(StatusCode::Unsupported,
                                 "rsd.ssim_weight needs a pixel-space codec (unshuffle-f4), not '" +
                                     n.teacherArch.codec + "'");
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, std::string("building the RSD networks: ") +
                                                       e.what_without_backtrace());
    }
    return n;
}

// The package provenance of an rsd run at `state` (finished or not).
json rsdProvenance(const TrainJob& job, const RsdNets& n, const RunState& state, double wallTime,
                   int worldSize) {
    json prov = runProvenance(job, state, wallTime, worldSize);
    prov["teacher"] = n.teacherArch.name;
    prov["teacher_sha256"] = n.teacherHash;
    prov["rsd"] = json::parse(job.toJson()).value("rsd", json::object());
    prov["supervised_term"] =
        job.ssimWeight > 0
            ? "latent MSE and 1 - SSIM-Y of the image to the HR photo (LPIPS substitute)"
            : "latent MSE to the HR latent (LPIPS substitute)";
    if (!n.init.is_null())
        prov["init"] = n.init;
    return prov;
}

} // namespace

std::vector<std::string> sameUNetHashes(const std::string& sha256,
                                        const std::string& provenanceJson) {
    std::vector<std::string> hashes{sha256};
    const json prov = parseJsonOrDiscarded(provenanceJson);
    if (!prov.is_object())
        return hashes;
    auto add = [&hashes](const json& v) {
        if (v.is_string() && !v.get<std::string>().empty())
            hashes.push_back(v.get<std::string>());
    };
    if (const auto r = prov.find("repackaged"); r != prov.end() && r->is_array())
        for (const json& step : *r)
            if (step.is_object() && step.contains("from_sha256"))
                add(step["from_sha256"]);
    if (const auto d = prov.find("decoder");
        d != prov.end() && d->is_object() && d->contains("base_sha256"))
        add((*d)["base_sha256"]);
    return hashes;
}

void initStudentFromTeacher(nn::UNetModelSwinImpl& teacher, nn::UNetModelSwinImpl& student,
                            int64_t latentChannels) {
    torch::NoGradGuard ng;
    auto src = teacher.named_parameters(true);
    for (auto& p : student.named_parameters(true)) {
        const auto& t = src[p.key()];
        if (t.sizes() == p.value().sizes()) {
            p.value().copy_(t);
        } else { // input_blocks.0.0.weight: [out, latent + extra + cond, 3, 3]
            const int64_t extra = p.value().size(1) - t.size(1);
            p.value().zero_();
            p.value().slice(1, 0, latentChannels).copy_(t.slice(1, 0, latentChannels));
            p.value().slice(1, latentChannels + extra).copy_(t.slice(1, latentChannels));
        }
    }
    auto srcB = teacher.named_buffers(true);
    for (auto& b : student.named_buffers(true))
        if (srcB.contains(b.key()) && srcB[b.key()].sizes() == b.value().sizes())
            b.value().copy_(srcB[b.key()]);
}

Status runRsd(const TrainJob& job, const RunOptions& ro, const JobControl& control) {
    auto runR = openRun(job, ro);
    if (!runR)
        return runR.status();
    RunSetup& run = *runR;
    auto& pg = run.pg;
    auto& files = run.files;

    // --- networks
    auto netsR = buildRsdNets(job);
    if (!netsR)
        return netsR.status();
    RsdNets& nets = *netsR;
    const Architecture& teacherArch = nets.teacherArch;
    const Architecture& studentArch = nets.studentArch;
    auto& teacher = nets.teacher;
    auto& fake = nets.fake;
    auto& student = nets.student;
    auto& studentEma = nets.studentEma;
    auto& head = nets.head;
    auto& codec = nets.codec;
    auto schedR = ResShiftSchedule::create(teacherArch.schedule);
    if (!schedR)
        return schedR.status();
    const ResShiftSchedule sched = *schedR;
    const int T = sched.steps();

    std::vector<torch::Tensor> sParams = student->parameters(), fParams = fake->parameters(),
                               hParams = head->parameters(), emaParams = studentEma->parameters();
    std::vector<torch::Tensor> all = concat({&sParams, &fParams, &hParams});
    std::vector<torch::Tensor> adamM, adamV;
    for (auto& p : all) {
        adamM.push_back(torch::zeros_like(p));
        adamV.push_back(torch::zeros_like(p));
    }
    auto groupOf = [&](std::vector<torch::Tensor>& v, size_t begin, size_t n) {
        return std::vector<torch::Tensor>(v.begin() + long(begin), v.begin() + long(begin + n));
    };
    const size_t nS = sParams.size(), nF = fParams.size(), nH = hParams.size();

    // --- data, resume
    auto dataR =
        startData(run, job, control, ro.resume, teacherArch.scale, all, emaParams, adamM, adamV);
    if (!dataR)
        return dataR.status();
    RunState& state = dataR->state;
    PairLoader& loader = *dataR->loader;
    const ValSet& val = dataR->val;

    const ForwardProcess forwardProcess(sched);
    // Start timesteps of the student in training: N evenly spaced over [0, T-1], T-1 included.
    std::vector<int64_t> starts;
    const int N = std::min(job.startTimesteps, T);
    for (int k = 0; k < N; ++k)
        starts.push_back(N == 1 ? T - 1
                                : int64_t(std::lround(double(T - 1) * (N - 1 - k) / (N - 1))));

    auto validate = [&](int step) -> json {
        json figures =
            runValidation(*studentEma, codec.get(), sched, studentArch, val, 1, 1, files, step);
        student->train();
        return figures;
    };

    student->train();
    fake->train();
    StepLoop loop(job, ro, control, run, state, loader, [&](const RunState& s) {
        return files.saveCheckpoint(s, all, emaParams, adamM, adamV);
    });
    LogWindow& window = loop.window();
    const double fakeLr = job.fakeLr > 0 ? job.fakeLr : job.lr,
                 discLr = job.discLr > 0 ? job.discLr : job.lr;
    auto add = [&](const char* key, double v) { window.add(key, v); };
    const bool firstLevel = nets.headOnFirstLevel;

    try {
        while (loop.next()) {
            auto bl = nextBatch(loader, *codec, teacherArch.scale);
            if (!bl)
                return bl.status();
            const torch::Tensor& x0 = bl->x0;
            const torch::Tensor& y = bl->y;
            const torch::Tensor& lq = bl->lq;
            const int64_t B = x0.size(0);
            // Every draw of sample i comes from (seed, i): start timestep, noises, DMD timesteps.
            std::vector<int64_t> sv, tv;
            std::vector<std::vector<int64_t>> fakeT(size_t(job.fakeUpdates));
            std::vector<torch::Tensor> epsS, z, epsT;
            std::vector<std::vector<torch::Tensor>> epsF(size_t(job.fakeUpdates)),
                epsR(size_t(job.fakeUpdates));
            const auto opts = torch::TensorOptions().dtype(torch::kFloat);
            for (int64_t i = 0; i < B; ++i) {
                auto gen = sampleGenerator(job.seed, bl->firstIndex + std::uint64_t(i));
                sv.push_back(starts[size_t(
                    at::randint(int64_t(starts.size()), {1}, gen, torch::kLong).item<int64_t>())]);
                epsS.push_back(at::randn(x0[0].sizes(), gen, opts));
                z.push_back(at::randn({1, x0.size(2), x0.size(3)}, gen, opts));
                tv.push_back(at::randint(T, {1}, gen, torch::kLong).item<int64_t>());
                epsT.push_back(at::randn(x0[0].sizes(), gen, opts));
                for (int k = 0; k < job.fakeUpdates; ++k) {
                    fakeT[size_t(k)].push_back(
                        at::randint(T, {1}, gen, torch::kLong).item<int64_t>());
                    epsF[size_t(k)].push_back(at::randn(x0[0].sizes(), gen, opts));
                    epsR[size_t(k)].push_back(at::randn(x0[0].sizes(), gen, opts));
                }
            }
            auto s = torch::tensor(sv, torch::kLong), t = torch::tensor(tv, torch::kLong);
            auto studentIn =
                torch::cat({forwardProcess(x0, y, s, torch::stack(epsS)), torch::stack(z)}, 1);

            // ---- fake model (+ discriminator head): K updates on the detached student output
            torch::Tensor xs;
            {
                torch::NoGradGuard ng;
                xs = student->forward(studentIn, s, lq);
            }
            setRequiresGrad(*student, false);
            for (int k = 0; k < job.fakeUpdates; ++k) {
                fake->zero_grad();
                head->zero_grad();
                auto tk = torch::tensor(fakeT[size_t(k)], torch::kLong);
                auto xin = forwardProcess(xs, y, tk, torch::stack(epsF[size_t(k)]));
                auto fakeLoss = F::mse_loss(fake->forward(xin, tk, lq), xs);
                auto total = fakeLoss;
                if (job.ganWeight > 0) {
                    auto realIn = forwardProcess(x0, y, tk, torch::stack(epsR[size_t(k)]));
                    auto dReal = head->forward(fake->encoderFeatures(realIn, tk, lq, firstLevel));
                    auto dFake = head->forward(fake->encoderFeatures(xin, tk, lq, firstLevel));
                    auto discLoss = F::softplus(-dReal).mean() + F::softplus(dFake).mean();
                    total = total + job.discWeight * discLoss;
                    add("disc_loss", discLoss.item<double>() / job.fakeUpdates);
                }
                total.backward();
                auto fg = gradsOf(fParams), hg = gradsOf(hParams);
                if (pg) {
                    pg->allReduceMean(fg);
                    pg->allReduceMean(hg);
                }
                auto fm = groupOf(adamM, nS, nF), fv = groupOf(adamV, nS, nF);
                auto hm = groupOf(adamM, nS + nF, nH), hv = groupOf(adamV, nS + nF, nH);
                const int adamStep = state.step * job.fakeUpdates + k;
                adamwStep(fParams, fg, fm, fv, fakeLr, adamStep, job);
                if (job.ganWeight > 0)
                    adamwStep(hParams, hg, hm, hv, discLr, adamStep, job);
                add("fake_loss", fakeLoss.item<double>() / job.fakeUpdates);
            }
            setRequiresGrad(*student, true);

            // ---- student update
            setRequiresGrad(*fake, false);
            setRequiresGrad(*head, false);
            student->zero_grad();
            auto x0s = student->forward(studentIn, s, lq);
            auto xt = forwardProcess(x0s, y, t, torch::stack(epsT));
            torch::Tensor fT, fF;
            {
                torch::NoGradGuard ng;
                fT = teacher->forward(xt.detach(), t, lq);
                fF = fake->forward(xt.detach(), t, lq);
            }
            const double numel = double(x0s[0].numel());
            const auto teacherErr = fT - x0s.detach();
            auto norm = teacherErr.abs().mean({1, 2, 3}).clamp_min(1e-6);
            auto perSample = (fT.pow(2).sum({1, 2, 3}) - fF.pow(2).sum({1, 2, 3}) -
                              2.0 * ((fT - fF) * x0s).sum({1, 2, 3})) /
                             norm / numel;
            auto dmLoss = perSample.mean();
            auto supLoss = F::mse_loss(x0s, x0);
            auto loss = job.dmWeight * dmLoss + job.supervisedWeight * supLoss;
            if (job.ssimWeight > 0) { // unshuffle-f4: the latent is the image, pixel-unshuffled
                auto ssimLoss = ssimLossY(torch::pixel_shuffle(x0s, 4), bl->hr);
                loss = loss + job.ssimWeight * ssimLoss;
                add("ssim_loss", ssimLoss.item<double>());
            }
            if (job.ganWeight > 0) {
                auto genLoss =
                    F::softplus(-head->forward(fake->encoderFeatures(xt, t, lq, firstLevel)))
                        .mean();
                loss = loss + job.ganWeight * genLoss;
                add("gan_loss", genLoss.item<double>());
            }
            loss.backward();
            setRequiresGrad(*fake, true);
            setRequiresGrad(*head, true);
            auto sg = gradsOf(sParams);
            if (pg)
                pg->allReduceMean(sg);
            auto sm = groupOf(adamM, 0, nS), svv = groupOf(adamV, 0, nS);
            const double lr = learningRate(job, state.step);
            const double gradNorm = adamwStep(sParams, sg, sm, svv, lr, state.step, job);
            emaUpdate(emaParams, sParams, job.ema);
            ++state.step;
            const double lv = loss.item<double>();
            add("loss", lv);
            add("dm_loss", dmLoss.item<double>());
            add("supervised_loss", supLoss.item<double>());
            // The teacher's x0 error on the student's noised outputs: small when the student's
            // samples lie where the teacher's data lie (what distribution matching aims at).
            add("teacher_mse", teacherErr.pow(2).mean().item<double>());
            add("grad_norm", gradNorm);
            if (Status e = loop.endStep(lv, lr, validate); !e)
                return e;
        }
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, std::string("distillation step failed: ") +
                                                       e.what_without_backtrace());
    }
    if (Status e = loop.end(); !e)
        return e;
    if (pg)
        pg->barrier();
    return loop.finish([&](double wall) {
        json prov = rsdProvenance(job, nets, state, wall, run.env.worldSize);
        prov["photos"] = run.images.size();
        return files.writeModel(studentArch, prov, *studentEma, codec.get());
    });
}

Status exportRsdCheckpoint(const TrainJob& job, const std::string& runDir,
                           const std::string& outPath, int* stepOut, bool half, bool raw) {
    auto netsR = buildRsdNets(job);
    if (!netsR)
        return netsR.status();
    RsdNets& nets = *netsR;
    try {
        std::vector<torch::Tensor> sParams = nets.student->parameters(),
                                   fParams = nets.fake->parameters(),
                                   hParams = nets.head->parameters(),
                                   emaParams = nets.studentEma->parameters();
        std::vector<torch::Tensor> all = concat({&sParams, &fParams, &hParams});
        RunState state;
        if (Status s = loadLatestWeights(runDir, all, emaParams, &state); !s)
            return s;
        if (stepOut)
            *stepOut = state.step;
        const json prov = rsdProvenance(job, nets, state, state.elapsed, 1);
        return writeExportPackage(runDir, job, state, nets.studentArch, prov, *nets.studentEma,
                                  sParams, nets.codec.get(), outPath, half, raw);
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, e.what_without_backtrace());
    }
}

} // namespace shiftsr::training
