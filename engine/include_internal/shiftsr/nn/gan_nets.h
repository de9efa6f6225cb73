// Single-pass GAN upscalers as LibTorch modules whose parameter names equal BasicSR's state dicts:
// RRDBNet (ESRGAN, Real-ESRGAN x4plus) and SRVGGNetCompact (Real-ESRGAN's compact models).
#pragma once

#include "shiftsr/engine/status.h"
#include "shiftsr/nn/unet_swin.h" // RunState: cancellation and progress between blocks

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

namespace shiftsr::nn {

// basicsr.archs.rrdbnet_arch.RRDBNet, under BasicSR's argument names. `num_upsample` generalises
// its two fixed nearest-x2 + conv stages (conv_up1, conv_up2) to the old ESRGAN layout's x2 and x8
// models; BasicSR's x2 and x1 models pixel-unshuffle the input instead, so that
// scale = 2^num_upsample / unshuffle.
struct RRDBConfig {
    int numInCh = 3; // image channels (conv_first takes numInCh * unshuffle^2)
    int numOutCh = 3;
    int numFeat = 64;
    int numBlock = 23;
    int numGrowCh = 32;
    int scale = 4;
    int numUpsample = 2;

    static Result<RRDBConfig> fromJson(const nlohmann::json& j);
    nlohmann::json toJson() const;
    // Ranges and the scale / upsampling relation, before any module is built.
    Status validate() const;
    int unshuffle() const { return (1 << numUpsample) / scale; } // 1, 2 or 4 once validated
    double parameters() const;                                   // exact, from the config alone
};

// realesrgan.archs.srvgg_arch.SRVGGNetCompact: body.0 conv, then (activation, conv) num_conv + 1
// times, a pixel shuffle, plus the nearest-upsampled input.
struct SRVGGConfig {
    int numInCh = 3;
    int numOutCh = 3;
    int numFeat = 64;
    int numConv = 16;
    int upscale = 4;
    std::string actType = "prelu"; // prelu | relu | leakyrelu (slope 0.1, as the original)

    static Result<SRVGGConfig> fromJson(const nlohmann::json& j);
    nlohmann::json toJson() const;
    Status validate() const;
    double parameters() const;
};

// A network that maps an RGB image in [0, 1] to its upscaled version in one forward pass.
class SinglePassNetImpl : public torch::nn::Module {
public:
    // x: [B, 3, h, w] with h and w multiples of sizeMultiple(). The output is not clamped.
    // `state` (optional): cancellation and progress between blocks.
    virtual torch::Tensor forward(const torch::Tensor& x, RunState* state = nullptr) = 0;
    virtual int scale() const = 0;
    virtual int sizeMultiple() const { return 1; }
};

class RRDBNetImpl : public SinglePassNetImpl {
public:
    explicit RRDBNetImpl(const RRDBConfig& config);
    torch::Tensor forward(const torch::Tensor& x, RunState* state = nullptr) override;
    int scale() const override { return config_.scale; }
    int sizeMultiple() const override { return config_.unshuffle(); }
    const RRDBConfig& config() const { return config_; }

private:
    struct Dense {
        std::vector<torch::nn::Conv2d> convs; // conv1..conv5
    };
    torch::Tensor dense(const Dense& d, const torch::Tensor& x) const;
    RRDBConfig config_;
    torch::nn::Conv2d convFirst{nullptr}, convBody{nullptr}, convHr{nullptr}, convLast{nullptr};
    std::vector<std::array<Dense, 3>> blocks_;
    std::vector<torch::nn::Conv2d> ups_;
};

class SRVGGNetImpl : public SinglePassNetImpl {
public:
    explicit SRVGGNetImpl(const SRVGGConfig& config);
    torch::Tensor forward(const torch::Tensor& x, RunState* state = nullptr) override;
    int scale() const override { return config_.upscale; }
    const SRVGGConfig& config() const { return config_; }

private:
    SRVGGConfig config_;
    std::vector<torch::nn::Conv2d> convs_;
    std::vector<torch::nn::PReLU> prelus_; // empty unless actType is prelu
};

// One tile through a single-pass network, as Real-ESRGAN's tools run it: the input (RGB in [0, 1])
// is extended by `prePad` replicated pixels on every side (realesrgan-ncnn-vulkan's prepadding),
// reflect-padded on the right and bottom to the network's size multiple, run, and the padding cut
// from the output. Returns [B, 3, h * scale, w * scale], not clamped.
torch::Tensor upscaleTile(SinglePassNetImpl& net, const torch::Tensor& x01, int prePad,
                          RunState* state = nullptr);

} // namespace shiftsr::nn
