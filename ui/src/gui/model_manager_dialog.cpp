// ModelManagerDialog: model table, details with provenance, import in a worker thread, removal,
// default, model folder.
#include "shiftsr/gui/model_manager_dialog.h"

#include "shiftsr/gui/import_checkpoint_dialog.h"
#include "shiftsr/gui/model_details_view.h"
#include "shiftsr/gui/model_registry.h"

#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QSplitter>
#include <QStyle>
#include <QTableWidget>
#include <QThread>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <atomic>
#include <optional>
#include <utility>

namespace shiftsr::gui {

namespace {

constexpr int kSpecRole = Qt::UserRole;
constexpr int kProgressScale = 1000;
constexpr int kLocationWidth = 320; // px; longer paths are elided

QString fromStd(const std::string& s) {
    return QString::fromStdString(s);
}

QString formatCount(std::int64_t n) {
    return QLocale().toString(qlonglong(n));
}

// Folder packages: the size on disk (also for broken files); embedded: the package's size.
qint64 packageBytes(const ModelEntry& e) {
    if (e.embedded)
        return qint64(e.info.fileBytes);
    return QFileInfo(e.spec).size();
}

} // namespace

struct ModelManagerDialog::ImportTask {
    std::atomic<bool> cancel{false};
    QString label;                         // what is imported, for messages
    std::optional<Result<QString>> result; // written by the worker before its thread ends
};

ModelManagerDialog::ModelManagerDialog(ModelRegistry& registry, QWidget* parent)
    : QDialog(parent), registry_(registry) {
    setWindowTitle(tr("Models"));

    folderLabel_ = new QLabel(this);
    folderLabel_->setObjectName(QStringLiteral("folderLabel"));
    folderLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    folderLabel_->setWordWrap(true);
    openFolderButton_ = new QPushButton(tr("&Open Model Folder"), this);
    openFolderButton_->setObjectName(QStringLiteral("openFolderButton"));
    changeFolderButton_ = new QPushButton(tr("C&hange Model Folder…"), this);
    changeFolderButton_->setObjectName(QStringLiteral("changeFolderButton"));
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(folderLabel_, 1);
    folderRow->addWidget(openFolderButton_);
    folderRow->addWidget(changeFolderButton_);

    table_ = new QTableWidget(0, ColumnCount, this);
    table_->setObjectName(QStringLiteral("modelTable"));
    table_->setHorizontalHeaderLabels({tr("Name"), tr("Size"), tr("Family"), tr("Codec"),
                                       tr("Scale"), tr("Default steps"), tr("UNet parameters"),
                                       tr("Codec parameters"), tr("Location"), tr("Status")});
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setWordWrap(false);
    table_->setTextElideMode(Qt::ElideMiddle);
    table_->verticalHeader()->hide();
    // Every column as wide as its contents, kept so when they change (a font, a language, a new
    // row): numbers and sizes are never cut. The location is elided instead; the status stretches.
    QHeaderView* header = table_->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(LocationColumn, QHeaderView::Interactive);
    header->setStretchLastSection(true);

    details_ = new ModelDetailsView(this);
    details_->setObjectName(QStringLiteral("details"));
    auto* detailsScroll = new QScrollArea(this);
    detailsScroll->setWidget(details_);
    detailsScroll->setWidgetResizable(true);
    detailsScroll->setFrameShape(QFrame::NoFrame);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(table_);
    splitter->addWidget(detailsScroll);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setSizes({220, 420}); // a few rows; the details get the room to read

    importBox_ = new QWidget(this);
    importStage_ = new QLabel(importBox_);
    importProgress_ = new QProgressBar(importBox_);
    importProgress_->setRange(0, kProgressScale);
    importCancel_ = new QPushButton(tr("Cancel Import"), importBox_);
    importCancel_->setObjectName(QStringLiteral("importCancelButton"));
    auto* importRow = new QHBoxLayout(importBox_);
    importRow->setContentsMargins(0, 0, 0, 0);
    importRow->addWidget(importStage_);
    importRow->addWidget(importProgress_, 1);
    importRow->addWidget(importCancel_);
    importBox_->hide();

    message_ = new QLabel(this);
    message_->setObjectName(QStringLiteral("message"));
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    message_->hide();

    importButton_ = new QPushButton(tr("&Import Published Weights…"), this);
    importButton_->setObjectName(QStringLiteral("importButton"));
    defaultButton_ = new QPushButton(tr("Set as &Default"), this);
    defaultButton_->setObjectName(QStringLiteral("defaultButton"));
    removeButton_ = new QPushButton(tr("&Remove…"), this);
    removeButton_->setObjectName(QStringLiteral("removeButton"));
    auto* close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto* actionRow = new QHBoxLayout;
    actionRow->addWidget(importButton_);
    actionRow->addWidget(defaultButton_);
    actionRow->addWidget(removeButton_);
    actionRow->addStretch(1);
    actionRow->addWidget(close);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(folderRow);
    layout->addWidget(splitter, 1);
    layout->addWidget(importBox_);
    layout->addWidget(message_);
    layout->addLayout(actionRow);

    connect(openFolderButton_, &QPushButton::clicked, this, &ModelManagerDialog::openModelFolder);
    connect(changeFolderButton_, &QPushButton::clicked, this,
            &ModelManagerDialog::chooseModelFolder);
    connect(importButton_, &QPushButton::clicked, this, &ModelManagerDialog::chooseCheckpointFiles);
    connect(importCancel_, &QPushButton::clicked, this, &ModelManagerDialog::cancelImport);
    connect(defaultButton_, &QPushButton::clicked, this, &ModelManagerDialog::setSelectedAsDefault);
    connect(removeButton_, &QPushButton::clicked, this, &ModelManagerDialog::removeSelected);
    connect(close, &QDialogButtonBox::rejected, this, &ModelManagerDialog::reject);
    connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
        updateDetails();
        updateActions();
    });
    connect(&registry_, &ModelRegistry::modelsChanged, this, &ModelManagerDialog::rebuildTable);
    connect(&registry_, &ModelRegistry::contentHashesReady, this,
            &ModelManagerDialog::updateDetails);
    connect(&registry_, &ModelRegistry::defaultChanged, this, &ModelManagerDialog::rebuildTable);

    rebuildTable();
    resize(960, 700);
}

