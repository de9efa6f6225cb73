// RSD one-step distillation on the tiny preset: the student starts as its teacher, a run resumes
// exactly, every loss term is logged and finite, and the package is a one-step model that names
// its teacher.
#include "common.h"
#include "rsd_init.h"
#include "testutil.h"
#include "train_testutil.h"
#include "upscale_util.h"

#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/sampler.h"
#include "shiftsr/nn/sha256.h"
#include "shiftsr/nn/tensor_io.h"

#include "shiftsr/engine/metrics.h"
#include "shiftsr/engine/model.h"
#include "shiftsr/engine/safetensors.h"
#include "shiftsr/training/rsd.h"
#include "shiftsr/training/teacher.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <random>

using namespace shiftsr;
using namespace shiftsr::training;

namespace {

TrainJob baseJob(const QString& photos) {
    return testutil::tinyJob(photos, 5);
}

constexpr int kLossSteps = 40;

// An rsd job on the tiny teacher with a learning rate that moves a tiny model in a few steps.
TrainJob rsdJob(const QString& photos, const QString& teacher, int steps) {
    TrainJob j = baseJob(photos);
    j.kind = "rsd";
    j.teacherModel = teacher.toStdString();
    j.steps = steps;
    j.lr = j.lrMin = 1e-3;
    j.warmup = 0;
    j.beta2 = 0.95;
    return j;
}

} // namespace

