// The pieces of the YONOS-SR trainer that tests check on their own.
#pragma once

#include "shiftsr/nn/ddim.h"
#include "shiftsr/nn/kl_autoencoder.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/sd_unet.h"
#include "shiftsr/training/job.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>

namespace shiftsr::training {

// The autoencoder of a preset (tiny; lite f4 or f8), before training.
nn::KLConfig yonosCodecPreset(const TrainJob& job);
// The yonos architecture of a preset around `kl` at `scale` (job.modelJson overrides the U-Net's
// diffusers keys, job.scheduleJson the scheduler's).
Result<Architecture> yonosArchitecture(const TrainJob& job, const nn::KLConfig& kl, int scale);

// A yonos package or an autoencoder package opened for training: the architecture (for an
// autoencoder package only `kl` is meaningful), fresh trainable networks holding its weights,
// and its lineage (sha256, name, provenance).
struct YonosPackage {
    Architecture arch;
    bool autoencoderOnly = false;
    std::shared_ptr<nn::SDUNetImpl> unet; // null for an autoencoder package
    std::unique_ptr<KLCodec> codec;
    nlohmann::json lineage;
};
Result<YonosPackage> openYonosPackage(const std::string& path);

// t for each sample: the last timestep with probability `oneStepFraction`, else uniform.
torch::Tensor drawTimesteps(int64_t batch, int trainSteps, double oneStepFraction,
                            std::uint64_t seed, std::uint64_t firstIndex,
                            std::vector<torch::Tensor>* eps = nullptr,
                            at::IntArrayRef epsShape = {});

// Scale distillation's target: the frozen teacher's output at z_t when it is conditioned on the
// less degraded input (encode(bicubic x teacher scale (LQ at the teacher's scale))). No gradient.
torch::Tensor scaleDistillationTarget(nn::SDUNetImpl& teacher, const torch::Tensor& zt,
                                      const torch::Tensor& teacherCond, const torch::Tensor& t);

// encode(bicubic x scale (lq)) for lq in [-1, 1].
torch::Tensor encodeCondition(Codec& codec, const torch::Tensor& lq, int scale);

} // namespace shiftsr::training
