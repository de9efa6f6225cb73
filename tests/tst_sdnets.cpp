// The Stable-Diffusion-style networks (latent U-Net, KL autoencoder) against hand-written
// functional forwards on their own parameters, their diffusers parameter names, the ldm <->
// diffusers name mapping, the architecture read back from shapes, and config validation.
#include "shiftsr/nn/kl_autoencoder.h"
#include "shiftsr/nn/sd_names.h"
#include "shiftsr/nn/sd_unet.h"

#include <QtTest>

#include <cmath>
#include <cstring>

using namespace shiftsr;
using namespace shiftsr::nn;

namespace {

namespace F = torch::nn::functional;
using Params = std::map<std::string, torch::Tensor>;

Params params(torch::nn::Module& m) {
    Params p;
    for (const auto& kv : m.named_parameters())
        p[kv.key()] = kv.value();
    return p;
}

// Random values everywhere (default initialisation leaves norms at 1/0 and the context at 0).
void randomize(torch::nn::Module& m, uint64_t seed) {
    torch::manual_seed(seed);
    torch::NoGradGuard noGrad;
    for (auto& p : m.parameters()) {
        if (p.dim() == 1)
            p.add_(torch::randn_like(p) * 0.2);
        else
            p.copy_(torch::randn_like(p) * (1.0 / std::sqrt(double(p[0].numel()))));
    }
}

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>();
}

std::string shapeOf(const torch::Tensor& t) {
    std::string s;
    for (int64_t d : t.sizes())
        s += (s.empty() ? "" : "x") + std::to_string(d);
    return s;
}

// "name:AxBxC" -> expects the tensor with that shape; "!name" -> expects no such tensor.
void expectNames(const Params& p, const QStringList& specs) {
    for (const QString& spec : specs) {
        if (spec.startsWith('!')) {
            QVERIFY2(!p.count(spec.mid(1).toStdString()), qPrintable("unexpected " + spec.mid(1)));
            continue;
        }
        const auto parts = spec.split(':');
        const std::string name = parts[0].toStdString();
        QVERIFY2(p.count(name), qPrintable("missing " + parts[0]));
        QCOMPARE(QString::fromStdString(shapeOf(p.at(name))), parts[1]);
    }
}

// ---------------------------------------------------------------- functional references

const torch::Tensor& at(const Params& p, const std::string& name) {
    auto it = p.find(name);
    if (it == p.end())
        throw std::runtime_error("reference: no parameter " + name);
    return it->second;
}

torch::Tensor conv(const Params& p, const std::string& n, const torch::Tensor& x, int stride = 1,
                   int pad = -1) {
    const auto& w = at(p, n + ".weight");
    if (pad < 0)
        pad = int(w.size(2) / 2);
    return F::conv2d(x, w,
                     F::Conv2dFuncOptions().bias(at(p, n + ".bias")).stride(stride).padding(pad));
}

torch::Tensor linear(const Params& p, const std::string& n, const torch::Tensor& x) {
    auto b = p.count(n + ".bias") ? at(p, n + ".bias") : torch::Tensor();
    return F::linear(x, at(p, n + ".weight"), b);
}

torch::Tensor gn(const Params& p, const std::string& n, const torch::Tensor& x, int groups,
                 double eps) {
    return F::group_norm(x, F::GroupNormFuncOptions(groups)
                                .weight(at(p, n + ".weight"))
                                .bias(at(p, n + ".bias"))
                                .eps(eps));
}

torch::Tensor ln(const Params& p, const std::string& n, const torch::Tensor& x) {
    return F::layer_norm(x, F::LayerNormFuncOptions({x.size(-1)})
                                .weight(at(p, n + ".weight"))
                                .bias(at(p, n + ".bias"))
                                .eps(1e-5));
}

torch::Tensor resnet(const Params& p, const std::string& n, const torch::Tensor& x,
                     const torch::Tensor& temb, int groups, double eps) {
    auto h = conv(p, n + ".conv1", torch::silu(gn(p, n + ".norm1", x, groups, eps)));
    if (temb.defined())
        h = h + linear(p, n + ".time_emb_proj", torch::silu(temb)).unsqueeze(-1).unsqueeze(-1);
    h = conv(p, n + ".conv2", torch::silu(gn(p, n + ".norm2", h, groups, eps)));
    auto skip = p.count(n + ".conv_shortcut.weight") ? conv(p, n + ".conv_shortcut", x) : x;
    return skip + h;
}

// Softmax attention head by head, the whole score matrix at once.
torch::Tensor attention(const Params& p, const std::string& n, const torch::Tensor& x,
                        const torch::Tensor& context, int heads) {
    const auto& kv = context.defined() ? context : x;
    auto q = linear(p, n + ".to_q", x), k = linear(p, n + ".to_k", kv),
         v = linear(p, n + ".to_v", kv);
    const int64_t d = q.size(-1) / heads;
    std::vector<torch::Tensor> outs;
    for (int h = 0; h < heads; ++h) {
        auto qh = q.narrow(-1, h * d, d), kh = k.narrow(-1, h * d, d), vh = v.narrow(-1, h * d, d);
        auto w = torch::softmax(torch::matmul(qh, kh.transpose(1, 2)) / std::sqrt(double(d)), -1);
        outs.push_back(torch::matmul(w, vh));
    }
    return linear(p, n + ".to_out.0", torch::cat(outs, -1));
}

