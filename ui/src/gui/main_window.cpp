// MainWindow: actions, toolbar, region dock and status bar around the CompareView; runs go to the
// RunController, file work to the ImageFileWorker, and their answers come back as signals.
#include "shiftsr/gui/main_window.h"

#include "region_preview_dock.h"
#include "region_selector.h"
#include "result_saver.h"
#include "step_spin_box.h"

#include "shiftsr/gui/batch_queue.h"
#include "shiftsr/gui/model_manager_dialog.h"
#include "shiftsr/gui/model_registry.h"
#include "shiftsr/gui/settings_dialog.h"
#include "shiftsr/ui/compare_view.h"

#include <QAction>
#include <QActionGroup>
#include <QCloseEvent>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QThread>
#include <QToolBar>
#include <QToolButton>
#include <QUrl>

#include <algorithm>
#include <limits>

namespace shiftsr::gui {

namespace {

constexpr char kGeometryKey[] = "main/geometry";
constexpr char kWindowStateKey[] = "main/windowState";
constexpr int kProgressScale = 1000;

QString formatSeconds(double seconds) {
    const QLocale locale;
    if (seconds < 60)
        return MainWindow::tr("%1 s").arg(locale.toString(seconds, 'f', seconds < 10 ? 2 : 1));
    const int whole = int(seconds + 0.5);
    if (whole < 3600)
        return MainWindow::tr("%1 min %2 s").arg(whole / 60).arg(whole % 60);
    return MainWindow::tr("%1 h %2 min").arg(whole / 3600).arg(whole / 60 % 60);
}

QString formatMemory(unsigned long long bytes) {
    return QLocale().formattedDataSize(
        qint64(std::min<unsigned long long>(bytes, std::numeric_limits<qint64>::max())));
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    settings_ = AppSettings::load();
    registry_ = new ModelRegistry(settings_.modelFolder, this);
    scaling_ = settings_.bicubicInput ? InputScaling::Bicubic : InputScaling::Nearest;

    runs_ = new RunController(*registry_, this);
    connect(runs_, &RunController::progress, this, &MainWindow::onRunProgress);
    connect(runs_, &RunController::resultReady, this, &MainWindow::onRunResult);
    connect(runs_, &RunController::failed, this, &MainWindow::onRunFailed);
    connect(runs_, &RunController::finished, this, &MainWindow::onRunFinished);

    fileThread_ = new QThread(this);
    fileThread_->setObjectName(QStringLiteral("shiftsr-files"));
    files_ = new ImageFileWorker;
    files_->moveToThread(fileThread_);
    connect(fileThread_, &QThread::finished, files_, &QObject::deleteLater);
    connect(files_, &ImageFileWorker::loaded, this, &MainWindow::onLoaded);
    connect(files_, &ImageFileWorker::magnified, this, &MainWindow::onMagnified);
    fileThread_->start();
    saver_ = new ResultSaver(files_, this);
    connect(saver_, &ResultSaver::saved, this, &MainWindow::onSaved);
    connect(saver_, &ResultSaver::saveFailed, this, &MainWindow::onSaveFailed);

    view_ = new ui::CompareView(this);
    view_->setFocusPolicy(Qt::StrongFocus);
    setCentralWidget(view_);
    selector_ = new RegionSelector(view_);
    connect(selector_, &RegionSelector::selectionChanged, this, [this](const QRect& rect) {
        updateActions();
        Q_EMIT selectionChanged(rect);
    });
    connect(selector_, &RegionSelector::paneClicked, this, [this](int pane) {
        activePane_ = pane;
        updateActions();
    });

    createActions();
    createMenus();
    createToolBar();
    createRegionDock();
    createStatusBar();
    connect(selector_, &RegionSelector::armedChanged, selectRegionAction_, &QAction::setChecked);
    connect(view_, &ui::CompareView::modeChanged, this, [this](ui::CompareView::Mode mode) {
        splitAction_->setChecked(mode == ui::CompareView::Mode::Split);
    });

    rebuildModelCombo();
    restoreToolbarState();
    rebuildRecentMenu();
    connect(registry_, &ModelRegistry::modelsChanged, this, [this] {
        rebuildModelCombo(); // the region dock follows the registry itself
        updateActions();
    });

    setAcceptDrops(true);
    setWindowTitle(tr("ShiftSR"));
    resize(1280, 800);
    const QSettings stored;
    restoreGeometry(stored.value(kGeometryKey).toByteArray());
    restoreState(stored.value(kWindowStateKey).toByteArray());
    statusBar()->showMessage(tr("Open an image (Ctrl+O) or drop one here."));
    updateActions();
}

MainWindow::~MainWindow() {
    // A run in progress stops at the engine's next check, before the registry it loads models
    // from goes; the file thread finishes what it does (saves are atomic). The file worker is
    // deleted by its thread's finished signal.
    fileThread_->quit();
    delete runs_;
    runs_ = nullptr;
    fileThread_->wait();
}

// ---------------------------------------------------------------------------------------- setup

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
    openAction_->setIcon(QIcon::fromTheme(QStringLiteral("document-open")));
    saveAction_ =
        make(tr("&Save"), QKeySequence::Save,
             tr("Save the selected result with the input's metadata"), [this] { save(); });
    saveAction_->setIcon(QIcon::fromTheme(QStringLiteral("document-save")));
    saveAsAction_ = make(tr("Save &As…"), QKeySequence(tr("Ctrl+Shift+S")),
                         tr("Save the selected result under a new name"), [this] { saveAs(); });
    settingsAction_ =
        make(tr("&Settings…"), QKeySequence(tr("Ctrl+,")),
             tr("Folders, output, device, threads, tiles"), [this] { showSettings(); });
    quitAction_ = make(tr("&Quit"), QKeySequence::Quit, tr("Close ShiftSR"), [this] { close(); });

