// Label `gpu`: the same upscale on CUDA and on the CPU (fp32 both) agrees, and bf16/fp16 on CUDA
// stay close; every row skips cleanly where LibTorch has no CUDA device (`ctest -L gpu`).
#include "testutil.h"

#include "shiftsr/engine/pipeline.h"
#include "shiftsr/resources/embedded.h"

#include "shiftsr/nn/device.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QtTest>

using namespace shiftsr;

class TestGpu : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cudaMatchesCpu_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("precision");
        QTest::addColumn<double>("maxMeanDiff"); // mean |difference| in 8-bit levels
        for (const auto& e : resources::embeddedModels()) {
            const QString id = QString::fromStdString(e.id);
            QTest::newRow(qPrintable(id + " fp32")) << id << "fp32" << 0.05;
            QTest::newRow(qPrintable(id + " bf16")) << id << "bf16" << 1.5;
            QTest::newRow(qPrintable(id + " fp16")) << id << "fp16" << 1.0;
        }
    }
    void cudaMatchesCpu() {
        QFETCH(QString, model);
        QFETCH(QString, precision);
        QFETCH(double, maxMeanDiff);
        if (!device::cudaAvailable())
            QSKIP("no CUDA device");
        const auto* e = resources::findEmbeddedModel(model.toStdString());
        QVERIFY(e);
        auto cpu = Model::loadFromMemory(e->data, e->size, e->id, {"cpu", "fp32"});
        auto gpu =
            Model::loadFromMemory(e->data, e->size, e->id, {"cuda", precision.toStdString()});
        QVERIFY2(cpu.isOk(), cpu.status().message().c_str());
        QVERIFY2(gpu.isOk(), gpu.status().message().c_str());
        QVERIFY((*gpu)->onCuda());
        cv::Mat photo = cv::imread(testutil::samplePhoto().toStdString());
        QVERIFY(!photo.empty());
        UpscaleRequest req;
        req.image = photo;
        auto a = Pipeline(*cpu).run(req), b = Pipeline(*gpu).run(req);
        QVERIFY2(a.isOk(), a.status().message().c_str());
        QVERIFY2(b.isOk(), b.status().message().c_str());
        cv::Mat d;
        cv::absdiff(a->image, b->image, d);
        const cv::Scalar m = cv::mean(d);
        const double mean = (m[0] + m[1] + m[2]) / 3;
        qInfo("%s %s: mean |CUDA - CPU| %.3f levels, %s", qPrintable(model), qPrintable(precision),
              mean, b->device.c_str());
        QVERIFY(mean <= maxMeanDiff);
    }
};

QTEST_GUILESS_MAIN(TestGpu)
#include "tst_gpu.moc"
