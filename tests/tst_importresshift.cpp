// Importing ResShift-family weights: the architecture read from the tensors of files in the
// official layout (the golden fixture and tiny UNets written here), the schedule from a config, a
// preset or the file name, and the package reproducing the official outputs.
#include "parity_util.h"
#include "testutil.h"

#include "shiftsr/nn/import_resshift.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/sampler.h"
#include "shiftsr/nn/tensor_io.h"
#include "shiftsr/nn/torch_checkpoint.h"

#include "shiftsr/engine/pipeline.h"

#include <QTemporaryDir>
#include <QtTest>

#include <functional>

using namespace shiftsr;
using namespace shiftsr::importer;

namespace {

constexpr double kLatentTol = 1e-4;  // as tst_parity: latents, sr_01
constexpr double kDecodedTol = 2e-4; // unclamped decodes

QString fixture(const char* file) {
    return testutil::fixtureDir() + "/resshift-tiny/" + file;
}

// A torch.save file read as the importer gets it (the "module." prefix already stripped).
TensorMap readPth(const QString& path) {
    auto ck = TorchCheckpoint::open(path.toStdString());
    if (!ck)
        return {};
    auto t = readCheckpointTensors(*ck, path.toStdString());
    return t ? *t : TensorMap();
}

WeightFile weightFile(const std::string& path, TensorMap tensors,
                      std::map<std::string, std::string> metadata = {}) {
    WeightFile f;
    f.path = path;
    f.tensors = std::move(tensors);
    f.metadata = std::move(metadata);
    return f;
}

// A module's state dict under the official names (parameters and persistent buffers).
TensorMap stateOf(torch::nn::Module& m) {
    TensorMap out;
    for (const auto& p : m.named_parameters(true))
        out[p.key()] = p.value().detach().clone();
    for (const auto& b : m.named_buffers(true))
        out[b.key()] = b.value().detach().clone();
    return out;
}

void randomize(torch::nn::Module& m, uint64_t seed) {
    torch::NoGradGuard noGrad;
    auto gen = at::detail::createCPUGenerator(seed);
    for (auto& p : m.parameters())
        p.copy_(at::randn(p.sizes(), gen) * 0.1);
}

nn::UNetSwinConfig tinyUNet() {
    nn::UNetSwinConfig c;
    c.imageSize = 32;
    c.lqSize = 32;
    c.modelChannels = 32;
    c.channelMult = {1, 2};
    c.numResBlocks = {1, 1};
    c.attentionResolutions = {32, 16};
    c.swinEmbedDim = 32;
    c.numHeadChannels = 16;
    c.windowSize = 8;
    c.mlpRatio = 2.0;
    return c;
}

nn::VQConfig tinyVQ() {
    nn::VQConfig c;
    c.ch = 32;
    c.chMult = {2, 1, 1};
    c.numResBlocks = {1, 1, 1};
    c.nEmbed = 32;
    c.resolution = 256;
    return c;
}

TensorMap tinyUNetState(const nn::UNetSwinConfig& c, uint64_t seed = 1) {
    nn::UNetModelSwinImpl unet(c);
    randomize(unet, seed);
    return stateOf(unet);
}

TensorMap tinyVQState(uint64_t seed = 2) {
    VQCodec codec(tinyVQ());
    randomize(*codec.module(), seed);
    return stateOf(*codec.module());
}

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

nlohmann::json provenanceOf(const QString& package) {
    auto f = SafeTensorsFile::open(package.toStdString());
    if (!f || !f->metadata().count("provenance"))
        return {};
    return nlohmann::json::parse(f->metadata().at("provenance"));
}

Result<Architecture> architectureOf(const QString& package) {
    auto f = SafeTensorsFile::open(package.toStdString());
    if (!f)
        return f.status();
    return Architecture::fromMetadata(f->metadata());
}

} // namespace

