// Tiny Real-ESRGAN compact networks in ncnn's .param/.bin format, written by the tests (no
// download).
#pragma once

#include <QString>

#include <cstdint>
#include <map>
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

// An RRDBNet x4 (Real-ESRGAN x4plus's graph at any width) as ncnn's converter lays it out: Split
// layers for blobs used more than once, Concat for the dense connections, Eltwise sums with the
// 0.2 residual scale, LeakyReLU 0.2 fused into the convolutions, nearest Interp x2 before each
// upsampling convolution. `weights` holds every convolution's weight (OIHW) and bias under
// BasicSR's names (conv_first.weight, body.0.rdb1.conv1.bias, ...). `coefficient`: the residual
// scale written into the Eltwise layers (refusal tests).
struct RrdbNet {
    int feat = 8, grow = 4, blocks = 1;
    std::map<std::string, std::vector<float>> weights;
    float coefficient = 0.2f;
};
// Writes dir/NAME.param and dir/NAME.bin; `half` stores the convolution weights as float16.
void writeRrdbNet(const QString& dir, const RrdbNet& n, bool half, const QString& name = "m");

} // namespace testutil
