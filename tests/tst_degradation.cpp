// Real-ESRGAN degradation: kernels against the official formulas, PyTorch-compatible resizes,
// shapes, quantisation, determinism, and the drawn parameters' ranges and branch frequencies.
#include "shiftsr/training/degradation.h"

#include <opencv2/imgproc.hpp>

#include <torch/torch.h>

#include <QtTest>

#include <cmath>
#include <map>

using namespace shiftsr::training;

namespace {

constexpr double kPi = 3.14159265358979323846;

// Smooth colour ramps and waves: no content above a few cycles per 10 pixels.
cv::Mat smoothImage(int rows, int cols) {
    cv::Mat img(rows, cols, CV_32FC3);
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x)
            img.at<cv::Vec3f>(y, x) =
                cv::Vec3f(0.5f + 0.4f * std::sin(x * 0.07f + y * 0.03f),
                          float(x) / cols * 0.8f + 0.1f, 0.5f + 0.3f * std::cos(y * 0.05f));
    return img;
}

// Seeded texture with edges: what the noise/JPEG branches have something to act on.
cv::Mat texturedImage(int rows, int cols, int seed) {
    cv::Mat img(rows, cols, CV_32FC3);
    cv::RNG rng(std::uint64_t(seed) + 1);
    rng.fill(img, cv::RNG::UNIFORM, 0.0, 1.0);
    cv::GaussianBlur(img, img, cv::Size(0, 0), 1.2);
    return img;
}

bool identical(const cv::Mat& a, const cv::Mat& b) {
    return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0.0;
}

bool quantisedTo255(const cv::Mat& img, QString* why) {
    for (int y = 0; y < img.rows; ++y) {
        const float* p = img.ptr<float>(y);
        for (int i = 0; i < img.cols * img.channels(); ++i) {
            const double v = p[i] * 255.0;
            if (p[i] < 0.f || p[i] > 1.f || std::abs(v - std::round(v)) > 1e-3) {
                *why = QStringLiteral("value %1 at row %2").arg(double(p[i])).arg(y);
                return false;
            }
        }
    }
    return true;
}

torch::Tensor toTensor(const cv::Mat& img) {
    cv::Mat c = img.clone();
    return torch::from_blob(c.data, {1, c.rows, c.cols, 3}, torch::kFloat)
        .permute({0, 3, 1, 2})
        .contiguous()
        .clone();
}

cv::Mat fromTensor(const torch::Tensor& t) {
    torch::Tensor hwc = t.squeeze(0).permute({1, 2, 0}).contiguous();
    cv::Mat out(int(hwc.size(0)), int(hwc.size(1)), CV_32FC3);
    std::memcpy(out.data, hwc.data_ptr<float>(), out.total() * out.elemSize());
    return out;
}

} // namespace

Q_DECLARE_METATYPE(KernelType)
Q_DECLARE_METATYPE(ResizeMode)

