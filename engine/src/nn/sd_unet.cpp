// UNet2DConditionModel of diffusers (models/unets/unet_2d_condition.py, unet_2d_blocks.py,
// transformers/transformer_2d.py, attention.py) and the blocks it shares with the KL autoencoder.
#include "shiftsr/nn/sd_unet.h"

#include "nn/sd_blocks.h"
#include "shiftsr/nn/json_util.h"
#include "shiftsr/nn/layers.h"

#include <cmath>

namespace shiftsr::nn {

namespace F = torch::nn::functional;

// ---------------------------------------------------------------- shared blocks

namespace sd {

Status checkWidths(const std::string& what, const std::vector<int>& widths, int groups,
                   int maxLevels, int maxWidth) {
    auto bad = [&](const std::string& m) {
        return Status::error(StatusCode::InvalidFile, what + ": " + m);
    };
    const int n = int(widths.size());
    if (n < 1 || n > maxLevels)
        return bad("block_out_channels must have 1 to " + std::to_string(maxLevels) + " entries");
    if (groups < 1 || groups > maxWidth)
        return bad("norm_num_groups must be positive");
    for (int w : widths)
        if (w <= 0 || w > maxWidth || w % groups)
            return bad(
                "block_out_channels entries must be positive multiples of norm_num_groups (" +
                std::to_string(groups) + ") up to " + std::to_string(maxWidth) + ", found " +
                std::to_string(w));
    return Status::ok();
}

Status checkRange(const std::string& what, const char* key, int value, int lo, int hi) {
    if (value < lo || value > hi)
        return Status::error(StatusCode::InvalidFile, what + ": " + key + " must be " +
                                                          std::to_string(lo) + " to " +
                                                          std::to_string(hi));
    return Status::ok();
}

ResnetBlockImpl::ResnetBlockImpl(int64_t in, int64_t out, int64_t tembChannels, int64_t groups,
                                 double eps) {
    norm1 = register_module("norm1", groupNorm(in, eps, groups));
    conv1 = register_module("conv1", conv2d(in, out, 3, 1, 1));
    if (tembChannels > 0)
        timeProj = register_module("time_emb_proj", torch::nn::Linear(tembChannels, out));
    norm2 = register_module("norm2", groupNorm(out, eps, groups));
    conv2 = register_module("conv2", conv2d(out, out, 3, 1, 1));
    if (in != out)
        shortcut = register_module("conv_shortcut", conv2d(in, out, 1));
}

torch::Tensor ResnetBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& temb) {
    auto h = run(conv1, torch::silu(norm1->forward(x)));
    if (timeProj)
        h = h + run(timeProj, torch::silu(temb)).to(h.scalar_type()).unsqueeze(-1).unsqueeze(-1);
    h = run(conv2, torch::silu(norm2->forward(h)));
    return (shortcut ? run(shortcut, x) : x) + h;
}

AttentionImpl::AttentionImpl(int64_t queryDim, int64_t kvDim, int64_t heads, bool qkvBias,
                             int64_t normGroups, double normEps)
    : heads_(heads) {
    if (normGroups > 0)
        groupNorm_ = register_module("group_norm", groupNorm(queryDim, normEps, normGroups));
    const int64_t kv = kvDim > 0 ? kvDim : queryDim;
    auto linear = [&](int64_t in) {
        return torch::nn::Linear(torch::nn::LinearOptions(in, queryDim).bias(qkvBias));
    };
    toQ = register_module("to_q", linear(queryDim));
    toK = register_module("to_k", linear(kv));
    toV = register_module("to_v", linear(kv));
    auto out = holder(*this, "to_out");
    toOut = out->register_module("0", torch::nn::Linear(queryDim, queryDim));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& context) {
    const auto& kv = context.defined() ? context : x;
    auto o = multiHeadAttention(run(toQ, x), run(toK, kv), run(toV, kv), heads_);
    return run(toOut, o);
}

torch::Tensor AttentionImpl::forwardSpatial(const torch::Tensor& x) {
    const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
    auto h = groupNorm_ ? groupNorm_->forward(x) : x;
    h = h.reshape({B, C, H * W}).transpose(1, 2); // [B, N, C]
    h = forward(h);
    return x + h.transpose(1, 2).reshape({B, C, H, W});
}

torch::Tensor multiHeadAttention(const torch::Tensor& q, const torch::Tensor& k,
                                 const torch::Tensor& v, int64_t heads) {
    const int64_t B = q.size(0), N = q.size(1), C = q.size(2), M = k.size(1);
    const int64_t d = C / heads;
    // Heads fold into the batch: [B, N, h, d] -> [B*h, N, d]; keys transposed to [B*h, d, M].
    auto qh = q.reshape({B, N, heads, d}).permute({0, 2, 1, 3}).reshape({B * heads, N, d});
    auto kT = k.reshape({B, M, heads, d}).permute({0, 2, 3, 1}).reshape({B * heads, d, M});
    auto vh = v.reshape({B, M, heads, d}).permute({0, 2, 1, 3}).reshape({B * heads, M, d});
    auto o = chunkedAttention(qh, kT, vh, 1.0 / std::sqrt(double(d)));
    return o.reshape({B, heads, N, d}).permute({0, 2, 1, 3}).reshape({B, N, C});
}

torch::Tensor upsampleNearest2x(const torch::Tensor& x) {
    return F::interpolate(x, F::InterpolateFuncOptions()
                                 .scale_factor(std::vector<double>{2.0, 2.0})
                                 .mode(torch::kNearest));
}

} // namespace sd

