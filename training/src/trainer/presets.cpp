// Trainer presets: tiny (tests), lite (CPU-trainable default, unshuffle-f4), v3 (official).
#include "presets.h"

#include "shiftsr/nn/json_util.h"
#include "shiftsr/nn/sha256.h"
#include "shiftsr/nn/tensor_io.h"

namespace shiftsr::training {

Result<Architecture> buildArchitecture(const TrainJob& job) {
    Architecture a;
    a.family = "resshift";
    a.scale = 4;
    const int lat = job.gtSize / 4;
    auto& u = a.unet;
    if (job.preset == "v3") {
        a.codec = "vq-f4";
        a.name = "ResShift v3 (trained by ShiftSR)";
    } else {
        a.codec = "unshuffle-f4";
        u.inChannels = u.outChannels = 48;
        u.imageSize = u.lqSize = lat;
        u.windowSize = 8;
        u.numHeadChannels = 32;
        u.mlpRatio = 2.0;
        if (job.preset == "tiny") {
            u.modelChannels = 32;
            u.channelMult = {1, 2};
            u.numResBlocks = {1, 1};
            u.attentionResolutions = {lat, lat / 2};
            u.swinEmbedDim = 32;
            u.numHeadChannels = 16;
            a.name = "ShiftSR tiny teacher";
        } else {
            u.modelChannels = 64;
            u.channelMult = {1, 2, 2,
                             2}; // ~9.8M parameters: ~8 samples/s at 128^2 crops on 2 cores
            u.numResBlocks = {2, 2, 2, 2};
            u.attentionResolutions = {lat, lat / 2, lat / 4};
            u.swinEmbedDim = 64;
            a.name = "ShiftSR lite x4 teacher";
        }
    }
    if (!job.modelJson.empty()) {
        auto merged = u.toJson();
        merged.merge_patch(nlohmann::json::parse(job.modelJson));
        auto c = nn::UNetSwinConfig::fromJson(merged);
        if (!c)
            return c.status();
        u = *c;
    }
    if (!job.scheduleJson.empty()) {
        auto merged = a.schedule.toJson();
        merged.merge_patch(nlohmann::json::parse(job.scheduleJson));
        auto c = ScheduleConfig::fromJson(merged);
        if (!c)
            return c.status().withContext("job schedule");
        if (auto check = ResShiftSchedule::create(*c); !check)
            return check.status().withContext("job schedule");
        a.schedule = *c;
    }
    // Feature sizes must divide by the (possibly shrunk) window at every level: pad LQ to
    // the nominal latent size, as the official sampler pads to lq_size.
    a.paddingOffset = u.lqSize;
    a.steps = a.schedule.steps;
    if (!job.name.empty())
        a.name = job.name;
    auto check = Architecture::fromMetadata(a.toMetadata());
    if (!check)
        return check.status().withContext("preset " + job.preset);
    return a;
}

Status loadInitWeights(const std::string& package, nn::UNetModelSwinImpl& unet, Codec* codec,
                       std::string* sha, nlohmann::json* lineage) {
    auto f = SafeTensorsFile::open(package);
    if (!f)
        return f.status();
    auto u = readTensors(*f, "unet.");
    if (!u)
        return u.status();
    auto r = loadStateDict(unet, *u, package + " (unet)");
    if (!r)
        return r.status();
    if (codec && codec->module()) {
        auto c = readTensors(*f, "codec.");
        if (!c)
            return c.status();
        auto rc = loadStateDict(*codec->module(), *c, package + " (codec)");
        if (!rc)
            return rc.status();
    }
    const std::string hash = sha || lineage ? sha256File(package) : std::string();
    if (sha)
        *sha = hash;
    if (lineage)
        *lineage = packageLineage(*f, hash);
    return Status::ok();
}

nlohmann::json packageLineage(const SafeTensorsFile& f, std::string sha256) {
    nlohmann::json l = {{"sha256", sha256.empty() ? sha256File(f.path()) : sha256}};
    const auto& meta = f.metadata();
    if (auto it = meta.find("name"); it != meta.end())
        l["name"] = it->second;
    if (auto it = meta.find("provenance"); it != meta.end()) {
        auto prov = parseJsonOrDiscarded(it->second);
        if (!prov.is_discarded())
            l["provenance"] = prov;
    }
    return l;
}

} // namespace shiftsr::training
