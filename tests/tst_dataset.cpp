// Training data: folder scan (sorted, reasons for skips) and the pair loader (shapes, determinism
// across worker counts, exact resume, sharding, replacement of unreadable photos, prompt shutdown).
#include "shiftsr/training/dataset.h"
#include "shiftsr/training/loader.h"

#include "testutil.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <set>
#include <thread>

using namespace shiftsr;
using namespace shiftsr::training;

namespace {

cv::Mat photo(int rows, int cols, int seed) {
    cv::Mat img(rows, cols, CV_8UC3);
    cv::RNG rng(std::uint64_t(seed) + 1);
    rng.fill(img, cv::RNG::UNIFORM, 0, 256);
    cv::GaussianBlur(img, img, cv::Size(0, 0), 1.5);
    cv::circle(img, cv::Point(cols / 3, rows / 2), rows / 4, cv::Scalar(20, 200, 90), -1);
    return img;
}

bool write(const QString& path, const cv::Mat& img) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    return cv::imwrite(path.toStdString(), img);
}

bool identical(const cv::Mat& a, const cv::Mat& b) {
    return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0.0;
}

bool sameBatch(const Batch& a, const Batch& b, QString* why) {
    if (a.pairs.size() != b.pairs.size() || a.firstIndex != b.firstIndex) {
        *why = QStringLiteral("size %1/%2 first %3/%4")
                   .arg(a.pairs.size())
                   .arg(b.pairs.size())
                   .arg(a.firstIndex)
                   .arg(b.firstIndex);
        return false;
    }
    for (size_t i = 0; i < a.pairs.size(); ++i) {
        const TrainingPair &x = a.pairs[i], &y = b.pairs[i];
        if (x.path != y.path || x.index != y.index || !identical(x.hr, y.hr) ||
            !identical(x.lq, y.lq)) {
            *why = QStringLiteral("pair %1 differs (%2 vs %3)")
                       .arg(i)
                       .arg(QString::fromStdString(x.path), QString::fromStdString(y.path));
            return false;
        }
    }
    return true;
}

LoaderOptions smallOptions() {
    LoaderOptions o;
    o.gtSize = 64;
    o.batch = 3;
    o.workers = 2;
    o.prefetchBatches = 2;
    o.seed = 42;
    return o;
}

} // namespace

