// shiftsr-cli: upscale images, inspect and convert models, and benchmark, from a terminal.
#include "args.h"
#include "common.h"
#include "shiftsr/engine/batch_plan.h"

#include "shiftsr/engine/bench.h"
#include "shiftsr/engine/convert.h"
#include "shiftsr/engine/image_io.h"
#include "shiftsr/engine/model.h"
#include "shiftsr/engine/pipeline.h"
#include "shiftsr/engine/reference.h"
#include "shiftsr/resources/embedded.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <iostream>

namespace {

using cli::loadModel;

// Exit codes (documented in README.md and --help).
enum Exit { kOk = 0, kFailed = 1, kUsage = 2, kCancelled = 130 };

std::atomic<bool> gCancel{false};
extern "C" void onSignal(int) { gCancel.store(true); }

const char* kUsageText = R"(shiftsr-cli — diffusion super-resolution (ResShift and one-step students)

Usage:
  shiftsr-cli upscale IN... -o OUT [options]     IN: image files and/or folders
  shiftsr-cli info MODEL [--json]
  shiftsr-cli models
  shiftsr-cli convert --unet UNET.pth --autoencoder AE.pth -o OUT.safetensors [--config CFG.json] [--name NAME]
  shiftsr-cli bench --input IMAGE [--model M] [--crop N] [--repeats N] [--tile N] [--no-bf16] [--no-memory] [--json]
  shiftsr-cli bench --input IMAGE --reference X4FAST.param [--model M] [--repeats N] [--threads N] [--json]
                  `upscale` with its defaults against Real-ESRGAN's compact network in fp32, each
                  in a fresh process: wall time, peak RSS, per-stage times and their ratios
  shiftsr-cli eval --data FOLDER [--model M] [MODEL...] [--crop 256] [--degradation bicubic|realesrgan] [--one-step]
                  [--external NAME='CMD {in} {out}']... [--save DIR] [--report DIR] [--json]
                  MODEL may be LABEL=MODEL; --report writes report.md, report.json, contact-sheet.png
  shiftsr-cli bench --preset v3|tiny [--lq 64] [--repeats 5] [--precision fp32|bf16] [--json]
  shiftsr-cli reference --ncnn MODEL.param IN OUT [--threads N]
                  Real-ESRGAN's compact network (e.g. Upscayl's realesrgan-x4fast) from its ncnn files,
                  in fp32 on the CPU: an evaluation reference for eval --external

