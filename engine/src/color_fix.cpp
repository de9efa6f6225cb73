// Wavelet and AdaIN colour fixes on whole HR tensors (run after tile blending, see pipeline.cpp).
#include "color_fix.h"

namespace shiftsr::colorfix {

namespace F = torch::nn::functional;

torch::Tensor waveletLow(const torch::Tensor& image, int levels) {
    const auto c = image.size(1);
    auto k1 = torch::tensor({0.25f, 0.5f, 0.25f}, image.options());
    // Separable: the official 3x3 kernel is the outer product of [1/4, 1/2, 1/4] with itself.
    auto kx = k1.view({1, 1, 1, 3}).repeat({c, 1, 1, 1});
    auto ky = k1.view({1, 1, 3, 1}).repeat({c, 1, 1, 1});
    auto x = image;
    for (int i = 0; i < levels; ++i) {
        const int64_t r = int64_t(1) << i;
        x = F::pad(x, F::PadFuncOptions({r, r, 0, 0}).mode(torch::kReplicate));
        x = F::conv2d(x, kx, F::Conv2dFuncOptions().groups(c).dilation({1, r}));
        x = F::pad(x, F::PadFuncOptions({0, 0, r, r}).mode(torch::kReplicate));
        x = F::conv2d(x, ky, F::Conv2dFuncOptions().groups(c).dilation({r, 1}));
    }
    return x;
}

torch::Tensor wavelet(const torch::Tensor& output, const torch::Tensor& reference, int levels) {
    auto out = output - waveletLow(output, levels);
    out.add_(waveletLow(reference, levels));
    return out.clamp_(0.0, 1.0);
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
