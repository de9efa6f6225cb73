// Converts official ResShift checkpoints (torch.save files), or Stable Diffusion weights for the
// YONOS family, into one ShiftSR model package.
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

// Stable Diffusion weights (a UNet and a VAE, each .safetensors or torch.save; in the diffusers
// layout or the original ldm one, bare or under model.diffusion_model. / first_stage_model.; one
// full SD checkpoint may serve as both) into a yonos package to initialise YONOS training from
// (`shiftsr-train yonos` with "init"). The architecture is inferred from the tensor shapes unless
// `configJson` names a JSON file {"unet": diffusers UNet config, "autoencoder": diffusers VAE
// config, "schedule": diffusers scheduler config, "scale": N}. The U-Net's conv_in is widened
// with zero weights to take the encoded input beside z_t, so the converted model starts as the
// unconditional SD U-Net and learns to use the input. With cross-attention, the prompt context is
// a learned constant that starts at zero.
Result<ConvertReport> convertStableDiffusion(const ConvertOptions& options,
                                             const JobControl& job = {});

} // namespace shiftsr
