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

} // namespace cli
