// The DistilWizard's deciding pages: Photos (scan, held-out split), Teacher, Method (presets,
// Advanced job), Budget (a real trial, disk, run folder). Each reads wizard->setup() when shown and
// writes it on every change, so going Back keeps what was chosen.
#include "distil_pages.h"
#include "distil_plan.h"

#include "shiftsr/gui/model_details_view.h"
#include "shiftsr/gui/model_registry.h"
#include "shiftsr/gui/training_run.h"
#include "shiftsr/training/job.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDate>
#include <QDir>
#include <QDirIterator>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QImageReader>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWizardPage>

#include <atomic>
#include <cmath>
#include <memory>

namespace shiftsr::gui {

namespace {

QString fromStd(const std::string& s) {
    return QString::fromStdString(s);
}

// The line under a page's widgets that says why Next is disabled and what to do.
QLabel* makeProblemLabel(QWidget* parent) {
    auto* label = new QLabel(parent);
    label->setObjectName(QStringLiteral("problem"));
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    QFont f = label->font();
    f.setBold(true);
    label->setFont(f);
    label->hide();
    return label;
}

void showProblem(QLabel* label, const QString& text) {
    label->setText(text);
    label->setVisible(!text.isEmpty());
}

QLabel* wrapped(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setWordWrap(true);
    return label;
}

// The default teacher: the registry's preferred multi-step model when it can teach, else the first
// that can.
QString defaultTeacherSpec(const ModelRegistry& registry) {
    const QList<const ModelEntry*> candidates = teacherCandidates(registry);
    const QString preferred = registry.preferredSpec(/*oneStep=*/false);
    for (const ModelEntry* e : candidates)
        if (e->spec == preferred)
            return preferred;
    return candidates.isEmpty() ? QString() : candidates.first()->spec;
}

// The crop the chosen (or default) teacher trains with, or YONOS-SR's: the scan's minimum side.
int chosenCrop(const DistilWizard* wizard) {
    if (wizard->setup().yonos())
        return yonosCrop(wizard->setup().preset);
    const ModelRegistry& registry = wizard->registry();
    const QString spec = wizard->setup().teacherSpec.isEmpty() ? defaultTeacherSpec(registry)
                                                               : wizard->setup().teacherSpec;
    const ModelEntry* e = registry.find(spec);
    return e ? teacherCropSize(*e) : 128;
}

// ================================ Photos ================================

constexpr int kThumbnails = 60;
constexpr int kThumbnailSide = 96;

struct ScanResult {
    PhotoScan scan;
    QList<QImage> thumbnails; // of the first kThumbnails photos, made off the GUI thread
};

class PhotosPage : public QWizardPage {
    Q_OBJECT
public:
    explicit PhotosPage(DistilWizard* wizard) : wizard_(wizard) {
        setObjectName(QStringLiteral("photosPage"));
        setTitle(tr("Photos"));
        setSubTitle(tr("Choose folders of your own kind of photos. The student learns from most "
                       "of them; a few are held out to measure it."));

        folders_ = new QListWidget(this);
        folders_->setObjectName(QStringLiteral("folders"));
        folders_->setMaximumHeight(90);
        auto* foldersLabel = new QLabel(tr("&Photo folders:"), this);
        foldersLabel->setBuddy(folders_);
        auto* add = new QPushButton(tr("&Add Folder…"), this);
        add->setObjectName(QStringLiteral("addFolder"));
        remove_ = new QPushButton(tr("&Remove"), this);
        remove_->setObjectName(QStringLiteral("removeFolder"));
        recursive_ = new QCheckBox(tr("Include &sub-folders"), this);
        recursive_->setObjectName(QStringLiteral("recursive"));

        status_ = new QLabel(this);
        status_->setObjectName(QStringLiteral("scanStatus"));
        status_->setWordWrap(true);

        thumbnails_ = new QListWidget(this);
        thumbnails_->setObjectName(QStringLiteral("thumbnails"));
        thumbnails_->setViewMode(QListView::IconMode);
        thumbnails_->setFlow(QListView::LeftToRight);
        thumbnails_->setWrapping(false);
        thumbnails_->setIconSize(QSize(kThumbnailSide, kThumbnailSide));
        thumbnails_->setMovement(QListView::Static);
        thumbnails_->setFixedHeight(kThumbnailSide + 40);
        auto* thumbnailsLabel = new QLabel(tr("Pre&view:"), this);
        thumbnailsLabel->setBuddy(thumbnails_);

        skipped_ = new QListWidget(this);
        skipped_->setObjectName(QStringLiteral("skipped"));
        auto* skippedLabel = new QLabel(tr("S&kipped files:"), this);
        skippedLabel->setBuddy(skipped_);

        heldOut_ = new QListWidget(this);
        heldOut_->setObjectName(QStringLiteral("heldOut"));
        auto* heldOutLabel = new QLabel(
            tr("&Held out (ticked: not trained on; used to validate and to compare at the end):"),
            this);
        heldOutLabel->setWordWrap(true);
        heldOutLabel->setBuddy(heldOut_);
        problem_ = makeProblemLabel(this);

        auto* buttons = new QVBoxLayout;
        buttons->addWidget(add);
        buttons->addWidget(remove_);
        buttons->addStretch();
        auto* folderRow = new QHBoxLayout;
        folderRow->addWidget(folders_, 1);
        folderRow->addLayout(buttons);
        auto* lists = new QHBoxLayout;
        auto* left = new QVBoxLayout;
        left->addWidget(heldOutLabel);
        left->addWidget(heldOut_);
        auto* right = new QVBoxLayout;
        right->addWidget(skippedLabel);
        right->addWidget(skipped_);
        lists->addLayout(left, 3);
        lists->addLayout(right, 2);
        auto* layout = new QVBoxLayout(this);
        layout->addWidget(foldersLabel);
        layout->addLayout(folderRow);
        layout->addWidget(recursive_);
        layout->addWidget(status_);
        layout->addWidget(thumbnailsLabel);
        layout->addWidget(thumbnails_);
        layout->addLayout(lists, 1);
        layout->addWidget(problem_);

        connect(add, &QPushButton::clicked, this, &PhotosPage::chooseFolder);
        connect(remove_, &QPushButton::clicked, this, &PhotosPage::removeFolder);
        connect(folders_, &QListWidget::currentRowChanged, this,
                [this](int row) { remove_->setEnabled(row >= 0); });
        connect(recursive_, &QCheckBox::toggled, this, [this](bool on) {
            wizard_->setup().recursive = on;
            startScan();
        });
        connect(heldOut_, &QListWidget::itemChanged, this, &PhotosPage::heldOutEdited);
        const QList<QWidget*> order{folders_,    add,      remove_, recursive_,
                                    thumbnails_, heldOut_, skipped_};
        for (int i = 1; i < order.size(); ++i)
            setTabOrder(order[i - 1], order[i]);
    }

    ~PhotosPage() override {
        if (cancel_)
            cancel_->store(true);
        for (const QPointer<QThread>& t : threads_) // they post to this page: let them end first
            if (t)
                t->wait();
    }

    void initializePage() override {
        const DistilSetup& s = wizard_->setup();
        folders_->clear();
        for (const QString& f : s.folders)
            addFolderItem(f);
        remove_->setEnabled(false);
        const QSignalBlocker block(recursive_);
        recursive_->setChecked(s.recursive);
        startScan();
    }

    bool isComplete() const override { return !scanning_ && problem().isEmpty(); }

    // Adds a folder (the Add Folder… dialog's result) and scans again.
    void addFolder(const QString& folder) {
        const QString path = QFileInfo(folder).absoluteFilePath();
        if (wizard_->setup().folders.contains(path))
            return;
        wizard_->setup().folders << path;
        addFolderItem(path);
        startScan();
    }

private:
    void addFolderItem(const QString& path) {
        auto* item = new QListWidgetItem(QDir::toNativeSeparators(path), folders_);
        item->setData(Qt::UserRole, path);
    }

    void chooseFolder() {
        const QString start = wizard_->setup().folders.isEmpty()
                                  ? QDir::homePath()
                                  : wizard_->setup().folders.constLast();
        const QString folder =
            QFileDialog::getExistingDirectory(this, tr("Add a Folder of Photos"), start);
        if (!folder.isEmpty())
            addFolder(folder);
    }

    void removeFolder() {
        const int row = folders_->currentRow();
        if (row < 0)
            return;
        const QString path = folders_->item(row)->data(Qt::UserRole).toString();
        delete folders_->takeItem(row);
        wizard_->setup().folders.removeAll(path);
        startScan();
    }

