// The Real-ESRGAN degradation pipeline: option checks, and RealEsrganDegradation::degrade, which
// chains the kernels, resizes, noise and JPEG of the other degradation_*.cpp files in the order
// and with the draws of the official RealESRGANDataset and trainer.
#include "shiftsr/training/degradation.h"

#include "degradation_internal.h"
#include "random.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace shiftsr::training {

using detail::addRandomNoise;
using detail::blur;
using detail::drawKernelSize;
using detail::jpegInPlace;
using detail::kPi;
using detail::uniform;
using detail::uniform01;
using detail::uniformIndex;

namespace {

void drawResize(const DegradationStageOptions& o, std::mt19937_64& rng, ResizeRecord& rec) {
    const size_t dir = detail::weightedChoice(rng, o.resizeProb);
    rec.direction = dir == 0   ? ResizeDirection::Up
                    : dir == 1 ? ResizeDirection::Down
                               : ResizeDirection::Keep;
    if (rec.direction == ResizeDirection::Up)
        rec.scale = uniform(rng, 1.0, o.resizeRange.max);
    else if (rec.direction == ResizeDirection::Down)
        rec.scale = uniform(rng, o.resizeRange.min, 1.0);
    else
        rec.scale = 1.0;
    rec.mode = ResizeMode(uniformIndex(rng, 3));
}

ResizeMode drawMode(std::mt19937_64& rng) {
    return ResizeMode(uniformIndex(rng, 3));
}

Status checkProb(double p, const char* name) {
    if (!(p >= 0 && p <= 1))
        return Status::error(StatusCode::InvalidArgument,
                             std::string(name) + " must be a probability in [0, 1], got " +
                                 std::to_string(p));
    return Status::ok();
}

Status checkRange(const Range& r, double lo, double hi, const std::string& name) {
    if (!(r.min >= lo && r.max <= hi && r.min <= r.max))
        return Status::error(StatusCode::InvalidArgument,
                             name + " must satisfy " + std::to_string(lo) +
                                 " <= min <= max <= " + std::to_string(hi) + ", got [" +
                                 std::to_string(r.min) + ", " + std::to_string(r.max) + "]");
    return Status::ok();
}

Status checkKernel(const BlurKernelOptions& k, const std::string& name) {
    if (k.kernelSize < 5 || k.kernelSize > 63 || k.kernelSize % 2 == 0)
        return Status::error(StatusCode::InvalidArgument,
                             name + ".kernelSize must be odd and within 5..63, got " +
                                 std::to_string(k.kernelSize));
    double total = 0;
    for (double p : k.kernelProb) {
        if (!(p >= 0))
            return Status::error(StatusCode::InvalidArgument,
                                 name + ".kernelProb must not be negative");
        total += p;
    }
    if (!(total > 0))
        return Status::error(StatusCode::InvalidArgument, name + ".kernelProb sums to zero");
    Status s = checkProb(k.sincProb, (name + ".sincProb").c_str());
    if (s)
        s = checkRange(k.sigma, 1e-3, 100, name + ".sigma");
    if (s)
        s = checkRange(k.betaG, 1e-3, 100, name + ".betaG");
    if (s)
        s = checkRange(k.betaP, 1e-3, 100, name + ".betaP");
    return s;
}

Status checkStage(const DegradationStageOptions& o, const std::string& name) {
    double total = 0;
    for (double p : o.resizeProb) {
        if (!(p >= 0))
            return Status::error(StatusCode::InvalidArgument,
                                 name + ".resizeProb must not be negative");
        total += p;
    }
    if (!(total > 0))
        return Status::error(StatusCode::InvalidArgument, name + ".resizeProb sums to zero");
    Status s = checkRange(o.resizeRange, 0.01, 1e6, name + ".resizeRange");
    if (s && !(o.resizeRange.min <= 1 && o.resizeRange.max >= 1))
        s = Status::error(StatusCode::InvalidArgument, name + ".resizeRange must contain 1");
    if (s)
        s = checkProb(o.gaussianNoiseProb, (name + ".gaussianNoiseProb").c_str());
    if (s)
        s = checkRange(o.noiseRange, 0, 255, name + ".noiseRange");
    if (s)
        s = checkRange(o.poissonScaleRange, 0, 100, name + ".poissonScaleRange");
    if (s)
        s = checkProb(o.grayNoiseProb, (name + ".grayNoiseProb").c_str());
    if (s)
        s = checkRange(o.jpegRange, 1, 100, name + ".jpegRange");
    return s;
}

} // namespace

Status DegradationOptions::validate() const {
    if (scale < 1 || scale > 16)
        return Status::error(StatusCode::InvalidArgument,
                             "degradation scale must be within 1..16, got " +
                                 std::to_string(scale));
    Status s = checkKernel(kernel1, "kernel1");
    if (s)
        s = checkKernel(kernel2, "kernel2");
    if (s)
        s = checkStage(stage1, "stage1");
    if (s)
        s = checkStage(stage2, "stage2");
    if (s)
        s = checkProb(secondOrderProb, "secondOrderProb");
    if (s)
        s = checkProb(secondBlurProb, "secondBlurProb");
    if (s)
        s = checkProb(finalSincProb, "finalSincProb");
    return s.withContext("degradation options");
}

