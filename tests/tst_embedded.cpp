// The embedded models as a user meets them: no 4-pixel grid on smooth inputs above what bicubic
// upsampling of the same input shows (and the grid score itself), grey photos stay grey, and the
// default memory limit holds on a photo that does not fit in one tile.
#include "testutil.h"

#include "shiftsr/engine/metrics.h"
#include "shiftsr/engine/model.h"
#include "shiftsr/engine/pipeline.h"
#include "shiftsr/resources/embedded.h"

#include "shiftsr/nn/device.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QtTest>

#include <algorithm>
#include <map>

using namespace shiftsr;

namespace {

// A smooth LQ test image: a diagonal ramp (or a flat field), with 1 level of seeded noise so that
// the spectrum has a floor the score can compare with.
cv::Mat smoothImage(int side, bool ramp, cv::Scalar tint) {
    cv::Mat f(side, side, CV_32FC3);
    for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x) {
            const float t = ramp ? float(x + y) / float(2 * side) : 0.5f;
            for (int c = 0; c < 3; ++c)
                f.at<cv::Vec3f>(y, x)[c] = float(tint[c]) * (0.35f + 0.45f * t);
        }
    cv::Mat noise(side, side, CV_32FC3);
    cv::RNG rng(20261207);
    rng.fill(noise, cv::RNG::NORMAL, 0.0, 1.0);
    cv::Mat out;
    cv::Mat(f + noise).convertTo(out, CV_8UC3);
    return out;
}

// Largest per-pixel spread between colour channels, ignoring the 0.1 % most extreme pixels.
double channelSpread(const cv::Mat& bgr) {
    std::vector<cv::Mat> ch;
    cv::split(bgr, ch);
    cv::Mat hi = cv::max(cv::max(ch[0], ch[1]), ch[2]), lo = cv::min(cv::min(ch[0], ch[1]), ch[2]);
    cv::Mat spread = hi - lo;
    std::vector<uchar> v(spread.begin<uchar>(), spread.end<uchar>());
    std::nth_element(v.begin(), v.begin() + long(v.size() * 999 / 1000), v.end());
    return v[v.size() * 999 / 1000];
}

std::shared_ptr<const Model> embedded(const std::string& id) {
    static std::map<std::string, std::shared_ptr<const Model>> cache;
    if (auto it = cache.find(id); it != cache.end())
        return it->second;
    const auto* e = resources::findEmbeddedModel(id);
    if (!e)
        return nullptr;
    auto m = Model::loadFromMemory(e->data, e->size, e->id, {"cpu", "fp32"});
    if (!m)
        qFatal("%s", m.status().message().c_str());
    return cache[id] = *m;
}

cv::Mat upscale(const std::shared_ptr<const Model>& model, const cv::Mat& lq, int steps) {
    UpscaleRequest req;
    req.image = lq;
    req.steps = steps;
    req.seed = 7;
    auto r = Pipeline(model).run(req);
    if (!r)
        qFatal("%s", r.status().message().c_str());
    return r->image;
}

// The trained embedded models at each of their step counts (the test models are untrained:
// skipped).
void addModelRows(const char* what) {
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("steps");
    for (const auto& e : resources::embeddedModels()) {
        if (e.id.rfind("test-", 0) == 0)
            continue;
        auto info = Model::inspectMemory(e.data, e.size, e.id);
        QVERIFY(info.isOk());
        QTest::addRow("%s %s %d step", what, e.id.c_str(), info->steps)
            << QString::fromStdString(e.id) << info->steps;
        if (info->steps != 1)
            QTest::addRow("%s %s 1 step", what, e.id.c_str()) << QString::fromStdString(e.id) << 1;
    }
}

} // namespace

