// BatchQueue: the batch window: inputs, options, the items' table, drops, the run's buttons and
// its summary; plans and runs go through BatchRun.
#include "shiftsr/gui/batch_queue.h"

#include "batch_options_box.h"
#include "batch_run.h"
#include "batch_table_model.h"
#include "batch_worker.h"
#include "shiftsr/engine/batch_plan.h"
#include "shiftsr/engine/image_io.h"
#include "shiftsr/gui/model_registry.h"
#include "window_placement.h"

#include <QAction>
#include <QDesktopServices>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLabel>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QShowEvent>
#include <QStandardPaths>
#include <QTableView>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <cctype>
#include <string>

namespace shiftsr::gui {

namespace {

constexpr int kPlanDelayMs = 200; // typing a pattern re-plans once, not per key
constexpr int kProgressScale = 1000;

QString defaultOutputFolder() {
    QString base = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    if (base.isEmpty())
        base = QStandardPaths::writableLocation(QStandardPaths::HomeLocation);
    return QDir(base).absoluteFilePath(QStringLiteral("ShiftSR"));
}

QString absoluteClean(const QString& path) {
    return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

bool isFinished(BatchQueue::ItemState state) {
    return state == BatchQueue::ItemState::Done || state == BatchQueue::ItemState::Skipped ||
           state == BatchQueue::ItemState::Failed;
}

} // namespace

BatchQueue::BatchQueue(ModelRegistry& registry, QWidget* parent)
    : QWidget(parent), registry_(registry), run_(std::make_unique<BatchRun>(registry)) {
    setAcceptDrops(true);
    buildUi();

    planTimer_ = new QTimer(this);
    planTimer_->setSingleShot(true);
    planTimer_->setInterval(kPlanDelayMs);
    connect(planTimer_, &QTimer::timeout, this, &BatchQueue::requestPlan);

    connect(run_.get(), &BatchRun::planned, this, &BatchQueue::onPlanned);
    connect(run_.get(), &BatchRun::stateChanged, this, &BatchQueue::onRunStateChanged);
    connect(run_.get(), &BatchRun::itemChanged, this,
            [this](int row) { itemsModel_->setItem(row, run_->items()[row]); });
    connect(run_.get(), &BatchRun::itemStarted, this, &BatchQueue::onItemStarted);
    connect(run_.get(), &BatchRun::progressChanged, this, &BatchQueue::updateSummary);
    connect(run_.get(), &BatchRun::itemFinished, this, &BatchQueue::onItemFinished);
    connect(run_.get(), &BatchRun::runFailed, this, &BatchQueue::onRunFailed);
    connect(run_.get(), &BatchRun::finished, this, &BatchQueue::batchFinished);

    loadSettings();
    updateActions();
    updateSummary();
}

// run_ goes first: it cancels a run in flight and waits for the worker.
BatchQueue::~BatchQueue() = default;

BatchQueue::RunState BatchQueue::runState() const {
    return run_->state();
}

int BatchQueue::itemCount() const {
    return int(run_->items().size());
}

const BatchQueue::Item& BatchQueue::item(int row) const {
    return run_->items()[row];
}

double BatchQueue::overallProgress() const {
    return run_->estimate().fraction;
}

BatchWorker* BatchQueue::workerForTests() const {
    return run_->worker();
}

// ---------------------------------------------------------------------------------------------
// Widgets

void BatchQueue::buildUi() {
    setWindowTitle(tr("Batch Upscale"));
    addFiles_ = new QPushButton(tr("Add &Files…"), this);
    addFolder_ = new QPushButton(tr("Add F&older…"), this);
    remove_ = new QPushButton(tr("Re&move"), this);
    remove_->setToolTip(tr("Leave the selected images out of the batch"));
    clear_ = new QPushButton(tr("C&lear"), this);
    auto* inputRow = new QHBoxLayout;
    inputRow->addWidget(addFiles_);
    inputRow->addWidget(addFolder_);
    inputRow->addWidget(remove_);
    inputRow->addWidget(clear_);
    inputRow->addStretch(1);

    optionsBox_ = new BatchOptionsBox(registry_, this);

    itemsModel_ = new BatchTableModel(this);
    table_ = new QTableView(this);
    table_->setObjectName(QStringLiteral("items"));
    table_->setModel(itemsModel_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setWordWrap(false);
    table_->setTextElideMode(Qt::ElideMiddle);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(InputColumn, QHeaderView::Stretch);
    table_->horizontalHeader()->setSectionResizeMode(OutputColumn, QHeaderView::Stretch);
    table_->horizontalHeader()->setSectionResizeMode(StatusColumn, QHeaderView::Interactive);
    table_->setColumnWidth(StatusColumn, 220);
    table_->setContextMenuPolicy(Qt::ActionsContextMenu);
    openFileAction_ = new QAction(tr("Open File"), table_);
    openFolderAction_ = new QAction(tr("Open Containing Folder"), table_);
    table_->addAction(openFileAction_);
    table_->addAction(openFolderAction_);

    message_ = new QLabel(this);
    message_->setObjectName(QStringLiteral("message"));
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette errorPalette = message_->palette();
    errorPalette.setColor(QPalette::WindowText, QColor(0xc0, 0x1c, 0x28));
    message_->setPalette(errorPalette);
    message_->hide();

    progress_ = new QProgressBar(this);
    progress_->setRange(0, kProgressScale);
    progress_->setTextVisible(true);
    summary_ = new QLabel(this);
    summary_->setObjectName(QStringLiteral("summary"));

    start_ = new QPushButton(tr("S&tart"), this);
    start_->setObjectName(QStringLiteral("start"));
    pauseResume_ = new QPushButton(tr("&Pause"), this);
    pauseResume_->setObjectName(QStringLiteral("pauseResume"));
    cancel_ = new QPushButton(tr("&Cancel"), this);
    cancel_->setObjectName(QStringLiteral("cancel"));
    openFile_ = new QPushButton(tr("Open F&ile"), this);
    openFolder_ = new QPushButton(tr("Open Fol&der"), this);
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(start_);
    runRow->addWidget(pauseResume_);
    runRow->addWidget(cancel_);
    runRow->addStretch(1);
    runRow->addWidget(openFile_);
    runRow->addWidget(openFolder_);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(inputRow);
    layout->addWidget(optionsBox_);
    layout->addWidget(table_, 1);
    layout->addWidget(message_);
    layout->addWidget(progress_);
    layout->addWidget(summary_);
    layout->addLayout(runRow);

    connect(addFiles_, &QPushButton::clicked, this, &BatchQueue::chooseFiles);
    connect(addFolder_, &QPushButton::clicked, this, &BatchQueue::chooseFolder);
    connect(remove_, &QPushButton::clicked, this, &BatchQueue::removeSelectedItems);
    connect(clear_, &QPushButton::clicked, this, &BatchQueue::clearInputs);
    connect(optionsBox_, &BatchOptionsBox::edited, this, &BatchQueue::optionsEdited);
    connect(start_, &QPushButton::clicked, this, &BatchQueue::start);
    connect(pauseResume_, &QPushButton::clicked, this, [this] {
        if (runState() == RunState::Running)
            pause();
        else
            resume();
    });
    connect(cancel_, &QPushButton::clicked, this, &BatchQueue::cancel);
    connect(openFile_, &QPushButton::clicked, this, &BatchQueue::openSelectedOutput);
    connect(openFolder_, &QPushButton::clicked, this, &BatchQueue::openSelectedFolder);
    connect(openFileAction_, &QAction::triggered, this, &BatchQueue::openSelectedOutput);
    connect(openFolderAction_, &QAction::triggered, this, &BatchQueue::openSelectedFolder);
    connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &BatchQueue::updateActions);
    connect(table_, &QTableView::doubleClicked, this, &BatchQueue::openSelectedOutput);
}

void BatchQueue::loadSettings() {
    Options o;
    static_cast<BatchChoices&>(o) = BatchChoices::load();
    if (o.outputFolder.isEmpty())
        o.outputFolder = defaultOutputFolder();
    if (!optionsBox_->offersModel(o.modelSpec))
        o.modelSpec.clear(); // removed since: the default model, without a message
    o.engine = engine_;
    setOptions(o);
}

void BatchQueue::saveSettings() const {
    static_cast<const BatchChoices&>(options()).save();
}

BatchQueue::Options BatchQueue::options() const {
    Options o;
    static_cast<BatchChoices&>(o) = optionsBox_->choices();
    o.engine = engine_;
    return o;
}

void BatchQueue::setOptions(const Options& o) {
    if (runState() != RunState::Idle)
        return;
    const QString problem = optionsBox_->setChoices(o);
    if (!problem.isEmpty())
        showError(problem);
    engine_ = o.engine;
    optionsEdited();
}

void BatchQueue::optionsEdited() {
    saveSettings();
    schedulePlan();
}

void BatchQueue::chooseFiles() {
    QStringList patterns;
    for (const char* ext : {"jpg", "jpeg", "png", "tif", "tiff", "webp", "bmp"})
        patterns << QStringLiteral("*.%1").arg(QLatin1String(ext));
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Add Images"), QString(),
        tr("Images (%1);;All files (*)").arg(patterns.join(QLatin1Char(' '))));
    addInputs(files);
}

void BatchQueue::chooseFolder() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Add a Folder of Images"));
    if (!folder.isEmpty())
        addInputs({folder});
}

