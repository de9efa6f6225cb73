// The learned decoder head (codec unshuffle-f4-refine) and `shiftsr-train decoder` on the tiny
// preset: an untrained head is exactly the pixel shuffle, a run resumes exactly, the head's loss
// falls below the plain shuffle's on the base model's own outputs, the package keeps the base's
// network, name, steps and provenance and loads and runs, a one-step student can get a head too.
#include "testutil.h"
#include "train_testutil.h"
#include "upscale_util.h"

#include "shiftsr/nn/codec.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/sha256.h"
#include "shiftsr/nn/tensor_io.h"

#include "shiftsr/engine/model.h"
#include "shiftsr/engine/safetensors.h"
#include "shiftsr/training/decoder.h"
#include "shiftsr/training/rsd.h"
#include "shiftsr/training/teacher.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace shiftsr;
using namespace shiftsr::training;

namespace {

TrainJob baseJob(const QString& photos) {
    return testutil::tinyJob(photos, 9);
}

TrainJob decoderJob(const QString& photos, const QString& base, int steps) {
    TrainJob j = baseJob(photos);
    j.kind = "decoder";
    j.baseModel = base.toStdString();
    j.steps = steps;
    j.lr = 2e-3;
    j.lrMin = 2e-3;
    j.warmup = 0;
    j.ema = 0.5;
    j.refineChannels = 8;
    j.refineLayers = 3;
    return j;
}

// A decoder job that learns fast enough for its losses to fall within a few dozen steps (batch 4,
// constant lr 1e-2, a 16-wide head, no checkpoints).
TrainJob fastDecoderJob(const QString& photos, const QString& base, int steps) {
    TrainJob j = decoderJob(photos, base, steps);
    j.batch = 4;
    j.lr = j.lrMin = 1e-2;
    j.refineChannels = 16;
    j.checkpointEvery = 1000;
    return j;
}

std::map<std::string, torch::Tensor> tensorsOf(const QString& path, const char* prefix) {
    auto f = SafeTensorsFile::open(path.toStdString());
    if (!f)
        return {};
    auto t = readTensors(*f, prefix);
    return t ? *t : std::map<std::string, torch::Tensor>{};
}

using testutil::provenanceOf;

} // namespace

