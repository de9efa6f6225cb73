// MainWindow: opening an image, the panes of the CompareView (whole image and region results),
// runs through the RunController, saving through the ResultSaver, closing; the actions, menus,
// toolbar and status bar are set up in main_window_actions.cpp.
#include "shiftsr/gui/main_window.h"

#include "region_preview_dock.h"
#include "region_selector.h"
#include "result_saver.h"

#include "shiftsr/gui/model_registry.h"
#include "shiftsr/ui/compare_view.h"

#include <QAction>
#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QThread>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <limits>

namespace shiftsr::gui {

namespace {

constexpr char kGeometryKey[] = "main/geometry";
constexpr char kWindowStateKey[] = "main/windowState";

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
    connect(selector_, &RegionSelector::paneClicked, this, &MainWindow::onPaneClicked);

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
    announceDistilRuns();
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

// ----------------------------------------------------------------------------------- accessors

QString MainWindow::modelName(const QString& spec) const {
    const ModelEntry* e = registry_->find(spec);
    return e ? e->displayName : QFileInfo(spec).fileName();
}

QList<QPair<QString, int>> MainWindow::regionModels() const {
    return regionDock_->checkedModels();
}

QSize MainWindow::inputSize() const {
    return input_.isNull() ? QSize() : QSize(input_.color.cols, input_.color.rows);
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
        pendingComparison_.reset(); // its photo cannot be shown
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
    startPendingComparison();
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
    // Save defaults to the result of the model the toolbar shows as the run starts.
    set.toolbarSpec = modelSpec();
    const ModelEntry* e = registry_->find(set.toolbarSpec);
    set.toolbarSteps = (steps() > 0 || !e) ? steps() : e->info.steps;
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
        return tr("%1\n%n step(s) · %2 · run memory %3", nullptr, r.report.steps)
            .arg(slot.label, formatSeconds(r.report.times.total),
                 formatMemory(r.report.runPeakBytes()));
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
    const PaneSet& set = paneSet(view);
    if (set.empty()) {
        selector_->setInput(-1, inputSize());
        updateActions();
        return;
    }
    const bool bicubic = scaling_ == InputScaling::Bicubic && !set.bicubic.isNull();
    // Zoom is relative to the result's pixels from the start: 1:1 means the same before and after.
    view_->setNominalReferenceSize(set.display.size() * scaleFactor());
    view_->addPane(bicubic ? set.bicubic : set.display, inputLabel(set));
    for (const ResultSlot& slot : set.results)
        view_->addPane(slot.result ? slot.result->display : QImage(), resultLabel(slot));
    view_->setSplitPanes(set.splitA, set.splitB);
    view_->fitToWindow();
    selector_->setInput(view == View::WholeImage ? 0 : -1, inputSize());
    updateZoomLabel();
    syncActivePane();
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
    syncActivePane(); // a result arrived: it may be the default one to save
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
    const UpscaleSettings settings = settings_.upscaleSettings();
    job.load = settings.loadOptions();
    job.request = settings.request();
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
    // The figures of the last run would read as this one's: they come back with its results.
    for (QLabel* l : {deviceLabel_, timeLabel_, memoryLabel_})
        l->clear();
    runJob_ = -1;
    runStage_.clear();
    updateRunStatus();
    runTimer_->start();
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
    if (teacher.isEmpty()) {
        statusBar()->showMessage(tr("Compare needs a multi-step model, and none is installed."));
        return;
    }
    startComparison(teacher, registry_->preferredSpec(true), selection());
}

void MainWindow::startComparison(const QString& teacher, const QString& student,
                                 const QRect& region) {
    const ModelEntry* t = registry_->find(teacher);
    if (!t || !t->error.isEmpty()) {
        statusBar()->showMessage(tr("Cannot compare: %1 is not a usable model.").arg(teacher));
        return;
    }
    const int T = t->info.trainedSteps;
    PaneSet set = makePaneSet(region);
    QList<EngineJob> jobs;
    jobs.append(makeJob(teacher, T, modelName(teacher), set));
    QString note;
    if (!student.isEmpty()) {
        jobs.append(makeJob(student, 1, modelName(student), set));
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
    // The toolbar's model joins as a third pane when it is neither of the two (a GAN upscaler, a
    // second one-step family): "is diffusion better than what I use now?" in one view.
    const QString chosen = modelSpec();
    const ModelEntry* c = registry_->find(chosen);
    if (c && c->error.isEmpty() && chosen != teacher && chosen != student) {
        jobs.append(makeJob(chosen, steps(), modelName(chosen), set));
        const QString third =
            tr("Third pane: %1, the model chosen on the toolbar.").arg(modelName(chosen));
        note = note.isEmpty() ? third : note + QLatin1Char(' ') + third;
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
    if (regionModels().isEmpty()) {
        statusBar()->showMessage(tr("Check at least one model in the Region Preview panel."));
        return;
    }
    if (qint64(region.width()) * region.height() <= kLargeRegionPixels) {
        runRegionPreview(region);
        return;
    }
    const QSize whole = inputSize();
    auto* box = new QMessageBox(
        QMessageBox::Question, tr("Preview Region"),
        tr("The region is %1 × %2 pixels, %3 % of the image: previewing it takes about as long as "
           "upscaling that much of the image with every checked model.")
            .arg(region.width())
            .arg(region.height())
            .arg(qRound(100.0 * region.width() * region.height() /
                        std::max<qint64>(1, qint64(whole.width()) * whole.height()))),
        QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("largeRegionQuestion"));
    box->setInformativeText(tr("Select a smaller region (Shift+drag) for a quick look."));
    QPushButton* run = box->addButton(tr("&Preview Anyway"), QMessageBox::AcceptRole);
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box, run, region] {
        if (box->clickedButton() == run && !isBusy() && !input_.isNull())
            runRegionPreview(region);
    });
    box->open();
}

void MainWindow::runRegionPreview(const QRect& region) {
    const auto models = regionModels();
    if (models.isEmpty())
        return;
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
    updateRunStatus();
}

void MainWindow::onRunProgress(double fraction, int job, const QString& stage) {
    progress_->setValue(int(kProgressScale * fraction));
    runJob_ = job;
    runStage_ = stage;
    updateRunStatus();
}

void MainWindow::updateRunStatus() {
    if (!isBusy())
        return;
    const RunController::RunRecord run = runs_->lastRun();
    if (runs_->isCancelling()) {
        statusBar()->showMessage(tr("Cancelling…"));
        return;
    }
    timeLabel_->setText(run.etaSeconds >= 0 ? tr("Elapsed %1 · about %2 left")
                                                  .arg(formatSeconds(run.wallSeconds),
                                                       formatSeconds(run.etaSeconds))
                                            : tr("Elapsed %1").arg(formatSeconds(run.wallSeconds)));
    QString line;
    if (runJob_ < 0)
        line = runNote_.isEmpty() ? tr("Starting…") : runNote_;
    else
        line = tr("%1 (%2 of %3): %4 · %5 %")
                   .arg(run.jobs.value(runJob_).label, QString::number(runJob_ + 1),
                        QString::number(run.jobs.size()), runStage_,
                        QString::number(int(100 * run.fraction)));
    statusBar()->showMessage(line);
}

void MainWindow::onRunResult(int slot, const EngineJobResult& result) {
    PaneSet& set = paneSet(runView_);
    if (set.run != runs_->currentRun() || slot < 0 || slot >= set.results.size())
        return; // the set was replaced (a new input) while the run was being cancelled
    set.results[slot].result = result;
    refreshPane(runView_, slot);
    const UpscaleReport& r = result.report;
    // The engine's description is for files and logs; the window says it in the user's language.
    const QString device = QString::fromStdString(r.device);
    deviceLabel_->setText(device.startsWith(QLatin1String("CPU"))
                              ? tr("Device: CPU, %n thread(s)", nullptr, r.threads)
                              : tr("Device: %1").arg(device));
    timeLabel_->setText(tr("Time: %1").arg(formatSeconds(r.times.total)));
    memoryLabel_->setText(tr("Run memory: %1").arg(formatMemory(r.runPeakBytes())));
    memoryLabel_->setToolTip(
        tr("Peak memory this run needed above the %1 ShiftSR held when it started (peak of the "
           "process during the run: %2)")
            .arg(formatMemory(r.startRssBytes), formatMemory(r.peakRssBytes)));
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
    runTimer_->stop();
    const RunController::RunRecord run = runs_->lastRun();
    const bool anyResult = std::any_of(run.jobs.begin(), run.jobs.end(), [](const auto& j) {
        return j.state == RunController::JobState::Done;
    });
    if (cancelled)
        timeLabel_->setText(tr("Cancelled after %1").arg(formatSeconds(run.wallSeconds)));
    else if (!anyResult) // the elapsed time of a run that produced nothing
        timeLabel_->clear();
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
    startPendingComparison(); // compareModels waited for a cancelled run to end
    closeIfPending();
}

void MainWindow::closeIfPending() {
    if (closePending_ && !isBusy() && !saver_->isBusy())
        close();
}

// ------------------------------------------------------------------------------------- saving

int MainWindow::activeSlot(const PaneSet& set) const {
    const auto done = [&set](int i) {
        return i >= 0 && i < set.results.size() && set.results[i].result.has_value();
    };
    if (done(set.activePane - 1))
        return set.activePane - 1;
    // Compare runs the toolbar's model beside another one: the toolbar's is the one meant, at its
    // steps when both results come from one model (a teacher at full and at one step).
    int first = -1, model = -1, exact = -1;
    for (int i = 0; i < set.results.size(); ++i) {
        if (!done(i))
            continue;
        const EngineJobResult& r = *set.results[i].result;
        if (first < 0)
            first = i;
        if (r.modelSpec != set.toolbarSpec)
            continue;
        if (model < 0)
            model = i;
        if (exact < 0 && r.report.steps == set.toolbarSteps)
            exact = i;
    }
    return exact >= 0 ? exact : model >= 0 ? model : first;
}

const MainWindow::ResultSlot* MainWindow::activeResult(View* view, int* slot) const {
    const PaneSet& set = shown_ == View::WholeImage ? whole_ : region_;
    const int i = activeSlot(set);
    if (i < 0)
        return nullptr;
    if (view)
        *view = shown_;
    if (slot)
        *slot = i;
    return &set.results[i];
}

void MainWindow::syncActivePane() {
    const int slot = activeSlot(paneSet(shown_));
    view_->setActivePane(slot >= 0 ? slot + 1 : -1); // pane 0 is the input
}

void MainWindow::onPaneClicked(int pane) {
    PaneSet& set = paneSet(shown_);
    // The input pane and a result still running (or failed) leave the choice as it is.
    if (pane < 1 || pane > set.results.size() || !set.results[pane - 1].result)
        return;
    set.activePane = pane;
    syncActivePane();
    updateActions();
}

bool MainWindow::chooseSaveOptions(SaveOptionsDialog::Purpose purpose) {
    SaveOptionsDialog dialog(settings(), purpose, saver_->inputExtension(), this);
    if (const ResultSlot* slot = activeResult())
        dialog.setResult(slot->label,
                         [saver = saver_, result = *slot->result](const AppSettings& s) {
                             return saver->defaultPath(result, s);
                         });
    if (dialog.exec() != QDialog::Accepted)
        return false;
    settings_ = dialog.settings(); // made of settings(): the toolbar's choices are in it
    settings_.save();
    updateActions();
    return true;
}

// Where and how Save writes, so that Ctrl+S holds no surprise.
void MainWindow::updateSaveAction() {
    const QString summary = SaveOptionsDialog::summary(settings_, saver_->inputExtension());
    saveAction_->setStatusTip(summary);
    saveAction_->setToolTip(
        tr("%1 (%2)").arg(summary, saveAction_->shortcut().toString(QKeySequence::NativeText)));
}

void MainWindow::showSaveOptions() {
    chooseSaveOptions(SaveOptionsDialog::Purpose::Edit);
}

void MainWindow::save() {
    if (!activeResult())
        return;
    if ((!settings_.saveOptionsChosen || settings_.askOnSave) &&
        !chooseSaveOptions(SaveOptionsDialog::Purpose::Save))
        return;
    View view = View::WholeImage;
    int index = -1;
    const ResultSlot* slot = activeResult(&view, &index); // again: results may arrive meanwhile
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
    // The job's label is the first line of its pane's label.
    savingLabels_.insert(absolute, slot->label);
    statusBar()->showMessage(
        tr("Saving %1 to %2…").arg(slot->label, QDir::toNativeSeparators(absolute)));
    updateActions();
}

void MainWindow::onSaved(const QString& path, const QStringList& warnings) {
    const QString shown = QDir::toNativeSeparators(path);
    const QString label = savingLabels_.take(path);
    if (warnings.isEmpty())
        statusBar()->showMessage(tr("Saved %1 to %2").arg(label, shown), 8000);
    else
        statusBar()->showMessage(
            tr("Saved %1 to %2 (%3)").arg(label, shown, warnings.join(QStringLiteral("; "))));
    Q_EMIT saved(path);
    closeIfPending();
}

void MainWindow::onSaveFailed(const QString& path, const QString& error) {
    savingLabels_.remove(path);
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

QRect MainWindow::visibleInputArea() const {
    if (shown_ == View::WholeImage)
        return selector_->visibleArea();
    // The region view: the visible part of the crop (pane 0), moved to where the crop lies.
    if (region_.empty())
        return {};
    return RegionSelector::visibleImageArea(*view_, 0, region_.region.size())
        .translated(region_.region.topLeft());
}

void MainWindow::useVisibleArea() {
    const QRect area = visibleInputArea();
    if (area.isEmpty())
        return;
    if (shown_ != View::WholeImage)
        setView(View::WholeImage); // a selection is drawn and edited on the whole input
    selector_->setSelection(area);
    const QSize whole = inputSize();
    statusBar()->showMessage(tr("Selected the visible area: %1 × %2 of %3 × %4 pixels.")
                                 .arg(area.width())
                                 .arg(area.height())
                                 .arg(whole.width())
                                 .arg(whole.height()));
}

void MainWindow::clearSelection() {
    selector_->clear();
}

// ------------------------------------------------------------------------------------- closing

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!askAboutTraining()) {
        event->ignore();
        return;
    }
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
