// shiftsr-cli upscale: files and folders through one model, with the engine's batch runner (the
// one the app's batch queue uses): flags -> UpscaleSettings -> plan -> BatchRunner.
#include "args.h"
#include "common.h"

#include "shiftsr/engine/batch_plan.h"
#include "shiftsr/engine/batch_runner.h"
#include "shiftsr/engine/upscale_settings.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace cli {

namespace {

const char* stateName(shiftsr::BatchFileResult::State state) {
    switch (state) {
    case shiftsr::BatchFileResult::State::Done:
        return "ok";
    case shiftsr::BatchFileResult::State::Skipped:
        return "skipped";
    case shiftsr::BatchFileResult::State::Failed:
        return "failed";
    case shiftsr::BatchFileResult::State::Cancelled:
        return "cancelled";
    }
    return "failed";
}

nlohmann::json outcomeJson(const shiftsr::BatchItem& item, const shiftsr::BatchFileResult& f,
                           const shiftsr::UpscaleSettings& settings) {
    nlohmann::json j = {
        {"input", item.input}, {"output", item.output}, {"status", stateName(f.state)}};
    if (!f.error.empty())
        j["error"] = f.error;
    if (f.state != shiftsr::BatchFileResult::State::Done)
        return j;
    const auto& r = f.report;
    const auto& t = r.times;
    j.update({{"input_width", f.inWidth},
              {"input_height", f.inHeight},
              {"width", r.width},
              {"height", r.height},
              {"steps", r.steps},
              {"seed", settings.seed},
              {"tile", r.tile},
              {"overlap", r.overlap},
              {"tiles", r.tiles},
              {"color_fix", shiftsr::colorFixName(r.colorFix)},
              {"device", r.device},
              {"threads", r.threads},
              {"total_s", t.total},
              {"read_s", t.read},
              {"encode_s", t.encode},
              {"unet_steps_s", t.unetSteps},
              {"decode_s", t.decode},
              {"blend_s", t.blend},
              {"color_fix_s", t.colorFix},
              {"write_s", t.write},
              {"peak_rss_mb", r.peakRssBytes / 1048576.0},
              {"run_peak_mb", r.runPeakBytes() / 1048576.0},
              {"warnings", r.warnings}});
    return j;
}

// The upscale flags as settings; a usage error names the flag.
bool parseSettings(Args& a, shiftsr::UpscaleSettings* s, std::string* error) {
    using S = shiftsr::UpscaleSettings;
    s->steps = int(a.getInt("steps", s->steps, 0, S::kMaxSteps));
    s->seed = std::uint64_t(a.getInt("seed", 12345, 0, (1ll << 62)));
    s->threads = int(a.getInt("threads", s->threads, 0, S::kMaxThreads));
    s->tile = int(a.getInt("tile", s->tile, 0, S::kMaxTile));
    s->overlap = int(a.getInt("overlap", s->overlap, 0, S::kMaxOverlap));
    s->maxMemoryMb = std::uint64_t(
        a.getInt("max-memory", (long long)s->maxMemoryMb, 0, (long long)S::kMaxMemoryMb));
    s->quality = int(a.getInt("quality", s->quality, 1, S::kMaxQuality));
    s->maxPixels = std::uint64_t(a.getInt("max-pixels", (long long)s->maxPixels, 1, 1ll << 40));
    if (!a.ok()) {
        *error = a.error();
        return false;
    }
    if (a.has("color-fix") && !shiftsr::parseColorFix(a.get("color-fix"), &s->colorFix)) {
        *error = "--color-fix must be auto, luma, wavelet, adain or none";
        return false;
    }
    s->modelSpec = a.get("model");
    s->device = a.get("device", s->device);
    s->precision = a.get("precision", s->precision);
    s->keepMetadata = !a.has("no-metadata");
    s->format = a.get("format", s->format);
    s->namePattern = a.get("name", s->namePattern);
    s->recursive = a.has("recursive") || a.has("r");
    s->skipExisting = a.has("skip-existing");
    s->cpuFallback = a.has("cpu-fallback");
    s->acceptDamaged = a.has("accept-damaged");
    return true;
}

} // namespace

