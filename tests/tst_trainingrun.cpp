// TrainingRun and TrainingLog with the real shiftsr-train on the tiny preset: the log parsed into
// series as it grows, a run started, followed, stopped with a checkpoint, resumed to the end and
// exported; a trial stopped by --max-steps; a failing job; a run found again from its folder.
#include "testutil.h"
#include "train_testutil.h"

#include "shiftsr/gui/training_run.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using shiftsr::gui::TrainingLog;
using shiftsr::gui::TrainingRun;

namespace {

constexpr int kGuardMs = 180000; // only against hangs

QString jobJson(const QString& photos, int steps) {
    shiftsr::training::TrainJob j = testutil::tinyJob(photos, 11);
    j.steps = steps;
    j.validateEvery = 4;
    j.checkpointEvery = 2;
    return QString::fromStdString(j.toJson());
}

} // namespace

class TestTrainingRun : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString photos_;

    // A folder under tmp_ holding the job.json of a tiny run of `steps` steps (a later stage).
    QString writeJob(const QString& name, int steps) {
        const QString folder = tmp_.filePath(name);
        QDir().mkpath(folder);
        QFile job(folder + "/job.json");
        if (job.open(QIODevice::WriteOnly))
            job.write(jobJson(photos_, steps).toUtf8());
        return folder;
    }

    // Polls the run until `done` holds (the run refreshes itself every second while followed).
    static bool waitFor(TrainingRun& run, const std::function<bool()>& done) {
        run.follow(true);
        return QTest::qWaitFor(
            [&] {
                run.refresh();
                return done();
            },
            kGuardMs);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        photos_ = tmp_.filePath(QStringLiteral("photos"));
        QVERIFY(QDir().mkpath(photos_));
        testutil::makePhotos(photos_, 6);
        QVERIFY2(!TrainingRun::trainerProgram().isEmpty(), "set SHIFTSR_TRAIN");
    }

    void logParsesCompleteLinesIntoSeries() {
        TrainingLog log;
        const QByteArray part1 =
            "{\"step\":10,\"loss\":0.5,\"lr\":0.001,\"dm\":0.2,\"elapsed_s\":3.5,\"eta_s\":20}\n"
            "{\"step\":20,\"loss\":0.4,\"lr\":0.001,\"val\":{\"psnr_y\":25.5,\"ssim_y\":0.7},"
            "\"elapsed_s\":7}\n"
            "{\"step\":30,\"lo";
        QCOMPARE(log.append(part1), 2);
        QCOMPARE(log.lines.size(), 2);
        QCOMPARE(log.consumed, qint64(part1.lastIndexOf('\n') + 1)); // the partial line waits
        QCOMPARE(log.series.value(QStringLiteral("loss")),
                 (QList<QPointF>{QPointF(10, 0.5), QPointF(20, 0.4)}));
        QCOMPARE(log.series.value(QStringLiteral("val.psnr_y")), QList<QPointF>{QPointF(20, 25.5)});
        QCOMPARE(log.lossSeries(), (QStringList{QStringLiteral("dm"), QStringLiteral("loss")}));
        QCOMPARE(log.validationSeries(),
                 (QStringList{QStringLiteral("val.psnr_y"), QStringLiteral("val.ssim_y")}));
        QCOMPARE(log.elapsedS, 7.0);
        QCOMPARE(log.etaS, 20.0);
        QCOMPARE(log.lastStep, 20);
        const QByteArray part2 = "ss\":0.3}\nnot json\n"
                                 "{\"step\":30,\"event\":\"stopped\",\"message\":\"stopped on "
                                 "request\"}\n";
        QCOMPARE(log.append(QByteArray(part1.mid(int(log.consumed))) + part2), 2);
        QCOMPARE(log.series.value(QStringLiteral("loss")).size(), 3);
        QCOMPARE(log.lastEvent, QStringLiteral("stopped"));
        QCOMPARE(log.lastMessage, QStringLiteral("stopped on request"));
        QCOMPARE(log.lastStep, 30);
    }

    // Start, follow, stop (checkpoint, state Stopped), resume, stop again, export; a fresh object
    // on the same folder sees the same run.
    void startStopResumeExport() {
        const QString root = tmp_.filePath(QStringLiteral("runs"));
        const QString folder = QDir(root).filePath(QStringLiteral("a"));
        TrainingRun run(folder);
        QCOMPARE(run.state(), TrainingRun::State::Empty);
        QSignalSpy appended(&run, &TrainingRun::logAppended);
        QString error;
        QVERIFY2(run.start(jobJson(photos_, 400), &error), qPrintable(error));
        QCOMPARE(run.state(), TrainingRun::State::Running);
        QCOMPARE(run.plannedSteps(), 400);
        QVERIFY(!run.start(jobJson(photos_, 4), &error)); // one run per folder, also starting
        QVERIFY(error.contains(QStringLiteral("already holds")));
        QVERIFY(waitFor(run, [&] { return run.log().series.value("loss").size() >= 3; }));
        QVERIFY(!appended.isEmpty());
        QVERIFY(!run.start(jobJson(photos_, 4), &error));
        QVERIFY(error.contains(QStringLiteral("already holds")));

        QVERIFY(run.stop());
        QVERIFY2(waitFor(run, [&] { return run.state() != TrainingRun::State::Running; }),
                 "the trainer did not stop");
        QCOMPARE(run.state(), TrainingRun::State::Stopped);
        QVERIFY(run.isResumable());
        QCOMPARE(run.log().lastEvent, QStringLiteral("stopped"));
        QVERIFY(QFileInfo::exists(folder + "/checkpoints/latest.txt"));
        const int stoppedAt = run.log().lastStep;
        QVERIFY(stoppedAt < 400);

        // Resume continues from the checkpoint; stopped again a few steps later.
        QVERIFY2(run.resume(&error), qPrintable(error));
        QCOMPARE(run.state(), TrainingRun::State::Running);
        QVERIFY2(waitFor(run, [&] { return run.log().lastStep >= stoppedAt + 2; }),
                 qPrintable(QStringLiteral("state %1, last step %2: %3")
                                .arg(int(run.state()))
                                .arg(run.log().lastStep)
                                .arg(run.failure())));
        QVERIFY(run.stop());
        QVERIFY(waitFor(run, [&] { return run.state() != TrainingRun::State::Running; }));
        QCOMPARE(run.state(), TrainingRun::State::Stopped);

        // Exporting a stopped run: the latest checkpoint's EMA weights.
        const QString package = tmp_.filePath(QStringLiteral("a.safetensors"));
        QVERIFY2(run.exportPackage(package, &error), qPrintable(error));
        QVERIFY(QFileInfo(package).size() > 0);

        // A fresh object (a later start of the app) rebuilds the whole history from the folder.
        TrainingRun again(folder);
        QCOMPARE(again.state(), TrainingRun::State::Stopped);
        QCOMPARE(again.log().lines.size(), run.log().lines.size());
        QCOMPARE(again.log().series.value("loss"), run.log().series.value("loss"));
        QCOMPARE(TrainingRun::findRuns(root), QStringList{folder});

        QVERIFY(again.setNotes(QJsonObject{{QStringLiteral("teacher"), QStringLiteral("t")}}));
        QCOMPARE(TrainingRun(folder).notes().value(QStringLiteral("teacher")).toString(),
                 QStringLiteral("t"));
    }

    // A whole short job: Finished, with model.safetensors, samples and validation figures.
    void shortJobFinishes() {
        const QString folder = tmp_.filePath(QStringLiteral("runs/b"));
        TrainingRun run(folder);
        QString error;
        QVERIFY2(run.start(jobJson(photos_, 8), &error), qPrintable(error));
        QVERIFY(waitFor(run, [&] { return run.state() != TrainingRun::State::Running; }));
        QCOMPARE(run.state(), TrainingRun::State::Finished);
        QCOMPARE(run.log().lastEvent, QStringLiteral("finished"));
        QCOMPARE(run.log().lastStep, 8);
        QCOMPARE(run.log().series.value("loss").size(), 8);
        QVERIFY(!run.log().validationSeries().isEmpty());
        QVERIFY(!run.samples().isEmpty());
        QVERIFY(!run.isResumable());
        const QString package = tmp_.filePath(QStringLiteral("b.safetensors"));
        QVERIFY2(run.exportPackage(package, &error), qPrintable(error));
        QFile a(package), b(folder + "/model.safetensors");
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        QCOMPARE(a.readAll(), b.readAll()); // the finished package itself
    }

    // A chain of two runs in one detached shell: the second starts from its folder's job.json when
    // the first has finished, with nothing of the app following (the app may be closed); stopped
    // in the first run, the chain ends there, and resumeChain goes on through both.
    void chainGoesOnWithoutTheApp() {
        const QString first = tmp_.filePath(QStringLiteral("chain/first")),
                      second = writeJob(QStringLiteral("chain/second"), 4);
        QString error;
        {
            TrainingRun run(first);
            QVERIFY(!run.startChain(jobJson(photos_, 4), {tmp_.filePath("chain/none")}, &error));
            QVERIFY2(error.contains(QStringLiteral("job.json")), qPrintable(error));
            QVERIFY2(run.startChain(jobJson(photos_, 4), {second}, &error), qPrintable(error));
        } // the app lets go of the run: the chain goes on
        QVERIFY(QTest::qWaitFor(
            [&] {
                TrainingRun r(second);
                return r.state() != TrainingRun::State::Empty &&
                       r.state() != TrainingRun::State::Running;
            },
            kGuardMs));
        TrainingRun a(first), b(second);
        QCOMPARE(a.state(), TrainingRun::State::Finished);
        QCOMPARE(b.state(), TrainingRun::State::Finished);
        QCOMPARE(b.log().lastStep, 4);
        QVERIFY(QTest::qWaitFor([&] { return !a.shellAlive() && !b.shellAlive(); }, 10000));

        // resumed after a trial's stop: the rest of the first run, then the second
        const QString third = tmp_.filePath(QStringLiteral("chain/third")),
                      fourth = writeJob(QStringLiteral("chain/fourth"), 3);
        TrainingRun c(third), d(fourth);
        QVERIFY2(c.start(jobJson(photos_, 4), &error, 2), qPrintable(error));
        QVERIFY(waitFor(c, [&] { return c.state() != TrainingRun::State::Running; }));
        QCOMPARE(c.state(), TrainingRun::State::Stopped);
        QVERIFY(!d.resumeChain({}, &error)); // nothing to resume there
        QVERIFY2(c.resumeChain({fourth}, &error), qPrintable(error));
        QVERIFY(waitFor(d, [&] {
            c.refresh();
            return c.state() == TrainingRun::State::Finished &&
                   d.state() == TrainingRun::State::Finished;
        }));
        QCOMPARE(c.log().lastStep, 4);
        QCOMPARE(d.log().lastStep, 3);

        // stopped in the first run: the chain ends there, the second is not started
        const QString fifth = tmp_.filePath(QStringLiteral("chain/fifth")),
                      sixth = writeJob(QStringLiteral("chain/sixth"), 3);
        TrainingRun e(fifth), f(sixth);
        QVERIFY2(e.startChain(jobJson(photos_, 400), {sixth}, &error), qPrintable(error));
        QVERIFY(waitFor(e, [&] { return e.log().lastStep >= 1; }));
        QVERIFY(QTest::qWaitFor([&] { return e.stop(); }, 10000));
        QVERIFY(waitFor(e, [&] { return e.state() != TrainingRun::State::Running; }));
        QCOMPARE(e.state(), TrainingRun::State::Stopped);
        QVERIFY(QTest::qWaitFor([&] { return !e.shellAlive(); }, 10000));
        f.refresh();
        QCOMPARE(f.state(), TrainingRun::State::Empty);
        QVERIFY(!QFile::exists(sixth + "/log.jsonl"));
    }

    // --max-steps (the wizard's trial): stops there with a checkpoint, resumable.
    void trialStopsAtMaxSteps() {
        const QString folder = tmp_.filePath(QStringLiteral("runs/trial"));
        TrainingRun run(folder);
        QString error;
        QVERIFY2(run.start(jobJson(photos_, 100), &error, 3), qPrintable(error));
        QVERIFY(waitFor(run, [&] { return run.state() != TrainingRun::State::Running; }));
        QCOMPARE(run.state(), TrainingRun::State::Stopped);
        QCOMPARE(run.log().lastStep, 3);
        QCOMPARE(run.log().series.value("loss").size(), 3);
    }

    // A job the trainer refuses: Failed, with the trainer's own message.
    void failingJobSaysWhy() {
        const QString folder = tmp_.filePath(QStringLiteral("runs/bad"));
        TrainingRun run(folder);
        QString error;
        QVERIFY2(run.start(jobJson(tmp_.filePath(QStringLiteral("no-such-photos")), 4), &error),
                 qPrintable(error));
        QVERIFY(waitFor(run, [&] { return run.state() != TrainingRun::State::Running; }));
        QCOMPARE(run.state(), TrainingRun::State::Failed);
        QVERIFY2(run.failure().contains(QStringLiteral("no-such-photos")),
                 qPrintable(run.failure()));

        QVERIFY(!run.start(QStringLiteral("{not json"), &error));
        QVERIFY(!TrainingRun(tmp_.filePath(QStringLiteral("runs/none"))).stop());
    }
};

QTEST_MAIN(TestTrainingRun)
#include "tst_trainingrun.moc"
