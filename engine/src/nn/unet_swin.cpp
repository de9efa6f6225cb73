// UNetModelSwin (models/unet.py + models/swin_transformer.py of the official ResShift code).
#include "shiftsr/nn/unet_swin.h"

#include "shiftsr/nn/json_util.h"
#include "shiftsr/nn/layers.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <tuple>

namespace shiftsr::nn {

namespace F = torch::nn::functional;

// ---------------------------------------------------------------- config

Result<UNetSwinConfig> UNetSwinConfig::fromJson(const nlohmann::json& j) {
    if (!j.is_object())
        return Status::error(StatusCode::InvalidFile, "UNet config is not a JSON object");
    UNetSwinConfig c;
    try {
        readKey(j, "image_size", &c.imageSize);
        readKey(j, "in_channels", &c.inChannels);
        readKey(j, "model_channels", &c.modelChannels);
        readKey(j, "out_channels", &c.outChannels);
        readKey(j, "attention_resolutions", &c.attentionResolutions);
        readKey(j, "dropout", &c.dropout);
        readKey(j, "channel_mult", &c.channelMult);
        if (j.contains("num_res_blocks") && j["num_res_blocks"].is_number_integer()) {
            int n = 0;
            readKey(j, "num_res_blocks", &n);
            c.numResBlocks.assign(c.channelMult.size(), n);
        } else
            readKey(j, "num_res_blocks", &c.numResBlocks);
        readKey(j, "conv_resample", &c.convResample);
        readKey(j, "dims", &c.dims);
        readKey(j, "num_heads", &c.numHeads);
        readKey(j, "num_head_channels", &c.numHeadChannels);
        readKey(j, "use_scale_shift_norm", &c.useScaleShiftNorm);
        readKey(j, "resblock_updown", &c.resblockUpdown);
        readKey(j, "swin_depth", &c.swinDepth);
        readKey(j, "swin_embed_dim", &c.swinEmbedDim);
        readKey(j, "window_size", &c.windowSize);
        readKey(j, "mlp_ratio", &c.mlpRatio);
        readKey(j, "patch_norm", &c.patchNorm);
        readKey(j, "cond_lq", &c.condLq);
        readKey(j, "cond_mask", &c.condMask);
        readKey(j, "lq_size", &c.lqSize);
        readKey(j, "extra_input_channels", &c.extraInputChannels);
    } catch (const std::exception& e) {
        return Status::error(StatusCode::InvalidFile, std::string("UNet config: ") + e.what());
    }
    if (c.dims != 2)
        return Status::error(StatusCode::Unsupported, "UNet config: only dims=2 is supported");
    if (c.resblockUpdown)
        return Status::error(StatusCode::Unsupported,
                             "UNet config: resblock_updown=true is not supported");
    if (!c.condLq)
        return Status::error(StatusCode::Unsupported,
                             "UNet config: cond_lq=false is not supported");
    if (Status s = c.validate(); !s)
        return s;
    return c;
}

namespace {

// Architecture limits. The official networks use image_size 64, model_channels 160, four levels,
// two res blocks, swin depth 2, window 8; the limits leave room for far larger ones but refuse
// what no real model has and what would take minutes or gigabytes to build (a depth of 10^9,
// lq_size 2^30, a 10^6 channel multiplier) before anything is allocated.
constexpr int kMaxLevels = 6;
constexpr int kMaxChannelMult = 16;
constexpr int kMaxChannels = 4096;
constexpr int kMaxImageSize = 512;
constexpr int kMaxLqRatioLog2 = 4; // lq_size up to 16 x image_size
constexpr int kMaxResBlocks = 8;
constexpr int kMaxSwinDepth = 32;
constexpr int kMaxWindowSize = 32;
constexpr int kMaxIoChannels = 256;
constexpr int kMaxHeads = 64;
constexpr double kMaxMlpRatio = 16;
constexpr int kMaxAttentionResolutions = 16;
// 2^30 values = 4 GiB in fp32: far beyond ResShift (~120 M parameters) and beyond what a desktop
// build of this network can hold.
constexpr double kMaxValues = double(1 << 30);

} // namespace

UNetSwinConfig::Cost UNetSwinConfig::estimateCost() const {
    Cost cost;
    const double mc = modelChannels, temb = 4.0 * mc, e = swinEmbedDim;
    const double tembMul = useScaleShiftNorm ? 2 : 1;
    auto res = [&](double in, double out) {
        cost.parameters += 9 * in * out + 9 * out * out + temb * tembMul * out;
    };
    auto swin = [&](double ds) {
        const double ws = std::min<double>(windowSize, ds);
        cost.parameters += swinDepth * (4 * e * e + 2 * e * e * mlpRatio);
        // relative_position_index per block; shift masks (nW x N x N = ds^2 ws^2) on odd blocks
        cost.buffers += swinDepth * ws * ws * ws * ws + (swinDepth / 2) * ds * ds * ws * ws;
    };
    auto hasAttn = [&](int d) {
        return std::find(attentionResolutions.begin(), attentionResolutions.end(), d) !=
               attentionResolutions.end();
    };
    double base = 3;
    for (int r = lqSize / imageSize; r > 1; r /= 2) {
        cost.parameters += 9 * base * 16 + 9 * 16 * 32;
        base = 32;
    }
    std::vector<double> chans;
    double ch = double(channelMult[0]) * mc;
    chans.push_back(ch);
    int ds = imageSize;
    for (size_t level = 0; level < channelMult.size(); ++level) {
        const double out = double(channelMult[level]) * mc;
        for (int j = 0; j < numResBlocks[level]; ++j) {
            res(ch, out);
            ch = out;
            if (hasAttn(ds) && j == 0)
                swin(ds);
            chans.push_back(ch);
        }
        if (level + 1 != channelMult.size()) {
            if (convResample)
                cost.parameters += 9 * ch * ch;
            chans.push_back(ch);
            ds /= 2;
        }
    }
    res(ch, ch);
    res(ch, ch);
    swin(ds);
    for (int level = int(channelMult.size()) - 1; level >= 0; --level) {
        const double out = double(channelMult[level]) * mc;
        for (int i = 0; i <= numResBlocks[level]; ++i) {
            res(ch + chans.back(), out);
            chans.pop_back();
            ch = out;
            if (hasAttn(ds) && i == 0)
                swin(ds);
            if (level && i == numResBlocks[level])
                ds *= 2;
        }
    }
    return cost;
}

Status UNetSwinConfig::validate() const {
    auto bad = [](const std::string& m) {
        return Status::error(StatusCode::InvalidFile, "UNet config: " + m);
    };
    auto range = [&](const char* key, double v, double lo, double hi) {
        if (v >= lo && v <= hi)
            return Status::ok();
        std::ostringstream o;
        o << std::setprecision(12) << key << " must be from " << lo << " to " << hi << ", not "
          << v;
        return bad(o.str());
    };
    const int levels = int(channelMult.size());
    if (levels < 1 || levels > kMaxLevels)
        return bad("channel_mult must have 1 to " + std::to_string(kMaxLevels) + " entries");
    if (numResBlocks.size() != channelMult.size())
        return bad("num_res_blocks must have one entry per channel_mult entry");
    for (const auto& [key, v, lo, hi] :
         {std::tuple<const char*, double, double, double>{"model_channels", modelChannels, 32,
                                                          1024},
          {"swin_embed_dim", swinEmbedDim, 32, 1024},
          {"image_size", imageSize, 1, kMaxImageSize},
          {"lq_size", lqSize, 1, double(kMaxImageSize) * (1 << kMaxLqRatioLog2)},
          {"window_size", windowSize, 2, kMaxWindowSize},
          {"swin_depth", swinDepth, 0, kMaxSwinDepth},
          {"in_channels", inChannels, 1, kMaxIoChannels},
          {"out_channels", outChannels, 1, kMaxIoChannels},
          {"extra_input_channels", extraInputChannels, 0, kMaxIoChannels},
          {"num_heads", numHeads, 1, kMaxHeads},
          {"mlp_ratio", mlpRatio, 0.0625, kMaxMlpRatio},
          {"dropout", dropout, 0, 1}})
        if (Status s = range(key, v, lo, hi); !s)
            return s;
    if (modelChannels % 32 || swinEmbedDim % 32)
        return bad("model_channels and swin_embed_dim must be multiples of 32 (GroupNorm32)");
    if (numHeadChannels != -1 && (numHeadChannels <= 0 || swinEmbedDim % numHeadChannels ||
                                  swinEmbedDim / numHeadChannels > kMaxHeads))
        return bad("num_head_channels must be -1 or divide swin_embed_dim into at most " +
                   std::to_string(kMaxHeads) + " heads");
    if (numHeadChannels == -1 && swinEmbedDim % numHeads)
        return bad("swin_embed_dim must be a multiple of num_heads");
    for (int m : channelMult)
        if (m < 1 || m > kMaxChannelMult || m * modelChannels > kMaxChannels)
            return bad("channel_mult entries must be from 1 to " + std::to_string(kMaxChannelMult) +
                       " and keep channels up to " + std::to_string(kMaxChannels) + ", found " +
                       std::to_string(m));
    for (int n : numResBlocks)
        if (n < 0 || n > kMaxResBlocks)
            return bad("num_res_blocks entries must be from 0 to " + std::to_string(kMaxResBlocks) +
                       ", found " + std::to_string(n));
    if (attentionResolutions.size() > kMaxAttentionResolutions)
        return bad("attention_resolutions has more than " +
                   std::to_string(kMaxAttentionResolutions) + " entries");
    // The swin shift is window_size / 2 and the window grid must tile every feature map.
    if (windowSize % 2)
        return bad("window_size must be even (the shifted windows move by half a window), not " +
                   std::to_string(windowSize));
    if (imageSize % (1 << (levels - 1)))
        return bad("image_size " + std::to_string(imageSize) + " cannot be halved " +
                   std::to_string(levels - 1) + " times (one per channel_mult level)");
    for (int level = 0, ds = imageSize; level < levels; ++level, ds /= 2)
        if (ds > windowSize && ds % windowSize)
            return bad("window_size " + std::to_string(windowSize) +
                       " does not tile the feature map of side " + std::to_string(ds) +
                       " (image_size / 2^level)");
    if (lqSize < imageSize || lqSize % imageSize ||
        ((lqSize / imageSize) & (lqSize / imageSize - 1)))
        return bad("lq_size must be image_size times a power of two (found " +
                   std::to_string(lqSize) + " and " + std::to_string(imageSize) + ")");
    if (lqSize / imageSize > (1 << kMaxLqRatioLog2))
        return bad("lq_size may be at most " + std::to_string(1 << kMaxLqRatioLog2) +
                   " x image_size");
    const Cost cost = estimateCost();
    if (cost.parameters + cost.buffers > kMaxValues)
        return bad("the network would hold about " +
                   std::to_string(std::llround((cost.parameters + cost.buffers) / 1e6)) +
                   " million values (more than " + std::to_string(std::llround(kMaxValues / 1e6)) +
                   " million): not a model this build can run");
    return Status::ok();
}

nlohmann::json UNetSwinConfig::toJson() const {
    nlohmann::json j = {{"image_size", imageSize},
                        {"in_channels", inChannels},
                        {"model_channels", modelChannels},
                        {"out_channels", outChannels},
                        {"attention_resolutions", attentionResolutions},
                        {"dropout", dropout},
                        {"channel_mult", channelMult},
                        {"num_res_blocks", numResBlocks},
                        {"conv_resample", convResample},
                        {"dims", dims},
                        {"use_fp16", false},
                        {"num_heads", numHeads},
                        {"num_head_channels", numHeadChannels},
                        {"use_scale_shift_norm", useScaleShiftNorm},
                        {"resblock_updown", resblockUpdown},
                        {"swin_depth", swinDepth},
                        {"swin_embed_dim", swinEmbedDim},
                        {"window_size", windowSize},
                        {"mlp_ratio", mlpRatio},
                        {"patch_norm", patchNorm},
                        {"cond_lq", condLq},
                        {"cond_mask", condMask},
                        {"lq_size", lqSize}};
    if (extraInputChannels)
        j["extra_input_channels"] = extraInputChannels;
    return j;
}

UNetSwinConfig UNetSwinConfig::v3() {
    return UNetSwinConfig();
}

// ---------------------------------------------------------------- helpers

torch::Tensor timestepEmbedding(const torch::Tensor& t, int64_t dim, double maxPeriod) {
    const int64_t half = dim / 2;
    auto freqs = torch::exp(torch::arange(0, half, torch::TensorOptions().dtype(torch::kFloat))
                                .mul(-std::log(maxPeriod))
                                .div(double(half)))
                     .to(t.device());
    auto args = t.to(torch::kFloat).unsqueeze(1) * freqs.unsqueeze(0);
    auto emb = torch::cat({torch::cos(args), torch::sin(args)}, -1);
    if (dim % 2)
        emb = torch::cat({emb, torch::zeros_like(emb.slice(1, 0, 1))}, -1);
    return emb;
}

// Python slice semantics on an axis of length n: returns [begin, end) after clamping.
static std::pair<int64_t, int64_t> pySlice(int64_t n, std::optional<int64_t> start,
                                           std::optional<int64_t> stop) {
    auto norm = [n](int64_t v) {
        if (v < 0)
            v += n;
        return std::clamp<int64_t>(v, 0, n);
    };
    int64_t b = start ? norm(*start) : 0;
    int64_t e = stop ? norm(*stop) : n;
    return {b, std::max(b, e)};
}

torch::Tensor swinShiftMask(int64_t H, int64_t W, int64_t ws, int64_t s) {
    // img_mask has shape (1, 1, H, W) but is indexed [:, h, w, :]: the h-slices act on the
    // size-1 channel axis and the w-slices on H. Reproduced literally.
    auto img = torch::zeros({1, 1, H, W});
    const std::optional<int64_t> none;
    const std::pair<std::optional<int64_t>, std::optional<int64_t>> slices[3] = {
        {0, -ws}, {-ws, -s}, {-s, none}};
    int cnt = 0;
    for (const auto& hs : slices) {
        for (const auto& wsl : slices) {
            auto [hb, he] = pySlice(1, hs.first, hs.second);
            auto [wb, we] = pySlice(H, wsl.first, wsl.second);
            if (he > hb && we > wb)
                img.slice(1, hb, he).slice(2, wb, we).fill_(double(cnt));
            ++cnt;
        }
    }
    auto windows = img.view({1, 1, H / ws, ws, W / ws, ws})
                       .permute({0, 2, 4, 3, 5, 1})
                       .contiguous()
                       .view({-1, ws, ws, 1});
    auto mw = windows.permute({0, 2, 3, 1}).contiguous().view({-1, ws * ws});
    auto mask = mw.unsqueeze(1) - mw.unsqueeze(2);
    return mask.masked_fill(mask != 0, -100.0).masked_fill(mask == 0, 0.0);
}

// ---------------------------------------------------------------- blocks

class ResBlockImpl : public torch::nn::Module {
public:
    ResBlockImpl(int64_t channels, int64_t embChannels, int64_t outChannels, bool scaleShift)
        : scaleShift_(scaleShift) {
        auto in = holder(*this, "in_layers");
        inNorm = in->register_module("0", groupNorm(channels, 1e-5));
        inConv = in->register_module("2", conv2d(channels, outChannels, 3, 1, 1));
        auto emb = holder(*this, "emb_layers");
        embLinear = emb->register_module(
            "1", torch::nn::Linear(embChannels, scaleShift ? 2 * outChannels : outChannels));
        auto out = holder(*this, "out_layers");
        outNorm = out->register_module("0", groupNorm(outChannels, 1e-5));
        outConv = out->register_module("3", conv2d(outChannels, outChannels, 3, 1, 1));
        if (outChannels != channels)
            skip = register_module("skip_connection", conv2d(channels, outChannels, 1));
    }

    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& emb) {
        auto h = run(inConv, torch::silu(inNorm->forward(x)));
        auto e = run(embLinear, torch::silu(emb)).to(h.scalar_type()).unsqueeze(-1).unsqueeze(-1);
        if (scaleShift_) {
            auto ch = e.chunk(2, 1);
            // GN(h) * (1 + scale) + shift
            h = torch::addcmul(ch[1], outNorm->forward(h), ch[0] + 1.0);
        } else {
            h = outNorm->forward(h + e);
        }
        h = run(outConv, torch::silu(h));
        return (skip ? run(skip, x) : x) + h;
    }

private:
    bool scaleShift_;
    torch::nn::GroupNorm inNorm{nullptr}, outNorm{nullptr};
    torch::nn::Conv2d inConv{nullptr}, outConv{nullptr}, skip{nullptr};
    torch::nn::Linear embLinear{nullptr};
};
TORCH_MODULE(ResBlock);

