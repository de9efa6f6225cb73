// ResShift-family weights (UNetModelSwin + VQModelTorch; RSD and SinSR students) into a package:
// the architecture from tensor shapes, the schedule from a config, a preset or the file name.
#include "shiftsr/nn/import_resshift.h"

#include "shiftsr/nn/json_util.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/sha256.h"
#include "shiftsr/nn/tensor_io.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <set>
#include <sstream>

namespace shiftsr::importer {

namespace {

// A tensor whose presence or shape does not fit the architecture; what() names it.
struct ShapeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string shapeText(const torch::Tensor& t) {
    std::ostringstream o;
    o << '[';
    for (int64_t i = 0; i < t.dim(); ++i)
        o << (i ? "," : "") << t.size(i);
    o << ']';
    return o.str();
}

std::string joined(const std::vector<int>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i)
        s += (i ? "," : "") + std::to_string(v[i]);
    return s;
}

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

// Checked access to a state dict: every failure names the tensor and its shape.
class Tensors {
public:
    explicit Tensors(const TensorMap& m) : m_(m) {}
    bool has(const std::string& name) const { return m_.count(name) > 0; }
    bool hasPrefix(const std::string& prefix) const {
        auto it = m_.lower_bound(prefix);
        return it != m_.end() && startsWith(it->first, prefix);
    }
    const torch::Tensor& get(const std::string& name) const {
        auto it = m_.find(name);
        if (it == m_.end())
            throw ShapeError("tensor '" + name + "' is missing");
        return it->second;
    }
    // Size `d` of a tensor that must have `rank` dimensions; at most 2^20 (no real layer is
    // wider, and the configs built from it stay in int).
    int dim(const std::string& name, int d, int rank) const {
        const auto& t = get(name);
        if (t.dim() != rank)
            throw ShapeError("tensor '" + name + "' has shape " + shapeText(t) + ", expected " +
                             std::to_string(rank) + " dimensions");
        const int64_t v = t.size(d);
        if (v < 1 || v > (1 << 20))
            throw ShapeError("tensor '" + name + "' has shape " + shapeText(t) +
                             ", out of any real network's range");
        return int(v);
    }
    [[noreturn]] void bad(const std::string& name, const std::string& why) const {
        auto it = m_.find(name);
        throw ShapeError("tensor '" + name + "'" +
                         (it != m_.end() ? " " + shapeText(it->second) : std::string()) + ": " +
                         why);
    }
    // The block indices under `prefix` ("input_blocks."): sorted, each below 1000.
    std::set<int> indices(const std::string& prefix) const {
        std::set<int> out;
        for (auto it = m_.lower_bound(prefix); it != m_.end() && startsWith(it->first, prefix);
             ++it) {
            const std::string rest = it->first.substr(prefix.size());
            const size_t dot = rest.find('.');
            const std::string digits = rest.substr(0, dot);
            if (digits.empty() || digits.size() > 3 ||
                !std::all_of(digits.begin(), digits.end(),
                             [](char c) { return c >= '0' && c <= '9'; }))
                throw ShapeError("tensor '" + it->first + "' is not a numbered block of " +
                                 prefix.substr(0, prefix.size() - 1));
            out.insert(std::stoi(digits));
        }
        return out;
    }

private:
    const TensorMap& m_;
};

int isqrtExact(int64_t v) {
    const auto r = int64_t(std::llround(std::sqrt(double(v))));
    return r * r == v ? int(r) : -1;
}

// One Swin BasicLayer of the UNet and what its tensors say about the nominal feature side.
struct SwinLayer {
    std::string prefix; // "input_blocks.1.1"
    int level = 0;
    int window = 0; // effective window side (from the relative position table)
};

// The window side of a Swin layer from its first block's relative position table.
int layerWindow(const Tensors& t, const std::string& prefix) {
    const std::string name = prefix + ".blocks.0.attn.relative_position_bias_table";
    const int rows = t.dim(name, 0, 2);
    const int side = isqrtExact(rows);
    if (side < 1 || side % 2 == 0)
        t.bad(name, "not a (2 x window - 1)^2 relative position table");
    return (side + 1) / 2;
}

ResShiftUNetShape inferUNet(const TensorMap& map) {
    const Tensors t(map);
    ResShiftUNetShape s;
    auto& c = s.config;
    c.modelChannels = t.dim("time_embed.0.weight", 1, 2);
    if (t.dim("time_embed.0.weight", 0, 2) != 4 * c.modelChannels)
        t.bad("time_embed.0.weight", "expected [4 x model_channels, model_channels]");
    c.outChannels = t.dim("out.2.weight", 0, 4);

    // The LQ condition: as it is (lq_size == image_size), or through 2x-downsampling stages.
    int stages = 0;
    while (t.has("feature_extractor." + std::to_string(3 * stages) + ".weight")) {
        const std::string name = "feature_extractor." + std::to_string(3 * stages) + ".weight";
        if (t.dim(name, 0, 4) != (16 << stages))
            t.bad(name, "expected " + std::to_string(16 << stages) + " output channels");
        if (stages == 0) {
            const int in = t.dim(name, 1, 4);
            if (in != 3 && in != 4)
                t.bad(name, "the LQ condition has 3 channels (4 with a mask)");
            s.condMask = in == 4;
        }
        if (++stages > 4)
            t.bad(name, "more than 4 feature extractor stages (lq_size up to 16 x image_size)");
    }
    s.lqRatio = 1 << stages;
    c.condMask = s.condMask;
    const int condition = stages ? (16 << stages) : 3;
    const int firstIn = t.dim("input_blocks.0.0.weight", 1, 4);
    s.noiseChannels = firstIn - condition - c.outChannels;
    if (s.noiseChannels < 0)
        t.bad("input_blocks.0.0.weight",
              "takes " + std::to_string(firstIn) + " channels, fewer than the latent (" +
                  std::to_string(c.outChannels) + ") and the LQ condition (" +
                  std::to_string(condition) + ")");
    c.inChannels = c.outChannels;
    c.extraInputChannels = s.noiseChannels;

    // Input side: res blocks, grouped into levels by the downsampling blocks between them.
    const std::set<int> inputs = t.indices("input_blocks.");
    const int lastInput = inputs.empty() ? 0 : *inputs.rbegin();
    std::vector<std::vector<std::string>> levelRes(1); // per level: its res blocks' prefixes
    std::vector<bool> inputSwin{false};
    std::optional<bool> convResample;
    for (int k = 1; k <= lastInput; ++k) {
        const std::string p = "input_blocks." + std::to_string(k);
        const bool conv = t.has(p + ".0.op.weight");
        if (conv || !t.hasPrefix(p + ".")) { // a parameterless block is an average-pool down
            if (convResample && *convResample != conv)
                t.bad(p + ".0.op.weight",
                      "some downsampling blocks have a convolution, others not");
            convResample = conv;
            levelRes.emplace_back();
            inputSwin.push_back(false);
            continue;
        }
        if (!t.has(p + ".0.in_layers.2.weight"))
            t.bad(p + ".0.in_layers.2.weight", "input block " + std::to_string(k) +
                                                   " is neither a res block nor a downsampling");
        if (levelRes.back().empty() && t.has(p + ".1.patch_embed.proj.weight"))
            inputSwin.back() = true;
        levelRes.back().push_back(p);
    }
    const int levels = int(levelRes.size());
    if (levels > 6)
        t.bad("input_blocks." + std::to_string(lastInput) + ".0.op.weight",
              "more than 6 resolution levels");
    c.convResample = convResample.value_or(true);
    c.numResBlocks.clear();
    for (const auto& l : levelRes)
        c.numResBlocks.push_back(int(l.size()));

    // Output side: numResBlocks + 1 blocks per level, deepest first; they give the widths.
    c.channelMult.assign(size_t(levels), 0);
    std::vector<bool> outputSwin(size_t(levels), false);
    int k = 0;
    for (int level = levels - 1; level >= 0; --level) {
        for (int i = 0; i <= c.numResBlocks[size_t(level)]; ++i, ++k) {
            const std::string p = "output_blocks." + std::to_string(k);
            const int width = t.dim(p + ".0.in_layers.2.weight", 0, 4);
            if (width % c.modelChannels)
                t.bad(p + ".0.in_layers.2.weight",
                      "not a multiple of model_channels " + std::to_string(c.modelChannels));
            if (i == 0) {
                c.channelMult[size_t(level)] = width / c.modelChannels;
                outputSwin[size_t(level)] = t.has(p + ".1.patch_embed.proj.weight");
            } else if (width != c.channelMult[size_t(level)] * c.modelChannels) {
                t.bad(p + ".0.in_layers.2.weight", "differs from the width of its level");
            }
        }
    }
    if (t.hasPrefix("output_blocks." + std::to_string(k) + "."))
        t.bad("output_blocks." + std::to_string(k) + ".0.in_layers.2.weight",
              "one output block more than the input side's levels have");
    for (int level = 0; level < levels; ++level) {
        for (const auto& p : levelRes[size_t(level)])
            if (t.dim(p + ".0.in_layers.2.weight", 0, 4) !=
                c.channelMult[size_t(level)] * c.modelChannels)
                t.bad(p + ".0.in_layers.2.weight",
                      "differs from the width of its level on the output side");
        if (c.numResBlocks[size_t(level)] > 0 &&
            inputSwin[size_t(level)] != outputSwin[size_t(level)])
            t.bad(levelRes[size_t(level)].front() + ".1.patch_embed.proj.weight",
                  "a Swin layer on one side of the level only");
        if (outputSwin[size_t(level)])
            s.swinLevels.push_back(level);
    }
    const int emb = 4 * c.modelChannels;
    const int embOut = t.dim("middle_block.0.emb_layers.1.weight", 0, 2);
    const int middleWidth = c.channelMult.back() * c.modelChannels;
    if (t.dim("middle_block.0.emb_layers.1.weight", 1, 2) != emb ||
        (embOut != middleWidth && embOut != 2 * middleWidth))
        t.bad("middle_block.0.emb_layers.1.weight", "not a timestep projection of this width");
    c.useScaleShiftNorm = embOut == 2 * middleWidth;
    c.resblockUpdown = false;
    c.dropout = 0;

    // Swin: the middle block always has one; every layer shares depth, width, heads and ratio.
    const std::string mid = "middle_block.1";
    c.swinEmbedDim = t.dim(mid + ".patch_embed.proj.weight", 0, 4);
    c.patchNorm = t.has(mid + ".patch_embed.norm.weight");
    c.swinDepth = 0;
    while (t.has(mid + ".blocks." + std::to_string(c.swinDepth) + ".norm1.weight"))
        if (++c.swinDepth > 32)
            t.bad(mid + ".blocks.32.norm1.weight", "more than 32 Swin blocks");
    c.numHeads = 1;
    c.numHeadChannels = c.swinEmbedDim;
    c.mlpRatio = 4.0;
    if (c.swinDepth > 0) {
        const std::string table = mid + ".blocks.0.attn.relative_position_bias_table";
        const int heads = t.dim(table, 1, 2);
        if (c.swinEmbedDim % heads)
            t.bad(table, "its " + std::to_string(heads) + " heads do not divide swin_embed_dim " +
                             std::to_string(c.swinEmbedDim));
        // As the official configs say it (num_heads keeps its default, which is then unused).
        c.numHeadChannels = c.swinEmbedDim / heads;
        const std::string fc1 = mid + ".blocks.0.mlp.fc1.weight";
        const int hidden = t.dim(fc1, 0, 4);
        c.mlpRatio = double(hidden) / c.swinEmbedDim;
        if (int64_t(c.swinEmbedDim * c.mlpRatio) != hidden)
            t.bad(fc1, "no mlp_ratio gives this hidden width");

        // Window and nominal sides: a shifted block's mask holds (side / window)^2 windows; where
        // the file kept the masks, a layer without one is no wider than its window, which then
        // shrank to the side itself. Without masks only a shrunken window (smaller than the
        // widest layer's) tells a side.
        std::vector<SwinLayer> layers;
        int k2 = 0;
        for (int level = 0; level < levels; ++level) {
            if (c.numResBlocks[size_t(level)] > 0 && inputSwin[size_t(level)])
                layers.push_back({levelRes[size_t(level)].front() + ".1", level, 0});
        }
        layers.push_back({mid, levels - 1, 0});
        for (int level = levels - 1; level >= 0; --level)
            for (int i = 0; i <= c.numResBlocks[size_t(level)]; ++i, ++k2)
                if (i == 0 && outputSwin[size_t(level)])
                    layers.push_back({"output_blocks." + std::to_string(k2) + ".1", level, 0});
        bool masksKept = false;
        for (const auto& l : layers)
            masksKept = masksKept || t.has(l.prefix + ".blocks.1.attn_mask");
        int window = 0;
        for (auto& l : layers) {
            l.window = layerWindow(t, l.prefix);
            window = std::max(window, l.window);
        }
        std::optional<int> image;
        std::string imageFrom;
        for (const auto& l : layers) {
            const std::string mask = l.prefix + ".blocks.1.attn_mask";
            int side = 0;
            if (c.swinDepth > 1 && t.has(mask)) {
                const int n = l.window * l.window;
                const int windows = isqrtExact(t.dim(mask, 0, 3));
                if (windows < 1 || t.dim(mask, 1, 3) != n || t.dim(mask, 2, 3) != n)
                    t.bad(mask, "not the shift mask of " + std::to_string(l.window) + "x" +
                                    std::to_string(l.window) + " windows on a square map");
                side = windows * l.window;
                s.windowSizeExact = true;
                if (l.window != window)
                    t.bad(mask, "a shifted layer with a smaller window than another layer");
            } else if ((masksKept && c.swinDepth > 1) || l.window < window) {
                side = l.window;
            }
            if (!side)
                continue;
            const int candidate = side << l.level;
            if (image && *image != candidate)
                t.bad(t.has(mask) ? mask : l.prefix + ".blocks.0.attn.relative_position_bias_table",
                      "says image_size " + std::to_string(candidate) + " where " + imageFrom +
                          " says " + std::to_string(*image));
            image = candidate;
            imageFrom = "'" + l.prefix + "'";
        }
        c.windowSize = window;
        s.imageSize = image.value_or(0);
    }
    return s;
}

nn::VQConfig inferVQ(const TensorMap& map, int resolution) {
    const Tensors t(map);
    nn::VQConfig c;
    c.ch = t.dim("encoder.conv_in.weight", 0, 4);
    c.inChannels = t.dim("encoder.conv_in.weight", 1, 4);
    c.chMult.clear();
    c.numResBlocks.clear();
    c.attnResolutions.clear();
    c.resolution = resolution;
    for (int i = 0; t.hasPrefix("encoder.down." + std::to_string(i) + "."); ++i) {
        const std::string down = "encoder.down." + std::to_string(i);
        if (i >= 6)
            t.bad(down + ".block.0.conv1.weight", "more than 6 autoencoder levels");
        int blocks = 0;
        while (t.has(down + ".block." + std::to_string(blocks) + ".conv1.weight"))
            if (++blocks > 8)
                t.bad(down + ".block.8.conv1.weight", "more than 8 res blocks in a level");
        c.numResBlocks.push_back(blocks);
        // The decoder has one block more per level, so it names the width even of an empty level.
        const std::string up = "decoder.up." + std::to_string(i) + ".block.0.conv2.weight";
        const int width = t.dim(up, 0, 4);
        if (width % c.ch)
            t.bad(up, "not a multiple of the autoencoder's ch " + std::to_string(c.ch));
        c.chMult.push_back(width / c.ch);
        if (t.has(down + ".attn.0.q.weight"))
            c.attnResolutions.push_back(resolution >> i);
    }
    if (c.chMult.empty())
        t.bad("encoder.down.0.block.0.conv1.weight", "the encoder has no levels");
    c.zChannels = t.dim("encoder.conv_out.weight", 0, 4);
    c.embedDim = t.dim("quant_conv.weight", 0, 4);
    c.nEmbed = t.dim("quantize.embedding.weight", 0, 2);
    if (t.dim("quantize.embedding.weight", 1, 2) != c.embedDim)
        t.bad("quantize.embedding.weight",
              "its codes are not embed_dim " + std::to_string(c.embedDim) + " wide");
    c.outCh = t.dim("decoder.conv_out.weight", 0, 4);
    c.doubleZ = false;
    c.dropout = 0;
    return c;
}

} // namespace

