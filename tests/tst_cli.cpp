// shiftsr-cli end to end: convert official torch.save checkpoints, info, bench JSON, upscale, errors.
#include "tensor_io.h"
#include "testutil.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace shiftsr;

namespace {
struct Run {
    int code = -1;
    QByteArray out, err;
};

Run cli(const QStringList& args, int timeoutMs = 300000) {
    QProcess p;
    p.start(QStringLiteral(SHIFTSR_CLI_PATH), args);
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}
} // namespace

class TestCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void convertMatchesFixture_data() {
        QTest::addColumn<QString>("dir");
        int n = 0;
        for (const QString& c : testutil::fixtureCases()) {
            if (QFile::exists(c + "/unet_official_format.pth") && QFile::exists(c + "/autoencoder_official_format.pth")) {
                QTest::newRow(qPrintable(QFileInfo(c).fileName())) << c;
                ++n;
            }
        }
        if (!n)
            QTest::newRow("no-fixtures") << QString();
    }
    void convertMatchesFixture() {
        QFETCH(QString, dir);
        if (dir.isEmpty()) {
            const QString msg = "no fixture with *_official_format.pth under " + testutil::fixtureDir();
            if (qEnvironmentVariableIntValue("SHIFTSR_ALLOW_MISSING_FIXTURES"))
                QSKIP(qPrintable(msg));
            QFAIL(qPrintable(msg));
        }
        QTemporaryDir tmp;
        const QString out = tmp.filePath("converted.safetensors");
        Run r = cli({"convert", "--unet", dir + "/unet_official_format.pth", "--autoencoder",
                     dir + "/autoencoder_official_format.pth", "--config", dir + "/config.json", "-o", out});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains("'module.' prefix removed"));
        auto pkg = SafeTensorsFile::open(out.toStdString());
        QVERIFY2(pkg.isOk(), pkg.status().message().c_str());
        for (auto [file, prefix] : {std::pair<const char*, const char*>{"unet.safetensors", "unet."},
                                    {"autoencoder.safetensors", "codec."}}) {
            auto ref = SafeTensorsFile::open((dir + "/" + file).toStdString());
            QVERIFY(ref.isOk());
            auto want = readTensors(*ref);
            auto got = readTensors(*pkg, prefix);
            QVERIFY(want.isOk() && got.isOk());
            QCOMPARE(got->size(), want->size());
            for (const auto& [name, w] : *want) {
                auto it = got->find(name);
                QVERIFY2(it != got->end(), name.c_str());
                QVERIFY2(it->second.sizes() == w.sizes(), name.c_str());
                // Bit-exact: the converter copies, it does not compute.
                QVERIFY2(torch::equal(it->second.to(torch::kDouble), w.to(torch::kDouble)), name.c_str());
            }
        }
        // The package loads and describes itself.
        Run info = cli({"info", out, "--json"});
        QVERIFY2(info.code == 0, info.err.constData());
        const auto j = QJsonDocument::fromJson(info.out).object();
        QCOMPARE(j["codec"].toString(), QStringLiteral("vq-f4"));
        QVERIFY(j["unet_parameters"].toDouble() > 0);
        QVERIFY(j["metadata"].toObject().contains("unet"));
        // And runs: one step on the fixture's LQ image.
        if (QFile::exists(dir + "/lq.png")) {
            Run up = cli({"upscale", dir + "/lq.png", "-o", tmp.filePath("sr.png"), "--model", out,
                          "--steps", "1", "--json"});
            QVERIFY2(up.code == 0, up.err.constData());
            QVERIFY(QFile::exists(tmp.filePath("sr.png")));
        }
    }

    void convertErrors() {
        QTemporaryDir tmp;
        testutil::writeAll(tmp.filePath("junk.pth"), QByteArray("not a checkpoint at all"));
        Run r = cli({"convert", "--unet", tmp.filePath("junk.pth"), "--autoencoder", tmp.filePath("junk.pth"),
                     "-o", tmp.filePath("x.safetensors")});
        QCOMPARE(r.code, 1);
        QVERIFY(!r.err.isEmpty());
        QVERIFY(!QFile::exists(tmp.filePath("x.safetensors")));
        // Wrong architecture for the weights: a UNet checkpoint against the default v3 config.
        const QStringList cases = testutil::fixtureCases();
        if (!cases.isEmpty() && QFile::exists(cases.first() + "/unet_official_format.pth")) {
            Run w = cli({"convert", "--unet", cases.first() + "/unet_official_format.pth", "--autoencoder",
                         cases.first() + "/autoencoder_official_format.pth", "-o", tmp.filePath("y.safetensors")});
            QCOMPARE(w.code, 1);
            QVERIFY2(w.err.contains("shape"), w.err.constData());
            QVERIFY(!QFile::exists(tmp.filePath("y.safetensors")));
        }
    }

    void benchJson() {
        Run r = cli({"bench", "--preset", "tiny", "--lq", "32", "--random-weights", "--repeats", "1", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = QJsonDocument::fromJson(r.out.trimmed()).object();
        for (const char* key : {"unet_step_s", "encode_s", "decode_s", "threads", "peak_rss_mb"})
            QVERIFY2(j.contains(key), key);
        QVERIFY(j["unet_step_s"].toDouble() > 0);
        QVERIFY(j["threads"].toInt() >= 1);
    }

    void upscaleSampleWithEmbeddedModel() {
        QTemporaryDir tmp;
        const QString out = tmp.filePath("chelsea-x4.png");
        Run r = cli({"upscale", testutil::sourceDir() + "/resources/samples/chelsea-lq.png", "-o", out, "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j["width"].toInt(), 448);
        QCOMPARE(j["height"].toInt(), 300);
        QCOMPARE(j["unet_steps_s"].toArray().size(), 4);
        QVERIFY(QFile::exists(out));
        QCOMPARE(QDir(tmp.path()).entryList(QDir::Files).size(), 1); // no temporary left behind
    }

    void usageAndErrors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("no command") << QStringList{} << 2 << "no command";
        QTest::newRow("unknown command") << QStringList{"frobnicate"} << 2 << "unknown command";
        QTest::newRow("unknown option") << QStringList{"upscale", "--bogus"} << 2 << "unknown option";
        QTest::newRow("bad steps") << QStringList{"upscale", "a.png", "-o", "b.png", "--steps", "x"} << 2 << "--steps";
        QTest::newRow("missing input") << QStringList{"upscale", "/nonexistent.png", "-o", "/tmp/o.png"} << 1 << "cannot read image";
        QTest::newRow("missing model") << QStringList{"info", "/nonexistent.safetensors"} << 1 << "not found";
        QTest::newRow("unknown embedded") << QStringList{"info", "embedded:nope"} << 1 << "no embedded model";
    }
    void usageAndErrors() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        Run r = cli(args);
        QCOMPARE(r.code, code);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