    // A new scan; the one running (if any) is cancelled and its result ignored.
    void startScan() {
        if (cancel_)
            cancel_->store(true);
        ++generation_;
        thumbnails_->clear();
        skipped_->clear();
        const QStringList folders = wizard_->setup().folders;
        if (folders.isEmpty()) {
            scanning_ = false;
            scan_ = PhotoScan();
            wizard_->setup().photos.clear();
            wizard_->setup().heldOut.clear();
            fillHeldOut();
            refreshState();
            return;
        }
        scanning_ = true;
        minSide_ = chosenCrop(wizard_);
        status_->setText(tr("Scanning the folders…"));
        refreshState();
        auto cancel = std::make_shared<std::atomic<bool>>(false);
        cancel_ = cancel;
        const bool recursive = wizard_->setup().recursive;
        const int minSide = minSide_;
        const int generation = generation_;
        QThread* thread = QThread::create([this, cancel, folders, recursive, minSide, generation] {
            ScanResult r;
            r.scan = scanPhotos(folders, recursive, minSide, cancel.get());
            for (int i = 0; i < r.scan.photos.size() && i < kThumbnails && !cancel->load(); ++i) {
                QImageReader reader(r.scan.photos[i]);
                reader.setAutoTransform(true);
                const QSize size = reader.size();
                if (size.isValid())
                    reader.setScaledSize(
                        size.scaled(kThumbnailSide, kThumbnailSide, Qt::KeepAspectRatio));
                r.thumbnails << reader.read();
            }
            QMetaObject::invokeMethod(
                this, [this, r, generation] { scanFinished(generation, r); }, Qt::QueuedConnection);
        });
        threads_.removeAll(nullptr);
        threads_ << thread;
        connect(thread, &QThread::finished, thread, &QObject::deleteLater);
        thread->start();
    }

    void scanFinished(int generation, const ScanResult& r) {
        if (generation != generation_ || r.scan.cancelled)
            return;
        scanning_ = false;
        scan_ = r.scan;
        DistilSetup& s = wizard_->setup();
        // The user's ticks survive a rescan that finds the same photos (going Back and forth).
        bool keep = r.scan.photos == s.photos && !s.heldOut.isEmpty();
        for (const QString& p : s.heldOut)
            keep = keep && r.scan.photos.contains(p);
        s.photos = r.scan.photos;
        if (!keep)
            s.heldOut = proposeHeldOut(s.photos, s.splitSeed);
        for (int i = 0; i < r.thumbnails.size(); ++i) {
            auto* item = new QListWidgetItem(QIcon(QPixmap::fromImage(r.thumbnails[i])),
                                             QFileInfo(s.photos[i]).fileName(), thumbnails_);
            item->setToolTip(QDir::toNativeSeparators(s.photos[i]));
        }
        for (const SkippedPhoto& k : r.scan.skipped) {
            auto* item = new QListWidgetItem(
                tr("%1: %2").arg(QFileInfo(k.path).fileName(), k.reason), skipped_);
            item->setToolTip(QDir::toNativeSeparators(k.path));
        }
        fillHeldOut();
        refreshState();
    }

    void fillHeldOut() {
        const QSignalBlocker block(heldOut_);
        heldOut_->clear();
        const DistilSetup& s = wizard_->setup();
        for (const QString& p : s.photos) {
            auto* item = new QListWidgetItem(QFileInfo(p).fileName(), heldOut_);
            item->setData(Qt::UserRole, p);
            item->setToolTip(QDir::toNativeSeparators(p));
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(s.heldOut.contains(p) ? Qt::Checked : Qt::Unchecked);
        }
    }

    void heldOutEdited() {
        QStringList held;
        for (int i = 0; i < heldOut_->count(); ++i)
            if (heldOut_->item(i)->checkState() == Qt::Checked)
                held << heldOut_->item(i)->data(Qt::UserRole).toString();
        wizard_->setup().heldOut = held;
        refreshState();
    }

    QString problem() const {
        const DistilSetup& s = wizard_->setup();
        if (s.folders.isEmpty())
            return tr("Add a folder of photos with Add Folder….");
        if (scanning_)
            return {};
        if (!scan_.error.isEmpty())
            return tr("The folders cannot be scanned: %1. Remove that folder or add another.")
                .arg(scan_.error);
        if (s.photos.isEmpty() && scan_.skipped.isEmpty())
            return tr("The folders hold no photos (PNG, JPEG, WebP, BMP or TIFF): add a folder "
                      "that does.");
        if (s.photos.isEmpty())
            return tr("None of the files can be used (see Skipped files): add photos that open "
                      "and are at least %1 pixels on the shorter side.")
                .arg(minSide_);
        if (s.heldOut.size() < kMinHeldOut)
            return tr("Hold out at least %1 photos: tick them in the Held out list.")
                .arg(kMinHeldOut);
        if (s.photos.size() - s.heldOut.size() < kMinTraining)
            return tr("At least %1 photos must be left for training: add photos or hold fewer "
                      "out.")
                .arg(kMinTraining);
        return {};
    }

    void refreshState() {
        const DistilSetup& s = wizard_->setup();
        if (!scanning_ && !s.folders.isEmpty() && scan_.error.isEmpty())
            status_->setText(tr("%n usable photo(s) (%1 for training, %2 held out)", nullptr,
                                int(s.photos.size()))
                                 .arg(s.photos.size() - s.heldOut.size())
                                 .arg(s.heldOut.size()) +
                             (scan_.skipped.isEmpty() ? QString()
                                                      : tr("; %n file(s) skipped", nullptr,
                                                           int(scan_.skipped.size()))));
        else if (!scanning_)
            status_->clear();
        showProblem(problem_, problem());
        Q_EMIT completeChanged();
    }

    DistilWizard* wizard_;
    QListWidget* folders_ = nullptr;
    QPushButton* remove_ = nullptr;
    QCheckBox* recursive_ = nullptr;
    QLabel* status_ = nullptr;
    QListWidget* thumbnails_ = nullptr;
    QListWidget* skipped_ = nullptr;
    QListWidget* heldOut_ = nullptr;
    QLabel* problem_ = nullptr;

    std::shared_ptr<std::atomic<bool>> cancel_;
    QList<QPointer<QThread>> threads_;
    int generation_ = 0;
    bool scanning_ = false;
    int minSide_ = 128;
    PhotoScan scan_;
};

// ================================ Teacher ================================

class TeacherPage : public QWizardPage {
    Q_OBJECT
public:
    explicit TeacherPage(DistilWizard* wizard) : wizard_(wizard) {
        setObjectName(QStringLiteral("teacherPage"));
        setTitle(tr("Teacher"));
        setSubTitle(tr("The multi-step model whose results the one-step student learns to give in "
                       "one step."));
        teachers_ = new QComboBox(this);
        teachers_->setObjectName(QStringLiteral("teacher"));
        auto* teacherLabel = new QLabel(tr("Multi-step &model:"), this);
        teacherLabel->setBuddy(teachers_);

        auto* details = new QGroupBox(tr("Provenance"), this);
        auto* form = new QFormLayout(details);
        auto field = [this, form](const char* name, const QString& label) {
            auto* value = new QLabel(this);
            value->setObjectName(QLatin1String(name));
            value->setWordWrap(true);
            value->setTextInteractionFlags(Qt::TextSelectableByMouse);
            form->addRow(label, value);
            return value;
        };
        name_ = field("teacherName", tr("Name:"));
        hash_ = field("teacherHash", tr("sha256:"));
        hash_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        steps_ = field("teacherSteps", tr("Steps:"));
        trainedFrom_ = field("teacherTrainedFrom", tr("Trained from:"));

        fineTune_ = new QCheckBox(tr("Fine-&tune the teacher on these photos first"), this);
        fineTune_->setObjectName(QStringLiteral("fineTune"));
        fineTuneNote_ = wrapped(
            tr("The teacher first learns your kind of photos, then teaches the student. This "
               "roughly doubles the time."),
            this);
        problem_ = makeProblemLabel(this);

        auto* layout = new QVBoxLayout(this);
        auto* row = new QHBoxLayout;
        row->addWidget(teacherLabel);
        row->addWidget(teachers_, 1);
        layout->addLayout(row);
        layout->addWidget(details);
        layout->addWidget(fineTune_);
        layout->addWidget(fineTuneNote_);
        layout->addStretch();
        layout->addWidget(problem_);

        connect(teachers_, &QComboBox::currentIndexChanged, this, [this] {
            wizard_->setup().teacherSpec = teachers_->currentData().toString();
            showTeacher();
        });
        connect(fineTune_, &QCheckBox::toggled, this,
                [this](bool on) { wizard_->setup().fineTuneTeacher = on; });
        ModelRegistry& registry = wizard_->registry();
        connect(&registry, &ModelRegistry::modelsChanged, this, [this] {
            if (wizard_->currentPage() == this)
                fill();
        });
        connect(&registry, &ModelRegistry::contentHashesReady, this, &TeacherPage::showTeacher);
    }

