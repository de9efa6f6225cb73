// TrainingRun: shiftsr-train as a detached process under a small /bin/sh wrapper that records the
// trainer's pid and exit status in the run folder, so that the app (this start or a later one)
// knows whether the run is alive, stopped, finished or failed from the folder alone.
// TrainingLog: log.jsonl parsed line by line into series.
#include "shiftsr/gui/training_run.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTimer>

#include <algorithm>
#include <csignal>

#include <sys/types.h>

namespace shiftsr::gui {

namespace {

constexpr char kJob[] = "job.json";
constexpr char kConfig[] = "config.json";
constexpr char kLog[] = "log.jsonl";
constexpr char kNotes[] = "notes.json";
constexpr char kOutput[] = "train.log";
constexpr char kTrainerPid[] = "trainer.pid";
constexpr char kWrapperPid[] = "wrapper.pid";
constexpr char kExitStatus[] = "exit.status";
constexpr char kModel[] = "model.safetensors";

// Runs the trainer in the background of a shell that writes its pid first and its exit status
// last: the app signals the trainer itself (the shell only waits), and a status file that is
// missing while no process is alive means the run was killed with the machine.
constexpr char kWrapper[] = R"(echo "$$" > wrapper.pid
"$@" & pid=$!
echo "$pid" > trainer.pid
wait "$pid"
echo "$?" > exit.status.tmp && mv exit.status.tmp exit.status)";

// The chain: "$1" is the trainer, then KIND FOLDER pairs. Each folder gets the wrapper's files
// (wrapper.pid is this shell's, so the app sees every stage as started by the same process) and
// its own train.log; a folder that holds a run is resumed, one that has finished is skipped, and
// the chain ends at the first run that ends without model.safetensors (stopped or failed).
constexpr char kChainWrapper[] = R"(trainer=$1; shift
while [ "$#" -ge 2 ]; do
    kind=$1; dir=$2; shift 2
    [ -f "$dir/model.safetensors" ] && continue
    cd "$dir" || exit 1
    rm -f exit.status trainer.pid
    echo "$$" > wrapper.pid
    if [ -f config.json ]; then
        "$trainer" --resume "$dir" >> train.log 2>&1 &
    else
        "$trainer" "$kind" --config "$dir/job.json" --out "$dir" >> train.log 2>&1 &
    fi
    pid=$!
    echo "$pid" > trainer.pid
    wait "$pid"; status=$?
    echo "$status" > exit.status.tmp && mv exit.status.tmp exit.status
    [ "$status" = 0 ] && [ -f model.safetensors ] || exit "$status"
done)";

QString readSmallFile(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.read(1 << 20)).trimmed();
}

