// MainWindow and its workers on the offscreen platform, with the embedded tiny model: opening,
// the run controller, whole upscale, cancel, responsiveness during a run, Compare, region preview,
// Save with provenance, settings that persist, closing during a run.
#include "gui_testutil.h"
#include "testutil.h"
#include "window_testutil.h"

#include "shiftsr/engine/image_io.h"
#include "shiftsr/engine/metadata.h"
#include "shiftsr/gui/app_settings.h"
#include "shiftsr/gui/batch_queue.h"
#include "shiftsr/gui/engine_worker.h"
#include "shiftsr/gui/image_convert.h"
#include "shiftsr/gui/main_window.h"
#include "shiftsr/gui/model_manager_dialog.h"
#include "shiftsr/gui/model_registry.h"
#include "shiftsr/gui/run_controller.h"
#include "shiftsr/ui/compare_view.h"

#include <QAbstractButton>
#include <QAction>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QMimeData>
#include <QSemaphore>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <QtTest>

#include <opencv2/core.hpp>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>

using shiftsr::gui::AppSettings;
using shiftsr::gui::EngineJob;
using shiftsr::gui::EngineJobResult;
using shiftsr::gui::EngineWorker;
using shiftsr::gui::MainWindow;
using shiftsr::gui::ModelRegistry;
using shiftsr::gui::RunController;

namespace {

using testutil::gradient;
using testutil::kDeadlockGuardMs;
using testutil::kTiny;

// A worker in its own thread, as the window runs it; answers are collected in the test's thread.
struct WorkerHarness {
    ModelRegistry registry;
    QThread thread;
    EngineWorker* worker;
    QList<EngineJobResult> results;
    QStringList failures;
    int cancelled = 0;
    int finished = 0;

    explicit WorkerHarness(const QString& modelFolder, QObject* context)
        : registry(modelFolder), worker(new EngineWorker(registry)) {
        worker->moveToThread(&thread);
        QObject::connect(&thread, &QThread::finished, worker, &QObject::deleteLater);
        QObject::connect(worker, &EngineWorker::jobFinished, context,
                         [this](quint64, const EngineJobResult& r) { results << r; });
        QObject::connect(worker, &EngineWorker::jobFailed, context,
                         [this](quint64, int, const QString& m) { failures << m; });
        QObject::connect(worker, &EngineWorker::cancelled, context,
                         [this](quint64) { ++cancelled; });
        QObject::connect(worker, &EngineWorker::batchFinished, context,
                         [this](quint64) { ++finished; });
        thread.start();
    }
    ~WorkerHarness() {
        worker->cancel();
        thread.quit();
        thread.wait();
    }
};

EngineJob tinyJob(const cv::Mat& image) {
    EngineJob job;
    job.label = QStringLiteral("tiny");
    job.modelSpec = QString::fromLatin1(kTiny);
    job.load.device = "cpu";
    job.request.image = image;
    job.request.threads = 2;
    return job;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString input_; // 32x24 PNG

    QString modelFolder() const { return tmp_.filePath(QStringLiteral("models")); }

    // A shown window with the test input opened and the tiny model chosen.
    std::unique_ptr<MainWindow> openedWindow() {
        auto w = testutil::openWindow(input_);
        if (!w)
            return nullptr;
        w->setModelSpec(QString::fromLatin1(kTiny));
        w->setSteps(0);
        return w;
    }

    // Starts a run with `start` and waits for runFinished; returns its `cancelled` argument.
    static std::optional<bool> run(MainWindow& w, const std::function<void()>& start) {
        QSignalSpy finished(&w, &MainWindow::runFinished);
        start();
        if (!w.isBusy() || !finished.wait(kDeadlockGuardMs))
            return std::nullopt;
        return finished.first().first().toBool();
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ShiftSR-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
        QVERIFY(tmp_.isValid());
        QVERIFY(QDir().mkpath(modelFolder()));
        input_ = tmp_.filePath(QStringLiteral("input.png"));
        QVERIFY(shiftsr::ImageIO::write(input_.toStdString(), gradient(32, 24), cv::Mat()).isOk());
    }

    // Every case starts from settings with only the (empty) test model folder and 2 threads.
    void init() { testutil::resetAppSettings(modelFolder()); }

    void displayConversion() {
        const cv::Mat bgr(2, 3, CV_8UC3, cv::Scalar(10, 20, 30));
        const QImage rgb = shiftsr::gui::toDisplayImage(bgr);
        QCOMPARE(rgb.size(), QSize(3, 2));
        QCOMPARE(rgb.pixelColor(1, 1), QColor(30, 20, 10));
        const cv::Mat gray16(2, 2, CV_16UC1, cv::Scalar(65535));
        const cv::Mat alpha16(2, 2, CV_16UC1, cv::Scalar(0));
        const QImage withAlpha = shiftsr::gui::toDisplayImage(gray16, alpha16);
        QCOMPARE(withAlpha.format(), QImage::Format_RGBA8888);
        QCOMPARE(withAlpha.pixelColor(0, 0), QColor(255, 255, 255, 0));
        QCOMPARE(shiftsr::gui::toEngineInput(gray16, alpha16).channels(), 4);
        QVERIFY(shiftsr::gui::toDisplayImage(cv::Mat(2, 2, CV_32FC1)).isNull());
    }

    void opensFile() {
        auto w = openedWindow();
        QVERIFY(w);
        QCOMPARE(w->inputPath(), QFileInfo(input_).absoluteFilePath());
        QCOMPARE(w->inputSize(), QSize(32, 24));
        QCOMPARE(w->compareView()->paneCount(), 1);
        QCOMPARE(w->compareView()->paneImage(0).size(), QSize(32, 24));
        QVERIFY(w->windowTitle().contains(QStringLiteral("input.png")));

        // A broken file is reported and leaves the open image in place.
        const QString broken = tmp_.filePath(QStringLiteral("broken.png"));
        QVERIFY(testutil::writeAll(broken, "not an image"));
        QSignalSpy failed(w.get(), &MainWindow::openFailed);
        w->openFile(broken);
        QVERIFY(failed.wait(kDeadlockGuardMs));
        QVERIFY(!failed.first().at(1).toString().isEmpty());
        QCOMPARE(w->inputSize(), QSize(32, 24));

        // An image file dropped on the window opens.
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(input_)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton,
                              Qt::NoModifier);
        QCoreApplication::sendEvent(w.get(), &enter);
        QVERIFY(enter.isAccepted());
        QSignalSpy opened(w.get(), &MainWindow::inputOpened);
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(w.get(), &drop);
        QVERIFY(opened.wait(kDeadlockGuardMs));
        QCOMPARE(opened.first().first().toString(), QFileInfo(input_).absoluteFilePath());

        // The recent-files list reaches the next window.
        MainWindow next;
        QCOMPARE(next.settings().recentFiles.value(0), QFileInfo(input_).absoluteFilePath());
    }

