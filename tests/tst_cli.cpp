// shiftsr-cli end to end: convert official torch.save checkpoints, info, bench JSON, upscale,
// errors.
#include "compact_net_util.h"
#include "shiftsr/nn/tensor_io.h"
#include "testutil.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace shiftsr;

namespace {
void writeImage(const QString& path, int w, int h) {
    cv::Mat img(h, w, CV_8UC3);
    cv::randu(img, 0, 255);
    cv::GaussianBlur(img, img, cv::Size(5, 5), 1.5);
    QVERIFY(cv::imwrite(path.toStdString(), img));
}

struct Run {
    int code = -1;
    QByteArray out, err;
};

Run cli(const QStringList& args, int timeoutMs = 300000,
        const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
    QProcess p;
    p.setProcessEnvironment(env);
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
            if (QFile::exists(c + "/unet_official_format.pth") &&
                QFile::exists(c + "/autoencoder_official_format.pth")) {
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
            SHIFTSR_REQUIRE_FIXTURE(testutil::fixtureDir() +
                                    "/resshift-tiny/unet_official_format.pth");
        }
        QTemporaryDir tmp;
        const QString out = tmp.filePath("converted.safetensors");
        Run r = cli({"convert", "--unet", dir + "/unet_official_format.pth", "--autoencoder",
                     dir + "/autoencoder_official_format.pth", "--config", dir + "/config.json",
                     "-o", out});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains("'module.' prefix removed"));
        auto pkg = SafeTensorsFile::open(out.toStdString());
        QVERIFY2(pkg.isOk(), pkg.status().message().c_str());
        for (auto [file, prefix] :
             {std::pair<const char*, const char*>{"unet.safetensors", "unet."},
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
                QVERIFY2(torch::equal(it->second.to(torch::kDouble), w.to(torch::kDouble)),
                         name.c_str());
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
        Run r = cli({"convert", "--unet", tmp.filePath("junk.pth"), "--autoencoder",
                     tmp.filePath("junk.pth"), "-o", tmp.filePath("x.safetensors")});
        QCOMPARE(r.code, 1);
        QVERIFY(!r.err.isEmpty());
        QVERIFY(!QFile::exists(tmp.filePath("x.safetensors")));
        // Wrong architecture for the weights: a UNet checkpoint against the default v3 config.
        const QStringList cases = testutil::fixtureCases();
        if (!cases.isEmpty() && QFile::exists(cases.first() + "/unet_official_format.pth")) {
            Run w = cli({"convert", "--unet", cases.first() + "/unet_official_format.pth",
                         "--autoencoder", cases.first() + "/autoencoder_official_format.pth", "-o",
                         tmp.filePath("y.safetensors")});
            QCOMPARE(w.code, 1);
            QVERIFY2(w.err.contains("shape"), w.err.constData());
            QVERIFY(!QFile::exists(tmp.filePath("y.safetensors")));
        }
    }

    void benchJson() {
        Run r = cli({"bench", "--preset", "tiny", "--lq", "32", "--random-weights", "--repeats",
                     "1", "--json"});
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
        Run r = cli({"upscale", testutil::samplePhoto(), "-o", out, "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto top = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(top["ok"].toInt(), 1);
        const auto j = top["files"].toArray().at(0).toObject();
        QCOMPARE(j["status"].toString(), QString("ok"));
        QCOMPARE(j["width"].toInt(), 448);
        QCOMPARE(j["height"].toInt(), 300);
        QCOMPARE(j["unet_steps_s"].toArray().size(),
                 j["steps"].toInt()); // the default model's own count
        QVERIFY(j["steps"].toInt() >= 1);
        QVERIFY(QFile::exists(out));
        QCOMPARE(QDir(tmp.path()).entryList(QDir::Files).size(), 1); // no temporary left behind
    }

    // Folders (recursive, mirrored), the naming pattern, format conversion, skip-existing.
    void batchFolders() {
        QTemporaryDir tmp;
        QDir d(tmp.path());
        QVERIFY(d.mkpath("in/sub") && d.mkpath("in/sub/deeper"));
        writeImage(tmp.filePath("in/a.png"), 24, 20);
        writeImage(tmp.filePath("in/b.jpg"), 20, 16);
        writeImage(tmp.filePath("in/sub/c.tif"), 16, 16);
        writeImage(tmp.filePath("in/sub/deeper/d.webp"), 16, 12);
        QFile junk(tmp.filePath("in/notes.txt"));
        QVERIFY(junk.open(QIODevice::WriteOnly) && junk.write("not an image") > 0);
        junk.close();
        const QString out = tmp.filePath("out");
        Run flat = cli({"upscale", tmp.filePath("in"), "-o", out, "--model", "embedded:test-tiny",
                        "--steps", "1", "--json"});
        QVERIFY2(flat.code == 0, flat.err.constData());
        QCOMPARE(QDir(out).entryList(QDir::Files), (QStringList{"a-x4.png", "b-x4.jpg"}));

        Run rec = cli({"upscale", tmp.filePath("in"), "-r", "-o", out, "--model",
                       "embedded:test-tiny", "--steps", "1", "--format", "png", "--name",
                       "{name}_s{steps}_x{scale}.{ext}", "--json"});
        QVERIFY2(rec.code == 0, rec.err.constData());
        for (const char* f :
             {"a_s1_x4.png", "b_s1_x4.png", "sub/c_s1_x4.png", "sub/deeper/d_s1_x4.png"})
            QVERIFY2(QFile::exists(out + "/" + f), f);
        const cv::Mat c =
            cv::imread((out + "/sub/c_s1_x4.png").toStdString(), cv::IMREAD_UNCHANGED);
        QCOMPARE(c.cols, 64);

        Run skip = cli({"upscale", tmp.filePath("in"), "-o", out, "--model", "embedded:test-tiny",
                        "--steps", "1", "--skip-existing", "--json"});
        QVERIFY2(skip.code == 0, skip.err.constData());
        const auto j = QJsonDocument::fromJson(skip.out).object();
        QCOMPARE(j["skipped"].toInt(), 2);
        QCOMPARE(j["ok"].toInt(), 0);
    }

    void batchPlanErrors_data() {
        QTest::addColumn<QStringList>("args"); // "%1" is replaced by the temporary folder
        QTest::addColumn<QString>("message");
        QTest::newRow("two inputs, one name")
            << QStringList{"%1/in/a.png", "%1/in/a.jpg", "-o", "%1/o", "--format", "png"}
            << "would both be written";
        QTest::newRow("overwrite the input")
            << QStringList{"%1/in", "-o", "%1/in", "--name", "{name}.{ext}"}
            << "refusing to overwrite";
        QTest::newRow("folder without images")
            << QStringList{"%1/empty", "-o", "%1/o"} << "no images";
        QTest::newRow("pattern without extension")
            << QStringList{"%1/in", "-o", "%1/o", "--name", "{name}"} << "no image extension";
        QTest::newRow("unknown format")
            << QStringList{"%1/in", "-o", "%1/o", "--format", "gif"} << "unknown format";
    }
    void batchPlanErrors() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QTemporaryDir tmp;
        QDir d(tmp.path());
        QVERIFY(d.mkpath("in") && d.mkpath("empty"));
        writeImage(tmp.filePath("in/a.png"), 16, 16);
        writeImage(tmp.filePath("in/a.jpg"), 16, 16);
        QStringList full{"upscale"};
        for (const QString& a : args)
            full << QString(a).replace("%1", tmp.path());
        Run r = cli(full);
        QCOMPARE(r.code, 1);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        QVERIFY(!QDir(tmp.filePath("o")).exists() || QDir(tmp.filePath("o")).isEmpty());
    }

    // Ctrl-C in the middle of a batch: exit 130, every file present is complete and decodable,
    // no temporary file is left, and the unfinished inputs have no output.
    void cancelledBatchLeavesOnlyCompleteFiles() {
        QTemporaryDir tmp;
        QDir d(tmp.path());
        QVERIFY(d.mkpath("in"));
        const int n = 6;
        for (int i = 0; i < n; ++i)
            writeImage(tmp.filePath(QString("in/p%1.png").arg(i)), 96, 96);
        const QString out = tmp.filePath("out");
        QProcess p;
        p.start(QStringLiteral(SHIFTSR_CLI_PATH),
                {"upscale", tmp.filePath("in"), "-o", out, "--model", "embedded:test-tiny",
                 "--tile", "16", "--threads", "1", "--json"});
        QVERIFY(p.waitForStarted());
        // Wait for the first finished file, then interrupt the second.
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 120000 && !QFile::exists(out + "/p0-x4.png"))
            QThread::msleep(20);
        QVERIFY2(QFile::exists(out + "/p0-x4.png"), "the first file never appeared");
        QThread::msleep(150);
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 130);
        const auto j = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        QVERIFY(j["cancelled"].toBool());
        const QStringList files = QDir(out).entryList(QDir::Files | QDir::Hidden | QDir::System);
        QVERIFY(!files.isEmpty());
        QVERIFY2(files.size() < n, "the batch finished before it could be cancelled");
        QCOMPARE(j["ok"].toInt(), files.size());
        for (const QString& f : files) {
            QVERIFY2(f.endsWith("-x4.png"), qPrintable("unexpected file " + f));
            const cv::Mat img = cv::imread((out + "/" + f).toStdString(), cv::IMREAD_UNCHANGED);
            QVERIFY2(!img.empty() && img.cols == 384 && img.rows == 384, qPrintable(f));
        }
    }