// Alive and still a shiftsr-train or its wrapper (a pid may be reused after a reboot).
bool pidAlive(qint64 pid) {
    if (pid <= 0 || ::kill(pid_t(pid), 0) != 0)
        return false;
    const QString stat = readSmallFile(QStringLiteral("/proc/%1/stat").arg(pid));
    const qsizetype close = stat.lastIndexOf(QLatin1Char(')'));
    if (close > 0 && stat.mid(close + 2, 1) == QLatin1String("Z"))
        return false; // a zombie has exited
    QFile cmd(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (!cmd.open(QIODevice::ReadOnly))
        return true; // no /proc: trust kill()
    const QByteArray line = cmd.readAll();
    return line.contains("shiftsr-train") || line.contains("trainer.pid");
}

QJsonObject readJsonObject(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

// Counters and bookkeeping of the log lines, not figures to plot.
bool isBookkeeping(const QString& name) {
    return name == QLatin1String("steps") || name == QLatin1String("world_size") ||
           name == QLatin1String("val.images") || name == QLatin1String("val.count");
}

bool isTimeOrSpeed(const QString& name) {
    return name == QLatin1String("lr") || name == QLatin1String("grad_norm") ||
           name == QLatin1String("samples_per_s") || name == QLatin1String("eta_s") ||
           name == QLatin1String("elapsed_s") || name.endsWith(QLatin1String("_lr")) ||
           name.endsWith(QLatin1String("_s"));
}

} // namespace

// ------------------------------------------------------------------------------- TrainingLog

int TrainingLog::append(const QByteArray& bytes) {
    int added = 0;
    qsizetype start = 0;
    for (;;) {
        const qsizetype end = bytes.indexOf('\n', start);
        if (end < 0)
            break; // an incomplete last line waits for the rest
        const QByteArray line = bytes.mid(start, end - start).trimmed();
        consumed += end + 1 - start;
        start = end + 1;
        if (line.isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.isEmpty())
            continue; // not JSON: skipped, never fatal
        lines.append(o);
        ++added;
        const int step = o.value(QLatin1String("step")).toInt(lastStep);
        lastStep = std::max(lastStep, step);
        if (o.contains(QLatin1String("event"))) {
            lastEvent = o.value(QLatin1String("event")).toString();
            lastMessage = o.value(QLatin1String("message")).toString();
            continue;
        }
        if (o.contains(QLatin1String("elapsed_s")))
            elapsedS = o.value(QLatin1String("elapsed_s")).toDouble();
        if (o.contains(QLatin1String("eta_s")))
            etaS = o.value(QLatin1String("eta_s")).toDouble();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (it.key() == QLatin1String("step"))
                continue;
            if (it.value().isDouble()) {
                series[it.key()].append(QPointF(step, it.value().toDouble()));
            } else if (it.key() == QLatin1String("val") && it.value().isObject()) {
                const QJsonObject val = it.value().toObject();
                for (auto v = val.begin(); v != val.end(); ++v)
                    if (v.value().isDouble())
                        series[QLatin1String("val.") + v.key()].append(
                            QPointF(step, v.value().toDouble()));
            }
        }
    }
    return added;
}

QStringList TrainingLog::lossSeries() const {
    QStringList names;
    for (auto it = series.begin(); it != series.end(); ++it)
        if (!it.key().startsWith(QLatin1String("val.")) && !isTimeOrSpeed(it.key()) &&
            !isBookkeeping(it.key()))
            names << it.key();
    return names;
}

QStringList TrainingLog::validationSeries() const {
    QStringList names;
    for (auto it = series.begin(); it != series.end(); ++it)
        if (it.key().startsWith(QLatin1String("val.")) && !isBookkeeping(it.key()))
            names << it.key();
    return names;
}

// ------------------------------------------------------------------------------- TrainingRun

TrainingRun::TrainingRun(const QString& folder, QObject* parent)
    : QObject(parent), folder_(QDir(folder).absolutePath()) {
    timer_ = new QTimer(this);
    timer_->setInterval(1000);
    connect(timer_, &QTimer::timeout, this, &TrainingRun::refresh);
    refresh();
}

TrainingRun::~TrainingRun() = default;

QString TrainingRun::trainerProgram() {
    const QString env = qEnvironmentVariable("SHIFTSR_TRAIN");
    if (!env.isEmpty())
        return QFileInfo(env).isExecutable() ? env : QString();
    const QString beside =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("shiftsr-train"));
    if (QFileInfo(beside).isExecutable())
        return beside;
    return QStandardPaths::findExecutable(QStringLiteral("shiftsr-train"));
}

bool TrainingRun::launch(const char* script, const QStringList& arguments, QString* error) {
    const QString trainer = trainerProgram();
    if (trainer.isEmpty()) {
        *error = tr("The training program shiftsr-train was not found beside ShiftSR or on the "
                    "PATH (set SHIFTSR_TRAIN to its path).");
        return false;
    }
    for (const char* stale : {kExitStatus, kTrainerPid, kWrapperPid})
        QFile::remove(QDir(folder_).filePath(stale));
    QProcess p;
    p.setProgram(QStringLiteral("/bin/sh"));
    // sh -c SCRIPT NAME ARGS...: NAME is the script's $0, ARGS its "$@".
    p.setArguments(QStringList{QStringLiteral("-c"), QString::fromLatin1(script),
                               QStringLiteral("shiftsr-train-run"), trainer} +
                   arguments);
    p.setWorkingDirectory(folder_);
    p.setStandardInputFile(QProcess::nullDevice());
    p.setStandardOutputFile(QDir(folder_).filePath(kOutput), QIODevice::Append);
    p.setStandardErrorFile(QDir(folder_).filePath(kOutput), QIODevice::Append);
    qint64 pid = 0;
    if (!p.startDetached(&pid)) {
        *error = tr("Cannot start %1: %2").arg(trainer, p.errorString());
        return false;
    }
    pid_ = pid;
    state_ = State::Running;
    Q_EMIT stateChanged(state_);
    return true;
}