    void initializePage() override {
        // Back from the Method page with YONOS-SR chosen: it trains a teacher of its own, and the
        // model chosen here is what its student is compared with.
        const bool yonos = wizard_->setup().yonos();
        setSubTitle(yonos ? tr("The multi-step model the YONOS-SR student is compared with at the "
                               "end (YONOS-SR trains a teacher of its own from your photos).")
                          : tr("The multi-step model whose results the one-step student learns to "
                               "give in one step."));
        fineTune_->setVisible(!yonos);
        fineTuneNote_->setVisible(!yonos);
        fill();
        const QSignalBlocker block(fineTune_);
        fineTune_->setChecked(wizard_->setup().fineTuneTeacher);
    }

    // YONOS-SR needs no teacher: without a multi-step model its student is compared with bicubic.
    bool isComplete() const override { return teachers_->count() > 0 || wizard_->setup().yonos(); }

private:
    void fill() {
        DistilSetup& s = wizard_->setup();
        const ModelRegistry& registry = wizard_->registry();
        const QList<const ModelEntry*> candidates = teacherCandidates(registry);
        {
            const QSignalBlocker block(teachers_);
            teachers_->clear();
            for (const ModelEntry* e : candidates)
                teachers_->addItem(e->embedded ? tr("%1 (embedded)").arg(e->displayName)
                                               : e->displayName,
                                   e->spec);
            QString spec = s.teacherSpec;
            if (teachers_->findData(spec) < 0)
                spec = defaultTeacherSpec(registry);
            teachers_->setCurrentIndex(teachers_->findData(spec));
            s.teacherSpec = teachers_->currentData().toString();
        }
        fineTune_->setEnabled(!candidates.isEmpty());
        showProblem(problem_, candidates.isEmpty() && !s.yonos()
                                  ? tr("No multi-step model is installed, and only a multi-step "
                                       "model can teach: install one with Tools → Models….")
                                  : QString());
        showTeacher();
        Q_EMIT completeChanged();
    }

    void showTeacher() {
        const ModelEntry* e = wizard_->registry().find(teachers_->currentData().toString());
        if (!e) {
            for (QLabel* l : {name_, hash_, steps_, trainedFrom_})
                l->clear();
            return;
        }
        name_->setText(e->displayName);
        const QString hash = fromStd(e->info.contentHash);
        hash_->setText(hash.isEmpty() ? tr("(being computed)")
                                      : hash.left(12) + QStringLiteral("…"));
        hash_->setToolTip(hash);
        steps_->setText(tr("%n step(s) by default", nullptr, e->info.steps));
        QString from;
        const QString trainedFromLabel = ModelDetailsView::tr("Trained from");
        for (const DetailField& f : provenanceFields(*e))
            if (f.label == trainedFromLabel)
                from = f.value;
        trainedFrom_->setText(from.isEmpty() ? tr("not recorded") : from);
    }

    DistilWizard* wizard_;
    QComboBox* teachers_ = nullptr;
    QLabel* name_ = nullptr;
    QLabel* hash_ = nullptr;
    QLabel* steps_ = nullptr;
    QLabel* trainedFrom_ = nullptr;
    QCheckBox* fineTune_ = nullptr;
    QLabel* fineTuneNote_ = nullptr;
    QLabel* problem_ = nullptr;
};

// ================================ Method

class MethodPage : public QWizardPage {
    Q_OBJECT
public:
    explicit MethodPage(DistilWizard* wizard) : wizard_(wizard) {
        setObjectName(QStringLiteral("methodPage"));
        setTitle(tr("Method"));
        setSubTitle(tr("How the student is trained, and for how long."));

        auto* method = new QGroupBox(tr("Method"), this);
        rsd_ = new QRadioButton(tr("&RSD: residual shift distillation"), method);
        rsd_->setObjectName(QStringLiteral("rsd"));
        rsd_->setChecked(true);
        yonos_ = new QRadioButton(tr("&YONOS-SR: scale distillation, in four stages"), method);
        yonos_->setObjectName(QStringLiteral("yonos"));
        auto* methodNote = wrapped(
            tr("RSD distils the multi-step teacher of the Teacher page into a one-step student. "
               "YONOS-SR trains a latent-diffusion model of its own from your photos: an "
               "autoencoder, an x2 teacher, the x4 one-step student distilled from it, and the "
               "decoder fine-tuned on the student's outputs."),
            method);
        methodNote->setObjectName(QStringLiteral("methodNote"));
        methodGroup_ = new QButtonGroup(this);
        methodGroup_->addButton(rsd_);
        methodGroup_->addButton(yonos_);
        auto* methodLayout = new QVBoxLayout(method);
        methodLayout->addWidget(rsd_);
        methodLayout->addWidget(yonos_);
        methodLayout->addWidget(methodNote);

        auto* presets = new QGroupBox(tr("Preset"), this);
        auto* presetLayout = new QGridLayout(presets);
        presetGroup_ = new QButtonGroup(this);
        const QStringList names = distilPresets();
        for (int i = 0; i < names.size(); ++i) {
            auto* radio = new QRadioButton(presetText(names[i]), presets);
            radio->setObjectName(QStringLiteral("preset-") + names[i]);
            radio->setProperty("preset", names[i]);
            presetGroup_->addButton(radio, i);
            presetLayout->addWidget(radio, i, 0);
            auto* description = wrapped(QString(), presets);
            description->setObjectName(QStringLiteral("presetNote-") + names[i]);
            description->setProperty("preset", names[i]);
            presetNotes_ << description;
            presetLayout->addWidget(description, i, 1);
        }
        presetLayout->setColumnStretch(1, 1);
        initNote_ = wrapped(QString(), this);
        initNote_->setObjectName(QStringLiteral("initNote"));

        yonosBox_ = new QGroupBox(tr("YONOS-SR"), this);
        yonosBox_->setObjectName(QStringLiteral("yonosOptions"));
        codec_ = new QComboBox(yonosBox_);
        codec_->setObjectName(QStringLiteral("codec"));
        codec_->addItem(tr("f4: 4 latent channels at a quarter of the side (the recipe's)"),
                        QStringLiteral("f4"));
        codec_->addItem(tr("f8: 16 latent channels at an eighth of the side"),
                        QStringLiteral("f8"));
        auto* codecLabel = new QLabel(tr("Latent &codec:"), yonosBox_);
        codecLabel->setBuddy(codec_);
        autoencoder_ = new QLineEdit(yonosBox_);
        autoencoder_->setObjectName(QStringLiteral("autoencoderFile"));
        autoencoder_->setPlaceholderText(tr("none: the first stage trains one"));
        auto* chooseAutoencoder = new QPushButton(tr("C&hoose…"), yonosBox_);
        chooseAutoencoder->setObjectName(QStringLiteral("chooseAutoencoder"));
        auto* autoencoderLabel = new QLabel(tr("Aut&oencoder:"), yonosBox_);
        autoencoderLabel->setBuddy(autoencoder_);
        init_ = new QComboBox(yonosBox_);
        init_->setObjectName(QStringLiteral("yonosInit"));
        auto* initLabel = new QLabel(tr("Start the &teacher from:"), yonosBox_);
        initLabel->setBuddy(init_);
        auto* autoencoderRow = new QHBoxLayout;
        autoencoderRow->addWidget(autoencoder_, 1);
        autoencoderRow->addWidget(chooseAutoencoder);
        auto* yonosForm = new QFormLayout(yonosBox_);
        yonosForm->addRow(codecLabel, codec_);
        yonosForm->addRow(autoencoderLabel, autoencoderRow);
        yonosForm->addRow(initLabel, init_);
        yonosBox_->setVisible(false);

        name_ = new QLineEdit(this);
        name_->setObjectName(QStringLiteral("studentName"));
        auto* nameLabel = new QLabel(tr("Student na&me:"), this);
        nameLabel->setBuddy(name_);

        advanced_ = new QToolButton(this);
        advanced_->setObjectName(QStringLiteral("advanced"));
        advanced_->setText(tr("&Advanced: every field of the job"));
        advanced_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        advanced_->setArrowType(Qt::RightArrow);
        advanced_->setCheckable(true);
        advanced_->setAutoRaise(true);
        advanced_->setFocusPolicy(Qt::StrongFocus);
        json_ = makeJobEditor(QStringLiteral("jobJson"));
        stageTabs_ = new QTabWidget(this);
        stageTabs_->setObjectName(QStringLiteral("stageJobs"));
        const QStringList stages = yonosStages();
        for (int i = 0; i < stages.size(); ++i) {
            QPlainTextEdit* edit = makeJobEditor(QStringLiteral("stageJob-") + stages[i]);
            edit->setVisible(true); // a tab's page: the tab widget shows it
            stageEdits_ << edit;
            stageTabs_->addTab(edit, yonosStageTitle(stages[i]));
            connect(edit, &QPlainTextEdit::textChanged, this, [this, i] { stageJobEdited(i); });
        }
        stageTabs_->setVisible(false);
        jsonNote_ = wrapped(QString(), this);
        jsonNote_->setVisible(false);
        jobStatus_ = wrapped(QString(), this);
        jobStatus_->setObjectName(QStringLiteral("jobStatus"));
        problem_ = makeProblemLabel(this);

        auto* layout = new QVBoxLayout(this);
        layout->addWidget(method);
        layout->addWidget(presets);
        layout->addWidget(initNote_);
        layout->addWidget(yonosBox_);
        auto* nameRow = new QHBoxLayout;
        nameRow->addWidget(nameLabel);
        nameRow->addWidget(name_, 1);
        layout->addLayout(nameRow);
        layout->addWidget(advanced_);
        layout->addWidget(jsonNote_);
        layout->addWidget(json_, 1);
        layout->addWidget(stageTabs_, 1);
        layout->addWidget(jobStatus_);
        layout->addStretch();
        layout->addWidget(problem_);

        connect(methodGroup_, &QButtonGroup::buttonToggled, this,
                [this](QAbstractButton*, bool on) {
                    if (on)
                        setMethod(yonos_->isChecked() ? QStringLiteral("yonos")
                                                      : QStringLiteral("rsd"));
                });
        connect(presetGroup_, &QButtonGroup::idToggled, this, [this](int, bool on) {
            if (!on)
                return;
            wizard_->setup().preset = presetGroup_->checkedButton()->property("preset").toString();
            regenerate();
        });
        connect(codec_, &QComboBox::currentIndexChanged, this, [this] {
            wizard_->setup().codec = codec_->currentData().toString();
            regenerate();
        });
        connect(autoencoder_, &QLineEdit::textChanged, this, [this](const QString& text) {
            wizard_->setup().autoencoderFile = text.trimmed();
            regenerate();
        });
        connect(chooseAutoencoder, &QPushButton::clicked, this, &MethodPage::chooseAutoencoder);
        connect(init_, &QComboBox::currentIndexChanged, this, [this] {
            wizard_->setup().yonosInitSpec = init_->currentData().toString();
            regenerate();
        });
        connect(name_, &QLineEdit::textEdited, this, &MethodPage::nameEdited);
        connect(advanced_, &QToolButton::toggled, this, [this](bool on) {
            advanced_->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
            showMethod();
        });
        connect(json_, &QPlainTextEdit::textChanged, this, &MethodPage::jobEdited);
        // An installed teacher's hash arrives after the listing; its student is found only then.
        connect(&wizard_->registry(), &ModelRegistry::contentHashesReady, this, [this] {
            if (wizard_->currentPage() == this && !edited_ && !wizard_->setup().yonos())
                regenerate();
        });
        connect(&wizard_->registry(), &ModelRegistry::modelsChanged, this, [this] {
            if (wizard_->currentPage() == this)
                fillInitPackages();
        });
    }

