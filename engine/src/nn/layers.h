// Small building blocks shared by the networks: registration helpers and fused elementwise ops.
#pragma once

#include <torch/torch.h>

#include <string>

namespace shiftsr::nn {

// A parameter-free container that only exists to give children the checkpoint's dotted names.
inline std::shared_ptr<torch::nn::Module> holder(torch::nn::Module& parent, const std::string& name) {
    return parent.register_module(name, std::make_shared<torch::nn::Module>());
}

inline torch::nn::Conv2d conv2d(int64_t in, int64_t out, int64_t k, int64_t stride = 1,
                                int64_t pad = 0) {
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, k).stride(stride).padding(pad));
}

inline torch::nn::GroupNorm groupNorm(int64_t channels, double eps, int64_t groups = 32) {
    return torch::nn::GroupNorm(torch::nn::GroupNormOptions(groups, channels).eps(eps).affine(true));
}

// x * sigmoid(x), in place when the tensor is not needed elsewhere.
inline torch::Tensor silu(const torch::Tensor& x) { return torch::silu(x); }

// Stores every 4-D weight channels-last, so convolutions (oneDNN) run and return NHWC.
void useChannelsLast(torch::nn::Module& module);

// Attention softmax(q k^T * scale) v over rows of q processed in chunks, so the score matrix
// never exceeds `maxScoreElements` floats (the VQ mid-block attends over the whole latent).
// q: [B, N, C], k: [B, C, M] (already transposed), v: [B, M, C] -> [B, N, C].
torch::Tensor chunkedAttention(const torch::Tensor& q, const torch::Tensor& kT,
                               const torch::Tensor& v, double scale,
                               int64_t maxScoreElements = int64_t(1) << 24);

} // namespace shiftsr::nn
