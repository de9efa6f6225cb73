// ResShift samplers: multi-step posterior sampling and the one-step student call.
#pragma once

#include "shiftsr/engine/progress.h"
#include "shiftsr/nn/codec.h"
#include "shiftsr/nn/ddim.h"
#include "shiftsr/nn/schedule.h"
#include "shiftsr/nn/sd_unet.h"
#include "shiftsr/nn/unet_swin.h"

#include <torch/torch.h>

#include <deque>
#include <optional>

namespace shiftsr {

// Where the Gaussian noise of a run comes from.
class NoiseSource {
public:
    virtual ~NoiseSource() = default;
    virtual torch::Tensor next(at::IntArrayRef shape, const torch::TensorOptions& options) = 0;
};

// Seeded CPU generator (identical numbers on every device), moved to the target device.
class SeededNoise final : public NoiseSource {
public:
    explicit SeededNoise(uint64_t seed);
    torch::Tensor next(at::IntArrayRef shape, const torch::TensorOptions& options) override;

private:
    at::Generator gen_;
};

// Tensors supplied in draw order (parity tests against recorded official runs).
class SuppliedNoise final : public NoiseSource {
public:
    explicit SuppliedNoise(std::vector<torch::Tensor> noise) : queue_(noise.begin(), noise.end()) {}
    torch::Tensor next(at::IntArrayRef shape, const torch::TensorOptions& options) override;

private:
    std::deque<torch::Tensor> queue_;
};

// Everything a sampler run touches. Non-owning. The networks are only read; what a run writes is
// in `unetState` (one per run: never shared between threads).
struct DiffusionParts {
    nn::UNetModelSwinImpl* unet = nullptr;
    Codec* codec = nullptr;
    const ResShiftSchedule* schedule = nullptr;
    int paddingOffset = 64; // LQ padded (reflect, right/bottom) to a multiple of this
    double degridSigma =
        0; // > 0: block-grid removal of the final latent (degrid.h), unshuffle codecs
    nn::RunState* unetState = nullptr; // the run's UNet caches; null: nothing cached
    // YONOS-SR (set instead of unet and schedule): the latent U-Net on [z_t, encode(LQ up)], its
    // DDIM schedule, the upscaling factor and the number of DDIM steps of the run.
    nn::SDUNetImpl* sdUnet = nullptr;
    const DdimSchedule* ddim = nullptr;
    int scale = 4;
    int ddimSteps = 1;
};

// Optional record of a run's intermediates (parity tests, debugging).
struct SampleTrace {
    torch::Tensor lqPadded, lqUp, zY, xT;
    std::vector<torch::Tensor> stepX, stepModelIn, stepPredX0, stepMean, stepZ;
    torch::Tensor zFinal, decoded;
};

// Wall time of each stage (seconds); the device is synchronised before each reading.
struct SampleTimings {
    double encode = 0, decode = 0;
    std::vector<double> steps;
};

enum class SamplerMode { MultiStep, OneStep };

struct SampleOptions {
    SamplerMode mode = SamplerMode::MultiStep;
    int extraNoiseChannels = 0; // RSD student: extra N(0,1) input channels appended to x_T
};

// Scales x_t as _scale_input (normalize_input with latent_flag): x / sqrt(eta_t kappa^2 + 1).
torch::Tensor scaleModelInput(const ResShiftSchedule& s, const torch::Tensor& x, int t);

// x_T = z_y + kappa sqrt(eta_T) eps.
torch::Tensor priorSample(const ResShiftSchedule& s, const torch::Tensor& zY,
                          const torch::Tensor& eps);

// Latent-space loop from x_T to x_0 (or one call for OneStep).
torch::Tensor sampleLatent(const DiffusionParts& parts, const torch::Tensor& xT,
                           const torch::Tensor& lqPadded, NoiseSource& noise,
                           const SampleOptions& options, const JobControl& job,
                           SampleTrace* trace = nullptr, SampleTimings* timings = nullptr);

// Reflect-pads an image [B, C, H, W] on the right and bottom to multiples of `offset`, as the
// official sampler does (repeatedly when the image is smaller than the padding; a 1-pixel side is
// replicated).
torch::Tensor padToMultiple(const torch::Tensor& image, int64_t offset);

// Whole official inference path for one LQ image in [-1, 1]: pad, upsample (bicubic x sf),
// encode, sample, decode, crop, clamp. Returns the SR image in [-1, 1]. With parts.sdUnet set, the
// YONOS-SR path: z_T ~ N(0, I), parts.ddimSteps deterministic DDIM steps of the U-Net on
// [z_t, encode(bicubic x scale(LQ))], decode of the last x0 prediction (`options` is not used).
// Throws shiftsr::Cancelled when the job is cancelled.
torch::Tensor superResolve(const DiffusionParts& parts, const torch::Tensor& lqM11,
                           NoiseSource& noise, const SampleOptions& options, const JobControl& job,
                           SampleTrace* trace = nullptr, SampleTimings* timings = nullptr);

} // namespace shiftsr
