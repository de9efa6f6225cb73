// Real-ESRGAN blur kernels (basicsr degradations.py): the bivariate Gaussian, generalized and
// plateau families, the circular low-pass (sinc) filter, their random draws, and the blur itself.
#include "shiftsr/training/degradation.h"

#include "degradation_internal.h"
#include "random.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace shiftsr::training {

using detail::blur;
using detail::drawKernelSize;
using detail::kPi;
using detail::requireFloatImage;
using detail::uniform;
using detail::uniform01;
using detail::uniformIndex;

namespace {

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

} // namespace

namespace detail {

int drawKernelSize(int kernelSize, std::mt19937_64& rng) {
    const int count = (kernelSize - 3) / 2;
    return 3 + 2 * int(uniformIndex(rng, std::uint64_t(count)));
}

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

} // namespace detail

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

} // namespace shiftsr::training
