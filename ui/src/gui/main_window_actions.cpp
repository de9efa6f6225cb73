// MainWindow's actions, menus, toolbar, region dock placement and status bar, and the state they
// show: which actions are enabled, the toolbar's model, steps and seed (persisted with the
// settings), the recent-files menu, and the windows of the Tools menu.
#include "shiftsr/gui/main_window.h"

#include "fitting_tool_bar.h"
#include "region_preview_dock.h"
#include "region_selector.h"
#include "step_spin_box.h"
#include "tool_icons.h"

#include "shiftsr/gui/batch_queue.h"
#include "shiftsr/gui/model_manager_dialog.h"
#include "shiftsr/gui/model_registry.h"
#include "shiftsr/gui/settings_dialog.h"
#include "shiftsr/gui/shortcuts_dialog.h"
#include "shiftsr/ui/compare_view.h"

#include <QAction>
#include <QActionGroup>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>

#include <algorithm>
#include <limits>

namespace shiftsr::gui {

namespace {

constexpr int kModelComboChars = 26; // the model box's width in characters

} // namespace

// --------------------------------------------------------------------------------------- setup

void MainWindow::createActions() {
    auto plain = [this](const QString& text, const QKeySequence& key, const QString& tip) {
        auto* a = new QAction(text, this);
        if (!key.isEmpty())
            a->setShortcut(key);
        a->setStatusTip(tip);
        const QString name = QString(text).remove(QLatin1Char('&')).remove(QStringLiteral("…"));
        a->setToolTip(
            key.isEmpty() ? name : tr("%1 (%2)").arg(name, key.toString(QKeySequence::NativeText)));
        return a;
    };
    auto make = [this, plain](const QString& text, const QKeySequence& key, const QString& tip,
                              auto slot) {
        QAction* a = plain(text, key, tip);
        connect(a, &QAction::triggered, this, slot);
        return a;
    };

    openAction_ =
        make(tr("&Open…"), QKeySequence::Open, tr("Open an image"), [this] { openDialog(); });
    saveAction_ =
        make(tr("&Save"), QKeySequence::Save,
             tr("Save the selected result with the input's metadata"), [this] { save(); });
    saveAsAction_ = make(tr("Save &As…"), QKeySequence(tr("Ctrl+Shift+S")),
                         tr("Save the selected result under a new name"), [this] { saveAs(); });
    saveOptionsAction_ = make(tr("Save Op&tions…"), QKeySequence(),
                              tr("Where and how Save writes results: folder, file name, format"),
                              [this] { showSaveOptions(); });
    settingsAction_ =
        make(tr("&Settings…"), QKeySequence(tr("Ctrl+,")),
             tr("Folders, output, device, threads, tiles"), [this] { showSettings(); });
    quitAction_ = make(tr("&Quit"), QKeySequence::Quit, tr("Close ShiftSR"), [this] { close(); });

    upscaleAction_ =
        make(tr("&Upscale"), QKeySequence(tr("Ctrl+R")),
             tr("Upscale the whole image x4 with the chosen model"), [this] { upscale(); });
    compareAction_ = make(tr("&Compare One-Step and Multi-Step"), QKeySequence(tr("Ctrl+Shift+R")),
                          tr("Run the one-step and the multi-step model with the same seed and "
                             "show them side by side"),
                          [this] { compare(); });
    previewAction_ =
        make(tr("&Preview Region"), QKeySequence(tr("Ctrl+P")),
             tr("Upscale only the selected region (or the visible area) with every checked model"),
             [this] { previewRegion(); });
    cancelAction_ = make(tr("Ca&ncel"), QKeySequence(Qt::Key_Escape),
                         tr("Stop the run in progress"), [this] { cancel(); });

    selectRegionAction_ = plain(tr("Select &Region"), QKeySequence(tr("Ctrl+M")),
                                tr("Drag a rectangle on the input (Shift+drag works at any time)"));
    selectRegionAction_->setCheckable(true);
    connect(selectRegionAction_, &QAction::toggled, this, [this](bool on) {
        if (on && shown_ != View::WholeImage)
            setView(View::WholeImage); // a region is selected on the whole input
        selector_->setArmed(on);
        if (on)
            statusBar()->showMessage(tr("Drag a rectangle on the input."));
    });
    visibleAreaAction_ =
        make(tr("Use &Visible Area"), QKeySequence(tr("Ctrl+Shift+V")),
             tr("Select the part of the input that is on screen"), [this] { useVisibleArea(); });
    clearSelectionAction_ = make(tr("Clear Se&lection"), QKeySequence(tr("Ctrl+D")),
                                 tr("Forget the selected region"), [this] { clearSelection(); });

    zoomInAction_ =
        make(tr("Zoom &In"), QKeySequence::ZoomIn, tr("Zoom in"), [this] { view_->zoomIn(); });
    zoomInAction_->setShortcuts({QKeySequence::ZoomIn, QKeySequence(tr("Ctrl+="))});
    zoomOutAction_ =
        make(tr("Zoom &Out"), QKeySequence::ZoomOut, tr("Zoom out"), [this] { view_->zoomOut(); });
    fitAction_ = make(tr("&Fit to Window"), QKeySequence(tr("Ctrl+0")), tr("Show the whole image"),
                      [this] { view_->fitToWindow(); });
    actualSizeAction_ =
        make(tr("&Actual Pixels (1:1)"), QKeySequence(tr("Ctrl+1")),
             tr("One image pixel per screen pixel"), [this] { view_->zoomToActualSize(); });
    doubleSizeAction_ =
        make(tr("&Double Size (2:1)"), QKeySequence(tr("Ctrl+2")),
             tr("Two screen pixels per image pixel"), [this] { view_->setZoom(2.0); });
    splitAction_ =
        plain(tr("&Split View"), QKeySequence(tr("Ctrl+T")),
              tr("Two images in one view with a movable split line, or all side by side"));
    splitAction_->setCheckable(true);
    connect(splitAction_, &QAction::toggled, this, [this](bool on) {
        view_->setMode(on ? ui::CompareView::Mode::Split : ui::CompareView::Mode::SideBySide);
    });
    flipAction_ = make(tr("Fli&p"), QKeySequence(tr("F")),
                       tr("Swap the two compared images (also Space or B in the viewer)"),
                       [this] { view_->flip(); });
    labelsAction_ = plain(tr("Show &Labels"), QKeySequence(tr("Ctrl+Shift+L")),
                          tr("Model, steps, time and memory on every pane"));
    labelsAction_->setCheckable(true);
    labelsAction_->setChecked(true);
    connect(labelsAction_, &QAction::toggled, view_, &ui::CompareView::setLabelsVisible);

    auto* views = new QActionGroup(this);
    wholeViewAction_ =
        make(tr("&Whole Image"), QKeySequence(tr("Alt+1")),
             tr("The input and the whole-image results"), [this] { setView(View::WholeImage); });
    regionViewAction_ = make(tr("&Region Results"), QKeySequence(tr("Alt+2")),
                             tr("The last region preview"), [this] { setView(View::Region); });
    for (QAction* a : {wholeViewAction_, regionViewAction_}) {
        a->setCheckable(true);
        views->addAction(a);
    }
    wholeViewAction_->setChecked(true);

    auto* scalings = new QActionGroup(this);
    nearestAction_ = make(tr("Input &Nearest"), QKeySequence(),
                          tr("Show the input's pixels magnified as they are"),
                          [this] { setInputScaling(InputScaling::Nearest); });
    bicubicAction_ = make(tr("Input &Bicubic"), QKeySequence(),
                          tr("Show the input magnified with bicubic interpolation"),
                          [this] { setInputScaling(InputScaling::Bicubic); });
    for (QAction* a : {nearestAction_, bicubicAction_}) {
        a->setCheckable(true);
        scalings->addAction(a);
    }
    toggleScalingAction_ =
        make(tr("&Toggle Input Interpolation"), QKeySequence(tr("Ctrl+I")),
             tr("Switch the input pane between nearest and bicubic"), [this] {
                 setInputScaling(scaling_ == InputScaling::Nearest ? InputScaling::Bicubic
                                                                   : InputScaling::Nearest);
             });

    modelsAction_ = make(tr("&Models…"), QKeySequence(tr("Ctrl+Shift+M")),
                         tr("Installed models, import, default"), [this] { showModelManager(); });
    batchAction_ = make(tr("&Batch…"), QKeySequence(tr("Ctrl+Shift+B")),
                        tr("Upscale many files and folders"), [this] { showBatchQueue(); });
    distilAction_ =
        make(tr("&Distil a One-Step Model…"), QKeySequence(),
             tr("Train a one-step student on your own photos and compare it with its teacher"),
             [this] { showDistilWizard(); });
    shortcutsAction_ = make(tr("&Keyboard Shortcuts…"), QKeySequence::HelpContents,
                            tr("Every shortcut of the menus, the viewer and the region selection"),
                            [this] { showShortcuts(); });

    // Toolbar faces: icons that exist without an icon theme, and short texts beside them.
    const QColor ink = palette().color(QPalette::ButtonText);
    const std::pair<QAction*, ToolIcon> icons[] = {{openAction_, ToolIcon::Open},
                                                   {saveAction_, ToolIcon::Save},
                                                   {upscaleAction_, ToolIcon::Upscale},
                                                   {compareAction_, ToolIcon::Compare},
                                                   {previewAction_, ToolIcon::PreviewRegion},
                                                   {cancelAction_, ToolIcon::Cancel},
                                                   {fitAction_, ToolIcon::Fit},
                                                   {actualSizeAction_, ToolIcon::ActualSize},
                                                   {splitAction_, ToolIcon::Split},
                                                   {flipAction_, ToolIcon::Flip}};
    for (const auto& [action, icon] : icons)
        action->setIcon(toolIcon(icon, ink));
    openAction_->setIconText(tr("Open"));
    compareAction_->setIconText(tr("Compare"));
    fitAction_->setIconText(tr("Fit"));
    actualSizeAction_->setIconText(tr("Actual Pixels")); // the icon says 1:1
    splitAction_->setIconText(tr("Split"));

    // Names that do not change with the language (what tests find the actions by).
    const std::pair<QAction*, const char*> names[] = {{openAction_, "open"},
                                                      {saveAction_, "save"},
                                                      {saveAsAction_, "saveAs"},
                                                      {settingsAction_, "settings"},
                                                      {quitAction_, "quit"},
                                                      {upscaleAction_, "upscale"},
                                                      {compareAction_, "compare"},
                                                      {previewAction_, "previewRegion"},
                                                      {cancelAction_, "cancel"},
                                                      {fitAction_, "fit"},
                                                      {actualSizeAction_, "actualSize"},
                                                      {splitAction_, "split"},
                                                      {flipAction_, "flip"},
                                                      {modelsAction_, "models"},
                                                      {batchAction_, "batch"},
                                                      {distilAction_, "distil"},
                                                      {shortcutsAction_, "shortcuts"}};
    for (const auto& [action, name] : names)
        action->setObjectName(QLatin1String(name));

    // Shortcuts work wherever the focus is in the window, also while the viewer has it.
    for (QAction* a : findChildren<QAction*>())
        addAction(a);
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(openAction_);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    file->addAction(saveAction_);
    file->addAction(saveAsAction_);
    file->addAction(saveOptionsAction_);
    file->addSeparator();
    file->addAction(quitAction_);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(upscaleAction_);
    run->addAction(compareAction_);
    run->addAction(previewAction_);
    run->addAction(cancelAction_);
    run->addSeparator();
    run->addAction(selectRegionAction_);
    run->addAction(visibleAreaAction_);
    run->addAction(clearSelectionAction_);

    QMenu* view = viewMenu_ = menuBar()->addMenu(tr("&View"));
    view->addAction(zoomInAction_);
    view->addAction(zoomOutAction_);
    view->addAction(fitAction_);
    view->addAction(actualSizeAction_);
    view->addAction(doubleSizeAction_);
    view->addSeparator();
    view->addAction(splitAction_);
    view->addAction(flipAction_);
    view->addAction(labelsAction_);
    view->addSeparator();
    view->addAction(wholeViewAction_);
    view->addAction(regionViewAction_);
    view->addSeparator();
    view->addAction(nearestAction_);
    view->addAction(bicubicAction_);
    view->addAction(toggleScalingAction_);

    QMenu* tools = menuBar()->addMenu(tr("&Tools"));
    tools->addAction(modelsAction_);
    tools->addAction(batchAction_);
    tools->addAction(distilAction_);
    tools->addSeparator();
    tools->addAction(settingsAction_);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(shortcutsAction_);
    help->addSeparator();
    help->addAction(tr("&About ShiftSR"), this, [this] {
        QMessageBox::about(
            this, tr("About ShiftSR"),
            tr("<p><b>ShiftSR %1</b></p><p>Diffusion image super-resolution x4 on your own "
               "machine: multi-step ResShift and one-step students, compared side by side.</p>")
                .arg(QCoreApplication::applicationVersion()));
    });
}

void MainWindow::createToolBar() {
    // Text beside the icons while it all fits; icons only before anything would overflow. The run
    // actions come before the view actions, so a very narrow window loses the view actions first.
    auto* bar = new FittingToolBar(tr("Main"), this);
    bar->setObjectName(QStringLiteral("mainToolBar"));
    addToolBar(bar);
    bar->addAction(openAction_);
    bar->addAction(saveAction_);
    bar->addSeparator();

    modelCombo_ = new QComboBox(bar);
    // Long model names are shortened in the box (its list and tooltip show them whole), so that a
    // name does not push the run buttons out of the toolbar.
    modelCombo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    modelCombo_->setMinimumContentsLength(kModelComboChars);
    modelCombo_->setToolTip(tr("Model for Upscale"));
    auto* modelLabel = new QLabel(tr("&Model:"), bar);
    modelLabel->setBuddy(modelCombo_);
    bar->addWidget(modelLabel);
    bar->addWidget(modelCombo_);
    connect(modelCombo_, &QComboBox::currentIndexChanged, this, [this] {
        updateStepChoices();
        persistToolbarState();
        updateActions();
    });

    stepsSpin_ = new StepSpinBox(bar);
    stepsSpin_->setToolTip(
        tr("Sampling steps: the model's own, 1 (one network call) or the full chain"));
    auto* stepsLabel = new QLabel(tr("&Steps:"), bar);
    stepsLabel->setBuddy(stepsSpin_);
    bar->addWidget(stepsLabel);
    bar->addWidget(stepsSpin_);
    connect(stepsSpin_, &QSpinBox::valueChanged, this, [this] { persistToolbarState(); });

    seedSpin_ = new QSpinBox(bar);
    seedSpin_->setRange(0, std::numeric_limits<int>::max());
    seedSpin_->setToolTip(tr("Noise seed: the same seed gives the same result"));
    auto* seedLabel = new QLabel(tr("S&eed:"), bar);
    seedLabel->setBuddy(seedSpin_);
    bar->addWidget(seedLabel);
    bar->addWidget(seedSpin_);
    connect(seedSpin_, &QSpinBox::valueChanged, this, [this] { persistToolbarState(); });

    bar->addSeparator();
    bar->addAction(upscaleAction_);
    bar->addAction(compareAction_);
    bar->addAction(previewAction_);
    bar->addAction(cancelAction_);
    bar->addSeparator();
    bar->addAction(fitAction_);
    bar->addAction(actualSizeAction_);
    bar->addAction(splitAction_);
    bar->addAction(flipAction_);
}

void MainWindow::createRegionDock() {
    regionDock_ = new RegionPreviewDock(*registry_, this);
    regionDock_->setActions({selectRegionAction_, visibleAreaAction_, clearSelectionAction_},
                            previewAction_);
    connect(regionDock_, &RegionPreviewDock::checkedModelsChanged, this,
            [this] { updateActions(); });
    addDockWidget(Qt::RightDockWidgetArea, regionDock_);
    viewMenu_->addSeparator();
    viewMenu_->addAction(regionDock_->toggleViewAction());
}

void MainWindow::createStatusBar() {
    progress_ = new QProgressBar(this);
    progress_->setRange(0, kProgressScale);
    progress_->setMaximumWidth(220);
    progress_->hide();
    auto* cancelButton = new QToolButton(this);
    cancelButton->setDefaultAction(cancelAction_);
    cancelButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    statusBar()->addPermanentWidget(progress_);
    statusBar()->addPermanentWidget(cancelButton);
    deviceLabel_ = new QLabel(this);
    timeLabel_ = new QLabel(this);
    memoryLabel_ = new QLabel(this);
    deviceLabel_->setToolTip(tr("Device and CPU threads of the last run"));
    timeLabel_->setToolTip(tr("Engine time of the last run"));
    memoryLabel_->setToolTip(tr("Peak memory the last run needed above what ShiftSR held before"));
    for (QLabel* l : {deviceLabel_, timeLabel_, memoryLabel_})
        statusBar()->addPermanentWidget(l);
    zoomLabel_ = new QLabel(this);
    zoomLabel_->setObjectName(QStringLiteral("zoomLabel"));
    // As wide as the widest zoom text, so the status bar does not reflow (or clip it) on zooming.
    zoomLabel_->setMinimumWidth(zoomLabel_->fontMetrics().horizontalAdvance(
                                    tr("Zoom %1 %").arg(QLocale().toString(25600))) +
                                8);
    zoomLabel_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    zoomLabel_->setToolTip(tr("Zoom relative to the result's pixels: 100 % shows one result pixel "
                              "per screen pixel, also before the upscale"));
    statusBar()->addPermanentWidget(zoomLabel_);
    connect(view_, &ui::CompareView::viewChanged, this, [this] { updateZoomLabel(); });
    runTimer_ = new QTimer(this);
    runTimer_->setInterval(1000);
    connect(runTimer_, &QTimer::timeout, this, [this] { updateRunStatus(); });
    updateZoomLabel();
}

void MainWindow::restoreToolbarState() {
    const AppSettings stored = settings_;
    restoring_ = true;
    if (!stored.modelSpec.isEmpty())
        setModelSpec(stored.modelSpec);
    setSteps(stored.steps);
    setSeed(stored.seed);
    nearestAction_->setChecked(scaling_ == InputScaling::Nearest);
    bicubicAction_->setChecked(scaling_ == InputScaling::Bicubic);
    restoring_ = false;
}

void MainWindow::persistToolbarState() {
    if (restoring_)
        return; // the widgets are being set from settings_: nothing new to store yet
    settings_ = settings();
    settings_.save();
}

// ---------------------------------------------------------------------- model and recent lists

void MainWindow::rebuildModelCombo() {
    QString wanted = modelCombo_->count() > 0 ? modelSpec() : settings_.modelSpec;
    const QSignalBlocker blocker(modelCombo_);
    modelCombo_->clear();
    auto* model = qobject_cast<QStandardItemModel*>(modelCombo_->model());
    for (const ModelEntry& e : registry_->models()) {
        modelCombo_->addItem(e.displayName, e.spec);
        const int row = modelCombo_->count() - 1;
        if (e.error.isEmpty()) {
            modelCombo_->setItemData(row,
                                     tr("%1\n%2, x%3, %n step(s) by default", nullptr, e.info.steps)
                                         .arg(e.description, QString::fromStdString(e.info.family),
                                              QString::number(e.info.scale)),
                                     Qt::ToolTipRole);
        } else {
            modelCombo_->setItemData(row, tr("Not usable: %1").arg(e.error), Qt::ToolTipRole);
            if (model)
                model->item(row)->setEnabled(false);
        }
    }
    const ModelEntry* e = registry_->find(wanted);
    if (!e || !e->error.isEmpty())
        wanted = registry_->defaultSpec();
    modelCombo_->setCurrentIndex(modelCombo_->findData(wanted));
    updateStepChoices();
}

void MainWindow::updateStepChoices() {
    const ModelEntry* e = registry_->find(modelSpec());
    if (!e || !e->error.isEmpty()) {
        stepsSpin_->setAllowedSteps({});
        stepsSpin_->setSpecialValueText(tr("Model default"));
        return;
    }
    // The pipeline runs a model with one network call or with its whole schedule.
    stepsSpin_->setAllowedSteps({1, e->info.trainedSteps});
    stepsSpin_->setSpecialValueText(tr("Model default (%n)", nullptr, e->info.steps));
}

void MainWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    for (int i = 0; i < settings_.recentFiles.size(); ++i) {
        const QString path = settings_.recentFiles[i];
        // Alt+1 .. Alt+9, then Alt+0 for the tenth ("1&0"): the mnemonic is the last digit.
        QString number = QString::number(i + 1);
        number.insert(number.size() - 1, QLatin1Char('&'));
        QAction* a = recentMenu_->addAction(tr("%1 %2").arg(
            number, QFileInfo(path).fileName().replace(QLatin1Char('&'), QStringLiteral("&&"))));
        a->setToolTip(QDir::toNativeSeparators(path));
        a->setStatusTip(QDir::toNativeSeparators(path));
        a->setEnabled(QFileInfo::exists(path));
        connect(a, &QAction::triggered, this, [this, path] { openFile(path); });
    }
    recentMenu_->addSeparator();
    QAction* clear = recentMenu_->addAction(tr("&Clear Menu"), this, [this] {
        settings_.recentFiles.clear();
        settings_.save();
        rebuildRecentMenu();
    });
    clear->setEnabled(!settings_.recentFiles.isEmpty());
}

