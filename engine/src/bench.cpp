// Preset micro-benchmarks with random weights.
#include "shiftsr/engine/bench.h"

#include "codec.h"
#include "device.h"
#include "nn/unet_swin.h"

#include <chrono>

namespace shiftsr {

template <class F> static double bestOf(int repeats, const torch::Device& device, F&& f) {
    f(); // warm-up: allocator, oneDNN primitive caches, swin bias caches
    double best = 1e30;
    for (int i = 0; i < std::max(1, repeats); ++i) {
        device::synchronize(device);
        auto t0 = std::chrono::steady_clock::now();
        f();
        device::synchronize(device);
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

static long long params(const torch::nn::Module& m) {
    long long n = 0;
    for (const auto& p : m.parameters())
        n += p.numel();
    return n;
}

Result<std::string> benchPreset(const PresetBenchOptions& o) {
    if (o.lq < 8 || o.lq > 4096)
        return Status::error(StatusCode::InvalidArgument, "--lq must be between 8 and 4096");
    nn::UNetSwinConfig uc;
    nn::VQConfig vc;
    if (o.preset == "tiny") {
        uc.imageSize = 32; uc.lqSize = 32; uc.modelChannels = 32; uc.channelMult = {1, 2};
        uc.numResBlocks = {1, 1}; uc.attentionResolutions = {32, 16}; uc.swinEmbedDim = 32;
        uc.numHeadChannels = 16;
        vc.ch = 32; vc.chMult = {2, 1, 1}; vc.numResBlocks = {1, 1, 1}; vc.nEmbed = 32; vc.resolution = 64;
    } else if (o.preset != "v3") {
        return Status::error(StatusCode::InvalidArgument, "unknown preset '" + o.preset + "' (v3, tiny)");
    }
    device::Preference pref;
    if (!device::parsePreference(o.device, &pref))
        return Status::error(StatusCode::InvalidArgument, "unknown device '" + o.device + "'");
    std::string why;
    const auto dev = device::select(pref, &why);
    if (pref == device::Preference::Cuda && !dev.is_cuda())
        return Status::error(StatusCode::Unsupported, why);
    const int threads = device::setThreads(o.threads);
    nlohmann::json out;
    try {
        torch::manual_seed(0);
        nn::UNetModelSwin unet(uc);
        VQCodec codec(vc);
        device::InferenceGuard guard;
        unet->eval();
        codec.module()->eval();
        nn::prepareUnetForInference(*unet, dev); // the layout the Upscaler runs
        unet->to(dev);
        codec.module()->to(dev);
        const int f = vc.downFactor();
        const int64_t lat = o.lq; // latent side equals the LQ side for an f4 codec at x4
        auto opts = torch::TensorOptions().device(dev);
        auto x = torch::randn({1, uc.inChannels, lat, lat}, opts);
        auto lq = torch::randn({1, 3, lat, lat}, opts);
        auto t = torch::full({1}, 2, opts.dtype(torch::kLong));
        auto img = torch::randn({1, 3, lat * f, lat * f}, opts);
        auto z = torch::randn({1, vc.embedDim, lat, lat}, opts);
        out["unet_step_s"] = bestOf(o.repeats, dev, [&] { unet->forward(x, t, lq); });
        out["encode_s"] = bestOf(o.repeats, dev, [&] { codec.encode(img); });
        out["decode_s"] = bestOf(o.repeats, dev, [&] { codec.decode(z); });
        out["unet_params_M"] = params(*unet) / 1e6;
        out["ae_params_M"] = params(*codec.module()) / 1e6;
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, e.what_without_backtrace());
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory, "out of memory during the benchmark");
    }
    out["preset"] = o.preset;
    out["lq"] = o.lq;
    out["latent"] = {o.lq, o.lq};
    out["hr"] = {o.lq * 4, o.lq * 4};
    out["threads"] = threads;
    out["device"] = device::describe(dev);
    out["precision"] = o.precision;
    out["torch"] = TORCH_VERSION;
    out["peak_rss_mb"] = double(device::peakRssBytes()) / (1024.0 * 1024.0);
    return out.dump();
}

} // namespace shiftsr
