// OpenCV <-> QImage: colour order (BGR -> RGB), depth (16 -> 8 bit for display) and ownership
// (copies).
#include "shiftsr/gui/image_convert.h"

#include <opencv2/imgproc.hpp>

namespace shiftsr::gui {

namespace {

cv::Mat to8Bit(const cv::Mat& m) {
    if (m.depth() == CV_8U)
        return m;
    cv::Mat out;
    m.convertTo(out, CV_8U, 1.0 / 257.0); // 65535 -> 255, rounded
    return out;
}

} // namespace

QImage toDisplayImage(const cv::Mat& color, const cv::Mat& alpha) {
    if (color.empty() || (color.depth() != CV_8U && color.depth() != CV_16U))
        return {};
    const int channels = color.channels();
    if (channels != 1 && channels != 3 && channels != 4)
        return {};
    if (!alpha.empty() &&
        (alpha.size() != color.size() || alpha.channels() != 1 || alpha.depth() != color.depth()))
        return {};

    const cv::Mat c8 = to8Bit(color);
    cv::Mat pixels;
    QImage::Format format = QImage::Format_Invalid;
    if (channels == 4 || !alpha.empty()) {
        static constexpr int kToRgba[] = {cv::COLOR_GRAY2RGBA, 0, cv::COLOR_BGR2RGBA,
                                          cv::COLOR_BGRA2RGBA};
        cv::cvtColor(c8, pixels, kToRgba[channels - 1]);
        if (!alpha.empty())
            cv::insertChannel(to8Bit(alpha), pixels, 3);
        format = QImage::Format_RGBA8888;
    } else if (channels == 3) {
        cv::cvtColor(c8, pixels, cv::COLOR_BGR2RGB);
        format = QImage::Format_RGB888;
    } else {
        pixels = c8;
        format = QImage::Format_Grayscale8;
    }
    const QImage view(pixels.data, pixels.cols, pixels.rows, qsizetype(pixels.step), format);
    return view.copy(); // `pixels` dies with this scope
}

cv::Mat toEngineInput(const cv::Mat& color, const cv::Mat& alpha) {
    if (alpha.empty())
        return color;
    cv::Mat bgr;
    if (color.channels() == 1)
        cv::cvtColor(color, bgr, cv::COLOR_GRAY2BGR);
    else if (color.channels() == 4)
        cv::cvtColor(color, bgr, cv::COLOR_BGRA2BGR);
    else
        bgr = color;
    const cv::Mat parts[] = {bgr, alpha};
    cv::Mat bgra;
    cv::merge(parts, 2, bgra);
    return bgra;
}

} // namespace shiftsr::gui
