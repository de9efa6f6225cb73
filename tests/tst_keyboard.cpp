// Keyboard and layout of the desktop app (offscreen, English and German): no two Alt+letter
// mnemonics in one scope (the main window, each menu, each dialog); the toolbar keeps its run
// actions on screen in a narrow window; tool windows open centred over the main window and close
// with Esc; Help > Keyboard Shortcuts lists every shortcut, generated from the actions.
#include "gui_testutil.h"
#include "testutil.h"

#include "shiftsr/gui/app_settings.h"
#include "shiftsr/gui/batch_queue.h"
#include "shiftsr/gui/main_window.h"
#include "shiftsr/gui/model_manager_dialog.h"
#include "shiftsr/gui/settings_dialog.h"
#include "shiftsr/gui/shortcuts_dialog.h"
#include "shiftsr/i18n/i18n.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QGroupBox>
#include <QHash>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QScreen>
#include <QSettings>
#include <QStandardPaths>
#include <QTabBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTranslator>
#include <QtTest>

#include <cstdlib>
#include <memory>

using shiftsr::gui::AppSettings;
using shiftsr::gui::MainWindow;
using shiftsr::gui::ShortcutsDialog;

namespace {

constexpr int kCentreTolerance = 4; // px: the offscreen platform's 2 px frame on either side

// The app's translators for one language while it lives (installed the way main() does).
class LanguageScope {
public:
    explicit LanguageScope(const QString& language) {
        shiftsr::i18n::installTranslators(*QCoreApplication::instance(), QLocale(language));
    }
    ~LanguageScope() {
        for (QTranslator* t :
             QCoreApplication::instance()->findChildren<QTranslator*>(Qt::FindDirectChildrenOnly)) {
            QCoreApplication::removeTranslator(t);
            delete t;
        }
    }
    LanguageScope(const LanguageScope&) = delete;
    LanguageScope& operator=(const LanguageScope&) = delete;
};

// Texts with a mnemonic that Alt+letter reaches in `window` itself (not in its menus' popups or in
// other windows): the menu bar's titles, labels with a buddy, buttons, group boxes and tabs that
// are not hidden.
QStringList windowMnemonicTexts(QWidget* window) {
    QStringList texts;
    for (QWidget* w : window->findChildren<QWidget*>()) {
        if (w->window() != window || !w->isVisibleTo(window))
            continue;
        if (auto* label = qobject_cast<QLabel*>(w)) {
            if (label->buddy())
                texts << label->text();
        } else if (auto* button = qobject_cast<QAbstractButton*>(w)) {
            texts << button->text();
        } else if (auto* box = qobject_cast<QGroupBox*>(w)) {
            texts << box->title();
        } else if (auto* tabs = qobject_cast<QTabBar*>(w)) {
            for (int i = 0; i < tabs->count(); ++i)
                texts << tabs->tabText(i);
        } else if (auto* bar = qobject_cast<QMenuBar*>(w)) {
            for (QAction* a : bar->actions())
                if (a->isVisible() && !a->isSeparator())
                    texts << a->text();
        }
    }
    return texts;
}

// Every menu and submenu of `menu` as its own scope.
QStringList menuClashes(const QMenu* menu, const QString& path) {
    QStringList texts, failures;
    for (QAction* a : menu->actions()) {
        if (a->isSeparator() || !a->isVisible())
            continue;
        texts << a->text();
        if (a->menu())
            failures << menuClashes(a->menu(), path + QStringLiteral(" > ") +
                                                   ShortcutsDialog::plainText(a->text()));
    }
    return testutil::mnemonicClashes(path, texts) + failures;
}

QPoint centre(const QWidget* w) {
    return w->geometry().center();
}

bool centredOver(const QWidget* w, const QWidget* over) {
    const QPoint d = centre(w) - centre(over);
    return std::abs(d.x()) <= kCentreTolerance && std::abs(d.y()) <= kCentreTolerance;
}

QString describe(const QWidget* w, const QWidget* over) {
    QString out;
    QDebug(&out) << w->geometry() << "over" << over->geometry();
    return out;
}

// The widget keyboard input goes to in `window`: its focus widget, else the window.
QWidget* keyTarget(QWidget* window) {
    QWidget* focus = window->focusWidget();
    return focus && focus->isVisible() ? focus : window;
}

} // namespace