nn::UNetSwinConfig ResShiftUNetShape::withImageSize(int side) const {
    nn::UNetSwinConfig c = config;
    c.imageSize = side;
    c.lqSize = side * lqRatio;
    c.attentionResolutions.clear();
    for (int level : swinLevels)
        c.attentionResolutions.push_back(side >> level);
    return c;
}

Result<ResShiftUNetShape> inferResShiftUNet(const TensorMap& tensors) {
    try {
        ResShiftUNetShape s = inferUNet(tensors);
        s.config = s.withImageSize(s.imageSize ? s.imageSize : 64);
        return s;
    } catch (const ShapeError& e) {
        return Status::error(StatusCode::InvalidFile, e.what());
    }
}

Result<nn::VQConfig> inferResShiftAutoencoder(const TensorMap& tensors, int resolution) {
    try {
        nn::VQConfig c = inferVQ(tensors, resolution);
        // The ranges the package loader checks, before anything is built.
        return nn::VQConfig::fromJson(c.toJson());
    } catch (const ShapeError& e) {
        return Status::error(StatusCode::InvalidFile, e.what());
    }
}

bool isResShiftUNet(const TensorMap& tensors) {
    // UNetModelSwin: the guided-diffusion UNet layout with a Swin BasicLayer (patch embedding)
    // as its middle block's attention, which no other UNet family has.
    for (const char* key :
         {"time_embed.0.weight", "input_blocks.0.0.weight", "out.2.weight",
          "middle_block.0.in_layers.2.weight", "middle_block.1.patch_embed.proj.weight"})
        if (!tensors.count(key))
            return false;
    return true;
}

