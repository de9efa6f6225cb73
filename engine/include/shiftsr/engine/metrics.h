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

// Periodic-artefact score of one image (no reference): how far the luma spectrum spikes at the
// 15 frequencies of period 4 and 2 (k/4 cycles per pixel on each axis, k = 0..3, not both 0), the
// grid a x4 model leaves when its output depends on the position inside a 4x4 block. For each of
// those frequencies: log10 of the peak power (the bin and its 8 neighbours) over the median power
// of the ring 3 to 6 bins around it; the score is the mean of the 15. Luma, mean removed, a 2-D
// Hann window, cropped to a multiple of 4 on each side (so the frequencies fall on bins). Natural
// photos and bicubic upsampling score below 1; a visible 4-pixel dot grid scores 2 (a 100x spike).
// Images smaller than 32x32 after the border crop score 0.
double periodicArtefactScore(const cv::Mat& image, int border = 0);

} // namespace shiftsr::metrics