    // `models` lists the test model only for the tests (SHIFTSR_SHOW_TEST_MODELS=1); an explicit
    // embedded:test-tiny still loads.
    void modelsHidesTheTestModel() {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("SHIFTSR_SHOW_TEST_MODELS");
        const Run plain = cli({"models"}, 60000, env);
        QCOMPARE(plain.code, 0);
        QVERIFY(plain.out.contains("(default)"));
        if (!plain.out.contains("embedded:test-tiny (default)"))
            QVERIFY2(!plain.out.contains("embedded:test-tiny"), plain.out.constData());
        env.insert("SHIFTSR_SHOW_TEST_MODELS", "1");
        QVERIFY(cli({"models"}, 60000, env).out.contains("embedded:test-tiny"));
        QTemporaryDir tmp;
        writeImage(tmp.filePath("in.png"), 16, 16);
        env.remove("SHIFTSR_SHOW_TEST_MODELS");
        const Run run = cli({"upscale", tmp.filePath("in.png"), "-o", tmp.filePath("out.png"),
                             "--model", "embedded:test-tiny", "-q"},
                            120000, env);
        QVERIFY2(run.code == 0, run.err.constData());
    }

    // bench --reference: the default upscale against a compact network (a zero one here, written by
    // the test), each in a fresh process; both wall times and peak RSS, the stages, the ratios.
    void benchAgainstReference() {
        QTemporaryDir tmp;
        writeImage(tmp.filePath("in.png"), 40, 32);
        testutil::writeCompactNet(tmp.path(), testutil::zeroCompactNet(), false);
        Run r = cli({"bench", "--input", tmp.filePath("in.png"), "--reference",
                     tmp.filePath("m.param"), "--model", "embedded:test-tiny", "--json"},
                    600000);
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = QJsonDocument::fromJson(r.out).object();
        const auto ours = j["shiftsr"].toObject(), ref = j["reference"].toObject();
        QVERIFY2(ours["wall_s"].toDouble() > 0 && ref["wall_s"].toDouble() > 0, r.out.constData());
        QVERIFY(ours["peak_rss_mb"].toDouble() > 10 && ref["peak_rss_mb"].toDouble() > 10);
        QCOMPARE(j["time_ratio"].toDouble(), ours["wall_s"].toDouble() / ref["wall_s"].toDouble());
        QCOMPARE(j["peak_rss_ratio"].toDouble(),
                 ours["peak_rss_mb"].toDouble() / ref["peak_rss_mb"].toDouble());
        const auto run = ours["run"].toObject();
        for (const char* key :
             {"unet_steps_s", "color_fix_s", "write_s", "tiles", "precision", "model"})
            QVERIFY2(run.contains(key), key);
        QCOMPARE(j["hr"].toArray().at(0).toInt(), 160);
        QVERIFY(!j["cpu"].toString().isEmpty());
        // Nothing is left behind, and a missing reference is an error, not a JSON of zeros.
        Run bad = cli({"bench", "--input", tmp.filePath("in.png"), "--reference",
                       tmp.filePath("none.param"), "--json"});
        QCOMPARE(bad.code, 1);
        QVERIFY(bad.out.trimmed().isEmpty());
    }

