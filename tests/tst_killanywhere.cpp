// Kill anywhere: `shiftsr-cli upscale` and `shiftsr-train` SIGKILLed at random moments never leave
// a partial or temporary file, an existing output stays byte-identical or is replaced by a complete
// new one, and a training run killed again and again resumes from its last complete checkpoint to
// the very weights of a run never killed. SIGTERM ends the programs within a bound at several
// moments. SHIFTSR_KILLS sets the number of kills (half each program; the `slow` label runs 100),
// SHIFTSR_KILL_SEED the seed of the kill moments (printed, to repeat a run).
#include "shiftsr/nn/tensor_io.h"
#include "testutil.h"
#include "train_testutil.h"

#include "shiftsr/engine/safetensors.h"

#include <opencv2/imgcodecs.hpp>

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <random>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

constexpr int kDefaultKills = 6; // the unit set; 100 under the slow label
// After SIGTERM a program ends within the watchdog's 2 s; the rest is start-up slack on a busy
// machine.
constexpr qint64 kSigtermBoundMs = 3500;

// Every entry below `dir` (hidden ones too), relative to it, sorted.
QStringList entriesUnder(const QString& dir) {
    QStringList out;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        out << QDir(dir).relativeFilePath(it.next());
    out.sort();
    return out;
}

// Empty if `path` is a whole safetensors file (header and every tensor read), else why not.
QString incompleteSafetensors(const QString& path) {
    auto f = shiftsr::SafeTensorsFile::open(path.toStdString());
    if (!f)
        return QString::fromStdString(f.status().message());
    auto t = shiftsr::readTensors(*f);
    return t ? QString() : QString::fromStdString(t.status().message());
}

// Starts `program args`; SIGKILLs it after `delayMs` unless it ended before. Returns whether it
// was killed; `*exitCode` is the exit code of a run that ended by itself (-1: it did not start),
// `*output` (if given) what it printed.
bool runAndKill(const QString& program, const QStringList& args, int delayMs, int* exitCode,
                QByteArray* output = nullptr) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    *exitCode = -1;
    p.start(program, args);
    if (!p.waitForStarted())
        return false;
    if (p.waitForFinished(delayMs)) {
        *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        const QByteArray printed = p.readAll();
        if (*exitCode != 0)
            qWarning("%s", printed.constData());
        if (output)
            *output = printed;
        return false;
    }
    p.kill(); // SIGKILL
    p.waitForFinished(-1);
    return true;
}

} // namespace

