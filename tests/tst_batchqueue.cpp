// BatchQueue (offscreen, embedded tiny model): plans with the CLI's rules, a batch completes with
// every output readable at x4, cancel leaves only complete files, pause stops after the current
// item and resume finishes, skip-existing, a corrupt input does not stop the batch, drops add
// inputs, destroying the widget mid-run cancels cleanly.
#include "batch_table_model.h"
#include "batch_worker.h"
#include "testutil.h"

#include "shiftsr/engine/batch_plan.h"
#include "shiftsr/engine/metadata.h"
#include "shiftsr/gui/batch_queue.h"
#include "shiftsr/gui/model_registry.h"

#include <exiv2/exiv2.hpp>

#include <QApplication>
#include <QDir>
#include <QDirIterator>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QIcon>
#include <QImage>
#include <QImageReader>
#include <QMimeData>
#include <QPushButton>
#include <QSemaphore>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest>

#include <algorithm>
#include <cctype>
#include <functional>
#include <memory>

using shiftsr::ColorFix;
using shiftsr::Metadata;
using shiftsr::UpscaleRequest;
using shiftsr::gui::BatchQueue;
using shiftsr::gui::ModelRegistry;
using ItemState = BatchQueue::ItemState;
using RunState = BatchQueue::RunState;

namespace {

// Upper bounds for waits only; nothing asserts how long a run takes.
constexpr int kRunTimeoutMs = 180000;
constexpr int kPlanTimeoutMs = 30000;
const QString kModel = QStringLiteral("embedded:test-tiny");

bool writeImage(const QString& path, int width, int height, int seed) {
    QImage image(width, height, QImage::Format_RGB888);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            image.setPixel(
                x, y,
                qRgb((x * 5 + seed * 40) & 255, (y * 7 + seed * 13) & 255, ((x + y) * 3) & 255));
    return image.save(path);
}

// Every file below `folder`, relative, hidden ones too (a temporary would show up here).
QStringList filesBelow(const QString& folder) {
    QStringList out;
    QDirIterator it(folder, QDir::Files | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        out << QDir(folder).relativeFilePath(it.next());
    out.sort();
    return out;
}

QSize imageSize(const QString& path) {
    QImageReader reader(path);
    const QImage image = reader.read();
    return image.isNull() ? QSize() : image.size();
}

// The text a cell of the items' table shows.
QString cell(const QTableView* table, int row, int column) {
    return table->model()->data(table->model()->index(row, column)).toString();
}

QString stateName(ItemState state) {
    return QString::fromLatin1(QMetaEnum::fromType<ItemState>().valueToKey(int(state)));
}

} // namespace

class TestBatchQueue : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    std::unique_ptr<ModelRegistry> registry_;

    // `count` images named img0.png ...; the first `small` are 48x48, the others `largeSide` px
    // (later items that take longer keep a pause or cancel from missing them on a loaded machine).
    QString makeInputs(const QString& name, int count, int small = 1 << 30, int largeSide = 48) {
        const QString folder = tmp_.filePath(name + "/in");
        QDir().mkpath(folder);
        for (int i = 0; i < count; ++i) {
            const int side = i < small ? 48 : largeSide;
            if (!writeImage(QStringLiteral("%1/img%2.png").arg(folder).arg(i), side, side, i))
                return {};
        }
        return folder;
    }

    // When the worker starts item `row`, it waits until `action` (pause, cancel) has run on the
    // GUI thread: the request reaches the worker at a known point, whatever the machine's speed.
    void gateAtItem(BatchQueue& queue, int row, std::function<void()> action) {
        auto gate = std::make_shared<QSemaphore>();
        connect(
            queue.workerForTests(), &shiftsr::gui::BatchWorker::itemStarted, queue.workerForTests(),
            [&queue, row, gate, action](quint64, int started) {
                if (started != row)
                    return;
                QMetaObject::invokeMethod(
                    &queue,
                    [gate, action] {
                        action();
                        gate->release();
                    },
                    Qt::QueuedConnection);
                gate->tryAcquire(1, kRunTimeoutMs); // the timeout only guards against a hang
            },
            Qt::DirectConnection);
    }