class WindowAttentionImpl : public torch::nn::Module {
public:
    WindowAttentionImpl(int64_t dim, int64_t ws, int64_t heads)
        : dim_(dim), ws_(ws), heads_(heads) {
        table = register_parameter("relative_position_bias_table",
                                   torch::zeros({(2 * ws - 1) * (2 * ws - 1), heads}));
        auto coords = torch::stack(torch::meshgrid({torch::arange(ws), torch::arange(ws)}, "ij"));
        auto flat = coords.flatten(1);
        auto rel = (flat.unsqueeze(2) - flat.unsqueeze(1)).permute({1, 2, 0}).contiguous();
        rel.select(2, 0).add_(ws - 1);
        rel.select(2, 1).add_(ws - 1);
        rel.select(2, 0).mul_(2 * ws - 1);
        index = register_buffer("relative_position_index", rel.sum(-1).to(torch::kLong));
        qkv = register_module("qkv",
                              torch::nn::Linear(torch::nn::LinearOptions(dim, 3 * dim).bias(true)));
        proj = register_module("proj", torch::nn::Linear(dim, dim));
    }

    // Relative position bias [heads, N, N].
    torch::Tensor bias() const {
        const int64_t N = ws_ * ws_;
        return table.index_select(0, index.view(-1).to(torch::kLong))
            .view({N, N, -1})
            .permute({2, 0, 1});
    }