QSize ModelManagerDialog::fittingSize() const {
    // What every column's contents and header ask for (the location at most what it is given).
    const QAbstractItemView* view = table_;
    int columns = 0;
    for (int column = 0; column < ColumnCount; ++column) {
        const int wanted = std::max(view->sizeHintForColumn(column),
                                    table_->horizontalHeader()->sectionSizeHint(column));
        columns += column == LocationColumn ? std::min(wanted, kLocationWidth) : wanted;
    }
    const QMargins margins = layout()->contentsMargins();
    const int chrome = 2 * table_->frameWidth() +
                       style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, table_) +
                       margins.left() + margins.right();
    int wanted = columns + chrome;
    if (const QScreen* s = screen()) // not wider than the screen
        wanted = std::min(wanted, s->availableGeometry().width() * 95 / 100);
    return {std::max(width(), wanted), height()};
}

void ModelManagerDialog::showEvent(QShowEvent* event) {
    if (!sized_) { // now polished: the fonts are those shown
        sized_ = true;
        resize(fittingSize());
    }
    QDialog::showEvent(event);
}

ModelManagerDialog::~ModelManagerDialog() {
    if (!importThread_)
        return;
    import_->cancel.store(true);
    importThread_->wait();
    delete importThread_;
    // The package may have been written before the cancel was seen: list it, so nothing is hidden.
    disconnect(&registry_, nullptr, this, nullptr);
    if (import_->result && import_->result->isOk())
        registry_.refresh();
}

void ModelManagerDialog::setConfirmFunction(ConfirmFunction confirm) {
    confirm_ = std::move(confirm);
}

QString ModelManagerDialog::selectedSpec() const {
    const QList<QTableWidgetItem*> selected = table_->selectedItems();
    if (selected.isEmpty())
        return {};
    return table_->item(selected.front()->row(), NameColumn)->data(kSpecRole).toString();
}

bool ModelManagerDialog::selectSpec(const QString& spec) {
    const int row = rowOf(spec);
    if (row < 0)
        return false;
    table_->selectRow(row);
    table_->scrollToItem(table_->item(row, NameColumn));
    return true;
}

