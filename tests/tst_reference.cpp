// The fp32 Real-ESRGAN compact reference (shiftsr-cli reference): ncnn .param/.bin reading
// (float32 and float16 weight storage), the network's arithmetic on known weights, and refusals.
#include "shiftsr/engine/reference.h"

#include <opencv2/imgproc.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <vector>

using namespace shiftsr;

namespace {

void put(std::ofstream& o, const void* p, std::size_t n) { o.write(static_cast<const char*>(p), std::streamsize(n)); }

// conv 3->C (3x3), PReLU, conv C->48, PixelShuffle 4, nearest x4 of the input, add. Weights are
// given per layer; `half` stores the convolution weights as float16 (exactly representable values).
struct Net {
    int hidden = 4;
    std::vector<float> w0, b0, slope, w1, b1;
};

std::uint16_t toHalf(float f) { // exact for the small dyadic values used here
    std::uint32_t b;
    std::memcpy(&b, &f, 4);
    const std::uint32_t sign = (b >> 16) & 0x8000;
    const int exp = int((b >> 23) & 0xff) - 127 + 15;
    if ((b & 0x7fffffff) == 0)
        return std::uint16_t(sign);
    return std::uint16_t(sign | (std::uint32_t(exp) << 10) | ((b >> 13) & 0x3ff));
}

void writeNet(const QString& dir, const Net& n, bool half, const std::string& paramText = "") {
    std::ofstream p((dir + "/m.param").toStdString());
    if (!paramText.empty()) {
        p << paramText;
    } else {
        p << "7767517\n8 9\n"
          << "Input in 0 1 data\n"
          << "Split sp 1 2 data a b\n"
          << "Convolution c0 1 1 b c 0=" << n.hidden << " 1=3 4=1 5=1 6=" << n.hidden * 27 << "\n"
          << "PReLU p0 1 1 c d 0=" << n.hidden << "\n"
          << "Convolution c1 1 1 d e 0=48 1=3 4=1 5=1 6=" << 48 * n.hidden * 9 << "\n"
          << "PixelShuffle ps 1 1 e f 0=4\n"
          << "Interp up 1 1 a g 0=1 1=4.000000e+00 2=4.000000e+00\n"
          << "BinaryOp add 2 1 f g out\n";
    }
    std::ofstream b((dir + "/m.bin").toStdString(), std::ios::binary);
    auto weights = [&](const std::vector<float>& w) {
        const std::uint32_t tag = half ? 0x01306B47u : 0u;
        put(b, &tag, 4);
        if (!half) {
            put(b, w.data(), w.size() * 4);
            return;
        }
        for (float f : w) {
            const std::uint16_t h = toHalf(f);
            put(b, &h, 2);
        }
        if (w.size() % 2)
            put(b, "\0\0", 2);
    };
    weights(n.w0);
    put(b, n.b0.data(), n.b0.size() * 4);
    put(b, n.slope.data(), n.slope.size() * 4);
    weights(n.w1);
    put(b, n.b1.data(), n.b1.size() * 4);
}

Net zeroNet() {
    Net n;
    n.w0.assign(std::size_t(n.hidden) * 27, 0.f);
    n.b0.assign(std::size_t(n.hidden), 0.f);
    n.slope.assign(std::size_t(n.hidden), 0.25f);
    n.w1.assign(std::size_t(48) * n.hidden * 9, 0.f);
    n.b1.assign(48, 0.f);
    return n;
}

} // namespace

class TestReference : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Zero convolutions: the output is the nearest-neighbour x4 of the input, exactly.
    void zeroNetworkIsNearest() {
        QTemporaryDir tmp;
        writeNet(tmp.path(), zeroNet(), false);
        auto r = CompactReference::loadNcnn((tmp.path() + "/m.param").toStdString());
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE((*r)->scale(), 4);
        QCOMPARE((*r)->convolutions(), 2);
        cv::Mat in(5, 7, CV_8UC3);
        cv::randu(in, 0, 255);
        auto out = (*r)->upscale(in, 1);
        QVERIFY2(out.isOk(), out.status().message().c_str());
        cv::Mat want;
        cv::resize(in, want, cv::Size(28, 20), 0, 0, cv::INTER_NEAREST);
        QCOMPARE(cv::norm(*out, want, cv::NORM_INF), 0.0);
    }

    // A bias on one output channel of the last convolution lands on one sub-pixel of one colour
    // (pixel-shuffle order: channel c*16 + dy*4 + dx); a negative pre-activation goes through
    // the PReLU slope; float16 storage reads the same values.
    void arithmeticAndHalfStorage() {
        for (bool half : {false, true}) {
            QTemporaryDir tmp;
            Net n = zeroNet();
            // hidden channel 0 = -1 everywhere (bias), PReLU slope 0.25 -> -0.25;
            // output channel (R: 0)*16 + (dy 1)*4 + (dx 2) = 6 reads it with centre weight 0.5
            // plus bias 0.25: 0.25 - 0.125 = 0.125 on red at sub-pixel (1, 2).
            n.b0[0] = -1.f;
            n.w1[std::size_t(6) * n.hidden * 9 + 0 * 9 + 4] = 0.5f;
            n.b1[6] = 0.25f;
            writeNet(tmp.path(), n, half);
            auto r = CompactReference::loadNcnn((tmp.path() + "/m.param").toStdString());
            QVERIFY2(r.isOk(), r.status().message().c_str());
            cv::Mat in(3, 3, CV_8UC3, cv::Scalar(0, 0, 0)); // black: only the network adds
            auto out = (*r)->upscale(in, 1);
            QVERIFY(out.isOk());
            for (int y = 0; y < 12; ++y)
                for (int x = 0; x < 12; ++x) {
                    const cv::Vec3b px = out->at<cv::Vec3b>(y, x);
                    const int red = (y % 4 == 1 && x % 4 == 2) ? 32 : 0; // 0.125 * 255 rounded
                    QVERIFY2(px[2] == red && px[1] == 0 && px[0] == 0,
                             qPrintable(QString("half %1 at (%2, %3): %4 %5 %6").arg(half).arg(x).arg(y).arg(px[2]).arg(px[1]).arg(px[0])));
                }
        }
    }

    void refusesOtherFiles() {
        QTemporaryDir tmp;
        const std::string param = (tmp.path() + "/m.param").toStdString();
        QVERIFY(!CompactReference::loadNcnn(param).isOk()); // missing
        writeNet(tmp.path(), zeroNet(), false, "7767517\n2 2\nInput in 0 1 data\nReLU r 1 1 data out\n");
        QVERIFY(!CompactReference::loadNcnn(param).isOk()); // other network
        writeNet(tmp.path(), zeroNet(), false);
        {
            std::ofstream b((tmp.path() + "/m.bin").toStdString(), std::ios::binary | std::ios::trunc);
            b << "short";
        }
        auto r = CompactReference::loadNcnn(param);
        QVERIFY(!r.isOk()); // truncated weights
        QVERIFY2(QString::fromStdString(r.status().message()).contains("end early"), r.status().message().c_str());
        writeNet(tmp.path(), zeroNet(), false);
        {
            std::ofstream b((tmp.path() + "/m.bin").toStdString(), std::ios::binary | std::ios::app);
            b << "extra";
        }
        QVERIFY(!CompactReference::loadNcnn(param).isOk()); // weights left over
    }
};

QTEST_GUILESS_MAIN(TestReference)
#include "tst_reference.moc"
