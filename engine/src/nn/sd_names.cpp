// Stable Diffusion state dicts: ldm <-> diffusers names (the correspondence of diffusers'
// convert_ldm_unet_checkpoint / convert_ldm_vae_checkpoint and their inverse), layout detection and
// the architecture read back from tensor shapes.
#include "shiftsr/nn/sd_names.h"

#include <cstring>
#include <functional>
#include <regex>

namespace shiftsr::nn {

namespace {

// What lies below one mapped module prefix, and so how the rest of a tensor name translates.
enum class Kind {
    Leaf,            // weight / bias of one layer (conv_in, downsampler conv, ...)
    Parameter,       // the prefix is the whole name (the UNet's learned `context`)
    UNetResnet,      // ldm ResBlock <-> diffusers ResnetBlock2D
    UNetTransformer, // SpatialTransformer <-> Transformer2DModel: the same names below
    VaeResnet,       // ldm ResnetBlock <-> diffusers ResnetBlock2D without time embedding
    VaeAttention,    // ldm AttnBlock (1x1 convs) <-> diffusers Attention (linear)
};

struct Entry {
    std::string ldm, diffusers;
    Kind kind;
};

std::string str(int v) {
    return std::to_string(v);
}

// The module correspondence of a UNet of config `c` (diffusers' unet_conversion_map_layer, written
// for any number of levels and layers).
std::vector<Entry> unetEntries(const SDUNetConfig& c) {
    std::vector<Entry> e = {
        {"time_embed.0", "time_embedding.linear_1", Kind::Leaf},
        {"time_embed.2", "time_embedding.linear_2", Kind::Leaf},
        {"input_blocks.0.0", "conv_in", Kind::Leaf},
        {"out.0", "conv_norm_out", Kind::Leaf},
        {"out.2", "conv_out", Kind::Leaf},
        {"context", "context", Kind::Parameter},
    };
    const int n = c.levels(), L = c.layersPerBlock;
    for (int i = 0; i < n; ++i) {
        const std::string down = "down_blocks." + str(i);
        for (int j = 0; j < L; ++j) {
            const std::string in = "input_blocks." + str(1 + i * (L + 1) + j);
            e.push_back({in + ".0", down + ".resnets." + str(j), Kind::UNetResnet});
            if (c.attentionAt(i))
                e.push_back({in + ".1", down + ".attentions." + str(j), Kind::UNetTransformer});
        }
        if (i + 1 < n)
            e.push_back({"input_blocks." + str(1 + i * (L + 1) + L) + ".0.op",
                         down + ".downsamplers.0.conv", Kind::Leaf});
    }
    e.push_back({"middle_block.0", "mid_block.resnets.0", Kind::UNetResnet});
    if (c.midBlockAttention) {
        e.push_back({"middle_block.1", "mid_block.attentions.0", Kind::UNetTransformer});
        e.push_back({"middle_block.2", "mid_block.resnets.1", Kind::UNetResnet});
    } else {
        e.push_back({"middle_block.1", "mid_block.resnets.1", Kind::UNetResnet});
    }
    for (int i = 0; i < n; ++i) {
        const int level = n - 1 - i;
        const std::string up = "up_blocks." + str(i);
        for (int j = 0; j <= L; ++j) {
            const std::string out = "output_blocks." + str(i * (L + 1) + j);
            e.push_back({out + ".0", up + ".resnets." + str(j), Kind::UNetResnet});
            if (c.attentionAt(level))
                e.push_back({out + ".1", up + ".attentions." + str(j), Kind::UNetTransformer});
        }
        if (i + 1 < n) // after the level's last resnet (and its transformer)
            e.push_back({"output_blocks." + str(i * (L + 1) + L) +
                             (c.attentionAt(level) ? ".2.conv" : ".1.conv"),
                         up + ".upsamplers.0.conv", Kind::Leaf});
    }
    return e;
}

// diffusers' vae_conversion_map for any number of levels: ldm numbers the decoder's levels from
// the highest resolution (up.0 is the last to run), diffusers in running order.
std::vector<Entry> vaeEntries(const KLConfig& c) {
    std::vector<Entry> e = {
        {"encoder.conv_in", "encoder.conv_in", Kind::Leaf},
        {"encoder.norm_out", "encoder.conv_norm_out", Kind::Leaf},
        {"encoder.conv_out", "encoder.conv_out", Kind::Leaf},
        {"decoder.conv_in", "decoder.conv_in", Kind::Leaf},
        {"decoder.norm_out", "decoder.conv_norm_out", Kind::Leaf},
        {"decoder.conv_out", "decoder.conv_out", Kind::Leaf},
        {"quant_conv", "quant_conv", Kind::Leaf},
        {"post_quant_conv", "post_quant_conv", Kind::Leaf},
    };
    const int n = int(c.blockOutChannels.size()), L = c.layersPerBlock;
    for (const char* half : {"encoder", "decoder"}) {
        const std::string h = half;
        e.push_back({h + ".mid.block_1", h + ".mid_block.resnets.0", Kind::VaeResnet});
        e.push_back({h + ".mid.block_2", h + ".mid_block.resnets.1", Kind::VaeResnet});
        if (c.midBlockAddAttention)
            e.push_back({h + ".mid.attn_1", h + ".mid_block.attentions.0", Kind::VaeAttention});
    }
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < L; ++j)
            e.push_back({"encoder.down." + str(i) + ".block." + str(j),
                         "encoder.down_blocks." + str(i) + ".resnets." + str(j), Kind::VaeResnet});
        if (i + 1 < n)
            e.push_back({"encoder.down." + str(i) + ".downsample.conv",
                         "encoder.down_blocks." + str(i) + ".downsamplers.0.conv", Kind::Leaf});
        const int level = n - 1 - i;
        for (int j = 0; j <= L; ++j)
            e.push_back({"decoder.up." + str(level) + ".block." + str(j),
                         "decoder.up_blocks." + str(i) + ".resnets." + str(j), Kind::VaeResnet});
        if (i + 1 < n)
            e.push_back({"decoder.up." + str(level) + ".upsample.conv",
                         "decoder.up_blocks." + str(i) + ".upsamplers.0.conv", Kind::Leaf});
    }
    return e;
}