class TestDegradation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Values from basicsr/data/degradations.py run with numpy (7x7, sx 2, sy 0.7, theta 0.5):
    // asymmetric entries catch a swapped axis or a sign of the rotation.
    void kernelsMatchOfficial_data() {
        QTest::addColumn<KernelType>("type");
        QTest::addColumn<double>("beta");
        QTest::addColumn<QVector<double>>("expect"); // k[0,1], k[2,5], k[3,3], k[6,2]
        QTest::newRow("aniso gaussian")
            << KernelType::Anisotropic << 1.0
            << QVector<double>{0.0019120237642649936, 0.0031182731351213065, 0.11934674854171845,
                               5.854456838708071e-06};
        QTest::newRow("generalized aniso")
            << KernelType::GeneralizedAnisotropic << 0.7
            << QVector<double>{0.009597043196212192, 0.011548225465887952, 0.08605367216706468,
                               0.0015010306574602822};
        QTest::newRow("plateau aniso")
            << KernelType::PlateauAnisotropic << 1.5
            << QVector<double>{0.005388164638558073, 0.006454228280426155, 0.1334799296157397,
                               0.0014929621737151645};
    }
    void kernelsMatchOfficial() {
        QFETCH(KernelType, type);
        QFETCH(double, beta);
        QFETCH(QVector<double>, expect);
        const cv::Mat k = bivariateKernel(type, 7, 2.0, 0.7, 0.5, beta);
        const double got[4] = {k.at<float>(0, 1), k.at<float>(2, 5), k.at<float>(3, 3),
                               k.at<float>(6, 2)};
        for (int i = 0; i < 4; ++i)
            QVERIFY2(
                std::abs(got[i] - expect[i]) < 1e-6 + 1e-5 * expect[i],
                qPrintable(QStringLiteral("entry %1: %2 vs %3").arg(i).arg(got[i]).arg(expect[i])));
        // Isotropic generalized (5x5, sigma 1.3, beta 2.5): k[0,1], k[2,2], k[1,4].
        const cv::Mat g = bivariateKernel(KernelType::GeneralizedIsotropic, 5, 1.3, 0, 0, 2.5);
        QVERIFY(std::abs(g.at<float>(0, 1) - 8.3754443370469e-05) < 1e-8);
        QVERIFY(std::abs(g.at<float>(2, 2) - 0.1557279270646776) < 1e-6);
        QVERIFY(std::abs(g.at<float>(1, 4) - 8.3754443370469e-05) < 1e-8);
    }

    void kernelProperties_data() {
        QTest::addColumn<KernelType>("type");
        QTest::addColumn<int>("size");
        for (int size : {3, 15, 21})
            for (KernelType t :
                 {KernelType::Isotropic, KernelType::Anisotropic, KernelType::GeneralizedIsotropic,
                  KernelType::GeneralizedAnisotropic, KernelType::PlateauIsotropic,
                  KernelType::PlateauAnisotropic})
                QTest::addRow("%s %d", kernelTypeName(t), size) << t << size;
    }
    void kernelProperties() {
        QFETCH(KernelType, type);
        QFETCH(int, size);
        const cv::Mat k = bivariateKernel(type, size, 1.7, 0.6, 1.1, 1.6);
        QCOMPARE(k.type(), CV_32F);
        QCOMPARE(k.rows, size);
        QCOMPARE(k.cols, size);
        QVERIFY(std::abs(cv::sum(k)[0] - 1.0) < 1e-5);
        double lo, hi;
        cv::Point maxAt;
        cv::minMaxLoc(k, &lo, &hi, nullptr, &maxAt);
        QVERIFY(lo >= 0);
        QCOMPARE(maxAt, cv::Point(size / 2, size / 2));
        // Point symmetry holds for every family; isotropic ones are also mirror symmetric.
        cv::Mat rotated;
        cv::flip(k, rotated, -1);
        QVERIFY(cv::norm(k, rotated, cv::NORM_INF) < 1e-7);
        const bool iso = type == KernelType::Isotropic ||
                         type == KernelType::GeneralizedIsotropic ||
                         type == KernelType::PlateauIsotropic;
        if (iso) {
            cv::Mat mirrored, transposed;
            cv::flip(k, mirrored, 1);
            cv::transpose(k, transposed);
            QVERIFY(cv::norm(k, mirrored, cv::NORM_INF) < 1e-7);
            QVERIFY(cv::norm(k, transposed, cv::NORM_INF) < 1e-7);
        }
    }

    void sincKernel() {
        for (int size : {7, 13, 21}) {
            const cv::Mat k = circularLowpassKernel(kPi / 3, size, 21);
            QCOMPARE(k.rows, 21);
            QCOMPARE(k.cols, 21);
            QVERIFY(std::abs(cv::sum(k)[0] - 1.0) < 1e-5);
            cv::Mat t, m;
            cv::transpose(k, t);
            cv::flip(k, m, 1);
            QVERIFY(cv::norm(k, t, cv::NORM_INF) < 1e-7);
            QVERIFY(cv::norm(k, m, cv::NORM_INF) < 1e-7);
            double hi;
            cv::Point maxAt;
            cv::minMaxLoc(k, nullptr, &hi, nullptr, &maxAt);
            QCOMPARE(maxAt, cv::Point(10, 10));
            // Zero padding outside the drawn size.
            const int pad = (21 - size) / 2;
            if (pad > 0)
                QCOMPARE(cv::norm(k.row(0)), 0.0);
            QVERIFY(k.at<float>(pad, 10) != 0.f);
        }
        // Against the official formula with the standard library's J1 (single-threaded here).
        for (double cutoff : {kPi / 5, kPi / 2, kPi}) {
            const int size = 21;
            cv::Mat ref(size, size, CV_64F);
            for (int i = 0; i < size; ++i)
                for (int j = 0; j < size; ++j) {
                    const double r = std::hypot(i - 10.0, j - 10.0);
                    ref.at<double>(i, j) =
                        r == 0 ? cutoff * cutoff / (4 * kPi)
                               : cutoff * std::cyl_bessel_j(1.0, cutoff * r) / (2 * kPi * r);
                }
            ref /= cv::sum(ref)[0];
            cv::Mat got;
            circularLowpassKernel(cutoff, size).convertTo(got, CV_64F);
            QVERIFY2(cv::norm(got, ref, cv::NORM_INF) < 1e-7,
                     qPrintable(QString::number(cv::norm(got, ref, cv::NORM_INF))));
        }
        // A jinc has negative lobes (the ringing it exists to add).
        double lo;
        cv::minMaxLoc(circularLowpassKernel(kPi / 2, 21), &lo);
        QVERIFY(lo < 0);
    }

    void randomKernelsRespectRanges() {
        std::mt19937_64 rng(11);
        const BlurKernelOptions o1;
        const BlurKernelOptions o2 = secondBlurKernelDefaults();
        const int draws = 3000;
        std::map<KernelType, int> counts;
        for (int i = 0; i < draws; ++i) {
            const BlurKernelOptions& o = i % 2 ? o2 : o1;
            KernelRecord r;
            const cv::Mat k = randomBlurKernel(o, rng, &r);
            QCOMPARE(k.rows, o.kernelSize);
            QCOMPARE(k.cols, o.kernelSize);
            QVERIFY(std::abs(cv::sum(k)[0] - 1.0) < 1e-5);
            QVERIFY(r.size >= 3 && r.size <= o.kernelSize - 2 && r.size % 2 == 1);
            if (r.type == KernelType::Sinc) {
                QVERIFY(r.omega >= (r.size < 13 ? kPi / 3 : kPi / 5) - 1e-12);
                QVERIFY(r.omega <= kPi);
            } else {
                QVERIFY(r.sigmaX >= o.sigma.min && r.sigmaX <= o.sigma.max);
                QVERIFY(r.sigmaY >= o.sigma.min && r.sigmaY <= o.sigma.max);
                QVERIFY(r.rotation >= -kPi && r.rotation <= kPi);
            }
            if (r.type == KernelType::GeneralizedIsotropic ||
                r.type == KernelType::GeneralizedAnisotropic)
                QVERIFY(r.beta >= o.betaG.min && r.beta <= o.betaG.max);
            if (r.type == KernelType::PlateauIsotropic || r.type == KernelType::PlateauAnisotropic)
                QVERIFY(r.beta >= o.betaP.min && r.beta <= o.betaP.max);
            ++counts[r.type];
        }
        // sinc 0.1; the families share the rest by kernelProb (loose: +-0.03 absolute).
        QVERIFY2(std::abs(counts[KernelType::Sinc] / double(draws) - 0.1) < 0.03,
                 qPrintable(QString::number(counts[KernelType::Sinc])));
        const double probs[6] = {0.45, 0.25, 0.12, 0.03, 0.12, 0.03};
        for (int t = 0; t < 6; ++t) {
            const double f = counts[KernelType(t)] / double(draws);
            QVERIFY2(
                std::abs(f - 0.9 * probs[t]) < 0.03,
                qPrintable(QStringLiteral("%1: %2").arg(kernelTypeName(KernelType(t))).arg(f)));
        }
    }

    // Large kernels go through column slices (OpenCV's DFT path is slow): same result as one
    // direct filter2D, including borders and tiny images.
    void applyKernelMatchesFilter2D_data() {
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("padTo");
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::newRow("7 in 21, 40x50") << 7 << 21 << 40 << 50;
        QTest::newRow("11, 40x50") << 11 << 0 << 40 << 50;
        QTest::newRow("13, 40x50") << 13 << 0 << 40 << 50;
        QTest::newRow("19 in 21, 64x48") << 19 << 21 << 64 << 48;
        QTest::newRow("21, 33x70") << 21 << 0 << 33 << 70;
        QTest::newRow("13 in 15, 9x11") << 13 << 15 << 9 << 11;
    }
    void applyKernelMatchesFilter2D() {
        QFETCH(int, size);
        QFETCH(int, padTo);
        QFETCH(int, rows);
        QFETCH(int, cols);
        const cv::Mat img = texturedImage(rows, cols, size);
        const cv::Mat k = bivariateKernel(KernelType::Anisotropic, size, 2.5, 0.8, 0.4);
        const cv::Mat padded = padTo > size ? circularLowpassKernel(1.0, size, padTo) : k;
        for (const cv::Mat& kernel : {k, padded}) {
            cv::Mat expect;
            cv::filter2D(img, expect, CV_32F, kernel, cv::Point(-1, -1), 0, cv::BORDER_REFLECT_101);
            const double err = cv::norm(applyKernel(img, kernel), expect, cv::NORM_INF);
            QVERIFY2(err < 1e-5, qPrintable(QString::number(err)));
        }
    }

    // Our resizes against LibTorch's F.interpolate, with both size= and scale_factor= calls.
    void resizeMatchesTorch_data() {
        QTest::addColumn<ResizeMode>("mode");
        QTest::addColumn<int>("outRows");
        QTest::addColumn<int>("outCols");
        QTest::addColumn<double>("scaleFactor");
        for (ResizeMode m : {ResizeMode::Area, ResizeMode::Bilinear, ResizeMode::Bicubic}) {
            const char* n = resizeModeName(m);
            QTest::addRow("%s down size", n) << m << 17 << 23 << 0.0;
            QTest::addRow("%s up size", n) << m << 61 << 77 << 0.0;
            QTest::addRow("%s factor 0.37", n) << m << 14 << 18 << 0.37;
            QTest::addRow("%s factor 1.3", n) << m << 52 << 65 << 1.3;
        }
    }
    void resizeMatchesTorch() {
        QFETCH(ResizeMode, mode);
        QFETCH(int, outRows);
        QFETCH(int, outCols);
        QFETCH(double, scaleFactor);
        const cv::Mat src = texturedImage(40, 50, 3);
        namespace F = torch::nn::functional;
        auto opts = F::InterpolateFuncOptions();
        if (scaleFactor > 0)
            opts.scale_factor(std::vector<double>{scaleFactor, scaleFactor})
                .recompute_scale_factor(false);
        else
            opts.size(std::vector<int64_t>{outRows, outCols});
        if (mode == ResizeMode::Area)
            opts.mode(torch::kArea);
        else if (mode == ResizeMode::Bilinear)
            opts.mode(torch::kBilinear).align_corners(false);
        else
            opts.mode(torch::kBicubic).align_corners(false);
        const cv::Mat expect = fromTensor(F::interpolate(toTensor(src), opts));
        QCOMPARE(expect.rows, outRows);
        QCOMPARE(expect.cols, outCols);
        const cv::Mat got = resizeLikeTorch(src, cv::Size(outCols, outRows), mode, scaleFactor);
        const double err = cv::norm(got, expect, cv::NORM_INF);
        QVERIFY2(err < 1e-5, qPrintable(QString::number(err)));
    }

    void outputShape_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("scale");
        QTest::addColumn<bool>("bicubicOnly");
        QTest::newRow("64x64 x4") << 64 << 64 << 4 << false;
        QTest::newRow("64x96 x4") << 64 << 96 << 4 << false;
        QTest::newRow("128x80 x4") << 128 << 80 << 4 << false;
        QTest::newRow("48x72 x2") << 48 << 72 << 2 << false;
        QTest::newRow("30x45 x3") << 30 << 45 << 3 << false;
        QTest::newRow("32x32 x1") << 32 << 32 << 1 << false;
        QTest::newRow("64x96 x4 bicubic") << 64 << 96 << 4 << true;
        QTest::newRow("48x72 x2 bicubic") << 48 << 72 << 2 << true;
    }
    void outputShape() {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(int, scale);
        QFETCH(bool, bicubicOnly);
        DegradationOptions o;
        o.scale = scale;
        o.bicubicOnly = bicubicOnly;
        const RealEsrganDegradation d(o);
        const cv::Mat hr = texturedImage(rows, cols, 5);
        for (std::uint64_t seed = 0; seed < 12; ++seed) {
            std::mt19937_64 rng(seed);
            DegradationRecord rec;
            const cv::Mat lq = d.degrade(hr, rng, &rec);
            QCOMPARE(lq.type(), CV_32FC3);
            QCOMPARE(lq.rows, rows / scale);
            QCOMPARE(lq.cols, cols / scale);
            QString why;
            QVERIFY2(quantisedTo255(lq, &why), qPrintable(why));
            QCOMPARE(rec.bicubicOnly, bicubicOnly);
            if (!bicubicOnly)
                QCOMPARE(rec.finalResize.size, cv::Size(cols / scale, rows / scale));
        }
    }

    void deterministic() {
        const RealEsrganDegradation d;
        const cv::Mat hr = texturedImage(64, 64, 9);
        for (std::uint64_t seed : {1ull, 2ull, 12345ull}) {
            std::mt19937_64 a(seed), b(seed), c(seed + 1000);
            const cv::Mat la = d.degrade(hr, a), lb = d.degrade(hr, b), lc = d.degrade(hr, c);
            QVERIFY(identical(la, lb));
            QCOMPARE(std::memcmp(la.data, lb.data, la.total() * la.elemSize()), 0);
            QVERIFY(!identical(la, lc));
            // The engine advanced identically too: the next call agrees again.
            QVERIFY(identical(d.degrade(hr, a), d.degrade(hr, b)));
        }
        // Same for the bicubic-only path (no draws: a function of the image alone).
        DegradationOptions o;
        o.bicubicOnly = true;
        const RealEsrganDegradation bic(o);
        std::mt19937_64 a(1), b(2);
        QVERIFY(identical(bic.degrade(hr, a), bic.degrade(hr, b)));
    }

    void parameterRangesAndFrequencies() {
        const DegradationOptions o;
        const RealEsrganDegradation d(o);
        const cv::Mat hr = texturedImage(32, 32, 4);
        const int draws = 500;
        int second = 0, secondBlur = 0, finalSinc = 0, resizeFirst = 0, gaussian1 = 0, gray1 = 0;
        int gaussian2 = 0;
        int dir1[3] = {}, modes[3] = {};
        std::mt19937_64 rng(77);
        for (int i = 0; i < draws; ++i) {
            DegradationRecord r;
            (void)d.degrade(hr, rng, &r);
            QVERIFY(r.jpegQuality1 >= 30 && r.jpegQuality1 <= 95);
            QVERIFY(r.jpegQuality2 >= 30 && r.jpegQuality2 <= 95);
            QVERIFY(r.kernel1.size <= 19 && r.kernel2.size <= 13);
            if (r.kernel1.type != KernelType::Sinc)
                QVERIFY(r.kernel1.sigmaX >= 0.2 && r.kernel1.sigmaX <= 3.0);
            if (r.kernel2.type != KernelType::Sinc)
                QVERIFY(r.kernel2.sigmaX >= 0.2 && r.kernel2.sigmaX <= 1.5);
            auto checkResize = [](const ResizeRecord& rr, const Range& range) {
                switch (rr.direction) {
                case ResizeDirection::Up:
                    return rr.scale >= 1 && rr.scale <= range.max;
                case ResizeDirection::Down:
                    return rr.scale >= range.min && rr.scale <= 1;
                case ResizeDirection::Keep:
                    return rr.scale == 1;
                }
                return false;
            };
            QVERIFY(checkResize(r.resize1, o.stage1.resizeRange));
            QCOMPARE(r.resize1.size,
                     cv::Size(int(32 * r.resize1.scale), int(32 * r.resize1.scale)));
            ++dir1[int(r.resize1.direction)];
            ++modes[int(r.resize1.mode)];
            auto checkNoise = [](const NoiseRecord& n, const DegradationStageOptions& s) {
                const Range& range = n.gaussian ? s.noiseRange : s.poissonScaleRange;
                return n.level >= range.min && n.level <= range.max;
            };
            QVERIFY(checkNoise(r.noise1, o.stage1));
            gaussian1 += r.noise1.gaussian;
            gray1 += r.noise1.gray;
            if (r.secondOrder) {
                ++second;
                secondBlur += r.secondBlur;
                QVERIFY(checkResize(r.resize2, o.stage2.resizeRange));
                QVERIFY(checkNoise(r.noise2, o.stage2));
                gaussian2 += r.noise2.gaussian;
            } else {
                QVERIFY(!r.secondBlur);
            }
            if (r.finalSinc.type == KernelType::Sinc) {
                ++finalSinc;
                QVERIFY(r.finalSinc.omega >= kPi / 3 && r.finalSinc.omega <= kPi);
                QVERIFY(r.finalSinc.size >= 3 && r.finalSinc.size <= 13);
            } else {
                QCOMPARE(r.finalSinc.type, KernelType::Pulse);
            }
            resizeFirst += r.resizeBeforeFinalJpeg;
        }
        auto near = [](double count, double total, double p) {
            return std::abs(count / total - p) < 0.08;
        };
        QVERIFY2(near(second, draws, 0.5), qPrintable(QString::number(second)));
        QVERIFY2(near(secondBlur, second, 0.8), qPrintable(QString::number(secondBlur)));
        QVERIFY2(near(finalSinc, draws, 0.8), qPrintable(QString::number(finalSinc)));
        QVERIFY2(near(resizeFirst, draws, 0.5), qPrintable(QString::number(resizeFirst)));
        QVERIFY2(near(gaussian1, draws, 0.5), qPrintable(QString::number(gaussian1)));
        QVERIFY2(near(gray1, draws, 0.4), qPrintable(QString::number(gray1)));
        QVERIFY2(near(gaussian2, second, 0.5), qPrintable(QString::number(gaussian2)));
        QVERIFY(near(dir1[0], draws, 0.2) && near(dir1[1], draws, 0.7) &&
                near(dir1[2], draws, 0.1));
        for (int m = 0; m < 3; ++m)
            QVERIFY(near(modes[m], draws, 1.0 / 3));
    }

    void degradationDegrades() {
        // On average the LQ is further from a clean downscale than a tiny rounding error, and on
        // a flat image noise shows up; guards against a pipeline that silently does nothing.
        const RealEsrganDegradation d;
        const cv::Mat hr = smoothImage(64, 64);
        cv::Mat clean;
        cv::resize(hr, clean, cv::Size(16, 16), 0, 0, cv::INTER_AREA);
        double total = 0;
        std::mt19937_64 rng(3);
        for (int i = 0; i < 20; ++i)
            total += cv::norm(d.degrade(hr, rng), clean, cv::NORM_L2) / 16.0;
        QVERIFY2(total / 20 > 0.02, qPrintable(QString::number(total / 20)));
    }

    void bicubicOnlyNearBoxDownscale() {
        DegradationOptions o;
        o.bicubicOnly = true;
        const RealEsrganDegradation d(o);
        const cv::Mat hr = smoothImage(64, 96);
        std::mt19937_64 rng(1);
        const cv::Mat lq = d.degrade(hr, rng);
        cv::Mat box;
        cv::resize(hr, box, cv::Size(24, 16), 0, 0, cv::INTER_AREA);
        const double err = cv::norm(lq, box, cv::NORM_INF);
        QVERIFY2(err < 0.03, qPrintable(QString::number(err)));
        // Constant stays constant (weights sum to one, borders included).
        const cv::Mat flat(16, 16, CV_32FC3, cv::Scalar(0.2, 0.4, 0.6));
        const cv::Mat small = resizeMatlabBicubic(flat, cv::Size(5, 3));
        QVERIFY(cv::norm(small, cv::Mat(3, 5, CV_32FC3, cv::Scalar(0.2, 0.4, 0.6)), cv::NORM_INF) <
                1e-6);
    }

    void jpegRoundTripQuality() {
        const cv::Mat img = texturedImage(48, 48, 8);
        const double e95 = cv::norm(jpegRoundTrip(img, 95), img, cv::NORM_L2);
        const double e30 = cv::norm(jpegRoundTrip(img, 30), img, cv::NORM_L2);
        QVERIFY2(e95 < e30, qPrintable(QStringLiteral("%1 %2").arg(e95).arg(e30)));
        // Colour order survives the BGR encoder: a pure red stays red.
        const cv::Mat red(16, 16, CV_32FC3, cv::Scalar(1, 0, 0));
        const cv::Vec3f px = jpegRoundTrip(red, 90).at<cv::Vec3f>(8, 8);
        QVERIFY(px[0] > 0.9f && px[1] < 0.1f && px[2] < 0.1f);
    }

    void rejectsBadInput() {
        DegradationOptions bad;
        bad.kernel1.kernelSize = 20;
        QVERIFY(!bad.validate().isOk());
        QVERIFY(QString::fromStdString(bad.validate().message()).contains("kernel1.kernelSize"));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, RealEsrganDegradation{bad});
        DegradationOptions badProb;
        badProb.secondOrderProb = 1.5;
        QVERIFY(QString::fromStdString(badProb.validate().message()).contains("secondOrderProb"));
        DegradationOptions badJpeg;
        badJpeg.stage2.jpegRange = {30, 101};
        QVERIFY(!badJpeg.validate().isOk());
        QVERIFY(DegradationOptions().validate().isOk());

        const RealEsrganDegradation d;
        std::mt19937_64 rng(1);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, d.degrade(texturedImage(30, 32, 1), rng));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, d.degrade(cv::Mat(32, 32, CV_8UC3), rng));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 bivariateKernel(KernelType::Isotropic, 4, 1, 1, 0));
    }
};

QTEST_GUILESS_MAIN(TestDegradation)
#include "tst_degradation.moc"
