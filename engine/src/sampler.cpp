// ResShift sampling (GaussianDiffusion.p_sample_loop / ResShiftSampler.sample_func).
#include "shiftsr/nn/sampler.h"

#include "shiftsr/nn/degrid.h"
#include "shiftsr/nn/device.h"

#include <chrono>
#include <cmath>

namespace shiftsr {

namespace F = torch::nn::functional;

SeededNoise::SeededNoise(uint64_t seed) : gen_(at::detail::createCPUGenerator(seed)) {}

torch::Tensor SeededNoise::next(at::IntArrayRef shape, const torch::TensorOptions& options) {
    auto cpu = at::randn(shape, gen_, torch::TensorOptions().dtype(torch::kFloat));
    return cpu.to(options.device(), options.dtype().toScalarType());
}

torch::Tensor SuppliedNoise::next(at::IntArrayRef shape, const torch::TensorOptions& options) {
    TORCH_CHECK(!queue_.empty(), "supplied noise exhausted");
    auto t = queue_.front();
    queue_.pop_front();
    TORCH_CHECK(t.sizes() == shape, "supplied noise has shape ", t.sizes(), " but ", shape,
                " is needed");
    return t.to(options.device(), options.dtype().toScalarType());
}

torch::Tensor scaleModelInput(const ResShiftSchedule& s, const torch::Tensor& x, int t) {
    const auto& c = s.config();
    if (!c.normalizeInput)
        return x;
    if (c.latentFlag) {
        // float32 arithmetic, as th.sqrt(eta_f32 * kappa**2 + 1)
        const float std = std::sqrt(s.f32(s.etas, t) * float(c.kappa * c.kappa) + 1.0f);
        return x / std;
    }
    const float mx = s.f32(s.sqrtEtas, t) * float(c.kappa) * 3.0f + 1.0f;
    return x / mx;
}

torch::Tensor priorSample(const ResShiftSchedule& s, const torch::Tensor& zY,
                          const torch::Tensor& eps) {
    const int T = s.steps();
    const float c = static_cast<float>(s.kappa() * s.sqrtEtas[T - 1]);
    return zY + c * eps;
}

namespace {
class StageClock {
public:
    explicit StageClock(const torch::Device& d) : device_(d) { start(); }
    void start() {
        device::synchronize(device_);
        t0_ = std::chrono::steady_clock::now();
    }
    double lap() {
        device::synchronize(device_);
        auto now = std::chrono::steady_clock::now();
        const double s = std::chrono::duration<double>(now - t0_).count();
        t0_ = now;
        return s;
    }

private:
    torch::Device device_;
    std::chrono::steady_clock::time_point t0_;
};
} // namespace

// Progress within a network call: the UNet reports each block done through the run state,
// mapped onto [from, to] of the caller's progress (one call on a large CPU tile takes seconds).
class BlockProgress {
public:
    BlockProgress(const JobControl& job, nn::RunState* state)
        : job_(job), state_(job.progress ? state : nullptr) {}
    ~BlockProgress() {
        if (state_)
            state_->blockDone = nullptr;
    }
    void within(double from, double to, const std::string& stage) {
        if (state_)
            state_->blockDone = [this, from, to, stage](double f) {
                job_.report(from + (to - from) * f, stage);
            };
    }

private:
    const JobControl& job_;
    nn::RunState* state_;
};

static torch::Tensor timesteps(int t, int64_t batch, const torch::Device& device) {
    return torch::full({batch}, t, torch::TensorOptions().dtype(torch::kLong).device(device));
}

torch::Tensor sampleLatent(const DiffusionParts& p, const torch::Tensor& xT,
                           const torch::Tensor& lq, NoiseSource& noise, const SampleOptions& o,
                           const JobControl& job, SampleTrace* trace, SampleTimings* timings) {
    const auto& s = *p.schedule;
    StageClock clock(xT.device());
    const int T = s.steps();
    const int64_t B = xT.size(0);
    BlockProgress blockProgress(job, p.unetState);
    auto within = [&](double from, double to, const std::string& stage) {
        blockProgress.within(from, to, stage);
    };
    auto callUnet = [&](const torch::Tensor& x, int t) {
        auto in = scaleModelInput(s, x, t);
        if (trace)
            trace->stepModelIn.push_back(in);
        if (o.extraNoiseChannels > 0) {
            auto extra =
                noise.next({B, o.extraNoiseChannels, in.size(2), in.size(3)}, in.options());
            in = torch::cat({in, extra}, 1);
        }
        return p.unet->forward(in, timesteps(t, B, x.device()), lq, p.unetState);
    };

    if (o.mode == SamplerMode::OneStep) {
        if (job.cancelled())
            throw Cancelled();
        job.report(0.0, "step 1/1");
        within(0.0, 1.0, "step 1/1");
        if (trace)
            trace->stepX.push_back(xT);
        clock.start();
        auto pred = callUnet(xT, T - 1);
        if (timings)
            timings->steps.push_back(clock.lap());
        if (trace)
            trace->stepPredX0.push_back(pred);
        job.report(1.0, "step 1/1");
        return pred;
    }

    torch::Tensor x = xT;
    for (int k = 0; k < T; ++k) {
        const int t = T - 1 - k;
        if (job.cancelled())
            throw Cancelled();
        const std::string stage = "step " + std::to_string(k + 1) + "/" + std::to_string(T);
        job.report(double(k) / T, stage);
        within(double(k) / T, double(k + 1) / T, stage);
        if (trace)
            trace->stepX.push_back(x);
        clock.start();
        auto pred = callUnet(x, t);
        auto mean = s.f32(s.posteriorMeanCoef1, t) * x + s.f32(s.posteriorMeanCoef2, t) * pred;
        // A fresh eps is drawn at every step, also at t == 0 where it is multiplied by 0.
        auto eps = noise.next(x.sizes(), x.options());
        if (t != 0) {
            const float sd = std::exp(0.5f * s.f32(s.posteriorLogVarianceClipped, t));
            x = mean + sd * eps;
        } else {
            x = mean;
        }
        if (timings)
            timings->steps.push_back(clock.lap());
        if (trace) {
            trace->stepPredX0.push_back(pred);
            trace->stepMean.push_back(mean);
            trace->stepZ.push_back(x);
        }
    }
    job.report(1.0, "sampling done");
    return x;
}

torch::Tensor padToMultiple(const torch::Tensor& image, int64_t off) {
    torch::Tensor y0 = image;
    const int64_t H = image.size(2), W = image.size(3);
    const int64_t padH = (H + off - 1) / off * off - H, padW = (W + off - 1) / off * off - W;
    // Reflect padding as the official sampler (one pad when it is shorter than the image); an image
    // smaller than that is reflected repeatedly, and a 1-pixel side is replicated.
    for (int64_t restH = padH, restW = padW; restH > 0 || restW > 0;) {
        const int64_t ph = std::min(restH, y0.size(2) - 1), pw = std::min(restW, y0.size(3) - 1);
        if (ph == 0 && pw == 0) {
            y0 = F::pad(y0, F::PadFuncOptions({0, restW, 0, restH}).mode(torch::kReplicate));
            break;
        }
        y0 = F::pad(y0, F::PadFuncOptions({0, pw, 0, ph}).mode(torch::kReflect));
        restH -= ph;
        restW -= pw;
    }
    return y0;
}

static torch::Tensor bicubicUp(const torch::Tensor& image, int sf) {
    return F::interpolate(image, F::InterpolateFuncOptions()
                                     .scale_factor(std::vector<double>{double(sf), double(sf)})
                                     .mode(torch::kBicubic)
                                     .align_corners(false));
}

// YONOS-SR: DDIM from pure noise, conditioned on the encoded bicubic upsampling of the input.
static torch::Tensor superResolveYonos(const DiffusionParts& p, const torch::Tensor& lqM11,
                                       NoiseSource& noise, const JobControl& job,
                                       SampleTrace* trace, SampleTimings* timings) {
    const DdimSchedule& s = *p.ddim;
    StageClock clock(lqM11.device());
    const int sf = p.scale;
    const int64_t H = lqM11.size(2), W = lqM11.size(3);
    auto y0 = padToMultiple(lqM11, p.paddingOffset);
    if (job.cancelled())
        throw Cancelled();
    job.report(0.0, "encode");
    auto lqUp = bicubicUp(y0, sf);
    auto cond = p.codec->encode(lqUp);
    if (timings)
        timings->encode = clock.lap();
    auto z = noise.next(cond.sizes(), cond.options());
    if (trace) {
        trace->lqPadded = y0;
        trace->lqUp = lqUp;
        trace->zY = cond;
        trace->xT = z;
    }
    const std::vector<int> ts = s.timesteps(p.ddimSteps);
    const int n = int(ts.size());
    BlockProgress blockProgress(job, p.unetState);
    torch::Tensor x0;
    for (int k = 0; k < n; ++k) {
        if (job.cancelled())
            throw Cancelled();
        const std::string stage = "step " + std::to_string(k + 1) + "/" + std::to_string(n);
        const double from = 0.1 + 0.8 * k / n, to = 0.1 + 0.8 * (k + 1) / n;
        job.report(from, stage);
        blockProgress.within(from, to, stage);
        if (trace)
            trace->stepX.push_back(z);
        clock.start();
        const int t = ts[size_t(k)];
        auto in = torch::cat({z, cond}, 1);
        if (trace)
            trace->stepModelIn.push_back(in);
        auto out = p.sdUnet->forward(
            in, torch::full({in.size(0)}, int64_t(t), in.options().dtype(torch::kLong)),
            p.unetState);
        torch::Tensor eps;
        s.predict(z, out, t, &x0, &eps);
        const double abPrev = s.alphaBarPrev(t, n);
        z = float(std::sqrt(abPrev)) * x0 + float(std::sqrt(1.0 - abPrev)) * eps;
        if (timings)
            timings->steps.push_back(clock.lap());
        if (trace) {
            trace->stepPredX0.push_back(x0);
            trace->stepZ.push_back(z);
        }
    }
    if (job.cancelled())
        throw Cancelled();
    job.report(0.9, "decode");
    clock.start();
    auto decoded = p.codec->decode(z);
    if (timings)
        timings->decode = clock.lap();
    if (trace) {
        trace->zFinal = z;
        trace->decoded = decoded;
    }
    if (decoded.size(2) != H * sf || decoded.size(3) != W * sf)
        decoded = decoded.slice(2, 0, H * sf).slice(3, 0, W * sf);
    job.report(1.0, "done");
    return decoded.clamp(-1.0, 1.0);
}

torch::Tensor superResolve(const DiffusionParts& p, const torch::Tensor& lqM11, NoiseSource& noise,
                           const SampleOptions& o, const JobControl& job, SampleTrace* trace,
                           SampleTimings* timings) {
    if (p.sdUnet)
        return superResolveYonos(p, lqM11, noise, job, trace, timings);
    const auto& s = *p.schedule;
    StageClock clock(lqM11.device());
    const int sf = s.config().sf;
    const int64_t H = lqM11.size(2), W = lqM11.size(3);
    torch::Tensor y0 = padToMultiple(lqM11, p.paddingOffset);
    const bool padded = y0.size(2) != H || y0.size(3) != W;
    if (job.cancelled())
        throw Cancelled();
    job.report(0.0, "encode");
    auto lqUp = bicubicUp(y0, sf);
    auto zY = p.codec->encode(lqUp) * float(s.config().scaleFactor);
    if (timings)
        timings->encode = clock.lap();
    auto xT = priorSample(s, zY, noise.next(zY.sizes(), zY.options()));
    if (trace) {
        trace->lqPadded = y0;
        trace->lqUp = lqUp;
        trace->zY = zY;
        trace->xT = xT;
    }
    JobControl inner;
    inner.cancel = job.cancel;
    if (job.progress)
        inner.progress = [&job](double f, const std::string& stage) {
            job.report(0.1 + 0.8 * f, stage);
        };
    auto z = sampleLatent(p, xT, y0, noise, o, inner, trace, timings);
    if (job.cancelled())
        throw Cancelled();
    if (p.degridSigma > 0)
        z = degridLatent(z, zY, p.codec->factor(), p.degridSigma);
    job.report(0.9, "decode");
    clock.start();
    auto decoded = p.codec->decode(z * float(1.0 / s.config().scaleFactor));
    if (timings)
        timings->decode = clock.lap();
    if (trace) {
        trace->zFinal = z;
        trace->decoded = decoded;
    }
    if (padded)
        decoded = decoded.slice(2, 0, H * sf).slice(3, 0, W * sf);
    job.report(1.0, "done");
    return decoded.clamp(-1.0, 1.0);
}

} // namespace shiftsr
