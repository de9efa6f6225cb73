// Removes the block grid of pixel-unshuffle codecs: the part of a model's residual that depends on
// the position inside a block and varies slowly across the image.
//
// Why: with an unshuffle-f codec every latent cell is one f x f x 3 pixel block and each of its
// f*f positions is its own output channel of the UNet. Any error that depends on the channel (a
// bias of the last convolution, a texture the network learnt for one position only) repeats in
// every block: a period-f dot grid, most visible where the photo is smooth (sky, walls, bokeh) and
// in colour on grey photos. In the spectrum it is a set of spikes at the k/f frequencies, each
// modulated by a slowly varying envelope. Here that envelope is estimated per position as a
// Gaussian-weighted local mean of the residual (model output minus the encoded bicubic input) and
// its deviation from the mean over all f*f positions is subtracted: a notch of width ~1/sigma
// around each grid frequency. Detail survives: an edge contributes to one block of the window
// only, so its own contribution to the estimate is spread over the whole window.
#pragma once

#include <torch/torch.h>

namespace shiftsr {

// latent, reference: [B, 3*f*f, h, w] (pixel_unshuffle layout: channel c*f*f + i*f + j is colour c
// at row i, column j of the block). Returns reference + degrid(latent - reference). sigma in latent
// cells (> 0). Differentiable; works on any device and dtype.
torch::Tensor degridLatent(const torch::Tensor& latent, const torch::Tensor& reference, int factor,
                           double sigma);

} // namespace shiftsr
