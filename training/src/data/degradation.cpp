// Real-ESRGAN degradation: kernels, PyTorch-compatible resizes, noise, JPEG and the pipeline.
#include "shiftsr/training/degradation.h"

#include "random.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace shiftsr::training {

using detail::uniform;
using detail::uniform01;
using detail::uniformIndex;

namespace {

constexpr double kPi = 3.14159265358979323846;

void requireOddSize(int size, const char* what) {
    if (size < 1 || size % 2 == 0)
        throw std::invalid_argument(std::string(what) +
                                    ": kernel size must be odd and positive, got " +
                                    std::to_string(size));
}

bool isIsotropic(KernelType t) {
    return t == KernelType::Isotropic || t == KernelType::GeneralizedIsotropic ||
           t == KernelType::PlateauIsotropic;
}

// Bessel J1 by the trapezoid rule on J1(x) = 1/(2 pi) * integral over one period of
// cos(t - x sin t): exact to rounding once the point count well exceeds x (here x < 50).
// std::cyl_bessel_j is not usable from worker threads: libstdc++ computes it with lgamma(),
// which writes the global signgam (a data race ThreadSanitizer reports).
double besselJ1(double x) {
    const int n = 128 + 2 * int(std::abs(x));
    double sum = 0;
    for (int k = 0; k < n; ++k) {
        const double t = 2 * kPi * k / n;
        sum += std::cos(t - x * std::sin(t));
    }
    return sum / n;
}

cv::Mat padKernel(const cv::Mat& k, int padTo) {
    if (padTo <= k.rows)
        return k;
    const int p = (padTo - k.rows) / 2;
    cv::Mat out;
    cv::copyMakeBorder(k, out, p, p, p, p, cv::BORDER_CONSTANT, cv::Scalar(0));
    return out;
}

cv::Mat normalised(const cv::Mat& k64) {
    const double total = cv::sum(k64)[0];
    cv::Mat out;
    k64.convertTo(out, CV_32F, 1.0 / total);
    return out;
}

// One of 3, 5, ..., kernelSize-2: Python's range(3, kernelSize, 2).
int drawKernelSize(int kernelSize, std::mt19937_64& rng) {
    const int count = (kernelSize - 3) / 2;
    return 3 + 2 * int(uniformIndex(rng, std::uint64_t(count)));
}

// The drawn kernel without its zero padding (the padding is symmetric, so it stays centred).
cv::Mat cropToSupport(const cv::Mat& k) {
    const int r = k.rows / 2;
    int reach = 0;
    for (int i = 0; i < k.rows; ++i)
        for (int j = 0; j < k.cols; ++j)
            if (k.at<float>(i, j) != 0.f)
                reach = std::max(reach, std::max(std::abs(i - r), std::abs(j - r)));
    return k(cv::Rect(r - reach, r - reach, 2 * reach + 1, 2 * reach + 1)).clone();
}

// Correlation with reflect-101 borders: basicsr filter2D pads with mode='reflect' and runs
// F.conv2d, which does not flip the kernel; cv::filter2D does not flip it either.
// From 130 taps on, cv::filter2D switches to a DFT that is 3-8x slower than its direct path on
// these image sizes (measured: 13x13 takes 9 ms on 256x256x3, 11x11 0.9 ms), so large kernels
// are applied as column slices of at most 121 taps over a pre-padded image and summed.
void blur(cv::Mat& img, const cv::Mat& kernel) {
    constexpr int kDirectTaps = 121;
    const cv::Mat k = cropToSupport(kernel);
    cv::Mat out;
    if (int(k.total()) <= kDirectTaps) {
        cv::filter2D(img, out, CV_32F, k, cv::Point(-1, -1), 0, cv::BORDER_REFLECT_101);
        img = out;
        return;
    }
    const int r = k.rows / 2;
    cv::Mat padded;
    cv::copyMakeBorder(img, padded, r, r, r, r, cv::BORDER_REFLECT_101);
    const int sliceCols = std::max(1, kDirectTaps / k.rows);
    out = cv::Mat::zeros(img.size(), CV_32FC(img.channels()));
    for (int c0 = 0; c0 < k.cols; c0 += sliceCols) {
        const cv::Mat slice = k.colRange(c0, std::min(k.cols, c0 + sliceCols)).clone();
        // Anchor (0, 0): output (y, x) of the slice reads padded (y + i, x + c0 + j), which is
        // the full kernel's tap (i, c0 + j) around (y, x); every read stays inside `padded`.
        cv::Mat part;
        cv::filter2D(padded, part, CV_32F, slice, cv::Point(0, 0), 0, cv::BORDER_REFLECT_101);
        out += part(cv::Rect(c0, 0, img.cols, img.rows));
    }
    img = out;
}

// A loop, not cv::min/max with a double: those treat the double as Scalar(v, 0, 0, 0).
void clamp01(cv::Mat& img) {
    for (int y = 0; y < img.rows; ++y) {
        float* p = img.ptr<float>(y);
        const int n = img.cols * img.channels();
        for (int i = 0; i < n; ++i)
            p[i] = std::clamp(p[i], 0.f, 1.f);
    }
}

// Separable resampling: for each output index, `width` (source index, weight) pairs.
struct Taps {
    int width = 0;
    std::vector<int> index;
    std::vector<float> weight;
};

Taps areaTaps(int in, int out) {
    // adaptive_avg_pool: window [floor(i*in/out), ceil((i+1)*in/out)).
    Taps t;
    for (int i = 0; i < out; ++i) {
        const long long s = (long long)i * in / out;
        const long long e = ((long long)(i + 1) * in + out - 1) / out;
        t.width = std::max(t.width, int(e - s));
    }
    t.index.assign(size_t(out) * t.width, 0);
    t.weight.assign(size_t(out) * t.width, 0.f);
    for (int i = 0; i < out; ++i) {
        const int s = int((long long)i * in / out);
        const int e = int(((long long)(i + 1) * in + out - 1) / out);
        for (int k = 0; k < t.width; ++k) {
            t.index[size_t(i) * t.width + k] = k < e - s ? s + k : s;
            t.weight[size_t(i) * t.width + k] = k < e - s ? float(1.0 / (e - s)) : 0.f;
        }
    }
    return t;
}

Taps bilinearTaps(int in, int out, double step) {
    Taps t;
    t.width = 2;
    t.index.resize(size_t(out) * 2);
    t.weight.resize(size_t(out) * 2);
    for (int i = 0; i < out; ++i) {
        const double src = std::max(step * (i + 0.5) - 0.5, 0.0);
        const int i0 = std::min(int(src), in - 1);
        const int i1 = i0 + (i0 < in - 1 ? 1 : 0);
        const double l1 = src - i0;
        t.index[size_t(i) * 2] = i0;
        t.index[size_t(i) * 2 + 1] = i1;
        t.weight[size_t(i) * 2] = float(1.0 - l1);
        t.weight[size_t(i) * 2 + 1] = float(l1);
    }
    return t;
}

Taps bicubicTaps(int in, int out, double step) {
    // PyTorch upsample_bicubic2d: A = -0.75, no clamp of the source coordinate, clamped taps.
    const double A = -0.75;
    auto c1 = [A](double x) { return ((A + 2) * x - (A + 3)) * x * x + 1; };
    auto c2 = [A](double x) { return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; };
    Taps t;
    t.width = 4;
    t.index.resize(size_t(out) * 4);
    t.weight.resize(size_t(out) * 4);
    for (int i = 0; i < out; ++i) {
        const double src = step * (i + 0.5) - 0.5;
        const double f = std::floor(src);
        const double x = src - f;
        const double w[4] = {c2(x + 1), c1(x), c1(1 - x), c2(2 - x)};
        for (int k = 0; k < 4; ++k) {
            t.index[size_t(i) * 4 + k] = std::clamp(int(f) - 1 + k, 0, in - 1);
            t.weight[size_t(i) * 4 + k] = float(w[k]);
        }
    }
    return t;
}

Taps matlabBicubicTaps(int in, int out) {
    // basicsr matlab_functions.calculate_weights_indices, 0-based: a = -0.5 cubic, stretched by
    // 1/scale when shrinking (antialiasing), symmetric (edge-repeating) borders.
    auto cubic = [](double x) {
        const double a = std::abs(x), a2 = a * a, a3 = a2 * a;
        if (a <= 1)
            return 1.5 * a3 - 2.5 * a2 + 1;
        if (a <= 2)
            return -0.5 * a3 + 2.5 * a2 - 4 * a + 2;
        return 0.0;
    };
    const double scale = double(out) / in;
    const double stretch = scale < 1 ? 1 / scale : 1.0;
    const double kernelWidth = 4 * stretch;
    Taps t;
    t.width = int(std::ceil(kernelWidth)) + 2;
    t.index.resize(size_t(out) * t.width);
    t.weight.resize(size_t(out) * t.width);
    auto reflect = [in](int j) {
        while (j < 0 || j >= in)
            j = j < 0 ? -j - 1 : 2 * in - 1 - j;
        return j;
    };
    for (int i = 0; i < out; ++i) {
        const double u = (i + 1) / scale + 0.5 * (1 - 1 / scale); // 1-based centre
        const int left = int(std::floor(u - kernelWidth / 2));
        double total = 0;
        std::vector<double> w(size_t(t.width));
        for (int k = 0; k < t.width; ++k) {
            w[size_t(k)] = cubic((u - (left + k)) / stretch) / stretch;
            total += w[size_t(k)];
        }
        for (int k = 0; k < t.width; ++k) {
            t.index[size_t(i) * t.width + k] = reflect(left + k - 1);
            t.weight[size_t(i) * t.width + k] = float(w[size_t(k)] / total);
        }
    }
    return t;
}

cv::Mat applyTapsX(const cv::Mat& src, const Taps& t, int outCols) {
    const int cn = src.channels();
    cv::Mat dst(src.rows, outCols, CV_32FC(cn));
    for (int y = 0; y < src.rows; ++y) {
        const float* s = src.ptr<float>(y);
        float* d = dst.ptr<float>(y);
        for (int x = 0; x < outCols; ++x) {
            const int* idx = &t.index[size_t(x) * t.width];
            const float* w = &t.weight[size_t(x) * t.width];
            for (int c = 0; c < cn; ++c) {
                float acc = 0;
                for (int k = 0; k < t.width; ++k)
                    acc += w[k] * s[idx[k] * cn + c];
                d[x * cn + c] = acc;
            }
        }
    }
    return dst;
}

cv::Mat applyTapsY(const cv::Mat& src, const Taps& t, int outRows) {
    const int n = src.cols * src.channels();
    cv::Mat dst(outRows, src.cols, src.type());
    for (int y = 0; y < outRows; ++y) {
        const int* idx = &t.index[size_t(y) * t.width];
        const float* w = &t.weight[size_t(y) * t.width];
        float* d = dst.ptr<float>(y);
        std::fill(d, d + n, 0.f);
        for (int k = 0; k < t.width; ++k) {
            if (w[k] == 0.f)
                continue;
            const float* s = src.ptr<float>(idx[k]);
            for (int i = 0; i < n; ++i)
                d[i] += w[k] * s[i];
        }
    }
    return dst;
}

cv::Mat resampleSeparable(const cv::Mat& src, cv::Size size, const Taps& tx, const Taps& ty) {
    cv::Mat in = src.isContinuous() ? src : src.clone();
    // Shrink along the axis that loses most first: less work for the second pass.
    if (double(size.width) / src.cols <= double(size.height) / src.rows)
        return applyTapsY(applyTapsX(in, tx, size.width), ty, size.height);
    return applyTapsX(applyTapsY(in, ty, size.height), tx, size.width);
}

void requireFloatImage(const cv::Mat& src, const char* what) {
    if (src.empty() || src.depth() != CV_32F)
        throw std::invalid_argument(std::string(what) + ": expects a non-empty CV_32F image");
}

// ---- noise (basicsr degradations.py, *_pt variants: what the ResShift trainer runs) ----

void addGaussianNoise(cv::Mat& img, double sigma, bool gray, std::mt19937_64& rng) {
    if (!img.isContinuous())
        img = img.clone();
    const size_t pixels = size_t(img.rows) * img.cols;
    std::vector<float> noise(gray ? pixels : 3 * pixels);
    detail::fillNormal(noise.data(), noise.size(), sigma / 255.0, rng);
    float* p = img.ptr<float>(0);
    if (gray) {
        for (size_t i = 0; i < pixels; ++i)
            for (int c = 0; c < 3; ++c)
                p[3 * i + c] += noise[i];
    } else {
        for (size_t i = 0; i < 3 * pixels; ++i)
            p[i] += noise[i];
    }
    clamp01(img);
}

int quantiseLevel(float v) {
    return int(std::lround(std::clamp(v, 0.f, 1.f) * 255.f));
}

// Poisson(mean) drawn by inverting a cumulative table: one uniform per draw, and identical on
// every platform (std::poisson_distribution is not). Means here are at most 256.
class PoissonTables {
public:
    explicit PoissonTables(double vals) : vals_(vals), tables_(256) {}
    int draw(int level, std::mt19937_64& rng) {
        std::vector<double>& cdf = tables_[size_t(level)];
        if (cdf.empty())
            build(level, cdf);
        const double u = uniform01(rng);
        return int(std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
    }
    double vals() const { return vals_; }

private:
    void build(int level, std::vector<double>& cdf) const {
        const double mean = level / 255.0 * vals_;
        if (mean <= 0) {
            cdf.push_back(1.0);
            return;
        }
        double p = std::exp(-mean), total = p;
        cdf.push_back(total);
        const double limit = mean + 12 * std::sqrt(mean) + 30;
        for (int k = 1; k < limit && total < 1.0; ++k) {
            p *= mean / k;
            total += p;
            cdf.push_back(total);
        }
        cdf.back() = 1.0; // the tail beyond 12 sigma is below 1e-30
    }
    double vals_;
    std::vector<std::vector<double>> tables_;
};

// 2^ceil(log2(number of distinct 8-bit levels)), the official "vals".
double poissonVals(const std::vector<int>& levels) {
    bool seen[256] = {};
    int distinct = 0;
    for (int l : levels)
        if (!seen[l]) {
            seen[l] = true;
            ++distinct;
        }
    return std::pow(2.0, std::ceil(std::log2(double(std::max(distinct, 1)))));
}

void addPoissonNoise(cv::Mat& img, double scale, bool gray, std::mt19937_64& rng) {
    if (!img.isContinuous())
        img = img.clone();
    const size_t pixels = size_t(img.rows) * img.cols;
    float* p = img.ptr<float>(0);
    if (gray) {
        // torchvision rgb_to_grayscale weights.
        std::vector<int> levels(pixels);
        for (size_t i = 0; i < pixels; ++i)
            levels[i] =
                quantiseLevel(0.2989f * p[3 * i] + 0.587f * p[3 * i + 1] + 0.114f * p[3 * i + 2]);
        PoissonTables tables(poissonVals(levels));
        for (size_t i = 0; i < pixels; ++i) {
            const int l = levels[i];
            const float n = float((tables.draw(l, rng) / tables.vals() - l / 255.0) * scale);
            p[3 * i] += n, p[3 * i + 1] += n, p[3 * i + 2] += n;
        }
    } else {
        std::vector<int> levels(pixels * 3);
        for (size_t i = 0; i < pixels * 3; ++i)
            levels[i] = quantiseLevel(p[i]);
        PoissonTables tables(poissonVals(levels));
        for (size_t i = 0; i < pixels * 3; ++i) {
            const int l = levels[i];
            p[i] += float((tables.draw(l, rng) / tables.vals() - l / 255.0) * scale);
        }
    }
    clamp01(img);
}

void addRandomNoise(cv::Mat& img, const DegradationStageOptions& o, std::mt19937_64& rng,
                    NoiseRecord& rec) {
    rec.gaussian = uniform01(rng) < o.gaussianNoiseProb;
    if (rec.gaussian) {
        rec.level = uniform(rng, o.noiseRange.min, o.noiseRange.max);
        rec.gray = uniform01(rng) < o.grayNoiseProb;
        addGaussianNoise(img, rec.level, rec.gray, rng);
    } else {
        rec.level = uniform(rng, o.poissonScaleRange.min, o.poissonScaleRange.max);
        rec.gray = uniform01(rng) < o.grayNoiseProb;
        addPoissonNoise(img, rec.level, rec.gray, rng);
    }
}

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

void jpegInPlace(cv::Mat& img, double quality) {
    clamp01(img);
    img = jpegRoundTrip(img, int(std::lround(quality)));
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

const char* kernelTypeName(KernelType type) {
    switch (type) {
    case KernelType::Isotropic:
        return "iso";
    case KernelType::Anisotropic:
        return "aniso";
    case KernelType::GeneralizedIsotropic:
        return "generalized_iso";
    case KernelType::GeneralizedAnisotropic:
        return "generalized_aniso";
    case KernelType::PlateauIsotropic:
        return "plateau_iso";
    case KernelType::PlateauAnisotropic:
        return "plateau_aniso";
    case KernelType::Sinc:
        return "sinc";
    case KernelType::Pulse:
        return "pulse";
    }
    return "?";
}

const char* resizeModeName(ResizeMode mode) {
    switch (mode) {
    case ResizeMode::Area:
        return "area";
    case ResizeMode::Bilinear:
        return "bilinear";
    case ResizeMode::Bicubic:
        return "bicubic";
    }
    return "?";
}

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

cv::Mat bivariateKernel(KernelType type, int size, double sigmaX, double sigmaY, double rotation,
                        double beta) {
    requireOddSize(size, "bivariateKernel");
    if (type == KernelType::Sinc || type == KernelType::Pulse)
        throw std::invalid_argument("bivariateKernel: sinc and pulse are not bivariate families");
    if (!(sigmaX > 0) || (!isIsotropic(type) && !(sigmaY > 0)))
        throw std::invalid_argument("bivariateKernel: sigmas must be positive");
    // Sigma matrix [[a, b], [b, c]] = U diag(sx^2, sy^2) U^T, U the rotation by theta.
    double a, b, c;
    if (isIsotropic(type)) {
        a = c = sigmaX * sigmaX;
        b = 0;
    } else {
        const double ct = std::cos(rotation), st = std::sin(rotation);
        const double sx2 = sigmaX * sigmaX, sy2 = sigmaY * sigmaY;
        a = ct * ct * sx2 + st * st * sy2;
        b = ct * st * (sx2 - sy2);
        c = st * st * sx2 + ct * ct * sy2;
    }
    const double det = a * c - b * b;
    const double ia = c / det, ib = -b / det, ic = a / det;
    const int half = size / 2;
    cv::Mat k(size, size, CV_64F);
    for (int i = 0; i < size; ++i) {
        const double y = i - half;
        for (int j = 0; j < size; ++j) {
            const double x = j - half;
            const double q = x * x * ia + 2 * x * y * ib + y * y * ic;
            double v;
            switch (type) {
            case KernelType::Isotropic:
            case KernelType::Anisotropic:
                v = std::exp(-0.5 * q);
                break;
            case KernelType::GeneralizedIsotropic:
            case KernelType::GeneralizedAnisotropic:
                v = std::exp(-0.5 * std::pow(q, beta));
                break;
            default:
                v = 1.0 / (std::pow(q, beta) + 1.0);
                break;
            }
            k.at<double>(i, j) = v;
        }
    }
    return normalised(k);
}

cv::Mat randomMixedKernel(const BlurKernelOptions& o, int size, std::mt19937_64& rng,
                          KernelRecord* record) {
    KernelRecord rec;
    rec.type = KernelType(detail::weightedChoice(rng, o.kernelProb));
    rec.size = size;
    rec.sigmaX = uniform(rng, o.sigma.min, o.sigma.max);
    if (isIsotropic(rec.type)) {
        rec.sigmaY = rec.sigmaX;
        rec.rotation = 0;
    } else {
        rec.sigmaY = uniform(rng, o.sigma.min, o.sigma.max);
        rec.rotation = uniform(rng, -kPi, kPi);
    }
    rec.beta = 1.0;
    const bool generalized = rec.type == KernelType::GeneralizedIsotropic ||
                             rec.type == KernelType::GeneralizedAnisotropic;
    const bool plateau =
        rec.type == KernelType::PlateauIsotropic || rec.type == KernelType::PlateauAnisotropic;
    if (generalized || plateau) {
        const Range& r = generalized ? o.betaG : o.betaP;
        rec.beta = uniform01(rng) < 0.5 ? uniform(rng, r.min, 1.0) : uniform(rng, 1.0, r.max);
    }
    cv::Mat k = bivariateKernel(rec.type, size, rec.sigmaX, rec.sigmaY, rec.rotation, rec.beta);
    if (record)
        *record = rec;
    return k;
}

cv::Mat randomBlurKernel(const BlurKernelOptions& o, std::mt19937_64& rng, KernelRecord* record) {
    requireOddSize(o.kernelSize, "randomBlurKernel");
    const int size = drawKernelSize(o.kernelSize, rng);
    KernelRecord rec;
    cv::Mat k;
    if (uniform01(rng) < o.sincProb) {
        rec.type = KernelType::Sinc;
        rec.size = size;
        rec.omega = size < 13 ? uniform(rng, kPi / 3, kPi) : uniform(rng, kPi / 5, kPi);
        k = circularLowpassKernel(rec.omega, size);
    } else {
        k = randomMixedKernel(o, size, rng, &rec);
    }
    if (record)
        *record = rec;
    return padKernel(k, o.kernelSize);
}

cv::Mat circularLowpassKernel(double cutoff, int size, int padTo) {
    requireOddSize(size, "circularLowpassKernel");
    if (padTo > size && padTo % 2 == 0)
        throw std::invalid_argument("circularLowpassKernel: padTo must be odd");
    const double centre = (size - 1) / 2.0;
    cv::Mat k(size, size, CV_64F);
    for (int i = 0; i < size; ++i)
        for (int j = 0; j < size; ++j) {
            const double r = std::hypot(i - centre, j - centre);
            k.at<double>(i, j) = r == 0 ? cutoff * cutoff / (4 * kPi)
                                        : cutoff * besselJ1(cutoff * r) / (2 * kPi * r);
        }
    return padKernel(normalised(k), padTo);
}

cv::Mat applyKernel(const cv::Mat& img, const cv::Mat& kernel) {
    requireFloatImage(img, "applyKernel");
    if (kernel.type() != CV_32F || kernel.rows != kernel.cols)
        throw std::invalid_argument("applyKernel: expects a square CV_32F kernel");
    requireOddSize(kernel.rows, "applyKernel");
    cv::Mat out = img.clone();
    blur(out, kernel);
    return out;
}

cv::Mat resizeLikeTorch(const cv::Mat& src, cv::Size size, ResizeMode mode, double scaleFactor) {
    requireFloatImage(src, "resizeLikeTorch");
    if (size.width < 1 || size.height < 1)
        throw std::invalid_argument("resizeLikeTorch: output size must be positive");
    auto step = [scaleFactor](int in, int out) {
        return scaleFactor > 0 ? 1.0 / scaleFactor : double(in) / out;
    };
    switch (mode) {
    case ResizeMode::Area:
        return resampleSeparable(src, size, areaTaps(src.cols, size.width),
                                 areaTaps(src.rows, size.height));
    case ResizeMode::Bilinear:
        return resampleSeparable(src, size,
                                 bilinearTaps(src.cols, size.width, step(src.cols, size.width)),
                                 bilinearTaps(src.rows, size.height, step(src.rows, size.height)));
    case ResizeMode::Bicubic:
        return resampleSeparable(src, size,
                                 bicubicTaps(src.cols, size.width, step(src.cols, size.width)),
                                 bicubicTaps(src.rows, size.height, step(src.rows, size.height)));
    }
    throw std::invalid_argument("resizeLikeTorch: unknown mode");
}

cv::Mat resizeMatlabBicubic(const cv::Mat& src, cv::Size size) {
    requireFloatImage(src, "resizeMatlabBicubic");
    if (size.width < 1 || size.height < 1)
        throw std::invalid_argument("resizeMatlabBicubic: output size must be positive");
    return resampleSeparable(src, size, matlabBicubicTaps(src.cols, size.width),
                             matlabBicubicTaps(src.rows, size.height));
}

cv::Mat jpegRoundTrip(const cv::Mat& rgb, int quality) {
    if (rgb.empty() || rgb.type() != CV_32FC3)
        throw std::invalid_argument("jpegRoundTrip: expects a CV_32FC3 RGB image");
    cv::Mat u8, bgr;
    rgb.convertTo(u8, CV_8U, 255.0);
    cv::cvtColor(u8, bgr, cv::COLOR_RGB2BGR);
    std::vector<uchar> bytes;
    if (!cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, std::clamp(quality, 1, 100)}))
        throw std::runtime_error("jpegRoundTrip: the JPEG encoder failed");
    cv::Mat decoded = cv::imdecode(bytes, cv::IMREAD_COLOR);
    if (decoded.empty())
        throw std::runtime_error("jpegRoundTrip: the JPEG decoder failed");
    cv::cvtColor(decoded, u8, cv::COLOR_BGR2RGB);
    cv::Mat out;
    u8.convertTo(out, CV_32F, 1.0 / 255.0);
    return out;
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
