// BatchRun: the batch queue's plans and runs through its worker thread, and the run's state
// transitions.
#include "batch_run.h"

#include "batch_worker.h"

#include <QThread>

#include <algorithm>

namespace shiftsr::gui {

BatchRun::BatchRun(ModelRegistry& registry, QObject* parent)
    : QObject(parent), control_(std::make_shared<BatchControl>()) {
    qRegisterMetaType<BatchPlanResult>();
    qRegisterMetaType<BatchItemResult>();
    qRegisterMetaType<BatchEstimate>();
    thread_ = new QThread(this);
    thread_->setObjectName(QStringLiteral("BatchQueue"));
    worker_ = new BatchWorker(registry, control_);
    worker_->moveToThread(thread_);
    connect(worker_, &BatchWorker::planned, this, &BatchRun::applyPlan);
    connect(worker_, &BatchWorker::runFailed, this, &BatchRun::onRunFailed);
    connect(worker_, &BatchWorker::itemStarted, this, &BatchRun::onItemStarted);
    connect(worker_, &BatchWorker::itemProgress, this, &BatchRun::onItemProgress);
    connect(worker_, &BatchWorker::itemFinished, this, &BatchRun::onItemFinished);
    connect(worker_, &BatchWorker::paused, this, &BatchRun::onWorkerPaused);
    connect(worker_, &BatchWorker::finished, this, &BatchRun::onWorkerFinished);
    thread_->start();
}

BatchRun::~BatchRun() {
    // The engine sees the flag between stages; the item in flight is abandoned and, as every write
    // is atomic, leaves no partial file. Answers still queued for this object die with it.
    control_->cancel.store(true);
    thread_->quit();
    thread_->wait();
    delete worker_;
}

// ---------------------------------------------------------------------------------------------
// Plans

void BatchRun::plan(const BatchPlanRequest& request) {
    if (state_ != RunState::Idle)
        return;
    const quint64 generation = ++planGeneration_;
    QMetaObject::invokeMethod(
        worker_, [worker = worker_, generation, request] { worker->plan(generation, request); },
        Qt::QueuedConnection);
}

void BatchRun::setPlan(const BatchPlanResult& result) {
    if (state_ != RunState::Idle)
        return;
    applyPlan(++planGeneration_, result);
}

void BatchRun::applyPlan(quint64 generation, const BatchPlanResult& result) {
    if (generation != planGeneration_)
        return; // an answer to a request since replaced
    appliedGeneration_ = generation;
    items_.clear();
    for (const BatchPlanEntry& entry : result.items) {
        Item item;
        item.input = entry.input;
        item.output = entry.output;
        items_ << item;
    }
    Q_EMIT planned(result.error);
}

// ---------------------------------------------------------------------------------------------
// Run control

void BatchRun::start(const BatchPlanRequest& request, const UpscaleSettings& settings) {
    if (state_ != RunState::Idle)
        return;
    // The rows of a previous run show their old results until the new plan arrives: reset them.
    for (int row = 0; row < items_.size(); ++row) {
        items_[row] = Item{items_[row].input, items_[row].output, ItemState::Queued, 0, 0, {}};
        Q_EMIT itemChanged(row);
    }
    control_->cancel.store(false);
    control_->pause.store(false);
    runGeneration_ = ++planGeneration_;
    estimate_ = BatchEstimate();
    setState(RunState::Running);
    const quint64 generation = runGeneration_;
    QMetaObject::invokeMethod(
        worker_,
        [worker = worker_, generation, request, settings] {
            worker->start(generation, request, settings);
        },
        Qt::QueuedConnection);
}

void BatchRun::pause() {
    if (state_ != RunState::Running)
        return;
    control_->pause.store(true);
    setState(RunState::Pausing);
}

void BatchRun::resume() {
    if (state_ == RunState::Pausing) { // the current item has not finished: just go on
        control_->pause.store(false);
        setState(RunState::Running);
    } else if (state_ == RunState::Paused) {
        control_->pause.store(false);
        setState(RunState::Running);
        QMetaObject::invokeMethod(
            worker_, [worker = worker_] { worker->resume(); }, Qt::QueuedConnection);
    }
}

void BatchRun::cancel() {
    switch (state_) {
    case RunState::Running:
    case RunState::Pausing:
        control_->cancel.store(true);
        setState(RunState::Cancelling);
        break;
    case RunState::Paused: // the worker is idle: nothing to wait for
        control_->cancel.store(true);
        QMetaObject::invokeMethod(
            worker_, [worker = worker_] { worker->discard(); }, Qt::QueuedConnection);
        onWorkerFinished(runGeneration_, true);
        break;
    case RunState::Idle:
    case RunState::Cancelling:
        break;
    }
}

void BatchRun::setState(RunState state) {
    if (state_ == state)
        return;
    state_ = state;
    Q_EMIT stateChanged(state);
}

// ---------------------------------------------------------------------------------------------
// The worker's answers

void BatchRun::onRunFailed(quint64 generation, const QString& message) {
    if (generation != runGeneration_ || state_ == RunState::Idle)
        return;
    setState(RunState::Idle);
    Q_EMIT runFailed(message);
}

void BatchRun::onItemStarted(quint64 generation, int row) {
    if (generation != runGeneration_ || row < 0 || row >= items_.size())
        return;
    items_[row].state = ItemState::Running;
    items_[row].progress = 0;
    Q_EMIT itemChanged(row);
    Q_EMIT itemStarted(row);
}

void BatchRun::onItemProgress(quint64 generation, int row, double fraction,
                              const BatchEstimate& estimate) {
    if (generation != runGeneration_ || row < 0 || row >= items_.size() ||
        items_[row].state != ItemState::Running)
        return;
    items_[row].progress = std::clamp(fraction, 0.0, 1.0);
    estimate_ = estimate;
    Q_EMIT itemChanged(row);
    Q_EMIT progressChanged();
}

void BatchRun::onItemFinished(quint64 generation, const BatchItemResult& result) {
    if (generation != runGeneration_ || result.row < 0 || result.row >= items_.size())
        return;
    Item& item = items_[result.row];
    item.state = result.state;
    item.progress = result.state == ItemState::Done ? 1.0 : 0.0;
    item.seconds = result.seconds;
    item.message = result.message;
    estimate_ = result.estimate;
    Q_EMIT itemChanged(result.row);
    Q_EMIT itemFinished(result.row);
}

void BatchRun::onWorkerPaused(quint64 generation) {
    if (generation != runGeneration_)
        return;
    if (!control_->pause.load()) { // resumed while the last item was finishing
        QMetaObject::invokeMethod(
            worker_, [worker = worker_] { worker->resume(); }, Qt::QueuedConnection);
        return;
    }
    setState(RunState::Paused);
}

void BatchRun::onWorkerFinished(quint64 generation, bool cancelled) {
    if (generation != runGeneration_ || state_ == RunState::Idle)
        return;
    if (cancelled)
        for (int row = 0; row < items_.size(); ++row)
            if (items_[row].state == ItemState::Queued || items_[row].state == ItemState::Running) {
                items_[row].state = ItemState::Cancelled;
                items_[row].progress = 0;
                Q_EMIT itemChanged(row);
            }
    finishRun();
}

void BatchRun::finishRun() {
    int done = 0, skipped = 0, failed = 0, cancelled = 0;
    for (const Item& item : items_) {
        done += item.state == ItemState::Done;
        skipped += item.state == ItemState::Skipped;
        failed += item.state == ItemState::Failed;
        cancelled += item.state == ItemState::Cancelled;
    }
    setState(RunState::Idle);
    Q_EMIT finished(done, skipped, failed, cancelled);
}

} // namespace shiftsr::gui
