// TrainingRun: one run folder of `shiftsr-train`, driven from the app: start, follow, stop,
// resume, export. TrainingLog: the run's log.jsonl read incrementally into chart series.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QStringList>

class QTimer;

namespace shiftsr::gui {

// What log.jsonl says, read line by line as it grows; rebuilt from the file alone, so reopening a
// run shows its whole history.
struct TrainingLog {
    QList<QJsonObject> lines; // every complete line, in order
    // Every numeric field of the step lines as a series over the step: "loss", "lr", "grad_norm",
    // "samples_per_s", the rsd terms ("dm", "supervised", ...), and the validation figures as
    // "val.psnr_y", "val.ssim_y", ... (only at validation steps).
    QMap<QString, QList<QPointF>> series;
    int lastStep = 0;    // the largest "step" seen
    double elapsedS = 0; // the last "elapsed_s"
    double etaS = -1;    // the last "eta_s"; < 0: none yet
    QString lastEvent;   // "started", "stopped", "finished", ... (the last "event" line)
    QString lastMessage; // that line's "message", if any
    qint64 consumed = 0; // bytes of the file read so far (up to the last complete line)

    // Parses the complete lines of `bytes` (the file's content after `consumed`); an incomplete
    // last line is left for the next call. Returns the number of new lines.
    int append(const QByteArray& bytes);
    // Names of the series that hold losses (everything that is not a validation figure, the
    // learning rate, a speed or a time).
    QStringList lossSeries() const;
    QStringList validationSeries() const; // "val.*"
};

// The folder holds job.json (what the app asked for), and what the trainer writes: config.json,
// log.jsonl, checkpoints/, samples/step-N.png, model.safetensors; and the app's own notes.json
// (what the wizard chose: teacher, photos, held-out list, preset) and train.log (the trainer's
// output). The trainer runs detached: it may outlive the app (the user chose to keep it running)
// and a later start of the app follows it again from the folder (its pid is in notes.json).
class TrainingRun : public QObject {
    Q_OBJECT
public:
    enum class State {
        Empty,    // no run in the folder yet
        Running,  // the trainer process is alive
        Stopped,  // stopped on request or after --max-steps, with a checkpoint: resumable
        Finished, // model.safetensors written
        Failed    // the process ended without "stopped" or "finished": see failure()
    };
    Q_ENUM(State)

    explicit TrainingRun(const QString& folder, QObject* parent = nullptr);
    ~TrainingRun() override; // never stops the process: stopping is the user's choice

    QString folder() const { return folder_; }
    // The trainer program: $SHIFTSR_TRAIN, else `shiftsr-train` beside the running executable,
    // else on PATH; empty when none is found.
    static QString trainerProgram();

    // Writes job.json and starts `shiftsr-train KIND --config job.json --out FOLDER`, KIND taken
    // from the job. maxSteps >= 0 stops after that many steps (a trial). False with a message
    // when the folder already holds a run, the job is not valid JSON or the program is missing.
    bool start(const QString& jobJson, QString* error, int maxSteps = -1);
    bool resume(QString* error); // a Stopped or Failed run: `shiftsr-train --resume FOLDER`
    // A chain of runs in one detached shell: this run (started from jobJson as start() does, or
    // resumed as resume() does when jobJson is empty), then each folder of `then` in turn, started
    // from the job.json already in it (resumed where it holds a run, skipped where it has
    // finished). The shell goes on when the app is closed, and it ends at the first run that ends
    // without its package (stopped or failed). A folder of `then` stays Empty until the shell
    // reaches it; shellAlive() of the run before it says whether it still will.
    bool startChain(const QString& jobJson, const QStringList& then, QString* error);
    bool resumeChain(const QStringList& then, QString* error);
    // The shell that ran this folder's trainer is alive: the trainer, or (when this run has
    // finished) a chain on its way to the next folder.
    bool shellAlive() const;
    // Asks the trainer to finish its step, write a checkpoint and exit (SIGTERM); the state
    // becomes Stopped when it has. False when not running.
    bool stop();

    State state() const { return state_; }
    QString failure() const; // the last lines of train.log when Failed
    const TrainingLog& log() const { return log_; }
    int plannedSteps() const;    // config.json (or job.json) "steps"; 0 when unknown
    QStringList samples() const; // samples/step-N.png, by step
    bool isResumable() const { return state_ == State::Stopped || state_ == State::Failed; }

    // Reads what is new in log.jsonl and checks the process; runs every second on its own while
    // the run is followed (follow()), and may be called any time.
    void refresh();
    void follow(bool on);

    // The latest checkpoint's EMA weights (or, finished, model.safetensors) as a package at
    // `package`, through `shiftsr-train export`; blocks until written (seconds).
    bool exportPackage(const QString& package, QString* error) const;

    QJsonObject notes() const; // notes.json; empty when there is none
    bool setNotes(const QJsonObject& notes, QString* error = nullptr); // written atomically

    // The run folders directly under `root` (those with a job.json, or a notes.json: a run of
    // stages in sub-folders), newest first.
    static QStringList findRuns(const QString& root);

Q_SIGNALS:
    void logAppended(int firstNewLine); // log().lines from that index on are new
    void stateChanged(shiftsr::gui::TrainingRun::State state);
    void samplesChanged();

private:
    // Runs `script` (kWrapper, kChainWrapper) detached under /bin/sh with the trainer and
    // `arguments` as its arguments.
    bool launch(const char* script, const QStringList& arguments, QString* error);
    bool launchChain(const QStringList& then, QString* error);
    bool writeJob(const QString& jobJson, QString* error);
    bool checkResumable(QString* error);
    bool processAlive() const;
    State stateFromFolder() const;

    QString folder_;
    TrainingLog log_;
    State state_ = State::Empty;
    qint64 pid_ = 0;
    int sampleCount_ = 0;
    QTimer* timer_ = nullptr;
};

} // namespace shiftsr::gui
