// The fp32 Real-ESRGAN compact reference (shiftsr-cli reference): ncnn .param/.bin reading
// (float32 and float16 weight storage), the network's arithmetic on known weights, and refusals.
#include "compact_net_util.h"

#include "shiftsr/engine/reference.h"

#include <opencv2/imgproc.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <vector>

using namespace shiftsr;

class TestReference : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Zero convolutions: the output is the nearest-neighbour x4 of the input, exactly.
    void zeroNetworkIsNearest() {
        QTemporaryDir tmp;
        testutil::writeCompactNet(tmp.path(), testutil::zeroCompactNet(), false);
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
            testutil::CompactNet n = testutil::zeroCompactNet();
            // hidden channel 0 = -1 everywhere (bias), PReLU slope 0.25 -> -0.25;
            // output channel (R: 0)*16 + (dy 1)*4 + (dx 2) = 6 reads it with centre weight 0.5
            // plus bias 0.25: 0.25 - 0.125 = 0.125 on red at sub-pixel (1, 2).
            n.b0[0] = -1.f;
            n.w1[std::size_t(6) * n.hidden * 9 + 0 * 9 + 4] = 0.5f;
            n.b1[6] = 0.25f;
            testutil::writeCompactNet(tmp.path(), n, half);
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
                             qPrintable(QString("half %1 at (%2, %3): %4 %5 %6")
                                            .arg(half)
                                            .arg(x)
                                            .arg(y)
                                            .arg(px[2])
                                            .arg(px[1])
                                            .arg(px[0])));
                }
        }
    }

    void refusesOtherFiles() {
        QTemporaryDir tmp;
        const std::string param = (tmp.path() + "/m.param").toStdString();
        QVERIFY(!CompactReference::loadNcnn(param).isOk()); // missing
        testutil::writeCompactNet(tmp.path(), testutil::zeroCompactNet(), false,
                                  "7767517\n2 2\nInput in 0 1 data\nReLU r 1 1 data out\n");
        QVERIFY(!CompactReference::loadNcnn(param).isOk()); // other network
        testutil::writeCompactNet(tmp.path(), testutil::zeroCompactNet(), false);
        {
            std::ofstream b((tmp.path() + "/m.bin").toStdString(),
                            std::ios::binary | std::ios::trunc);
            b << "short";
        }
        auto r = CompactReference::loadNcnn(param);
        QVERIFY(!r.isOk()); // truncated weights
        QVERIFY2(QString::fromStdString(r.status().message()).contains("end early"),
                 r.status().message().c_str());
        testutil::writeCompactNet(tmp.path(), testutil::zeroCompactNet(), false);
        {
            std::ofstream b((tmp.path() + "/m.bin").toStdString(),
                            std::ios::binary | std::ios::app);
            b << "extra";
        }
        QVERIFY(!CompactReference::loadNcnn(param).isOk()); // weights left over
    }
};

QTEST_GUILESS_MAIN(TestReference)
#include "tst_reference.moc"
