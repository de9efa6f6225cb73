// Model packages: metadata <-> architecture, strict loading, inspection.
#include "shiftsr/nn/layers.h"
#include "shiftsr/nn/model_impl.h"

#include "shiftsr/nn/json_util.h"
#include "shiftsr/nn/sha256.h"
#include "shiftsr/nn/tensor_io.h"

#include <sys/stat.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <numeric>
#include <tuple>

namespace shiftsr {

static Result<nlohmann::json> parseJsonEntry(const std::map<std::string, std::string>& m,
                                             const char* key, bool required) {
    auto it = m.find(key);
    if (it == m.end()) {
        if (required)
            return Status::error(StatusCode::InvalidFile, std::string("model metadata lacks '") +
                                                              key +
                                                              "': not a ShiftSR model package");
        return nlohmann::json();
    }
    return parseJsonBounded(it->second, std::string("metadata '") + key + "'");
}

// A config entry of the metadata, parsed and validated by C::fromJson; errors name the entry.
template <class C>
static Result<C> configEntry(const std::map<std::string, std::string>& m, const char* key) {
    auto j = parseJsonEntry(m, key, true);
    if (!j)
        return j.status();
    auto c = C::fromJson(*j);
    if (!c)
        return c.status().withContext(std::string("metadata '") + key + "'");
    return c;
}

// An integer entry ("scale", "steps"): absent is `fallback`; anything but a decimal integer from lo
// to hi is an error naming the key (a silent fallback would fail much later inside LibTorch).
static Result<int> intEntry(const std::map<std::string, std::string>& m, const char* key,
                            int fallback, int lo, int hi) {
    auto it = m.find(key);
    if (it == m.end())
        return fallback;
    const std::string& v = it->second;
    long long value = 0;
    bool ok = !v.empty() && v.size() <= 9;
    for (size_t i = 0; ok && i < v.size(); ++i) {
        if (i == 0 && v[0] == '-' && v.size() > 1)
            continue;
        ok = v[i] >= '0' && v[i] <= '9';
    }
    if (ok)
        value = std::stoll(v);
    if (!ok || value < lo || value > hi)
        return Status::error(StatusCode::InvalidFile,
                             std::string("metadata '") + key + "' must be an integer from " +
                                 std::to_string(lo) + " to " + std::to_string(hi) + ", not '" +
                                 clipForMessage(v) + "'");
    return int(value);
}

// For describePackage, after fromMetadata accepted the entries.
static int intEntryOr(const std::map<std::string, std::string>& m, const char* key, int fallback) {
    auto r = intEntry(m, key, fallback, std::numeric_limits<int>::min(),
                      std::numeric_limits<int>::max());
    return r ? *r : fallback;
}

// The "sampler" entry: absent or a JSON object.
static Result<nlohmann::json> samplerEntry(const std::map<std::string, std::string>& m) {
    auto sm = parseJsonEntry(m, meta::kSampler, false);
    if (!sm)
        return sm.status();
    if (!sm->is_null() && !sm->is_object())
        return Status::error(StatusCode::InvalidFile,
                             "metadata 'sampler' must be a JSON object, not " + jsonTypeName(*sm));
    return sm;
}

// Reads sampler.<key> into *out with readKey's type checks; errors name the entry and the key.
template <class T>
static Status samplerKey(const nlohmann::json& sampler, const char* key, T* out) {
    try {
        readKey(sampler, key, out);
    } catch (const std::exception& e) {
        return Status::error(StatusCode::InvalidFile,
                             std::string("metadata 'sampler': ") + e.what());
    }
    return Status::ok();
}

// The sampler's advice for requests that leave the choice to the package (model_impl.h, kSampler):
// optional in every family; absent keys keep the pipeline's own choices.
static Status readAdvice(const nlohmann::json& sampler, Architecture* a) {
    std::string fix;
    for (const auto& [key, out] :
         {std::pair<const char*, int*>{"tile", &a->tileAdvice}, {"overlap", &a->overlapAdvice}})
        if (Status st = samplerKey(sampler, key, out); !st)
            return st;
    if (Status st = samplerKey(sampler, "color_fix", &fix); !st)
        return st;
    auto bad = [](const std::string& what) {
        return Status::error(StatusCode::InvalidFile, "metadata 'sampler': " + what);
    };
    if (a->tileAdvice != 0 && (a->tileAdvice < 16 || a->tileAdvice > 1 << 16))
        return bad("tile must be 0 or from 16 to 65536, not " + std::to_string(a->tileAdvice));
    if (a->overlapAdvice < 0 || a->overlapAdvice > 1 << 15)
        return bad("overlap must be from 0 to 32768, not " + std::to_string(a->overlapAdvice));
    if (!fix.empty() && (!parseColorFix(fix, &a->colorFix) || a->colorFix == ColorFix::Auto))
        return bad("color_fix must be luma, wavelet, adain or none, not '" + clipForMessage(fix) +
                   "'");
    return Status::ok();
}

// The GAN part of fromMetadata: the network's config, its scale, one step, the advice.
static Result<Architecture> ganFromMetadata(const std::map<std::string, std::string>& m,
                                            Architecture a) {
    int netScale = 0;
    if (a.family == "srvgg") {
        auto c = configEntry<nn::SRVGGConfig>(m, meta::kNet);
        if (!c)
            return c.status();
        a.srvgg = *c;
        netScale = a.srvgg.upscale;
    } else {
        auto c = configEntry<nn::RRDBConfig>(m, meta::kNet);
        if (!c)
            return c.status();
        a.rrdb = *c;
        netScale = a.rrdb.scale;
    }
    if (!a.codec.empty())
        return Status::error(StatusCode::InvalidFile, "metadata 'codec' must be empty for the " +
                                                          a.family +
                                                          " family (one network, no codec), not '" +
                                                          clipForMessage(a.codec) + "'");
    auto scale = intEntry(m, meta::kScale, netScale, 1, 16);
    if (!scale)
        return scale.status();
    if (*scale != netScale)
        return Status::error(StatusCode::InvalidFile,
                             "metadata 'scale' (" + std::to_string(*scale) +
                                 ") must equal the network's (" + std::to_string(netScale) + ")");
    a.scale = netScale;
    auto steps = intEntry(m, meta::kSteps, 1, 1, 1);
    if (!steps)
        return steps.status();
    a.steps = 1;
    auto sm = samplerEntry(m);
    if (!sm)
        return sm.status();
    a.colorFix = ColorFix::None; // a GAN's colours are its own: Luma would repaint them
    if (Status st = readAdvice(*sm, &a); !st)
        return st;
    if (Status st = samplerKey(*sm, "pre_pad", &a.prePad); !st)
        return st;
    if (a.prePad < 0 || a.prePad > 64)
        return Status::error(StatusCode::InvalidFile,
                             "metadata 'sampler': pre_pad must be from 0 to 64, not " +
                                 std::to_string(a.prePad));
    // Tiles need no alignment (upscaleTile pads to the network's multiple); 8 keeps the tile
    // planner's search short on large images.
    a.paddingOffset = 8;
    return a;
}

std::shared_ptr<nn::SinglePassNetImpl> Architecture::makeGanNet() const {
    if (family == "srvgg")
        return std::make_shared<nn::SRVGGNetImpl>(srvgg);
    return std::make_shared<nn::RRDBNetImpl>(rrdb);
}

// The yonos part of fromMetadata: U-Net, KL codec, DDIM schedule and their relations.
static Result<Architecture> yonosFromMetadata(const std::map<std::string, std::string>& m,
                                              Architecture a) {
    auto uc = configEntry<nn::SDUNetConfig>(m, meta::kUnet);
    if (!uc)
        return uc.status();
    a.sdUnet = *uc;
    auto kc = configEntry<nn::KLConfig>(m, meta::kCodecConfig);
    if (!kc)
        return kc.status();
    a.kl = *kc;
    auto dc = configEntry<DdimConfig>(m, meta::kSchedule);
    if (!dc)
        return dc.status();
    a.ddim = *dc;
    auto bad = [](const std::string& what) { return Status::error(StatusCode::InvalidFile, what); };
    const int f = a.kl.downFactor();
    if (a.codec != "kl-f" + std::to_string(f))
        return bad("codec '" + a.codec.substr(0, 40) + "' does not match the autoencoder (kl-f" +
                   std::to_string(f) + ")");
    const int z = a.kl.latentChannels;
    if (a.sdUnet.outChannels != z || a.sdUnet.inChannels != 2 * z)
        return bad("the U-Net must take 2 x " + std::to_string(z) +
                   " channels (z_t and the encoded input) and give " + std::to_string(z));
    auto scale = intEntry(m, meta::kScale, 4, 1, 16);
    if (!scale)
        return scale.status();
    a.scale = *scale;
    const int minOffset = a.yonosPaddingUnit();
    auto sm = samplerEntry(m);
    if (!sm)
        return sm.status();
    a.paddingOffset = minOffset;
    a.multiSteps = 10;
    if (Status st = samplerKey(*sm, "padding_offset", &a.paddingOffset); !st)
        return st;
    if (Status st = samplerKey(*sm, "multi_steps", &a.multiSteps); !st)
        return st;
    if (a.paddingOffset <= 0 || a.paddingOffset > 1024 || a.paddingOffset % minOffset)
        return bad("sampler padding_offset must be a multiple of " + std::to_string(minOffset) +
                   " up to 1024");
    auto steps = intEntry(m, meta::kSteps, 1, 1, a.ddim.numTrainTimesteps);
    if (!steps)
        return steps.status();
    a.steps = *steps;
    if (a.multiSteps < 1 || a.multiSteps > a.ddim.numTrainTimesteps)
        return bad("sampler multi_steps must be from 1 to the schedule's num_train_timesteps");
    if (Status st = readAdvice(*sm, &a); !st)
        return st;
    return a;
}

int Architecture::yonosPaddingUnit() const {
    const int need = kl.downFactor() * sdUnet.downFactor();
    return need / std::gcd(need, scale);
}

Architecture Architecture::yonosAtScale(int newScale) const {
    Architecture a = *this;
    a.scale = newScale;
    a.paddingOffset = a.yonosPaddingUnit();
    return a;
}

Result<Architecture> Architecture::fromMetadata(const std::map<std::string, std::string>& m) {
    Architecture a;
    a.family = m.count(meta::kFamily) ? m.at(meta::kFamily) : "resshift";
    a.codec = m.count(meta::kCodec)              ? m.at(meta::kCodec)
              : (a.family == "yonos" || a.gan()) ? ""
                                                 : "vq-f4";
    a.name = m.count(meta::kName) ? m.at(meta::kName) : "";
    if (a.family == "yonos")
        return yonosFromMetadata(m, a);
    if (a.gan())
        return ganFromMetadata(m, a);
    if (a.family == "autoencoder")
        return Status::error(StatusCode::Unsupported,
                             "this is an autoencoder package (the codec a YONOS teacher is trained "
                             "with: \"autoencoder\" in a yonos job), not an upscaling model");
    if (a.family != "resshift")
        return Status::error(StatusCode::Unsupported, "model family '" + clipForMessage(a.family) +
                                                          "' is not supported by this build");
    auto uc = configEntry<nn::UNetSwinConfig>(m, meta::kUnet);
    if (!uc)
        return uc.status();
    a.unet = *uc;
    auto sc = configEntry<ScheduleConfig>(m, meta::kSchedule);
    if (!sc)
        return sc.status();
    a.schedule = *sc;
    if (a.codec == "vq-f4") {
        auto vc = configEntry<nn::VQConfig>(m, meta::kCodecConfig);
        if (!vc)
            return vc.status();
        a.vq = *vc;
        // The latent of the bicubic-upsampled LQ (LQ x sf / f) meets the LQ condition after the
        // UNet's feature extractor (LQ x image_size / lq_size): f = sf x lq_size / image_size
        // (x4: 4 = 4 x 1; the official x2 model: 4 = 2 x 2).
        if (a.vq.downFactor() != a.schedule.sf * (a.unet.lqSize / a.unet.imageSize))
            return Status::error(StatusCode::InvalidFile,
                                 "codec downsampling factor does not match the scale times "
                                 "lq_size / image_size");
        if (a.vq.embedDim != a.unet.outChannels)
            return Status::error(StatusCode::InvalidFile,
                                 "UNet out_channels does not match the codec's embed_dim");
    } else if (a.codec == "unshuffle-f4" || a.codec == "unshuffle-f4-refine") {
        if (a.unet.outChannels != 48 || a.unet.inChannels != 48 || a.schedule.sf != 4)
            return Status::error(StatusCode::InvalidFile,
                                 clipForMessage(a.codec) + " needs a 48-channel UNet and scale 4");
        if (a.codec == "unshuffle-f4-refine") {
            auto rc = configEntry<nn::RefinerConfig>(m, meta::kCodecConfig);
            if (!rc)
                return rc.status();
            a.refine = *rc;
        }
    } else {
        return Status::error(StatusCode::Unsupported, "codec '" + clipForMessage(a.codec) +
                                                          "' is not supported by this build");
    }
    auto sm = samplerEntry(m);
    if (!sm)
        return sm.status();
    a.paddingOffset = a.unet.lqSize;
    if (Status st = samplerKey(*sm, "padding_offset", &a.paddingOffset); !st)
        return st;
    // The LQ is padded to a multiple of the offset: beyond a few latent tiles it only costs time.
    const int maxOffset = std::max(1024, a.unet.lqSize);
    if (a.paddingOffset <= 0 || a.paddingOffset > maxOffset)
        return Status::error(StatusCode::InvalidFile,
                             "metadata 'sampler': padding_offset must be from 1 to " +
                                 std::to_string(maxOffset) + ", not " +
                                 std::to_string(a.paddingOffset));
    if (Status st = readAdvice(*sm, &a); !st)
        return st;
    if (sm->is_object() && sm->contains("degrid_sigma")) {
        if (Status st = samplerKey(*sm, "degrid_sigma", &a.degridSigma); !st)
            return st;
        if (!(a.degridSigma >= 0 && a.degridSigma <= 64))
            return Status::error(StatusCode::InvalidFile,
                                 "sampler degrid_sigma must be a number from 0 to 64");
        if (a.degridSigma > 0 && a.codec == "vq-f4")
            return Status::error(StatusCode::InvalidFile,
                                 "sampler degrid_sigma applies to unshuffle codecs only");
    }
    auto steps = intEntry(m, meta::kSteps, a.schedule.steps, 1, a.schedule.steps);
    if (!steps)
        return steps.status();
    a.steps = *steps;
    if (a.steps != 1 && a.steps != a.schedule.steps)
        return Status::error(StatusCode::InvalidFile,
                             "metadata 'steps' must be 1 or the schedule's T");
    auto scale = intEntry(m, meta::kScale, a.schedule.sf, 1, 16);
    if (!scale)
        return scale.status();
    a.scale = *scale;
    if (a.scale != a.schedule.sf)
        return Status::error(StatusCode::InvalidFile, "metadata 'scale' (" +
                                                          std::to_string(a.scale) +
                                                          ") must equal the schedule's sf (" +
                                                          std::to_string(a.schedule.sf) + ")");
    return a;
}

std::map<std::string, std::string> Architecture::toMetadata() const {
    std::map<std::string, std::string> m;
    m[meta::kFormat] = "1";
    m[meta::kName] = name;
    m[meta::kFamily] = family;
    m[meta::kScale] = std::to_string(scale);
    m[meta::kSteps] = std::to_string(steps);
    // Advice only where it differs from the pipeline's own choices (older readers ignore it).
    auto advice = [&](nlohmann::json sampler) {
        if (tileAdvice > 0)
            sampler["tile"] = tileAdvice;
        if (overlapAdvice > 0)
            sampler["overlap"] = overlapAdvice;
        if (colorFix != ColorFix::Luma || gan())
            sampler["color_fix"] = colorFixName(colorFix);
        return sampler.dump();
    };
    if (gan()) {
        m[meta::kNet] = family == "srvgg" ? srvgg.toJson().dump() : rrdb.toJson().dump();
        m[meta::kSampler] = advice({{"pre_pad", prePad}});
        return m;
    }
    m[meta::kCodec] = codec;
    if (yonos()) {
        m[meta::kSchedule] = ddim.toJson().dump();
        m[meta::kUnet] = sdUnet.toJson().dump();
        m[meta::kCodecConfig] = kl.toJson().dump();
        m[meta::kSampler] =
            advice({{"padding_offset", paddingOffset}, {"multi_steps", multiSteps}});
        return m;
    }
    m[meta::kSchedule] = schedule.toJson().dump();
    m[meta::kUnet] = unet.toJson().dump();
    if (codec == "vq-f4")
        m[meta::kCodecConfig] = vq.toJson().dump();
    else if (codec == "unshuffle-f4-refine")
        m[meta::kCodecConfig] = refine.toJson().dump();
    nlohmann::json sampler{{"padding_offset", paddingOffset}};
    if (degridSigma > 0)
        sampler["degrid_sigma"] = degridSigma;
    m[meta::kSampler] = advice(sampler);
    return m;
}

std::unique_ptr<Codec> Architecture::makeCodec() const {
    if (yonos())
        return std::make_unique<KLCodec>(kl);
    if (codec == "vq-f4")
        return std::make_unique<VQCodec>(vq);
    if (codec == "unshuffle-f4-refine")
        return std::make_unique<RefineCodec>(refine);
    return std::make_unique<UnshuffleCodec>(4);
}

Architecture Architecture::tinyTest() {
    Architecture a;
    a.name = "tiny test model";
    a.codec = "unshuffle-f4";
    a.unet.imageSize = 16;
    a.unet.lqSize = 16;
    a.unet.inChannels = 48;
    a.unet.outChannels = 48;
    a.unet.modelChannels = 32;
    a.unet.channelMult = {1, 2};
    a.unet.numResBlocks = {1, 1};
    a.unet.attentionResolutions = {16, 8};
    a.unet.swinEmbedDim = 32;
    a.unet.numHeadChannels = 16;
    a.unet.windowSize = 8;
    a.unet.mlpRatio = 2.0;
    a.paddingOffset = 16;
    return a;
}

Architecture Architecture::tinyYonosTest() {
    Architecture a;
    a.name = "tiny yonos test model";
    a.family = "yonos";
    a.codec = "kl-f4";
    a.kl.blockOutChannels = {16, 16, 32};
    a.kl.layersPerBlock = 1;
    a.kl.latentChannels = 4;
    a.kl.normNumGroups = 8;
    a.kl.scalingFactor = 1.0;
    a.kl.midBlockAddAttention = false;
    a.sdUnet.inChannels = 8;
    a.sdUnet.outChannels = 4;
    a.sdUnet.blockOutChannels = {32, 32};
    a.sdUnet.layersPerBlock = 1;
    a.sdUnet.downBlockTypes = {"DownBlock2D", "CrossAttnDownBlock2D"};
    a.sdUnet.upBlockTypes = {"CrossAttnUpBlock2D", "UpBlock2D"};
    a.sdUnet.attentionHeads = {2};
    a.sdUnet.normNumGroups = 8;
    a.steps = 1;
    a.scale = 4;
    a.paddingOffset = 8;
    return a;
}

ModelInfo describePackage(const SafeTensorsFile& file) {
    ModelInfo info;
    info.source = file.path();
    info.metadata = file.metadata();
    const auto& m = info.metadata;
    info.name = m.count(meta::kName) ? m.at(meta::kName) : "";
    info.family = m.count(meta::kFamily) ? m.at(meta::kFamily) : "";
    info.codec = m.count(meta::kCodec) ? m.at(meta::kCodec) : "";
    info.scale = intEntryOr(m, meta::kScale, 4);
    auto s = parseJsonEntry(m, meta::kSchedule, false);
    if (Architecture::isGanFamily(info.family)) {
        info.trainedSteps = 1; // one forward pass, nothing to sample
        info.steps = 1;
    } else if (info.family == "yonos") {
        // DDIM runs any step count: the multi-step offer is the package's sampler.multi_steps.
        auto sm = parseJsonEntry(m, meta::kSampler, false);
        const auto& o = sm ? *sm : nlohmann::json();
        info.trainedSteps =
            o.is_object() && o.contains("multi_steps") && o["multi_steps"].is_number_integer()
                ? o["multi_steps"].get<int>()
                : 10;
        info.steps = intEntryOr(m, meta::kSteps, 1);
    } else {
        info.trainedSteps =
            (s && s->is_object() && s->contains("steps") && (*s)["steps"].is_number_integer())
                ? (*s)["steps"].get<int>()
                : 4;
        info.steps = intEntryOr(m, meta::kSteps, info.trainedSteps);
    }
    for (const auto& e : file.tensors()) {
        // Count parameters, not the derived swin buffers (index tables, shift masks).
        const bool buffer = e.name.find("relative_position_index") != std::string::npos ||
                            e.name.find("attn_mask") != std::string::npos;
        if (buffer)
            continue;
        if (e.name.rfind("unet.", 0) == 0 || e.name.rfind("net.", 0) == 0)
            info.unetParameters += e.numel();
        else if (e.name.rfind("codec.", 0) == 0)
            info.codecParameters += e.numel();
    }
    struct stat st {};
    if (::stat(file.path().c_str(), &st) == 0)
        info.fileBytes = std::uint64_t(st.st_size);
    return info;
}

// Strict loading needs a tensor for every weight: a network larger than all of the package's
// tensors together cannot load, so it is refused before it is built (a few bytes of metadata must
// not make us allocate gigabytes).
static Status checkSizeAgainstFile(const SafeTensorsFile& file, const Architecture& arch) {
    double unetHeld = 0, codecHeld = 0, netHeld = 0;
    for (const auto& e : file.tensors()) {
        if (e.name.rfind("net.", 0) == 0)
            netHeld += double(e.numel());
        else if (e.name.rfind("unet.", 0) == 0)
            unetHeld += double(e.numel());
        else if (e.name.rfind("codec.", 0) == 0)
            codecHeld += double(e.numel());
    }
    auto check = [](const char* key, const char* what, double needed, double held) {
        if (needed <= held)
            return Status::ok();
        return Status::error(
            StatusCode::InvalidFile,
            std::string("metadata '") + key + "' describes a network of at least " +
                std::to_string(std::llround(needed)) + " weights, but the file holds only " +
                std::to_string(std::llround(held)) + " " + what + " values");
    };
    if (arch.gan())
        return check("net", "network",
                     arch.family == "srvgg" ? arch.srvgg.parameters() : arch.rrdb.parameters(),
                     netHeld);
    if (!arch.yonos())
        return check("unet", "U-Net", arch.unet.estimateCost().parameters, unetHeld);
    if (Status s = check("unet", "U-Net", arch.sdUnet.weightLowerBound(), unetHeld); !s)
        return s;
    return check("codec_config", "autoencoder", arch.kl.weightLowerBound(), codecHeld);
}

Result<std::shared_ptr<Model::Impl>> buildModel(const SafeTensorsFile& file,
                                                const LoadOptions& options) {
    auto arch = Architecture::fromMetadata(file.metadata());
    if (!arch)
        return arch.status().withContext(file.path());
    if (Status s = checkSizeAgainstFile(file, *arch); !s)
        return s.withContext(file.path());
    auto impl = std::make_shared<Model::Impl>();
    impl->info = describePackage(file);
    impl->arch = *arch;
    try {
        torch::nn::Module* unetModule = nullptr;
        const std::string prefix = arch->gan() ? "net." : "unet.";
        if (arch->gan()) {
            impl->gan = arch->makeGanNet();
            unetModule = impl->gan.get();
        } else if (arch->yonos()) {
            auto ddim = DdimSchedule::create(arch->ddim);
            if (!ddim)
                return ddim.status().withContext(file.path());
            impl->ddim = std::make_unique<DdimSchedule>(std::move(ddim.value()));
            impl->sdUnet = std::make_shared<nn::SDUNetImpl>(arch->sdUnet);
            unetModule = impl->sdUnet.get();
        } else {
            auto sched = ResShiftSchedule::create(arch->schedule);
            if (!sched)
                return sched.status().withContext(file.path());
            impl->schedule = std::make_unique<ResShiftSchedule>(std::move(sched.value()));
            impl->unet = std::make_shared<nn::UNetModelSwinImpl>(arch->unet);
            unetModule = impl->unet.get();
        }
        if (!arch->gan())
            impl->codec = arch->makeCodec();
        auto unetTensors = readTensors(file, prefix);
        if (!unetTensors)
            return unetTensors.status();
        auto r = loadStateDict(*unetModule, *unetTensors,
                               file.path() + " (" + prefix.substr(0, prefix.size() - 1) + ")");
        if (!r)
            return r.status();
        if (!r->unexpected.empty())
            return Status::error(StatusCode::InvalidFile, file.path() + ": unexpected tensor '" +
                                                              prefix + r->unexpected.front() +
                                                              "' for this architecture");
        if (auto* cm = impl->codec ? impl->codec->module() : nullptr) {
            auto codecTensors = readTensors(file, "codec.");
            if (!codecTensors)
                return codecTensors.status();
            auto rc = loadStateDict(*cm, *codecTensors, file.path() + " (codec)");
            if (!rc)
                return rc.status();
            if (!rc->unexpected.empty())
                return Status::error(StatusCode::InvalidFile, file.path() +
                                                                  ": unexpected tensor 'codec." +
                                                                  rc->unexpected.front() + "'");
            cm->eval();
        }
        unetModule->eval();
        device::Preference pref;
        if (!device::parsePreference(options.device, &pref))
            return Status::error(StatusCode::InvalidArgument,
                                 "unknown device '" + options.device + "' (auto, cpu, cuda)");
        std::string why;
        impl->device = device::select(pref, &why);
        if (pref == device::Preference::Cuda && !impl->device.is_cuda())
            return Status::error(StatusCode::Unsupported, why);
        device::Precision requested;
        if (!device::parsePrecision(options.precision, &requested))
            return Status::error(StatusCode::InvalidArgument, "unknown precision '" +
                                                                  options.precision +
                                                                  "' (fp32, bf16, fp16, auto)");
        std::string error, note;
        impl->precision = device::resolvePrecision(requested, impl->device, &error, &note);
        if (!error.empty())
            return Status::error(StatusCode::Unsupported, error);
        impl->precisionNote = note;
        impl->dtype = device::computeDtype(impl->precision);
        unetModule->to(impl->device);
        if (impl->unet)
            nn::prepareUnetForInference(*impl->unet, impl->device);
        if (impl->dtype != torch::kFloat)
            nn::setComputeDtype(*unetModule, impl->dtype);
        if (auto* cm = impl->codec ? impl->codec->module() : nullptr) {
            cm->to(impl->device);
            if (impl->dtype != torch::kFloat)
                nn::setComputeDtype(*cm, impl->dtype);
        }
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, file.path() + ": " + e.what_without_backtrace());
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory,
                             file.path() + ": not enough memory to load the model");
    } catch (const std::exception& e) {
        return Status::error(StatusCode::Internal, file.path() + ": cannot build the model: " +
                                                       clipForMessage(e.what(), 200));
    }
    return impl;
}