bool TrainingRun::launchChain(const QStringList& then, QString* error) {
    auto kindOf = [](const QString& folder) {
        return readJsonObject(QDir(folder).filePath(kJob))
            .value(QLatin1String("kind"))
            .toString(QStringLiteral("teacher"));
    };
    QStringList pairs{kindOf(folder_), folder_};
    for (const QString& next : then) {
        const QString folder = QDir(next).absolutePath();
        if (!QFileInfo::exists(QDir(folder).filePath(kJob))) {
            *error = tr("%1 holds no job.json.").arg(QDir::toNativeSeparators(folder));
            return false;
        }
        pairs << kindOf(folder) << folder;
    }
    return launch(kChainWrapper, pairs, error);
}

bool TrainingRun::startChain(const QString& jobJson, const QStringList& then, QString* error) {
    if (jobJson.isEmpty())
        return resumeChain(then, error);
    if (!writeJob(jobJson, error))
        return false;
    return launchChain(then, error);
}

bool TrainingRun::resumeChain(const QStringList& then, QString* error) {
    return checkResumable(error) && launchChain(then, error);
}

// resume() and resumeChain(): the run is not running and has a run to continue.
bool TrainingRun::checkResumable(QString* error) {
    refresh();
    if (state_ == State::Running) {
        *error = tr("The run is still running.");
        return false;
    }
    if (!QFileInfo::exists(QDir(folder_).filePath(kConfig))) {
        *error = tr("There is nothing to resume in %1.").arg(QDir::toNativeSeparators(folder_));
        return false;
    }
    return true;
}

bool TrainingRun::shellAlive() const {
    return pidAlive(readSmallFile(QDir(folder_).filePath(kWrapperPid)).toLongLong());
}

// Checks that the folder holds no run and writes job.json (start() and startChain()).
bool TrainingRun::writeJob(const QString& jobJson, QString* error) {
    const QDir dir(folder_);
    refresh();
    if (state_ != State::Empty || QFileInfo::exists(dir.filePath(kLog)) ||
        QFileInfo::exists(dir.filePath(kConfig))) {
        *error = tr("%1 already holds a training run.").arg(QDir::toNativeSeparators(folder_));
        return false;
    }
    QJsonParseError parse{};
    const QJsonObject job = QJsonDocument::fromJson(jobJson.toUtf8(), &parse).object();
    if (parse.error != QJsonParseError::NoError || job.isEmpty()) {
        *error = tr("The job is not valid JSON: %1").arg(parse.errorString());
        return false;
    }
    if (!QDir().mkpath(folder_)) {
        *error = tr("Cannot create %1.").arg(QDir::toNativeSeparators(folder_));
        return false;
    }
    QSaveFile file(dir.filePath(kJob));
    if (!file.open(QIODevice::WriteOnly) || file.write(jobJson.toUtf8()) < 0 || !file.commit()) {
        *error = tr("Cannot write %1: %2").arg(dir.filePath(kJob), file.errorString());
        return false;
    }
    log_ = TrainingLog();
    return true;
}