// ---------------------------------------------------------------------------------------------
// Inputs and planning

void BatchQueue::addInputs(const QStringList& paths) {
    if (runState() != RunState::Idle)
        return;
    QStringList missing;
    for (const QString& path : paths) {
        if (path.isEmpty())
            continue;
        const QString clean = absoluteClean(path);
        if (!QFileInfo::exists(clean)) {
            missing << QDir::toNativeSeparators(clean);
            continue;
        }
        excluded_.remove(clean); // added again on purpose
        if (!inputs_.contains(clean))
            inputs_ << clean;
    }
    if (!missing.isEmpty())
        showError(tr("Not found: %1").arg(missing.join(QStringLiteral(", "))));
    else
        clearError();
    schedulePlan();
}

void BatchQueue::removeSelectedItems() {
    if (runState() != RunState::Idle)
        return;
    QSet<int> rows;
    for (const QModelIndex& index : table_->selectionModel()->selectedIndexes())
        rows.insert(index.row());
    if (rows.isEmpty())
        return;
    for (int row : rows) {
        const QString input = item(row).input;
        // A file added by itself leaves the inputs; one found in an added folder is excluded.
        if (!inputs_.removeOne(input))
            excluded_.insert(input);
    }
    requestPlan();
}

void BatchQueue::clearInputs() {
    if (runState() != RunState::Idle)
        return;
    inputs_.clear();
    excluded_.clear();
    clearError();
    requestPlan();
}