    void workerRunsJobs() {
        WorkerHarness h(modelFolder(), this);
        QSignalSpy started(h.worker, &EngineWorker::batchStarted);
        const quint64 batch = h.worker->submit({tinyJob(gradient(32, 24))});
        QCOMPARE(batch, quint64(1));
        QTRY_COMPARE_WITH_TIMEOUT(h.finished, 1, kDeadlockGuardMs);
        QVERIFY2(h.failures.isEmpty(), qPrintable(h.failures.join(QLatin1Char('\n'))));
        QCOMPARE(h.cancelled, 0);
        QCOMPARE(h.results.size(), 1);
        const EngineJobResult& r = h.results.first();
        QCOMPARE(r.display.size(), QSize(128, 96));
        QCOMPARE(r.color.cols, 128);
        QCOMPARE(r.color.rows, 96);
        QVERIFY(r.report.image.empty()); // the pixels live in color only
        QCOMPARE(r.report.steps, 4);
        QCOMPARE(r.report.threads, 2);
        QVERIFY(!r.report.device.empty());
        QVERIFY(r.report.peakRssBytes > 0);
        QVERIFY(!r.provenance.modelName.empty());
        QCOMPARE(r.provenance.seed, std::string("12345"));

        // A failing job is reported and does not stop the next one.
        EngineJob bad = tinyJob(gradient(32, 24));
        bad.modelSpec = QStringLiteral("embedded:no-such-model");
        h.worker->submit({bad, tinyJob(gradient(16, 16))});
        QTRY_COMPARE_WITH_TIMEOUT(h.finished, 2, kDeadlockGuardMs);
        QCOMPARE(h.failures.size(), 1);
        QCOMPARE(h.results.size(), 2);
        QCOMPARE(h.results.last().display.size(), QSize(64, 64));
    }