// ---------------------------------------------------------------- config

namespace {

constexpr int kMaxWidth = 4096;
constexpr int kMaxIoChannels = 1024;
constexpr int kMaxLevels = 6;
constexpr int kMaxLayers = 8;
constexpr int kMaxTransformerLayers = 8;
constexpr int kMaxContextTokens = 1024;

Status bad(const std::string& message) {
    return Status::error(StatusCode::InvalidFile, "UNet config: " + message);
}

Status unsupported(const std::string& message) {
    return Status::error(StatusCode::Unsupported, "UNet config: " + message);
}

// Reads an int or a list of ints (diffusers allows both for several keys).
void readIntOrList(const nlohmann::json& j, const char* key, std::vector<int>* out) {
    if (!j.contains(key) || j.at(key).is_null())
        return;
    if (j.at(key).is_array()) {
        readKey(j, key, out);
    } else {
        int one = 0;
        readKey(j, key, &one);
        *out = {one};
    }
}

// diffusers keys that change the network into something this implementation does not build: set to
// anything but their default (null reads as the default), the config is refused rather than
// silently read as a different network.
Status refuseNonDefaults(const nlohmann::json& j) {
    const std::pair<const char*, nlohmann::json> defaults[] = {
        {"class_embed_type", nullptr},
        {"addition_embed_type", nullptr},
        {"num_class_embeds", nullptr},
        {"encoder_hid_dim", nullptr},
        {"encoder_hid_dim_type", nullptr},
        {"time_cond_proj_dim", nullptr},
        {"time_embedding_dim", nullptr},
        {"time_embedding_act_fn", nullptr},
        {"timestep_post_act", nullptr},
        {"cross_attention_norm", nullptr},
        {"reverse_transformer_layers_per_block", nullptr},
        {"time_embedding_type", "positional"},
        {"act_fn", "silu"},
        {"resnet_time_scale_shift", "default"},
        {"attention_type", "default"},
        {"conv_in_kernel", 3},
        {"conv_out_kernel", 3},
        {"downsample_padding", 1},
        {"mid_block_scale_factor", 1},
        {"resnet_out_scale_factor", 1},
        {"dual_cross_attention", false},
        {"center_input_sample", false},
        {"resnet_skip_time_act", false},
        {"class_embeddings_concat", false},
        {"mid_block_only_cross_attention", false},
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
    if (j.contains("only_cross_attention")) {
        const auto& v = j.at("only_cross_attention");
        bool any = v.is_boolean() && v.get<bool>();
        if (v.is_array())
            for (const auto& e : v)
                any = any || !e.is_boolean() || e.get<bool>();
        if (any)
            return unsupported("only_cross_attention = " + clipForMessage(dumpLossy(v)) +
                               " is not supported");
    }
    return Status::ok();
}

Status validate(const SDUNetConfig& c) {
    const int n = c.levels();
    const std::string what = "UNet config";
    if (Status s =
            sd::checkWidths(what, c.blockOutChannels, c.normNumGroups, kMaxLevels, kMaxWidth);
        !s)
        return s;
    if (Status s = sd::checkRange(what, "in_channels", c.inChannels, 1, kMaxIoChannels); !s)
        return s;
    if (Status s = sd::checkRange(what, "out_channels", c.outChannels, 1, kMaxIoChannels); !s)
        return s;
    if (Status s = sd::checkRange(what, "layers_per_block", c.layersPerBlock, 1, kMaxLayers); !s)
        return s;
    if (int(c.downBlockTypes.size()) != n)
        return bad("down_block_types must have one entry per block_out_channels entry");
    if (int(c.upBlockTypes.size()) != n)
        return bad("up_block_types must have one entry per block_out_channels entry");
    for (int i = 0; i < n; ++i) {
        const auto& d = c.downBlockTypes[i];
        if (d != "CrossAttnDownBlock2D" && d != "DownBlock2D")
            return unsupported("down_block_types entry \"" + clipForMessage(d) +
                               "\" is not supported");
        const std::string mirror = d == "CrossAttnDownBlock2D" ? "CrossAttnUpBlock2D" : "UpBlock2D";
        if (c.upBlockTypes[n - 1 - i] != mirror)
            return bad("up_block_types must mirror down_block_types: entry " +
                       std::to_string(n - 1 - i) + " should be \"" + mirror + "\"");
    }
    const size_t nh = c.attentionHeads.size();
    if (nh != 1 && int(nh) != n)
        return bad("attention_head_dim must be one number or one per level");
    for (int i = 0; i < n; ++i) {
        const int heads = c.headsAt(i);
        if (heads < 1)
            return bad("attention_head_dim (the number of heads) must be positive");
        const bool used = c.attentionAt(i) || (i == n - 1 && c.midBlockAttention);
        if (used && c.blockOutChannels[i] % heads)
            return bad("attention_head_dim: " + std::to_string(heads) +
                       " heads do not divide the width " + std::to_string(c.blockOutChannels[i]) +
                       " of level " + std::to_string(i));
    }
    if (!(c.normEps > 0.0 && c.normEps < 1.0))
        return bad("norm_eps must be in (0, 1)");
    if (c.crossAttentionDim < 0 || c.crossAttentionDim > kMaxWidth)
        return bad("cross_attention_dim must be null or 1 to " + std::to_string(kMaxWidth));
    if (c.contextTokens < 1 || c.contextTokens > kMaxContextTokens)
        return bad("context_tokens must be 1 to " + std::to_string(kMaxContextTokens));
    if (c.transformerLayersPerBlock < 1 || c.transformerLayersPerBlock > kMaxTransformerLayers)
        return bad("transformer_layers_per_block must be 1 to " +
                   std::to_string(kMaxTransformerLayers));
    if (c.freqShift < 0 || c.freqShift >= c.blockOutChannels[0] / 2)
        return bad("freq_shift must be at least 0 and below block_out_channels[0] / 2");
    // Every width and count may be within its range while the product is a network no machine
    // could build in reasonable time.
    if (c.weightLowerBound() > double(1u << 31))
        return bad("the network would hold more than 2^31 weights: not a model this build runs");
    return Status::ok();
}

} // namespace

double SDUNetConfig::weightLowerBound() const {
    double weights = 0;
    for (int w : blockOutChannels)
        weights += (2.0 * layersPerBlock + 1) * 18 * double(w) * w;
    return weights;
}

int SDUNetConfig::headsAt(int level) const {
    return attentionHeads.size() == 1 ? attentionHeads[0] : attentionHeads.at(level);
}

bool SDUNetConfig::attentionAt(int level) const {
    return downBlockTypes.at(level) == "CrossAttnDownBlock2D";
}

Result<SDUNetConfig> SDUNetConfig::fromJson(const nlohmann::json& j) {
    if (!j.is_object())
        return bad("not a JSON object");
    SDUNetConfig c;
    // The key being read, so a type error names it.
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
        std::vector<int> layers;
        readIntOrList(j, key, &layers);
        if (!layers.empty()) {
            for (int l : layers)
                if (l != layers[0])
                    return unsupported("layers_per_block with different values per level");
            c.layersPerBlock = layers[0];
        }
        key = "down_block_types";
        readKey(j, key, &c.downBlockTypes);
        key = "up_block_types";
        readKey(j, key, &c.upBlockTypes);
        // diffusers: num_attention_heads, when given, is the head count; attention_head_dim is the
        // historical name for the same number.
        key = "attention_head_dim";
        readIntOrList(j, key, &c.attentionHeads);
        key = "num_attention_heads";
        readIntOrList(j, key, &c.attentionHeads);
        key = "norm_num_groups";
        readKey(j, key, &c.normNumGroups);
        key = "norm_eps";
        readKey(j, key, &c.normEps);
        key = "cross_attention_dim";
        if (j.contains(key)) {
            const auto& v = j.at(key);
            if (v.is_array())
                return unsupported("cross_attention_dim as a list (one per level)");
            c.crossAttentionDim = 0;
            readKey(j, key, &c.crossAttentionDim);
        }
        key = "context_tokens";
        readKey(j, key, &c.contextTokens);
        key = "use_linear_projection";
        readKey(j, key, &c.useLinearProjection);
        key = "transformer_layers_per_block";
        if (j.contains(key) && j.at(key).is_array())
            return unsupported("transformer_layers_per_block as a list (one per level)");
        readKey(j, key, &c.transformerLayersPerBlock);
        key = "flip_sin_to_cos";
        readKey(j, key, &c.flipSinToCos);
        key = "freq_shift";
        readKey(j, key, &c.freqShift);
        key = "mid_block_attention";
        readKey(j, key, &c.midBlockAttention);
        // diffusers: UNetMidBlock2DCrossAttn is resnet, transformer, resnet; "UNetMidBlock2D" there
        // is a single resnet and null no middle block at all, neither of which this network has.
        // Only the ShiftSR key mid_block_attention=false (resnet, resnet) may go with null.
        key = "mid_block_type";
        if (j.contains(key)) {
            const auto& v = j.at(key);
            const bool explicitNoAttention =
                j.contains("mid_block_attention") && !c.midBlockAttention;
            if (v.is_null() ? !explicitNoAttention : v != "UNetMidBlock2DCrossAttn")
                return unsupported("mid_block_type = " + clipForMessage(dumpLossy(v)) +
                                   " is not supported");
        }
    } catch (const std::exception& e) {
        return bad(std::string(key) + ": " + e.what());
    }
    if (auto s = validate(c); !s)
        return s;
    return c;
}

