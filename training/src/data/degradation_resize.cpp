// PyTorch-compatible resizes (F.interpolate area, bilinear and bicubic, align_corners=False) and
// MATLAB's antialiased bicubic imresize, as separable tap tables applied in two passes.
#include "shiftsr/training/degradation.h"

#include "degradation_internal.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace shiftsr::training {

using detail::requireFloatImage;

namespace {

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

} // namespace

namespace detail {

void requireFloatImage(const cv::Mat& src, const char* what) {
    if (src.empty() || src.depth() != CV_32F)
        throw std::invalid_argument(std::string(what) + ": expects a non-empty CV_32F image");
}

} // namespace detail

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

} // namespace shiftsr::training
