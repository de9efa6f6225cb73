// YONOS-SR: the DDIM schedule and update against closed forms computed here, the sampler against a
// hand-written loop, the four trainer stages on a tiny model (scale distillation's target is the
// frozen teacher's output; decoder fine-tuning leaves the U-Net bit-identical), and a yonos
// package through the pipeline and the command line.
#include "common.h"
#include "testutil.h"
#include "train_testutil.h"
#include "yonos_parts.h"

#include "shiftsr/engine/convert.h"
#include "shiftsr/engine/pipeline.h"
#include "shiftsr/engine/safetensors.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/sampler.h"
#include "shiftsr/nn/sd_names.h"
#include "shiftsr/nn/tensor_io.h"
#include "shiftsr/training/yonos.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>

#include <cmath>
#include <complex>

using namespace shiftsr;
namespace F = torch::nn::functional;

namespace {

// diffusers' betas, computed here independently: scaled_linear is linspace of square roots,
// squared.
std::vector<double> alphaBars(int n, double b0, double b1, bool zeroSnr) {
    std::vector<double> betas(static_cast<size_t>(n)), ab(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        const double r = std::sqrt(b0) + (std::sqrt(b1) - std::sqrt(b0)) * i / (n - 1);
        betas[size_t(i)] = r * r;
    }
    double p = 1;
    for (int i = 0; i < n; ++i)
        ab[size_t(i)] = p *= 1 - betas[size_t(i)];
    if (zeroSnr) {
        const double first = std::sqrt(ab.front()), last = std::sqrt(ab.back());
        for (double& a : ab) {
            const double s = (std::sqrt(a) - last) * first / (first - last);
            a = s * s;
        }
    }
    return ab;
}

// Writes a package of `arch` with its freshly initialised (seeded) weights.
void writePackage(const Architecture& arch, const std::string& path, uint64_t seed) {
    torch::manual_seed(seed);
    nn::SDUNet unet(arch.sdUnet);
    KLCodec codec(arch.kl);
    SafeTensorsWriter w;
    for (const auto& [k, v] : arch.toMetadata())
        w.setMetadata(k, v);
    QVERIFY(addModule(w, "unet.", *unet));
    QVERIFY(addModule(w, "codec.", *codec.module()));
    QVERIFY(w.write(path));
}

std::map<std::string, torch::Tensor> tensorsOf(const QString& path, const std::string& prefix) {
    auto f = SafeTensorsFile::open(path.toStdString());
    if (!f)
        return {};
    auto t = readTensors(*f, prefix);
    return t ? *t : std::map<std::string, torch::Tensor>{};
}

bool sameTensors(const std::map<std::string, torch::Tensor>& a,
                 const std::map<std::string, torch::Tensor>& b) {
    if (a.size() != b.size() || a.empty())
        return false;
    for (const auto& [k, v] : a) {
        auto it = b.find(k);
        if (it == b.end() || !torch::equal(v, it->second))
            return false;
    }
    return true;
}

} // namespace

