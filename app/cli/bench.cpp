// shiftsr-cli bench: the engine's speed and memory (presets, a model on an image, or against
// Real-ESRGAN's compact network), printed as JSON.
#include "args.h"
#include "common.h"

#include "shiftsr/engine/bench.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>

namespace cli {

// Runs `shiftsr-cli bench-memory-probe ...` in a fresh process (its peak RSS is its own) and
// returns the JSON it prints.
namespace {

shiftsr::Result<nlohmann::json> runMemoryProbe(std::vector<std::string> args) {
    args.insert(args.begin(), "bench-memory-probe");
    auto run = cli::runSelf(args);
    if (!run)
        return run.status();
    const std::string& text = run->out;
    try {
        return nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        return shiftsr::Status::error(shiftsr::StatusCode::Internal,
                                      std::string("memory probe printed no JSON: ") + e.what());
    }
}

} // namespace

int cmdBenchMemoryProbe(int argc, char** argv) {
    cli::Args a(argc, argv, 2,
                {"model", "input", "lq", "tile", "steps", "threads", "device", "precision"}, {});
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

int cmdBench(int argc, char** argv) {
    cli::Args a(argc, argv, 2,
                {"preset", "lq", "threads", "repeats", "device", "precision", "model", "input",
                 "crop", "tile", "memory-tile", "reference"},
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
        return cli::benchAgainstReference(a.get("input"), a.get("model"), a.get("reference"),
                                          repeats, threads, a.has("json")) == 0
                   ? kOk
                   : kFailed;
    }
    if (!modelBench) {
        if (!a.has("preset"))
            return usage("bench needs --input IMAGE [--model M] or --preset NAME (see --help)");
        shiftsr::PresetBenchOptions o;
        o.lq = lq;
        o.threads = threads;
        o.repeats = repeats;
        o.preset = a.get("preset");
        o.device = a.get("device", "cpu");
        o.precision = a.get("precision", "fp32");
        auto r = shiftsr::isGanBenchPreset(o.preset) ? shiftsr::benchGanPreset(o)
                                                     : shiftsr::benchPreset(o);
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
        o.load = [&](const std::string& precision) {
            return loadModel(modelSpec, {device, precision});
        };
        auto r = shiftsr::benchModel(o);
        if (!r)
            return fail(r.status());
        auto j = nlohmann::json::parse(*r);
        if (!a.has("no-memory")) {
            // 512x512 vs 2048x2048 output (LQ 128 and 512) with the same tile, each in a fresh
            // process.
            nlohmann::json mem;
            for (int side : {128, 512}) {
                auto p = runMemoryProbe({"--model", modelSpec, "--input", o.input, "--lq",
                                         std::to_string(side), "--tile", std::to_string(memoryTile),
                                         "--threads", std::to_string(threads), "--device", device});
                if (!p)
                    return fail(p.status());
                mem[std::to_string(side * 4)] = *p;
            }
            mem["peak_ratio_2048_over_512"] =
                mem["2048"]["peak_rss_mb"].get<double>() /
                std::max(1e-9, mem["512"]["peak_rss_mb"].get<double>());
            j["memory"] = mem;
        }
        json = j.dump();
    }
    std::cout << (a.has("json") ? json : nlohmann::json::parse(json).dump(2)) << "\n";
    return kOk;
}

} // namespace cli