// Renames of the names below a block, ldm first.
using Renames = std::vector<std::pair<std::string, std::string>>;

const Renames& renamesOf(Kind kind) {
    static const Renames leaf = {{"weight", "weight"}, {"bias", "bias"}};
    static const Renames unetResnet = {
        {"in_layers.0.weight", "norm1.weight"},
        {"in_layers.0.bias", "norm1.bias"},
        {"in_layers.2.weight", "conv1.weight"},
        {"in_layers.2.bias", "conv1.bias"},
        {"emb_layers.1.weight", "time_emb_proj.weight"},
        {"emb_layers.1.bias", "time_emb_proj.bias"},
        {"out_layers.0.weight", "norm2.weight"},
        {"out_layers.0.bias", "norm2.bias"},
        {"out_layers.3.weight", "conv2.weight"},
        {"out_layers.3.bias", "conv2.bias"},
        {"skip_connection.weight", "conv_shortcut.weight"},
        {"skip_connection.bias", "conv_shortcut.bias"},
    };
    static const Renames vaeResnet = {
        {"norm1.weight", "norm1.weight"},
        {"norm1.bias", "norm1.bias"},
        {"conv1.weight", "conv1.weight"},
        {"conv1.bias", "conv1.bias"},
        {"norm2.weight", "norm2.weight"},
        {"norm2.bias", "norm2.bias"},
        {"conv2.weight", "conv2.weight"},
        {"conv2.bias", "conv2.bias"},
        {"nin_shortcut.weight", "conv_shortcut.weight"},
        {"nin_shortcut.bias", "conv_shortcut.bias"},
    };
    static const Renames vaeAttention = {
        {"norm.weight", "group_norm.weight"},
        {"norm.bias", "group_norm.bias"},
        {"q.weight", "to_q.weight"},
        {"q.bias", "to_q.bias"},
        {"k.weight", "to_k.weight"},
        {"k.bias", "to_k.bias"},
        {"v.weight", "to_v.weight"},
        {"v.bias", "to_v.bias"},
        {"proj_out.weight", "to_out.0.weight"},
        {"proj_out.bias", "to_out.0.bias"},
    };
    static const Renames none;
    switch (kind) {
    case Kind::Leaf:
        return leaf;
    case Kind::UNetResnet:
        return unetResnet;
    case Kind::VaeResnet:
        return vaeResnet;
    case Kind::VaeAttention:
        return vaeAttention;
    case Kind::Parameter:
    case Kind::UNetTransformer:
        break;
    }
    return none;
}

