// Official checkpoint conversion: safe torch.save reader -> strict architecture check -> package.
#include "shiftsr/engine/convert.h"

#include "shiftsr/nn/json_util.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/tensor_io.h"
#include "shiftsr/nn/torch_checkpoint.h"

#include <fstream>
#include <sstream>

namespace shiftsr {

static Result<std::map<std::string, torch::Tensor>> readCheckpoint(const std::string& path,
                                                                   ConvertReport* report) {
    auto ck = TorchCheckpoint::open(path);
    if (!ck)
        return ck.status();
    auto out = readCheckpointTensors(*ck, path);
    if (!out)
        return out.status();
    if (report) {
        if (!ck->unwrappedFrom().empty())
            report->unwrappedFrom = ck->unwrappedFrom();
        report->strippedModulePrefix = report->strippedModulePrefix || ck->strippedModulePrefix();
    }
    return out;
}

static long long countParameters(const torch::nn::Module& m) {
    long long n = 0;
    for (const auto& p : m.parameters())
        n += p.numel();
    return n;
}

Result<ConvertReport> convertOfficial(const ConvertOptions& o, const JobControl& job) {
    if (o.unetCheckpoint.empty() || o.autoencoderCheckpoint.empty() || o.output.empty())
        return Status::error(
            StatusCode::InvalidArgument,
            "convert needs a UNet checkpoint, an autoencoder checkpoint and an output path");
    Architecture arch;
    arch.name = o.name;
    arch.steps = arch.schedule.steps;
    if (!o.configJson.empty()) {
        std::ifstream in(o.configJson);
        if (!in)
            return Status::error(StatusCode::NotFound, "cannot read config '" + o.configJson + "'");
        nlohmann::json j;
        try {
            in >> j;
        } catch (const std::exception& e) {
            return Status::error(StatusCode::InvalidFile, o.configJson + ": " + e.what());
        }
        if (j.contains("config"))
            j = j["config"];
        auto section = [&](const char* key) -> nlohmann::json {
            if (!j.contains(key))
                return nullptr;
            const auto& s = j[key];
            return s.contains("params") ? s["params"] : s;
        };
        if (section("model").is_null() || section("autoencoder").is_null() ||
            section("diffusion").is_null())
            return Status::error(StatusCode::InvalidFile,
                                 o.configJson +
                                     ": needs model, autoencoder and diffusion sections");
        auto uc = nn::UNetSwinConfig::fromJson(section("model"));
        if (!uc)
            return uc.status().withContext(o.configJson);
        auto vc = nn::VQConfig::fromJson(section("autoencoder"));
        if (!vc)
            return vc.status().withContext(o.configJson);
        auto sc = ScheduleConfig::fromJson(section("diffusion"));
        if (!sc)
            return sc.status().withContext(o.configJson);
        arch.unet = *uc;
        arch.vq = *vc;
        arch.schedule = *sc;
        arch.steps = sc->steps;
        arch.paddingOffset = uc->lqSize;
        try {
            if (j.contains("sampler") && j["sampler"].is_object())
                readKey(j["sampler"], "padding_offset", &arch.paddingOffset);
        } catch (const std::exception& e) {
            return Status::error(StatusCode::InvalidFile, o.configJson + ": sampler: " + e.what());
        }
    }
    arch.codec = "vq-f4";
    arch.scale = arch.schedule.sf;
    if (arch.name.empty())
        arch.name = "ResShift x" + std::to_string(arch.scale) + " " + std::to_string(arch.steps) +
                    "-step (converted official weights)";
    // Validate the assembled metadata exactly as the loader will.
    auto check = Architecture::fromMetadata(arch.toMetadata());
    if (!check)
        return check.status();

    ConvertReport report;
    try {
        job.report(0.0, "read unet");
        auto unetW = readCheckpoint(o.unetCheckpoint, &report);
        if (!unetW)
            return unetW.status();
        if (job.cancelled())
            return Status::error(StatusCode::Cancelled, "cancelled");
        job.report(0.3, "read autoencoder");
        auto aeW = readCheckpoint(o.autoencoderCheckpoint, &report);
        if (!aeW)
            return aeW.status();
        if (job.cancelled())
            return Status::error(StatusCode::Cancelled, "cancelled");
        job.report(0.6, "check");
        nn::UNetModelSwinImpl unet(arch.unet);
        auto r1 = loadStateDict(unet, *unetW, o.unetCheckpoint);
        if (!r1)
            return r1.status();
        if (!r1->unexpected.empty())
            return Status::error(StatusCode::InvalidFile,
                                 o.unetCheckpoint + ": tensor '" + r1->unexpected.front() +
                                     "' does not belong to the configured UNet");
        auto codec = arch.makeCodec();
        auto r2 = loadStateDict(*codec->module(), *aeW, o.autoencoderCheckpoint);
        if (!r2)
            return r2.status();
        // Training-only tensors of the autoencoder (loss, discriminator) are not needed.
        for (const auto& name : r2->unexpected)
            if (name.rfind("loss.", 0) != 0)
                return Status::error(StatusCode::InvalidFile,
                                     o.autoencoderCheckpoint + ": tensor '" + name +
                                         "' does not belong to the configured autoencoder");
        report.unetParameters = countParameters(unet);
        report.codecParameters = countParameters(*codec->module());

        SafeTensorsWriter w;
        for (const auto& [k, v] : arch.toMetadata())
            w.setMetadata(k, v);
        nlohmann::json prov = {
            {"source", "official ResShift checkpoints (github.com/zsyOAOA/ResShift)"},
            {"converted_from", {o.unetCheckpoint, o.autoencoderCheckpoint}},
            {"converter", std::string("shiftsr-cli convert ") + SHIFTSR_VERSION}};
        w.setMetadata(meta::kProvenance, prov.dump());
        if (Status s = addModule(w, "unet.", unet); !s)
            return s;
        if (Status s = addModule(w, "codec.", *codec->module()); !s)
            return s;
        job.report(0.8, "write");
        if (Status s = w.write(o.output); !s)
            return s;
        job.report(1.0, "done");
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, e.what_without_backtrace());
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory,
                             "not enough memory to convert the checkpoints");
    }
    return report;
}

} // namespace shiftsr