    // The model benchmark's JSON: per-stage times for multi- and one-step, their ratio, bf16 vs
    // fp32, and the 512 vs 2048 memory comparison (fresh processes).
    void benchModelJson() {
        QTemporaryDir tmp;
        writeImage(tmp.filePath("in.png"), 40, 32);
        Run r = cli({"bench", "--input", tmp.filePath("in.png"), "--model", "embedded:test-tiny",
                     "--crop", "24", "--json"},
                    600000);
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = QJsonDocument::fromJson(r.out).object();
        const auto multi = j["multi_step"].toObject(), one = j["one_step"].toObject();
        QCOMPARE(multi["unet_steps_s"].toArray().size(), multi["steps"].toInt());
        QCOMPARE(one["unet_steps_s"].toArray().size(), 1);
        for (const char* key : {"encode_s", "decode_s", "blend_s", "color_fix_s", "total_s"})
            QVERIFY2(multi.contains(key) && one.contains(key), key);
        // decode_s is the codec's time: the JSON says which codec (and head) that was.
        QVERIFY2(!j["codec"].toString().isEmpty(), r.out.constData());
        QVERIFY(j.contains("codec_parameters"));
        // Timings are not asserted (noisy machines); the ratio must be the one of the two totals.
        const double speedup = j["one_step_speedup"].toDouble();
        QVERIFY(speedup > 0);
        QVERIFY(qAbs(speedup - multi["total_s"].toDouble() / one["total_s"].toDouble()) <=
                0.02 * speedup);
        const auto bf = j["bf16"].toObject();
        QVERIFY(bf["fp32_over_bf16_speed"].toDouble() > 0);
        QVERIFY(bf["max_abs_diff_8bit"].toDouble() >= bf["mean_abs_diff_8bit"].toDouble());
        const auto mem = j["memory"].toObject();
        QCOMPARE(mem["512"].toObject()["output"].toArray().at(0).toInt(), 512);
        QCOMPARE(mem["2048"].toObject()["output"].toArray().at(0).toInt(), 2048);
        QVERIFY(mem["peak_ratio_2048_over_512"].toDouble() > 0.5);
    }

