// The distillation wizard end to end on the offscreen platform, with the built trainer and CLI: a
// real tiny run through every page (the process, its log in the charts, the sample sheet, the
// student installed and registered, the comparison in the main window, `shiftsr-cli eval`), Back
// without a second run, stop and resume (the page's buttons, the question on closing the app, the
// runs offered at the next start), and a run folder reopened with its whole history.
#include "distil_pages.h"
#include "distil_plan.h"
#include "distil_support.h"
#include "gui_testutil.h"
#include "training_charts.h"

#include "shiftsr/engine/safetensors.h"
#include "shiftsr/gui/app_settings.h"
#include "shiftsr/gui/distil_wizard.h"
#include "shiftsr/gui/main_window.h"
#include "shiftsr/gui/model_registry.h"
#include "shiftsr/gui/training_run.h"
#include "shiftsr/training/job.h"
#include "shiftsr/ui/compare_view.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QWizardPage>
#include <QtTest>

#include <algorithm>
#include <memory>

using namespace shiftsr;
using namespace shiftsr::gui;

namespace {

constexpr char kTiny[] = "embedded:test-tiny";
constexpr int kRunMs = 180000; // only against hangs: no test asserts on time

// A photo-like PNG: smooth colour fields with a seeded texture, so no two are alike.
void writePhoto(const QString& path, int side, quint32 seed) {
    QImage image(side, side, QImage::Format_RGB888);
    QRandomGenerator rng(seed);
    const int r0 = rng.bounded(256), g0 = rng.bounded(256), b0 = rng.bounded(256);
    for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x)
            image.setPixel(x, y,
                           qRgb((r0 + 2 * x + rng.bounded(24)) % 256,
                                (g0 + 2 * y + rng.bounded(24)) % 256, (b0 + x + y) % 256));
    QVERIFY(image.save(path));
}

bool nextEnabled(QWizard* wizard) {
    return wizard->button(QWizard::NextButton)->isEnabled();
}

QString pageText(QWizard* wizard, const char* label) {
    const auto* l = wizard->currentPage()->findChild<QLabel*>(QLatin1String(label));
    return l ? l->text() : QString();
}

// The points the charts should hold for `log`: every loss and validation series.
int logPoints(const TrainingLog& log) {
    int n = 0;
    for (const QStringList& names :
         {TrainingCharts::chartedLosses(log), TrainingCharts::chartedValidation(log)})
        for (const QString& name : names)
            n += int(log.series.value(name).size());
    return n;
}

QJsonObject provenance(const QString& package) {
    auto file = SafeTensorsFile::open(package.toStdString());
    if (!file)
        return {};
    const auto it = file->metadata().find("provenance");
    return it == file->metadata().end()
               ? QJsonObject()
               : QJsonDocument::fromJson(QByteArray::fromStdString(it->second)).object();
}

} // namespace

class TestDistilWizard : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString photos_;      // 12 photos of 128 x 128
    QString finishedRun_; // endToEnd's run folder
    int finishedPoints_ = 0;
    QString finishedYonosRun_; // yonosEndToEnd's

    QString modelFolder() const { return tmp_.filePath(QStringLiteral("models")); }

    // From the Photos page (startWithFolders done) through Teacher (the tiny test model), Method
    // (the tiny preset, `name`) and Budget (its trial measured) to the Run page.
    static void throughSetupPages(DistilWizard* wizard, const QString& name, bool yonos = false) {
        QCOMPARE(wizard->currentId(), int(DistilWizard::PhotosPage));
        QTRY_VERIFY_WITH_TIMEOUT(nextEnabled(wizard), 30000);
        QCOMPARE(wizard->setup().photos.size(), 12);
        QCOMPARE(wizard->setup().heldOut.size(), 3);
        wizard->next();

        QCOMPARE(wizard->currentId(), int(DistilWizard::TeacherPage));
        auto* teacher = wizard->currentPage()->findChild<QComboBox*>(QStringLiteral("teacher"));
        QVERIFY(teacher);
        teacher->setCurrentIndex(teacher->findData(QLatin1String(kTiny)));
        QCOMPARE(wizard->setup().teacherSpec, QLatin1String(kTiny));
        QVERIFY(nextEnabled(wizard));
        wizard->setup().name = name; // the Method page proposes a name only when there is none
        wizard->next();

        QCOMPARE(wizard->currentId(), int(DistilWizard::MethodPage));
        if (yonos) {
            wizard->currentPage()->findChild<QRadioButton*>(QStringLiteral("yonos"))->click();
            QCOMPARE(wizard->setup().method, QStringLiteral("yonos"));
        }
        auto* tiny = wizard->currentPage()->findChild<QRadioButton*>(QStringLiteral("preset-tiny"));
        QVERIFY(tiny);
        tiny->click();
        QCOMPARE(wizard->setup().preset, QStringLiteral("tiny"));
        QTRY_VERIFY(nextEnabled(wizard));
        wizard->next();

        QCOMPARE(wizard->currentId(), int(DistilWizard::BudgetPage));
        QTRY_VERIFY_WITH_TIMEOUT(nextEnabled(wizard), kRunMs);
        QVERIFY(wizard->setup().secondsPerStep > 0);
        wizard->next();
        QCOMPARE(wizard->currentId(), int(DistilWizard::RunPage));
    }

    // A run folder of the tiny preset's job with `steps` steps (and the teacher's fine-tuning
    // first), prepared as the Run page prepares one, with the setup the deciding pages make.
    QString preparedRun(ModelRegistry& registry, const QString& name, int steps, bool fineTune) {
        DistilSetup s;
        s.folders = {photos_};
        for (const QString& p :
             QDir(photos_).entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name))
            s.photos << QDir(photos_).filePath(p);
        s.heldOut = proposeHeldOut(s.photos, s.splitSeed);
        s.teacherSpec = QLatin1String(kTiny);
        s.preset = QStringLiteral("tiny");
        s.name = name;
        s.fineTuneTeacher = fineTune;
        const ModelEntry* teacher = registry.find(s.teacherSpec);
        if (!teacher)
            return {};
        JobPlan plan;
        plan.preset = s.preset;
        plan.crop = teacherCropSize(*teacher);
        plan.heldOut = int(s.heldOut.size());
        plan.name = name;
        plan.fineTune = fineTune;
        training::TrainJob job = rsdJob(plan);
        job.steps = steps;
        job.checkpointEvery = job.validateEvery = 4;
        s.jobJson = QString::fromStdString(job.toJson());
        if (fineTune)
            s.teacherJobJson = QString::fromStdString(fineTuneJob(plan, *teacher).toJson());
        s.runFolder = QDir(DistilWizard::defaultRunRoot()).filePath(packageStem(name));
        QString error;
        if (!prepareRunFolder(s, registry, &error) || !saveSetupNotes(s, &error)) {
            qWarning("%s", qPrintable(error));
            return {};
        }
        return s.runFolder;
    }

    // A YONOS-SR run folder of the tiny preset (the teacher stage with `teacherSteps` steps),
    // prepared as the Run page prepares one, with the setup the deciding pages make.
    QString preparedYonosRun(ModelRegistry& registry, const QString& name, int teacherSteps) {
        DistilSetup s;
        s.folders = {photos_};
        for (const QString& p :
             QDir(photos_).entryList({QStringLiteral("*.png")}, QDir::Files, QDir::Name))
            s.photos << QDir(photos_).filePath(p);
        s.heldOut = proposeHeldOut(s.photos, s.splitSeed);
        s.teacherSpec = QLatin1String(kTiny);
        s.method = QStringLiteral("yonos");
        s.preset = QStringLiteral("tiny");
        s.name = name;
        YonosPlan plan;
        plan.preset = s.preset;
        plan.heldOut = int(s.heldOut.size());
        plan.name = name;
        s.stageJobs = yonosJobs(plan);
        training::TrainJob teacher = yonosJob(plan, QStringLiteral("teacher"));
        teacher.steps = teacherSteps;
        teacher.checkpointEvery = teacher.validateEvery = std::max(1, teacherSteps / 2);
        s.stageJobs[1] = QString::fromStdString(teacher.toJson());
        s.runFolder = QDir(DistilWizard::defaultRunRoot()).filePath(packageStem(name));
        QString error;
        if (!prepareRunFolder(s, registry, &error) || !saveSetupNotes(s, &error)) {
            qWarning("%s", qPrintable(error));
            return {};
        }
        return s.runFolder;
    }

    static TrainingRun* stageRun(QWidget* wizard, const char* stage) {
        return wizard->findChild<TrainingRun*>(QStringLiteral("yonosRun-") + QLatin1String(stage));
    }

