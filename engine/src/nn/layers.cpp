// Shared network building blocks.
#include "nn/layers.h"

namespace shiftsr::nn {

void useChannelsLast(torch::nn::Module& module) {
    torch::NoGradGuard noGrad;
    for (auto& p : module.parameters())
        if (p.dim() == 4)
            p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
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