    BatchQueue::Options optionsFor(const QString& name) {
        BatchQueue::Options o;
        o.modelSpec = kModel;
        o.outputFolder = tmp_.filePath(name + "/out");
        return o;
    }

    // Every Done item's output is a complete image of 4x its input; no other file is there.
    void checkOutputs(const BatchQueue& queue, const QString& outputFolder) {
        QStringList expected;
        for (int row = 0; row < queue.itemCount(); ++row) {
            const BatchQueue::Item& item = queue.item(row);
            const bool shouldExist =
                item.state == ItemState::Done || item.state == ItemState::Skipped;
            QCOMPARE(QFile::exists(item.output), shouldExist);
            if (item.state == ItemState::Done) {
                const QSize in = imageSize(item.input);
                QVERIFY(in.isValid());
                QCOMPARE(imageSize(item.output), in * 4);
            }
            if (shouldExist)
                expected << QDir(outputFolder).relativeFilePath(item.output);
        }
        expected.sort();
        QCOMPARE(filesBelow(outputFolder), expected);
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("ShiftSR-tests");
        QCoreApplication::setApplicationName("tst_batchqueue");
        QSettings().clear();
        QVERIFY(tmp_.isValid());
        registry_ = std::make_unique<ModelRegistry>(tmp_.filePath("models"));
        QVERIFY2(registry_->find(kModel), "the embedded test-tiny model is built with the tests");
    }

    void init() { QSettings().clear(); }

    void plansWithTheCliRules() {
        const QString in = makeInputs("plan", 2);
        QDir().mkpath(in + "/sub");
        QVERIFY(writeImage(in + "/sub/deep.png", 48, 48, 9));
        BatchQueue queue(*registry_);
        BatchQueue::Options o = optionsFor("plan");
        o.namePattern = "{name}_{model}_s{steps}_{seed}.{ext}";
        o.format = "jpg";
        o.steps = 2;
        o.seed = 7;
        o.recursive = true;
        queue.setOptions(o);
        QSignalSpy planned(&queue, &BatchQueue::planChanged);
        queue.addInputs({in});
        QTRY_VERIFY_WITH_TIMEOUT(!queue.isPlanPending(), kPlanTimeoutMs);
        QVERIFY(planned.count() >= 1);
        QCOMPARE(queue.itemCount(), 3);

        // The same plan as the engine's (and so the CLI's) for the same tokens.
        shiftsr::BatchOptions bo;
        bo.recursive = true;
        bo.pattern = o.namePattern.toStdString();
        bo.format = "jpg";
        std::string tag = registry_->find(kModel)->info.name;
        for (char& c : tag)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.')
                c = '_';
        bo.tokens = {{"scale", "4"}, {"steps", "2"}, {"model", tag}, {"seed", "7"}};
        QVERIFY(shiftsr::outputNameTokens(registry_->find(kModel)->info.name, 4, 2, 7) ==
                bo.tokens);
        QCOMPARE(shiftsr::outputNameTokens("ShiftSR lite x4 - RSD/one-step", 4, 1, 12345)["model"],
                 std::string("ShiftSR_lite_x4_-_RSD_one-step"));
        auto plan = shiftsr::planBatch({in.toStdString()}, o.outputFolder.toStdString(), bo);
        QVERIFY2(plan.isOk(), plan.status().message().c_str());
        QCOMPARE(queue.itemCount(), int(plan->size()));
        for (int row = 0; row < queue.itemCount(); ++row) {
            QCOMPARE(queue.item(row).input, QString::fromStdString((*plan)[row].input));
            QCOMPARE(queue.item(row).output, QString::fromStdString((*plan)[row].output));
            QCOMPARE(queue.item(row).state, ItemState::Queued);
        }
        QVERIFY(queue.item(0).output.endsWith("_s2_7.jpg"));
        auto* table = queue.findChild<QTableView*>("items");
        QVERIFY(table && table->model());
        QCOMPARE(table->model()->rowCount(), 3);
        QCOMPARE(cell(table, 2, BatchQueue::OutputColumn),
                 QDir::toNativeSeparators(queue.item(2).output));

        // A folder's file can be left out.
        table->selectRow(0);
        const QString removed = queue.item(0).input;
        queue.removeSelectedItems();
        QTRY_VERIFY_WITH_TIMEOUT(!queue.isPlanPending(), kPlanTimeoutMs);
        QCOMPARE(queue.itemCount(), 2);
        for (int row = 0; row < queue.itemCount(); ++row)
            QVERIFY(queue.item(row).input != removed);

        // A pattern that sends every input to one file is refused before anything runs.
        o.namePattern = "same.{ext}";
        queue.setOptions(o);
        QTRY_VERIFY_WITH_TIMEOUT(!queue.isPlanPending(), kPlanTimeoutMs);
        QVERIFY(!queue.planError().isEmpty());
        QVERIFY(!queue.findChild<QPushButton*>("start")->isEnabled());
        QSignalSpy errors(&queue, &BatchQueue::errorOccurred);
        queue.start();
        QVERIFY(errors.wait(kRunTimeoutMs));
        QCOMPARE(queue.runState(), RunState::Idle);
        QVERIFY(!QDir(o.outputFolder).exists()); // nothing was created

        queue.clearInputs();
        QTRY_VERIFY_WITH_TIMEOUT(!queue.isPlanPending(), kPlanTimeoutMs);
        QCOMPARE(queue.itemCount(), 0);
        QVERIFY(queue.inputs().isEmpty());
    }

