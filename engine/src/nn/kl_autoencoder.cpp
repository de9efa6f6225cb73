// AutoencoderKL of diffusers (models/autoencoders/autoencoder_kl.py, vae.py): Stable Diffusion's
// VAE.
#include "shiftsr/nn/kl_autoencoder.h"

#include "nn/sd_blocks.h"
#include "shiftsr/nn/json_util.h"
#include "shiftsr/nn/layers.h"

#include <cmath>

namespace shiftsr::nn {

namespace F = torch::nn::functional;

// ---------------------------------------------------------------- config

namespace {

constexpr int kMaxWidth = 4096;
constexpr int kMaxIoChannels = 64;
constexpr int kMaxLevels = 6;
constexpr int kMaxLayers = 8;
constexpr double kResnetEps = 1e-6; // diffusers Encoder/Decoder hard-code it

Status bad(const std::string& message) {
    return Status::error(StatusCode::InvalidFile, "autoencoder config: " + message);
}

Status unsupported(const std::string& message) {
    return Status::error(StatusCode::Unsupported, "autoencoder config: " + message);
}

// diffusers keys that would make a different network or latent scaling than this one.
Status refuseNonDefaults(const nlohmann::json& j) {
    const std::pair<const char*, nlohmann::json> defaults[] = {
        {"act_fn", "silu"},        {"use_quant_conv", true},  {"use_post_quant_conv", true},
        {"shift_factor", nullptr}, {"latents_mean", nullptr}, {"latents_std", nullptr},
        {"norm_type", "group"},
    };
    for (const auto& [key, def] : defaults) {
        if (!j.contains(key))
            continue;
        const auto& v = j.at(key);
        if (v == def || v.is_null())
            continue;
        return unsupported(std::string(key) + " = " + clipForMessage(dumpLossy(v)) +
                           " is not supported");
    }
    return Status::ok();
}

// down_block_types / up_block_types: accepted when every entry is the one block type diffusers'
// AutoencoderKL builds from this config.
Status checkBlockTypes(const nlohmann::json& j, const char* key, const char* type, size_t levels) {
    if (!j.contains(key) || j.at(key).is_null())
        return Status::ok();
    std::vector<std::string> types;
    readKey(j, key, &types);
    if (types.size() != levels)
        return bad(std::string(key) + " must have one entry per block_out_channels entry");
    for (const auto& t : types)
        if (t != type)
            return unsupported(std::string(key) + " entry \"" + clipForMessage(t) +
                               "\" is not supported");
    return Status::ok();
}

Status validate(const KLConfig& c) {
    const std::string what = "autoencoder config";
    if (Status s =
            sd::checkWidths(what, c.blockOutChannels, c.normNumGroups, kMaxLevels, kMaxWidth);
        !s)
        return s;
    const std::pair<const char*, int> ranged[] = {{"in_channels", c.inChannels},
                                                  {"out_channels", c.outChannels},
                                                  {"latent_channels", c.latentChannels}};
    for (const auto& [key, value] : ranged)
        if (Status s = sd::checkRange(what, key, value, 1, kMaxIoChannels); !s)
            return s;
    if (Status s = sd::checkRange(what, "layers_per_block", c.layersPerBlock, 1, kMaxLayers); !s)
        return s;
    if (!(std::isfinite(c.scalingFactor) && c.scalingFactor > 0.0))
        return bad("scaling_factor must be a positive number");
    if (c.weightLowerBound() > double(1u << 30))
        return bad("the autoencoder would hold more than 2^30 weights: not a real codec");
    return Status::ok();
}

} // namespace

double KLConfig::weightLowerBound() const {
    double weights = 0;
    for (int w : blockOutChannels)
        weights += (2.0 * layersPerBlock + 1) * 18 * double(w) * w;
    return weights;
}

Result<KLConfig> KLConfig::fromJson(const nlohmann::json& j) {
    if (!j.is_object())
        return bad("not a JSON object");
    KLConfig c;
    const char* key = "";
    try {
        if (auto s = refuseNonDefaults(j); !s)
            return s;
        key = "in_channels";
        readKey(j, key, &c.inChannels);
        key = "out_channels";
        readKey(j, key, &c.outChannels);
        key = "block_out_channels";
        readKey(j, key, &c.blockOutChannels);
        key = "layers_per_block";
        readKey(j, key, &c.layersPerBlock);
        key = "latent_channels";
        readKey(j, key, &c.latentChannels);
        key = "norm_num_groups";
        readKey(j, key, &c.normNumGroups);
        key = "scaling_factor";
        readKey(j, key, &c.scalingFactor);
        key = "mid_block_add_attention";
        readKey(j, key, &c.midBlockAddAttention);
        key = "down_block_types";
        if (auto s = checkBlockTypes(j, key, "DownEncoderBlock2D", c.blockOutChannels.size()); !s)
            return s;
        key = "up_block_types";
        if (auto s = checkBlockTypes(j, key, "UpDecoderBlock2D", c.blockOutChannels.size()); !s)
            return s;
    } catch (const std::exception& e) {
        return bad(std::string(key) + ": " + e.what());
    }
    if (auto s = validate(c); !s)
        return s;
    return c;
}

nlohmann::json KLConfig::toJson() const {
    const size_t n = blockOutChannels.size();
    return {{"_class_name", "AutoencoderKL"},
            {"in_channels", inChannels},
            {"out_channels", outChannels},
            {"block_out_channels", blockOutChannels},
            {"down_block_types", std::vector<std::string>(n, "DownEncoderBlock2D")},
            {"up_block_types", std::vector<std::string>(n, "UpDecoderBlock2D")},
            {"layers_per_block", layersPerBlock},
            {"latent_channels", latentChannels},
            {"norm_num_groups", normNumGroups},
            {"act_fn", "silu"},
            {"scaling_factor", scalingFactor},
            {"mid_block_add_attention", midBlockAddAttention}};
}

// ---------------------------------------------------------------- network

namespace {

// UNetMidBlock2D without a time embedding: resnets.0, attentions.0 (optional), resnets.1.
struct MidBlock {
    sd::ResnetBlock first{nullptr}, second{nullptr};
    sd::Attention attention{nullptr};

