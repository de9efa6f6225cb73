// BatchQueue: the batch window: inputs, options, the items' table, drops, the run's buttons and
// its summary; plans and runs go through BatchRun.
#include "shiftsr/gui/batch_queue.h"

#include "batch_run.h"
#include "batch_table_model.h"
#include "batch_worker.h"
#include "shiftsr/engine/batch_plan.h"
#include "shiftsr/engine/image_io.h"
#include "shiftsr/gui/model_registry.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>
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
constexpr int kMaxSteps = 1000;

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
    updatingWidgets_ = true; // until the stored options are in the widgets (setOptions ends it)

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

    refillModels();
    loadSettings();
    connect(&registry_, &ModelRegistry::modelsChanged, this, &BatchQueue::refillModels);
    connect(&registry_, &ModelRegistry::defaultChanged, this, &BatchQueue::refillModels);
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
    remove_ = new QPushButton(tr("&Remove"), this);
    remove_->setToolTip(tr("Leave the selected images out of the batch"));
    clear_ = new QPushButton(tr("C&lear"), this);
    auto* inputRow = new QHBoxLayout;
    inputRow->addWidget(addFiles_);
    inputRow->addWidget(addFolder_);
    inputRow->addWidget(remove_);
    inputRow->addWidget(clear_);
    inputRow->addStretch(1);

    auto* options = new QGroupBox(tr("Options"), this);
    optionsBox_ = options;
    model_ = new QComboBox(options);
    model_->setObjectName(QStringLiteral("model"));
    steps_ = new QSpinBox(options);
    steps_->setObjectName(QStringLiteral("steps"));
    steps_->setRange(0, kMaxSteps);
    steps_->setSpecialValueText(tr("Model default"));
    steps_->setToolTip(tr("Sampling steps; 1 runs a single network call"));
    seed_ = new QLineEdit(options);
    seed_->setObjectName(QStringLiteral("seed"));
    seed_->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,18}")), seed_));
    seed_->setPlaceholderText(QString::number(Options().seed));
    seed_->setToolTip(tr("Noise seed: the same seed gives the same result"));
    outputFolder_ = new QLineEdit(options);
    outputFolder_->setObjectName(QStringLiteral("outputFolder"));
    outputBrowse_ = new QPushButton(tr("&Browse…"), options);
    pattern_ = new QLineEdit(options);
    pattern_->setObjectName(QStringLiteral("pattern"));
    pattern_->setPlaceholderText(Options().namePattern);
    pattern_->setToolTip(tr("Output file name; tokens: %1")
                             .arg(QStringLiteral("{name} {ext} {scale} {steps} {model} {seed}")));
    format_ = new QComboBox(options);
    format_->setObjectName(QStringLiteral("format"));
    format_->addItem(tr("Same as input"), QStringLiteral("keep"));
    format_->addItem(tr("PNG"), QStringLiteral("png"));
    format_->addItem(tr("JPEG"), QStringLiteral("jpg"));
    format_->addItem(tr("TIFF"), QStringLiteral("tif"));
    format_->addItem(tr("WebP"), QStringLiteral("webp"));
    format_->addItem(tr("BMP"), QStringLiteral("bmp"));
    skipExisting_ = new QCheckBox(tr("&Skip images whose output exists"), options);
    skipExisting_->setObjectName(QStringLiteral("skipExisting"));
    recursive_ = new QCheckBox(tr("Include &subfolders"), options);
    recursive_->setObjectName(QStringLiteral("recursive"));

    auto* grid = new QGridLayout(options);
    grid->addWidget(new QLabel(tr("Model:"), options), 0, 0);
    grid->addWidget(model_, 0, 1, 1, 3);
    grid->addWidget(new QLabel(tr("Steps:"), options), 0, 4);
    grid->addWidget(steps_, 0, 5);
    grid->addWidget(new QLabel(tr("Seed:"), options), 0, 6);
    grid->addWidget(seed_, 0, 7);
    grid->addWidget(new QLabel(tr("Output folder:"), options), 1, 0);
    grid->addWidget(outputFolder_, 1, 1, 1, 6);
    grid->addWidget(outputBrowse_, 1, 7);
    grid->addWidget(new QLabel(tr("File name:"), options), 2, 0);
    grid->addWidget(pattern_, 2, 1, 1, 3);
    grid->addWidget(new QLabel(tr("Format:"), options), 2, 4);
    grid->addWidget(format_, 2, 5, 1, 3);
    grid->addWidget(skipExisting_, 3, 1, 1, 3);
    grid->addWidget(recursive_, 3, 4, 1, 4);
    grid->setColumnStretch(1, 1);

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
    openFile_ = new QPushButton(tr("Open &File"), this);
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
    layout->addWidget(options);
    layout->addWidget(table_, 1);
    layout->addWidget(message_);
    layout->addWidget(progress_);
    layout->addWidget(summary_);
    layout->addLayout(runRow);

    connect(addFiles_, &QPushButton::clicked, this, &BatchQueue::chooseFiles);
    connect(addFolder_, &QPushButton::clicked, this, &BatchQueue::chooseFolder);
    connect(remove_, &QPushButton::clicked, this, &BatchQueue::removeSelectedItems);
    connect(clear_, &QPushButton::clicked, this, &BatchQueue::clearInputs);
    connect(outputBrowse_, &QPushButton::clicked, this, &BatchQueue::chooseOutputFolder);
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

    connect(model_, &QComboBox::currentIndexChanged, this, &BatchQueue::optionsEdited);
    connect(steps_, &QSpinBox::valueChanged, this, &BatchQueue::optionsEdited);
    connect(seed_, &QLineEdit::textChanged, this, &BatchQueue::optionsEdited);
    connect(outputFolder_, &QLineEdit::textChanged, this, &BatchQueue::optionsEdited);
    connect(pattern_, &QLineEdit::textChanged, this, &BatchQueue::optionsEdited);
    connect(format_, &QComboBox::currentIndexChanged, this, &BatchQueue::optionsEdited);
    connect(skipExisting_, &QCheckBox::toggled, this, &BatchQueue::optionsEdited);
    connect(recursive_, &QCheckBox::toggled, this, &BatchQueue::optionsEdited);
}