    upscaleAction_ =
        make(tr("&Upscale"), QKeySequence(tr("Ctrl+R")),
             tr("Upscale the whole image x4 with the chosen model"), [this] { upscale(); });
    upscaleAction_->setIcon(QIcon::fromTheme(QStringLiteral("media-playback-start")));
    compareAction_ = make(tr("&Compare One-Step and Multi-Step"), QKeySequence(tr("Ctrl+Shift+R")),
                          tr("Run the one-step and the multi-step model with the same seed and "
                             "show them side by side"),
                          [this] { compare(); });
    previewAction_ =
        make(tr("&Preview Region"), QKeySequence(tr("Ctrl+P")),
             tr("Upscale only the selected region (or the visible area) with every checked model"),
             [this] { previewRegion(); });
    cancelAction_ = make(tr("Cance&l"), QKeySequence(Qt::Key_Escape),
                         tr("Stop the run in progress"), [this] { cancel(); });
    cancelAction_->setIcon(QIcon::fromTheme(QStringLiteral("process-stop")));

    selectRegionAction_ = plain(tr("Select &Region"), QKeySequence(tr("Ctrl+M")),
                                tr("Drag a rectangle on the input (Shift+drag works at any time)"));
    selectRegionAction_->setCheckable(true);
    connect(selectRegionAction_, &QAction::toggled, this, [this](bool on) {
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
    flipAction_ = make(tr("&Flip"), QKeySequence(tr("F")),
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

    modelsAction_ =
        make(tr("&Models…"), QKeySequence(tr("Ctrl+Shift+M")),
             tr("Installed models, import, default"), [this] { showModelManager(); });
    batchAction_ =
        make(tr("&Batch…"), QKeySequence(tr("Ctrl+Shift+B")), tr("Upscale many files and folders"),
             [this] { showBatchQueue(); });

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
    tools->addSeparator();
    tools->addAction(settingsAction_);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About ShiftSR"), this, [this] {
        QMessageBox::about(
            this, tr("About ShiftSR"),
            tr("<p><b>ShiftSR %1</b></p><p>Diffusion image super-resolution x4 on your own "
               "machine: multi-step ResShift and one-step students, compared side by side.</p>")
                .arg(QCoreApplication::applicationVersion()));
    });
}

void MainWindow::createToolBar() {
    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->addAction(openAction_);
    bar->addAction(saveAction_);
    bar->addSeparator();

    modelCombo_ = new QComboBox(bar);
    modelCombo_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
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
    auto* stepsLabel = new QLabel(tr("S&teps:"), bar);
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
    threadsLabel_ = new QLabel(this);
    timeLabel_ = new QLabel(this);
    memoryLabel_ = new QLabel(this);
    deviceLabel_->setToolTip(tr("Device of the last run"));
    threadsLabel_->setToolTip(tr("CPU threads of the last run"));
    timeLabel_->setToolTip(tr("Engine time of the last run"));
    memoryLabel_->setToolTip(tr("Peak resident memory of ShiftSR so far"));
    for (QLabel* l : {deviceLabel_, threadsLabel_, timeLabel_, memoryLabel_})
        statusBar()->addPermanentWidget(l);
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

// --------------------------------------------------------------------------------- model lists

QString MainWindow::modelName(const QString& spec) const {
    const ModelEntry* e = registry_->find(spec);
    return e ? e->displayName : QFileInfo(spec).fileName();
}

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

QList<QPair<QString, int>> MainWindow::regionModels() const {
    return regionDock_->checkedModels();
}

void MainWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    for (int i = 0; i < settings_.recentFiles.size(); ++i) {
        const QString path = settings_.recentFiles[i];
        QAction* a = recentMenu_->addAction(tr("&%1 %2").arg(i + 1).arg(
            QFileInfo(path).fileName().replace(QLatin1Char('&'), QStringLiteral("&&"))));
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

// ----------------------------------------------------------------------------------- accessors

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

QSize MainWindow::inputSize() const {
    return input_.isNull() ? QSize() : QSize(input_.color.cols, input_.color.rows);
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

QRect MainWindow::selection() const {
    return selector_->selection();
}

void MainWindow::setSelection(const QRect& rect) {
    selector_->setSelection(rect);
}

int MainWindow::scaleFactor() const {
    const ModelEntry* e = registry_->find(modelSpec());
    return e && e->error.isEmpty() && e->info.scale > 0 ? e->info.scale : 4;
}

// ------------------------------------------------------------------------------------ opening

void MainWindow::openDialog() {
    const QString start = input_.isNull()
                              ? (settings_.recentFiles.isEmpty()
                                     ? QString()
                                     : QFileInfo(settings_.recentFiles.first()).absolutePath())
                              : QFileInfo(input_.path).absolutePath();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Image"), start,
        tr("Images (*.png *.jpg *.jpeg *.tif *.tiff *.webp *.bmp);;All Files (*)"));
    if (!path.isEmpty())
        openFile(path);
}

void MainWindow::openFile(const QString& path) {
    if (path.isEmpty())
        return;
    runs_->cancel(); // a run's results belong to the image being replaced
    const quint64 ticket = ++nextTicket_;
    loadTicket_ = ticket;
    pendingOpen_ = path;
    statusBar()->showMessage(tr("Opening %1…").arg(QDir::toNativeSeparators(path)));
    QMetaObject::invokeMethod(
        files_, [files = files_, ticket, path] { files->load(ticket, path); },
        Qt::QueuedConnection);
}

void MainWindow::onLoaded(quint64 ticket, const LoadedImage& image) {
    if (ticket != loadTicket_)
        return; // a newer open replaced this one
    loadTicket_ = 0;
    if (image.isNull()) {
        const QString message =
            tr("Cannot open %1: %2").arg(QDir::toNativeSeparators(image.path), image.error);
        statusBar()->showMessage(message);
        auto* box =
            new QMessageBox(QMessageBox::Warning, tr("Open Image"), message, QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
        Q_EMIT openFailed(image.path, image.error);
        return;
    }
    input_ = image;
    saver_->setInput(image);
    whole_ = makePaneSet(QRect());
    region_ = PaneSet();
    selector_->setInput(-1, inputSize());
    selector_->clear();
    showPaneSet(View::WholeImage);
    if (scaling_ == InputScaling::Bicubic)
        requestBicubic(View::WholeImage);
    settings_.addRecentFile(image.path);
    settings_.save();
    rebuildRecentMenu();
    setWindowTitle(tr("%1 – ShiftSR").arg(QFileInfo(image.path).fileName()));
    if (image.metadataWarning.isEmpty())
        statusBar()->showMessage(
            tr("%1: %2 × %3 pixels, %4 bit")
                .arg(QFileInfo(image.path).fileName(), QString::number(image.color.cols),
                     QString::number(image.color.rows), QString::number(image.bitDepth)));
    else
        statusBar()->showMessage(
            tr("%1: the metadata could not be read and will not be copied (%2)")
                .arg(QFileInfo(image.path).fileName(), image.metadataWarning));
    updateActions();
    Q_EMIT inputOpened(image.path);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile() &&
        ImageFileWorker::isImageFile(urls.first().toLocalFile()))
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile())
        return;
    event->acceptProposedAction();
    openFile(urls.first().toLocalFile());
}

// -------------------------------------------------------------------------------------- panes

MainWindow::PaneSet MainWindow::makePaneSet(const QRect& region) const {
    PaneSet set;
    set.region = region;
    if (input_.isNull())
        return set;
    if (region.isNull()) {
        set.color = input_.color;
        set.alpha = input_.alpha;
        set.display = input_.display;
    } else {
        const cv::Rect r(region.x(), region.y(), region.width(), region.height());
        set.color = input_.color(r);
        if (!input_.alpha.empty())
            set.alpha = input_.alpha(r);
        set.display = input_.display.copy(region);
    }
    return set;
}

QString MainWindow::inputLabel(const PaneSet& set) const {
    const bool bicubic = scaling_ == InputScaling::Bicubic && !set.bicubic.isNull();
    const bool magnified = bicubic || !set.results.isEmpty();
    const int f = scaleFactor();
    if (set.region.isNull()) {
        if (!magnified)
            return tr("Input");
        return bicubic ? tr("Input, bicubic x%1").arg(f) : tr("Input, nearest x%1").arg(f);
    }
    const QRect& r = set.region;
    if (!magnified)
        return tr("Input crop %1×%2 at (%3, %4)")
            .arg(r.width())
            .arg(r.height())
            .arg(r.x())
            .arg(r.y());
    return (bicubic ? tr("Input crop %1×%2 at (%3, %4), bicubic x%5")
                    : tr("Input crop %1×%2 at (%3, %4), nearest x%5"))
        .arg(r.width())
        .arg(r.height())
        .arg(r.x())
        .arg(r.y())
        .arg(f);
}

QString MainWindow::resultLabel(const ResultSlot& slot) const {
    if (slot.result) {
        const EngineJobResult& r = *slot.result;
        return tr("%1\n%n step(s) · %2 · peak %3", nullptr, r.report.steps)
            .arg(slot.label, formatSeconds(r.report.times.total),
                 formatMemory(r.report.peakRssBytes));
    }
    if (!slot.error.isEmpty())
        return tr("%1: failed (%2)").arg(slot.label, slot.error);
    if (slot.cancelled)
        return tr("%1: cancelled").arg(slot.label);
    return tr("%1: running…").arg(slot.label);
}

void MainWindow::showPaneSet(View view) {
    shown_ = view;
    (view == View::WholeImage ? wholeViewAction_ : regionViewAction_)->setChecked(true);
    view_->clearPanes();
    activePane_ = -1;
    const PaneSet& set = paneSet(view);
    if (set.empty()) {
        selector_->setInput(-1, inputSize());
        updateActions();
        return;
    }
    const bool bicubic = scaling_ == InputScaling::Bicubic && !set.bicubic.isNull();
    view_->addPane(bicubic ? set.bicubic : set.display, inputLabel(set));
    for (const ResultSlot& slot : set.results)
        view_->addPane(slot.result ? slot.result->display : QImage(), resultLabel(slot));
    view_->setSplitPanes(set.splitA, set.splitB);
    view_->fitToWindow();
    selector_->setInput(view == View::WholeImage ? 0 : -1, inputSize());
    updateActions();
}

void MainWindow::refreshPane(View view, int slot) {
    if (view != shown_)
        return;
    const PaneSet& set = paneSet(view);
    if (slot < 0 || slot >= set.results.size() || slot + 1 >= view_->paneCount())
        return;
    const bool wasFitted = view_->isFitted();
    const ResultSlot& s = set.results[slot];
    view_->setPaneImage(slot + 1, s.result ? s.result->display : QImage());
    view_->setPaneLabel(slot + 1, resultLabel(s));
    view_->setPaneLabel(0, inputLabel(set));
    if (wasFitted)
        view_->fitToWindow(); // the first result changes the reference image
    selector_->setInput(selector_->inputPane(), inputSize());
}

void MainWindow::setView(View view) {
    if (paneSet(view).empty()) {
        (shown_ == View::WholeImage ? wholeViewAction_ : regionViewAction_)->setChecked(true);
        return;
    }
    showPaneSet(view);
    if (scaling_ == InputScaling::Bicubic)
        requestBicubic(view);
}

void MainWindow::setInputScaling(InputScaling scaling) {
    (scaling == InputScaling::Nearest ? nearestAction_ : bicubicAction_)->setChecked(true);
    if (scaling_ == scaling)
        return;
    scaling_ = scaling;
    persistToolbarState();
    const PaneSet& set = paneSet(shown_);
    if (set.empty())
        return;
    if (scaling == InputScaling::Bicubic && set.bicubic.isNull()) {
        requestBicubic(shown_); // the pane switches when the magnified copy arrives
        return;
    }
    const bool wasFitted = view_->isFitted();
    view_->setPaneImage(0, scaling == InputScaling::Bicubic ? set.bicubic : set.display);
    view_->setPaneLabel(0, inputLabel(set));
    if (wasFitted)
        view_->fitToWindow();
    selector_->setInput(selector_->inputPane(), inputSize());
}

void MainWindow::requestBicubic(View view) {
    PaneSet& set = paneSet(view);
    if (set.empty() || !set.bicubic.isNull() || set.bicubicTicket != 0)
        return;
    const quint64 ticket = ++nextTicket_;
    set.bicubicTicket = ticket;
    QMetaObject::invokeMethod(
        files_,
        [files = files_, ticket, color = set.color, alpha = set.alpha, f = scaleFactor()] {
            files->magnify(ticket, color, alpha, f);
        },
        Qt::QueuedConnection);
}

void MainWindow::onMagnified(quint64 ticket, const QImage& image) {
    for (View v : {View::WholeImage, View::Region}) {
        PaneSet& set = paneSet(v);
        if (set.bicubicTicket != ticket)
            continue;
        set.bicubicTicket = 0;
        set.bicubic = image;
        if (v == shown_ && scaling_ == InputScaling::Bicubic && view_->paneCount() > 0) {
            const bool wasFitted = view_->isFitted();
            view_->setPaneImage(0, image);
            view_->setPaneLabel(0, inputLabel(set));
            if (wasFitted)
                view_->fitToWindow();
            selector_->setInput(selector_->inputPane(), inputSize());
        }
    }
}

// --------------------------------------------------------------------------------------- runs

EngineJob MainWindow::makeJob(const QString& spec, int steps, const QString& label,
                              const PaneSet& set) const {
    EngineJob job;
    job.label = label;
    job.modelSpec = spec;
    job.load = settings_.loadOptions();
    job.request = settings_.requestTemplate();
    job.request.seed = seed();
    job.request.steps = steps;
    const QRect& r = set.region;
    job.request.image = r.isNull()
                            ? input_.engineInput
                            : input_.engineInput(cv::Rect(r.x(), r.y(), r.width(), r.height()));
    job.region = r;
    return job;
}

void MainWindow::startRun(View view, PaneSet set, const QList<EngineJob>& jobs, int splitA,
                          int splitB, const QString& note) {
    for (const EngineJob& job : jobs) {
        ResultSlot slot;
        slot.label = job.label;
        set.results.append(slot);
    }
    set.splitA = splitA;
    set.splitB = splitB;
    runView_ = view;
    runNote_ = note;
    set.run = runs_->start(jobs);
    paneSet(view) = set;
    showPaneSet(view);
    if (scaling_ == InputScaling::Bicubic)
        requestBicubic(view);
    progress_->setValue(0);
    progress_->show();
    statusBar()->showMessage(note.isEmpty() ? tr("Upscaling…") : note);
    updateActions();
    Q_EMIT runStarted();
}

void MainWindow::upscale() {
    if (input_.isNull() || isBusy())
        return;
    const QString spec = modelSpec();
    if (spec.isEmpty()) {
        statusBar()->showMessage(tr("No usable model is installed."));
        return;
    }
    PaneSet set = makePaneSet(QRect());
    startRun(View::WholeImage, set, {makeJob(spec, steps(), modelName(spec), set)}, 0, 1,
             QString());
}

void MainWindow::compare() {
    if (input_.isNull() || isBusy())
        return;
    const QString teacher = registry_->preferredSpec(false);
    const QString student = registry_->preferredSpec(true);
    if (teacher.isEmpty()) {
        statusBar()->showMessage(tr("Compare needs a multi-step model, and none is installed."));
        return;
    }
    const ModelEntry* t = registry_->find(teacher);
    const int T = t->info.trainedSteps;
    const QRect region = selection();
    PaneSet set = makePaneSet(region);
    QList<EngineJob> jobs;
    jobs.append(makeJob(teacher, T, modelName(teacher), set));
    QString note;
    if (!student.isEmpty()) {
        jobs.append(makeJob(student, 0, modelName(student), set));
    } else {
        // Never presented as a student: the label and the status bar say what it is.
        jobs.append(
            makeJob(teacher, 1,
                    tr("%1 at 1 step (no one-step model installed)").arg(modelName(teacher)), set));
        note = tr("No one-step model is installed: comparing %1 at %n step(s) with the same model "
                  "at 1 step.",
                  nullptr, T)
                   .arg(modelName(teacher));
    }
    startRun(region.isNull() ? View::WholeImage : View::Region, set, jobs, 1, 2, note);
}

void MainWindow::previewRegion() {
    if (input_.isNull() || isBusy())
        return;
    QRect region = selection();
    if (region.isNull())
        region = shown_ == View::Region ? region_.region : selector_->visibleArea();
    if (region.isNull()) {
        statusBar()->showMessage(tr("Select a region on the input first (Shift+drag)."));
        return;
    }
    const auto models = regionModels();
    if (models.isEmpty()) {
        statusBar()->showMessage(tr("Check at least one model in the Region Preview panel."));
        return;
    }
    PaneSet set = makePaneSet(region);
    QList<EngineJob> jobs;
    for (const auto& [spec, steps] : models) {
        const ModelEntry* e = registry_->find(spec);
        const bool atOneStep = steps == 1 && e && !e->oneStep();
        jobs.append(makeJob(spec, steps,
                            atOneStep ? tr("%1 at 1 step").arg(modelName(spec)) : modelName(spec),
                            set));
    }
    // Split and flip compare the first two results when there are two, else input and result.
    const bool two = jobs.size() > 1;
    startRun(View::Region, set, jobs, two ? 1 : 0, two ? 2 : 1, QString());
}

void MainWindow::cancel() {
    if (!isBusy())
        return;
    runs_->cancel();
    updateActions();
    statusBar()->showMessage(tr("Cancelling…"));
}

void MainWindow::onRunProgress(double fraction, int job, const QString& stage) {
    progress_->setValue(int(kProgressScale * fraction));
    if (runs_->isCancelling())
        return; // keep "Cancelling…" on screen
    const RunController::RunRecord run = runs_->lastRun();
    statusBar()->showMessage(tr("%1 (%2 of %3): %4")
                                 .arg(run.jobs.value(job).label, QString::number(job + 1),
                                      QString::number(run.jobs.size()), stage));
}

void MainWindow::onRunResult(int slot, const EngineJobResult& result) {
    PaneSet& set = paneSet(runView_);
    if (set.run != runs_->currentRun() || slot < 0 || slot >= set.results.size())
        return; // the set was replaced (a new input) while the run was being cancelled
    set.results[slot].result = result;
    refreshPane(runView_, slot);
    const UpscaleReport& r = result.report;
    deviceLabel_->setText(tr("Device: %1").arg(QString::fromStdString(r.device)));
    threadsLabel_->setText(tr("Threads: %1").arg(r.threads));
    timeLabel_->setText(tr("Time: %1").arg(formatSeconds(r.times.total)));
    memoryLabel_->setText(tr("Peak memory: %1").arg(formatMemory(r.peakRssBytes)));
    if (!r.warnings.empty()) {
        QStringList warnings;
        for (const std::string& w : r.warnings)
            warnings << QString::fromStdString(w);
        statusBar()->showMessage(
            tr("%1: %2").arg(result.label, warnings.join(QStringLiteral("; "))));
    }
    updateActions();
}

void MainWindow::onRunFailed(int slot, const QString& message) {
    PaneSet& set = paneSet(runView_);
    if (set.run != runs_->currentRun() || slot < 0 || slot >= set.results.size())
        return;
    set.results[slot].error = message;
    refreshPane(runView_, slot);
    statusBar()->showMessage(tr("%1 failed: %2").arg(set.results[slot].label, message));
}

void MainWindow::onRunFinished(bool cancelled) {
    progress_->hide();
    bool problems = false; // a failure or warning message stays on screen instead of "Done."
    if (PaneSet& set = paneSet(runView_); set.run == runs_->lastRun().id) {
        for (int i = 0; i < set.results.size(); ++i) {
            ResultSlot& slot = set.results[i];
            if (cancelled && !slot.result && slot.error.isEmpty()) {
                slot.cancelled = true;
                refreshPane(runView_, i);
            }
            problems = problems || !slot.error.isEmpty() ||
                       (slot.result && !slot.result->report.warnings.empty());
        }
    }
    if (cancelled)
        statusBar()->showMessage(tr("Cancelled."));
    else if (!runNote_.isEmpty())
        statusBar()->showMessage(runNote_); // stays: it qualifies what the panes show
    else if (!problems)
        statusBar()->showMessage(tr("Done."), 5000);
    updateActions();
    Q_EMIT runFinished(cancelled);
    closeIfPending();
}

void MainWindow::closeIfPending() {
    if (closePending_ && !isBusy() && !saver_->isBusy())
        close();
}

// ------------------------------------------------------------------------------------- saving

const MainWindow::ResultSlot* MainWindow::activeResult(View* view, int* slot) const {
    const PaneSet& set = shown_ == View::WholeImage ? whole_ : region_;
    auto pick = [&](int i) {
        if (view)
            *view = shown_;
        if (slot)
            *slot = i;
        return &set.results[i];
    };
    if (activePane_ >= 1 && activePane_ - 1 < set.results.size() &&
        set.results[activePane_ - 1].result)
        return pick(activePane_ - 1);
    for (int i = 0; i < set.results.size(); ++i)
        if (set.results[i].result)
            return pick(i);
    return nullptr;
}

void MainWindow::save() {
    View view = View::WholeImage;
    int index = -1;
    const ResultSlot* slot = activeResult(&view, &index);
    if (!slot)
        return;
    const QString target =
        saver_->automaticPath(paneSet(view).run, index, *slot->result, settings_);
    if (target.isEmpty()) { // the input, another file, a missing folder or not an image type
        saveAs();
        return;
    }
    saveResultAs(target);
}

void MainWindow::saveAs() {
    View view = View::WholeImage;
    int index = -1;
    const ResultSlot* slot = activeResult(&view, &index);
    if (!slot)
        return;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save Result"),
        saver_->suggestedPath(paneSet(view).run, index, *slot->result, settings_),
        tr("PNG (*.png);;JPEG (*.jpg *.jpeg);;TIFF (*.tif *.tiff);;WebP (*.webp);;BMP (*.bmp)"));
    if (path.isEmpty())
        return;
    saveResultAs(saver_->withImageExtension(path, settings_));
}

void MainWindow::saveResultAs(const QString& path) {
    View view = View::WholeImage;
    int index = -1;
    const ResultSlot* slot = activeResult(&view, &index);
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QString refusal;
    if (!saver_->save(absolute, slot ? &*slot->result : nullptr, paneSet(view).run, index,
                      settings_, &refusal)) {
        statusBar()->showMessage(refusal);
        Q_EMIT saveFailed(absolute, refusal);
        return;
    }
    statusBar()->showMessage(tr("Saving %1…").arg(QDir::toNativeSeparators(absolute)));
    updateActions();
}

void MainWindow::onSaved(const QString& path, const QStringList& warnings) {
    const QString shown = QDir::toNativeSeparators(path);
    if (warnings.isEmpty())
        statusBar()->showMessage(tr("Saved %1").arg(shown), 8000);
    else
        statusBar()->showMessage(
            tr("Saved %1 (%2)").arg(shown, warnings.join(QStringLiteral("; "))));
    Q_EMIT saved(path);
    closeIfPending();
}

void MainWindow::onSaveFailed(const QString& path, const QString& error) {
    const QString message = tr("Cannot save %1: %2").arg(QDir::toNativeSeparators(path), error);
    statusBar()->showMessage(message);
    if (!closePending_) {
        auto* box = new QMessageBox(QMessageBox::Warning, tr("Save Result"), message,
                                    QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    }
    Q_EMIT saveFailed(path, error);
    closeIfPending();
}

// ---------------------------------------------------------------------------------- selection

void MainWindow::useVisibleArea() {
    const QRect area = selector_->visibleArea();
    if (area.isNull()) {
        statusBar()->showMessage(tr("Show the whole image to select its visible area."));
        return;
    }
    selector_->setSelection(area);
}

void MainWindow::clearSelection() {
    selector_->clear();
}

// -------------------------------------------------------------------------------- window state

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
    selectRegionAction_->setEnabled(hasInput && shown_ == View::WholeImage);
    visibleAreaAction_->setEnabled(hasInput && shown_ == View::WholeImage);
    clearSelectionAction_->setEnabled(!selection().isNull());
    wholeViewAction_->setEnabled(!whole_.empty());
    regionViewAction_->setEnabled(!region_.empty());
    regionDock_->setSelection(selection());
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

void MainWindow::applySettingsToBatchQueue() {
    if (!batchQueue_ || batchQueue_->runState() != BatchQueue::RunState::Idle)
        return; // a running batch keeps the settings it started with
    BatchQueue::Options o = batchQueue_->options();
    o.load = settings_.loadOptions();        // device and precision
    o.request = settings_.requestTemplate(); // tile, memory, colour fix, metadata, quality
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

void MainWindow::closeEvent(QCloseEvent* event) {
    if (isBusy() || saver_->isBusy()) {
        // Close once the engine has stopped and every save has finished (see closeIfPending), so
        // that the GUI thread never blocks on them.
        closePending_ = true;
        if (isBusy()) {
            runs_->cancel();
            updateActions();
        }
        statusBar()->showMessage(tr("Stopping before closing…"));
        event->ignore();
        return;
    }
    QSettings stored;
    stored.setValue(kGeometryKey, saveGeometry());
    stored.setValue(kWindowStateKey, saveState());
    persistToolbarState();
    event->accept();
}

} // namespace shiftsr::gui
