// BatchQueue: upscales many files and folders with one model, with the CLI's output rules
// (planBatch), per-item status, pixel-weighted ETA, pause, resume and cancel.
#pragma once

#include "shiftsr/engine/batch_runner.h"
#include "shiftsr/engine/model.h"
#include "shiftsr/gui/app_settings.h"

#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <memory>

class QAction;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableView;
class QTimer;

namespace shiftsr::gui {

class BatchOptionsBox;
class BatchRun;
class BatchTableModel;
class BatchWorker;
class ModelRegistry;
struct BatchPlanRequest;

// All engine work (planning, header probes, model loading, upscaling) runs in one worker thread,
// driven by a BatchRun (the run's state machine); the GUI thread only sends requests and shows
// results. Destroying the widget during a run cancels it and waits for the worker (the engine
// writes atomically: only complete files remain).
class BatchQueue : public QWidget {
    Q_OBJECT
public:
    enum class ItemState { Queued, Running, Done, Skipped, Failed, Cancelled };
    Q_ENUM(ItemState)
    // Pausing: the current item finishes, then the run stops until resume().
    enum class RunState { Idle, Running, Pausing, Paused, Cancelling };
    Q_ENUM(RunState)
    enum Column { InputColumn, OutputColumn, StatusColumn, ColumnCount };
    Q_ENUM(Column)

    // The queue's own choices (its widgets; stored under batch/*) and everything else a run takes
    // from the application's settings (device, precision, threads, tiles, memory limit, colour
    // fix, keep-metadata, quality: AppSettings::upscaleSettings()).
    struct Options : BatchChoices {
        UpscaleSettings engine;
        UpscaleSettings settings() const { return applyTo(engine); } // what a run uses
    };

    struct Item {
        QString input;
        QString output;
        ItemState state = ItemState::Queued;
        double progress = 0; // of the running item, 0..1
        double seconds = 0;  // engine time of a finished item
        QString message;     // failed: the reason; done: the engine's warnings
    };

    // `registry` must outlive the widget. Options start from the last session's (BatchChoices),
    // the output folder from <Pictures>/ShiftSR when none was chosen yet.
    explicit BatchQueue(ModelRegistry& registry, QWidget* parent = nullptr);
    ~BatchQueue() override;

    Options options() const;
    void setOptions(const Options& options); // ignored unless idle
    QStringList inputs() const { return inputs_; }

    RunState runState() const;
    bool isPlanPending() const; // a re-plan after a change has not arrived yet
    QString planError() const { return planError_; }
    int itemCount() const;
    const Item& item(int row) const;
    double overallProgress() const; // 0..1, skipped items count as done

    // The worker, for tests that gate it (a direct connection to its signals runs in its thread).
    BatchWorker* workerForTests() const;

public Q_SLOTS:
    void addInputs(const QStringList& paths); // files or folders; ignored unless idle
    void removeSelectedItems();               // a folder's file is left out of the plan
    void clearInputs();
    void start(); // re-plans from the disk, loads the model, runs every item
    void pause();
    void resume();
    void cancel();
    void openSelectedOutput();
    void openSelectedFolder();

Q_SIGNALS:
    void planChanged(); // the table shows a new plan (after an input or option change)
    void runStateChanged(shiftsr::gui::BatchQueue::RunState state);
    void itemStarted(int row);
    // Done, Skipped, Failed, or Cancelled for the item that was running when the run was cancelled.
    void itemFinished(int row, const QString& input, const QString& output,
                      shiftsr::gui::BatchQueue::ItemState state);
    void progressChanged(double fraction, double etaSeconds); // etaSeconds < 0: not known yet
    void batchFinished(int done, int skipped, int failed, int cancelled);
    void errorOccurred(const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    // As a window of its own: opens centred over its parent's window the first time, and Esc
    // closes (hides) it like a dialog; a run goes on.
    void showEvent(QShowEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    void buildUi();
    void loadSettings();
    void saveSettings() const;
    void chooseFiles();
    void chooseFolder();
    void optionsEdited();
    void schedulePlan();
    void requestPlan();
    BatchPlanRequest planRequest() const;
    void onPlanned(const QString& error);
    void onRunStateChanged(RunState state);
    void onRunFailed(const QString& message);
    void onItemStarted(int row);
    void onItemFinished(int row);
    void updateSummary();
    void updateActions();
    void showError(const QString& message);
    void clearError();

    ModelRegistry& registry_;
    std::unique_ptr<BatchRun> run_; // the worker thread, the items and the run's state

    QStringList inputs_;
    QSet<QString> excluded_; // planned files the user removed from the batch
    QString planError_;
    UpscaleSettings engine_; // Options::engine

    QTimer* planTimer_ = nullptr;
    BatchOptionsBox* optionsBox_ = nullptr; // model, steps, seed, output folder and naming
    QPushButton* addFiles_ = nullptr;
    QPushButton* addFolder_ = nullptr;
    QPushButton* remove_ = nullptr;
    QPushButton* clear_ = nullptr;
    BatchTableModel* itemsModel_ = nullptr;
    QTableView* table_ = nullptr;
    QLabel* message_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* summary_ = nullptr;
    QPushButton* start_ = nullptr;
    QPushButton* pauseResume_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QPushButton* openFile_ = nullptr;
    QPushButton* openFolder_ = nullptr;
    QAction* openFileAction_ = nullptr;
    QAction* openFolderAction_ = nullptr;
    bool placed_ = false; // centred over the parent's window once; then where the user keeps it
};

} // namespace shiftsr::gui
