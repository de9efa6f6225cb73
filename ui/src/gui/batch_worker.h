// BatchWorker: the batch queue's engine side, living in its own thread: plans a batch (the CLI's
// rules), probes the inputs' sizes, loads the model and runs the items one after the other.
#pragma once

#include "shiftsr/engine/batch_plan.h"
#include "shiftsr/engine/model.h"
#include "shiftsr/engine/pipeline.h"
#include "shiftsr/gui/batch_queue.h"

#include <QHash>
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
    double pixels = 0; // from the header; 0 when it cannot be read (the item will fail)
};

struct BatchPlanResult {
    QList<BatchPlanEntry> items;
    QString error; // untranslated engine message; empty on success
};

struct BatchRunSettings {
    QString modelSpec;
    LoadOptions load;
    UpscaleRequest base; // input and output are filled in per item
    bool skipExisting = false;
};

struct BatchItemResult {
    int row = -1;
    BatchQueue::ItemState state = BatchQueue::ItemState::Done;
    double seconds = 0;
    QString message; // failed: the engine's message; done: its warnings
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
               const BatchRunSettings& settings);
    void resume();  // after paused(): goes on with the next item
    void discard(); // forgets a paused run (cancelled while paused)

Q_SIGNALS:
    void planned(quint64 generation, const shiftsr::gui::BatchPlanResult& result);
    void runFailed(quint64 generation, const QString& message); // nothing was run
    void itemStarted(quint64 generation, int row);
    void itemProgress(quint64 generation, int row, double fraction);
    void itemFinished(quint64 generation, const shiftsr::gui::BatchItemResult& result);
    void paused(quint64 generation);
    void finished(quint64 generation, bool cancelled);

private:
    BatchPlanResult makePlan(const BatchPlanRequest& request);
    void runFrom(int row);

    ModelRegistry& registry_;
    std::shared_ptr<BatchControl> control_;
    QHash<QString, double> pixelCache_; // header probes of this session's preview plans

    // The run in progress (also while paused).
    quint64 generation_ = 0;
    QList<BatchPlanEntry> items_;
    BatchRunSettings settings_;
    std::shared_ptr<const Model> model_;
    int next_ = 0;
};

} // namespace shiftsr::gui

Q_DECLARE_METATYPE(shiftsr::gui::BatchPlanResult)
Q_DECLARE_METATYPE(shiftsr::gui::BatchItemResult)
