// BatchWorker: plans and runs the batch queue's items in the worker thread.
#include "batch_worker.h"

#include "shiftsr/engine/image_io.h"
#include "shiftsr/gui/model_registry.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>

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
        if (request.excluded.contains(entry.input))
            continue;
        // Pixel counts weight the ETA: a 24-megapixel photo takes longer than a thumbnail.
        const auto cached = pixelCache_.constFind(entry.input);
        if (cached != pixelCache_.constEnd()) {
            entry.pixels = *cached;
        } else {
            auto probe = ImageIO::probe(item.input);
            entry.pixels = probe ? double(probe->width) * double(probe->height) : 0.0;
            pixelCache_.insert(entry.input, entry.pixels);
        }
        result.items.push_back(entry);
    }
    return result;
}

void BatchWorker::plan(quint64 generation, const BatchPlanRequest& request) {
    Q_EMIT planned(generation, makePlan(request));
}

void BatchWorker::start(quint64 generation, const BatchPlanRequest& request,
                        const BatchRunSettings& settings) {
    generation_ = generation;
    settings_ = settings;
    items_.clear();
    model_.reset();
    next_ = 0;
    pixelCache_.clear(); // the files may have changed since the preview

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
    auto model = registry_.load(settings.modelSpec, settings.load);
    if (!model) {
        Q_EMIT runFailed(generation,
                         tr("cannot load the model %1: %2")
                             .arg(settings.modelSpec, fromStd(model.status().message())));
        return;
    }
    if (!QDir().mkpath(request.outputFolder)) {
        Q_EMIT runFailed(generation, tr("cannot create the output folder %1")
                                         .arg(QDir::toNativeSeparators(request.outputFolder)));
        return;
    }
    model_ = *model;
    items_ = plan.items;
    runFrom(0);
}

void BatchWorker::resume() {
    if (model_)
        runFrom(next_);
    else // nothing left to resume: say so rather than leave the queue waiting
        Q_EMIT finished(generation_, false);
}

void BatchWorker::discard() {
    items_.clear();
    model_.reset();
    next_ = 0;
}

void BatchWorker::runFrom(int first) {
    const Pipeline pipeline(model_);
    for (int row = first; row < items_.size(); ++row) {
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
        const BatchPlanEntry& item = items_[row];
        Q_EMIT itemStarted(generation_, row);
        BatchItemResult result;
        result.row = row;
        if (settings_.skipExisting && QFileInfo::exists(item.output)) {
            result.state = BatchQueue::ItemState::Skipped;
            Q_EMIT itemFinished(generation_, result);
            continue;
        }
        // Recursive batches mirror subfolders; a folder that cannot be made fails the write below
        // with the system's message.
        QDir().mkpath(QFileInfo(item.output).absolutePath());

        UpscaleRequest request = settings_.base;
        request.input = item.input.toStdString();
        request.output = item.output.toStdString();
        JobControl job;
        job.cancel = &control_->cancel;
        QElapsedTimer sinceReport;
        sinceReport.start();
        const quint64 generation = generation_;
        job.progress = [this, &sinceReport, generation, row](double fraction, const std::string&) {
            if (fraction < 1.0 && sinceReport.elapsed() < kProgressIntervalMs)
                return;
            sinceReport.restart();
            Q_EMIT itemProgress(generation, row, fraction);
        };
        auto report = pipeline.run(request, job);
        if (report) {
            result.state = BatchQueue::ItemState::Done;
            result.seconds = report->times.total;
            QStringList warnings;
            for (const std::string& warning : report->warnings)
                warnings << fromStd(warning);
            result.message = warnings.join(QStringLiteral("; "));
        } else if (report.status().code() == StatusCode::Cancelled) {
            result.state = BatchQueue::ItemState::Cancelled;
            Q_EMIT itemFinished(generation_, result);
            discard();
            Q_EMIT finished(generation_, true);
            return;
        } else {
            // One bad file does not stop the batch (as in the CLI).
            result.state = BatchQueue::ItemState::Failed;
            result.message = fromStd(report.status().message());
        }
        Q_EMIT itemFinished(generation_, result);
    }
    discard();
    Q_EMIT finished(generation_, false);
}

} // namespace shiftsr::gui
