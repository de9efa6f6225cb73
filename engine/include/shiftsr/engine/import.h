// Published weights of any supported family into one ShiftSR package (`shiftsr-cli import`): the
// family is detected from the tensors' names, its hyperparameters inferred from their shapes.
#pragma once

#include "shiftsr/engine/progress.h"
#include "shiftsr/engine/status.h"

#include <string>
#include <vector>

namespace shiftsr {

struct ImportOptions {
    // Weight files in any order: torch.save (.pth .ckpt .pt), .safetensors, ncnn (.param; the
    // .bin beside it). A latent diffusion model needs its autoencoder among them.
    std::vector<std::string> inputs;
    std::string output;     // the package, written atomically; required
    std::string name;       // display name; default derived from what was detected
    std::string configJson; // optional: the official config as JSON (resshift), diffusers (yonos)
    // resshift: the schedule when neither the file nor configJson says which one it was trained
    // with: a preset name (listed by the error message that asks for it); empty = from the file
    // name where it is the published one, else ask.
    std::string schedule;
};

struct ImportReport {
    std::string family;  // resshift | yonos | realesrgan | esrgan | srvgg
    std::string summary; // what was detected, one line ("RRDBNet: 23 blocks, 64 features, x4")
    int scale = 4;
    int steps = 1;
    long long parameters = 0;       // every network of the package
    std::vector<std::string> notes; // unwrapped keys, stripped prefixes, assumptions made
};

Result<ImportReport> importWeights(const ImportOptions& options, const JobControl& job = {});

} // namespace shiftsr
