// The ResShift noise schedule (GaussianDiffusion of the official code), computed in float64.
#pragma once

#include "shiftsr/engine/status.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace shiftsr {

// create_gaussian_diffusion arguments, under the official YAML key names.
struct ScheduleConfig {
    std::string scheduleName = "exponential";
    int steps = 4;      // T
    double power = 0.3; // schedule_kwargs.power
    double etasEnd = 0.99;
    double minNoiseLevel = 0.2;
    double kappa = 2.0;
    double scaleFactor = 1.0;
    bool normalizeInput = true;
    bool latentFlag = true;
    std::string predictType = "xstart";
    int sf = 4;

    static Result<ScheduleConfig> fromJson(const nlohmann::json& j);
    nlohmann::json toJson() const;
};

class ResShiftSchedule {
public:
    static Result<ResShiftSchedule> create(const ScheduleConfig& config);

    const ScheduleConfig& config() const { return config_; }
    int steps() const { return config_.steps; }
    double kappa() const { return config_.kappa; }

    // Arrays indexed by t = 0 .. T-1, float64 as in the official numpy code.
    std::vector<double> sqrtEtas, etas, etasPrev, alpha, posteriorVariance,
        posteriorVarianceClipped, posteriorLogVarianceClipped, posteriorMeanCoef1,
        posteriorMeanCoef2;

    // Values as the official code applies them: looked up in float64, then cast to float32.
    float f32(const std::vector<double>& arr, int t) const { return static_cast<float>(arr.at(t)); }

private:
    ScheduleConfig config_;
};

} // namespace shiftsr
