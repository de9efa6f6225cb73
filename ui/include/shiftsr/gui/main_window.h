// MainWindow: the desktop app's window: open an image, upscale it (whole, a region, or one-step vs
// multi-step side by side), look at the results in a CompareView, save them with their provenance.
#pragma once

#include "shiftsr/gui/app_settings.h"
#include "shiftsr/gui/engine_worker.h"
#include "shiftsr/gui/image_file_worker.h"
#include "shiftsr/gui/run_controller.h"
#include "shiftsr/gui/save_options_dialog.h"

#include <QHash>
#include <QList>
#include <QMainWindow>
#include <QRect>
#include <QString>

#include <optional>

class QAction;
class QActionGroup;
class QComboBox;
class QLabel;
class QMenu;
class QMessageBox;
class QProgressBar;
class QSpinBox;
class QThread;
class QTimer;

namespace shiftsr::ui {
class CompareView;
}

namespace shiftsr::gui {

class BatchQueue;
class DistilWizard;
class ModelManagerDialog;
class ModelRegistry;
class RegionPreviewDock;
class RegionSelector;
class ResultSaver;
class ShortcutsDialog;
class StepSpinBox;

// Engine work runs through a RunController (an EngineWorker thread) and file work (decoding,
// bicubic magnification, saving) in an ImageFileWorker thread; the GUI thread only sends requests
// and shows answers.
// Closing the window during a run cancels it and closes when the engine has stopped; destroying
// the window cancels and waits for both threads (saves are atomic: never half a file).
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum class InputScaling { Nearest, Bicubic };
    Q_ENUM(InputScaling)
    // What the viewer shows: the whole input with whole-image results, or the last region's crops.
    enum class View { WholeImage, Region };
    Q_ENUM(View)
    // Region previews of more input pixels than this ask before they run: a preview is meant to
    // be quick, and "Use Visible Area" on a fitted photo takes nearly all of it.
    static constexpr qint64 kLargeRegionPixels = 512 * 512;

    // Settings come from QSettings (AppSettings::load); the registry scans their model folder.
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    ModelRegistry& registry() const { return *registry_; }
    ui::CompareView* compareView() const { return view_; }
    RunController* runController() const { return runs_; }
    EngineWorker* engineWorker() const { return runs_->worker(); }
    ModelManagerDialog* modelManager() const { return modelManager_; }    // null until first shown
    BatchQueue* batchQueue() const { return batchQueue_; }                // null until first shown
    ShortcutsDialog* shortcutsDialog() const { return shortcutsDialog_; } // null until first shown
    DistilWizard* distilWizard() const { return distilWizard_; }          // null until first shown

    AppSettings settings() const; // the stored settings with the toolbar's current choices
    void setSettings(const AppSettings& settings); // applies and persists them

    QString inputPath() const { return input_.path; }
    QSize inputSize() const;
    bool isBusy() const { return runs_->isBusy(); }
    View currentView() const { return shown_; }

    QString modelSpec() const;
    void setModelSpec(const QString& spec); // ignored for a spec the registry does not list
    int steps() const;                      // 0: the model's own
    void setSteps(int steps);
    quint64 seed() const;
    void setSeed(quint64 seed); // the seed box holds 0 .. 2^31-1; larger seeds are clamped
    InputScaling inputScaling() const { return scaling_; }

