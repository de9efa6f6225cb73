// AutoencoderKL (diffusers; Stable Diffusion's VAE, ldm's AutoencoderKL) as a LibTorch module with
// the diffusers parameter names (`encoder.down_blocks.0.resnets.0.conv1.weight`, `quant_conv`,
// `decoder.up_blocks.0.upsamplers.0.conv.weight`, ...). Weights in the original (ldm) layout load
// through sd_names.h.
#pragma once

#include "shiftsr/engine/status.h"
#include "shiftsr/nn/unet_swin.h" // RunState

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <vector>

namespace shiftsr::nn {

// diffusers AutoencoderKL config.json keys.
struct KLConfig {
    int inChannels = 3;
    int outChannels = 3;
    std::vector<int> blockOutChannels{128, 256, 512, 512}; // one per level; f = 2^(levels-1)
    int layersPerBlock = 2; // encoder resnets per level; the decoder has one more
    int latentChannels = 4;
    int normNumGroups = 32;
    double scalingFactor = 0.18215;   // latents the diffusion model sees = mean * scaling_factor
    bool midBlockAddAttention = true; // mid_block_add_attention

    static Result<KLConfig> fromJson(const nlohmann::json& j);
    nlohmann::json toJson() const;
    int downFactor() const { return 1 << (int(blockOutChannels.size()) - 1); }
    // A lower bound of the weights (the resnets' 3x3 convolutions of encoder and decoder).
    double weightLowerBound() const;
};

class KLAutoencoderImpl : public torch::nn::Module {
public:
    explicit KLAutoencoderImpl(const KLConfig& config);
    // image [B, 3, H, W] in [-1, 1] (H, W multiples of downFactor) -> moments [B, 2z, H/f, W/f]
    // (quant_conv output: mean and log-variance, unscaled).
    torch::Tensor moments(const torch::Tensor& image, RunState* state = nullptr);
    // The posterior's mean times scaling_factor (inference encode).
    torch::Tensor encode(const torch::Tensor& image, RunState* state = nullptr);
    // latent (scaled, as encode returns) -> image [B, 3, H, W] (not clamped).
    torch::Tensor decode(const torch::Tensor& latent, RunState* state = nullptr);
    const KLConfig& config() const { return config_; }
    // Encoder / decoder halves (parameters under "encoder." / "decoder."), for freezing one.
    torch::nn::Module& encoderModule();
    torch::nn::Module& decoderModule();

private:
    KLConfig config_;
    struct Parts;
    std::shared_ptr<Parts> parts_;
};
TORCH_MODULE(KLAutoencoder);

// Splits moments into mean and log-variance (clamped to [-30, 20] as diffusers does).
void klSplitMoments(const torch::Tensor& moments, torch::Tensor* mean, torch::Tensor* logvar);

} // namespace shiftsr::nn