void BatchQueue::schedulePlan() {
    if (runState() != RunState::Idle)
        return;
    planTimer_->start();
    updateSummary();
}

BatchPlanRequest BatchQueue::planRequest() const {
    const Options o = options();
    BatchPlanRequest request;
    request.inputs = inputs_;
    request.excluded = excluded_;
    request.outputFolder = o.outputFolder.isEmpty() ? QString() : absoluteClean(o.outputFolder);
    const ModelEntry* e =
        registry_.find(o.modelSpec.isEmpty() ? registry_.defaultSpec() : o.modelSpec);
    request.options = o.settings().batchOptions(e ? e->info : ModelInfo{});
    return request;
}

void BatchQueue::requestPlan() {
    planTimer_->stop();
    if (runState() != RunState::Idle)
        return;
    if (inputs_.isEmpty() || optionsBox_->choices().outputFolder.isEmpty()) {
        BatchPlanResult none;
        if (!inputs_.isEmpty())
            none.error = tr("choose an output folder");
        run_->setPlan(none);
        return;
    }
    run_->plan(planRequest());
    updateSummary();
}

bool BatchQueue::isPlanPending() const {
    return planTimer_->isActive() || run_->isPlanPending();
}

void BatchQueue::onPlanned(const QString& error) {
    planError_ = error.isEmpty() ? QString() : tr("Cannot plan the batch: %1").arg(error);
    if (!planError_.isEmpty())
        showError(planError_);
    else if (runState() == RunState::Idle)
        clearError();

    itemsModel_->setItems(run_->items());
    Q_EMIT planChanged();
    updateActions();
    updateSummary();
}

