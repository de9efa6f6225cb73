// VQModelTorch (ldm/models/autoencoder.py, ldm/modules/diffusionmodules/model.py).
#include "shiftsr/nn/vq_autoencoder.h"

#include "shiftsr/nn/json_util.h"
#include "shiftsr/nn/layers.h"

namespace shiftsr::nn {

namespace F = torch::nn::functional;

Result<VQConfig> VQConfig::fromJson(const nlohmann::json& j) {
    VQConfig c;
    try {
        if (!j.is_object() || !j.contains("ddconfig") || !j["ddconfig"].is_object())
            return Status::error(StatusCode::InvalidFile,
                                 "autoencoder config needs a ddconfig object");
        readKey(j, "embed_dim", &c.embedDim);
        readKey(j, "n_embed", &c.nEmbed);
        const auto& d = j["ddconfig"];
        readKey(d, "double_z", &c.doubleZ);
        readKey(d, "z_channels", &c.zChannels);
        readKey(d, "resolution", &c.resolution);
        readKey(d, "in_channels", &c.inChannels);
        readKey(d, "out_ch", &c.outCh);
        readKey(d, "ch", &c.ch);
        readKey(d, "ch_mult", &c.chMult);
        if (d.contains("num_res_blocks") && d["num_res_blocks"].is_number_integer()) {
            int n = 0;
            readKey(d, "num_res_blocks", &n);
            c.numResBlocks.assign(c.chMult.size(), n);
        } else
            readKey(d, "num_res_blocks", &c.numResBlocks);
        readKey(d, "attn_resolutions", &c.attnResolutions);
        readKey(d, "dropout", &c.dropout);
    } catch (const std::exception& e) {
        return Status::error(StatusCode::InvalidFile,
                             std::string("autoencoder config: ") + e.what());
    }
    if (c.doubleZ)
        return Status::error(StatusCode::Unsupported,
                             "autoencoder config: double_z (KL autoencoder) is not a VQ model");
    if (c.chMult.empty() || c.numResBlocks.size() != c.chMult.size() || c.ch <= 0 || c.ch % 32 ||
        c.nEmbed <= 0 || c.embedDim <= 0)
        return Status::error(StatusCode::InvalidFile,
                             "autoencoder config: inconsistent ch/ch_mult/num_res_blocks/n_embed");
    // Architecture limits (the official f4 codec: ch 128, ch_mult 1,2,4, 8192 codes of 3): refuse
    // what no real codec has before anything is built.
    auto bad = [](const std::string& m) {
        return Status::error(StatusCode::InvalidFile, "autoencoder config: " + m);
    };
    if (c.chMult.size() > 6 || c.ch > 1024)
        return bad("ch must be at most 1024 and ch_mult have at most 6 entries");
    double weights = 0;
    for (size_t i = 0; i < c.chMult.size(); ++i) {
        if (c.chMult[i] < 1 || c.chMult[i] > 16 || c.chMult[i] * c.ch > 4096)
            return bad("ch_mult entries must be from 1 to 16 and keep channels up to 4096");
        if (c.numResBlocks[i] < 0 || c.numResBlocks[i] > 8)
            return bad("num_res_blocks entries must be from 0 to 8");
        const double w = double(c.chMult[i]) * c.ch;
        weights += (2.0 * c.numResBlocks[i] + 1) * 18 * w * w; // encoder and decoder resnets
    }
    if (c.nEmbed > 1 << 20 || c.embedDim > 1024 || c.zChannels < 1 || c.zChannels > 1024 ||
        c.inChannels < 1 || c.inChannels > 64 || c.outCh < 1 || c.outCh > 64 || c.resolution < 1 ||
        c.resolution > 8192 || c.attnResolutions.size() > 16 || !(c.dropout >= 0 && c.dropout <= 1))
        return bad("n_embed up to 2^20, embed_dim and z_channels 1 to 1024, in_channels and out_ch "
                   "1 to 64, resolution 1 to 8192, at most 16 attn_resolutions, dropout 0 to 1");
    weights += double(c.nEmbed) * c.embedDim;
    if (weights > double(1 << 30))
        return bad("the autoencoder would hold more than 2^30 weights: not a real codec");
    return c;
}

nlohmann::json VQConfig::toJson() const {
    return {{"embed_dim", embedDim},
            {"n_embed", nEmbed},
            {"ddconfig",
             {{"double_z", doubleZ},
              {"z_channels", zChannels},
              {"resolution", resolution},
              {"in_channels", inChannels},
              {"out_ch", outCh},
              {"ch", ch},
              {"ch_mult", chMult},
              {"num_res_blocks", numResBlocks},
              {"attn_resolutions", attnResolutions},
              {"dropout", dropout},
              {"padding_mode", "zeros"}}}};
}

namespace {

torch::Tensor swish(const torch::Tensor& x) {
    return torch::silu(x);
}

class ResnetBlockImpl : public torch::nn::Module {
public:
    ResnetBlockImpl(int64_t in, int64_t out) {
        norm1 = register_module("norm1", groupNorm(in, 1e-6));
        conv1 = register_module("conv1", conv2d(in, out, 3, 1, 1));
        norm2 = register_module("norm2", groupNorm(out, 1e-6));
        conv2 = register_module("conv2", conv2d(out, out, 3, 1, 1));
        if (in != out)
            nin = register_module("nin_shortcut", conv2d(in, out, 1));
    }
    torch::Tensor forward(const torch::Tensor& x) {
        auto h = run(conv1, swish(norm1->forward(x)));
        h = run(conv2, swish(norm2->forward(h)));
        return (nin ? run(nin, x) : x) + h;
    }

private:
    torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, nin{nullptr};
};
TORCH_MODULE(ResnetBlock);

class AttnBlockImpl : public torch::nn::Module {
public:
    explicit AttnBlockImpl(int64_t c) {
        norm = register_module("norm", groupNorm(c, 1e-6));
        q = register_module("q", conv2d(c, c, 1));
        k = register_module("k", conv2d(c, c, 1));
        v = register_module("v", conv2d(c, c, 1));
        proj = register_module("proj_out", conv2d(c, c, 1));
    }
    torch::Tensor forward(const torch::Tensor& x) {
        auto h = norm->forward(x);
        const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
        auto qq = run(q, h).reshape({B, C, H * W}).permute({0, 2, 1}); // [B, N, C]
        auto kk = run(k, h).reshape({B, C, H * W});                    // [B, C, N]
        auto vv = run(v, h).reshape({B, C, H * W}).permute({0, 2, 1}); // [B, N, C]
        // Scores over the whole latent in row chunks: exact, with bounded memory.
        auto o = chunkedAttention(qq, kk, vv, std::pow(double(C), -0.5));
        o = o.permute({0, 2, 1}).reshape({B, C, H, W});
        return x + run(proj, o);
    }

private:
    torch::nn::GroupNorm norm{nullptr};
    torch::nn::Conv2d q{nullptr}, k{nullptr}, v{nullptr}, proj{nullptr};
};
TORCH_MODULE(AttnBlock);

// One resolution level: block.j (+ attn.j), downsample.conv / upsample.conv.
struct Level {
    std::vector<ResnetBlock> blocks;
    std::vector<AttnBlock> attns;
    torch::nn::Conv2d resample{nullptr};
};

} // namespace

class VQEncoderImpl : public torch::nn::Module {
public:
    explicit VQEncoderImpl(const VQConfig& c) {
        convIn = register_module("conv_in", conv2d(c.inChannels, c.ch, 3, 1, 1));
        auto down = holder(*this, "down");
        int64_t res = c.resolution;
        int64_t blockIn = c.ch;
        const size_t n = c.chMult.size();
        for (size_t i = 0; i < n; ++i) {
            auto lvl = holder(*down, std::to_string(i));
            auto blocks = holder(*lvl, "block");
            auto attn = holder(*lvl, "attn");
            Level L;
            blockIn = c.ch * (i == 0 ? 1 : c.chMult[i - 1]);
            const int64_t blockOut = c.ch * c.chMult[i];
            for (int j = 0; j < c.numResBlocks[i]; ++j) {
                L.blocks.push_back(
                    blocks->register_module(std::to_string(j), ResnetBlock(blockIn, blockOut)));
                blockIn = blockOut;
                if (std::find(c.attnResolutions.begin(), c.attnResolutions.end(), res) !=
                    c.attnResolutions.end())
                    L.attns.push_back(
                        attn->register_module(std::to_string(L.attns.size()), AttnBlock(blockIn)));
            }
            if (i + 1 != n) {
                auto ds = holder(*lvl, "downsample");
                L.resample = ds->register_module("conv", conv2d(blockIn, blockIn, 3, 2, 0));
                res /= 2;
            }
            levels_.push_back(std::move(L));
        }
        auto mid = holder(*this, "mid");
        mid1 = mid->register_module("block_1", ResnetBlock(blockIn, blockIn));
        midAttn = mid->register_module("attn_1", AttnBlock(blockIn));
        mid2 = mid->register_module("block_2", ResnetBlock(blockIn, blockIn));
        normOut = register_module("norm_out", groupNorm(blockIn, 1e-6));
        convOut = register_module(
            "conv_out", conv2d(blockIn, c.doubleZ ? 2 * c.zChannels : c.zChannels, 3, 1, 1));
    }