nlohmann::json SDUNetConfig::toJson() const {
    nlohmann::json heads = attentionHeads.size() == 1 ? nlohmann::json(attentionHeads[0])
                                                      : nlohmann::json(attentionHeads);
    return {{"in_channels", inChannels},
            {"out_channels", outChannels},
            {"block_out_channels", blockOutChannels},
            {"layers_per_block", layersPerBlock},
            {"down_block_types", downBlockTypes},
            {"up_block_types", upBlockTypes},
            {"mid_block_type", "UNetMidBlock2DCrossAttn"},
            {"attention_head_dim", heads},
            {"norm_num_groups", normNumGroups},
            {"norm_eps", normEps},
            {"cross_attention_dim",
             crossAttentionDim > 0 ? nlohmann::json(crossAttentionDim) : nlohmann::json()},
            {"use_linear_projection", useLinearProjection},
            {"transformer_layers_per_block", transformerLayersPerBlock},
            {"flip_sin_to_cos", flipSinToCos},
            {"freq_shift", freqShift},
            {"act_fn", "silu"},
            {"context_tokens", contextTokens},
            {"mid_block_attention", midBlockAttention}};
}

// ---------------------------------------------------------------- network

torch::Tensor sdTimestepEmbedding(const torch::Tensor& t, int64_t dim, bool flipSinToCos,
                                  double freqShift) {
    const int64_t half = dim / 2;
    // Same float32 operation order as diffusers' get_timestep_embedding.
    auto exponent = torch::arange(0, half, torch::TensorOptions().dtype(torch::kFloat))
                        .mul(-std::log(10000.0))
                        .div(double(half) - freqShift);
    auto freqs = torch::exp(exponent).to(t.device());
    auto args = t.to(torch::kFloat).reshape({-1, 1}) * freqs.unsqueeze(0);
    auto emb = flipSinToCos ? torch::cat({torch::cos(args), torch::sin(args)}, -1)
                            : torch::cat({torch::sin(args), torch::cos(args)}, -1);
    if (dim % 2)
        emb = F::pad(emb, F::PadFuncOptions({0, 1}));
    return emb;
}