    int64_t heads() const { return heads_; }

    // q, k, v: [B_, heads, N, hd]; addend: [nW or 1, heads, N, N] (bias with the shift mask
    // folded in); nW divides B_. Returns softmax(q k^T / sqrt(hd) + addend) v.
    torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                         const torch::Tensor& addend) {
        const int64_t B_ = q.size(0), N = q.size(2), hd = q.size(3);
        auto a = torch::matmul(q * (1.0 / std::sqrt(double(hd))), k.transpose(-2, -1));
        const int64_t nW = addend.size(0);
        a = a.view({B_ / nW, nW, heads_, N, N}).add_(addend.unsqueeze(0)).view({B_, heads_, N, N});
        return torch::matmul(a.softmax(-1), v);
    }

    // x: [B_, N, C]; addend: [nW or 1, heads, N, N] (bias with mask folded in); nW divides B_.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& addend) {
        const int64_t B_ = x.size(0), N = x.size(1), C = x.size(2), hd = C / heads_;
        auto qkvOut = run(qkv, x).view({B_, N, 3, heads_, hd}).permute({2, 0, 3, 1, 4});
        auto q = qkvOut[0] * (1.0 / std::sqrt(double(hd)));
        auto k = qkvOut[1];
        auto v = qkvOut[2];
        auto attn = torch::matmul(q, k.transpose(-2, -1)); // [B_, heads, N, N]
        const int64_t nW = addend.size(0);
        attn = attn.view({B_ / nW, nW, heads_, N, N})
                   .add_(addend.unsqueeze(0))
                   .view({B_, heads_, N, N});
        attn = attn.softmax(-1);
        auto out = torch::matmul(attn, v).transpose(1, 2).reshape({B_, N, C});
        return run(proj, out);
    }

    torch::Tensor table, index;
    torch::nn::Linear qkv{nullptr}, proj{nullptr};