bool isResShiftAutoencoder(const TensorMap& tensors) {
    // VQModelTorch (ldm): encoder/decoder with a codebook between quant_conv and
    // post_quant_conv; a KL autoencoder has no codebook.
    for (const char* key :
         {"encoder.conv_in.weight", "encoder.conv_out.weight", "decoder.conv_out.weight",
          "quant_conv.weight", "post_quant_conv.weight", "quantize.embedding.weight"})
        if (!tensors.count(key))
            return false;
    return true;
}

torch::Tensor noiseColumnsToShiftSR(const torch::Tensor& weight, int latent, int condition,
                                    int noise) {
    // official [latent | condition | noise] -> ShiftSR [latent | noise | condition]
    return torch::cat({weight.narrow(1, 0, latent), weight.narrow(1, latent + condition, noise),
                       weight.narrow(1, latent, condition)},
                      1)
        .contiguous();
}

// ---------------------------------------------------------------- presets

namespace {

ResShiftPreset preset(std::string name, std::string title, std::string origin, std::string file,
                      int steps, double minNoise, int sf, int lqRatio, bool student, int noise,
                      std::string licence) {
    ResShiftPreset p;
    p.name = std::move(name);
    p.title = std::move(title);
    p.origin = std::move(origin);
    p.fileHint = std::move(file);
    p.schedule.steps = steps;
    p.schedule.minNoiseLevel = minNoise;
    p.schedule.sf = sf;
    // Every published ResShift-family model: exponential schedule, power 0.3, etas_end 0.99,
    // kappa 2, x0 prediction, normalised latent input.
    p.schedule.power = 0.3;
    p.schedule.etasEnd = 0.99;
    p.schedule.kappa = 2.0;
    p.lqRatio = lqRatio;
    p.student = student;
    p.noiseChannels = noise;
    p.licence = std::move(licence);
    return p;
}

const char* const kResShiftLicence =
    "ResShift weights: S-Lab License 1.0 (non-commercial use only; github.com/zsyOAOA/ResShift)";

} // namespace

