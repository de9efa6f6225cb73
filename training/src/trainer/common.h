// Pieces every trainer shares: batches, per-sample generators, the lr schedule, AdamW, EMA and
// the validation pass (metrics + sample sheet).
#pragma once

#include "run_files.h"

#include "model_impl.h"
#include "shiftsr/training/dataset.h"
#include "shiftsr/training/job.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

namespace shiftsr::training {

// cv::Mat CV_32FC3 RGB [0,1] list -> [B, 3, H, W] in [-1, 1].
torch::Tensor toBatch(const std::vector<cv::Mat>& images);

// Per-sample generator: every random draw of global sample i depends on (seed, i) only, so
// results do not depend on the number of processes or on where a run was resumed.
at::Generator sampleGenerator(std::uint64_t seed, std::uint64_t index);

// Linear warm-up, then cosine from lr to lrMin.
double learningRate(const TrainJob& job, int step);

struct ValSet {
    std::vector<cv::Mat> hr; // CV_32FC3 RGB [0,1]
    std::vector<cv::Mat> lq;
    std::vector<std::string> names;
};
ValSet buildValSet(const TrainJob& job, const std::vector<ImageRecord>& trainImages, std::vector<std::string>* warnings);

cv::Mat toBgr8(const cv::Mat& rgb01);

// One AdamW step (decoupled weight decay, bias correction, global-norm clipping at job.gradClip)
// of `params` from `grads`; `step` counts from 0. Returns the gradient norm before clipping.
double adamwStep(std::vector<torch::Tensor>& params, const std::vector<torch::Tensor>& grads,
                 std::vector<torch::Tensor>& m, std::vector<torch::Tensor>& v, double lr, int step,
                 const TrainJob& job, double beta1 = -1, double beta2 = -1);

void emaUpdate(std::vector<torch::Tensor>& ema, const std::vector<torch::Tensor>& params, double decay);

// Gradients of `params` (zeros where none flowed).
std::vector<torch::Tensor> gradsOf(const std::vector<torch::Tensor>& params);

// PSNR/SSIM/sharpness (Y) of `net` on the validation set with fixed noise, the bicubic PSNR, and
// a sample sheet (bicubic | model | truth) written to the run folder. `valSteps` 1 = one step.
nlohmann::json runValidation(nn::UNetModelSwinImpl& net, Codec* codec, const ResShiftSchedule& sched,
                             const Architecture& arch, const ValSet& val, int valSteps, int extraNoiseChannels,
                             RunFiles& files, int step);

} // namespace shiftsr::training
