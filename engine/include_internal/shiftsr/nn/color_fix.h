// Colour correction of a super-resolved image towards the bicubic-upscaled input
// (StableSR/ResShift).
#pragma once

#include <torch/torch.h>

namespace shiftsr::colorfix {

// Both [1, C, H, W] float in [0, 1] of the same size. Results are clamped to [0, 1].
//
// Wavelet reconstruction as StableSR's wavelet_reconstruction (used by ResShift): the output's
// high frequencies plus the reference's low frequencies, where "low" is what is left after
// `levels` blurs with the 3x3 [1 2 1]/4 x [1 2 1]/4 kernel dilated 1, 2, 4, 8, 16 (replicate
// borders). high(x) = x - low(x) telescopes the per-level sums of the official code.
//
// chromaLevels >= 0 (and != levels, RGB input): the luma of the difference is low-passed with
// `levels` and its colour part (each channel minus the BT.601 luma) with `chromaLevels`, so the
// output keeps its own colour only at finer scales: a model's invented colour (a tinted blob on a
// grey wall) is replaced by the input's; 0 takes all colour from the reference (luma-only SR).
torch::Tensor wavelet(const torch::Tensor& output, const torch::Tensor& reference, int levels = 5,
                      int chromaLevels = -1);
// AdaIN: per-channel mean/std of `output` moved to those of `reference` (unbiased std + 1e-5, as
// StableSR's adaptive_instance_normalization).
torch::Tensor adain(const torch::Tensor& output, const torch::Tensor& reference);
// The low-frequency part used by wavelet() (exposed for tests).
torch::Tensor waveletLow(const torch::Tensor& image, int levels = 5);

} // namespace shiftsr::colorfix
