// The engine's one settings type and batch runner (shared by shiftsr-cli upscale and the app's
// batch queue): the request built from the settings, skip-existing, failures that do not stop the
// batch, cancellation, and the pixel-weighted progress and ETA.
#include "testutil.h"

#include "shiftsr/engine/batch_runner.h"
#include "shiftsr/engine/upscale_settings.h"
#include "shiftsr/resources/embedded.h"

#include <opencv2/imgcodecs.hpp>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>

using namespace shiftsr;

class TestBatchRunner : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    std::shared_ptr<const Model> model_;

    QString writeImage(const QString& name, int w, int h) {
        const QString path = tmp_.filePath(name);
        cv::Mat img(h, w, CV_8UC3);
        cv::randu(img, 0, 255);
        return cv::imwrite(path.toStdString(), img) ? path : QString();
    }

    static QByteArray contents(const QString& path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        auto m = resources::loadModelSpec("embedded:test-tiny", LoadOptions{"cpu", "fp32"});
        QVERIFY2(m.isOk(), m.status().message().c_str());
        model_ = *m;
    }

    void settingsBuildTheRequest() {
        UpscaleSettings s;
        s.steps = 1;
        s.seed = 77;
        s.threads = 2;
        s.tile = 64;
        s.overlap = 8;
        s.maxMemoryMb = 512;
        s.colorFix = ColorFix::AdaIN;
        s.keepMetadata = false;
        s.quality = 101; // lossless WebP; JPEG at its best
        s.maxPixels = 1000;
        const UpscaleRequest r = s.request();
        QCOMPARE(r.steps, 1);
        QCOMPARE(r.seed, std::uint64_t(77));
        QCOMPARE(r.threads, 2);
        QCOMPARE(r.tiles.tile, 64);
        QCOMPARE(r.tiles.overlap, 8);
        QCOMPARE(r.tiles.memoryLimit, std::uint64_t(512) << 20);
        QVERIFY(r.colorFix == ColorFix::AdaIN);
        QVERIFY(!r.keepMetadata);
        QCOMPARE(r.write.jpegQuality, 100);
        QCOMPARE(r.write.webpQuality, 101);
        QCOMPARE(r.read.maxPixels, std::uint64_t(1000));
        QVERIFY(r.input.empty() && r.output.empty());
        const LoadOptions lo = s.loadOptions();
        QCOMPARE(QString::fromStdString(lo.device), QStringLiteral("auto"));
        QCOMPARE(QString::fromStdString(lo.precision), QStringLiteral("auto"));
        // The defaults are the CLI's documented ones.
        const UpscaleRequest d = UpscaleSettings().request();
        QCOMPARE(d.tiles.memoryLimit, kDefaultMemoryLimit);
        QVERIFY(d.colorFix == ColorFix::Auto);
        QCOMPARE(d.write.jpegQuality, 95);
        QVERIFY(d.keepMetadata);
        // {steps}: the settings' own, else the model's.
        ModelInfo info;
        info.name = "my model";
        info.scale = 4;
        info.steps = 4;
        QCOMPARE(QString::fromStdString(s.batchOptions(info).tokens.at("steps")),
                 QStringLiteral("1"));
        QCOMPARE(QString::fromStdString(UpscaleSettings().batchOptions(info).tokens.at("steps")),
                 QStringLiteral("4"));
        QCOMPARE(QString::fromStdString(s.batchOptions(info).tokens.at("model")),
                 QStringLiteral("my_model"));
    }

    // Done, skipped (the existing file untouched), failed (the batch goes on), in one run; the
    // estimate weighs items by their pixels and counts skipped ones toward progress, not speed.
    void runsSkipsFailsAndEstimates() {
        const QString small = writeImage("small.png", 16, 12); // 192 px
        const QString large = writeImage("large.png", 32, 24); // 768 px
        const QString broken = tmp_.filePath("broken.png");
        {
            QFile f(broken);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("\x89PNG\r\n\x1a\n not really");
        }
        QVERIFY(!small.isEmpty() && !large.isEmpty());
        const QString out = tmp_.filePath("out");
        UpscaleSettings s;
        s.skipExisting = true;
        s.threads = 1;
        bool toFolder = false;
        auto plan = planBatch({small.toStdString(), large.toStdString(), broken.toStdString()},
                              out.toStdString(), s.batchOptions(model_->info()), &toFolder);
        QVERIFY2(plan.isOk(), plan.status().message().c_str());
        QVERIFY(toFolder);
        QCOMPARE(plan->size(), size_t(3));
        QVERIFY(QDir().mkpath(out));
        const QString existing = QString::fromStdString((*plan)[1].output);
        {
            QFile f(existing);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("the user's earlier file");
        }
        const QByteArray before = contents(existing);

        BatchRunner runner(*plan, model_, s, toFolder);
        QCOMPARE(runner.weight(0), 192.0);
        QCOMPARE(runner.weight(1), 768.0);
        QCOMPARE(runner.weight(2), 1.0); // unreadable: the least weight, it fails at once
        BatchEstimate e = runner.estimate();
        QCOMPARE(e.fraction, 0.0);
        QVERIFY(e.etaSeconds < 0);

        const BatchFileResult skipped = runner.run(1);
        QVERIFY(skipped.state == BatchFileResult::State::Skipped);
        QCOMPARE(contents(existing), before);
        e = runner.estimate();
        QCOMPARE(e.fraction, 768.0 / 961.0);
        QVERIFY2(e.etaSeconds < 0, "a skipped file says nothing about the speed");

        std::vector<double> fractions;
        JobControl job;
        job.progress = [&](double f, const std::string&) {
            fractions.push_back(runner.estimate(0, f).fraction);
        };
        const BatchFileResult done = runner.run(0, job);
        QVERIFY2(done.state == BatchFileResult::State::Done, done.error.c_str());
        QCOMPARE(done.inWidth, 16);
        QCOMPARE(done.inHeight, 12);
        QCOMPARE(done.report.width, 64);
        QVERIFY(done.report.image.empty()); // written, not kept
        QVERIFY(QFile::exists(QString::fromStdString((*plan)[0].output)));
        QVERIFY(!fractions.empty());
        QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
        QVERIFY(fractions.front() >= 768.0 / 961.0 && fractions.back() <= 960.0 / 961.0 + 1e-9);
        e = runner.estimate();
        QCOMPARE(e.fraction, 960.0 / 961.0);
        QVERIFY(e.etaSeconds >= 0);
        QVERIFY(e.etaSeconds <=
                e.seconds * 1.0 / 192.0 + 1e-9); // time per worked pixel x pixels left
        QVERIFY(e.seconds > 0);

        const BatchFileResult failed = runner.run(2);
        QVERIFY(failed.state == BatchFileResult::State::Failed);
        QVERIFY2(QString::fromStdString(failed.error).contains("broken.png"), failed.error.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString((*plan)[2].output)));
        QCOMPARE(runner.estimate().fraction, 1.0);
    }

    void cancelledLeavesNoFile() {
        const QString in = writeImage("cancel.png", 24, 20);
        const std::string out = tmp_.filePath("cancel-x4.png").toStdString();
        UpscaleSettings s;
        BatchRunner runner({{in.toStdString(), out}}, model_, s, false);
        std::atomic<bool> cancel{false};
        JobControl job;
        job.cancel = &cancel;
        job.progress = [&](double, const std::string&) { cancel = true; };
        const BatchFileResult r = runner.run(0, job);
        QVERIFY(r.state == BatchFileResult::State::Cancelled);
        QVERIFY(!QFile::exists(QString::fromStdString(out)));
        QCOMPARE(runner.estimate().fraction, 0.0);
    }
};

QTEST_GUILESS_MAIN(TestBatchRunner)
#include "tst_batchrunner.moc"
