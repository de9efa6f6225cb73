// The ResShift importer's parts (import_resshift.cpp): hyperparameters read from tensor shapes, the
// schedule presets of the published models, and the noise-channel layout of RSD's students.
#pragma once

#include "shiftsr/nn/import_detect.h"
#include "shiftsr/nn/schedule.h"
#include "shiftsr/nn/unet_swin.h"
#include "shiftsr/nn/vq_autoencoder.h"

#include <string>
#include <vector>

namespace shiftsr::importer {

// What a UNetModelSwin state dict says about its architecture.
struct ResShiftUNetShape {
    // Everything the shapes fix; image_size, lq_size and attention_resolutions hold imageSize
    // (below) when known, else the official 64 until the caller knows better (withImageSize).
    nn::UNetSwinConfig config;
    // The nominal latent side, read from the Swin shift masks and window tables when the file
    // kept those buffers; 0 when the tensors cannot say.
    int imageSize = 0;
    int lqRatio = 1;              // lq_size / image_size: 2^(feature extractor stages)
    std::vector<int> swinLevels;  // levels whose first res block carries a Swin layer
    bool windowSizeExact = false; // some Swin layer's nominal side exceeds the window
    bool condMask = false;        // an inpainting UNet (its LQ condition has a mask channel)
    int noiseChannels = 0;        // extra input channels (RSD's noise), after the LQ condition
    // The same config for a given nominal latent side (attention_resolutions follow the levels).
    nn::UNetSwinConfig withImageSize(int imageSize) const;
};

// Reads the architecture from the tensors; errors name the tensor whose shape does not fit.
Result<ResShiftUNetShape> inferResShiftUNet(const TensorMap& tensors);
// The VQModelTorch config of an autoencoder state dict (resolution 256 unless `resolution` says
// otherwise: it only names the levels of attn_resolutions).
Result<nn::VQConfig> inferResShiftAutoencoder(const TensorMap& tensors, int resolution = 256);

// RSD's student takes its noise channel after the LQ condition ([x_t, lq, noise]: its first
// convolution is the teacher's with the noise columns appended); ShiftSR's UNet takes it before
// ([x_t, noise, lq], as its own students). The first convolution's weight with its input columns
// moved from the official order to ShiftSR's; other tensors are returned unchanged.
torch::Tensor noiseColumnsToShiftSR(const torch::Tensor& weight, int latentChannels,
                                    int conditionChannels, int noiseChannels);

// A published ResShift-family model whose schedule the tensors cannot tell.
struct ResShiftPreset {
    std::string name;     // what --schedule takes ("v3", "rsd", ...)
    std::string title;    // default package name
    std::string origin;   // configs/file it comes from, for the report and provenance
    std::string fileHint; // the published checkpoint's file name, if there is one
    ScheduleConfig schedule;
    int imageSize = 64;
    int lqRatio = 1;       // lq_size / image_size (2 for x2: the LQ is twice the latent side)
    int noiseChannels = 0; // RSD's student: one
    bool student = false;  // one-step student of the schedule's teacher
    std::string licence;   // the weights' licence, for the provenance note
};

const std::vector<ResShiftPreset>& resshiftPresets();
// nullptr when no preset has this name.
const ResShiftPreset* findResShiftPreset(const std::string& name);
// The preset a published file name implies (resshift_realsrx4_s15_v1.pth -> v1, SinSR_v1.pth ->
// sinsr, RSD's ema_model_2800.pth -> rsd); nullptr for any other name.
const ResShiftPreset* presetFromFileName(const std::string& path);
// "v1, v2, v3, bicsr, x2, rsd, sinsr": for messages.
std::string resshiftPresetNames();

} // namespace shiftsr::importer