Model::Model(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
const ModelInfo& Model::info() const {
    return impl_->info;
}
std::string Model::deviceDescription() const {
    return device::describe(impl_->device);
}

bool Model::onCuda() const {
    return impl_->device.is_cuda();
}

std::string Model::precision() const {
    return device::precisionName(impl_->precision);
}

std::string Model::precisionNote() const {
    return impl_->precisionNote;
}

namespace {

struct HashKey {
    std::string path;
    std::uintmax_t size = 0;
    std::int64_t mtime = 0;
    bool operator<(const HashKey& o) const {
        return std::tie(path, size, mtime) < std::tie(o.path, o.size, o.mtime);
    }
};

bool hashKeyOf(const std::string& path, HashKey* key) {
    std::error_code ec;
    const auto canonical = std::filesystem::weakly_canonical(path, ec);
    key->path = ec ? path : canonical.string();
    key->size = std::filesystem::file_size(path, ec);
    if (ec)
        return false;
    const auto t = std::filesystem::last_write_time(path, ec);
    if (ec)
        return false;
    key->mtime = std::int64_t(t.time_since_epoch().count());
    return true;
}

std::mutex gHashMutex;
std::map<HashKey, std::string> gHashes;

} // namespace

std::string Model::cachedContentHash(const std::string& path) {
    HashKey key;
    if (!hashKeyOf(path, &key))
        return {};
    std::lock_guard<std::mutex> lock(gHashMutex);
    const auto it = gHashes.find(key);
    return it == gHashes.end() ? std::string() : it->second;
}

std::string Model::contentHash(const std::string& path, const std::atomic<bool>* cancel) {
    HashKey key;
    if (!hashKeyOf(path, &key))
        return {};
    {
        std::lock_guard<std::mutex> lock(gHashMutex);
        if (const auto it = gHashes.find(key); it != gHashes.end())
            return it->second;
    }
    const std::string hash = sha256File(path, cancel);
    HashKey after;
    if (hash.empty() || !hashKeyOf(path, &after) || after.size != key.size ||
        after.mtime != key.mtime)
        return hash; // changed while it was read: do not remember it
    std::lock_guard<std::mutex> lock(gHashMutex);
    gHashes[key] = hash;
    return hash;
}

Result<ModelInfo> Model::inspect(const std::string& path, bool hashContent) {
    auto f = SafeTensorsFile::open(path);
    if (!f)
        return f.status();
    auto arch = Architecture::fromMetadata(f->metadata());
    if (!arch)
        return arch.status().withContext(path);
    if (Status s = checkSizeAgainstFile(*f, *arch); !s)
        return s.withContext(path);
    ModelInfo info = describePackage(*f);
    info.contentHash = hashContent ? contentHash(path) : cachedContentHash(path);
    return info;
}

Result<ModelInfo> Model::inspectMemory(const void* data, std::size_t size,
                                       const std::string& name) {
    auto f = SafeTensorsFile::openMemory(data, size, "embedded:" + name);
    if (!f)
        return f.status();
    auto arch = Architecture::fromMetadata(f->metadata());
    if (!arch)
        return arch.status().withContext("embedded:" + name);
    if (Status s = checkSizeAgainstFile(*f, *arch); !s)
        return s.withContext("embedded:" + name);
    ModelInfo info = describePackage(*f);
    Sha256 h;
    h.update(data, size);
    info.contentHash = h.hexDigest();
    info.fileBytes = size;
    return info;
}

Result<std::shared_ptr<const Model>> Model::load(const std::string& path,
                                                 const LoadOptions& options) {
    auto f = SafeTensorsFile::open(path);
    if (!f)
        return f.status();
    auto impl = buildModel(*f, options);
    if (!impl)
        return impl.status();
    (*impl)->info.contentHash = contentHash(path);
    return std::shared_ptr<const Model>(std::make_shared<Model>(*impl));
}

Result<std::shared_ptr<const Model>> Model::loadFromMemory(const void* data, std::size_t size,
                                                           const std::string& name,
                                                           const LoadOptions& options) {
    auto f = SafeTensorsFile::openMemory(data, size, "embedded:" + name);
    if (!f)
        return f.status();
    auto impl = buildModel(*f, options);
    if (!impl)
        return impl.status();
    Sha256 h;
    h.update(data, size);
    (*impl)->info.contentHash = h.hexDigest();
    (*impl)->info.fileBytes = size;
    return std::shared_ptr<const Model>(std::make_shared<Model>(*impl));
}

} // namespace shiftsr