int ModelManagerDialog::rowOf(const QString& spec) const {
    for (int row = 0; row < table_->rowCount(); ++row)
        if (table_->item(row, NameColumn)->data(kSpecRole).toString() == spec)
            return row;
    return -1;
}

bool ModelManagerDialog::isImporting() const {
    return importThread_ != nullptr;
}

QString ModelManagerDialog::message() const {
    return message_->text();
}

// ---------------------------------------------------------------------------------------------
// Table and details

void ModelManagerDialog::rebuildTable() {
    const QString keep = selectedSpec();
    const QString defaultSpec = registry_.defaultSpec();
    folderLabel_->setText(
        tr("Model folder: %1").arg(QDir::toNativeSeparators(registry_.modelFolder())));

    const QList<ModelEntry>& models = registry_.models();
    const QSignalBlocker blocker(table_); // one details update at the end, not one per row
    table_->clearContents();
    table_->setRowCount(int(models.size()));
    const QIcon warning = style()->standardIcon(QStyle::SP_MessageBoxWarning);
    for (int row = 0; row < models.size(); ++row) {
        const ModelEntry& e = models[row];
        const bool usable = e.error.isEmpty();
        const bool isDefault = e.spec == defaultSpec;
        auto set = [&](int column, const QString& text, bool number = false) {
            auto* item = new QTableWidgetItem(text);
            if (number)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (isDefault) {
                QFont font = item->font();
                font.setBold(true);
                item->setFont(font);
            }
            table_->setItem(row, column, item);
            return item;
        };
        QTableWidgetItem* name = set(NameColumn, e.displayName);
        name->setData(kSpecRole, e.spec);
        name->setToolTip(e.description);
        if (!usable)
            name->setIcon(warning);
        set(FamilyColumn, usable ? familyText(e.info.family) : QString());
        set(CodecColumn, usable ? fromStd(e.info.codec) : QString());
        set(ScaleColumn, usable ? tr("×%1").arg(e.info.scale) : QString(), true);
        set(StepsColumn, usable ? QString::number(e.info.steps) : QString(), true);
        set(UnetParametersColumn, usable ? formatCount(e.info.unetParameters) : QString(), true);
        set(CodecParametersColumn, usable ? formatCount(e.info.codecParameters) : QString(), true);
        set(SizeColumn, QLocale().formattedDataSize(packageBytes(e)), true);
        QTableWidgetItem* location =
            set(LocationColumn, e.embedded ? tr("Embedded") : QDir::toNativeSeparators(e.spec));
        location->setToolTip(e.embedded ? e.spec : QDir::toNativeSeparators(e.spec));
        QString status;
        if (!usable)
            status = tr("Unusable: %1").arg(e.error);
        else if (isDefault)
            status = tr("Default");
        QTableWidgetItem* statusItem = set(StatusColumn, status);
        statusItem->setToolTip(status);
    }
    // Paths can be long: the location gets at most kLocationWidth, elided in the middle.
    table_->resizeColumnToContents(LocationColumn);
    table_->setColumnWidth(LocationColumn,
                           std::min(table_->columnWidth(LocationColumn), kLocationWidth));

    if (!selectSpec(keep) && !selectSpec(defaultSpec) && table_->rowCount() > 0)
        table_->selectRow(0);
    updateDetails();
    updateActions();
}

void ModelManagerDialog::updateDetails() {
    const QString spec = selectedSpec();
    details_->showEntry(registry_.find(spec), !spec.isEmpty() && spec == registry_.defaultSpec());
}

void ModelManagerDialog::updateActions() {
    const ModelEntry* e = registry_.find(selectedSpec());
    const bool busy = isImporting();
    removeButton_->setEnabled(e && !e->embedded);
    removeButton_->setToolTip(
        e && e->embedded ? tr("Embedded models are part of the application and cannot be removed.")
                         : QString());
    defaultButton_->setEnabled(e && e->error.isEmpty() && e->spec != registry_.defaultSpec());
    importButton_->setEnabled(!busy);
    changeFolderButton_->setEnabled(!busy); // the running import writes into the current folder
}

// ---------------------------------------------------------------------------------------------
// Actions