namespace {

// diffusers GEGLU feed-forward: ff.net.0.proj (C -> 2*4C), value * gelu(gate), ff.net.2 (4C -> C).
class FeedForwardImpl : public torch::nn::Module {
public:
    explicit FeedForwardImpl(int64_t dim) {
        auto net = holder(*this, "net");
        auto geglu = holder(*net, "0");
        proj = geglu->register_module("proj", torch::nn::Linear(dim, 8 * dim));
        out = net->register_module("2", torch::nn::Linear(4 * dim, dim));
    }
    torch::Tensor forward(const torch::Tensor& x) {
        auto parts = run(proj, x).chunk(2, -1); // diffusers: hidden_states, gate = chunk(2)
        return run(out, parts[0] * torch::gelu(parts[1]));
    }

private:
    torch::nn::Linear proj{nullptr}, out{nullptr};
};
TORCH_MODULE(FeedForward);

torch::nn::LayerNorm layerNorm(int64_t dim) {
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-5));
}

// diffusers BasicTransformerBlock (norm_type "layer_norm"): self-attention, cross-attention over
// the context when there is one, GEGLU feed-forward, each pre-normalised and residual.
class TransformerBlockImpl : public torch::nn::Module {
public:
    TransformerBlockImpl(int64_t dim, int64_t heads, int64_t crossDim) {
        norm1 = register_module("norm1", layerNorm(dim));
        attn1 = register_module("attn1", sd::Attention(dim, 0, heads, false));
        if (crossDim > 0) {
            norm2 = register_module("norm2", layerNorm(dim));
            attn2 = register_module("attn2", sd::Attention(dim, crossDim, heads, false));
        }
        norm3 = register_module("norm3", layerNorm(dim));
        ff = register_module("ff", FeedForward(dim));
    }
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& context) {
        x = x + attn1->forward(norm1->forward(x));
        if (attn2)
            x = x + attn2->forward(norm2->forward(x), context);
        return x + ff->forward(norm3->forward(x));
    }