// ------------------------------------------------------------------ toolbar state and settings

AppSettings MainWindow::settings() const {
    AppSettings s = settings_;
    s.modelFolder = registry_->modelFolder(); // the model manager may have changed it
    if (modelCombo_ && modelCombo_->currentIndex() >= 0)
        s.modelSpec = modelSpec();
    if (stepsSpin_)
        s.steps = stepsSpin_->value();
    if (seedSpin_)
        s.seed = quint64(seedSpin_->value());
    s.bicubicInput = scaling_ == InputScaling::Bicubic;
    return s;
}

void MainWindow::setSettings(const AppSettings& settings) {
    const bool folderChanged = settings.modelFolder != registry_->modelFolder();
    settings_ = settings;
    restoring_ = true;
    if (folderChanged) // rescans; modelsChanged rebuilds the model lists
        registry_->setModelFolder(settings.modelFolder);
    if (!settings.modelSpec.isEmpty())
        setModelSpec(settings.modelSpec);
    setSteps(settings.steps);
    setSeed(settings.seed);
    setInputScaling(settings.bicubicInput ? InputScaling::Bicubic : InputScaling::Nearest);
    restoring_ = false;
    settings_ = this->settings();
    settings_.save();
    applySettingsToBatchQueue(); // a batch follows the settings too
    rebuildRecentMenu();
    updateActions();
}

