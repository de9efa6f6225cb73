// Real-ESRGAN networks stored as ncnn .param + .bin (as Upscayl ships realesrgan-x4fast and
// realesrgan-x4plus), read into BasicSR's canonical tensor names.
#pragma once

#include "shiftsr/engine/status.h"

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace shiftsr::ncnn {

// True when the file starts like an ncnn .param text ("7767517").
bool looksLikeParam(const std::string& path);

struct Network {
    // BasicSR names (SRVGGNetCompact: body.N.weight/bias; RRDBNet: conv_first, body.N.rdbK.convJ,
    // conv_body, conv_upN, conv_hr, conv_last), in the dtype the .bin stores them (convolution
    // weights float32 or float16, biases and PReLU slopes float32).
    std::map<std::string, torch::Tensor> tensors;
    std::string kind;    // "srvgg" | "rrdb"
    std::string actType; // srvgg: prelu | relu | leakyrelu (the graph says; names cannot)
    std::vector<std::string> notes;
};

// Reads `param` and the .bin beside it (same stem). The layer graph must be one of the two
// Real-ESRGAN networks: SRVGGNetCompact (Input, convolutions with activations, PixelShuffle, the
// nearest-upsampled input added) or RRDBNet x4 (conv_first, residual-in-residual dense blocks with
// their 0.2 residual scales, conv_body added to conv_first, two nearest x2 + conv stages, conv_hr,
// conv_last). The connections between layers, every activation and coefficient, and the size of
// every weight are checked; anything else is refused with a message naming the layer.
Result<Network> readRealEsrgan(const std::string& param);

} // namespace shiftsr::ncnn