    void batchCompletes() {
        const QString in = makeInputs("complete", 6);
        BatchQueue queue(*registry_);
        const BatchQueue::Options o = optionsFor("complete");
        queue.setOptions(o);
        queue.addInputs({in});
        QSignalSpy started(&queue, &BatchQueue::itemStarted);
        QSignalSpy finishedItems(&queue, &BatchQueue::itemFinished);
        QSignalSpy finished(&queue, &BatchQueue::batchFinished);
        QSignalSpy progress(&queue, &BatchQueue::progressChanged);
        queue.start(); // without waiting for the preview: the run plans again
        QCOMPARE(queue.runState(), RunState::Running);
        QVERIFY(finished.wait(kRunTimeoutMs));
        QCOMPARE(finished.front(), (QVariantList{6, 0, 0, 0}));
        QCOMPARE(started.count(), 6);
        QCOMPARE(finishedItems.count(), 6);
        for (int row = 0; row < 6; ++row) {
            const QVariantList args = finishedItems.at(row);
            QCOMPARE(args.at(0).toInt(), row);
            QCOMPARE(args.at(1).toString(), queue.item(row).input);
            QCOMPARE(args.at(2).toString(), queue.item(row).output);
            QCOMPARE(args.at(3).value<ItemState>(), ItemState::Done);
            QCOMPARE(queue.item(row).output,
                     QStringLiteral("%1/img%2-x4.png").arg(o.outputFolder).arg(row));
            QVERIFY(queue.item(row).seconds > 0);
        }
        checkOutputs(queue, o.outputFolder);
        QCOMPARE(filesBelow(o.outputFolder).size(), 6);
        QCOMPARE(queue.runState(), RunState::Idle);
        QCOMPARE(queue.overallProgress(), 1.0);
        QVERIFY(progress.count() > 0);
        for (const QVariantList& args : progress) {
            QVERIFY(args.at(0).toDouble() >= 0.0 && args.at(0).toDouble() <= 1.0);
        }
        auto* table = queue.findChild<QTableView*>("items");
        QVERIFY(cell(table, 0, BatchQueue::StatusColumn).startsWith("Done"));
    }

