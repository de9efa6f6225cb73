// The distillation wizard's Run page (shiftsr-train followed live: charts, samples, progress,
// Stop/Resume; the optional teacher fine-tuning first, or YONOS-SR's stages one after another)
// and Finish page (the student installed and compared, `shiftsr-cli eval` on the held-out photos).
#include "distil_pages.h"
#include "distil_plan.h"
#include "distil_support.h"
#include "training_charts.h"

#include "shiftsr/gui/model_registry.h"
#include "shiftsr/gui/training_run.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QTableWidget>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>
#include <QWizardPage>

#include <algorithm>
#include <memory>

namespace shiftsr::gui {

namespace {

// The wizard's session: startWithFolders and openRun begin a new one, and a page drops what it
// held for the one before (the run it followed, the student it installed).
int wizardSession(const QWizard* wizard) {
    return wizard->property("distilSession").toInt();
}

QString runFile(const QString& runFolder, const QString& name) {
    return QDir(runFolder).filePath(name);
}

QJsonObject readJsonFile(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

// A label that shows its pixmap as large as fits, keeping the aspect ratio; small sample sheets
// are magnified without smoothing, so their pixels stay what the model made.
class FittedImage : public QLabel {
public:
    explicit FittedImage(QWidget* parent = nullptr) : QLabel(parent) {
        setAlignment(Qt::AlignCenter);
        setMinimumSize(120, 80);
        setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    }
    void setImage(const QPixmap& image) {
        image_ = image;
        fit();
    }
    const QPixmap& image() const { return image_; }

protected:
    void resizeEvent(QResizeEvent* event) override {
        QLabel::resizeEvent(event);
        fit();
    }

private:
    void fit() {
        if (image_.isNull()) {
            clear();
            return;
        }
        const QSize target = image_.size().scaled(size(), Qt::KeepAspectRatio);
        setPixmap(image_.scaled(target, Qt::KeepAspectRatio,
                                target.width() > image_.width() ? Qt::FastTransformation
                                                                : Qt::SmoothTransformation));
    }
    QPixmap image_;
};

// ------------------------------------------------------------------------------------ Run page

class RunPage : public QWizardPage {
    Q_OBJECT
public:
    explicit RunPage(DistilWizard* wizard);

    void initializePage() override;
    void cleanupPage() override {} // Back keeps the run: Next comes back to it, never a second one
    bool isComplete() const override;

private:
    void forgetRuns();
    bool nothingRan() const;
    void begin();
    void attach(const QString& folder);
    void attachChain(const QString& folder);
    void advanceChain();
    int chainIndex(const TrainingRun* run) const { return int(chain_.indexOf(run)); }
    QString stageOf(const TrainingRun* run) const { return chainStages_.value(chainIndex(run)); }
    double chainSecondsLeft() const;
    QStringList foldersAfter(int index) const;
    void waitForShell();
    TrainingRun* makeRun(const QString& folder, const QString& objectName);
    void show(TrainingRun* run);
    QString preparedJob(const QString& folder, const QString& fallback) const;
    bool startStage(QString* error);
    void finishStage();
    bool startMain(QString* error);
    void fail(const QString& message);
    void stop();
    void resume();
    void onLogAppended();
    void onStateChanged();
    void showLatestSample();
    void updateStatus();
    QString formatSeconds(double seconds) const;

    DistilWizard* wizard_;
    int session_ = -1;
    QString runFolder_;            // the run folder followed (a YONOS-SR run's, not a stage's)
    TrainingRun* stage_ = nullptr; // RUN/teacher-finetune, when the teacher is fine-tuned first
    TrainingRun* run_ = nullptr;   // RUN: the distillation; YONOS-SR: its last stage's run
    TrainingRun* shown_ = nullptr; // the one the page shows: the stage until it is done, then run_
    // YONOS-SR: the runs of its stages in order, RUN/<stage> each (run_ is the last), and their
    // stage names.
    QList<TrainingRun*> chain_;
    QStringList chainStages_;
    bool stopping_ = false;
    QString error_; // preparing or starting failed: shown instead of the run

    QLabel* stageLabel_;
    QLabel* statusLabel_;
    QProgressBar* progress_;
    QLabel* timeLabel_;
    QPushButton* stopButton_;
    QPushButton* resumeButton_;
    QPlainTextEdit* failureText_;
    TrainingCharts* charts_;
    FittedImage* sample_;
    QLabel* sampleCaption_;
    QLineEdit* folderEdit_;
};

RunPage::RunPage(DistilWizard* wizard) : QWizardPage(wizard), wizard_(wizard) {
    setObjectName(QStringLiteral("runPage"));
    setTitle(tr("Run"));
    setSubTitle(tr("shiftsr-train distils the one-step student. Stop writes a checkpoint; Resume "
                   "goes on from it, also after the app was closed."));

    stageLabel_ = new QLabel(this);
    stageLabel_->setObjectName(QStringLiteral("stageLabel"));
    statusLabel_ = new QLabel(this);
    statusLabel_->setObjectName(QStringLiteral("statusLabel"));
    statusLabel_->setWordWrap(true);
    statusLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    progress_ = new QProgressBar(this);
    progress_->setObjectName(QStringLiteral("stepProgress"));
    progress_->setRange(0, 1);
    progress_->setValue(0);
    timeLabel_ = new QLabel(this);
    timeLabel_->setObjectName(QStringLiteral("timeLabel"));
    stopButton_ = new QPushButton(tr("&Stop"), this);
    stopButton_->setObjectName(QStringLiteral("stopButton"));
    stopButton_->setToolTip(tr("The trainer finishes its step, writes a checkpoint and exits"));
    resumeButton_ = new QPushButton(tr("&Resume"), this);
    resumeButton_->setObjectName(QStringLiteral("resumeButton"));
    resumeButton_->setToolTip(tr("Go on from the last checkpoint"));
    connect(stopButton_, &QPushButton::clicked, this, &RunPage::stop);
    connect(resumeButton_, &QPushButton::clicked, this, &RunPage::resume);

    failureText_ = new QPlainTextEdit(this);
    failureText_->setObjectName(QStringLiteral("failureText"));
    failureText_->setReadOnly(true);
    failureText_->setMaximumHeight(110);
    failureText_->hide();

    charts_ = new TrainingCharts(this);
    sample_ = new FittedImage(this);
    sample_->setObjectName(QStringLiteral("sampleImage"));
    sampleCaption_ = new QLabel(tr("The first validation sample appears after the first "
                                   "validation step."),
                                this);
    sampleCaption_->setObjectName(QStringLiteral("sampleCaption"));
    sampleCaption_->setWordWrap(true);
    auto* samplePane = new QWidget(this);
    auto* sampleLayout = new QVBoxLayout(samplePane);
    sampleLayout->setContentsMargins(0, 0, 0, 0);
    sampleLayout->addWidget(sampleCaption_);
    sampleLayout->addWidget(sample_, 1);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(charts_);
    splitter->addWidget(samplePane);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({600, 400}); // the charts' legends need room; the sheet scales

    folderEdit_ = new QLineEdit(this);
    folderEdit_->setObjectName(QStringLiteral("runFolderEdit"));
    folderEdit_->setReadOnly(true);
    folderEdit_->setToolTip(tr("The run folder: job.json, log.jsonl, checkpoints, samples; "
                               "`shiftsr-train --resume FOLDER` goes on with it from a terminal"));
    auto* folderLabel = new QLabel(tr("R&un folder:"), this);
    folderLabel->setBuddy(folderEdit_);

    auto* top = new QGridLayout;
    top->addWidget(stageLabel_, 0, 0, 1, 4);
    top->addWidget(progress_, 1, 0);
    top->addWidget(timeLabel_, 1, 1);
    top->addWidget(stopButton_, 1, 2);
    top->addWidget(resumeButton_, 1, 3);
    top->setColumnStretch(0, 1);
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(folderLabel);
    folderRow->addWidget(folderEdit_, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(statusLabel_);
    layout->addWidget(failureText_);
    layout->addWidget(splitter, 1);
    layout->addLayout(folderRow);
    updateStatus();
}

void RunPage::initializePage() {
    DistilSetup& s = wizard_->setup();
    const int session = wizardSession(wizard_);
    if (run_ && session == session_) {
        // Back and Next again: the run this page started goes on; the folder is its own. Only a
        // start that failed before anything ran is tried again.
        if (error_.isEmpty() || !nothingRan()) {
            s.runFolder = runFolder_;
            updateStatus();
            return;
        }
    }
    forgetRuns();
    session_ = session;
    // A YONOS-SR run's folder is prepared once its notes are written (its jobs are the stages').
    const QString prepared = s.yonos() ? QStringLiteral("notes.json") : QStringLiteral("job.json");
    if (!s.runFolder.isEmpty() && QFileInfo::exists(runFile(s.runFolder, prepared)))
        attach(s.runFolder);
    else
        begin();
}

bool RunPage::nothingRan() const {
    QList<TrainingRun*> runs = chain_;
    runs << run_ << stage_;
    return std::all_of(runs.begin(), runs.end(), [](const TrainingRun* r) {
        return !r || r->state() == TrainingRun::State::Empty;
    });
}

bool RunPage::isComplete() const {
    return run_ && run_->state() == TrainingRun::State::Finished;
}

// The runs of another session are let go (a detached trainer goes on; the folder keeps it).
void RunPage::forgetRuns() {
    QList<TrainingRun*> runs = chain_;
    if (!chain_.contains(run_))
        runs << run_;
    runs << stage_;
    for (TrainingRun* r : runs) {
        if (r) {
            r->follow(false);
            r->setParent(nullptr); // no longer the wizard's: isTraining() asks its own runs
            r->deleteLater();
        }
    }
    stage_ = run_ = shown_ = nullptr;
    chain_.clear();
    chainStages_.clear();
    runFolder_.clear();
    setProperty("runFolder", QString());
    stopping_ = false;
    error_.clear();
    charts_->clear();
    sample_->setImage({});
    failureText_->hide();
}

// First entry: the run folder is made (data links, the teacher, job.json) and training starts.
void RunPage::begin() {
    DistilSetup& s = wizard_->setup();
    QString error;
    if (!prepareRunFolder(s, wizard_->registry(), &error)) {
        fail(tr("The run folder could not be prepared: %1").arg(error));
        return;
    }
    // notes.json before the trainer starts: a run found on disk always says what it was.
    if (!saveSetupNotes(s, &error)) {
        fail(tr("Cannot write the run's notes: %1").arg(error));
        return;
    }
    attach(s.runFolder);
}

TrainingRun* RunPage::makeRun(const QString& folder, const QString& objectName) {
    auto* run = new TrainingRun(folder, this);
    run->setObjectName(objectName);
    connect(run, &TrainingRun::logAppended, this, [this, run] {
        if (run == shown_)
            onLogAppended();
    });
    connect(run, &TrainingRun::stateChanged, this, [this, run] {
        if (run == shown_)
            onStateChanged();
    });
    connect(run, &TrainingRun::samplesChanged, this, [this, run] {
        if (run == shown_)
            showLatestSample();
    });
    run->refresh();
    return run;
}

// Follows the run folder in whatever state it is; starts what has not started yet.
void RunPage::attach(const QString& folder) {
    const DistilSetup& s = wizard_->setup();
    folderEdit_->setText(QDir::toNativeSeparators(folder));
    runFolder_ = folder;
    setProperty("runFolder", folder); // DistilWizard::currentRunFolder
    if (s.yonos()) {
        attachChain(folder);
        return;
    }
    run_ = makeRun(folder, QStringLiteral("distilRun"));
    if (run_->state() != TrainingRun::State::Empty) {
        show(run_);
        return;
    }
    // With fine-tuning, the distillation's job names the fine-tuning run's package as its
    // teacher: that run goes first (prepareRunFolder wrote its job).
    QString error;
    const QString tuning = fineTuneRunFolder(folder);
    if (s.fineTuneTeacher &&
        !QFileInfo::exists(QDir(tuning).filePath(QStringLiteral("model.safetensors")))) {
        stage_ = makeRun(tuning, QStringLiteral("teacherRun"));
        show(stage_);
        if (stage_->state() == TrainingRun::State::Finished)
            finishStage();
        else if (stage_->state() == TrainingRun::State::Empty && !startStage(&error))
            fail(tr("The teacher's fine-tuning could not start: %1").arg(error));
        return;
    }
    show(run_);
    if (!startMain(&error))
        fail(tr("Training could not start: %1").arg(error));
}

// YONOS-SR: a run for each stage the run has (a skipped one has no job), then on to the first
// that has not finished.
void RunPage::attachChain(const QString& folder) {
    const DistilSetup& s = wizard_->setup();
    const QStringList stages = yonosStages();
    for (int i = 0; i < stages.size(); ++i) {
        const QString stageFolder = yonosStageFolder(folder, stages[i]);
        if (s.stageJobs.value(i).isEmpty() &&
            !QFileInfo::exists(runFile(stageFolder, QStringLiteral("job.json"))))
            continue;
        chainStages_ << stages[i];
        chain_ << makeRun(stageFolder, QStringLiteral("yonosRun-") + stages[i]);
    }
    if (chain_.isEmpty()) {
        fail(tr("The run folder holds no YONOS-SR stage."));
        return;
    }
    run_ = chain_.last();
    advanceChain();
}

// Shows the first stage that has not finished and starts it, with the stages after it, when it has
// not started (its inputs, the packages of the stages before it, are there now) and the shell
// that ran the stage before it is not about to; all finished: the last one. The stages run as one
// chain of the trainer (TrainingRun::startChain), so they go on when the app is closed.
void RunPage::advanceChain() {
    for (int i = 0; i < chain_.size(); ++i) {
        TrainingRun* r = chain_[i];
        r->refresh(); // the chain's shell may have started or finished it since it was looked at
        if (r->state() == TrainingRun::State::Finished)
            continue;
        show(r);
        if (r->state() != TrainingRun::State::Empty)
            return; // running, stopped or failed: the stages after it wait
        if (i > 0 && chain_[i - 1]->shellAlive()) {
            waitForShell(); // the chain goes on to this stage by itself
            return;
        }
        const QString job = preparedJob(r->folder(), wizard_->setup().stageJobs.value(int(
                                                         yonosStages().indexOf(chainStages_[i]))));
        QString error;
        if (r->startChain(job, foldersAfter(i), &error))
            return;
        r->refresh();
        if (r->state() != TrainingRun::State::Empty) {
            advanceChain(); // the shell got there first after all
            return;
        }
        fail(tr("The %1 stage could not start: %2").arg(yonosStageTitle(chainStages_[i]), error));
        return;
    }
    show(run_);
}

// The folders of the stages after chain_[index] (YONOS-SR), or of the distillation after the
// teacher's fine-tuning (index -1: stage_).
QStringList RunPage::foldersAfter(int index) const {
    QStringList folders;
    if (index < 0)
        return run_ ? QStringList{run_->folder()} : folders;
    for (int i = index + 1; i < chain_.size(); ++i)
        folders << chain_[i]->folder();
    return folders;
}

// The stage shown has not started, and the chain's shell is on its way to it: looked at again in
// a moment (the shell may also end without starting it, when it cannot).
void RunPage::waitForShell() {
    QTimer::singleShot(1000, this, [this] {
        if (!shown_ || shown_->state() != TrainingRun::State::Empty)
            return;
        if (chainIndex(shown_) >= 0)
            advanceChain();
        else if (shown_ == run_ && stage_)
            finishStage();
    });
}

// The time the stages after the shown one will take at the Budget page's measured time per
// step; < 0 when one of them was not measured.
double RunPage::chainSecondsLeft() const {
    const DistilSetup& s = wizard_->setup();
    double seconds = 0;
    for (int i = chainIndex(shown_) + 1; i < chain_.size(); ++i) {
        const double perStep =
            s.stageSecondsPerStep.value(int(yonosStages().indexOf(chainStages_[i])));
        if (perStep <= 0)
            return -1;
        seconds += perStep * chain_[i]->plannedSteps();
    }
    return seconds;
}

void RunPage::show(TrainingRun* run) {
    if (shown_ && shown_ != run)
        shown_->follow(false); // the fine-tuning is done: only the distillation is followed
    shown_ = run;
    stopping_ = false;
    charts_->clear();
    charts_->showLog(run->log());
    showLatestSample();
    run->follow(true);
    updateStatus();
}

// The job prepareRunFolder wrote into `folder` (the setup's copy when the file is gone).
QString RunPage::preparedJob(const QString& folder, const QString& fallback) const {
    QFile f(runFile(folder, QStringLiteral("job.json")));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : fallback;
}

// The teacher's fine-tuning and, in the same chain, the distillation after it.
bool RunPage::startStage(QString* error) {
    return stage_->startChain(preparedJob(stage_->folder(), wizard_->setup().teacherJobJson),
                              foldersAfter(-1), error);
}

// The fine-tuned teacher is written: the distillation that learns from it starts, unless the
// chain that fine-tuned it is about to start it.
void RunPage::finishStage() {
    run_->refresh();
    show(run_);
    if (run_->state() != TrainingRun::State::Empty)
        return;
    if (stage_->shellAlive()) {
        waitForShell();
        return;
    }
    QString error;
    if (!startMain(&error))
        fail(tr("Training could not start: %1").arg(error));
}

bool RunPage::startMain(QString* error) {
    return run_->start(preparedJob(run_->folder(), wizard_->setup().jobJson), error);
}

void RunPage::fail(const QString& message) {
    error_ = message;
    updateStatus();
}

void RunPage::stop() {
    if (shown_ && shown_->stop())
        stopping_ = true;
    updateStatus();
}

void RunPage::resume() {
    if (!shown_)
        return;
    QString error;
    const int index = shown_ == stage_ ? -1 : chainIndex(shown_);
    const bool resumed = index >= 0 || shown_ == stage_
                             ? shown_->resumeChain(foldersAfter(index), &error)
                             : shown_->resume(&error);
    if (!resumed) {
        fail(tr("Cannot resume: %1").arg(error));
        return;
    }
    error_.clear();
    stopping_ = false;
    shown_->follow(true);
    updateStatus();
}

void RunPage::onLogAppended() {
    charts_->showLog(shown_->log());
    updateStatus();
}

void RunPage::onStateChanged() {
    if (shown_->state() != TrainingRun::State::Running)
        stopping_ = false;
    if (shown_ == stage_ && stage_->state() == TrainingRun::State::Finished) {
        finishStage();
        return;
    }
    // A YONOS-SR stage is done: the next starts from its package.
    if (chainIndex(shown_) >= 0 && shown_ != run_ &&
        shown_->state() == TrainingRun::State::Finished) {
        advanceChain();
        return;
    }
    // The last lines may have come with the state: the charts show the whole run.
    charts_->showLog(shown_->log());
    showLatestSample();
    updateStatus();
}

void RunPage::showLatestSample() {
    const QStringList samples = shown_ ? shown_->samples() : QStringList();
    if (samples.isEmpty()) {
        sample_->setImage({});
        sampleCaption_->setText(
            tr("The first validation sample appears after the first validation step."));
        return;
    }
    static const QRegularExpression number(QStringLiteral("step-0*(\\d+)"));
    const QString path = samples.last();
    const QRegularExpressionMatch m = number.match(QFileInfo(path).completeBaseName());
    sample_->setImage(QPixmap(path));
    sample_->setToolTip(QDir::toNativeSeparators(path));
    const QString step = m.hasMatch() ? m.captured(1) : QStringLiteral("?");
    const QString yonosStage = stageOf(shown_);
    QString model = shown_ == stage_ ? tr("fine-tuned teacher") : tr("one-step student");
    if (yonosStage == QLatin1String("autoencoder")) {
        sampleCaption_->setText(tr("Validation at step %1: reconstruction | photo").arg(step));
        return;
    }
    if (yonosStage == QLatin1String("teacher"))
        model = tr("x2 teacher, one step");
    else if (yonosStage == QLatin1String("decoder"))
        model = tr("one-step student, fine-tuned decoder");
    sampleCaption_->setText(
        tr("Validation at step %1: bicubic | %2 | ground truth").arg(step, model));
}

QString RunPage::formatSeconds(double seconds) const {
    const int whole = int(seconds + 0.5);
    if (whole < 60)
        return tr("%1 s").arg(whole);
    if (whole < 3600)
        return tr("%1 min %2 s").arg(whole / 60).arg(whole % 60);
    return tr("%1 h %2 min").arg(whole / 3600).arg(whole / 60 % 60);
}

void RunPage::updateStatus() {
    const int chainAt = chainIndex(shown_);
    if (chainAt >= 0)
        stageLabel_->setText(tr("Stage %1 of %2: %3")
                                 .arg(chainAt + 1)
                                 .arg(chain_.size())
                                 .arg(yonosStageActivity(chainStages_[chainAt])));
    else if (stage_)
        stageLabel_->setText(shown_ == stage_
                                 ? tr("Stage 1 of 2: fine-tuning the teacher on your photos")
                                 : tr("Stage 2 of 2: distilling the one-step student"));
    else if (wizard_->setup().yonos())
        stageLabel_->setText(tr("YONOS-SR"));
    else
        stageLabel_->setText(tr("Distilling the one-step student"));
    const TrainingRun* r = shown_;
    const TrainingRun::State state = r ? r->state() : TrainingRun::State::Empty;
    const TrainingLog empty;
    const TrainingLog& log = r ? r->log() : empty;
    const int planned = r ? r->plannedSteps() : 0;

    progress_->setRange(0, std::max(1, planned));
    progress_->setValue(std::clamp(log.lastStep, 0, std::max(1, planned)));
    progress_->setFormat(planned > 0 ? tr("Step %1 of %2").arg(log.lastStep).arg(planned)
                                     : tr("Step %1").arg(log.lastStep));
    QString time;
    if (log.elapsedS > 0)
        time = tr("Elapsed %1").arg(formatSeconds(log.elapsedS));
    if (state == TrainingRun::State::Running && log.etaS >= 0) {
        const double later = chainAt >= 0 ? chainSecondsLeft() : 0;
        time = later > 0 ? tr("%1 · about %2 left in this stage, about %3 in all")
                               .arg(time, formatSeconds(log.etaS), formatSeconds(log.etaS + later))
                         : tr("%1 · about %2 left").arg(time, formatSeconds(log.etaS));
    }
    timeLabel_->setText(time);

    QString status;
    switch (state) {
    case TrainingRun::State::Empty:
        status = error_.isEmpty() ? tr("Starting…") : QString();
        break;
    case TrainingRun::State::Running:
        status = stopping_ ? tr("Stopping… the trainer finishes its step and writes a checkpoint.")
                           : tr("Training…");
        break;
    case TrainingRun::State::Stopped:
        status = tr("Stopped at step %1 of %2. Resume goes on from the last checkpoint.")
                     .arg(log.lastStep)
                     .arg(planned);
        break;
    case TrainingRun::State::Finished:
        if (chainAt >= 0) {
            double elapsed = 0;
            for (const TrainingRun* c : chain_)
                elapsed += c->log().elapsedS;
            status = r == run_ ? tr("Finished: the %1 stages took %2. Next installs the student "
                                    "and compares it with a multi-step model.")
                                     .arg(chain_.size())
                                     .arg(formatSeconds(elapsed))
                               : tr("The %1 stage is done.").arg(yonosStageTitle(stageOf(r)));
            break;
        }
        status = r == stage_ ? tr("The teacher is fine-tuned.")
                             : tr("Finished: %n step(s) in %1. Next installs the student and "
                                  "compares it with its teacher.",
                                  nullptr, log.lastStep)
                                   .arg(formatSeconds(log.elapsedS));
        break;
    case TrainingRun::State::Failed:
        status = chainAt >= 0
                     ? tr("The %1 stage stopped with an error (below); the stages after it wait. "
                          "Resume goes on from its last checkpoint.")
                           .arg(yonosStageTitle(stageOf(r)))
                     : tr("The trainer stopped with an error (below). Resume goes on from the last "
                          "checkpoint.");
        break;
    }
    if (!error_.isEmpty())
        status = status.isEmpty() ? error_ : error_ + QLatin1Char('\n') + status;
    statusLabel_->setText(status);
    statusLabel_->setStyleSheet(!error_.isEmpty() || state == TrainingRun::State::Failed
                                    ? QStringLiteral("color: #b00020;")
                                    : QString());
    const bool failed = state == TrainingRun::State::Failed;
    failureText_->setVisible(failed);
    if (failed)
        failureText_->setPlainText(r->failure());
    stopButton_->setEnabled(state == TrainingRun::State::Running && !stopping_);
    resumeButton_->setEnabled(r && r->isResumable());
    Q_EMIT completeChanged();
}

// --------------------------------------------------------------------------------- Finish page

class FinishPage : public QWizardPage {
    Q_OBJECT
public:
    explicit FinishPage(DistilWizard* wizard);
    ~FinishPage() override;

    void initializePage() override;
    bool isComplete() const override { return !installing_; }

private:
    void reset();
    void install();
    void onInstalled(const QString& path, const QString& error);
    void requestComparison();
    void startEval();
    void stopEval();
    void onEvalOutput();
    void onEvalFinished(int exitCode, QProcess::ExitStatus status);
    bool showReport(const QString& path);
    void showCommand(const QString& program, const QStringList& arguments);
    QString heldOutFolder(QString* error) const;
    int evalCrop() const;
    QStringList evalArguments(QString* error) const;
    QString evalFolder() const {
        return runFile(wizard_->setup().runFolder, QStringLiteral("eval"));
    }

    DistilWizard* wizard_;
    int session_ = -1;
    QString installedFor_; // the run folder whose student this page installed or found installed
    bool installing_ = false;
    QProcess* eval_ = nullptr;
    QString evalErrors_; // what eval wrote besides its progress

    QLabel* installLabel_;
    QPushButton* compareButton_;
    QLabel* evalStatus_;
    QProgressBar* evalProgress_;
    QTableWidget* table_;
    QLineEdit* commandEdit_;
    QPushButton* evalButton_;
};

FinishPage::FinishPage(DistilWizard* wizard) : QWizardPage(wizard), wizard_(wizard) {
    setObjectName(QStringLiteral("finishPage"));
    setTitle(tr("Finish"));
    setSubTitle(tr("The student is installed in your model folder and compared with its teacher "
                   "on a held-out photo in the main window."));

    installLabel_ = new QLabel(this);
    installLabel_->setObjectName(QStringLiteral("installLabel"));
    installLabel_->setWordWrap(true);
    installLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    compareButton_ = new QPushButton(tr("Show the &Comparison"), this);
    compareButton_->setObjectName(QStringLiteral("compareButton"));
    compareButton_->setToolTip(
        tr("The new student (one step) beside its teacher (all steps) on a held-out photo, in the "
           "main window"));
    compareButton_->setEnabled(false);
    connect(compareButton_, &QPushButton::clicked, this, &FinishPage::requestComparison);

    evalStatus_ = new QLabel(this);
    evalStatus_->setObjectName(QStringLiteral("evalStatus"));
    evalStatus_->setWordWrap(true);
    evalProgress_ = new QProgressBar(this);
    evalProgress_->setObjectName(QStringLiteral("evalProgress"));
    evalProgress_->hide();
    table_ = new QTableWidget(0, 6, this);
    table_->setObjectName(QStringLiteral("evalTable"));
    table_->setHorizontalHeaderLabels({tr("Model"), tr("PSNR-Y (dB)"), tr("SSIM-Y"),
                                       tr("Sharpness"), tr("BRISQUE"), tr("Seconds per photo")});
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    table_->setToolTip(tr("PSNR-Y and SSIM-Y: closeness to the photo (higher is closer); "
                          "sharpness: 1 is as sharp as the photo; BRISQUE: no-reference "
                          "naturalness (lower looks more natural)"));
    auto* tableLabel = new QLabel(tr("&Held-out photos, measured by shiftsr-cli eval:"), this);
    tableLabel->setBuddy(table_);

    commandEdit_ = new QLineEdit(this);
    commandEdit_->setObjectName(QStringLiteral("evalCommand"));
    commandEdit_->setReadOnly(true);
    commandEdit_->setToolTip(tr("The same evaluation from a terminal"));
    auto* commandLabel = new QLabel(tr("Co&mmand:"), this);
    commandLabel->setBuddy(commandEdit_);
    evalButton_ = new QPushButton(tr("&Evaluate Again"), this);
    evalButton_->setObjectName(QStringLiteral("evalButton"));
    evalButton_->setEnabled(false);
    connect(evalButton_, &QPushButton::clicked, this, &FinishPage::startEval);

    auto* installRow = new QHBoxLayout;
    installRow->addWidget(installLabel_, 1);
    installRow->addWidget(compareButton_);
    auto* commandRow = new QHBoxLayout;
    commandRow->addWidget(commandLabel);
    commandRow->addWidget(commandEdit_, 1);
    commandRow->addWidget(evalButton_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(installRow);
    layout->addSpacing(8);
    layout->addWidget(tableLabel);
    layout->addWidget(table_, 1);
    layout->addWidget(evalStatus_);
    layout->addWidget(evalProgress_);
    layout->addLayout(commandRow);

    // Finish (or Cancel) closes the wizard: an evaluation still running has no one to show it to.
    connect(wizard, &QDialog::finished, this, &FinishPage::stopEval);
}

FinishPage::~FinishPage() {
    stopEval();
}

void FinishPage::initializePage() {
    const DistilSetup& s = wizard_->setup();
    setSubTitle(s.yonos() ? tr("The YONOS-SR student is installed in your model folder and "
                               "compared with the multi-step model on a held-out photo in the "
                               "main window.")
                          : tr("The student is installed in your model folder and compared with "
                               "its teacher on a held-out photo in the main window."));
    if (wizardSession(wizard_) == session_ && installedFor_ == s.runFolder)
        return;
    reset();
    session_ = wizardSession(wizard_);
    installedFor_ = s.runFolder;
    if (s.studentSpec.isEmpty() || !QFileInfo::exists(s.studentSpec)) {
        install();
        return;
    }
    // A run reopened after its student was installed: nothing is installed twice.
    if (!wizard_->registry().find(s.studentSpec))
        wizard_->registry().refresh();
    installLabel_->setText(
        tr("The student is installed: %1").arg(QDir::toNativeSeparators(s.studentSpec)));
    compareButton_->setEnabled(true);
    QString error;
    const QStringList arguments = evalArguments(&error);
    if (!arguments.isEmpty())
        showCommand(cliProgram(), arguments);
    if (!showReport(QDir(evalFolder()).filePath(QStringLiteral("report.json"))))
        startEval();
    else
        evalButton_->setEnabled(true);
}

void FinishPage::reset() {
    stopEval();
    installLabel_->clear();
    compareButton_->setEnabled(false);
    evalStatus_->clear();
    evalProgress_->hide();
    table_->setRowCount(0);
    commandEdit_->clear();
    evalButton_->setEnabled(false);
}

void FinishPage::install() {
    const DistilSetup& s = wizard_->setup();
    const QString source = finalPackage(s); // YONOS-SR: its last stage's, the decoder's
    if (!QFileInfo::exists(source)) {
        installLabel_->setText(tr("The run has no model.safetensors: it has not finished."));
        return;
    }
    const ModelEntry* teacher = wizard_->registry().find(s.teacherSpec);
    // What the wizard knows beyond the trainer's own provenance (the teacher's name and hash, the
    // run's data): where the photos came from and what was chosen.
    QJsonObject wizard{{QStringLiteral("photo_folders"), QJsonArray::fromStringList(s.folders)},
                       {QStringLiteral("photos"), int(s.photos.size())},
                       {QStringLiteral("held_out"), int(s.heldOut.size())},
                       {QStringLiteral("method"), s.method},
                       {QStringLiteral("preset"), s.preset},
                       {QStringLiteral("run_folder"), s.runFolder}};
    if (s.yonos()) {
        // YONOS-SR's teacher is its own (the trainer's provenance names it): what was chosen here
        // is the codec, the packages given and the model it is compared with.
        wizard.insert(QStringLiteral("codec"), s.codec);
        wizard.insert(QStringLiteral("autoencoder"), s.autoencoderFile);
        wizard.insert(QStringLiteral("init"), s.yonosInitSpec);
        wizard.insert(QStringLiteral("compared_with"), s.teacherSpec);
    } else {
        wizard.insert(QStringLiteral("teacher_spec"), s.teacherSpec);
        wizard.insert(QStringLiteral("teacher_name"), teacher ? teacher->displayName : QString());
        wizard.insert(QStringLiteral("teacher_fine_tuned"), s.fineTuneTeacher);
    }
    const QJsonObject provenance{{QStringLiteral("wizard"), wizard}};
    const QString folder = wizard_->registry().modelFolder();
    const QString stem = packageStem(s.name.isEmpty() ? QFileInfo(s.runFolder).fileName() : s.name);
    installing_ = true;
    Q_EMIT completeChanged();
    installLabel_->setText(
        tr("Installing the student in %1…").arg(QDir::toNativeSeparators(folder)));
    auto path = std::make_shared<QString>();
    auto error = std::make_shared<QString>();
    QThread* thread = QThread::create(
        [=] { *path = installPackage(source, folder, stem, provenance, error.get()); });
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    connect(thread, &QThread::finished, this, [this, path, error] { onInstalled(*path, *error); });
    thread->start();
}

void FinishPage::onInstalled(const QString& path, const QString& error) {
    installing_ = false;
    Q_EMIT completeChanged();
    if (path.isEmpty()) {
        installLabel_->setText(tr("The student could not be installed: %1").arg(error));
        return;
    }
    DistilSetup& s = wizard_->setup();
    s.studentSpec = path;
    wizard_->registry().refresh();
    QString notesError;
    saveSetupNotes(s, &notesError); // a reopened run then finds its student (not fatal if not)
    const ModelEntry* e = wizard_->registry().find(path);
    installLabel_->setText(tr("Installed “%1” as %2.")
                               .arg(e ? e->displayName : s.name, QDir::toNativeSeparators(path)));
    compareButton_->setEnabled(true);
    requestComparison();
    startEval();
}

void FinishPage::requestComparison() {
    const DistilSetup& s = wizard_->setup();
    const QString photo = s.heldOut.isEmpty() ? s.photos.value(0) : s.heldOut.first();
    if (photo.isEmpty() || s.studentSpec.isEmpty() || s.teacherSpec.isEmpty())
        return;
    Q_EMIT wizard_->compareRequested(photo, s.studentSpec, s.teacherSpec);
}

// The run's held-out photos as one folder for `eval --data`: the trainer's own split when the
// run folder has it, else links made here.
QString FinishPage::heldOutFolder(QString* error) const {
    const DistilSetup& s = wizard_->setup();
    const QString split = runFile(s.runFolder, QStringLiteral("data/heldout"));
    if (QFileInfo(split).isDir())
        return split;
    const QString own = QDir(evalFolder()).filePath(QStringLiteral("photos"));
    if (QFileInfo(own).isDir())
        return own;
    if (s.heldOut.isEmpty() || !QDir().mkpath(own)) {
        *error = tr("the run has no held-out photos");
        return {};
    }
    for (int i = 0; i < s.heldOut.size(); ++i)
        QFile::link(s.heldOut[i], QDir(own).filePath(QStringLiteral("%1-%2").arg(i).arg(
                                      QFileInfo(s.heldOut[i]).fileName())));
    return own;
}

// The largest centre crop every held-out photo has (eval skips smaller photos), at most 256 px.
int FinishPage::evalCrop() const {
    int side = 256;
    for (const QString& photo : wizard_->setup().heldOut) {
        const QSize size = QImageReader(photo).size();
        if (size.isValid())
            side = std::min({side, size.width(), size.height()});
    }
    return std::max(16, side / 4 * 4);
}

QStringList FinishPage::evalArguments(QString* error) const {
    const DistilSetup& s = wizard_->setup();
    const QString data = heldOutFolder(error);
    if (data.isEmpty())
        return {};
    const ModelRegistry& registry = wizard_->registry();
    // LABEL=MODEL: the labels name the rows; eval splits at the first '='.
    const auto labelled = [&registry](const QString& fallback, const QString& spec) {
        const ModelEntry* e = registry.find(spec);
        QString label = e ? e->displayName : fallback;
        label.replace(QLatin1Char('='), QLatin1Char('-'));
        return label + QLatin1Char('=') + spec;
    };
    // The degradation the student was trained on makes the inputs (the job's data.degradation).
    const QString degradation = QJsonDocument::fromJson(finalJobJson(s).toUtf8())
                                    .object()
                                    .value(QLatin1String("data"))
                                    .toObject()
                                    .value(QLatin1String("degradation"))
                                    .toString(QStringLiteral("realesrgan"));
    QStringList arguments{QStringLiteral("eval"),
                          QStringLiteral("--data"),
                          data,
                          QStringLiteral("--crop"),
                          QString::number(evalCrop()),
                          QStringLiteral("--degradation"),
                          degradation,
                          QStringLiteral("--report"),
                          evalFolder(),
                          labelled(s.name.isEmpty() ? tr("New student") : s.name, s.studentSpec)};
    const QString embedded = QStringLiteral("embedded:lite-rsd");
    const ModelEntry* e = registry.find(embedded);
    if (e && e->error.isEmpty() && embedded != s.studentSpec)
        arguments << labelled(tr("Embedded student"), embedded);
    if (!s.teacherSpec.isEmpty())
        arguments << labelled(s.yonos() ? tr("Multi-step model") : tr("Teacher"), s.teacherSpec);
    return arguments;
}

void FinishPage::startEval() {
    stopEval();
    table_->setRowCount(0);
    evalErrors_.clear();
    const QString program = cliProgram();
    QString error;
    const QStringList arguments = evalArguments(&error);
    if (arguments.isEmpty()) {
        evalStatus_->setText(tr("No evaluation: %1").arg(error));
        return;
    }
    showCommand(program, arguments);
    if (program.isEmpty()) {
        evalStatus_->setText(tr("shiftsr-cli was not found beside the app or on the PATH (or in "
                                "$SHIFTSR_CLI): run the command above from a terminal."));
        evalButton_->setEnabled(true);
        return;
    }
    QFile::remove(QDir(evalFolder()).filePath(QStringLiteral("report.json")));
    eval_ = new QProcess(this);
    eval_->setObjectName(QStringLiteral("evalProcess"));
    eval_->setProgram(program);
    eval_->setArguments(arguments);
    connect(eval_, &QProcess::readyReadStandardError, this, &FinishPage::onEvalOutput);
    connect(eval_, &QProcess::finished, this, &FinishPage::onEvalFinished);
    connect(eval_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            onEvalFinished(-1, QProcess::CrashExit);
    });
    const int photos = int(QDir(arguments.value(2)).entryList(QDir::Files).size());
    evalProgress_->setRange(0, std::max(1, photos));
    evalProgress_->setValue(0);
    evalProgress_->setFormat(tr("%v of %m photos"));
    evalProgress_->show();
    evalStatus_->setText(tr("Evaluating on the held-out photos (every model upscales each photo; "
                            "the multi-step teacher takes longest)…"));
    evalButton_->setEnabled(false);
    eval_->start();
}

void FinishPage::stopEval() {
    if (!eval_)
        return;
    QProcess* p = eval_;
    eval_ = nullptr;
    p->disconnect(this);
    if (p->state() != QProcess::NotRunning) {
        p->kill();
        p->waitForFinished(2000);
    }
    p->deleteLater();
    evalProgress_->hide();
}

void FinishPage::onEvalOutput() {
    static const QRegularExpression progress(QStringLiteral("(\\d+)/(\\d+) photos"));
    const QString text = QString::fromLocal8Bit(eval_->readAllStandardError());
    QRegularExpressionMatchIterator it = progress.globalMatch(text);
    QRegularExpressionMatch last;
    while (it.hasNext())
        last = it.next();
    if (last.hasMatch()) {
        evalProgress_->setRange(0, last.captured(2).toInt());
        evalProgress_->setValue(last.captured(1).toInt());
    }
    QString rest = text;
    rest.remove(progress);
    rest.remove(QLatin1Char('\r'));
    if (!rest.trimmed().isEmpty())
        evalErrors_ += rest;
}

void FinishPage::onEvalFinished(int exitCode, QProcess::ExitStatus status) {
    if (!eval_)
        return;
    onEvalOutput();
    const QString errors = evalErrors_.trimmed();
    eval_->deleteLater();
    eval_ = nullptr;
    evalProgress_->hide();
    evalButton_->setEnabled(true);
    const QString report = QDir(evalFolder()).filePath(QStringLiteral("report.json"));
    if (status != QProcess::NormalExit || exitCode != 0 || !showReport(report)) {
        evalStatus_->setText(tr("The evaluation failed: %1")
                                 .arg(errors.isEmpty() ? tr("no report was written") : errors));
        return;
    }
    evalStatus_->setText(tr("Report with a contact sheet: %1")
                             .arg(QDir::toNativeSeparators(
                                 QDir(evalFolder()).filePath(QStringLiteral("report.md")))));
}

void FinishPage::showCommand(const QString& program, const QStringList& arguments) {
    commandEdit_->setText(
        shellCommand(program.isEmpty() ? QStringLiteral("shiftsr-cli") : program, arguments));
    commandEdit_->setCursorPosition(0); // the program and its options first
}

bool FinishPage::showReport(const QString& path) {
    const QJsonObject report = readJsonFile(path);
    const QJsonArray methods = report.value(QStringLiteral("methods")).toArray();
    if (methods.isEmpty())
        return false;
    const QLocale locale;
    const auto number = [&locale](const QJsonValue& v, int decimals) {
        return v.isDouble() ? locale.toString(v.toDouble(), 'f', decimals) : QStringLiteral("–");
    };
    table_->setRowCount(int(methods.size()));
    for (int row = 0; row < methods.size(); ++row) {
        const QJsonObject m = methods[row].toObject();
        const QStringList cells{m.value(QStringLiteral("name")).toString(),
                                number(m.value(QStringLiteral("psnr_y")), 2),
                                number(m.value(QStringLiteral("ssim_y")), 4),
                                number(m.value(QStringLiteral("sharpness")), 3),
                                number(m.value(QStringLiteral("brisque")), 2),
                                number(m.value(QStringLiteral("seconds_per_image")), 2)};
        for (int col = 0; col < cells.size(); ++col) {
            auto* item = new QTableWidgetItem(cells[col]);
            if (col > 0)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            table_->setItem(row, col, item);
        }
    }
    table_->resizeColumnsToContents();
    return true;
}

} // namespace

QWizardPage* makeRunPage(DistilWizard* wizard) {
    return new RunPage(wizard);
}

QWizardPage* makeFinishPage(DistilWizard* wizard) {
    return new FinishPage(wizard);
}

} // namespace shiftsr::gui

#include "distil_pages_run.moc"