bool TrainingRun::start(const QString& jobJson, QString* error, int maxSteps) {
    if (!writeJob(jobJson, error))
        return false;
    const QDir dir(folder_);
    const QJsonObject job = QJsonDocument::fromJson(jobJson.toUtf8()).object();
    QStringList args{job.value(QLatin1String("kind")).toString(QStringLiteral("teacher")),
                     QStringLiteral("--config"), dir.filePath(kJob), QStringLiteral("--out"),
                     folder_};
    if (maxSteps >= 0)
        args << QStringLiteral("--max-steps") << QString::number(maxSteps);
    return launch(kWrapper, args, error);
}

bool TrainingRun::resume(QString* error) {
    return checkResumable(error) && launch(kWrapper, {QStringLiteral("--resume"), folder_}, error);
}

bool TrainingRun::stop() {
    refresh();
    if (state_ != State::Running)
        return false;
    const qint64 trainer = readSmallFile(QDir(folder_).filePath(kTrainerPid)).toLongLong();
    if (!pidAlive(trainer))
        return false; // between the shell's start and the trainer's: try again in a moment
    return ::kill(pid_t(trainer), SIGTERM) == 0;
}

bool TrainingRun::processAlive() const {
    const QDir dir(folder_);
    if (QFileInfo::exists(dir.filePath(kExitStatus)))
        return false; // the wrapper wrote the status last
    // The trainer, or its wrapper between the trainer's end and the status (or before the
    // trainer's start), also when it was started by an earlier run of the app.
    return pidAlive(readSmallFile(dir.filePath(kTrainerPid)).toLongLong()) ||
           pidAlive(readSmallFile(dir.filePath(kWrapperPid)).toLongLong()) || pidAlive(pid_);
}

TrainingRun::State TrainingRun::stateFromFolder() const {
    const QDir dir(folder_);
    if (!QFileInfo::exists(dir.filePath(kLog)) && !QFileInfo::exists(dir.filePath(kConfig)) &&
        !QFileInfo::exists(dir.filePath(kTrainerPid)) && pid_ <= 0)
        return State::Empty;
    if (processAlive())
        return State::Running;
    const QString status = readSmallFile(dir.filePath(kExitStatus));
    if (log_.lastEvent == QLatin1String("finished") && QFileInfo::exists(dir.filePath(kModel)))
        return State::Finished;
    if (!status.isEmpty() && status != QLatin1String("0"))
        return State::Failed;
    if (log_.lastEvent == QLatin1String("stopped"))
        return State::Stopped;
    // Exit 0 without an event: --max-steps reached (a checkpoint was written at the last step).
    if (status == QLatin1String("0") && QFileInfo::exists(dir.filePath("checkpoints/latest.txt")))
        return State::Stopped;
    return State::Failed; // no status: killed with the machine, or never got going
}

void TrainingRun::refresh() {
    QFile f(QDir(folder_).filePath(kLog));
    if (f.open(QIODevice::ReadOnly)) {
        if (f.size() < log_.consumed)
            log_ = TrainingLog(); // a new log in the folder: read it from the start
        f.seek(log_.consumed);
        const int first = int(log_.lines.size());
        if (log_.append(f.readAll()) > 0)
            Q_EMIT logAppended(first);
    }
    const int samples = int(this->samples().size());
    if (samples != sampleCount_) {
        sampleCount_ = samples;
        Q_EMIT samplesChanged();
    }
    const State s = stateFromFolder();
    if (s != state_) {
        state_ = s;
        Q_EMIT stateChanged(s);
    }
}

void TrainingRun::follow(bool on) {
    if (on)
        timer_->start();
    else
        timer_->stop();
}

QString TrainingRun::failure() const {
    if (state_ != State::Failed)
        return {};
    QFile f(QDir(folder_).filePath(kOutput));
    QStringList lines;
    if (f.open(QIODevice::ReadOnly)) {
        if (f.size() > 16384)
            f.seek(f.size() - 16384);
        // Progress lines end in "\r": keep what was printed last on each line.
        for (QString line : QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'))) {
            line = line.section(QLatin1Char('\r'), -1).trimmed();
            if (!line.isEmpty())
                lines << line;
        }
    }
    const QString status = readSmallFile(QDir(folder_).filePath(kExitStatus));
    QString message = lines.mid(std::max<qsizetype>(0, lines.size() - 3)).join(QLatin1Char('\n'));
    if (status.isEmpty())
        message = tr("The training process ended without a word (was the machine restarted?). "
                     "Resume continues from the last checkpoint.") +
                  (message.isEmpty() ? QString() : QLatin1Char('\n') + message);
    return message;
}