    // The application's settings reach a batch run: tile, colour fix, keep-metadata and quality,
    // checked in the written file and its provenance (a run with the defaults beside it).
    void honoursTheSettings() {
        QDir().mkpath(tmp_.filePath("settings/in"));
        const QString in = tmp_.filePath("settings/in/photo.jpg");
        QVERIFY(writeImage(in, 40, 32, 3));
        {
            auto image = Exiv2::ImageFactory::open(in.toStdString());
            image->readMetadata();
            image->exifData()["Exif.Image.Artist"] = "batch test";
            image->writeMetadata();
        }
        auto run = [&](const QString& name, const shiftsr::UpscaleSettings& engine) -> QString {
            BatchQueue queue(*registry_);
            BatchQueue::Options o = optionsFor(name);
            o.engine = engine;
            queue.setOptions(o);
            queue.addInputs({in});
            QSignalSpy finished(&queue, &BatchQueue::batchFinished);
            queue.start();
            if (!finished.wait(kRunTimeoutMs) || finished.front() != QVariantList{1, 0, 0, 0})
                return {};
            return queue.item(0).output;
        };
        shiftsr::UpscaleSettings custom;
        custom.tile = 16;
        custom.colorFix = ColorFix::AdaIN;
        custom.keepMetadata = false;
        custom.quality = 40;
        const QString a = run("settings/custom", custom),
                      b = run("settings/defaults", shiftsr::UpscaleSettings());
        QVERIFY(!a.isEmpty() && !b.isEmpty());
        auto ma = Metadata::read(a.toStdString()), mb = Metadata::read(b.toStdString());
        QVERIFY(ma.isOk() && mb.isOk());
        const auto ea = ma->entries(), eb = mb->entries();
        QCOMPARE(QString::fromStdString(ea.at("Xmp.shiftsr.Tile")), QStringLiteral("16/8"));
        QCOMPARE(QString::fromStdString(ea.at("Xmp.shiftsr.ColorFix")), QStringLiteral("adain"));
        QCOMPARE(QString::fromStdString(eb.at("Xmp.shiftsr.ColorFix")), QStringLiteral("luma"));
        QVERIFY(!ea.count("Exif.Image.Artist")); // keep-metadata off
        QCOMPARE(QString::fromStdString(eb.at("Exif.Image.Artist")), QStringLiteral("batch test"));
        QVERIFY2(QFileInfo(a).size() < QFileInfo(b).size() * 3 / 4,
                 "JPEG quality 40 must make a smaller file than 95");
    }

    void cancelLeavesOnlyCompleteFiles() {
        // Items 2.. are larger, so that the cancel raised when item 2 starts finds it running.
        const QString in = makeInputs("cancel", 6, 2, 160);
        BatchQueue queue(*registry_);
        const BatchQueue::Options o = optionsFor("cancel");
        queue.setOptions(o);
        queue.addInputs({in});
        gateAtItem(queue, 2, [&queue] { queue.cancel(); });
        QSignalSpy finished(&queue, &BatchQueue::batchFinished);
        QSignalSpy states(&queue, &BatchQueue::runStateChanged);
        queue.start();
        QVERIFY(finished.wait(kRunTimeoutMs));
        QCOMPARE(queue.runState(), RunState::Idle);
        QVERIFY(std::any_of(states.cbegin(), states.cend(), [](const QVariantList& args) {
            return args.at(0).value<RunState>() == RunState::Cancelling;
        }));

        // Items 0 and 1 finished before item 2 started; everything after the cancel is cancelled.
        const int done = finished.front().at(0).toInt();
        const int cancelled = finished.front().at(3).toInt();
        QCOMPARE(finished.front().at(1).toInt(), 0);
        QCOMPARE(finished.front().at(2).toInt(), 0);
        QCOMPARE(done + cancelled, 6);
        QCOMPARE(done, 2); // the cancel reached the worker as item 2 started: it stopped there
        for (int row = 0; row < 6; ++row)
            QCOMPARE(stateName(queue.item(row).state),
                     stateName(row < done ? ItemState::Done : ItemState::Cancelled));
        checkOutputs(queue, o.outputFolder); // complete files only, no temporaries
        auto* table = queue.findChild<QTableView*>("items");
        QCOMPARE(cell(table, 5, BatchQueue::StatusColumn), QString("Cancelled"));
    }