torch::Tensor transformer(const Params& p, const std::string& n, const torch::Tensor& x,
                          const torch::Tensor& context, int heads, int groups) {
    const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
    const bool linearProj = at(p, n + ".proj_in.weight").dim() == 2;
    auto h = gn(p, n + ".norm", x, groups, 1e-6);
    auto tokens = [&](const torch::Tensor& m) {
        return m.permute({0, 2, 3, 1}).reshape({B, H * W, C});
    };
    auto t = linearProj ? linear(p, n + ".proj_in", tokens(h)) : tokens(conv(p, n + ".proj_in", h));
    for (int k = 0; p.count(n + ".transformer_blocks." + std::to_string(k) + ".norm1.weight");
         ++k) {
        const std::string b = n + ".transformer_blocks." + std::to_string(k);
        t = t + attention(p, b + ".attn1", ln(p, b + ".norm1", t), {}, heads);
        if (p.count(b + ".attn2.to_q.weight"))
            t = t + attention(p, b + ".attn2", ln(p, b + ".norm2", t), context, heads);
        auto a = linear(p, b + ".ff.net.0.proj", ln(p, b + ".norm3", t));
        const int64_t inner = a.size(-1) / 2;
        auto value = a.narrow(-1, 0, inner), gate = a.narrow(-1, inner, inner);
        t = t + linear(p, b + ".ff.net.2", value * F::gelu(gate));
    }
    auto map = [&](const torch::Tensor& m) {
        return m.reshape({B, H, W, C}).permute({0, 3, 1, 2});
    };
    auto out = linearProj ? map(linear(p, n + ".proj_out", t)) : conv(p, n + ".proj_out", map(t));
    return out + x;
}

// diffusers Timesteps(dim, flip_sin_to_cos=True, shift 0), written out.
torch::Tensor timeEmbedding(const torch::Tensor& t, int64_t dim) {
    const int64_t half = dim / 2;
    auto i = torch::arange(half, torch::kFloat);
    auto args = t.to(torch::kFloat).unsqueeze(1) * torch::exp(i * (-std::log(10000.0) / half));
    return torch::cat({torch::cos(args), torch::sin(args)}, 1);
}

// A one-level UNet with layers_per_block 1 (attention or not, cross-attention or not), by hand.
torch::Tensor referenceUNet(const Params& p, const SDUNetConfig& c, const torch::Tensor& x,
                            const torch::Tensor& t) {
    const int g = c.normNumGroups;
    const double eps = c.normEps;
    const int heads = c.headsAt(0);
    auto temb = linear(
        p, "time_embedding.linear_2",
        torch::silu(linear(p, "time_embedding.linear_1", timeEmbedding(t, c.blockOutChannels[0]))));
    torch::Tensor ctx;
    if (p.count("context"))
        ctx = at(p, "context").expand({x.size(0), -1, -1});
    auto block = [&](const std::string& n, torch::Tensor h, bool attn, const std::string& a) {
        h = resnet(p, n, h, temb, g, eps);
        return attn ? transformer(p, a, h, ctx, heads, g) : h;
    };
    const bool attn = c.attentionAt(0);
    auto h0 = conv(p, "conv_in", x);
    auto h1 = block("down_blocks.0.resnets.0", h0, attn, "down_blocks.0.attentions.0");
    auto h = resnet(p, "mid_block.resnets.0", h1, temb, g, eps);
    if (c.midBlockAttention)
        h = transformer(p, "mid_block.attentions.0", h, ctx, heads, g);
    h = resnet(p, "mid_block.resnets.1", h, temb, g, eps);
    h = block("up_blocks.0.resnets.0", torch::cat({h, h1}, 1), attn, "up_blocks.0.attentions.0");
    h = block("up_blocks.0.resnets.1", torch::cat({h, h0}, 1), attn, "up_blocks.0.attentions.1");
    return conv(p, "conv_out", torch::silu(gn(p, "conv_norm_out", h, g, eps)));
}

torch::Tensor vaeAttention(const Params& p, const std::string& n, const torch::Tensor& x,
                           int groups) {
    const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
    auto h = gn(p, n + ".group_norm", x, groups, 1e-6).reshape({B, C, H * W}).transpose(1, 2);
    h = attention(p, n, h, {}, 1);
    return x + h.transpose(1, 2).reshape({B, C, H, W});
}

torch::Tensor vaeMid(const Params& p, const std::string& n, torch::Tensor h, int g) {
    h = resnet(p, n + ".resnets.0", h, {}, g, 1e-6);
    if (p.count(n + ".attentions.0.to_q.weight"))
        h = vaeAttention(p, n + ".attentions.0", h, g);
    return resnet(p, n + ".resnets.1", h, {}, g, 1e-6);
}

// Two levels, layers_per_block 1: the encoder up to quant_conv, by hand. `symmetricPad`: the
// downsampler padded by one on every side (the wrong variant, a control for the check).
torch::Tensor referenceMoments(const Params& p, int g, const torch::Tensor& x,
                               bool symmetricPad = false) {
    auto h = conv(p, "encoder.conv_in", x);
    h = resnet(p, "encoder.down_blocks.0.resnets.0", h, {}, g, 1e-6);
    // diffusers Downsample2D(padding=0): one zero column on the right and one row at the bottom,
    // then stride 2 without padding.
    const std::string down = "encoder.down_blocks.0.downsamplers.0.conv";
    h = symmetricPad ? conv(p, down, h, 2, 1)
                     : conv(p, down, F::pad(h, F::PadFuncOptions({0, 1, 0, 1})), 2, 0);
    h = resnet(p, "encoder.down_blocks.1.resnets.0", h, {}, g, 1e-6);
    h = vaeMid(p, "encoder.mid_block", h, g);
    h = conv(p, "encoder.conv_out", torch::silu(gn(p, "encoder.conv_norm_out", h, g, 1e-6)));
    return conv(p, "quant_conv", h);
}

torch::Tensor referenceDecode(const Params& p, int g, double scale, const torch::Tensor& latent) {
    auto h = conv(p, "decoder.conv_in", conv(p, "post_quant_conv", latent / scale));
    h = vaeMid(p, "decoder.mid_block", h, g);
    for (int i = 0; i < 2; ++i) {
        const std::string b = "decoder.up_blocks." + std::to_string(i);
        for (int j = 0; j < 2; ++j)
            h = resnet(p, b + ".resnets." + std::to_string(j), h, {}, g, 1e-6);
        if (i == 0)
            h = conv(p, b + ".upsamplers.0.conv",
                     F::interpolate(h, F::InterpolateFuncOptions()
                                           .size(std::vector<int64_t>{2 * h.size(2), 2 * h.size(3)})
                                           .mode(torch::kNearest)));
    }
    return conv(p, "decoder.conv_out", torch::silu(gn(p, "decoder.conv_norm_out", h, g, 1e-6)));
}

// ---------------------------------------------------------------- configs