class TestRsd : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        photos_ = tmp_.filePath("photos");
        testutil::makePhotos(photos_, 6, 96, 96, 11);
        std::string error;
        teacher_ = testutil::trainTinyTeacher(photos_, tmp_.filePath("teacher"), 5, &error);
        QVERIFY2(!teacher_.isEmpty(), error.c_str());
        QVERIFY(QFile::exists(teacher_));
    }

    // Zero-initialised noise weights: the student is the teacher whatever z is.
    void studentStartsAsTeacher() {
        auto f = SafeTensorsFile::open(teacher_.toStdString());
        QVERIFY(f.isOk());
        auto arch = Architecture::fromMetadata(f->metadata());
        QVERIFY(arch.isOk());
        auto teacher = std::make_shared<nn::UNetModelSwinImpl>(arch->unet);
        auto tensors = readTensors(*f, "unet.");
        QVERIFY(tensors.isOk());
        QVERIFY(loadStateDict(*teacher, *tensors, "teacher").isOk());
        auto sc = arch->unet;
        sc.extraInputChannels = 1;
        auto student = std::make_shared<nn::UNetModelSwinImpl>(sc);
        initStudentFromTeacher(*teacher, *student, arch->unet.inChannels);
        torch::NoGradGuard ng;
        torch::manual_seed(3);
        const int64_t lat = arch->unet.imageSize;
        auto x = torch::randn({2, arch->unet.inChannels, lat, lat});
        auto lq = torch::randn({2, 3, lat, lat});
        auto t = torch::tensor({3, 1}, torch::kLong);
        auto want = teacher->forward(x, t, lq);
        for (double zScale : {0.0, 1.0, 10.0}) {
            auto got = student->forward(torch::cat({x, torch::randn({2, 1, lat, lat}) * zScale}, 1),
                                        t, lq);
            QVERIFY2((got - want).abs().max().item<double>() < 1e-5,
                     qPrintable(QString("z scale %1").arg(zScale)));
        }
    }

    void runResumesExactly() {
        TrainJob j = rsdJob(photos_, teacher_, 4);
        j.fakeUpdates = 2;
        RunOptions straight;
        straight.runDir = tmp_.filePath("straight").toStdString();
        Status s = runRsd(j, straight);
        QVERIFY2(s.isOk(), s.message().c_str());

        RunOptions first;
        first.runDir = tmp_.filePath("split").toStdString();
        first.maxSteps = 2;
        QVERIFY(runRsd(j, first).isOk());
        RunOptions second = first;
        second.maxSteps = -1;
        second.resume = true;
        s = runRsd(j, second);
        QVERIFY2(s.isOk(), s.message().c_str());

        const auto a = testutil::latestCheckpoint(tmp_.filePath("straight")),
                   b = testutil::latestCheckpoint(tmp_.filePath("split"));
        QVERIFY(!a.empty() && a.size() == b.size());
        double d = 0;
        for (const auto& [k, v] : a)
            d = std::max(d, (v - b.at(k)).abs().max().item<double>());
        QVERIFY2(d < 1e-5, qPrintable(QString("straight vs resumed: max |diff| %1").arg(d)));

        QJsonObject last;
        for (const auto& line : testutil::readRunLog(tmp_.filePath("straight")))
            if (line.contains("loss"))
                last = line;
        for (const char* key :
             {"loss", "dm_loss", "supervised_loss", "fake_loss", "gan_loss", "disc_loss"}) {
            QVERIFY2(last.contains(key), key);
            QVERIFY2(std::isfinite(last[key].toDouble()), key);
        }
    }

    // Both sides learn: the fake model's ResShift loss on the student's outputs falls, and so does
    // the student's supervised loss. The distribution-matching term is not asserted: its value,
    // |f_T - x|^2 - |f_F - x|^2 (normalised), starts at 0 (fake = teacher) and grows as the fake
    // learns the student's outputs; its gradient, not its value, is what moves the student.
    void lossesFall() {
        TrainJob j = rsdJob(photos_, teacher_, kLossSteps);
        j.batch = 4;
        j.fakeLr = 1e-3;
        j.checkpointEvery = 1000;
        RunOptions ro;
        ro.runDir = tmp_.filePath("losses").toStdString();
        Status s = runRsd(j, ro);
        QVERIFY2(s.isOk(), s.message().c_str());
        std::map<std::string, std::vector<double>> series;
        for (const auto& line : testutil::readRunLog(tmp_.filePath("losses")))
            if (line.contains("loss"))
                for (const char* key :
                     {"loss", "fake_loss", "dm_loss", "supervised_loss", "teacher_mse"})
                    series[key].push_back(line[key].toDouble());
        QCOMPARE(int(series["loss"].size()), kLossSteps);
        for (const auto& [key, v] : series)
            for (double x : v)
                QVERIFY2(std::isfinite(x), key.c_str());
        auto mean = [](const std::vector<double>& v, size_t from, size_t n) {
            double sum = 0;
            for (size_t i = from; i < from + n; ++i)
                sum += v[i];
            return sum / double(n);
        };
        const size_t n = 5;
        for (const char* key : {"fake_loss", "supervised_loss"}) {
            const auto& v = series[key];
            const double first = mean(v, 0, n), last = mean(v, v.size() - n, n);
            qInfo("%s: first %d steps %.5f, last %d steps %.5f", key, int(n), first, int(n), last);
            QVERIFY2(last < 0.8 * first,
                     qPrintable(QString("%1 %2 -> %3").arg(key).arg(first).arg(last)));
        }
    }

    void packageIsOneStepAndNamesItsTeacher() {
        const QString pkg = tmp_.filePath("straight/model.safetensors");
        QVERIFY(QFile::exists(pkg));
        auto m = Model::load(pkg.toStdString(), LoadOptions{"cpu", "fp32"});
        QVERIFY2(m.isOk(), m.status().message().c_str());
        QCOMPARE((*m)->info().steps, 1);
        const auto prov = testutil::provenanceOf(**m);
        QCOMPARE(prov["teacher_sha256"].toString().toStdString(),
                 sha256File(teacher_.toStdString()));
        QCOMPARE(prov["training"].toString(), QString("rsd"));
        cv::Mat lq(24, 20, CV_8UC3, cv::Scalar(40, 120, 200));
        auto r = testutil::rawUpscale(*m, lq);
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(r->steps, 1);
        QCOMPARE(r->image.cols, 80);
    }

    // `shiftsr-train export` on an rsd run: the latest checkpoint's student EMA, so on a finished
    // run exactly the finished package's weights; mid-run a one-step package marked unfinished.
    void exportReadsTheStudent() {
        TrainJob j = rsdJob(photos_, teacher_, 4);
        j.fakeUpdates = 2;
        const QString out = tmp_.filePath("export-finished.safetensors");
        int step = 0;
        Status s =
            exportCheckpoint(j, tmp_.filePath("straight").toStdString(), out.toStdString(), &step);
        QVERIFY2(s.isOk(), s.message().c_str());
        QCOMPARE(step, 4);
        auto fa = SafeTensorsFile::open(out.toStdString());
        auto fb = SafeTensorsFile::open(tmp_.filePath("straight/model.safetensors").toStdString());
        QVERIFY(fa.isOk() && fb.isOk());
        auto a = readTensors(*fa, "unet."), b = readTensors(*fb, "unet.");
        QVERIFY(a.isOk() && b.isOk());
        QCOMPARE(a->size(), b->size());
        for (const auto& [k, v] : *a)
            QVERIFY2(torch::equal(v, b->at(k)), k.c_str());

        RunOptions ro;
        ro.runDir = tmp_.filePath("midway").toStdString();
        ro.maxSteps = 2;
        QVERIFY(runRsd(j, ro).isOk());
        const QString mid = tmp_.filePath("export-midway.safetensors");
        s = exportCheckpoint(j, ro.runDir, mid.toStdString(), &step, /*half=*/true, /*raw=*/true);
        QVERIFY2(s.isOk(), s.message().c_str());
        QCOMPARE(step, 2);
        auto m = Model::load(mid.toStdString(), LoadOptions{"cpu", "fp32"});
        QVERIFY2(m.isOk(), m.status().message().c_str());
        QCOMPARE((*m)->info().steps, 1);
        QVERIFY((*m)->info().name.find("(step 2 of 4)") != std::string::npos);
        const auto prov = testutil::provenanceOf(**m);
        QCOMPARE(prov["finished"].toBool(), false);
        QCOMPARE(prov["weights"].toString(), QString("raw"));
        QCOMPARE(prov["stored_as"].toString(), QString("f16"));
        QCOMPARE(prov["teacher_sha256"].toString().toStdString(),
                 sha256File(teacher_.toStdString()));
        auto r = testutil::rawUpscale(*m, cv::Mat(24, 20, CV_8UC3, cv::Scalar(40, 120, 200)));
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(r->steps, 1);
    }

    // The differentiable SSIM-Y loss is 1 - the metric `shiftsr-cli eval` reports.
    void ssimLossIsTheMetric() {
        torch::manual_seed(9);
        namespace F = torch::nn::functional;
        auto smooth = [](const torch::Tensor& x) {
            return F::avg_pool2d(
                x, F::AvgPool2dFuncOptions(3).stride(1).padding(1).count_include_pad(false));
        };
        auto a = smooth(torch::rand({2, 3, 40, 36}) * 2 - 1);
        auto b = (a + 0.3 * torch::randn_like(a)).clamp(-1, 1);
        auto toMat = [](const torch::Tensor& img) { // [3, H, W] RGB [-1, 1] -> BGR float [0, 1]
            auto hwc = ((img + 1) * 0.5).permute({1, 2, 0}).flip(2).contiguous();
            return cv::Mat(int(hwc.size(0)), int(hwc.size(1)), CV_32FC3, hwc.data_ptr<float>())
                .clone();
        };
        double want = 0;
        for (int i = 0; i < 2; ++i)
            want += 1 - metrics::ssimY(toMat(b[i]), toMat(a[i]));
        want /= 2;
        const double got = ssimLossY(b, a).item<double>();
        QVERIFY2(std::abs(got - want) < 1e-4,
                 qPrintable(QString("loss %1, 1 - metric %2").arg(got).arg(want)));
        QVERIFY(want > 0.05);
        QVERIFY(ssimLossY(a, a).item<double>() < 1e-6);
        auto x = b.clone().requires_grad_(true);
        ssimLossY(x, a).backward();
        QVERIFY(x.grad().defined() && x.grad().abs().sum().item<double>() > 0 &&
                torch::isfinite(x.grad()).all().item<bool>());
    }

    // A run can continue an earlier student of the same teacher (job "init") with the SSIM term:
    // it starts from that student's weights, names it in the provenance, and the term falls.
    void continuesAStudentWithSsim() {
        const QString earlier = tmp_.filePath("straight/model.safetensors");
        QVERIFY(QFile::exists(earlier));
        TrainJob j = rsdJob(photos_, teacher_, 30);
        j.initModel = earlier.toStdString();
        j.ssimWeight = 1;
        j.dmWeight = 0.1;
        j.batch = 4;
        j.checkpointEvery = 1000;
        // one step at a vanishing learning rate: the student is still the earlier one, not a fresh
        // one
        TrainJob probe = j;
        probe.lr = probe.lrMin = 1e-9;
        probe.fakeLr = 1e-9;
        RunOptions first;
        first.runDir = tmp_.filePath("continued-probe").toStdString();
        first.maxSteps = 1;
        QVERIFY(runRsd(probe, first).isOk());
        const QString oneStep = tmp_.filePath("continued-step1.safetensors");
        int step = 0;
        Status s = exportCheckpoint(probe, first.runDir, oneStep.toStdString(), &step,
                                    /*half=*/false, /*raw=*/true);
        QVERIFY2(s.isOk(), s.message().c_str());
        QCOMPARE(step, 1);
        auto unetOf = [](const QString& path) {
            auto f = SafeTensorsFile::open(path.toStdString());
            return f.isOk() ? readTensors(*f, "unet.").value()
                            : std::map<std::string, torch::Tensor>{};
        };
        const auto before = unetOf(earlier), after = unetOf(oneStep), teacher = unetOf(teacher_);
        QVERIFY(!before.empty() && before.size() == after.size());
        // the teacher with a zero noise channel, as a run without "init" starts
        auto tf = SafeTensorsFile::open(teacher_.toStdString());
        QVERIFY(tf.isOk());
        auto arch = Architecture::fromMetadata(tf->metadata());
        QVERIFY(arch.isOk());
        auto teacherNet = std::make_shared<nn::UNetModelSwinImpl>(arch->unet);
        QVERIFY(loadStateDict(*teacherNet, teacher, "teacher").isOk());
        auto sc = arch->unet;
        sc.extraInputChannels = 1;
        auto freshNet = std::make_shared<nn::UNetModelSwinImpl>(sc);
        initStudentFromTeacher(*teacherNet, *freshNet, arch->unet.inChannels);
        std::map<std::string, torch::Tensor> fresh;
        for (const auto& p : freshNet->named_parameters(true))
            fresh[p.key()] = p.value().detach();
        auto l1 = [&fresh](const std::map<std::string, torch::Tensor>& a,
                           const std::map<std::string, torch::Tensor>& b) {
            double d = 0;
            for (const auto& kv : fresh) // parameters only (packages also hold buffers)
                d += (a.at(kv.first) - b.at(kv.first)).abs().sum().item<double>();
            return d;
        };
        const double moved = l1(after, before), fromFresh = l1(before, fresh);
        QVERIFY2(fromFresh > 0 && moved < 0.01 * fromFresh,
                 qPrintable(QString("one step moved %1, the earlier student is %2 from a fresh one")
                                .arg(moved)
                                .arg(fromFresh)));
        RunOptions ro;
        ro.runDir = tmp_.filePath("continued").toStdString();
        s = runRsd(j, ro);
        QVERIFY2(s.isOk(), s.message().c_str());
        const std::vector<double> ssim =
            testutil::logSeries(tmp_.filePath("continued"), "ssim_loss");
        QCOMPARE(int(ssim.size()), 30);
        const double firstMean = (ssim[0] + ssim[1] + ssim[2] + ssim[3] + ssim[4]) / 5;
        const double lastMean = (ssim[25] + ssim[26] + ssim[27] + ssim[28] + ssim[29]) / 5;
        qInfo("ssim_loss: first 5 steps %.4f, last 5 %.4f", firstMean, lastMean);
        QVERIFY2(lastMean < 0.9 * firstMean,
                 qPrintable(QString("ssim_loss %1 -> %2").arg(firstMean).arg(lastMean)));
        auto m = Model::load(tmp_.filePath("continued/model.safetensors").toStdString(),
                             LoadOptions{"cpu", "fp32"});
        QVERIFY2(m.isOk(), m.status().message().c_str());
        const auto prov = testutil::provenanceOf(**m);
        QCOMPARE(prov["init"].toObject()["sha256"].toString().toStdString(),
                 sha256File(earlier.toStdString()));
        QVERIFY(prov["supervised_term"].toString().contains("SSIM"));

        // a teacher is not a student: its first convolution has no noise channel
        TrainJob wrong = rsdJob(photos_, teacher_, 2);
        wrong.initModel = teacher_.toStdString();
        ro.runDir = tmp_.filePath("wrong-init").toStdString();
        s = runRsd(wrong, ro);
        QVERIFY(!s.isOk());
        QVERIFY2(QString::fromStdString(s.message()).contains("init"), s.message().c_str());
    }

    // A student names the teacher package it was distilled from; the same UNet weights may since
    // have been repackaged or given a decoder head (the embedded lite-rsd names the lite-teacher
    // before both), and such a student still continues from the teacher as it is now.
    void sameUNetHashesFollowRepackagingAndDecoderBase() {
        const std::string prov = R"({"repackaged": [{"from_sha256": "aaa"}, {"from_sha256": "bbb"}],
                                     "decoder": {"base": "x", "base_sha256": "ccc"},
                                     "init_sha256": "not-the-same-weights"})";
        QCOMPARE(sameUNetHashes("now", prov),
                 (std::vector<std::string>{"now", "aaa", "bbb", "ccc"}));
        QCOMPARE(sameUNetHashes("now", ""), std::vector<std::string>{"now"});
        QCOMPARE(sameUNetHashes("now", "{broken"), std::vector<std::string>{"now"});
        QCOMPARE(sameUNetHashes("now", R"({"repackaged": 3, "decoder": {"base_sha256": ""}})"),
                 std::vector<std::string>{"now"});
    }

    void jobValidation() {
        TrainJob j = baseJob(photos_);
        j.kind = "rsd";
        auto parsed = TrainJob::fromJson(R"({"kind": "rsd", "data": {"train": "x"}})");
        QVERIFY(!parsed.isOk());
        QVERIFY(QString::fromStdString(parsed.status().message()).contains("teacher"));
        auto ok = TrainJob::fromJson(
            R"({"kind": "rsd", "teacher": "t.safetensors", "data": {"train": "x"},
                                         "rsd": {"fake_updates": 5}})");
        QVERIFY2(ok.isOk(), ok.status().message().c_str());
        QCOMPARE(ok->fakeUpdates, 5);
        QCOMPARE(ok->lr, 5e-5); // the paper's optimiser unless the job says otherwise
        QCOMPARE(ok->lrMin, 5e-5);
        QCOMPARE(ok->beta2, 0.95);
        auto bad = TrainJob::fromJson(
            R"({"kind": "rsd", "teacher": "t", "data": {"train": "x"}, "rsd": {"fake_updates": 0}})");
        QVERIFY(!bad.isOk());
        auto ssim = TrainJob::fromJson(
            R"({"kind": "rsd", "teacher": "t", "data": {"train": "x"}, "rsd": {"ssim_weight": 0.5}})");
        QVERIFY2(ssim.isOk(), ssim.status().message().c_str());
        QCOMPARE(ssim->ssimWeight, 0.5);
        QVERIFY(TrainJob::fromJson(ssim->toJson())->ssimWeight == 0.5);
        QVERIFY(
            !TrainJob::fromJson(
                 R"({"kind": "rsd", "teacher": "t", "data": {"train": "x"}, "rsd": {"ssim_weight": -1}})")
                 .isOk());
        auto first = TrainJob::fromJson(
            R"({"kind": "rsd", "teacher": "t", "data": {"train": "x"}, "rsd": {"disc_features": "first"}})");
        QVERIFY2(first.isOk(), first.status().message().c_str());
        QCOMPARE(TrainJob::fromJson(first->toJson())->discFeatures, std::string("first"));
        QCOMPARE(ok->discFeatures, std::string("middle"));
        QVERIFY(
            !TrainJob::fromJson(
                 R"({"kind": "rsd", "teacher": "t", "data": {"train": "x"}, "rsd": {"disc_features": "last"}})")
                 .isOk());
    }

    // rsd.disc_features "first": the discriminator head reads the fake model's features at the
    // latent's resolution, learns to tell noised real latents from noised student outputs (its loss
    // falls below chance, 2 ln 2), and the run's package records the choice.
    void firstLevelDiscriminatorLearns() {
        TrainJob j = rsdJob(photos_, teacher_, 30);
        j.discFeatures = "first";
        j.discLr = 1e-2;
        j.discWeight = 1;
        j.checkpointEvery = 1000;
        RunOptions ro;
        ro.runDir = tmp_.filePath("first-level").toStdString();
        Status s = runRsd(j, ro);
        QVERIFY2(s.isOk(), s.message().c_str());
        const std::vector<double> disc =
            testutil::logSeries(tmp_.filePath("first-level"), "disc_loss");
        QCOMPARE(int(disc.size()), 30);
        const double last = (disc[27] + disc[28] + disc[29]) / 3;
        qInfo("disc_loss: step 1 %.4f, last 3 steps %.4f (chance 2 ln 2 = 1.3863)", disc[0], last);
        QVERIFY2(last < 0.95 * 2 * std::log(2.0), qPrintable(QString("disc_loss %1").arg(last)));
        auto m = Model::load(tmp_.filePath("first-level/model.safetensors").toStdString(),
                             LoadOptions{"cpu", "fp32"});
        QVERIFY2(m.isOk(), m.status().message().c_str());
        QCOMPARE(testutil::provenanceOf(**m)["rsd"].toObject()["disc_features"].toString(),
                 QString("first"));
    }

private:
    QTemporaryDir tmp_;
    QString photos_, teacher_;
};

QTEST_GUILESS_MAIN(TestRsd)
#include "tst_rsd.moc"