private:
    int64_t dim_, ws_, heads_;
};
TORCH_MODULE(WindowAttention);

class SwinBlockImpl : public torch::nn::Module {
public:
    SwinBlockImpl(int64_t dim, int64_t nominal, int64_t heads, int64_t ws, int64_t shift,
                  double mlpRatio)
        : nominal_(nominal), ws_(ws), shift_(shift) {
        if (nominal <= ws_) {
            shift_ = 0;
            ws_ = nominal;
        }
        norm1 = register_module("norm1", groupNorm(dim, 1e-5));
        attn = register_module("attn", WindowAttention(dim, ws_, heads));
        norm2 = register_module("norm2", groupNorm(dim, 1e-5));
        auto mlp = holder(*this, "mlp");
        const auto hidden = int64_t(dim * mlpRatio);
        fc1 = mlp->register_module("fc1", conv2d(dim, hidden, 1));
        fc2 = mlp->register_module("fc2", conv2d(hidden, dim, 1));
        if (shift_ > 0)
            mask = register_buffer("attn_mask", swinShiftMask(nominal_, nominal_, ws_, shift_));
    }

    int64_t windowSize() const { return ws_; }

    torch::Tensor forward(const torch::Tensor& x, RunState* state) {
        const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
        const int64_t ws = ws_, N = ws * ws, heads = attn->heads(), hd = C / heads;
        const int64_t Hn = H / ws, Wn = W / ws;
        TORCH_CHECK(H % ws == 0 && W % ws == 0, "swin feature size ", H, "x", W,
                    " is not a multiple of the window size ", ws);
        auto h = norm1->forward(x);
        if (shift_ > 0)
            h = torch::roll(h, {-shift_, -shift_}, {2, 3});
        // The per-token qkv/proj Linear layers commute with roll and window partition, so they
        // run as 1x1 convolutions on the whole map (oneDNN) instead of per-window GEMMs.
        auto qkv = conv1x1(h, attn->qkv->weight.view({3 * C, C, 1, 1}), attn->qkv->bias);
        // channel = s*C + head*hd + d  ->  (3, B*nW, heads, N, hd), windows row-major
        qkv = qkv.reshape({B, 3, heads, hd, Hn, ws, Wn, ws})
                  .permute({1, 0, 4, 6, 2, 5, 7, 3})
                  .reshape({3, B * Hn * Wn, heads, N, hd});
        auto out =
            attn->attend(qkv[0], qkv[1], qkv[2], addend(H, W, x, state)); // [B_, heads, N, hd]
        // back to a channels-last map: (B, Hn, ws, Wn, ws, heads, hd) -> [B, C, H, W]
        auto map = out.view({B, Hn, Wn, heads, ws, ws, hd})
                       .permute({0, 1, 4, 2, 5, 3, 6})
                       .contiguous()
                       .view({B, H, W, C})
                       .permute({0, 3, 1, 2});
        h = conv1x1(map, attn->proj->weight.view({C, C, 1, 1}), attn->proj->bias);
        if (shift_ > 0)
            h = torch::roll(h, {shift_, shift_}, {2, 3});
        auto y = x + h;
        auto m = run(fc2, torch::gelu(run(fc1, norm2->forward(y))));
        return y + m;
    }

private:
    // Bias (+ shift mask) for a feature size; a run's state keeps it while the weights stay
    // unchanged.
    torch::Tensor addend(int64_t H, int64_t W, const torch::Tensor& like, RunState* state) {
        const bool cacheable = state && !torch::GradMode::is_enabled();
        RunState::AddendKey key;
        if (cacheable) {
            // Inference tensors keep no version counter; weights built that way are never updated.
            key = {H, W,
                   attn->table.is_inference()
                       ? 0u
                       : attn->table.unsafeGetTensorImpl()->version_counter().current_version(),
                   like.scalar_type(), like.device().str()};
            if (auto hit = state->addend(this, key); hit.defined())
                return hit;
        }
        auto bias = attn->bias().to(like.scalar_type()).unsqueeze(0); // [1, heads, N, N]
        torch::Tensor out = bias;
        if (shift_ > 0) {
            torch::Tensor m = (H == nominal_ && W == nominal_)
                                  ? mask
                                  : swinShiftMask(H, W, ws_, shift_).to(like.device());
            out = bias + m.to(like.scalar_type()).unsqueeze(1); // [nW, heads, N, N]
        }
        out = out.contiguous();
        if (cacheable)
            state->storeAddend(this, key, out);
        return out;
    }