void BatchQueue::refillModels() {
    const QString keep = model_->currentData().toString();
    const QString defaultSpec = registry_.defaultSpec();
    {
        const QSignalBlocker blocker(model_);
        model_->clear();
        for (const ModelEntry& e : registry_.models()) {
            if (!e.error.isEmpty()) // unusable packages are listed in the model manager only
                continue;
            model_->addItem(e.spec == defaultSpec ? tr("%1 (default)").arg(e.displayName)
                                                  : e.displayName,
                            e.spec);
            model_->setItemData(model_->count() - 1,
                                e.embedded ? e.description : QDir::toNativeSeparators(e.spec),
                                Qt::ToolTipRole);
        }
        int index = model_->findData(keep);
        if (index < 0)
            index = model_->findData(defaultSpec);
        model_->setCurrentIndex(index);
    }
    if (model_->currentData().toString() != keep)
        optionsEdited(); // tokens such as {model} and {steps} follow the model
}

void BatchQueue::loadSettings() {
    Options o;
    static_cast<BatchChoices&>(o) = BatchChoices::load();
    if (o.outputFolder.isEmpty())
        o.outputFolder = defaultOutputFolder();
    if (model_->findData(o.modelSpec) < 0)
        o.modelSpec.clear(); // removed since: the default model, without a message
    o.engine = engine_;
    setOptions(o);
}

void BatchQueue::saveSettings() const {
    static_cast<const BatchChoices&>(options()).save();
}

BatchQueue::Options BatchQueue::options() const {
    Options o;
    o.modelSpec = model_->currentData().toString();
    o.steps = steps_->value();
    bool ok = false;
    const quint64 seed = seed_->text().toULongLong(&ok);
    if (ok)
        o.seed = seed;
    o.outputFolder = outputFolder_->text().trimmed();
    if (!pattern_->text().trimmed().isEmpty())
        o.namePattern = pattern_->text().trimmed();
    o.format = format_->currentData().toString();
    o.skipExisting = skipExisting_->isChecked();
    o.recursive = recursive_->isChecked();
    o.engine = engine_;
    return o;
}

void BatchQueue::setOptions(const Options& o) {
    if (runState() != RunState::Idle)
        return;
    updatingWidgets_ = true;
    if (!o.modelSpec.isEmpty()) {
        const int index = model_->findData(o.modelSpec);
        if (index >= 0)
            model_->setCurrentIndex(index);
        else
            showError(tr("The model %1 is not available; the batch uses %2.")
                          .arg(o.modelSpec, model_->currentText()));
    }
    steps_->setValue(std::clamp(o.steps, 0, kMaxSteps));
    seed_->setText(QString::number(o.seed));
    outputFolder_->setText(QDir::toNativeSeparators(o.outputFolder));
    pattern_->setText(o.namePattern);
    const int format = format_->findData(o.format);
    format_->setCurrentIndex(format >= 0 ? format : 0);
    skipExisting_->setChecked(o.skipExisting);
    recursive_->setChecked(o.recursive);
    engine_ = o.engine;
    updatingWidgets_ = false;
    optionsEdited();
}

void BatchQueue::optionsEdited() {
    if (updatingWidgets_)
        return;
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

void BatchQueue::chooseOutputFolder() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Choose the Output Folder"),
                                                             outputFolder_->text());
    if (!folder.isEmpty())
        outputFolder_->setText(QDir::toNativeSeparators(folder));
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
    if (inputs_.isEmpty() || outputFolder_->text().trimmed().isEmpty()) {
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
