// The app's one conversion point between OpenCV images (engine side) and QImage (display side).
#pragma once

#include <QImage>

#include <opencv2/core.hpp>

namespace shiftsr::gui {

// `color`: gray, BGR or BGRA, CV_8U or CV_16U; `alpha`: empty or one channel of the same size and
// depth (it replaces a BGRA image's own alpha). Returns a deep copy in RGB order, Grayscale8,
// RGB888 or (with alpha) RGBA8888; 16-bit values are rounded to 8 bit, which is all a screen
// shows. A null QImage for anything else.
QImage toDisplayImage(const cv::Mat& color, const cv::Mat& alpha = cv::Mat());

// What UpscaleRequest::image takes for an image decoded as `color` plus `alpha`: `color` itself
// without alpha, else BGRA (a gray image with alpha becomes BGRA with three equal channels, as
// the engine has no gray+alpha input). Shares `color`'s pixels when nothing is attached.
cv::Mat toEngineInput(const cv::Mat& color, const cv::Mat& alpha);

} // namespace shiftsr::gui