    MidBlock(torch::nn::Module& parent, int64_t channels, const KLConfig& c) {
        auto mid = holder(parent, "mid_block");
        auto resnets = holder(*mid, "resnets");
        first = resnets->register_module(
            "0", sd::ResnetBlock(channels, channels, 0, c.normNumGroups, kResnetEps));
        if (c.midBlockAddAttention)
            attention = holder(*mid, "attentions")
                            ->register_module("0", sd::Attention(channels, 0, 1, true,
                                                                 c.normNumGroups, kResnetEps));
        second = resnets->register_module(
            "1", sd::ResnetBlock(channels, channels, 0, c.normNumGroups, kResnetEps));
    }
    torch::Tensor forward(const torch::Tensor& x) {
        auto h = first->forward(x);
        if (attention)
            h = attention->forwardSpatial(h);
        return second->forward(h);
    }
};

struct Level {
    std::vector<sd::ResnetBlock> resnets;
    torch::nn::Conv2d resample{nullptr};
};

class EncoderImpl : public torch::nn::Module {
public:
    explicit EncoderImpl(const KLConfig& c) {
        const auto& widths = c.blockOutChannels;
        const int n = int(widths.size());
        convIn = register_module("conv_in", conv2d(c.inChannels, widths[0], 3, 1, 1));
        auto down = holder(*this, "down_blocks");
        int64_t out = widths[0];
        for (int i = 0; i < n; ++i) {
            const int64_t in = out;
            out = widths[i];
            auto block = holder(*down, std::to_string(i));
            auto resnets = holder(*block, "resnets");
            Level L;
            for (int j = 0; j < c.layersPerBlock; ++j)
                L.resnets.push_back(resnets->register_module(
                    std::to_string(j),
                    sd::ResnetBlock(j == 0 ? in : out, out, 0, c.normNumGroups, kResnetEps)));
            if (i + 1 < n)
                L.resample = holder(*holder(*block, "downsamplers"), "0")
                                 ->register_module("conv", conv2d(out, out, 3, 2, 0));
            levels.push_back(std::move(L));
        }
        mid = std::make_unique<MidBlock>(*this, out, c);
        normOut = register_module("conv_norm_out", groupNorm(out, kResnetEps, c.normNumGroups));
        convOut = register_module("conv_out", conv2d(out, 2 * c.latentChannels, 3, 1, 1));
    }

