// EngineWorker: runs batches of upscale jobs in the thread it lives in and reports progress,
// results, failures and cancellation by signal, so that the GUI thread never waits on the engine.
#pragma once

#include "shiftsr/engine/metadata.h"
#include "shiftsr/engine/model.h"
#include "shiftsr/engine/pipeline.h"

#include <QImage>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QRect>
#include <QString>
#include <QStringList>

#include <opencv2/core.hpp>

#include <atomic>

namespace shiftsr::gui {

class ModelRegistry;

struct EngineJob {
    QString label;     // what the job is for the user ("ResShift x4"); used in panes and messages
    QString modelSpec; // a ModelRegistry spec
    LoadOptions load;
    UpscaleRequest request; // file or in-memory image; an empty output only returns the result
    QRect region;           // the part of the input that request.image holds; null: all of it
};

struct EngineJobResult {
    int job = -1; // index in the batch
    QString label;
    QString modelSpec;
    QString modelName;
    QRect region;
    QImage display; // the result for the viewer (8-bit, alpha attached)
    cv::Mat color;  // the engine's result as it returned it (BGR or gray, 8 or 16 bit)
    cv::Mat alpha;  // empty, or the upscaled input alpha
    UpscaleReport
        report; // times, peak memory, device, threads, steps, warnings (pixels in color/alpha)
    QString precision;      // in effect ("fp32", "bf16", "fp16")
    Provenance provenance;  // what a saved copy records: model, sha256, steps, seed, tile, ...
    double wallSeconds = 0; // model loading (or the cache look-up) plus the pipeline
};

// Lives in a worker thread (moveToThread); submit() and cancel() may be called from any thread.
// Each batch sends batchStarted, then per job progress and jobFinished or jobFailed (a failed job
// does not stop the others), then cancelled if it was, and always batchFinished last.
class EngineWorker : public QObject {
    Q_OBJECT
public:
    // `registry` must outlive the worker; only its thread-safe load() is called here.
    explicit EngineWorker(ModelRegistry& registry, QObject* parent = nullptr);

    // Queues a batch; returns its id (increasing from 1). Batches run one after the other.
    quint64 submit(const QList<EngineJob>& jobs);
    // Cancels every batch submitted so far: the running one stops at the engine's next check
    // (no output file is left), queued ones report cancelled without running.
    void cancel();

Q_SIGNALS:
    void batchStarted(quint64 batch, int jobCount);
    // fraction of this job in [0, 1]; stage: the engine's short untranslated key ("step 2/4").
    void progress(quint64 batch, int job, double fraction, const QString& stage);
    void jobFinished(quint64 batch, const shiftsr::gui::EngineJobResult& result);
    void jobFailed(quint64 batch, int job, const QString& message); // untranslated engine message
    void cancelled(quint64 batch);
    void batchFinished(quint64 batch);

private:
    void runBatch(quint64 batch, const QList<EngineJob>& jobs);

    ModelRegistry& registry_;
    std::atomic<quint64> lastSubmitted_{0};
    std::atomic<quint64> cancelledUpTo_{0};
    std::atomic<bool> cancelFlag_{false}; // the running batch's flag, read by the engine
};

} // namespace shiftsr::gui

Q_DECLARE_METATYPE(shiftsr::gui::EngineJobResult)
