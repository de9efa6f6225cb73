// Whole-image pipeline: tiling and blending against per-tile runs, seams, determinism, formats,
// EXIF orientation and provenance, bad inputs, cancellation, and large images in bounded tiles.
#include "finish.h"
#include "output_fault.h"
#include "shiftsr/nn/color_fix.h"
#include "shiftsr/nn/device.h"
#include "shiftsr/nn/image_tensor.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/sampler.h"
#include "shiftsr/nn/tensor_io.h"
#include "testutil.h"
#include "tiling.h"

#include "shiftsr/engine/metadata.h"
#include "shiftsr/engine/pipeline.h"

#include <exiv2/exiv2.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <cstring>
#include <thread>

#include <sys/mman.h>

using namespace shiftsr;

namespace {

// The shared tiny architecture (padding offset 16, unshuffle codec): fast on a CPU.
Architecture tinyArch() {
    Architecture a = Architecture::tinyTest();
    a.name = "tiny";
    return a;
}

QString writePackage(const QString& dir) {
    torch::manual_seed(7);
    Architecture a = tinyArch();
    nn::UNetModelSwinImpl unet(a.unet);
    SafeTensorsWriter w;
    for (const auto& [k, v] : a.toMetadata())
        w.setMetadata(k, v);
    for (const auto& p : unet.named_parameters())
        if (!addTensor(w, "unet." + p.key(), p.value().detach().clone()))
            return {};
    for (const auto& b : unet.named_buffers())
        if (!addTensor(w, "unet." + b.key(), b.value().clone()))
            return {};
    const QString path = QDir(dir).filePath("tiny.safetensors");
    return w.write(path.toStdString()) ? path : QString();
}

cv::Mat gradient(int w, int h, int depth = CV_8U) {
    cv::Mat m(h, w, CV_8UC3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            m.at<cv::Vec3b>(y, x) =
                cv::Vec3b(uchar(40 + 2 * x), uchar(60 + 2 * y), uchar(200 - x - y));
    if (depth == CV_16U)
        m.convertTo(m, CV_16U, 257.0);
    return m;
}

cv::Mat noiseImage(int w, int h) {
    cv::Mat m(h, w, CV_8UC3);
    cv::RNG rng(3);
    rng.fill(m, cv::RNG::UNIFORM, 0, 256);
    cv::GaussianBlur(m, m, cv::Size(5, 5), 1.5);
    return m;
}

bool setOrientation(const QString& path, int o) {
    try {
        auto image = Exiv2::ImageFactory::open(path.toStdString());
        image->readMetadata();
        image->exifData()["Exif.Image.Orientation"] = static_cast<std::uint16_t>(o);
        image->writeMetadata();
        return true;
    } catch (const std::exception& e) {
        qWarning("exiv2: %s", e.what());
        return false;
    }
}

double maxAbsDiff(const cv::Mat& a, const cv::Mat& b) {
    return cv::norm(a, b, cv::NORM_INF);
}

// Mean over rows (and channels) of |I(y, x) - I(y, x - 1)|, for x = 1 .. W-1: a seam is a column
// whose jump stands out from the jumps elsewhere.
std::vector<double> columnJumps(const cv::Mat& img) {
    cv::Mat f;
    img.convertTo(f, CV_32F);
    std::vector<double> j(size_t(f.cols), 0.0);
    for (int x = 1; x < f.cols; ++x) {
        cv::Mat d;
        cv::absdiff(f.col(x), f.col(x - 1), d);
        const cv::Scalar s = cv::mean(d);
        j[size_t(x)] = (s[0] + s[1] + s[2]) / 3;
    }
    return j;
}

// A blended canvas of random tiles in [-1, 1] with random positive window sums (H x W HR pixels).
BlendCanvas randomCanvas(int H, int W) {
    BlendCanvas c;
    c.wy = torch::rand({H}) + 0.5;
    c.wx = torch::rand({W}) + 0.5;
    c.sum =
        (torch::rand({1, 3, H, W}) * 2 - 1) * c.wy.view({1, 1, -1, 1}) * c.wx.view({1, 1, 1, -1});
    return c;
}

} // namespace

class TestPipeline : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
        QVERIFY(dir_.isValid());
        const QString path = writePackage(dir_.path());
        QVERIFY(!path.isEmpty());
        auto m = Model::load(path.toStdString(), LoadOptions{"cpu", "fp32"});
        QVERIFY2(m.isOk(), m.status().message().c_str());
        model_ = *m;
    }

    // One tile (image not larger than the tile) is exactly the untiled official path: the sampler's
    // superResolve on the whole image, the arithmetic tst_parity checks against the official code.
    void singleTileEqualsOfficialPath() {
        const cv::Mat img = noiseImage(40, 36);
        UpscaleRequest r;
        r.image = img;
        r.colorFix = ColorFix::None;
        r.threads = 1;
        auto rep = Pipeline(model_).run(r);
        QVERIFY2(rep.isOk(), rep.status().message().c_str());
        QCOMPARE(rep->tiles, 1);
        const auto& m = model_->impl();
        device::InferenceGuard guard;
        DiffusionParts parts{m.unet.get(), m.codec.get(), m.schedule.get(), m.arch.paddingOffset,
                             m.arch.degridSigma};
        SeededNoise noise(r.seed);
        SampleOptions so;
        so.mode = m.arch.steps == 1 ? SamplerMode::OneStep : SamplerMode::MultiStep;
        so.extraNoiseChannels = m.arch.unet.extraInputChannels;
        auto sr = superResolve(parts, (matToTensor01(img) - 0.5) / 0.5, noise, so, {});
        const cv::Mat ref = tensor01ToMat(sr * 0.5 + 0.5, img.depth());
        QCOMPARE(maxAbsDiff(rep->image, ref), 0.0);
    }

    // The model is shared and only read: two runs on it from two threads at once give the pixels
    // of the same two runs one after the other (multi-step, so the Swin caches of a run are hit).
    void concurrentRunsOnOneModel() {
        UpscaleRequest a, b;
        a.image = noiseImage(40, 36);
        b.image = gradient(52, 44);
        b.seed = 7;
        for (UpscaleRequest* r : {&a, &b}) {
            r->threads = 1;
            r->tiles.tile = 32; // several tiles of two sizes: more cache entries per run
        }
        const Pipeline p(model_);
        auto seqA = p.run(a), seqB = p.run(b);
        QVERIFY(seqA.isOk() && seqB.isOk());
        for (int round = 0; round < 3; ++round) {
            Result<UpscaleReport> conA = Status::error(StatusCode::Internal, "not run"),
                                  conB = conA;
            std::thread ta([&] { conA = p.run(a); });
            std::thread tb([&] { conB = p.run(b); });
            ta.join();
            tb.join();
            QVERIFY2(conA.isOk(), conA.status().message().c_str());
            QVERIFY2(conB.isOk(), conB.status().message().c_str());
            QCOMPARE(maxAbsDiff(conA->image, seqA->image), 0.0);
            QCOMPARE(maxAbsDiff(conB->image, seqB->image), 0.0);
        }
    }

    // A raised cancel flag stops a network call between its blocks, not only between steps: on a
    // large tile one step takes many seconds.
    void cancelInsideANetworkCall() {
        const auto& m = model_->impl();
        const auto& c = m.arch.unet;
        device::InferenceGuard guard;
        const int64_t h = 16, H = h * c.lqSize / c.imageSize;
        const auto x = torch::zeros({1, c.inChannels + c.extraInputChannels, h, h});
        const auto t = torch::zeros({1}, torch::kLong);
        const auto lq = torch::zeros({1, 3, H, H});
        std::atomic<bool> cancel{false};
        nn::RunState state;
        state.cancel = &cancel;
        QCOMPARE(m.unet->forward(x, t, lq, &state).size(2), h);
        cancel = true;
        bool cancelled = false;
        try {
            m.unet->forward(x, t, lq, &state);
        } catch (const Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
    }

    // Provable tiled-vs-untiled statement: tile (r, c) of the grid is the standalone run of its LQ
    // crop with seed tileSeed(seed, r, c). Hence (colour fix off) an HR pixel covered by one tile
    // equals that run exactly (its weight is exactly 1), and a pixel covered by several lies
    // within [min, max] of their runs (a convex combination), +-1 level for the final rounding.
    void tilesAgreeWithStandaloneRuns_data() {
        QTest::addColumn<int>("tile");
        QTest::newRow("tile 32") << 32; // 3 x 3 tiles: corners where four tiles blend
    }
    void tilesAgreeWithStandaloneRuns() {
        QFETCH(int, tile);
        const int W = 64, H = 56, sf = 4, overlap = 16;
        const cv::Mat img = noiseImage(W, H);
        UpscaleRequest r;
        r.image = img;
        r.colorFix = ColorFix::None;
        r.steps = 1;
        r.tiles.tile = tile;
        r.tiles.overlap = overlap;
        Pipeline p(model_);
        auto rep = p.run(r);
        QVERIFY2(rep.isOk(), rep.status().message().c_str());
        const auto ax = tiling::planAxis(W, tile, overlap), ay = tiling::planAxis(H, tile, overlap);
        QCOMPARE(rep->tiles, int(ax.starts.size() * ay.starts.size()));
        QVERIFY(rep->tiles > 1);
        cv::Mat lo(H * sf, W * sf, CV_32FC3, cv::Scalar::all(1e9)),
            hi(H * sf, W * sf, CV_32FC3, cv::Scalar::all(-1e9));
        cv::Mat count = cv::Mat::zeros(H * sf, W * sf, CV_32S),
                single(H * sf, W * sf, CV_32FC3, cv::Scalar::all(0));
        for (size_t ry = 0; ry < ay.starts.size(); ++ry)
            for (size_t cx = 0; cx < ax.starts.size(); ++cx) {
                const cv::Rect lq(ax.starts[cx], ay.starts[ry], ax.extent, ay.extent);
                UpscaleRequest t = r;
                t.image = img(lq).clone();
                t.seed = tiling::tileSeed(r.seed, int(ry), int(cx));
                auto one = p.run(t);
                QVERIFY(one.isOk());
                QCOMPARE(one->tiles, 1);
                cv::Mat f;
                one->image.convertTo(f, CV_32FC3);
                const cv::Rect hr(lq.x * sf, lq.y * sf, lq.width * sf, lq.height * sf);
                cv::Mat loR = lo(hr), hiR = hi(hr), singleR = single(hr), countR = count(hr);
                cv::min(loR, f, loR);
                cv::max(hiR, f, hiR);
                f.copyTo(singleR);
                countR += 1;
            }
        cv::Mat out;
        rep->image.convertTo(out, CV_32FC3);
        int singles = 0, multis = 0;
        for (int y = 0; y < out.rows; ++y)
            for (int x = 0; x < out.cols; ++x) {
                const auto v = out.at<cv::Vec3f>(y, x);
                if (count.at<int>(y, x) == 1) {
                    ++singles;
                    QVERIFY2(v == single.at<cv::Vec3f>(y, x),
                             qPrintable(QString("single-cover pixel %1,%2").arg(x).arg(y)));
                } else {
                    ++multis;
                    for (int ch = 0; ch < 3; ++ch)
                        QVERIFY2(v[ch] >= lo.at<cv::Vec3f>(y, x)[ch] - 1 &&
                                     v[ch] <= hi.at<cv::Vec3f>(y, x)[ch] + 1,
                                 qPrintable(QString("blended pixel %1,%2").arg(x).arg(y)));
                }
            }
        QVERIFY(singles > 0 && multis > 0);
    }

    // Seams: the mean jump across a column (row) at an interior tile edge must not exceed
    // 1.5 x the largest mean jump at columns (rows) away from every tile edge, + 1 level.
    void noSeam_data() {
        QTest::addColumn<int>("tile");
        QTest::addColumn<bool>("constant");
        for (int t : {32, 48}) {
            QTest::newRow(qPrintable(QString("constant, tile %1").arg(t))) << t << true;
            QTest::newRow(qPrintable(QString("gradient, tile %1").arg(t))) << t << false;
        }
    }
    void noSeam() {
        QFETCH(int, tile);
        QFETCH(bool, constant);
        const int W = 64, H = 56, sf = 4;
        UpscaleRequest r;
        r.image = constant ? cv::Mat(H, W, CV_8UC3, cv::Scalar(90, 140, 200)) : gradient(W, H);
        r.steps = 1;
        r.colorFix = ColorFix::None; // the blend alone must hide the edges
        r.tiles.tile = tile;
        r.tiles.overlap = 16;
        auto rep = Pipeline(model_).run(r);
        QVERIFY2(rep.isOk(), rep.status().message().c_str());
        for (bool vertical : {true, false}) {
            const cv::Mat img = vertical ? rep->image : cv::Mat(rep->image.t());
            const auto axis = tiling::planAxis(vertical ? W : H, tile, 16);
            std::vector<bool> edge(size_t(img.cols), false);
            for (int s : axis.starts)
                for (int e : {s * sf, (s + axis.extent) * sf})
                    for (int d = -2; d <= 2; ++d) // edges and a margin around them
                        if (e + d > 0 && e + d < img.cols)
                            edge[size_t(e + d)] = true;
            const auto jumps = columnJumps(img);
            double away = 0, atEdge = 0;
            for (int x = 1; x < img.cols; ++x)
                (edge[size_t(x)] ? atEdge : away) =
                    std::max(edge[size_t(x)] ? atEdge : away, jumps[size_t(x)]);
            qInfo("%s: max mean jump at tile edges %.2f, elsewhere %.2f",
                  vertical ? "columns" : "rows", atEdge, away);
            QVERIFY2(atEdge <= 1.5 * away + 1.0,
                     qPrintable(QString("seam: %1 vs %2").arg(atEdge).arg(away)));
        }
    }

    void deterministicAndThreadIndependent() { // a 2 x 2 grid
        UpscaleRequest r;
        r.image = noiseImage(48, 48);
        r.steps = 1;
        r.tiles.tile = 32;
        r.tiles.overlap = 16;
        r.threads = 1;
        Pipeline p(model_);
        auto a = p.run(r), b = p.run(r);
        r.threads = 2;
        auto c = p.run(r);
        QVERIFY(a.isOk() && b.isOk() && c.isOk());
        QCOMPARE(c->threads, 2);
        QCOMPARE(maxAbsDiff(a->image, b->image), 0.0);
        // Not bit-exact across thread counts: LibTorch splits reductions differently, so a value
        // can round to the neighbouring level. Same thread count: identical bytes.
        QVERIFY(maxAbsDiff(a->image, c->image) <= 1.0);
        r.seed = 99;
        auto d = p.run(r);
        QVERIFY(d.isOk());
        QVERIFY(maxAbsDiff(a->image, d->image) > 0.0);
    }

    void formats_data() {
        QTest::addColumn<QString>("kind");
        QTest::newRow("16-bit png") << "16bit";
        QTest::newRow("gray png") << "gray";
        QTest::newRow("rgba png") << "rgba";
    }
    void formats() {
        QFETCH(QString, kind);
        const int W = 36, H = 32;
        cv::Mat in = gradient(W, H, kind == "16bit" ? CV_16U : CV_8U), alpha;
        if (kind == "gray")
            cv::cvtColor(in, in, cv::COLOR_BGR2GRAY);
        if (kind == "rgba") {
            alpha = cv::Mat(H, W, CV_8U);
            for (int y = 0; y < H; ++y)
                for (int x = 0; x < W; ++x)
                    alpha.at<uchar>(y, x) = uchar(x < W / 2 ? 255 : 7 * y);
            cv::Mat parts[] = {in, alpha}, bgra;
            cv::merge(parts, 2, bgra);
            in = bgra;
        }
        const QString src = dir_.filePath("in-" + kind + ".png"),
                      dst = dir_.filePath("out-" + kind + ".png");
        QVERIFY(cv::imwrite(src.toStdString(), in));
        UpscaleRequest r;
        r.input = src.toStdString();
        r.output = dst.toStdString();
        r.steps = 1;
        auto rep = Pipeline(model_).run(r);
        QVERIFY2(rep.isOk(), rep.status().message().c_str());
        auto out = ImageIO::read(dst.toStdString());
        QVERIFY2(out.isOk(), out.status().message().c_str());
        QCOMPARE(out->color.cols, W * 4);
        QCOMPARE(out->color.rows, H * 4);
        QCOMPARE(out->bitDepth, kind == "16bit" ? 16 : 8);
        QCOMPARE(out->color.channels(), kind == "gray" ? 1 : 3);
        if (kind == "rgba") {
            QVERIFY(!out->alpha.empty());
            cv::Mat expected;
            cv::resize(alpha, expected, out->alpha.size(), 0, 0, cv::INTER_CUBIC);
            QVERIFY(maxAbsDiff(out->alpha, expected) <= 1.0);
        } else {
            QVERIFY(out->alpha.empty());
        }
    }

    void exifOrientationAndProvenance() {
        const QString src = dir_.filePath("rotated.jpg"), dst = dir_.filePath("rotated-x4.png");
        QVERIFY(cv::imwrite(src.toStdString(), gradient(48, 32))); // stored 48 wide, 32 high
        QVERIFY(setOrientation(src, 6));
        UpscaleRequest r;
        r.input = src.toStdString();
        r.output = dst.toStdString();
        r.steps = 1;
        auto rep = Pipeline(model_).run(r);
        QVERIFY2(rep.isOk(), rep.status().message().c_str());
        QCOMPARE(rep->width, 32 * 4); // upright: rotated a quarter turn
        QCOMPARE(rep->height, 48 * 4);
        auto out = ImageIO::read(dst.toStdString());
        QVERIFY(out.isOk());
        QCOMPARE(out->color.cols, 128);
        QCOMPARE(out->color.rows, 192);
        auto md = Metadata::read(dst.toStdString());
        QVERIFY2(md.isOk(), md.status().message().c_str());
        QCOMPARE(md->orientation(), 1);
        const auto e = md->entries();
        for (const char* key : {"Xmp.shiftsr.Model", "Xmp.shiftsr.ModelSha256", "Xmp.shiftsr.Seed",
                                "Xmp.shiftsr.Tile", "Xmp.shiftsr.ColorFix", "Xmp.shiftsr.Device",
                                "Xmp.shiftsr.Precision"})
            QVERIFY2(e.count(key), key);
        QCOMPARE(QString::fromStdString(e.at("Xmp.shiftsr.Seed")), QStringLiteral("12345"));
        QCOMPARE(QString::fromStdString(e.at("Xmp.shiftsr.ColorFix")), QStringLiteral("luma"));
        QCOMPARE(e.at("Xmp.shiftsr.ModelSha256"), model_->info().contentHash);
    }

    // One write path: a metadata or disk failure while writing over an existing file leaves that
    // file byte-identical and no temporary file behind; without the failure the run replaces it.
    void failedWriteKeepsExistingFile_data() {
        QTest::addColumn<int>("fault");
        QTest::addColumn<QString>("ext");
        for (const char* ext : {"jpg", "png"}) {
            QTest::addRow("metadata, %s", ext) << int(OutputFault::Metadata) << ext;
            QTest::addRow("disk, %s", ext) << int(OutputFault::Disk) << ext;
        }
    }
    void failedWriteKeepsExistingFile() {
        QFETCH(int, fault);
        QFETCH(QString, ext);
        QTemporaryDir dir;
        const QString out = dir.filePath("kept." + ext);
        const QByteArray before = "an earlier result the user wants to keep";
        QVERIFY(testutil::writeAll(out, before));
        UpscaleRequest r;
        r.image = gradient(24, 20);
        r.steps = 1;
        r.output = out.toStdString();
        gOutputFault = fault;
        auto rep = Pipeline(model_).run(r);
        gOutputFault = int(OutputFault::None);
        QVERIFY(!rep.isOk());
        qInfo("%s", rep.status().message().c_str());
        QCOMPARE(testutil::readAll(out), before);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden),
                 QStringList{"kept." + ext});
        rep = Pipeline(model_).run(r);
        QVERIFY2(rep.isOk(), rep.status().message().c_str());
        QVERIFY(testutil::readAll(out) != before);
        auto md = Metadata::read(out.toStdString());
        QVERIFY(md.isOk() && md->entries().count("Xmp.shiftsr.Model"));
    }

    // Images smaller than the padding offset are reflected repeatedly (a 1-pixel side replicated):
    // every size from 2x2 up runs and gives 4x its size; a 1-pixel side is refused.
    void tinyImagesRun_data() {
        QTest::addColumn<int>("w");
        QTest::addColumn<int>("h");
        for (auto [w, h] : {std::pair{2, 2}, {3, 2}, {5, 9}, {17, 3}})
            QTest::newRow(qPrintable(QString("%1x%2").arg(w).arg(h))) << w << h;
    }
    void tinyImagesRun() {
        QFETCH(int, w);
        QFETCH(int, h);
        UpscaleRequest r;
        r.image = noiseImage(w, h);
        r.steps = 1;
        r.threads = 1;
        auto rep = Pipeline(model_).run(r);
        QVERIFY2(rep.isOk(), rep.status().message().c_str());
        QCOMPARE(rep->image.cols, 4 * w);
        QCOMPARE(rep->image.rows, 4 * h);
    }

    // The report's peak memory is the run's own, not an earlier peak of the process: a 400 MB
    // buffer, touched and freed, must not show in the peak of a small run that follows.
    void peakMemoryIsPerRun() {
        {
            // mmap, not malloc: the engine keeps freed heap memory mapped (see device.cpp).
            const size_t bytes = size_t(400) << 20;
            void* p =
                ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            QVERIFY(p != MAP_FAILED);
            std::memset(p, 1, bytes);
            QVERIFY(::munmap(p, bytes) == 0);
        }
        const auto current = shiftsr::device::currentRssBytes();
        const auto earlierPeak = shiftsr::device::peakRssBytes();
        QVERIFY(earlierPeak >= current + (size_t(350) << 20));
        UpscaleRequest r;
        r.image = noiseImage(24, 20);
        r.steps = 1;
        r.threads = 1;
        auto rep = Pipeline(model_).run(r);
        QVERIFY(rep.isOk());
        if (!shiftsr::device::resetPeakRss())
            QSKIP("this kernel cannot reset the peak RSS");
        QVERIFY(rep->peakRssBytes > 0);
        QVERIFY2(rep->peakRssBytes < current + (size_t(200) << 20),
                 qPrintable(QString("run peak %1 MB, RSS before the run %2 MB, earlier peak %3 MB")
                                .arg(rep->peakRssBytes >> 20)
                                .arg(current >> 20)
                                .arg(earlierPeak >> 20)));
    }

    void badInputs_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("inName");
        QTest::addColumn<QString>("outPath");
        QTest::addColumn<int>("code");
        QByteArray ihdr;
        for (quint32 v : {100000u, 100000u})
            for (int i = 3; i >= 0; --i)
                ihdr += char((v >> (8 * i)) & 0xFF);
        ihdr += QByteArray::fromHex("0802000000");
        // CRC is not checked before the size refusal, so a zero CRC keeps the fixture short.
        QByteArray huge = QByteArray::fromHex("89504E470D0A1A0A0000000D") + "IHDR" + ihdr +
                          QByteArray(4, '\0') + QByteArray::fromHex("00000010") + "IDAT" +
                          QByteArray(20, '\x11');
        std::vector<uchar> good;
        cv::imencode(".png", gradient(20, 20), good);
        const QByteArray goodPng(reinterpret_cast<const char*>(good.data()), int(good.size()));
        QTest::newRow("corrupt jpeg")
            << (QByteArray::fromHex("FFD8FFE000104A464946") + QByteArray(200, '\x5A'))
            << "corrupt.jpg"
            << "out-corrupt.png" << int(StatusCode::InvalidFile);
        QTest::newRow("zero bytes") << QByteArray() << "empty.png"
                                    << "out-empty.png" << int(StatusCode::InvalidFile);
        QTest::newRow("100000x100000 png") << huge << "huge.png"
                                           << "out-huge.png" << int(StatusCode::Unsupported);
        QTest::newRow("missing output folder")
            << goodPng << "good.png"
            << "no/such/folder/out.png" << int(StatusCode::NotFound);
    }
    void badInputs() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, inName);
        QFETCH(QString, outPath);
        QFETCH(int, code);
        const QString in = dir_.filePath(inName), out = dir_.filePath(outPath);
        QVERIFY(testutil::writeAll(in, bytes));
        UpscaleRequest r;
        r.input = in.toStdString();
        r.output = out.toStdString();
        r.steps = 1;
        auto rep = Pipeline(model_).run(r);
        QVERIFY(!rep.isOk());
        qInfo("%s", rep.status().message().c_str());
        QCOMPARE(int(rep.status().code()), code);
        QVERIFY(!rep.status().message().empty());
        QVERIFY(!QFile::exists(out));
    }

    void cancelAfterFirstTile() {
        const QString out = dir_.filePath("cancelled.png");
        std::atomic<bool> cancel{false};
        std::vector<std::string> stages;
        JobControl job;
        job.cancel = &cancel;
        job.progress = [&](double, const std::string& stage) {
            stages.push_back(stage);
            if (stage.rfind("tile 1/", 0) == 0 && stage.find("done") != std::string::npos)
                cancel = true;
        };
        UpscaleRequest r;
        r.image = noiseImage(64, 48);
        r.steps = 1;
        r.output = out.toStdString();
        r.tiles.tile = 32;
        r.tiles.overlap = 16;
        auto rep = Pipeline(model_).run(r, job);
        QVERIFY(!rep.isOk());
        QCOMPARE(rep.status().code(), StatusCode::Cancelled);
        QVERIFY(!QFile::exists(out));
        for (const auto& s : stages) // nothing of tile 2 ran past its first check
            QVERIFY2(s.rfind("tile 2/", 0) != 0 || s.find("done") == std::string::npos, s.c_str());
    }

    // 176x176 LQ in 64 px tiles: 3 x 3 tiles, each O(tile) memory; the canvas is 704x704. (A
    // 400x400 image takes ~100 s with this model on two busy cores, so the size is cut to fit.)
    void largeImageInSmallTiles() {
        UpscaleRequest r;
        r.image = gradient(88, 88);
        cv::resize(r.image, r.image, cv::Size(176, 176), 0, 0, cv::INTER_LINEAR);
        r.steps = 1;
        r.tiles.tile = 64;
        r.tiles.overlap = 8;
        QElapsedTimer timer;
        timer.start();
        auto rep = Pipeline(model_).run(r);
        QVERIFY2(rep.isOk(), rep.status().message().c_str());
        qInfo("176x176 in %d tiles: %.1f s", rep->tiles, timer.elapsed() / 1000.0);
        QCOMPARE(rep->tile, 64);
        QCOMPARE(rep->tiles, 9);
        QCOMPARE(rep->width, 704);
        QCOMPARE(rep->height, 704);
    }

    // The automatic grid covers the image, neighbours overlap by at least the minimum, sides are
    // multiples of the alignment (or the whole axis), one tile fits the area, and the grid of the
    // 1000x750 benchmark photo costs little more than the photo itself.
    void automaticGrid_data() {
        QTest::addColumn<int>("w");
        QTest::addColumn<int>("h");
        QTest::addColumn<qlonglong>("maxArea");
        QTest::addColumn<int>("maxSide");
        QTest::addColumn<double>("maxOverhead");
        QTest::newRow("1000x750, 86k px") << 1000 << 750 << 86000ll << 512 << 1.2;
        QTest::newRow("1000x750, 64k px") << 1000 << 750 << 65536ll << 512 << 1.45;
        QTest::newRow("one tile") << 200 << 150 << (1ll << 20) << 512 << 1.0;
        QTest::newRow("side limit") << 1200 << 300 << (1ll << 20) << 512 << 1.2;
        QTest::newRow("tall strip") << 40 << 3000 << 40000ll << 512 << 1.2;
        QTest::newRow("4000x3000, 86k px") << 4000 << 3000 << 86000ll << 512 << 1.2;
    }
    void automaticGrid() {
        QFETCH(int, w);
        QFETCH(int, h);
        QFETCH(qlonglong, maxArea);
        QFETCH(int, maxSide);
        QFETCH(double, maxOverhead);
        const int align = 32, minOverlap = tiling::kMinOverlap;
        const auto g = tiling::planGrid(w, h, std::uint64_t(maxArea), maxSide, minOverlap, align);
        auto pad = [&](int v) { return (v + align - 1) / align * align; };
        for (const auto* a : {&g.x, &g.y}) {
            const int length = a == &g.x ? w : h;
            QCOMPARE(a->starts.front(), 0);
            QCOMPARE(a->starts.back() + a->extent, length);
            QVERIFY(a->extent % align == 0 || a->starts.size() == 1);
            QVERIFY(a->extent <= maxSide || a->starts.size() == 1);
            for (size_t i = 1; i < a->starts.size(); ++i)
                QVERIFY2(a->starts[i - 1] + a->extent - a->starts[i] >= minOverlap,
                         "overlap below the minimum");
        }
        QVERIFY(qlonglong(pad(g.x.extent)) * pad(g.y.extent) <= maxArea);
        QVERIFY(g.minOverlap() >= minOverlap || (g.x.starts.size() == 1 && g.y.starts.size() == 1));
        const double overhead = double(g.x.starts.size() * g.x.extent) *
                                double(g.y.starts.size() * g.y.extent) / (double(w) * h);
        qInfo("%dx%d: %zu x %zu tiles of %dx%d, overlap %d, %.3f x the pixels", w, h,
              g.x.starts.size(), g.y.starts.size(), g.x.extent, g.y.extent, g.minOverlap(),
              overhead);
        QVERIFY2(overhead <= maxOverhead, qPrintable(QString::number(overhead)));
        // Not even one aligned tile fits: the smallest tiles, still a plan that covers the image.
        const auto tiny = tiling::planGrid(w, h, 10, maxSide, minOverlap, align);
        QCOMPARE(tiny.x.starts.back() + tiny.x.extent, w);
        QVERIFY(tiny.maxSide() <= align);
    }

    // The tile side follows the budget through the architecture estimate.
    void tileFromBudget() {
        const std::uint64_t bpp = tiling::bytesPerLqPixel(model_->impl().arch);
        QVERIFY(bpp > 0);
        UpscaleRequest r;
        r.image = noiseImage(64, 56);
        r.steps = 1;
        r.tiles.memoryBudget = bpp * 48 * 48 + bpp; // room for 48 x 48 or 64 x 32, not for 64 x 64
        auto rep = Pipeline(model_).run(r);
        QVERIFY2(rep.isOk(), rep.status().message().c_str());
        const auto grid = tiling::planGrid(64, 56, 48 * 48 + 1, 512, tiling::kMinOverlap, 16);
        QVERIFY(grid.x.extent * grid.y.extent <= 48 * 48);
        QCOMPARE(rep->tile, grid.maxSide());
        QCOMPARE(rep->tiles, int(grid.x.starts.size() * grid.y.starts.size()));
        QVERIFY(rep->overlap >= tiling::kMinOverlap); // automatic tiles
        QCOMPARE(rep->bytesPerLqPixel, bpp);
        QVERIFY(rep->tiles > 1);
        r.tiles.memoryBudget = 1; // nothing fits: the smallest tile, still a result
        r.image = noiseImage(24, 20);
        rep = Pipeline(model_).run(r);
        QVERIFY(rep.isOk());
        QCOMPARE(rep->tile, 16);
    }

    // The wavelet fix keeps the output's detail and takes the reference's low frequencies.
    // The strip-wise finish equals the whole-image computation (normalise, colour fix on the full
    // tensors, quantise), whatever the strip height.
    void stripsEqualWholeImage_data() {
        QTest::addColumn<int>("fix");
        QTest::addColumn<int>("strip");
        for (int f : {int(ColorFix::None), int(ColorFix::Wavelet), int(ColorFix::AdaIN),
                      int(ColorFix::Luma)})
            for (int strip : {7, 40, 1000})
                QTest::newRow(
                    qPrintable(QString("%1, strip %2").arg(colorFixName(ColorFix(f))).arg(strip)))
                    << f << strip;
    }
    void stripsEqualWholeImage() {
        QFETCH(int, fix);
        QFETCH(int, strip);
        torch::manual_seed(7);
        const int sf = 4, h = 30, w = 22;
        auto lq = torch::rand({1, 3, h, w});
        const BlendCanvas c = randomCanvas(h * sf, w * sf);
        const cv::Mat got = finishInStrips(c, lq, sf, ColorFix(fix), CV_16U, strip);
        auto hr01 = c.sum / (c.wy.view({1, 1, -1, 1}) * c.wx.view({1, 1, 1, -1})) * 0.5 + 0.5;
        auto ref =
            torch::nn::functional::interpolate(lq, torch::nn::functional::InterpolateFuncOptions()
                                                       .scale_factor(std::vector<double>{4.0, 4.0})
                                                       .mode(torch::kBicubic)
                                                       .align_corners(false))
                .clamp_(0.0, 1.0);
        if (ColorFix(fix) == ColorFix::Wavelet)
            hr01 = colorfix::wavelet(hr01, ref);
        else if (ColorFix(fix) == ColorFix::Luma)
            hr01 = colorfix::wavelet(hr01, ref, 5, 0);
        else if (ColorFix(fix) == ColorFix::AdaIN)
            hr01 = colorfix::adain(hr01, ref);
        const cv::Mat want = tensor01ToMat(hr01, CV_16U);
        const double d = maxAbsDiff(got, want);
        QVERIFY2(d <= 1.0, qPrintable(QString("max |diff| %1 levels of 65535").arg(d)));
    }

    // The pipeline finishes rows band by band while tiles are still running (finishRows): any
    // split into bands, each holding its rows plus the halo, gives the whole-canvas result.
    void bandsEqualWholeCanvas_data() {
        QTest::addColumn<int>("fix");
        for (int f : {int(ColorFix::None), int(ColorFix::Wavelet), int(ColorFix::Luma)})
            QTest::newRow(colorFixName(ColorFix(f))) << f;
    }
    void bandsEqualWholeCanvas() {
        QFETCH(int, fix);
        torch::manual_seed(11);
        const int sf = 4, h = 40, w = 18;
        auto lq = torch::rand({1, 3, h, w});
        const BlendCanvas c = randomCanvas(h * sf, w * sf);
        const cv::Mat want = finishInStrips(c, lq, sf, ColorFix(fix), CV_16U, 13);
        cv::Mat got(want.size(), want.type(), cv::Scalar::all(0));
        const int64_t halo = finishHalo(ColorFix(fix)), H = h * sf;
        int64_t done = 0;
        for (int64_t cut : {int64_t(5), int64_t(50), int64_t(51), int64_t(120), H}) {
            const int64_t from = std::max<int64_t>(0, done - halo), to = std::min(H, cut + halo);
            BlendCanvas band;
            band.wy = c.wy;
            band.wx = c.wx;
            band.row0 = from;
            band.sum = c.sum.slice(2, from, to).clone();
            finishRows(band, lq, sf, ColorFix(fix), done, cut, got, 9);
            done = cut;
        }
        QCOMPARE(maxAbsDiff(got, want), 0.0);
    }

    // An out-of-memory tile is retried at half the side until it fits; the result is the run
    // with that tile size, and the report says what happened.
    void outOfMemoryRetriesSmallerTile() {
        UpscaleRequest r;
        r.image = gradient(64, 48);
        r.steps = 1;
        r.tiles.tile = 64;
        tiling::gSimulateOomAbove = 20;
        auto rep = Pipeline(model_).run(r);
        tiling::gSimulateOomAbove = 0;
        QVERIFY2(rep.isOk(), rep.status().message().c_str());
        QCOMPARE(rep->tile, 16);
        QCOMPARE(int(rep->warnings.size()), 2); // 64 -> 32 -> 16
        QVERIFY(QString::fromStdString(rep->warnings[0]).contains("out of memory"));
        r.tiles.tile = 16;
        auto direct = Pipeline(model_).run(r);
        QVERIFY(direct.isOk());
        QCOMPARE(maxAbsDiff(rep->image, direct->image), 0.0);

        tiling::gSimulateOomAbove = 1; // nothing fits
        auto none = Pipeline(model_).run(r);
        tiling::gSimulateOomAbove = 0;
        QCOMPARE(none.status().code(), StatusCode::OutOfMemory);
        QVERIFY(QString::fromStdString(none.status().message()).contains("smallest tile"));
    }

    // The tile budget on CUDA comes from the runtime's free-memory query; without CUDA it says 0
    // ("unknown") instead of failing.
    void cudaFreeMemoryQuery() {
        if (!device::cudaAvailable()) {
            QCOMPARE(device::cudaFreeBytes(0), 0ull);
            QSKIP("no CUDA device");
        }
        QVERIFY(device::cudaFreeBytes(0) > (64ull << 20));
    }

    void colorFixes() {
        UpscaleRequest r;
        r.image = gradient(32, 32);
        r.steps = 1;
        Pipeline p(model_);
        r.colorFix = ColorFix::None;
        auto none = p.run(r);
        r.colorFix = ColorFix::Wavelet;
        auto wav = p.run(r);
        r.colorFix = ColorFix::AdaIN;
        auto ada = p.run(r);
        QVERIFY(none.isOk() && wav.isOk() && ada.isOk());
        cv::Mat ref;
        cv::resize(r.image, ref, none->image.size(), 0, 0, cv::INTER_CUBIC);
        const double errNone = cv::norm(cv::mean(none->image) - cv::mean(ref));
        const double errWav = cv::norm(cv::mean(wav->image) - cv::mean(ref));
        const double errAda = cv::norm(cv::mean(ada->image) - cv::mean(ref));
        qInfo("colour error of the mean: none %.2f, wavelet %.2f, adain %.2f", errNone, errWav,
              errAda);
        QVERIFY(errAda < 2.0);
        QVERIFY(errWav < 4.0);
        QVERIFY(errWav <= errNone || errNone < 4.0);
        ColorFix f;
        QVERIFY(parseColorFix("adain", &f) && f == ColorFix::AdaIN);
        QVERIFY(!parseColorFix("sepia", &f));
    }

private:
    QTemporaryDir dir_;
    std::shared_ptr<const Model> model_;
};

QTEST_GUILESS_MAIN(TestPipeline)
#include "tst_pipeline.moc"
