// Micro-benchmarks of the networks (one UNet step, encode, decode), printed as JSON by the CLI.
#pragma once

#include "shiftsr/engine/status.h"

#include <string>

namespace shiftsr {

struct PresetBenchOptions {
    std::string preset = "v3"; // v3 (official realsr x4 width) | tiny
    int lq = 64;               // LQ tile side; latent side = lq for the f4 codec
    int threads = 0;           // 0 = all cores
    int repeats = 5;           // best of
    std::string device = "cpu";
    std::string precision = "fp32";
};

// Random-weight networks of the preset: JSON with unet_step_s, encode_s, decode_s (best of
// `repeats` after a warm-up), threads, peak_rss_mb, parameter counts and shapes.
Result<std::string> benchPreset(const PresetBenchOptions& options);

} // namespace shiftsr