RealEsrganDegradation::RealEsrganDegradation(DegradationOptions options)
    : options_(std::move(options)) {
    if (Status s = options_.validate(); !s)
        throw std::invalid_argument(s.message());
}

cv::Mat RealEsrganDegradation::degrade(const cv::Mat& hr, std::mt19937_64& rng,
                                       DegradationRecord* record) const {
    const DegradationOptions& o = options_;
    const int sf = o.scale;
    if (hr.empty() || hr.type() != CV_32FC3 || hr.rows % sf != 0 || hr.cols % sf != 0)
        throw std::invalid_argument("degrade: expects a CV_32FC3 image whose sides are multiples "
                                    "of the scale (" +
                                    std::to_string(sf) + "), got " + std::to_string(hr.cols) + "x" +
                                    std::to_string(hr.rows));
    const cv::Size lqSize(hr.cols / sf, hr.rows / sf);
    DegradationRecord rec;
    cv::Mat out;

    if (o.bicubicOnly) {
        rec.bicubicOnly = true;
        out = resizeMatlabBicubic(hr, lqSize);
    } else {
        // Kernels first, as RealESRGANDataset.__getitem__ draws them before the trainer degrades.
        const cv::Mat k1 = randomBlurKernel(o.kernel1, rng, &rec.kernel1);
        const cv::Mat k2 = randomBlurKernel(o.kernel2, rng, &rec.kernel2);
        cv::Mat sinc;
        if (uniform01(rng) < o.finalSincProb) {
            rec.finalSinc.type = KernelType::Sinc;
            rec.finalSinc.size = drawKernelSize(o.kernel2.kernelSize, rng);
            rec.finalSinc.omega = uniform(rng, kPi / 3, kPi);
            sinc = circularLowpassKernel(rec.finalSinc.omega, rec.finalSinc.size,
                                         o.kernel2.kernelSize);
        }

        // First order: blur, resize by a factor, noise, JPEG.
        out = hr.clone();
        blur(out, k1);
        drawResize(o.stage1, rng, rec.resize1);
        rec.resize1.size = cv::Size(std::max(1, int(std::floor(hr.cols * rec.resize1.scale))),
                                    std::max(1, int(std::floor(hr.rows * rec.resize1.scale))));
        out = resizeLikeTorch(out, rec.resize1.size, rec.resize1.mode, rec.resize1.scale);
        addRandomNoise(out, o.stage1, rng, rec.noise1);
        rec.jpegQuality1 = uniform(rng, o.stage1.jpegRange.min, o.stage1.jpegRange.max);
        jpegInPlace(out, rec.jpegQuality1);

        // Second order: optional blur, resize to a size relative to the LQ target, noise.
        rec.secondOrder = uniform01(rng) < o.secondOrderProb;
        if (rec.secondOrder) {
            rec.secondBlur = uniform01(rng) < o.secondBlurProb;
            if (rec.secondBlur)
                blur(out, k2);
            drawResize(o.stage2, rng, rec.resize2);
            rec.resize2.size = cv::Size(std::max(1, int(double(hr.cols) / sf * rec.resize2.scale)),
                                        std::max(1, int(double(hr.rows) / sf * rec.resize2.scale)));
            out = resizeLikeTorch(out, rec.resize2.size, rec.resize2.mode);
            addRandomNoise(out, o.stage2, rng, rec.noise2);
        }

        // Final: [resize to the LQ size + sinc] and JPEG, in a random order.
        rec.finalResize.size = lqSize;
        rec.finalResize.scale = double(lqSize.width) / out.cols;
        rec.resizeBeforeFinalJpeg = uniform01(rng) < 0.5;
        auto resizeAndSinc = [&]() {
            rec.finalResize.mode = drawMode(rng);
            out = resizeLikeTorch(out, lqSize, rec.finalResize.mode);
            if (!sinc.empty())
                blur(out, sinc);
        };
        if (rec.resizeBeforeFinalJpeg) {
            resizeAndSinc();
            rec.jpegQuality2 = uniform(rng, o.stage2.jpegRange.min, o.stage2.jpegRange.max);
            jpegInPlace(out, rec.jpegQuality2);
        } else {
            rec.jpegQuality2 = uniform(rng, o.stage2.jpegRange.min, o.stage2.jpegRange.max);
            jpegInPlace(out, rec.jpegQuality2);
            resizeAndSinc();
        }
    }

    // clamp(round(x * 255), 0, 255) / 255; saturate_cast rounds half to even like torch.round.
    cv::Mat u8, lq;
    out.convertTo(u8, CV_8U, 255.0);
    u8.convertTo(lq, CV_32F, 1.0 / 255.0);
    if (record)
        *record = rec;
    return lq;
}

} // namespace shiftsr::training