    void initializePage() override {
        DistilSetup& s = wizard_->setup();
        if (s.name.isEmpty())
            s.name = proposedName(s.method);
        name_->setText(s.name);
        if (!distilPresets().contains(s.preset))
            s.preset = QStringLiteral("quick");
        {
            const QSignalBlocker block(presetGroup_);
            for (QAbstractButton* b : presetGroup_->buttons())
                b->setChecked(b->property("preset").toString() == s.preset);
        }
        {
            const QSignalBlocker blockMethod(methodGroup_);
            (s.yonos() ? yonos_ : rsd_)->setChecked(true);
            const QSignalBlocker blockCodec(codec_);
            codec_->setCurrentIndex(std::max(0, codec_->findData(s.codec)));
            const QSignalBlocker blockAutoencoder(autoencoder_);
            autoencoder_->setText(s.autoencoderFile);
        }
        fillInitPackages();
        showMethod();
        // The jobs are made again only when what they were made from changed (teacher,
        // fine-tuning, held-out count, preset, YONOS-SR's choices): Advanced edits survive going
        // Back and Next.
        const bool made = s.yonos() ? !s.stageJobs.isEmpty() : !s.jobJson.isEmpty();
        if (!made || madeFor_ != planKey())
            regenerate();
        else
            showJob();
    }

    bool isComplete() const override { return problem().isEmpty(); }

private:
    QPlainTextEdit* makeJobEditor(const QString& objectName) {
        auto* edit = new QPlainTextEdit(this);
        edit->setObjectName(objectName);
        edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        edit->setTabChangesFocus(true);
        edit->setLineWrapMode(QPlainTextEdit::NoWrap);
        edit->setVisible(false);
        return edit;
    }

    static QString presetText(const QString& preset) {
        if (preset == QLatin1String("quick"))
            return tr("&Quick");
        if (preset == QLatin1String("balanced"))
            return tr("Ba&lanced");
        if (preset == QLatin1String("best"))
            return tr("B&est");
        return tr("T&iny (test model)");
    }

    static QString presetDescription(const QString& preset) {
        if (preset == QLatin1String("quick"))
            return tr("A first result: 150 steps of 4 crops, a few minutes on 2 CPU cores.");
        if (preset == QLatin1String("balanced"))
            return tr("The embedded student's recipe: 600 steps of 8 crops (it took 0.6 h on 2 "
                      "CPU cores).");
        if (preset == QLatin1String("best"))
            return tr("2000 steps of 8 crops: 2 hours or more on 2 CPU cores.");
        return tr("A few steps of the untrained test model, for checks only.");
    }

    // YONOS-SR's presets scale the recipe's steps of every stage; the figures are the preset's own.
    static QString yonosPresetDescription(const QString& preset) {
        QStringList steps;
        YonosPlan plan;
        plan.preset = preset;
        for (const QString& stage : yonosStages())
            steps << QString::number(yonosJob(plan, stage).steps);
        const QString perStage = steps.join(QStringLiteral(" + "));
        if (preset == QLatin1String("quick"))
            return tr("A first result: a quarter of the recipe's steps (%1 for the four stages, 8 "
                      "crops each), about half an hour on 2 CPU cores.")
                .arg(perStage);
        if (preset == QLatin1String("balanced"))
            return tr("The YONOS-lite recipe (training/recipes/yonos-lite.sh): %1 steps of 8 "
                      "crops, "
                      "about 2 hours on 2 CPU cores.")
                .arg(perStage);
        if (preset == QLatin1String("best"))
            return tr("Four times the recipe: %1 steps of 8 crops, 8 hours or more on 2 CPU cores.")
                .arg(perStage);
        return tr("A few steps of each stage at the tiny test size, for checks only.");
    }

    QString proposedName(const QString& method) const {
        const DistilSetup& s = wizard_->setup();
        const QString folder =
            s.folders.isEmpty() ? QString() : QFileInfo(s.folders.first()).fileName();
        const QString photos = folder.isEmpty() ? tr("My photos") : folder;
        return method == QLatin1String("yonos") ? tr("%1 one-step (YONOS-SR)").arg(photos)
                                                : tr("%1 one-step (RSD)").arg(photos);
    }

    void setMethod(const QString& method) {
        DistilSetup& s = wizard_->setup();
        if (s.method == method)
            return;
        // A proposed name follows the method; one the user gave stays.
        const bool proposed = s.name == proposedName(s.method);
        s.method = method;
        if (proposed) {
            s.name = proposedName(method);
            name_->setText(s.name);
        }
        showMethod();
        regenerate();
    }

