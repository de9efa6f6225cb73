#include "shiftsr/nn/refiner.h"

#include "shiftsr/nn/json_util.h"
#include "shiftsr/nn/layers.h"

namespace shiftsr::nn {

Result<RefinerConfig> RefinerConfig::fromJson(const nlohmann::json& j) {
    RefinerConfig c;
    try {
        if (!j.is_object())
            return Status::error(StatusCode::InvalidFile, "refiner config must be a JSON object");
        readKey(j, "channels", &c.channels);
        readKey(j, "layers", &c.layers);
        readKey(j, "strength", &c.strength);
    } catch (const std::exception& e) {
        return Status::error(StatusCode::InvalidFile, std::string("refiner config: ") + e.what());
    }
    if (c.channels < 1 || c.channels > 512 || c.layers < 2 || c.layers > 32 ||
        !(c.strength >= 0 && c.strength <= 2))
        return Status::error(StatusCode::InvalidFile,
                             "refiner config: channels must be 1-512, layers 2-32, strength 0-2");
    return c;
}

nlohmann::json RefinerConfig::toJson() const {
    return {{"channels", channels}, {"layers", layers}, {"strength", strength}};
}

PixelRefinerImpl::PixelRefinerImpl(const RefinerConfig& config) : config_(config) {
    for (int i = 0; i < config.layers; ++i) {
        const int64_t in = i == 0 ? 3 : config.channels;
        const int64_t out = i == config.layers - 1 ? 3 : config.channels;
        convs_.push_back(register_module("conv" + std::to_string(i), conv2d(in, out, 3, 1, 0)));
    }
    torch::NoGradGuard ng;
    convs_.back()->weight.zero_();
    convs_.back()->bias.zero_();
}

torch::Tensor PixelRefinerImpl::forward(const torch::Tensor& image) {
    // Reflect padding at the image border (a tile's border is blended away; an image's border
    // should not see a dark zero frame).
    if (config_.strength == 0.0 && !is_training())
        return image; // the plain shuffle: nothing to compute
    auto h = image;
    for (size_t i = 0; i < convs_.size(); ++i) {
        h = run(convs_[i], torch::reflection_pad2d(h, {1, 1, 1, 1}));
        if (i + 1 < convs_.size())
            h = torch::silu(h);
    }
    return config_.strength == 1.0 ? image + h : image + h * config_.strength;
}

} // namespace shiftsr::nn