    int64_t nominal_, ws_, shift_;
    torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
    WindowAttention attn{nullptr};
    torch::nn::Conv2d fc1{nullptr}, fc2{nullptr};
    torch::Tensor mask;
};
TORCH_MODULE(SwinBlock);

class SwinBasicLayerImpl : public torch::nn::Module {
public:
    SwinBasicLayerImpl(int64_t inChans, const UNetSwinConfig& c, int64_t imgSize) {
        const int64_t embed = c.swinEmbedDim;
        auto pe = holder(*this, "patch_embed");
        embedProj = pe->register_module("proj", conv2d(inChans, embed, 1));
        if (c.patchNorm)
            embedNorm = pe->register_module("norm", groupNorm(embed, 1e-5));
        auto blocks = holder(*this, "blocks");
        for (int i = 0; i < c.swinDepth; ++i)
            blocks_.push_back(blocks->register_module(
                std::to_string(i), SwinBlock(embed, imgSize, c.swinHeads(), c.windowSize,
                                             i % 2 == 0 ? 0 : c.windowSize / 2, c.mlpRatio)));
        auto pu = holder(*this, "patch_unembed");
        unembedProj = pu->register_module("proj", conv2d(embed, inChans, 1));
        if (c.patchNorm)
            unembedNorm = pu->register_module("norm", groupNorm(inChans, 1e-5));
    }

