// BatchWorker: plans the batch queue's items and runs them through the engine's BatchRunner (the
// CLI's runner) in the worker thread.
#include "batch_worker.h"

#include "shiftsr/gui/model_registry.h"

#include <QDir>
#include <QElapsedTimer>

#include <string>
#include <utility>
#include <vector>

namespace shiftsr::gui {

namespace {

constexpr qint64 kProgressIntervalMs = 100; // enough for a smooth bar, few events for the GUI

QString fromStd(const std::string& s) {
    return QString::fromStdString(s);
}

} // namespace

BatchWorker::BatchWorker(ModelRegistry& registry, std::shared_ptr<BatchControl> control)
    : registry_(registry), control_(std::move(control)) {}

BatchPlanResult BatchWorker::makePlan(const BatchPlanRequest& request) {
    BatchPlanResult result;
    std::vector<std::string> inputs;
    for (const QString& input : request.inputs)
        inputs.push_back(input.toStdString());
    bool outputIsFolder = false;
    auto plan =
        planBatch(inputs, request.outputFolder.toStdString(), request.options, &outputIsFolder);
    if (!plan) {
        result.error = fromStd(plan.status().message());
        return result;
    }
    // planBatch reads a single input with an image-like output name as "write this file"; the
    // queue always writes into a folder.
    if (!outputIsFolder) {
        result.error = tr("the output folder %1 has an image file name; create it first or choose "
                          "another folder")
                           .arg(QDir::toNativeSeparators(request.outputFolder));
        return result;
    }
    for (const BatchItem& item : *plan) {
        BatchPlanEntry entry;
        entry.input = fromStd(item.input);
        entry.output = fromStd(item.output);
        if (!request.excluded.contains(entry.input))
            result.items.push_back(entry);
    }
    return result;
}

void BatchWorker::plan(quint64 generation, const BatchPlanRequest& request) {
    Q_EMIT planned(generation, makePlan(request));
}

void BatchWorker::start(quint64 generation, const BatchPlanRequest& request,
                        const UpscaleSettings& settings) {
    generation_ = generation;
    runner_.reset();
    next_ = 0;

    BatchPlanResult plan = makePlan(request);
    Q_EMIT planned(generation, plan);
    if (!plan.error.isEmpty()) {
        Q_EMIT runFailed(generation, QString()); // the plan's error is shown with the plan
        return;
    }
    if (plan.items.isEmpty()) {
        Q_EMIT finished(generation, false);
        return;
    }
    const QString spec = fromStd(settings.modelSpec);
    auto model = registry_.load(spec, settings.loadOptions());
    if (!model) {
        Q_EMIT runFailed(
            generation,
            tr("cannot load the model %1: %2").arg(spec, fromStd(model.status().message())));
        return;
    }
    if (!QDir().mkpath(request.outputFolder)) {
        Q_EMIT runFailed(generation, tr("cannot create the output folder %1")
                                         .arg(QDir::toNativeSeparators(request.outputFolder)));
        return;
    }
    std::vector<BatchItem> items;
    for (const BatchPlanEntry& entry : plan.items)
        items.push_back({entry.input.toStdString(), entry.output.toStdString()});
    ModelRegistry* registry = &registry_;
    runner_ = std::make_unique<BatchRunner>(
        std::move(items), *model, settings, /*outputIsFolder=*/true,
        [registry, spec](const LoadOptions& options) { return registry->load(spec, options); });
    runFrom(0);
}

void BatchWorker::resume() {
    if (runner_)
        runFrom(next_);
    else // nothing left to resume: say so rather than leave the queue waiting
        Q_EMIT finished(generation_, false);
}

void BatchWorker::discard() {
    runner_.reset();
    next_ = 0;
}

void BatchWorker::runFrom(int first) {
    const int n = int(runner_->size());
    for (int row = first; row < n; ++row) {
        if (control_->cancel.load()) {
            discard();
            Q_EMIT finished(generation_, true);
            return;
        }
        if (control_->pause.load()) {
            next_ = row;
            Q_EMIT paused(generation_);
            return;
        }
        Q_EMIT itemStarted(generation_, row);
        JobControl job;
        job.cancel = &control_->cancel;
        QElapsedTimer sinceReport;
        sinceReport.start();
        const quint64 generation = generation_;
        BatchRunner* runner = runner_.get();
        job.progress = [this, runner, &sinceReport, generation, row](double fraction,
                                                                     const std::string&) {
            if (fraction < 1.0 && sinceReport.elapsed() < kProgressIntervalMs)
                return;
            sinceReport.restart();
            Q_EMIT itemProgress(generation, row, fraction, runner->estimate(size_t(row), fraction));
        };
        const BatchFileResult file = runner_->run(size_t(row), job);
        BatchItemResult result;
        result.row = row;
        result.estimate = runner_->estimate();
        switch (file.state) {
        case BatchFileResult::State::Skipped:
            result.state = BatchQueue::ItemState::Skipped;
            break;
        case BatchFileResult::State::Done: {
            result.state = BatchQueue::ItemState::Done;
            result.seconds = file.report.times.total;
            QStringList warnings;
            for (const std::string& warning : file.report.warnings)
                warnings << fromStd(warning);
            result.message = warnings.join(QStringLiteral("; "));
            break;
        }
        case BatchFileResult::State::Cancelled:
            result.state = BatchQueue::ItemState::Cancelled;
            Q_EMIT itemFinished(generation_, result);
            discard();
            Q_EMIT finished(generation_, true);
            return;
        case BatchFileResult::State::Failed: // one bad file does not stop the batch (as in the CLI)
            result.state = BatchQueue::ItemState::Failed;
            result.message = fromStd(file.error);
            break;
        }
        Q_EMIT itemFinished(generation_, result);
    }
    discard();
    Q_EMIT finished(generation_, false);
}

} // namespace shiftsr::gui
