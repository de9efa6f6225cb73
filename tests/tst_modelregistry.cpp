// ModelRegistry: embedded and folder packages listed with their metadata, broken files listed with
// an error, default persisted, cached loading, removal, import of official checkpoints; embedded
// names and descriptions in the user's language; the default model folder.
#include "testutil.h"

#include "shiftsr/gui/app_settings.h"
#include "shiftsr/gui/model_registry.h"
#include "shiftsr/resources/embedded.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTranslator>
#include <QtTest>

using shiftsr::gui::ModelRegistry;

namespace {

// Sets the application's organisation and name for one test and restores them after it.
struct AppNames {
    QString organisation = QCoreApplication::organizationName();
    QString application = QCoreApplication::applicationName();
    AppNames(const QString& org, const QString& app) {
        QCoreApplication::setOrganizationName(org);
        QCoreApplication::setApplicationName(app);
    }
    ~AppNames() {
        QCoreApplication::setOrganizationName(organisation);
        QCoreApplication::setApplicationName(application);
    }
};

} // namespace

class TestModelRegistry : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;

    QString writeEmbeddedCopy(const QString& folder, const QString& file) {
        const auto& m = shiftsr::resources::embeddedModels().front();
        const QString path = folder + "/" + file;
        testutil::writeAll(path,
                           QByteArray(reinterpret_cast<const char*>(m.data), qsizetype(m.size)));
        return path;
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ShiftSR-tests");
        QCoreApplication::setApplicationName("tst_modelregistry");
        QSettings().clear();
    }

    void listsEmbeddedAndFolderModels() {
        const QString folder = tmp_.filePath("models");
        QDir().mkpath(folder);
        const QString good = writeEmbeddedCopy(folder, "copy.safetensors");
        testutil::writeAll(folder + "/broken.safetensors", "not a package");
        testutil::writeAll(folder + "/notes.txt", "ignored");
        ModelRegistry reg(folder);
        QSignalSpy hashed(&reg, &ModelRegistry::contentHashesReady);
        QVERIFY(hashed.wait(60000));
        const auto& list = reg.models();
        QCOMPARE(list.size(), qsizetype(shiftsr::resources::listedEmbeddedModels().size() + 2));
        const auto* e =
            reg.find("embedded:" + QString::fromStdString(shiftsr::resources::defaultModelId()));
        QVERIFY(e && e->embedded && e->error.isEmpty());
        QCOMPARE(e->info.scale, 4);
        QVERIFY(e->info.unetParameters > 0);
        QVERIFY(!e->info.family.empty());
        const auto* copy = reg.find(good);
        QVERIFY(copy && !copy->embedded && copy->error.isEmpty());
        const auto* original = reg.find(
            "embedded:" + QString::fromStdString(shiftsr::resources::embeddedModels().front().id));
        QVERIFY(original);
        QCOMPARE(copy->info.contentHash, original->info.contentHash); // same bytes, same identity
        QCOMPARE(copy->info.fileBytes, original->info.fileBytes);
        const auto* broken = reg.find(folder + "/broken.safetensors");
        QVERIFY(broken && !broken->error.isEmpty());
        QVERIFY(!reg.load(broken->spec).isOk());
    }

    // The untrained test model is for the tests only: without SHIFTSR_SHOW_TEST_MODELS=1 (which
    // CTest sets) the app does not list it, unless it is the only model embedded.
    void testModelListedOnlyForTests() {
        const QByteArray saved = qgetenv("SHIFTSR_SHOW_TEST_MODELS");
        qunsetenv("SHIFTSR_SHOW_TEST_MODELS");
        const bool trained = shiftsr::resources::defaultModelId() != "test-tiny";
        ModelRegistry hidden(tmp_.filePath("hidden"));
        QCOMPARE(hidden.find("embedded:test-tiny") == nullptr, trained);
        QVERIFY(hidden.find("embedded:" +
                            QString::fromStdString(shiftsr::resources::defaultModelId())));
        qputenv("SHIFTSR_SHOW_TEST_MODELS", "1");
        ModelRegistry shown(tmp_.filePath("hidden"));
        QVERIFY(shown.find("embedded:test-tiny"));
        qputenv("SHIFTSR_SHOW_TEST_MODELS", saved);
    }

    // Startup with a package in the folder does not wait for its hash: the registry lists it from
    // its header at once (the hash is unknown until the event loop delivers the background
    // result, so the check is deterministic), fills the hash in later, and a second registry gets
    // it from the process cache without reading the file again.
    void hashesOffTheGuiThread() {
        const QString folder = tmp_.filePath("hashing");
        QDir().mkpath(folder);
        const QString copy = writeEmbeddedCopy(folder, "fresh-copy.safetensors");
        ModelRegistry reg(folder);
        QSignalSpy hashed(&reg, &ModelRegistry::contentHashesReady);
        const auto* listed = reg.find(copy);
        QVERIFY(listed && listed->error.isEmpty());
        QVERIFY(listed->hashPending());
        QVERIFY(listed->info.unetParameters > 0); // the header is read
        QVERIFY(hashed.wait(60000));
        const auto& m = shiftsr::resources::embeddedModels().front();
        const auto want = shiftsr::Model::inspectMemory(m.data, m.size, m.id);
        QVERIFY(want.isOk());
        QCOMPARE(reg.find(copy)->info.contentHash, want->contentHash);
        ModelRegistry again(folder);
        QCOMPARE(again.find(copy)->info.contentHash, want->contentHash);
        // Another package at the same path is hashed again, not taken from the cache.
        const auto& other = shiftsr::resources::embeddedModels().back();
        QVERIFY(other.size != m.size);
        QVERIFY(testutil::writeAll(
            copy, QByteArray(reinterpret_cast<const char*>(other.data), qsizetype(other.size))));
        ModelRegistry changed(folder);
        QSignalSpy rehashed(&changed, &ModelRegistry::contentHashesReady);
        QVERIFY(changed.find(copy)->hashPending());
        QVERIFY(rehashed.wait(60000));
        QCOMPARE(changed.find(copy)->info.contentHash,
                 shiftsr::Model::inspectMemory(other.data, other.size, other.id)->contentHash);
    }

    void defaultPersistsAndFallsBack() {
        const QString folder = tmp_.filePath("models-default");
        QDir().mkpath(folder);
        const QString path = writeEmbeddedCopy(folder, "mine.safetensors");
        const QString builtIn =
            "embedded:" + QString::fromStdString(shiftsr::resources::defaultModelId());
        {
            ModelRegistry reg(folder);
            QCOMPARE(reg.defaultSpec(), builtIn);
            QSignalSpy spy(&reg, &ModelRegistry::defaultChanged);
            QVERIFY(reg.setDefaultSpec(path).isOk());
            QCOMPARE(spy.count(), 1);
            QVERIFY(!reg.setDefaultSpec(folder + "/missing.safetensors").isOk());
        }
        ModelRegistry again(folder); // a new start reads the setting
        QCOMPARE(again.defaultSpec(), path);
        QVERIFY(!again.remove(builtIn).isOk()); // embedded models stay
        QVERIFY(again.remove(path).isOk());
        QVERIFY(!QFile::exists(path));
        QCOMPARE(again.defaultSpec(), builtIn);
        QVERIFY(!again.find(path));
    }

    void loadIsCachedAndRuns() {
        ModelRegistry reg(tmp_.filePath("empty"));
        const QString spec = reg.defaultSpec();
        auto a = reg.load(spec);
        QVERIFY2(a.isOk(), a.status().message().c_str());
        auto b = reg.load(spec);
        QVERIFY(b.isOk());
        QCOMPARE(a->get(), b->get());
        QVERIFY(!reg.load("embedded:nope").isOk());
        QVERIFY(!reg.load(tmp_.filePath("nope.safetensors")).isOk());
    }

    void preferredSpecByKind() {
        ModelRegistry reg(tmp_.filePath("empty"));
        const QString multi = reg.preferredSpec(false);
        QVERIFY(!multi.isEmpty());
        QVERIFY(reg.find(multi)->info.steps > 1);
        const QString one = reg.preferredSpec(true);
        if (!one.isEmpty())
            QCOMPARE(reg.find(one)->info.steps, 1);
        // The untrained test model is chosen only when no other multi-step model is there.
        int trainedMulti = 0;
        for (const auto& e : reg.models())
            trainedMulti +=
                e.error.isEmpty() && !e.oneStep() && e.spec != QLatin1String("embedded:test-tiny");
        if (trainedMulti > 0)
            QVERIFY(multi != QLatin1String("embedded:test-tiny"));
        // With the embedded student as the default, its partner is the teacher it was distilled
        // from.
        const shiftsr::gui::ModelEntry* student = reg.find(QStringLiteral("embedded:lite-rsd"));
        if (!student || reg.defaultSpec() != student->spec)
            QSKIP("the embedded student is not the default in this build");
        const QString teacher =
            QJsonDocument::fromJson(
                QByteArray::fromStdString(student->info.metadata.at("provenance")))
                .object()
                .value(QStringLiteral("teacher"))
                .toString();
        QVERIFY(!teacher.isEmpty());
        QCOMPARE(QString::fromStdString(reg.find(multi)->info.name), teacher);
    }

    // The embedded models' names and descriptions in German with the German catalogue installed
    // (the texts in the registry's table match the packages and resources/CMakeLists.txt, else
    // they would show in English); a folder package keeps its own name.
    void embeddedNamesTranslated_data() {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("description");
        QTest::newRow("lite-rsd") << "lite-rsd"
                                  << "ShiftSR Lite Ein-Schritt (RSD)"
                                  << "Ein Schritt, schnell";
        QTest::newRow("lite-teacher") << "lite-teacher"
                                      << "ShiftSR Lite Mehrschritt-Lehrermodell"
                                      << "4 Schritte, langsamer, die Referenz";
        QTest::newRow("test-tiny")
            << "test-tiny"
            << "ShiftSR-Testmodell (untrainiert, nur zur Prüfung der Pipeline)"
            << "Winziges untrainiertes Testmodell (nur zur Prüfung der Pipeline)";
        QTest::newRow("test-tiny-yonos")
            << "test-tiny-yonos"
            << "ShiftSR-YONOS-Testmodell (untrainiert, nur zur Prüfung der Pipeline)"
            << "Winziges untrainiertes YONOS-Testmodell (nur zur Prüfung der Pipeline)";
    }
    void embeddedNamesTranslated() {
        QFETCH(QString, id);
        const shiftsr::resources::EmbeddedModel* m =
            shiftsr::resources::findEmbeddedModel(id.toStdString());
        if (!m)
            QSKIP("this build does not embed the model");
        const QString folder = tmp_.filePath("translated");
        QDir().mkpath(folder);
        const QString copy = folder + "/copy.safetensors";
        testutil::writeAll(copy,
                           QByteArray(reinterpret_cast<const char*>(m->data), qsizetype(m->size)));

        ModelRegistry english(folder);
        const auto* e = english.find("embedded:" + id);
        QVERIFY(e);
        QCOMPARE(e->displayName, QString::fromStdString(e->info.name));
        QCOMPARE(e->description, QString::fromStdString(m->description));

        QTranslator german;
        QVERIFY(german.load(QLocale(QLocale::German, QLocale::Germany), "shiftsr", "_", ":/i18n"));
        QVERIFY(QCoreApplication::installTranslator(&german));
        ModelRegistry translated(folder);
        QCoreApplication::removeTranslator(&german);
        QTEST(translated.find("embedded:" + id)->displayName, "name");
        QTEST(translated.find("embedded:" + id)->description, "description");
        QCOMPARE(translated.find(copy)->displayName, QString::fromStdString(e->info.name));
        QCOMPARE(translated.find(copy)->info.name, e->info.name); // the package is not changed
    }

    // Organisation and application "ShiftSR" made AppDataLocation end in ShiftSR/ShiftSR; the
    // default model folder names that folder once. A stored folder is kept as it is, and models
    // in the old default are still found when nothing was stored.
    void defaultModelFolderNamesTheAppOnce() {
        const AppNames names("ShiftSR-folder", "ShiftSR-folder");
        QSettings().clear();
        const QString appData = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        QVERIFY2(appData.endsWith("/ShiftSR-folder/ShiftSR-folder"), qPrintable(appData));
        const QString top = QFileInfo(appData).path();
        QDir(top).removeRecursively();
        const QString want = top + "/models";
        const QString old = appData + "/models";
        QCOMPARE(shiftsr::gui::defaultModelFolder(), want);
        QCOMPARE(ModelRegistry().modelFolder(), want);
        QCOMPARE(shiftsr::gui::AppSettings::load().modelFolder, want);

        QSettings().setValue("models/folder", old);
        QCOMPARE(ModelRegistry().modelFolder(), old);
        QCOMPARE(shiftsr::gui::AppSettings::load().modelFolder, old);
        QCOMPARE(QSettings().value("models/folder").toString(), old);
        QSettings().remove("models/folder");

        QVERIFY(QDir().mkpath(old));
        QCOMPARE(shiftsr::gui::defaultModelFolder(), want); // an empty old folder is not kept
        writeEmbeddedCopy(old, "mine.safetensors");
        QCOMPARE(shiftsr::gui::defaultModelFolder(), old);
        QVERIFY(ModelRegistry().find(old + "/mine.safetensors"));
        QVERIFY(QDir().mkpath(want)); // once the new folder exists, it is the one
        QCOMPARE(shiftsr::gui::defaultModelFolder(), want);
        QDir(top).removeRecursively();
        QSettings().clear();
    }

    void defaultModelFolderWithOtherAppNames() {
        const AppNames names("ShiftSR-tests", "tst_modelregistry");
        QCOMPARE(shiftsr::gui::defaultModelFolder(),
                 QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/models");
    }

    void importOfficialCheckpoint() {
        QString dir;
        for (const QString& c : testutil::fixtureCases())
            if (QFile::exists(c + "/unet_official_format.pth") &&
                QFile::exists(c + "/autoencoder_official_format.pth"))
                dir = c;
        SHIFTSR_REQUIRE_FIXTURE(dir + "/unet_official_format.pth");
        const QString folder = tmp_.filePath("imported");
        ModelRegistry reg(folder);
        shiftsr::ImportOptions o;
        o.inputs = {(dir + "/unet_official_format.pth").toStdString(),
                    (dir + "/autoencoder_official_format.pth").toStdString()};
        o.configJson = (dir + "/config.json").toStdString();
        o.name = "Official tiny";
        auto spec = reg.importWeights(o);
        QVERIFY2(spec.isOk(), spec.status().message().c_str());
        QVERIFY(QFile::exists(*spec));
        QVERIFY(!reg.importWeights(o).isOk()); // never overwrites
        QSignalSpy spy(&reg, &ModelRegistry::modelsChanged);
        reg.refresh();
        QCOMPARE(spy.count(), 1);
        const auto* e = reg.find(*spec);
        QVERIFY(e && e->error.isEmpty());
        QCOMPARE(e->displayName, QString("Official tiny"));
        QCOMPARE(e->info.family, std::string("resshift"));
    }
};

QTEST_GUILESS_MAIN(TestModelRegistry)
#include "tst_modelregistry.moc"
