// Helpers of the suites that drive the main window (they link shiftsr_gui): the tiny test model,
// a synthetic input, a window with a file opened.
#pragma once

#include "shiftsr/gui/main_window.h"

#include <QSignalSpy>
#include <QString>

#include <opencv2/core.hpp>

#include <memory>

namespace testutil {

inline constexpr char kTiny[] = "embedded:test-tiny";
inline constexpr int kDeadlockGuardMs = 60000; // only against hangs: no test asserts on time

// A smooth BGR gradient with a little texture, w x h.
inline cv::Mat gradient(int w, int h) {
    cv::Mat m(h, w, CV_8UC3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            m.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(x * 255 / (w - 1)), uchar(y * 255 / (h - 1)),
                                              uchar((x * 7 + y * 3) % 256));
    return m;
}

// A shown main window with `path` opened; null when it did not open in time.
inline std::unique_ptr<shiftsr::gui::MainWindow> openWindow(const QString& path) {
    auto w = std::make_unique<shiftsr::gui::MainWindow>();
    w->show();
    QSignalSpy opened(w.get(), &shiftsr::gui::MainWindow::inputOpened);
    w->openFile(path);
    if (!opened.wait(kDeadlockGuardMs))
        return nullptr;
    return w;
}

} // namespace testutil
