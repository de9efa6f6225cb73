// RRDBNet and SRVGGNetCompact (see gan_nets.h), with BasicSR's arithmetic and names.
#include "shiftsr/nn/gan_nets.h"

#include "shiftsr/nn/json_util.h"
#include "shiftsr/nn/layers.h"
#include "shiftsr/nn/sampler.h"

#include <cmath>
#include <tuple>

namespace shiftsr::nn {

namespace F = torch::nn::functional;

namespace {

// Enough for every published model (Real-ESRGAN: 64 features, 23 blocks, 32 convolutions) with
// room to spare; what a few bytes of JSON may make us allocate stays bounded.
constexpr int kMaxFeatures = 1024;
constexpr int kMaxBlocks = 256;
constexpr int kMaxConvs = 512;

Status rangeCheck(const char* what,
                  std::initializer_list<std::tuple<const char*, int, int, int>> v) {
    for (const auto& [key, value, lo, hi] : v)
        if (value < lo || value > hi)
            return Status::error(StatusCode::InvalidFile,
                                 std::string(what) + ": " + key + " must be from " +
                                     std::to_string(lo) + " to " + std::to_string(hi) + ", not " +
                                     std::to_string(value));
    return Status::ok();
}

Status rgbOnly(const char* what, int in, int out) {
    if (in == 3 && out == 3)
        return Status::ok();
    return Status::error(StatusCode::Unsupported,
                         std::string(what) +
                             ": only RGB models (3 input and 3 output channels) "
                             "are supported, not " +
                             std::to_string(in) + " and " + std::to_string(out));
}

double convParams(double in, double out) {
    return out * in * 9 + out;
}

// LeakyReLU 0.2 in place (the tensor is a fresh convolution output).
torch::Tensor lrelu(torch::Tensor x) {
    return torch::leaky_relu_(x, 0.2);
}

torch::Tensor nearest(const torch::Tensor& x, int factor) {
    return F::interpolate(x, F::InterpolateFuncOptions()
                                 .scale_factor(std::vector<double>{double(factor), double(factor)})
                                 .mode(torch::kNearest));
}

} // namespace

// ---------------------------------------------------------------- RRDBNet

Result<RRDBConfig> RRDBConfig::fromJson(const nlohmann::json& j) {
    if (!j.is_object())
        return Status::error(StatusCode::InvalidFile, "RRDBNet config is not a JSON object");
    RRDBConfig c;
    try {
        readKey(j, "num_in_ch", &c.numInCh);
        readKey(j, "num_out_ch", &c.numOutCh);
        readKey(j, "num_feat", &c.numFeat);
        readKey(j, "num_block", &c.numBlock);
        readKey(j, "num_grow_ch", &c.numGrowCh);
        readKey(j, "scale", &c.scale);
        readKey(j, "num_upsample", &c.numUpsample);
    } catch (const std::exception& e) {
        return Status::error(StatusCode::InvalidFile, std::string("RRDBNet config: ") + e.what());
    }
    if (Status s = c.validate(); !s)
        return s;
    return c;
}

nlohmann::json RRDBConfig::toJson() const {
    return {{"num_in_ch", numInCh},       {"num_out_ch", numOutCh},   {"num_feat", numFeat},
            {"num_block", numBlock},      {"num_grow_ch", numGrowCh}, {"scale", scale},
            {"num_upsample", numUpsample}};
}

Status RRDBConfig::validate() const {
    if (Status s = rangeCheck("RRDBNet config", {{"num_feat", numFeat, 1, kMaxFeatures},
                                                 {"num_grow_ch", numGrowCh, 1, kMaxFeatures},
                                                 {"num_block", numBlock, 1, kMaxBlocks},
                                                 {"num_upsample", numUpsample, 0, 3},
                                                 {"scale", scale, 1, 8},
                                                 {"num_in_ch", numInCh, 1, 64},
                                                 {"num_out_ch", numOutCh, 1, 64}});
        !s)
        return s;
    const int up = 1 << numUpsample;
    if (up % scale || (up / scale != 1 && up / scale != 2 && up / scale != 4))
        return Status::error(StatusCode::InvalidFile,
                             "RRDBNet config: scale " + std::to_string(scale) + " with " +
                                 std::to_string(numUpsample) +
                                 " upsampling stages needs an input unshuffle of 1, 2 or 4");
    return rgbOnly("RRDBNet config", numInCh, numOutCh);
}

double RRDBConfig::parameters() const {
    const double nf = numFeat, gc = numGrowCh, u = unshuffle();
    double dense = 0;
    for (int k = 0; k < 4; ++k)
        dense += convParams(nf + k * gc, gc);
    dense += convParams(nf + 4 * gc, nf);
    return convParams(numInCh * u * u, nf) + numBlock * 3 * dense +
           (2 + numUpsample) * convParams(nf, nf) + convParams(nf, numOutCh);
}

RRDBNetImpl::RRDBNetImpl(const RRDBConfig& c) : config_(c) {
    const int64_t nf = c.numFeat, gc = c.numGrowCh, u = c.unshuffle();
    convFirst = register_module("conv_first", conv2d(c.numInCh * u * u, nf, 3, 1, 1));
    auto body = holder(*this, "body");
    blocks_.resize(std::size_t(c.numBlock));
    for (int b = 0; b < c.numBlock; ++b) {
        auto block = holder(*body, std::to_string(b));
        for (int r = 0; r < 3; ++r) {
            auto rdb = holder(*block, "rdb" + std::to_string(r + 1));
            for (int k = 0; k < 5; ++k)
                blocks_[std::size_t(b)][std::size_t(r)].convs.push_back(
                    rdb->register_module("conv" + std::to_string(k + 1),
                                         conv2d(nf + k * gc, k == 4 ? nf : gc, 3, 1, 1)));
        }
    }
    convBody = register_module("conv_body", conv2d(nf, nf, 3, 1, 1));
    for (int i = 0; i < c.numUpsample; ++i)
        ups_.push_back(register_module("conv_up" + std::to_string(i + 1), conv2d(nf, nf, 3, 1, 1)));
    convHr = register_module("conv_hr", conv2d(nf, nf, 3, 1, 1));
    convLast = register_module("conv_last", conv2d(nf, c.numOutCh, 3, 1, 1));
}

torch::Tensor RRDBNetImpl::dense(const Dense& d, const torch::Tensor& x) const {
    std::vector<torch::Tensor> parts{x};
    for (int k = 0; k < 4; ++k) {
        auto in = parts.size() == 1 ? x : torch::cat(parts, 1);
        parts.push_back(lrelu(run(d.convs[std::size_t(k)], in)));
    }
    return run(d.convs[4], torch::cat(parts, 1)) * 0.2 + x;
}

torch::Tensor RRDBNetImpl::forward(const torch::Tensor& x, RunState* state) {
    const int u = config_.unshuffle();
    auto feat = run(convFirst, u > 1 ? torch::pixel_unshuffle(x, u) : x);
    auto b = feat;
    const std::size_t total = blocks_.size() + 1;
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
        auto r = b;
        for (const Dense& d : blocks_[i])
            r = dense(d, r);
        b = r * 0.2 + b;
        if (state)
            state->afterBlock(i + 1, total);
    }
    feat = feat + run(convBody, b);
    b = torch::Tensor();
    for (auto& up : ups_)
        feat = lrelu(run(up, nearest(feat, 2)));
    auto out = run(convLast, lrelu(run(convHr, feat)));
    if (state)
        state->afterBlock(total, total);
    return out;
}

