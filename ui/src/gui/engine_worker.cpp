// EngineWorker: model loading through the registry, Pipeline runs, results turned into display
// images.
#include "shiftsr/gui/engine_worker.h"

#include "shiftsr/gui/image_convert.h"
#include "shiftsr/gui/model_registry.h"

#include <QElapsedTimer>
#include <QMetaObject>

namespace shiftsr::gui {

EngineWorker::EngineWorker(ModelRegistry& registry, QObject* parent)
    : QObject(parent), registry_(registry) {
    qRegisterMetaType<shiftsr::gui::EngineJobResult>();
}

quint64 EngineWorker::submit(const QList<EngineJob>& jobs) {
    const quint64 batch = ++lastSubmitted_;
    QMetaObject::invokeMethod(
        this, [this, batch, jobs] { runBatch(batch, jobs); }, Qt::QueuedConnection);
    return batch;
}

void EngineWorker::cancel() {
    cancelledUpTo_.store(lastSubmitted_.load());
    cancelFlag_.store(true);
}

void EngineWorker::runBatch(quint64 batch, const QList<EngineJob>& jobs) {
    // The flag is cleared before the check so that a cancel() racing with this start is seen by
    // one of the two: either cancelledUpTo_ already covers the batch or the flag is raised after.
    cancelFlag_.store(false);
    Q_EMIT batchStarted(batch, int(jobs.size()));
    bool wasCancelled = batch <= cancelledUpTo_.load();
    for (int i = 0; i < jobs.size() && !wasCancelled; ++i) {
        if (cancelFlag_.load()) {
            wasCancelled = true;
            break;
        }
        const EngineJob& job = jobs[i];
        QElapsedTimer wall;
        wall.start();
        Q_EMIT progress(batch, i, 0.0, QStringLiteral("load model"));
        auto model = registry_.load(job.modelSpec, job.load);
        if (!model) {
            Q_EMIT jobFailed(batch, i, QString::fromStdString(model.status().message()));
            continue;
        }
        JobControl control;
        control.cancel = &cancelFlag_;
        control.progress = [this, batch, i](double fraction, const std::string& stage) {
            Q_EMIT progress(batch, i, fraction, QString::fromStdString(stage));
        };
        auto run = Pipeline(*model).run(job.request, control);
        if (!run) {
            if (run.status().code() == StatusCode::Cancelled)
                wasCancelled = true;
            else
                Q_EMIT jobFailed(batch, i, QString::fromStdString(run.status().message()));
            continue;
        }

        const ModelInfo& info = (*model)->info();
        EngineJobResult r;
        r.job = i;
        r.label = job.label;
        r.modelSpec = job.modelSpec;
        r.modelName = QString::fromStdString(info.name);
        r.region = job.region;
        r.report = std::move(*run);
        r.color = r.report.image;
        r.alpha = r.report.alpha;
        r.report.image.release(); // one owner of the pixels: color/alpha
        r.report.alpha.release();
        r.display = toDisplayImage(r.color, r.alpha);
        r.precision = QString::fromStdString((*model)->precision());
        if (const std::string note = (*model)->precisionNote(); !note.empty())
            r.report.warnings.push_back(note);

        // The same record the pipeline writes when it saves a file itself.
        Provenance& p = r.provenance;
        p.modelName = info.name;
        p.modelSha256 = info.contentHash;
        p.steps = r.report.steps;
        p.seed = std::to_string(job.request.seed);
        p.tile = std::to_string(r.report.tile) + "/" + std::to_string(r.report.overlap);
        p.colorFix = colorFixName(r.report.colorFix); // Auto resolved
        p.device = r.report.device;
        p.precision = (*model)->precision();
        if (!job.region.isNull())
            p.extra = QStringLiteral(R"({"region":{"x":%1,"y":%2,"width":%3,"height":%4}})")
                          .arg(job.region.x())
                          .arg(job.region.y())
                          .arg(job.region.width())
                          .arg(job.region.height())
                          .toStdString();
        r.wallSeconds = double(wall.nsecsElapsed()) * 1e-9;
        Q_EMIT jobFinished(batch, r);
    }
    if (wasCancelled)
        Q_EMIT cancelled(batch);
    Q_EMIT batchFinished(batch);
}

} // namespace shiftsr::gui
