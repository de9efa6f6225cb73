// ModelManagerDialog (offscreen): the table shows embedded and folder models with their metadata,
// broken files with their error, the details pane the provenance; set default, remove (confirmed,
// embedded refused), model folder change, and import of official checkpoints through the worker.
#include "testutil.h"

#include "shiftsr/gui/import_checkpoint_dialog.h"
#include "shiftsr/gui/model_manager_dialog.h"
#include "shiftsr/gui/model_registry.h"
#include "shiftsr/resources/embedded.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QtTest>

#include <memory>

using shiftsr::gui::ModelManagerDialog;
using shiftsr::gui::ModelRegistry;

namespace {

constexpr int kImportTimeoutMs = 60000;

QString cell(const QTableWidget* table, int row, int column) {
    const QTableWidgetItem* item = table->item(row, column);
    return item ? item->text() : QString();
}

QString embeddedSpec() {
    return "embedded:" + QString::fromStdString(shiftsr::resources::defaultModelId());
}

// The fixture folder with official-format checkpoints, or empty.
QString officialFixture() {
    for (const QString& c : testutil::fixtureCases())
        if (QFile::exists(c + "/unet_official_format.pth") &&
            QFile::exists(c + "/autoencoder_official_format.pth"))
            return c;
    return {};
}

QStringList packagesIn(const QString& folder) {
    return QDir(folder).entryList({"*.safetensors"}, QDir::Files, QDir::Name);
}

} // namespace

