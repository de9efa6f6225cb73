// Micro-benchmarks of the networks (one UNet step, encode, decode), printed as JSON by the CLI.
#pragma once

#include "shiftsr/engine/model.h"
#include "shiftsr/engine/status.h"

#include <functional>
#include <memory>
#include <string>

namespace shiftsr {

struct PresetBenchOptions {
    // Random weights of a real model's size: v3 (ResShift's realsr x4 width, 4 steps), v1 (the
    // same network, 15 steps; SinSR's is it at 1 step), rsd (RSD's student: a noise input
    // channel, 1 step), x2 (ResShift's x2 network: the LQ through a feature extractor) | tiny
    std::string preset = "v3";
    int lq = 64;     // LQ tile side; latent side = lq x scale / 4 (the f4 codec)
    int threads = 0; // 0 = all cores
    int repeats = 5; // best of
    std::string device = "cpu";
    std::string precision = "fp32";
};

// Random-weight networks of the preset: JSON with unet_step_s, encode_s, decode_s (best of
// `repeats` after a warm-up), tile_total_s (encode, the preset's steps and decode of one tile),
// scale, steps, threads, peak_rss_mb, parameter counts and shapes.
Result<std::string> benchPreset(const PresetBenchOptions& options);

// A loaded model on one image, whole pipeline (read excluded), as the user would run it.
struct ModelBenchOptions {
    // Loads the model at a precision ("fp32", "bf16"); called once per precision benchmarked.
    std::function<Result<std::shared_ptr<const Model>>(const std::string& precision)> load;
    std::string input; // image file
    int crop = 0;      // > 0: centre crop of this LQ side first (keeps a large photo's run short)
    int repeats = 1;   // best of, per configuration, after one warm-up run
    int threads = 0;   // 0 = all cores
    int tile = 0;      // 0 = from the memory budget
    bool bf16 = true;  // also run bf16 and compare it with fp32
    std::uint64_t seed = 12345;
};

// JSON: multi_step and one_step (per-stage times: encode, each UNet step, decode, blend, colour
// fix; tiles), one_step_speedup (multi-step total / one-step total), bf16 (fp32/bf16 speed ratio,
// max and mean |difference| to the fp32 output in 8-bit levels, whether the CPU has native bf16),
// peak_rss_mb, device, threads.
Result<std::string> benchModel(const ModelBenchOptions& options);

// One run for the memory comparison (meant for a fresh process, so that its peak RSS is its
// own): the input resized to lq x lq, upscaled with a fixed tile and `steps` steps. JSON:
// lq, output, tile, tiles, total_s, peak_rss_mb.
struct MemoryProbeOptions {
    std::shared_ptr<const Model> model;
    std::string input;
    int lq = 128;
    int tile = 128;
    int steps = 1;
    int threads = 0;
};
Result<std::string> benchMemoryProbe(const MemoryProbeOptions& options);

// GAN networks of the published sizes with random weights (bench_gan.cpp): realesrgan-x4plus
// (RRDBNet: 23 blocks, 64 features, growth 32), realesr-general-x4v3 and realesrgan-x4fast
// (SRVGGNetCompact: 64 features, 32 body convolutions, PReLU; Upscayl's x4fast has that size),
// realesr-animevideov3 (16 body convolutions).
bool isGanBenchPreset(const std::string& preset);
// One forward pass of an lq x lq tile, best of `repeats` after a warm-up: JSON with forward_s (the
// network alone), tile_s (as the pipeline runs a tile: 10 replicated pixels around it), params_M,
// net (its config), family, lq, hr, threads, device, precision (fp32, bf16, fp16 on CUDA),
// peak_rss_mb.
Result<std::string> benchGanPreset(const PresetBenchOptions& options);

} // namespace shiftsr
