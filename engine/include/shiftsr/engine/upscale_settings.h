// UpscaleSettings: every option of an upscale in one type, shared by shiftsr-cli (its flags), the
// desktop app (its preferences) and the batch queue. The one place an UpscaleRequest, the load
// options and a batch plan's naming are built from.
#pragma once

#include "shiftsr/engine/batch_plan.h"
#include "shiftsr/engine/model.h"
#include "shiftsr/engine/pipeline.h"

#include <cstdint>
#include <string>

namespace shiftsr {

struct UpscaleSettings {
    // Model and sampling.
    std::string modelSpec; // package path or embedded:ID; empty: the default model
    int steps = 0;         // 0: the model's own
    std::uint64_t seed = 12345;

    // Engine.
    std::string device = "auto";    // auto | cpu | cuda
    std::string precision = "auto"; // auto | fp32 | bf16 | fp16
    int threads = 0;                // intra-op threads; 0 = all logical cores
    int tile = 0;                   // LQ tile side; 0 = the fewest pixels that fit maxMemoryMb
    int overlap = 0;                // LQ overlap; 0 = automatic
    std::uint64_t maxMemoryMb = kDefaultMemoryLimit >> 20; // peak of a CPU run; 0 = the free memory
    ColorFix colorFix = ColorFix::Auto;    // the model's advice (luma; none for GAN families)
    std::uint64_t maxPixels = 200'000'000; // larger inputs are refused
    bool acceptDamaged = false; // decode inputs the decoder reports damaged, with a warning

    // Output.
    bool keepMetadata = true;    // the input's EXIF/IPTC/XMP/ICC on the output
    std::string format = "keep"; // keep | png | jpg | tif | webp | bmp
    int quality = 95;            // JPEG/WebP 1..100; 101 = lossless WebP
    std::string namePattern = "{name}-x{scale}.{ext}"; // tokens: see BatchOptions

    // Batches.
    bool recursive = false;    // folders: their subfolders too, mirrored under the output
    bool skipExisting = false; // leave outputs that already exist alone
    bool cpuFallback = false;  // a file that fails on CUDA is run again on the CPU

    // The range limits of the numeric options (the CLI checks its flags against them).
    static constexpr int kMaxSteps = 10000, kMaxThreads = 1024, kMaxTile = 1 << 16,
                         kMaxOverlap = 1 << 15, kMaxQuality = 101;
    static constexpr std::uint64_t kMaxMemoryMb = std::uint64_t(1) << 24;

    LoadOptions loadOptions() const;
    // Steps, seed, threads, tiles, memory limit, colour fix, metadata, quality and pixel limit
    // set; no input and no output.
    UpscaleRequest request() const;
    // The batch plan's naming: pattern, format, and the tokens of `model` ({steps}: these
    // settings' steps, else the model's own).
    BatchOptions batchOptions(const ModelInfo& model) const;
};

} // namespace shiftsr