int TrainingRun::plannedSteps() const {
    QJsonObject o = readJsonObject(QDir(folder_).filePath(kConfig));
    if (o.isEmpty())
        o = readJsonObject(QDir(folder_).filePath(kJob));
    return o.value(QLatin1String("steps")).toInt(0);
}

QStringList TrainingRun::samples() const {
    const QDir dir(QDir(folder_).filePath(QStringLiteral("samples")));
    QList<QPair<int, QString>> found;
    static const QRegularExpression name(QStringLiteral("^step-(\\d+)\\.png$"));
    for (const QString& f : dir.entryList({QStringLiteral("step-*.png")}, QDir::Files)) {
        const auto m = name.match(f);
        if (m.hasMatch())
            found.append({m.captured(1).toInt(), dir.filePath(f)});
    }
    std::sort(found.begin(), found.end());
    QStringList out;
    for (const auto& [step, path] : found)
        out << path;
    return out;
}

bool TrainingRun::exportPackage(const QString& package, QString* error) const {
    const QDir dir(folder_);
    if (state_ == State::Finished) { // the finished package, copied atomically
        QFile in(dir.filePath(kModel));
        QSaveFile out(package);
        if (!in.open(QIODevice::ReadOnly) || !out.open(QIODevice::WriteOnly)) {
            *error = tr("Cannot copy %1 to %2.").arg(in.fileName(), package);
            return false;
        }
        while (!in.atEnd()) {
            const QByteArray chunk = in.read(1 << 20);
            if (chunk.isEmpty() || out.write(chunk) != chunk.size()) {
                *error = tr("Cannot write %1: %2").arg(package, out.errorString());
                return false;
            }
        }
        if (!out.commit()) {
            *error = tr("Cannot write %1: %2").arg(package, out.errorString());
            return false;
        }
        return true;
    }
    const QString trainer = trainerProgram();
    if (trainer.isEmpty()) {
        *error = tr("The training program shiftsr-train was not found.");
        return false;
    }
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(trainer, {QStringLiteral("export"), folder_, QStringLiteral("-o"), package});
    if (!p.waitForFinished(10 * 60 * 1000) || p.exitStatus() != QProcess::NormalExit ||
        p.exitCode() != 0) {
        *error = QString::fromUtf8(p.readAll()).trimmed();
        if (error->isEmpty())
            *error = p.errorString();
        return false;
    }
    return true;
}

QJsonObject TrainingRun::notes() const {
    return readJsonObject(QDir(folder_).filePath(kNotes));
}

bool TrainingRun::setNotes(const QJsonObject& notes, QString* error) {
    QDir().mkpath(folder_);
    QSaveFile f(QDir(folder_).filePath(kNotes));
    if (!f.open(QIODevice::WriteOnly) ||
        f.write(QJsonDocument(notes).toJson(QJsonDocument::Indented)) < 0 || !f.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(f.fileName(), f.errorString());
        return false;
    }
    return true;
}

QStringList TrainingRun::findRuns(const QString& root) {
    QList<QPair<QDateTime, QString>> runs;
    const QDir dir(root);
    for (const QFileInfo& fi : dir.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        // A run of stages (YONOS-SR) has its jobs in sub-folders: its notes say what it is.
        for (const char* name : {kJob, kNotes}) {
            const QFileInfo file(QDir(fi.absoluteFilePath()).filePath(name));
            if (file.exists()) {
                runs.append({file.lastModified(), fi.absoluteFilePath()});
                break;
            }
        }
    }
    std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) {
        return a.first > b.first || (a.first == b.first && a.second < b.second);
    });
    QStringList out;
    for (const auto& [time, path] : runs)
        out << path;
    return out;
}

} // namespace shiftsr::gui