    // Input pixels; null: none. Region preview and Compare use it; a new file clears it.
    QRect selection() const;
    void setSelection(const QRect& rect);
    // The models (spec, steps; 0 = the model's own) the region preview runs, from the checked list.
    QList<QPair<QString, int>> regionModels() const;

public Q_SLOTS:
    void openFile(const QString& path); // asynchronous: inputOpened or openFailed
    void openDialog();
    void upscale();       // the whole image with the toolbar's model, steps and seed
    void compare();       // one-step vs multi-step on the selection, else the whole image
    void previewRegion(); // every checked model on the selection, else on the visible area
    void cancel();
    // The active result (the marked pane) where the save options say, or via saveAs() when that
    // file is taken. Asks for the save options first until they have been chosen once, and every
    // time while they say so.
    void save();
    void saveAs();                          // asks for a file name
    void saveResultAs(const QString& path); // asynchronous: saved or saveFailed
    void showSaveOptions();                 // the save options dialog without saving
    void useVisibleArea();
    void clearSelection();
    void showSettings();
    void showModelManager(); // non-modal; raised when already open
    void showBatchQueue();   // a separate window; raised when already open
    void showShortcuts();    // Help > Keyboard Shortcuts: non-modal, generated from the actions
    // Tools > Distil: the distillation wizard (non-modal, one at a time); when runs under its run
    // root can be continued, a small chooser offers them first.
    void showDistilWizard();
    void distilFolders(const QStringList& folders); // the wizard on these photo folders
    void distilRun(const QString& runFolder);       // the wizard on this run folder
    // The comparison of compare() with these two models (the teacher at its trained steps, the
    // student at 1 step) on the whole of `photo`, which is opened first (asynchronous: the run
    // starts after inputOpened).
    void compareModels(const QString& photo, const QString& studentSpec,
                       const QString& teacherSpec);
    void setView(shiftsr::gui::MainWindow::View view);
    void setInputScaling(shiftsr::gui::MainWindow::InputScaling scaling);

Q_SIGNALS:
    void inputOpened(const QString& path);
    void openFailed(const QString& path, const QString& message);
    void runStarted();
    void runFinished(bool cancelled); // after every run, also failed and cancelled ones
    void saved(const QString& path);
    void saveFailed(const QString& path, const QString& message);
    void selectionChanged(const QRect& selection);
    // Before the model manager and the batch queue windows open (showModelManager/showBatchQueue).
    void modelManagerRequested();
    void batchQueueRequested();
    void distilWizardRequested(); // before the wizard (or the chooser of runs to continue) opens

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    // The settings' engine options into the batch queue, when it exists and is idle.
    void applySettingsToBatchQueue();

    struct ResultSlot {
        QString label; // the job's label
        std::optional<EngineJobResult> result;
        QString error; // translated, shown in the pane label
        bool cancelled = false;
    };
    struct PaneSet {
        QRect region;         // null: the whole input
        cv::Mat color, alpha; // the input or its crop (views into the input)
        QImage display;       // the same for the viewer (magnified nearest by the view)
        QImage bicubic;       // bicubic-magnified display, made on request
        quint64 bicubicTicket = 0;
        QList<ResultSlot> results;
        int splitA = 0, splitB = 1;
        quint64 run = 0; // the RunController run that fills `results`; 0: none
        // The pane Save writes: the one clicked (1..results); -1: the toolbar's model's result
        // (its spec and steps when the set was made), else the first result (see activeSlot).
        int activePane = -1;
        QString toolbarSpec;
        int toolbarSteps = 0; // resolved: the model's own number for the toolbar's 0
        bool empty() const { return display.isNull(); }
    };

    static constexpr int kProgressScale = 1000; // the progress bar's range

    // main_window_actions.cpp: the actions, menus, toolbar and status bar, and what they show.
    void createActions();
    void createMenus();
    void createToolBar();
    void createRegionDock();
    void createStatusBar();
    void restoreToolbarState();
    void rebuildModelCombo();
    void rebuildRecentMenu();
    void updateStepChoices();
    void updateActions();
    void persistToolbarState();

    PaneSet& paneSet(View view) { return view == View::WholeImage ? whole_ : region_; }
    PaneSet makePaneSet(const QRect& region) const;
    void showPaneSet(View view);
    QString inputLabel(const PaneSet& set) const;
    QString resultLabel(const ResultSlot& slot) const;
    void refreshPane(View view, int slot);
    void requestBicubic(View view);
    int scaleFactor() const;

    QString modelName(const QString& spec) const;
    EngineJob makeJob(const QString& spec, int steps, const QString& label,
                      const PaneSet& set) const;
    void startRun(View view, PaneSet set, const QList<EngineJob>& jobs, int splitA, int splitB,
                  const QString& note);
    // One-step vs multi-step: `teacher` at its trained steps beside `student` at 1 step (empty:
    // the teacher at 1 step, and the status bar says so).
    void startComparison(const QString& teacher, const QString& student, const QRect& region);
    const ResultSlot* activeResult(View* view = nullptr, int* slot = nullptr) const;
    int activeSlot(const PaneSet& set) const; // the result Save writes; -1: none
    void syncActivePane();                    // the view's marker onto activeSlot
    void onPaneClicked(int pane);
    bool chooseSaveOptions(SaveOptionsDialog::Purpose purpose); // false: cancelled
    void updateSaveAction();                                    // its tips say what Save does

    void onLoaded(quint64 ticket, const shiftsr::gui::LoadedImage& image);
    void onMagnified(quint64 ticket, const QImage& image);
    void onSaved(const QString& path, const QStringList& warnings);
    void onSaveFailed(const QString& path, const QString& error);
    void onRunProgress(double fraction, int job, const QString& stage);
    void onRunResult(int slot, const shiftsr::gui::EngineJobResult& result);
    void onRunFailed(int slot, const QString& message);
    void onRunFinished(bool cancelled);
    void updateRunStatus(); // the status bar's line on the run in progress: job, stage, %, ETA
    void updateZoomLabel();
    void runRegionPreview(const QRect& region);
    // The part of the input shown in the viewer, also in the region view (input pixels).
    QRect visibleInputArea() const;
    void closeIfPending(); // once a close waits for nothing any more