class TestKeyboard : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;

    std::unique_ptr<MainWindow> shownWindow(const QRect& geometry = QRect(100, 100, 1280, 800)) {
        auto w = std::make_unique<MainWindow>();
        w->setGeometry(geometry);
        w->show();
        QCoreApplication::processEvents();
        return w;
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("ShiftSR-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_keyboard"));
        QVERIFY(tmp_.isValid());
        QVERIFY(QDir().mkpath(tmp_.filePath(QStringLiteral("models"))));
    }

    // Every case starts from settings with the (empty) test model folder and a full recent-files
    // menu (its tenth entry needs a mnemonic of its own).
    void init() {
        QSettings().clear();
        AppSettings s;
        s.modelFolder = tmp_.filePath(QStringLiteral("models"));
        s.device = QStringLiteral("cpu");
        for (int i = 0; i < AppSettings::kMaxRecentFiles; ++i)
            s.recentFiles << tmp_.filePath(QStringLiteral("photo-%1.png").arg(i));
        s.save();
    }

    // The check itself finds a clash and names both texts.
    void clashCheckNamesBothTexts() {
        const QStringList found = testutil::mnemonicClashes(
            QStringLiteral("probe"), {QStringLiteral("&Open"), QStringLiteral("Save"),
                                      QStringLiteral("Fish && Chips"), QStringLiteral("&open")});
        QCOMPARE(found.size(), 1);
        QVERIFY2(found.first().contains(QStringLiteral("\"&Open\"")) &&
                     found.first().contains(QStringLiteral("\"&open\"")),
                 qPrintable(found.first()));
        QVERIFY(testutil::mnemonicClashes(QStringLiteral("probe"),
                                          {QStringLiteral("1&0 a"), QStringLiteral("&1 b")})
                    .isEmpty());
    }

    void mnemonicsAreUnique_data() {
        QTest::addColumn<QString>("language");
        QTest::newRow("English") << QStringLiteral("en");
        QTest::newRow("German") << QStringLiteral("de");
    }

    void mnemonicsAreUnique() {
        QFETCH(QString, language);
        const LanguageScope translation(language);
        auto w = shownWindow();
        const QString fileMenu = w->menuBar()->actions().first()->text();
        if (language == QLatin1String("de")) // the catalogue is really in use
            QVERIFY2(fileMenu != QLatin1String("&File"), qPrintable(fileMenu));
        else
            QCOMPARE(fileMenu, QStringLiteral("&File"));

        QStringList failures =
            testutil::mnemonicClashes(QStringLiteral("main window"), windowMnemonicTexts(w.get()));
        int menus = 0;
        for (QAction* a : w->menuBar()->actions()) {
            if (!a->menu())
                continue;
            ++menus;
            failures << menuClashes(a->menu(), ShortcutsDialog::plainText(a->text()));
        }
        QVERIFY(menus >= 5);

        w->showBatchQueue();
        failures << testutil::mnemonicClashes(QStringLiteral("Batch window"),
                                              windowMnemonicTexts(w->batchQueue()));
        w->showModelManager();
        failures << testutil::mnemonicClashes(QStringLiteral("Models"),
                                              windowMnemonicTexts(w->modelManager()));
        w->showShortcuts();
        failures << testutil::mnemonicClashes(QStringLiteral("Keyboard Shortcuts"),
                                              windowMnemonicTexts(w->shortcutsDialog()));
        shiftsr::gui::SettingsDialog settings(w->settings(), w.get());
        const QStringList settingsTexts = windowMnemonicTexts(&settings);
        QVERIFY(settingsTexts.size() > 10); // the labels were found (their buddies are set)
        failures << testutil::mnemonicClashes(QStringLiteral("Settings"), settingsTexts);

        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
    }

    void toolbarKeepsRunActions_data() {
        QTest::addColumn<QString>("language");
        QTest::addColumn<int>("width");
        QTest::addColumn<QStringList>("visible");
        const QStringList run = {QStringLiteral("compare"), QStringLiteral("previewRegion"),
                                 QStringLiteral("cancel")};
        const QStringList all =
            run + QStringList{QStringLiteral("open"),       QStringLiteral("save"),
                              QStringLiteral("upscale"),    QStringLiteral("fit"),
                              QStringLiteral("actualSize"), QStringLiteral("split"),
                              QStringLiteral("flip")};
        QTest::newRow("English 1280") << QStringLiteral("en") << 1280 << all;
        QTest::newRow("English 1024") << QStringLiteral("en") << 1024 << run;
        QTest::newRow("German 1280") << QStringLiteral("de") << 1280 << all;
        QTest::newRow("German 1024") << QStringLiteral("de") << 1024 << run;
    }

    void toolbarKeepsRunActions() {
        QFETCH(QString, language);
        QFETCH(int, width);
        QFETCH(QStringList, visible);
        const LanguageScope translation(language);
        auto w = shownWindow(QRect(100, 100, width, 800));
        auto* bar = w->findChild<QToolBar*>(QStringLiteral("mainToolBar"));
        QVERIFY(bar);
        QTRY_COMPARE(bar->width(), w->width()); // laid out at the window's width

        const auto* extension =
            bar->findChild<QToolButton*>(QStringLiteral("qt_toolbar_ext_button"));
        const bool overflowing = extension && extension->isVisible();
        for (const QString& name : visible) {
            QAction* a = w->findChild<QAction*>(name);
            QVERIFY2(a, qPrintable(name));
            QVERIFY2(!a->icon().isNull(), qPrintable(name + ": no icon without a theme"));
            QVERIFY2(!a->toolTip().isEmpty(), qPrintable(name));
            QWidget* button = bar->widgetForAction(a);
            QVERIFY2(button, qPrintable(name + ": not on the toolbar"));
            QVERIFY2(button->isVisible(), qPrintable(name + ": in the overflow"));
            QVERIFY2(bar->rect().contains(button->geometry()),
                     qPrintable(name + ": outside the toolbar"));
            if (overflowing)
                QVERIFY2(!button->geometry().intersects(extension->geometry()),
                         qPrintable(name + ": under the overflow button"));
        }
        // Run actions come before the view actions.
        const QList<QAction*> order = bar->actions();
        QVERIFY(order.indexOf(w->findChild<QAction*>(QStringLiteral("cancel"))) <
                order.indexOf(w->findChild<QAction*>(QStringLiteral("fit"))));
    }

    // Text beside the icons when there is room for it, icons only when there is not; the names
    // stay in the tooltips.
    void toolbarShowsTextWhenWide() {
        auto w = shownWindow(QRect(0, 0, 2400, 800));
        auto* bar = w->findChild<QToolBar*>(QStringLiteral("mainToolBar"));
        QVERIFY(bar);
        QTRY_COMPARE(bar->toolButtonStyle(), Qt::ToolButtonTextBesideIcon);
        auto* compare = qobject_cast<QToolButton*>(
            bar->widgetForAction(w->findChild<QAction*>(QStringLiteral("compare"))));
        QVERIFY(compare);
        const int wide = compare->width();
        w->resize(1024, 800);
        QTRY_COMPARE(bar->toolButtonStyle(), Qt::ToolButtonIconOnly);
        QTRY_VERIFY(compare->width() < wide);
        QVERIFY(compare->toolTip().contains(QStringLiteral("Compare")));
        w->resize(2400, 800);
        QTRY_COMPARE(bar->toolButtonStyle(), Qt::ToolButtonTextBesideIcon);
    }

    void toolWindowsOpenCentredAndCloseWithEsc() {
        auto w = shownWindow();

        w->showBatchQueue();
        QWidget* batch = w->batchQueue();
        QVERIFY(batch->isVisible());
        QVERIFY2(centredOver(batch, w.get()), qPrintable(describe(batch, w.get())));
        QTest::keyClick(keyTarget(batch), Qt::Key_Escape);
        QVERIFY(!batch->isVisible());
        // Again with the keyboard focus in the item table; the window stays where it was.
        const QRect placed = batch->geometry();
        w->showBatchQueue();
        auto* table = batch->findChild<QTableView*>(QStringLiteral("items"));
        QVERIFY(table);
        table->setFocus();
        QTest::keyClick(table, Qt::Key_Escape);
        QVERIFY(!batch->isVisible());
        QCOMPARE(batch->geometry(), placed);

        w->showModelManager();
        QWidget* models = w->modelManager();
        QVERIFY(models->isVisible());
        QVERIFY2(centredOver(models, w.get()), qPrintable(describe(models, w.get())));
        QTest::keyClick(keyTarget(models), Qt::Key_Escape);
        QVERIFY(!models->isVisible());

        w->showShortcuts();
        QWidget* shortcuts = w->shortcutsDialog();
        QVERIFY(shortcuts->isVisible());
        QVERIFY(!shortcuts->isModal());
        QVERIFY2(centredOver(shortcuts, w.get()), qPrintable(describe(shortcuts, w.get())));
        QTest::keyClick(keyTarget(shortcuts), Qt::Key_Escape);
        QVERIFY(!shortcuts->isVisible());

        // Settings runs modally: look at it from inside its event loop, then press Esc there.
        bool seen = false, centred = false, closed = false;
        QString where;
        QTimer::singleShot(0, w.get(), [&] {
            QWidget* dialog = QApplication::activeModalWidget();
            seen = qobject_cast<shiftsr::gui::SettingsDialog*>(dialog) != nullptr;
            if (!dialog)
                return;
            centred = centredOver(dialog, w.get());
            where = describe(dialog, w.get());
            QTest::keyClick(keyTarget(dialog), Qt::Key_Escape);
            closed = !dialog->isVisible();
            if (!closed)
                dialog->close(); // do not leave the test waiting in the dialog's loop
        });
        w->showSettings();
        QVERIFY(seen);
        QVERIFY2(centred, qPrintable(where));
        QVERIFY(closed);
    }

    // A main window near the screen's corner: the batch window is kept on the screen.
    void batchWindowStaysOnScreen() {
        const QRect available = QGuiApplication::primaryScreen()->availableGeometry();
        auto w = shownWindow(QRect(available.right() - 500, available.bottom() - 300, 480, 280));
        w->showBatchQueue();
        QWidget* batch = w->batchQueue();
        const QRect frame = batch->frameGeometry();
        QVERIFY2(available.contains(frame), qPrintable(describe(batch, w.get())));
        // As near to centred as the screen allows: against its right and bottom edges.
        QVERIFY2(std::abs(frame.right() - available.right()) <= kCentreTolerance &&
                     std::abs(frame.bottom() - available.bottom()) <= kCentreTolerance,
                 qPrintable(describe(batch, w.get())));
    }

    void shortcutListFollowsTheActions() {
        auto w = shownWindow();
        w->showShortcuts();
        ShortcutsDialog* dialog = w->shortcutsDialog();
        QVERIFY(dialog);
        auto listed = [dialog](const QAction* a, const QString& key) {
            const QString name = ShortcutsDialog::plainText(a->text());
            for (const ShortcutsDialog::Entry& e : dialog->entries())
                if (e.action == name && e.keys.contains(key))
                    return true;
            return false;
        };

        int checked = 0;
        for (const QAction* a : w->findChildren<QAction*>()) {
            if (!a->isVisible())
                continue;
            for (const QKeySequence& k : a->shortcuts()) {
                if (k.isEmpty())
                    continue;
                const QString key = k.toString(QKeySequence::NativeText);
                QVERIFY2(listed(a, key), qPrintable(a->text() + QLatin1Char(' ') + key));
                ++checked;
            }
        }
        QVERIFY(checked > 20);
        // The F1 of Help > Keyboard Shortcuts itself, under its menu's title.
        const QAction* help = w->findChild<QAction*>(QStringLiteral("shortcuts"));
        QVERIFY(help && !help->shortcut().isEmpty());
        bool underHelp = false;
        for (const ShortcutsDialog::Entry& e : dialog->entries())
            underHelp |=
                e.group == QLatin1String("Help") && e.action == QLatin1String("Keyboard Shortcuts");
        QVERIFY(underHelp);
        // The viewer's own keys and the region selection are there too.
        const QString space = QKeySequence(Qt::Key_Space).toString(QKeySequence::NativeText);
        bool viewerKeys = false, shiftDrag = false;
        for (const ShortcutsDialog::Entry& e : dialog->entries()) {
            viewerKeys |= e.keys.contains(space);
            shiftDrag |= e.keys.join(QString()).contains(QStringLiteral("Shift"));
        }
        QVERIFY(viewerKeys);
        QVERIFY(shiftDrag);

        // A shortcut given to a menu action at run time is listed when the dialog opens again.
        QAction* bare = nullptr;
        for (QAction* a : w->findChildren<QAction*>())
            if (a->shortcuts().isEmpty() && !a->isSeparator() && !a->menu() && a->isVisible() &&
                !a->text().isEmpty() && !a->associatedObjects().isEmpty() &&
                qobject_cast<QMenu*>(a->associatedObjects().first())) {
                bare = a;
                break;
            }
        QVERIFY(bare);
        const QKeySequence added(Qt::CTRL | Qt::ALT | Qt::SHIFT | Qt::Key_K);
        const QString addedText = added.toString(QKeySequence::NativeText);
        QVERIFY(!listed(bare, addedText));
        bare->setShortcut(added);
        QTest::keyClick(keyTarget(dialog), Qt::Key_Escape);
        QVERIFY(!dialog->isVisible());
        w->showShortcuts();
        QVERIFY2(listed(bare, addedText), qPrintable(bare->text()));
    }
};

int main(int argc, char** argv) {
    // A screen the size of a common desktop (the offscreen platform's own is 800x800), so that the
    // main window and the tool windows centred over it fit without being moved.
    QTemporaryDir screenConfig;
    if (qgetenv("QT_QPA_PLATFORM") == "offscreen" && screenConfig.isValid()) {
        const QString path = screenConfig.filePath(QStringLiteral("screens.json"));
        testutil::writeAll(path, R"({"screens": [{"name": "desktop", "x": 0, "y": 0,
            "width": 1920, "height": 1200, "logicalDpi": 96}]})");
        qputenv("QT_QPA_PLATFORM", "offscreen:configfile=" + QFile::encodeName(path));
    }
    QApplication app(argc, argv);
    TestKeyboard test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_keyboard.moc"