// Widths {32, 64}, one layer, attention at the deeper level only, 2 heads, 8 groups.
SDUNetConfig tinyUNet(int crossDim = 0) {
    SDUNetConfig c;
    c.inChannels = 4;
    c.outChannels = 4;
    c.blockOutChannels = {32, 64};
    c.layersPerBlock = 1;
    c.downBlockTypes = {"DownBlock2D", "CrossAttnDownBlock2D"};
    c.upBlockTypes = {"CrossAttnUpBlock2D", "UpBlock2D"};
    c.attentionHeads = {2};
    c.normNumGroups = 8;
    c.crossAttentionDim = crossDim;
    c.contextTokens = 5;
    return c;
}

// One level of width 32, one layer: the whole network fits in referenceUNet.
SDUNetConfig oneLevelUNet(bool attention, int crossDim, bool linearProjection) {
    SDUNetConfig c;
    c.inChannels = 3;
    c.outChannels = 2;
    c.blockOutChannels = {32};
    c.layersPerBlock = 1;
    c.downBlockTypes = {attention ? "CrossAttnDownBlock2D" : "DownBlock2D"};
    c.upBlockTypes = {attention ? "CrossAttnUpBlock2D" : "UpBlock2D"};
    c.attentionHeads = {2};
    c.normNumGroups = 8;
    c.crossAttentionDim = crossDim;
    c.contextTokens = 3;
    c.useLinearProjection = linearProjection;
    c.midBlockAttention = attention;
    return c;
}

KLConfig tinyKL() {
    KLConfig c;
    c.blockOutChannels = {32, 64};
    c.layersPerBlock = 1;
    c.latentChannels = 4;
    c.normNumGroups = 8;
    return c;
}

// Sets the patch's keys (a null value stays, unlike a JSON merge patch).
nlohmann::json patched(nlohmann::json base, const QString& patch) {
    const auto changes = nlohmann::json::parse(patch.toStdString());
    for (const auto& [key, value] : changes.items())
        base[key] = value;
    return base;
}

} // namespace

