// Preset micro-benchmarks with random weights.
#include "shiftsr/engine/bench.h"
#include "shiftsr/nn/json_util.h"

#include "shiftsr/nn/codec.h"
#include "shiftsr/nn/device.h"
#include "shiftsr/nn/layers.h"
#include "shiftsr/nn/unet_swin.h"

#include "shiftsr/engine/image_io.h"
#include "shiftsr/engine/pipeline.h"

#include "bench_util.h"

#include <opencv2/imgproc.hpp>

namespace shiftsr {

using benchutil::bestOf;

static long long params(const torch::nn::Module& m) {
    long long n = 0;
    for (const auto& p : m.parameters())
        n += p.numel();
    return n;
}

// A ResShift-family preset at its real size: the network, the scale and the steps a run takes.
struct ResShiftBench {
    nn::UNetSwinConfig unet; // official v3 width unless changed
    nn::VQConfig vq;         // autoencoder_vq_f4
    int scale = 4;
    int steps = 4;
};

// v3 and v1 (and SinSR, v2, bicsr) share one network; RSD's student adds a noise input channel;
// the x2 model takes an LQ twice the latent side through a feature extractor.
static bool resshiftBenchPreset(const std::string& name, ResShiftBench* b) {
    if (name == "tiny") {
        auto& uc = b->unet;
        uc.imageSize = 32;
        uc.lqSize = 32;
        uc.modelChannels = 32;
        uc.channelMult = {1, 2};
        uc.numResBlocks = {1, 1};
        uc.attentionResolutions = {32, 16};
        uc.swinEmbedDim = 32;
        uc.numHeadChannels = 16;
        b->vq.ch = 32;
        b->vq.chMult = {2, 1, 1};
        b->vq.numResBlocks = {1, 1, 1};
        b->vq.nEmbed = 32;
        b->vq.resolution = 64;
    } else if (name == "v1") {
        b->steps = 15;
    } else if (name == "rsd") {
        b->unet.extraInputChannels = 1;
        b->steps = 1;
    } else if (name == "x2") {
        b->unet.lqSize = 2 * b->unet.imageSize;
        b->scale = 2;
    } else if (name != "v3") {
        return false;
    }
    return true;
}

Result<std::string> benchPreset(const PresetBenchOptions& o) {
    if (o.lq < 8 || o.lq > 4096)
        return Status::error(StatusCode::InvalidArgument, "--lq must be between 8 and 4096");
    ResShiftBench preset;
    if (!resshiftBenchPreset(o.preset, &preset))
        return Status::error(StatusCode::InvalidArgument,
                             "unknown preset '" + o.preset + "' (v3, v1, rsd, x2, tiny)");
    const nn::UNetSwinConfig& uc = preset.unet;
    const nn::VQConfig& vc = preset.vq;
    const int sf = preset.scale;
    // What the pipeline pads a tile to: the Swin windows then tile every level of the UNet.
    if (o.lq % uc.lqSize)
        return Status::error(StatusCode::InvalidArgument,
                             "--lq must be a multiple of " + std::to_string(uc.lqSize) +
                                 " for preset " + o.preset + " (its model's LQ padding)");
    auto selected = benchutil::presetDevice(o.device);
    if (!selected)
        return selected.status();
    const torch::Device dev = *selected;
    const int threads = device::setThreads(o.threads);
    nlohmann::json out;
    try {
        torch::manual_seed(0);
        nn::UNetModelSwin unet(uc);
        VQCodec codec(vc);
        device::InferenceGuard guard;
        unet->eval();
        codec.module()->eval();
        nn::prepareUnetForInference(*unet, dev); // the layout the pipeline runs
        unet->to(dev);
        codec.module()->to(dev);
        if (o.precision == "bf16") {
            nn::setComputeDtype(*unet, torch::kBFloat16);
            nn::setComputeDtype(*codec.module(), torch::kBFloat16);
        } else if (o.precision != "fp32") {
            return Status::error(StatusCode::InvalidArgument, "bench presets run at fp32 or bf16");
        }
        const int f = vc.downFactor();
        const int64_t lat = int64_t(o.lq) * sf / f; // the latent of the bicubic-upsampled LQ
        auto opts = torch::TensorOptions().device(dev);
        auto x = torch::randn({1, uc.inChannels + uc.extraInputChannels, lat, lat}, opts);
        auto lq = torch::randn({1, 3, o.lq, o.lq}, opts);
        auto t = torch::full({1}, 2, opts.dtype(torch::kLong));
        auto img = torch::randn({1, 3, lat * f, lat * f}, opts);
        auto z = torch::randn({1, vc.embedDim, lat, lat}, opts);
        const double step = bestOf(o.repeats, dev, [&] { unet->forward(x, t, lq); });
        const double encode = bestOf(o.repeats, dev, [&] { codec.encode(img); });
        const double decode = bestOf(o.repeats, dev, [&] { codec.decode(z); });
        out["unet_step_s"] = step;
        out["encode_s"] = encode;
        out["decode_s"] = decode;
        // One tile of this side as the preset's model runs it (tiling and colour fix aside).
        out["tile_total_s"] = encode + preset.steps * step + decode;
        out["unet_params_M"] = params(*unet) / 1e6;
        out["ae_params_M"] = params(*codec.module()) / 1e6;
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, e.what_without_backtrace());
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory, "out of memory during the benchmark");
    }
    out["preset"] = o.preset;
    out["lq"] = o.lq;
    out["scale"] = sf;
    out["steps"] = preset.steps;
    out["latent"] = {o.lq * sf / vc.downFactor(), o.lq * sf / vc.downFactor()};
    out["hr"] = {o.lq * sf, o.lq * sf};
    out["threads"] = threads;
    out["device"] = device::describe(dev);
    out["precision"] = o.precision;
    out["torch"] = TORCH_VERSION;
    out["peak_rss_mb"] = double(device::peakRssBytes()) / (1024.0 * 1024.0);
    return out.dump();
}

