// The latent U-Net of Stable Diffusion (diffusers UNet2DConditionModel) as a LibTorch module whose
// parameter names are the diffusers names (`down_blocks.0.resnets.0.conv1.weight`, ...), so weights
// in that layout load directly and weights in the original (ldm) layout load through sd_names.h.
// YONOS-SR runs it with the encoded bicubic-upsampled LR image concatenated to z_t.
#pragma once

#include "shiftsr/engine/status.h"
#include "shiftsr/nn/unet_swin.h" // RunState, Cancelled

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

namespace shiftsr::nn {

// Constructor arguments under the diffusers config.json key names, so a diffusers config parses
// as it is (keys this network does not use are ignored; values it cannot build are refused).
struct SDUNetConfig {
    int inChannels = 8;  // in_channels: z_t channels + condition (encoded LR) channels
    int outChannels = 4; // out_channels: the latent's channels
    std::vector<int> blockOutChannels{320, 640, 1280, 1280}; // block_out_channels
    int layersPerBlock = 2;                                  // layers_per_block
    // down_block_types: "CrossAttnDownBlock2D" (resnets + transformers) or "DownBlock2D"
    // (resnets only), one per level; up_block_types mirror them ("CrossAttnUpBlock2D" /
    // "UpBlock2D"), deepest level first as diffusers lists them.
    std::vector<std::string> downBlockTypes{"CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                                            "CrossAttnDownBlock2D", "DownBlock2D"};
    std::vector<std::string> upBlockTypes{"UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D",
                                          "CrossAttnUpBlock2D"};
    // attention_head_dim: as in diffusers' UNet2DConditionModel this is the NUMBER of heads (a
    // historical misnomer of that config; SD 1.x: 8), one value or one per level.
    std::vector<int> attentionHeads{8};
    int normNumGroups = 32;    // norm_num_groups
    double normEps = 1e-5;     // norm_eps
    int crossAttentionDim = 0; // cross_attention_dim; 0 = no cross-attention (attn2 absent)
    // ShiftSR extension: with cross-attention, the context is a learned constant of this many
    // tokens (parameter `context`, [1, contextTokens, crossAttentionDim]) instead of a text
    // encoder.
    int contextTokens = 77;
    // use_linear_projection: proj_in/out Linear (SD 2) or 1x1 conv
    bool useLinearProjection = false;
    int transformerLayersPerBlock = 1; // transformer_layers_per_block
    // false: the middle block is resnet, resnet (no attention; ShiftSR key mid_block_attention).
    // diffusers has no such block: its "UNetMidBlock2D" here would be a single resnet.
    bool midBlockAttention = true;
    bool flipSinToCos = true; // flip_sin_to_cos
    int freqShift = 0;        // freq_shift

    static Result<SDUNetConfig> fromJson(const nlohmann::json& j);
    nlohmann::json toJson() const;
    int levels() const { return int(blockOutChannels.size()); }
    int headsAt(int level) const;      // attentionHeads[level] or the single value
    bool attentionAt(int level) const; // downBlockTypes[level] has transformers
    int downFactor() const { return 1 << (levels() - 1); } // latent side multiple the net needs
    // A lower bound of the network's weights from the resnets' 3x3 convolutions alone (Stable
    // Diffusion 1.5: ~0.3 of its 860 M), computed without building anything.
    double weightLowerBound() const;
};

class SDUNetImpl : public torch::nn::Module {
public:
    explicit SDUNetImpl(const SDUNetConfig& config);
    // x: [B, inChannels, h, w] (h, w multiples of downFactor()); t: [B] timesteps (integer or
    // float, 0..999). `state`: cancel flag and block progress (optional). Writes nothing in the
    // module. Returns [B, outChannels, h, w].
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t,
                          RunState* state = nullptr);
    const SDUNetConfig& config() const { return config_; }

private:
    SDUNetConfig config_;
    // Members registered under the diffusers names (conv_in, time_embedding.linear_1, ...).
    struct Parts;
    std::shared_ptr<Parts> parts_;
};
TORCH_MODULE(SDUNet);

// diffusers' Timesteps(dim, flip_sin_to_cos, downscale_freq_shift): exponent
// -ln(10000) * i / (dim/2 - shift); [sin, cos] or, flipped, [cos, sin]. t: [B] -> [B, dim] float.
torch::Tensor sdTimestepEmbedding(const torch::Tensor& t, int64_t dim, bool flipSinToCos,
                                  double freqShift);

} // namespace shiftsr::nn