    // What the chosen method shows: its preset figures, its options, its job editors.
    void showMethod() {
        const bool yonos = wizard_->setup().yonos();
        for (QLabel* note : presetNotes_) {
            const QString preset = note->property("preset").toString();
            note->setText(yonos ? yonosPresetDescription(preset) : presetDescription(preset));
        }
        yonosBox_->setVisible(yonos);
        advanced_->setText(yonos ? tr("&Advanced: every field of each stage's job")
                                 : tr("&Advanced: every field of the job"));
        const bool on = advanced_->isChecked();
        json_->setVisible(on && !yonos);
        stageTabs_->setVisible(on && yonos);
        jsonNote_->setVisible(on);
        jsonNote_->setText(
            yonos
                ? tr("Each stage's job as shiftsr-train yonos reads it (docs/training.md), run in "
                     "its own folder. The data folders and the packages of the earlier stages "
                     "are filled in when the run folder is prepared.")
                : tr("The job as shiftsr-train reads it (docs/training.md). The data folders and "
                     "the teacher are filled in when the run folder is prepared."));
    }

    // The yonos packages a teacher can start from; the chosen one stays while it is listed.
    void fillInitPackages() {
        DistilSetup& s = wizard_->setup();
        const QSignalBlocker block(init_);
        init_->clear();
        init_->addItem(tr("nothing: the teacher starts untrained"), QString());
        for (const ModelEntry* e : yonosInitCandidates(wizard_->registry()))
            init_->addItem(e->embedded ? tr("%1 (embedded)").arg(e->displayName) : e->displayName,
                           e->spec);
        const int index = init_->findData(s.yonosInitSpec);
        init_->setCurrentIndex(std::max(0, index));
        if (index < 0)
            s.yonosInitSpec.clear();
    }

    void chooseAutoencoder() {
        const QString current = wizard_->setup().autoencoderFile;
        const QString start =
            current.isEmpty() ? DistilWizard::defaultRunRoot() : QFileInfo(current).absolutePath();
        const QString file =
            QFileDialog::getOpenFileName(this, tr("Choose an Autoencoder Package"),
                                         QFileInfo::exists(start) ? start : QDir::homePath(),
                                         tr("Autoencoder packages (*.safetensors)"));
        if (!file.isEmpty())
            autoencoder_->setText(file);
    }

    QString planKey() const {
        const DistilSetup& s = wizard_->setup();
        QStringList key{s.method, QString::number(s.heldOut.size()), s.preset};
        if (s.yonos())
            key << s.codec << s.autoencoderFile << s.yonosInitSpec;
        else
            key << s.teacherSpec << (s.fineTuneTeacher ? QStringLiteral("1") : QString());
        return key.join(QLatin1Char('|'));
    }

    // The jobs of the chosen method and preset (for the chosen teacher).
    void regenerate() {
        DistilSetup& s = wizard_->setup();
        if (s.yonos())
            regenerateYonos();
        else
            regenerateRsd();
        madeFor_ = planKey();
        edited_ = false;
        showJob();
    }

    void regenerateRsd() {
        DistilSetup& s = wizard_->setup();
        const ModelEntry* teacher = wizard_->registry().find(s.teacherSpec);
        JobPlan plan;
        plan.preset = s.preset;
        plan.heldOut = int(s.heldOut.size());
        plan.name = s.name;
        plan.fineTune = s.fineTuneTeacher;
        QString student;
        if (teacher) {
            plan.crop = teacherCropSize(*teacher);
            const QStringList students = studentsOfTeacher(wizard_->registry(), *teacher);
            student = students.value(0);
            // A fine-tuned teacher is another teacher: the earlier student is not its student.
            if (!s.fineTuneTeacher)
                plan.initSpec = student;
        }
        const ModelEntry* init = wizard_->registry().find(plan.initSpec);
        if (s.fineTuneTeacher)
            initNote_->setText(tr("The teacher is fine-tuned first, so the student starts from the "
                                  "fine-tuned teacher."));
        else if (init)
            initNote_->setText(
                tr("Starts from “%1”, a one-step student of this teacher: fine-tuning it on your "
                   "photos is far better than starting over from the teacher on a CPU.")
                    .arg(init->displayName));
        else
            initNote_->setText(tr("No one-step student of this teacher is installed: the student "
                                  "starts from the teacher, which needs the longer presets."));
        s.jobJson = fromStd(rsdJob(plan).toJson());
        s.teacherJobJson = s.fineTuneTeacher && teacher
                               ? fromStd(fineTuneJob(plan, *teacher).toJson())
                               : QString();
        s.stageJobs.clear();
    }

    void regenerateYonos() {
        DistilSetup& s = wizard_->setup();
        YonosPlan plan;
        plan.preset = s.preset;
        plan.heldOut = int(s.heldOut.size());
        plan.name = s.name;
        plan.codec = s.codec;
        plan.autoencoderFile = s.autoencoderFile;
        plan.initSpec = s.yonosInitSpec;
        s.stageJobs = yonosJobs(plan);
        s.jobJson.clear();
        s.teacherJobJson.clear();
        // the codec is the autoencoder stage's: a given autoencoder (or init package's) decides
        codec_->setEnabled(!s.stageJobs.value(0).isEmpty());

        QStringList running;
        for (int i = 0; i < s.stageJobs.size(); ++i)
            if (!s.stageJobs[i].isEmpty())
                running << yonosStageTitle(yonosStages()[i]);
        QString note = tr("Stage after stage, each a run of its own: %1. YONOS-SR trains a "
                          "teacher of its own; the multi-step model of the Teacher page is what "
                          "its student is compared with at the end.")
                           .arg(running.join(QStringLiteral(" → ")));
        const ModelEntry* init = wizard_->registry().find(s.yonosInitSpec);
        const QString initName = init ? init->displayName : s.yonosInitSpec;
        if (!s.autoencoderFile.isEmpty() && !s.yonosInitSpec.isEmpty())
            note +=
                QLatin1Char(' ') +
                tr("The teacher starts from the U-Net and schedule of “%1” with the autoencoder "
                   "you chose: there is no autoencoder stage.")
                    .arg(initName);
        else if (!s.autoencoderFile.isEmpty())
            note += QLatin1Char(' ') + tr("The autoencoder stage is skipped: the teacher uses the "
                                          "autoencoder you chose.");
        else if (!s.yonosInitSpec.isEmpty())
            note += QLatin1Char(' ') + tr("The teacher starts from “%1” (its U-Net, schedule and "
                                          "autoencoder): there is no autoencoder stage.")
                                           .arg(initName);
        if (s.fineTuneTeacher)
            note += QLatin1Char(' ') + tr("Fine-tuning the teacher (Teacher page) is for RSD: "
                                          "YONOS-SR trains its teacher anyway.");
        initNote_->setText(note);
    }

    void showJob() {
        const DistilSetup& s = wizard_->setup();
        {
            const QSignalBlocker block(json_);
            json_->setPlainText(s.jobJson);
        }
        for (int i = 0; i < stageEdits_.size(); ++i) {
            const QString job = s.stageJobs.value(i);
            const QSignalBlocker block(stageEdits_[i]);
            stageEdits_[i]->setPlainText(job);
            stageTabs_->setTabEnabled(i, !job.isEmpty());
            stageTabs_->setTabToolTip(i, job.isEmpty() ? tr("Skipped: its package is given")
                                                       : QString());
        }
        validate();
    }

    void nameEdited(const QString& text) {
        DistilSetup& s = wizard_->setup();
        s.name = text.trimmed();
        // The name goes into the job as it stands (Advanced edits stay) when it is valid: the rsd
        // job's, or YONOS-SR's last stage's (the package that is installed).
        if (s.yonos() && s.stageJobs.isEmpty()) {
            validate();
            return;
        }
        QString& jobJson = s.yonos() ? s.stageJobs.last() : s.jobJson;
        if (auto job = training::TrainJob::fromJson(jobJson.toStdString())) {
            job->name = s.name.toStdString();
            jobJson = fromStd(job->toJson());
            showJob();
        }
        validate();
    }

    void jobEdited() {
        edited_ = true;
        wizard_->setup().jobJson = json_->toPlainText();
        validate();
    }

    void stageJobEdited(int index) {
        edited_ = true;
        DistilSetup& s = wizard_->setup();
        if (index < s.stageJobs.size())
            s.stageJobs[index] = stageEdits_[index]->toPlainText();
        validate();
    }

