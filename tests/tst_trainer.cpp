// Teacher training on the tiny preset: loss falls, exact resume, clean stop on signals,
// 2-process c10d data parallelism equal to one process with the doubled batch.
#include "shiftsr/training/teacher.h"
#include "testutil.h"
#include "train_testutil.h"

#include "presets.h"
#include "shiftsr/engine/safetensors.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/tensor_io.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <csignal>
#include <random>

using namespace shiftsr;
using namespace shiftsr::training;

namespace {

// The shared tiny job (train_testutil.h) with a batch of 4, a short warm-up and cosine, two
// validation photos and a checkpoint every 5 steps.
TrainJob tinyJob(const QString& photos, int steps) {
    TrainJob j = testutil::tinyJob(photos, 7);
    j.batch = 4;
    j.steps = steps;
    j.lr = 2e-3;
    j.lrMin = 2e-4;
    j.warmup = 2;
    j.checkpointEvery = 5;
    j.valCount = 2;
    return j;
}

double maxDiff(const std::map<std::string, torch::Tensor>& a,
               const std::map<std::string, torch::Tensor>& b, const std::string& prefix) {
    double d = 0;
    for (const auto& [k, v] : a)
        if (k.rfind(prefix, 0) == 0) {
            auto it = b.find(k);
            if (it == b.end())
                return 1e30;
            d = std::max(d, (v - it->second).abs().max().item<double>());
        }
    return d;
}

int freePort() {
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

} // namespace

class TestTrainer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        photos_ = tmp_.filePath("photos");
        testutil::makePhotos(photos_, 10);
    }

    // job.json's "schedule" overrides the preset's diffusion schedule (e.g. kappa for a pixel-space
    // codec); it survives the canonical round trip; invalid values are refused.
    void scheduleOverride() {
        auto job = shiftsr::training::TrainJob::fromJson(
            R"({"kind":"teacher","preset":"tiny","gt_size":64,"data":{"train":"/photos"},"schedule":{"kappa":0.5,"etas_end":0.95}})");
        QVERIFY2(job.isOk(), job.status().message().c_str());
        auto again = shiftsr::training::TrainJob::fromJson(job->toJson());
        QVERIFY(again.isOk());
        auto arch = shiftsr::training::buildArchitecture(*again);
        QVERIFY2(arch.isOk(), arch.status().message().c_str());
        QCOMPARE(arch->schedule.kappa, 0.5);
        QCOMPARE(arch->schedule.etasEnd, 0.95);
        QCOMPARE(arch->schedule.steps, 4); // untouched keys keep the preset's values
        auto plain = shiftsr::training::TrainJob::fromJson(
            R"({"kind":"teacher","preset":"tiny","gt_size":64,"data":{"train":"/photos"}})");
        QVERIFY(plain.isOk());
        QCOMPARE(shiftsr::training::buildArchitecture(*plain)->schedule.kappa, 2.0);
        auto bad = shiftsr::training::TrainJob::fromJson(
            R"({"kind":"teacher","preset":"tiny","gt_size":64,"data":{"train":"/photos"},"schedule":{"steps":0}})");
        QVERIFY(!bad.isOk() || !shiftsr::training::buildArchitecture(*bad).isOk());
    }

    void lossFalls() {
        const QString run = tmp_.filePath("loss");
        TrainJob j = tinyJob(photos_, 40);
        j.validateEvery = 40;
        RunOptions ro;
        ro.runDir = run.toStdString();
        Status s = runTraining(j, ro);
        QVERIFY2(s.isOk(), s.message().c_str());
        const auto log = testutil::readRunLog(run);
        const std::vector<double> losses = testutil::logSeries(log, "loss");
        QVERIFY(losses.size() >= 30);
        const double first = (losses[0] + losses[1] + losses[2]) / 3;
        const double last =
            (losses[losses.size() - 1] + losses[losses.size() - 2] + losses[losses.size() - 3]) / 3;
        QVERIFY2(last < 0.7 * first,
                 qPrintable(QStringLiteral("loss %1 -> %2").arg(first).arg(last)));
        // Log lines carry what the wizard reads.
        for (const char* key : {"step", "loss", "lr", "samples_per_s", "eta_s"})
            QVERIFY2(log.front().contains(key), key);
        bool hasVal = false;
        for (const auto& l : log)
            hasVal = hasVal || (l.contains("val") && l["val"].toObject().contains("psnr_y"));
        QVERIFY(hasVal);
        QVERIFY(QFile::exists(run + "/model.safetensors"));
        QVERIFY(QFile::exists(run + "/config.json"));
        QVERIFY(!QDir(run + "/samples").entryList(QDir::Files).isEmpty());
    }

    // A run started from another package ("init") records that package's name, hash and own
    // provenance, so a teacher trained in several runs says its whole history.
    void continuedRunRecordsLineage() {
        const QString first = tmp_.filePath("lineage-a"), second = tmp_.filePath("lineage-b");
        RunOptions ra;
        ra.runDir = first.toStdString();
        QVERIFY(runTraining(tinyJob(photos_, 3), ra).isOk());
        TrainJob j = tinyJob(photos_, 2);
        j.initModel = (first + "/model.safetensors").toStdString();
        RunOptions rb;
        rb.runDir = second.toStdString();
        Status s = runTraining(j, rb);
        QVERIFY2(s.isOk(), s.message().c_str());
        auto f = SafeTensorsFile::open((second + "/model.safetensors").toStdString());
        QVERIFY(f.isOk());
        const auto prov =
            QJsonDocument::fromJson(QByteArray::fromStdString(f->metadata().at("provenance")))
                .object();
        QCOMPARE(prov["steps"].toInt(), 2);
        const auto init = prov["init"].toObject();
        QCOMPARE(init["sha256"].toString(), prov["init_sha256"].toString());
        QCOMPARE(init["sha256"].toString().size(), 64);
        QVERIFY(!init["name"].toString().isEmpty());
        QCOMPARE(init["provenance"].toObject()["steps"].toInt(), 3);
    }

    // `shiftsr-train export` of a finished run gives the finished package's EMA weights and its
    // lineage; --raw gives other (the optimiser's) weights, --half stores F16.
    void exportMatchesFinishedPackage() {
        const QString run = tmp_.filePath("lineage-b");
        TrainJob j = tinyJob(photos_, 2);
        j.initModel = (tmp_.filePath("lineage-a") + "/model.safetensors").toStdString();
        const QString ema = tmp_.filePath("export-ema.safetensors"),
                      raw = tmp_.filePath("export-raw.safetensors");
        int step = 0;
        Status s = exportCheckpoint(j, run.toStdString(), ema.toStdString(), &step);
        QVERIFY2(s.isOk(), s.message().c_str());
        QCOMPARE(step, 2);
        QVERIFY(exportCheckpoint(j, run.toStdString(), raw.toStdString(), nullptr, /*half=*/true,
                                 /*raw=*/true)
                    .isOk());
        auto fe = SafeTensorsFile::open(ema.toStdString()),
             fr = SafeTensorsFile::open(raw.toStdString()),
             ff = SafeTensorsFile::open((run + "/model.safetensors").toStdString());
        QVERIFY(fe.isOk() && fr.isOk() && ff.isOk());
        auto te = readTensors(*fe, "unet."), tr = readTensors(*fr, "unet."),
             tf = readTensors(*ff, "unet.");
        QVERIFY(te.isOk() && tr.isOk() && tf.isOk());
        QCOMPARE(te->size(), tf->size());
        bool rawDiffers = false;
        int halves = 0;
        for (const auto& [k, v] : *te) {
            QVERIFY2(torch::equal(v, tf->at(k)), k.c_str());
            if (tr->at(k).scalar_type() != torch::kHalf)
                continue; // buffers (index tables, attention masks) keep their type
            ++halves;
            rawDiffers = rawDiffers || !torch::allclose(tr->at(k).to(torch::kFloat), v, 1e-3, 1e-3);
        }
        QVERIFY(halves > 0);
        QVERIFY(rawDiffers);
        const auto pe =
            QJsonDocument::fromJson(QByteArray::fromStdString(fe->metadata().at("provenance")))
                .object();
        const auto pf =
            QJsonDocument::fromJson(QByteArray::fromStdString(ff->metadata().at("provenance")))
                .object();
        QCOMPARE(pe["init"].toObject(), pf["init"].toObject());
        QCOMPARE(pe["finished"].toBool(), true);
        QCOMPARE(pe["weights"].toString(), QString("ema"));
        const auto pr =
            QJsonDocument::fromJson(QByteArray::fromStdString(fr->metadata().at("provenance")))
                .object();
        QCOMPARE(pr["weights"].toString(), QString("raw"));
        QCOMPARE(pr["stored_as"].toString(), QString("f16"));
    }

    void exactResume() {
        const QString a = tmp_.filePath("straight"), b = tmp_.filePath("resumed");
        TrainJob j = tinyJob(photos_, 12);
        j.checkpointEvery = 6;
        RunOptions ra;
        ra.runDir = a.toStdString();
        QVERIFY(runTraining(j, ra).isOk());
        RunOptions rb;
        rb.runDir = b.toStdString();
        rb.maxSteps = 6;
        QVERIFY(runTraining(j, rb).isOk());
        QVERIFY(!QFile::exists(b + "/model.safetensors"));
        rb.resume = true;
        rb.maxSteps = -1;
        Status s = runTraining(j, rb);
        QVERIFY2(s.isOk(), s.message().c_str());
        auto ca = testutil::latestCheckpoint(a), cb = testutil::latestCheckpoint(b);
        QVERIFY(!ca.empty() && ca.size() == cb.size());
        for (const char* prefix : {"param.", "ema.", "adam_m.", "adam_v."}) {
            const double d = maxDiff(ca, cb, prefix);
            QVERIFY2(d <= 1e-6, qPrintable(QStringLiteral("%1 differs by %2").arg(prefix).arg(d)));
        }
    }

    void refusesExistingRun() {
        TrainJob j = tinyJob(photos_, 2);
        RunOptions ro;
        ro.runDir = tmp_.filePath("loss").toStdString(); // finished above
        Status s = runTraining(j, ro);
        QVERIFY(!s.isOk());
        QVERIFY(QString::fromStdString(s.message()).contains("--resume"));
        RunOptions missing;
        missing.runDir = tmp_.filePath("nothing-here").toStdString();
        missing.resume = true;
        QVERIFY(!runTraining(j, missing).isOk());
        TrainJob bad = tinyJob(tmp_.filePath("no-such-folder"), 2);
        RunOptions rb;
        rb.runDir = tmp_.filePath("badfolder").toStdString();
        Status sb = runTraining(bad, rb);
        QVERIFY(!sb.isOk());
    }

    void signalStopsCleanly_data() {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGINT") << int(SIGINT);
    }
    void signalStopsCleanly() {
        QFETCH(int, signal);
        const QString run = tmp_.filePath(QStringLiteral("signal-%1").arg(signal));
        TrainJob j = tinyJob(photos_, 100000);
        j.checkpointEvery = 100000;
        testutil::writeAll(tmp_.filePath("signal.json"), QByteArray::fromStdString(j.toJson()));
        QProcess p;
        p.start(QStringLiteral(SHIFTSR_TRAIN_PATH),
                {"teacher", "--config", tmp_.filePath("signal.json"), "--out", run});
        QVERIFY(p.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(testutil::readRunLog(run).size() >= 3, 120000);
        ::kill(pid_t(p.processId()), signal);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(QFile::exists(run + "/checkpoints/latest.txt"));
        const auto log = testutil::readRunLog(run);
        QCOMPARE(log.back()["event"].toString(), QStringLiteral("stopped"));
        const int stoppedAt = log.back()["step"].toInt();
        QVERIFY(stoppedAt >= 3);
        // No temporary files left behind.
        for (const QString& f : QDir(run + "/checkpoints").entryList(QDir::Files))
            QVERIFY2(!f.contains(".tmp"), qPrintable(f));
    }

    void twoProcessesEqualDoubledBatch() {
        // Single process, batch 4.
        const QString single = tmp_.filePath("single");
        TrainJob j = tinyJob(photos_, 6);
        j.checkpointEvery = 6;
        RunOptions rs;
        rs.runDir = single.toStdString();
        QVERIFY(runTraining(j, rs).isOk());
        // Two processes, batch 2 each, over Gloo on 127.0.0.1.
        TrainJob jd = j;
        jd.batch = 2;
        testutil::writeAll(tmp_.filePath("ddp.json"), QByteArray::fromStdString(jd.toJson()));
        const QString ddp = tmp_.filePath("ddp");
        const int port = freePort();
        std::vector<std::unique_ptr<QProcess>> procs;
        for (int rank = 0; rank < 2; ++rank) {
            auto p = std::make_unique<QProcess>();
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("RANK", QString::number(rank));
            env.insert("LOCAL_RANK", QString::number(rank));
            env.insert("WORLD_SIZE", "2");
            env.insert("MASTER_ADDR", "127.0.0.1");
            env.insert("MASTER_PORT", QString::number(port));
            p->setProcessEnvironment(env);
            p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
            p->start(QStringLiteral(SHIFTSR_TRAIN_PATH),
                     {"teacher", "--config", tmp_.filePath("ddp.json"), "--out", ddp});
            QVERIFY(p->waitForStarted());
            procs.push_back(std::move(p));
        }
        for (auto& p : procs) {
            QVERIFY(p->waitForFinished(300000));
            QCOMPARE(p->exitCode(), 0);
        }
        const auto log = testutil::readRunLog(ddp);
        bool checked = false;
        for (const auto& l : log)
            if (l["event"].toString() == "rank_check") {
                checked = true;
                QCOMPARE(l["world_size"].toInt(), 2);
                QVERIFY2(l["rank_spread"].toDouble() <=
                             1e-9 * std::max(1.0, std::abs(l["checksum"].toDouble())),
                         "ranks diverged");
            }
        QVERIFY(checked);
        // Same samples and noise: the losses agree to rounding at every step.
        const std::vector<double> l1 = testutil::logSeries(single, "loss"),
                                  l2 = testutil::logSeries(log, "loss");
        QCOMPARE(l1.size(), l2.size());
        for (size_t i = 0; i < l1.size(); ++i)
            QVERIFY2(std::abs(l1[i] - l2[i]) <= 1e-4 * std::abs(l1[i]),
                     qPrintable(
                         QStringLiteral("step %1 loss %2 vs %3").arg(i + 1).arg(l1[i]).arg(l2[i])));
        // Weights: Adam divides by sqrt(v), so rounding-level gradient differences on parameters
        // whose gradient is ~0 become lr-sized steps; bound the relative L2 distance instead of
        // the max (measured 7.5e-5; different samples or a missing all-reduce give > 1e-2).
        auto a = testutil::latestCheckpoint(single), b = testutil::latestCheckpoint(ddp);
        double num = 0, den = 0;
        for (const auto& [k, v] : a)
            if (k.rfind("param.", 0) == 0) {
                QVERIFY(b.count(k));
                num += (v - b.at(k)).pow(2).sum().item<double>();
                den += v.pow(2).sum().item<double>();
            }
        const double rel = std::sqrt(num / den);
        QVERIFY2(
            rel <= 1e-3,
            qPrintable(QStringLiteral("2 processes vs doubled batch: relative L2 %1").arg(rel)));
    }

private:
    QTemporaryDir tmp_;
    QString photos_;
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