// ---------------------------------------------------------------------------------------------
// Run control

void BatchQueue::start() {
    if (runState() != RunState::Idle)
        return;
    planTimer_->stop();
    const Options o = options();
    QString problem;
    if (inputs_.isEmpty())
        problem = tr("Add image files or folders first.");
    else if (o.outputFolder.isEmpty())
        problem = tr("Choose an output folder first.");
    const QString spec = o.modelSpec.isEmpty() ? registry_.defaultSpec() : o.modelSpec;
    if (problem.isEmpty() && spec.isEmpty())
        problem = tr("There is no usable model; import one in the model manager.");
    if (!problem.isEmpty()) {
        showError(problem);
        Q_EMIT errorOccurred(problem);
        return;
    }
    clearError();

    UpscaleSettings settings = o.settings();
    settings.modelSpec = spec.toStdString();
    const BatchPlanRequest request = planRequest();

    run_->start(request, settings);
}

void BatchQueue::pause() {
    run_->pause();
}

void BatchQueue::resume() {
    run_->resume();
}

void BatchQueue::cancel() {
    run_->cancel();
}

void BatchQueue::onRunStateChanged(RunState state) {
    updateActions();
    updateSummary();
    Q_EMIT runStateChanged(state);
}

void BatchQueue::onRunFailed(const QString& message) {
    const QString text =
        message.isEmpty() ? planError_ : tr("Cannot start the batch: %1").arg(message);
    if (!text.isEmpty()) {
        showError(text);
        Q_EMIT errorOccurred(text);
    }
}

void BatchQueue::onItemStarted(int row) {
    table_->scrollTo(itemsModel_->index(row, InputColumn));
    updateSummary();
    Q_EMIT itemStarted(row);
}

void BatchQueue::onItemFinished(int row) {
    updateSummary();
    updateActions();
    const Item& finished = item(row);
    Q_EMIT itemFinished(row, finished.input, finished.output, finished.state);
}

// ---------------------------------------------------------------------------------------------
// Display

void BatchQueue::updateSummary() {
    const QList<Item>& items = run_->items();
    const RunState state = runState();
    const int total = int(items.size());
    int finished = 0, failed = 0;
    for (const Item& item : items) {
        finished += isFinished(item.state);
        failed += item.state == ItemState::Failed;
    }
    // Progress, ETA and time come from the engine's batch runner (pixel-weighted; skipped files
    // count toward the progress, not toward the speed; a pause does not count as time).
    const double fraction = run_->estimate().fraction;
    const double eta = run_->estimate().etaSeconds;
    const double seconds = run_->estimate().seconds;
    progress_->setValue(int(std::clamp(fraction, 0.0, 1.0) * kProgressScale));

    QString text;
    switch (state) {
    case RunState::Idle: {
        if (isPlanPending() && !inputs_.isEmpty())
            text = tr("Planning…");
        else if (total == 0)
            text = tr("Add image files or folders, or drop them here.");
        else if (finished == 0 && std::none_of(items.cbegin(), items.cend(), [](const Item& i) {
                     return i.state == ItemState::Cancelled;
                 }))
            text = tr("%n image(s) planned.", "", total);
        else {
            int done = 0, skipped = 0, cancelled = 0;
            for (const Item& item : items) {
                done += item.state == ItemState::Done;
                skipped += item.state == ItemState::Skipped;
                cancelled += item.state == ItemState::Cancelled;
            }
            text = tr("%1 done, %2 skipped, %3 failed, %4 cancelled in %5.")
                       .arg(done)
                       .arg(skipped)
                       .arg(failed)
                       .arg(cancelled)
                       .arg(QString::fromStdString(formatDuration(seconds)));
        }
        break;
    }
    case RunState::Running:
        if (total == 0)
            text = tr("Planning and loading the model…");
        else if (eta >= 0)
            text = tr("%1 of %2 images finished, %3 failed; about %4 left.")
                       .arg(finished)
                       .arg(total)
                       .arg(failed)
                       .arg(QString::fromStdString(formatDuration(eta)));
        else
            text = tr("%1 of %2 images finished, %3 failed.").arg(finished).arg(total).arg(failed);
        break;
    case RunState::Pausing:
        text = tr("Pausing after the current image…");
        break;
    case RunState::Paused:
        text = tr("Paused after %1 of %2 images.").arg(finished).arg(total);
        break;
    case RunState::Cancelling:
        text = tr("Cancelling…");
        break;
    }
    summary_->setText(text);
    if (state != RunState::Idle)
        Q_EMIT progressChanged(fraction, eta);
}

