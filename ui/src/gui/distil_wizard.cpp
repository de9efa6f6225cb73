// DistilWizard: the six pages in order, and reconnecting to a run folder from its notes.
#include "shiftsr/gui/distil_wizard.h"

#include "distil_pages.h"
#include "distil_support.h"

#include "shiftsr/gui/model_registry.h"
#include "shiftsr/gui/training_run.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include <algorithm>

namespace shiftsr::gui {

namespace {

// The pages keep what they did for one session (the run followed, the student installed) across
// Back and Next; a new session (other folders, another run) makes them start over.
void beginSession(QWizard* wizard) {
    wizard->setProperty("distilSession", wizard->property("distilSession").toInt() + 1);
}

} // namespace

DistilWizard::DistilWizard(ModelRegistry& registry, QWidget* parent)
    : QWizard(parent), registry_(registry) {
    setObjectName(QStringLiteral("distilWizard"));
    setWindowTitle(tr("Distil a One-Step Model"));
    // A run takes hours: the wizard is a window beside the main one, not a modal dialog.
    setModal(false);
    setWindowModality(Qt::NonModal);
    setOption(QWizard::NoBackButtonOnLastPage);
    setOption(QWizard::NoCancelButtonOnLastPage);
    setPage(PhotosPage, makePhotosPage(this));
    setPage(TeacherPage, makeTeacherPage(this));
    setPage(MethodPage, makeMethodPage(this));
    setPage(BudgetPage, makeBudgetPage(this));
    setPage(RunPage, makeRunPage(this));
    setPage(FinishPage, makeFinishPage(this));
    setStartId(PhotosPage);
    resize(980, 720);
}

DistilWizard::~DistilWizard() = default;

QString DistilWizard::defaultRunRoot() {
    return QDir(appDataFolder()).filePath(QStringLiteral("runs"));
}

void DistilWizard::startWithFolders(const QStringList& folders) {
    setup_ = DistilSetup();
    for (const QString& f : folders)
        setup_.folders << QFileInfo(f).absoluteFilePath();
    beginSession(this);
    setStartId(PhotosPage);
    restart(); // the Photos page scans what setup_ holds as it is shown
}

bool DistilWizard::openRun(const QString& runFolder, QString* error) {
    const QString folder = QFileInfo(runFolder).absoluteFilePath();
    TrainingRun run(folder);
    // A run started with shiftsr-train by hand has no notes: its job is all there is to show. A
    // YONOS-SR run has its jobs in its stages' folders: its notes say what it is.
    DistilSetup s = setupFromJson(run.notes().value(QLatin1String(kNotesSetupKey)).toObject());
    if (!QFileInfo::exists(QDir(folder).filePath(QStringLiteral("job.json"))) &&
        !(s.yonos() && !s.stageJobs.isEmpty())) {
        if (error)
            *error = tr("%1 is not a run folder of the distillation wizard (it has no job.json).")
                         .arg(QDir::toNativeSeparators(folder));
        return false;
    }
    s.runFolder = folder;
    if (s.name.isEmpty())
        s.name = QFileInfo(folder).fileName();
    setup_ = s;
    beginSession(this);
    setStartId(RunPage); // Back has nowhere to go: the run's setup is decided
    restart();
    setStartId(PhotosPage);
    return true;
}

bool DistilWizard::isTraining() const {
    const QList<TrainingRun*> runs = findChildren<TrainingRun*>();
    return std::any_of(runs.begin(), runs.end(), [](const TrainingRun* r) {
        return r->state() == TrainingRun::State::Running;
    });
}

QString DistilWizard::currentRunFolder() const {
    // The Run page says which folder it follows (a YONOS-SR run's stages are in sub-folders).
    return page(RunPage)->property("runFolder").toString();
}

void DistilWizard::stopTraining() {
    for (TrainingRun* r : findChildren<TrainingRun*>())
        if (r->state() == TrainingRun::State::Running)
            r->stop();
}

} // namespace shiftsr::gui
