// Small building blocks shared by the networks: registration helpers and fused elementwise ops.
#pragma once

#include <torch/torch.h>

#include <string>

namespace shiftsr::nn {

// A parameter-free container that only exists to give children the checkpoint's dotted names.
inline std::shared_ptr<torch::nn::Module> holder(torch::nn::Module& parent,
                                                 const std::string& name) {
    return parent.register_module(name, std::make_shared<torch::nn::Module>());
}

inline torch::nn::Conv2d conv2d(int64_t in, int64_t out, int64_t k, int64_t stride = 1,
                                int64_t pad = 0) {
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, k).stride(stride).padding(pad));
}

inline torch::nn::GroupNorm groupNorm(int64_t channels, double eps, int64_t groups = 32) {
    return torch::nn::GroupNorm(
        torch::nn::GroupNormOptions(groups, channels).eps(eps).affine(true));
}

// x * sigmoid(x), in place when the tensor is not needed elsewhere.
inline torch::Tensor silu(const torch::Tensor& x) {
    return torch::silu(x);
}

// Runs a convolution or linear layer whose weights may be stored in a lower precision (bf16 or
// fp16 compute): the input is cast to the weights' dtype and the result back to the input's, so
// normalisation, softmax, residual sums and the sampler stay in fp32.
template <class Layer>
torch::Tensor run(Layer layer, const torch::Tensor& x) { // a holder: cheap to copy
    const auto wt = layer->weight.scalar_type();
    if (wt == x.scalar_type())
        return layer->forward(x);
    return layer->forward(x.to(wt)).to(x.scalar_type());
}

// Functional 1x1 convolution with the same casting rule (weight [out, in, 1, 1]).
torch::Tensor conv1x1(const torch::Tensor& x, const torch::Tensor& weight,
                      const torch::Tensor& bias);

// Stores the weights and biases of every Conv2d and Linear below `module` in `dtype` (the compute
// precision of the heavy layers); normalisation and embedding parameters stay as they are.
void setComputeDtype(torch::nn::Module& module, torch::ScalarType dtype);

// Stores every 4-D weight channels-last, so convolutions (oneDNN) run and return NHWC.
void useChannelsLast(torch::nn::Module& module);

// Attention softmax(q k^T * scale) v over rows of q processed in chunks, so the score matrix
// never exceeds `maxScoreElements` floats (the VQ mid-block attends over the whole latent).
// q: [B, N, C], k: [B, C, M] (already transposed), v: [B, M, C] -> [B, N, C].
torch::Tensor chunkedAttention(const torch::Tensor& q, const torch::Tensor& kT,
                               const torch::Tensor& v, double scale,
                               int64_t maxScoreElements = int64_t(1) << 24);

} // namespace shiftsr::nn
