// Stable Diffusion weights -> yonos package (an initialisation for YONOS-SR training).
#include "shiftsr/engine/convert.h"

#include "shiftsr/nn/json_util.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/sd_names.h"
#include "shiftsr/nn/tensor_io.h"
#include "shiftsr/nn/torch_checkpoint.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>

namespace shiftsr {

namespace {

using TensorMap = nn::TensorMap;

// Every tensor of a .safetensors file or a torch.save checkpoint (the restricted reader).
Result<TensorMap> readAnyTensors(const std::string& path) {
    if (auto st = SafeTensorsFile::open(path)) {
        auto t = readTensors(*st, "");
        if (!t)
            return t.status();
        return *t;
    }
    auto ck = TorchCheckpoint::open(path);
    if (!ck)
        return ck.status();
    auto out = readCheckpointTensors(*ck, path);
    if (!out)
        return out.status();
    for (auto& [name, tensor] : *out)
        tensor = tensor.to(torch::kFloat);
    return out;
}

// The tensors under the first of `prefixes` that any name carries (prefix removed), or all of
// them when none does. `skip`: prefixes of the other network in a full checkpoint.
TensorMap section(const TensorMap& all, const std::vector<std::string>& prefixes) {
    for (const auto& p : prefixes) {
        TensorMap out;
        for (const auto& [k, v] : all)
            if (k.rfind(p, 0) == 0)
                out.emplace(k.substr(p.size()), v);
        if (!out.empty())
            return out;
    }
    return all;
}

// The index after `prefix` in a name ("input_blocks.7.0.op.weight", "input_blocks." -> 7), or -1.
int indexAfter(const std::string& name, const std::string& prefix) {
    if (name.rfind(prefix, 0) != 0 || name.size() <= prefix.size() ||
        !std::isdigit(static_cast<unsigned char>(name[prefix.size()])))
        return -1;
    try {
        return std::stoi(name.substr(prefix.size(), 4));
    } catch (...) {
        return -1;
    }
}

// What the ldm numbering of a UNet depends on, read from its names and shapes: levels (one more
// than the downsamplers `input_blocks.N.0.op`), resnets per level (the first downsampler's index
// minus one), widths, which levels have transformers, their depth and the middle block's
// attention. The rest is inferred after the mapping, from the diffusers names.
Result<nn::SDUNetConfig> ldmUNetSkeleton(const TensorMap& t, std::vector<int> heads) {
    std::vector<int> downs;
    int transformerDepth = 1;
    bool midAttention = false;
    for (const auto& [k, v] : t) {
        const int i = indexAfter(k, "input_blocks.");
        if (i > 0 && k.find(".0.op.weight") != std::string::npos)
            downs.push_back(i);
        if (const auto at = k.find("transformer_blocks."); at != std::string::npos)
            transformerDepth =
                std::max(transformerDepth, indexAfter(k.substr(at), "transformer_blocks.") + 1);
        if (k.rfind("middle_block.1.", 0) == 0)
            midAttention = true;
    }
    std::sort(downs.begin(), downs.end());
    nn::SDUNetConfig c;
    c.layersPerBlock = downs.empty() ? 2 : downs.front() - 1;
    const int levels = int(downs.size()) + 1;
    if (c.layersPerBlock < 1 || levels > 8)
        return Status::error(StatusCode::InvalidFile, "unrecognised ldm U-Net block numbering");
    c.blockOutChannels.clear();
    c.downBlockTypes.clear();
    for (int l = 0; l < levels; ++l) {
        const std::string block = "input_blocks." + std::to_string(1 + l * (c.layersPerBlock + 1));
        auto it = t.find(block + ".0.out_layers.3.weight");
        if (it == t.end())
            return Status::error(StatusCode::InvalidFile,
                                 "ldm U-Net lacks " + block + ".0.out_layers.3.weight");
        c.blockOutChannels.push_back(int(it->second.size(0)));
        c.downBlockTypes.push_back(t.count(block + ".1.proj_in.weight") ? "CrossAttnDownBlock2D"
                                                                        : "DownBlock2D");
    }
    c.upBlockTypes.clear();
    for (int l = levels - 1; l >= 0; --l)
        c.upBlockTypes.push_back(
            c.downBlockTypes[size_t(l)] == "DownBlock2D" ? "UpBlock2D" : "CrossAttnUpBlock2D");
    c.transformerLayersPerBlock = transformerDepth;
    c.midBlockAttention = midAttention;
    c.attentionHeads = std::move(heads);
    return c;
}

Result<nlohmann::json> readConfig(const std::string& path) {
    if (path.empty())
        return nlohmann::json::object();
    auto j = readConfigJson(path);
    if (!j)
        return j.status();
    if (!j->is_object())
        return Status::error(StatusCode::InvalidFile, path + ": not a JSON object");
    return j;
}

} // namespace

Result<ConvertReport> convertStableDiffusion(const ConvertOptions& o, const JobControl& job) {
    if (o.unetCheckpoint.empty() || o.autoencoderCheckpoint.empty() || o.output.empty())
        return Status::error(StatusCode::InvalidArgument,
                             "convert needs a UNet checkpoint, an autoencoder checkpoint (the "
                             "same file for a full Stable Diffusion checkpoint) and an output");
    auto config = readConfig(o.configJson);
    if (!config)
        return config.status();
    ConvertReport report;
    try {
        job.report(0.0, "read unet");
        auto unetAll = readAnyTensors(o.unetCheckpoint);
        if (!unetAll)
            return unetAll.status();
        if (job.cancelled())
            return Status::error(StatusCode::Cancelled, "cancelled");
        job.report(0.3, "read autoencoder");
        auto aeAll = o.autoencoderCheckpoint == o.unetCheckpoint
                         ? unetAll
                         : readAnyTensors(o.autoencoderCheckpoint);
        if (!aeAll)
            return aeAll.status();
        TensorMap unetT = section(*unetAll, {"model.diffusion_model.", "unet."});
        TensorMap aeT = section(*aeAll, {"first_stage_model.", "vae."});
        for (auto* m : {&unetT, &aeT}) // a full checkpoint's other parts
            for (auto it = m->begin(); it != m->end();)
                it = (it->first.rfind("cond_stage_model.", 0) == 0 ||
                      it->first.rfind("model_ema.", 0) == 0 || it->first.rfind("loss.", 0) == 0 ||
                      it->first == "betas" || it->first.find("alphas") != std::string::npos ||
                      it->first.find("posterior_") != std::string::npos || it->first == "logvar")
                         ? m->erase(it)
                         : std::next(it);

        // --- autoencoder
        const auto aeLayout = nn::detectAutoencoderLayout(aeT);
        if (aeLayout == nn::SDLayout::Unknown)
            return Status::error(StatusCode::InvalidFile,
                                 o.autoencoderCheckpoint +
                                     ": not a Stable Diffusion autoencoder (AutoencoderKL)");
        nn::KLConfig kl;
        if (config->contains("autoencoder")) {
            auto k = nn::KLConfig::fromJson((*config)["autoencoder"]);
            if (!k)
                return k.status().withContext(o.configJson);
            kl = *k;
        }
        if (aeLayout == nn::SDLayout::Ldm) {
            if (!config->contains("autoencoder")) {
                // The mapping needs the level and resnet counts: read them from the ldm names.
                int levels = 0, layers = 0;
                for (const auto& [k, v] : aeT) {
                    levels = std::max(levels, indexAfter(k, "encoder.down.") + 1);
                    if (k.rfind("encoder.down.0.block.", 0) == 0)
                        layers = std::max(layers, indexAfter(k, "encoder.down.0.block.") + 1);
                }
                if (levels < 1 || layers < 1 || levels > 8)
                    return Status::error(StatusCode::InvalidFile,
                                         o.autoencoderCheckpoint +
                                             ": unrecognised ldm autoencoder block numbering");
                kl.blockOutChannels.assign(size_t(levels), 32);
                kl.layersPerBlock = layers;
            }
            auto mapped = nn::autoencoderLdmToDiffusers(aeT, kl);
            if (!mapped)
                return mapped.status().withContext(o.autoencoderCheckpoint);
            aeT = *mapped;
        }
        if (!config->contains("autoencoder")) {
            auto k = nn::inferAutoencoderConfig(aeT);
            if (!k)
                return k.status().withContext(o.autoencoderCheckpoint);
            kl = *k;
        }

        // --- U-Net
        const auto unetLayout = nn::detectUNetLayout(unetT);
        if (unetLayout == nn::SDLayout::Unknown)
            return Status::error(StatusCode::InvalidFile,
                                 o.unetCheckpoint + ": not a Stable Diffusion U-Net");
        std::vector<int> heads{8};
        nn::SDUNetConfig uc;
        const bool haveUnetConfig = config->contains("unet");
        if (haveUnetConfig) {
            auto u = nn::SDUNetConfig::fromJson((*config)["unet"]);
            if (!u)
                return u.status().withContext(o.configJson);
            uc = *u;
            heads = uc.attentionHeads;
        }
        if (unetLayout == nn::SDLayout::Ldm) {
            if (!haveUnetConfig) {
                auto skeleton = ldmUNetSkeleton(unetT, heads);
                if (!skeleton)
                    return skeleton.status().withContext(o.unetCheckpoint);
                uc = *skeleton;
            }
            auto mapped = nn::unetLdmToDiffusers(unetT, uc);
            if (!mapped)
                return mapped.status().withContext(o.unetCheckpoint);
            unetT = *mapped;
        }
        if (!haveUnetConfig) {
            auto u = nn::inferUNetConfig(unetT, heads);
            if (!u)
                return u.status().withContext(o.unetCheckpoint);
            uc = *u;
        }
        const int z = kl.latentChannels;
        if (uc.outChannels != z)
            return Status::error(StatusCode::InvalidFile,
                                 "the U-Net gives " + std::to_string(uc.outChannels) +
                                     " channels but the autoencoder's latent has " +
                                     std::to_string(z));
        // conv_in: z_t's channels kept, the encoded input's start at zero.
        auto& w = unetT.at("conv_in.weight");
        if (w.size(1) != 2 * z) {
            auto widened = torch::zeros({w.size(0), 2 * z, w.size(2), w.size(3)});
            const int64_t keep = std::min<int64_t>(w.size(1), z);
            widened.slice(1, 0, keep).copy_(w.slice(1, 0, keep));
            w = widened;
        }
        uc.inChannels = 2 * z;
        if (uc.crossAttentionDim > 0 && !unetT.count("context"))
            unetT["context"] = torch::zeros({1, uc.contextTokens, uc.crossAttentionDim});

        Architecture arch;
        arch.family = "yonos";
        arch.sdUnet = uc;
        arch.kl = kl;
        arch.codec = "kl-f" + std::to_string(kl.downFactor());
        arch.scale = 4;
        try {
            readKey(*config, "scale", &arch.scale);
        } catch (const std::exception& e) {
            return Status::error(StatusCode::InvalidFile, o.configJson + ": " + e.what());
        }
        // Stable Diffusion 1.x/2.x-base were trained with epsilon prediction, scaled_linear betas
        // and leading spacing; the config's "schedule" says otherwise (e.g. SD 2.x 768-v).
        arch.ddim.predictionType = "epsilon";
        arch.ddim.rescaleBetasZeroSnr = false;
        arch.ddim.timestepSpacing = "leading";
        arch.ddim.stepsOffset = 1;
        if (config->contains("schedule")) {
            auto merged = arch.ddim.toJson();
            merged.merge_patch((*config)["schedule"]);
            auto d = DdimConfig::fromJson(merged);
            if (!d)
                return d.status().withContext(o.configJson);
            arch.ddim = *d;
        }
        arch.paddingOffset = arch.yonosPaddingUnit();
        arch.steps = 1;
        arch.name =
            o.name.empty() ? "Stable Diffusion U-Net for YONOS (converted, untrained)" : o.name;
        auto check = Architecture::fromMetadata(arch.toMetadata());
        if (!check)
            return check.status();
        if (job.cancelled())
            return Status::error(StatusCode::Cancelled, "cancelled");
        job.report(0.6, "check");
        nn::SDUNetImpl unet(uc);
        auto r1 = loadStateDict(unet, unetT, o.unetCheckpoint);
        if (!r1)
            return r1.status();
        if (!r1->unexpected.empty())
            return Status::error(StatusCode::InvalidFile,
                                 o.unetCheckpoint + ": tensor '" + r1->unexpected.front() +
                                     "' does not belong to the inferred U-Net");
        KLCodec codec(kl);
        auto r2 = loadStateDict(*codec.module(), aeT, o.autoencoderCheckpoint);
        if (!r2)
            return r2.status();
        if (!r2->unexpected.empty())
            return Status::error(StatusCode::InvalidFile,
                                 o.autoencoderCheckpoint + ": tensor '" + r2->unexpected.front() +
                                     "' does not belong to the inferred autoencoder");
        for (const auto& p : unet.parameters())
            report.unetParameters += p.numel();
        for (const auto& p : codec.module()->parameters())
            report.codecParameters += p.numel();
        SafeTensorsWriter out;
        for (const auto& [k, v] : arch.toMetadata())
            out.setMetadata(k, v);
        nlohmann::json prov = {
            {"source", "Stable Diffusion weights (U-Net and autoencoder), for YONOS-SR training"},
            {"licence_note", "the weights keep their own licence (Stable Diffusion 1.x: "
                             "CreativeML Open RAIL-M; 2.x: CreativeML Open RAIL++-M)"},
            {"layout",
             {{"unet", unetLayout == nn::SDLayout::Ldm ? "ldm" : "diffusers"},
              {"autoencoder", aeLayout == nn::SDLayout::Ldm ? "ldm" : "diffusers"}}},
            {"converted_from",
             {std::filesystem::path(o.unetCheckpoint).filename().string(),
              std::filesystem::path(o.autoencoderCheckpoint).filename().string()}},
            {"converter", std::string("shiftsr-cli convert ") + SHIFTSR_VERSION}};
        out.setMetadata(meta::kProvenance, dumpLossy(prov));
        if (Status s = addModule(out, "unet.", unet); !s)
            return s;
        if (Status s = addModule(out, "codec.", *codec.module()); !s)
            return s;
        job.report(0.8, "write");
        if (Status s = out.write(o.output); !s)
            return s;
        job.report(1.0, "done");
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, e.what_without_backtrace());
    } catch (const std::exception& e) {
        return Status::error(StatusCode::InvalidFile, e.what());
    }
    return report;
}

} // namespace shiftsr
