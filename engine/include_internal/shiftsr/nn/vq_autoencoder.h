// VQModelTorch (ldm) of ResShift: f4 VQ autoencoder with official state_dict names.
#pragma once

#include "shiftsr/engine/status.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <vector>

namespace shiftsr::nn {

struct VQConfig {
    int embedDim = 3;
    int nEmbed = 8192;
    // ddconfig
    bool doubleZ = false;
    int zChannels = 3;
    int resolution = 256;
    int inChannels = 3;
    int outCh = 3;
    int ch = 128;
    std::vector<int> chMult{1, 2, 4};
    std::vector<int> numResBlocks{2, 2, 2};
    std::vector<int> attnResolutions{};
    double dropout = 0.0;

    static Result<VQConfig> fromJson(const nlohmann::json& j); // {embed_dim, n_embed, ddconfig}
    nlohmann::json toJson() const;
    int downFactor() const { return 1 << (int(chMult.size()) - 1); }
};

class VQEncoderImpl;
class VQDecoderImpl;

class VQModelImpl : public torch::nn::Module {
public:
    explicit VQModelImpl(const VQConfig& config);
    torch::Tensor encode(const torch::Tensor& x); // quant_conv(encoder(x))
    torch::Tensor quantize(const torch::Tensor& h,
                           torch::Tensor* indices = nullptr); // nearest codebook row
    torch::Tensor decode(const torch::Tensor& h, bool quantizeFirst = true);
    const VQConfig& config() const { return config_; }

private:
    VQConfig config_;
    std::shared_ptr<VQEncoderImpl> encoder_;
    std::shared_ptr<VQDecoderImpl> decoder_;
    torch::Tensor codebook_;
    torch::nn::Conv2d quantConv{nullptr}, postQuantConv{nullptr};
};
TORCH_MODULE(VQModel);

} // namespace shiftsr::nn