    // The trainer's own validation of the job (each stage's), live; `stage` gets the index of the
    // YONOS-SR stage at fault.
    QString jobProblem(int* stage = nullptr) const {
        const DistilSetup& s = wizard_->setup();
        if (!s.yonos()) {
            auto job = training::TrainJob::fromJson(s.jobJson.toStdString());
            if (!job)
                return fromStd(job.status().message());
            if (job->kind != "rsd")
                return tr("This wizard distils: the job's kind must be \"rsd\".");
            return {};
        }
        const QStringList stages = yonosStages();
        for (int i = 0; i < stages.size(); ++i) {
            if (stage)
                *stage = i;
            if (s.stageJobs.value(i).isEmpty())
                continue; // skipped (the last stage never is)
            auto job = training::TrainJob::fromJson(s.stageJobs[i].toStdString());
            if (!job)
                return tr("%1 stage: %2")
                    .arg(yonosStageTitle(stages[i]), fromStd(job.status().message()));
            if (job->kind != "yonos" || fromStd(job->yonosStage) != stages[i])
                return tr("%1 stage: the job's kind must be \"yonos\" and its yonos.stage \"%2\".")
                    .arg(yonosStageTitle(stages[i]), stages[i]);
        }
        return {};
    }

    void validate() {
        int stage = 0;
        const QString message = jobProblem(&stage);
        jobStatus_->setText(message.isEmpty() ? tr("The job is valid.")
                                              : tr("The job is not valid: %1").arg(message));
        if (!message.isEmpty()) {
            if (!advanced_->isChecked())
                advanced_->setChecked(true); // show what is wrong
            if (wizard_->setup().yonos())
                stageTabs_->setCurrentIndex(stage);
        }
        showProblem(problem_, problem());
        Q_EMIT completeChanged();
    }

    QString problem() const {
        const DistilSetup& s = wizard_->setup();
        if (s.name.isEmpty())
            return tr("Give the student a name.");
        if (s.yonos()) {
            if (const QString p = autoencoderFileProblem(s.autoencoderFile); !p.isEmpty())
                return tr("Choose an autoencoder package, or clear the field to train one: %1")
                    .arg(p);
        }
        if (const QString m = jobProblem(); !m.isEmpty())
            return tr("Correct the job under Advanced: %1").arg(m);
        return {};
    }

    DistilWizard* wizard_;
    QRadioButton* rsd_ = nullptr;
    QRadioButton* yonos_ = nullptr;
    QButtonGroup* methodGroup_ = nullptr;
    QButtonGroup* presetGroup_ = nullptr;
    QList<QLabel*> presetNotes_;
    QLabel* initNote_ = nullptr;
    QGroupBox* yonosBox_ = nullptr;
    QComboBox* codec_ = nullptr;
    QLineEdit* autoencoder_ = nullptr;
    QComboBox* init_ = nullptr;
    QLineEdit* name_ = nullptr;
    QToolButton* advanced_ = nullptr;
    QPlainTextEdit* json_ = nullptr;
    QTabWidget* stageTabs_ = nullptr;
    QList<QPlainTextEdit*> stageEdits_;
    QLabel* jsonNote_ = nullptr;
    QLabel* jobStatus_ = nullptr;
    QLabel* problem_ = nullptr;
    QString madeFor_;
    bool edited_ = false; // the job was edited under Advanced since it was made
};

// ================================ Budget ================================

constexpr int kTrialSteps = 4;

// Seconds per step between the first and last step lines of a log up to step `upTo` (start-up
// excluded, and the validation and package of a trial's last step); 0 when fewer than two.
double secondsPerStep(const TrainingLog& log, int upTo) {
    int firstStep = -1, lastStep = -1;
    double firstTime = 0, lastTime = 0;
    for (const QJsonObject& line : log.lines) {
        if (line.contains(QLatin1String("event")) || !line.contains(QLatin1String("elapsed_s")))
            continue;
        const int step = line.value(QLatin1String("step")).toInt();
        if (step > upTo)
            continue;
        const double t = line.value(QLatin1String("elapsed_s")).toDouble();
        if (firstStep < 0) {
            firstStep = step;
            firstTime = t;
        }
        lastStep = step;
        lastTime = t;
    }
    return lastStep > firstStep ? (lastTime - firstTime) / (lastStep - firstStep) : 0;
}

// The largest checkpoint file of a run folder (0: none).
qint64 checkpointBytes(const QString& runFolder) {
    qint64 largest = 0;
    QDirIterator it(QDir(runFolder).filePath(QStringLiteral("checkpoints")),
                    {QStringLiteral("*.safetensors")}, QDir::Files);
    while (it.hasNext()) {
        it.next();
        largest = std::max(largest, it.fileInfo().size());
    }
    return largest;
}

class BudgetPage : public QWizardPage {
    Q_OBJECT
public:
    explicit BudgetPage(DistilWizard* wizard) : wizard_(wizard) {
        setObjectName(QStringLiteral("budgetPage"));
        setTitle(tr("Budget"));
        setSubTitle(tr("A few steps of the real job on this computer tell how long the run takes "
                       "and how much disk it needs."));
        trialStatus_ = wrapped(QString(), this);
        trialStatus_->setObjectName(QStringLiteral("trialStatus"));
        measure_ = new QPushButton(this);
        measure_->setObjectName(QStringLiteral("measure"));
        measure_->setText(tr("&Measure Again"));
        time_ = wrapped(QString(), this);
        time_->setObjectName(QStringLiteral("totalTime"));
        QFont big = time_->font();
        big.setBold(true);
        time_->setFont(big);
        disk_ = wrapped(QString(), this);
        disk_->setObjectName(QStringLiteral("diskNeeded"));

        folder_ = new QLineEdit(this);
        folder_->setObjectName(QStringLiteral("runFolder"));
        auto* folderLabel = new QLabel(tr("R&un folder:"), this);
        folderLabel->setBuddy(folder_);
        auto* change = new QPushButton(tr("C&hange…"), this);
        change->setObjectName(QStringLiteral("changeFolder"));
        auto* folderNote = wrapped(tr("The run's photos (as links), checkpoints, samples, log and "
                                      "job.json go here; shiftsr-train can run it on its own."),
                                   this);
        problem_ = makeProblemLabel(this);

        auto* layout = new QVBoxLayout(this);
        auto* trialRow = new QHBoxLayout;
        trialRow->addWidget(trialStatus_, 1);
        trialRow->addWidget(measure_);
        layout->addLayout(trialRow);
        layout->addWidget(time_);
        layout->addWidget(disk_);
        layout->addSpacing(12);
        auto* folderRow = new QHBoxLayout;
        folderRow->addWidget(folderLabel);
        folderRow->addWidget(folder_, 1);
        folderRow->addWidget(change);
        layout->addLayout(folderRow);
        layout->addWidget(folderNote);
        layout->addStretch();
        layout->addWidget(problem_);

        connect(measure_, &QPushButton::clicked, this, [this] {
            if (trial_)
                cancelTrial(tr("The trial was stopped."));
            else
                startTrial();
        });
        connect(change, &QPushButton::clicked, this, &BudgetPage::chooseFolder);
        connect(folder_, &QLineEdit::textChanged, this, [this](const QString& text) {
            wizard_->setup().runFolder = text.trimmed();
            refreshState();
        });
    }

    ~BudgetPage() override { cancelTrial(QString(), /*wait=*/true); }

    void initializePage() override {
        DistilSetup& s = wizard_->setup();
        const QString proposed = QDir(DistilWizard::defaultRunRoot())
                                     .filePath(runFolderName(s.name, QDate::currentDate()));
        // A folder the user chose stays; the proposal follows the student's name.
        if (s.runFolder.isEmpty() || s.runFolder == proposed_)
            s.runFolder = proposed;
        proposed_ = proposed;
        {
            const QSignalBlocker block(folder_);
            folder_->setText(s.runFolder);
        }
        if (measuredFor_ != trialKey() || s.secondsPerStep <= 0)
            startTrial();
        else
            refreshState();
    }

    void cleanupPage() override {
        cancelTrial(tr("The trial was stopped."));
        QWizardPage::cleanupPage();
    }

    bool isComplete() const override {
        return !trial_ && wizard_->setup().secondsPerStep > 0 && problem().isEmpty();
    }