// The names below a SpatialTransformer / Transformer2DModel (identical in both layouts).
bool isTransformerSuffix(const std::string& s) {
    static const std::regex re(
        R"((norm|proj_in|proj_out)\.(weight|bias)|transformer_blocks\.\d+\.((norm[123])\.(weight|bias)|attn[12]\.to_[qkv]\.weight|attn[12]\.to_out\.0\.(weight|bias)|ff\.net\.0\.proj\.(weight|bias)|ff\.net\.2\.(weight|bias)))");
    return std::regex_match(s, re);
}

enum class Direction { LdmToDiffusers, DiffusersToLdm };

// Renames `suffix` (the part of a name below its block) for `kind`; false when it is no name of
// such a block.
bool translateSuffix(Kind kind, const std::string& suffix, Direction dir, std::string* out) {
    if (kind == Kind::UNetTransformer) {
        *out = suffix;
        return isTransformerSuffix(suffix);
    }
    for (const auto& [ldm, diffusers] : renamesOf(kind)) {
        const auto& from = dir == Direction::LdmToDiffusers ? ldm : diffusers;
        if (from == suffix) {
            *out = dir == Direction::LdmToDiffusers ? diffusers : ldm;
            return true;
        }
    }
    return false;
}

// Tensors whose rank differs between the layouts or from what the config builds.
torch::Tensor reshapeFor(Kind kind, const std::string& suffix, const torch::Tensor& t,
                         Direction dir, bool linearProjection) {
    const bool isWeight = suffix.size() > 7 && suffix.compare(suffix.size() - 7, 7, ".weight") == 0;
    if (kind == Kind::VaeAttention && isWeight && suffix.find("norm") == std::string::npos) {
        // ldm AttnBlock: 1x1 convs [C, C, 1, 1]; diffusers Attention: linear [C, C].
        if (dir == Direction::LdmToDiffusers && t.dim() == 4)
            return t.flatten(1);
        if (dir == Direction::DiffusersToLdm && t.dim() == 2)
            return t.reshape({t.size(0), t.size(1), 1, 1});
    }
    if (kind == Kind::UNetTransformer &&
        (suffix == "proj_in.weight" || suffix == "proj_out.weight")) {
        // Both layouts store proj_in/proj_out as the checkpoint's config built them (a 1x1 conv, or
        // a linear with use_linear_projection): reshaped only where that disagrees with `config`.
        if (linearProjection && t.dim() == 4)
            return t.flatten(1);
        if (!linearProjection && t.dim() == 2)
            return t.reshape({t.size(0), t.size(1), 1, 1});
    }
    return t;
}

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

// The tensors of one network out of a state dict that may hold more: with any name under one of
// `prefixes` (a whole Stable Diffusion checkpoint), only those, with the prefix taken off;
// otherwise every tensor except those under `ignored` (training-only parts such as the VAE's
// `loss.` discriminator).
TensorMap selectNetwork(const TensorMap& tensors, const std::vector<std::string>& prefixes,
                        const std::vector<std::string>& ignored) {
    for (const auto& prefix : prefixes) {
        TensorMap picked;
        for (const auto& [name, t] : tensors)
            if (startsWith(name, prefix))
                picked.emplace(name.substr(prefix.size()), t);
        if (!picked.empty())
            return picked;
    }
    TensorMap all;
    for (const auto& [name, t] : tensors) {
        bool skip = false;
        for (const auto& prefix : ignored)
            skip = skip || startsWith(name, prefix);
        if (!skip)
            all.emplace(name, t);
    }
    return all;
}