    // main_window_distil.cpp: the distillation wizard, its runs and the comparison it asks for.
    DistilWizard* ensureDistilWizard();
    void showDistilRunChooser(const QList<QPair<QString, QString>>& runs); // (folder, line)
    void announceDistilRuns(); // at start: a status bar line when a run can be continued
    void startPendingComparison();
    bool askAboutTraining(); // closing during a training run; false: the close waits for an answer

    ModelRegistry* registry_ = nullptr;
    AppSettings settings_;

    ModelManagerDialog* modelManager_ = nullptr;
    BatchQueue* batchQueue_ = nullptr;
    ShortcutsDialog* shortcutsDialog_ = nullptr;
    RunController* runs_ = nullptr;
    QThread* fileThread_ = nullptr;
    ImageFileWorker* files_ = nullptr;
    ResultSaver* saver_ = nullptr;

    ui::CompareView* view_ = nullptr;
    RegionSelector* selector_ = nullptr;
    QComboBox* modelCombo_ = nullptr;
    StepSpinBox* stepsSpin_ = nullptr;
    QSpinBox* seedSpin_ = nullptr;
    RegionPreviewDock* regionDock_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* deviceLabel_ = nullptr;
    QLabel* timeLabel_ = nullptr;
    QLabel* memoryLabel_ = nullptr;
    QLabel* zoomLabel_ = nullptr;
    QTimer* runTimer_ = nullptr; // refreshes the run's elapsed time and ETA between reports
    QMenu* recentMenu_ = nullptr;
    QMenu* viewMenu_ = nullptr;

    QAction* openAction_ = nullptr;
    QAction* saveAction_ = nullptr;
    QAction* saveAsAction_ = nullptr;
    QAction* saveOptionsAction_ = nullptr;
    QAction* settingsAction_ = nullptr;
    QAction* quitAction_ = nullptr;
    QAction* upscaleAction_ = nullptr;
    QAction* compareAction_ = nullptr;
    QAction* previewAction_ = nullptr;
    QAction* cancelAction_ = nullptr;
    QAction* selectRegionAction_ = nullptr;
    QAction* visibleAreaAction_ = nullptr;
    QAction* clearSelectionAction_ = nullptr;
    QAction* zoomInAction_ = nullptr;
    QAction* zoomOutAction_ = nullptr;
    QAction* fitAction_ = nullptr;
    QAction* actualSizeAction_ = nullptr;
    QAction* doubleSizeAction_ = nullptr;
    QAction* splitAction_ = nullptr;
    QAction* flipAction_ = nullptr;
    QAction* labelsAction_ = nullptr;
    QAction* wholeViewAction_ = nullptr;
    QAction* regionViewAction_ = nullptr;
    QAction* nearestAction_ = nullptr;
    QAction* bicubicAction_ = nullptr;
    QAction* toggleScalingAction_ = nullptr;
    QAction* modelsAction_ = nullptr;
    QAction* batchAction_ = nullptr;
    QAction* shortcutsAction_ = nullptr;
    QAction* distilAction_ = nullptr;

    LoadedImage input_;
    quint64 loadTicket_ = 0;
    quint64 nextTicket_ = 0;
    QString pendingOpen_;
    PaneSet whole_, region_;
    View shown_ = View::WholeImage;
    InputScaling scaling_ = InputScaling::Nearest;
    QHash<QString, QString> savingLabels_; // path -> label of the pane being saved there

    View runView_ = View::WholeImage; // the pane set the current (or last) run fills
    QString runNote_;                 // the status bar's note on it, kept after the run
    int runJob_ = -1;                 // the job the engine reported last, and its stage
    QString runStage_;
    bool closePending_ = false;

    DistilWizard* distilWizard_ = nullptr;
    struct PendingComparison {
        QString photo, student, teacher;
    };
    std::optional<PendingComparison> pendingComparison_; // compareModels waiting for its photo
    QMessageBox* trainingQuestion_ = nullptr; // "keep training or stop?" while it is open
    bool trainingAnswered_ = false;           // the close may go on: the user chose
    bool restoring_ = false;                  // widgets being set from settings_: no persisting
};

} // namespace shiftsr::gui