class TestDataset : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tree_.isValid());
        QVERIFY(photos_.isValid());
        const QString t = tree_.path();
        QVERIFY(write(t + "/a.png", photo(80, 100, 1)));
        QVERIFY(write(t + "/b.jpg", photo(90, 120, 2)));
        QVERIFY(write(t + "/UPPER.JPG", photo(70, 70, 3)));
        QVERIFY(write(t + "/sub/c.png", photo(64, 90, 4)));
        QVERIFY(write(t + "/sub/deeper/d.webp", photo(96, 64, 5)));
        QVERIFY(write(t + "/tiny.png", photo(32, 100, 6)));
        QVERIFY(write(t + "/.hidden/e.png", photo(80, 80, 7)));
        QVERIFY(write(t + "/.f.png", photo(80, 80, 8)));
        QVERIFY(testutil::writeAll(t + "/zero.jpg", QByteArray()));
        QVERIFY(testutil::writeAll(t + "/corrupt.png",
                                   QByteArray("\x89PNG\r\n\x1a\n", 8) + QByteArray(200, 'x')));
        QVERIFY(testutil::writeAll(t + "/notes.txt", "not a photo"));
        QVERIFY(testutil::writeAll(t + "/sub/README", "no extension"));

        // Loader photos: several sizes, one smaller than gtSize (padded by reflection).
        const QString p = photos_.path();
        const int sizes[][2] = {{96, 80}, {128, 100}, {70, 90}, {48, 72}, {100, 100}, {64, 64}};
        for (int i = 0; i < 6; ++i)
            QVERIFY(write(p + QStringLiteral("/p%1.png").arg(i),
                          photo(sizes[i][0], sizes[i][1], 10 + i)));
        ScanOptions so;
        so.minSide = 32;
        auto scan = scanImageFolders({p.toStdString()}, so);
        QVERIFY2(scan.isOk(), scan.status().message().c_str());
        images_ = scan->images;
        QCOMPARE(int(images_.size()), 6);
    }

    void scanFindsGoodSkipsBad() {
        const std::string root = tree_.path().toStdString();
        int reports = 0;
        JobControl job;
        job.progress = [&](double f, const std::string& stage) {
            QVERIFY(f >= 0 && f <= 1);
            QCOMPARE(stage, std::string("scan"));
            ++reports;
        };
        auto r = scanImageFolders({root}, ScanOptions{}, job);
        QVERIFY2(r.isOk(), r.status().message().c_str());
        std::vector<std::string> got;
        for (const ImageRecord& im : r->images)
            got.push_back(im.path.substr(root.size() + 1));
        const std::vector<std::string> expect = {"UPPER.JPG", "a.png", "b.jpg", "sub/c.png",
                                                 "sub/deeper/d.webp"};
        QCOMPARE(got, expect);
        QCOMPARE(r->images[1].width, 100);
        QCOMPARE(r->images[1].height, 80);
        QCOMPARE(r->images[4].width, 64);
        QCOMPARE(r->images[4].height, 96);
        QVERIFY(reports >= 5);

        std::map<std::string, std::string> skipped;
        for (const SkippedFile& s : r->skipped)
            skipped[s.path.substr(root.size() + 1)] = s.reason;
        QCOMPARE(int(skipped.size()), 5);
        auto reasonHas = [&](const std::string& file, const QString& word) {
            const QString reason = QString::fromStdString(skipped[file]);
            return reason.contains(word, Qt::CaseInsensitive);
        };
        QVERIFY2(reasonHas("zero.jpg", "empty"), skipped["zero.jpg"].c_str());
        QVERIFY2(reasonHas("corrupt.png", "decode"), skipped["corrupt.png"].c_str());
        QVERIFY2(reasonHas("notes.txt", "not an image"), skipped["notes.txt"].c_str());
        QVERIFY2(reasonHas("sub/README", "not an image"), skipped["sub/README"].c_str());
        QVERIFY2(reasonHas("tiny.png", "too small: 100x32"), skipped["tiny.png"].c_str());
    }

    void scanOptions() {
        const std::string root = tree_.path().toStdString();
        ScanOptions flat;
        flat.recursive = false;
        auto r = scanImageFolders({root}, flat);
        QVERIFY(r.isOk());
        QCOMPARE(int(r->images.size()), 3);
        ScanOptions big;
        big.minSide = 90;
        r = scanImageFolders({root}, big);
        QVERIFY(r.isOk());
        QCOMPARE(int(r->images.size()), 1); // b.jpg: 120x90
        ScanOptions few;
        few.maxPixels = 7000; // a.png has 8000 pixels
        r = scanImageFolders({root}, few);
        QVERIFY(r.isOk());
        bool tooLarge = false;
        for (const SkippedFile& s : r->skipped)
            tooLarge |= s.reason.find("too large") != std::string::npos;
        QVERIFY(tooLarge);
        // The same folder twice, or nested in another: each file once.
        r = scanImageFolders({root, root + "/sub"});
        QVERIFY(r.isOk());
        QCOMPARE(int(r->images.size()), 5);
    }

    void scanErrors() {
        auto missing = scanImageFolders({tree_.path().toStdString() + "/nope"});
        QVERIFY(!missing.isOk());
        QCOMPARE(missing.status().code(), StatusCode::NotFound);
        QVERIFY(QString::fromStdString(missing.status().message()).contains("nope"));
        auto file = scanImageFolders({tree_.path().toStdString() + "/a.png"});
        QCOMPARE(file.status().code(), StatusCode::InvalidArgument);
        auto none = scanImageFolders({});
        QCOMPARE(none.status().code(), StatusCode::InvalidArgument);
        std::atomic<bool> cancel{true};
        JobControl job;
        job.cancel = &cancel;
        auto cancelled = scanImageFolders({tree_.path().toStdString()}, {}, job);
        QCOMPARE(cancelled.status().code(), StatusCode::Cancelled);
    }

    void batchShapes() {
        PairLoader loader(images_, smallOptions());
        for (int b = 0; b < 3; ++b) {
            auto batch = loader.next();
            QVERIFY2(batch.isOk(), batch.status().message().c_str());
            QCOMPARE(int(batch->pairs.size()), 3);
            QCOMPARE(batch->firstIndex, std::uint64_t(3 * b));
            for (int j = 0; j < 3; ++j) {
                const TrainingPair& p = batch->pairs[size_t(j)];
                QCOMPARE(p.hr.type(), CV_32FC3);
                QCOMPARE(p.hr.size(), cv::Size(64, 64));
                QCOMPARE(p.lq.type(), CV_32FC3);
                QCOMPARE(p.lq.size(), cv::Size(16, 16));
                QCOMPARE(p.index, std::uint64_t(3 * b + j));
                double lo, hi;
                cv::minMaxLoc(p.hr.reshape(1), &lo, &hi);
                QVERIFY(lo >= 0 && hi <= 1);
            }
        }
        QCOMPARE(loader.position(), std::uint64_t(9));
        QVERIFY(loader.takeWarnings().empty());
    }

    void epochVisitsEveryPhotoOnce() {
        LoaderOptions o = smallOptions();
        o.batch = 6;
        PairLoader loader(images_, o);
        for (int epoch = 0; epoch < 2; ++epoch) {
            auto batch = loader.next();
            QVERIFY(batch.isOk());
            std::set<std::string> seen;
            for (const TrainingPair& p : batch->pairs)
                seen.insert(p.path);
            QCOMPARE(int(seen.size()), 6);
        }
    }

    void sameDataForAnyWorkerCount() {
        LoaderOptions one = smallOptions(), three = smallOptions();
        one.workers = 1;
        three.workers = 3;
        three.prefetchBatches = 5;
        PairLoader a(images_, one), b(images_, three);
        for (int i = 0; i < 4; ++i) {
            auto x = a.next(), y = b.next();
            QVERIFY(x.isOk() && y.isOk());
            QString why;
            QVERIFY2(sameBatch(*x, *y, &why), qPrintable(why));
        }
        // Another seed, other data.
        LoaderOptions other = smallOptions();
        other.seed = 43;
        PairLoader c(images_, other), d(images_, smallOptions());
        auto x = c.next(), y = d.next();
        QString why;
        QVERIFY(!sameBatch(*x, *y, &why));
    }

    void resumesExactly() {
        const LoaderOptions o = smallOptions();
        PairLoader fresh(images_, o);
        Batch third;
        for (int i = 0; i < 3; ++i) {
            auto b = fresh.next();
            QVERIFY(b.isOk());
            if (i == 1)
                QCOMPARE(fresh.position(), std::uint64_t(2 * o.batch));
            third = std::move(*b);
        }
        PairLoader resumed(images_, o, 2 * std::uint64_t(o.batch));
        auto b = resumed.next();
        QVERIFY(b.isOk());
        QString why;
        QVERIFY2(sameBatch(*b, third, &why), qPrintable(why));
        // A start in the middle of a batch works too: sample 7 is sample 7.
        PairLoader odd(images_, o, 7);
        auto c = odd.next();
        QVERIFY(c.isOk());
        QCOMPARE(c->firstIndex, std::uint64_t(7));
        QVERIFY(identical(c->pairs[1].lq, third.pairs[2].lq)); // global 8
    }

    void shardsUnionToSingleProcess() {
        LoaderOptions single = smallOptions();
        single.batch = 4;
        LoaderOptions r0 = smallOptions(), r1 = smallOptions();
        r0.batch = r1.batch = 2;
        r0.worldSize = r1.worldSize = 2;
        r0.rank = 0;
        r1.rank = 1;
        PairLoader s(images_, single, 4), a(images_, r0, 4), b(images_, r1, 4);
        for (int i = 0; i < 3; ++i) {
            auto x = s.next(), y = a.next(), z = b.next();
            QVERIFY(x.isOk() && y.isOk() && z.isOk());
            QCOMPARE(y->firstIndex, x->firstIndex);
            QCOMPARE(z->firstIndex, x->firstIndex + 2);
            Batch joined;
            joined.firstIndex = y->firstIndex;
            joined.pairs = y->pairs;
            joined.pairs.insert(joined.pairs.end(), z->pairs.begin(), z->pairs.end());
            QString why;
            QVERIFY2(sameBatch(joined, *x, &why), qPrintable(why));
        }
        QCOMPARE(a.position(), s.position());
        QCOMPARE(b.position(), s.position());
    }

    void unreadablePhotoIsReplaced() {
        std::vector<ImageRecord> images = images_;
        images.push_back({photos_.path().toStdString() + "/vanished.png", 80, 80});
        std::sort(images.begin(), images.end(),
                  [](const ImageRecord& x, const ImageRecord& y) { return x.path < y.path; });
        LoaderOptions o = smallOptions();
        o.batch = 7; // one epoch: the vanished photo is met once
        PairLoader a(images, o), b(images, o);
        auto x = a.next(), y = b.next();
        QVERIFY2(x.isOk(), x.status().message().c_str());
        QVERIFY(y.isOk());
        QString why;
        QVERIFY2(sameBatch(*x, *y, &why), qPrintable(why));
        for (const TrainingPair& p : x->pairs)
            QVERIFY(p.path.find("vanished") == std::string::npos);
        // The workers may already have met it again in the prefetched next epoch.
        QVERIFY(a.replacedSamples() >= 1);
        const auto warnings = a.takeWarnings();
        QVERIFY(!warnings.empty()); // more than one if a replacement draw met it again
        for (const std::string& w : warnings)
            QVERIFY2(w.find("vanished.png") != std::string::npos, w.c_str());
        QVERIFY(a.takeWarnings().empty());

        // Nothing readable at all: an error, not a hang.
        PairLoader none({{"/nonexistent/x.png", 80, 80}}, smallOptions());
        auto z = none.next();
        QVERIFY(!z.isOk());
        QVERIFY(QString::fromStdString(z.status().message()).contains("no readable photo"));
    }

    void rescaleGtGivesWholeScenes() {
        LoaderOptions o = smallOptions();
        o.rescaleGt = true;
        PairLoader loader(images_, o);
        auto b = loader.next();
        QVERIFY(b.isOk());
        for (const TrainingPair& p : b->pairs) {
            QCOMPARE(p.hr.size(), cv::Size(64, 64));
            QCOMPARE(p.lq.size(), cv::Size(16, 16));
        }
    }

    void destructorIsPromptWhileWorkersWait() {
        LoaderOptions o = smallOptions();
        o.workers = 3;
        o.prefetchBatches = 1;
        QElapsedTimer timer;
        {
            PairLoader loader(images_, o);
            auto b = loader.next();
            QVERIFY(b.isOk());
            std::this_thread::sleep_for(std::chrono::milliseconds(300)); // workers fill, then wait
            timer.start();
        }
        QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));
        // Destroyed while still busy: the samples in flight finish, nothing more starts.
        timer.restart();
        { PairLoader busy(images_, o); }
        QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
    }

    void invalidOptions_data() {
        QTest::addColumn<int>("field");
        QTest::addColumn<QString>("word");
        QTest::newRow("gtSize not a multiple") << 0 << "gtSize";
        QTest::newRow("rank out of range") << 1 << "rank";
        QTest::newRow("no workers") << 2 << "workers";
        QTest::newRow("bad degradation") << 3 << "kernel2";
        QTest::newRow("no images") << 4 << "no training images";
    }
    void invalidOptions() {
        QFETCH(int, field);
        QFETCH(QString, word);
        LoaderOptions o = smallOptions();
        std::size_t count = images_.size();
        switch (field) {
        case 0:
            o.gtSize = 66;
            break;
        case 1:
            o.worldSize = 2, o.rank = 2;
            break;
        case 2:
            o.workers = 0;
            break;
        case 3:
            o.degradation.kernel2.kernelSize = 2;
            break;
        case 4:
            count = 0;
            break;
        }
        const Status s = PairLoader::validate(o, count);
        QVERIFY(!s.isOk());
        QCOMPARE(s.code(), StatusCode::InvalidArgument);
        QVERIFY2(QString::fromStdString(s.message()).contains(word), s.message().c_str());
        if (count > 0)
            QVERIFY_THROWS_EXCEPTION(std::invalid_argument, PairLoader(images_, o));
    }

private:
    QTemporaryDir tree_, photos_;
    std::vector<ImageRecord> images_;
};

QTEST_GUILESS_MAIN(TestDataset)
#include "tst_dataset.moc"
