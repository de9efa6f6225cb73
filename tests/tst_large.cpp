// Label `slow`: a 48-megapixel output with the default settings stays under the default 2 GB
// memory limit (peak RSS of the run, from the kernel) and has no seam or hole; about a minute on
// two cores, so it is not in the default set (`ctest -L slow`).
#include "testutil.h"

#include "shiftsr/engine/pipeline.h"
#include "shiftsr/resources/embedded.h"

#include "shiftsr/nn/device.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QtTest>

using namespace shiftsr;

class TestLarge : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultLimitOnALargePhoto() {
        const auto* e = resources::findEmbeddedModel(resources::defaultModelId());
        QVERIFY(e);
        auto model = Model::loadFromMemory(e->data, e->size, e->id, {"cpu", "auto"});
        QVERIFY2(model.isOk(), model.status().message().c_str());
        cv::Mat photo = cv::imread(testutil::samplePhoto().toStdString());
        QVERIFY(!photo.empty());
        UpscaleRequest req;
        cv::resize(photo, req.image, cv::Size(2000, 1500), 0, 0, cv::INTER_CUBIC); // 8000x6000 out
        auto r = Pipeline(*model).run(req);
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(r->width, 8000);
        QCOMPARE(r->height, 6000);
        QVERIFY(r->warnings.empty());
        qInfo("8000x6000: %d tiles of up to %d px, %.1f s, peak %llu MB", r->tiles, r->tile,
              r->times.total, (unsigned long long)(r->peakRssBytes >> 20));
        if (!device::resetPeakRss())
            QSKIP("this kernel cannot reset the peak RSS");
        QVERIFY(r->peakRssBytes <= kDefaultMemoryLimit);
        // Every output row was finished (a band bug would leave black rows).
        cv::Mat gray, rowMax;
        cv::cvtColor(r->image, gray, cv::COLOR_BGR2GRAY);
        cv::reduce(gray, rowMax, 1, cv::REDUCE_MAX);
        double lowest = 0;
        cv::minMaxLoc(rowMax, &lowest);
        QVERIFY(lowest > 0);
    }
};

QTEST_GUILESS_MAIN(TestLarge)
#include "tst_large.moc"