    void pauseAndResume() {
        const QString in = makeInputs("pause", 6, 2, 128);
        BatchQueue queue(*registry_);
        const BatchQueue::Options o = optionsFor("pause");
        queue.setOptions(o);
        queue.addInputs({in});
        gateAtItem(queue, 1, [&queue] { queue.pause(); });
        QSignalSpy finished(&queue, &BatchQueue::batchFinished);
        queue.start();
        QTRY_VERIFY_WITH_TIMEOUT(queue.runState() == RunState::Paused || finished.count() > 0,
                                 kRunTimeoutMs);
        QCOMPARE(finished.count(), 0);

        // Paused: the item running at the pause finished; the next ones have not started.
        int done = 0;
        while (done < 6 && queue.item(done).state == ItemState::Done)
            ++done;
        QCOMPARE(done, 2);
        for (int row = done; row < 6; ++row)
            QCOMPARE(stateName(queue.item(row).state), stateName(ItemState::Queued));
        checkOutputs(queue, o.outputFolder);
        QCOMPARE(queue.findChild<QPushButton*>("pauseResume")->text().remove('&'),
                 QString("Resume"));
        // The worker stays idle while paused: handling events does not start the next item.
        QCoreApplication::processEvents();
        QCOMPARE(queue.runState(), RunState::Paused);
        QCOMPARE(stateName(queue.item(done).state), stateName(ItemState::Queued));

        queue.resume();
        QCOMPARE(queue.runState(), RunState::Running);
        QVERIFY(finished.wait(kRunTimeoutMs));
        QCOMPARE(finished.front(), (QVariantList{6, 0, 0, 0}));
        checkOutputs(queue, o.outputFolder);
    }

