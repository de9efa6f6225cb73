// The learned full-resolution decoder head of the `unshuffle-f4-refine` codec: a few 3x3
// convolutions on the pixel-shuffled latent that add a residual correction. The last convolution
// starts at zero, so an untrained head is exactly the plain pixel shuffle.
//
// Why: with the weight-free unshuffle codec every latent cell is one 4x4x3 pixel block and nothing
// after the UNet can smooth across block borders, so any error at latent resolution shows as a
// 4-pixel grid, and whatever noise the sampler leaves in its last step reaches the pixels. The head
// sees neighbouring blocks at full resolution; it is trained after the diffusion model, on that
// model's own sampler outputs (decoder fine-tuning, as YONOS-SR fine-tunes its decoder).
#pragma once

#include "shiftsr/engine/status.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <vector>

namespace shiftsr::nn {

struct RefinerConfig {
    int channels = 32; // hidden width
    int layers = 4;    // 3x3 convolutions in all (>= 2): 3 -> C, (layers - 2) x C -> C, C -> 3
    // Scale of the correction at inference (1 = as trained; 0 = the plain shuffle). Between the two
    // it trades the head's distortion gain for texture, as ESRGAN's network interpolation does
    // between its PSNR-trained and GAN-trained models; the squared error falls by 1-(1-s)^2 of
    // the head's gain (75 % at 0.5) while half the smoothing is kept off.
    double strength = 1.0;

    static Result<RefinerConfig>
    fromJson(const nlohmann::json& j); // {"channels", "layers", "strength"}
    nlohmann::json toJson() const;
    // Same tensors (channels and layers); the strength is a setting, not a shape.
    bool sameShape(const RefinerConfig& o) const {
        return channels == o.channels && layers == o.layers;
    }
};

class PixelRefinerImpl : public torch::nn::Module {
public:
    explicit PixelRefinerImpl(const RefinerConfig& config);
    // image [B, 3, H, W] (any range; [-1, 1] in practice) -> image + correction, same size.
    torch::Tensor forward(const torch::Tensor& image);
    const RefinerConfig& config() const { return config_; }

private:
    RefinerConfig config_;
    std::vector<torch::nn::Conv2d> convs_; // registered as conv0 ... conv{layers-1}
};
TORCH_MODULE(PixelRefiner);

} // namespace shiftsr::nn
