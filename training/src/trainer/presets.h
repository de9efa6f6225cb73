// Model presets of the trainer (tiny, lite, v3) and initial weights from a package.
#pragma once

#include "model_impl.h"
#include "shiftsr/training/job.h"

#include <nlohmann/json.hpp>

namespace shiftsr::training {

Result<Architecture> buildArchitecture(const TrainJob& job);
// Copies matching unet.* (and codec.*) tensors from a package; the codec must be complete.
Status loadInitWeights(const std::string& package, nn::UNetModelSwinImpl& unet, Codec* codec, std::string* sha256);
// What a run started from, for its package's provenance: the init package's name, sha256 and own
// provenance, so a package continued from another says its whole history.
nlohmann::json initLineage(const std::string& package, const std::string& sha256);

} // namespace shiftsr::training
