// shiftsr-cli: upscale images, inspect and convert models, and benchmark, from a terminal.
#include "args.h"

#include "shiftsr/engine/bench.h"
#include "shiftsr/engine/convert.h"
#include "shiftsr/engine/image_io.h"
#include "shiftsr/engine/model.h"
#include "shiftsr/engine/upscaler.h"
#include "shiftsr/resources/embedded.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

namespace {

// Exit codes (documented in README.md and --help).
enum Exit { kOk = 0, kFailed = 1, kUsage = 2, kCancelled = 130 };

std::atomic<bool> gCancel{false};
extern "C" void onSignal(int) { gCancel.store(true); }

const char* kUsageText = R"(shiftsr-cli — diffusion super-resolution (ResShift and one-step students)

Usage:
  shiftsr-cli upscale IN -o OUT [--model M] [--steps N] [--seed S] [--threads N] [--device D] [--json]
  shiftsr-cli info MODEL [--json]
  shiftsr-cli models
  shiftsr-cli convert --unet UNET.pth --autoencoder AE.pth -o OUT.safetensors [--config CFG.json] [--name NAME]
  shiftsr-cli bench --preset v3|tiny [--lq 64] [--random-weights] [--repeats 5] [--threads N] [--json]

MODEL is a .safetensors package or embedded:ID (see `models`); the default is the embedded default.
--steps 0 uses the model's own step count; 1 runs one network call from x_T.
Exit codes: 0 success, 1 failure (message on stderr), 2 usage error, 130 cancelled (Ctrl-C).
)";

int usage(const std::string& error) {
    std::cerr << "shiftsr-cli: " << error << "\n\n" << kUsageText;
    return kUsage;
}

int fail(const shiftsr::Status& s) {
    std::cerr << "shiftsr-cli: " << s.message() << "\n";
    return s.code() == shiftsr::StatusCode::Cancelled ? kCancelled : kFailed;
}

shiftsr::Result<std::shared_ptr<const shiftsr::Model>> loadModel(const std::string& spec,
                                                                 const shiftsr::LoadOptions& o) {
    std::string id = spec.empty() ? shiftsr::resources::defaultModelId() : spec;
    if (spec.empty() || id.rfind("embedded:", 0) == 0) {
        if (id.rfind("embedded:", 0) == 0)
            id = id.substr(9);
        const auto* m = shiftsr::resources::findEmbeddedModel(id);
        if (!m)
            return shiftsr::Status::error(shiftsr::StatusCode::NotFound,
                                          "no embedded model '" + id + "' (see `shiftsr-cli models`)");
        return shiftsr::Model::loadFromMemory(m->data, m->size, m->id, o);
    }
    return shiftsr::Model::load(id, o);
}

std::string humanBytes(unsigned long long b) { return shiftsr::formatBytes(b); }

int cmdUpscale(int argc, char** argv) {
    cli::Args a(argc, argv, 2, {"output", "model", "steps", "seed", "threads", "device"}, {"json"});
    const int steps = int(a.getInt("steps", 0, 0, 10000));
    const long long seed = a.getInt("seed", 12345, 0, (1ll << 62));
    const int threads = int(a.getInt("threads", 0, 0, 1024));
    if (!a.ok())
        return usage(a.error());
    if (a.positionals().size() != 1 || a.get("output").empty())
        return usage("upscale needs one input image and -o OUTPUT");
    const std::string in = a.positionals()[0], out = a.get("output");
    if (!shiftsr::ImageIO::isSupportedExtension(out))
        return fail(shiftsr::Status::error(shiftsr::StatusCode::InvalidArgument,
                                           "cannot write '" + out + "': use a .jpg, .png, .tif, .webp or .bmp name"));
    shiftsr::LoadOptions lo;
    lo.device = a.get("device", "auto");
    auto model = loadModel(a.get("model"), lo);
    if (!model)
        return fail(model.status());
    auto decoded = shiftsr::ImageIO::read(in);
    if (!decoded)
        return fail(decoded.status().withContext("cannot read image"));
    const cv::Mat& image = decoded->color;
    shiftsr::UpscaleOptions uo;
    uo.steps = steps;
    uo.seed = std::uint64_t(seed);
    uo.threads = threads;
    shiftsr::JobControl job;
    job.cancel = &gCancel;
    const bool json = a.has("json");
    if (!json)
        job.progress = [](double f, const std::string& stage) {
            std::fprintf(stderr, "\r[%-30s] %3d%% %-16s", std::string(size_t(f * 30), '#').c_str(), int(f * 100),
                         stage.c_str());
            std::fflush(stderr);
        };
    shiftsr::Upscaler up(*model);
    auto r = up.upscale(image, uo, job);
    if (!json)
        std::fprintf(stderr, "\n");
    if (!r)
        return fail(r.status());
    // ImageIO writes atomically (temporary file, then rename): no partial output on failure.
    if (auto st = shiftsr::ImageIO::write(out, r->image, cv::Mat()); !st)
        return fail(st);
    const auto& info = (*model)->info();
    if (json) {
        nlohmann::json j = {{"input", in}, {"output", out}, {"model", info.name}, {"model_source", info.source},
                            {"model_sha256", info.contentHash}, {"steps", r->steps}, {"seed", seed},
                            {"width", r->image.cols}, {"height", r->image.rows}, {"device", r->device},
                            {"threads", r->threads}, {"total_s", r->times.total}, {"encode_s", r->times.encode},
                            {"unet_steps_s", r->times.unetSteps}, {"decode_s", r->times.decode},
                            {"peak_rss_mb", r->peakRssBytes / 1048576.0}};
        std::cout << j.dump(2) << "\n";
    } else {
        std::cout << out << ": " << r->image.cols << "x" << r->image.rows << " from " << image.cols << "x"
                  << image.rows << " with " << info.name << ", " << r->steps << " step(s), " << r->device
                  << ", " << r->times.total << " s, peak memory " << humanBytes(r->peakRssBytes) << "\n";
    }
    return kOk;
}

