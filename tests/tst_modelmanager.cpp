// ModelManagerDialog (offscreen): the table shows embedded and folder models with their metadata,
// its columns as wide as their contents, broken files with their error, the details pane the
// provenance as fields a person reads (raw JSON behind a toggle); set default, remove (confirmed,
// embedded refused), model folder change, and import of official checkpoints through the worker.
#include "compact_net_util.h"
#include "testutil.h"

#include "shiftsr/gui/import_checkpoint_dialog.h"
#include "shiftsr/gui/model_details_view.h"
#include "shiftsr/gui/model_manager_dialog.h"
#include "shiftsr/gui/model_registry.h"
#include "shiftsr/resources/embedded.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFontDatabase>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using shiftsr::gui::DetailField;
using shiftsr::gui::ModelDetailsView;
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

QString field(const QList<DetailField>& fields, const QString& label) {
    for (const DetailField& f : fields)
        if (f.label == label)
            return f.value;
    return {};
}

// Every text the details pane shows in its labels.
QString shownText(const QWidget* view) {
    QStringList texts;
    for (const QLabel* label : view->findChildren<QLabel*>())
        if (label->isVisibleTo(view))
            texts << label->text();
    return texts.join('\n');
}

// A folder package's entry with `provenance` as its provenance metadata.
shiftsr::gui::ModelEntry entryWithProvenance(const QByteArray& provenance,
                                             const std::string& codec = "unshuffle-f4") {
    shiftsr::gui::ModelEntry e;
    e.spec = "/models/x.safetensors";
    e.info.codec = codec;
    e.info.metadata["provenance"] = provenance.toStdString();
    return e;
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
                     shiftsr::gui::familyText(info.family));
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

        // Details: fields for a person, the full sha256 selectable; the raw metadata (provenance
        // first, indented) behind a toggle, read-only and monospace.
        auto* details = dialog.findChild<ModelDetailsView*>("details");
        auto* toggle = dialog.findChild<QPushButton*>("rawProvenanceToggle");
        auto* raw = dialog.findChild<QPlainTextEdit*>("rawProvenance");
        QVERIFY(details && toggle && raw);
        QVERIFY(dialog.selectSpec(embeddedSpec()));
        QCOMPARE(dialog.selectedSpec(), embeddedSpec());
        const QString hash = QString::fromStdString(embedded->info.contentHash);
        QCOMPARE(details->fieldValue("sha256"), hash);
        for (const QLabel* label : details->findChildren<QLabel*>())
            if (label->text() == hash)
                QVERIFY(label->textInteractionFlags() & Qt::TextSelectableByMouse);
        QCOMPARE(details->fieldValue("Description"), embedded->description);
        QVERIFY(!details->fieldValue("Sampler").isEmpty());
        QVERIFY(shownText(details).contains("Provenance"));
        QVERIFY(!raw->isVisibleTo(&dialog));
        toggle->click();
        QVERIFY(raw->isVisibleTo(&dialog));
        QVERIFY(raw->isReadOnly());
        QCOMPARE(raw->font().family(),
                 QFontDatabase::systemFont(QFontDatabase::FixedFont).family());
        const QString text = raw->toPlainText();
        QVERIFY2(text.startsWith("{\n    \"provenance\": {"), qPrintable(text));
        QVERIFY2(text.contains("\"training\": "), qPrintable(text)); // indented, not as stored
        QVERIFY(text.contains("\"schedule\": {"));
        QVERIFY(text.contains("exponential"));
        QVERIFY(QJsonDocument::fromJson(text.toUtf8()).isObject()); // one JSON document
        QVERIFY(dialog.selectSpec(copy));
        QVERIFY(raw->isVisibleTo(&dialog)); // the toggle holds while the selection changes
        toggle->click();
        QVERIFY(!raw->isVisibleTo(&dialog));
        QVERIFY(dialog.selectSpec(broken));
        QVERIFY(shownText(details).contains(error));
        QVERIFY(!toggle->isVisibleTo(&dialog));
    }

    // The Size column (and every other one but the elided location) is at least as wide as its
    // contents and header, also after the dialog is shown and when the font grows later (a
    // column sized once, before the widget was polished, cut the size off).
    void columnsFitTheirContents() {
        const QString folder = freshFolder("columns");
        writeEmbeddedCopy(folder, "a-package-with-a-long-file-name.safetensors");
        ModelRegistry registry(folder);
        ModelManagerDialog dialog(registry);
        auto* table = dialog.findChild<QTableWidget*>("modelTable");
        QVERIFY(table);
        // QTableView hides the width its items ask for; QAbstractItemView offers it.
        const QAbstractItemView* view = table;
        auto fits = [table, view](int column) {
            return table->columnWidth(column) >= view->sizeHintForColumn(column) &&
                   table->columnWidth(column) >= table->horizontalHeader()->sectionSizeHint(column);
        };
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        for (int column = 0; column < ModelManagerDialog::ColumnCount; ++column)
            if (column != ModelManagerDialog::LocationColumn)
                QVERIFY2(fits(column), qPrintable(QString::number(column)));
        const int before = table->columnWidth(ModelManagerDialog::SizeColumn);
        QFont font = table->font();
        font.setPointSizeF(font.pointSizeF() * 1.6);
        table->setFont(font);
        QCoreApplication::processEvents();
        QVERIFY(view->sizeHintForColumn(ModelManagerDialog::SizeColumn) > before);
        QVERIFY(fits(ModelManagerDialog::SizeColumn));
        QVERIFY(fits(ModelManagerDialog::NameColumn));
        QVERIFY(fits(ModelManagerDialog::UnetParametersColumn));
    }

    // Provenance fields of the embedded packages: names, trainers, lineage, data and history
    // read as text; no machine's absolute path is left in them.
    void embeddedProvenanceAsFields_data() {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("trainedBy");
        QTest::addColumn<QString>("trainedFrom");
        QTest::addColumn<QString>("repackagedFrom");
        QTest::newRow("one-step") << "embedded:lite-rsd"
                                  << "RSD distillation"
                                  << "ShiftSR Lite multi-step teacher (sha256 d5e8db81…)"
                                  << "deaddabf…";
        QTest::newRow("teacher") << "embedded:lite-teacher"
                                 << "teacher training"
                                 << "ShiftSR lite ResShift x4 (teacher) (sha256 fb7b433f…)"
                                 << "c4f0494d…";
    }
    void embeddedProvenanceAsFields() {
        QFETCH(QString, spec);
        ModelRegistry registry(freshFolder("provenance-fields"));
        const auto* e = registry.find(spec);
        if (!e)
            QSKIP("this build does not embed the model");
        const QList<DetailField> fields = shiftsr::gui::provenanceFields(*e);
        QFETCH(QString, trainedBy);
        QVERIFY(field(fields, "Trained by").startsWith(trainedBy));
        QTEST(field(fields, "Trained from"), "trainedFrom");
        QCOMPARE(field(fields, "Data").left(44),
                 QString("photos/train (training/data/fetch-photos.sh)"));
        QFETCH(QString, repackagedFrom);
        QVERIFY(field(fields, "Repackaged").contains("from " + repackagedFrom));
        QVERIFY(field(fields, "Validation").startsWith("PSNR-Y "));
        QVERIFY(field(fields, "Batch and crop size").contains("128 px"));
        QVERIFY(!field(fields, "Wall time").isEmpty());
        for (const DetailField& f : fields)
            QVERIFY2(!f.value.contains(QRegularExpression("(^|[\\s(])/[A-Za-z]")),
                     qPrintable(f.label + ": " + f.value));
    }

    // A package as shiftsr-train writes it: a chain of runs is summed, an unfinished run says so,
    // a learned decoder head gets its own fields; what is not recorded is not shown.
    void trainerProvenanceAsFields() {
        const QByteArray provenance = R"({
            "training": "teacher", "trainer": "shiftsr-train 0.1.0", "preset": "lite",
            "steps": 600, "planned_steps": 1000, "finished": false, "batch": 4, "gt_size": 96,
            "data": ["photos/train"], "photos": 12, "wall_time_s": 5400, "seed": 7,
            "weights": "ema", "stored_as": "f16",
            "init_sha256": "0123456789abcdef", "init": {"name": "Earlier run", "sha256": "0123456789abcdef",
                "provenance": {"training": "teacher", "steps": 400, "wall_time_s": 1800}},
            "decoder": {"base": "Base", "base_sha256": "fedcba9876543210", "steps": 100,
                "planned_steps": 100, "finished": true, "batch": 2, "gt_size": 64,
                "wall_time_s": 600, "head": {"layers": 3, "channels": 16, "strength": 0.5},
                "validation": {"psnr_y": 30.5, "ssim_y": 0.81, "images": 4}}})";
        QList<DetailField> fields =
            shiftsr::gui::provenanceFields(entryWithProvenance(provenance, "unshuffle-f4-refine"));
        const QLocale l;
        QCOMPARE(field(fields, "Trained by"),
                 QString("teacher training (ResShift, multi-step), shiftsr-train 0.1.0"));
        QCOMPARE(field(fields, "Trained from"), QString("Earlier run (sha256 01234567…)"));
        QCOMPARE(field(fields, "Training steps"),
                 QString("600 of %1 planned (unfinished) in this run, %2 over 2 runs")
                     .arg(l.toString(1000), l.toString(1000)));
        QCOMPARE(field(fields, "Batch and crop size"), QString("batch 4, 96 px crops"));
        QCOMPARE(field(fields, "Data"), QString("photos/train (12 photos)"));
        QCOMPARE(field(fields, "Wall time"),
                 QString("1 h 30 min in this run, 2 h 0 min over 2 runs"));
        QCOMPARE(field(fields, "Weights"), QString("EMA (moving average), stored as float16"));
        QCOMPARE(field(fields, "Seed"), QString("7"));
        QCOMPARE(field(fields, "Decoder head"),
                 QString("3 convolutions of width 16, strength %1").arg(l.toString(0.5, 'f', 2)));
        QCOMPARE(field(fields, "Head trained for"), QString("Base (sha256 fedcba98…)"));
        QCOMPARE(field(fields, "Head training"),
                 QString("100 steps, batch 2, 64 px crops, 10 min"));
        QVERIFY(field(fields, "Head validation").startsWith("PSNR-Y "));
        QCOMPARE(field(fields, "Validation"), QString()); // not recorded: not shown
        QCOMPARE(field(fields, "Repackaged"), QString());

        // Without the head in the package any more, its training is history (raw view only).
        fields = shiftsr::gui::provenanceFields(entryWithProvenance(provenance));
        QCOMPARE(field(fields, "Decoder head"), QString());

        // Converted official checkpoints: the source, and file names rather than full paths.
        fields = shiftsr::gui::provenanceFields(entryWithProvenance(
            R"({"source": "official ResShift checkpoints", "converter": "shiftsr-cli convert 0.1.0",
                "converted_from": ["/home/someone/ckpt/unet.pth", "/home/someone/ckpt/ae.pth"]})"));
        QCOMPARE(field(fields, "Source"), QString("official ResShift checkpoints"));
        QCOMPARE(field(fields, "Converted from"), QString("unet.pth, ae.pth"));
        QCOMPARE(fields.size(), 3);

        // Nothing recorded: no fields, and the pane says so.
        QVERIFY(shiftsr::gui::provenanceFields(entryWithProvenance("{}")).isEmpty());
        shiftsr::gui::ModelEntry none = entryWithProvenance("{}");
        none.info.metadata.clear();
        ModelDetailsView view;
        view.showEntry(&none, false);
        QVERIFY(shownText(&view).contains("No provenance recorded."));
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
        QCOMPARE(cell(table, row, ModelManagerDialog::FamilyColumn), QString("ResShift"));
        QCOMPARE(cell(table, row, ModelManagerDialog::StatusColumn), QString());
        QCOMPARE(dialog.selectedSpec(), spec);
        const auto* details = dialog.findChild<ModelDetailsView*>("details");
        QCOMPARE(details->fieldValue("Converted from"),
                 QString("unet_official_format.pth, autoencoder_official_format.pth"));
        QVERIFY(dialog.findChild<QPlainTextEdit*>("rawProvenance")
                    ->toPlainText()
                    .contains("\"converted_from\""));

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

    // A GAN upscaler (here Real-ESRGAN's compact network as ncnn files) imports from the app with
    // no autoencoder and is listed by the family users know, with its licence note.
    void importGanThroughWorker() {
        const QString folder = freshFolder("import-gan");
        const QString files = freshFolder("gan-files");
        testutil::writeCompactNet(files, testutil::zeroCompactNet(), false);
        ModelRegistry registry(folder);
        ModelManagerDialog dialog(registry);
        QSignalSpy imported(&dialog, &ModelManagerDialog::modelImported);
        QSignalSpy failed(&dialog, &ModelManagerDialog::importFailed);
        dialog.importCheckpoint(files + "/m.param", {}, {}, "Compact test");
        QVERIFY(imported.wait(kImportTimeoutMs));
        QCOMPARE(failed.count(), 0);
        const QString spec = imported.front().front().toString();
        const int row = dialog.rowOf(spec);
        QVERIFY(row >= 0);
        auto* table = dialog.findChild<QTableWidget*>("modelTable");
        QCOMPARE(cell(table, row, ModelManagerDialog::FamilyColumn),
                 QString("Real-ESRGAN compact (SRVGGNetCompact, GAN)"));
        QCOMPARE(cell(table, row, ModelManagerDialog::StepsColumn), QString("1"));
        const auto* details = dialog.findChild<ModelDetailsView*>("details");
        QCOMPARE(details->fieldValue("Sampler"), QString("single pass (no diffusion)"));
        QVERIFY(!details->fieldValue("Network parameters").isEmpty());
        QVERIFY(details->fieldValue("Licence").contains("BSD"));
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
        QVERIFY(ok->button(QDialogButtonBox::Ok)->isEnabled()); // a GAN needs no autoencoder
        dialog.setAutoencoderPath(folder + "/missing-ae.pth");
        QVERIFY(!ok->button(QDialogButtonBox::Ok)->isEnabled());
        dialog.setAutoencoderPath(folder + "/a.pth");
        QVERIFY(ok->button(QDialogButtonBox::Ok)->isEnabled());
        QCOMPARE(dialog.schedule(), QString()); // automatic
        dialog.setSchedule("rsd");
        QCOMPARE(dialog.schedule(), QString("rsd"));
        dialog.setSchedule("no-such-preset");
        QCOMPARE(dialog.schedule(), QString());
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