private:
    torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
    sd::Attention attn1{nullptr}, attn2{nullptr};
    FeedForward ff{nullptr};
};
TORCH_MODULE(TransformerBlock);

// diffusers Transformer2DModel on continuous input: norm, proj_in, transformer_blocks, proj_out,
// plus the input.
class Transformer2DImpl : public torch::nn::Module {
public:
    Transformer2DImpl(int64_t channels, int64_t heads, int layers, int64_t crossDim, int64_t groups,
                      bool linearProjection) {
        norm = register_module("norm", groupNorm(channels, 1e-6, groups));
        if (linearProjection) {
            projInLinear = register_module("proj_in", torch::nn::Linear(channels, channels));
        } else {
            projInConv = register_module("proj_in", conv2d(channels, channels, 1));
        }
        auto blocksHolder = holder(*this, "transformer_blocks");
        for (int k = 0; k < layers; ++k)
            blocks.push_back(blocksHolder->register_module(
                std::to_string(k), TransformerBlock(channels, heads, crossDim)));
        if (linearProjection) {
            projOutLinear = register_module("proj_out", torch::nn::Linear(channels, channels));
        } else {
            projOutConv = register_module("proj_out", conv2d(channels, channels, 1));
        }
    }
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context) {
        const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
        auto h = norm->forward(x);
        auto toTokens = [&](const torch::Tensor& t) {
            return t.permute({0, 2, 3, 1}).reshape({B, H * W, C});
        };
        h = projInConv ? toTokens(run(projInConv, h)) : run(projInLinear, toTokens(h));
        for (auto& b : blocks)
            h = b->forward(h, context);
        auto toMap = [&](const torch::Tensor& t) {
            return t.reshape({B, H, W, C}).permute({0, 3, 1, 2});
        };
        h = projOutConv ? run(projOutConv, toMap(h).contiguous()) : toMap(run(projOutLinear, h));
        return h + x;
    }

