// Saving from the main window on the offscreen platform: the save options dialog on the first
// Save, later Saves that follow the stored choice, Save Options…, asking again, no silent
// overwriting, and the marked pane that Save writes (clicked, or the toolbar's model after a run).
#include "gui_testutil.h"
#include "testutil.h"
#include "window_testutil.h"

#include "shiftsr/engine/image_io.h"
#include "shiftsr/engine/metadata.h"
#include "shiftsr/gui/app_settings.h"
#include "shiftsr/gui/image_convert.h"
#include "shiftsr/gui/main_window.h"
#include "shiftsr/gui/model_registry.h"
#include "shiftsr/gui/save_options_dialog.h"
#include "shiftsr/ui/compare_view.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <opencv2/core.hpp>

#include <functional>
#include <memory>
#include <optional>

using shiftsr::gui::AppSettings;
using shiftsr::gui::MainWindow;
using shiftsr::gui::SaveOptionsDialog;

namespace {

using testutil::gradient;
using testutil::kDeadlockGuardMs;
using testutil::kTiny;

// Answers every modal dialog that an event loop shows while it lives (a dialog's own exec() or a
// signal wait), and counts them. A dialog the answer leaves open is rejected, so that nothing
// waits forever.
class ModalWatcher {
public:
    using Answer = std::function<void(QWidget*)>;
    explicit ModalWatcher(Answer answer = {}) : answer_(std::move(answer)) {
        timer_.setInterval(10);
        QObject::connect(&timer_, &QTimer::timeout, [this] {
            QWidget* modal = QApplication::activeModalWidget();
            if (!modal || !modal->isVisible())
                return;
            seen << QString::fromLatin1(modal->metaObject()->className());
            if (answer_)
                answer_(modal);
            if (auto* dialog = qobject_cast<QDialog*>(modal); dialog && dialog->isVisible())
                dialog->reject();
        });
        timer_.start();
    }
    QStringList seen; // class names of the dialogs shown

private:
    Answer answer_;
    QTimer timer_;
};

template <typename T> T* child(QWidget* parent, const char* name) {
    return parent->findChild<T*>(QLatin1String(name));
}

// Fills in the save options dialog and presses its accept button (when it is enabled).
struct SaveChoice {
    QString folder; // empty: next to the input
    QString format;
    QString pattern;
    int quality = 0; // 0: as it is
    bool askOnSave = false;

    void applyTo(QWidget* modal) const {
        auto* dialog = qobject_cast<SaveOptionsDialog*>(modal);
        if (!dialog)
            return;
        if (folder.isEmpty()) {
            child<QRadioButton>(dialog, "nextToInput")->setChecked(true);
        } else {
            child<QRadioButton>(dialog, "chosenFolder")->setChecked(true);
            child<QLineEdit>(dialog, "folder")->setText(folder);
        }
        auto* formats = child<QComboBox>(dialog, "format");
        formats->setCurrentIndex(formats->findData(format));
        child<QLineEdit>(dialog, "pattern")->setText(pattern);
        if (quality > 0)
            child<QSpinBox>(dialog, "quality")->setValue(quality);
        child<QCheckBox>(dialog, "askOnSave")->setChecked(askOnSave);
        QPushButton* ok = dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        if (ok->isEnabled())
            ok->click();
    }
};

QImage readBack(const QString& path) {
    auto decoded = shiftsr::ImageIO::read(path.toStdString());
    if (!decoded.isOk())
        return {};
    return shiftsr::gui::toDisplayImage(decoded->color, decoded->alpha)
        .convertToFormat(QImage::Format_RGB32);
}

QRgb accentOf(const shiftsr::ui::CompareView& view) {
    return view.palette().color(QPalette::Active, QPalette::Highlight).rgb() & 0xffffff;
}

// Whether the view draws the accent frame on the top edge of `pane`'s viewport.
bool framed(shiftsr::ui::CompareView& view, int pane) {
    const QImage shot = view.grab().toImage().convertToFormat(QImage::Format_RGB32);
    const QRect r = view.paneRect(pane);
    return (shot.pixel(r.center().x(), r.top() + 1) & 0xffffff) == accentOf(view);
}

} // namespace