Result<TensorMap> mapNames(const TensorMap& tensors, const std::vector<Entry>& entries,
                           Direction dir, bool linearProjection, const char* what) {
    std::map<std::string, const Entry*> byPrefix;
    for (const auto& e : entries)
        byPrefix[dir == Direction::LdmToDiffusers ? e.ldm : e.diffusers] = &e;
    TensorMap out;
    for (const auto& [name, t] : tensors) {
        // The longest mapped prefix: "input_blocks.3.0.op" before "input_blocks.3.0".
        std::string prefix = name;
        const Entry* entry = nullptr;
        while (true) {
            auto it = byPrefix.find(prefix);
            if (it != byPrefix.end()) {
                entry = it->second;
                break;
            }
            const auto dot = prefix.rfind('.');
            if (dot == std::string::npos)
                break;
            prefix.resize(dot);
        }
        std::string target;
        torch::Tensor value = t;
        bool ok = false;
        if (entry && entry->kind == Kind::Parameter) {
            ok = prefix == name;
            target = dir == Direction::LdmToDiffusers ? entry->diffusers : entry->ldm;
        } else if (entry && prefix != name) {
            const std::string suffix = name.substr(prefix.size() + 1);
            std::string mapped;
            ok = translateSuffix(entry->kind, suffix, dir, &mapped);
            const bool toDiffusers = dir == Direction::LdmToDiffusers;
            target = (toDiffusers ? entry->diffusers : entry->ldm) + "." + mapped;
            if (ok)
                value = reshapeFor(entry->kind, toDiffusers ? mapped : suffix, t, dir,
                                   linearProjection);
        }
        if (!ok)
            return Status::error(StatusCode::InvalidFile, std::string(what) + ": unknown tensor '" +
                                                              name + "' for this architecture");
        if (!out.emplace(target, value).second)
            return Status::error(StatusCode::InvalidFile,
                                 std::string(what) + ": two tensors map to '" + target + "'");
    }
    return out;
}

const std::vector<std::string> kLdmUNetPrefixes = {"model.diffusion_model."};
const std::vector<std::string> kDiffusersUNetPrefixes = {"unet."};
const std::vector<std::string> kLdmVaePrefixes = {"first_stage_model.", "vae."};
const std::vector<std::string> kDiffusersVaePrefixes = {"vae."};

// Which of the two name sets a state dict uses: characteristic names, with or without prefixes.
SDLayout detect(const TensorMap& tensors, const std::vector<std::string>& prefixes,
                const std::vector<std::string>& ldmMarks,
                const std::vector<std::string>& diffusersMarks) {
    bool ldm = false, diffusers = false;
    for (const auto& [fullName, t] : tensors) {
        std::string name = fullName;
        for (const auto& p : prefixes)
            if (startsWith(name, p)) {
                name = name.substr(p.size());
                break;
            }
        for (const auto& m : ldmMarks)
            ldm = ldm || startsWith(name, m);
        for (const auto& m : diffusersMarks)
            diffusers = diffusers || startsWith(name, m);
    }
    if (ldm == diffusers)
        return SDLayout::Unknown;
    return ldm ? SDLayout::Ldm : SDLayout::Diffusers;
}

} // namespace

SDLayout detectUNetLayout(const TensorMap& tensors) {
    return detect(tensors, {"model.diffusion_model.", "unet."},
                  {"input_blocks.", "middle_block.", "output_blocks.", "time_embed.0."},
                  {"down_blocks.", "mid_block.", "up_blocks.", "time_embedding.", "conv_in."});
}

SDLayout detectAutoencoderLayout(const TensorMap& tensors) {
    return detect(tensors, {"first_stage_model.", "vae."},
                  {"encoder.down.", "decoder.up.", "encoder.mid.", "decoder.mid.",
                   "encoder.norm_out.", "decoder.norm_out."},
                  {"encoder.down_blocks.", "decoder.up_blocks.", "encoder.mid_block.",
                   "decoder.mid_block.", "encoder.conv_norm_out.", "decoder.conv_norm_out."});
}

Result<TensorMap> unetLdmToDiffusers(const TensorMap& ldm, const SDUNetConfig& config) {
    return mapNames(selectNetwork(ldm, kLdmUNetPrefixes, {}), unetEntries(config),
                    Direction::LdmToDiffusers, config.useLinearProjection, "UNet weights (ldm)");
}