class TestDecoder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        photos_ = tmp_.filePath("photos");
        testutil::makePhotos(photos_, 6, 96, 96, 17);
        std::string error;
        teacher_ = testutil::trainTinyTeacher(photos_, tmp_.filePath("teacher"), 9, &error);
        QVERIFY2(!teacher_.isEmpty(), error.c_str());
        QVERIFY(QFile::exists(teacher_));
    }

    // The head's last convolution starts at zero: decode is exactly the plain pixel shuffle, and
    // the head's parameters are the documented ones.
    void untrainedHeadIsTheShuffle() {
        nn::RefinerConfig rc;
        rc.channels = 16;
        rc.layers = 4;
        RefineCodec codec(rc);
        UnshuffleCodec plain(4);
        torch::manual_seed(1);
        auto image = torch::rand({2, 3, 32, 24}) * 2 - 1;
        torch::NoGradGuard ng;
        QVERIFY(torch::equal(codec.encode(image), plain.encode(image)));
        auto latent = torch::randn({2, 48, 8, 6});
        QVERIFY(torch::equal(codec.decode(latent), plain.decode(latent)));
        QStringList names;
        for (const auto& p : codec.module()->named_parameters())
            names << QString::fromStdString(p.key());
        QCOMPARE(names, (QStringList{"conv0.weight", "conv0.bias", "conv1.weight", "conv1.bias",
                                     "conv2.weight", "conv2.bias", "conv3.weight", "conv3.bias"}));
        QCOMPARE(codec.module()->named_parameters()["conv0.weight"].sizes(),
                 (at::IntArrayRef{16, 3, 3, 3}));
        QCOMPARE(codec.module()->named_parameters()["conv3.weight"].sizes(),
                 (at::IntArrayRef{3, 16, 3, 3}));
        // A non-zero head changes the output and keeps its size, also for a 2-pixel-wide image.
        for (auto& p : codec.module()->parameters())
            p.normal_(0, 0.1);
        QVERIFY(!torch::equal(codec.decode(latent), plain.decode(latent)));
        QCOMPARE(codec.decode(torch::randn({1, 48, 1, 1})).sizes(), (at::IntArrayRef{1, 3, 4, 4}));
        // strength scales the correction: 0.5 lands halfway between the shuffle and the full head.
        rc.strength = 0.5;
        RefineCodec half(rc);
        auto src = codec.module()->parameters(), dst = half.module()->parameters();
        for (size_t i = 0; i < src.size(); ++i)
            dst[i].copy_(src[i]);
        auto mid = (codec.decode(latent) + plain.decode(latent)) / 2;
        QVERIFY((half.decode(latent) - mid).abs().max().item<double>() < 1e-5);
    }

    void metadataRoundTrip() {
        auto f = SafeTensorsFile::open(teacher_.toStdString());
        QVERIFY(f.isOk());
        auto arch = Architecture::fromMetadata(f->metadata());
        QVERIFY(arch.isOk());
        arch->codec = "unshuffle-f4-refine";
        arch->refine.channels = 24;
        arch->refine.layers = 5;
        arch->refine.strength = 0.25;
        auto again = Architecture::fromMetadata(arch->toMetadata());
        QVERIFY2(again.isOk(), again.status().message().c_str());
        QCOMPARE(again->codec, std::string("unshuffle-f4-refine"));
        QCOMPARE(again->refine.channels, 24);
        QCOMPARE(again->refine.layers, 5);
        QCOMPARE(again->refine.strength, 0.25);
        QCOMPARE(again->makeCodec()->name(), std::string("unshuffle-f4-refine"));
        auto m = arch->toMetadata();
        m["codec_config"] = R"({"channels": 0, "layers": 4})";
        QVERIFY(!Architecture::fromMetadata(m).isOk());
        m.erase("codec_config");
        QVERIFY(!Architecture::fromMetadata(m).isOk());
    }

    void runResumesExactly() {
        TrainJob j = decoderJob(photos_, teacher_, 4);
        RunOptions straight;
        straight.runDir = tmp_.filePath("straight").toStdString();
        Status s = runDecoder(j, straight);
        QVERIFY2(s.isOk(), s.message().c_str());
        RunOptions first;
        first.runDir = tmp_.filePath("split").toStdString();
        first.maxSteps = 2;
        QVERIFY(runDecoder(j, first).isOk());
        RunOptions second = first;
        second.maxSteps = -1;
        second.resume = true;
        s = runDecoder(j, second);
        QVERIFY2(s.isOk(), s.message().c_str());
        const auto a = testutil::latestCheckpoint(tmp_.filePath("straight")),
                   b = testutil::latestCheckpoint(tmp_.filePath("split"));
        QVERIFY(!a.empty() && a.size() == b.size());
        double d = 0;
        for (const auto& [k, v] : a)
            d = std::max(d, (v - b.at(k)).abs().max().item<double>());
        QVERIFY2(d < 1e-6, qPrintable(QString("straight vs resumed: max |diff| %1").arg(d)));
    }

    // On the base model's own 4-step samples the head's pixel MSE falls, and ends below the
    // plain shuffle's on the same samples (logged as base_loss).
    void lossFallsBelowTheShuffle() {
        TrainJob j = fastDecoderJob(photos_, teacher_, 40);
        j.validateEvery = 40;
        RunOptions ro;
        ro.runDir = tmp_.filePath("losses").toStdString();
        Status s = runDecoder(j, ro);
        QVERIFY2(s.isOk(), s.message().c_str());
        std::vector<double> loss, base;
        QJsonObject val;
        for (const auto& line : testutil::readRunLog(tmp_.filePath("losses"))) {
            if (line.contains("loss")) {
                loss.push_back(line["loss"].toDouble());
                base.push_back(line["base_loss"].toDouble());
            }
            if (line.contains("val"))
                val = line["val"].toObject();
        }
        QCOMPARE(int(loss.size()), 40);
        QVERIFY(val.contains("psnr_y") && std::isfinite(val["psnr_y"].toDouble()));
        auto mean = [](const std::vector<double>& v, size_t from, size_t n) {
            double sum = 0;
            for (size_t i = from; i < from + n; ++i)
                sum += v[i];
            return sum / double(n);
        };
        const size_t n = 8;
        // Step 1's loss is the shuffle's (the head starts at zero).
        QVERIFY2(std::abs(loss[0] - base[0]) < 1e-6 * (1 + base[0]),
                 qPrintable(QString("%1 vs %2").arg(loss[0]).arg(base[0])));
        const double lastHead = mean(loss, loss.size() - n, n),
                     lastBase = mean(base, base.size() - n, n);
        qInfo("head MSE, last %d steps %.5f; plain shuffle on the same samples %.5f", int(n),
              lastHead, lastBase);
        QVERIFY2(lastHead < 0.9 * lastBase,
                 qPrintable(QString("head %1 vs shuffle %2").arg(lastHead).arg(lastBase)));
    }

    // With decoder.ssim_weight the head also learns 1 - SSIM-Y: the term is logged and falls,
    // `loss` stays the pixel MSE, and the package says what the head was fitted to.
    void ssimTermFalls() {
        TrainJob j = fastDecoderJob(photos_, teacher_, 30);
        j.refineSsimWeight = 1;
        RunOptions ro;
        ro.runDir = tmp_.filePath("ssim").toStdString();
        Status s = runDecoder(j, ro);
        QVERIFY2(s.isOk(), s.message().c_str());
        std::vector<double> ssim, loss, base;
        for (const auto& line : testutil::readRunLog(tmp_.filePath("ssim")))
            if (line.contains("ssim_loss")) {
                ssim.push_back(line["ssim_loss"].toDouble());
                loss.push_back(line["loss"].toDouble());
                base.push_back(line["base_loss"].toDouble());
            }
        QCOMPARE(int(ssim.size()), 30);
        QVERIFY2(std::abs(loss[0] - base[0]) < 1e-6 * (1 + base[0]),
                 "loss is the head's pixel MSE");
        const double first = (ssim[0] + ssim[1] + ssim[2]) / 3,
                     last = (ssim[27] + ssim[28] + ssim[29]) / 3;
        qInfo("ssim_loss: first 3 steps %.4f, last 3 %.4f", first, last);
        QVERIFY2(last < 0.9 * first,
                 qPrintable(QString("ssim_loss %1 -> %2").arg(first).arg(last)));
        auto m = Model::load(tmp_.filePath("ssim/model.safetensors").toStdString(),
                             LoadOptions{"cpu", "fp32"});
        QVERIFY2(m.isOk(), m.status().message().c_str());
        const QString term = provenanceOf(**m)["decoder"].toObject()["loss"].toString();
        QVERIFY2(term.startsWith("pixel MSE + 1.0 (1 - SSIM-Y)"), qPrintable(term));
    }

    // The package is the base with a head: same UNet tensors, name, steps and provenance, plus
    // provenance.decoder naming the base's sha256; it loads and upscales; export of the finished
    // run gives the same head.
    void packageKeepsTheBase() {
        const QString pkg = tmp_.filePath("straight/model.safetensors");
        QVERIFY(QFile::exists(pkg));
        auto a = tensorsOf(pkg, "unet."), b = tensorsOf(teacher_, "unet.");
        QVERIFY(!a.empty() && a.size() == b.size());
        for (const auto& [k, v] : a)
            QVERIFY2(torch::equal(v, b.at(k)), k.c_str());
        QCOMPARE(int(tensorsOf(pkg, "codec.").size()), 6);

        auto m = Model::load(pkg.toStdString(), LoadOptions{"cpu", "fp32"});
        QVERIFY2(m.isOk(), m.status().message().c_str());
        auto base = Model::load(teacher_.toStdString(), LoadOptions{"cpu", "fp32"});
        QVERIFY(base.isOk());
        QCOMPARE((*m)->info().codec, std::string("unshuffle-f4-refine"));
        QCOMPARE((*m)->info().name, (*base)->info().name);
        QCOMPARE((*m)->info().steps, (*base)->info().steps);
        QVERIFY((*m)->info().codecParameters > 0);
        const auto prov = provenanceOf(**m), baseProv = provenanceOf(**base);
        for (const QString& key : baseProv.keys())
            QVERIFY2(prov[key] == baseProv[key], qPrintable(key));
        const auto dec = prov["decoder"].toObject();
        QCOMPARE(dec["base_sha256"].toString().toStdString(), sha256File(teacher_.toStdString()));
        QCOMPARE(dec["training"].toString(), QString("decoder"));
        QCOMPARE(dec["sampler_steps"].toInt(), 4);

        cv::Mat lq(24, 20, CV_8UC3);
        cv::randu(lq, 60, 190);
        testutil::RawRun o;
        o.seed = 3;
        auto r = testutil::rawUpscale(*m, lq, o);
        auto r0 = testutil::rawUpscale(*base, lq, o);
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QVERIFY(r0.isOk());
        QCOMPARE(r->image.cols, 80);
        QVERIFY(cv::norm(r->image, r0->image, cv::NORM_INF) > 0); // the head acts

        const QString out = tmp_.filePath("export.safetensors");
        int step = 0;
        Status s = exportCheckpoint(decoderJob(photos_, teacher_, 4),
                                    tmp_.filePath("straight").toStdString(), out.toStdString(),
                                    &step, /*half=*/true);
        QVERIFY2(s.isOk(), s.message().c_str());
        QCOMPARE(step, 4);
        auto ea = tensorsOf(out, "codec."), eb = tensorsOf(pkg, "codec.");
        QCOMPARE(ea.size(), eb.size());
        for (const auto& [k, v] : ea)
            QVERIFY2(torch::equal(v, eb.at(k)), k.c_str());
        auto e = Model::load(out.toStdString(), LoadOptions{"cpu", "fp32"});
        QVERIFY2(e.isOk(), e.status().message().c_str());
        QCOMPARE(provenanceOf(**e)["stored_as"].toString(), QString("f16"));
        QCOMPARE((*e)->info().metadata.at("codec_config"),
                 std::string(R"({"channels":8,"layers":3,"strength":1.0})"));

        // --strength: the same head, applied at half its correction.
        TrainJob half = decoderJob(photos_, teacher_, 4);
        half.refineStrength = 0.5;
        const QString outHalf = tmp_.filePath("export-half.safetensors");
        s = exportCheckpoint(half, tmp_.filePath("straight").toStdString(), outHalf.toStdString(),
                             &step);
        QVERIFY2(s.isOk(), s.message().c_str());
        auto h = Model::load(outHalf.toStdString(), LoadOptions{"cpu", "fp32"});
        QVERIFY2(h.isOk(), h.status().message().c_str());
        QCOMPARE((*h)->info().metadata.at("codec_config"),
                 std::string(R"({"channels":8,"layers":3,"strength":0.5})"));
        auto rh = testutil::rawUpscale(*h, lq, o);
        QVERIFY(rh.isOk());
        cv::Mat a16, b16, c16;
        r->image.convertTo(a16, CV_32F);
        r0->image.convertTo(b16, CV_32F);
        rh->image.convertTo(c16, CV_32F);
        // Halfway, up to 8-bit rounding and clipping (the colour fix is linear).
        const double meanDiff =
            cv::norm(c16, (a16 + b16) / 2, cv::NORM_L1) / double(c16.total() * 3);
        const double meanHead = cv::norm(a16, b16, cv::NORM_L1) / double(a16.total() * 3);
        qInfo("strength 0.5: mean |out - halfway| %.3f levels; the full head moves pixels by %.3f",
              meanDiff, meanHead);
        QVERIFY(meanDiff < 0.6);
    }

    // A one-step RSD student (extra noise input) gets a head fitted to its one-step outputs; a
    // head can be continued, but not with another shape.
    void studentAndContinuation() {
        TrainJob r = baseJob(photos_);
        r.kind = "rsd";
        r.teacherModel = teacher_.toStdString();
        r.steps = 1;
        r.lr = r.lrMin = 1e-3;
        r.warmup = 0;
        RunOptions ro;
        ro.runDir = tmp_.filePath("student").toStdString();
        Status s = runRsd(r, ro);
        QVERIFY2(s.isOk(), s.message().c_str());
        const QString student = tmp_.filePath("student/model.safetensors");

        TrainJob j = decoderJob(photos_, student, 2);
        ro.runDir = tmp_.filePath("student-head").toStdString();
        s = runDecoder(j, ro);
        QVERIFY2(s.isOk(), s.message().c_str());
        auto m = Model::load(tmp_.filePath("student-head/model.safetensors").toStdString(),
                             LoadOptions{"cpu", "fp32"});
        QVERIFY2(m.isOk(), m.status().message().c_str());
        QCOMPARE((*m)->info().steps, 1);
        const auto prov = provenanceOf(**m);
        QCOMPARE(prov["teacher_sha256"].toString().toStdString(),
                 sha256File(teacher_.toStdString()));
        QCOMPARE(prov["decoder"].toObject()["sampler_steps"].toInt(), 1);
        auto up = testutil::rawUpscale(*m, cv::Mat(16, 16, CV_8UC3, cv::Scalar(10, 200, 90)));
        QVERIFY2(up.isOk(), up.status().message().c_str());

        // Continue: the new run starts from the package's head.
        TrainJob c = decoderJob(photos_, tmp_.filePath("student-head/model.safetensors"), 1);
        c.lr = c.lrMin = 1e-12;
        ro.runDir = tmp_.filePath("student-head-2").toStdString();
        s = runDecoder(c, ro);
        QVERIFY2(s.isOk(), s.message().c_str());
        auto h1 = tensorsOf(tmp_.filePath("student-head/model.safetensors"), "codec."),
             h2 = tensorsOf(tmp_.filePath("student-head-2/model.safetensors"), "codec.");
        double d = 0;
        for (const auto& [k, v] : h1)
            d = std::max(d, (v - h2.at(k)).abs().max().item<double>());
        QVERIFY2(d < 1e-6, qPrintable(QString("continued head moved by %1").arg(d)));
        QVERIFY(provenanceOf(
                    **Model::load(tmp_.filePath("student-head-2/model.safetensors").toStdString(),
                                  LoadOptions{"cpu", "fp32"}))["decoder"]
                    .toObject()["continued_from_base_head"]
                    .toBool());

        c.refineChannels = 16;
        ro.runDir = tmp_.filePath("student-head-3").toStdString();
        s = runDecoder(c, ro);
        QVERIFY(!s.isOk());
        QVERIFY2(QString::fromStdString(s.message()).contains("decoder head"), s.message().c_str());
    }

    void jobValidation() {
        auto parsed = TrainJob::fromJson(R"({"kind": "decoder", "data": {"train": "x"}})");
        QVERIFY(!parsed.isOk());
        QVERIFY(QString::fromStdString(parsed.status().message()).contains("base"));
        auto ok = TrainJob::fromJson(
            R"({"kind": "decoder", "base": "b.safetensors", "data": {"train": "x"},
                                         "decoder": {"channels": 24, "layers": 5, "steps": 1}})");
        QVERIFY2(ok.isOk(), ok.status().message().c_str());
        QCOMPARE(ok->refineChannels, 24);
        QCOMPARE(ok->refineLayers, 5);
        QCOMPARE(ok->refineSteps, 1);
        QCOMPARE(ok->lr, 5e-4);
        QCOMPARE(ok->ema, 0.99);
        auto again = TrainJob::fromJson(ok->toJson());
        QVERIFY(again.isOk());
        QCOMPARE(again->baseModel, std::string("b.safetensors"));
        QCOMPARE(again->refineLayers, 5);
        QVERIFY(
            !TrainJob::fromJson(
                 R"({"kind": "decoder", "base": "b", "data": {"train": "x"}, "decoder": {"layers": 1}})")
                 .isOk());
        auto ssim = TrainJob::fromJson(
            R"({"kind": "decoder", "base": "b", "data": {"train": "x"}, "decoder": {"ssim_weight": 0.25}})");
        QVERIFY2(ssim.isOk(), ssim.status().message().c_str());
        QCOMPARE(TrainJob::fromJson(ssim->toJson())->refineSsimWeight, 0.25);
        QVERIFY(
            !TrainJob::fromJson(
                 R"({"kind": "decoder", "base": "b", "data": {"train": "x"}, "decoder": {"ssim_weight": -1}})")
                 .isOk());
        TrainJob j = decoderJob(photos_, teacher_, 2);
        j.refineSteps = 3; // neither 1 nor T
        RunOptions ro;
        ro.runDir = tmp_.filePath("bad-steps").toStdString();
        QVERIFY(!runDecoder(j, ro).isOk());
        j = decoderJob(photos_, tmp_.filePath("missing.safetensors"), 2);
        ro.runDir = tmp_.filePath("missing").toStdString();
        QVERIFY(!runDecoder(j, ro).isOk());
    }

private:
    QTemporaryDir tmp_;
    QString photos_, teacher_;
};

QTEST_GUILESS_MAIN(TestDecoder)
#include "tst_decoder.moc"