void ModelManagerDialog::chooseCheckpointFiles() {
    ImportCheckpointDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    importCheckpoint(dialog.unetPath(), dialog.autoencoderPath(), dialog.configPath(),
                     dialog.name(), dialog.schedule());
}

void ModelManagerDialog::importCheckpoint(const QString& unet, const QString& autoencoder,
                                          const QString& config, const QString& name,
                                          const QString& schedule) {
    auto refuse = [this](const QString& message) {
        showError(message);
        Q_EMIT importFailed(message);
    };
    if (isImporting())
        return refuse(tr("An import is already running; wait for it or cancel it first."));
    if (!QFileInfo(unet).isFile())
        return refuse(
            tr("The weights file %1 does not exist.").arg(QDir::toNativeSeparators(unet)));
    if (!autoencoder.isEmpty() && !QFileInfo(autoencoder).isFile())
        return refuse(tr("The autoencoder checkpoint %1 does not exist.")
                          .arg(QDir::toNativeSeparators(autoencoder)));
    if (!config.isEmpty() && !QFileInfo(config).isFile())
        return refuse(
            tr("The configuration file %1 does not exist.").arg(QDir::toNativeSeparators(config)));

    ImportOptions options;
    options.inputs.push_back(QFileInfo(unet).absoluteFilePath().toStdString());
    if (!autoencoder.isEmpty())
        options.inputs.push_back(QFileInfo(autoencoder).absoluteFilePath().toStdString());
    options.configJson =
        config.isEmpty() ? std::string() : QFileInfo(config).absoluteFilePath().toStdString();
    options.name = name.trimmed().toStdString();
    options.schedule = schedule.trimmed().toStdString();

    import_ = std::make_shared<ImportTask>();
    import_->label = name.trimmed().isEmpty() ? QFileInfo(unet).fileName() : name.trimmed();
    auto task = import_;
    // The worker only touches the task, the registry's import (documented as worker-safe) and
    // queued calls back to this object; the destructor waits for it, so `this` outlives it.
    importThread_ = QThread::create([this, task, options] {
        JobControl job;
        job.cancel = &task->cancel;
        job.progress = [this](double fraction, const std::string& stage) {
            QMetaObject::invokeMethod(
                this, [this, fraction, key = fromStd(stage)] { showImportProgress(fraction, key); },
                Qt::QueuedConnection);
        };
        task->result = registry_.importWeights(options, job);
    });
    importThread_->setObjectName(QStringLiteral("ModelImport"));
    connect(importThread_, &QThread::finished, this, &ModelManagerDialog::finishImport);

    message_->hide();
    message_->clear();
    importCancel_->setEnabled(true);
    importBox_->show();
    showImportProgress(0.0, {});
    updateActions();
    importThread_->start();
}

void ModelManagerDialog::showImportProgress(double fraction, const QString& stage) {
    if (!import_)
        return;
    QString text;
    if (stage.startsWith(QLatin1String("read ")))
        text = tr("Reading %2 for %1…").arg(QStringLiteral("%1"), stage.mid(5));
    else if (stage == QLatin1String("check") || stage == QLatin1String("hash"))
        text = tr("Checking the weights of %1…");
    else if (stage == QLatin1String("write"))
        text = tr("Writing the package of %1…");
    else
        text = tr("Importing %1…");
    if (import_->cancel.load())
        text = tr("Cancelling the import of %1…");
    importStage_->setText(text.arg(import_->label));
    importProgress_->setValue(int(std::clamp(fraction, 0.0, 1.0) * kProgressScale));
}

void ModelManagerDialog::cancelImport() {
    if (!import_)
        return;
    import_->cancel.store(true);
    importCancel_->setEnabled(false);
    showImportProgress(double(importProgress_->value()) / kProgressScale, {});
}