upscale options:
  -o OUT               output file (one input file) or folder (created; several inputs or folders)
  -r, --recursive      descend into subfolders of folder inputs (mirrored under OUT)
  --name PATTERN       output file name in a folder; tokens {name} {ext} {scale} {steps} {model} {seed}
                       (default {name}-x{scale}.{ext})
  --format F           keep (the input's, default) | png | jpg | tif | webp | bmp
  --quality Q          JPEG/WebP quality 1-100 (default 95); 101 = lossless WebP
  --skip-existing      leave outputs that already exist alone
  --model M            .safetensors package or embedded:ID (default: the embedded default, see `models`)
  --steps N            0 = the model's own; 1 = one network call from x_T; T = the full chain
  --seed S             noise seed (default 12345); tiles derive theirs from it
  --tile N --overlap N LQ tile side and overlap in pixels (default: the fewest pixels that fit
                       --max-memory, overlap >= 16; with --tile, overlap 1/4 of it)
  --max-memory MB      peak memory a CPU run aims to stay under; the automatic tiles are chosen
                       for it (default 2048; 0 = the free memory)
  --color-fix F        luma (default: detail in brightness, colour from the input) | wavelet (also
                       the model's colour, low frequencies from the input) | adain | none
  --device D           auto (default) | cpu | cuda;  --cpu-fallback: retry a CUDA failure on the CPU
  --precision P        auto (default: bf16 where the hardware has it, else fp32) | fp32 | bf16 |
                       fp16 (CUDA)
  --threads N          CPU threads (default: all cores)
  --max-pixels N       refuse larger inputs (default 200000000)
  --no-metadata        do not copy EXIF/IPTC/XMP/ICC (provenance XMP is always written)
  --json               print a machine-readable report on stdout;  -q, --quiet: no progress

Outputs are written to a temporary file and renamed: an interrupted run never leaves a partial file.
Exit codes: 0 success, 1 failure (message on stderr; in a batch: some file failed), 2 usage error,
130 cancelled (Ctrl-C; finished files are kept).
)";

int usage(const std::string& error) {
    std::cerr << "shiftsr-cli: " << error << "\n\n" << kUsageText;
    return kUsage;
}

int fail(const shiftsr::Status& s) {
    std::cerr << "shiftsr-cli: " << s.message() << "\n";
    return s.code() == shiftsr::StatusCode::Cancelled ? kCancelled : kFailed;
}

std::string humanBytes(unsigned long long b) { return shiftsr::formatBytes(b); }

struct FileOutcome {
    std::string input, output, status, error; // status: ok | skipped | failed | cancelled
    shiftsr::UpscaleReport report;
    int inWidth = 0, inHeight = 0;
};

nlohmann::json outcomeJson(const FileOutcome& f, const shiftsr::UpscaleRequest& req) {
    nlohmann::json j = {{"input", f.input}, {"output", f.output}, {"status", f.status}};
    if (!f.error.empty())
        j["error"] = f.error;
    if (f.status != "ok")
        return j;
    const auto& r = f.report;
    const auto& t = r.times;
    j.update({{"input_width", f.inWidth}, {"input_height", f.inHeight}, {"width", r.width}, {"height", r.height},
              {"steps", r.steps}, {"seed", req.seed}, {"tile", r.tile}, {"overlap", r.overlap}, {"tiles", r.tiles},
              {"color_fix", shiftsr::colorFixName(req.colorFix)}, {"device", r.device}, {"threads", r.threads},
              {"total_s", t.total}, {"read_s", t.read}, {"encode_s", t.encode}, {"unet_steps_s", t.unetSteps},
              {"decode_s", t.decode}, {"blend_s", t.blend}, {"color_fix_s", t.colorFix}, {"write_s", t.write},
              {"peak_rss_mb", r.peakRssBytes / 1048576.0}, {"warnings", r.warnings}});
    return j;
}

int cmdUpscale(int argc, char** argv) {
    cli::Args a(argc, argv, 2,
                {"output", "model", "steps", "seed", "threads", "device", "precision", "tile", "overlap",
                 "max-memory", "color-fix", "format", "quality", "name", "max-pixels"},
                {"json", "recursive", "r", "skip-existing", "no-metadata", "cpu-fallback", "quiet", "q"});
    const int steps = int(a.getInt("steps", 0, 0, 10000));
    const long long seed = a.getInt("seed", 12345, 0, (1ll << 62));
    const int threads = int(a.getInt("threads", 0, 0, 1024));
    const int tile = int(a.getInt("tile", 0, 0, 1 << 16));
    const int overlap = int(a.getInt("overlap", 0, 0, 1 << 15));
    const long long maxMemoryMb = a.getInt("max-memory", 2048, 0, 1ll << 24);
    const int quality = int(a.getInt("quality", 95, 1, 101));
    const long long maxPixels = a.getInt("max-pixels", 200'000'000, 1, 1ll << 40);
    if (!a.ok())
        return usage(a.error());
    if (a.positionals().empty() || a.get("output").empty())
        return usage("upscale needs at least one input (file or folder) and -o OUTPUT");
    shiftsr::ColorFix colorFix = shiftsr::ColorFix::Luma;
    if (a.has("color-fix") && !shiftsr::parseColorFix(a.get("color-fix"), &colorFix))
        return usage("--color-fix must be luma, wavelet, adain or none");
    const bool json = a.has("json"), quiet = a.has("quiet") || a.has("q");

    shiftsr::LoadOptions lo;
    lo.device = a.get("device", "auto");
    lo.precision = a.get("precision", "auto");
    auto model = loadModel(a.get("model"), lo);
    if (!model)
        return fail(model.status());
    const auto& info = (*model)->info();
    if (!json && !quiet && !(*model)->precisionNote().empty())
        std::cerr << "shiftsr-cli: note: " << (*model)->precisionNote() << "\n";

    shiftsr::UpscaleRequest base;
    base.steps = steps;
    base.seed = std::uint64_t(seed);
    base.threads = threads;
    base.tiles.tile = tile;
    base.tiles.overlap = overlap;
    base.tiles.memoryLimit = std::uint64_t(maxMemoryMb) << 20;
    base.colorFix = colorFix;
    base.keepMetadata = !a.has("no-metadata");
    base.write.jpegQuality = std::min(quality, 100);
    base.write.webpQuality = quality;
    base.read.maxPixels = std::uint64_t(maxPixels);

    shiftsr::BatchOptions bo;
    bo.recursive = a.has("recursive") || a.has("r");
    bo.pattern = a.get("name", bo.pattern);
    bo.format = a.get("format", "keep");
    bo.tokens = shiftsr::outputNameTokens(info.name, info.scale, steps ? steps : info.steps, std::uint64_t(seed));
    bool toFolder = false;
    auto plan = shiftsr::planBatch(a.positionals(), a.get("output"), bo, &toFolder);
    if (!plan)
        return fail(plan.status());
    if (toFolder) {
        std::error_code ec;
        std::filesystem::create_directories(a.get("output"), ec);
        if (ec)
            return fail(shiftsr::Status::error(shiftsr::StatusCode::IoError,
                                               "cannot create output folder " + a.get("output") + ": " + ec.message()));
    }

    // Pixel counts weight the ETA: a 24-megapixel photo takes longer than a thumbnail.
    std::vector<double> weight;
    double totalWeight = 0;
    for (const auto& item : *plan) {
        auto probe = shiftsr::ImageIO::probe(item.input);
        weight.push_back(probe ? std::max(1.0, double(probe->width) * probe->height) : 1.0);
        totalWeight += weight.back();
    }

    const bool tty = isatty(fileno(stderr));
    const auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    std::vector<FileOutcome> outcomes;
    std::shared_ptr<const shiftsr::Model> cpuModel; // loaded on a CUDA failure with --cpu-fallback
    double doneWeight = 0;
    int ok = 0, skipped = 0, failed = 0;
    bool cancelled = false;
    shiftsr::Status lastError;
    const size_t n = plan->size();
    for (size_t i = 0; i < n && !cancelled; ++i) {
        const auto& item = (*plan)[i];
        FileOutcome f{item.input, item.output, "ok", "", {}, 0, 0};
        std::error_code ec;
        if (a.has("skip-existing") && std::filesystem::exists(item.output, ec)) {
            f.status = "skipped";
            ++skipped;
            doneWeight += weight[i];
            if (!json && !quiet)
                std::cerr << "[" << i + 1 << "/" << n << "] " << item.output << " exists, skipped\n";
            outcomes.push_back(std::move(f));
            continue;
        }
        if (auto probe = shiftsr::ImageIO::probe(item.input)) {
            f.inWidth = probe->width;
            f.inHeight = probe->height;
        }
        if (toFolder) // mirrored subfolders of a recursive batch
            std::filesystem::create_directories(std::filesystem::path(item.output).parent_path(), ec);
        shiftsr::UpscaleRequest req = base;
        req.input = item.input;
        req.output = item.output;
        shiftsr::JobControl job;
        job.cancel = &gCancel;
        const std::string label = "[" + std::to_string(i + 1) + "/" + std::to_string(n) + "] " +
                                  std::filesystem::path(item.input).filename().string();
        if (!json && !quiet && tty)
            job.progress = [&, label](double fraction, const std::string& stage) {
                const double overall = (doneWeight + fraction * weight[i]) / totalWeight;
                const double t = elapsed();
                const std::string eta = overall > 0.01 ? shiftsr::formatDuration(t * (1 - overall) / overall) : "?";
                const int filled = int(std::clamp(overall, 0.0, 1.0) * 24);
                std::fprintf(stderr, "\r\033[K%s [%s%s] %3d%%  ETA %s  %s", label.c_str(),
                             std::string(size_t(filled), '#').c_str(), std::string(size_t(24 - filled), ' ').c_str(),
                             int(overall * 100), eta.c_str(), stage.c_str());
                std::fflush(stderr);
            };
        auto r = shiftsr::Pipeline(*model).run(req, job);
        if (!r && a.has("cpu-fallback") && (*model)->onCuda() &&
            r.status().code() != shiftsr::StatusCode::Cancelled && r.status().code() != shiftsr::StatusCode::InvalidArgument) {
            if (!cpuModel) {
                shiftsr::LoadOptions cpu = lo;
                cpu.device = "cpu";
                auto m = loadModel(a.get("model"), cpu);
                if (m)
                    cpuModel = *m;
            }
            if (cpuModel) {
                const std::string why = r.status().message();
                r = shiftsr::Pipeline(cpuModel).run(req, job);
                if (r)
                    r->warnings.push_back("CUDA failed (" + why + "); ran on the CPU");
            }
        }
        if (!json && !quiet && tty)
            std::fprintf(stderr, "\r\033[K");
        doneWeight += weight[i];
        if (r) {
            ++ok;
            f.report = std::move(*r);
            f.report.image.release(); // written already; keep the report small
            f.report.alpha.release();
            if (!json && !quiet) {
                std::cerr << label << " -> " << item.output << "  " << f.report.width << "x" << f.report.height
                          << ", " << f.report.steps << " step(s), " << f.report.tiles << " tile(s), "
                          << shiftsr::formatDuration(f.report.times.total) << "\n";
                for (const auto& w : f.report.warnings)
                    std::cerr << "    warning: " << w << "\n";
            }
        } else if (r.status().code() == shiftsr::StatusCode::Cancelled) {
            f.status = "cancelled";
            cancelled = true;
        } else {
            f.status = "failed";
            f.error = r.status().message();
            ++failed;
            lastError = r.status();
            if (!json && n > 1)
                std::cerr << label << ": " << f.error << "\n";
        }
        outcomes.push_back(std::move(f));
    }
    if (cancelled && !json)
        std::cerr << "shiftsr-cli: cancelled; " << ok << " file(s) finished, nothing half-written\n";

    unsigned long long peakRss = 0;
    for (const auto& f : outcomes)
        peakRss = std::max(peakRss, f.report.peakRssBytes);
    if (json) {
        nlohmann::json files = nlohmann::json::array();
        for (const auto& f : outcomes)
            files.push_back(outcomeJson(f, base));
        nlohmann::json j = {{"model", info.name}, {"model_source", info.source}, {"model_sha256", info.contentHash},
                            {"device", (*model)->deviceDescription()}, {"precision", (*model)->precision()},
                            {"files", files}, {"ok", ok}, {"skipped", skipped}, {"failed", failed},
                            {"cancelled", cancelled}, {"planned", n}, {"total_s", elapsed()},
                            {"peak_rss_mb", peakRss / 1048576.0}};
        std::cout << j.dump(2) << "\n";
    } else if (n > 1 && !quiet) {
        std::cerr << ok << " upscaled, " << skipped << " skipped, " << failed << " failed in "
                  << shiftsr::formatDuration(elapsed()) << "\n";
    }
    if (cancelled)
        return kCancelled;
    if (failed && n == 1)
        return json ? kFailed : fail(lastError);
    return failed ? kFailed : kOk;
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
    for (const auto& m : shiftsr::resources::listedEmbeddedModels())
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

// Runs `shiftsr-cli bench-memory-probe ...` in a fresh process (its peak RSS is its own) and
// returns the JSON it prints.
shiftsr::Result<nlohmann::json> runMemoryProbe(std::vector<std::string> args) {
    args.insert(args.begin(), "bench-memory-probe");
    auto run = cli::runSelf(args);
    if (!run)
        return run.status();
    const std::string& text = run->out;
    try {
        return nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        return shiftsr::Status::error(shiftsr::StatusCode::Internal, std::string("memory probe printed no JSON: ") + e.what());
    }
}

int cmdBenchMemoryProbe(int argc, char** argv) {
    cli::Args a(argc, argv, 2, {"model", "input", "lq", "tile", "steps", "threads", "device", "precision"}, {});
    shiftsr::MemoryProbeOptions o;
    o.lq = int(a.getInt("lq", 128, 8, 1 << 15));
    o.tile = int(a.getInt("tile", 128, 8, 1 << 15));
    o.steps = int(a.getInt("steps", 1, 1, 10000));
    o.threads = int(a.getInt("threads", 0, 0, 1024));
    if (!a.ok())
        return usage(a.error());
    o.input = a.get("input");
    auto model = loadModel(a.get("model"), {a.get("device", "cpu"), a.get("precision", "fp32")});
    if (!model)
        return fail(model.status());
    o.model = *model;
    auto r = shiftsr::benchMemoryProbe(o);
    if (!r)
        return fail(r.status());
    std::cout << *r << "\n";
    return kOk;
}

// Real-ESRGAN's compact network from its ncnn files in fp32 (an evaluation reference; see
// docs/evaluation.md): `eval --external NAME='shiftsr-cli reference --ncnn X.param {in} {out}'`.
int cmdReference(int argc, char** argv) {
    cli::Args a(argc, argv, 2, {"ncnn", "threads"}, {});
    const int threads = int(a.getInt("threads", 0, 0, 1024));
    if (!a.ok())
        return usage(a.error());
    if (!a.has("ncnn") || a.positionals().size() != 2)
        return usage("reference needs --ncnn MODEL.param IN OUT");
    const std::string inPath = a.positionals()[0], outPath = a.positionals()[1];
    auto net = shiftsr::CompactReference::loadNcnn(a.get("ncnn"));
    if (!net)
        return fail(net.status());
    auto in = shiftsr::ImageIO::read(inPath);
    if (!in)
        return fail(in.status());
    cv::Mat img = in->color;
    if (img.depth() != CV_8U) {
        cv::Mat e;
        img.convertTo(e, CV_8U, 1.0 / 257.0);
        img = e;
    }
    auto out = (*net)->upscale(img, threads);
    if (!out)
        return fail(out.status());
    if (auto w = shiftsr::ImageIO::write(outPath, *out, cv::Mat()); !w)
        return fail(w);
    return kOk;
}

int cmdBench(int argc, char** argv) {
    cli::Args a(argc, argv, 2,
                {"preset", "lq", "threads", "repeats", "device", "precision", "model", "input", "crop", "tile",
                 "memory-tile", "reference"},
                {"random-weights", "json", "no-bf16", "no-memory"});
    const int lq = int(a.getInt("lq", 64, 8, 4096));
    const int threads = int(a.getInt("threads", 0, 0, 1024));
    const int crop = int(a.getInt("crop", 0, 0, 1 << 15));
    const int tile = int(a.getInt("tile", 0, 0, 1 << 15));
    const int memoryTile = int(a.getInt("memory-tile", 128, 8, 1 << 15));
    if (!a.ok())
        return usage(a.error());
    const bool modelBench = a.has("model") || a.has("input");
    const int repeats = int(a.getInt("repeats", modelBench ? 1 : 5, 1, 1000));
    if (!a.ok())
        return usage(a.error());
    std::string json;
    if (a.has("reference")) {
        if (!a.has("input"))
            return usage("bench --reference needs --input IMAGE");
        return cli::benchAgainstReference(a.get("input"), a.get("model"), a.get("reference"), repeats, threads,
                                          a.has("json")) == 0
                   ? kOk
                   : kFailed;
    }
    if (!modelBench) {
        if (!a.has("preset"))
            return usage("bench needs --input IMAGE [--model M] or --preset v3|tiny");
        shiftsr::PresetBenchOptions o;
        o.lq = lq;
        o.threads = threads;
        o.repeats = repeats;
        o.preset = a.get("preset");
        o.device = a.get("device", "cpu");
        o.precision = a.get("precision", "fp32");
        auto r = shiftsr::benchPreset(o);
        if (!r)
            return fail(r.status());
        json = *r;
    } else {
        if (!a.has("input"))
            return usage("bench --model needs --input IMAGE");
        const std::string modelSpec = a.get("model"), device = a.get("device", "auto");
        shiftsr::ModelBenchOptions o;
        o.input = a.get("input");
        o.crop = crop;
        o.repeats = repeats;
        o.threads = threads;
        o.tile = tile;
        o.bf16 = !a.has("no-bf16");
        o.load = [&](const std::string& precision) { return loadModel(modelSpec, {device, precision}); };
        auto r = shiftsr::benchModel(o);
        if (!r)
            return fail(r.status());
        auto j = nlohmann::json::parse(*r);
        if (!a.has("no-memory")) {
            // 512x512 vs 2048x2048 output (LQ 128 and 512) with the same tile, each in a fresh process.
            nlohmann::json mem;
            for (int side : {128, 512}) {
                auto p = runMemoryProbe({"--model", modelSpec, "--input", o.input, "--lq", std::to_string(side),
                                         "--tile", std::to_string(memoryTile), "--threads", std::to_string(threads),
                                         "--device", device});
                if (!p)
                    return fail(p.status());
                mem[std::to_string(side * 4)] = *p;
            }
            mem["peak_ratio_2048_over_512"] =
                mem["2048"]["peak_rss_mb"].get<double>() / std::max(1e-9, mem["512"]["peak_rss_mb"].get<double>());
            j["memory"] = mem;
        }
        json = j.dump();
    }
    std::cout << (a.has("json") ? json : nlohmann::json::parse(json).dump(2)) << "\n";
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
    if (cmd == "eval")
        return cli::cmdEval(argc, argv);
    if (cmd == "reference")
        return cmdReference(argc, argv);
    if (cmd == "bench-memory-probe") // internal: one run of `bench`'s memory comparison
        return cmdBenchMemoryProbe(argc, argv);
    return usage("unknown command '" + cmd + "'");
}
