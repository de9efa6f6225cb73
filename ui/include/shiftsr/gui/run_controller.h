// RunController: the desktop app's engine runs without any widget: it owns the EngineWorker and its
// thread, starts a run from a list of EngineJob, follows it (progress, results, failures,
// cancellation) and keeps a record of what each job produced, for the windows that show runs.
#pragma once

#include "shiftsr/gui/engine_worker.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QString>

class QThread;

namespace shiftsr::gui {

class ModelRegistry;

// One run at a time: start() refuses while a run is in progress. Every signal belongs to the
// current run (currentRun() names it while they are delivered); each started run ends with exactly
// one finished(), also when it failed or was cancelled. All of it lives in the GUI thread; the
// engine work happens in the worker's thread and comes back as queued signals, so no call here
// waits for the engine, except the destructor.
class RunController : public QObject {
    Q_OBJECT
public:
    enum class JobState { Queued, Running, Done, Failed, Cancelled };
    Q_ENUM(JobState)

    // The bookkeeping of one job of a run, filled in as the run goes on.
    struct JobRecord {
        QString label;     // EngineJob::label
        QString modelSpec; // the model that produces this result slot (EngineJob::modelSpec)
        JobState state = JobState::Queued;
        QString error;            // a failed job's untranslated engine message
        double wallSeconds = 0;   // model loading (or the cache look-up) plus the pipeline
        double engineSeconds = 0; // the pipeline's own total (UpscaleReport::times.total)
        // What the job's pipeline run itself needed: its peak resident memory above what the
        // process held when the run began (UpscaleReport::runPeakBytes), so the figure does not
        // depend on what ran before in the same window.
        unsigned long long runPeakBytes = 0;
        double weight = 1; // the job's share of the run's work: pixels x (network calls + 1)
    };

    // The bookkeeping of one run; slot i is jobs[i] of start().
    struct RunRecord {
        quint64 id = 0; // as start() returned it; 0: no run yet
        QList<JobRecord> jobs;
        bool cancelled = false; // the engine stopped the run before every job had ended
        bool finished = false;  // finished() was sent
        double wallSeconds = 0; // from start() until finished(), or until now while running
        unsigned long long runPeakBytes = 0; // the largest of the jobs'
        double fraction = 0;                 // of the work done, weighted by the jobs' weights
        // Seconds left by the pace so far; < 0 while there is too little to go by (the first
        // 2 % of the work or the first second).
        double etaSeconds = -1;
    };

    // `registry` must outlive the controller; the worker thread only calls its load().
    explicit RunController(ModelRegistry& registry, QObject* parent = nullptr);
    // Cancels a run in progress and waits until the engine has stopped (at its next check).
    ~RunController() override;

    // Submits `jobs` as one run; returns its id (increasing from 1), or 0 when a run is in
    // progress or `jobs` is empty (nothing is sent then).
    quint64 start(const QList<EngineJob>& jobs);
    // Asks the engine to stop the current run at its next check; finished(true) follows, unless
    // every job had already ended. Does nothing when idle.
    void cancel();

    bool isBusy() const { return current_ != 0; } // from start() until finished()
    bool isCancelling() const { return isBusy() && cancelRequested_; }
    quint64 currentRun() const { return current_; } // 0: idle
    // The run in progress, else the last one (id 0 before the first); during finished() the run
    // that has just ended.
    RunRecord lastRun() const;

    // The worker in its thread, for observers (tests connect to its signals directly).
    EngineWorker* worker() const { return worker_; }

Q_SIGNALS:
    // The engine began the run (a queued run waits for the one before it in the worker).
    void started(quint64 run, int jobs);
    // fraction: of the whole run in [0, 1], never decreasing, from the work done (each job weighs
    // its pixels x its network calls; within a job the engine reports every network block);
    // job: the slot at work; stage: the engine's short untranslated key ("load model",
    // "tile 1/2: step 2/4").
    void progress(double fraction, int job, const QString& stage);
    // A job's result, with its report (times, peak memory, device, threads, steps, warnings) and
    // provenance; `slot` is the job's index in start()'s list.
    void resultReady(int slot, const shiftsr::gui::EngineJobResult& result);
    // A job failed (untranslated engine message); the run goes on with the next job.
    void failed(int slot, const QString& message);
    // The run is over (isBusy() is false again); cancelled: it stopped before every job ended.
    void finished(bool cancelled);

private:
    void onBatchStarted(quint64 batch, int jobs);
    void onProgress(quint64 batch, int job, double fraction, const QString& stage);
    void onJobFinished(quint64 batch, const shiftsr::gui::EngineJobResult& result);
    void onJobFailed(quint64 batch, int job, const QString& message);
    void onCancelled(quint64 batch);
    void onBatchFinished(quint64 batch);
    JobRecord* job(quint64 batch, int index); // null unless the current run has that job

    ModelRegistry& registry_;
    QThread* thread_ = nullptr;
    EngineWorker* worker_ = nullptr;
    quint64 current_ = 0; // the run in progress; 0: idle
    bool cancelRequested_ = false;
    RunRecord record_;
    QElapsedTimer clock_; // since the current run's start()
};

} // namespace shiftsr::gui