void BatchQueue::updateActions() {
    const RunState state = runState();
    const bool idle = state == RunState::Idle;
    const QModelIndexList selected = table_->selectionModel()->selectedIndexes();
    const bool hasSelection = !selected.isEmpty();
    optionsBox_->setEnabled(idle);
    addFiles_->setEnabled(idle);
    addFolder_->setEnabled(idle);
    remove_->setEnabled(idle && hasSelection);
    clear_->setEnabled(idle && !inputs_.isEmpty());
    start_->setEnabled(idle && !inputs_.isEmpty() && planError_.isEmpty());
    pauseResume_->setText(state == RunState::Running || idle ? tr("&Pause") : tr("&Resume"));
    pauseResume_->setEnabled(state == RunState::Running || state == RunState::Pausing ||
                             state == RunState::Paused);
    cancel_->setEnabled(state == RunState::Running || state == RunState::Pausing ||
                        state == RunState::Paused);
    bool outputExists = false;
    if (hasSelection) {
        const int row = selected.front().row();
        outputExists = row < itemCount() && QFileInfo::exists(item(row).output);
    }
    openFile_->setEnabled(outputExists);
    openFolder_->setEnabled(hasSelection);
    openFileAction_->setEnabled(outputExists);
    openFolderAction_->setEnabled(hasSelection);
}

void BatchQueue::showError(const QString& message) {
    message_->setText(message);
    message_->show();
}

void BatchQueue::clearError() {
    message_->clear();
    message_->hide();
}

// ---------------------------------------------------------------------------------------------
// Results and drops

void BatchQueue::openSelectedOutput() {
    const QModelIndexList selected = table_->selectionModel()->selectedIndexes();
    if (selected.isEmpty())
        return;
    const QString output = item(selected.front().row()).output;
    if (!QFileInfo::exists(output))
        return;
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(output)))
        showError(tr("Could not open %1.").arg(QDir::toNativeSeparators(output)));
}

void BatchQueue::openSelectedFolder() {
    const QModelIndexList selected = table_->selectionModel()->selectedIndexes();
    if (selected.isEmpty())
        return;
    QString folder = QFileInfo(item(selected.front().row()).output).absolutePath();
    if (!QFileInfo(folder).isDir())
        folder = absoluteClean(options().outputFolder);
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(folder)))
        showError(
            tr("Could not open %1 in the file manager.").arg(QDir::toNativeSeparators(folder)));
}

void BatchQueue::showEvent(QShowEvent* event) {
    if (!placed_ && isWindow() && parentWidget() && !event->spontaneous()) {
        placed_ = true;
        centerOverWindow(this, parentWidget());
    }
    QWidget::showEvent(event);
}

void BatchQueue::keyPressEvent(QKeyEvent* event) {
    if (isWindow() && event->key() == Qt::Key_Escape && event->modifiers() == Qt::NoModifier) {
        close();
        return;
    }
    QWidget::keyPressEvent(event);
}

void BatchQueue::dragEnterEvent(QDragEnterEvent* event) {
    if (runState() != RunState::Idle || !event->mimeData()->hasUrls())
        return;
    const QList<QUrl> urls = event->mimeData()->urls();
    if (std::any_of(urls.cbegin(), urls.cend(), [](const QUrl& url) { return url.isLocalFile(); }))
        event->acceptProposedAction();
}

void BatchQueue::dropEvent(QDropEvent* event) {
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile())
            paths << url.toLocalFile();
    if (paths.isEmpty() || runState() != RunState::Idle)
        return;
    addInputs(paths);
    event->acceptProposedAction();
}

} // namespace shiftsr::gui