// ---------------------------------------------------------------- SRVGGNetCompact

Result<SRVGGConfig> SRVGGConfig::fromJson(const nlohmann::json& j) {
    if (!j.is_object())
        return Status::error(StatusCode::InvalidFile,
                             "SRVGGNetCompact config is not a JSON object");
    SRVGGConfig c;
    try {
        readKey(j, "num_in_ch", &c.numInCh);
        readKey(j, "num_out_ch", &c.numOutCh);
        readKey(j, "num_feat", &c.numFeat);
        readKey(j, "num_conv", &c.numConv);
        readKey(j, "upscale", &c.upscale);
        readKey(j, "act_type", &c.actType);
    } catch (const std::exception& e) {
        return Status::error(StatusCode::InvalidFile,
                             std::string("SRVGGNetCompact config: ") + e.what());
    }
    if (Status s = c.validate(); !s)
        return s;
    return c;
}

nlohmann::json SRVGGConfig::toJson() const {
    return {{"num_in_ch", numInCh}, {"num_out_ch", numOutCh}, {"num_feat", numFeat},
            {"num_conv", numConv},  {"upscale", upscale},     {"act_type", actType}};
}

Status SRVGGConfig::validate() const {
    if (Status s = rangeCheck("SRVGGNetCompact config", {{"num_feat", numFeat, 1, kMaxFeatures},
                                                         {"num_conv", numConv, 0, kMaxConvs},
                                                         {"upscale", upscale, 1, 8},
                                                         {"num_in_ch", numInCh, 1, 64},
                                                         {"num_out_ch", numOutCh, 1, 64}});
        !s)
        return s;
    if (actType != "prelu" && actType != "relu" && actType != "leakyrelu")
        return Status::error(StatusCode::InvalidFile,
                             "SRVGGNetCompact config: act_type must be prelu, relu or leakyrelu, "
                             "not '" +
                                 clipForMessage(actType) + "'");
    return rgbOnly("SRVGGNetCompact config", numInCh, numOutCh);
}

