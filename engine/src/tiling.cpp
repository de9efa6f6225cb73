// Tile planning: grid positions, position-keyed seeds, raised-cosine blend windows, memory
// estimate.
#include "tiling.h"

#include <algorithm>
#include <cmath>

namespace shiftsr::tiling {

std::atomic<int> gSimulateOomAbove{0};

namespace {

// n tiles of length `extent` spread evenly over `length`, the last ending on the border (integer
// arithmetic, so the grid is exact and stable); one tile of the axis's own length when n <= 1 or
// the extent covers the axis.
Axis spread(int length, int n, int extent) {
    Axis a;
    if (n <= 1 || extent >= length) {
        a.starts = {0};
        a.extent = length;
        return a;
    }
    a.extent = extent;
    for (int i = 0; i < n; ++i)
        a.starts.push_back(int((std::int64_t(i) * (length - extent) + (n - 1) / 2) / (n - 1)));
    return a;
}

} // namespace

Axis planAxis(int length, int tile, int overlap) {
    if (length <= tile)
        return spread(length, 1, length);
    const int stride = std::max(1, tile - overlap);
    return spread(length, 1 + (length - tile + stride - 1) / stride, tile);
}

int snapTile(int tile, int offset) {
    return std::max(offset, tile / offset * offset);
}

int autoOverlap(int tile) {
    int o = tile / 4 / 8 * 8;
    if (o < 8)
        o = std::min(8, tile / 2);
    return o;
}

static std::uint64_t splitMix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

std::uint64_t tileSeed(std::uint64_t seed, int row, int col) {
    if (row == 0 && col == 0)
        return seed;
    const std::uint64_t pos = (std::uint64_t(std::uint32_t(row)) << 32) | std::uint32_t(col);
    return splitMix64(seed ^ splitMix64(pos));
}

// Floor of the blend weight: keeps canvas / weight defined at every pixel.
constexpr double kEpsilon = 1e-3;

torch::Tensor window1d(int length, int rampBefore, int rampAfter) {
    auto w = torch::ones({length}, torch::kFloat);
    auto* p = w.data_ptr<float>();
    auto ramp = [](int i, int n) {
        const double s = std::sin(M_PI / 2 * (i + 0.5) / n);
        return std::max(kEpsilon, s * s);
    };
    rampBefore = std::min(rampBefore, length);
    rampAfter = std::min(rampAfter, length);
    for (int i = 0; i < rampBefore; ++i)
        p[i] = float(ramp(i, rampBefore));
    for (int i = 0; i < rampAfter; ++i)
        p[length - 1 - i] = std::min(p[length - 1 - i], float(ramp(i, rampAfter)));
    return w;
}

// Floats alive per LQ pixel at the peak of one tile, summed over the stages that hold memory at
// the same time, then x4 bytes (fp32; bf16/fp16 runs are over-estimated, which is safe) and x1.5
// for allocator slack and what the sum leaves out. Terms:
//  - HR images (bicubic input, decoded output, clamp, blend product): 5 x 3 x scale^2
//  - latents (z_y, x_t, noise, model input, prediction, posterior mean, ...): 8 x channels
//  - UNet, per level at 1/4^l of the latent area: the skip activations kept for the decoder
//    (numResBlocks + 1) plus ~8 working copies of the level width (norm, act, conv, concat);
//    Swin levels add window attention logits (heads x window^2, x3 for softmax and copies),
//    qkv and MLP activations
//  - VQ decoder, per level at HR / 4^i: ~4 live activations of ch x chMult[i]
//  - yonos: the same latent and U-Net terms for the SD-style U-Net (its attention is chunked, so
//    the score matrix is bounded and left out; q, k, v, out and the GEGLU feed-forward are ~12
//    widths), and the KL encoder (on the bicubic input) and decoder, ~4 live activations per level
//    at HR / 4^i each
static std::uint64_t yonosBytesPerLqPixel(const Architecture& arch) {
    const double sf2 = double(arch.scale) * arch.scale;
    const int f = arch.kl.downFactor();
    const double latentArea = sf2 / (double(f) * f);
    double floats = 5 * 3 * sf2 + 8 * 2.0 * arch.kl.latentChannels * latentArea;
    const auto& u = arch.sdUnet;
    for (int l = 0; l < u.levels(); ++l) {
        const double area = latentArea / std::pow(4.0, double(l));
        const double c = u.blockOutChannels[size_t(l)];
        floats += area * c * (u.layersPerBlock + 1 + 8);
        if (u.attentionAt(l))
            floats += area * c * 12.0 * u.transformerLayersPerBlock;
    }
    for (std::size_t i = 0; i < arch.kl.blockOutChannels.size(); ++i)
        floats += 2 * sf2 / std::pow(4.0, double(i)) * 4.0 * arch.kl.blockOutChannels[i];
    return std::uint64_t(std::ceil(floats * 4 * 1.5));
}

// GAN families: the HR images as above, and what one forward pass keeps alive. SRVGG: a conv's
// input, output and activation at LQ size, the last conv's 3 x scale^2 channels, the shuffle, the
// nearest base and their sum. RRDBNet, at LQ / unshuffle^2: conv_first's output, the block's and
// the dense block's inputs, x1..x4, the concatenation copy, conv5's output and its scaled copy;
// per upsampling stage (4x the area each) the nearest input, the conv output and its predecessor;
// at HR conv_hr and conv_last. The tile's pre-padding margin is left to the x1.5.
static std::uint64_t ganBytesPerLqPixel(const Architecture& arch) {
    const double sf2 = double(arch.scale) * arch.scale;
    double floats = 5 * 3 * sf2;
    if (arch.family == "srvgg") {
        floats += 3.0 * arch.srvgg.numFeat + 3 * sf2 + 3 * 3 * sf2;
    } else {
        const auto& c = arch.rrdb;
        const double a0 = 1.0 / (double(c.unshuffle()) * c.unshuffle());
        floats += a0 * (5.0 * c.numFeat + 2 * (c.numFeat + 4.0 * c.numGrowCh));
        for (int i = 1; i <= c.numUpsample; ++i)
            floats += a0 * std::pow(4.0, double(i)) * 3.0 * c.numFeat;
        floats += sf2 * (double(c.numFeat) + c.numOutCh);
    }
    return std::uint64_t(std::ceil(floats * 4 * 1.5));
}

std::uint64_t bytesPerLqPixel(const Architecture& arch) {
    if (arch.gan())
        return ganBytesPerLqPixel(arch);
    if (arch.yonos())
        return yonosBytesPerLqPixel(arch);
    const double sf2 = double(arch.scale) * arch.scale;
    const bool vq = arch.codec == "vq-f4";
    const int f = vq ? arch.vq.downFactor() : 4;
    const double latentArea = sf2 / (double(f) * f);
    const int cz = vq ? arch.vq.embedDim : 48;
    double floats = 5 * 3 * sf2 + 8 * cz * latentArea;
    const auto& u = arch.unet;
    for (std::size_t l = 0; l < u.channelMult.size(); ++l) {
        const double area = latentArea / std::pow(4.0, double(l));
        const double c = double(u.modelChannels) * u.channelMult[l];
        const int blocks = l < u.numResBlocks.size() ? u.numResBlocks[l] : 2;
        floats += area * c * (blocks + 1 + 8);
        const int res = u.imageSize >> l;
        if (std::find(u.attentionResolutions.begin(), u.attentionResolutions.end(), res) !=
            u.attentionResolutions.end()) {
            const double e = u.swinEmbedDim;
            floats += area * (3.0 * u.swinHeads() * u.windowSize * u.windowSize +
                              2 * e * u.mlpRatio + 6 * e);
        }
    }
    if (arch.codec == "unshuffle-f4-refine" &&
        arch.refine.strength > 0) // input, padded input, two hidden maps, output
        floats += sf2 * (3.0 * 3 + 2.0 * arch.refine.channels * 1.1);
    if (vq)
        for (std::size_t i = 0; i < arch.vq.chMult.size(); ++i)
            floats += sf2 / std::pow(4.0, double(i)) * 4.0 * arch.vq.ch * arch.vq.chMult[i];
    return std::uint64_t(std::ceil(floats * 4 * 1.5));
}

int Grid::minOverlap() const {
    int o = 1 << 30;
    for (const Axis* a : {&x, &y})
        for (size_t i = 1; i < a->starts.size(); ++i)
            o = std::min(o, a->starts[i - 1] + a->extent - a->starts[i]);
    return o == 1 << 30 ? 0 : o;
}

namespace {

int roundUp(int v, int align) {
    return (v + align - 1) / align * align;
}

// Length of each of n tiles that cover `length` with overlaps >= minOverlap (the +1 absorbs the
// rounding of the even spread), rounded up to `align`; one tile is the axis itself.
int tileLength(int length, int n, int minOverlap, int align) {
    if (n <= 1)
        return length;
    const int need =
        int((std::int64_t(length) + std::int64_t(n - 1) * (minOverlap + 1) + n - 1) / n);
    return std::min(roundUp(need, align), roundUp(length, align));
}

} // namespace

Grid planGrid(int width, int height, std::uint64_t maxArea, int maxSide, int minOverlap,
              int align) {
    return planGrid(
        width, height,
        [maxArea](int ex, int ey) { return std::uint64_t(ex) * std::uint64_t(ey) <= maxArea; },
        maxSide, minOverlap, align);
}

Grid planGrid(int width, int height, const std::function<bool(int ex, int ey)>& fits, int maxSide,
              int minOverlap, int align) {
    align = std::max(1, align);
    maxSide = std::max(align, maxSide / align * align);
    // Compute is paid on the padded tile: a length is charged rounded up to `align`.
    auto padded = [&](int len) { return std::uint64_t(roundUp(len, align)); };
    const int limitX = std::max(1, (width + align - 1) / align),
              limitY = std::max(1, (height + align - 1) / align);
    bool found = false;
    std::uint64_t best = 0;
    int bestNx = 1, bestNy = 1, bestEx = align, bestEy = align;
    for (int nx = 1; nx <= limitX; ++nx) {
        const int ex = tileLength(width, nx, minOverlap, align);
        if (nx > 1 && ex >= width) // more tiles than the axis needs
            continue;
        if (int(padded(ex)) > maxSide || !fits(int(padded(ex)), align))
            continue;
        for (int ny = 1; ny <= limitY; ++ny) {
            const int ey = tileLength(height, ny, minOverlap, align);
            if (ny > 1 && ey >= height)
                continue;
            if (int(padded(ey)) > maxSide || !fits(int(padded(ex)), int(padded(ey))))
                continue;
            // Pixels through the UNet, plus a small fixed cost per tile (its call and blend).
            const std::uint64_t cost =
                std::uint64_t(nx) * padded(ex) * std::uint64_t(ny) * padded(ey) +
                std::uint64_t(nx) * ny * std::uint64_t(align) * align;
            if (!found || cost < best) {
                found = true;
                best = cost;
                bestNx = nx;
                bestNy = ny;
                bestEx = ex;
                bestEy = ey;
            }
        }
    }
    Grid g;
    if (!found) { // not even one aligned tile fits the budget: the smallest tiles, still a result
        const int side = align;
        g.x = planAxis(width, side, std::min(minOverlap, side / 2));
        g.y = planAxis(height, side, std::min(minOverlap, side / 2));
        return g;
    }
    g.x = spread(width, bestNx, bestEx);
    g.y = spread(height, bestNy, bestEy);
    return g;
}

} // namespace shiftsr::tiling
