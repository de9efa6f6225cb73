// What the parts of the Real-ESRGAN degradation share (kernels, resizes, noise, the pipeline in
// degradation.cpp): private to the training data library.
#pragma once

#include "shiftsr/training/degradation.h"

#include <opencv2/core.hpp>

#include <random>

namespace shiftsr::training::detail {

inline constexpr double kPi = 3.14159265358979323846;

// degradation_kernels.cpp
// One of 3, 5, ..., kernelSize-2: Python's range(3, kernelSize, 2).
int drawKernelSize(int kernelSize, std::mt19937_64& rng);

// Correlation with reflect-101 borders: basicsr filter2D pads with mode='reflect' and runs
// F.conv2d, which does not flip the kernel; cv::filter2D does not flip it either.
// From 130 taps on, cv::filter2D switches to a DFT that is 3-8x slower than its direct path on
// these image sizes (measured: 13x13 takes 9 ms on 256x256x3, 11x11 0.9 ms), so large kernels
// are applied as column slices of at most 121 taps over a pre-padded image and summed.
void blur(cv::Mat& img, const cv::Mat& kernel);

// degradation_resize.cpp
// Throws std::invalid_argument unless `src` is a non-empty CV_32F image.
void requireFloatImage(const cv::Mat& src, const char* what);

// degradation_noise.cpp
// Gaussian or Poisson noise, colour or gray, drawn as the stage options ask; clamped to [0, 1].
void addRandomNoise(cv::Mat& img, const DegradationStageOptions& o, std::mt19937_64& rng,
                    NoiseRecord& rec);

// Clamps to [0, 1], then a JPEG round trip at the rounded quality.
void jpegInPlace(cv::Mat& img, double quality);

} // namespace shiftsr::training::detail
