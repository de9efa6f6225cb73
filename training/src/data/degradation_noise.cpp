// Real-ESRGAN's pixel corruptions: Gaussian and Poisson noise (basicsr degradations.py, the *_pt
// variants the ResShift trainer runs) and the JPEG round trip.
#include "shiftsr/training/degradation.h"

#include "degradation_internal.h"
#include "random.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace shiftsr::training {

using detail::uniform;
using detail::uniform01;

namespace {

// A loop, not cv::min/max with a double: those treat the double as Scalar(v, 0, 0, 0).
void clamp01(cv::Mat& img) {
    for (int y = 0; y < img.rows; ++y) {
        float* p = img.ptr<float>(y);
        const int n = img.cols * img.channels();
        for (int i = 0; i < n; ++i)
            p[i] = std::clamp(p[i], 0.f, 1.f);
    }
}

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

} // namespace

namespace detail {

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

void jpegInPlace(cv::Mat& img, double quality) {
    clamp01(img);
    img = jpegRoundTrip(img, int(std::lround(quality)));
}

} // namespace detail

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

} // namespace shiftsr::training
