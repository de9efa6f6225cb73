// ResShift eta schedule and posterior coefficients (models/gaussian_diffusion.py).
#include "shiftsr/nn/schedule.h"
#include "shiftsr/nn/json_util.h"

#include <cmath>

namespace shiftsr {

Result<ScheduleConfig> ScheduleConfig::fromJson(const nlohmann::json& j) {
    ScheduleConfig c;
    try {
        if (!j.is_object())
            return Status::error(StatusCode::InvalidFile, "schedule is not a JSON object");
        readKey(j, "schedule_name", &c.scheduleName);
        readKey(j, "steps", &c.steps);
        if (j.contains("schedule_kwargs") && j["schedule_kwargs"].is_object())
            readKey(j["schedule_kwargs"], "power", &c.power);
        readKey(j, "power", &c.power);
        readKey(j, "etas_end", &c.etasEnd);
        readKey(j, "min_noise_level", &c.minNoiseLevel);
        readKey(j, "kappa", &c.kappa);
        readKey(j, "scale_factor", &c.scaleFactor);
        readKey(j, "normalize_input", &c.normalizeInput);
        readKey(j, "latent_flag", &c.latentFlag);
        readKey(j, "predict_type", &c.predictType);
        readKey(j, "sf", &c.sf);
        int respacing = c.steps;
        readKey(j, "timestep_respacing", &respacing);
        if (respacing != c.steps)
            return Status::error(StatusCode::Unsupported,
                                 "schedule: timestep_respacing is not supported");
    } catch (const std::exception& e) {
        return Status::error(StatusCode::InvalidFile, std::string("schedule: ") + e.what());
    }
    return c;
}

nlohmann::json ScheduleConfig::toJson() const {
    return {{"schedule_name", scheduleName},
            {"steps", steps},
            {"schedule_kwargs", {{"power", power}}},
            {"etas_end", etasEnd},
            {"min_noise_level", minNoiseLevel},
            {"kappa", kappa},
            {"scale_factor", scaleFactor},
            {"normalize_input", normalizeInput},
            {"latent_flag", latentFlag},
            {"predict_type", predictType},
            {"sf", sf},
            {"weighted_mse", false},
            {"timestep_respacing", nullptr}};
}

Result<ResShiftSchedule> ResShiftSchedule::create(const ScheduleConfig& c) {
    auto bad = [](const std::string& m) {
        return Status::error(StatusCode::InvalidArgument, "schedule: " + m);
    };
    if (c.scheduleName != "exponential")
        return Status::error(StatusCode::Unsupported,
                             "schedule: only 'exponential' is supported, not '" + c.scheduleName +
                                 "'");
    if (c.steps < 2 || c.steps > 10000)
        return bad("steps must be between 2 and 10000");
    if (!(c.kappa > 0) || !(c.minNoiseLevel > 0) || !(c.etasEnd > 0) || !(c.etasEnd < 1) ||
        !(c.power > 0))
        return bad("kappa, min_noise_level, power must be positive and 0 < etas_end < 1");
    if (c.predictType != "xstart")
        return Status::error(StatusCode::Unsupported,
                             "schedule: only predict_type 'xstart' is supported");
    if (!(c.scaleFactor > 0))
        return bad("scale_factor must be positive");

    ResShiftSchedule s;
    s.config_ = c;
    const int T = c.steps;
    const double etasStart = std::min(c.minNoiseLevel / c.kappa, c.minNoiseLevel);
    const double increaser = std::exp(1.0 / (T - 1) * std::log(c.etasEnd / etasStart));
    // np.linspace(0, 1, T) ** power * (T - 1); numpy sets the last sample to exactly 1.
    const double step = 1.0 / (T - 1);
    for (int i = 0; i < T; ++i) {
        const double lin = (i == T - 1) ? 1.0 : i * step;
        const double pt = std::pow(lin, c.power) * (T - 1);
        s.sqrtEtas.push_back(std::pow(increaser, pt) * etasStart);
    }
    for (int t = 0; t < T; ++t) {
        s.etas.push_back(s.sqrtEtas[t] * s.sqrtEtas[t]);
        s.etasPrev.push_back(t == 0 ? 0.0 : s.etas[t - 1]);
        s.alpha.push_back(s.etas[t] - s.etasPrev[t]);
    }
    const double k2 = c.kappa * c.kappa;
    for (int t = 0; t < T; ++t) {
        s.posteriorVariance.push_back(k2 * s.etasPrev[t] / s.etas[t] * s.alpha[t]);
        s.posteriorMeanCoef1.push_back(s.etasPrev[t] / s.etas[t]);
        s.posteriorMeanCoef2.push_back(s.alpha[t] / s.etas[t]);
    }
    for (int t = 0; t < T; ++t) {
        s.posteriorVarianceClipped.push_back(t == 0 ? s.posteriorVariance[1]
                                                    : s.posteriorVariance[t]);
        s.posteriorLogVarianceClipped.push_back(std::log(s.posteriorVarianceClipped[t]));
    }
    return s;
}

} // namespace shiftsr