QString MainWindow::modelSpec() const {
    return modelCombo_->currentData().toString();
}

void MainWindow::setModelSpec(const QString& spec) {
    const ModelEntry* e = registry_->find(spec);
    if (!e || !e->error.isEmpty())
        return;
    modelCombo_->setCurrentIndex(modelCombo_->findData(spec));
}

int MainWindow::steps() const {
    return stepsSpin_->value();
}

void MainWindow::setSteps(int steps) {
    stepsSpin_->setValue(stepsSpin_->allowedSteps().contains(steps) ? steps : 0);
}

quint64 MainWindow::seed() const {
    return quint64(seedSpin_->value());
}

void MainWindow::setSeed(quint64 seed) {
    seedSpin_->setValue(int(std::min<quint64>(seed, quint64(std::numeric_limits<int>::max()))));
}

// -------------------------------------------------------------------- actions and tool windows

void MainWindow::updateActions() {
    const bool hasInput = !input_.isNull();
    const bool busy = isBusy();
    const bool hasResult = activeResult() != nullptr;
    upscaleAction_->setEnabled(hasInput && !busy && !modelSpec().isEmpty());
    compareAction_->setEnabled(hasInput && !busy && !registry_->preferredSpec(false).isEmpty());
    previewAction_->setEnabled(hasInput && !busy && !regionModels().isEmpty());
    cancelAction_->setEnabled(busy && !runs_->isCancelling());
    saveAction_->setEnabled(hasResult);
    saveAsAction_->setEnabled(hasResult);
    updateSaveAction();
    selectRegionAction_->setEnabled(hasInput);
    visibleAreaAction_->setEnabled(hasInput && !paneSet(shown_).empty());
    clearSelectionAction_->setEnabled(!selection().isNull());
    wholeViewAction_->setEnabled(!whole_.empty());
    regionViewAction_->setEnabled(!region_.empty());
    regionDock_->setSelection(selection());
}