Result<TensorMap> unetDiffusersToLdm(const TensorMap& diffusers, const SDUNetConfig& config) {
    return mapNames(selectNetwork(diffusers, kDiffusersUNetPrefixes, {}), unetEntries(config),
                    Direction::DiffusersToLdm, config.useLinearProjection,
                    "UNet weights (diffusers)");
}

Result<TensorMap> autoencoderLdmToDiffusers(const TensorMap& ldm, const KLConfig& config) {
    return mapNames(selectNetwork(ldm, kLdmVaePrefixes, {"loss."}), vaeEntries(config),
                    Direction::LdmToDiffusers, false, "autoencoder weights (ldm)");
}

Result<TensorMap> autoencoderDiffusersToLdm(const TensorMap& diffusers, const KLConfig& config) {
    return mapNames(selectNetwork(diffusers, kDiffusersVaePrefixes, {}), vaeEntries(config),
                    Direction::DiffusersToLdm, false, "autoencoder weights (diffusers)");
}

TensorMap upgradeDeprecatedAttentionNames(const TensorMap& diffusers) {
    static const std::pair<const char*, const char*> renames[] = {{".query.", ".to_q."},
                                                                  {".key.", ".to_k."},
                                                                  {".value.", ".to_v."},
                                                                  {".proj_attn.", ".to_out.0."}};
    TensorMap out;
    for (const auto& [name, t] : diffusers) {
        std::string n = name;
        torch::Tensor value = t;
        const auto at = n.find("mid_block.attentions.0.");
        if (at != std::string::npos) {
            for (const auto& [from, to] : renames) {
                const auto pos = n.find(from, at);
                if (pos == std::string::npos)
                    continue;
                n.replace(pos, std::strlen(from), to);
                if (t.dim() > 2) // [C, C, 1, 1] or [C, C, 1]
                    value = t.flatten(1);
                break;
            }
        }
        out.emplace(n, value);
    }
    return out;
}

// ---------------------------------------------------------------- architecture from shapes

namespace {

Status notA(const char* what, const std::string& missing) {
    return Status::error(StatusCode::InvalidFile, std::string("not ") + what +
                                                      " in the diffusers layout: '" + missing +
                                                      "' is missing");
}

// How many of `make(0)`, `make(1)`, ... exist, in a row.
int countRun(const TensorMap& t, const std::function<std::string(int)>& make) {
    int n = 0;
    while (t.count(make(n)))
        ++n;
    return n;
}

} // namespace

