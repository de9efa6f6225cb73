// `shiftsr-cli bench --input IMAGE --reference MODEL.param`: the default upscale against
// Real-ESRGAN's compact network (fp32), each in a fresh process, so that both wall times and peak
// RSS are the processes' own, measured the same way (wall clock around the child, its ru_maxrss).
#include "common.h"

#include "shiftsr/engine/image_io.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace cli {

namespace {

namespace fs = std::filesystem;

std::string cpuName() {
    std::ifstream in("/proc/cpuinfo");
    std::string line, name, flags;
    while (std::getline(in, line)) {
        if (name.empty() && line.rfind("model name", 0) == 0)
            name = line.substr(line.find(':') + 2);
        if (flags.empty() && line.rfind("flags", 0) == 0)
            flags = line;
    }
    const bool bf16 = flags.find(" amx_bf16") != std::string::npos ||
                      flags.find(" avx512_bf16") != std::string::npos;
    return (name.empty() ? std::string("unknown CPU") : name) +
           (bf16 ? " (native bf16)" : " (no native bf16)");
}

} // namespace

int benchAgainstReference(const std::string& input, const std::string& modelSpec,
                          const std::string& ncnn, int repeats, int threads, bool compact) {
    auto probe = shiftsr::ImageIO::probe(input);
    if (!probe) {
        std::cerr << "shiftsr-cli: " << probe.status().message() << "\n";
        return 1;
    }
    std::error_code ec;
    const fs::path scratch =
        fs::temp_directory_path() / ("shiftsr-bench-" + std::to_string(::getpid()));
    fs::create_directories(scratch, ec);
    std::string ext = fs::path(input).extension().string();
    if (!shiftsr::ImageIO::isSupportedExtension("x" + ext))
        ext = ".png";
    const std::string outOurs = (scratch / ("shiftsr" + ext)).string(),
                      outRef = (scratch / ("reference" + ext)).string();
    std::vector<std::string> ours{"upscale", input, "-o", outOurs, "--json", "-q"};
    if (!modelSpec.empty())
        ours.insert(ours.end(), {"--model", modelSpec});
    std::vector<std::string> ref{"reference", "--ncnn", ncnn, input, outRef};
    if (threads > 0) {
        ours.insert(ours.end(), {"--threads", std::to_string(threads)});
        ref.insert(ref.end(), {"--threads", std::to_string(threads)});
    }
    // Best of `repeats` for each, alternating, so that a slow moment of the machine hits both.
    ChildRun bestOurs, bestRef;
    nlohmann::json report;
    for (int i = 0; i < repeats; ++i) {
        for (int which = 0; which < 2; ++which) {
            fs::remove(which == 0 ? outOurs : outRef, ec);
            auto r = runSelf(which == 0 ? ours : ref);
            if (!r) {
                fs::remove_all(scratch, ec);
                std::cerr << "shiftsr-cli: " << r.status().message() << "\n";
                return 1;
            }
            ChildRun& best = which == 0 ? bestOurs : bestRef;
            if (i == 0 || r->wallS < best.wallS) {
                best = *r;
                if (which == 0)
                    report = nlohmann::json::parse(r->out, nullptr, /*allow_exceptions=*/false);
            }
        }
    }
    fs::remove_all(scratch, ec);
    nlohmann::json run = report.is_object() && report.contains("files") && !report["files"].empty()
                             ? report["files"][0]
                             : nlohmann::json();
    nlohmann::json stages;
    if (run.is_object())
        for (const char* k : {"read_s", "encode_s", "unet_steps_s", "decode_s", "blend_s",
                              "color_fix_s", "write_s", "total_s", "tile", "overlap", "tiles",
                              "device", "threads", "color_fix", "peak_rss_mb"})
            if (run.contains(k))
                stages[k] = run[k];
    if (report.is_object() && report.contains("model"))
        stages["model"] = report["model"];
    if (report.is_object() && report.contains("precision"))
        stages["precision"] = report["precision"];
    nlohmann::json out = {
        {"input", input},
        {"lq", {probe->width, probe->height}},
        {"hr", {probe->width * 4, probe->height * 4}},
        {"cpu", cpuName()},
        {"repeats", repeats},
        {"shiftsr",
         {{"command", "shiftsr-cli upscale (defaults" +
                          std::string(modelSpec.empty() ? "" : ", --model " + modelSpec) + ")"},
          {"wall_s", bestOurs.wallS},
          {"peak_rss_mb", bestOurs.peakRssMb},
          {"run", stages}}},
        {"reference",
         {{"command", "shiftsr-cli reference --ncnn " + ncnn + " (fp32)"},
          {"wall_s", bestRef.wallS},
          {"peak_rss_mb", bestRef.peakRssMb}}},
        {"time_ratio", bestOurs.wallS / std::max(1e-9, bestRef.wallS)},
        {"peak_rss_ratio", bestOurs.peakRssMb / std::max(1e-9, bestRef.peakRssMb)}};
    std::cout << (compact ? out.dump() : out.dump(2)) << "\n";
    return 0;
}

} // namespace cli