namespace {

nlohmann::json stageJson(const UpscaleReport& r) {
    const auto& t = r.times;
    double unet = 0;
    for (double s : t.unetSteps)
        unet += s;
    return {{"steps", r.steps},     {"total_s", t.total},
            {"encode_s", t.encode}, {"unet_steps_s", t.unetSteps},
            {"unet_total_s", unet}, {"decode_s", t.decode},
            {"blend_s", t.blend},   {"color_fix_s", t.colorFix},
            {"tile", r.tile},       {"overlap", r.overlap},
            {"tiles", r.tiles}};
}

// Best-of-`repeats` pipeline run (after a warm-up) of `image` through `model`.
Result<UpscaleReport> timedRun(const std::shared_ptr<const Model>& model, const cv::Mat& image,
                               int steps, const ModelBenchOptions& o) {
    UpscaleRequest req;
    req.image = image;
    req.steps = steps;
    req.seed = o.seed;
    req.threads = o.threads;
    req.tiles.tile = o.tile;
    Pipeline pipeline(model);
    auto warm = pipeline.run(req);
    if (!warm)
        return warm.status();
    Result<UpscaleReport> best = warm;
    for (int i = 0; i < std::max(1, o.repeats); ++i) {
        auto r = pipeline.run(req);
        if (!r)
            return r.status();
        if (i == 0 || r->times.total < best->times.total)
            best = std::move(r);
    }
    return best;
}

} // namespace