class TestEmbedded : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void scoreSeesAGrid() {
        const cv::Mat smooth = smoothImage(128, true, {200, 200, 200});
        cv::Mat up;
        cv::resize(smooth, up, {}, 2, 2, cv::INTER_CUBIC);
        const double base = metrics::periodicArtefactScore(up);
        QVERIFY2(base < 1.0, qPrintable(QString::number(base)));
        // Add a 4-pixel grid of +-2 levels (a 2x2 bright corner in every 4x4 block).
        cv::Mat grid = up.clone();
        for (int y = 0; y < grid.rows; ++y)
            for (int x = 0; x < grid.cols; ++x)
                if (y % 4 < 2 && x % 4 < 2)
                    grid.at<cv::Vec3b>(y, x) += cv::Vec3b(2, 2, 2);
        const double gridded = metrics::periodicArtefactScore(grid);
        QVERIFY2(gridded > base + 1.0, qPrintable(QString("%1 vs %2").arg(gridded).arg(base)));
        // White noise has no spike: its score stays near that of a max over 9 bins.
        cv::Mat noise(256, 256, CV_8UC3);
        cv::RNG(1).fill(noise, cv::RNG::UNIFORM, 0, 256);
        QVERIFY(metrics::periodicArtefactScore(noise) < 1.0);
        // Too small to measure; a flat image has no spike at all.
        QCOMPARE(metrics::periodicArtefactScore(cv::Mat(16, 16, CV_8UC3, cv::Scalar::all(9))), 0.0);
        QCOMPARE(metrics::periodicArtefactScore(cv::Mat(64, 64, CV_8UC3, cv::Scalar::all(9))), 0.0);
        // The border crop applies before the measurement.
        QCOMPARE(
            metrics::periodicArtefactScore(grid, 4),
            metrics::periodicArtefactScore(grid(cv::Rect(4, 4, grid.cols - 8, grid.rows - 8))));
    }

    void noGridOnSmoothInputs_data() { addModelRows("smooth"); }
    void noGridOnSmoothInputs() {
        QFETCH(QString, model);
        QFETCH(int, steps);
        auto m = embedded(model.toStdString());
        QVERIFY(m);
        for (bool ramp : {true, false}) {
            for (const cv::Scalar& tint : {cv::Scalar(255, 255, 255), cv::Scalar(140, 200, 255)}) {
                const cv::Mat lq = smoothImage(64, ramp, tint);
                cv::Mat bicubic;
                cv::resize(lq, bicubic, {}, 4, 4, cv::INTER_CUBIC);
                const cv::Mat sr = upscale(m, lq, steps);
                const double score = metrics::periodicArtefactScore(sr, 4);
                const double reference = metrics::periodicArtefactScore(bicubic, 4);
                qInfo("%s, tint %.0f/%.0f/%.0f: grid score %.2f, bicubic %.2f",
                      ramp ? "ramp" : "flat", tint[0], tint[1], tint[2], score, reference);
                QVERIFY2(score <= reference + 0.15,
                         qPrintable(QString("%1 %2: grid score %3, bicubic %4")
                                        .arg(ramp ? "ramp" : "flat")
                                        .arg(tint[2])
                                        .arg(score)
                                        .arg(reference)));
            }
        }
    }

    void greyStaysGrey_data() { addModelRows("grey"); }
    void greyStaysGrey() {
        QFETCH(QString, model);
        QFETCH(int, steps);
        auto m = embedded(model.toStdString());
        QVERIFY(m);
        // The sample photo made grey, each channel then moved by up to 3 levels (a near-grey
        // photo).
        cv::Mat photo = cv::imread(testutil::samplePhoto().toStdString());
        QVERIFY(!photo.empty());
        cv::Mat grey, lq;
        cv::cvtColor(photo(cv::Rect(0, 0, std::min(96, photo.cols), std::min(96, photo.rows))),
                     grey, cv::COLOR_BGR2GRAY);
        cv::cvtColor(grey, lq, cv::COLOR_GRAY2BGR);
        lq += cv::Scalar(3, 0, 1);
        const double before = channelSpread(lq);
        const cv::Mat sr = upscale(m, lq, steps);
        const double after = channelSpread(sr);
        qInfo("channel spread (99.9th percentile): input %.0f, output %.0f levels", before, after);
        QVERIFY2(after <= before + 4,
                 qPrintable(QString("channel spread %1 -> %2").arg(before).arg(after)));
    }

    // The default limit (2 GB) and a tighter one: the run chooses tiles that keep its peak RSS
    // under the limit, measured from the kernel's high-water mark of this run.
    void memoryLimitHolds_data() {
        QTest::addColumn<int>("headroomMb");
        QTest::newRow("default limit") << 0;
        QTest::newRow("600 MB above the process") << 600;
    }
    void memoryLimitHolds() {
        QFETCH(int, headroomMb);
        auto m = embedded(resources::defaultModelId());
        QVERIFY(m);
        cv::Mat photo = cv::imread(testutil::samplePhoto().toStdString());
        QVERIFY(!photo.empty());
        cv::Mat lq;
        cv::resize(photo, lq, cv::Size(448, 320), 0, 0, cv::INTER_CUBIC); // 1792x1280 out
        UpscaleRequest req;
        req.image = lq;
        const std::uint64_t before = device::currentRssBytes();
        if (headroomMb > 0)
            req.tiles.memoryLimit = before + (std::uint64_t(headroomMb) << 20);
        QCOMPARE(UpscaleRequest().tiles.memoryLimit, kDefaultMemoryLimit);
        auto r = Pipeline(m).run(req);
        QVERIFY2(r.isOk(), r.status().message().c_str());
        if (!device::resetPeakRss())
            QSKIP("this kernel cannot reset the peak RSS");
        qInfo("limit %llu MB: %d tiles of up to %d px (overlap %d), peak %llu MB (process before: "
              "%llu MB)",
              (unsigned long long)(req.tiles.memoryLimit >> 20), r->tiles, r->tile, r->overlap,
              (unsigned long long)(r->peakRssBytes >> 20), (unsigned long long)(before >> 20));
        QVERIFY(r->peakRssBytes <= req.tiles.memoryLimit);
        if (headroomMb > 0)
            QVERIFY2(r->tiles > 1, "a tight limit must split the photo into tiles");
    }
};

QTEST_GUILESS_MAIN(TestEmbedded)
#include "tst_embedded.moc"