    torch::Tensor forward(const torch::Tensor& x, RunState* state) {
        auto h = run(embedProj, x);
        if (embedNorm)
            h = embedNorm->forward(h);
        for (auto& b : blocks_)
            h = b->forward(h, state);
        h = run(unembedProj, h);
        if (unembedNorm)
            h = unembedNorm->forward(h);
        return h;
    }

private:
    torch::nn::Conv2d embedProj{nullptr}, unembedProj{nullptr};
    torch::nn::GroupNorm embedNorm{nullptr}, unembedNorm{nullptr};
    std::vector<SwinBlock> blocks_;
};
TORCH_MODULE(SwinBasicLayer);

class TimestepSequentialImpl : public torch::nn::Module {
public:
    enum class Kind { Conv, Res, Swin, Down, Up };
    template <class M> void add(Kind kind, M module) {
        const auto name = std::to_string(items_.size());
        items_.push_back({kind, torch::nn::AnyModule(register_module(name, module))});
    }
    // A nameless layer (no parameters): nearest up / avg-pool down without conv.
    void addParameterless(Kind kind) { items_.push_back({kind, torch::nn::AnyModule()}); }

    torch::Tensor forward(torch::Tensor h, const torch::Tensor& emb, RunState* state,
                          torch::Tensor* swinIn = nullptr, torch::Tensor* swinOut = nullptr) {
        for (auto& it : items_) {
            switch (it.kind) {
            case Kind::Res:
                h = it.module.get<ResBlock>()->forward(h, emb);
                break;
            case Kind::Swin:
                if (swinIn)
                    *swinIn = h;
                h = it.module.get<SwinBasicLayer>()->forward(h, state);
                if (swinOut)
                    *swinOut = h;
                break;
            case Kind::Conv:
                h = run(it.module.get<torch::nn::Conv2d>(), h);
                break;
            case Kind::Down:
                h = it.module.is_empty() ? F::avg_pool2d(h, F::AvgPool2dFuncOptions(2).stride(2))
                                         : it.module.forward(h);
                break;
            case Kind::Up:
                h = F::interpolate(h, F::InterpolateFuncOptions()
                                          .scale_factor(std::vector<double>{2.0, 2.0})
                                          .mode(torch::kNearest));
                if (!it.module.is_empty())
                    h = it.module.forward(h);
                break;
            }
        }
        return h;
    }

