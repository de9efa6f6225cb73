// `shiftsr --distil FOLDER --screenshots DIR`: the distillation wizard driven through every page
// with its defaults (the documentation's screenshots, and a real run through the wizard).
#pragma once

#include <QString>

namespace shiftsr::gui {
class MainWindow;
}

// Call before the wizard opens (MainWindow::distilFolders). Saves distil-1-photos.png ...
// distil-6-finish.png, distil-run-live.png (mid-run) and distil-compare.png (the comparison the
// wizard opens) under `dir`, prints what it measured to stderr and quits the app when the
// evaluation is done (exit 0) or anything fails (exit 1).
void driveDistillation(shiftsr::gui::MainWindow& window, const QString& dir);
