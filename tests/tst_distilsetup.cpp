// The distillation wizard's deciding pages (Photos, Teacher, Method, Budget) and the run folder
// they prepare: the scan's verdicts, the held-out split, presets as valid jobs, the trainer's own
// validation of Advanced edits, the reasons Next stays disabled, and a real trial of the tiny
// teacher for the time per step.
#include "distil_pages.h"
#include "distil_plan.h"
#include "gui_testutil.h"

#include "shiftsr/gui/distil_wizard.h"
#include "shiftsr/gui/model_registry.h"
#include "shiftsr/gui/training_run.h"
#include "shiftsr/resources/embedded.h"
#include "shiftsr/training/job.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QWizardPage>
#include <QtTest>

#include <unistd.h>

#include <algorithm>

using namespace shiftsr;
using namespace shiftsr::gui;

namespace {

// A photo-like PNG: smooth colour fields with a seeded texture, so no two are alike.
void writePhoto(const QString& path, int width, int height, quint32 seed) {
    QImage image(width, height, QImage::Format_RGB888);
    QRandomGenerator rng(seed);
    const int r0 = rng.bounded(256), g0 = rng.bounded(256), b0 = rng.bounded(256);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            image.setPixel(x, y,
                           qRgb((r0 + x + rng.bounded(20)) % 256, (g0 + y + rng.bounded(20)) % 256,
                                (b0 + x + y) % 256));
    QVERIFY(image.save(path));
}

void writeBytes(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(bytes), bytes.size());
}

QByteArray embeddedBytes(const char* id) {
    const auto* m = resources::findEmbeddedModel(id);
    return m ? QByteArray(reinterpret_cast<const char*>(m->data), qsizetype(m->size))
             : QByteArray();
}

QString problemText(QWizardPage* page) {
    auto* label = page->findChild<QLabel*>(QStringLiteral("problem"));
    return label && !label->isHidden() ? label->text() : QString();
}

} // namespace