    bool hasSwin() const {
        for (auto& it : items_)
            if (it.kind == Kind::Swin)
                return true;
        return false;
    }
    bool downsamples() const {
        for (auto& it : items_)
            if (it.kind == Kind::Down)
                return true;
        return false;
    }

private:
    struct Item {
        Kind kind;
        torch::nn::AnyModule module;
    };
    std::vector<Item> items_;
};

// ---------------------------------------------------------------- UNet

namespace {
// Upsample/Downsample keep their conv under `conv` / `op`.
class ConvHolderImpl : public torch::nn::Module {
public:
    ConvHolderImpl(const std::string& name, torch::nn::Conv2d conv)
        : conv_(register_module(name, conv)) {}
    torch::Tensor forward(const torch::Tensor& x) { return run(conv_, x); }

private:
    torch::nn::Conv2d conv_;
};
TORCH_MODULE(ConvHolder);
} // namespace

UNetModelSwinImpl::UNetModelSwinImpl(const UNetSwinConfig& c) : config_(c) {
    const int64_t mc = c.modelChannels, temb = mc * 4;
    auto te = holder(*this, "time_embed");
    timeEmbed0 = te->register_module("0", torch::nn::Linear(mc, temb));
    timeEmbed2 = te->register_module("2", torch::nn::Linear(temb, temb));

    int64_t baseChn;
    if (c.condLq && c.lqSize == c.imageSize) {
        featureIdentity_ = true;
        baseChn = c.condMask ? 4 : 3;
    } else {
        featureIdentity_ = false;
        auto fe = holder(*this, "feature_extractor");
        int64_t featureChn = c.condMask ? 4 : 3;
        baseChn = 16;
        const int n = int(std::log(double(c.lqSize) / c.imageSize) / std::log(2.0));
        for (int i = 0; i < n; ++i) {
            featureExtractor_.emplace_back(
                fe->register_module(std::to_string(3 * i), conv2d(featureChn, baseChn, 3, 1, 1)));
            featureExtractor_.emplace_back(torch::nn::SiLU());
            featureExtractor_.emplace_back(
                fe->register_module(std::to_string(3 * i + 2),
                                    ConvHolder("op", conv2d(baseChn, baseChn * 2, 3, 2, 1))));
            baseChn *= 2;
            featureChn = baseChn;
        }
    }

    using Kind = TimestepSequentialImpl::Kind;
    auto inputs = holder(*this, "input_blocks");
    auto newBlock = [](std::shared_ptr<torch::nn::Module> parent,
                       std::vector<std::shared_ptr<TimestepSequentialImpl>>& list) {
        auto b = parent->register_module(std::to_string(list.size()),
                                         std::make_shared<TimestepSequentialImpl>());
        list.push_back(b);
        return b;
    };
    int64_t ch = c.channelMult[0] * mc;
    const int64_t inputCh = ch;
    newBlock(inputs, inputBlocks_)
        ->add(Kind::Conv, conv2d(c.inChannels + baseChn + c.extraInputChannels, ch, 3, 1, 1));
    std::vector<int64_t> chans{ch};
    int64_t ds = c.imageSize;
    auto hasAttn = [&](int64_t d) {
        return std::find(c.attentionResolutions.begin(), c.attentionResolutions.end(), d) !=
               c.attentionResolutions.end();
    };
    for (size_t level = 0; level < c.channelMult.size(); ++level) {
        for (int j = 0; j < c.numResBlocks[level]; ++j) {
            auto b = newBlock(inputs, inputBlocks_);
            const int64_t out = c.channelMult[level] * mc;
            b->add(Kind::Res, ResBlock(ch, temb, out, c.useScaleShiftNorm));
            ch = out;
            if (hasAttn(ds) && j == 0)
                b->add(Kind::Swin, SwinBasicLayer(ch, c, ds));
            chans.push_back(ch);
        }
        if (level + 1 != c.channelMult.size()) {
            auto b = newBlock(inputs, inputBlocks_);
            if (c.convResample)
                b->add(Kind::Down, ConvHolder("op", conv2d(ch, ch, 3, 2, 1)));
            else
                b->addParameterless(Kind::Down);
            chans.push_back(ch);
            ds /= 2;
        }
    }

    middleChannels_ = ch;
    middle_ = register_module("middle_block", std::make_shared<TimestepSequentialImpl>());
    middle_->add(Kind::Res, ResBlock(ch, temb, ch, c.useScaleShiftNorm));
    middle_->add(Kind::Swin, SwinBasicLayer(ch, c, ds));
    middle_->add(Kind::Res, ResBlock(ch, temb, ch, c.useScaleShiftNorm));

    auto outputs = holder(*this, "output_blocks");
    for (int level = int(c.channelMult.size()) - 1; level >= 0; --level) {
        for (int i = 0; i <= c.numResBlocks[level]; ++i) {
            const int64_t ich = chans.back();
            chans.pop_back();
            auto b = newBlock(outputs, outputBlocks_);
            const int64_t out = c.channelMult[level] * mc;
            b->add(Kind::Res, ResBlock(ch + ich, temb, out, c.useScaleShiftNorm));
            ch = out;
            if (hasAttn(ds) && i == 0)
                b->add(Kind::Swin, SwinBasicLayer(ch, c, ds));
            if (level && i == c.numResBlocks[level]) {
                if (c.convResample)
                    b->add(Kind::Up, ConvHolder("conv", conv2d(ch, ch, 3, 1, 1)));
                else
                    b->addParameterless(Kind::Up);
                ds *= 2;
            }
        }
    }
    auto out = holder(*this, "out");
    outNorm = out->register_module("0", groupNorm(ch, 1e-5));
    outConv = out->register_module("2", conv2d(inputCh, c.outChannels, 3, 1, 1));
}