void MainWindow::updateZoomLabel() {
    if (view_->referenceSize().isEmpty()) {
        zoomLabel_->clear();
        return;
    }
    const double percent = 100.0 * view_->zoom();
    zoomLabel_->setText(
        tr("Zoom %1 %").arg(QLocale().toString(percent, 'f', percent < 10 ? 1 : 0)));
}

void MainWindow::showSettings() {
    SettingsDialog dialog(settings(), this);
    if (dialog.exec() == QDialog::Accepted)
        setSettings(dialog.settings());
}

void MainWindow::showModelManager() {
    Q_EMIT modelManagerRequested();
    if (!modelManager_) {
        modelManager_ = new ModelManagerDialog(*registry_, this);
        modelManager_->setModal(false);
    }
    modelManager_->show();
    modelManager_->raise();
    modelManager_->activateWindow();
}

void MainWindow::showShortcuts() {
    if (!shortcutsDialog_)
        shortcutsDialog_ = new ShortcutsDialog(this); // lists the actions anew each time it opens
    shortcutsDialog_->show();
    shortcutsDialog_->raise();
    shortcutsDialog_->activateWindow();
}

void MainWindow::applySettingsToBatchQueue() {
    if (!batchQueue_ || batchQueue_->runState() != BatchQueue::RunState::Idle)
        return; // a running batch keeps the settings it started with
    BatchQueue::Options o = batchQueue_->options();
    o.engine = settings_.upscaleSettings(); // the queue's choices replace its model, steps, naming
    batchQueue_->setOptions(o);
}

void MainWindow::showBatchQueue() {
    Q_EMIT batchQueueRequested();
    if (!batchQueue_) {
        // Its own top-level window (closing it hides it; a run goes on), destroyed with this one,
        // which cancels a run and waits for it.
        batchQueue_ = new BatchQueue(*registry_, this);
        batchQueue_->setWindowFlag(Qt::Window);
        batchQueue_->setWindowTitle(tr("Batch upscale — ShiftSR"));
        batchQueue_->resize(900, 520);
    }
    applySettingsToBatchQueue();
    batchQueue_->show();
    batchQueue_->raise();
    batchQueue_->activateWindow();
}

} // namespace shiftsr::gui