int cmdUpscale(int argc, char** argv) {
    Args a(argc, argv, 2,
           {"output", "model", "steps", "seed", "threads", "device", "precision", "tile", "overlap",
            "max-memory", "color-fix", "format", "quality", "name", "max-pixels"},
           {"json", "recursive", "r", "skip-existing", "no-metadata", "cpu-fallback", "quiet", "q",
            "accept-damaged"});
    shiftsr::UpscaleSettings settings;
    std::string error;
    if (!parseSettings(a, &settings, &error))
        return usage(error);
    if (a.positionals().empty() || a.get("output").empty())
        return usage("upscale needs at least one input (file or folder) and -o OUTPUT");
    const bool json = a.has("json"), quiet = a.has("quiet") || a.has("q");

    auto model = loadModel(settings.modelSpec, settings.loadOptions());
    if (!model)
        return fail(model.status());
    const auto& info = (*model)->info();
    if (!json && !quiet && !(*model)->precisionNote().empty())
        std::cerr << "shiftsr-cli: note: " << (*model)->precisionNote() << "\n";

    bool toFolder = false;
    auto plan = shiftsr::planBatch(a.positionals(), a.get("output"), settings.batchOptions(info),
                                   &toFolder);
    if (!plan)
        return fail(plan.status());
    if (toFolder) {
        std::error_code ec;
        std::filesystem::create_directories(a.get("output"), ec);
        if (ec)
            return fail(shiftsr::Status::error(shiftsr::StatusCode::IoError,
                                               "cannot create output folder " + a.get("output") +
                                                   ": " + ec.message()));
    }
    shiftsr::BatchRunner runner(
        *plan, *model, settings, toFolder,
        [&](const shiftsr::LoadOptions& o) { return loadModel(settings.modelSpec, o); });

    const bool tty = isatty(fileno(stderr));
    const auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    std::vector<shiftsr::BatchFileResult> outcomes;
    int ok = 0, skipped = 0, failed = 0;
    bool cancelled = false;
    shiftsr::Status lastError;
    const size_t n = runner.size();
    for (size_t i = 0; i < n && !cancelled; ++i) {
        const auto& item = runner.item(i);
        const std::string label = "[" + std::to_string(i + 1) + "/" + std::to_string(n) + "] " +
                                  std::filesystem::path(item.input).filename().string();
        shiftsr::JobControl job;
        job.cancel = &gCancel;
        if (!json && !quiet && tty)
            job.progress = [&, label, i](double fraction, const std::string& stage) {
                const auto e = runner.estimate(i, fraction);
                const std::string eta =
                    e.etaSeconds >= 0 ? shiftsr::formatDuration(e.etaSeconds) : "?";
                const int filled = int(std::clamp(e.fraction, 0.0, 1.0) * 24);
                std::fprintf(stderr, "\r\033[K%s [%s%s] %3d%%  ETA %s  %s", label.c_str(),
                             std::string(size_t(filled), '#').c_str(),
                             std::string(size_t(24 - filled), ' ').c_str(), int(e.fraction * 100),
                             eta.c_str(), stage.c_str());
                std::fflush(stderr);
            };
        auto f = runner.run(i, job);
        if (!json && !quiet && tty && f.state != shiftsr::BatchFileResult::State::Skipped)
            std::fprintf(stderr, "\r\033[K");
        switch (f.state) {
        case shiftsr::BatchFileResult::State::Skipped:
            ++skipped;
            if (!json && !quiet)
                std::cerr << "[" << i + 1 << "/" << n << "] " << item.output
                          << " exists, skipped\n";
            break;
        case shiftsr::BatchFileResult::State::Done:
            ++ok;
            if (!json && !quiet) {
                std::cerr << label << " -> " << item.output << "  " << f.report.width << "x"
                          << f.report.height << ", " << f.report.steps << " step(s), "
                          << f.report.tiles << " tile(s), "
                          << shiftsr::formatDuration(f.report.times.total) << "\n";
                for (const auto& w : f.report.warnings)
                    std::cerr << "    warning: " << w << "\n";
            }
            break;
        case shiftsr::BatchFileResult::State::Cancelled:
            cancelled = true;
            break;
        case shiftsr::BatchFileResult::State::Failed:
            ++failed;
            lastError = shiftsr::Status::error(shiftsr::StatusCode::Internal, f.error);
            if (!json && n > 1)
                std::cerr << label << ": " << f.error << "\n";
            break;
        }
        outcomes.push_back(std::move(f));
    }
    if (cancelled && !json)
        std::cerr << "shiftsr-cli: cancelled; " << ok
                  << " file(s) finished, nothing half-written\n";

    unsigned long long peakRss = 0;
    for (const auto& f : outcomes)
        peakRss = std::max(peakRss, f.report.peakRssBytes);
    if (json) {
        nlohmann::json files = nlohmann::json::array();
        for (size_t i = 0; i < outcomes.size(); ++i)
            files.push_back(outcomeJson(runner.item(i), outcomes[i], settings));
        nlohmann::json j = {{"model", info.name},
                            {"model_source", info.source},
                            {"model_sha256", info.contentHash},
                            {"device", (*model)->deviceDescription()},
                            {"precision", (*model)->precision()},
                            {"files", files},
                            {"ok", ok},
                            {"skipped", skipped},
                            {"failed", failed},
                            {"cancelled", cancelled},
                            {"planned", n},
                            {"total_s", elapsed()},
                            {"peak_rss_mb", peakRss / 1048576.0}};
        std::cout << j.dump(2) << "\n";
    } else if (n > 1 && !quiet) {
        std::cerr << ok << " upscaled, " << skipped << " skipped, " << failed << " failed in "
                  << shiftsr::formatDuration(elapsed()) << "\n";
    }
    if (cancelled)
        return kCancelled;
    const bool damaged =
        !settings.acceptDamaged && std::any_of(outcomes.begin(), outcomes.end(), [](const auto& f) {
            return f.state == shiftsr::BatchFileResult::State::Failed &&
                   f.error.find(": damaged ") != std::string::npos;
        });
    const int code = !failed ? kOk : n == 1 && !json ? fail(lastError) : kFailed;
    if (damaged && !json)
        std::cerr << "shiftsr-cli: --accept-damaged upscales damaged images anyway, with a "
                     "warning naming the damage\n";
    return code;
}

} // namespace cli