const std::vector<ResShiftPreset>& resshiftPresets() {
    static const std::vector<ResShiftPreset> presets = {
        preset("v3", "ResShift v3 x4, 4 steps",
               "ResShift configs/realsr_swinunet_realesrgan256_journal.yaml",
               "resshift_realsrx4_s4_v3.pth", 4, 0.2, 4, 1, false, 0, kResShiftLicence),
        preset("v2", "ResShift v2 x4, 15 steps",
               "ResShift configs/realsr_swinunet_realesrgan256.yaml",
               "resshift_realsrx4_s15_v2.pth", 15, 0.04, 4, 1, false, 0, kResShiftLicence),
        preset("v1", "ResShift v1 x4, 15 steps",
               "ResShift configs/realsr_swinunet_realesrgan256.yaml",
               "resshift_realsrx4_s15_v1.pth", 15, 0.04, 4, 1, false, 0, kResShiftLicence),
        preset("bicsr", "ResShift bicubic x4, 4 steps",
               "ResShift configs/bicx4_swinunet_lpips.yaml", "resshift_bicsrx4_s4.pth", 4, 0.2, 4,
               1, false, 0, kResShiftLicence),
        preset("x2", "ResShift x2, 4 steps",
               "ResShift configs/realsr_realesrgan256_x2.yaml (no "
               "published weights)",
               "", 4, 0.2, 2, 2, false, 0, kResShiftLicence),
        preset(
            "rsd", "RSD one-step x4", "RSD configs/RSD.yaml (student of ResShift v1)",
            "ema_model_2800.pth", 15, 0.04, 4, 1, true, 1,
            "RSD weights: CC BY-NC-SA 4.0 (non-commercial; github.com/Daniil-Selikhanovych/RSD)"),
        preset("sinsr", "SinSR one-step x4", "SinSR configs/SinSR.yaml (student of ResShift v1)",
               "SinSR_v1.pth", 15, 0.04, 4, 1, true, 0,
               "SinSR weights: CC BY-NC-SA 4.0 (non-commercial; github.com/wyf0912/SinSR)"),
    };
    return presets;
}

const ResShiftPreset* findResShiftPreset(const std::string& name) {
    for (const auto& p : resshiftPresets())
        if (p.name == name)
            return &p;
    return nullptr;
}

std::string resshiftPresetNames() {
    std::string s;
    for (const auto& p : resshiftPresets())
        s += (s.empty() ? "" : ", ") + p.name;
    return s;
}

const ResShiftPreset* presetFromFileName(const std::string& path) {
    std::string name = std::filesystem::path(path).filename().string();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return char(std::tolower(ch)); });
    auto has = [&](const char* s) { return name.find(s) != std::string::npos; };
    // "rsd" as a word of the name (rsd_x4.pth, RSD-student.safetensors), not inside one.
    auto word = [&](const std::string& w) {
        for (size_t at = name.find(w); at != std::string::npos; at = name.find(w, at + 1)) {
            const bool before = at == 0 || !std::isalnum((unsigned char)name[at - 1]);
            const size_t end = at + w.size();
            const bool after = end >= name.size() || !std::isalpha((unsigned char)name[end]);
            if (before && after)
                return true;
        }
        return false;
    };
    if (has("sinsr"))
        return findResShiftPreset("sinsr");
    if (startsWith(name, "ema_model_") || word("rsd"))
        return findResShiftPreset("rsd");
    if (has("realsrx4_s15_v1"))
        return findResShiftPreset("v1");
    if (has("realsrx4_s15_v2"))
        return findResShiftPreset("v2");
    if (has("realsrx4_s4_v3"))
        return findResShiftPreset("v3");
    if (has("bicsrx4_s4"))
        return findResShiftPreset("bicsr");
    if (has("realsrx2"))
        return findResShiftPreset("x2");
    return nullptr;
}

// ---------------------------------------------------------------- import