    torch::Tensor forward(const torch::Tensor& x) {
        auto h = run(convIn, x);
        for (auto& L : levels_) {
            for (size_t j = 0; j < L.blocks.size(); ++j) {
                h = L.blocks[j]->forward(h);
                if (!L.attns.empty())
                    h = L.attns[j]->forward(h);
            }
            if (L.resample) // asymmetric zero pad (right 1, bottom 1), then stride-2 conv
                h = run(L.resample, F::pad(h, F::PadFuncOptions({0, 1, 0, 1})));
        }
        h = mid2->forward(midAttn->forward(mid1->forward(h)));
        return run(convOut, swish(normOut->forward(h)));
    }

private:
    torch::nn::Conv2d convIn{nullptr}, convOut{nullptr};
    std::vector<Level> levels_;
    ResnetBlock mid1{nullptr}, mid2{nullptr};
    AttnBlock midAttn{nullptr};
    torch::nn::GroupNorm normOut{nullptr};
};

class VQDecoderImpl : public torch::nn::Module {
public:
    explicit VQDecoderImpl(const VQConfig& c) {
        const size_t n = c.chMult.size();
        int64_t blockIn = c.ch * c.chMult[n - 1];
        int64_t res = c.resolution >> (n - 1);
        convIn = register_module("conv_in", conv2d(c.zChannels, blockIn, 3, 1, 1));
        auto mid = holder(*this, "mid");
        mid1 = mid->register_module("block_1", ResnetBlock(blockIn, blockIn));
        midAttn = mid->register_module("attn_1", AttnBlock(blockIn));
        mid2 = mid->register_module("block_2", ResnetBlock(blockIn, blockIn));
        // `up` is stored in level order (up.0 = highest resolution) but built and run from the top.
        levels_.resize(n);
        std::vector<std::shared_ptr<torch::nn::Module>> holders(n);
        for (size_t i = 0; i < n; ++i)
            holders[i] = std::make_shared<torch::nn::Module>();
        for (int i = int(n) - 1; i >= 0; --i) {
            auto blocks =
                holders[i]->register_module("block", std::make_shared<torch::nn::Module>());
            auto attn = holders[i]->register_module("attn", std::make_shared<torch::nn::Module>());
            Level& L = levels_[i];
            const int64_t blockOut = c.ch * c.chMult[i];
            for (int j = 0; j <= c.numResBlocks[i]; ++j) {
                L.blocks.push_back(
                    blocks->register_module(std::to_string(j), ResnetBlock(blockIn, blockOut)));
                blockIn = blockOut;
                if (std::find(c.attnResolutions.begin(), c.attnResolutions.end(), res) !=
                    c.attnResolutions.end())
                    L.attns.push_back(
                        attn->register_module(std::to_string(L.attns.size()), AttnBlock(blockIn)));
            }
            if (i != 0) {
                auto us =
                    holders[i]->register_module("upsample", std::make_shared<torch::nn::Module>());
                L.resample = us->register_module("conv", conv2d(blockIn, blockIn, 3, 1, 1));
                res *= 2;
            }
        }
        auto up = holder(*this, "up");
        for (size_t i = 0; i < n; ++i)
            up->register_module(std::to_string(i), holders[i]);
        normOut = register_module("norm_out", groupNorm(blockIn, 1e-6));
        convOut = register_module("conv_out", conv2d(blockIn, c.outCh, 3, 1, 1));
    }

