// Shared network building blocks.
#include "shiftsr/nn/layers.h"

namespace shiftsr::nn {

void useChannelsLast(torch::nn::Module& module) {
    torch::NoGradGuard noGrad;
    for (auto& p : module.parameters())
        if (p.dim() == 4)
            p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
}

torch::Tensor conv1x1(const torch::Tensor& x, const torch::Tensor& weight,
                      const torch::Tensor& bias) {
    namespace F = torch::nn::functional;
    const auto wt = weight.scalar_type();
    if (wt == x.scalar_type())
        return F::conv2d(x, weight, F::Conv2dFuncOptions().bias(bias));
    return F::conv2d(x.to(wt), weight, F::Conv2dFuncOptions().bias(bias)).to(x.scalar_type());
}

void setComputeDtype(torch::nn::Module& module, torch::ScalarType dtype) {
    torch::NoGradGuard noGrad;
    auto convert = [&](torch::Tensor& t) {
        if (t.defined() && t.is_floating_point())
            t.set_data(t.to(dtype)); // keeps a channels-last layout
    };
    for (const auto& m : module.modules(/*include_self=*/true)) {
        if (auto* conv = m->as<torch::nn::Conv2dImpl>()) {
            convert(conv->weight);
            convert(conv->bias);
        } else if (auto* linear = m->as<torch::nn::LinearImpl>()) {
            convert(linear->weight);
            convert(linear->bias);
        }
    }
}

torch::Tensor chunkedAttention(const torch::Tensor& q, const torch::Tensor& kT,
                               const torch::Tensor& v, double scale, int64_t maxScoreElements) {
    const int64_t B = q.size(0), N = q.size(1), M = kT.size(2);
    const int64_t rows = std::max<int64_t>(1, maxScoreElements / std::max<int64_t>(1, B * M));
    if (rows >= N) {
        auto w = torch::bmm(q, kT).mul_(scale).softmax(-1);
        return torch::bmm(w, v);
    }
    auto out = torch::empty({B, N, v.size(2)}, q.options());
    for (int64_t r0 = 0; r0 < N; r0 += rows) {
        const int64_t r1 = std::min(N, r0 + rows);
        auto w = torch::bmm(q.slice(1, r0, r1), kT).mul_(scale).softmax(-1);
        out.slice(1, r0, r1).copy_(torch::bmm(w, v));
    }
    return out;
}

} // namespace shiftsr::nn