class TestKillAnywhere : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    std::mt19937_64 rng_;
    int kills_ = kDefaultKills;
    QString photos_;

    int uniformMs(qint64 maxMs) {
        return int(std::uniform_int_distribution<qint64>(0, std::max<qint64>(maxMs, 1))(rng_));
    }
    QString cli() const { return QStringLiteral(SHIFTSR_CLI_PATH); }
    QString train() const { return QStringLiteral(SHIFTSR_TRAIN_PATH); }

    // What a killed or finished training run folder may hold, each complete; empty if so.
    QString runFolderProblem(const QString& run) {
        const QRegularExpression allowed(QStringLiteral(
            R"(^(config\.json|log\.jsonl|model\.safetensors|checkpoints|checkpoints/latest\.txt|)"
            R"(checkpoints/step-\d{8}\.safetensors|samples|samples/step-\d{8}\.png)$)"));
        for (const QString& e : entriesUnder(run)) {
            if (!allowed.match(e).hasMatch())
                return QStringLiteral("unexpected entry %1").arg(e);
            const QString path = QDir(run).filePath(e);
            QString why;
            if (e.endsWith(QLatin1String(".safetensors")))
                why = incompleteSafetensors(path);
            else if (e.endsWith(QLatin1String(".png")) && cv::imread(path.toStdString()).empty())
                why = QStringLiteral("does not decode");
            else if (e == QLatin1String("config.json") &&
                     !QJsonDocument::fromJson(testutil::readAll(path)).isObject())
                why = QStringLiteral("is not a whole JSON object");
            else if (e == QLatin1String("checkpoints/latest.txt")) {
                const QString name = QString::fromUtf8(testutil::readAll(path).trimmed());
                if (!QFileInfo::exists(run + "/checkpoints/" + name))
                    why = QStringLiteral("names a missing checkpoint '%1'").arg(name);
            } else if (e == QLatin1String("log.jsonl")) {
                const QList<QByteArray> lines = testutil::readAll(path).split('\n');
                for (qsizetype i = 0; i < lines.size(); ++i)
                    if (i + 1 < lines.size() ? !QJsonDocument::fromJson(lines[i]).isObject()
                                             : !lines[i].isEmpty())
                        why = QStringLiteral("line %1 is not a whole JSON object").arg(i + 1);
            }
            if (!why.isEmpty())
                return e + ": " + why;
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        const quint64 seed = qEnvironmentVariableIsSet("SHIFTSR_KILL_SEED")
                                 ? qEnvironmentVariable("SHIFTSR_KILL_SEED").toULongLong()
                                 : std::random_device{}();
        if (qEnvironmentVariableIsSet("SHIFTSR_KILLS"))
            kills_ = qMax(2, qEnvironmentVariableIntValue("SHIFTSR_KILLS"));
        qInfo("kill moments: SHIFTSR_KILL_SEED=%llu, SHIFTSR_KILLS=%d", seed, kills_);
        rng_.seed(seed);
        // Without O_TMPFILE (e.g. overlayfs before Linux 6.6) a kill while writing leaves the
        // hidden temporary file this suite looks for.
        const int probe =
            ::open(QFile::encodeName(tmp_.path()).constData(), O_TMPFILE | O_WRONLY, 0600);
        if (probe < 0)
            QSKIP("the file system of the temporary folder has no O_TMPFILE");
        ::close(probe);
        photos_ = tmp_.filePath("photos");
        testutil::makePhotos(photos_, 4, 96, 80);
    }

    void upscaleKilledAnywhere() {
        // Three inputs into a folder that holds an older output of each: several writes per run,
        // so kills land between them as well as in them.
        const QString in = tmp_.filePath("in"), ref = tmp_.filePath("ref"),
                      out = tmp_.filePath("out");
        QDir().mkpath(in);
        for (int i = 0; i < 3; ++i)
            QVERIFY(QFile::copy(QStringLiteral("%1/p%2.png").arg(photos_).arg(i),
                                QStringLiteral("%1/p%2.png").arg(in).arg(i)));
        auto args = [&](const QString& to) {
            return QStringList{"upscale",   in,  "-o", to, "--model", "embedded:test-tiny",
                               "--threads", "1", "-q"};
        };
        QElapsedTimer timer;
        timer.start();
        int code = -1;
        QVERIFY(!runAndKill(cli(), args(ref), 300000, &code));
        QCOMPARE(code, 0);
        const qint64 fullMs = timer.elapsed();
        const QStringList names = QDir(ref).entryList(QDir::Files | QDir::Hidden);
        QCOMPARE(names.size(), 3);
        // The output is deterministic (fixed seed, one thread): a new file must equal the
        // reference's bytes.
        QMap<QString, QByteArray> fresh, old;
        for (const QString& n : names) {
            fresh[n] = testutil::readAll(ref + "/" + n);
            old[n] = testutil::readAll(photos_ + "/p3.png") + n.toUtf8(); // any older bytes
        }

        const int kills = kills_ / 2;
        int killed = 0, mixed = 0, runs = 0;
        while (killed < kills) {
            QDir(out).removeRecursively();
            QDir().mkpath(out);
            for (const QString& n : names)
                QVERIFY(testutil::writeAll(out + "/" + n, old[n]));
            const int delay = uniformMs(fullMs * 11 / 10);
            const bool wasKilled = runAndKill(cli(), args(out), delay, &code);
            ++runs;
            if (wasKilled)
                ++killed;
            else
                QCOMPARE(code, 0);
            QCOMPARE(entriesUnder(out), names); // no temporary, hidden or other file
            int replaced = 0;
            for (const QString& n : names) {
                const QByteArray now = testutil::readAll(out + "/" + n);
                QVERIFY2(now == old[n] || now == fresh[n],
                         qPrintable(QStringLiteral("%1 after a kill at %2 ms is neither the old "
                                                   "file nor the complete new one")
                                        .arg(n)
                                        .arg(delay)));
                replaced += now == fresh[n];
            }
            if (!wasKilled)
                QCOMPARE(replaced, int(names.size()));
            else if (replaced > 0 && replaced < names.size())
                ++mixed;
        }
        qInfo("upscale: %d kills in %d runs (a full run %lld ms); %d left some outputs replaced, "
              "some old",
              killed, runs, fullMs, mixed);
    }

    void trainingKilledAnywhere() {
        shiftsr::training::TrainJob job = testutil::tinyJob(photos_, 21);
        job.steps = 8;
        job.checkpointEvery = 2;
        job.warmup = 1;
        const QString config = tmp_.filePath("train.json");
        QVERIFY(testutil::writeAll(config, QByteArray::fromStdString(job.toJson())));
        // The run never killed: the weights every killed and resumed run must end with.
        const QString ref = tmp_.filePath("train-ref");
        QElapsedTimer timer;
        timer.start();
        int code = -1;
        QVERIFY(!runAndKill(train(), {"teacher", "--config", config, "--out", ref}, 600000, &code));
        QCOMPARE(code, 0);
        const qint64 fullMs = timer.elapsed();
        const auto want = testutil::latestCheckpoint(ref);
        QVERIFY(!want.empty());

        const int kills = kills_ - kills_ / 2;
        int killed = 0, resumes = 0, finishedRuns = 0;
        int runIndex = 0;
        QString run = tmp_.filePath("train-0");
        while (true) {
            // A folder without config.json never got going: start it again; else resume it.
            const bool resume = QFileInfo::exists(run + "/config.json");
            const QStringList args = resume
                                         ? QStringList{"--resume", run}
                                         : QStringList{"teacher", "--config", config, "--out", run};
            resumes += resume;
            const bool last = killed >= kills;
            const int delay = last ? 600000 : uniformMs(fullMs * 11 / 10);
            QByteArray printed;
            const bool wasKilled = runAndKill(train(), args, delay, &code, &printed);
            const QString problem = runFolderProblem(run);
            QVERIFY2(problem.isEmpty(), qPrintable(QStringLiteral("%1 after %2 at %3 ms: %4")
                                                       .arg(run, wasKilled ? "a kill" : "the end")
                                                       .arg(delay)
                                                       .arg(problem)));
            if (wasKilled) {
                ++killed;
                continue;
            }
            QCOMPARE(code, 0);
            QVERIFY2(QFileInfo::exists(run + "/model.safetensors"),
                     qPrintable(QStringLiteral("%1 (%2): no model after exit 0: %3\nlog: %4")
                                    .arg(run, args.join(' '), QString::fromUtf8(printed),
                                         QString::fromUtf8(
                                             testutil::readAll(run + "/log.jsonl").right(600)))));
            const auto got = testutil::latestCheckpoint(run);
            QCOMPARE(got.size(), want.size());
            for (const auto& [name, tensor] : want) {
                QVERIFY2(got.count(name), name.c_str());
                QVERIFY2(torch::equal(got.at(name), tensor),
                         qPrintable(QStringLiteral("%1 differs from the run never killed")
                                        .arg(QString::fromStdString(name))));
            }
            ++finishedRuns;
            if (last)
                break;
            run = tmp_.filePath(QStringLiteral("train-%1").arg(++runIndex));
        }
        qInfo("training: %d kills, %d resumes, %d runs finished with the weights of the run never "
              "killed (a full run %lld ms)",
              killed, resumes, finishedRuns, fullMs);

        // Deterministically, the case a random kill seldom hits: killed after config.json and
        // the first log lines, before the first checkpoint. It was neither resumable (no
        // checkpoint) nor restartable (a log): --resume now starts it again from step 0.
        const QString early = tmp_.filePath("train-early");
        QVERIFY(QDir().mkpath(early + "/checkpoints"));
        QVERIFY(testutil::writeAll(early + "/config.json", testutil::readAll(config)));
        QVERIFY(testutil::writeAll(early + "/log.jsonl", "{\"step\":1,\"loss\":0.5}\n"));
        QVERIFY(!runAndKill(train(), {"--resume", early}, 600000, &code));
        QCOMPARE(code, 0);
        const auto got = testutil::latestCheckpoint(early);
        QCOMPARE(got.size(), want.size());
        for (const auto& [name, tensor] : want)
            QVERIFY2(got.count(name) && torch::equal(got.at(name), tensor), name.c_str());
    }

    void sigtermEndsPromptly_data() {
        QTest::addColumn<QString>("program");
        QTest::addColumn<QStringList>("args");
        // When SIGTERM comes: after N ms; "reader" once the program has opened {fifo} (it then
        // waits in read(), where nothing checks the flag; the watchdog ends it), or at once if it
        // ended first (a build that refuses FIFOs); "steps" once the trainer logged two steps.
        QTest::addColumn<QString>("moment");
        QTest::addColumn<QList<int>>("codes"); // -1: ended by the signal itself
        // {in}, {big}, {out}, {fifo}, {config}: replaced below.
        const QStringList upscale{"upscale",   "{in}",    "-o",
                                  "{out}",     "--model", "embedded:test-tiny",
                                  "--threads", "1",       "-q"};
        // Before main() installs the handlers (loading the libraries) SIGTERM's default ends it.
        QTest::newRow("upscale: starting, loading the model")
            << "cli" << upscale << "80" << QList<int>{130, -1};
        QTest::newRow("upscale: sampling tiles")
            << "cli" << QStringList{"upscale",   "{big}",
                                    "-o",        "{out}/big-x4.png",
                                    "--model",   "embedded:test-tiny",
                                    "--tile",    "32",
                                    "--threads", "1",
                                    "-q"}
            << "3000" << QList<int>{130};
        QTest::newRow("upscale: reading a FIFO")
            << "cli" << QStringList{"upscale",     "{fifo}",  "-o",
                                    "{out}/f.png", "--model", "embedded:test-tiny",
                                    "-q"}
            << "reader" << QList<int>{130, 1};
        QTest::newRow("info: reading a FIFO")
            << "cli" << QStringList{"info", "{fifo}"} << "reader" << QList<int>{130, 1};
        QTest::newRow("train: reading a FIFO as job file")
            << "train" << QStringList{"teacher", "--config", "{fifo}", "--out", "{out}/run"}
            << "reader" << QList<int>{130, 1};
        QTest::newRow("train: steps (finishes the step, writes a checkpoint)")
            << "train" << QStringList{"teacher", "--config", "{config}", "--out", "{out}/run"}
            << "steps" << QList<int>{0};
    }
    void sigtermEndsPromptly() {
        QFETCH(QString, program);
        QFETCH(QStringList, args);
        QFETCH(QString, moment);
        QFETCH(QList<int>, codes);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString in = dir.filePath("in"), out = dir.filePath("out"),
                      fifo = dir.filePath("fifo"), config = dir.filePath("job.json"),
                      big = dir.filePath("big");
        QDir().mkpath(in);
        QDir().mkpath(out);
        QVERIFY(QFile::copy(photos_ + "/p0.png", in + "/p0.png"));
        testutil::makePhotos(big, 1, 320, 240);
        QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
        shiftsr::training::TrainJob job = testutil::tinyJob(photos_, 5);
        job.steps = 100000;
        job.checkpointEvery = 100000;
        QVERIFY(testutil::writeAll(config, QByteArray::fromStdString(job.toJson())));
        for (QString& a : args)
            a.replace("{in}", in)
                .replace("{big}", big + "/p0.png")
                .replace("{out}", out)
                .replace("{fifo}", fifo)
                .replace("{config}", config);
        // Older outputs in place: afterwards intact, or at most replaced by complete new ones.
        const QByteArray old = "an older output";
        for (const char* name : {"p0-x4.png", "big-x4.png", "f.png"})
            QVERIFY(testutil::writeAll(out + "/" + name, old));

        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(program == QLatin1String("cli") ? cli() : train(), args);
        QVERIFY(p.waitForStarted());
        int writeEnd = -1; // held open (and never written) while the program reads the FIFO
        if (moment == QLatin1String("reader")) {
            QTRY_VERIFY_WITH_TIMEOUT((writeEnd = ::open(QFile::encodeName(fifo).constData(),
                                                        O_WRONLY | O_NONBLOCK)) >= 0 ||
                                         p.state() == QProcess::NotRunning,
                                     60000);
        } else if (moment == QLatin1String("steps")) {
            QTRY_VERIFY_WITH_TIMEOUT(testutil::readRunLog(out + "/run").size() >= 2, 120000);
        } else {
            QTest::qWait(moment.toInt());
        }
        QElapsedTimer sinceSignal;
        sinceSignal.start();
        if (p.state() == QProcess::Running && p.processId() > 0) // (never kill(0): our group)
            ::kill(pid_t(p.processId()), SIGTERM);
        const bool ended = p.state() == QProcess::NotRunning || p.waitForFinished(30000);
        const qint64 tookMs = sinceSignal.elapsed();
        if (!ended)
            p.kill();
        if (writeEnd >= 0)
            ::close(writeEnd);
        const QByteArray output = p.readAll();
        QVERIFY2(ended && tookMs <= kSigtermBoundMs,
                 qPrintable(QStringLiteral("ended %1 ms after SIGTERM: %2")
                                .arg(tookMs)
                                .arg(QString::fromUtf8(output))));
        const int code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        QVERIFY2(
            codes.contains(code),
            qPrintable(QStringLiteral("exit %1: %2").arg(code).arg(QString::fromUtf8(output))));
        // No partial or temporary file; the older outputs intact (or complete and new).
        for (const QString& e : entriesUnder(out))
            QVERIFY2(!e.contains(QLatin1String(".tmp")), qPrintable(e));
        for (const char* name : {"p0-x4.png", "big-x4.png", "f.png"}) {
            const QString path = out + "/" + name;
            QVERIFY2(testutil::readAll(path) == old || !cv::imread(path.toStdString()).empty(),
                     name);
        }
        if (program == QLatin1String("train"))
            QCOMPARE(runFolderProblem(out + "/run"), QString());
        qInfo("ended %lld ms after SIGTERM, exit %d: %s", tookMs, code,
              output.trimmed().right(200).constData());
    }
};

QTEST_GUILESS_MAIN(TestKillAnywhere)
#include "tst_killanywhere.moc"
