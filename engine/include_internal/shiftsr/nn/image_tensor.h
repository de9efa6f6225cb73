// The single cv::Mat <-> torch::Tensor conversion point: colour order, range and ownership.
#pragma once

#include <opencv2/core.hpp>
#include <torch/torch.h>

namespace shiftsr {

// BGR(A)/gray 8- or 16-bit Mat -> [1, 3, H, W] float32 RGB in [0, 1] (alpha ignored, gray
// replicated). The tensor owns its memory.
torch::Tensor matToTensor01(const cv::Mat& image);
// [1, 3, H, W] (any device/dtype) in [0, 1] -> BGR Mat of the given depth (CV_8U or CV_16U),
// rounded as the official tensor2img does (round after scaling). The Mat owns its memory.
cv::Mat tensor01ToMat(const torch::Tensor& t, int depth);

} // namespace shiftsr