    void cancelStopsWithoutOutput() {
        WorkerHarness h(modelFolder(), this);
        const QString folder = tmp_.filePath(QStringLiteral("cancel"));
        QVERIFY(QDir().mkpath(folder));
        EngineJob job = tinyJob(gradient(48, 48));
        job.request.output = QDir(folder).filePath(QStringLiteral("out.png")).toStdString();
        job.request.tiles.tile = 16; // nine tiles: the run is cancelled between engine stages
        // Raised from inside the engine's first progress report: certainly mid-run.
        std::atomic<bool> raised{false};
        connect(
            h.worker, &EngineWorker::progress, h.worker,
            [&](quint64, int, double, const QString& stage) {
                if (stage != QLatin1String("load model") && !raised.exchange(true))
                    h.worker->cancel();
            },
            Qt::DirectConnection);
        h.worker->submit({job});
        QTRY_COMPARE_WITH_TIMEOUT(h.finished, 1, kDeadlockGuardMs);
        QVERIFY(raised.load());
        QCOMPARE(h.cancelled, 1);
        QVERIFY(h.results.isEmpty());
        QVERIFY(h.failures.isEmpty());
        QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden).size(),
                 0); // not even a temporary

        // The flag does not stick: the next batch runs (in one tile: quick on a busy machine).
        job.request.output.clear();
        job.request.tiles.tile = 0;
        h.worker->submit({job});
        QTRY_COMPARE_WITH_TIMEOUT(h.finished, 2, kDeadlockGuardMs);
        QCOMPARE(h.results.size(), 1);

        // A batch cancelled before it starts reports cancelled without running.
        h.worker->submit({job});
        h.worker->cancel();
        QTRY_COMPARE_WITH_TIMEOUT(h.finished, 3, kDeadlockGuardMs);
        QCOMPARE(h.cancelled, 2);
        QCOMPARE(h.results.size(), 1);
    }

    // The run controller without a window: one run at a time, its signals, and the record of what
    // each job did; a cancel stops the run and marks the jobs that did not end.
    void runControllerRunsAndRecords() {
        ModelRegistry registry(modelFolder());
        RunController runs(registry);
        QSignalSpy started(&runs, &RunController::started);
        QSignalSpy progress(&runs, &RunController::progress);
        QSignalSpy results(&runs, &RunController::resultReady);
        QSignalSpy failures(&runs, &RunController::failed);
        QSignalSpy finished(&runs, &RunController::finished);
        EngineJob bad = tinyJob(gradient(32, 24));
        bad.modelSpec = QStringLiteral("embedded:no-such-model");
        const quint64 id = runs.start({tinyJob(gradient(32, 24)), bad});
        QVERIFY(id != 0);
        QVERIFY(runs.isBusy());
        QCOMPARE(runs.currentRun(), id);
        QCOMPARE(runs.start({tinyJob(gradient(16, 16))}), quint64(0)); // one run at a time
        QVERIFY(finished.wait(kDeadlockGuardMs));
        QCOMPARE(finished.count(), 1);
        QVERIFY(!finished.first().first().toBool());
        QVERIFY(!runs.isBusy());
        QCOMPARE(runs.currentRun(), quint64(0));
        QCOMPARE(started.count(), 1);
        QCOMPARE(started.first().at(1).toInt(), 2);
        QCOMPARE(results.count(), 1);
        QCOMPARE(results.first().first().toInt(), 0);
        QCOMPARE(results.first().at(1).value<EngineJobResult>().display.size(), QSize(128, 96));
        QCOMPARE(failures.count(), 1);
        QCOMPARE(failures.first().first().toInt(), 1);
        QVERIFY(!progress.isEmpty());
        for (const QList<QVariant>& p : progress) {
            QVERIFY(p.at(0).toDouble() >= 0.0 && p.at(0).toDouble() <= 1.0);
            QVERIFY(p.at(1).toInt() == 0 || p.at(1).toInt() == 1);
        }
        RunController::RunRecord run = runs.lastRun();
        QCOMPARE(run.id, id);
        QVERIFY(run.finished);
        QVERIFY(!run.cancelled);
        QCOMPARE(run.jobs.size(), 2);
        QCOMPARE(run.jobs[0].state, RunController::JobState::Done);
        QCOMPARE(run.jobs[0].label, QStringLiteral("tiny"));
        QCOMPARE(run.jobs[0].modelSpec, QString::fromLatin1(kTiny));
        QVERIFY(run.jobs[0].engineSeconds > 0);
        QVERIFY(run.jobs[0].wallSeconds >= run.jobs[0].engineSeconds);
        QVERIFY(run.jobs[0].runPeakBytes <=
                results.first().at(1).value<EngineJobResult>().report.peakRssBytes);
        // Pixels x (network calls + 1): the tiny model's own 4 steps; an unknown model counts 1.
        QCOMPARE(run.jobs[0].weight, 32.0 * 24 * 5);
        QCOMPARE(run.jobs[1].weight, 32.0 * 24 * 2);
        QCOMPARE(run.fraction, 1.0);
        QCOMPARE(run.etaSeconds, -1.0); // only while running
        QCOMPARE(run.jobs[1].state, RunController::JobState::Failed);
        QCOMPARE(run.jobs[1].modelSpec, QStringLiteral("embedded:no-such-model"));
        QVERIFY(!run.jobs[1].error.isEmpty());
        QCOMPARE(run.runPeakBytes, run.jobs[0].runPeakBytes);
        QVERIFY(run.wallSeconds > 0);
        QCOMPARE(runs.start({}), quint64(0)); // nothing to run

        // The worker waits in the engine's first stage after loading until the controller's
        // report of it has reached this thread and cancelled the run: certainly mid-run.
        QSemaphore gate;
        std::atomic<bool> first{true};
        connect(
            runs.worker(), &EngineWorker::progress, runs.worker(),
            [&](quint64, int, double, const QString& stage) {
                if (stage != QLatin1String("load model") && first.exchange(false))
                    gate.tryAcquire(1, kDeadlockGuardMs);
            },
            Qt::DirectConnection);
        bool cancelling = false;
        connect(&runs, &RunController::progress, this, [&](double, int, const QString& stage) {
            if (stage == QLatin1String("load model") || cancelling)
                return;
            runs.cancel();
            cancelling = runs.isCancelling();
            gate.release();
        });
        EngineJob tiled = tinyJob(gradient(48, 48));
        tiled.request.tiles.tile = 16; // nine tiles: the engine checks for cancel between them
        finished.clear();
        results.clear();
        const quint64 second = runs.start({tiled, tinyJob(gradient(16, 16))});
        QVERIFY(second > id);
        QVERIFY(finished.wait(kDeadlockGuardMs));
        QVERIFY(cancelling);
        QVERIFY(finished.first().first().toBool());
        QVERIFY(!runs.isCancelling());
        QVERIFY(results.isEmpty());
        run = runs.lastRun();
        QCOMPARE(run.id, second);
        QVERIFY(run.cancelled);
        QCOMPARE(run.jobs[0].state, RunController::JobState::Cancelled);
        QCOMPARE(run.jobs[1].state, RunController::JobState::Cancelled);
    }

    void upscaleShowsResult() {
        auto w = openedWindow();
        QVERIFY(w);
        const auto cancelled = run(*w, [&] { w->upscale(); });
        QVERIFY(cancelled.has_value());
        QVERIFY(!*cancelled);
        auto* view = w->compareView();
        QCOMPARE(view->paneCount(), 2);
        QCOMPARE(view->paneImage(0).size(), QSize(32, 24));
        QCOMPARE(view->paneImage(1).size(), QSize(128, 96));
        QCOMPARE(view->referenceSize(), QSize(128, 96));
        const QString name = w->registry().find(QString::fromLatin1(kTiny))->displayName;
        QVERIFY2(view->paneLabel(1).contains(name), qPrintable(view->paneLabel(1)));
        QVERIFY(view->paneLabel(0).contains(QStringLiteral("x4")));

        // The bicubic input pane is the input magnified x4.
        w->setInputScaling(MainWindow::InputScaling::Bicubic);
        QTRY_COMPARE_WITH_TIMEOUT(view->paneImage(0).size(), QSize(128, 96), kDeadlockGuardMs);
        QVERIFY(view->paneLabel(0).contains(QStringLiteral("bicubic")));
    }

    void cancelFromWindow() {
        auto w = openedWindow();
        QVERIFY(w);
        EngineWorker* worker = w->engineWorker();
        std::atomic<bool> raised{false};
        connect(
            worker, &EngineWorker::progress, worker,
            [&](quint64, int, double, const QString& stage) {
                if (stage != QLatin1String("load model") && !raised.exchange(true))
                    worker->cancel();
            },
            Qt::DirectConnection);
        const auto cancelled = run(*w, [&] { w->upscale(); });
        QVERIFY(cancelled.has_value());
        QVERIFY(*cancelled);
        QCOMPARE(w->compareView()->paneCount(), 2);
        QVERIFY(w->compareView()->paneImage(1).isNull());
        QVERIFY(w->compareView()->paneLabel(1).contains(QStringLiteral("cancelled")));
        QVERIFY(!w->isBusy());
    }

    void staysResponsiveDuringRun() {
        auto w = openedWindow();
        QVERIFY(w);
        // The engine's first progress report blocks the worker until the GUI thread has run a
        // timer while the window is busy: a GUI thread that waited for the engine would never get
        // there, and the acquire would give up.
        QSemaphore gate;
        std::atomic<bool> first{true};
        std::atomic<bool> passed{false};
        connect(
            w->engineWorker(), &EngineWorker::progress, w->engineWorker(),
            [&](quint64, int, double, const QString&) {
                if (first.exchange(false))
                    passed = gate.tryAcquire(1, kDeadlockGuardMs);
            },
            Qt::DirectConnection);
        int busyTicks = 0;
        QTimer timer;
        timer.setInterval(0);
        connect(&timer, &QTimer::timeout, this, [&] {
            if (w->isBusy() && busyTicks++ == 0)
                gate.release();
        });
        timer.start();
        const auto cancelled = run(*w, [&] { w->upscale(); });
        timer.stop();
        QVERIFY(cancelled.has_value());
        QVERIFY(!*cancelled);
        QVERIFY(passed.load());
        QVERIFY(busyTicks > 0);
        QCOMPARE(w->compareView()->paneImage(1).size(), QSize(128, 96));
    }

    void compareShowsLabelledPanes() {
        auto w = openedWindow();
        QVERIFY(w);
        const QString teacher = w->registry().preferredSpec(false);
        const QString student = w->registry().preferredSpec(true);
        QVERIFY(!teacher.isEmpty());
        const auto* t = w->registry().find(teacher);
        // The toolbar's model is one of the two: two result panes.
        w->setModelSpec(student.isEmpty() ? teacher : student);
        const auto cancelled = run(*w, [&] { w->compare(); });
        QVERIFY(cancelled.has_value() && !*cancelled);
        auto* view = w->compareView();
        QCOMPARE(view->paneCount(), 3);
        QVERIFY(view->paneLabel(0).startsWith(QStringLiteral("Input")));
        for (int pane : {1, 2}) {
            QCOMPARE(view->paneImage(pane).size(), QSize(128, 96));
            QVERIFY2(view->paneLabel(pane).contains(QStringLiteral("run memory")),
                     qPrintable(view->paneLabel(pane)));
        }
        QVERIFY(view->paneLabel(1).contains(t->displayName));
        QVERIFY(view->paneLabel(1).contains(QStringLiteral("\n%1 step").arg(t->info.trainedSteps)));
        if (student.isEmpty()) {
            // No one-step model: the teacher at 1 step, and both the label and the status bar say
            // so.
            QVERIFY(view->paneLabel(2).contains(t->displayName));
            QVERIFY(view->paneLabel(2).contains(QStringLiteral("no one-step model installed")));
            QVERIFY(view->paneLabel(2).contains(QStringLiteral("\n1 step")));
            QVERIFY(w->statusBar()->currentMessage().contains(QStringLiteral("No one-step model")));
        } else {
            QVERIFY(view->paneLabel(2).contains(w->registry().find(student)->displayName));
        }
        QCOMPARE(view->splitPaneA(), 1); // split and flip compare the two models
        QCOMPARE(view->splitPaneB(), 2);

        // Any other model on the toolbar (a GAN upscaler, another one-step family) joins as a
        // third result pane, and the status bar says what it is.
        QString other;
        for (const auto& e : w->registry().models())
            if (e.error.isEmpty() && e.spec != teacher && e.spec != student)
                other = e.spec;
        if (other.isEmpty())
            QSKIP("only two usable models are listed");
        w->setModelSpec(other);
        QCOMPARE(w->modelSpec(), other);
        const auto again = run(*w, [&] { w->compare(); });
        QVERIFY(again.has_value() && !*again);
        QCOMPARE(view->paneCount(), 4);
        QVERIFY(view->paneLabel(3).contains(w->registry().find(other)->displayName));
        QCOMPARE(view->paneImage(3).size(), QSize(128, 96));
        QVERIFY2(w->statusBar()->currentMessage().contains(QStringLiteral("Third pane")),
                 qPrintable(w->statusBar()->currentMessage()));
        QCOMPARE(view->splitPaneA(), 1);
        QCOMPARE(view->splitPaneB(), 2);
    }

    // A YONOS package is compared like any model: its pane beside the multi-step model's.
    void compareRunsAYonosModel() {
        auto w = testutil::openWindow(input_);
        QVERIFY(w);
        const QString yonos = QStringLiteral("embedded:test-tiny-yonos");
        const auto* y = w->registry().find(yonos);
        QVERIFY(y);
        QCOMPARE(y->info.family, std::string("yonos"));
        QSignalSpy finished(w.get(), &MainWindow::runFinished);
        w->compareModels(input_, yonos, QString::fromLatin1(kTiny));
        QVERIFY(finished.wait(kDeadlockGuardMs));
        QVERIFY(!finished.first().first().toBool());
        auto* view = w->compareView();
        QCOMPARE(view->paneCount(), 3);
        QVERIFY2(view->paneLabel(2).contains(y->displayName), qPrintable(view->paneLabel(2)));
        QVERIFY(view->paneLabel(2).contains(QStringLiteral("\n1 step")));
        QCOMPARE(view->paneImage(2).size(), QSize(128, 96));
    }

    void regionPreviewUpscalesTheCrop() {
        auto w = openedWindow();
        QVERIFY(w);
        // A fitted view shows all of the input.
        w->useVisibleArea();
        QCOMPARE(w->selection(), QRect(0, 0, 32, 24));
        w->setSelection(QRect(4, 2, 20, 16));
        QCOMPARE(w->selection(), QRect(4, 2, 20, 16));
        const auto models = w->regionModels();
        QVERIFY(!models.isEmpty()); // by default the multi-step and the one-step choice
        const auto cancelled = run(*w, [&] { w->previewRegion(); });
        QVERIFY(cancelled.has_value() && !*cancelled);
        QCOMPARE(w->currentView(), MainWindow::View::Region);
        auto* view = w->compareView();
        QCOMPARE(view->paneCount(), 1 + int(models.size()));
        QCOMPARE(view->paneImage(0).size(), QSize(20, 16));
        QVERIFY(view->paneLabel(0).contains(QStringLiteral("20×16")));
        for (int pane = 1; pane < view->paneCount(); ++pane) {
            QCOMPARE(view->paneImage(pane).size(), QSize(80, 64));
            QVERIFY(!view->paneLabel(pane).isEmpty());
        }
        // The crop pane holds the selected pixels of the input.
        const QImage crop = view->paneImage(0);
        w->setView(MainWindow::View::WholeImage);
        QCOMPARE(view->paneCount(), 1);
        QCOMPARE(view->paneImage(0).copy(4, 2, 20, 16), crop);
    }

    void saveWritesReadableFile() {
        auto w = openedWindow();
        QVERIFY(w);
        QVERIFY(run(*w, [&] { w->upscale(); }).has_value());
        const QString folder = tmp_.filePath(QStringLiteral("saved"));
        QVERIFY(QDir().mkpath(folder));
        const QString out = QDir(folder).filePath(QStringLiteral("result.png"));
        QSignalSpy saved(w.get(), &MainWindow::saved);
        w->saveResultAs(out);
        QVERIFY(saved.wait(kDeadlockGuardMs));
        QCOMPARE(saved.first().first().toString(), out);
        auto decoded = shiftsr::ImageIO::read(out.toStdString());
        QVERIFY(decoded.isOk());
        QCOMPARE(decoded->color.cols, 128);
        QCOMPARE(decoded->color.rows, 96);
        auto metadata = shiftsr::Metadata::read(out.toStdString());
        QVERIFY(metadata.isOk());
        const auto entries = metadata->entries();
        QVERIFY(entries.count("Xmp.shiftsr.Model") == 1);
        QCOMPARE(entries.at("Xmp.shiftsr.Steps"), std::string("4"));
        QCOMPARE(entries.at("Xmp.shiftsr.Seed"), std::string("12345"));
        QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden),
                 QStringList{QStringLiteral("result.png")});

        // A result never replaces its input.
        QSignalSpy failed(w.get(), &MainWindow::saveFailed);
        w->saveResultAs(input_);
        QCOMPARE(failed.count(), 1);
    }

    // Save without a dialog once the save options are chosen: the settings' folder and name
    // pattern, and the same file again for a result saved before.
    void saveUsesTheOutputPattern() {
        auto w = openedWindow();
        QVERIFY(w);
        const QString folder = tmp_.filePath(QStringLiteral("pattern"));
        QVERIFY(QDir().mkpath(folder));
        AppSettings s = w->settings();
        s.outputFolder = folder;
        s.outputFormat = QStringLiteral("png");
        s.namePattern = QStringLiteral("{name}-x{scale}-s{steps}-{seed}.{ext}");
        s.saveOptionsChosen = true;
        w->setSettings(s);
        QVERIFY(run(*w, [&] { w->upscale(); }).has_value());
        QSignalSpy saved(w.get(), &MainWindow::saved);
        w->save();
        QVERIFY(saved.wait(kDeadlockGuardMs));
        const QString expected = QDir(folder).filePath(QStringLiteral("input-x4-s4-12345.png"));
        QCOMPARE(saved.first().first().toString(), expected);
        w->save();
        QVERIFY(saved.wait(kDeadlockGuardMs));
        QCOMPARE(saved.last().first().toString(), expected);
        QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden),
                 QStringList{QStringLiteral("input-x4-s4-12345.png")});
    }

    void settingsPersistAcrossWindows() {
        AppSettings wanted;
        {
            MainWindow w;
            wanted = w.settings();
            QCOMPARE(wanted.modelFolder, modelFolder());
            wanted.outputFolder = tmp_.filePath(QStringLiteral("out"));
            wanted.outputFormat = QStringLiteral("jpg");
            wanted.namePattern = QStringLiteral("{name}_{model}_s{steps}.{ext}");
            wanted.quality = 90;
            wanted.keepMetadata = false;
            wanted.saveOptionsChosen = true;
            wanted.askOnSave = true;
            wanted.device = QStringLiteral("cpu");
            wanted.precision = QStringLiteral("bf16");
            wanted.threads = 1;
            wanted.tile = 64;
            wanted.overlap = 16;
            wanted.memoryBudgetMb = 512;
            wanted.colorFix = shiftsr::ColorFix::AdaIN;
            wanted.seed = 777;
            wanted.modelSpec = QString::fromLatin1(kTiny);
            wanted.steps = 1;
            wanted.bicubicInput = true;
            w.setSettings(wanted);
            QCOMPARE(w.seed(), quint64(777));
            QCOMPARE(w.steps(), 1);
        }
        MainWindow again;
        QCOMPARE(again.settings(), wanted);
        QCOMPARE(again.seed(), quint64(777));
        QCOMPARE(again.steps(), 1);
        QCOMPARE(again.modelSpec(), QString::fromLatin1(kTiny));
        QCOMPARE(again.inputScaling(), MainWindow::InputScaling::Bicubic);
        QCOMPARE(AppSettings::load(), wanted);
    }

    void closingDuringRunCancelsCleanly() {
        auto w = openedWindow();
        QVERIFY(w);
        QSignalSpy finished(w.get(), &MainWindow::runFinished);
        w->upscale();
        QVERIFY(w->isBusy());
        QVERIFY(!w->close()); // waits for the engine without blocking
        QVERIFY(finished.wait(kDeadlockGuardMs));
        QTRY_VERIFY_WITH_TIMEOUT(!w->isVisible(), kDeadlockGuardMs);

        // Destroying a window in the middle of a run cancels it and joins the worker.
        auto other = openedWindow();
        QVERIFY(other);
        other->upscale();
        QVERIFY(other->isBusy());
        other.reset();
    }

    // Progress comes from work done: it never goes back, and it moves within one network call
    // (the UNet reports its blocks), so a long tile does not hold the bar still.
    void progressIsMonotoneAndMovesWithinATile() {
        ModelRegistry registry(modelFolder());
        RunController runs(registry);
        QSignalSpy progress(&runs, &RunController::progress);
        QSignalSpy finished(&runs, &RunController::finished);
        QVERIFY(runs.start({tinyJob(gradient(64, 48)), tinyJob(gradient(64, 48))}) != 0);
        QVERIFY(finished.wait(kDeadlockGuardMs));
        double last = 0;
        QMap<QString, QSet<double>> perStage; // distinct fractions reported under each stage
        for (const QList<QVariant>& p : progress) {
            const double f = p.at(0).toDouble();
            QVERIFY2(f >= last, qPrintable(QStringLiteral("%1 after %2").arg(f).arg(last)));
            last = f;
            perStage[QString::number(p.at(1).toInt()) + p.at(2).toString()].insert(f);
        }
        QCOMPARE(runs.lastRun().fraction, 1.0);
        // One tile, 4 steps: within "step 2/4" of the first job the fraction takes a value per
        // UNet block, not one per step.
        const QString step = QStringLiteral("0tile 1/1: step 2/4");
        QVERIFY2(perStage.contains(step), qPrintable(perStage.keys().join(QLatin1Char(','))));
        QVERIFY2(perStage[step].size() >= 4, qPrintable(QString::number(perStage[step].size())));
        // The second job starts where the first ended: the two weigh the same.
        bool secondHalf = true;
        for (const QList<QVariant>& p : progress)
            if (p.at(1).toInt() == 1)
                secondHalf = secondHalf && p.at(0).toDouble() >= 0.5 - 1e-9;
        QVERIFY(secondHalf);
    }

    // The status bar shows the run in progress (job, stage, percentage, elapsed time), not the
    // figures of the run before; they come back with the new results, labelled as the run's own.
    void statusBarFollowsTheRunningJob() {
        auto w = openedWindow();
        QVERIFY(w);
        auto statusTexts = [&] {
            QStringList texts;
            for (QLabel* l : w->statusBar()->findChildren<QLabel*>())
                texts << l->text();
            return texts.join(QLatin1Char('|'));
        };
        QVERIFY(run(*w, [&] { w->upscale(); }).has_value());
        QVERIFY2(statusTexts().contains(QStringLiteral("Run memory")), qPrintable(statusTexts()));
        QStringList during;
        QString figuresAtStart;
        connect(w->runController(), &RunController::progress, this,
                [&](double, int, const QString& stage) {
                    if (stage.startsWith(QLatin1String("tile")))
                        during << w->statusBar()->currentMessage();
                });
        connect(w.get(), &MainWindow::runStarted, this, [&] { figuresAtStart = statusTexts(); });
        QVERIFY(run(*w, [&] { w->upscale(); }).has_value());
        QVERIFY2(!figuresAtStart.contains(QStringLiteral("Run memory")),
                 qPrintable(figuresAtStart));
        const QString name = w->registry().find(QString::fromLatin1(kTiny))->displayName;
        const bool shown = std::any_of(during.begin(), during.end(), [&](const QString& m) {
            return m.contains(name) && m.contains(QStringLiteral("step")) &&
                   m.contains(QStringLiteral("%"));
        });
        QVERIFY2(shown, qPrintable(during.join(QLatin1Char('\n'))));
        QVERIFY(statusTexts().contains(QStringLiteral("Run memory")));
    }

    // Esc and closing stop a run on a large image within a moment: the engine checks the cancel
    // flag between network blocks, not only between tiles and steps.
    void cancelAndQuitAreQuickOnALargeImage() {
        const QString large = tmp_.filePath(QStringLiteral("large.png"));
        QVERIFY(
            shiftsr::ImageIO::write(large.toStdString(), gradient(1600, 1200), cv::Mat()).isOk());
        auto w = testutil::openWindow(large);
        QVERIFY(w);
        w->setModelSpec(QString::fromLatin1(kTiny));
        // Waits until the engine is inside a tile, then cancels and times until the run is over.
        auto inTile = [&] {
            QSignalSpy progress(w->runController(), &RunController::progress);
            return QTest::qWaitFor(
                [&] {
                    for (const QList<QVariant>& p : progress)
                        if (p.at(2).toString().contains(QLatin1String("step")))
                            return true;
                    return false;
                },
                kDeadlockGuardMs);
        };
        QSignalSpy finished(w.get(), &MainWindow::runFinished);
        w->upscale();
        QVERIFY(w->isBusy());
        QVERIFY(inTile());
        QElapsedTimer clock;
        clock.start();
        w->cancel();
        QVERIFY(finished.wait(kDeadlockGuardMs));
        const qint64 cancelMs = clock.elapsed();
        QVERIFY(finished.first().first().toBool());

        w->upscale();
        QVERIFY(inTile());
        clock.restart();
        w->close();
        QTRY_VERIFY_WITH_TIMEOUT(!w->isVisible(), kDeadlockGuardMs);
        const qint64 quitMs = clock.elapsed();
        qInfo("1600x1200 input, tiny model: cancel took %lld ms, quit %lld ms", cancelMs, quitMs);
        // Generous bounds for a loaded machine; the goal is well under 2 s.
        QVERIFY2(cancelMs < 10000, qPrintable(QString::number(cancelMs)));
        QVERIFY2(quitMs < 10000, qPrintable(QString::number(quitMs)));
    }

    // Zoom is relative to the result's pixels, also before the upscale: 1:1 is the same zoom before
    // and after, and the status bar says it.
    void zoomIsRelativeToTheResult() {
        auto w = openedWindow();
        QVERIFY(w);
        auto* view = w->compareView();
        auto* zoom = w->findChild<QLabel*>(QStringLiteral("zoomLabel"));
        QVERIFY(zoom);
        QCOMPARE(view->referenceSize(), QSize(128, 96)); // the 32x24 input's x4 result
        view->zoomToActualSize();
        QCOMPARE(zoom->text(), QStringLiteral("Zoom 100 %"));
        const QRectF before(view->imageToWidget(0, QPointF(0, 0)),
                            view->imageToWidget(0, QPointF(128, 96)));
        QCOMPARE(before.size(), QSizeF(128, 96)); // the input drawn x4
        view->setZoom(0.5);
        QCOMPARE(zoom->text(), QStringLiteral("Zoom 50 %"));
        QVERIFY(run(*w, [&] { w->upscale(); }).has_value());
        view->zoomToActualSize();
        QCOMPARE(view->referenceSize(), QSize(128, 96));
        QCOMPARE(zoom->text(), QStringLiteral("Zoom 100 %"));
    }

    // A region preview of more than kLargeRegionPixels input pixels asks first; Cancel runs
    // nothing.
    void largeRegionAsksBeforeRunning() {
        const QString big = tmp_.filePath(QStringLiteral("big.png"));
        QVERIFY(shiftsr::ImageIO::write(big.toStdString(), gradient(600, 500), cv::Mat()).isOk());
        auto w = testutil::openWindow(big);
        QVERIFY(w);
        auto question = [&] {
            return w->findChild<QMessageBox*>(QStringLiteral("largeRegionQuestion"));
        };
        w->setSelection(QRect(0, 0, 400, 300)); // 120 000 pixels: no question
        QVERIFY(qint64(400) * 300 <= MainWindow::kLargeRegionPixels);
        w->previewRegion();
        QVERIFY(w->isBusy());
        QVERIFY(!question());
        w->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!w->isBusy(), kDeadlockGuardMs);

        w->setView(MainWindow::View::WholeImage);
        w->useVisibleArea(); // the fitted view: the whole 600x500 input
        QCOMPARE(w->selection(), QRect(0, 0, 600, 500));
        QVERIFY(
            w->statusBar()->currentMessage().contains(QStringLiteral("600 × 500 of 600 × 500")));
        w->previewRegion();
        QTRY_VERIFY_WITH_TIMEOUT(question() && question()->isVisible(), kDeadlockGuardMs);
        QVERIFY(!w->isBusy());
        QVERIFY(question()->text().contains(QStringLiteral("600 × 500")));
        question()->button(QMessageBox::Cancel)->click();
        QTRY_VERIFY_WITH_TIMEOUT(!question(), kDeadlockGuardMs);
        QVERIFY(!w->isBusy());

        w->previewRegion();
        QTRY_VERIFY_WITH_TIMEOUT(question() && question()->isVisible(), kDeadlockGuardMs);
        QAbstractButton* anyway = nullptr;
        for (QAbstractButton* b : question()->buttons())
            if (question()->buttonRole(b) == QMessageBox::AcceptRole)
                anyway = b;
        QVERIFY(anyway);
        anyway->click();
        QTRY_VERIFY_WITH_TIMEOUT(w->isBusy(), kDeadlockGuardMs);
        w->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!w->isBusy(), kDeadlockGuardMs);
    }

    // After a region preview, Select Region and Use Visible Area still work: they go back to the
    // whole image, and the visible area of the region view is the crop's visible part.
    void regionActionsWorkAfterAPreview() {
        auto w = openedWindow();
        QVERIFY(w);
        w->setSelection(QRect(4, 2, 20, 16));
        QVERIFY(run(*w, [&] { w->previewRegion(); }).has_value());
        QCOMPARE(w->currentView(), MainWindow::View::Region);
        QAction* visible = nullptr;
        QAction* select = nullptr;
        for (QAction* a : w->findChildren<QAction*>()) {
            if (a->shortcut() == QKeySequence(QStringLiteral("Ctrl+Shift+V")))
                visible = a;
            if (a->shortcut() == QKeySequence(QStringLiteral("Ctrl+M")))
                select = a;
        }
        QVERIFY(visible && select);
        QVERIFY(visible->isEnabled());
        QVERIFY(select->isEnabled());
        w->clearSelection();
        visible->trigger(); // the fitted region view shows the whole crop
        QCOMPARE(w->currentView(), MainWindow::View::WholeImage);
        QCOMPARE(w->selection(), QRect(4, 2, 20, 16));

        w->setView(MainWindow::View::Region);
        select->trigger();
        QCOMPARE(w->currentView(), MainWindow::View::WholeImage);
        QVERIFY(select->isChecked());
    }

    // Models… and Batch… open the model manager and the batch queue on the window's registry, once;
    // the batch queue takes the device from the settings.
    void modelManagerAndBatchQueueOpen() {
        auto w = std::make_unique<MainWindow>();
        w->show();
        QVERIFY(!w->modelManager() && !w->batchQueue());
        QSignalSpy models(w.get(), &MainWindow::modelManagerRequested);
        w->showModelManager();
        QCOMPARE(models.count(), 1);
        QVERIFY(w->modelManager() && w->modelManager()->isVisible());
        QVERIFY(!w->modelManager()->isModal());
        QVERIFY(w->modelManager()->rowOf(QString::fromLatin1(kTiny)) >= 0);
        auto* first = w->modelManager();
        w->showModelManager();
        QCOMPARE(w->modelManager(), first);

        w->showBatchQueue();
        QVERIFY(w->batchQueue() && w->batchQueue()->isVisible());
        QVERIFY(w->batchQueue()->isWindow());
        QCOMPARE(QString::fromStdString(w->batchQueue()->options().engine.device),
                 QStringLiteral("cpu"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
