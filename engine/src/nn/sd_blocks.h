// Building blocks that the Stable-Diffusion U-Net and the KL autoencoder share, under the diffusers
// module names (models/resnet.py ResnetBlock2D, models/attention_processor.py Attention).
#pragma once

#include "shiftsr/engine/status.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace shiftsr::nn::sd {

// The config checks both networks share, with messages prefixed by `what` ("UNet config",
// "autoencoder config") and naming the diffusers key: block_out_channels (1 to maxLevels entries,
// each a positive multiple of norm_num_groups up to maxWidth), and an integer key's range.
Status checkWidths(const std::string& what, const std::vector<int>& widths, int groups,
                   int maxLevels, int maxWidth);
Status checkRange(const std::string& what, const char* key, int value, int lo, int hi);

// diffusers ResnetBlock2D with the defaults both networks use (time_embedding_norm "default",
// output_scale_factor 1, dropout 0): norm1, conv1, time_emb_proj (only with tembChannels > 0),
// norm2, conv2, and conv_shortcut (1x1) only where the width changes.
class ResnetBlockImpl : public torch::nn::Module {
public:
    ResnetBlockImpl(int64_t in, int64_t out, int64_t tembChannels, int64_t groups, double eps);
    // temb: [B, tembChannels] (ignored, and may be undefined, without time_emb_proj).
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb = {});

private:
    torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, shortcut{nullptr};
    torch::nn::Linear timeProj{nullptr};
};
TORCH_MODULE(ResnetBlock);

// diffusers Attention in the two forms these networks use: the transformer's (to_q/to_k/to_v
// without bias, several heads, keys and values from `kvDim`-wide context or from the queries) and
// the autoencoder's mid-block one (bias everywhere, one head, its own group_norm and residual).
class AttentionImpl : public torch::nn::Module {
public:
    // kvDim 0: self-attention. normGroups > 0 registers group_norm (used by forwardSpatial only).
    AttentionImpl(int64_t queryDim, int64_t kvDim, int64_t heads, bool qkvBias,
                  int64_t normGroups = 0, double normEps = 1e-6);
    // x: [B, N, queryDim]; context: [B, M, kvDim] or undefined for self-attention.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context = {});
    // [B, C, H, W] -> group_norm, attention over the H*W positions, to_out, + x.
    torch::Tensor forwardSpatial(const torch::Tensor& x);

private:
    int64_t heads_;
    torch::nn::Linear toQ{nullptr}, toK{nullptr}, toV{nullptr}, toOut{nullptr};
    torch::nn::GroupNorm groupNorm_{nullptr};
};
TORCH_MODULE(Attention);

// softmax(q k^T / sqrt(d)) v per head, with bounded memory (chunkedAttention):
// q [B, N, C], k and v [B, M, C] with C = heads * d -> [B, N, C].
torch::Tensor multiHeadAttention(const torch::Tensor& q, const torch::Tensor& k,
                                 const torch::Tensor& v, int64_t heads);

// Nearest-neighbour x2 as diffusers Upsample2D does before its conv.
torch::Tensor upsampleNearest2x(const torch::Tensor& x);

} // namespace shiftsr::nn::sd
