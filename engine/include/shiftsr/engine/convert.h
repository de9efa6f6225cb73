// Converts official ResShift checkpoints (torch.save files) into one ShiftSR model package.
#pragma once

#include "shiftsr/engine/progress.h"
#include "shiftsr/engine/status.h"

#include <string>

namespace shiftsr {

struct ConvertOptions {
    std::string unetCheckpoint;        // e.g. resshift_realsrx4_s4_v3.pth
    std::string autoencoderCheckpoint; // e.g. autoencoder_vq_f4.pth
    // Optional JSON in the official YAML layout ({model:{params}, autoencoder:{params},
    // diffusion:{params}}); empty = the official v3 realsr x4 configuration.
    std::string configJson;
    std::string output; // .safetensors package, written atomically
    std::string name;   // display name; default derived from the config
};

struct ConvertReport {
    long long unetParameters = 0, codecParameters = 0;
    std::string unwrappedFrom; // nesting key found in the checkpoint, if any
    bool strippedModulePrefix = false;
};

// Strict: every parameter of the architecture must be present with the right shape.
Result<ConvertReport> convertOfficial(const ConvertOptions& options, const JobControl& job = {});

} // namespace shiftsr
