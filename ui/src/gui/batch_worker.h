// BatchWorker: the batch queue's engine side, living in its own thread: plans a batch (the CLI's
// rules), probes the inputs' sizes, loads the model and runs the items one after the other.
#pragma once

#include "shiftsr/engine/batch_plan.h"
#include "shiftsr/engine/batch_runner.h"
#include "shiftsr/engine/model.h"
#include "shiftsr/engine/upscale_settings.h"
#include "shiftsr/gui/batch_queue.h"

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <atomic>
#include <memory>

namespace shiftsr::gui {

class ModelRegistry;

// Raised by the GUI thread, read by the worker between items and by the engine between stages.
struct BatchControl {
    std::atomic<bool> cancel{false};
    std::atomic<bool> pause{false};
};

struct BatchPlanRequest {
    QStringList inputs;     // files and folders
    QSet<QString> excluded; // planned input files left out
    QString outputFolder;
    BatchOptions options; // recursive, pattern, format, token values
};

struct BatchPlanEntry {
    QString input;
    QString output;
};

struct BatchPlanResult {
    QList<BatchPlanEntry> items;
    QString error; // untranslated engine message; empty on success
};

struct BatchItemResult {
    int row = -1;
    BatchQueue::ItemState state = BatchQueue::ItemState::Done;
    double seconds = 0;
    QString message;        // failed: the engine's message; done: its warnings
    BatchEstimate estimate; // of the batch after this item
};

class BatchWorker : public QObject {
    Q_OBJECT
public:
    BatchWorker(ModelRegistry& registry, std::shared_ptr<BatchControl> control);

    // Called in the worker's thread (queued from the GUI). Each answer carries `generation`, so
    // that the GUI can drop answers to requests it has since replaced.
    void plan(quint64 generation, const BatchPlanRequest& request);
    // Plans again (the disk may have changed since the preview), creates the output folder, loads
    // the model and runs from the first item.
    void start(quint64 generation, const BatchPlanRequest& request,
               const UpscaleSettings& settings);
    void resume();  // after paused(): goes on with the next item
    void discard(); // forgets a paused run (cancelled while paused)

Q_SIGNALS:
    void planned(quint64 generation, const shiftsr::gui::BatchPlanResult& result);
    void runFailed(quint64 generation, const QString& message); // nothing was run
    void itemStarted(quint64 generation, int row);
    void itemProgress(quint64 generation, int row, double fraction,
                      const shiftsr::BatchEstimate& estimate);
    void itemFinished(quint64 generation, const shiftsr::gui::BatchItemResult& result);
    void paused(quint64 generation);
    void finished(quint64 generation, bool cancelled);

private:
    BatchPlanResult makePlan(const BatchPlanRequest& request);
    void runFrom(int row);

    ModelRegistry& registry_;
    std::shared_ptr<BatchControl> control_;

    // The run in progress (also while paused): the engine's batch runner, shared with the CLI.
    quint64 generation_ = 0;
    std::unique_ptr<BatchRunner> runner_;
    int next_ = 0;
};

} // namespace shiftsr::gui

Q_DECLARE_METATYPE(shiftsr::gui::BatchPlanResult)
Q_DECLARE_METATYPE(shiftsr::gui::BatchItemResult)
Q_DECLARE_METATYPE(shiftsr::BatchEstimate)
