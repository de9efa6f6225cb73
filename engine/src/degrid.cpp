// Block-grid removal for pixel-unshuffle latents (see degrid.h).
#include "shiftsr/nn/degrid.h"

#include <cmath>
#include <vector>

namespace shiftsr {

namespace F = torch::nn::functional;

namespace {

// Separable Gaussian blur of every channel, replicate padding (a tile or image border keeps its
// own mean instead of being pulled towards zero).
torch::Tensor gaussianBlur(const torch::Tensor& x, double sigma) {
    const int64_t c = x.size(1);
    const int radius = std::max(1, int(std::ceil(3.0 * sigma)));
    std::vector<float> taps(size_t(2 * radius + 1));
    double sum = 0;
    for (int i = -radius; i <= radius; ++i)
        sum += taps[size_t(i + radius)] = float(std::exp(-0.5 * i * i / (sigma * sigma)));
    for (auto& t : taps)
        t = float(t / sum);
    auto k = torch::tensor(taps, x.options().dtype(torch::kFloat)).to(x.scalar_type());
    auto kx = k.view({1, 1, 1, -1}).repeat({c, 1, 1, 1});
    auto ky = k.view({1, 1, -1, 1}).repeat({c, 1, 1, 1});
    auto h = F::pad(x, F::PadFuncOptions({radius, radius, 0, 0}).mode(torch::kReplicate));
    h = F::conv2d(h, kx, F::Conv2dFuncOptions().groups(c));
    h = F::pad(h, F::PadFuncOptions({0, 0, radius, radius}).mode(torch::kReplicate));
    return F::conv2d(h, ky, F::Conv2dFuncOptions().groups(c));
}

} // namespace

torch::Tensor degridLatent(const torch::Tensor& latent, const torch::Tensor& reference, int factor,
                           double sigma) {
    TORCH_CHECK(latent.dim() == 4 && latent.sizes() == reference.sizes(),
                "degrid: latent and reference differ");
    const int64_t positions = int64_t(factor) * factor;
    TORCH_CHECK(latent.size(1) % positions == 0, "degrid: channels are not a multiple of factor^2");
    TORCH_CHECK(sigma > 0, "degrid: sigma must be positive");
    const int64_t B = latent.size(0), colours = latent.size(1) / positions, h = latent.size(2),
                  w = latent.size(3);
    auto residual = latent - reference;
    auto local = gaussianBlur(residual, sigma).view({B, colours, positions, h, w});
    auto grid = local - local.mean(2, /*keepdim=*/true);
    return latent - grid.view({B, colours * positions, h, w});
}

} // namespace shiftsr
