// Model packages: build from metadata, strict loading, clear errors for every kind of bad file,
// and a full upscale through the public API (progress, cancel, determinism).
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/tensor_io.h"
#include "testutil.h"
#include "upscale_util.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace shiftsr;

namespace {

Architecture tinyArch() {
    Architecture a = Architecture::tinyTest();
    a.name = "tiny";
    return a;
}

// Writes a package; `edit` may change tensors or metadata before writing.
QString writePackage(const QString& dir, const QString& name,
                     const std::function<void(std::map<std::string, torch::Tensor>&,
                                              std::map<std::string, std::string>&)>& edit = {}) {
    torch::manual_seed(7);
    Architecture a = tinyArch();
    nn::UNetModelSwinImpl unet(a.unet);
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& p : unet.named_parameters())
        tensors["unet." + p.key()] = p.value().detach().clone();
    for (const auto& b : unet.named_buffers())
        tensors["unet." + b.key()] = b.value().clone();
    auto meta = a.toMetadata();
    if (edit)
        edit(tensors, meta);
    SafeTensorsWriter w;
    for (const auto& [k, v] : meta)
        w.setMetadata(k, v);
    for (const auto& [k, v] : tensors)
        if (!addTensor(w, k, v))
            return {};
    const QString path = QDir(dir).filePath(name);
    if (!w.write(path.toStdString()))
        return {};
    return path;
}

} // namespace