double SRVGGConfig::parameters() const {
    const double nf = numFeat;
    const double slopes = actType == "prelu" ? (numConv + 1) * nf : 0;
    return convParams(numInCh, nf) + numConv * convParams(nf, nf) +
           convParams(nf, double(numOutCh) * upscale * upscale) + slopes;
}

SRVGGNetImpl::SRVGGNetImpl(const SRVGGConfig& c) : config_(c) {
    auto body = holder(*this, "body");
    const int n = c.numConv + 2;
    for (int k = 0; k < n; ++k) {
        const int64_t in = k == 0 ? c.numInCh : c.numFeat;
        const int64_t out = k == n - 1 ? int64_t(c.numOutCh) * c.upscale * c.upscale : c.numFeat;
        convs_.push_back(body->register_module(std::to_string(2 * k), conv2d(in, out, 3, 1, 1)));
        if (k < n - 1 && c.actType == "prelu")
            prelus_.push_back(body->register_module(
                std::to_string(2 * k + 1),
                torch::nn::PReLU(torch::nn::PReLUOptions().num_parameters(c.numFeat))));
    }
}

torch::Tensor SRVGGNetImpl::forward(const torch::Tensor& x, RunState* state) {
    auto h = x;
    const std::size_t n = convs_.size();
    for (std::size_t k = 0; k < n; ++k) {
        h = run(convs_[k], h);
        if (k + 1 < n) {
            if (!prelus_.empty())
                h = prelus_[k]->forward(h);
            else if (config_.actType == "relu")
                h = torch::relu_(h);
            else
                h = torch::leaky_relu_(h, 0.1);
        }
        if (state)
            state->afterBlock(k + 1, n);
    }
    h = torch::pixel_shuffle(h, config_.upscale);
    return h + nearest(x, config_.upscale);
}

// ---------------------------------------------------------------- tiles

torch::Tensor upscaleTile(SinglePassNetImpl& net, const torch::Tensor& x01, int prePad,
                          RunState* state) {
    const int64_t p = std::max(0, prePad), h = x01.size(2), w = x01.size(3);
    auto x = p > 0 ? F::pad(x01, F::PadFuncOptions({p, p, p, p}).mode(torch::kReplicate)) : x01;
    if (net.sizeMultiple() > 1)
        x = padToMultiple(x, net.sizeMultiple());
    const int64_t s = net.scale();
    return net.forward(x, state).slice(2, p * s, (p + h) * s).slice(3, p * s, (p + w) * s);
}

} // namespace shiftsr::nn
