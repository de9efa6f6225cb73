// Upscaler: runs a loaded model on one image (the official ResShift inference path).
#pragma once

#include "shiftsr/engine/model.h"
#include "shiftsr/engine/progress.h"
#include "shiftsr/engine/status.h"

#include <opencv2/core.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace shiftsr {

struct UpscaleOptions {
    int steps = 0;              // 0: the model's default; 1: one network call from x_T; T: full chain
    std::uint64_t seed = 12345; // the official inference default
    int threads = 0;            // intra-op threads; 0 = all logical cores
};

struct StageTimes {
    double pad = 0, encode = 0, decode = 0, total = 0; // seconds
    std::vector<double> unetSteps;                      // one entry per network call
    // Whole-image pipeline only: reading, tile blending, colour fix, writing (seconds).
    double read = 0, blend = 0, colorFix = 0, write = 0;
};

struct UpscaleResult {
    cv::Mat image; // same channel count and bit depth as the input (8 or 16 bit)
    StageTimes times;
    unsigned long long peakRssBytes = 0;
    std::string device;
    int threads = 0;
    int steps = 0;
};

class Upscaler {
public:
    explicit Upscaler(std::shared_ptr<const Model> model);
    // image: 8- or 16-bit, 1, 3 or 4 channels in OpenCV's BGR(A) order. Alpha is dropped here
    // (the whole-image pipeline re-attaches it). Never throws; Cancelled when job.cancel is set.
    Result<UpscaleResult> upscale(const cv::Mat& image, const UpscaleOptions& options,
                                  const JobControl& job = {}) const;
    const Model& model() const { return *model_; }

private:
    std::shared_ptr<const Model> model_;
};

} // namespace shiftsr