void ModelManagerDialog::finishImport() {
    QThread* thread = std::exchange(importThread_, nullptr);
    if (!thread)
        return;
    thread->wait();
    delete thread;
    const std::shared_ptr<ImportTask> task = std::exchange(import_, nullptr);
    importBox_->hide();
    updateActions();

    if (!task->result) {
        const QString message = tr("The import of %1 ended without a result.").arg(task->label);
        showError(message);
        Q_EMIT importFailed(message);
        return;
    }
    const Result<QString>& result = *task->result;
    if (result.isOk()) {
        const QString spec = result.value();
        registry_.refresh();
        selectSpec(spec);
        showNotice(tr("Imported %1 as %2.").arg(task->label, QDir::toNativeSeparators(spec)));
        Q_EMIT modelImported(spec);
    } else if (result.status().code() == StatusCode::Cancelled) {
        const QString message =
            tr("The import of %1 was cancelled; nothing was added.").arg(task->label);
        showNotice(message);
        Q_EMIT importFailed(message);
    } else {
        const QString message =
            tr("Could not import %1: %2").arg(task->label, fromStd(result.status().message()));
        showError(message);
        Q_EMIT importFailed(message);
    }
}

void ModelManagerDialog::removeSelected() {
    const ModelEntry* e = registry_.find(selectedSpec());
    if (!e)
        return;
    if (e->embedded) {
        showError(
            tr("%1 is embedded in the application and cannot be removed.").arg(e->displayName));
        return;
    }
    const QString spec = e->spec;
    const QString name = e->displayName;
    if (!confirm(tr("Remove Model"),
                 tr("Delete the model package %1 from the disk? This cannot be undone.")
                     .arg(QDir::toNativeSeparators(spec))))
        return;
    const Status status = registry_.remove(spec);
    if (!status.isOk()) {
        showError(tr("Could not remove %1: %2").arg(name, fromStd(status.message())));
        return;
    }
    showNotice(tr("Removed %1.").arg(name));
}

void ModelManagerDialog::setSelectedAsDefault() {
    const QString spec = selectedSpec();
    if (spec.isEmpty())
        return;
    const Status status = registry_.setDefaultSpec(spec);
    if (!status.isOk()) {
        showError(tr("Could not make this model the default: %1").arg(fromStd(status.message())));
        return;
    }
    if (const ModelEntry* e = registry_.find(spec))
        showNotice(tr("%1 is now the default model.").arg(e->displayName));
}

void ModelManagerDialog::openModelFolder() {
    const QString folder = registry_.modelFolder();
    if (!QDir().mkpath(folder)) {
        showError(tr("Cannot create the model folder %1.").arg(QDir::toNativeSeparators(folder)));
        return;
    }
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(folder)))
        showError(
            tr("Could not open %1 in the file manager.").arg(QDir::toNativeSeparators(folder)));
}

void ModelManagerDialog::chooseModelFolder() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Choose the Model Folder"),
                                                             registry_.modelFolder());
    if (!folder.isEmpty())
        setModelFolder(folder);
}

void ModelManagerDialog::setModelFolder(const QString& folder) {
    if (folder.isEmpty())
        return;
    if (isImporting()) {
        showError(tr("The model folder cannot be changed while an import is running."));
        return;
    }
    const QString path = QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    if (QFileInfo(path).exists() && !QFileInfo(path).isDir()) {
        showError(tr("%1 is not a folder.").arg(QDir::toNativeSeparators(path)));
        return;
    }
    registry_.setModelFolder(path);
    message_->hide();
    message_->clear();
}

void ModelManagerDialog::reject() {
    if (isImporting()) {
        if (!confirm(tr("Import Running"), tr("An import is still running. Cancel it and close?")))
            return;
        cancelImport();
    }
    QDialog::reject();
}

// ---------------------------------------------------------------------------------------------
// Messages

void ModelManagerDialog::showError(const QString& message) {
    QPalette palette = message_->palette();
    palette.setColor(QPalette::WindowText, QColor(0xc0, 0x1c, 0x28));
    message_->setPalette(palette);
    message_->setText(message);
    message_->show();
    Q_EMIT errorOccurred(message);
}

void ModelManagerDialog::showNotice(const QString& message) {
    message_->setPalette(this->palette());
    message_->setText(message);
    message_->show();
}

bool ModelManagerDialog::confirm(const QString& title, const QString& question) {
    if (confirm_)
        return confirm_(title, question);
    return QMessageBox::question(this, title, question, QMessageBox::Yes | QMessageBox::No,
                                 QMessageBox::No) == QMessageBox::Yes;
}

} // namespace shiftsr::gui
