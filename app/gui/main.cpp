// shiftsr: the desktop app; `shiftsr [FILE]` opens the main window, with FILE loaded when given.
// `--upscale` upscales FILE as soon as it is open (the desktop entry's "Upscale with ShiftSR";
// without FILE it asks for one). `--screenshots DIR` (documentation): opens FILE, runs the one-step
// vs multi-step comparison, saves the window side by side and in split view and the keyboard
// shortcut window as PNG under DIR, and quits. `--distil FOLDER` opens the distillation wizard on
// the photos in FOLDER; with `--screenshots DIR` it is driven through every page with its defaults
// (distil_tour.h).
#include "distil_tour.h"

#include "shiftsr/engine/last_resort.h"
#include "shiftsr/gui/main_window.h"
#include "shiftsr/gui/shortcuts_dialog.h"
#include "shiftsr/i18n/i18n.h"
#include "shiftsr/ui/compare_view.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QLocale>
#include <QStringList>
#include <QTimer>

#include <cstdio>
#include <memory>

namespace {

// Drives the window through one comparison and saves three screenshots; returns the exit code
// through app.exit().
void takeScreenshots(shiftsr::gui::MainWindow& window, const QString& dir) {
    using shiftsr::gui::MainWindow;
    using shiftsr::ui::CompareView;
    QObject::connect(&window, &MainWindow::openFailed, &window,
                     [](const QString& path, const QString& message) {
                         std::fprintf(stderr, "shiftsr: cannot open %s: %s\n", qPrintable(path),
                                      qPrintable(message));
                         QCoreApplication::exit(1);
                     });
    QObject::connect(&window, &MainWindow::inputOpened, &window, [&window] { window.compare(); });
    QObject::connect(&window, &MainWindow::runFinished, &window, [&window, dir](bool cancelled) {
        if (cancelled) {
            QCoreApplication::exit(1);
            return;
        }
        // Let the bicubic input pane and the labels arrive, then grab.
        QTimer::singleShot(1500, &window, [&window, dir] {
            CompareView* view = window.compareView();
            view->setMode(CompareView::Mode::SideBySide);
            view->fitToWindow();
            bool ok =
                window.grab().save(QDir(dir).filePath(QStringLiteral("mainwindow-compare.png")));
            view->setMode(CompareView::Mode::Split);
            view->setSplitPosition(0.5);
            view->zoomToActualSize();
            view->zoomIn();
            ok = window.grab().save(QDir(dir).filePath(QStringLiteral("mainwindow-split.png"))) &&
                 ok;
            window.showShortcuts();
            QWidget* shortcuts = window.shortcutsDialog();
            ok = shortcuts &&
                 shortcuts->grab().save(QDir(dir).filePath(QStringLiteral("shortcuts.png"))) && ok;
            std::fprintf(stderr, "shiftsr: screenshots %s in %s\n", ok ? "saved" : "NOT saved",
                         qPrintable(dir));
            QCoreApplication::exit(ok ? 0 : 1);
        });
    });
}

} // namespace

static int run(int argc, char** argv) {
    QApplication::setOrganizationName(QStringLiteral("ShiftSR"));
    QApplication::setApplicationName(QStringLiteral("ShiftSR"));
    QApplication::setApplicationVersion(QStringLiteral(SHIFTSR_VERSION));
    QApplication app(argc, argv);
    // The installed desktop entry names the icon; the embedded copy covers windows started from a
    // build tree and desktops that take the icon from the window.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.shiftsr.ShiftSR"));
    QIcon icon;
    for (int size : {16, 24, 32, 48, 64, 128, 256, 512})
        icon.addFile(QStringLiteral(":/icons/hicolor/%1.png").arg(size), QSize(size, size));
    QApplication::setWindowIcon(icon);

    // ShiftSR's and Qt's translations for the system locale, before any translated string is made.
    shiftsr::i18n::installTranslators(app, QLocale::system());

    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "main", "Diffusion image super-resolution x4: multi-step and one-step "
                "models compared side by side."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(
        QStringLiteral("file"),
        QCoreApplication::translate("main", "Image to open (JPEG, PNG, TIFF, WebP, BMP)."),
        QStringLiteral("[file]"));
    QCommandLineOption screenshots(
        QStringLiteral("screenshots"),
        QCoreApplication::translate("main", "Compare FILE, save screenshots in DIR, quit."),
        QStringLiteral("DIR"));
    screenshots.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(screenshots);
    QCommandLineOption distil(
        QStringLiteral("distil"),
        QCoreApplication::translate(
            "main", "Open the wizard that distils a one-step model from the photos in FOLDER "
                    "(repeat for more folders)."),
        QStringLiteral("FOLDER"));
    parser.addOption(distil);
    QCommandLineOption upscaleNow(
        QStringLiteral("upscale"),
        QCoreApplication::translate(
            "main", "Upscale FILE as soon as it is open (without FILE: ask for one)."));
    parser.addOption(upscaleNow);
    parser.process(app);

    const QStringList files = parser.positionalArguments();
    shiftsr::gui::MainWindow window;
    if (parser.isSet(screenshots) && parser.isSet(distil)) {
        window.resize(1400, 820);
        driveDistillation(window, parser.value(screenshots));
    } else if (parser.isSet(screenshots)) {
        if (files.isEmpty()) {
            std::fprintf(stderr, "shiftsr: --screenshots needs a file to compare\n");
            return 2;
        }
        window.resize(1400, 820);
        takeScreenshots(window, parser.value(screenshots));
    }
    if (parser.isSet(upscaleNow) && !parser.isSet(screenshots)) {
        // Only the first image that opens: a later one is the user's own choice.
        auto once = std::make_shared<QMetaObject::Connection>();
        *once = QObject::connect(&window, &shiftsr::gui::MainWindow::inputOpened, &window,
                                 [&window, once] {
                                     QObject::disconnect(*once);
                                     window.upscale();
                                 });
    }
    window.show();
    if (!files.isEmpty())
        window.openFile(files.first());
    else if (parser.isSet(upscaleNow))
        QTimer::singleShot(0, &window, &shiftsr::gui::MainWindow::openDialog);
    if (parser.isSet(distil))
        window.distilFolders(parser.values(distil));
    return app.exec();
}

int main(int argc, char** argv) {
    return shiftsr::runWithLastResort("shiftsr", [&] { return run(argc, argv); });
}