Result<std::string> benchModel(const ModelBenchOptions& o) {
    if (!o.load)
        return Status::error(StatusCode::InvalidArgument, "no model loader");
    auto decoded = ImageIO::read(o.input);
    if (!decoded)
        return decoded.status().withContext("reading " + o.input);
    cv::Mat image = decoded->color;
    if (o.crop > 0 && (image.cols > o.crop || image.rows > o.crop)) {
        const int w = std::min(o.crop, image.cols), h = std::min(o.crop, image.rows);
        image = image(cv::Rect((image.cols - w) / 2, (image.rows - h) / 2, w, h)).clone();
    }
    auto fp32 = o.load("fp32");
    if (!fp32)
        return fp32.status();
    const int T = (*fp32)->info().trainedSteps;
    nlohmann::json out;
    auto multi = timedRun(*fp32, image, T, o);
    if (!multi)
        return multi.status();
    auto one = timedRun(*fp32, image, 1, o);
    if (!one)
        return one.status();
    out["model"] = (*fp32)->info().name;
    out["model_sha256"] = (*fp32)->info().contentHash;
    // decode_s times the whole codec: for unshuffle-f4-refine, the pixel shuffle and the learned
    // head.
    const ModelInfo& info = (*fp32)->info();
    out["codec"] = info.codec;
    out["codec_parameters"] = info.codecParameters;
    if (auto it = info.metadata.find("codec_config"); it != info.metadata.end()) {
        auto config = parseJsonOrDiscarded(it->second);
        if (!config.is_discarded())
            out["codec_config"] = config;
    }
    out["input"] = o.input;
    out["lq"] = {image.cols, image.rows};
    out["hr"] = {multi->width, multi->height};
    out["multi_step"] = stageJson(*multi);
    out["one_step"] = stageJson(*one);
    out["one_step_speedup"] = multi->times.total / std::max(1e-9, one->times.total);
    out["device"] = multi->device;
    out["threads"] = multi->threads;
    out["repeats"] = std::max(1, o.repeats);
    if (o.bf16) {
        nlohmann::json b;
        b["cpu_native_bf16"] = device::cpuHasNativeBf16();
        auto bf = o.load("bf16");
        if (!bf) {
            b["error"] = bf.status().message();
        } else {
            auto r = timedRun(*bf, image, T, o);
            if (!r)
                return r.status();
            cv::Mat a, c, d;
            multi->image.convertTo(a, CV_32F,
                                   multi->image.depth() == CV_16U ? 255.0 / 65535.0 : 1.0);
            r->image.convertTo(c, CV_32F, r->image.depth() == CV_16U ? 255.0 / 65535.0 : 1.0);
            cv::absdiff(a, c, d);
            double maxDiff = 0;
            cv::minMaxLoc(d.reshape(1), nullptr, &maxDiff);
            const cv::Scalar mean = cv::mean(d);
            double meanDiff = 0;
            for (int ch = 0; ch < d.channels(); ++ch)
                meanDiff += mean[ch] / d.channels();
            b["multi_step"] = stageJson(*r);
            b["fp32_over_bf16_speed"] = multi->times.total / std::max(1e-9, r->times.total);
            b["unet_fp32_over_bf16_speed"] =
                out["multi_step"]["unet_total_s"].get<double>() /
                std::max(1e-9, b["multi_step"]["unet_total_s"].get<double>());
            b["max_abs_diff_8bit"] = maxDiff;
            b["mean_abs_diff_8bit"] = meanDiff;
        }
        out["bf16"] = b;
    }
    out["torch"] = TORCH_VERSION;
    out["peak_rss_mb"] = double(device::peakRssBytes()) / (1024.0 * 1024.0);
    return out.dump();
}

Result<std::string> benchMemoryProbe(const MemoryProbeOptions& o) {
    if (!o.model)
        return Status::error(StatusCode::InvalidArgument, "no model");
    auto decoded = ImageIO::read(o.input);
    if (!decoded)
        return decoded.status().withContext("reading " + o.input);
    // Cover the lq x lq square: scale the short side to lq, centre-crop the long one.
    const cv::Mat& src = decoded->color;
    const double s = double(o.lq) / std::min(src.cols, src.rows);
    cv::Mat scaled;
    cv::resize(src, scaled,
               cv::Size(std::max(o.lq, int(std::lround(src.cols * s))),
                        std::max(o.lq, int(std::lround(src.rows * s)))),
               0, 0, s < 1 ? cv::INTER_AREA : cv::INTER_CUBIC);
    cv::Mat image =
        scaled(cv::Rect((scaled.cols - o.lq) / 2, (scaled.rows - o.lq) / 2, o.lq, o.lq)).clone();
    const auto rssBefore = device::peakRssBytes();
    UpscaleRequest req;
    req.image = image;
    req.steps = o.steps;
    req.threads = o.threads;
    req.tiles.tile = o.tile;
    auto r = Pipeline(o.model).run(req);
    if (!r)
        return r.status();
    nlohmann::json out = {{"lq", o.lq},
                          {"output", {r->width, r->height}},
                          {"tile", r->tile},
                          {"tiles", r->tiles},
                          {"steps", r->steps},
                          {"total_s", r->times.total},
                          {"peak_rss_before_run_mb", double(rssBefore) / 1048576.0},
                          {"peak_rss_mb", double(device::peakRssBytes()) / 1048576.0}};
    return out.dump();
}

} // namespace shiftsr