class TestSaving : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString input_; // 32x24 PNG

    QString modelFolder() const { return tmp_.filePath(QStringLiteral("models")); }

    QString newFolder(const QString& name) const {
        const QString folder = tmp_.filePath(name);
        return QDir().mkpath(folder) ? folder : QString();
    }

    // A shown window with the test input opened and the tiny model chosen.
    std::unique_ptr<MainWindow> openedWindow() {
        auto w = testutil::openWindow(input_);
        if (!w)
            return nullptr;
        w->setModelSpec(QString::fromLatin1(kTiny));
        w->setSteps(0);
        return w;
    }

    // Runs `start` to its end; true when it finished without being cancelled.
    static bool run(MainWindow& w, const std::function<void()>& start) {
        QSignalSpy finished(&w, &MainWindow::runFinished);
        start();
        return w.isBusy() && finished.wait(kDeadlockGuardMs) && !finished.first().first().toBool();
    }

    // Save (as Ctrl+S does) and the path written; empty when nothing was saved.
    static QString saveAndWait(MainWindow& w) {
        QSignalSpy saved(&w, &MainWindow::saved);
        QSignalSpy failed(&w, &MainWindow::saveFailed);
        w.save();
        if (saved.isEmpty() && failed.isEmpty() && !saved.wait(kDeadlockGuardMs))
            return QString();
        return saved.isEmpty() ? QString() : saved.first().first().toString();
    }

    static QAction* action(MainWindow& w, const QString& text) {
        for (QAction* a : w.findChildren<QAction*>())
            if (a->text() == text)
                return a;
        return nullptr;
    }

    // Stores a save choice as if the dialog had been answered before.
    void storeChoice(const QString& folder, const QString& format, const QString& pattern) {
        AppSettings s = AppSettings::load();
        s.outputFolder = folder;
        s.outputFormat = format;
        s.namePattern = pattern;
        s.saveOptionsChosen = true;
        s.askOnSave = false;
        s.save();
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ShiftSR-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_saving"));
        QVERIFY(tmp_.isValid());
        QVERIFY(QDir().mkpath(modelFolder()));
        input_ = tmp_.filePath(QStringLiteral("input.png"));
        QVERIFY(shiftsr::ImageIO::write(input_.toStdString(), gradient(32, 24), cv::Mat()).isOk());
    }

    // Every case starts from settings with only the (empty) test model folder and 2 threads: no
    // save choice made yet.
    void init() { testutil::resetAppSettings(modelFolder()); }

    void firstSaveAsksThenFollowsTheChoice() {
        auto w = openedWindow();
        QVERIFY(w);
        QVERIFY(run(*w, [&] { w->upscale(); }));
        QAction* save = action(*w, QStringLiteral("&Save"));
        QVERIFY(save && save->isEnabled());
        QVERIFY2(save->statusTip().contains(QStringLiteral("first time")),
                 qPrintable(save->statusTip()));

        const QString folder = newFolder(QStringLiteral("chosen"));
        QVERIFY(!folder.isEmpty());
        const SaveChoice choice{folder, QStringLiteral("jpg"),
                                QStringLiteral("{name}-s{seed}.{ext}"), 80, false};
        QString preview; // the file name the dialog shows for the choice
        QString accept;
        ModalWatcher answer([&](QWidget* modal) {
            accept = modal->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->text();
            choice.applyTo(modal);
            preview = child<QLabel>(modal, "preview")->text();
        });
        const QString first = saveAndWait(*w);
        QCOMPARE(answer.seen, QStringList{QStringLiteral("shiftsr::gui::SaveOptionsDialog")});
        QCOMPARE(accept, QStringLiteral("&Save"));
        const QString expected = QDir(folder).filePath(QStringLiteral("input-s12345.jpg"));
        QCOMPARE(first, expected);
        QVERIFY2(preview.contains(QDir::toNativeSeparators(expected)), qPrintable(preview));
        QCOMPARE(readBack(first).size(), QSize(128, 96));

        // The choice is stored, and the Save action says where and how it writes.
        const AppSettings stored = AppSettings::load();
        QCOMPARE(stored.outputFolder, folder);
        QCOMPARE(stored.outputFormat, QStringLiteral("jpg"));
        QCOMPARE(stored.namePattern, choice.pattern);
        QCOMPARE(stored.quality, 80);
        QVERIFY(stored.saveOptionsChosen);
        QVERIFY(!stored.askOnSave);
        QCOMPARE(
            save->statusTip(),
            QStringLiteral("Save to %1 as JPEG, quality 80").arg(QDir::toNativeSeparators(folder)));
        QVERIFY(save->toolTip().startsWith(save->statusTip()));

        // A later result is saved the same way, without a dialog; the status bar names the pane.
        w->setSeed(7);
        QVERIFY(run(*w, [&] { w->upscale(); }));
        ModalWatcher none;
        const QString second = saveAndWait(*w);
        QCOMPARE(none.seen, QStringList());
        QCOMPARE(second, QDir(folder).filePath(QStringLiteral("input-s7.jpg")));
        QCOMPARE(readBack(second).size(), QSize(128, 96));
        const QString label = w->compareView()->paneLabel(1).section(QLatin1Char('\n'), 0, 0);
        QVERIFY(!label.isEmpty());
        QCOMPARE(w->statusBar()->currentMessage(),
                 QStringLiteral("Saved %1 to %2").arg(label, QDir::toNativeSeparators(second)));

        // A new window follows the stored choice too.
        w.reset();
        auto again = openedWindow();
        QVERIFY(again);
        again->setSeed(8);
        QVERIFY(run(*again, [&] { again->upscale(); }));
        const QString third = saveAndWait(*again);
        QCOMPARE(none.seen, QStringList());
        QCOMPARE(third, QDir(folder).filePath(QStringLiteral("input-s8.jpg")));
    }

    // Cancelling the dialog saves nothing and leaves Save asking.
    void cancelledDialogSavesNothing() {
        auto w = openedWindow();
        QVERIFY(w);
        QVERIFY(run(*w, [&] { w->upscale(); }));
        ModalWatcher cancel([](QWidget* modal) { qobject_cast<QDialog*>(modal)->reject(); });
        QSignalSpy saved(w.get(), &MainWindow::saved);
        w->save();
        QCOMPARE(cancel.seen.size(), 1);
        QTest::qWait(50);
        QCOMPARE(saved.count(), 0);
        QVERIFY(!AppSettings::load().saveOptionsChosen);
        QCOMPARE(QDir(tmp_.path()).entryList({QStringLiteral("input-*")}), QStringList());
        w->save();
        QCOMPARE(cancel.seen.size(), 2);
    }

    // File ▸ Save Options… opens the same dialog without saving; with "ask again" Save shows it
    // on every Save.
    void saveOptionsActionAndAskingAgain() {
        auto w = openedWindow();
        QVERIFY(w);
        QVERIFY(run(*w, [&] { w->upscale(); }));
        QAction* options = action(*w, QStringLiteral("Save Op&tions…"));
        QVERIFY(options && options->isEnabled());
        const QString folder = newFolder(QStringLiteral("asking"));
        QVERIFY(!folder.isEmpty());
        const SaveChoice choice{folder, QStringLiteral("png"), QStringLiteral("{name}-again.{ext}"),
                                0, true};
        QString accept;
        ModalWatcher answer([&](QWidget* modal) {
            accept = modal->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->text();
            choice.applyTo(modal);
        });
        QSignalSpy saved(w.get(), &MainWindow::saved);
        options->trigger();
        QCOMPARE(answer.seen.size(), 1);
        QVERIFY(accept != QStringLiteral("&Save"));
        QTest::qWait(50);
        QCOMPARE(saved.count(), 0); // only the choice
        QVERIFY(AppSettings::load().askOnSave);
        QVERIFY2(
            action(*w, QStringLiteral("&Save"))->statusTip().contains(QStringLiteral("each time")),
            qPrintable(action(*w, QStringLiteral("&Save"))->statusTip()));

        const QString expected = QDir(folder).filePath(QStringLiteral("input-again.png"));
        QCOMPARE(saveAndWait(*w), expected);
        QCOMPARE(answer.seen.size(), 2);
        // The same result again: asked again, and its own file is written again.
        QCOMPARE(saveAndWait(*w), expected);
        QCOMPARE(answer.seen.size(), 3);
        QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden),
                 QStringList{QStringLiteral("input-again.png")});
    }

    // Save never replaces another file without asking: it falls back to Save As, whose file
    // dialog is cancelled here, and the file stays as it was.
    void existingFileIsNotReplaced() {
        const QString folder = newFolder(QStringLiteral("existing"));
        QVERIFY(!folder.isEmpty());
        storeChoice(folder, QStringLiteral("png"), QStringLiteral("{name}-x{scale}.{ext}"));
        const QString taken = QDir(folder).filePath(QStringLiteral("input-x4.png"));
        QVERIFY(testutil::writeAll(taken, "someone else's file"));
        auto w = openedWindow();
        QVERIFY(w);
        QVERIFY(run(*w, [&] { w->upscale(); }));
        ModalWatcher cancel([](QWidget* modal) { qobject_cast<QDialog*>(modal)->reject(); });
        QSignalSpy saved(w.get(), &MainWindow::saved);
        w->save();
        QCOMPARE(cancel.seen, QStringList{QStringLiteral("QFileDialog")});
        QTest::qWait(50);
        QCOMPARE(saved.count(), 0);
        QFile file(taken);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("someone else's file"));
    }

    // Clicking a result pane marks it and Save writes it; the input pane cannot be marked.
    void activePaneFollowsClicks() {
        const QString folder = newFolder(QStringLiteral("clicks"));
        QVERIFY(!folder.isEmpty());
        storeChoice(folder, QStringLiteral("png"), QStringLiteral("{name}-{model}-s{steps}.{ext}"));
        auto w = openedWindow();
        QVERIFY(w);
        // The toolbar shows the teacher (another model would join as a third pane).
        w->setModelSpec(w->registry().preferredSpec(false));
        QVERIFY(run(*w, [&] { w->compare(); }));
        auto* view = w->compareView();
        QCOMPARE(view->paneCount(), 3);
        // The toolbar's model made the first result: it is marked.
        QCOMPARE(view->activePane(), 1);
        QVERIFY(framed(*view, 1));
        QVERIFY(!framed(*view, 2));
        QVERIFY(view->paneImage(1) != view->paneImage(2));

        QSignalSpy changed(view, &shiftsr::ui::CompareView::activePaneChanged);
        QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, view->paneRect(2).center());
        QCOMPARE(view->activePane(), 2);
        QCOMPARE(changed.count(), 1);
        QVERIFY(framed(*view, 2));
        QVERIFY(!framed(*view, 1));
        QVERIFY(!framed(*view, 0));
        QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, view->paneRect(0).center());
        QCOMPARE(view->activePane(), 2); // the input is not a result

        ModalWatcher none;
        for (int pane : {2, 1}) {
            QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, view->paneRect(pane).center());
            QCOMPARE(view->activePane(), pane);
            const QString path = saveAndWait(*w);
            QVERIFY2(!path.isEmpty(), qPrintable(w->statusBar()->currentMessage()));
            QCOMPARE(QFileInfo(path).absolutePath(), folder);
            const QImage written = readBack(path);
            QCOMPARE(written, view->paneImage(pane).convertToFormat(QImage::Format_RGB32));
            auto metadata = shiftsr::Metadata::read(path.toStdString());
            QVERIFY(metadata.isOk());
            const QString steps =
                QString::fromStdString(metadata->entries().at("Xmp.shiftsr.Steps"));
            QVERIFY2(view->paneLabel(pane).contains(QStringLiteral("\n%1 step").arg(steps)),
                     qPrintable(view->paneLabel(pane) + QStringLiteral(" / ") + steps));
            const QString label = view->paneLabel(pane).section(QLatin1Char('\n'), 0, 0);
            QCOMPARE(w->statusBar()->currentMessage(),
                     QStringLiteral("Saved %1 to %2").arg(label, QDir::toNativeSeparators(path)));
        }
        QCOMPARE(none.seen, QStringList());
        QCOMPARE(QDir(folder).entryList(QDir::Files).size(), 2);

        // The pane set keeps its choice when it is shown again.
        QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, view->paneRect(2).center());
        w->setView(MainWindow::View::WholeImage);
        QCOMPARE(view->paneCount(), 3);
        QCOMPARE(view->activePane(), 2);
    }

    // After Compare, Save defaults to the result of the model the toolbar shows, not to the first
    // (multi-step) one.
    void compareDefaultsToTheToolbarModel_data() {
        QTest::addColumn<bool>("oneStep");
        QTest::newRow("one-step model on the toolbar") << true;
        QTest::newRow("multi-step model on the toolbar") << false;
    }
    void compareDefaultsToTheToolbarModel() {
        QFETCH(bool, oneStep);
        const QString folder = newFolder(QStringLiteral("toolbar-%1").arg(oneStep));
        QVERIFY(!folder.isEmpty());
        storeChoice(folder, QStringLiteral("png"), QStringLiteral("{name}-s{steps}.{ext}"));
        auto w = openedWindow();
        QVERIFY(w);
        const QString teacher = w->registry().preferredSpec(false);
        const QString student = w->registry().preferredSpec(true);
        QVERIFY(!teacher.isEmpty());
        // Without a one-step model Compare runs the teacher at one step as the second result.
        w->setModelSpec(oneStep && !student.isEmpty() ? student : teacher);
        w->setSteps(oneStep && student.isEmpty() ? 1 : 0);
        const int expected = oneStep ? 2 : 1;
        QVERIFY(run(*w, [&] { w->compare(); }));
        auto* view = w->compareView();
        QCOMPARE(view->paneCount(), 3);
        QCOMPARE(view->activePane(), expected);
        QVERIFY(framed(*view, expected));
        QVERIFY(!framed(*view, 3 - expected));

        ModalWatcher none;
        const QString path = saveAndWait(*w);
        QCOMPARE(none.seen, QStringList());
        QVERIFY(!path.isEmpty());
        const QImage written = readBack(path);
        QCOMPARE(written, view->paneImage(expected).convertToFormat(QImage::Format_RGB32));
        QVERIFY(written != view->paneImage(3 - expected).convertToFormat(QImage::Format_RGB32));
    }
};

QTEST_MAIN(TestSaving)
#include "tst_saving.moc"