    // Where the free-space check looks, with what it needs; empty when the folder will do.
    QString folderProblem() const {
        // Back from the Run page: the folder holds the wizard's own run, which Next goes on with.
        const QString folder = wizard_->setup().runFolder;
        if (!folder.isEmpty() && QDir(folder) == QDir(wizard_->currentRunFolder()))
            return {};
        return runFolderProblem(folder, needed_);
    }

private:
    QString trialKey() const {
        const DistilSetup& s = wizard_->setup();
        if (s.yonos())
            return s.method + QLatin1Char('|') + s.stageJobs.join(QLatin1Char('|'));
        return s.teacherSpec + QLatin1Char('|') + s.jobJson + QLatin1Char('|') +
               (s.fineTuneTeacher ? s.teacherJobJson : QString());
    }

    void chooseFolder() {
        const QString start = QFileInfo(wizard_->setup().runFolder).absolutePath();
        const QString chosen = QFileDialog::getExistingDirectory(
            this, tr("Folder for the Run"), QFileInfo::exists(start) ? start : QDir::homePath());
        if (chosen.isEmpty())
            return;
        // An empty folder is the run folder; in any other the run gets a new folder of its own.
        const bool empty = QDir(chosen).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot |
                                                QDir::Hidden | QDir::System);
        folder_->setText(empty ? chosen
                               : QDir(chosen).filePath(
                                     runFolderName(wizard_->setup().name, QDate::currentDate())));
    }

    // The trial: the run folder prepared in a temporary folder under the run root, the job started
    // for kTrialSteps steps with a log line every step, one checkpoint at the end and no
    // validation; then the teacher's fine-tuning job the same way when it is chosen. YONOS-SR:
    // every stage in turn, each for kTrialSteps + 1 steps so that it writes the package the next
    // stage starts from (its last step, which validates, is not timed).
    void startTrial() {
        cancelTrial(QString());
        DistilSetup& s = wizard_->setup();
        s.secondsPerStep = 0;
        s.stageSecondsPerStep.clear();
        needed_ = 0;
        measuredFor_.clear();
        stages_.clear();
        measured_.clear();
        const QString root = DistilWizard::defaultRunRoot();
        QDir().mkpath(root);
        trialDir_ =
            std::make_unique<QTemporaryDir>(QDir(root).filePath(QStringLiteral(".trial-XXXXXX")));
        if (!trialDir_->isValid()) {
            failTrial(tr("Cannot create a folder for the trial in %1: %2")
                          .arg(QDir::toNativeSeparators(root), trialDir_->errorString()));
            return;
        }
        DistilSetup trial = s;
        trial.runFolder = trialDir_->filePath(QStringLiteral("run"));
        QString error;
        if (!prepareRunFolder(trial, wizard_->registry(), &error)) {
            failTrial(error);
            return;
        }
        if (s.yonos()) {
            const QStringList names = yonosStages();
            for (int i = 0; i < names.size(); ++i) {
                if (trial.stageJobs.value(i).isEmpty())
                    continue;
                auto job = training::TrainJob::fromJson(trial.stageJobs[i].toStdString());
                if (!job) {
                    failTrial(fromStd(job.status().message()));
                    return;
                }
                stages_ << Stage{yonosStageFolder(trial.runFolder, names[i]), yonosTrialJob(*job),
                                 -1, names[i]};
            }
            measuredFor_ = trialKey();
            runStage(0);
            return;
        }
        auto job = training::TrainJob::fromJson(trial.jobJson.toStdString());
        if (!job) {
            failTrial(fromStd(job.status().message()));
            return;
        }
        // The rsd trial distils the teacher as it is (a fine-tuned one has the same shape and is
        // not there yet): the file prepareRunFolder wrote out, or the installed package.
        const ModelEntry* teacher = wizard_->registry().find(s.teacherSpec);
        const QString teacherFile =
            teacher && teacher->embedded
                ? QDir(trial.runFolder).filePath(QStringLiteral("teacher.safetensors"))
                : s.teacherSpec;
        job->teacherModel = teacherFile.toStdString();
        stages_ << Stage{trial.runFolder, trialJob(*job), kTrialSteps, QString()};
        if (s.fineTuneTeacher) {
            auto tuning = training::TrainJob::fromJson(trial.teacherJobJson.toStdString());
            if (!tuning) {
                failTrial(fromStd(tuning.status().message()));
                return;
            }
            stages_ << Stage{fineTuneRunFolder(trial.runFolder), trialJob(*tuning), kTrialSteps,
                             QString()};
        }
        measuredFor_ = trialKey();
        runStage(0);
    }

    static QString trialJob(training::TrainJob job) {
        job.logEvery = 1;
        job.steps = std::max(job.steps, kTrialSteps + 1); // the last step would validate
        job.validateEvery = job.steps + 1;
        job.checkpointEvery = kTrialSteps;
        job.keepCheckpoints = 1;
        return fromStd(job.toJson());
    }

    // A YONOS-SR stage that finishes after the timed steps: its package is the next stage's input.
    static QString yonosTrialJob(training::TrainJob job) {
        job.logEvery = 1;
        job.steps = kTrialSteps + 1;
        job.validateEvery = job.steps + 1; // only the last step validates
        job.checkpointEvery = kTrialSteps;
        job.keepCheckpoints = 1;
        job.valCount = 1;
        return fromStd(job.toJson());
    }

    void runStage(int index) {
        stage_ = index;
        trial_ = new TrainingRun(stages_[index].folder, this);
        QString error;
        if (!trial_->start(stages_[index].job, &error, stages_[index].maxSteps)) {
            delete std::exchange(trial_, nullptr);
            failTrial(error);
            return;
        }
        connect(trial_, &TrainingRun::stateChanged, this, [this](TrainingRun::State state) {
            if (state != TrainingRun::State::Running)
                stageEnded();
        });
        trial_->follow(true);
        if (!stages_[index].yonosStage.isEmpty())
            trialStatus_->setText(tr("Measuring stage %1 of %2 (%3): a few steps on this computer…")
                                      .arg(index + 1)
                                      .arg(stages_.size())
                                      .arg(yonosStageTitle(stages_[index].yonosStage)));
        else
            trialStatus_->setText(index == 0
                                      ? tr("Measuring: a few steps of the job on this computer…")
                                      : tr("Measuring the teacher's fine-tuning…"));
        measure_->setText(tr("Stop &Measuring"));
        refreshState();
    }

    void stageEnded() {
        TrainingRun* run = std::exchange(trial_, nullptr);
        run->follow(false);
        run->refresh();
        const double spp = secondsPerStep(run->log(), kTrialSteps);
        const qint64 checkpoint = checkpointBytes(run->folder());
        const qint64 package =
            QFileInfo(QDir(run->folder()).filePath(QStringLiteral("model.safetensors"))).size();
        const QString failure = run->failure();
        // a YONOS-SR stage must finish: the next one starts from its package
        const bool finished =
            stages_[stage_].yonosStage.isEmpty() || run->state() == TrainingRun::State::Finished;
        run->deleteLater();
        if (spp <= 0 || !finished) {
            failTrial(failure.isEmpty()
                          ? tr("the trainer stopped before it had taken %1 steps").arg(kTrialSteps)
                          : failure);
            return;
        }
        measured_ << Measured{spp, checkpoint, package};
        if (stage_ + 1 < stages_.size()) {
            runStage(stage_ + 1);
            return;
        }
        trialDir_.reset(); // removes the trial folder
        if (wizard_->setup().yonos()) {
            showYonosMeasurement();
            return;
        }
        wizard_->setup().secondsPerStep = measured_[0].secondsPerStep;
        showMeasurement();
    }

    void failTrial(const QString& why) {
        trialDir_.reset();
        wizard_->setup().secondsPerStep = 0;
        trialStatus_->setText(
            tr("The trial failed: %1. Go Back to change the job, or measure again.").arg(why));
        time_->clear();
        disk_->clear();
        measure_->setText(tr("&Measure Again"));
        refreshState();
    }