Result<SDUNetConfig> inferUNetConfig(const TensorMap& diffusersIn, std::vector<int> heads) {
    const TensorMap t = selectNetwork(diffusersIn, kDiffusersUNetPrefixes, {});
    for (const char* required :
         {"conv_in.weight", "conv_out.weight", "time_embedding.linear_1.weight",
          "mid_block.resnets.0.conv1.weight"})
        if (!t.count(required))
            return notA("a UNet", required);
    SDUNetConfig c;
    const auto& convIn = t.at("conv_in.weight");
    const auto& convOut = t.at("conv_out.weight");
    if (convIn.dim() != 4 || convOut.dim() != 4)
        return Status::error(StatusCode::InvalidFile,
                             "UNet weights: conv_in/conv_out are not convolutions");
    c.inChannels = int(convIn.size(1));
    c.outChannels = int(convOut.size(0));
    const int n =
        countRun(t, [](int i) { return "down_blocks." + str(i) + ".resnets.0.conv1.weight"; });
    if (n == 0)
        return notA("a UNet", "down_blocks.0.resnets.0.conv1.weight");
    const int ups =
        countRun(t, [](int i) { return "up_blocks." + str(i) + ".resnets.0.conv1.weight"; });
    if (ups != n)
        return Status::error(StatusCode::InvalidFile, "UNet weights: " + str(n) +
                                                          " down blocks but " + str(ups) +
                                                          " up blocks");
    c.blockOutChannels.clear();
    c.downBlockTypes.clear();
    c.upBlockTypes.clear();
    c.layersPerBlock =
        countRun(t, [](int j) { return "down_blocks.0.resnets." + str(j) + ".conv1.weight"; });
    std::string firstAttention;
    for (int i = 0; i < n; ++i) {
        const std::string down = "down_blocks." + str(i);
        c.blockOutChannels.push_back(int(t.at(down + ".resnets.0.conv1.weight").size(0)));
        const int layers =
            countRun(t, [&](int j) { return down + ".resnets." + str(j) + ".conv1.weight"; });
        if (layers != c.layersPerBlock)
            return Status::error(StatusCode::Unsupported,
                                 "UNet weights: a different number of resnets per level");
        const bool attention = t.count(down + ".attentions.0.proj_in.weight") > 0;
        c.downBlockTypes.push_back(attention ? "CrossAttnDownBlock2D" : "DownBlock2D");
        if (attention && firstAttention.empty())
            firstAttention = down + ".attentions.0";
    }
    for (int i = n - 1; i >= 0; --i)
        c.upBlockTypes.push_back(c.attentionAt(i) ? "CrossAttnUpBlock2D" : "UpBlock2D");
    c.midBlockAttention = t.count("mid_block.attentions.0.proj_in.weight") > 0;
    if (firstAttention.empty() && c.midBlockAttention)
        firstAttention = "mid_block.attentions.0";
    if (!firstAttention.empty()) {
        c.useLinearProjection = t.at(firstAttention + ".proj_in.weight").dim() == 2;
        c.transformerLayersPerBlock = countRun(t, [&](int k) {
            return firstAttention + ".transformer_blocks." + str(k) + ".norm1.weight";
        });
        const std::string toK = firstAttention + ".transformer_blocks.0.attn2.to_k.weight";
        c.crossAttentionDim = t.count(toK) ? int(t.at(toK).size(1)) : 0;
    } else {
        c.crossAttentionDim = 0;
    }
    if (t.count("context")) {
        const auto& ctx = t.at("context");
        if (ctx.dim() != 3 || ctx.size(0) != 1 || ctx.size(2) != c.crossAttentionDim)
            return Status::error(
                StatusCode::InvalidFile,
                "UNet weights: 'context' does not match the cross-attention width");
        c.contextTokens = int(ctx.size(1));
    }
    c.attentionHeads = heads.empty() ? std::vector<int>{8} : std::move(heads);
    // The rest of the checks (widths, heads dividing them, bounds) are the config file's.
    auto checked = SDUNetConfig::fromJson(c.toJson());
    if (!checked)
        return Status::error(checked.status().code(),
                             "UNet weights: " + checked.status().message());
    return c;
}

Result<KLConfig> inferAutoencoderConfig(const TensorMap& diffusersIn) {
    const TensorMap t = selectNetwork(diffusersIn, kDiffusersVaePrefixes, {});
    for (const char* required : {"encoder.conv_in.weight", "encoder.conv_out.weight",
                                 "decoder.conv_in.weight", "decoder.conv_out.weight"})
        if (!t.count(required))
            return notA("an autoencoder", required);
    KLConfig c;
    c.inChannels = int(t.at("encoder.conv_in.weight").size(1));
    c.outChannels = int(t.at("decoder.conv_out.weight").size(0));
    c.latentChannels = int(t.at("decoder.conv_in.weight").size(1));
    if (t.at("encoder.conv_out.weight").size(0) != 2 * c.latentChannels)
        return Status::error(StatusCode::Unsupported,
                             "autoencoder weights: the encoder does not output mean and variance "
                             "(not a KL autoencoder)");
    const int n = countRun(
        t, [](int i) { return "encoder.down_blocks." + str(i) + ".resnets.0.conv1.weight"; });
    if (n == 0)
        return notA("an autoencoder", "encoder.down_blocks.0.resnets.0.conv1.weight");
    c.blockOutChannels.clear();
    for (int i = 0; i < n; ++i)
        c.blockOutChannels.push_back(
            int(t.at("encoder.down_blocks." + str(i) + ".resnets.0.conv1.weight").size(0)));
    c.layersPerBlock = countRun(
        t, [](int j) { return "encoder.down_blocks.0.resnets." + str(j) + ".conv1.weight"; });
    c.midBlockAddAttention = t.count("encoder.mid_block.attentions.0.to_q.weight") > 0;
    auto checked = KLConfig::fromJson(c.toJson());
    if (!checked)
        return Status::error(checked.status().code(),
                             "autoencoder weights: " + checked.status().message());
    return c;
}

} // namespace shiftsr::nn