class TestDistilSetup : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString photos_; // 12 photos, one too small, one corrupt, one duplicate

    QString makeFolder(const QString& name) {
        const QString dir = tmp_.filePath(name);
        QDir().mkpath(dir);
        return dir;
    }

    // A wizard on `folders`, its Photos page scanned.
    void scanned(DistilWizard& wizard, const QStringList& folders) {
        wizard.setup().folders = folders;
        wizard.restart();
        QWizardPage* page = wizard.page(DistilWizard::PhotosPage);
        QTRY_VERIFY_WITH_TIMEOUT(!page->findChild<QLabel*>(QStringLiteral("scanStatus"))
                                      ->text()
                                      .contains(QStringLiteral("Scanning")),
                                 10000);
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(tmp_.isValid());
        photos_ = makeFolder(QStringLiteral("photos"));
        for (int i = 0; i < 12; ++i)
            writePhoto(QStringLiteral("%1/p%2.png").arg(photos_).arg(i, 2, 10, QLatin1Char('0')),
                       160, 160, quint32(i + 1));
        writePhoto(photos_ + QStringLiteral("/small.png"), 48, 48, 99);
        writeBytes(photos_ + QStringLiteral("/corrupt.png"), QByteArray("not a PNG at all", 16));
        QVERIFY(QFile::copy(photos_ + QStringLiteral("/p03.png"),
                            photos_ + QStringLiteral("/z-copy.png")));
        // the run folders of the Budget page go under the test HOME
        QDir(DistilWizard::defaultRunRoot()).removeRecursively();
    }

    void cleanup() {
        setFreeBytesProbeForTests(nullptr);
        setEmbeddedTeachersHiddenForTests(false);
    }

    // The trainer's rules (too small for the crop, unreadable) plus duplicates by content.
    void scanKeepsUsablePhotosAndSaysWhy() {
        const PhotoScan scan = scanPhotos({photos_}, true, 128);
        QVERIFY(scan.error.isEmpty());
        QCOMPARE(scan.photos.size(), 12);
        QCOMPARE(scan.skipped.size(), 3);
        QMap<QString, QString> reasons;
        for (const SkippedPhoto& s : scan.skipped)
            reasons[QFileInfo(s.path).fileName()] = s.reason;
        QVERIFY2(reasons.value(QStringLiteral("small.png")).contains(QStringLiteral("too small")),
                 qPrintable(reasons.value(QStringLiteral("small.png"))));
        QVERIFY2(reasons.value(QStringLiteral("corrupt.png")).contains(QStringLiteral("decode")),
                 qPrintable(reasons.value(QStringLiteral("corrupt.png"))));
        QCOMPARE(reasons.value(QStringLiteral("z-copy.png")),
                 QStringLiteral("duplicate of p03.png"));
        // the crop decides what is too small: 48 px photos pass a 32 px crop
        QCOMPARE(scanPhotos({photos_}, true, 32).photos.size(), 13);
    }

    void heldOutProposalIsSeededAndAtLeastThree() {
        QStringList photos;
        for (int i = 0; i < 50; ++i)
            photos << QStringLiteral("/p/%1.png").arg(i, 2, 10, QLatin1Char('0'));
        const QStringList a = proposeHeldOut(photos, 7);
        QCOMPARE(a.size(), 5); // 10 %
        QCOMPARE(proposeHeldOut(photos, 7), a);
        QVERIFY(proposeHeldOut(photos, 8) != a);
        QCOMPARE(proposeHeldOut(photos.mid(0, 12), 7).size(), 3);
        for (const QString& p : a)
            QVERIFY(photos.contains(p));
    }

    void photosPageScansAndSplits() {
        ModelRegistry registry(tmp_.filePath(QStringLiteral("no-models")));
        DistilWizard wizard(registry);
        scanned(wizard, {photos_});
        QWizardPage* page = wizard.page(DistilWizard::PhotosPage);
        const DistilSetup& s = wizard.setup();
        QCOMPARE(s.photos.size(), 12);
        QCOMPARE(s.heldOut.size(), 3);
        QCOMPARE(s.heldOut, proposeHeldOut(s.photos, s.splitSeed));
        QVERIFY(page->isComplete());
        QVERIFY(problemText(page).isEmpty());
        QCOMPARE(page->findChild<QListWidget*>(QStringLiteral("skipped"))->count(), 3);
        QCOMPARE(page->findChild<QListWidget*>(QStringLiteral("thumbnails"))->count(), 12);
        QVERIFY(
            !page->findChild<QListWidget*>(QStringLiteral("thumbnails"))->item(0)->icon().isNull());

        // editable: one fewer held out is too few; one more is fine
        auto* list = page->findChild<QListWidget*>(QStringLiteral("heldOut"));
        QCOMPARE(list->count(), 12);
        QListWidgetItem* held = nullptr;
        QListWidgetItem* notHeld = nullptr;
        for (int i = 0; i < list->count(); ++i)
            (list->item(i)->checkState() == Qt::Checked ? held : notHeld) = list->item(i);
        held->setCheckState(Qt::Unchecked);
        QCOMPARE(s.heldOut.size(), 2);
        QVERIFY(!page->isComplete());
        QVERIFY2(problemText(page).contains(QStringLiteral("at least 3")),
                 qPrintable(problemText(page)));
        held->setCheckState(Qt::Checked);
        notHeld->setCheckState(Qt::Checked);
        QCOMPARE(s.heldOut.size(), 4);
        QVERIFY(page->isComplete());

        // the choice survives a rescan of the same photos (Back to this page)
        const QStringList chosen = s.heldOut;
        scanned(wizard, {photos_});
        QCOMPARE(wizard.setup().heldOut, chosen);
    }

    void photosPageSaysWhatToDo_data() {
        QTest::addColumn<QString>("content"); // what the folder holds
        QTest::addColumn<QString>("message");
        QTest::newRow("no folder") << QString() << "Add a folder";
        QTest::newRow("empty folder") << "empty"
                                      << "no photos";
        QTest::newRow("only unreadable") << "unreadable"
                                         << "None of the files can be used";
        QTest::newRow("too few to train") << "six"
                                          << "left for training";
    }

    void photosPageSaysWhatToDo() {
        QFETCH(QString, content);
        QFETCH(QString, message);
        QStringList folders;
        if (!content.isEmpty()) {
            const QString dir = makeFolder(QStringLiteral("case-") + content);
            if (content == QLatin1String("unreadable")) {
                writeBytes(dir + QStringLiteral("/broken.jpg"), QByteArray(300, 'x'));
                writePhoto(dir + QStringLiteral("/tiny.png"), 40, 30, 3);
            } else if (content == QLatin1String("six")) {
                for (int i = 0; i < 6; ++i)
                    writePhoto(dir + QStringLiteral("/s%1.png").arg(i), 140, 140, quint32(50 + i));
            }
            folders << dir;
        }
        ModelRegistry registry(tmp_.filePath(QStringLiteral("no-models")));
        DistilWizard wizard(registry);
        scanned(wizard, folders);
        QWizardPage* page = wizard.page(DistilWizard::PhotosPage);
        QVERIFY(!page->isComplete());
        QVERIFY2(problemText(page).contains(message), qPrintable(problemText(page)));
    }

    void teacherPageOffersMultiStepModels() {
        ModelRegistry registry(tmp_.filePath(QStringLiteral("no-models")));
        DistilWizard wizard(registry);
        QWizardPage* page = wizard.page(DistilWizard::TeacherPage);
        page->initializePage();
        auto* box = page->findChild<QComboBox*>(QStringLiteral("teacher"));
        QVERIFY(box->count() >= 1);
        for (int i = 0; i < box->count(); ++i) {
            const ModelEntry* e = registry.find(box->itemData(i).toString());
            QVERIFY(e && e->error.isEmpty() && !e->oneStep());
        }
        QCOMPARE(wizard.setup().teacherSpec, QStringLiteral("embedded:lite-teacher"));
        QVERIFY(page->isComplete());
        QVERIFY(page->findChild<QLabel*>(QStringLiteral("teacherHash"))
                    ->text()
                    .startsWith(QStringLiteral("80674cdb")));
        page->findChild<QCheckBox*>(QStringLiteral("fineTune"))->setChecked(true);
        QVERIFY(wizard.setup().fineTuneTeacher);
        box->setCurrentIndex(box->findData(QStringLiteral("embedded:test-tiny")));
        QCOMPARE(wizard.setup().teacherSpec, QStringLiteral("embedded:test-tiny"));
        // Back and Next again: the choice stays
        page->initializePage();
        QCOMPARE(box->currentData().toString(), QStringLiteral("embedded:test-tiny"));
        QVERIFY(page->findChild<QCheckBox*>(QStringLiteral("fineTune"))->isChecked());
    }

    // Without a multi-step model (embedded ones hidden, as in a build without them; the folder
    // holds a one-step package and a broken file) nothing can teach.
    void noMultiStepTeacher() {
        const QString models = makeFolder(QStringLiteral("one-step-only"));
        writeBytes(models + QStringLiteral("/student.safetensors"), embeddedBytes("lite-rsd"));
        writeBytes(models + QStringLiteral("/broken.safetensors"), QByteArray(100, '\0'));
        setEmbeddedTeachersHiddenForTests(true);
        ModelRegistry registry(models);
        QVERIFY(
            registry.find(QDir(models).absoluteFilePath(QStringLiteral("student.safetensors"))));
        QVERIFY(registry.find(QDir(models).absoluteFilePath(QStringLiteral("broken.safetensors"))));
        QVERIFY(teacherCandidates(registry).isEmpty());
        DistilWizard wizard(registry);
        QWizardPage* page = wizard.page(DistilWizard::TeacherPage);
        page->initializePage();
        QVERIFY(!page->isComplete());
        QVERIFY2(problemText(page).contains(QStringLiteral("Tools → Models")),
                 qPrintable(problemText(page)));
        // a multi-step package installed: it is offered
        writeBytes(models + QStringLiteral("/teacher.safetensors"), embeddedBytes("test-tiny"));
        registry.refresh();
        page->initializePage();
        QVERIFY(page->isComplete());
        QVERIFY(problemText(page).isEmpty());
        QCOMPARE(wizard.setup().teacherSpec,
                 QDir(models).absoluteFilePath(QStringLiteral("teacher.safetensors")));
    }

    void presetsMakeValidJobs() {
        ModelRegistry registry(tmp_.filePath(QStringLiteral("no-models")));
        const ModelEntry* teacher = registry.find(QStringLiteral("embedded:lite-teacher"));
        QVERIFY(teacher);
        QCOMPARE(teacherCropSize(*teacher), 128);
        QCOMPARE(teacherCropSize(*registry.find(QStringLiteral("embedded:test-tiny"))), 64);
        QStringList names = distilPresets();
        QCOMPARE(names.mid(0, 3), (QStringList{QStringLiteral("quick"), QStringLiteral("balanced"),
                                               QStringLiteral("best")}));
        QVERIFY(names.contains(QStringLiteral("tiny"))); // the test models are shown
        QMap<QString, int> steps;
        for (const QString& preset : names) {
            JobPlan plan;
            plan.preset = preset;
            plan.heldOut = 3;
            plan.name = QStringLiteral("birds");
            for (const auto& job : {rsdJob(plan), fineTuneJob(plan, *teacher)}) {
                auto parsed = training::TrainJob::fromJson(job.toJson());
                QVERIFY2(parsed.isOk(), parsed.status().message().c_str());
                QCOMPARE(parsed->valCount, 3);
                QCOMPARE(parsed->gtSize, 128);
            }
            steps[preset] = rsdJob(plan).steps;
        }
        QVERIFY(steps[QStringLiteral("quick")] < steps[QStringLiteral("balanced")]);
        QVERIFY(steps[QStringLiteral("balanced")] < steps[QStringLiteral("best")]);
        QCOMPARE(steps[QStringLiteral("balanced")], 600); // the embedded student's recipe
        JobPlan plan;
        plan.preset = QStringLiteral("balanced");
        plan.heldOut = 20;
        const auto balanced = rsdJob(plan);
        QCOMPARE(balanced.valCount, 6);
        QCOMPARE(balanced.batch, 8);
        QCOMPARE(balanced.lr, 5e-5);
        QCOMPARE(balanced.fakeLr, 1e-4);
        QCOMPARE(balanced.supervisedWeight, 4.0);
        QCOMPARE(balanced.ganWeight, 0.003);
        const auto tune = fineTuneJob(plan, *teacher);
        QCOMPARE(tune.kind, std::string("teacher"));
        QCOMPARE(tune.lr, 1e-4);
        QCOMPARE(tune.lrMin, 1e-5);
        QVERIFY(tune.scheduleJson.find("\"kappa\":0.1") != std::string::npos);
    }

    // The embedded student is a student of the embedded teacher (through the teacher's repackaging
    // and decoder-head history): the presets continue it.
    void methodPageStartsFromTheTeachersStudent() {
        ModelRegistry registry(tmp_.filePath(QStringLiteral("no-models")));
        const ModelEntry* teacher = registry.find(QStringLiteral("embedded:lite-teacher"));
        QCOMPARE(studentsOfTeacher(registry, *teacher),
                 QStringList{QStringLiteral("embedded:lite-rsd")});
        QVERIFY(studentsOfTeacher(registry, *registry.find(QStringLiteral("embedded:test-tiny")))
                    .isEmpty());

        DistilWizard wizard(registry);
        DistilSetup& s = wizard.setup();
        s.folders = {photos_};
        s.heldOut = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
        s.teacherSpec = teacher->spec;
        QWizardPage* page = wizard.page(DistilWizard::MethodPage);
        page->initializePage();
        QCOMPARE(s.name, QStringLiteral("photos one-step (RSD)"));
        auto job = training::TrainJob::fromJson(s.jobJson.toStdString());
        QVERIFY(job.isOk());
        QCOMPARE(job->initModel, std::string("embedded:lite-rsd"));
        QCOMPARE(job->steps, 150);
        QCOMPARE(job->valCount, 3);
        QCOMPARE(job->name, std::string("photos one-step (RSD)"));
        QVERIFY(page->findChild<QLabel*>(QStringLiteral("initNote"))
                    ->text()
                    .contains(registry.find(QStringLiteral("embedded:lite-rsd"))->displayName));
        QVERIFY(page->isComplete());
        QVERIFY(page->findChild<QRadioButton*>(QStringLiteral("yonos"))->isEnabled());
        QVERIFY(!page->findChild<QRadioButton*>(QStringLiteral("yonos"))->isChecked());

        page->findChild<QRadioButton*>(QStringLiteral("preset-best"))->click();
        QCOMPARE(s.preset, QStringLiteral("best"));
        QCOMPARE(training::TrainJob::fromJson(s.jobJson.toStdString())->steps, 2000);
        auto* name = page->findChild<QLineEdit*>(QStringLiteral("studentName"));
        name->clear();
        QTest::keyClicks(name, QStringLiteral("Birds"));
        QCOMPARE(training::TrainJob::fromJson(s.jobJson.toStdString())->name, std::string("Birds"));

        // fine-tuning the teacher first: a teacher job, and the student starts from that teacher
        s.fineTuneTeacher = true;
        page->initializePage();
        QVERIFY(training::TrainJob::fromJson(s.jobJson.toStdString())->initModel.empty());
        auto tune = training::TrainJob::fromJson(s.teacherJobJson.toStdString());
        QVERIFY(tune.isOk());
        QCOMPARE(tune->kind, std::string("teacher"));
        QCOMPARE(tune->initModel, std::string(kTeacherPlaceholder));
    }

    // YONOS-SR's presets: the recipe's four stages, their steps scaled by the preset, each a job
    // the trainer accepts; a given autoencoder or init package takes the autoencoder stage's place.
    void yonosPresetsMakeValidStageJobs() {
        QCOMPARE(yonosStages(),
                 (QStringList{QStringLiteral("autoencoder"), QStringLiteral("teacher"),
                              QStringLiteral("distil"), QStringLiteral("decoder")}));
        QMap<QString, QList<int>> steps;
        for (const QString& preset : distilPresets()) {
            YonosPlan plan;
            plan.preset = preset;
            plan.heldOut = 3;
            plan.name = QStringLiteral("birds");
            const QStringList jobs = yonosJobs(plan);
            QCOMPARE(jobs.size(), 4);
            for (int i = 0; i < 4; ++i) {
                auto job = training::TrainJob::fromJson(jobs[i].toStdString());
                QVERIFY2(job.isOk(), job.status().message().c_str());
                QCOMPARE(job->kind, std::string("yonos"));
                QCOMPARE(QString::fromStdString(job->yonosStage), yonosStages()[i]);
                QCOMPARE(job->valCount, 3);
                steps[preset] << job->steps;
            }
        }
        // training/recipes/yonos-lite.sh at SCALE_OF_BUDGET 1, a quarter and four times that
        QCOMPARE(steps[QStringLiteral("balanced")], (QList<int>{1200, 1500, 1200, 400}));
        QCOMPARE(steps[QStringLiteral("quick")], (QList<int>{300, 375, 300, 100}));
        QCOMPARE(steps[QStringLiteral("best")], (QList<int>{4800, 6000, 4800, 1600}));

        YonosPlan plan;
        plan.preset = QStringLiteral("balanced");
        plan.heldOut = 20;
        plan.name = QStringLiteral("Birds");
        plan.codec = QStringLiteral("f8");
        const auto autoencoder = yonosJob(plan, QStringLiteral("autoencoder"));
        QCOMPARE(autoencoder.codecPreset, std::string("f8"));
        QCOMPARE(autoencoder.gtSize, 64);
        QCOMPARE(autoencoder.lr, 4e-4); // the stage's own optimiser defaults
        QCOMPARE(autoencoder.valCount, 4);
        const auto teacher = yonosJob(plan, QStringLiteral("teacher"));
        QCOMPARE(teacher.scale, 2);
        QCOMPARE(teacher.gtSize, 128);
        QCOMPARE(teacher.batch, 8);
        QCOMPARE(teacher.ema, 0.995);
        QCOMPARE(teacher.degradation, std::string("realesrgan"));
        QCOMPARE(QString::fromStdString(teacher.autoencoderModel),
                 yonosStagePlaceholder(QStringLiteral("autoencoder")));
        const auto distil = yonosJob(plan, QStringLiteral("distil"));
        QCOMPARE(distil.scale, 4);
        QCOMPARE(QString::fromStdString(distil.teacherModel),
                 yonosStagePlaceholder(QStringLiteral("teacher")));
        const auto decoder = yonosJob(plan, QStringLiteral("decoder"));
        QCOMPARE(QString::fromStdString(decoder.baseModel),
                 yonosStagePlaceholder(QStringLiteral("distil")));
        QCOMPARE(decoder.name, std::string("Birds"));

        // a given autoencoder or init package: no autoencoder stage
        plan.autoencoderFile = QStringLiteral("/models/ae.safetensors");
        QStringList jobs = yonosJobs(plan);
        QVERIFY(jobs[0].isEmpty());
        QCOMPARE(training::TrainJob::fromJson(jobs[1].toStdString())->autoencoderModel,
                 std::string("/models/ae.safetensors"));
        plan.autoencoderFile.clear();
        plan.initSpec = QStringLiteral("embedded:test-tiny-yonos");
        jobs = yonosJobs(plan);
        QVERIFY(jobs[0].isEmpty());
        auto continued = training::TrainJob::fromJson(jobs[1].toStdString());
        QVERIFY(continued.isOk());
        QCOMPARE(continued->initModel, std::string("embedded:test-tiny-yonos"));
        QVERIFY(continued->autoencoderModel.empty()); // the init package's own

        ModelRegistry registry(tmp_.filePath(QStringLiteral("no-models")));
        const QList<const ModelEntry*> inits = yonosInitCandidates(registry);
        QVERIFY(std::any_of(inits.begin(), inits.end(), [](const ModelEntry* e) {
            return e->spec == QLatin1String("embedded:test-tiny-yonos");
        }));
        for (const ModelEntry* e : inits)
            QCOMPARE(e->info.family, std::string("yonos"));
        QVERIFY(autoencoderFileProblem(QString()).isEmpty());
        QVERIFY(autoencoderFileProblem(tmp_.filePath(QStringLiteral("none.safetensors")))
                    .contains(QStringLiteral("not there")));
        const QString notAutoencoder = tmp_.filePath(QStringLiteral("yonos.safetensors"));
        writeBytes(notAutoencoder, embeddedBytes("test-tiny-yonos"));
        QVERIFY(autoencoderFileProblem(notAutoencoder)
                    .contains(QStringLiteral("not an autoencoder package")));
    }

    // The Method page with YONOS-SR: its options, each stage's job under Advanced, the stage a
    // given package skips, Advanced edits validated per stage, the name in the last stage's job.
    void methodPageYonos() {
        ModelRegistry registry(tmp_.filePath(QStringLiteral("no-models")));
        DistilWizard wizard(registry);
        DistilSetup& s = wizard.setup();
        s.folders = {photos_};
        s.heldOut = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
        s.teacherSpec = QStringLiteral("embedded:lite-teacher");
        QWizardPage* page = wizard.page(DistilWizard::MethodPage);
        page->initializePage();
        auto* options = page->findChild<QWidget*>(QStringLiteral("yonosOptions"));
        QVERIFY(options->isHidden());
        page->findChild<QRadioButton*>(QStringLiteral("yonos"))->click();
        QCOMPARE(s.method, QStringLiteral("yonos"));
        QCOMPARE(s.name, QStringLiteral("photos one-step (YONOS-SR)")); // the proposal follows
        QVERIFY(!options->isHidden());
        QVERIFY(s.jobJson.isEmpty());
        QCOMPARE(s.stageJobs.size(), 4);
        QVERIFY(page->isComplete());
        QVERIFY2(page->findChild<QLabel*>(QStringLiteral("presetNote-quick"))
                     ->text()
                     .contains(QStringLiteral("300 + 375 + 300 + 100")),
                 qPrintable(page->findChild<QLabel*>(QStringLiteral("presetNote-quick"))->text()));
        QVERIFY(page->findChild<QLabel*>(QStringLiteral("initNote"))
                    ->text()
                    .contains(QStringLiteral("autoencoder → x2 teacher → x4 student → decoder")));

        // Advanced: one editor per stage
        auto* tabs = page->findChild<QTabWidget*>(QStringLiteral("stageJobs"));
        QVERIFY(tabs && tabs->isHidden());
        page->findChild<QToolButton*>(QStringLiteral("advanced"))->click();
        QVERIFY(!tabs->isHidden());
        QVERIFY(page->findChild<QPlainTextEdit*>(QStringLiteral("jobJson"))->isHidden());
        QCOMPARE(tabs->count(), 4);
        auto* distil = page->findChild<QPlainTextEdit*>(QStringLiteral("stageJob-distil"));
        QCOMPARE(distil->toPlainText(), s.stageJobs[2]);

        // an init package: no autoencoder stage, the codec is the package's
        auto* init = page->findChild<QComboBox*>(QStringLiteral("yonosInit"));
        QCOMPARE(init->currentData().toString(), QString());
        init->setCurrentIndex(init->findData(QStringLiteral("embedded:test-tiny-yonos")));
        QCOMPARE(s.yonosInitSpec, QStringLiteral("embedded:test-tiny-yonos"));
        QVERIFY(s.stageJobs[0].isEmpty());
        QVERIFY(!tabs->isTabEnabled(0));
        QVERIFY(!page->findChild<QComboBox*>(QStringLiteral("codec"))->isEnabled());
        QVERIFY(page->findChild<QLabel*>(QStringLiteral("initNote"))
                    ->text()
                    .contains(QStringLiteral("no autoencoder stage")));
        QVERIFY(page->isComplete());

        // a file that is no autoencoder: Next waits
        auto* autoencoder = page->findChild<QLineEdit*>(QStringLiteral("autoencoderFile"));
        const QString model = tmp_.filePath(QStringLiteral("method-yonos.safetensors"));
        writeBytes(model, embeddedBytes("test-tiny-yonos"));
        autoencoder->setText(model);
        QVERIFY(!page->isComplete());
        QVERIFY2(problemText(page).contains(QStringLiteral("not an autoencoder package")),
                 qPrintable(problemText(page)));
        autoencoder->clear();
        QVERIFY(page->isComplete());

        // an invalid stage job: its tab is shown, the message names the stage
        tabs->setCurrentIndex(1);
        QJsonObject job = QJsonDocument::fromJson(distil->toPlainText().toUtf8()).object();
        job[QStringLiteral("batch")] = 0;
        distil->setPlainText(QString::fromUtf8(QJsonDocument(job).toJson()));
        QVERIFY(!page->isComplete());
        QCOMPARE(tabs->currentIndex(), 2);
        QVERIFY2(problemText(page).contains(QStringLiteral("x4 student stage")),
                 qPrintable(problemText(page)));
        job[QStringLiteral("batch")] = 3;
        distil->setPlainText(QString::fromUtf8(QJsonDocument(job).toJson()));
        QVERIFY(page->isComplete());
        QCOMPARE(training::TrainJob::fromJson(s.stageJobs[2].toStdString())->batch, 3);
        page->initializePage(); // Back and Next: the edit stays
        QCOMPARE(training::TrainJob::fromJson(s.stageJobs[2].toStdString())->batch, 3);

        // the name is the last stage's package's
        auto* name = page->findChild<QLineEdit*>(QStringLiteral("studentName"));
        name->clear();
        QTest::keyClicks(name, QStringLiteral("Birds YONOS"));
        QCOMPARE(training::TrainJob::fromJson(s.stageJobs[3].toStdString())->name,
                 std::string("Birds YONOS"));

        // back to RSD: its job again, the name the user gave stays
        page->findChild<QRadioButton*>(QStringLiteral("rsd"))->click();
        QCOMPARE(s.method, QStringLiteral("rsd"));
        QVERIFY(s.stageJobs.isEmpty());
        QCOMPARE(training::TrainJob::fromJson(s.jobJson.toStdString())->kind, std::string("rsd"));
        QCOMPARE(s.name, QStringLiteral("Birds YONOS"));
        QVERIFY(options->isHidden());

        // the Teacher page, Back from YONOS-SR: the model to compare with, no fine-tuning
        s.method = QStringLiteral("yonos");
        QWizardPage* teacherPage = wizard.page(DistilWizard::TeacherPage);
        teacherPage->initializePage();
        QVERIFY(teacherPage->subTitle().contains(QStringLiteral("compared with")));
        QVERIFY(teacherPage->findChild<QCheckBox*>(QStringLiteral("fineTune"))->isHidden());
    }

    // Each stage's job in its own folder with the data, the earlier stages' packages and the
    // init package filled in; no job.json at the top.
    void prepareRunFolderWritesEachYonosStage() {
        ModelRegistry registry(tmp_.filePath(QStringLiteral("no-models")));
        DistilSetup s;
        s.folders = {photos_};
        s.photos = scanPhotos({photos_}, true, 64).photos;
        s.heldOut = proposeHeldOut(s.photos, s.splitSeed);
        s.method = QStringLiteral("yonos");
        YonosPlan plan;
        plan.preset = QStringLiteral("quick");
        plan.heldOut = int(s.heldOut.size());
        plan.name = QStringLiteral("Birds");
        s.stageJobs = yonosJobs(plan);
        s.runFolder = tmp_.filePath(QStringLiteral("runs/yonos"));
        QString error;
        QVERIFY2(prepareRunFolder(s, registry, &error), qPrintable(error));
        const QDir run(s.runFolder);
        QVERIFY(!QFileInfo::exists(run.filePath(QStringLiteral("job.json"))));
        QVERIFY(!QFileInfo::exists(run.filePath(QStringLiteral("teacher.safetensors"))));
        QCOMPARE(QDir(run.filePath(QStringLiteral("data/heldout"))).entryList(QDir::Files).size(),
                 3);
        const auto stageJob = [&run](const QString& stage) {
            return training::TrainJob::fromFile(
                QDir(run.filePath(stage)).filePath(QStringLiteral("job.json")).toStdString());
        };
        const auto package = [&run](const QString& stage) {
            return QDir(run.filePath(stage)).filePath(QStringLiteral("model.safetensors"));
        };
        for (int i = 0; i < 4; ++i) {
            auto job = stageJob(yonosStages()[i]);
            QVERIFY2(job.isOk(), job.status().message().c_str());
            QCOMPARE(QString::fromStdString(job->valFolder),
                     run.filePath(QStringLiteral("data/heldout")));
            QCOMPARE(s.stageJobs[i].toStdString(), job->toJson());
        }
        QCOMPARE(QString::fromStdString(stageJob(QStringLiteral("teacher"))->autoencoderModel),
                 package(QStringLiteral("autoencoder")));
        QCOMPARE(QString::fromStdString(stageJob(QStringLiteral("distil"))->teacherModel),
                 package(QStringLiteral("teacher")));
        QCOMPARE(QString::fromStdString(stageJob(QStringLiteral("decoder"))->baseModel),
                 package(QStringLiteral("distil")));
        // the notes make it a run: the folder is refused then
        QVERIFY(!holdsRun(s.runFolder));
        writeBytes(run.filePath(QStringLiteral("notes.json")), "{}");
        QVERIFY(holdsRun(s.runFolder));

        // an embedded init package: written out, no autoencoder stage
        s.runFolder = tmp_.filePath(QStringLiteral("runs/yonos-init"));
        plan.initSpec = QStringLiteral("embedded:test-tiny-yonos");
        s.stageJobs = yonosJobs(plan);
        QVERIFY2(prepareRunFolder(s, registry, &error), qPrintable(error));
        const QDir initRun(s.runFolder);
        QVERIFY(!QFileInfo::exists(initRun.filePath(QStringLiteral("autoencoder"))));
        QVERIFY(s.stageJobs[0].isEmpty());
        QCOMPARE(QFileInfo(initRun.filePath(QStringLiteral("init.safetensors"))).size(),
                 embeddedBytes("test-tiny-yonos").size());
        QCOMPARE(QString::fromStdString(
                     training::TrainJob::fromJson(s.stageJobs[1].toStdString())->initModel),
                 initRun.filePath(QStringLiteral("init.safetensors")));

        // a later stage that needs a skipped one's package is refused before anything is written
        s.runFolder = tmp_.filePath(QStringLiteral("runs/yonos-broken"));
        plan.initSpec.clear();
        s.stageJobs = yonosJobs(plan);
        s.stageJobs[0].clear();
        QVERIFY(!prepareRunFolder(s, registry, &error));
        QVERIFY2(error.contains(QStringLiteral("skipped")), qPrintable(error));
    }

    // The Budget page's trial of YONOS-SR runs every stage the run has (each writing the package
    // the next starts from; here the teacher starts from an init package, so there is no
    // autoencoder stage: the wizard's end-to-end test measures all four) and adds up their times
    // and disk.
    void budgetTrialMeasuresEveryYonosStage() {
        if (qEnvironmentVariableIsEmpty("SHIFTSR_TRAIN") || TrainingRun::trainerProgram().isEmpty())
            QSKIP("no trainer: ctest sets SHIFTSR_TRAIN to the built one");
        ModelRegistry registry(tmp_.filePath(QStringLiteral("no-models")));
        DistilWizard wizard(registry);
        DistilSetup& s = wizard.setup();
        s.folders = {photos_};
        s.photos = scanPhotos({photos_}, true, 64).photos;
        s.heldOut = proposeHeldOut(s.photos, s.splitSeed);
        s.teacherSpec = QStringLiteral("embedded:test-tiny");
        s.method = QStringLiteral("yonos");
        s.preset = QStringLiteral("tiny");
        s.yonosInitSpec = QStringLiteral("embedded:test-tiny-yonos");
        wizard.page(DistilWizard::MethodPage)->initializePage();
        QCOMPARE(s.stageJobs.size(), 4);
        QVERIFY(s.stageJobs[0].isEmpty());
        QWizardPage* page = wizard.page(DistilWizard::BudgetPage);
        auto* status = page->findChild<QLabel*>(QStringLiteral("trialStatus"));
        page->initializePage();
        QVERIFY(!page->isComplete());
        QVERIFY2(status->text().contains(QStringLiteral("stage 1 of 3 (x2 teacher)")),
                 qPrintable(status->text()));
        QTRY_VERIFY_WITH_TIMEOUT(
            s.secondsPerStep > 0 || status->text().contains(QStringLiteral("failed")), 60000);
        QVERIFY2(s.secondsPerStep > 0, qPrintable(status->text()));
        QCOMPARE(s.stageSecondsPerStep.size(), 4);
        QCOMPARE(s.stageSecondsPerStep[0], 0.0); // no autoencoder stage
        for (int i = 1; i < 4; ++i)
            QVERIFY(s.stageSecondsPerStep[i] > 0);
        QVERIFY2(page->isComplete(), qPrintable(problemText(page)));
        const QString time = page->findChild<QLabel*>(QStringLiteral("totalTime"))->text();
        for (const QString& stage : yonosStages().mid(1))
            QVERIFY2(time.contains(yonosStageTitle(stage)), qPrintable(time));
        QVERIFY(!time.contains(yonosStageTitle(QStringLiteral("autoencoder"))));
        QVERIFY(page->findChild<QLabel*>(QStringLiteral("diskNeeded"))
                    ->text()
                    .contains(QStringLiteral("each stage's checkpoint")));
        QVERIFY(QDir(DistilWizard::defaultRunRoot())
                    .entryList({QStringLiteral(".trial-*")}, QDir::Dirs | QDir::Hidden)
                    .isEmpty());
    }

    // Advanced edits are validated by the trainer, live; an invalid job keeps Next disabled.
    void advancedEditIsValidatedByTheTrainer() {
        ModelRegistry registry(tmp_.filePath(QStringLiteral("no-models")));
        DistilWizard wizard(registry);
        DistilSetup& s = wizard.setup();
        s.teacherSpec = QStringLiteral("embedded:lite-teacher");
        s.heldOut = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
        QWizardPage* page = wizard.page(DistilWizard::MethodPage);
        page->initializePage();
        auto* edit = page->findChild<QPlainTextEdit*>(QStringLiteral("jobJson"));
        auto* status = page->findChild<QLabel*>(QStringLiteral("jobStatus"));
        QVERIFY(edit->isHidden()); // Advanced starts collapsed
        QJsonObject job = QJsonDocument::fromJson(edit->toPlainText().toUtf8()).object();
        job[QStringLiteral("batch")] = 0;
        edit->setPlainText(QString::fromUtf8(QJsonDocument(job).toJson()));
        QVERIFY(!page->isComplete());
        QVERIFY2(status->text().contains(QStringLiteral("batch must be from 1 to 4096")),
                 qPrintable(status->text()));
        QVERIFY(problemText(page).contains(QStringLiteral("batch must be from 1 to 4096")));
        QVERIFY(!edit->isHidden()); // opened to show what is wrong
        edit->setPlainText(QStringLiteral("{\"kind\": \"rsd\", \"data\": {\"train\": \"x\"}"));
        QVERIFY(status->text().contains(QStringLiteral("not valid JSON")));
        QVERIFY(!page->isComplete());
        job[QStringLiteral("batch")] = 3;
        job[QStringLiteral("steps")] = 77;
        edit->setPlainText(QString::fromUtf8(QJsonDocument(job).toJson()));
        QVERIFY(page->isComplete());
        QCOMPARE(training::TrainJob::fromJson(s.jobJson.toStdString())->steps, 77);
        // Back and Next with nothing else changed: the edit stays
        page->initializePage();
        QCOMPARE(training::TrainJob::fromJson(s.jobJson.toStdString())->steps, 77);
    }

    // Alt+letter reaches one thing per page (the wizard's Back, Next and Finish included).
    void mnemonicsAreUniqueOnEachPage() {
        ModelRegistry registry(tmp_.filePath(QStringLiteral("no-models")));
        DistilWizard wizard(registry);
        QStringList wizardTexts;
        for (auto which : {QWizard::BackButton, QWizard::NextButton, QWizard::FinishButton})
            wizardTexts << wizard.button(which)->text();
        for (auto id : {DistilWizard::PhotosPage, DistilWizard::TeacherPage,
                        DistilWizard::MethodPage, DistilWizard::BudgetPage}) {
            const QStringList texts = wizardTexts + testutil::mnemonicTexts(wizard.page(id));
            const QStringList clashes = testutil::mnemonicClashes(wizard.page(id)->title(), texts);
            QVERIFY2(clashes.isEmpty(), qPrintable(clashes.join(QLatin1Char('\n'))));
            QVERIFY(texts.size() > wizardTexts.size());
        }
    }

    void runFolderChecks() {
        const QString holding = makeFolder(QStringLiteral("holding-run"));
        writeBytes(holding + QStringLiteral("/job.json"), "{}");
        QVERIFY(runFolderProblem(holding, 0).contains(QStringLiteral("already holds")));
        QVERIFY(runFolderProblem(tmp_.filePath(QStringLiteral("fresh/run")), 1000).isEmpty());
        QVERIFY(runFolderProblem(QStringLiteral("/proc/shiftsr-run"), 0)
                    .contains(QStringLiteral("not writable")));
        const QString locked = makeFolder(QStringLiteral("locked"));
        QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::ExeOwner);
        if (::geteuid() != 0) // root writes anywhere
            QVERIFY(runFolderProblem(locked + QStringLiteral("/run"), 0)
                        .contains(QStringLiteral("not writable")));
        QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                          QFileDevice::ExeOwner);
        setFreeBytesProbeForTests([](const QString&) { return qint64(5'000'000); });
        QCOMPARE(freeBytes(tmp_.path()), qint64(5'000'000));
        QVERIFY(runFolderProblem(tmp_.filePath(QStringLiteral("fresh/run")), 4'000'000).isEmpty());
        QVERIFY(runFolderProblem(tmp_.filePath(QStringLiteral("fresh/run")), 6'000'000)
                    .contains(QStringLiteral("Not enough disk space")));
        QCOMPARE(runFolderName(QStringLiteral("My birds: one-step (RSD)"), QDate(2026, 12, 8)),
                 QStringLiteral("my-birds-one-step-rsd-2026-12-08"));
    }

    void prepareRunFolderLinksPhotosAndWritesTheJob() {
        ModelRegistry registry(tmp_.filePath(QStringLiteral("no-models")));
        DistilSetup s;
        s.folders = {photos_};
        s.photos = scanPhotos({photos_}, true, 64).photos;
        s.heldOut = proposeHeldOut(s.photos, s.splitSeed);
        s.teacherSpec = QStringLiteral("embedded:lite-teacher");
        JobPlan plan;
        plan.preset = QStringLiteral("quick");
        plan.heldOut = int(s.heldOut.size());
        plan.initSpec = QStringLiteral("embedded:lite-rsd");
        s.jobJson = QString::fromStdString(rsdJob(plan).toJson());
        s.runFolder = tmp_.filePath(QStringLiteral("runs/prepared"));
        QString error;
        QVERIFY2(prepareRunFolder(s, registry, &error), qPrintable(error));
        const QDir run(s.runFolder);
        const QStringList train =
            QDir(run.filePath(QStringLiteral("data/train"))).entryList(QDir::Files);
        const QStringList held =
            QDir(run.filePath(QStringLiteral("data/heldout"))).entryList(QDir::Files);
        QCOMPARE(train.size(), 9);
        QCOMPARE(held.size(), 3);
        QVERIFY(train.first().startsWith(QStringLiteral("0001-")) ||
                held.first().startsWith(QStringLiteral("0001-")));
        for (const QString& name : held) {
            const QFileInfo link(run.filePath(QStringLiteral("data/heldout/") + name));
            QVERIFY(link.isSymLink());
            QVERIFY(s.heldOut.contains(link.symLinkTarget()));
        }
        QFile teacher(run.filePath(QStringLiteral("teacher.safetensors")));
        QVERIFY(teacher.open(QIODevice::ReadOnly));
        QVERIFY(teacher.readAll() == embeddedBytes("lite-teacher"));
        QCOMPARE(QFileInfo(run.filePath(QStringLiteral("init.safetensors"))).size(),
                 embeddedBytes("lite-rsd").size());
        auto job =
            training::TrainJob::fromFile(run.filePath(QStringLiteral("job.json")).toStdString());
        QVERIFY2(job.isOk(), job.status().message().c_str());
        QCOMPARE(QString::fromStdString(job->teacherModel),
                 run.filePath(QStringLiteral("teacher.safetensors")));
        QCOMPARE(QString::fromStdString(job->initModel),
                 run.filePath(QStringLiteral("init.safetensors")));
        QCOMPARE(job->trainFolders, std::vector<std::string>{
                                        run.filePath(QStringLiteral("data/train")).toStdString()});
        QCOMPARE(QString::fromStdString(job->valFolder),
                 run.filePath(QStringLiteral("data/heldout")));
        QCOMPARE(s.jobJson.toStdString(), job->toJson());
        // the trainer's own scan sees exactly the split
        QCOMPARE(scanPhotos({run.filePath(QStringLiteral("data/train"))}, true, 128).photos.size(),
                 9);
        // a folder that holds a run is refused
        QVERIFY(!prepareRunFolder(s, registry, &error));
        QVERIFY(error.contains(QStringLiteral("already holds")));

        // fine-tuning first: the teacher's run inside, the student learns from its result
        s.runFolder = tmp_.filePath(QStringLiteral("runs/prepared-tuned"));
        s.fineTuneTeacher = true;
        plan.initSpec.clear();
        s.jobJson = QString::fromStdString(rsdJob(plan).toJson());
        s.teacherJobJson =
            QString::fromStdString(fineTuneJob(plan, *registry.find(s.teacherSpec)).toJson());
        QVERIFY2(prepareRunFolder(s, registry, &error), qPrintable(error));
        const QString tuneDir = fineTuneRunFolder(s.runFolder);
        auto tune = training::TrainJob::fromFile(
            QDir(tuneDir).filePath(QStringLiteral("job.json")).toStdString());
        QVERIFY2(tune.isOk(), tune.status().message().c_str());
        QCOMPARE(QString::fromStdString(tune->initModel),
                 QDir(s.runFolder).filePath(QStringLiteral("teacher.safetensors")));
        QCOMPARE(training::TrainJob::fromJson(s.teacherJobJson.toStdString())->initModel,
                 tune->initModel);
        QCOMPARE(QString::fromStdString(
                     training::TrainJob::fromJson(s.jobJson.toStdString())->teacherModel),
                 QDir(tuneDir).filePath(QStringLiteral("model.safetensors")));
    }

    // The Budget page runs a few real steps of the tiny job, reports the time per step and the disk
    // needed, removes the trial, and keeps Next disabled for a run folder that cannot take the run.
    void budgetTrialMeasuresAndChecksTheFolder() {
        if (qEnvironmentVariableIsEmpty("SHIFTSR_TRAIN") || TrainingRun::trainerProgram().isEmpty())
            QSKIP("no trainer: ctest sets SHIFTSR_TRAIN to the built one");
        ModelRegistry registry(tmp_.filePath(QStringLiteral("no-models")));
        DistilWizard wizard(registry);
        DistilSetup& s = wizard.setup();
        s.folders = {photos_};
        s.photos = scanPhotos({photos_}, true, 64).photos;
        s.heldOut = proposeHeldOut(s.photos, s.splitSeed);
        s.teacherSpec = QStringLiteral("embedded:test-tiny");
        s.preset = QStringLiteral("tiny");
        wizard.page(DistilWizard::MethodPage)->initializePage();
        QWizardPage* page = wizard.page(DistilWizard::BudgetPage);
        auto* status = page->findChild<QLabel*>(QStringLiteral("trialStatus"));
        auto* measure = page->findChild<QPushButton*>(QStringLiteral("measure"));
        auto trialFolders = [] {
            return QDir(DistilWizard::defaultRunRoot())
                .entryList({QStringLiteral(".trial-*")}, QDir::Dirs | QDir::Hidden);
        };
        // stopped at once: no measurement, and the trial folder goes when the trainer has exited
        page->initializePage();
        QVERIFY(!page->isComplete()); // measuring
        QCOMPARE(trialFolders().size(), 1);
        measure->click();
        QVERIFY(status->text().contains(QStringLiteral("stopped")));
        QVERIFY(!page->isComplete());
        QTRY_VERIFY_WITH_TIMEOUT(trialFolders().isEmpty(), 20000);
        measure->click();             // Measure Again
        QVERIFY(!page->isComplete()); // measuring
        QTRY_VERIFY_WITH_TIMEOUT(s.secondsPerStep > 0 ||
                                     page->findChild<QLabel*>(QStringLiteral("trialStatus"))
                                         ->text()
                                         .contains(QStringLiteral("failed")),
                                 30000);
        QVERIFY2(s.secondsPerStep > 0,
                 qPrintable(page->findChild<QLabel*>(QStringLiteral("trialStatus"))->text()));
        QVERIFY2(page->isComplete(), qPrintable(problemText(page)));
        QVERIFY(page->findChild<QLabel*>(QStringLiteral("totalTime"))
                    ->text()
                    .contains(QStringLiteral("about")));
        QVERIFY(page->findChild<QLabel*>(QStringLiteral("diskNeeded"))
                    ->text()
                    .contains(QStringLiteral("checkpoint")));
        QVERIFY(s.runFolder.startsWith(DistilWizard::defaultRunRoot()));
        QVERIFY(trialFolders().isEmpty()); // removed after the trial

        auto* folder = page->findChild<QLineEdit*>(QStringLiteral("runFolder"));
        const QString holding = makeFolder(QStringLiteral("budget-holding"));
        writeBytes(holding + QStringLiteral("/log.jsonl"), "{}\n");
        folder->setText(holding);
        QVERIFY(!page->isComplete());
        QVERIFY(problemText(page).contains(QStringLiteral("already holds")));
        folder->setText(QStringLiteral("/proc/shiftsr-run"));
        QVERIFY(!page->isComplete());
        QVERIFY(problemText(page).contains(QStringLiteral("not writable")));
        setFreeBytesProbeForTests([](const QString&) { return qint64(1000); });
        folder->setText(tmp_.filePath(QStringLiteral("budget-run")));
        QVERIFY(!page->isComplete());
        QVERIFY2(problemText(page).contains(QStringLiteral("Not enough disk space")),
                 qPrintable(problemText(page)));
        setFreeBytesProbeForTests(nullptr);
        folder->setText(tmp_.filePath(QStringLiteral("budget-run2")));
        QVERIFY(page->isComplete());
    }
};

QTEST_MAIN(TestDistilSetup)
#include "tst_distilsetup.moc"
