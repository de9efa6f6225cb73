// Helpers shared by the shiftsr-cli commands.
#pragma once

#include "shiftsr/engine/model.h"
#include "shiftsr/engine/status.h"

#include <memory>
#include <string>

namespace cli {

// A .safetensors path or embedded:ID; empty = the embedded default.
shiftsr::Result<std::shared_ptr<const shiftsr::Model>> loadModel(const std::string& spec,
                                                                 const shiftsr::LoadOptions& options);

// `shiftsr-cli eval`: models vs bicubic (and external programs) on held-out photos.
int cmdEval(int argc, char** argv);

// `shiftsr-cli bench --input IMAGE --reference X.param`: `upscale` with its defaults (and the model
// given, if any) against `reference` on the same image, each in fresh processes; prints JSON.
int benchAgainstReference(const std::string& input, const std::string& modelSpec, const std::string& ncnn, int repeats,
                          int threads, bool compact);

} // namespace cli