torch::Tensor RunState::addend(const void* block, const AddendKey& key) const {
    auto it = addends_.find(block);
    return it != addends_.end() && it->second.key == key ? it->second.value : torch::Tensor();
}

void RunState::storeAddend(const void* block, const AddendKey& key, torch::Tensor value) {
    addends_[block] = Entry{key, std::move(value)};
}

void prepareUnetForInference(UNetModelSwinImpl& unet, const torch::Device& device) {
    unet.eval();
    if (device.is_cpu())
        useChannelsLast(unet);
}

torch::Tensor UNetModelSwinImpl::forward(const torch::Tensor& x, const torch::Tensor& t,
                                         const torch::Tensor& lq, RunState* state) {
    return forwardImpl(x, t, lq, Stop::None, state);
}

torch::Tensor UNetModelSwinImpl::encoderFeatures(const torch::Tensor& x, const torch::Tensor& t,
                                                 const torch::Tensor& lq, bool firstLevel,
                                                 RunState* state) {
    return forwardImpl(x, t, lq, firstLevel ? Stop::FirstLevel : Stop::Middle, state);
}

int64_t UNetModelSwinImpl::middleChannels() const {
    return middleChannels_;
}

torch::Tensor UNetModelSwinImpl::forwardImpl(const torch::Tensor& x, const torch::Tensor& t,
                                             const torch::Tensor& lq, Stop stop, RunState* state) {
    RunState::Debug* debug = state ? state->debug : nullptr;
    auto emb =
        run(timeEmbed2,
            torch::silu(
                run(timeEmbed0, timestepEmbedding(t, config_.modelChannels).to(x.scalar_type()))));
    torch::Tensor cond = lq.to(x.scalar_type());
    if (!featureIdentity_)
        for (auto& m : featureExtractor_)
            cond = m.type_info() == typeid(torch::nn::Conv2dImpl)
                       ? run(m.get<torch::nn::Conv2d>(), cond)
                       : m.forward(cond);
    auto h = torch::cat({x, cond}, 1);
    if (debug)
        debug->temb = emb;
    std::vector<torch::Tensor> hs;
    hs.reserve(inputBlocks_.size());
    // Blocks this call runs (all of them unless it stops early), for the state's progress.
    const size_t blocks =
        stop == Stop::None ? inputBlocks_.size() + 1 + outputBlocks_.size() : inputBlocks_.size();
    size_t done = 0;
    bool firstSwin = true;
    for (size_t i = 0; i < inputBlocks_.size(); ++i) {
        auto& b = inputBlocks_[i];
        if (stop == Stop::FirstLevel && b->downsamples())
            return h;
        if (debug && firstSwin && b->hasSwin()) {
            h = b->forward(h, emb, state, &debug->firstSwinIn, &debug->firstSwinOut);
            firstSwin = false;
        } else {
            h = b->forward(h, emb, state);
        }
        if (state)
            state->afterBlock(++done, blocks);
        if (debug && i == 0)
            debug->inputBlock0 = h;
        hs.push_back(h);
    }
    h = middle_->forward(h, emb, state);
    if (state && stop == Stop::None)
        state->afterBlock(++done, blocks);
    else if (state)
        state->throwIfCancelled();
    if (debug)
        debug->middle = h;
    if (stop != Stop::None) // Middle, or FirstLevel of a UNet that never downsamples
        return h;
    for (auto& b : outputBlocks_) {
        h = torch::cat({h, hs.back()}, 1);
        hs.pop_back();
        h = b->forward(h, emb, state);
        if (state)
            state->afterBlock(++done, blocks);
    }
    return run(outConv, torch::silu(outNorm->forward(h)));
}

} // namespace shiftsr::nn
