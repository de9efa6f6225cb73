// Model::Impl: the LibTorch side of a loaded package (networks, codec, schedule, device).
#pragma once

#include "shiftsr/engine/model.h"
#include "shiftsr/engine/pipeline.h"
#include "shiftsr/engine/safetensors.h"
#include "shiftsr/nn/codec.h"
#include "shiftsr/nn/ddim.h"
#include "shiftsr/nn/device.h"
#include "shiftsr/nn/gan_nets.h"
#include "shiftsr/nn/schedule.h"
#include "shiftsr/nn/sd_unet.h"
#include "shiftsr/nn/unet_swin.h"

namespace shiftsr {

// Package metadata keys (all values are strings; JSON where noted).
namespace meta {
inline constexpr const char* kFormat = "shiftsr.format"; // "1"
inline constexpr const char* kName = "name";
inline constexpr const char* kFamily = "family";
inline constexpr const char* kScale = "scale";
inline constexpr const char* kSteps = "steps"; // default inference steps
inline constexpr const char* kCodec =
    "codec"; // vq-f4 | unshuffle-f4 | unshuffle-f4-refine | kl-f4 | kl-f8 (yonos)
// JSON: official diffusion keys (resshift); diffusers scheduler_config keys (yonos, ddim.h)
inline constexpr const char* kSchedule = "schedule";
// JSON: official UNetModelSwin keys (resshift); diffusers UNet2DConditionModel keys (yonos)
inline constexpr const char* kUnet = "unet";
// JSON: VQModelTorch keys (vq-f4), {channels, layers} (unshuffle-f4-refine), diffusers
// AutoencoderKL keys (kl-f*)
inline constexpr const char* kCodecConfig = "codec_config";
// JSON: the network's constructor arguments under BasicSR's names (GAN families: RRDBNet for
// realesrgan and esrgan, SRVGGNetCompact for srvgg; gan_nets.h)
inline constexpr const char* kNet = "net";
// JSON {padding_offset, degrid_sigma (unshuffle codecs), multi_steps (yonos: the DDIM step count
// offered beside one step)}, and the package's advice for requests that leave a choice to it (any
// family, each optional): tile (the largest automatic LQ tile side on the CPU), overlap (the
// smallest automatic overlap), color_fix (what ColorFix::Auto becomes), pre_pad (GAN families:
// replicated LQ pixels around each tile, cut from the output)
inline constexpr const char* kSampler = "sampler";
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
    std::string family = "resshift"; // resshift | yonos | realesrgan | esrgan | srvgg
    // family "yonos": a Stable-Diffusion-style latent U-Net on [z_t, encode(bicubic(LQ))], the KL
    // autoencoder (codec "kl-f<factor>") and a DDIM schedule; any step count from 1 to the
    // schedule's num_train_timesteps (`steps` is the default, `multiSteps` the multi-step offer).
    nn::SDUNetConfig sdUnet;
    nn::KLConfig kl;
    DdimConfig ddim;
    int multiSteps = 10;
    bool yonos() const { return family == "yonos"; }
    // yonos: the smallest LQ padding offset that lets the U-Net halve the latent levels-1 times
    // (LQ * scale a multiple of the codec's factor times the U-Net's down factor).
    int yonosPaddingUnit() const;
    // yonos: the same networks at another upscaling factor (the scale-distilled student of a
    // teacher), padded by its own unit.
    Architecture yonosAtScale(int newScale) const;
    // GAN families (realesrgan and esrgan: RRDBNet; srvgg: SRVGGNetCompact): one forward pass per
    // tile, no codec, no schedule, no noise; tensors under "net.".
    nn::RRDBConfig rrdb;
    nn::SRVGGConfig srvgg;
    int prePad = 10;
    static bool isGanFamily(const std::string& family) {
        return family == "realesrgan" || family == "esrgan" || family == "srvgg";
    }
    bool gan() const { return isGanFamily(family); }
    std::shared_ptr<nn::SinglePassNetImpl> makeGanNet() const;
    // Sampler advice (0 / Luma: the pipeline's own choice, as before advice existed).
    int tileAdvice = 0;
    int overlapAdvice = 0;
    ColorFix colorFix = ColorFix::Luma; // never Auto
    // The largest step count the sampler accepts (resshift: T; yonos: the training timesteps; GAN
    // families: their one pass).
    int maxSteps() const { return gan() ? 1 : yonos() ? ddim.numTrainTimesteps : schedule.steps; }
    std::string name;

    static Result<Architecture> fromMetadata(const std::map<std::string, std::string>& metadata);
    std::map<std::string, std::string> toMetadata() const; // without provenance
    std::unique_ptr<Codec> makeCodec() const;
    // A tiny unshuffle-f4 architecture (16 px latent, ~0.8M parameters) for tests and the
    // embedded pipeline-check model.
    static Architecture tinyTest();
    // A tiny yonos architecture (kl-f4 with 4 latent channels, a two-level U-Net, ~0.3M
    // parameters) for tests.
    static Architecture tinyYonosTest();
};

struct Model::Impl {
    ModelInfo info;
    Architecture arch;
    std::shared_ptr<nn::UNetModelSwinImpl> unet; // resshift
    std::unique_ptr<Codec> codec;
    std::unique_ptr<ResShiftSchedule> schedule; // resshift
    std::shared_ptr<nn::SDUNetImpl> sdUnet;     // yonos
    std::unique_ptr<DdimSchedule> ddim;         // yonos
    std::shared_ptr<nn::SinglePassNetImpl> gan; // GAN families
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
