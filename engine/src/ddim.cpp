// DDPM schedule and DDIM update (diffusers DDIMScheduler: betas, rescale_zero_terminal_snr,
// set_timesteps, step with eta 0).
#include "shiftsr/nn/ddim.h"

#include "shiftsr/nn/json_util.h"

#include <algorithm>
#include <cmath>

namespace shiftsr {

Result<DdimConfig> DdimConfig::fromJson(const nlohmann::json& j) {
    DdimConfig c;
    try {
        if (!j.is_object())
            return Status::error(StatusCode::InvalidFile, "schedule is not a JSON object");
        readKey(j, "num_train_timesteps", &c.numTrainTimesteps);
        readKey(j, "beta_schedule", &c.betaSchedule);
        readKey(j, "beta_start", &c.betaStart);
        readKey(j, "beta_end", &c.betaEnd);
        readKey(j, "prediction_type", &c.predictionType);
        readKey(j, "timestep_spacing", &c.timestepSpacing);
        readKey(j, "rescale_betas_zero_snr", &c.rescaleBetasZeroSnr);
        readKey(j, "set_alpha_to_one", &c.setAlphaToOne);
        readKey(j, "steps_offset", &c.stepsOffset);
    } catch (const std::exception& e) {
        return Status::error(StatusCode::InvalidFile, std::string("schedule: ") + e.what());
    }
    auto bad = [](const std::string& m) {
        return Status::error(StatusCode::InvalidFile, "schedule: " + m);
    };
    if (c.numTrainTimesteps < 2 || c.numTrainTimesteps > 10000)
        return bad("num_train_timesteps must be from 2 to 10000");
    if (c.betaSchedule != "linear" && c.betaSchedule != "scaled_linear")
        return bad("beta_schedule must be 'linear' or 'scaled_linear', not '" +
                   c.betaSchedule.substr(0, 40) + "'");
    if (!(c.betaStart > 0 && c.betaEnd < 1 && c.betaStart <= c.betaEnd))
        return bad("beta_start and beta_end must satisfy 0 < beta_start <= beta_end < 1");
    if (c.predictionType != "epsilon" && c.predictionType != "v_prediction")
        return bad("prediction_type must be 'epsilon' or 'v_prediction'");
    if (c.timestepSpacing != "trailing" && c.timestepSpacing != "leading" &&
        c.timestepSpacing != "linspace")
        return bad("timestep_spacing must be 'trailing', 'leading' or 'linspace'");
    if (c.rescaleBetasZeroSnr && c.predictionType == "epsilon")
        return bad("rescale_betas_zero_snr needs prediction_type 'v_prediction' (epsilon "
                   "prediction is undefined at zero signal)");
    if (c.stepsOffset < 0 || c.stepsOffset >= c.numTrainTimesteps)
        return bad("steps_offset out of range");
    return c;
}

nlohmann::json DdimConfig::toJson() const {
    return {{"num_train_timesteps", numTrainTimesteps},
            {"beta_schedule", betaSchedule},
            {"beta_start", betaStart},
            {"beta_end", betaEnd},
            {"prediction_type", predictionType},
            {"timestep_spacing", timestepSpacing},
            {"rescale_betas_zero_snr", rescaleBetasZeroSnr},
            {"set_alpha_to_one", setAlphaToOne},
            {"steps_offset", stepsOffset}};
}

Result<DdimSchedule> DdimSchedule::create(const DdimConfig& c) {
    auto checked = DdimConfig::fromJson(c.toJson());
    if (!checked)
        return checked.status();
    DdimSchedule s;
    s.config_ = c;
    const int n = c.numTrainTimesteps;
    std::vector<double> betas(n);
    for (int i = 0; i < n; ++i) {
        const double f = n == 1 ? 0.0 : double(i) / double(n - 1);
        if (c.betaSchedule == "linear") {
            betas[i] = c.betaStart + f * (c.betaEnd - c.betaStart);
        } else { // scaled_linear: linspace of the square roots, squared
            const double r =
                std::sqrt(c.betaStart) + f * (std::sqrt(c.betaEnd) - std::sqrt(c.betaStart));
            betas[i] = r * r;
        }
    }
    if (c.rescaleBetasZeroSnr) {
        // rescale_zero_terminal_snr: shift and scale sqrt(alpha_bar) so that the last is 0 and
        // the first unchanged, then recover the betas.
        std::vector<double> sq(n);
        double prod = 1;
        for (int i = 0; i < n; ++i) {
            prod *= 1.0 - betas[i];
            sq[i] = std::sqrt(prod);
        }
        const double first = sq.front(), last = sq.back();
        for (double& v : sq)
            v = (v - last) * first / (first - last);
        std::vector<double> ab(n);
        for (int i = 0; i < n; ++i)
            ab[i] = sq[i] * sq[i];
        for (int i = n - 1; i > 0; --i)
            betas[i] = 1.0 - ab[i] / ab[i - 1];
        betas[0] = 1.0 - ab[0];
    }
    s.alphasCumprod_.resize(n);
    double prod = 1;
    for (int i = 0; i < n; ++i) {
        prod *= 1.0 - betas[i];
        s.alphasCumprod_[i] = prod;
    }
    if (c.rescaleBetasZeroSnr)
        s.alphasCumprod_.back() = 0.0; // exactly, not 1e-17
    return s;
}

std::vector<int> DdimSchedule::timesteps(int n) const {
    const int T = config_.numTrainTimesteps;
    n = std::clamp(n, 1, T);
    std::vector<int> ts;
    if (config_.timestepSpacing == "trailing") {
        // np.round(np.arange(T, 0, -T / n)) - 1
        const double ratio = double(T) / n;
        for (int i = 0; i < n; ++i)
            ts.push_back(int(std::nearbyint(T - i * ratio)) - 1); // numpy rounds half to even
    } else if (config_.timestepSpacing == "leading") {
        const int ratio = T / n;
        for (int i = n - 1; i >= 0; --i)
            ts.push_back(i * ratio + config_.stepsOffset);
    } else { // linspace(0, T-1, n) rounded, descending
        for (int i = n - 1; i >= 0; --i)
            ts.push_back(int(std::nearbyint(n == 1 ? 0.0 : double(T - 1) * i / (n - 1))));
    }
    for (int& t : ts)
        t = std::clamp(t, 0, T - 1);
    return ts;
}

double DdimSchedule::alphaBarPrev(int t, int n) const {
    const auto ts = timesteps(n);
    const auto it = std::find(ts.begin(), ts.end(), t);
    if (it == ts.end() || it + 1 == ts.end())
        return config_.setAlphaToOne ? 1.0 : alphasCumprod_.front();
    return alphasCumprod_.at(*(it + 1));
}

torch::Tensor DdimSchedule::perSample(const torch::Tensor& t, bool sqrtOneMinus,
                                      const torch::Tensor& like) const {
    auto tc = t.to(torch::kCPU, torch::kLong).contiguous();
    std::vector<float> v(size_t(tc.numel()));
    const int64_t* p = tc.data_ptr<int64_t>();
    for (size_t i = 0; i < v.size(); ++i) {
        const double ab = alphasCumprod_.at(
            size_t(std::clamp<int64_t>(p[i], 0, int64_t(alphasCumprod_.size()) - 1)));
        v[i] = float(sqrtOneMinus ? std::sqrt(1.0 - ab) : std::sqrt(ab));
    }
    std::vector<int64_t> shape(size_t(like.dim()), 1);
    shape[0] = int64_t(v.size());
    return torch::tensor(v, torch::kFloat).view(shape).to(like.device(), like.scalar_type());
}

torch::Tensor DdimSchedule::addNoise(const torch::Tensor& z0, const torch::Tensor& eps,
                                     const torch::Tensor& t) const {
    return perSample(t, false, z0) * z0 + perSample(t, true, z0) * eps;
}

torch::Tensor DdimSchedule::target(const torch::Tensor& z0, const torch::Tensor& eps,
                                   const torch::Tensor& t) const {
    if (config_.predictionType == "epsilon")
        return eps;
    return perSample(t, false, z0) * eps - perSample(t, true, z0) * z0;
}

void DdimSchedule::predict(const torch::Tensor& zt, const torch::Tensor& out,
                           const torch::Tensor& t, torch::Tensor* x0, torch::Tensor* eps) const {
    const auto a = perSample(t, false, zt), b = perSample(t, true, zt);
    if (config_.predictionType == "epsilon") {
        // Undefined at alpha_bar = 0; the config refuses epsilon with a zero-SNR schedule.
        if (x0)
            *x0 = (zt - b * out) / a.clamp_min(1e-8);
        if (eps)
            *eps = out;
    } else {
        if (x0)
            *x0 = a * zt - b * out;
        if (eps)
            *eps = a * out + b * zt;
    }
}

void DdimSchedule::predict(const torch::Tensor& zt, const torch::Tensor& out, int t,
                           torch::Tensor* x0, torch::Tensor* eps) const {
    predict(zt, out, torch::full({zt.size(0)}, int64_t(t), torch::kLong), x0, eps);
}

torch::Tensor DdimSchedule::step(const torch::Tensor& zt, const torch::Tensor& out, int t,
                                 double alphaBarPrev) const {
    torch::Tensor x0, eps;
    predict(zt, out, t, &x0, &eps);
    return float(std::sqrt(alphaBarPrev)) * x0 + float(std::sqrt(1.0 - alphaBarPrev)) * eps;
}

} // namespace shiftsr