    torch::Tensor forward(const torch::Tensor& x, RunState* state) {
        const size_t total = levels.size() + 1;
        size_t done = 0;
        auto h = run(convIn, x);
        for (auto& L : levels) {
            for (auto& r : L.resnets)
                h = r->forward(h);
            if (L.resample) // diffusers Downsample2D(padding=0): pad right and bottom by one
                h = run(L.resample, F::pad(h, F::PadFuncOptions({0, 1, 0, 1})));
            if (state)
                state->afterBlock(++done, total);
        }
        h = mid->forward(h);
        if (state)
            state->afterBlock(++done, total);
        return run(convOut, torch::silu(normOut->forward(h)));
    }

private:
    torch::nn::Conv2d convIn{nullptr}, convOut{nullptr};
    std::vector<Level> levels;
    std::unique_ptr<MidBlock> mid;
    torch::nn::GroupNorm normOut{nullptr};
};
TORCH_MODULE(Encoder);

class DecoderImpl : public torch::nn::Module {
public:
    explicit DecoderImpl(const KLConfig& c) {
        const auto& widths = c.blockOutChannels;
        const int n = int(widths.size());
        int64_t out = widths[n - 1];
        convIn = register_module("conv_in", conv2d(c.latentChannels, out, 3, 1, 1));
        mid = std::make_unique<MidBlock>(*this, out, c);
        auto up = holder(*this, "up_blocks");
        for (int i = 0; i < n; ++i) {
            const int64_t in = out;
            out = widths[n - 1 - i];
            auto block = holder(*up, std::to_string(i));
            auto resnets = holder(*block, "resnets");
            Level L;
            for (int j = 0; j <= c.layersPerBlock; ++j)
                L.resnets.push_back(resnets->register_module(
                    std::to_string(j),
                    sd::ResnetBlock(j == 0 ? in : out, out, 0, c.normNumGroups, kResnetEps)));
            if (i + 1 < n)
                L.resample = holder(*holder(*block, "upsamplers"), "0")
                                 ->register_module("conv", conv2d(out, out, 3, 1, 1));
            levels.push_back(std::move(L));
        }
        normOut = register_module("conv_norm_out", groupNorm(out, kResnetEps, c.normNumGroups));
        convOut = register_module("conv_out", conv2d(out, c.outChannels, 3, 1, 1));
    }

    torch::Tensor forward(const torch::Tensor& z, RunState* state) {
        const size_t total = levels.size() + 1;
        size_t done = 0;
        auto h = mid->forward(run(convIn, z));
        if (state)
            state->afterBlock(++done, total);
        for (auto& L : levels) {
            for (auto& r : L.resnets)
                h = r->forward(h);
            if (L.resample)
                h = run(L.resample, sd::upsampleNearest2x(h));
            if (state)
                state->afterBlock(++done, total);
        }
        return run(convOut, torch::silu(normOut->forward(h)));
    }

private:
    torch::nn::Conv2d convIn{nullptr}, convOut{nullptr};
    std::unique_ptr<MidBlock> mid;
    std::vector<Level> levels;
    torch::nn::GroupNorm normOut{nullptr};
};
TORCH_MODULE(Decoder);

} // namespace

struct KLAutoencoderImpl::Parts {
    Encoder encoder{nullptr};
    Decoder decoder{nullptr};
    torch::nn::Conv2d quantConv{nullptr}, postQuantConv{nullptr};
};

KLAutoencoderImpl::KLAutoencoderImpl(const KLConfig& config)
    : config_(config), parts_(std::make_shared<Parts>()) {
    auto& p = *parts_;
    const int64_t z = config_.latentChannels;
    p.encoder = register_module("encoder", Encoder(config_));
    p.decoder = register_module("decoder", Decoder(config_));
    p.quantConv = register_module("quant_conv", conv2d(2 * z, 2 * z, 1));
    p.postQuantConv = register_module("post_quant_conv", conv2d(z, z, 1));
}

torch::Tensor KLAutoencoderImpl::moments(const torch::Tensor& image, RunState* state) {
    const int64_t f = config_.downFactor();
    TORCH_CHECK(image.dim() == 4 && image.size(1) == config_.inChannels,
                "KLAutoencoder: expected [B, ", config_.inChannels, ", H, W] image, got ",
                image.sizes());
    TORCH_CHECK(image.size(2) % f == 0 && image.size(3) % f == 0,
                "KLAutoencoder: image sides must be multiples of ", f, ", got ", image.sizes());
    return run(parts_->quantConv, parts_->encoder->forward(image, state));
}

torch::Tensor KLAutoencoderImpl::encode(const torch::Tensor& image, RunState* state) {
    torch::Tensor mean, logvar;
    klSplitMoments(moments(image, state), &mean, &logvar);
    return mean * config_.scalingFactor;
}

torch::Tensor KLAutoencoderImpl::decode(const torch::Tensor& latent, RunState* state) {
    TORCH_CHECK(latent.dim() == 4 && latent.size(1) == config_.latentChannels,
                "KLAutoencoder: expected [B, ", config_.latentChannels, ", h, w] latent, got ",
                latent.sizes());
    auto z = run(parts_->postQuantConv, latent / config_.scalingFactor);
    return parts_->decoder->forward(z, state);
}

torch::nn::Module& KLAutoencoderImpl::encoderModule() {
    return *parts_->encoder;
}

torch::nn::Module& KLAutoencoderImpl::decoderModule() {
    return *parts_->decoder;
}

void klSplitMoments(const torch::Tensor& moments, torch::Tensor* mean, torch::Tensor* logvar) {
    auto halves = moments.chunk(2, 1);
    if (mean)
        *mean = halves[0];
    if (logvar)
        *logvar = halves[1].clamp(-30.0, 20.0);
}

} // namespace shiftsr::nn