class TestImportResShift : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    int packages_ = 0;

    QString nextPackage() {
        return tmp_.filePath(QStringLiteral("p%1.safetensors").arg(++packages_));
    }

    Result<ImportReport> import(std::vector<WeightFile> files, const QString& output,
                                const std::string& schedule = {}, const std::string& config = {}) {
        ImportOptions o;
        o.output = output.toStdString();
        o.schedule = schedule;
        o.configJson = config;
        return importResShift(files, o, {});
    }

    // The fixture's two official-format files; the UNet under another name when given.
    std::vector<WeightFile> fixtureFiles(const std::string& unetName = "unet_official_format.pth") {
        return {weightFile(unetName, readPth(fixture("unet_official_format.pth"))),
                weightFile(fixture("autoencoder_official_format.pth").toStdString(),
                           readPth(fixture("autoencoder_official_format.pth")))};
    }

    static void expectRefused(const Result<ImportReport>& r, const QStringList& mustContain) {
        QVERIFY2(!r.isOk(), "the import was accepted");
        const QString msg = QString::fromStdString(r.status().message());
        qInfo("%s", qPrintable(msg));
        for (const QString& s : mustContain)
            QVERIFY2(msg.contains(s), qPrintable(QStringLiteral("'%1' not in: %2").arg(s, msg)));
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        SHIFTSR_REQUIRE_FIXTURE(fixture("unet_official_format.pth"));
        SHIFTSR_REQUIRE_FIXTURE(fixture("autoencoder_official_format.pth"));
    }

    // Every hyperparameter the shapes can say equals the fixture's official config.
    void fixtureDetected() {
        const TensorMap unet = readPth(fixture("unet_official_format.pth"));
        const TensorMap ae = readPth(fixture("autoencoder_official_format.pth"));
        QVERIFY(isResShiftUNet(unet) && !isResShiftAutoencoder(unet));
        QVERIFY(isResShiftAutoencoder(ae) && !isResShiftUNet(ae));
        FixtureCase f;
        const std::string err = f.load(testutil::fixtureDir() + "/resshift-tiny");
        QVERIFY2(err.empty(), err.c_str());
        auto want = nn::UNetSwinConfig::fromJson(f.config["model"]["params"]);
        QVERIFY(want.isOk());
        auto shape = inferResShiftUNet(unet);
        QVERIFY2(shape.isOk(), shape.status().message().c_str());
        QCOMPARE(shape->imageSize, 32); // from the shift masks
        QCOMPARE(shape->noiseChannels, 0);
        QVERIFY(shape->windowSizeExact);
        QCOMPARE(QString::fromStdString(shape->config.toJson().dump()),
                 QString::fromStdString(want->toJson().dump()));
        auto wantVq = nn::VQConfig::fromJson(f.config["autoencoder"]["params"]);
        QVERIFY(wantVq.isOk());
        auto vq = inferResShiftAutoencoder(ae, wantVq->resolution);
        QVERIFY2(vq.isOk(), vq.status().message().c_str());
        QCOMPARE(QString::fromStdString(vq->toJson().dump()),
                 QString::fromStdString(wantVq->toJson().dump()));
    }

    // The imported package reproduces the official golden run (as tst_parity does for the port),
    // whether the schedule comes from the official config or from the matching preset.
    void fixtureImportReproducesGolden_data() {
        QTest::addColumn<QString>("schedule");
        QTest::addColumn<bool>("withConfig");
        QTest::newRow("official config") << QString() << true;
        QTest::newRow("preset v3") << QStringLiteral("v3") << false;
    }
    void fixtureImportReproducesGolden() {
        QFETCH(QString, schedule);
        QFETCH(bool, withConfig);
        const QString out = nextPackage();
        auto r = import(fixtureFiles(), out, schedule.toStdString(),
                        withConfig ? fixture("config.json").toStdString() : std::string());
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(r->family, std::string("resshift"));
        QCOMPARE(r->steps, 4);
        QCOMPARE(r->scale, 4);
        FixtureCase f;
        QVERIFY(f.load(testutil::fixtureDir() + "/resshift-tiny").empty());
        auto arch = architectureOf(out);
        QVERIFY2(arch.isOk(), arch.status().message().c_str());
        QCOMPARE(QString::fromStdString(arch->unet.toJson().dump()),
                 QString::fromStdString(f.unet->config().toJson().dump()));
        QCOMPARE(arch->paddingOffset, 32);
        const auto prov = provenanceOf(out);
        QCOMPARE(prov["detected"]["kind"].get<std::string>(), std::string("teacher"));
        QCOMPARE(prov["imported_from"].size(), size_t(2));
        QCOMPARE(prov["imported_from"][1]["sha256"].get<std::string>().size(), size_t(64));

        auto model = Model::load(out.toStdString());
        QVERIFY2(model.isOk(), model.status().message().c_str());
        const auto& m = (*model)->impl();
        c10::InferenceMode guard;
        DiffusionParts parts{m.unet.get(), m.codec.get(), m.schedule.get(), m.arch.paddingOffset};
        std::vector<torch::Tensor> noise{f.t("sample.noise_xT")};
        for (int k = 0; k < 4; ++k)
            noise.push_back(f.t("sample.noise_steps")[k]);
        SuppliedNoise source(noise);
        SampleTrace trace;
        auto sr = superResolve(parts, f.t("sample.lq_m11"), source, {}, {}, &trace);
        QVERIFY(maxDiff(trace.zFinal, f.t("sample.z_final")) <= kLatentTol);
        QVERIFY(maxDiff(trace.decoded, f.t("sample.decoded")) <= kDecodedTol);
        QVERIFY(maxDiff(sr * 0.5 + 0.5, f.t("sample.sr_01")) <= kLatentTol);
    }

    // SinSR's inference (p_sample_loop with one_step) is the fixture's one-step case: x_T, one call
    // at T-1, decode. A file named as SinSR's becomes a one-step package that reproduces it.
    void studentByNameReproducesOneStep() {
        const QString out = nextPackage();
        auto r =
            import(fixtureFiles("SinSR_v1.pth"), out, {}, fixture("config.json").toStdString());
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(r->steps, 1);
        QCOMPARE(provenanceOf(out)["detected"]["kind"].get<std::string>(),
                 std::string("SinSR student"));
        FixtureCase f;
        QVERIFY(f.load(testutil::fixtureDir() + "/resshift-tiny").empty());
        auto model = Model::load(out.toStdString());
        QVERIFY2(model.isOk(), model.status().message().c_str());
        QCOMPARE(model.value()->info().steps, 1);
        const auto& m = (*model)->impl();
        c10::InferenceMode guard;
        DiffusionParts parts{m.unet.get(), m.codec.get(), m.schedule.get(), m.arch.paddingOffset};
        SuppliedNoise source({f.t("sample.noise_xT")});
        SampleOptions o;
        o.mode = SamplerMode::OneStep;
        SampleTrace trace;
        auto sr = superResolve(parts, f.t("sample.lq_m11"), source, o, {}, &trace);
        QVERIFY(maxDiff(trace.stepModelIn.at(0), f.t("onestep.model_in")) <= kLatentTol);
        QVERIFY(maxDiff(trace.zFinal, f.t("onestep.pred_x0")) <= kLatentTol);
        QVERIFY(maxDiff(sr * 0.5 + 0.5, f.t("onestep.sr_01")) <= kLatentTol);
    }

    // SinSR's student and ResShift v1 are the same network: without a hint the import refuses and
    // says so; a preset or the published file name decides.
    void sinsrOrTeacher_data() {
        QTest::addColumn<QString>("unetName");
        QTest::addColumn<QString>("schedule");
        QTest::addColumn<int>("steps");   // 0: refused
        QTest::addColumn<int>("trained"); // T of the schedule
        QTest::addColumn<QString>("kind");
        QTest::newRow("no hint") << "unet.pth"
                                 << "" << 0 << 0 << "";
        QTest::newRow("--schedule sinsr") << "unet.pth"
                                          << "sinsr" << 1 << 15 << "SinSR student";
        QTest::newRow("--schedule v1") << "unet.pth"
                                       << "v1" << 15 << 15 << "teacher";
        QTest::newRow("SinSR_v1.pth") << "SinSR_v1.pth"
                                      << "" << 1 << 15 << "SinSR student";
        QTest::newRow("resshift_realsrx4_s15_v1.pth") << "weights/resshift_realsrx4_s15_v1.pth"
                                                      << "" << 15 << 15 << "teacher";
        QTest::newRow("resshift_realsrx4_s4_v3.pth") << "resshift_realsrx4_s4_v3.pth"
                                                     << "" << 4 << 4 << "teacher";
        QTest::newRow("unknown preset") << "unet.pth"
                                        << "v9" << 0 << 0 << "";
    }
    void sinsrOrTeacher() {
        QFETCH(QString, unetName);
        QFETCH(QString, schedule);
        QFETCH(int, steps);
        QFETCH(int, trained);
        QFETCH(QString, kind);
        const QString out = nextPackage();
        auto r = import(fixtureFiles(unetName.toStdString()), out, schedule.toStdString());
        if (!steps) {
            QStringList words{"v1", "sinsr", "rsd", "x2"};
            if (schedule.isEmpty())
                words << "--schedule"
                      << "SinSR"
                      << "cannot tell";
            expectRefused(r, words);
            QVERIFY(!QFile::exists(out));
            return;
        }
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(r->steps, steps);
        auto arch = architectureOf(out);
        QVERIFY2(arch.isOk(), arch.status().message().c_str());
        QCOMPARE(arch->schedule.steps, trained);
        QCOMPARE(arch->steps, steps);
        QCOMPARE(QString::fromStdString(provenanceOf(out)["detected"]["kind"].get<std::string>()),
                 kind);
    }

    void unetWithoutAutoencoderAsks() {
        auto files = fixtureFiles();
        auto r = import({files[0]}, nextPackage(), "v3");
        expectRefused(r, {"autoencoder_vq_f4.pth: give it too"});
        QCOMPARE(r.status().code(), StatusCode::InvalidArgument);
        r = import({files[1]}, nextPackage(), "v3");
        expectRefused(r, {"UNet is needed too"});
        r = import({files[0], files[1],
                    weightFile("x.pth", {{"conv.weight", torch::zeros({8, 3, 3, 3})}})},
                   nextPackage(), "v3");
        expectRefused(r, {"x.pth", "neither a ResShift UNet", "conv.weight [8,3,3,3]"});
    }

    // UNets of other widths, depths and window sizes, written in the official layout here: every
    // hyperparameter comes back from the shapes.
    void shapesInferred_data() {
        QTest::addColumn<int>("row");
        QTest::newRow("fixture-like") << 0;
        QTest::newRow("3 levels, attention on 0 and 2, depth 3, window 4") << 1;
        QTest::newRow("window shrinks on deep levels, 4 heads, mlp 1.5") << 2;
        QTest::newRow("depth 1, no scale-shift norm, patch norm") << 3;
        QTest::newRow("x2 (LQ condition through a feature extractor)") << 4;
        QTest::newRow("RSD noise channel") << 5;
        QTest::newRow("average-pool resampling") << 6;
        QTest::newRow("empty last level") << 7;
    }
    void shapesInferred() {
        QFETCH(int, row);
        nn::UNetSwinConfig c = tinyUNet();
        int expectImage = 32;
        switch (row) {
        case 1:
            c.channelMult = {1, 2, 2};
            c.numResBlocks = {1, 2, 1};
            c.attentionResolutions = {32, 8};
            c.swinDepth = 3;
            c.windowSize = 4;
            break;
        case 2:
            c.imageSize = c.lqSize = 16;
            c.channelMult = {1, 1, 2};
            c.numResBlocks = {1, 1, 1};
            c.attentionResolutions = {16, 8, 4};
            c.swinEmbedDim = 64;
            c.numHeadChannels = 16;
            c.mlpRatio = 1.5;
            expectImage = 16;
            break;
        case 3:
            c.swinDepth = 1; // no shifted block: the side is only known where the window shrank
            c.useScaleShiftNorm = false;
            c.patchNorm = true;
            c.channelMult = {1, 2, 2};
            c.numResBlocks = {1, 1, 1};
            c.attentionResolutions = {32, 16, 8};
            c.windowSize = 16;
            expectImage = 32; // level 2 (side 8) shrank the window from 16 to 8
            break;
        case 4:
            c.imageSize = 16;
            c.lqSize = 32;
            c.attentionResolutions = {16, 8};
            expectImage = 16;
            break;
        case 5:
            c.extraInputChannels = 1;
            break;
        case 6:
            c.convResample = false;
            c.channelMult = {1, 2, 2};
            c.numResBlocks = {1, 1, 1};
            c.attentionResolutions = {32, 16, 8};
            break;
        case 7:
            c.channelMult = {1, 2, 2};
            c.numResBlocks = {1, 1, 0};
            c.attentionResolutions = {32, 16, 8};
            break;
        default:
            break;
        }
        QVERIFY2(c.validate().isOk(), c.validate().message().c_str());
        TensorMap state = tinyUNetState(c);
        auto s = inferResShiftUNet(state);
        QVERIFY2(s.isOk(), s.status().message().c_str());
        QCOMPARE(s->imageSize, expectImage);
        QCOMPARE(s->noiseChannels, c.extraInputChannels);
        QCOMPARE(s->lqRatio, c.lqSize / c.imageSize);
        QCOMPARE(QString::fromStdString(s->withImageSize(c.imageSize).toJson().dump()),
                 QString::fromStdString(c.toJson().dump()));
        // Without the Swin buffers (files that keep parameters only) the side is known only
        // where a window shrank to it (the relative position tables are parameters).
        for (auto it = state.begin(); it != state.end();)
            it = it->first.find("attn_mask") != std::string::npos ||
                         it->first.find("relative_position_index") != std::string::npos
                     ? state.erase(it)
                     : std::next(it);
        s = inferResShiftUNet(state);
        QVERIFY2(s.isOk(), s.status().message().c_str());
        QCOMPARE(s->imageSize, row == 2 || row == 3 ? expectImage : 0);
    }

    // RSD's student: the noise channel follows the LQ condition in RSD's first convolution
    // (sampler.py _add_noise appends its columns to the teacher's); the package takes it in
    // ShiftSR's order and computes the same convolution, and the one-step run is RSD's.
    void rsdStudent() {
        nn::UNetSwinConfig c = tinyUNet();
        c.extraInputChannels = 1;
        nn::UNetModelSwinImpl student(c); // ShiftSR order [x, noise, lq]
        randomize(student, 7);
        TensorMap official = stateOf(student);
        const auto ours = official.at("input_blocks.0.0.weight");
        official["input_blocks.0.0.weight"] = torch::cat(
            {ours.narrow(1, 0, 3), ours.narrow(1, 4, 3), ours.narrow(1, 3, 1)}, 1); // [x, lq, n]
        QVERIFY(torch::equal(noiseColumnsToShiftSR(official.at("input_blocks.0.0.weight"), 3, 3, 1),
                             ours));

        const QString out = nextPackage();
        auto r =
            import({weightFile("student.pth", official), weightFile("ae.pth", tinyVQState())}, out);
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(r->steps, 1);
        QVERIFY(QString::fromStdString(r->summary).contains("noise channel"));
        const auto prov = provenanceOf(out);
        QCOMPARE(prov["detected"]["preset"].get<std::string>(), std::string("rsd"));
        QCOMPARE(prov["detected"]["kind"].get<std::string>(), std::string("RSD student"));
        QCOMPARE(prov["teacher"].get<std::string>(),
                 findResShiftPreset("v1")->title + " (imported)");
        auto model = Model::load(out.toStdString());
        QVERIFY2(model.isOk(), model.status().message().c_str());
        const auto& m = (*model)->impl();
        QCOMPARE(m.arch.schedule.steps, 15);
        QCOMPARE(m.arch.unet.extraInputChannels, 1);

        c10::InferenceMode guard;
        // The official convolution on RSD's input order equals the package's on ShiftSR's.
        auto x = torch::randn({1, 3, 8, 8}), lq = torch::randn({1, 3, 8, 8}),
             n = torch::randn({1, 1, 8, 8});
        namespace F = torch::nn::functional;
        auto rsd = F::conv2d(torch::cat({x, lq, n}, 1), official.at("input_blocks.0.0.weight"),
                             F::Conv2dFuncOptions().padding(1));
        auto pkg = F::conv2d(torch::cat({x, n, lq}, 1),
                             m.unet->named_parameters()["input_blocks.0.0.weight"].contiguous(),
                             F::Conv2dFuncOptions().padding(1));
        QVERIFY(maxDiff(rsd, pkg) < 1e-5);

        // One step from x_T (first draw) with the noise channel (second draw), as RSD's
        // sample_func + p_sample_loop(one_step=True): the same as the student module itself.
        auto lq11 = torch::rand({1, 3, 32, 32}) * 2 - 1;
        auto noise = [] {
            return std::vector<torch::Tensor>{
                torch::randn({1, 3, 32, 32}, at::detail::createCPUGenerator(3)),
                torch::randn({1, 1, 32, 32}, at::detail::createCPUGenerator(4))};
        };
        SampleOptions o;
        o.mode = SamplerMode::OneStep;
        o.extraNoiseChannels = 1;
        SuppliedNoise a(noise());
        DiffusionParts parts{m.unet.get(), m.codec.get(), m.schedule.get(), m.arch.paddingOffset};
        auto got = superResolve(parts, lq11, a, o, {});
        nn::prepareUnetForInference(student, torch::kCPU);
        SampleTrace trace;
        SuppliedNoise b(noise());
        DiffusionParts ref{&student, m.codec.get(), m.schedule.get(), m.arch.paddingOffset};
        auto want = superResolve(ref, lq11, b, o, {}, &trace);
        QVERIFY(maxDiff(got, want) < 1e-5);
        // The UNet saw x_T at t = T-1, scaled by sqrt(eta_T kappa^2 + 1).
        const auto& s = *m.schedule;
        QVERIFY(maxDiff(trace.stepModelIn.at(0),
                        trace.xT / std::sqrt(s.f32(s.etas, 14) * 4.0f + 1.0f)) < 1e-6);

        // A preset or a name that says otherwise is refused.
        expectRefused(
            import({weightFile("student.pth", official), weightFile("ae.pth", tinyVQState())},
                   nextPackage(), "v3"),
            {"--schedule v3", "1 noise input channel", "rsd"});
        expectRefused(import({weightFile("resshift_realsrx4_s4_v3.pth", official),
                              weightFile("ae.pth", tinyVQState())},
                             nextPackage()),
                      {"file name", "noise"});
        // A noise-less UNet named like RSD's release is refused too.
        expectRefused(import({weightFile("ema_model_2800.pth", tinyUNetState(tinyUNet())),
                              weightFile("ae.pth", tinyVQState())},
                             nextPackage()),
                      {"RSD", "no noise input channel"});
    }

    // x2: the LQ condition passes a feature extractor; scale 2 comes from the shapes, padding to
    // lq_size, and tiles of an odd-sized image come back at twice its size.
    void x2Model() {
        nn::UNetSwinConfig c = tinyUNet();
        c.imageSize = 16;
        c.lqSize = 32;
        c.attentionResolutions = {16, 8};
        const QString out = nextPackage();
        auto r = import(
            {weightFile("x2.pth", tinyUNetState(c, 5)), weightFile("ae.pth", tinyVQState())}, out);
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(r->scale, 2);
        QCOMPARE(r->steps, 4);
        QCOMPARE(provenanceOf(out)["detected"]["preset"].get<std::string>(), std::string("x2"));
        auto model = Model::load(out.toStdString());
        QVERIFY2(model.isOk(), model.status().message().c_str());
        const auto& m = (*model)->impl();
        QCOMPARE(m.arch.scale, 2);
        QCOMPARE(m.arch.paddingOffset, 32);
        {
            // Padding: a 29x37 LQ is reflect-padded to 32x64; the crop of that run is the result.
            c10::InferenceMode guard;
            auto lq = torch::rand({1, 3, 29, 37}, at::detail::createCPUGenerator(9)) * 2 - 1;
            DiffusionParts parts{m.unet.get(), m.codec.get(), m.schedule.get(), 32};
            SeededNoise n1(11), n2(11);
            auto sr = superResolve(parts, lq, n1, {}, {});
            QCOMPARE(sr.size(2), int64_t(58));
            QCOMPARE(sr.size(3), int64_t(74));
            auto padded = superResolve(parts, padToMultiple(lq, 32), n2, {}, {});
            QCOMPARE(padded.size(2), int64_t(64));
            QVERIFY(maxDiff(sr, padded.slice(2, 0, 58).slice(3, 0, 74)) < 1e-5);
        }
        // The pipeline's tiles (several, overlapping) at scale 2.
        cv::Mat img(45, 70, CV_8UC3);
        cv::randu(img, 0, 255);
        UpscaleRequest req;
        req.image = img;
        req.tiles.tile = 32;
        req.tiles.overlap = 8;
        req.colorFix = ColorFix::None;
        auto up = Pipeline(*model).run(req);
        QVERIFY2(up.isOk(), up.status().message().c_str());
        QCOMPARE(up->image.cols, 140);
        QCOMPARE(up->image.rows, 90);
        QVERIFY(up->tiles > 2);
    }

    // Inpainting needs a mask the app has no input for; the face model restores aligned crops
    // at scale 1: both refused, saying why, before the autoencoder is asked for.
    void inpaintingAndFaceRefused() {
        nn::UNetSwinConfig inpaint = tinyUNet();
        inpaint.imageSize = 16;
        inpaint.lqSize = 64;
        inpaint.condMask = true;
        inpaint.attentionResolutions = {16, 8};
        expectRefused(
            import({weightFile("resshift_inpainting_imagenet_s4.pth", tinyUNetState(inpaint))},
                   nextPackage()),
            {"inpainting", "mask"});
        nn::UNetSwinConfig face = tinyUNet();
        face.imageSize = 8;
        face.lqSize = 64;
        face.inChannels = face.outChannels = 8;
        face.channelMult = {1};
        face.numResBlocks = {1};
        face.attentionResolutions = {8};
        expectRefused(
            import({weightFile("resshift_faceir_s4.pth", tinyUNetState(face))}, nextPackage()),
            {"face", "scale 1"});
    }

    // Damaged or foreign shapes are refused, naming the tensor.
    void inconsistentShapesRefused_data() {
        QTest::addColumn<QString>("tensor");
        QTest::addColumn<int>("change");
        QTest::newRow("output width not a multiple") << "output_blocks.0.0.in_layers.2.weight" << 0;
        QTest::newRow("3-D convolution weight") << "out.2.weight" << 1;
        QTest::newRow("relative position table not square")
            << "middle_block.1.blocks.0.attn.relative_position_bias_table" << 0;
        QTest::newRow("shift mask of the wrong window")
            << "input_blocks.1.1.blocks.1.attn_mask" << 2;
        QTest::newRow("parameter missing") << "input_blocks.1.0.out_layers.3.weight" << 3;
        QTest::newRow("a tensor of another network") << "input_blocks.1.0.adapter.weight" << 4;
        QTest::newRow("time embedding not 4x wide") << "time_embed.0.weight" << 5;
        QTest::newRow("codebook width") << "quantize.embedding.weight" << 6;
    }
    void inconsistentShapesRefused() {
        QFETCH(QString, tensor);
        QFETCH(int, change);
        TensorMap unet = tinyUNetState(tinyUNet());
        TensorMap ae = tinyVQState();
        const std::string name = tensor.toStdString();
        TensorMap& target = name.rfind("quantize", 0) == 0 ? ae : unet;
        switch (change) {
        case 0: // one row/column more
            target[name] = torch::cat({target[name], target[name].narrow(0, 0, 1)}, 0);
            break;
        case 1:
            target[name] = target[name].flatten(2);
            break;
        case 2:
            target[name] = torch::zeros({4, 16, 16});
            break;
        case 3:
            target.erase(name);
            break;
        case 4:
            target[name] = torch::zeros({4, 4});
            break;
        case 5:
            target[name] = torch::zeros({100, 32});
            break;
        case 6:
            target[name] = torch::zeros({32, 4});
            break;
        default:
            break;
        }
        auto r =
            import({weightFile("unet.pth", unet), weightFile("ae.pth", ae)}, nextPackage(), "v3");
        expectRefused(r, {tensor});
    }

    // A config (the official YAML as JSON, or in a .safetensors header) gives the schedule and
    // sizes; where it contradicts the tensors, the import refuses naming both.
    void configs() {
        const nlohmann::json rsdConfig = {
            {"model",
             {{"teacher_ckpt_path", "weights/resshift_realsrx4_s15_v1.pth"},
              {"params",
               {{"image_size", 32},
                {"in_channels", 6},
                {"model_channels", 32},
                {"channel_mult", {1, 2}},
                {"num_res_blocks", {1, 1}}}}}},
            {"diffusion",
             {{"params",
               {{"sf", 4},
                {"steps", 15},
                {"min_noise_level", 0.04},
                {"kappa", 2.0},
                {"schedule_kwargs", {{"power", 0.3}}},
                {"etas_end", 0.99}}}}}};
        // In a header (third-party students ship safetensors with their config): a student.
        const QString out = nextPackage();
        auto r = import({weightFile("student.safetensors", tinyUNetState(tinyUNet()),
                                    {{"config", rsdConfig.dump()}}),
                         weightFile("ae.pth", tinyVQState())},
                        out);
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(r->steps, 1);
        auto arch = architectureOf(out);
        QVERIFY(arch.isOk());
        QCOMPARE(arch->schedule.steps, 15);
        QCOMPARE(arch->schedule.minNoiseLevel, 0.04);
        // A config file: it wins over the header, and a contradiction is refused.
        nlohmann::json wrong = rsdConfig;
        wrong["model"]["params"]["model_channels"] = 64;
        const QString path = tmp_.filePath("wrong.json");
        QVERIFY(testutil::writeAll(path, QByteArray::fromStdString(wrong.dump())));
        expectRefused(import({weightFile("student.pth", tinyUNetState(tinyUNet())),
                              weightFile("ae.pth", tinyVQState())},
                             nextPackage(), {}, path.toStdString()),
                      {"wrong.json", "model_channels is 64", "time_embed.0.weight", "32"});
        wrong = rsdConfig;
        wrong["model"]["params"]["image_size"] = 64;
        QVERIFY(testutil::writeAll(path, QByteArray::fromStdString(wrong.dump())));
        expectRefused(import({weightFile("student.pth", tinyUNetState(tinyUNet())),
                              weightFile("ae.pth", tinyVQState())},
                             nextPackage(), {}, path.toStdString()),
                      {"image_size is 64", "attn_mask", "32"});
        wrong = rsdConfig;
        wrong["diffusion"]["params"]["sf"] = 2;
        QVERIFY(testutil::writeAll(path, QByteArray::fromStdString(wrong.dump())));
        expectRefused(import({weightFile("student.pth", tinyUNetState(tinyUNet())),
                              weightFile("ae.pth", tinyVQState())},
                             nextPackage(), {}, path.toStdString()),
                      {"x2", "x4"});
    }

    // The presets hold the official configs' numbers.
    void presets() {
        const auto* v1 = findResShiftPreset("v1");
        const auto* v3 = findResShiftPreset("v3");
        const auto* x2 = findResShiftPreset("x2");
        const auto* rsd = findResShiftPreset("rsd");
        const auto* sinsr = findResShiftPreset("sinsr");
        QVERIFY(v1 && v3 && x2 && rsd && sinsr && findResShiftPreset("v2") &&
                findResShiftPreset("bicsr"));
        QCOMPARE(v1->schedule.steps, 15);
        QCOMPARE(v1->schedule.minNoiseLevel, 0.04);
        QCOMPARE(v3->schedule.steps, 4);
        QCOMPARE(v3->schedule.minNoiseLevel, 0.2);
        for (const auto* p : {v1, v3, x2, rsd, sinsr}) {
            QCOMPARE(p->schedule.kappa, 2.0);
            QCOMPARE(p->schedule.power, 0.3);
            QCOMPARE(p->schedule.etasEnd, 0.99);
            QVERIFY(ResShiftSchedule::create(p->schedule).isOk());
        }
        QVERIFY(rsd->student && sinsr->student && !v1->student);
        QCOMPARE(rsd->noiseChannels, 1);
        QVERIFY(rsd->schedule.toJson() == v1->schedule.toJson());
        QVERIFY(sinsr->schedule.toJson() == v1->schedule.toJson());
        QCOMPARE(x2->schedule.sf, 2);
        QCOMPARE(x2->lqRatio, 2);
        // v1's 15 steps: sqrt(eta) from min(0.04 / kappa, 0.04) = 0.02 up to 0.99.
        auto s = ResShiftSchedule::create(v1->schedule);
        QVERIFY(s.isOk());
        QCOMPARE(s->sqrtEtas.front(), 0.02);
        QVERIFY(std::abs(s->sqrtEtas.back() - 0.99) < 1e-12);
        for (auto [file, name] : {std::pair{"resshift_realsrx4_s15_v1.pth", "v1"},
                                  {"resshift_realsrx4_s15_v2.pth", "v2"},
                                  {"resshift_realsrx4_s4_v3.pth", "v3"},
                                  {"resshift_bicsrx4_s4.pth", "bicsr"},
                                  {"SinSR_v1.pth", "sinsr"},
                                  {"logs/pretrained_rsd/ema_model_2800.pth", "rsd"},
                                  {"RSD-student.safetensors", "rsd"}}) {
            const auto* p = presetFromFileName(file);
            QVERIFY2(p && p->name == name, file);
        }
        QVERIFY(!presetFromFileName("unet.pth"));
        QVERIFY(!presetFromFileName("wordsdata.pth"));
    }
};

QTEST_GUILESS_MAIN(TestImportResShift)
#include "tst_importresshift.moc"