private:
    torch::nn::GroupNorm norm{nullptr};
    torch::nn::Conv2d projInConv{nullptr}, projOutConv{nullptr};
    torch::nn::Linear projInLinear{nullptr}, projOutLinear{nullptr};
    std::vector<TransformerBlock> blocks;
};
TORCH_MODULE(Transformer2D);

// One down or up block: resnets (each followed by its transformer where the level has attention)
// and the resampling conv.
struct Block {
    std::vector<sd::ResnetBlock> resnets;
    std::vector<Transformer2D> attentions;
    torch::nn::Conv2d resample{nullptr};
};

} // namespace

struct SDUNetImpl::Parts {
    torch::nn::Conv2d convIn{nullptr}, convOut{nullptr};
    torch::nn::Linear time1{nullptr}, time2{nullptr};
    std::vector<Block> down, up;
    sd::ResnetBlock mid1{nullptr}, mid2{nullptr};
    Transformer2D midAttention{nullptr};
    torch::nn::GroupNorm normOut{nullptr};
    torch::Tensor context; // [1, tokens, crossAttentionDim] or undefined
};

SDUNetImpl::SDUNetImpl(const SDUNetConfig& config)
    : config_(config), parts_(std::make_shared<Parts>()) {
    const auto& c = config_;
    auto& p = *parts_;
    const int n = c.levels();
    const auto& widths = c.blockOutChannels;
    const int64_t temb = 4 * int64_t(widths[0]);
    const int64_t groups = c.normNumGroups;
    const double eps = c.normEps;
    auto transformer = [&](int64_t channels, int level) {
        return Transformer2D(channels, c.headsAt(level), c.transformerLayersPerBlock,
                             c.crossAttentionDim, groups, c.useLinearProjection);
    };

    p.convIn = register_module("conv_in", conv2d(c.inChannels, widths[0], 3, 1, 1));
    auto timeEmbedding = holder(*this, "time_embedding");
    p.time1 = timeEmbedding->register_module("linear_1", torch::nn::Linear(widths[0], temb));
    p.time2 = timeEmbedding->register_module("linear_2", torch::nn::Linear(temb, temb));

    auto downHolder = holder(*this, "down_blocks");
    int64_t out = widths[0];
    for (int i = 0; i < n; ++i) {
        const int64_t in = out;
        out = widths[i];
        auto blockHolder = holder(*downHolder, std::to_string(i));
        auto resnets = holder(*blockHolder, "resnets");
        auto attentions = c.attentionAt(i) ? holder(*blockHolder, "attentions") : nullptr;
        Block b;
        for (int j = 0; j < c.layersPerBlock; ++j) {
            b.resnets.push_back(resnets->register_module(
                std::to_string(j), sd::ResnetBlock(j == 0 ? in : out, out, temb, groups, eps)));
            if (attentions)
                b.attentions.push_back(
                    attentions->register_module(std::to_string(j), transformer(out, i)));
        }
        if (i + 1 < n) {
            auto ds = holder(*holder(*blockHolder, "downsamplers"), "0");
            b.resample = ds->register_module("conv", conv2d(out, out, 3, 2, 1));
        }
        p.down.push_back(std::move(b));
    }

    const int64_t deepest = widths[n - 1];
    auto mid = holder(*this, "mid_block");
    auto midResnets = holder(*mid, "resnets");
    p.mid1 = midResnets->register_module("0", sd::ResnetBlock(deepest, deepest, temb, groups, eps));
    if (c.midBlockAttention)
        p.midAttention =
            holder(*mid, "attentions")->register_module("0", transformer(deepest, n - 1));
    p.mid2 = midResnets->register_module("1", sd::ResnetBlock(deepest, deepest, temb, groups, eps));

    // Up block i runs level n-1-i. Its resnet j takes the previous output (the block's input for
    // j == 0) concatenated with the skip saved by the mirrored down path: the level's own width,
    // except the last, whose skip comes from the level below (or conv_in) at that level's width.
    auto upHolder = holder(*this, "up_blocks");
    out = deepest;
    for (int i = 0; i < n; ++i) {
        const int level = n - 1 - i;
        const int64_t prevOut = out;
        out = widths[level];
        const int64_t skipIn = widths[std::max(level - 1, 0)];
        auto blockHolder = holder(*upHolder, std::to_string(i));
        auto resnets = holder(*blockHolder, "resnets");
        auto attentions = c.attentionAt(level) ? holder(*blockHolder, "attentions") : nullptr;
        Block b;
        for (int j = 0; j <= c.layersPerBlock; ++j) {
            const int64_t skip = j == c.layersPerBlock ? skipIn : out;
            const int64_t resIn = j == 0 ? prevOut : out;
            b.resnets.push_back(resnets->register_module(
                std::to_string(j), sd::ResnetBlock(resIn + skip, out, temb, groups, eps)));
            if (attentions)
                b.attentions.push_back(
                    attentions->register_module(std::to_string(j), transformer(out, level)));
        }
        if (i + 1 < n) {
            auto us = holder(*holder(*blockHolder, "upsamplers"), "0");
            b.resample = us->register_module("conv", conv2d(out, out, 3, 1, 1));
        }
        p.up.push_back(std::move(b));
    }

    p.normOut = register_module("conv_norm_out", groupNorm(widths[0], eps, groups));
    p.convOut = register_module("conv_out", conv2d(widths[0], c.outChannels, 3, 1, 1));
    if (c.crossAttentionDim > 0)
        p.context = register_parameter(
            "context", torch::zeros({1, int64_t(c.contextTokens), int64_t(c.crossAttentionDim)}));
}

