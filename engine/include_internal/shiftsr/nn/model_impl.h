// Model::Impl: the LibTorch side of a loaded package (networks, codec, schedule, device).
#pragma once

#include "shiftsr/engine/model.h"
#include "shiftsr/engine/safetensors.h"
#include "shiftsr/nn/codec.h"
#include "shiftsr/nn/device.h"
#include "shiftsr/nn/schedule.h"
#include "shiftsr/nn/unet_swin.h"

namespace shiftsr {

// Package metadata keys (all values are strings; JSON where noted).
namespace meta {
inline constexpr const char* kFormat = "shiftsr.format"; // "1"
inline constexpr const char* kName = "name";
inline constexpr const char* kFamily = "family";
inline constexpr const char* kScale = "scale";
inline constexpr const char* kSteps = "steps";       // default inference steps
inline constexpr const char* kCodec = "codec";       // vq-f4 | unshuffle-f4 | unshuffle-f4-refine
inline constexpr const char* kSchedule = "schedule"; // JSON, official diffusion keys
inline constexpr const char* kUnet = "unet";         // JSON, official UNetModelSwin keys
inline constexpr const char* kCodecConfig =
    "codec_config"; // JSON: VQModelTorch keys (vq-f4), {channels, layers} (unshuffle-f4-refine)
inline constexpr const char* kSampler = "sampler";       // JSON {padding_offset, degrid_sigma}
inline constexpr const char* kProvenance = "provenance"; // JSON
} // namespace meta

// Everything needed to build a model, parsed and validated from the metadata.
struct Architecture {
    nn::UNetSwinConfig unet;
    std::string codec;        // "vq-f4" | "unshuffle-f4" | "unshuffle-f4-refine"
    nn::VQConfig vq;          // when codec == vq-f4
    nn::RefinerConfig refine; // when codec == unshuffle-f4-refine
    ScheduleConfig schedule;
    int paddingOffset = 64;
    // Unshuffle codecs: sigma (latent cells) of the block-grid removal before decoding (degrid.h);
    // 0 = off. Package key sampler.degrid_sigma.
    double degridSigma = 0;
    int steps = 4;
    int scale = 4;
    std::string family = "resshift";
    std::string name;

    static Result<Architecture> fromMetadata(const std::map<std::string, std::string>& metadata);
    std::map<std::string, std::string> toMetadata() const; // without provenance
    std::unique_ptr<Codec> makeCodec() const;
    // A tiny unshuffle-f4 architecture (16 px latent, ~0.8M parameters) for tests and the
    // embedded pipeline-check model.
    static Architecture tinyTest();
};

struct Model::Impl {
    ModelInfo info;
    Architecture arch;
    std::shared_ptr<nn::UNetModelSwinImpl> unet;
    std::unique_ptr<Codec> codec;
    std::unique_ptr<ResShiftSchedule> schedule;
    torch::Device device = torch::kCPU;
    torch::ScalarType dtype = torch::kFloat; // of convolutions and linear layers
    device::Precision precision = device::Precision::Fp32;
    std::string precisionNote; // why the precision is what it is, when it may surprise
    // Nothing here changes after loading: runs keep their caches in their own state (nn::RunState).
};

// Builds networks from metadata and loads (strictly) the tensors of an opened package.
Result<std::shared_ptr<Model::Impl>> buildModel(const SafeTensorsFile& file,
                                                const LoadOptions& options);
ModelInfo describePackage(const SafeTensorsFile& file);

} // namespace shiftsr
