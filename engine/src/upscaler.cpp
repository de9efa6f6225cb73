// Upscaler: one image through a loaded model.
#include "shiftsr/engine/upscaler.h"

#include "shiftsr/nn/device.h"
#include "shiftsr/nn/image_tensor.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/sampler.h"

#include <chrono>

namespace shiftsr {

Upscaler::Upscaler(std::shared_ptr<const Model> model) : model_(std::move(model)) {}

Result<UpscaleResult> Upscaler::upscale(const cv::Mat& image, const UpscaleOptions& options,
                                        const JobControl& job) const {
    if (image.empty())
        return Status::error(StatusCode::InvalidArgument, "the image is empty");
    if (image.depth() != CV_8U && image.depth() != CV_16U)
        return Status::error(StatusCode::Unsupported, "only 8- and 16-bit images are supported");
    if (image.channels() != 1 && image.channels() != 3 && image.channels() != 4)
        return Status::error(StatusCode::Unsupported, "only gray, RGB and RGBA images are supported");
    const auto& m = model_->impl();
    const int T = m.schedule->steps();
    const int steps = options.steps == 0 ? m.arch.steps : options.steps;
    if (steps != 1 && steps != T)
        return Status::error(StatusCode::InvalidArgument,
                             "this model runs with 1 or " + std::to_string(T) + " steps, not " +
                                 std::to_string(steps));
    if (image.rows < 2 || image.cols < 2)
        return Status::error(StatusCode::InvalidArgument, "the image is too small (at least 2x2 pixels)");

    std::lock_guard<std::mutex> lock(m.runMutex);
    UpscaleResult result;
    result.threads = device::setThreads(options.threads);
    result.device = device::describe(m.device);
    result.steps = steps;
    const auto t0 = std::chrono::steady_clock::now();
    try {
        device::InferenceGuard guard;
        auto lq = (matToTensor01(image).to(m.device) - 0.5) / 0.5;
        SeededNoise noise(options.seed);
        DiffusionParts parts{m.unet.get(), m.codec.get(), m.schedule.get(), m.arch.paddingOffset, m.arch.degridSigma};
        SampleOptions so;
        so.mode = steps == 1 ? SamplerMode::OneStep : SamplerMode::MultiStep;
        so.extraNoiseChannels = m.arch.unet.extraInputChannels;
        SampleTimings timings;
        auto sr = superResolve(parts, lq, noise, so, job, nullptr, &timings);
        result.image = tensor01ToMat(sr * 0.5 + 0.5, image.depth());
        result.times.encode = timings.encode;
        result.times.decode = timings.decode;
        result.times.unetSteps = timings.steps;
    } catch (const Cancelled&) {
        return Status::error(StatusCode::Cancelled, "cancelled");
    } catch (const c10::Error& e) {
        const std::string what = e.what_without_backtrace();
        if (what.find("out of memory") != std::string::npos || what.find("DefaultCPUAllocator") != std::string::npos)
            return Status::error(StatusCode::OutOfMemory, "out of memory while upscaling: use a smaller tile or image");
        return Status::error(StatusCode::Internal, what);
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory, "out of memory while upscaling");
    } catch (const std::exception& e) {
        return Status::error(StatusCode::Internal, e.what());
    }
    result.times.total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result.peakRssBytes = device::peakRssBytes();
    return result;
}

} // namespace shiftsr