torch::Tensor SDUNetImpl::forward(const torch::Tensor& x, const torch::Tensor& t, RunState* state) {
    const auto& c = config_;
    auto& p = *parts_;
    TORCH_CHECK(x.dim() == 4 && x.size(1) == c.inChannels, "SDUNet: expected [B, ", c.inChannels,
                ", h, w] input, got ", x.sizes());
    TORCH_CHECK(x.size(2) % c.downFactor() == 0 && x.size(3) % c.downFactor() == 0,
                "SDUNet: latent sides must be multiples of ", c.downFactor(), ", got ", x.sizes());
    const int64_t B = x.size(0);
    auto steps = t.reshape({-1});
    if (steps.numel() == 1 && B > 1)
        steps = steps.expand({B});
    TORCH_CHECK(steps.numel() == B, "SDUNet: one timestep per batch item expected");

    auto emb = sdTimestepEmbedding(steps, c.blockOutChannels[0], c.flipSinToCos, c.freqShift)
                   .to(x.device(), x.scalar_type());
    auto temb = run(p.time2, torch::silu(run(p.time1, emb)));
    torch::Tensor context;
    if (p.context.defined())
        context = p.context.to(x.scalar_type()).expand({B, -1, -1});

    const size_t total = p.down.size() + 1 + p.up.size();
    size_t done = 0;
    auto h = run(p.convIn, x);
    std::vector<torch::Tensor> skips{h};
    for (auto& b : p.down) {
        for (size_t j = 0; j < b.resnets.size(); ++j) {
            h = b.resnets[j]->forward(h, temb);
            if (!b.attentions.empty())
                h = b.attentions[j]->forward(h, context);
            skips.push_back(h);
        }
        if (b.resample) {
            h = run(b.resample, h);
            skips.push_back(h);
        }
        if (state)
            state->afterBlock(++done, total);
    }
    h = p.mid1->forward(h, temb);
    if (p.midAttention)
        h = p.midAttention->forward(h, context);
    h = p.mid2->forward(h, temb);
    if (state)
        state->afterBlock(++done, total);
    for (auto& b : p.up) {
        for (size_t j = 0; j < b.resnets.size(); ++j) {
            h = torch::cat({h, skips.back()}, 1);
            skips.pop_back();
            h = b.resnets[j]->forward(h, temb);
            if (!b.attentions.empty())
                h = b.attentions[j]->forward(h, context);
        }
        if (b.resample)
            h = run(b.resample, sd::upsampleNearest2x(h));
        if (state)
            state->afterBlock(++done, total);
    }
    return run(p.convOut, torch::silu(p.normOut->forward(h)));
}

} // namespace shiftsr::nn
