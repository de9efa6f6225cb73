// PSNR, SSIM and sharpness on Y and RGB (BasicSR conventions).
#include "shiftsr/engine/metrics.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace shiftsr::metrics {

static cv::Mat toFloat255(const cv::Mat& m, int border) {
    cv::Mat f;
    const double s = m.depth() == CV_16U ? 255.0 / 65535.0 : m.depth() == CV_8U ? 1.0 : 255.0;
    m.convertTo(f, CV_MAKETYPE(CV_64F, m.channels()), s);
    if (border > 0 && f.rows > 2 * border && f.cols > 2 * border)
        f = f(cv::Rect(border, border, f.cols - 2 * border, f.rows - 2 * border)).clone();
    return f;
}

cv::Mat luma(const cv::Mat& bgr) {
    cv::Mat f = toFloat255(bgr, 0);
    if (f.channels() == 1)
        return f;
    std::vector<cv::Mat> ch;
    cv::split(f, ch);
    // BasicSR: Y = (65.481 R + 128.553 G + 24.966 B) / 255 + 16 on values in [0, 255]
    return (ch[2] * 65.481 + ch[1] * 128.553 + ch[0] * 24.966) / 255.0 + 16.0;
}

static double psnr(const cv::Mat& a, const cv::Mat& b) {
    cv::Mat d;
    cv::absdiff(a, b, d);
    d = d.mul(d);
    const cv::Scalar s = cv::mean(d);
    double mse = 0;
    for (int c = 0; c < a.channels(); ++c)
        mse += s[c];
    mse /= a.channels();
    return mse <= 1e-12 ? 100.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

static cv::Mat crop(const cv::Mat& m, int border) {
    if (border > 0 && m.rows > 2 * border && m.cols > 2 * border)
        return m(cv::Rect(border, border, m.cols - 2 * border, m.rows - 2 * border)).clone();
    return m;
}

double psnrY(const cv::Mat& a, const cv::Mat& b, int border) {
    return psnr(crop(luma(a), border), crop(luma(b), border));
}

double psnrRgb(const cv::Mat& a, const cv::Mat& b, int border) {
    return psnr(toFloat255(a, border), toFloat255(b, border));
}

static double ssimChannel(const cv::Mat& x, const cv::Mat& y) {
    const double C1 = std::pow(0.01 * 255, 2), C2 = std::pow(0.03 * 255, 2);
    auto blur = [](const cv::Mat& m) {
        cv::Mat o;
        cv::GaussianBlur(m, o, cv::Size(11, 11), 1.5, 1.5, cv::BORDER_REPLICATE);
        // 'valid' region only, as BasicSR's calculate_ssim
        return o(cv::Rect(5, 5, m.cols - 10, m.rows - 10)).clone();
    };
    if (x.rows < 11 || x.cols < 11)
        return 0.0;
    cv::Mat mx = blur(x), my = blur(y);
    cv::Mat mx2 = mx.mul(mx), my2 = my.mul(my), mxy = mx.mul(my);
    cv::Mat sx = blur(x.mul(x)) - mx2, sy = blur(y.mul(y)) - my2, sxy = blur(x.mul(y)) - mxy;
    cv::Mat num = (2 * mxy + C1).mul(2 * sxy + C2);
    cv::Mat den = (mx2 + my2 + C1).mul(sx + sy + C2);
    cv::Mat map;
    cv::divide(num, den, map);
    return cv::mean(map)[0];
}

double ssimY(const cv::Mat& a, const cv::Mat& b, int border) {
    return ssimChannel(crop(luma(a), border), crop(luma(b), border));
}

double ssimRgb(const cv::Mat& a, const cv::Mat& b, int border) {
    cv::Mat fa = toFloat255(a, border), fb = toFloat255(b, border);
    std::vector<cv::Mat> ca, cb;
    cv::split(fa, ca);
    cv::split(fb, cb);
    double s = 0;
    for (size_t i = 0; i < ca.size(); ++i)
        s += ssimChannel(ca[i], cb[i]);
    return s / double(ca.size());
}

static double meanAbsGradient(const cv::Mat& y) {
    cv::Mat gx, gy;
    cv::Sobel(y, gx, CV_64F, 1, 0, 3);
    cv::Sobel(y, gy, CV_64F, 0, 1, 3);
    return cv::mean(cv::abs(gx))[0] + cv::mean(cv::abs(gy))[0];
}

double sharpnessRatio(const cv::Mat& output, const cv::Mat& truth, int border) {
    const double t = meanAbsGradient(crop(luma(truth), border));
    return t <= 1e-12 ? 0.0 : meanAbsGradient(crop(luma(output), border)) / t;
}

double periodicArtefactScore(const cv::Mat& image, int border) {
    cv::Mat y = crop(luma(image), border);
    const int h = y.rows / 4 * 4, w = y.cols / 4 * 4;
    if (h < 32 || w < 32)
        return 0.0;
    y = y(cv::Rect((y.cols - w) / 2, (y.rows - h) / 2, w, h)).clone();
    y -= cv::mean(y)[0];
    cv::Mat window;
    cv::createHanningWindow(window, y.size(), CV_64F);
    cv::Mat spectrum;
    cv::dft(y.mul(window), spectrum, cv::DFT_COMPLEX_OUTPUT);
    cv::Mat planes[2];
    cv::split(spectrum, planes);
    cv::Mat power = planes[0].mul(planes[0]) + planes[1].mul(planes[1]);
    const auto at = [&](int v, int u) {
        return power.at<double>(((v % h) + h) % h, ((u % w) + w) % w);
    };

    double sum = 0;
    int count = 0;
    std::vector<double> ring;
    for (int kv = 0; kv < 4; ++kv) {
        for (int ku = 0; ku < 4; ++ku) {
            if (kv == 0 && ku == 0)
                continue;
            const int v0 = kv * h / 4, u0 = ku * w / 4;
            double peak = 0;
            for (int dv = -1; dv <= 1; ++dv)
                for (int du = -1; du <= 1; ++du)
                    peak = std::max(peak, at(v0 + dv, u0 + du));
            ring.clear();
            for (int dv = -6; dv <= 6; ++dv)
                for (int du = -6; du <= 6; ++du) {
                    const int r2 = dv * dv + du * du;
                    if (r2 >= 9 && r2 <= 36)
                        ring.push_back(at(v0 + dv, u0 + du));
                }
            std::nth_element(ring.begin(), ring.begin() + long(ring.size() / 2), ring.end());
            const double median = ring[ring.size() / 2];
            // Floors keep a perfectly flat image (zero power everywhere) at a ratio of 1, not 0/0.
            constexpr double kFloor = 1e-12;
            sum += std::log10((peak + kFloor) / (median + kFloor));
            ++count;
        }
    }
    return sum / count;
}

} // namespace shiftsr::metrics
