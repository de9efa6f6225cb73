// Reference upscalers for evaluation. Real-ESRGAN's compact network (SRVGGNetCompact: a chain of
// 3x3 convolutions with PReLU, a pixel shuffle and the nearest-neighbour upscaled input added)
// read from its ncnn files (.param + .bin, as Upscayl ships realesrgan-x4fast) and run in fp32
// with LibTorch on the CPU, so that the reference's figures do not depend on a Vulkan driver's
// half-precision arithmetic. Only that layer sequence is accepted; anything else is refused.
#pragma once

#include "shiftsr/engine/status.h"

#include <opencv2/core.hpp>

#include <memory>
#include <string>

namespace shiftsr {

class CompactReference {
public:
    // `param`: the .param file; the weights are read from the .bin beside it (same stem).
    static Result<std::shared_ptr<const CompactReference>> loadNcnn(const std::string& param);
    ~CompactReference();
    // 8-bit BGR (or gray) in, 8-bit BGR out, `scale` times larger. `threads` 0 = all cores.
    Result<cv::Mat> upscale(const cv::Mat& bgr8, int threads = 0) const;
    int scale() const;
    int convolutions() const;

    struct Impl;
    explicit CompactReference(std::unique_ptr<Impl> impl);

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace shiftsr
