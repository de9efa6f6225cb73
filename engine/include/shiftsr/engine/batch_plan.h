// Batch planning shared by `shiftsr-cli upscale` and the app's batch queue: which input files, and
// the output path of each.
#pragma once

#include "shiftsr/engine/status.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace shiftsr {

struct BatchOptions {
    bool recursive = false;
    // Output file name inside the output folder. Tokens: {name} (input file name without its
    // extension), {ext} (output extension), {scale}, {steps}, {model}, {seed}.
    std::string pattern = "{name}-x{scale}.{ext}";
    std::string format = "keep";               // keep (the input's) | png | jpg | tif | webp | bmp
    std::map<std::string, std::string> tokens; // values of {scale}, {steps}, {model}, {seed}
};

struct BatchItem {
    std::string input;
    std::string output;
};

// Inputs are files or folders (folders: the image files in them, sorted, subfolders too when
// `recursive`, mirrored under `output`). `output` is a file name only when there is exactly one
// input file and `output` has an image extension and is not an existing folder; otherwise it is
// a folder (created when the batch runs). Errors: a missing input, a folder without images, an
// output that would overwrite its input, two inputs that would write the same file.
shiftsr::Result<std::vector<BatchItem>> planBatch(const std::vector<std::string>& inputs,
                                                  const std::string& output,
                                                  const BatchOptions& options,
                                                  bool* outputIsFolder = nullptr);

// "{name}-x{scale}.{ext}" with tokens filled in; unknown tokens are kept as written.
std::string expandPattern(const std::string& pattern,
                          const std::map<std::string, std::string>& tokens);

// The {scale}, {steps}, {model} and {seed} values of an output name, the same for the CLI, the
// batch queue and the app's Save: {model} is the package name with anything but ASCII letters,
// digits, '-' and '.' replaced by '_', so that it stays one part of a path.
std::map<std::string, std::string> outputNameTokens(const std::string& modelName, int scale,
                                                    int steps, std::uint64_t seed);

// "1h02m", "3m05s", "42s".
std::string formatDuration(double seconds);

} // namespace shiftsr
