// BatchRun: the batch queue's run state machine, without widgets: the worker thread and its
// BatchWorker, the control flags the engine reads, the planned items and their states, the plan
// and run generations, and the run state (Idle, Running, Pausing, Paused, Cancelling).
#pragma once

#include "shiftsr/engine/batch_runner.h"
#include "shiftsr/engine/upscale_settings.h"
#include "shiftsr/gui/batch_queue.h"

#include <QList>
#include <QObject>
#include <QString>

#include <memory>

class QThread;

namespace shiftsr::gui {

class BatchWorker;
class ModelRegistry;
struct BatchControl;
struct BatchItemResult;
struct BatchPlanRequest;
struct BatchPlanResult;

// The BatchQueue widget drives it (plan, start, pause, resume, cancel) and shows what its signals
// report. Every answer from the worker carries the generation of its request; answers to requests
// since replaced are dropped. Destroying it during a run cancels the run and waits for the worker
// (the engine writes atomically: only complete files remain).
class BatchRun : public QObject {
    Q_OBJECT
public:
    using Item = BatchQueue::Item;
    using ItemState = BatchQueue::ItemState;
    using RunState = BatchQueue::RunState;

    // `registry` must outlive the run. The worker thread starts here.
    explicit BatchRun(ModelRegistry& registry, QObject* parent = nullptr);
    ~BatchRun() override;

    RunState state() const { return state_; }
    bool isPlanPending() const { return appliedGeneration_ != planGeneration_; }
    const QList<Item>& items() const { return items_; }
    // Of the run in progress or the last one (the engine's batch runner: pixel-weighted progress,
    // ETA, engine time).
    const BatchEstimate& estimate() const { return estimate_; }
    // The worker, for tests that gate it (a direct connection to its signals runs in its thread).
    BatchWorker* worker() const { return worker_; }

    // The worker plans `request`; planned() follows with the items. Ignored unless idle.
    void plan(const BatchPlanRequest& request);
    // `result` is the newest plan at once, with nothing to ask the worker. Ignored unless idle.
    void setPlan(const BatchPlanResult& result);
    // Every item back to Queued; the worker plans again from the disk (planned() follows), loads
    // the model and runs every item with `settings`. Ignored unless idle.
    void start(const BatchPlanRequest& request, const UpscaleSettings& settings);
    void pause();  // Running: the current item finishes, then the run waits for resume()
    void resume(); // Pausing or Paused
    void cancel(); // the item in flight is abandoned; every item not finished becomes Cancelled

Q_SIGNALS:
    // The items are those of a new plan; `error` says why there is none, empty on success.
    void planned(const QString& error);
    void stateChanged(shiftsr::gui::BatchQueue::RunState state);
    void itemChanged(int row);  // its state, progress or result; before the signals below
    void itemStarted(int row);  // the worker started it
    void progressChanged();     // of the running item, and the estimate
    void itemFinished(int row); // Done, Skipped, Failed, or Cancelled while it ran
    // Back to Idle with nothing run: `message` says why, or is empty when the plan failed (its
    // error came with planned()).
    void runFailed(const QString& message);
    void finished(int done, int skipped, int failed, int cancelled); // back to Idle

private:
    void applyPlan(quint64 generation, const BatchPlanResult& result);
    void onRunFailed(quint64 generation, const QString& message);
    void onItemStarted(quint64 generation, int row);
    void onItemProgress(quint64 generation, int row, double fraction,
                        const BatchEstimate& estimate);
    void onItemFinished(quint64 generation, const BatchItemResult& result);
    void onWorkerPaused(quint64 generation);
    void onWorkerFinished(quint64 generation, bool cancelled);
    void finishRun();
    void setState(RunState state);

    std::shared_ptr<BatchControl> control_;
    QThread* thread_ = nullptr;
    BatchWorker* worker_ = nullptr; // lives in thread_

    QList<Item> items_;
    BatchEstimate estimate_;
    quint64 planGeneration_ = 0; // of the newest plan request (a run's plan included)
    quint64 appliedGeneration_ = 0;
    quint64 runGeneration_ = 0;
    RunState state_ = RunState::Idle;
};

} // namespace shiftsr::gui
