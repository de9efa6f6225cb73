// GAN preset micro-benchmarks with random weights of the published networks' sizes (bench.h).
#include "shiftsr/engine/bench.h"

#include "shiftsr/nn/device.h"
#include "shiftsr/nn/gan_nets.h"
#include "shiftsr/nn/layers.h"

#include "bench_util.h"

#include <nlohmann/json.hpp>

namespace shiftsr {

namespace {

struct GanPreset {
    std::string family;  // realesrgan (RRDBNet) | srvgg
    nn::RRDBConfig rrdb; // its defaults are Real-ESRGAN x4plus
    nn::SRVGGConfig srvgg;
};

bool ganPreset(const std::string& name, GanPreset* p) {
    if (name == "realesrgan-x4plus") {
        p->family = "realesrgan";
        return true;
    }
    p->family = "srvgg";
    p->srvgg.numFeat = 64;
    p->srvgg.actType = "prelu";
    if (name == "realesr-general-x4v3" || name == "realesrgan-x4fast") {
        p->srvgg.numConv = 32;
        return true;
    }
    if (name == "realesr-animevideov3") {
        p->srvgg.numConv = 16;
        return true;
    }
    return false;
}

} // namespace

bool isGanBenchPreset(const std::string& preset) {
    GanPreset p;
    return ganPreset(preset, &p);
}

Result<std::string> benchGanPreset(const PresetBenchOptions& o) {
    GanPreset preset;
    if (!ganPreset(o.preset, &preset))
        return Status::error(StatusCode::InvalidArgument,
                             "unknown GAN preset '" + o.preset +
                                 "' (realesrgan-x4plus, realesr-general-x4v3, realesrgan-x4fast, "
                                 "realesr-animevideov3)");
    if (o.lq < 8 || o.lq > 4096)
        return Status::error(StatusCode::InvalidArgument, "--lq must be between 8 and 4096");
    auto selected = benchutil::presetDevice(o.device);
    if (!selected)
        return selected.status();
    const torch::Device dev = *selected;
    device::Precision requested;
    if (!device::parsePrecision(o.precision, &requested))
        return Status::error(StatusCode::InvalidArgument,
                             "unknown precision '" + o.precision + "' (fp32, bf16, fp16, auto)");
    std::string error;
    const auto precision = device::resolvePrecision(requested, dev, &error);
    if (!error.empty())
        return Status::error(StatusCode::Unsupported, error);
    const int threads = device::setThreads(o.threads);
    const bool srvgg = preset.family == "srvgg";
    nlohmann::json out;
    try {
        torch::manual_seed(0);
        std::shared_ptr<nn::SinglePassNetImpl> net;
        if (srvgg)
            net = std::make_shared<nn::SRVGGNetImpl>(preset.srvgg);
        else
            net = std::make_shared<nn::RRDBNetImpl>(preset.rrdb);
        device::InferenceGuard guard;
        net->eval();
        net->to(dev);
        if (precision != device::Precision::Fp32)
            nn::setComputeDtype(*net, device::computeDtype(precision));
        auto x = torch::rand({1, 3, o.lq, o.lq}, torch::TensorOptions().device(dev));
        out["forward_s"] = benchutil::bestOf(o.repeats, dev, [&] { net->forward(x); });
        out["tile_s"] = benchutil::bestOf(o.repeats, dev, [&] { nn::upscaleTile(*net, x, 10); });
        long long n = 0;
        for (const auto& p : net->parameters())
            n += p.numel();
        out["params_M"] = double(n) / 1e6;
        out["net"] = srvgg ? preset.srvgg.toJson() : preset.rrdb.toJson();
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, e.what_without_backtrace());
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory, "out of memory during the benchmark");
    }
    const int sf = srvgg ? preset.srvgg.upscale : preset.rrdb.scale;
    out["preset"] = o.preset;
    out["family"] = preset.family;
    out["scale"] = sf;
    out["steps"] = 1;
    out["lq"] = o.lq;
    out["hr"] = {o.lq * sf, o.lq * sf};
    out["pre_pad"] = 10;
    out["threads"] = threads;
    out["device"] = device::describe(dev);
    out["precision"] = device::precisionName(precision);
    out["torch"] = TORCH_VERSION;
    out["peak_rss_mb"] = double(device::peakRssBytes()) / (1024.0 * 1024.0);
    return out.dump();
}

} // namespace shiftsr
