// Strip-wise normalisation, colour fix and quantisation of the blended HR image.
#include "finish.h"

#include "shiftsr/nn/color_fix.h"
#include "shiftsr/nn/image_tensor.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace shiftsr {

namespace F = torch::nn::functional;

namespace {

constexpr int kWaveletLevels = 5;

// Bicubic x sf of the LQ rows that HR rows [a, b) need, cropped to exactly those rows. With an
// integer scale, source row = (y + 0.5) / sf - 0.5 shifts by whole rows with the window, so the
// values equal those of the whole-image interpolation (borders clamp the same way).
torch::Tensor referenceRows(const torch::Tensor& lq01, int sf, int64_t a, int64_t b) {
    const int64_t hl = lq01.size(2);
    const int64_t l0 = std::max<int64_t>(0, a / sf - 2);
    const int64_t l1 = std::min<int64_t>(hl, (b + sf - 1) / sf + 3);
    auto up = F::interpolate(lq01.slice(2, l0, l1),
                             F::InterpolateFuncOptions()
                                 .scale_factor(std::vector<double>{double(sf), double(sf)})
                                 .mode(torch::kBicubic)
                                 .align_corners(false));
    return up.slice(2, a - l0 * sf, b - l0 * sf).clamp_(0.0, 1.0);
}

} // namespace

int64_t finishHalo(ColorFix fix) {
    return fix == ColorFix::Wavelet || fix == ColorFix::Luma ? (int64_t(1) << kWaveletLevels) - 1
                                                             : 0;
}

namespace {

int defaultStripRows(
    int64_t W) { // about 1 M floats per strip buffer (the wavelet fix keeps ~10 alive)
    return int(std::clamp<int64_t>((int64_t(1) << 20) / (3 * W), 64, 1024));
}

// HR rows [a, b) of the blended image, normalised to [0, 1]; the band must hold them. Outputs in
// [0, 1] are not mapped through [-1, 1] and back: one tile gives the network's values bit for bit.
torch::Tensor normalised(const BlendCanvas& c, int64_t a, int64_t b) {
    auto w = c.wy.slice(0, a, b).view({1, 1, -1, 1}) * c.wx.view({1, 1, 1, -1});
    auto mean = c.sum.slice(2, a - c.row0, b - c.row0) / w;
    return c.unitRange ? mean : mean * 0.5 + 0.5;
}

} // namespace

void finishRows(const BlendCanvas& c, const torch::Tensor& lq01, int sf, ColorFix fix, int64_t y0,
                int64_t y1, cv::Mat& out, int stripRows) {
    TORCH_CHECK(fix != ColorFix::AdaIN, "finishRows: AdaIN needs the whole image");
    const int64_t H = c.wy.size(0), W = c.wx.size(0);
    if (stripRows <= 0)
        stripRows = defaultStripRows(W);
    const int64_t halo = finishHalo(fix);
    const int depth = out.depth();
    for (int64_t s0 = y0; s0 < y1; s0 += stripRows) {
        const int64_t s1 = std::min(y1, s0 + stripRows);
        const int64_t a = std::max<int64_t>(0, s0 - halo), b = std::min(H, s1 + halo);
        TORCH_CHECK(a >= c.row0 && b <= c.row0 + c.sum.size(2),
                    "finishRows: rows outside the band");
        torch::Tensor strip;
        if (fix == ColorFix::None)
            strip = normalised(c, s0, s1);
        else
            strip = colorfix::wavelet(normalised(c, a, b), referenceRows(lq01, sf, a, b),
                                      kWaveletLevels, fix == ColorFix::Luma ? 0 : -1)
                        .slice(2, s0 - a, s1 - a);
        tensor01ToMat(strip, depth).copyTo(out.rowRange(int(s0), int(s1)));
    }
}

cv::Mat finishInStrips(const BlendCanvas& c, const torch::Tensor& lq01, int sf, ColorFix fix,
                       int depth, int stripRows) {
    const int64_t H = c.wy.size(0), W = c.wx.size(0);
    if (stripRows <= 0)
        stripRows = defaultStripRows(W);
    cv::Mat out(int(H), int(W), depth == CV_16U ? CV_16UC3 : CV_8UC3);
    if (fix != ColorFix::AdaIN) {
        finishRows(c, lq01, sf, fix, 0, H, out, stripRows);
        return out;
    }
    // AdaIN needs whole-image statistics: a first pass accumulates them in double.
    std::array<double, 3> om{}, os{}, rm{}, rs{};
    std::array<double, 3> s1{}, s2{}, r1{}, r2{};
    for (int64_t y0 = 0; y0 < H; y0 += stripRows) {
        const int64_t y1 = std::min(H, y0 + stripRows);
        auto o = normalised(c, y0, y1).to(torch::kDouble).flatten(2);
        auto r = referenceRows(lq01, sf, y0, y1).to(torch::kDouble).flatten(2);
        for (int ch = 0; ch < 3; ++ch) {
            s1[ch] += o[0][ch].sum().item<double>();
            s2[ch] += o[0][ch].square().sum().item<double>();
            r1[ch] += r[0][ch].sum().item<double>();
            r2[ch] += r[0][ch].square().sum().item<double>();
        }
    }
    const double n = double(H) * double(W);
    for (int ch = 0; ch < 3; ++ch) {
        om[ch] = s1[ch] / n;
        rm[ch] = r1[ch] / n;
        // Unbiased variance + 1e-5, as StableSR's adaptive_instance_normalization.
        os[ch] = std::sqrt(std::max(0.0, (s2[ch] - s1[ch] * om[ch]) / std::max(1.0, n - 1)) + 1e-5);
        rs[ch] = std::sqrt(std::max(0.0, (r2[ch] - r1[ch] * rm[ch]) / std::max(1.0, n - 1)) + 1e-5);
    }
    auto mean = [](const std::array<double, 3>& v) {
        return torch::tensor({v[0], v[1], v[2]}).to(torch::kFloat).view({1, 3, 1, 1});
    };
    for (int64_t y0 = 0; y0 < H; y0 += stripRows) {
        const int64_t y1 = std::min(H, y0 + stripRows);
        auto strip =
            ((normalised(c, y0, y1) - mean(om)) / mean(os) * mean(rs) + mean(rm)).clamp_(0.0, 1.0);
        tensor01ToMat(strip, depth).copyTo(out.rowRange(int(y0), int(y1)));
    }
    return out;
}

} // namespace shiftsr
