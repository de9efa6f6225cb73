// Image quality metrics as the SR literature computes them (BasicSR conventions), on cv::Mat.
#pragma once

#include <opencv2/core.hpp>

namespace shiftsr::metrics {

// Inputs: BGR, 8- or 16-bit or float in [0, 1], same size. `border` pixels are cropped from
// every side first (the scale factor, by convention).
// Y of ITU-R BT.601 (16..235 range), as BasicSR's rgb2ycbcr(y_only=True), in [0, 255].
cv::Mat luma(const cv::Mat& bgr);
double psnrY(const cv::Mat& a, const cv::Mat& b, int border = 0);
double psnrRgb(const cv::Mat& a, const cv::Mat& b, int border = 0);
// SSIM with an 11x11 Gaussian window (sigma 1.5), constants for data range 255.
double ssimY(const cv::Mat& a, const cv::Mat& b, int border = 0);
double ssimRgb(const cv::Mat& a, const cv::Mat& b, int border = 0);
// Mean absolute image gradient (Y) of `output` divided by that of `truth`: 1.0 = as sharp.
double sharpnessRatio(const cv::Mat& output, const cv::Mat& truth, int border = 0);

} // namespace shiftsr::metrics