class TestModelManager : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;

    QString writeEmbeddedCopy(const QString& folder, const QString& file) {
        const auto& m = shiftsr::resources::embeddedModels().front();
        const QString path = folder + "/" + file;
        testutil::writeAll(path,
                           QByteArray(reinterpret_cast<const char*>(m.data), qsizetype(m.size)));
        return path;
    }

    QString freshFolder(const QString& name) {
        const QString folder = tmp_.filePath(name);
        QDir().mkpath(folder);
        return folder;
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ShiftSR-tests");
        QCoreApplication::setApplicationName("tst_modelmanager");
        QSettings().clear();
        QVERIFY(tmp_.isValid());
    }

    void init() { QSettings().clear(); }

    void tableShowsModelsAndMetadata() {
        const QString folder = freshFolder("list");
        const QString copy = writeEmbeddedCopy(folder, "copy.safetensors");
        const QString broken = folder + "/broken.safetensors";
        testutil::writeAll(broken, "not a package");
        ModelRegistry registry(folder);
        ModelManagerDialog dialog(registry);
        auto* table = dialog.findChild<QTableWidget*>("modelTable");
        QVERIFY(table);
        QCOMPARE(table->rowCount(), int(registry.models().size()));

        const auto* embedded = registry.find(embeddedSpec());
        QVERIFY(embedded && embedded->error.isEmpty());
        for (const QString& spec : {embeddedSpec(), copy}) {
            const int row = dialog.rowOf(spec);
            QVERIFY2(row >= 0, qPrintable(spec));
            const auto& info = registry.find(spec)->info;
            QCOMPARE(cell(table, row, ModelManagerDialog::NameColumn),
                     registry.find(spec)->displayName);
            QCOMPARE(cell(table, row, ModelManagerDialog::FamilyColumn),
                     QString::fromStdString(info.family));
            QCOMPARE(cell(table, row, ModelManagerDialog::CodecColumn),
                     QString::fromStdString(info.codec));
            QVERIFY(cell(table, row, ModelManagerDialog::ScaleColumn)
                        .contains(QString::number(info.scale)));
            QCOMPARE(cell(table, row, ModelManagerDialog::StepsColumn),
                     QString::number(info.steps));
            QCOMPARE(cell(table, row, ModelManagerDialog::UnetParametersColumn),
                     QLocale().toString(qlonglong(info.unetParameters)));
            QCOMPARE(cell(table, row, ModelManagerDialog::CodecParametersColumn),
                     QLocale().toString(qlonglong(info.codecParameters)));
            QCOMPARE(cell(table, row, ModelManagerDialog::SizeColumn),
                     QLocale().formattedDataSize(qint64(info.fileBytes)));
        }
        QCOMPARE(cell(table, dialog.rowOf(embeddedSpec()), ModelManagerDialog::LocationColumn),
                 QString("Embedded"));
        QCOMPARE(cell(table, dialog.rowOf(copy), ModelManagerDialog::LocationColumn),
                 QDir::toNativeSeparators(copy));
        // The default is marked; nothing else is.
        QCOMPARE(cell(table, dialog.rowOf(embeddedSpec()), ModelManagerDialog::StatusColumn),
                 QString("Default"));
        QCOMPARE(cell(table, dialog.rowOf(copy), ModelManagerDialog::StatusColumn), QString());

        // A broken file is listed with the registry's error.
        const int brokenRow = dialog.rowOf(broken);
        QVERIFY(brokenRow >= 0);
        const QString error = registry.find(broken)->error;
        QVERIFY(!error.isEmpty());
        QVERIFY(cell(table, brokenRow, ModelManagerDialog::StatusColumn).contains(error));
        QCOMPARE(cell(table, brokenRow, ModelManagerDialog::FamilyColumn), QString());

        // Details: the provenance pretty-printed and the other metadata.
        auto* details = dialog.findChild<QTextBrowser*>("details");
        QVERIFY(details);
        QVERIFY(dialog.selectSpec(embeddedSpec()));
        QCOMPARE(dialog.selectedSpec(), embeddedSpec());
        const QString text = details->toPlainText();
        QVERIFY2(text.contains("Provenance"), qPrintable(text));
        QVERIFY2(text.contains("\"training\": "),
                 qPrintable(text)); // indented JSON, not the stored line
        QVERIFY(text.contains(QString::fromStdString(embedded->info.contentHash)));
        QVERIFY(text.contains("schedule"));
        QVERIFY(text.contains("exponential"));
        QVERIFY(dialog.selectSpec(broken));
        QVERIFY(details->toPlainText().contains(error));
    }

    void setDefaultAndRemove() {
        const QString folder = freshFolder("default-remove");
        const QString copy = writeEmbeddedCopy(folder, "mine.safetensors");
        ModelRegistry registry(folder);
        ModelManagerDialog dialog(registry);
        auto* table = dialog.findChild<QTableWidget*>("modelTable");
        auto* defaultButton = dialog.findChild<QPushButton*>("defaultButton");
        auto* removeButton = dialog.findChild<QPushButton*>("removeButton");
        QVERIFY(table && defaultButton && removeButton);

        QVERIFY(dialog.selectSpec(embeddedSpec()));
        QVERIFY(!defaultButton->isEnabled()); // already the default
        QVERIFY(!removeButton->isEnabled());  // embedded
        dialog.removeSelected();
        QVERIFY(registry.find(embeddedSpec()));
        QVERIFY(!dialog.message().isEmpty());

        QVERIFY(dialog.selectSpec(copy));
        QVERIFY(defaultButton->isEnabled());
        QSignalSpy defaultSpy(&registry, &ModelRegistry::defaultChanged);
        defaultButton->click();
        QCOMPARE(defaultSpy.count(), 1);
        QCOMPARE(registry.defaultSpec(), copy);
        QCOMPARE(cell(table, dialog.rowOf(copy), ModelManagerDialog::StatusColumn),
                 QString("Default"));
        QCOMPARE(cell(table, dialog.rowOf(embeddedSpec()), ModelManagerDialog::StatusColumn),
                 QString());
        QCOMPARE(dialog.selectedSpec(), copy); // the selection survives the table rebuild

        int asked = 0;
        dialog.setConfirmFunction([&asked](const QString&, const QString&) {
            ++asked;
            return false;
        });
        QVERIFY(removeButton->isEnabled());
        removeButton->click();
        QCOMPARE(asked, 1);
        QVERIFY(QFile::exists(copy)); // declined: nothing happens

        dialog.setConfirmFunction([&asked](const QString&, const QString&) { return ++asked > 0; });
        removeButton->click();
        QCOMPARE(asked, 2);
        QVERIFY(!QFile::exists(copy));
        QCOMPARE(dialog.rowOf(copy), -1);
        QCOMPARE(table->rowCount(), int(registry.models().size()));
        QCOMPARE(registry.defaultSpec(), embeddedSpec());
        QCOMPARE(cell(table, dialog.rowOf(embeddedSpec()), ModelManagerDialog::StatusColumn),
                 QString("Default"));
    }

    void changeModelFolder() {
        const QString first = freshFolder("folder-a");
        const QString second = freshFolder("folder-b");
        writeEmbeddedCopy(second, "other.safetensors");
        ModelRegistry registry(first);
        ModelManagerDialog dialog(registry);
        auto* table = dialog.findChild<QTableWidget*>("modelTable");
        const int embeddedRows = int(shiftsr::resources::embeddedModels().size());
        QCOMPARE(table->rowCount(), embeddedRows);
        dialog.setModelFolder(second);
        QCOMPARE(registry.modelFolder(), second);
        QCOMPARE(QSettings().value("models/folder").toString(), second);
        QCOMPARE(table->rowCount(), embeddedRows + 1);
        QVERIFY(dialog.rowOf(second + "/other.safetensors") >= 0);
        QVERIFY(dialog.findChild<QLabel*>("folderLabel")
                    ->text()
                    .contains(QDir::toNativeSeparators(second)));
    }

    void importThroughWorker() {
        const QString fixture = officialFixture();
        SHIFTSR_REQUIRE_FIXTURE(fixture + "/unet_official_format.pth");
        const QString folder = freshFolder("import");
        ModelRegistry registry(folder);
        ModelManagerDialog dialog(registry);
        auto* table = dialog.findChild<QTableWidget*>("modelTable");
        const int rowsBefore = table->rowCount();
        QSignalSpy imported(&dialog, &ModelManagerDialog::modelImported);
        QSignalSpy failed(&dialog, &ModelManagerDialog::importFailed);

        dialog.importCheckpoint(fixture + "/unet_official_format.pth",
                                fixture + "/autoencoder_official_format.pth",
                                fixture + "/config.json", "Official tiny");
        QVERIFY(dialog.isImporting()); // the result comes back through the event loop
        QVERIFY(!dialog.findChild<QPushButton*>("importButton")->isEnabled());
        QVERIFY(imported.wait(kImportTimeoutMs));
        QCOMPARE(failed.count(), 0);
        QVERIFY(!dialog.isImporting());
        const QString spec = imported.front().front().toString();
        QVERIFY(QFile::exists(spec));
        QCOMPARE(table->rowCount(), rowsBefore + 1);
        const int row = dialog.rowOf(spec);
        QVERIFY(row >= 0);
        QCOMPARE(cell(table, row, ModelManagerDialog::NameColumn), QString("Official tiny"));
        QCOMPARE(cell(table, row, ModelManagerDialog::FamilyColumn), QString("resshift"));
        QCOMPARE(cell(table, row, ModelManagerDialog::StatusColumn), QString());
        QCOMPARE(dialog.selectedSpec(), spec);
        const QString details = dialog.findChild<QTextBrowser*>("details")->toPlainText();
        QVERIFY2(details.contains("converted_from"), qPrintable(details));
        QVERIFY(details.contains("unet_official_format.pth"));

        // The same name again: refused by the registry, reported, nothing overwritten.
        const QByteArray before = testutil::readAll(spec);
        dialog.importCheckpoint(fixture + "/unet_official_format.pth",
                                fixture + "/autoencoder_official_format.pth",
                                fixture + "/config.json", "Official tiny");
        QVERIFY(failed.wait(kImportTimeoutMs));
        QVERIFY2(failed.front().front().toString().contains("already exists"),
                 qPrintable(failed.front().front().toString()));
        QCOMPARE(dialog.message(), failed.front().front().toString());
        QCOMPARE(testutil::readAll(spec), before);
        QCOMPARE(table->rowCount(), rowsBefore + 1);
    }

    void importErrorsAreReported() {
        const QString fixture = officialFixture();
        const QString folder = freshFolder("import-errors");
        ModelRegistry registry(folder);
        ModelManagerDialog dialog(registry);
        QSignalSpy failed(&dialog, &ModelManagerDialog::importFailed);
        QSignalSpy errors(&dialog, &ModelManagerDialog::errorOccurred);

        // A missing file is refused before any work starts.
        dialog.importCheckpoint(folder + "/missing.pth", folder + "/missing-ae.pth", {}, "x");
        QCOMPARE(failed.count(), 1);
        QVERIFY(!dialog.isImporting());
        QVERIFY(dialog.message().contains("missing.pth"));

        // A file that is not a checkpoint fails in the worker with the engine's reason.
        const QString junk = folder + "/junk.pth";
        testutil::writeAll(junk, QByteArray(4096, 'x'));
        dialog.importCheckpoint(
            junk, fixture.isEmpty() ? junk : fixture + "/autoencoder_official_format.pth", {},
            "junk");
        QVERIFY(dialog.isImporting());
        QVERIFY(failed.wait(kImportTimeoutMs));
        QCOMPARE(failed.count(), 2);
        QVERIFY(errors.count() >= 2);
        QVERIFY(dialog.message().contains("junk"));
        QVERIFY(packagesIn(folder).isEmpty());
    }

    void cancelAndDestroyDuringImport() {
        const QString fixture = officialFixture();
        SHIFTSR_REQUIRE_FIXTURE(fixture + "/unet_official_format.pth");
        const QString unet = fixture + "/unet_official_format.pth";
        const QString autoencoder = fixture + "/autoencoder_official_format.pth";
        {
            const QString folder = freshFolder("import-cancel");
            ModelRegistry registry(folder);
            ModelManagerDialog dialog(registry);
            QSignalSpy imported(&dialog, &ModelManagerDialog::modelImported);
            QSignalSpy failed(&dialog, &ModelManagerDialog::importFailed);
            dialog.importCheckpoint(unet, autoencoder, fixture + "/config.json", "cancelled");
            dialog.cancelImport();
            QTRY_VERIFY_WITH_TIMEOUT(!dialog.isImporting(), kImportTimeoutMs);
            // The worker may have finished before it saw the flag; either way the outcome is whole.
            QCOMPARE(imported.count() + failed.count(), 1);
            if (failed.count())
                QVERIFY(packagesIn(folder).isEmpty());
            else
                QCOMPARE(packagesIn(folder), QStringList{"cancelled.safetensors"});
        }
        {
            const QString folder = freshFolder("import-destroy");
            ModelRegistry registry(folder);
            auto dialog = std::make_unique<ModelManagerDialog>(registry);
            dialog->importCheckpoint(unet, autoencoder, fixture + "/config.json", "destroyed");
            dialog.reset(); // cancels and waits; no temporary file is left behind
            const QStringList left = QDir(folder).entryList(QDir::Files);
            QVERIFY2(left.isEmpty() || left == QStringList{"destroyed.safetensors"},
                     qPrintable(left.join(',')));
            QCOMPARE(registry.find(folder + "/destroyed.safetensors") != nullptr, !left.isEmpty());
        }
    }

    void importDialogValidates() {
        shiftsr::gui::ImportCheckpointDialog dialog;
        auto* ok = dialog.findChild<QDialogButtonBox*>();
        QVERIFY(ok);
        QVERIFY(!ok->button(QDialogButtonBox::Ok)->isEnabled());
        const QString folder = freshFolder("import-dialog");
        testutil::writeAll(folder + "/u.pth", "u");
        testutil::writeAll(folder + "/a.pth", "a");
        dialog.setUnetPath(folder + "/u.pth");
        QVERIFY(!ok->button(QDialogButtonBox::Ok)->isEnabled());
        dialog.setAutoencoderPath(folder + "/a.pth");
        QVERIFY(ok->button(QDialogButtonBox::Ok)->isEnabled());
        dialog.setConfigPath(folder + "/missing.json");
        QVERIFY(!ok->button(QDialogButtonBox::Ok)->isEnabled());
        dialog.setConfigPath({});
        dialog.setName("  My model ");
        QVERIFY(ok->button(QDialogButtonBox::Ok)->isEnabled());
        QCOMPARE(dialog.name(), QString("My model"));
        QCOMPARE(dialog.unetPath(), folder + "/u.pth");
    }
};

QTEST_MAIN(TestModelManager)
#include "tst_modelmanager.moc"