private Q_SLOTS:
    void initTestCase() {
        if (TrainingRun::trainerProgram().isEmpty() || cliProgram().isEmpty())
            QSKIP("SHIFTSR_TRAIN and SHIFTSR_CLI are not set (ctest sets them to the built "
                  "programs)");
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ShiftSR-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_distilwizard"));
        QVERIFY(tmp_.isValid());
        photos_ = tmp_.filePath(QStringLiteral("photos"));
        QVERIFY(QDir().mkpath(photos_));
        for (int i = 0; i < 12; ++i)
            writePhoto(QStringLiteral("%1/p%2.png").arg(photos_).arg(i, 2, 10, QLatin1Char('0')),
                       128, quint32(i + 1));
        QVERIFY(QDir().mkpath(modelFolder()));
        QDir(DistilWizard::defaultRunRoot()).removeRecursively();
    }

    void init() { testutil::resetAppSettings(modelFolder()); }

    // No trainer of these tests outlives them.
    void cleanupTestCase() {
        for (const QString& folder : TrainingRun::findRuns(DistilWizard::defaultRunRoot())) {
            TrainingRun run(activeStageFolder(folder));
            run.refresh();
            if (run.state() == TrainingRun::State::Running && run.stop())
                QTRY_VERIFY_WITH_TIMEOUT(
                    (run.refresh(), run.state() != TrainingRun::State::Running), kRunMs);
        }
    }

    void helpers() {
        QCOMPARE(packageStem(QStringLiteral("Birds one-step (RSD)")),
                 QStringLiteral("Birds-one-step-RSD"));
        QCOMPARE(packageStem(QStringLiteral("../..")), QStringLiteral("student"));
        QCOMPARE(packageStem(QStringLiteral("Vögel")), QStringLiteral("V-gel"));
        QCOMPARE(shellCommand(QStringLiteral("shiftsr-cli"),
                              {QStringLiteral("eval"), QStringLiteral("A b=/x/it's")}),
                 QStringLiteral("shiftsr-cli eval 'A b=/x/it'\\''s'"));

        DistilSetup s;
        s.folders = {QStringLiteral("/a"), QStringLiteral("/b")};
        s.heldOut = {QStringLiteral("/a/1.png")};
        s.splitSeed = 18446744073709551557ull; // more than a JSON number holds exactly
        s.fineTuneTeacher = true;
        s.name = QStringLiteral("N");
        s.secondsPerStep = 1.5;
        const DistilSetup back = setupFromJson(setupToJson(s));
        QCOMPARE(back.folders, s.folders);
        QCOMPARE(back.heldOut, s.heldOut);
        QCOMPARE(back.splitSeed, s.splitSeed);
        QCOMPARE(back.fineTuneTeacher, true);
        QCOMPARE(back.name, s.name);
        QCOMPARE(back.secondsPerStep, 1.5);

        // Installing never replaces a file: the second copy gets a number.
        const QString folder = tmp_.filePath(QStringLiteral("install"));
        const QString source = tmp_.filePath(QStringLiteral("source.safetensors"));
        SafeTensorsWriter writer;
        const float values[2] = {1, 2};
        QVERIFY(writer.add("w", DType::F32, {2}, values, sizeof values).isOk());
        writer.setMetadata("provenance", R"({"teacher":"T"})");
        QVERIFY(writer.write(source.toStdString()).isOk());
        QString error;
        const QJsonObject extra{{QStringLiteral("wizard"),
                                 QJsonObject{{QStringLiteral("preset"), QStringLiteral("quick")}}}};
        const QString first = installPackage(source, folder, QStringLiteral("s"), extra, &error);
        QCOMPARE(first, QDir(folder).filePath(QStringLiteral("s.safetensors")));
        const QString second = installPackage(source, folder, QStringLiteral("s"), extra, &error);
        QCOMPARE(second, QDir(folder).filePath(QStringLiteral("s-2.safetensors")));
        QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden).size(), 2);
        const QJsonObject prov = provenance(second);
        QCOMPARE(prov.value(QStringLiteral("teacher")).toString(), QStringLiteral("T"));
        QCOMPARE(prov.value(QStringLiteral("wizard")).toObject().value(QStringLiteral("preset")),
                 QJsonValue(QStringLiteral("quick")));
    }

    // Keyboard only: one mnemonic per key on the Run and Finish pages, with the wizard's buttons.
    void mnemonicsAreUniqueOnEachPage() {
        ModelRegistry registry(modelFolder());
        DistilWizard wizard(registry);
        QStringList wizardTexts;
        for (auto which : {QWizard::BackButton, QWizard::NextButton, QWizard::FinishButton})
            wizardTexts << wizard.button(which)->text();
        for (auto id : {DistilWizard::RunPage, DistilWizard::FinishPage}) {
            const QStringList texts = wizardTexts + testutil::mnemonicTexts(wizard.page(id));
            const QStringList clashes = testutil::mnemonicClashes(wizard.page(id)->title(), texts);
            QVERIFY2(clashes.isEmpty(), qPrintable(clashes.join(QLatin1Char('\n'))));
            QVERIFY(texts.size() > wizardTexts.size());
        }
    }

    // Tools > Distil through every page to a real run, the student installed and compared.
    void endToEnd() {
        MainWindow w;
        w.show();
        w.distilFolders({photos_});
        DistilWizard* wizard = w.distilWizard();
        QVERIFY(wizard);
        QVERIFY(wizard->isVisible());
        QVERIFY(!wizard->isModal());
        QCOMPARE(wizard->windowTitle(), QStringLiteral("Distil a One-Step Model"));
        throughSetupPages(wizard, QStringLiteral("Tiny E2E"));
        if (QTest::currentTestFailed())
            return;

        auto* run = wizard->findChild<TrainingRun*>(QStringLiteral("distilRun"));
        QVERIFY(run);
        const QString folder = run->folder();
        QCOMPARE(wizard->setup().runFolder, folder);
        QCOMPARE(wizard->currentRunFolder(), folder);
        QVERIFY2(run->state() != TrainingRun::State::Empty,
                 qPrintable(pageText(wizard, "statusLabel")));
        // notes.json says what the wizard chose, so that the folder can be reopened
        const QJsonObject notes =
            TrainingRun(folder).notes().value(QLatin1String(kNotesSetupKey)).toObject();
        QCOMPARE(notes.value(QStringLiteral("name")).toString(), QStringLiteral("Tiny E2E"));
        QCOMPARE(notes.value(QStringLiteral("held_out")).toArray().size(), 3);

        // Back and Next again: the same run, never a second one
        wizard->back();
        QCOMPARE(wizard->currentId(), int(DistilWizard::BudgetPage));
        // The user goes Next again as well: the folder holds the wizard's own run.
        QVERIFY(nextEnabled(wizard));
        wizard->next();
        QCOMPARE(wizard->currentId(), int(DistilWizard::RunPage));
        QCOMPARE(wizard->findChild<TrainingRun*>(QStringLiteral("distilRun")), run);
        QCOMPARE(TrainingRun::findRuns(DistilWizard::defaultRunRoot()), QStringList{folder});

        QTRY_VERIFY_WITH_TIMEOUT(run->state() != TrainingRun::State::Running, kRunMs);
        QVERIFY2(run->state() == TrainingRun::State::Finished, qPrintable(run->failure()));
        QVERIFY(nextEnabled(wizard));
        auto* charts = wizard->findChild<TrainingCharts*>();
        QVERIFY(charts);
        QVERIFY(charts->pointCount() > 0);
        QCOMPARE(charts->pointCount(), logPoints(run->log()));
        QVERIFY(charts->lossNames().contains(QStringLiteral("loss")));
        QVERIFY(charts->validationNames().contains(QStringLiteral("val.psnr_y")));
        QVERIFY(!charts->lossNames().contains(QStringLiteral("steps"))); // a counter, not a loss
        QVERIFY(!charts->validationNames().contains(QStringLiteral("val.images")));
        const int planned = run->plannedSteps();
        QVERIFY(planned > 0);
        auto* progress =
            wizard->currentPage()->findChild<QProgressBar*>(QStringLiteral("stepProgress"));
        QCOMPARE(progress->value(), planned);
        QCOMPARE(progress->text(), QStringLiteral("Step %1 of %1").arg(planned));
        QVERIFY2(pageText(wizard, "sampleCaption").contains(QStringLiteral("step %1").arg(planned)),
                 qPrintable(pageText(wizard, "sampleCaption")));
        QVERIFY(pageText(wizard, "timeLabel").startsWith(QStringLiteral("Elapsed")));
        finishedRun_ = folder;
        finishedPoints_ = charts->pointCount();

        // Finish: installed, registered, compared in the main window, evaluated
        QSignalSpy compare(wizard, &DistilWizard::compareRequested);
        QSignalSpy compared(&w, &MainWindow::runFinished);
        wizard->next();
        QCOMPARE(wizard->currentId(), int(DistilWizard::FinishPage));
        QTRY_VERIFY_WITH_TIMEOUT(compare.count() == 1, 30000);
        const QString student = wizard->setup().studentSpec;
        QCOMPARE(compare.first().at(0).toString(), wizard->setup().heldOut.first());
        QCOMPARE(compare.first().at(1).toString(), student);
        QCOMPARE(compare.first().at(2).toString(), QLatin1String(kTiny));
        QCOMPARE(QFileInfo(student).absolutePath(), QDir(modelFolder()).absolutePath());
        QCOMPARE(QFileInfo(student).fileName(), QStringLiteral("Tiny-E2E.safetensors"));
        const ModelEntry* entry = w.registry().find(student);
        QVERIFY(entry);
        QVERIFY2(entry->error.isEmpty(), qPrintable(entry->error));
        QVERIFY(entry->oneStep());
        QCOMPARE(provenance(student)
                     .value(QStringLiteral("wizard"))
                     .toObject()
                     .value(QStringLiteral("preset"))
                     .toString(),
                 QStringLiteral("tiny"));
        QVERIFY(nextEnabled(wizard) || wizard->button(QWizard::FinishButton)->isEnabled());

        QTRY_VERIFY_WITH_TIMEOUT(compared.count() >= 1 && !w.isBusy(), kRunMs);
        QCOMPARE(compared.last().first().toBool(), false);
        QCOMPARE(w.inputPath(), QFileInfo(wizard->setup().heldOut.first()).absoluteFilePath());
        QCOMPARE(w.compareView()->paneCount(), 3);
        QVERIFY(w.compareView()->paneLabel(1).contains(
            w.registry().find(QLatin1String(kTiny))->displayName));
        QVERIFY(w.compareView()->paneLabel(2).contains(entry->displayName));
        QVERIFY(w.compareView()->paneLabel(2).contains(QStringLiteral("\n1 step")));

        auto* eval = wizard->findChild<QProcess*>(QStringLiteral("evalProcess"));
        auto* table = wizard->findChild<QTableWidget*>(QStringLiteral("evalTable"));
        QVERIFY(table);
        if (eval) { // not finished yet: the command it runs
            QCOMPARE(eval->program(), cliProgram());
            const QStringList a = eval->arguments();
            QCOMPARE(a.value(0), QStringLiteral("eval"));
            QCOMPARE(a.value(a.indexOf(QStringLiteral("--data")) + 1),
                     QDir(folder).filePath(QStringLiteral("data/heldout")));
            QCOMPARE(a.value(a.indexOf(QStringLiteral("--crop")) + 1), QStringLiteral("128"));
            QVERIFY(a.last().endsWith(QStringLiteral("=") + QLatin1String(kTiny)));
            QVERIFY(a.contains(entry->displayName + QStringLiteral("=") + student));
        }
        auto* command = wizard->findChild<QLineEdit*>(QStringLiteral("evalCommand"));
        QVERIFY(command->text().contains(QStringLiteral(" eval --data ")));
        // The table, once eval is done: bicubic, the student, (the embedded student,) the teacher.
        QTRY_VERIFY_WITH_TIMEOUT(
            table->rowCount() > 0 ||
                pageText(wizard, "evalStatus").contains(QStringLiteral("failed")),
            kRunMs);
        QVERIFY2(table->rowCount() >= 3, qPrintable(pageText(wizard, "evalStatus")));
        QCOMPARE(table->item(0, 0)->text(), QStringLiteral("bicubic"));
        QVERIFY(table->item(1, 0)->text().startsWith(entry->displayName));
        QVERIFY(!table->item(1, 1)->text().isEmpty());
        QVERIFY(QFileInfo::exists(QDir(folder).filePath(QStringLiteral("eval/report.json"))));

        // Finish closes the wizard; the next Distil starts afresh
        wizard->button(QWizard::FinishButton)->click();
        QTRY_VERIFY(!w.distilWizard());
    }

    // A finished run folder reopened in a fresh wizard: the charts from its log alone, the setup
    // from its notes, and no second installation.
    void reopenedRunRebuildsCharts() {
        if (finishedRun_.isEmpty())
            QSKIP("endToEnd did not finish its run");
        ModelRegistry registry(modelFolder());
        DistilWizard wizard(registry);
        QString error;
        QVERIFY2(wizard.openRun(finishedRun_, &error), qPrintable(error));
        wizard.show();
        QCOMPARE(wizard.currentId(), int(DistilWizard::RunPage));
        QCOMPARE(wizard.setup().name, QStringLiteral("Tiny E2E"));
        QCOMPARE(wizard.setup().heldOut.size(), 3);
        auto* run = wizard.findChild<TrainingRun*>(QStringLiteral("distilRun"));
        QVERIFY(run);
        QCOMPARE(run->state(), TrainingRun::State::Finished);
        QCOMPARE(wizard.findChild<TrainingCharts*>()->pointCount(), finishedPoints_);
        QVERIFY(nextEnabled(&wizard));
        QVERIFY(!wizard.button(QWizard::BackButton)->isEnabled());
        const QStringList before = QDir(modelFolder()).entryList(QDir::Files);
        wizard.next();
        QCOMPARE(QDir(modelFolder()).entryList(QDir::Files), before);
        QVERIFY(QFileInfo::exists(wizard.setup().studentSpec));
        QVERIFY(wizard.findChild<QPushButton*>(QStringLiteral("compareButton"))->isEnabled());
        wizard.reject(); // an evaluation still running stops with the wizard
        QVERIFY(!wizard.findChild<QProcess*>(QStringLiteral("evalProcess")));
    }

    // The teacher's fine-tuning first: its run in its own folder, then the distillation from the
    // fine-tuned teacher, on the page one after the other.
    void fineTuneFirst() {
        ModelRegistry registry(modelFolder());
        const QString folder = preparedRun(registry, QStringLiteral("Tiny Tuned"), 3, true);
        QVERIFY(!folder.isEmpty());
        DistilWizard wizard(registry);
        QVERIFY(wizard.openRun(folder));
        wizard.show();
        QVERIFY(wizard.setup().fineTuneTeacher);
        auto* stage = wizard.findChild<TrainingRun*>(QStringLiteral("teacherRun"));
        auto* run = wizard.findChild<TrainingRun*>(QStringLiteral("distilRun"));
        QVERIFY(stage && run);
        QCOMPARE(stage->folder(), fineTuneRunFolder(folder));
        QVERIFY2(stage->state() == TrainingRun::State::Running,
                 qPrintable(pageText(&wizard, "statusLabel")));
        QCOMPARE(run->state(), TrainingRun::State::Empty);
        QVERIFY(pageText(&wizard, "stageLabel").startsWith(QStringLiteral("Stage 1 of 2")));
        QVERIFY(wizard.isTraining());
        QTRY_VERIFY_WITH_TIMEOUT(run->state() == TrainingRun::State::Finished ||
                                     run->state() == TrainingRun::State::Failed ||
                                     stage->state() == TrainingRun::State::Failed,
                                 kRunMs);
        QVERIFY2(stage->state() == TrainingRun::State::Finished, qPrintable(stage->failure()));
        QVERIFY2(run->state() == TrainingRun::State::Finished, qPrintable(run->failure()));
        QVERIFY(pageText(&wizard, "stageLabel").startsWith(QStringLiteral("Stage 2 of 2")));
        const auto job = training::TrainJob::fromFile(
            QDir(folder).filePath(QStringLiteral("config.json")).toStdString());
        QVERIFY(job.isOk());
        QCOMPARE(QString::fromStdString(job->teacherModel),
                 QDir(fineTuneRunFolder(folder)).filePath(QStringLiteral("model.safetensors")));
        QVERIFY(nextEnabled(&wizard));
        QCOMPARE(wizard.findChild<TrainingCharts*>()->pointCount(), logPoints(run->log()));
        QVERIFY(!wizard.isTraining());
    }

    // A trainer that fails: its last words on the page, Resume offered, Next disabled.
    void failedRunShowsWhy() {
        ModelRegistry registry(modelFolder());
        const QString folder = preparedRun(registry, QStringLiteral("Tiny Broken"), 3, false);
        QVERIFY(!folder.isEmpty());
        QVERIFY(QFile::remove(QDir(folder).filePath(QStringLiteral("teacher.safetensors"))));
        DistilWizard wizard(registry);
        QVERIFY(wizard.openRun(folder));
        wizard.show();
        auto* run = wizard.findChild<TrainingRun*>(QStringLiteral("distilRun"));
        QVERIFY(run);
        QTRY_VERIFY_WITH_TIMEOUT(run->state() != TrainingRun::State::Running, kRunMs);
        QCOMPARE(run->state(), TrainingRun::State::Failed);
        auto* failure =
            wizard.currentPage()->findChild<QPlainTextEdit*>(QStringLiteral("failureText"));
        QVERIFY(failure && failure->isVisible());
        QVERIFY2(failure->toPlainText().contains(QStringLiteral("teacher.safetensors")),
                 qPrintable(failure->toPlainText()));
        QVERIFY(pageText(&wizard, "statusLabel").startsWith(QStringLiteral("The trainer stopped")));
        QVERIFY(wizard.currentPage()
                    ->findChild<QPushButton*>(QStringLiteral("resumeButton"))
                    ->isEnabled());
        QVERIFY(!wizard.currentPage()
                     ->findChild<QPushButton*>(QStringLiteral("stopButton"))
                     ->isEnabled());
        QVERIFY(!nextEnabled(&wizard));
        QVERIFY(!wizard.isTraining());
    }

    // Stop and Resume on the page, the question on closing the app during a run ("Stop
    // training"), and the stopped run offered by Tools > Distil at the next start.
    void stopAndResume() {
        QString folder;
        {
            ModelRegistry registry(modelFolder());
            folder = preparedRun(registry, QStringLiteral("Tiny Stop"), 12, false);
        }
        QVERIFY(!folder.isEmpty());
        {
            MainWindow w;
            w.show();
            w.distilRun(folder);
            DistilWizard* wizard = w.distilWizard();
            QVERIFY(wizard);
            QCOMPARE(wizard->currentId(), int(DistilWizard::RunPage));
            auto* run = wizard->findChild<TrainingRun*>(QStringLiteral("distilRun"));
            QVERIFY(run);
            QVERIFY2(run->state() == TrainingRun::State::Running,
                     qPrintable(pageText(wizard, "statusLabel")));
            QTRY_VERIFY_WITH_TIMEOUT((run->refresh(), run->log().lastStep >= 1), kRunMs);
            auto* page = wizard->currentPage();
            auto* stop = page->findChild<QPushButton*>(QStringLiteral("stopButton"));
            auto* resume = page->findChild<QPushButton*>(QStringLiteral("resumeButton"));
            QVERIFY(stop->isEnabled());
            QVERIFY(!resume->isEnabled());
            stop->click();
            QVERIFY(pageText(wizard, "statusLabel").startsWith(QStringLiteral("Stopping")));
            QVERIFY(!stop->isEnabled());
            QTRY_VERIFY_WITH_TIMEOUT(run->state() != TrainingRun::State::Running, kRunMs);
            QCOMPARE(run->state(), TrainingRun::State::Stopped);
            const int stoppedAt = run->log().lastStep;
            QVERIFY(stoppedAt < run->plannedSteps());
            QVERIFY(!QDir(QDir(folder).filePath(QStringLiteral("checkpoints")))
                         .entryList(QDir::Files)
                         .isEmpty());
            QVERIFY(pageText(wizard, "statusLabel").startsWith(QStringLiteral("Stopped at step")));
            QVERIFY(!nextEnabled(wizard));
            QVERIFY(resume->isEnabled());

            resume->click();
            QTRY_VERIFY_WITH_TIMEOUT((run->refresh(), run->log().lastStep > stoppedAt), kRunMs);
            QVERIFY(wizard->isTraining());

            // Closing the app asks; Cancel keeps the window, "Stop Training" stops and closes
            w.close();
            QVERIFY(w.isVisible());
            auto* question = w.findChild<QMessageBox*>(QStringLiteral("trainingQuestion"));
            QVERIFY(question);
            question->button(QMessageBox::Cancel)->click();
            QTRY_VERIFY(!w.findChild<QMessageBox*>(QStringLiteral("trainingQuestion")));
            QVERIFY(w.isVisible());
            w.close();
            question = w.findChild<QMessageBox*>(QStringLiteral("trainingQuestion"));
            QVERIFY(question);
            question->findChild<QPushButton*>(QStringLiteral("stopTrainingButton"))->click();
            QTRY_VERIFY(!w.isVisible());
        }
        TrainingRun stopped(folder);
        QTRY_VERIFY_WITH_TIMEOUT(
            (stopped.refresh(), stopped.state() != TrainingRun::State::Running), kRunMs);
        QCOMPARE(stopped.state(), TrainingRun::State::Stopped);

        // The next start says that a run can be continued, and Tools > Distil offers it
        MainWindow w;
        w.show();
        QVERIFY2(w.statusBar()->currentMessage().contains(QStringLiteral("can be continued")),
                 qPrintable(w.statusBar()->currentMessage()));
        w.showDistilWizard();
        auto* chooser = w.findChild<QDialog*>(QStringLiteral("distilRunChooser"));
        QVERIFY(chooser);
        QVERIFY(!w.distilWizard());
        auto* list = chooser->findChild<QListWidget*>(QStringLiteral("runList"));
        QCOMPARE(list->count(), 1);
        QVERIFY2(list->item(0)->text().startsWith(QStringLiteral("Tiny Stop — stopped at step")),
                 qPrintable(list->item(0)->text()));
        chooser->findChild<QPushButton*>(QStringLiteral("continueRunButton"))->click();
        DistilWizard* wizard = w.distilWizard();
        QVERIFY(wizard);
        QCOMPARE(wizard->currentId(), int(DistilWizard::RunPage));
        QCOMPARE(wizard->setup().name, QStringLiteral("Tiny Stop"));
        auto* run = wizard->findChild<TrainingRun*>(QStringLiteral("distilRun"));
        QCOMPARE(run->state(), TrainingRun::State::Stopped);
        QCOMPARE(wizard->findChild<TrainingCharts*>()->pointCount(), logPoints(run->log()));
        wizard->currentPage()->findChild<QPushButton*>(QStringLiteral("resumeButton"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(run->state() != TrainingRun::State::Running, kRunMs);
        QVERIFY2(run->state() == TrainingRun::State::Finished, qPrintable(run->failure()));
        QCOMPARE(run->log().lastStep, run->plannedSteps());
        QVERIFY(nextEnabled(wizard));
        QCOMPARE(wizard->findChild<TrainingCharts*>()->pointCount(), logPoints(run->log()));
        wizard->reject();
    }

    // YONOS-SR through every page: the Budget trial of its four stages, the stages run one after
    // another in their sub-folders with the page following the one that runs, the decoder stage's
    // package installed, compared with the multi-step model and evaluated. (One test of about
    // half a minute: four real tiny stages are run twice, by the trial and by the run.)
    void yonosEndToEnd() {
        MainWindow w;
        w.show();
        w.distilFolders({photos_});
        DistilWizard* wizard = w.distilWizard();
        QVERIFY(wizard);
        throughSetupPages(wizard, QStringLiteral("Tiny YONOS"), /*yonos=*/true);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(wizard->setup().stageSecondsPerStep.size(), 4);
        for (double perStep : wizard->setup().stageSecondsPerStep)
            QVERIFY(perStep > 0);

        const QString folder = wizard->setup().runFolder;
        QCOMPARE(wizard->currentRunFolder(), folder);
        QVERIFY(!wizard->findChild<TrainingRun*>(QStringLiteral("distilRun")));
        TrainingRun* first = stageRun(wizard, "autoencoder");
        TrainingRun* last = stageRun(wizard, "decoder");
        QVERIFY(first && last);
        QCOMPARE(first->folder(), yonosStageFolder(folder, QStringLiteral("autoencoder")));
        QVERIFY2(first->state() != TrainingRun::State::Empty,
                 qPrintable(pageText(wizard, "statusLabel")));
        QVERIFY2(pageText(wizard, "stageLabel").startsWith(QStringLiteral("Stage 1 of 4")),
                 qPrintable(pageText(wizard, "stageLabel")));
        QVERIFY(!QFileInfo::exists(QDir(folder).filePath(QStringLiteral("job.json"))));
        const DistilSetup notes = setupFromJson(
            TrainingRun(folder).notes().value(QLatin1String(kNotesSetupKey)).toObject());
        QCOMPARE(notes.method, QStringLiteral("yonos"));
        QCOMPARE(notes.stageJobs.size(), 4);
        QCOMPARE(TrainingRun::findRuns(DistilWizard::defaultRunRoot()).count(folder), 1);

        // Back and Next again: the same runs
        wizard->back();
        QVERIFY(nextEnabled(wizard));
        wizard->next();
        QCOMPARE(wizard->currentId(), int(DistilWizard::RunPage));
        QCOMPARE(stageRun(wizard, "decoder"), last);

        // the stages one after another: each starts once the one before has finished
        const QStringList stages = yonosStages();
        const auto anyFailed = [wizard, &stages] {
            return std::any_of(stages.begin(), stages.end(), [wizard](const QString& stage) {
                return stageRun(wizard, qPrintable(stage))->state() == TrainingRun::State::Failed;
            });
        };
        QStringList seen;
        QTRY_VERIFY_WITH_TIMEOUT((seen.append(pageText(wizard, "stageLabel").left(12)),
                                  last->state() == TrainingRun::State::Finished || anyFailed()),
                                 kRunMs);
        QVERIFY2(last->state() == TrainingRun::State::Finished,
                 qPrintable(pageText(wizard, "statusLabel")));
        for (const QString& stage : yonosStages()) {
            const TrainingRun* r = stageRun(wizard, qPrintable(stage));
            QCOMPARE(r->state(), TrainingRun::State::Finished);
            QVERIFY(QFileInfo::exists(QDir(yonosStageFolder(folder, stage))
                                          .filePath(QStringLiteral("model.safetensors"))));
        }
        seen.removeDuplicates();
        QVERIFY2(seen.contains(QStringLiteral("Stage 1 of 4")) &&
                     seen.contains(QStringLiteral("Stage 4 of 4")),
                 qPrintable(seen.join(QLatin1Char(','))));
        QVERIFY(pageText(wizard, "stageLabel").startsWith(QStringLiteral("Stage 4 of 4")));
        QVERIFY2(
            pageText(wizard, "statusLabel").startsWith(QStringLiteral("Finished: the 4 stages")),
            qPrintable(pageText(wizard, "statusLabel")));
        QVERIFY(nextEnabled(wizard));
        QCOMPARE(wizard->findChild<TrainingCharts*>()->pointCount(), logPoints(last->log()));
        auto* progress =
            wizard->currentPage()->findChild<QProgressBar*>(QStringLiteral("stepProgress"));
        QCOMPARE(progress->text(), QStringLiteral("Step %1 of %1").arg(last->plannedSteps()));
        QVERIFY2(pageText(wizard, "sampleCaption").contains(QStringLiteral("fine-tuned decoder")),
                 qPrintable(pageText(wizard, "sampleCaption")));
        finishedYonosRun_ = folder;

        // Finish: the decoder stage's package installed, compared, evaluated
        QSignalSpy compare(wizard, &DistilWizard::compareRequested);
        QSignalSpy compared(&w, &MainWindow::runFinished);
        wizard->next();
        QCOMPARE(wizard->currentId(), int(DistilWizard::FinishPage));
        QTRY_VERIFY_WITH_TIMEOUT(compare.count() == 1, 30000);
        const QString student = wizard->setup().studentSpec;
        QCOMPARE(QFileInfo(student).fileName(), QStringLiteral("Tiny-YONOS.safetensors"));
        QCOMPARE(compare.first().at(1).toString(), student);
        QCOMPARE(compare.first().at(2).toString(), QLatin1String(kTiny));
        const ModelEntry* entry = w.registry().find(student);
        QVERIFY(entry);
        QVERIFY2(entry->error.isEmpty(), qPrintable(entry->error));
        QCOMPARE(entry->info.family, std::string("yonos"));
        QVERIFY(entry->oneStep());
        QCOMPARE(entry->displayName, QStringLiteral("Tiny YONOS"));
        const QJsonObject prov = provenance(student);
        const QJsonObject fromWizard = prov.value(QStringLiteral("wizard")).toObject();
        QCOMPARE(fromWizard.value(QStringLiteral("method")).toString(), QStringLiteral("yonos"));
        QCOMPARE(fromWizard.value(QStringLiteral("compared_with")).toString(),
                 QLatin1String(kTiny));
        QVERIFY(prov.contains(QStringLiteral("decoder"))); // the trainer's own, kept
        // the package is the decoder stage's, byte for byte apart from the provenance
        auto installed = SafeTensorsFile::open(student.toStdString());
        auto source =
            SafeTensorsFile::open(QDir(yonosStageFolder(folder, QStringLiteral("decoder")))
                                      .filePath(QStringLiteral("model.safetensors"))
                                      .toStdString());
        QVERIFY(installed.isOk() && source.isOk());
        QCOMPARE(installed->tensors().size(), source->tensors().size());

        QTRY_VERIFY_WITH_TIMEOUT(compared.count() >= 1 && !w.isBusy(), kRunMs);
        QCOMPARE(w.compareView()->paneCount(), 3);
        QVERIFY(w.compareView()->paneLabel(2).contains(entry->displayName));
        auto* table = wizard->findChild<QTableWidget*>(QStringLiteral("evalTable"));
        QTRY_VERIFY_WITH_TIMEOUT(
            table->rowCount() > 0 ||
                pageText(wizard, "evalStatus").contains(QStringLiteral("failed")),
            kRunMs);
        QVERIFY2(table->rowCount() >= 3, qPrintable(pageText(wizard, "evalStatus")));
        QVERIFY(table->item(1, 0)->text().startsWith(entry->displayName));
        QVERIFY(table->item(table->rowCount() - 1, 0)
                    ->text()
                    .startsWith(w.registry().find(QLatin1String(kTiny))->displayName));
        wizard->button(QWizard::FinishButton)->click();
        QTRY_VERIFY(!w.distilWizard());
    }

    // The finished YONOS-SR run reopened: its last stage on the page, nothing run or installed
    // again.
    void reopenedYonosRunIsFinished() {
        if (finishedYonosRun_.isEmpty())
            QSKIP("yonosEndToEnd did not finish its run");
        ModelRegistry registry(modelFolder());
        DistilWizard wizard(registry);
        QString error;
        QVERIFY2(wizard.openRun(finishedYonosRun_, &error), qPrintable(error));
        wizard.show();
        QCOMPARE(wizard.currentId(), int(DistilWizard::RunPage));
        QCOMPARE(wizard.currentRunFolder(), finishedYonosRun_);
        QVERIFY(wizard.setup().yonos());
        for (const QString& stage : yonosStages())
            QCOMPARE(stageRun(&wizard, qPrintable(stage))->state(), TrainingRun::State::Finished);
        QVERIFY(pageText(&wizard, "stageLabel").startsWith(QStringLiteral("Stage 4 of 4")));
        QVERIFY(!wizard.isTraining());
        QVERIFY(nextEnabled(&wizard));
        const QStringList before = QDir(modelFolder()).entryList(QDir::Files);
        wizard.next();
        QCOMPARE(QDir(modelFolder()).entryList(QDir::Files), before);
        QVERIFY(wizard.findChild<QPushButton*>(QStringLiteral("compareButton"))->isEnabled());
        wizard.reject();
    }

    // Stopped in its second stage: the page says which; the app's next start offers the run at that
    // stage, and Resume goes on with it (the finished autoencoder is not run again), then with the
    // stages after it.
    void yonosStopAndResumePicksTheStage() {
        QString folder;
        {
            ModelRegistry registry(modelFolder());
            folder = preparedYonosRun(registry, QStringLiteral("Tiny YONOS Stop"), 300);
        }
        QVERIFY(!folder.isEmpty());
        const QString autoencoderLog = QDir(yonosStageFolder(folder, QStringLiteral("autoencoder")))
                                           .filePath(QStringLiteral("log.jsonl"));
        {
            MainWindow w;
            w.show();
            w.distilRun(folder);
            DistilWizard* wizard = w.distilWizard();
            QVERIFY(wizard);
            TrainingRun* teacher = stageRun(wizard, "teacher");
            QVERIFY(teacher);
            QTRY_VERIFY_WITH_TIMEOUT((teacher->refresh(), teacher->log().lastStep >= 1) ||
                                         stageRun(wizard, "autoencoder")->state() ==
                                             TrainingRun::State::Failed,
                                     kRunMs);
            // the chain's shell started the teacher: the page follows within a second or so (the
            // teacher's 300 steps, about 10 s, leave the time to stop it there)
            QTRY_VERIFY2_WITH_TIMEOUT(
                pageText(wizard, "stageLabel").startsWith(QStringLiteral("Stage 2 of 4")),
                qPrintable(pageText(wizard, "stageLabel") + " | " +
                           pageText(wizard, "statusLabel")),
                10000);
            auto* stop =
                wizard->currentPage()->findChild<QPushButton*>(QStringLiteral("stopButton"));
            QVERIFY(stop->isEnabled());
            stop->click();
            QTRY_VERIFY_WITH_TIMEOUT(teacher->state() != TrainingRun::State::Running, kRunMs);
            QCOMPARE(teacher->state(), TrainingRun::State::Stopped);
            QVERIFY(teacher->log().lastStep < teacher->plannedSteps());
            QVERIFY(pageText(wizard, "statusLabel").startsWith(QStringLiteral("Stopped at step")));
            QCOMPARE(stageRun(wizard, "distil")->state(), TrainingRun::State::Empty);
            QVERIFY(!nextEnabled(wizard));
            QVERIFY(wizard->currentPage()
                        ->findChild<QPushButton*>(QStringLiteral("resumeButton"))
                        ->isEnabled());
            QVERIFY(!wizard->isTraining());
        }
        QString stageText;
        QCOMPARE(activeStageFolder(folder, &stageText),
                 yonosStageFolder(folder, QStringLiteral("teacher")));
        QCOMPARE(stageText, QStringLiteral(" (stage 2 of 4: x2 teacher)"));
        QFile log(autoencoderLog);
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray autoencoderLines = log.readAll();
        log.close();

        // The next start offers it at its stage; Continue picks the chain up there
        MainWindow w;
        w.show();
        w.showDistilWizard();
        auto* chooser = w.findChild<QDialog*>(QStringLiteral("distilRunChooser"));
        QVERIFY(chooser);
        auto* list = chooser->findChild<QListWidget*>(QStringLiteral("runList"));
        QListWidgetItem* item = nullptr;
        for (int i = 0; i < list->count(); ++i)
            if (list->item(i)->text().startsWith(QStringLiteral("Tiny YONOS Stop")))
                item = list->item(i);
        QVERIFY(item);
        QVERIFY2(item->text().startsWith(QStringLiteral(
                     "Tiny YONOS Stop (stage 2 of 4: x2 teacher) — stopped at step")),
                 qPrintable(item->text()));
        list->setCurrentItem(item);
        chooser->findChild<QPushButton*>(QStringLiteral("continueRunButton"))->click();
        DistilWizard* wizard = w.distilWizard();
        QVERIFY(wizard);
        QCOMPARE(wizard->currentId(), int(DistilWizard::RunPage));
        TrainingRun* teacher = stageRun(wizard, "teacher");
        QCOMPARE(teacher->state(), TrainingRun::State::Stopped);
        QVERIFY(pageText(wizard, "stageLabel").startsWith(QStringLiteral("Stage 2 of 4")));
        QCOMPARE(wizard->findChild<TrainingCharts*>()->pointCount(), logPoints(teacher->log()));
        wizard->currentPage()->findChild<QPushButton*>(QStringLiteral("resumeButton"))->click();
        TrainingRun* last = stageRun(wizard, "decoder");
        QTRY_VERIFY_WITH_TIMEOUT(last->state() == TrainingRun::State::Finished ||
                                     teacher->state() == TrainingRun::State::Failed ||
                                     stageRun(wizard, "distil")->state() ==
                                         TrainingRun::State::Failed ||
                                     last->state() == TrainingRun::State::Failed,
                                 kRunMs);
        QVERIFY2(last->state() == TrainingRun::State::Finished,
                 qPrintable(pageText(wizard, "statusLabel")));
        QCOMPARE(teacher->log().lastStep, teacher->plannedSteps());
        QVERIFY(log.open(QIODevice::ReadOnly));
        QCOMPARE(log.readAll(), autoencoderLines); // not run again
        QVERIFY(nextEnabled(wizard));
        wizard->reject();
    }

    // A stage that fails stops the chain: its message on the page, the stages after it not
    // started, Resume offered for it.
    void yonosFailedStageStopsTheChain() {
        ModelRegistry registry(modelFolder());
        const QString folder = preparedYonosRun(registry, QStringLiteral("Tiny YONOS Broken"), 3);
        QVERIFY(!folder.isEmpty());
        // the teacher stage's autoencoder is not where its job says
        const QString jobPath = QDir(yonosStageFolder(folder, QStringLiteral("teacher")))
                                    .filePath(QStringLiteral("job.json"));
        auto job = training::TrainJob::fromFile(jobPath.toStdString());
        QVERIFY(job.isOk());
        job->autoencoderModel =
            QDir(folder).filePath(QStringLiteral("missing-autoencoder.safetensors")).toStdString();
        QFile f(jobPath);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(QByteArray::fromStdString(job->toJson()));
        f.close();

        DistilWizard wizard(registry);
        QVERIFY(wizard.openRun(folder));
        wizard.show();
        TrainingRun* teacher = stageRun(&wizard, "teacher");
        QVERIFY(teacher);
        QTRY_VERIFY_WITH_TIMEOUT(teacher->state() == TrainingRun::State::Failed ||
                                     teacher->state() == TrainingRun::State::Finished ||
                                     stageRun(&wizard, "autoencoder")->state() ==
                                         TrainingRun::State::Failed,
                                 kRunMs);
        QCOMPARE(stageRun(&wizard, "autoencoder")->state(), TrainingRun::State::Finished);
        QCOMPARE(teacher->state(), TrainingRun::State::Failed);
        QVERIFY(pageText(&wizard, "stageLabel").startsWith(QStringLiteral("Stage 2 of 4")));
        QVERIFY2(pageText(&wizard, "statusLabel")
                     .startsWith(QStringLiteral("The x2 teacher stage stopped with an error")),
                 qPrintable(pageText(&wizard, "statusLabel")));
        auto* failure =
            wizard.currentPage()->findChild<QPlainTextEdit*>(QStringLiteral("failureText"));
        QVERIFY(failure && failure->isVisible());
        QVERIFY2(failure->toPlainText().contains(QStringLiteral("missing-autoencoder")),
                 qPrintable(failure->toPlainText()));
        QCOMPARE(stageRun(&wizard, "distil")->state(), TrainingRun::State::Empty);
        QCOMPARE(stageRun(&wizard, "decoder")->state(), TrainingRun::State::Empty);
        QVERIFY(wizard.currentPage()
                    ->findChild<QPushButton*>(QStringLiteral("resumeButton"))
                    ->isEnabled());
        QVERIFY(!nextEnabled(&wizard));
        QVERIFY(!wizard.isTraining());
    }
};

QTEST_MAIN(TestDistilWizard)
#include "tst_distilwizard.moc"