class TestYonos : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void scheduleMatchesClosedForm() {
        for (bool zero : {false, true}) {
            DdimConfig c;
            c.rescaleBetasZeroSnr = zero;
            c.predictionType = zero ? "v_prediction" : "epsilon";
            auto s = DdimSchedule::create(c);
            QVERIFY2(s, s.status().message().c_str());
            const auto want = alphaBars(1000, 0.00085, 0.012, zero);
            for (int t : {0, 1, 250, 500, 998, 999})
                QVERIFY2(std::abs(s->alphasCumprod()[size_t(t)] - want[size_t(t)]) < 1e-12,
                         qPrintable(QString("t=%1 zero=%2").arg(t).arg(zero)));
            if (zero)
                QCOMPARE(s->alphasCumprod().back(), 0.0);
        }
        DdimConfig c;
        auto s = DdimSchedule::create(c);
        QVERIFY(s);
        QCOMPARE(s->timesteps(1), std::vector<int>({999}));
        QCOMPARE(s->timesteps(4), std::vector<int>({999, 749, 499, 249}));
        QCOMPARE(s->timesteps(3), std::vector<int>({999, 666, 332})); // round(1000 - k 333.3) - 1
        c.timestepSpacing = "leading";
        c.stepsOffset = 1;
        QCOMPARE(DdimSchedule::create(c)->timesteps(4), std::vector<int>({751, 501, 251, 1}));
        // epsilon is undefined at zero SNR: refused, with the reason
        DdimConfig bad;
        bad.predictionType = "epsilon";
        auto r = DdimSchedule::create(bad);
        QVERIFY(!r);
        QVERIFY(r.status().message().find("rescale_betas_zero_snr") != std::string::npos);
    }

    void ddimStepMatchesClosedForm_data() {
        QTest::addColumn<QString>("prediction");
        QTest::newRow("epsilon") << "epsilon";
        QTest::newRow("v") << "v_prediction";
    }
    void ddimStepMatchesClosedForm() {
        QFETCH(QString, prediction);
        Architecture a = Architecture::tinyYonosTest();
        a.ddim.predictionType = prediction.toStdString();
        a.ddim.rescaleBetasZeroSnr = prediction != "epsilon";
        auto s = DdimSchedule::create(a.ddim);
        QVERIFY(s);
        torch::manual_seed(3);
        nn::SDUNet unet(a.sdUnet);
        unet->eval();
        torch::NoGradGuard ng;
        auto z = torch::randn({2, 4, 8, 8}), cond = torch::randn({2, 4, 8, 8});
        const auto ab = alphaBars(1000, 0.00085, 0.012, a.ddim.rescaleBetasZeroSnr);
        for (int t : {999, 600, 10}) {
            auto out = unet->forward(torch::cat({z, cond}, 1), torch::full({2}, int64_t(t)));
            const double a1 = ab[size_t(t)], aPrev = t == 10 ? 1.0 : ab[size_t(t - 300)];
            torch::Tensor x0, eps;
            if (prediction == "epsilon") {
                eps = out;
                x0 = (z - std::sqrt(1 - a1) * out) / std::sqrt(a1);
            } else {
                x0 = std::sqrt(a1) * z - std::sqrt(1 - a1) * out;
                eps = std::sqrt(a1) * out + std::sqrt(1 - a1) * z;
            }
            auto want = std::sqrt(aPrev) * x0 + std::sqrt(1 - aPrev) * eps;
            auto got = s->step(z, out, t, aPrev);
            QVERIFY2(torch::allclose(got, want, 1e-4, 1e-5),
                     qPrintable(QString("t=%1 max diff %2")
                                    .arg(t)
                                    .arg((got - want).abs().max().item<double>())));
        }
        // The training target is what the prediction inverts: x0 recovered from target at z_t.
        auto z0 = torch::randn({2, 4, 8, 8}), e = torch::randn({2, 4, 8, 8});
        auto t = torch::tensor({999, 123}, torch::kLong);
        if (prediction == "epsilon")
            t = torch::tensor({998, 123}, torch::kLong);
        auto zt = s->addNoise(z0, e, t);
        torch::Tensor x0;
        s->predict(zt, s->target(z0, e, t), t, &x0, nullptr);
        QVERIFY(torch::allclose(x0, z0, 1e-3, 1e-3));
    }

    // The pipeline's sampler equals the DDIM loop written out here on the tiny model.
    void samplerIsTheDdimLoop() {
        Architecture a = Architecture::tinyYonosTest();
        auto s = DdimSchedule::create(a.ddim);
        QVERIFY(s);
        torch::manual_seed(5);
        nn::SDUNet unet(a.sdUnet);
        KLCodec codec(a.kl);
        unet->eval();
        codec.module()->eval();
        torch::NoGradGuard ng;
        auto lq = torch::rand({1, 3, 12, 10}) * 2 - 1;
        auto noise0 = torch::randn({1, 4, 16, 16});
        for (int steps : {1, 3}) {
            DiffusionParts p;
            p.codec = &codec;
            p.sdUnet = unet.ptr().get();
            p.ddim = &*s;
            p.scale = 4;
            p.ddimSteps = steps;
            p.paddingOffset = a.paddingOffset;
            SuppliedNoise noise({noise0});
            auto got = superResolve(p, lq, noise, {}, {});
            // by hand: pad to 16 (reflect), bicubic x4, encode, DDIM, decode, crop, clamp
            auto padded = F::pad(lq, F::PadFuncOptions({0, 6, 0, 4}).mode(torch::kReflect));
            auto cond =
                codec.encode(F::interpolate(padded, F::InterpolateFuncOptions()
                                                        .scale_factor(std::vector<double>{4.0, 4.0})
                                                        .mode(torch::kBicubic)
                                                        .align_corners(false)));
            const auto ab = alphaBars(1000, 0.00085, 0.012, true);
            const auto ts = s->timesteps(steps);
            auto z = noise0.clone();
            for (size_t k = 0; k < ts.size(); ++k) {
                const int t = ts[k];
                auto v = unet->forward(torch::cat({z, cond}, 1), torch::full({1}, int64_t(t)));
                auto x0 = std::sqrt(ab[size_t(t)]) * z - std::sqrt(1 - ab[size_t(t)]) * v;
                auto eps = std::sqrt(ab[size_t(t)]) * v + std::sqrt(1 - ab[size_t(t)]) * z;
                const double prev = k + 1 < ts.size() ? ab[size_t(ts[k + 1])] : 1.0;
                z = std::sqrt(prev) * x0 + std::sqrt(1 - prev) * eps;
            }
            auto want = codec.decode(z).slice(2, 0, 48).slice(3, 0, 40).clamp(-1, 1);
            QCOMPARE(got.sizes(), want.sizes());
            QVERIFY2(torch::allclose(got, want, 1e-4, 1e-4),
                     qPrintable(QString("steps %1: max diff %2")
                                    .arg(steps)
                                    .arg((got - want).abs().max().item<double>())));
        }
    }

    // Metadata that cannot describe a yonos model is refused before anything is built.
    void packageMetadataIsChecked() {
        Architecture a = Architecture::tinyYonosTest();
        QVERIFY(Architecture::fromMetadata(a.toMetadata()));
        auto m = a.toMetadata();
        m["codec"] = "kl-f8";
        QVERIFY(!Architecture::fromMetadata(m));
        m = a.toMetadata();
        m["steps"] = "0";
        QVERIFY(!Architecture::fromMetadata(m));
        m = a.toMetadata();
        m["scale"] = "-4";
        QVERIFY(!Architecture::fromMetadata(m));
        m = a.toMetadata();
        m["sampler"] = R"({"padding_offset": 3})"; // not a multiple of what the U-Net needs (2)
        QVERIFY(!Architecture::fromMetadata(m));
        m = a.toMetadata();
        auto u = nlohmann::json::parse(m["unet"]);
        u["in_channels"] = 4; // must be 2 x latent channels
        m["unet"] = u.dump();
        auto r = Architecture::fromMetadata(m);
        QVERIFY(!r);
        QVERIFY(r.status().message().find("2 x 4") != std::string::npos);
    }

    // A yonos package runs through the same pipeline as every model, at 1 and several steps.
    void packageRunsThroughThePipeline() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("tiny-yonos.safetensors").toStdString();
        writePackage(Architecture::tinyYonosTest(), path, 11);
        auto model = Model::load(path);
        QVERIFY2(model, model.status().message().c_str());
        QCOMPARE((*model)->info().family, std::string("yonos"));
        QCOMPARE((*model)->info().steps, 1);
        cv::Mat img(30, 26, CV_8UC3);
        cv::randu(img, 0, 255);
        Pipeline pipe(*model);
        for (int steps : {0, 1, 5}) {
            UpscaleRequest req;
            req.image = img;
            req.steps = steps;
            req.tiles.tile = 16; // several tiles, blended
            req.tiles.overlap = 4;
            auto r = pipe.run(req);
            QVERIFY2(r, r.status().message().c_str());
            QCOMPARE(r->image.cols, 26 * 4);
            QCOMPARE(r->image.rows, 30 * 4);
            QCOMPARE(r->steps, steps == 0 ? 1 : steps);
        }
        UpscaleRequest bad;
        bad.image = img;
        bad.steps = 1001;
        QVERIFY(!pipe.run(bad));
    }

    void cliUpscalesWithAYonosPackage() {
        QTemporaryDir dir;
        const QString pkg = dir.filePath("tiny-yonos.safetensors");
        writePackage(Architecture::tinyYonosTest(), pkg.toStdString(), 12);
        const QString in = dir.filePath("in.png"), out = dir.filePath("out.png");
        cv::Mat img(20, 24, CV_8UC3, cv::Scalar(40, 120, 200));
        QVERIFY(cv::imwrite(in.toStdString(), img));
        QProcess p;
        p.start(SHIFTSR_CLI_PATH, {"upscale", in, "-o", out, "--model", pkg, "--steps", "2"});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const cv::Mat o = cv::imread(out.toStdString());
        QCOMPARE(o.cols, 96);
        QCOMPARE(o.rows, 80);
        p.start(SHIFTSR_CLI_PATH, {"info", pkg});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardOutput().contains("yonos"));
    }

    // A Stable Diffusion checkpoint in the original (ldm) layout, U-Net and VAE in one file as SD
    // ships them, becomes a yonos package: every tensor mapped onto the diffusers name, conv_in
    // widened with zeros for the encoded input, the architecture read from the shapes.
    void convertsStableDiffusionWeights() {
        nn::SDUNetConfig uc;
        uc.inChannels = 4;
        uc.outChannels = 4;
        uc.blockOutChannels = {32, 64};
        uc.layersPerBlock = 1;
        uc.downBlockTypes = {"CrossAttnDownBlock2D", "DownBlock2D"};
        uc.upBlockTypes = {"UpBlock2D", "CrossAttnUpBlock2D"};
        uc.attentionHeads = {8};
        uc.crossAttentionDim = 24; // group counts keep SD's 32: shapes do not show them
        nn::KLConfig kc;
        kc.blockOutChannels = {32, 64};
        kc.layersPerBlock = 1;
        torch::manual_seed(9);
        nn::SDUNet unet(uc);
        nn::KLAutoencoder vae(kc);
        nn::TensorMap du, dv;
        for (const auto& p : unet->named_parameters())
            if (p.key() != "context") // not part of Stable Diffusion's U-Net
                du[p.key()] = p.value().detach().clone();
        for (const auto& p : vae->named_parameters())
            dv[p.key()] = p.value().detach().clone();
        auto lu = nn::unetDiffusersToLdm(du, uc);
        auto lv = nn::autoencoderDiffusersToLdm(dv, kc);
        QVERIFY2(lu, lu.status().message().c_str());
        QVERIFY2(lv, lv.status().message().c_str());
        QVERIFY(lu->count("input_blocks.1.0.in_layers.0.weight"));
        QTemporaryDir dir;
        const std::string ckpt = dir.filePath("sd-tiny.safetensors").toStdString();
        {
            SafeTensorsWriter w;
            for (const auto& [k, v] : *lu)
                QVERIFY(addTensor(w, "model.diffusion_model." + k, v));
            for (const auto& [k, v] : *lv)
                QVERIFY(addTensor(w, "first_stage_model." + k, v));
            QVERIFY(addTensor(w, "cond_stage_model.transformer.dummy", torch::zeros({2})));
            QVERIFY(w.write(ckpt));
        }
        ConvertOptions o;
        o.unetCheckpoint = o.autoencoderCheckpoint = ckpt;
        o.output = dir.filePath("sd-yonos.safetensors").toStdString();
        auto r = convertStableDiffusion(o);
        QVERIFY2(r, r.status().message().c_str());
        auto model = Model::load(o.output);
        QVERIFY2(model, model.status().message().c_str());
        QCOMPARE((*model)->info().family, std::string("yonos"));
        const auto& arch = (*model)->impl().arch;
        QCOMPARE(arch.sdUnet.inChannels, 8);
        QCOMPARE(arch.sdUnet.blockOutChannels, uc.blockOutChannels);
        QCOMPARE(arch.sdUnet.crossAttentionDim, 24);
        QCOMPARE(arch.kl.blockOutChannels, kc.blockOutChannels);
        QCOMPARE(arch.ddim.predictionType, std::string("epsilon"));
        const auto got = tensorsOf(QString::fromStdString(o.output), "unet.");
        for (const auto& [k, v] : du) {
            QVERIFY2(got.count(k), k.c_str());
            if (k == "conv_in.weight") {
                QVERIFY(torch::equal(got.at(k).slice(1, 0, 4), v));
                QVERIFY(got.at(k).slice(1, 4, 8).abs().max().item<float>() == 0.0f);
            } else {
                QVERIFY2(torch::equal(got.at(k), v), k.c_str());
            }
        }
        const auto codec = tensorsOf(QString::fromStdString(o.output), "codec.");
        for (const auto& [k, v] : dv)
            QVERIFY2(codec.count(k) && torch::equal(codec.at(k), v), k.c_str());
        // Something else is refused with a message naming what it is not.
        SafeTensorsWriter w;
        QVERIFY(addTensor(w, "body.0.weight", torch::zeros({4, 3, 3, 3})));
        const std::string other = dir.filePath("other.safetensors").toStdString();
        QVERIFY(w.write(other));
        o.unetCheckpoint = o.autoencoderCheckpoint = other;
        auto refused = convertStableDiffusion(o);
        QVERIFY(!refused);
        QVERIFY(refused.status().message().find("not a Stable Diffusion") != std::string::npos);
    }

    // Scale distillation's target is the frozen teacher's output on the less degraded input, and
    // a student step changes nothing in the teacher.
    void distillationTargetIsTheFrozenTeachersOutput() {
        Architecture a = Architecture::tinyYonosTest();
        torch::manual_seed(7);
        nn::SDUNet teacher(a.sdUnet), student(a.sdUnet);
        for (auto& p : teacher->parameters())
            p.set_requires_grad(false);
        std::vector<torch::Tensor> before;
        for (auto& p : teacher->parameters())
            before.push_back(p.detach().clone());
        auto zt = torch::randn({2, 4, 8, 8}), c2 = torch::randn({2, 4, 8, 8}),
             c4 = torch::randn({2, 4, 8, 8});
        auto t = torch::tensor({999, 400}, torch::kLong);
        auto target = training::scaleDistillationTarget(*teacher, zt, c2, t);
        QVERIFY(!target.requires_grad());
        {
            torch::NoGradGuard ng;
            QVERIFY(torch::equal(target, teacher->forward(torch::cat({zt, c2}, 1), t)));
            // ... and not its output on the student's input
            QVERIFY(!torch::allclose(target, teacher->forward(torch::cat({zt, c4}, 1), t)));
        }
        auto loss = F::mse_loss(student->forward(torch::cat({zt, c4}, 1), t), target);
        loss.backward();
        torch::optim::SGD opt(student->parameters(), 0.1);
        opt.step();
        auto after = teacher->parameters();
        for (size_t i = 0; i < before.size(); ++i) {
            QVERIFY(torch::equal(before[i], after[i]));
            QVERIFY(!after[i].grad().defined());
        }
    }

    // yonos.fft_weight's term: the mean |amplitude difference| of the luma tiles' orthonormal
    // 2-D spectra, equal to a DFT written out here; blind to where in a tile the content sits
    // (the phase), so a circular shift costs nothing while blur does; the border outside the
    // tiles is left out; it has a gradient.
    void fourierAmplitudeLoss() {
        torch::manual_seed(3);
        const int p = 8;
        auto a = torch::rand({2, 3, 2 * p + 3, p}) * 2 - 1,
             b = torch::rand({2, 3, 2 * p + 3, p}) * 2 - 1;
        auto luma = [](const torch::Tensor& x) { // BasicSR's Y on [0, 1] of RGB in [-1, 1]
            return ((x[0] + 1) * 0.5 * 65.481 + (x[1] + 1) * 0.5 * 128.553 +
                    (x[2] + 1) * 0.5 * 24.966 + 16) /
                   255.0;
        };
        double sum = 0;
        int64_t n = 0;
        for (int64_t i = 0; i < 2; ++i) {
            auto ya = luma(a[i].to(torch::kDouble)), yb = luma(b[i].to(torch::kDouble));
            auto A = ya.accessor<double, 2>(), Bv = yb.accessor<double, 2>();
            for (int tile = 0; tile < 2; ++tile)
                for (int u = 0; u < p; ++u)
                    for (int v = 0; v <= p / 2; ++v) {
                        std::complex<double> fa, fb;
                        for (int y = 0; y < p; ++y)
                            for (int x = 0; x < p; ++x) {
                                const auto w = std::polar(
                                    1.0, -2 * M_PI * (double(u * y) / p + double(v * x) / p));
                                fa += A[tile * p + y][x] * w;
                                fb += Bv[tile * p + y][x] * w;
                            }
                        sum +=
                            std::abs(std::abs(fa) - std::abs(fb)) / p; // orthonormal: 1/sqrt(p*p)
                        ++n;
                    }
        }
        const double got = training::fourierAmplitudeLossY(a, b, p).item<double>();
        QVERIFY2(std::abs(got - sum / n) < 1e-5,
                 qPrintable(QString("%1 vs %2").arg(got).arg(sum / n)));
        QVERIFY(training::fourierAmplitudeLossY(a, a, p).item<double>() < 1e-7);
        // a circular shift inside each tile: the same amplitudes, a large pixel error
        auto t0 = a.narrow(2, 0, p), t1 = a.narrow(2, p, p);
        auto shifted = torch::cat({torch::roll(t0, {3, 5}, {2, 3}), torch::roll(t1, {1, 2}, {2, 3}),
                                   a.narrow(2, 2 * p, 3)},
                                  2);
        QVERIFY(training::fourierAmplitudeLossY(shifted, a, p).item<double>() < 1e-5);
        QVERIFY((shifted - a).abs().mean().item<double>() > 0.1);
        // the 3 rows below the last tile are not looked at
        auto border = a.clone();
        border.narrow(2, 2 * p, 3).fill_(1);
        QVERIFY(training::fourierAmplitudeLossY(border, a, p).item<double>() < 1e-7);
        // blur (a 3x3 box) loses high-frequency energy and costs
        auto blurred = F::avg_pool2d(
            a, F::AvgPool2dFuncOptions(3).stride(1).padding(1).count_include_pad(false));
        QVERIFY(training::fourierAmplitudeLossY(blurred, a, p).item<double>() > 0.02);
        auto x = b.clone().requires_grad_(true);
        training::fourierAmplitudeLossY(x, a, p).backward();
        QVERIFY(x.grad().defined() && x.grad().isfinite().all().item<bool>() &&
                x.grad().abs().sum().item<double>() > 0);
        QVERIFY_EXCEPTION_THROWN(training::fourierAmplitudeLossY(a, b, 32), std::invalid_argument);
        // the job's weight: read, written back, refused below zero
        const char* job = R"({"kind": "yonos", "base": "b.safetensors", "data": {"train": "x"},
                              "yonos": {"stage": "decoder", "fft_weight": %1}})";
        auto ok = training::TrainJob::fromJson(QString(job).arg(2.5).toStdString());
        QVERIFY2(ok.isOk(), ok.status().message().c_str());
        QCOMPARE(ok->yonosFftWeight, 2.5);
        QCOMPARE(training::TrainJob::fromJson(ok->toJson())->yonosFftWeight, 2.5);
        QVERIFY(!training::TrainJob::fromJson(QString(job).arg(-1).toStdString()).isOk());
    }

    // The four stages on tiny photos: autoencoder -> x2 teacher -> x4 student -> decoder.
    void stagesRunEndToEnd() {
        QTemporaryDir dir;
        const QString photos = dir.filePath("photos");
        testutil::makePhotos(photos, 4, 96, 96);
        auto job = [&](const std::string& stage) {
            training::TrainJob j = testutil::tinyJob(photos, 21);
            j.kind = "yonos";
            j.yonosStage = stage;
            j.scale = stage == "teacher" ? 2 : 4;
            j.steps = 3;
            j.lr = 1e-3;
            j.warmup = 1;
            j.checkpointEvery = 3;
            j.validateEvery = 3;
            return j;
        };
        auto run = [&](const training::TrainJob& j, const QString& name) {
            training::RunOptions ro;
            ro.runDir = dir.filePath(name).toStdString();
            const Status s = training::runYonos(j, ro);
            if (!s)
                qWarning("%s: %s", qPrintable(name), s.message().c_str());
            return s ? dir.filePath(name + "/model.safetensors") : QString();
        };
        const QString ae = run(job("autoencoder"), "ae");
        double aeCeiling = 0;
        QVERIFY(!ae.isEmpty());
        // an autoencoder is not a model: refused by the loader with a message
        QVERIFY(!Model::load(ae.toStdString()));
        // exporting its last checkpoint measures the latent scaling factor on the same photos
        {
            const std::string exported = dir.filePath("ae-export.safetensors").toStdString();
            QVERIFY(training::exportYonosCheckpoint(job("autoencoder"),
                                                    dir.filePath("ae").toStdString(), exported));
            auto a = training::openYonosPackage(ae.toStdString());
            auto e = training::openYonosPackage(exported);
            QVERIFY(a && e);
            QVERIFY(a->arch.kl.scalingFactor != 1.0);
            QCOMPARE(e->arch.kl.scalingFactor, a->arch.kl.scalingFactor);
        }
        // the codec's ceiling: every photo encoded and decoded, measured as eval measures
        {
            auto r = training::reconstructPhotos(ae.toStdString(), {photos.toStdString()}, 64);
            QVERIFY2(r, r.status().message().c_str());
            QCOMPARE((*r)["photos"].get<int>(), 4);
            QCOMPARE(int((*r)["per_photo"].size()), 4);
            QCOMPARE((*r)["codec"].get<std::string>(), std::string("kl-f4"));
            QCOMPARE((*r)["color_fix"].get<std::string>(), std::string("luma"));
            auto raw =
                training::reconstructPhotos(ae.toStdString(), {photos.toStdString()}, 64, 0, false);
            QVERIFY(raw && (*raw)["color_fix"].get<std::string>() == "none");
            QVERIFY((*raw)["psnr_y"].get<double>() != (*r)["psnr_y"].get<double>());
            const double psnr = (*r)["psnr_y"].get<double>();
            QVERIFY2(std::isfinite(psnr) && psnr > 5 && psnr < 60,
                     qPrintable(QString::number(psnr)));
            double sum = 0;
            for (const auto& p : (*r)["per_photo"])
                sum += p["psnr_y"].get<double>();
            QVERIFY(std::abs(sum / 4 - psnr) < 1e-9);
            auto two = training::reconstructPhotos(ae.toStdString(), {photos.toStdString()}, 64, 2);
            QVERIFY(two && (*two)["photos"].get<int>() == 2);
            QVERIFY(!training::reconstructPhotos(ae.toStdString(), {photos.toStdString()}, 60));
            QVERIFY(!training::reconstructPhotos(ae.toStdString(), {photos.toStdString()}, 128));
            QVERIFY(!training::reconstructPhotos(dir.filePath("none.safetensors").toStdString(),
                                                 {photos.toStdString()}, 64));
            aeCeiling = psnr;
        }
        auto tj = job("teacher");
        tj.autoencoderModel = ae.toStdString();
        const QString teacher = run(tj, "teacher");
        QVERIFY(!teacher.isEmpty());
        auto tm = Model::load(teacher.toStdString());
        QVERIFY2(tm, tm.status().message().c_str());
        QCOMPARE((*tm)->info().scale, 2);
        // the teacher's codec is the autoencoder's, unchanged
        QVERIFY(sameTensors(tensorsOf(ae, "codec."), tensorsOf(teacher, "codec.")));

        auto dj = job("distil");
        dj.teacherModel = teacher.toStdString();
        const auto teacherBefore = tensorsOf(teacher, "unet.");
        const QString student = run(dj, "student");
        QVERIFY(!student.isEmpty());
        QVERIFY(sameTensors(teacherBefore, tensorsOf(teacher, "unet.")));
        auto sm = Model::load(student.toStdString());
        QVERIFY2(sm, sm.status().message().c_str());
        QCOMPARE((*sm)->info().scale, 4);
        QCOMPARE((*sm)->info().steps, 1);
        const QJsonObject prov = testutil::provenanceOf(**sm);
        QCOMPARE(prov["teacher_sha256"].toString(),
                 QString::fromStdString((*tm)->info().contentHash));
        QCOMPARE(prov["teacher_scale"].toInt(), 2);
        QVERIFY(!sameTensors(teacherBefore, tensorsOf(student, "unet."))); // it learned
        // a model's codec is its autoencoder's: the same ceiling
        auto viaStudent =
            training::reconstructPhotos(student.toStdString(), {photos.toStdString()}, 64);
        QVERIFY2(viaStudent, viaStudent.status().message().c_str());
        QCOMPARE((*viaStudent)["psnr_y"].get<double>(), aeCeiling);
        const auto log = testutil::readRunLog(dir.filePath("student"));
        QVERIFY(!testutil::logSeries(log, "target_vs_truth").empty());

        auto cj = job("decoder");
        cj.baseModel = student.toStdString();
        cj.yonosFftWeight = 0.5;
        const QString decoded = run(cj, "decoder");
        QVERIFY(!decoded.isEmpty());
        // decoder fine-tuning: every U-Net weight bit-identical, the encoder too, the decoder not
        QVERIFY(sameTensors(tensorsOf(student, "unet."), tensorsOf(decoded, "unet.")));
        QVERIFY(sameTensors(tensorsOf(student, "codec.encoder."),
                            tensorsOf(decoded, "codec.encoder.")));
        QVERIFY(!sameTensors(tensorsOf(student, "codec.decoder."),
                             tensorsOf(decoded, "codec.decoder.")));
        auto dm = Model::load(decoded.toStdString());
        QVERIFY2(dm, dm.status().message().c_str());
        QCOMPARE(testutil::provenanceOf(**dm)["decoder"].toObject()["base_sha256"].toString(),
                 QString::fromStdString((*sm)->info().contentHash));
        QCOMPARE(int(testutil::logSeries(dir.filePath("decoder"), "fft_loss").size()), 3);
        // a stage resumes from its checkpoint
        auto more = job("decoder");
        more.baseModel = student.toStdString();
        more.steps = 4;
        training::RunOptions ro;
        ro.runDir = dir.filePath("decoder2").toStdString();
        ro.maxSteps = 2;
        QVERIFY(training::runYonos(more, ro));
        QVERIFY(!QFile::exists(dir.filePath("decoder2/model.safetensors")));
        ro.resume = true;
        ro.maxSteps = -1;
        QVERIFY(training::runYonos(more, ro));
        QVERIFY(QFile::exists(dir.filePath("decoder2/model.safetensors")));
    }

    // A teacher may start from a package whose U-Net is not the preset's (a converted Stable
    // Diffusion model): the run keeps that U-Net, at the job's scale, and starts from its weights.
    void teacherStartsFromAnInitPackage() {
        QTemporaryDir dir;
        const QString photos = dir.filePath("photos");
        testutil::makePhotos(photos, 2, 96, 96);
        Architecture a = Architecture::tinyYonosTest();
        a.sdUnet.blockOutChannels = {32, 64};
        a.name = "converted";
        const std::string init = dir.filePath("init.safetensors").toStdString();
        writePackage(a, init, 31);
        training::TrainJob j = testutil::tinyJob(photos, 22);
        j.kind = "yonos";
        j.yonosStage = "teacher";
        j.scale = 2;
        j.steps = 1;
        j.lr = 1e-4;
        j.warmup = 1;
        j.checkpointEvery = 1;
        j.validateEvery = 1;
        j.initModel = init;
        training::RunOptions ro;
        ro.runDir = dir.filePath("teacher").toStdString();
        const Status s = training::runYonos(j, ro);
        QVERIFY2(s, s.message().c_str());
        const QString out = dir.filePath("teacher/model.safetensors");
        auto m = Model::load(out.toStdString());
        QVERIFY2(m, m.status().message().c_str());
        QCOMPARE((*m)->impl().arch.sdUnet.blockOutChannels, a.sdUnet.blockOutChannels);
        QCOMPARE((*m)->info().scale, 2);
        // one Adam step of 1e-4 from the init weights (random weights differ by far more)
        const auto before = tensorsOf(QString::fromStdString(init), "unet.");
        const auto after = tensorsOf(out, "unet.");
        QCOMPARE(after.size(), before.size());
        for (const auto& [k, v] : before)
            QVERIFY2((after.at(k) - v).abs().max().item<float>() < 1e-3f, k.c_str());
        // the same architecture when the checkpoint is exported
        const std::string exported = dir.filePath("export.safetensors").toStdString();
        QVERIFY(training::exportYonosCheckpoint(j, ro.runDir, exported));
        auto e = Model::load(exported);
        QVERIFY2(e, e.status().message().c_str());
        QCOMPARE((*e)->impl().arch.sdUnet.blockOutChannels, a.sdUnet.blockOutChannels);
        // "model" overrides cannot reshape an init package's U-Net: said, not ignored
        j.modelJson = R"({"layers_per_block": 2})";
        ro.runDir = dir.filePath("teacher2").toStdString();
        const Status refused = training::runYonos(j, ro);
        QVERIFY(!refused);
        QVERIFY2(refused.message().find("come from this init package") != std::string::npos,
                 refused.message().c_str());
    }
};

QTEST_GUILESS_MAIN(TestYonos)
#include "tst_yonos.moc"