    void cancelWhilePaused() {
        const QString in = makeInputs("pause-cancel", 4, 1, 128);
        BatchQueue queue(*registry_);
        const BatchQueue::Options o = optionsFor("pause-cancel");
        queue.setOptions(o);
        queue.addInputs({in});
        QSignalSpy finished(&queue, &BatchQueue::batchFinished);
        gateAtItem(queue, 0,
                   [&queue] { queue.pause(); }); // in case the worker reaches item 0 first
        queue.start();
        queue.pause(); // before the first item, or (gated) while it runs
        QTRY_VERIFY_WITH_TIMEOUT(queue.runState() == RunState::Paused || finished.count() > 0,
                                 kRunTimeoutMs);
        QCOMPARE(finished.count(), 0);
        // A run pauses only with items left, so the cancel always has something to cancel.
        QCOMPARE(queue.itemCount(), 4);
        int done = 0;
        while (queue.item(done).state == ItemState::Done)
            ++done;
        QVERIFY(done < 4);
        queue.cancel(); // the worker is idle: the queue finishes at once
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.front(), (QVariantList{done, 0, 0, 4 - done}));
        QCOMPARE(queue.runState(), RunState::Idle);
        for (int row = done; row < 4; ++row)
            QCOMPARE(stateName(queue.item(row).state), stateName(ItemState::Cancelled));
        checkOutputs(queue, o.outputFolder);
        QCOMPARE(filesBelow(o.outputFolder).size(), done);
    }

    void skipExisting() {
        const QString in = makeInputs("skip", 3);
        BatchQueue queue(*registry_);
        BatchQueue::Options o = optionsFor("skip");
        o.skipExisting = true;
        queue.setOptions(o);
        queue.addInputs({in});
        QDir().mkpath(o.outputFolder);
        const QString existing = o.outputFolder + "/img1-x4.png";
        QVERIFY(writeImage(existing, 10, 10, 3));
        const QByteArray before = testutil::readAll(existing);

        QSignalSpy finished(&queue, &BatchQueue::batchFinished);
        queue.start();
        QVERIFY(finished.wait(kRunTimeoutMs));
        QCOMPARE(finished.takeFirst(), (QVariantList{2, 1, 0, 0}));
        QCOMPARE(stateName(queue.item(1).state), stateName(ItemState::Skipped));
        QCOMPARE(testutil::readAll(existing), before); // left alone
        QCOMPARE(imageSize(queue.item(0).output), QSize(192, 192));
        QCOMPARE(imageSize(queue.item(2).output), QSize(192, 192));

        queue.start(); // again: everything exists now
        QVERIFY(finished.wait(kRunTimeoutMs));
        QCOMPARE(finished.takeFirst(), (QVariantList{0, 3, 0, 0}));
        QCOMPARE(testutil::readAll(existing), before);
    }

    void failedItemDoesNotStopTheBatch() {
        const QString in = makeInputs("failed", 4);
        const QString corrupt =
            in + "/broken.png"; // sorts first: the others come after the failure
        QByteArray bytes("\x89PNG\r\n\x1a\n", 8);
        bytes += QByteArray(200, '\x5a');
        QVERIFY(testutil::writeAll(corrupt, bytes));
        BatchQueue queue(*registry_);
        const BatchQueue::Options o = optionsFor("failed");
        queue.setOptions(o);
        queue.addInputs({in});
        QSignalSpy finished(&queue, &BatchQueue::batchFinished);
        queue.start();
        QVERIFY(finished.wait(kRunTimeoutMs));
        QCOMPARE(finished.front(), (QVariantList{4, 0, 1, 0}));
        int failedRow = -1;
        for (int row = 0; row < queue.itemCount(); ++row)
            if (queue.item(row).input == corrupt)
                failedRow = row;
        QCOMPARE(failedRow, 0);
        QCOMPARE(stateName(queue.item(0).state), stateName(ItemState::Failed));
        QVERIFY(!queue.item(0).message.isEmpty());
        auto* table = queue.findChild<QTableView*>("items");
        QVERIFY(cell(table, 0, BatchQueue::StatusColumn).contains(queue.item(0).message));
        checkOutputs(queue, o.outputFolder);
    }

    void dropAddsInputs() {
        const QString in = makeInputs("drop", 2);
        BatchQueue queue(*registry_);
        queue.setOptions(optionsFor("drop"));
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(in)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton,
                              Qt::NoModifier);
        QApplication::sendEvent(&queue, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&queue, &drop);
        QCOMPARE(queue.inputs(), QStringList{in});
        QTRY_VERIFY_WITH_TIMEOUT(!queue.isPlanPending(), kPlanTimeoutMs);
        QCOMPARE(queue.itemCount(), 2);
    }

    void optionsPersist() {
        BatchQueue::Options o = optionsFor("persist");
        o.namePattern = "{name}.{ext}";
        o.format = "webp";
        o.steps = 3;
        o.seed = 99;
        o.recursive = true;
        {
            BatchQueue queue(*registry_);
            queue.setOptions(o);
        }
        BatchQueue again(*registry_);
        const BatchQueue::Options back = again.options();
        QCOMPARE(back.modelSpec, o.modelSpec);
        QCOMPARE(back.outputFolder, o.outputFolder);
        QCOMPARE(back.namePattern, o.namePattern);
        QCOMPARE(back.format, o.format);
        QCOMPARE(back.steps, o.steps);
        QCOMPARE(back.seed, o.seed);
        QCOMPARE(back.recursive, o.recursive);
        QCOMPARE(back.skipExisting, o.skipExisting);
    }

    // The items' table: paths in full as tooltips, the status text with a warning in its tooltip,
    // icons for done, warned, failed and running items only; one changed item updates its row.
    void tableModelShowsItems() {
        shiftsr::gui::BatchTableModel model;
        BatchQueue::Item done{"/in/a.png", "/out/a-x4.png", ItemState::Done, 1.0, 2.5, {}};
        BatchQueue::Item warned = done;
        warned.message = "no metadata";
        BatchQueue::Item failed{"/in/b.png", "/out/b-x4.png", ItemState::Failed, 0, 0, "broken"};
        BatchQueue::Item queued{"/in/c.png", "/out/c-x4.png", ItemState::Queued, 0, 0, {}};
        model.setItems({done, warned, failed, queued});
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.columnCount(), int(BatchQueue::ColumnCount));
        QCOMPARE(model.headerData(BatchQueue::StatusColumn, Qt::Horizontal).toString(),
                 QString("Status"));
        auto at = [&model](int row, int column, int role = Qt::DisplayRole) {
            return model.data(model.index(row, column), role);
        };
        QCOMPARE(at(0, BatchQueue::InputColumn).toString(), QDir::toNativeSeparators("/in/a.png"));
        QCOMPARE(at(0, BatchQueue::OutputColumn, Qt::ToolTipRole).toString(),
                 QDir::toNativeSeparators("/out/a-x4.png"));
        QCOMPARE(at(0, BatchQueue::StatusColumn).toString(), QString("Done in 2.5s"));
        QCOMPARE(at(0, BatchQueue::StatusColumn, Qt::ToolTipRole).toString(),
                 QString("Done in 2.5s"));
        QCOMPARE(at(1, BatchQueue::StatusColumn, Qt::ToolTipRole).toString(),
                 QString("Done in 2.5s (warning: no metadata)"));
        QCOMPARE(at(2, BatchQueue::StatusColumn).toString(), QString("Failed: broken"));
        QCOMPARE(at(3, BatchQueue::StatusColumn).toString(), QString("Queued"));
        for (int row = 0; row < 3; ++row)
            QVERIFY(!at(row, BatchQueue::StatusColumn, Qt::DecorationRole).value<QIcon>().isNull());
        QVERIFY(at(3, BatchQueue::StatusColumn, Qt::DecorationRole).value<QIcon>().isNull());
        QVERIFY(!at(0, BatchQueue::InputColumn, Qt::DecorationRole).isValid());

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        queued.state = ItemState::Running;
        queued.progress = 0.4;
        model.setItem(3, queued);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.front().at(0).toModelIndex().row(), 3);
        QCOMPARE(changed.front().at(1).toModelIndex().row(), 3);
        QCOMPARE(at(3, BatchQueue::StatusColumn).toString(), QString("Running: 40 %"));
        QVERIFY(!at(3, BatchQueue::StatusColumn, Qt::DecorationRole).value<QIcon>().isNull());
    }

    void destroyDuringRun() {
        const QString in = makeInputs("destroy", 4, 1, 160);
        const BatchQueue::Options o = optionsFor("destroy");
        auto queue = std::make_unique<BatchQueue>(*registry_);
        queue->setOptions(o);
        queue->addInputs({in});
        QSignalSpy started(queue.get(), &BatchQueue::itemStarted);
        queue->start();
        QTRY_VERIFY_WITH_TIMEOUT(started.count() >= 2 || queue->runState() == RunState::Idle,
                                 kRunTimeoutMs);
        queue.reset(); // cancels the item in flight and waits for the worker
        // Whatever finished is complete and readable; nothing else (no temporary) is left.
        for (const QString& file : filesBelow(o.outputFolder)) {
            QVERIFY2(file.endsWith("-x4.png"), qPrintable(file));
            const QString input = in + "/" + QString(file).replace("-x4", "");
            QCOMPARE(imageSize(o.outputFolder + "/" + file), imageSize(input) * 4);
        }
    }
};

QTEST_MAIN(TestBatchQueue)
#include "tst_batchqueue.moc"