    // eval: bicubic row, the model at T and 1 step, an external program; per-image figures; the
    // Markdown report and the contact sheet (one row per photo, input + methods + truth).
    void evalReport() {
        QTemporaryDir tmp;
        QDir().mkpath(tmp.filePath("hr"));
        for (int i = 0; i < 3; ++i)
            writeImage(tmp.filePath(QString("hr/p%1.png").arg(i)), 64, 60);
        const QString report = tmp.filePath("report");
        Run r =
            cli({"eval", "--data", tmp.filePath("hr"), "--crop", "48", "--one-step", "--report",
                 report, "--external", "copy=cp {in} {out}", "tiny=embedded:test-tiny", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j["photos"].toInt(), 3);
        const auto methods = j["methods"].toArray();
        QCOMPARE(methods.size(), 4);
        QCOMPARE(methods[0].toObject()["name"].toString(), QString("bicubic"));
        QVERIFY(methods[1].toObject()["name"].toString().startsWith("tiny ("));
        QCOMPARE(methods[2].toObject()["name"].toString(), QString("tiny (1 step)"));
        QCOMPARE(methods[3].toObject()["name"].toString(), QString("copy"));
        for (const auto& m : methods) {
            const auto o = m.toObject();
            QCOMPARE(o["images"].toArray().size(), 3);
            QVERIFY(o["psnr_y"].toDouble() > 5 && o["psnr_y"].toDouble() < 100);
            QVERIFY(o["ssim_y"].toDouble() > -1 && o["ssim_y"].toDouble() <= 1);
            QVERIFY(o["sharpness"].toDouble() > 0);
            QVERIFY(o["periodic"].isDouble()); // the grid score, per method and per image
            QVERIFY(o["images"].toArray()[0].toObject()["periodic"].isDouble());
        }
        QVERIFY(j["hr_periodic"].isDouble());
        const QByteArray md = testutil::readAll(report + "/report.md");
        QVERIFY(md.contains("| bicubic |"));
        QVERIFY(md.contains("| periodic |"));
        QVERIFY(md.contains("| tiny (1 step) |"));
        QVERIFY(md.contains("| p2.png |"));
        QVERIFY(QFile::exists(report + "/report.json"));
        const cv::Mat sheet = cv::imread((report + "/contact-sheet.png").toStdString());
        QVERIFY(!sheet.empty());
        const int cell = 96, gap = 2; // 48-px centre crops at 2x; label column 150, header 46
        QCOMPARE(sheet.cols, 150 + 6 * (cell + gap));
        QCOMPARE(sheet.rows, 46 + 3 * (cell + gap));
        QVERIFY(!QDir(report).entryList({"*.part"}, QDir::Files).size());
    }

    void usageAndErrors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("no command") << QStringList{} << 2 << "no command";
        QTest::newRow("unknown command") << QStringList{"frobnicate"} << 2 << "unknown command";
        QTest::newRow("unknown option")
            << QStringList{"upscale", "--bogus"} << 2 << "unknown option";
        QTest::newRow("bad steps")
            << QStringList{"upscale", "a.png", "-o", "b.png", "--steps", "x"} << 2 << "--steps";
        QTest::newRow("missing input")
            << QStringList{"upscale", "/nonexistent.png", "-o", "/tmp/o.png"} << 1
            << "cannot read image";
        QTest::newRow("missing model")
            << QStringList{"info", "/nonexistent.safetensors"} << 1 << "not found";
        QTest::newRow("unknown embedded")
            << QStringList{"info", "embedded:nope"} << 1 << "no embedded model";
    }
    void usageAndErrors() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        Run r = cli(args);
        QCOMPARE(r.code, code);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }

    // `--help` after any command prints the usage on stdout and succeeds.
    void commandHelp_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("help") << QStringList{"--help"};
        QTest::newRow("upscale --help") << QStringList{"upscale", "--help"};
        QTest::newRow("eval -h") << QStringList{"eval", "-h"};
        QTest::newRow("info --help") << QStringList{"info", "x.safetensors", "--help"};
    }
    void commandHelp() {
        QFETCH(QStringList, args);
        Run r = cli(args);
        QCOMPARE(r.code, 0);
        QVERIFY2(QString::fromUtf8(r.out).contains("upscale options:"), r.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
