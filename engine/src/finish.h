// The last stage of the whole-image pipeline, in horizontal strips: normalise the blended tiles,
// colour-fix toward the bicubic-upscaled input, quantise to 8 or 16 bits. Besides the canvas (or
// the band of it that the pipeline keeps) and the returned image, memory is O(strip).
#pragma once

#include "shiftsr/engine/pipeline.h"

#include <opencv2/core.hpp>
#include <torch/torch.h>

namespace shiftsr {

struct BlendCanvas {
    torch::Tensor sum; // [1, 3, rows, W] float: sum over tiles of window * tile output (in [-1, 1])
    bool unitRange = false; // the tile outputs are in [0, 1] (single-pass GAN networks)
    torch::Tensor wy, wx; // [H], [W]: the windows' sums along each axis; the 2-D weight is wy x wx
    int64_t row0 = 0;     // HR row of sum's first row: sum may be a band of the whole canvas
};

// Rows of halo a strip needs on each side for `fix` (the wavelet blur's reach; 0 otherwise).
int64_t finishHalo(ColorFix fix);

// Finishes HR rows [y0, y1) into `out` (H x W, CV_8UC3 or CV_16UC3, allocated by the caller) from a
// band that holds rows [y0 - halo, y1 + halo] clamped to the image. Not for AdaIN (whole-image
// statistics). The values equal finishInStrips's, whatever the band and the strips.
void finishRows(const BlendCanvas& band, const torch::Tensor& lq01, int sf, ColorFix fix,
                int64_t y0, int64_t y1, cv::Mat& out, int stripRows = 0);

// lq01: the input [1, 3, H / sf, W / sf] in [0, 1] (the colour fix's reference, upscaled
// bicubically strip by strip). Returns RGB->BGR, 3 channels, CV_8U or CV_16U (`depth`). Equal to
// the whole-image computation: wavelet strips carry a halo of 2^levels - 1 rows (the blur's reach),
// AdaIN takes its statistics in a first pass.
cv::Mat finishInStrips(const BlendCanvas& canvas, const torch::Tensor& lq01, int sf, ColorFix fix,
                       int depth, int stripRows = 0);

} // namespace shiftsr
