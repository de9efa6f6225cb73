// MainWindow and the distillation wizard: opening it (first offering the runs that can be
// continued), the one-step vs multi-step comparison it asks for, and closing the app while it
// trains.
#include "shiftsr/gui/main_window.h"

#include "distil_support.h"

#include "shiftsr/gui/distil_wizard.h"
#include "shiftsr/gui/model_registry.h"
#include "shiftsr/gui/training_run.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace shiftsr::gui {

namespace {

// The run folders under the wizard's run root that are training or stopped, newest first, each
// with a line that says what it is ("Birds — stopped at step 1200 of 3000").
QList<QPair<QString, QString>> continuableRuns() {
    QList<QPair<QString, QString>> out;
    for (const QString& folder : TrainingRun::findRuns(DistilWizard::defaultRunRoot())) {
        QString stageText; // a YONOS-SR run: which of its stages
        const QString stageFolder = activeStageFolder(folder, &stageText);
        TrainingRun run(stageFolder);
        run.refresh();
        TrainingRun::State state = run.state();
        if (state == TrainingRun::State::Empty && stageFolder != folder)
            state = TrainingRun::State::Stopped; // between two stages: the next has not started
        if (state != TrainingRun::State::Running && state != TrainingRun::State::Stopped)
            continue;
        QString name = TrainingRun(folder)
                           .notes()
                           .value(QLatin1String(kNotesSetupKey))
                           .toObject()
                           .value(QStringLiteral("name"))
                           .toString();
        if (name.isEmpty())
            name = QFileInfo(folder).fileName();
        name += stageText;
        const int step = run.log().lastStep;
        const int planned = run.plannedSteps();
        out.append(
            {folder,
             state == TrainingRun::State::Running
                 ? MainWindow::tr("%1 — training, step %2 of %3").arg(name).arg(step).arg(planned)
                 : MainWindow::tr("%1 — stopped at step %2 of %3")
                       .arg(name)
                       .arg(step)
                       .arg(planned)});
    }
    return out;
}

} // namespace

DistilWizard* MainWindow::ensureDistilWizard() {
    if (distilWizard_)
        return distilWizard_;
    // A window of its own beside this one, destroyed with it.
    distilWizard_ = new DistilWizard(*registry_, this);
    connect(distilWizard_, &DistilWizard::compareRequested, this, &MainWindow::compareModels);
    connect(distilWizard_, &QDialog::finished, this, [this] {
        // A wizard whose run trains stays (hidden): it follows the run, Distil shows it again and
        // closing the app asks about it. Otherwise the next Distil starts afresh.
        if (distilWizard_ && !distilWizard_->isTraining()) {
            distilWizard_->deleteLater();
            distilWizard_ = nullptr;
        }
    });
    return distilWizard_;
}

void MainWindow::showDistilWizard() {
    Q_EMIT distilWizardRequested();
    if (!distilWizard_) {
        const QList<QPair<QString, QString>> runs = continuableRuns();
        if (!runs.isEmpty()) {
            showDistilRunChooser(runs);
            return;
        }
    }
    DistilWizard* wizard = ensureDistilWizard();
    wizard->show();
    wizard->raise();
    wizard->activateWindow();
}

void MainWindow::distilFolders(const QStringList& folders) {
    if (distilWizard_ && distilWizard_->isTraining()) {
        statusBar()->showMessage(tr(
            "A distillation run is training: stop it or let it finish before starting another."));
    } else {
        ensureDistilWizard()->startWithFolders(folders);
    }
    distilWizard_->show();
    distilWizard_->raise();
    distilWizard_->activateWindow();
}

void MainWindow::distilRun(const QString& runFolder) {
    DistilWizard* wizard = ensureDistilWizard();
    QString error;
    if (!wizard->openRun(runFolder, &error))
        statusBar()->showMessage(error);
    wizard->show();
    wizard->raise();
    wizard->activateWindow();
}