class TestModelPackage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void loadsAndDescribes() {
        const QString path = writePackage(dir_.path(), "good.safetensors");
        QVERIFY(!path.isEmpty());
        auto info = Model::inspect(path.toStdString());
        QVERIFY2(info.isOk(), info.status().message().c_str());
        QCOMPARE(info->codec, std::string("unshuffle-f4"));
        QCOMPARE(info->steps, 4);
        QVERIFY(info->unetParameters > 0);
        QCOMPARE(info->codecParameters, int64_t(0));
        QCOMPARE(info->contentHash.size(), size_t(64));
        auto m = Model::load(path.toStdString());
        QVERIFY2(m.isOk(), m.status().message().c_str());
    }

    void badFiles_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expect"); // a word the message must contain
        using T = std::map<std::string, torch::Tensor>;
        using M = std::map<std::string, std::string>;
        const QString d = dir_.path();
        const QString good = writePackage(d, "base.safetensors");
        QByteArray bytes = testutil::readAll(good);
        testutil::writeAll(d + "/truncated.safetensors", bytes.left(bytes.size() * 2 / 3));
        QTest::newRow("truncated") << d + "/truncated.safetensors"
                                   << "truncated";
        QTest::newRow("missing tensor") << writePackage(d, "missing.safetensors", [](T& t, M&) {
            t.erase("unet.out.2.weight");
        }) << "lacks tensor 'out.2.weight'";
        QTest::newRow("shape mismatch") << writePackage(d, "shape.safetensors", [](T& t, M&) {
            t["unet.out.2.bias"] = torch::zeros({7});
        }) << "has shape";
        QTest::newRow("wrong dtype") << writePackage(d, "dtype.safetensors", [](T& t, M&) {
            t["unet.out.2.bias"] = torch::zeros({48}, torch::kLong);
        }) << "dtype";
        QTest::newRow("unexpected tensor") << writePackage(d, "extra.safetensors", [](T& t, M&) {
            t["unet.bogus.weight"] = torch::zeros({1});
        }) << "unexpected tensor";
        QTest::newRow("no metadata")
            << writePackage(d, "nometa.safetensors", [](T&, M& m) { m.erase("unet"); })
            << "not a ShiftSR model package";
        QTest::newRow("bad unet json")
            << writePackage(d, "badjson.safetensors", [](T&, M& m) { m["unet"] = "{not json"; })
            << "not valid JSON";
        QTest::newRow("unknown codec")
            << writePackage(d, "codec.safetensors", [](T&, M& m) { m["codec"] = "kl-f16"; })
            << "not supported";
        // Header that lies about offsets: grow one tensor's end offset past the data.
        QByteArray lie = bytes;
        const int at = lie.indexOf("\"data_offsets\":[0,");
        if (at >= 0) {
            const int comma = lie.indexOf(',', at + 16);
            const int close = lie.indexOf(']', comma);
            lie.replace(comma + 1, close - comma - 1,
                        QByteArray::number(99999999).leftJustified(close - comma - 1, ' '));
        }
        testutil::writeAll(d + "/lying.safetensors", lie);
        QTest::newRow("lying offsets") << d + "/lying.safetensors"
                                       << "tensor";
        QTest::newRow("missing file") << d + "/nope.safetensors"
                                      << "nope.safetensors";
        testutil::writeAll(d + "/empty.safetensors", QByteArray());
        QTest::newRow("zero bytes") << d + "/empty.safetensors"
                                    << "safetensors";
    }
    void badFiles() {
        QFETCH(QString, file);
        QFETCH(QString, expect);
        QVERIFY(!file.isEmpty());
        auto m = Model::load(file.toStdString());
        QVERIFY(!m.isOk());
        const QString msg = QString::fromStdString(m.status().message());
        QVERIFY2(msg.contains(expect, Qt::CaseInsensitive), qPrintable(msg));
    }

    void upscaleRuns() {
        const QString path = writePackage(dir_.path(), "run.safetensors");
        auto m = Model::load(path.toStdString());
        QVERIFY(m.isOk());
        cv::Mat img(20, 28, CV_8UC3, cv::Scalar(10, 120, 230));
        std::vector<std::string> stages;
        JobControl job;
        job.progress = [&](double, const std::string& s) { stages.push_back(s); };
        testutil::RawRun o;
        o.threads = 1;
        auto r = testutil::rawUpscale(*m, img, o, job);
        QVERIFY2(r.isOk(), r.status().message().c_str());
        QCOMPARE(r->image.cols, 112);
        QCOMPARE(r->image.rows, 80);
        QCOMPARE(r->image.type(), CV_8UC3);
        QCOMPARE(int(r->times.unetSteps.size()), 4);
        QVERIFY(!stages.empty());
        QCOMPARE(r->threads, 1);
        // Same seed, same image; other seed, other image.
        auto r2 = testutil::rawUpscale(*m, img, o);
        QVERIFY(r2.isOk());
        QCOMPARE(cv::norm(r->image, r2->image, cv::NORM_INF), 0.0);
        o.seed = 99;
        auto r3 = testutil::rawUpscale(*m, img, o);
        QVERIFY(r3.isOk());
        QVERIFY(cv::norm(r->image, r3->image, cv::NORM_INF) > 0.0);
        // One step: one network call.
        o.steps = 1;
        auto r4 = testutil::rawUpscale(*m, img, o);
        QVERIFY(r4.isOk());
        QCOMPARE(int(r4->times.unetSteps.size()), 1);
        // 16-bit in, 16-bit out.
        cv::Mat img16(20, 28, CV_16UC3, cv::Scalar(1000, 30000, 60000));
        auto r5 = testutil::rawUpscale(*m, img16, o);
        QVERIFY(r5.isOk());
        QCOMPARE(r5->image.depth(), CV_16U);
        // Unsupported step count is a clear error.
        o.steps = 3;
        auto r6 = testutil::rawUpscale(*m, img, o);
        QVERIFY(!r6.isOk());
        QVERIFY(QString::fromStdString(r6.status().message()).contains("steps"));
    }

    void cancelStops() {
        const QString path = writePackage(dir_.path(), "cancel.safetensors");
        auto m = Model::load(path.toStdString());
        QVERIFY(m.isOk());
        std::atomic<bool> cancel{false};
        JobControl job;
        job.cancel = &cancel;
        job.progress = [&](double, const std::string& s) {
            if (s.find("step 2") != std::string::npos)
                cancel = true;
        };
        auto r = testutil::rawUpscale(*m, cv::Mat(16, 16, CV_8UC3, cv::Scalar::all(50)), {}, job);
        QVERIFY(!r.isOk());
        QCOMPARE(r.status().code(), StatusCode::Cancelled);
    }

private:
    QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(TestModelPackage)
#include "tst_modelpackage.moc"
