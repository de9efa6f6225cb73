// The DDPM noise schedule of Stable-Diffusion-style models and the deterministic DDIM sampler
// (diffusers DDIMScheduler with eta 0), used by the YONOS-SR family.
#pragma once

#include "shiftsr/engine/status.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

namespace shiftsr {

// diffusers scheduler_config.json keys.
struct DdimConfig {
    int numTrainTimesteps = 1000;                // num_train_timesteps
    std::string betaSchedule = "scaled_linear";  // beta_schedule: linear | scaled_linear
    double betaStart = 0.00085, betaEnd = 0.012; // beta_start, beta_end
    std::string predictionType = "v_prediction"; // prediction_type: epsilon | v_prediction
    std::string timestepSpacing = "trailing";    // timestep_spacing: trailing | leading | linspace
    // rescale_betas_zero_snr (Lin et al. 2024): the last timestep is pure noise, so a one-step
    // run starts exactly where training put t = T-1. Needs v_prediction (epsilon is undefined
    // there).
    bool rescaleBetasZeroSnr = true;
    bool setAlphaToOne = true; // set_alpha_to_one: the final step lands on alpha_bar = 1
    int stepsOffset = 0;       // steps_offset (leading spacing)

    static Result<DdimConfig> fromJson(const nlohmann::json& j);
    nlohmann::json toJson() const;
};

class DdimSchedule {
public:
    static Result<DdimSchedule> create(const DdimConfig& config);
    const DdimConfig& config() const { return config_; }
    int trainSteps() const { return config_.numTrainTimesteps; }
    // alpha_bar_t for t = 0 .. numTrainTimesteps-1, float64.
    const std::vector<double>& alphasCumprod() const { return alphasCumprod_; }
    // The timesteps of an n-step run, first (noisiest) to last (diffusers set_timesteps).
    std::vector<int> timesteps(int n) const;
    // alpha_bar of the step after t in an n-step run (the final one: 1 with set_alpha_to_one).
    double alphaBarPrev(int t, int n) const;

    // q(z_t | z_0): sqrt(ab) z0 + sqrt(1 - ab) eps, t: [B] long (per sample).
    torch::Tensor addNoise(const torch::Tensor& z0, const torch::Tensor& eps,
                           const torch::Tensor& t) const;
    // The training target of the network at t: eps, or v = sqrt(ab) eps - sqrt(1 - ab) z0.
    torch::Tensor target(const torch::Tensor& z0, const torch::Tensor& eps,
                         const torch::Tensor& t) const;
    // x0 and eps implied by the network's output at z_t (one timestep for the batch).
    void predict(const torch::Tensor& zt, const torch::Tensor& out, int t, torch::Tensor* x0,
                 torch::Tensor* eps) const;
    // Same, with per-sample timesteps t: [B] long.
    void predict(const torch::Tensor& zt, const torch::Tensor& out, const torch::Tensor& t,
                 torch::Tensor* x0, torch::Tensor* eps) const;
    // One deterministic DDIM update (eta 0): z_prev = sqrt(ab_prev) x0 + sqrt(1 - ab_prev) eps.
    torch::Tensor step(const torch::Tensor& zt, const torch::Tensor& out, int t,
                       double alphaBarPrev) const;

private:
    torch::Tensor perSample(const torch::Tensor& t, bool sqrtOneMinus,
                            const torch::Tensor& like) const;
    DdimConfig config_;
    std::vector<double> alphasCumprod_;
};

} // namespace shiftsr
