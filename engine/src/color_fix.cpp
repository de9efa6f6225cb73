// Wavelet and AdaIN colour fixes on whole HR tensors (run after tile blending, see pipeline.cpp).
#include "shiftsr/nn/color_fix.h"

namespace shiftsr::colorfix {

namespace F = torch::nn::functional;

namespace {

// One [1/4, 1/2, 1/4] blur at dilation r along `dim` (2: rows, 3: columns), replicate borders:
// the official dilated 3-tap convolution written as two shifted views and adds (the grouped,
// dilated conv2d it replaces is the slow path of LibTorch's CPU convolutions).
torch::Tensor blurAlong(const torch::Tensor& x, int64_t r, int64_t dim) {
    const int64_t n = x.size(dim);
    const auto pad = dim == 3 ? std::vector<int64_t>{r, r, 0, 0} : std::vector<int64_t>{0, 0, r, r};
    auto p = F::pad(x, F::PadFuncOptions(pad).mode(torch::kReplicate));
    auto y = p.narrow(dim, 0, n) + p.narrow(dim, 2 * r, n);
    y.mul_(0.25f).add_(x, 0.5f);
    return y;
}

} // namespace

torch::Tensor waveletLow(const torch::Tensor& image, int levels) {
    auto x = image;
    for (int i = 0; i < levels; ++i) {
        const int64_t r = int64_t(1) << i;
        x = blurAlong(blurAlong(x, r, 3), r, 2);
    }
    return x;
}

torch::Tensor wavelet(const torch::Tensor& output, const torch::Tensor& reference, int levels,
                      int chromaLevels) {
    // high(out) + low(ref) = out + low(ref - out): the blur is linear, so one low-pass suffices.
    auto d = reference - output;
    if (chromaLevels < 0 || chromaLevels == levels || output.size(1) != 3)
        return output.add(waveletLow(d, levels)).clamp_(0.0, 1.0);
    // Luma (BT.601 weights, RGB order) and the three colour differences from it are filtered
    // separately; they sum back to d, so equal levels give exactly the per-channel result.
    auto w = torch::tensor({0.299f, 0.587f, 0.114f}, d.options()).view({1, 3, 1, 1});
    auto dy = (d * w).sum(1, /*keepdim=*/true);
    auto dc = d - dy;
    auto low = waveletLow(dy, levels) + (chromaLevels > 0 ? waveletLow(dc, chromaLevels) : dc);
    return output.add(low).clamp_(0.0, 1.0);
}

torch::Tensor adain(const torch::Tensor& output, const torch::Tensor& reference) {
    auto stats = [](const torch::Tensor& t) {
        auto flat = t.flatten(2);
        auto mean = flat.mean(2, true).unsqueeze(3);
        auto std = (flat.var(2, true, true) + 1e-5).sqrt().unsqueeze(3);
        return std::make_pair(mean, std);
    };
    auto [om, os] = stats(output);
    auto [rm, rs] = stats(reference);
    return ((output - om) / os * rs + rm).clamp_(0.0, 1.0);
}

} // namespace shiftsr::colorfix
