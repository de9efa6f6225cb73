// Tiny Real-ESRGAN compact networks in ncnn's .param/.bin format, written by the tests (no
// download).
#pragma once

#include <QString>

#include <cstdint>
#include <string>
#include <vector>

namespace testutil {

// conv 3->C (3x3), PReLU, conv C->48, PixelShuffle 4, nearest x4 of the input, add. Weights are
// given per layer; `half` stores the convolution weights as float16 (exactly representable values).
struct CompactNet {
    int hidden = 4;
    std::vector<float> w0, b0, slope, w1, b1;
};

// Writes dir/m.param and dir/m.bin; `paramText` replaces the layer list (refusal tests).
void writeCompactNet(const QString& dir, const CompactNet& n, bool half,
                     const std::string& paramText = "");
// All convolutions zero: the network is exactly the nearest-neighbour x4 of its input.
CompactNet zeroCompactNet();

} // namespace testutil
