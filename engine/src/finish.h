// The last stage of the whole-image pipeline, in horizontal strips: normalise the blended tiles,
// colour-fix toward the bicubic-upscaled input, quantise to 8 or 16 bits. Besides the canvas and
// the returned image, memory is O(strip), so a 2048x2048 output costs little more than a 512x512 one.
#pragma once

#include "shiftsr/engine/pipeline.h"

#include <opencv2/core.hpp>
#include <torch/torch.h>

namespace shiftsr {

struct BlendCanvas {
    torch::Tensor sum;    // [1, 3, H, W] float: sum over tiles of window * tile output (in [-1, 1])
    torch::Tensor wy, wx; // [H], [W]: the windows' sums along each axis; the 2-D weight is wy x wx
};

// lq01: the input [1, 3, H / sf, W / sf] in [0, 1] (the colour fix's reference, upscaled bicubically
// strip by strip). Returns RGB->BGR, 3 channels, CV_8U or CV_16U (`depth`). Equal to the whole-image
// computation: wavelet strips carry a halo of 2^levels - 1 rows (the blur's reach), AdaIN takes its
// statistics in a first pass.
cv::Mat finishInStrips(const BlendCanvas& canvas, const torch::Tensor& lq01, int sf, ColorFix fix, int depth,
                       int stripRows = 0);

} // namespace shiftsr