    // Stops the trial. The trainer finishes its step, writes a checkpoint and exits; the trial
    // folder is removed once it has (at once, with a bounded wait, when the page goes away).
    void cancelTrial(const QString& message, bool wait = false) {
        if (!trial_)
            return;
        TrainingRun* run = std::exchange(trial_, nullptr);
        run->disconnect(this);
        std::shared_ptr<QTemporaryDir> folder(trialDir_.release());
        if (run->stop() && !wait) {
            // the connection holds the folder: it goes with `run`
            connect(run, &TrainingRun::stateChanged, run, [run, folder](TrainingRun::State state) {
                if (state != TrainingRun::State::Running)
                    run->deleteLater();
            });
        } else {
            for (int i = 0; i < 100 && run->state() == TrainingRun::State::Running; ++i) {
                QThread::msleep(50);
                run->refresh();
            }
            delete run;
        }
        wizard_->setup().secondsPerStep = 0;
        measuredFor_.clear();
        if (!message.isEmpty()) {
            trialStatus_->setText(message);
            time_->clear();
            disk_->clear();
            measure_->setText(tr("&Measure Again"));
            refreshState();
        }
    }

    void showMeasurement() {
        const DistilSetup& s = wizard_->setup();
        auto job = training::TrainJob::fromJson(s.jobJson.toStdString());
        auto tuning = training::TrainJob::fromJson(s.teacherJobJson.toStdString());
        const ModelEntry* teacher = wizard_->registry().find(s.teacherSpec);
        const double rsdSecondsPerStep = measured_.value(0).secondsPerStep;
        const qint64 rsdCheckpoint = measured_.value(0).checkpoint;
        double total = job->steps * rsdSecondsPerStep;
        QString text = tr("%1 for %n step(s)", nullptr, job->steps).arg(approximateDuration(total));
        if (s.fineTuneTeacher && tuning) {
            const double tuneTime = tuning->steps * measured_.value(1).secondsPerStep;
            total += tuneTime;
            text = tr("%1 in all: %2 to fine-tune the teacher (%n step(s)), then %3 to distil",
                      nullptr, tuning->steps)
                       .arg(approximateDuration(total), approximateDuration(tuneTime),
                            approximateDuration(job->steps * rsdSecondsPerStep));
        }
        time_->setText(text);
        trialStatus_->setText(
            tr("%1 s per step, measured on this computer by %2 steps of the job (start-up not "
               "counted).")
                .arg(secondsText(rsdSecondsPerStep))
                .arg(kTrialSteps));
        measure_->setText(tr("&Measure Again"));

        // Disk: what the trial wrote, scaled to the run. The trainer keeps keep_checkpoints and
        // writes the next before it drops the oldest.
        const qint64 params =
            teacher ? teacher->info.unetParameters + teacher->info.codecParameters : 0;
        const qint64 package = params * 4 + (1 << 20); // the student, fp32, and its metadata
        const int sheets = job->steps / job->validateEvery + 1;
        // one sheet: bicubic | student | truth for each validation photo, as an 8-bit PNG
        const qint64 sheet = qint64(3) * job->valSize * job->valSize * job->valCount * 3;
        // the packages prepareRunFolder writes out (embedded ones; installed ones are used in
        // place)
        qint64 writtenOut = 0;
        if (teacher && teacher->embedded)
            writtenOut = qint64(teacher->info.fileBytes);
        if (const ModelEntry* init = wizard_->registry().find(fromStd(job->initModel));
            init && init->embedded)
            writtenOut += qint64(init->info.fileBytes);
        needed_ =
            rsdCheckpoint * (job->keepCheckpoints + 1) + sheets * sheet + package + writtenOut;
        if (s.fineTuneTeacher && tuning)
            needed_ += measured_.value(1).checkpoint * (tuning->keepCheckpoints + 1) +
                       (tuning->steps / tuning->validateEvery + 1) * sheet + package;
        disk_->setText(
            tr("Disk needed: about %1 (measured: one checkpoint of the trial is %2, the run keeps "
               "%3 and writes one more before it drops the oldest; plus %4 validation sheets, the "
               "student package and the models written into the run folder).")
                .arg(byteSize(needed_), byteSize(rsdCheckpoint))
                .arg(job->keepCheckpoints)
                .arg(sheets));
        refreshState();
    }

    static QString secondsText(double seconds) {
        return QLocale().toString(seconds, 'f', seconds < 10 ? 2 : 1);
    }

    // Every stage's time (its steps at its measured time per step) and disk (its checkpoints, its
    // validation sheets and its package, as the trial wrote them), and the sum.
    void showYonosMeasurement() {
        DistilSetup& s = wizard_->setup();
        const QStringList names = yonosStages();
        double total = 0;
        int totalSteps = 0, keep = 0, measuredIndex = 0;
        QStringList times, speeds;
        qint64 needed = 0;
        s.stageSecondsPerStep.clear();
        for (int i = 0; i < names.size(); ++i) {
            auto job = training::TrainJob::fromJson(s.stageJobs.value(i).toStdString());
            if (s.stageJobs.value(i).isEmpty() || !job || measuredIndex >= measured_.size()) {
                s.stageSecondsPerStep << 0;
                continue;
            }
            const Measured& m = measured_[measuredIndex++];
            s.stageSecondsPerStep << m.secondsPerStep;
            const double time = job->steps * m.secondsPerStep;
            total += time;
            totalSteps += job->steps;
            keep = job->keepCheckpoints;
            times << tr("%1 %2 (%n step(s))", nullptr, job->steps)
                         .arg(yonosStageTitle(names[i]), approximateDuration(time));
            speeds << tr("%1 %2 s").arg(yonosStageTitle(names[i]), secondsText(m.secondsPerStep));
            const int sheets = job->steps / job->validateEvery + 1;
            const qint64 sheet = qint64(3) * job->valSize * job->valSize * job->valCount * 3;
            needed += m.checkpoint * (job->keepCheckpoints + 1) + sheets * sheet + m.package;
        }
        if (const ModelEntry* init = wizard_->registry().find(s.yonosInitSpec);
            init && init->embedded)
            needed += qint64(init->info.fileBytes); // written into the run folder
        needed_ = needed;
        s.secondsPerStep = totalSteps > 0 ? total / totalSteps : 0;
        time_->setText(tr("%1 in all, one stage after another: %2")
                           .arg(approximateDuration(total), times.join(QStringLiteral(", "))));
        trialStatus_->setText(tr("Seconds per step, measured on this computer by %1 steps of each "
                                 "stage (start-up not counted): %2.")
                                  .arg(kTrialSteps)
                                  .arg(speeds.join(QStringLiteral(", "))));
        measure_->setText(tr("&Measure Again"));
        disk_->setText(tr("Disk needed: about %1 (measured: each stage's checkpoint and package in "
                          "the trial; every stage keeps %2 checkpoints and writes one more before "
                          "it drops the oldest, plus its validation sheets and its package).")
                           .arg(byteSize(needed_))
                           .arg(keep));
        refreshState();
    }

    QString problem() const {
        if (trial_)
            return {};
        if (const QString p = folderProblem(); !p.isEmpty())
            return p;
        if (wizard_->setup().secondsPerStep <= 0)
            return tr("Next needs a successful trial: Measure Again once its cause is fixed.");
        return {};
    }

    void refreshState() {
        showProblem(problem_, problem());
        Q_EMIT completeChanged();
    }

    struct Stage {
        QString folder, job;
        int maxSteps = -1;  // --max-steps of the trial (-1: the job's own steps)
        QString yonosStage; // the YONOS-SR stage it measures; empty for rsd and its fine-tuning
    };
    struct Measured {
        double secondsPerStep = 0;
        qint64 checkpoint = 0, package = 0; // the largest checkpoint; model.safetensors (0: none)
    };

    DistilWizard* wizard_;
    QLabel* trialStatus_ = nullptr;
    QPushButton* measure_ = nullptr;
    QLabel* time_ = nullptr;
    QLabel* disk_ = nullptr;
    QLineEdit* folder_ = nullptr;
    QLabel* problem_ = nullptr;

    std::unique_ptr<QTemporaryDir> trialDir_;
    QList<Stage> stages_;
    int stage_ = 0;
    TrainingRun* trial_ = nullptr;
    QString measuredFor_, proposed_;
    QList<Measured> measured_; // per stage of stages_, in order (rsd: the distillation first)
    qint64 needed_ = 0;
};

} // namespace

QWizardPage* makePhotosPage(DistilWizard* wizard) {
    return new PhotosPage(wizard);
}

QWizardPage* makeTeacherPage(DistilWizard* wizard) {
    return new TeacherPage(wizard);
}

QWizardPage* makeMethodPage(DistilWizard* wizard) {
    return new MethodPage(wizard);
}

QWizardPage* makeBudgetPage(DistilWizard* wizard) {
    return new BudgetPage(wizard);
}

} // namespace shiftsr::gui

#include "distil_pages_setup.moc"
