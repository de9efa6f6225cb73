// RunController: the EngineWorker's thread, one run at a time, and the bookkeeping of each run
// from the worker's batch signals.
#include "shiftsr/gui/run_controller.h"

#include "shiftsr/gui/model_registry.h"

#include <QThread>

#include <algorithm>

namespace shiftsr::gui {

RunController::RunController(ModelRegistry& registry, QObject* parent)
    : QObject(parent), registry_(registry) {
    thread_ = new QThread(this);
    thread_->setObjectName(QStringLiteral("shiftsr-engine"));
    worker_ = new EngineWorker(registry);
    worker_->moveToThread(thread_);
    connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(worker_, &EngineWorker::batchStarted, this, &RunController::onBatchStarted);
    connect(worker_, &EngineWorker::progress, this, &RunController::onProgress);
    connect(worker_, &EngineWorker::jobFinished, this, &RunController::onJobFinished);
    connect(worker_, &EngineWorker::jobFailed, this, &RunController::onJobFailed);
    connect(worker_, &EngineWorker::cancelled, this, &RunController::onCancelled);
    connect(worker_, &EngineWorker::batchFinished, this, &RunController::onBatchFinished);
    thread_->start();
}

RunController::~RunController() {
    // A run in progress stops at the engine's next check; the worker is deleted by the thread's
    // finished signal.
    worker_->cancel();
    thread_->quit();
    thread_->wait();
}

quint64 RunController::start(const QList<EngineJob>& jobs) {
    if (isBusy() || jobs.isEmpty())
        return 0;
    RunRecord record;
    for (const EngineJob& job : jobs) {
        JobRecord r;
        r.label = job.label;
        r.modelSpec = job.modelSpec;
        // Time grows with the pixels and the network calls; the + 1 stands for the work around
        // them (encoding, decoding, blending), which one-step runs feel most.
        int steps = job.request.steps;
        if (steps <= 0) {
            const ModelEntry* e = registry_.find(job.modelSpec);
            steps = e && e->error.isEmpty() ? e->info.steps : 1;
        }
        const cv::Mat& image = job.request.image;
        const double pixels = image.empty() ? 1.0 : double(image.cols) * double(image.rows);
        r.weight = pixels * (std::max(1, steps) + 1);
        record.jobs.append(r);
    }
    cancelRequested_ = false;
    clock_.start();
    current_ = worker_->submit(jobs);
    record.id = current_;
    record_ = record;
    return current_;
}

void RunController::cancel() {
    if (!isBusy())
        return;
    worker_->cancel();
    cancelRequested_ = true;
}

RunController::RunRecord RunController::lastRun() const {
    RunRecord r = record_;
    if (isBusy()) {
        r.wallSeconds = double(clock_.nsecsElapsed()) * 1e-9;
        if (r.fraction >= 0.02 && r.wallSeconds >= 1.0)
            r.etaSeconds = r.wallSeconds * (1.0 - r.fraction) / r.fraction;
    }
    return r;
}

RunController::JobRecord* RunController::job(quint64 batch, int index) {
    if (batch != current_ || batch == 0 || index < 0 || index >= record_.jobs.size())
        return nullptr;
    return &record_.jobs[index];
}

void RunController::onBatchStarted(quint64 batch, int jobs) {
    if (batch == current_ && batch != 0)
        Q_EMIT started(batch, jobs);
}

void RunController::onProgress(quint64 batch, int index, double fraction, const QString& stage) {
    JobRecord* j = job(batch, index);
    if (!j)
        return;
    if (j->state == JobState::Queued)
        j->state = JobState::Running;
    double before = 0, total = 0;
    for (int i = 0; i < record_.jobs.size(); ++i) {
        total += record_.jobs[i].weight;
        if (i < index)
            before += record_.jobs[i].weight;
    }
    const double run = (before + j->weight * std::clamp(fraction, 0.0, 1.0)) / total;
    record_.fraction = std::max(record_.fraction, std::min(run, 1.0));
    Q_EMIT progress(record_.fraction, index, stage);
}

void RunController::onJobFinished(quint64 batch, const EngineJobResult& result) {
    JobRecord* j = job(batch, result.job);
    if (!j)
        return;
    j->state = JobState::Done;
    j->wallSeconds = result.wallSeconds;
    j->engineSeconds = result.report.times.total;
    j->runPeakBytes = result.report.runPeakBytes();
    record_.runPeakBytes = std::max(record_.runPeakBytes, j->runPeakBytes);
    Q_EMIT resultReady(result.job, result);
}

void RunController::onJobFailed(quint64 batch, int index, const QString& message) {
    JobRecord* j = job(batch, index);
    if (!j)
        return;
    j->state = JobState::Failed;
    j->error = message;
    Q_EMIT failed(index, message);
}

void RunController::onCancelled(quint64 batch) {
    if (batch != current_ || batch == 0)
        return;
    record_.cancelled = true;
    for (JobRecord& j : record_.jobs)
        if (j.state == JobState::Queued || j.state == JobState::Running)
            j.state = JobState::Cancelled;
}

void RunController::onBatchFinished(quint64 batch) {
    if (batch != current_ || batch == 0)
        return;
    current_ = 0;
    cancelRequested_ = false;
    record_.finished = true;
    if (!record_.cancelled)
        record_.fraction = 1.0;
    record_.wallSeconds = double(clock_.nsecsElapsed()) * 1e-9;
    Q_EMIT finished(record_.cancelled);
}

} // namespace shiftsr::gui