namespace {

// A reason to refuse the import, with the status code it returns as.
struct Refusal : std::runtime_error {
    Refusal(StatusCode c, const std::string& m) : std::runtime_error(m), code(c) {}
    StatusCode code;
};

[[noreturn]] void refuse(const std::string& message, StatusCode code = StatusCode::InvalidFile) {
    throw Refusal(code, message);
}

std::string fileName(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

// The first tensors of a file with their shapes, for "not recognised" messages.
std::string firstTensors(const TensorMap& tensors, size_t max = 4) {
    std::string s;
    size_t n = 0;
    for (const auto& [name, t] : tensors) {
        if (n++ == max)
            return s + ", ...";
        s += (s.empty() ? "" : ", ") + clipForMessage(name, 60) + " " + shapeText(t);
    }
    return s.empty() ? "no tensors" : s;
}

// What a config in the official YAML layout (--config, or a JSON entry of a .safetensors header)
// adds to the shapes: the schedule, the nominal sizes, whether it trained a student.
struct OfficialConfig {
    std::string from;                                                   // for messages
    nlohmann::json model, modelParams, autoencoder, diffusion, sampler; // null when absent
};

OfficialConfig officialConfig(nlohmann::json j, const std::string& from) {
    OfficialConfig c;
    c.from = from;
    auto objectAt = [](const nlohmann::json& o, const char* key) {
        auto it = o.find(key);
        return it != o.end() && it->is_object() ? *it : nlohmann::json();
    };
    if (!j.is_object())
        refuse(from + ": must be a JSON object, not " + jsonTypeName(j));
    c.sampler = objectAt(j, "sampler");
    if (auto inner = objectAt(j, "config"); inner.is_object())
        j = std::move(inner);
    if (c.sampler.is_null())
        c.sampler = objectAt(j, "sampler");
    auto params = [&](const char* key) {
        const auto s = objectAt(j, key);
        const auto p = objectAt(s, "params");
        return p.is_object() ? p : s;
    };
    c.model = objectAt(j, "model");
    c.modelParams = params("model");
    c.autoencoder = params("autoencoder");
    c.diffusion = params("diffusion");
    if (c.modelParams.is_null() && c.diffusion.is_null())
        refuse(from + ": has neither a model nor a diffusion section (the official YAML layout "
                      "as JSON: {model: {params}, autoencoder: {params}, diffusion: {params}})");
    return c;
}

// A config held in a .safetensors header: one entry with the whole official layout, or entries
// named after its sections.
std::optional<OfficialConfig> headerConfig(const WeightFile& file) {
    nlohmann::json sections = nlohmann::json::object();
    for (const auto& [key, value] : file.metadata) {
        const auto first = value.find_first_not_of(" \t\r\n");
        if (first == std::string::npos || value[first] != '{')
            continue;
        auto parsed = parseJsonBounded(value, "metadata '" + clipForMessage(key) + "'");
        if (!parsed || !parsed->is_object())
            continue;
        if (parsed->contains("diffusion") || parsed->contains("config"))
            return officialConfig(*parsed,
                                  fileName(file.path) + ": metadata '" + clipForMessage(key) + "'");
        if (key == "model" || key == "diffusion" || key == "autoencoder" || key == "sampler")
            sections[key] = *parsed;
    }
    if (!sections.contains("diffusion") && !sections.contains("model"))
        return std::nullopt;
    return officialConfig(sections, fileName(file.path) + ": metadata");
}

// An integer of a config section, when it holds one; an interpolation ("${...}") says nothing.
std::optional<int> configInt(const nlohmann::json& section, const char* key,
                             const std::string& from) {
    if (!section.is_object() || !section.contains(key) || section[key].is_null())
        return std::nullopt;
    if (section[key].is_string() && startsWith(section[key].get<std::string>(), "${"))
        return std::nullopt;
    int v = 0;
    try {
        readKey(section, key, &v);
    } catch (const std::exception& e) {
        refuse(from + ": " + e.what());
    }
    return v;
}

std::optional<std::vector<int>> configInts(const nlohmann::json& section, const char* key,
                                           size_t levels, const std::string& from) {
    if (!section.is_object() || !section.contains(key) || section[key].is_null())
        return std::nullopt;
    std::vector<int> v;
    try {
        if (section[key].is_number_integer()) {
            int n = 0;
            readKey(section, key, &n);
            v.assign(levels, n);
        } else {
            readKey(section, key, &v);
        }
    } catch (const std::exception& e) {
        refuse(from + ": " + e.what());
    }
    return v;
}

template <class T> std::string text(const T& v) {
    if constexpr (std::is_same_v<T, std::vector<int>>)
        return "[" + joined(v) + "]";
    else if constexpr (std::is_same_v<T, double>) {
        std::ostringstream o;
        o << v;
        return o.str();
    } else
        return std::to_string(v);
}

// The config and the tensors must agree wherever the tensors can say.
template <class T>
void agree(const OfficialConfig& c, const char* key, const std::optional<T>& fromConfig,
           const T& fromShapes, const std::string& tensor) {
    if (fromConfig && *fromConfig != fromShapes)
        refuse(c.from + ": " + key + " is " + text(*fromConfig) + " but tensor '" + tensor +
               "' says " + text(fromShapes));
}

void checkUNetAgainst(const OfficialConfig& c, const ResShiftUNetShape& s) {
    const auto& p = c.modelParams;
    const auto& u = s.config;
    const size_t levels = u.channelMult.size();
    agree(c, "model_channels", configInt(p, "model_channels", c.from), u.modelChannels,
          "time_embed.0.weight");
    agree(c, "out_channels", configInt(p, "out_channels", c.from), u.outChannels, "out.2.weight");
    agree(c, "channel_mult", configInts(p, "channel_mult", levels, c.from), u.channelMult,
          "output_blocks.*.0.in_layers.2.weight");
    agree(c, "num_res_blocks", configInts(p, "num_res_blocks", levels, c.from), u.numResBlocks,
          "input_blocks.*");
    agree(c, "swin_depth", configInt(p, "swin_depth", c.from), u.swinDepth,
          "middle_block.1.blocks.*");
    agree(c, "swin_embed_dim", configInt(p, "swin_embed_dim", c.from), u.swinEmbedDim,
          "middle_block.1.patch_embed.proj.weight");
    if (u.swinDepth > 0)
        agree(c, "num_head_channels", configInt(p, "num_head_channels", c.from), u.numHeadChannels,
              "middle_block.1.blocks.0.attn.relative_position_bias_table");
    if (p.is_object() && p.contains("mlp_ratio") && p["mlp_ratio"].is_number() && u.swinDepth > 0)
        agree(c, "mlp_ratio", std::optional<double>(p["mlp_ratio"].get<double>()), u.mlpRatio,
              "middle_block.1.blocks.0.mlp.fc1.weight");
    // in_channels: the latent's (ResShift's layout) or, in the older layout SinSR and RSD
    // configs use, the latent's and the LQ condition's together.
    const int condition = s.lqRatio == 1 ? 3 : 16 * s.lqRatio;
    if (auto in = configInt(p, "in_channels", c.from);
        in && *in != u.inChannels && *in != u.inChannels + condition)
        refuse(c.from + ": in_channels is " + std::to_string(*in) +
               " but tensor 'input_blocks.0.0.weight' says " + std::to_string(u.inChannels) +
               " latent channels (" + std::to_string(u.inChannels + condition) +
               " with the LQ condition)");
    bool condMask = false;
    if (p.is_object() && p.contains("cond_mask") && p["cond_mask"].is_boolean())
        condMask = p["cond_mask"].get<bool>();
    if (condMask && !s.condMask)
        refuse(c.from + ": cond_mask is true (an inpainting model) but tensor "
                        "'input_blocks.0.0.weight' has no mask channel");
}

void checkVQAgainst(const OfficialConfig& c, const nn::VQConfig& v) {
    const auto& p = c.autoencoder;
    if (!p.is_object())
        return;
    agree(c, "embed_dim", configInt(p, "embed_dim", c.from), v.embedDim, "quant_conv.weight");
    agree(c, "n_embed", configInt(p, "n_embed", c.from), v.nEmbed, "quantize.embedding.weight");
    auto dd =
        p.contains("ddconfig") && p["ddconfig"].is_object() ? p["ddconfig"] : nlohmann::json();
    agree(c, "ddconfig.ch", configInt(dd, "ch", c.from), v.ch, "encoder.conv_in.weight");
    agree(c, "ddconfig.ch_mult", configInts(dd, "ch_mult", v.chMult.size(), c.from), v.chMult,
          "decoder.up.*.block.0.conv2.weight");
    agree(c, "ddconfig.num_res_blocks", configInts(dd, "num_res_blocks", v.chMult.size(), c.from),
          v.numResBlocks, "encoder.down.*.block.*");
    agree(c, "ddconfig.z_channels", configInt(dd, "z_channels", c.from), v.zChannels,
          "encoder.conv_out.weight");
}

// Trained as a one-step student (SinSR's and RSD's configs name the teacher they distil).
bool configSaysStudent(const OfficialConfig& c) {
    return c.model.is_object() &&
           ((c.model.contains("teacher_ckpt_path") && c.model["teacher_ckpt_path"].is_string()) ||
            (c.model.contains("add_noise") && c.model["add_noise"].is_boolean() &&
             c.model["add_noise"].get<bool>()));
}

// Everything the shapes do not say, and where each came from.
struct Plan {
    std::optional<ScheduleConfig> schedule;
    std::string scheduleFrom;
    int imageSize = 0;
    std::string imageSizeFrom;
    std::optional<int> windowSize, paddingOffset;
    int vqResolution = 256;
    bool student = false;
    // The published model it was recognised as (by --schedule, its file name or as the only
    // one that fits), and the preset whose schedule it runs with (null: a config's).
    const ResShiftPreset* recognised = nullptr;
    const ResShiftPreset* preset = nullptr;
    std::vector<std::string> notes;
};

bool sameSchedule(const ScheduleConfig& a, const ScheduleConfig& b) {
    return a.toJson() == b.toJson();
}

// A preset named by --schedule or by the file name must fit what the tensors say.
void checkPresetFits(const ResShiftPreset& p, const ResShiftUNetShape& s, const std::string& via) {
    if (p.noiseChannels != s.noiseChannels)
        refuse(via + " names " + p.title +
               (p.noiseChannels ? ", a student with a noise channel" : "") +
               ", but tensor 'input_blocks.0.0.weight' has " +
               (s.noiseChannels ? std::to_string(s.noiseChannels) + " noise input channel" +
                                      (s.noiseChannels > 1 ? "s" : "") +
                                      " (RSD's students have one; give --schedule rsd)"
                                : std::string("no noise input channel")));

    if (p.lqRatio != s.lqRatio)
        refuse(via + " names " + p.title +
               ", but the UNet's LQ condition (feature_extractor.*) "
               "is for x" +
               std::to_string(4 / s.lqRatio) + ", not x" + std::to_string(p.schedule.sf));
}

std::string presetList() {
    std::string s;
    for (const auto& p : resshiftPresets())
        s += "\n  " + p.name + ": " + p.title + (p.fileHint.empty() ? "" : " (" + p.fileHint + ")");
    return s;
}

Plan makePlan(const std::vector<OfficialConfig>& configs, const ResShiftUNetShape& s,
              const WeightFile& unetFile, const ImportOptions& options) {
    Plan plan;
    for (const auto& c : configs) {
        checkUNetAgainst(c, s);
        if (!plan.schedule && c.diffusion.is_object()) {
            auto sc = ScheduleConfig::fromJson(c.diffusion);
            if (!sc)
                refuse(c.from + ": diffusion: " + sc.status().message());
            plan.schedule = *sc;
            plan.scheduleFrom = c.from;
        }
        if (auto image = configInt(c.modelParams, "image_size", c.from); image && !plan.imageSize) {
            plan.imageSize = *image;
            plan.imageSizeFrom = c.from;
        }
        if (auto lq = configInt(c.modelParams, "lq_size", c.from);
            lq && plan.imageSize && *lq != plan.imageSize * s.lqRatio)
            refuse(c.from + ": lq_size is " + std::to_string(*lq) +
                   " but the UNet's feature "
                   "extractor makes it " +
                   std::to_string(s.lqRatio) + " x image_size");
        if (auto w = configInt(c.modelParams, "window_size", c.from); w && !plan.windowSize)
            plan.windowSize = *w;
        if (auto off = configInt(c.sampler, "padding_offset", c.from); off && !plan.paddingOffset)
            plan.paddingOffset = *off;
        if (auto dd = c.autoencoder.is_object() ? c.autoencoder.value("ddconfig", nlohmann::json())
                                                : nlohmann::json();
            dd.is_object())
            if (auto r = configInt(dd, "resolution", c.from))
                plan.vqResolution = *r;
        plan.student = plan.student || configSaysStudent(c);
    }

    // The published model it is: named by --schedule, else by its file name.
    const ResShiftPreset* named = nullptr;
    std::string namedVia;
    if (!options.schedule.empty()) {
        named = findResShiftPreset(options.schedule);
        if (!named)
            refuse("unknown schedule preset '" + clipForMessage(options.schedule) +
                       "'; the presets are:" + presetList(),
                   StatusCode::InvalidArgument);
        namedVia = "--schedule " + named->name;
    } else if ((named = presetFromFileName(unetFile.path))) {
        namedVia = "the file name " + fileName(unetFile.path);
    }
    if (named)
        checkPresetFits(*named, s, namedVia);

    std::vector<const ResShiftPreset*> fitting;
    for (const auto& p : resshiftPresets())
        if (p.noiseChannels == s.noiseChannels && p.lqRatio == s.lqRatio)
            fitting.push_back(&p);

    if (plan.schedule) {
        if (named && !sameSchedule(named->schedule, *plan.schedule)) {
            if (!options.schedule.empty())
                refuse(plan.scheduleFrom + " and --schedule " + named->name +
                           " give different schedules: give one of them",
                       StatusCode::InvalidArgument);
            plan.notes.push_back("the schedule of " + plan.scheduleFrom + " differs from " +
                                 named->title + " (" + namedVia + "): the config's is used");
        } else {
            plan.preset = named;
        }
        plan.recognised = named;
    } else if (named) {
        plan.schedule = named->schedule;
        plan.scheduleFrom = namedVia + " (" + named->origin + ")";
        plan.preset = plan.recognised = named;
    } else if (fitting.size() == 1) {
        plan.preset = plan.recognised = fitting.front();
        plan.schedule = plan.preset->schedule;
        plan.scheduleFrom = "the only preset for this UNet: " + plan.preset->name + " (" +
                            plan.preset->origin + ")";
        plan.notes.push_back(plan.preset->name + " assumed: " +
                             (s.noiseChannels ? "a noise input channel is what RSD's students have"
                                              : "the only published model of this scale") +
                             "; give --schedule or --config if it was trained otherwise");
    } else {
        std::string why =
            fitting.empty()
                ? "no published ResShift model has this input layout"
                : "SinSR and ResShift v1/v2 (and v3, bicsr) share this very network: their tensors "
                  "cannot tell them apart, and they need different schedules and step counts";
        refuse(fileName(unetFile.path) + ": which ResShift model is this? " + why +
                   ". Name it with --schedule PRESET (or give the official config with --config); "
                   "the presets are:" +
                   presetList(),
               StatusCode::InvalidArgument);
    }
    plan.student =
        plan.student || s.noiseChannels > 0 || (plan.recognised && plan.recognised->student);

    // The nominal latent side: the tensors, else a config, else the preset's.
    if (s.imageSize) {
        if (plan.imageSize && plan.imageSize != s.imageSize)
            refuse(plan.imageSizeFrom + ": image_size is " + std::to_string(plan.imageSize) +
                   " but the UNet's Swin shift masks (*.attn_mask) say " +
                   std::to_string(s.imageSize));
        plan.imageSize = s.imageSize;
        plan.imageSizeFrom = "the Swin shift masks";
    } else if (!plan.imageSize) {
        plan.imageSize = plan.preset ? plan.preset->imageSize : 64;
        plan.imageSizeFrom = plan.preset ? "preset " + plan.preset->name
                                         : std::string("the official value (no Swin buffers kept)");
    }
    if (plan.windowSize && *plan.windowSize != s.config.windowSize &&
        (s.windowSizeExact || *plan.windowSize < s.config.windowSize))
        refuse("window_size is " + std::to_string(*plan.windowSize) +
               " in the config but the UNet's relative position tables say " +
               std::to_string(s.config.windowSize));
    return plan;
}

std::string kindOf(const Plan& plan, const ResShiftUNetShape& s) {
    if (!plan.student)
        return "teacher";
    if (s.noiseChannels)
        return "RSD student";
    if (plan.recognised && plan.recognised->name == "sinsr")
        return "SinSR student";
    return "one-step student";
}

long long countParameters(const torch::nn::Module& m) {
    long long n = 0;
    for (const auto& p : m.parameters())
        n += p.numel();
    return n;
}

std::string summaryOf(const Architecture& a, const ResShiftUNetShape& s, const std::string& kind) {
    const auto& u = a.unet;
    std::string text = "ResShift UNet: model_channels " + std::to_string(u.modelChannels) +
                       ", channel_mult " + joined(u.channelMult) + ", res blocks " +
                       joined(u.numResBlocks) + ", Swin " + std::to_string(u.swinDepth) + " x " +
                       std::to_string(u.swinEmbedDim) + " (" + std::to_string(u.swinHeads()) +
                       " heads, window " + std::to_string(u.windowSize) + ")";
    if (s.noiseChannels)
        text += ", " + std::to_string(s.noiseChannels) + " noise channel";
    text += "; VQ-f4 autoencoder (" + std::to_string(a.vq.nEmbed) + " codes); x" +
            std::to_string(a.scale) + ", " + std::to_string(a.steps) +
            (a.steps == 1 ? " step (" : " steps (") + kind + ")";
    return text;
}

ImportReport runImport(const std::vector<WeightFile>& files, const ImportOptions& options,
                       const JobControl& job) {
    if (options.output.empty())
        refuse("import needs an output path for the package", StatusCode::InvalidArgument);
    const WeightFile* unetFile = nullptr;
    const WeightFile* aeFile = nullptr;
    for (const auto& f : files) {
        if (isResShiftUNet(f.tensors)) {
            if (unetFile)
                refuse("two ResShift UNets given (" + fileName(unetFile->path) + " and " +
                           fileName(f.path) + "): import one model at a time",
                       StatusCode::InvalidArgument);
            unetFile = &f;
        } else if (isResShiftAutoencoder(f.tensors)) {
            if (aeFile)
                refuse("two ResShift autoencoders given (" + fileName(aeFile->path) + " and " +
                           fileName(f.path) + "): give one",
                       StatusCode::InvalidArgument);
            aeFile = &f;
        } else {
            refuse(fileName(f.path) + ": neither a ResShift UNet nor its VQ autoencoder (" +
                   std::to_string(f.tensors.size()) +
                   (f.tensors.size() == 1 ? " tensor: " : " tensors: ") + firstTensors(f.tensors) +
                   ")");
        }
    }
    if (!unetFile)
        refuse((aeFile ? fileName(aeFile->path) + " is ResShift's VQ autoencoder; the" : "the") +
                   std::string(" UNet is needed too (e.g. resshift_realsrx4_s4_v3.pth, "
                               "SinSR_v1.pth or RSD's ema_model_2800.pth)"),
               StatusCode::InvalidArgument);

    auto shape = inferResShiftUNet(unetFile->tensors);
    if (!shape)
        refuse(fileName(unetFile->path) + ": " + shape.status().message());
    const ResShiftUNetShape& s = *shape;
    const std::string unetName = fileName(unetFile->path);
    if (s.condMask)
        refuse(unetName + ": a ResShift inpainting UNet (its LQ condition has a mask channel). "
                          "Inpainting needs a mask drawn over the image, which ShiftSR has no "
                          "input for: only super-resolution models can be imported",
               StatusCode::Unsupported);
    if (s.config.outChannels != 3 || s.lqRatio > 2)
        refuse(unetName + ": a ResShift restoration UNet at scale 1 (" +
                   std::to_string(s.config.outChannels) + "-channel latent, LQ condition " +
                   std::to_string(s.lqRatio) +
                   " x the latent side, like the face model "
                   "resshift_faceir_s4.pth on 512x512 aligned face crops). ShiftSR upscales "
                   "whole photos and has no face detection or alignment: it cannot run this "
                   "model meaningfully",
               StatusCode::Unsupported);
    if (!aeFile)
        refuse("ResShift UNets work in the latent space of autoencoder_vq_f4.pth: give it too "
               "(github.com/zsyOAOA/ResShift/releases; SinSR and RSD use the same file)",
               StatusCode::InvalidArgument);

    std::vector<OfficialConfig> configs;
    if (!options.configJson.empty()) {
        auto parsed = readConfigJson(options.configJson);
        if (!parsed)
            throw Refusal(parsed.status().code(), parsed.status().message());
        configs.push_back(officialConfig(std::move(*parsed), fileName(options.configJson)));
    }
    for (const WeightFile* f : {unetFile, aeFile})
        if (auto c = headerConfig(*f))
            configs.push_back(std::move(*c));

    Plan plan = makePlan(configs, s, *unetFile, options);
    auto vq = inferResShiftAutoencoder(aeFile->tensors, plan.vqResolution);
    if (!vq)
        refuse(fileName(aeFile->path) + ": " + vq.status().message());
    for (const auto& c : configs)
        checkVQAgainst(c, *vq);
    if (vq->downFactor() != 4)
        refuse(fileName(aeFile->path) + ": a VQ autoencoder downsampling by " +
                   std::to_string(vq->downFactor()) +
                   "; ResShift's super-resolution models use the f4 one (autoencoder_vq_f4.pth)",
               StatusCode::Unsupported);
    if (vq->embedDim != s.config.outChannels)
        refuse(fileName(aeFile->path) + ": tensor 'quant_conv.weight' gives a " +
               std::to_string(vq->embedDim) + "-channel latent but the UNet's 'out.2.weight' " +
               std::to_string(s.config.outChannels));
    const int sf = vq->downFactor() / s.lqRatio;
    if (plan.schedule->sf != sf)
        refuse(plan.scheduleFrom + " gives scale x" + std::to_string(plan.schedule->sf) +
               ", but this UNet with the VQ-f4 autoencoder upscales x" + std::to_string(sf) +
               " (its LQ condition is " + std::to_string(s.lqRatio) + " x the latent side)");

    Architecture arch;
    arch.family = "resshift";
    arch.codec = "vq-f4";
    arch.unet = s.withImageSize(plan.imageSize);
    if (plan.windowSize)
        arch.unet.windowSize = *plan.windowSize;
    arch.vq = *vq;
    arch.schedule = *plan.schedule;
    arch.scale = sf;
    arch.steps = plan.student ? 1 : arch.schedule.steps;
    arch.paddingOffset = plan.paddingOffset.value_or(arch.unet.lqSize);
    const std::string kind = kindOf(plan, s);
    const bool presetDescribes = plan.preset &&
                                 sameSchedule(plan.preset->schedule, arch.schedule) &&
                                 plan.preset->student == plan.student;
    const std::string title = presetDescribes ? plan.preset->title
                              : plan.student  ? "ResShift one-step x" + std::to_string(sf)
                                              : "ResShift x" + std::to_string(sf) + ", " +
                                                   std::to_string(arch.schedule.steps) + " steps";
    arch.name = options.name.empty() ? title + " (imported)" : options.name;
    if (Status v = arch.unet.validate(); !v)
        refuse(unetName + ": " + v.message());
    if (auto check = Architecture::fromMetadata(arch.toMetadata()); !check)
        refuse(unetName + ": " + check.status().message());

    if (job.cancelled())
        refuse("cancelled", StatusCode::Cancelled);
    job.report(0.3, "check");
    TensorMap unetTensors = unetFile->tensors;
    std::vector<std::string> notes = plan.notes;
    if (s.noiseChannels) {
        const int condition = s.lqRatio == 1 ? 3 : 16 * s.lqRatio;
        unetTensors["input_blocks.0.0.weight"] =
            noiseColumnsToShiftSR(unetTensors.at("input_blocks.0.0.weight"), s.config.inChannels,
                                  condition, s.noiseChannels);
        notes.push_back("the noise input moved before the LQ condition in the first convolution "
                        "(RSD feeds [x_t, lq, noise], ShiftSR [x_t, noise, lq])");
    }
    nn::UNetModelSwinImpl unet(arch.unet);
    auto loadedUnet = loadStateDict(unet, unetTensors, unetName);
    if (!loadedUnet)
        throw Refusal(loadedUnet.status().code(), loadedUnet.status().message());
    if (!loadedUnet->unexpected.empty())
        refuse(unetName + ": tensor '" + loadedUnet->unexpected.front() +
               "' does not belong to the UNet its other tensors describe");
    auto codec = arch.makeCodec();
    auto loadedAe = loadStateDict(*codec->module(), aeFile->tensors, fileName(aeFile->path));
    if (!loadedAe)
        throw Refusal(loadedAe.status().code(), loadedAe.status().message());
    // Training-only tensors of the autoencoder (loss, discriminator) are not needed.
    for (const auto& name : loadedAe->unexpected)
        if (!startsWith(name, "loss."))
            refuse(fileName(aeFile->path) + ": tensor '" + name +
                   "' does not belong to the autoencoder its other tensors describe");
    if (job.cancelled())
        refuse("cancelled", StatusCode::Cancelled);

    job.report(0.5, "hash");
    nlohmann::json sources = nlohmann::json::array(), names = nlohmann::json::array();
    for (auto [f, role] : {std::pair{unetFile, "unet"}, std::pair{aeFile, "autoencoder"}}) {
        nlohmann::json entry = {{"file", fileName(f->path)}, {"role", role}};
        if (std::string hash = sha256File(f->path, job.cancel); !hash.empty())
            entry["sha256"] = hash;
        sources.push_back(entry);
        names.push_back(fileName(f->path));
        for (const auto& n : f->notes)
            notes.push_back(fileName(f->path) + ": " + n);
    }
    if (job.cancelled())
        refuse("cancelled", StatusCode::Cancelled);
    notes.push_back("schedule: " + plan.scheduleFrom);
    notes.push_back("image_size " + std::to_string(arch.unet.imageSize) + ": " +
                    plan.imageSizeFrom);
    nlohmann::json detected = {{"family", "resshift"},
                               {"kind", kind},
                               {"preset", plan.recognised ? plan.recognised->name : ""},
                               {"schedule_from", plan.scheduleFrom},
                               {"image_size_from", plan.imageSizeFrom}};
    nlohmann::json prov = {{"source", "published weights, imported by shiftsr-cli import"},
                           {"imported_from", sources},
                           {"converted_from", names},
                           {"detected", detected},
                           {"notes", notes},
                           {"converter", std::string("shiftsr-cli import ") + SHIFTSR_VERSION}};
    prov["licence_note"] = plan.recognised
                               ? plan.recognised->licence
                               : std::string("the weights keep their own licence (ResShift "
                                             "and its students: non-commercial)");
    // A student's multi-step partner is its teacher: the package the teacher's own import names.
    if (plan.student && sameSchedule(arch.schedule, findResShiftPreset("v1")->schedule))
        prov["teacher"] = findResShiftPreset("v1")->title + " (imported)";

    SafeTensorsWriter w;
    for (const auto& [k, v] : arch.toMetadata())
        w.setMetadata(k, v);
    w.setMetadata(meta::kProvenance, dumpLossy(prov));
    if (Status st = addModule(w, "unet.", unet); !st)
        throw Refusal(st.code(), st.message());
    if (Status st = addModule(w, "codec.", *codec->module()); !st)
        throw Refusal(st.code(), st.message());
    job.report(0.8, "write");
    if (Status st = w.write(options.output); !st)
        throw Refusal(st.code(), st.message());
    job.report(1.0, "done");

    ImportReport report;
    report.family = "resshift";
    report.scale = arch.scale;
    report.steps = arch.steps;
    report.parameters = countParameters(unet) + countParameters(*codec->module());
    report.summary = summaryOf(arch, s, kind);
    report.notes = notes;
    return report;
}

} // namespace

Result<ImportReport> importResShift(const std::vector<WeightFile>& files,
                                    const ImportOptions& options, const JobControl& job) {
    try {
        return runImport(files, options, job);
    } catch (const Refusal& r) {
        return Status::error(r.code, r.what());
    } catch (const ShapeError& e) {
        return Status::error(StatusCode::InvalidFile, e.what());
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, e.what_without_backtrace());
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory, "not enough memory to import the weights");
    } catch (const std::exception& e) {
        return Status::error(StatusCode::Internal, clipForMessage(e.what(), 200));
    }
}

} // namespace shiftsr::importer