    torch::Tensor forward(const torch::Tensor& z) {
        auto h = run(convIn, z);
        h = mid2->forward(midAttn->forward(mid1->forward(h)));
        for (int i = int(levels_.size()) - 1; i >= 0; --i) {
            auto& L = levels_[i];
            for (size_t j = 0; j < L.blocks.size(); ++j) {
                h = L.blocks[j]->forward(h);
                if (!L.attns.empty())
                    h = L.attns[j]->forward(h);
            }
            if (L.resample)
                h = run(L.resample,
                        F::interpolate(h, F::InterpolateFuncOptions()
                                              .scale_factor(std::vector<double>{2.0, 2.0})
                                              .mode(torch::kNearest)));
        }
        return run(convOut, swish(normOut->forward(h)));
    }

private:
    torch::nn::Conv2d convIn{nullptr}, convOut{nullptr};
    std::vector<Level> levels_;
    ResnetBlock mid1{nullptr}, mid2{nullptr};
    AttnBlock midAttn{nullptr};
    torch::nn::GroupNorm normOut{nullptr};
};

VQModelImpl::VQModelImpl(const VQConfig& c) : config_(c) {
    encoder_ = register_module("encoder", std::make_shared<VQEncoderImpl>(c));
    decoder_ = register_module("decoder", std::make_shared<VQDecoderImpl>(c));
    auto q = holder(*this, "quantize");
    auto emb = holder(*q, "embedding");
    codebook_ = emb->register_parameter("weight", torch::randn({c.nEmbed, c.embedDim}));
    quantConv = register_module("quant_conv", conv2d(c.zChannels, c.embedDim, 1));
    postQuantConv = register_module("post_quant_conv", conv2d(c.embedDim, c.zChannels, 1));
}

torch::Tensor VQModelImpl::encode(const torch::Tensor& x) {
    return run(quantConv, encoder_->forward(x));
}

torch::Tensor VQModelImpl::quantize(const torch::Tensor& h, torch::Tensor* indices) {
    const int64_t B = h.size(0), C = h.size(1), H = h.size(2), W = h.size(3);
    auto z = h.permute({0, 2, 3, 1}).contiguous();
    auto flat = z.view({-1, C});
    // d = |z|^2 + |e|^2 - 2 z.e, as the official VectorQuantizer2 (first minimum on ties).
    auto d =
        flat.pow(2).sum(1, true) + codebook_.pow(2).sum(1) - 2 * torch::matmul(flat, codebook_.t());
    auto idx = d.argmin(1);
    if (indices)
        *indices = idx.view({B, H, W});
    return codebook_.index_select(0, idx).view({B, H, W, C}).permute({0, 3, 1, 2}).contiguous();
}

torch::Tensor VQModelImpl::decode(const torch::Tensor& h, bool quantizeFirst) {
    auto q = quantizeFirst ? quantize(h) : h;
    return decoder_->forward(run(postQuantConv, q));
}

} // namespace shiftsr::nn