// "Continue run X / Start a new distillation": small, and only when there is a run to continue.
void MainWindow::showDistilRunChooser(const QList<QPair<QString, QString>>& runs) {
    auto* dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("distilRunChooser"));
    dialog->setWindowTitle(tr("Distil a One-Step Model"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto* list = new QListWidget(dialog);
    list->setObjectName(QStringLiteral("runList"));
    for (const auto& [folder, text] : runs) {
        auto* item = new QListWidgetItem(text, list);
        item->setData(Qt::UserRole, folder);
        item->setToolTip(QDir::toNativeSeparators(folder));
    }
    list->setCurrentRow(0);
    auto* label = new QLabel(tr("&Runs that can be continued:"), dialog);
    label->setBuddy(list);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, dialog);
    QPushButton* resume = buttons->addButton(tr("&Continue Run"), QDialogButtonBox::AcceptRole);
    resume->setObjectName(QStringLiteral("continueRunButton"));
    resume->setDefault(true);
    QPushButton* fresh =
        buttons->addButton(tr("Start a &New Distillation"), QDialogButtonBox::ActionRole);
    fresh->setObjectName(QStringLiteral("newDistillationButton"));
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(label);
    layout->addWidget(list);
    layout->addWidget(buttons);
    const auto continueRun = [this, dialog, list] {
        const QListWidgetItem* item = list->currentItem();
        const QString folder = item ? item->data(Qt::UserRole).toString() : QString();
        dialog->accept();
        if (!folder.isEmpty())
            distilRun(folder);
    };
    connect(resume, &QPushButton::clicked, dialog, continueRun);
    connect(list, &QListWidget::itemActivated, dialog, continueRun);
    connect(fresh, &QPushButton::clicked, dialog, [this, dialog] {
        dialog->accept();
        DistilWizard* wizard = ensureDistilWizard();
        wizard->show();
        wizard->raise();
        wizard->activateWindow();
    });
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    dialog->resize(520, 260);
    dialog->open();
}

void MainWindow::announceDistilRuns() {
    const int n = int(continuableRuns().size());
    if (n > 0)
        statusBar()->showMessage(
            tr("%n distillation run(s) can be continued: Tools > Distil a One-Step Model…", nullptr,
               n));
}

void MainWindow::compareModels(const QString& photo, const QString& studentSpec,
                               const QString& teacherSpec) {
    pendingComparison_ =
        PendingComparison{QFileInfo(photo).absoluteFilePath(), studentSpec, teacherSpec};
    show();
    raise();
    activateWindow();
    openFile(photo); // the comparison starts once it is open (and a cancelled run has ended)
}

void MainWindow::startPendingComparison() {
    if (!pendingComparison_ || loadTicket_ != 0 || input_.isNull() || isBusy())
        return;
    const PendingComparison p = *pendingComparison_;
    pendingComparison_.reset();
    if (QFileInfo(input_.path).absoluteFilePath() != p.photo)
        return; // another file was opened meanwhile
    // A large photo is compared on its centre, at most kLargeRegionPixels: the comparison is a
    // first look (seconds), not a whole-photo upscale by two models (minutes on a CPU); the
    // selection shows where, and Compare runs the whole photo on request.
    const QSize size = inputSize();
    QRect region;
    if (qint64(size.width()) * size.height() > kLargeRegionPixels) {
        const int side = int(std::sqrt(double(kLargeRegionPixels)));
        region = QRect(0, 0, std::min(side, size.width()), std::min(side, size.height()));
        region.moveCenter(QRect(QPoint(), size).center());
        setSelection(region);
    }
    setModelSpec(p.student); // the new student on the toolbar: its pane is the one Save writes
    startComparison(p.teacher, p.student, region);
}

bool MainWindow::askAboutTraining() {
    if (trainingAnswered_ || !distilWizard_ || !distilWizard_->isTraining())
        return true;
    if (trainingQuestion_) {
        trainingQuestion_->raise();
        return false;
    }
    auto* box = new QMessageBox(QMessageBox::Question, tr("Close ShiftSR"),
                                tr("A distillation run is training."), QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("trainingQuestion"));
    box->setInformativeText(
        tr("It can go on in the background: the next start of ShiftSR offers to follow it again. "
           "Stopping writes a checkpoint first, so the run can be resumed later."));
    QPushButton* keep =
        box->addButton(tr("&Keep Training in the Background"), QMessageBox::AcceptRole);
    keep->setObjectName(QStringLiteral("keepTrainingButton"));
    QPushButton* stop = box->addButton(tr("&Stop Training"), QMessageBox::DestructiveRole);
    stop->setObjectName(QStringLiteral("stopTrainingButton"));
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(keep);
    box->setAttribute(Qt::WA_DeleteOnClose);
    trainingQuestion_ = box;
    connect(box, &QMessageBox::finished, this, [this, box, keep, stop] {
        trainingQuestion_ = nullptr;
        if (box->clickedButton() == stop && distilWizard_)
            distilWizard_->stopTraining(); // the trainer checkpoints and exits on its own
        else if (box->clickedButton() != keep)
            return; // Cancel: the window stays
        trainingAnswered_ = true;
        close();
    });
    box->open();
    return false;
}

} // namespace shiftsr::gui