int cmdInfo(int argc, char** argv) {
    cli::Args a(argc, argv, 2, {}, {"json"});
    if (!a.ok())
        return usage(a.error());
    if (a.positionals().size() != 1)
        return usage("info needs one model file or embedded:ID");
    auto model = loadModel(a.positionals()[0], {});
    if (!model)
        return fail(model.status());
    const auto& i = (*model)->info();
    nlohmann::json meta = nlohmann::json::object();
    for (const auto& [k, v] : i.metadata) {
        try {
            meta[k] = (v.size() && (v[0] == '{' || v[0] == '[')) ? nlohmann::json::parse(v) : nlohmann::json(v);
        } catch (...) {
            meta[k] = v;
        }
    }
    nlohmann::json j = {{"source", i.source}, {"name", i.name}, {"family", i.family}, {"codec", i.codec},
                        {"scale", i.scale}, {"steps", i.steps}, {"trained_steps", i.trainedSteps},
                        {"unet_parameters", i.unetParameters}, {"codec_parameters", i.codecParameters},
                        {"bytes", i.fileBytes}, {"sha256", i.contentHash}, {"metadata", meta}};
    if (a.has("json")) {
        std::cout << j.dump(2) << "\n";
        return kOk;
    }
    std::cout << "source:      " << i.source << "\n"
              << "name:        " << i.name << "\n"
              << "family:      " << i.family << " x" << i.scale << ", " << i.steps << " step(s) (schedule T="
              << i.trainedSteps << ")\n"
              << "codec:       " << i.codec << "\n"
              << "parameters:  unet " << i.unetParameters << ", codec " << i.codecParameters << "\n"
              << "size:        " << humanBytes(i.fileBytes) << "\n"
              << "sha256:      " << i.contentHash << "\n"
              << "metadata:\n";
    for (const auto& [k, v] : i.metadata)
        std::cout << "  " << k << ": " << v << "\n";
    return kOk;
}

int cmdModels() {
    for (const auto& m : shiftsr::resources::embeddedModels())
        std::cout << "embedded:" << m.id << (m.id == shiftsr::resources::defaultModelId() ? " (default)" : "")
                  << "  " << humanBytes(m.size) << "  " << m.description << "\n";
    return kOk;
}

int cmdConvert(int argc, char** argv) {
    cli::Args a(argc, argv, 2, {"unet", "autoencoder", "config", "output", "name"}, {});
    if (!a.ok())
        return usage(a.error());
    shiftsr::ConvertOptions o;
    o.unetCheckpoint = a.get("unet");
    o.autoencoderCheckpoint = a.get("autoencoder");
    o.configJson = a.get("config");
    o.output = a.get("output");
    o.name = a.get("name");
    if (o.unetCheckpoint.empty() || o.autoencoderCheckpoint.empty() || o.output.empty())
        return usage("convert needs --unet, --autoencoder and -o");
    shiftsr::JobControl job;
    job.cancel = &gCancel;
    auto r = shiftsr::convertOfficial(o, job);
    if (!r)
        return fail(r.status());
    std::cout << o.output << ": UNet " << r->unetParameters << " parameters, codec " << r->codecParameters
              << " parameters" << (r->strippedModulePrefix ? " ('module.' prefix removed)" : "")
              << (r->unwrappedFrom.empty() ? "" : " (weights found under '" + r->unwrappedFrom + "')") << "\n";
    return kOk;
}

int cmdBench(int argc, char** argv) {
    cli::Args a(argc, argv, 2, {"preset", "lq", "threads", "repeats", "device", "precision"},
                {"random-weights", "json"});
    shiftsr::PresetBenchOptions o;
    o.lq = int(a.getInt("lq", 64, 8, 4096));
    o.threads = int(a.getInt("threads", 0, 0, 1024));
    o.repeats = int(a.getInt("repeats", 5, 1, 1000));
    if (!a.ok())
        return usage(a.error());
    if (!a.has("preset"))
        return usage("bench needs --preset v3|tiny (benchmarks on images arrive with the pipeline)");
    o.preset = a.get("preset");
    o.device = a.get("device", "cpu");
    o.precision = a.get("precision", "fp32");
    auto r = shiftsr::benchPreset(o);
    if (!r)
        return fail(r.status());
    std::cout << (a.has("json") ? *r : nlohmann::json::parse(*r).dump(2)) << "\n";
    return kOk;
}

} // namespace

int main(int argc, char** argv) {
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    if (argc < 2)
        return usage("no command given");
    const std::string cmd = argv[1];
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        std::cout << kUsageText;
        return kOk;
    }
    if (cmd == "--version") {
        std::cout << "shiftsr-cli " << SHIFTSR_VERSION << "\n";
        return kOk;
    }
    if (cmd == "upscale")
        return cmdUpscale(argc, argv);
    if (cmd == "info")
        return cmdInfo(argc, argv);
    if (cmd == "models")
        return cmdModels();
    if (cmd == "convert")
        return cmdConvert(argc, argv);
    if (cmd == "bench")
        return cmdBench(argc, argv);
    return usage("unknown command '" + cmd + "'");
}