class TestSDNets : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void unetParameterNames_data() {
        QTest::addColumn<int>("crossDim");
        QTest::addColumn<bool>("linear");
        QTest::addColumn<QStringList>("expected");
        const QStringList common = {
            "conv_in.weight:32x4x3x3",
            "time_embedding.linear_1.weight:128x32",
            "time_embedding.linear_2.bias:128",
            "down_blocks.0.resnets.0.norm1.weight:32",
            "down_blocks.0.resnets.0.conv1.weight:32x32x3x3",
            "down_blocks.0.resnets.0.time_emb_proj.weight:32x128",
            "!down_blocks.0.resnets.0.conv_shortcut.weight",
            "!down_blocks.0.attentions.0.norm.weight",
            "down_blocks.0.downsamplers.0.conv.weight:32x32x3x3",
            "down_blocks.1.resnets.0.conv_shortcut.weight:64x32x1x1",
            "!down_blocks.1.downsamplers.0.conv.weight",
            "down_blocks.1.attentions.0.norm.weight:64",
            "down_blocks.1.attentions.0.transformer_blocks.0.norm1.weight:64",
            "down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.weight:64x64",
            "!down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.bias",
            "down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_out.0.bias:64",
            "down_blocks.1.attentions.0.transformer_blocks.0.ff.net.0.proj.weight:512x64",
            "down_blocks.1.attentions.0.transformer_blocks.0.ff.net.2.weight:64x256",
            "down_blocks.1.attentions.0.transformer_blocks.0.norm3.bias:64",
            "!down_blocks.1.attentions.0.transformer_blocks.1.norm1.weight",
            "mid_block.resnets.0.conv1.weight:64x64x3x3",
            "mid_block.resnets.1.conv2.weight:64x64x3x3",
            "mid_block.attentions.0.norm.bias:64",
            // up block 0 (the deeper level): resnet 0 takes 64 + the level's skip 64, resnet 1
            // 64 + the skip of the level above (32)
            "up_blocks.0.resnets.0.conv1.weight:64x128x3x3",
            "up_blocks.0.resnets.1.conv_shortcut.weight:64x96x1x1",
            "!up_blocks.0.resnets.2.conv1.weight",
            "up_blocks.0.attentions.1.proj_out.bias:64",
            "up_blocks.0.upsamplers.0.conv.weight:64x64x3x3",
            "up_blocks.1.resnets.0.conv1.weight:32x96x3x3",
            "up_blocks.1.resnets.1.conv_shortcut.weight:32x64x1x1",
            "!up_blocks.1.attentions.0.norm.weight",
            "!up_blocks.1.upsamplers.0.conv.weight",
            "conv_norm_out.weight:32",
            "conv_out.weight:4x32x3x3",
        };
        QTest::newRow("self-attention, conv projections")
            << 0 << false
            << (common + QStringList{
                             "mid_block.attentions.0.proj_in.weight:64x64x1x1",
                             "!down_blocks.1.attentions.0.transformer_blocks.0.norm2.weight",
                             "!down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight",
                             "!context",
                         });
        QTest::newRow("cross-attention, linear projections")
            << 24 << true
            << (common + QStringList{
                             "mid_block.attentions.0.proj_in.weight:64x64",
                             "up_blocks.0.attentions.0.proj_out.weight:64x64",
                             "down_blocks.1.attentions.0.transformer_blocks.0.norm2.weight:64",
                             "down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_q.weight:"
                             "64x64",
                             "down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight:"
                             "64x24",
                             "mid_block.attentions.0.transformer_blocks.0.attn2.to_v.weight:64x24",
                             "context:1x5x24",
                         });
    }

    void unetParameterNames() {
        QFETCH(int, crossDim);
        QFETCH(bool, linear);
        QFETCH(QStringList, expected);
        auto c = tinyUNet(crossDim);
        c.useLinearProjection = linear;
        SDUNet unet(c);
        const auto p = params(*unet);
        expectNames(p, expected);
        // Every name lies in one of diffusers' top-level modules (or is the context).
        for (const auto& [name, t] : p) {
            const bool known =
                name == "context" || name.rfind("conv_in.", 0) == 0 ||
                name.rfind("time_embedding.", 0) == 0 || name.rfind("down_blocks.", 0) == 0 ||
                name.rfind("mid_block.", 0) == 0 || name.rfind("up_blocks.", 0) == 0 ||
                name.rfind("conv_norm_out.", 0) == 0 || name.rfind("conv_out.", 0) == 0;
            QVERIFY2(known, name.c_str());
        }
    }

    void klParameterNames_data() {
        QTest::addColumn<bool>("midAttention");
        QTest::addColumn<QStringList>("expected");
        const QStringList common = {
            "encoder.conv_in.weight:32x3x3x3",
            "encoder.down_blocks.0.resnets.0.conv1.weight:32x32x3x3",
            "!encoder.down_blocks.0.resnets.0.time_emb_proj.weight",
            "!encoder.down_blocks.0.resnets.1.conv1.weight",
            "encoder.down_blocks.0.downsamplers.0.conv.weight:32x32x3x3",
            "encoder.down_blocks.1.resnets.0.conv_shortcut.weight:64x32x1x1",
            "!encoder.down_blocks.1.downsamplers.0.conv.weight",
            "encoder.mid_block.resnets.1.norm2.weight:64",
            "encoder.conv_norm_out.bias:64",
            "encoder.conv_out.weight:8x64x3x3",
            "quant_conv.weight:8x8x1x1",
            "post_quant_conv.weight:4x4x1x1",
            "decoder.conv_in.weight:64x4x3x3",
            "decoder.mid_block.resnets.0.conv1.weight:64x64x3x3",
            "decoder.up_blocks.0.resnets.1.conv2.weight:64x64x3x3",
            "!decoder.up_blocks.0.resnets.2.conv1.weight",
            "decoder.up_blocks.0.upsamplers.0.conv.weight:64x64x3x3",
            "decoder.up_blocks.1.resnets.0.conv_shortcut.weight:32x64x1x1",
            "!decoder.up_blocks.1.upsamplers.0.conv.weight",
            "decoder.conv_norm_out.weight:32",
            "decoder.conv_out.weight:3x32x3x3",
        };
        QTest::newRow("mid attention")
            << true
            << (common + QStringList{
                             "encoder.mid_block.attentions.0.group_norm.weight:64",
                             "encoder.mid_block.attentions.0.to_q.weight:64x64",
                             "encoder.mid_block.attentions.0.to_q.bias:64",
                             "decoder.mid_block.attentions.0.to_out.0.weight:64x64",
                             "decoder.mid_block.attentions.0.to_v.bias:64",
                         });
        QTest::newRow("no mid attention")
            << false
            << (common + QStringList{"!encoder.mid_block.attentions.0.to_q.weight",
                                     "!decoder.mid_block.attentions.0.group_norm.weight"});
    }

    void klParameterNames() {
        QFETCH(bool, midAttention);
        QFETCH(QStringList, expected);
        auto c = tinyKL();
        c.midBlockAddAttention = midAttention;
        KLAutoencoder ae(c);
        expectNames(params(*ae), expected);
        // The halves hold exactly the encoder. / decoder. parameters.
        size_t encoder = 0;
        for (const auto& [name, t] : params(*ae))
            encoder += name.rfind("encoder.", 0) == 0;
        QCOMPARE(ae->encoderModule().parameters().size(), encoder);
        QVERIFY(!ae->decoderModule().parameters().empty());
    }

    void timestepEmbedding() {
        // dim 4: frequencies exp(-ln(10000) * i / 2) = {1, 0.01}; flipped: cos first.
        auto e = sdTimestepEmbedding(torch::tensor({1.0f, 3.0f}), 4, true, 0);
        QCOMPARE(e.sizes().vec(), (std::vector<int64_t>{2, 4}));
        const float want[2][4] = {{std::cos(1.f), std::cos(0.01f), std::sin(1.f), std::sin(0.01f)},
                                  {std::cos(3.f), std::cos(0.03f), std::sin(3.f), std::sin(0.03f)}};
        for (int b = 0; b < 2; ++b)
            for (int i = 0; i < 4; ++i)
                QVERIFY(std::abs(e[b][i].item<float>() - want[b][i]) < 1e-6);
        // Not flipped, shift 1, odd width: sin first, exponent over (half - 1), a zero pad.
        auto s = sdTimestepEmbedding(torch::tensor({2.0f}), 5, false, 1);
        QCOMPARE(s.size(1), int64_t(5));
        const float f1 = std::exp(-std::log(10000.f)); // i = 1 over (2 - 1)
        QVERIFY(std::abs(s[0][0].item<float>() - std::sin(2.f)) < 1e-6);
        QVERIFY(std::abs(s[0][1].item<float>() - std::sin(2.f * f1)) < 1e-6);
        QVERIFY(std::abs(s[0][2].item<float>() - std::cos(2.f)) < 1e-6);
        QCOMPARE(s[0][4].item<float>(), 0.f);
    }

    void unetForward() {
        torch::NoGradGuard noGrad;
        auto c = tinyUNet(24);
        SDUNet unet(c);
        randomize(*unet, 1);
        torch::manual_seed(2);
        auto x = torch::randn({2, 4, 16, 16});
        auto a = unet->forward(x, torch::tensor({10, 10}));
        QCOMPARE(a.sizes().vec(), (std::vector<int64_t>{2, 4, 16, 16}));
        auto b = unet->forward(x, torch::tensor({500, 500}));
        QVERIFY2(maxDiff(a, b) > 1e-3, "the output does not depend on the timestep");
        // One timestep broadcasts over the batch; float timesteps equal integer ones.
        QVERIFY(maxDiff(unet->forward(x, torch::tensor({10})), a) < 1e-6);
        QVERIFY(maxDiff(unet->forward(x, torch::tensor({10.0f, 10.0f})), a) < 1e-6);
        // Sides that the two levels cannot halve are refused.
        QVERIFY_THROWS_EXCEPTION(c10::Error,
                                 unet->forward(torch::randn({1, 4, 15, 16}), torch::tensor({1})));

        // Progress after every block (down 2, mid, up 2), and a cancel inside the call.
        RunState state;
        std::vector<double> fractions;
        state.blockDone = [&](double f) { fractions.push_back(f); };
        unet->forward(x, torch::tensor({10, 10}), &state);
        QCOMPARE(fractions, (std::vector<double>{0.2, 0.4, 0.6, 0.8, 1.0}));
        std::atomic<bool> cancel{true};
        state.cancel = &cancel;
        fractions.clear();
        QVERIFY_THROWS_EXCEPTION(Cancelled, unet->forward(x, torch::tensor({10, 10}), &state));
        QVERIFY(fractions.empty());
    }

    // The whole one-level network, computed by hand from its named parameters.
    void unetMatchesReference_data() {
        QTest::addColumn<bool>("attention");
        QTest::addColumn<int>("crossDim");
        QTest::addColumn<bool>("linear");
        QTest::addColumn<int>("side");
        QTest::addColumn<int>("batch");
        QTest::newRow("resnets only") << false << 0 << false << 8 << 2;
        QTest::newRow("self-attention") << true << 0 << false << 8 << 2;
        QTest::newRow("cross-attention") << true << 24 << false << 8 << 2;
        QTest::newRow("cross-attention, linear") << true << 24 << true << 8 << 2;
        // 2 x 2 heads x 2304^2 scores exceed the attention's budget: computed in row chunks.
        QTest::newRow("chunked attention") << true << 0 << false << 48 << 2;
    }

    void unetMatchesReference() {
        QFETCH(bool, attention);
        QFETCH(int, crossDim);
        QFETCH(bool, linear);
        QFETCH(int, side);
        QFETCH(int, batch);
        torch::NoGradGuard noGrad;
        const auto c = oneLevelUNet(attention, crossDim, linear);
        SDUNet unet(c);
        randomize(*unet, 3);
        const auto p = params(*unet);
        QCOMPARE(bool(p.count("context")), crossDim > 0);
        torch::manual_seed(4);
        auto x = torch::randn({batch, 3, side, side});
        auto t = torch::tensor({7, 900}).narrow(0, 0, batch);
        auto got = unet->forward(x, t);
        auto want = referenceUNet(p, c, x, t);
        QCOMPARE(got.sizes(), want.sizes());
        const double d = maxDiff(got, want);
        QVERIFY2(d < 1e-4 * (1.0 + want.abs().max().item<double>()),
                 qPrintable(QStringLiteral("max |diff| %1").arg(d)));
    }

    void unetBackward() {
        // Training runs through the chunked attention and the context: gradients reach both.
        const auto c = oneLevelUNet(true, 8, false);
        SDUNet unet(c);
        randomize(*unet, 5);
        auto out = unet->forward(torch::randn({1, 3, 8, 8}), torch::tensor({3}));
        out.square().mean().backward();
        const auto p = params(*unet);
        QVERIFY(p.at("context").grad().defined());
        QVERIFY(p.at("context").grad().abs().sum().item<double>() > 0);
        QVERIFY(p.at("down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight")
                    .grad()
                    .abs()
                    .sum()
                    .item<double>() > 0);
    }

    void klForward() {
        torch::NoGradGuard noGrad;
        const auto c = tinyKL();
        KLAutoencoder ae(c);
        randomize(*ae, 6);
        const auto p = params(*ae);
        torch::manual_seed(7);
        auto image = torch::rand({2, 3, 16, 16}) * 2 - 1;
        auto moments = ae->moments(image);
        QCOMPARE(moments.sizes().vec(), (std::vector<int64_t>{2, 8, 8, 8}));
        // Against the encoder by hand (its downsampler pads right and bottom only: a symmetric
        // pad gives the same shape but shifted values).
        auto want = referenceMoments(p, c.normNumGroups, image);
        QVERIFY2(maxDiff(moments, want) < 1e-4,
                 qPrintable(QString::number(maxDiff(moments, want))));
        QVERIFY(maxDiff(moments, referenceMoments(p, c.normNumGroups, image, true)) > 1e-3);

        torch::Tensor mean, logvar;
        klSplitMoments(moments, &mean, &logvar);
        QVERIFY(maxDiff(mean, moments.narrow(1, 0, 4)) == 0);
        QVERIFY(maxDiff(logvar, moments.narrow(1, 4, 4).clamp(-30, 20)) == 0);
        auto latent = ae->encode(image);
        QVERIFY(maxDiff(latent, mean * c.scalingFactor) < 1e-6);

        auto decoded = ae->decode(latent);
        QCOMPARE(decoded.sizes(), image.sizes());
        auto wantDecoded = referenceDecode(p, c.normNumGroups, c.scalingFactor, latent);
        QVERIFY2(maxDiff(decoded, wantDecoded) < 1e-4,
                 qPrintable(QString::number(maxDiff(decoded, wantDecoded))));
        QCOMPARE(ae->encode(decoded).sizes(), latent.sizes());

        // The variance is clamped as diffusers' DiagonalGaussianDistribution does.
        auto extreme = torch::cat({torch::zeros({1, 4, 2, 2}), torch::full({1, 4, 2, 2}, 50.0)}, 1);
        klSplitMoments(extreme, &mean, &logvar);
        QCOMPARE(logvar.max().item<double>(), 20.0);
        extreme.fill_(-50.0);
        klSplitMoments(extreme, nullptr, &logvar);
        QCOMPARE(logvar.min().item<double>(), -30.0);
    }

    void namesRoundTrip_data() {
        QTest::addColumn<bool>("attentionLast");
        QTest::addColumn<QStringList>("ldmNames");
        QTest::newRow("attention at the deeper level, cross-attention")
            << true
            << QStringList{
                   "time_embed.0.weight:128x32",
                   "time_embed.2.bias:128",
                   "input_blocks.0.0.weight:32x4x3x3",
                   "input_blocks.1.0.in_layers.0.weight:32",
                   "input_blocks.1.0.in_layers.2.weight:32x32x3x3",
                   "input_blocks.1.0.emb_layers.1.weight:32x128",
                   "input_blocks.1.0.out_layers.3.bias:32",
                   "input_blocks.2.0.op.weight:32x32x3x3",
                   "input_blocks.3.0.skip_connection.weight:64x32x1x1",
                   "input_blocks.3.1.proj_in.weight:64x64x1x1",
                   "input_blocks.3.1.transformer_blocks.0.attn2.to_k.weight:64x24",
                   "middle_block.0.out_layers.0.weight:64",
                   "middle_block.1.proj_in.weight:64x64x1x1",
                   "middle_block.2.in_layers.2.weight:64x64x3x3",
                   "output_blocks.0.0.in_layers.2.weight:64x128x3x3",
                   "output_blocks.1.1.transformer_blocks.0.ff.net.0.proj.weight:512x64",
                   "output_blocks.1.2.conv.weight:64x64x3x3",
                   "output_blocks.2.0.skip_connection.weight:32x96x1x1",
                   "output_blocks.3.0.in_layers.2.weight:32x64x3x3",
                   "!output_blocks.3.1.conv.weight",
                   "out.0.weight:32",
                   "out.2.weight:4x32x3x3",
                   "context:1x5x24",
               };
        QTest::newRow("attention at the first level, linear, no mid attention")
            << false
            << QStringList{
                   "input_blocks.1.1.proj_in.weight:32x32",
                   "input_blocks.1.1.transformer_blocks.0.attn1.to_v.weight:32x32",
                   "input_blocks.2.0.op.bias:32",
                   "!input_blocks.3.1.norm.weight",
                   "middle_block.1.in_layers.0.weight:64",
                   "!middle_block.2.in_layers.0.weight",
                   "output_blocks.1.1.conv.weight:64x64x3x3",
                   "output_blocks.2.1.proj_out.weight:32x32",
                   "output_blocks.3.1.norm.bias:32",
               };
    }

    void namesRoundTrip() {
        QFETCH(bool, attentionLast);
        QFETCH(QStringList, ldmNames);
        auto c = tinyUNet(attentionLast ? 24 : 0);
        if (!attentionLast) {
            c.downBlockTypes = {"CrossAttnDownBlock2D", "DownBlock2D"};
            c.upBlockTypes = {"UpBlock2D", "CrossAttnUpBlock2D"};
            c.useLinearProjection = true;
            c.midBlockAttention = false;
        }
        SDUNet unet(c);
        randomize(*unet, 8);
        const auto diffusers = params(*unet);
        auto ldm = unetDiffusersToLdm(diffusers, c);
        QVERIFY2(ldm.isOk(), ldm.status().message().c_str());
        QCOMPARE(ldm->size(), diffusers.size());
        expectNames(*ldm, ldmNames);
        QCOMPARE(detectUNetLayout(*ldm), SDLayout::Ldm);
        QCOMPARE(detectUNetLayout(diffusers), SDLayout::Diffusers);

        // Back, also from a whole checkpoint (prefixed, beside other networks' tensors).
        TensorMap checkpoint;
        for (const auto& [name, t] : *ldm)
            checkpoint["model.diffusion_model." + name] = t;
        checkpoint["first_stage_model.encoder.conv_in.weight"] = torch::zeros({1});
        checkpoint["cond_stage_model.transformer.x"] = torch::zeros({1});
        QCOMPARE(detectUNetLayout(checkpoint), SDLayout::Ldm);
        for (const TensorMap* source : {&*ldm, &checkpoint}) {
            auto back = unetLdmToDiffusers(*source, c);
            QVERIFY2(back.isOk(), back.status().message().c_str());
            QCOMPARE(back->size(), diffusers.size());
            for (const auto& [name, t] : diffusers) {
                QVERIFY2(back->count(name), name.c_str());
                QVERIFY2(back->at(name).sizes() == t.sizes(), name.c_str());
                QVERIFY2(torch::equal(back->at(name), t), name.c_str());
            }
        }

        // The architecture from shapes alone (groups and heads are not in them).
        for (const TensorMap& source : {diffusers, unetLdmToDiffusers(*ldm, c).value()}) {
            auto inferred = inferUNetConfig(source, {2});
            QVERIFY2(inferred.isOk(), inferred.status().message().c_str());
            inferred->normNumGroups = c.normNumGroups;
            if (!c.crossAttentionDim) // no context tensor: its length is unused and unknown
                inferred->contextTokens = c.contextTokens;
            QCOMPARE(QString::fromStdString(inferred->toJson().dump()),
                     QString::fromStdString(c.toJson().dump()));
        }
        // Heads that do not divide a width with attention are refused.
        QVERIFY(!inferUNetConfig(diffusers, {3}).isOk());
    }

    void namesRefuseStrayTensors_data() {
        QTest::addColumn<QString>("stray");
        QTest::newRow("unknown module") << "bogus.weight";
        QTest::newRow("unknown resnet part") << "input_blocks.1.0.in_layers.1.weight";
        QTest::newRow("transformer part")
            << "input_blocks.3.1.transformer_blocks.0.attn3.to_q.weight";
        QTest::newRow("block the config lacks") << "input_blocks.9.0.in_layers.0.weight";
        QTest::newRow("attention where the config has none") << "input_blocks.1.1.norm.weight";
        QTest::newRow("ema copy") << "model_ema.decay";
    }

    void namesRefuseStrayTensors() {
        QFETCH(QString, stray);
        const auto c = tinyUNet();
        SDUNet unet(c);
        auto ldm = unetDiffusersToLdm(params(*unet), c).value();
        ldm[stray.toStdString()] = torch::zeros({2});
        auto r = unetLdmToDiffusers(ldm, c);
        QVERIFY(!r.isOk());
        QVERIFY2(r.status().message().find(stray.toStdString()) != std::string::npos,
                 r.status().message().c_str());
    }

    void autoencoderNames() {
        auto c = tinyKL();
        KLAutoencoder ae(c);
        randomize(*ae, 9);
        const auto diffusers = params(*ae);
        auto ldm = autoencoderDiffusersToLdm(diffusers, c);
        QVERIFY2(ldm.isOk(), ldm.status().message().c_str());
        QCOMPARE(ldm->size(), diffusers.size());
        expectNames(*ldm, {
                              "encoder.conv_in.weight:32x3x3x3",
                              "encoder.down.0.block.0.norm1.weight:32",
                              "encoder.down.0.downsample.conv.weight:32x32x3x3",
                              "encoder.down.1.block.0.nin_shortcut.weight:64x32x1x1",
                              "encoder.mid.block_1.conv1.weight:64x64x3x3",
                              "encoder.mid.attn_1.norm.weight:64",
                              "encoder.mid.attn_1.q.weight:64x64x1x1",
                              "encoder.mid.attn_1.proj_out.weight:64x64x1x1",
                              "encoder.mid.attn_1.k.bias:64",
                              "encoder.norm_out.bias:64",
                              "decoder.mid.block_2.conv2.weight:64x64x3x3",
                              "decoder.mid.attn_1.v.weight:64x64x1x1",
                              "decoder.up.1.block.1.conv1.weight:64x64x3x3",
                              "decoder.up.1.upsample.conv.weight:64x64x3x3",
                              "!decoder.up.0.upsample.conv.weight",
                              "decoder.up.0.block.0.nin_shortcut.weight:32x64x1x1",
                              "decoder.norm_out.weight:32",
                              "quant_conv.weight:8x8x1x1",
                              "post_quant_conv.bias:4",
                          });
        QCOMPARE(detectAutoencoderLayout(*ldm), SDLayout::Ldm);
        QCOMPARE(detectAutoencoderLayout(diffusers), SDLayout::Diffusers);
        QCOMPARE(detectAutoencoderLayout(TensorMap{{"x.weight", torch::zeros({1})}}),
                 SDLayout::Unknown);

        // Back from a whole checkpoint; the training-only loss tensors of a bare VAE file are
        // skipped.
        TensorMap checkpoint, bare = *ldm;
        for (const auto& [name, t] : *ldm)
            checkpoint["first_stage_model." + name] = t;
        checkpoint["model.diffusion_model.out.0.weight"] = torch::zeros({1});
        bare["loss.discriminator.main.0.weight"] = torch::zeros({1});
        QCOMPARE(detectAutoencoderLayout(checkpoint), SDLayout::Ldm);
        for (const TensorMap* source : {&checkpoint, &bare}) {
            auto back = autoencoderLdmToDiffusers(*source, c);
            QVERIFY2(back.isOk(), back.status().message().c_str());
            QCOMPARE(back->size(), diffusers.size());
            for (const auto& [name, t] : diffusers) {
                QVERIFY2(back->count(name), name.c_str());
                QVERIFY2(back->at(name).sizes() == t.sizes(), name.c_str());
                QVERIFY2(torch::equal(back->at(name), t), name.c_str());
            }
        }
        auto inferred = inferAutoencoderConfig(diffusers);
        QVERIFY2(inferred.isOk(), inferred.status().message().c_str());
        inferred->normNumGroups = c.normNumGroups;
        QCOMPARE(QString::fromStdString(inferred->toJson().dump()),
                 QString::fromStdString(c.toJson().dump()));

        // Older diffusers files: query/key/value/proj_attn (here one of them conv-shaped).
        TensorMap old;
        for (const auto& [key, t] : diffusers) {
            std::string name = key;
            for (auto [now, before] : {std::pair{".to_q.", ".query."},
                                       {".to_k.", ".key."},
                                       {".to_v.", ".value."},
                                       {".to_out.0.", ".proj_attn."}})
                if (auto pos = name.find(now); pos != std::string::npos)
                    name.replace(pos, std::strlen(now), before);
            old[name] = name == "decoder.mid_block.attentions.0.query.weight"
                            ? t.reshape({t.size(0), t.size(1), 1, 1})
                            : t;
        }
        QVERIFY(old.count("encoder.mid_block.attentions.0.proj_attn.bias"));
        const auto upgraded = upgradeDeprecatedAttentionNames(old);
        QCOMPARE(upgraded.size(), diffusers.size());
        for (const auto& [name, t] : diffusers) {
            QVERIFY2(upgraded.count(name), name.c_str());
            QVERIFY2(torch::equal(upgraded.at(name), t), name.c_str());
        }

        TensorMap stray = *ldm;
        stray["encoder.down.0.block.0.norm3.weight"] = torch::zeros({2});
        auto r = autoencoderLdmToDiffusers(stray, c);
        QVERIFY(!r.isOk());
        QVERIFY(r.status().message().find("encoder.down.0.block.0.norm3.weight") !=
                std::string::npos);
        QVERIFY(!inferAutoencoderConfig(*ldm).isOk()); // shapes are read from diffusers names
    }

    void diffusersConfigs() {
        // Stable Diffusion 1.5's unet/config.json and vae/config.json as published.
        const auto unetJson = nlohmann::json::parse(R"({
            "_class_name": "UNet2DConditionModel", "_diffusers_version": "0.6.0",
            "act_fn": "silu", "attention_head_dim": 8,
            "block_out_channels": [320, 640, 1280, 1280], "center_input_sample": false,
            "cross_attention_dim": 768,
            "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                                 "CrossAttnDownBlock2D", "DownBlock2D"],
            "downsample_padding": 1, "flip_sin_to_cos": true, "freq_shift": 0, "in_channels": 4,
            "layers_per_block": 2, "mid_block_scale_factor": 1, "norm_eps": 1e-05,
            "norm_num_groups": 32, "out_channels": 4, "sample_size": 64,
            "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D",
                               "CrossAttnUpBlock2D"]})");
        auto u = SDUNetConfig::fromJson(unetJson);
        QVERIFY2(u.isOk(), u.status().message().c_str());
        QCOMPARE(u->crossAttentionDim, 768);
        QCOMPARE(u->headsAt(3), 8);
        QCOMPARE(u->layersPerBlock, 2);
        QCOMPARE(u->inChannels, 4);
        QVERIFY(u->attentionAt(0) && !u->attentionAt(3));
        QCOMPARE(u->downFactor(), 8);
        const auto vaeJson = nlohmann::json::parse(R"({
            "_class_name": "AutoencoderKL", "act_fn": "silu",
            "block_out_channels": [128, 256, 512, 512],
            "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D",
                                 "DownEncoderBlock2D", "DownEncoderBlock2D"],
            "in_channels": 3, "latent_channels": 4, "layers_per_block": 2,
            "norm_num_groups": 32, "out_channels": 3, "sample_size": 512,
            "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D",
                               "UpDecoderBlock2D"]})");
        auto v = KLConfig::fromJson(vaeJson);
        QVERIFY2(v.isOk(), v.status().message().c_str());
        QCOMPARE(v->downFactor(), 8);
        QCOMPARE(v->scalingFactor, 0.18215);

        // Round trips, with the non-default values.
        auto c = tinyUNet(24);
        c.attentionHeads = {2, 4};
        c.useLinearProjection = true;
        c.transformerLayersPerBlock = 2;
        c.midBlockAttention = false;
        c.flipSinToCos = false;
        c.freqShift = 1;
        c.normEps = 1e-6;
        auto again = SDUNetConfig::fromJson(c.toJson());
        QVERIFY2(again.isOk(), again.status().message().c_str());
        QCOMPARE(again->toJson(), c.toJson());
        auto k = tinyKL();
        k.midBlockAddAttention = false;
        k.scalingFactor = 0.13025;
        auto kAgain = KLConfig::fromJson(k.toJson());
        QVERIFY2(kAgain.isOk(), kAgain.status().message().c_str());
        QCOMPARE(kAgain->toJson(), k.toJson());
    }

    void hostileConfigs_data() {
        QTest::addColumn<bool>("autoencoder");
        QTest::addColumn<QString>("patch");
        QTest::addColumn<QString>("key");
        auto u = [](const char* name, const char* patch, const char* key) {
            QTest::newRow(name) << false << patch << key;
        };
        u("negative width", R"({"block_out_channels": [-32, 64]})", "block_out_channels");
        u("width not a group multiple", R"({"block_out_channels": [36, 64]})",
          "block_out_channels");
        u("groups not dividing", R"({"norm_num_groups": 24})", "norm_num_groups");
        u("huge width", R"({"block_out_channels": [32, 65536]})", "block_out_channels");
        u("too many levels",
          R"({"block_out_channels": [32, 32, 32, 32, 32, 32, 32],
              "down_block_types": ["DownBlock2D", "DownBlock2D", "DownBlock2D", "DownBlock2D",
                                   "DownBlock2D", "DownBlock2D", "DownBlock2D"],
              "up_block_types": ["UpBlock2D", "UpBlock2D", "UpBlock2D", "UpBlock2D",
                                 "UpBlock2D", "UpBlock2D", "UpBlock2D"]})",
          "block_out_channels");
        u("no levels", R"({"block_out_channels": []})", "block_out_channels");
        u("heads not dividing", R"({"attention_head_dim": 3})", "attention_head_dim");
        u("heads per level miscounted", R"({"attention_head_dim": [2, 2, 2]})",
          "attention_head_dim");
        u("zero heads", R"({"attention_head_dim": 0})", "attention_head_dim");
        u("too many layers", R"({"layers_per_block": 100})", "layers_per_block");
        u("layers of the wrong type", R"({"layers_per_block": "two"})", "layers_per_block");
        u("block types miscounted", R"({"down_block_types": ["DownBlock2D"]})", "down_block_types");
        u("unknown block type", R"({"down_block_types": ["SimpleDown", "CrossAttnDownBlock2D"]})",
          "down_block_types");
        u("up types not mirrored", R"({"up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"]})",
          "up_block_types");
        u("no input channels", R"({"in_channels": 0})", "in_channels");
        u("cross-attention per level", R"({"cross_attention_dim": [768, 768]})",
          "cross_attention_dim");
        u("transformer layers", R"({"transformer_layers_per_block": 50})",
          "transformer_layers_per_block");
        u("transformer layers per level", R"({"transformer_layers_per_block": [1, 1]})",
          "transformer_layers_per_block");
        u("context tokens", R"({"context_tokens": 100000})", "context_tokens");
        u("class embedding", R"({"class_embed_type": "timestep"})", "class_embed_type");
        u("no middle block", R"({"mid_block_type": null})", "mid_block_type");
        u("single-resnet middle block", R"({"mid_block_type": "UNetMidBlock2D"})",
          "mid_block_type");
        u("negative eps", R"({"norm_eps": -1})", "norm_eps");
        u("frequency shift", R"({"freq_shift": 16})", "freq_shift");
        auto k = [](const char* name, const char* patch, const char* key) {
            QTest::newRow(name) << true << patch << key;
        };
        k("ae width", R"({"block_out_channels": [30, 64]})", "block_out_channels");
        k("ae groups", R"({"norm_num_groups": 0})", "norm_num_groups");
        k("ae latent", R"({"latent_channels": 0})", "latent_channels");
        k("ae layers", R"({"layers_per_block": 0})", "layers_per_block");
        k("ae levels",
          R"({"block_out_channels": [32, 32, 32, 32, 32, 32, 32], "down_block_types": null,
              "up_block_types": null})",
          "block_out_channels");
        k("ae block type", R"({"down_block_types": ["DownBlock2D", "DownEncoderBlock2D"]})",
          "down_block_types");
        k("ae block types miscounted", R"({"up_block_types": ["UpDecoderBlock2D"]})",
          "up_block_types");
        k("ae scale", R"({"scaling_factor": -1})", "scaling_factor");
        k("ae quant conv", R"({"use_quant_conv": false})", "use_quant_conv");
        k("ae shift", R"({"shift_factor": 0.1159})", "shift_factor");
    }

    void hostileConfigs() {
        QFETCH(bool, autoencoder);
        QFETCH(QString, patch);
        QFETCH(QString, key);
        auto c = tinyUNet();
        auto j = patched(autoencoder ? tinyKL().toJson() : c.toJson(), patch);
        const Status s =
            autoencoder ? KLConfig::fromJson(j).status() : SDUNetConfig::fromJson(j).status();
        QVERIFY2(!s.isOk(), qPrintable(patch));
        QVERIFY2(s.message().find(key.toStdString()) != std::string::npos, s.message().c_str());
        // The unpatched configs are fine, and null where it means "absent" too.
        QVERIFY(SDUNetConfig::fromJson(c.toJson()).isOk());
        QVERIFY(!SDUNetConfig::fromJson(nlohmann::json::array()).isOk());
        QVERIFY(SDUNetConfig::fromJson(patched(c.toJson(), R"({"mid_block_type": null,
                                                             "mid_block_attention": false})"))
                    .isOk());
    }
};

QTEST_GUILESS_MAIN(TestSDNets)
#include "tst_sdnets.moc"
