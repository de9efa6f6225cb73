// Model presets of the trainer (tiny, lite, v3) and initial weights from a package.
#pragma once

#include "shiftsr/nn/model_impl.h"
#include "shiftsr/training/job.h"

#include <nlohmann/json.hpp>

namespace shiftsr::training {

Result<Architecture> buildArchitecture(const TrainJob& job);
// Copies matching unet.* (and codec.*) tensors from a package; the codec must be complete.
// `lineage`, when given, receives what the run started from, for its package's provenance: the
// package's sha256, name and own provenance, so a package continued from another says its whole
// history.
// What a package is, for the provenance of a package made from it: {sha256, name, provenance}.
// `sha256` is the file's (already computed, or computed here when empty).
nlohmann::json packageLineage(const SafeTensorsFile& file, std::string sha256 = {});

Status loadInitWeights(const std::string& package, nn::UNetModelSwinImpl& unet, Codec* codec,
                       std::string* sha256, nlohmann::json* lineage = nullptr);

} // namespace shiftsr::training
