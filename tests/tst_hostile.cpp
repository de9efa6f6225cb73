// Hostile model files, configs and job files: every one is refused quickly with one line that names
// the file and the key; nothing crashes, hangs, allocates gigabytes or leaves an output behind.
#include "shiftsr/engine/convert.h"
#include "shiftsr/engine/last_resort.h"
#include "shiftsr/nn/json_util.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/tensor_io.h"
#include "shiftsr/nn/torch_checkpoint.h"
#include "shiftsr/training/job.h"
#include "testutil.h"
#include "torch_save_util.h"

#include <opencv2/imgcodecs.hpp>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

using namespace shiftsr;

namespace {

// Each refusal must be this fast (milliseconds in practice; the bound leaves room for a loaded
// machine and a sanitizer build, while a network build of the hostile sizes takes far longer).
constexpr qint64 kFastMs = 1500;

using Meta = std::map<std::string, std::string>;
using Edit = std::function<void(Meta&)>;

// A JSON metadata entry with one key replaced by raw JSON text.
void setJsonKey(Meta& m, const std::string& entry, const std::string& key,
                const std::string& rawValue) {
    auto j = nlohmann::json::parse(m[entry]);
    j[key] = nlohmann::json::parse(rawValue);
    m[entry] = j.dump();
}

// The tiny unshuffle-f4 package (or the tiny yonos one), metadata edited before writing.
QString writePackage(const QString& path, const Edit& edit, bool yonos = false) {
    torch::manual_seed(3);
    Architecture a = yonos ? Architecture::tinyYonosTest() : Architecture::tinyTest();
    std::map<std::string, torch::Tensor> tensors;
    auto take = [&](const char* prefix, torch::nn::Module& m) {
        for (const auto& p : m.named_parameters())
            tensors[prefix + p.key()] = p.value().detach().clone();
        for (const auto& b : m.named_buffers())
            tensors[prefix + b.key()] = b.value().clone();
    };
    if (yonos) {
        nn::SDUNetImpl unet(a.sdUnet);
        take("unet.", unet);
        auto codec = a.makeCodec();
        take("codec.", *codec->module());
    } else {
        nn::UNetModelSwinImpl unet(a.unet);
        take("unet.", unet);
    }
    Meta meta = a.toMetadata();
    if (edit)
        edit(meta);
    SafeTensorsWriter w;
    for (const auto& [k, v] : meta)
        w.setMetadata(k, v);
    for (const auto& [k, v] : tensors)
        if (!addTensor(w, k, v))
            return {};
    if (!w.write(path.toStdString()))
        return {};
    return path;
}

// A safetensors file from a raw header (no tensor data).
QString writeRawSafetensors(const QString& path, const QByteArray& header) {
    QByteArray bytes(8, '\0');
    const quint64 n = quint64(header.size());
    for (int i = 0; i < 8; ++i)
        bytes[i] = char((n >> (8 * i)) & 0xff);
    bytes += header;
    return testutil::writeAll(path, bytes) ? path : QString();
}

std::string nested(int depth) {
    return std::string(size_t(depth), '[') + std::string(size_t(depth), ']');
}

struct Run {
    int code = -1; // -1: killed by a signal or timed out
    QByteArray out, err;
    qint64 ms = 0;
};

Run cli(const QStringList& args) {
    QProcess p;
    QElapsedTimer t;
    t.start();
    p.start(QStringLiteral(SHIFTSR_CLI_PATH), args);
    Run r;
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.ms = t.elapsed();
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

// One line on stderr, naming `file` and every one of `keys`.
void checkOneLine(const QByteArray& err, const QString& file, const QStringList& keys) {
    const QByteArray line = err.trimmed();
    QVERIFY2(!line.isEmpty(), "no message");
    QVERIFY2(!line.contains('\n'), line.constData());
    QVERIFY2(line.size() < 600, line.left(600).constData());
    QVERIFY2(line.contains(QFileInfo(file).fileName().toUtf8()), line.constData());
    for (const QString& k : keys)
        QVERIFY2(line.contains(k.toUtf8()), qPrintable(k + QStringLiteral(" not in: ") + line));
}

// --- torch.save files: a stored zip of data.pkl and storages (what PyTorch writes, unaligned).

using testutil::crc32Of;
using testutil::le;
using testutil::pickleInt;
using testutil::pickleInts;
using testutil::pickleStr;
using testutil::storedZip;

// {name: FloatStorage "0" of storageNumel floats viewed with shape/stride}
QByteArray oneTensorCheckpoint(const QByteArray& name, qint64 storageNumel,
                               const QList<qint64>& shape, const QList<qint64>& stride) {
    const QByteArray orderedDict = "ccollections\nOrderedDict\n)R";
    QByteArray p = "\x80\x02" + orderedDict + "(" + pickleStr(name);
    p += "ctorch._utils\n_rebuild_tensor_v2\n((" + pickleStr("storage") + "ctorch\nFloatStorage\n" +
         pickleStr("0") + pickleStr("cpu") + pickleInt(storageNumel) + "tQ" + pickleInt(0) +
         pickleInts(shape) + pickleInts(stride) + "\x89" + orderedDict + "tR";
    p += "u.";
    return storedZip({{"archive/data.pkl", p},
                      {"archive/data/0", QByteArray(int(storageNumel * 4), '\0')},
                      {"archive/version", "3\n"}});
}

} // namespace

class TestHostile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void packageMetadata_data();
    void packageMetadata();
    void cliRefusesPackage_data();
    void cliRefusesPackage();
    void infoBoundsDeepAndLongValues();
    void safetensorsHeaderEchoes_data();
    void safetensorsHeaderEchoes();
    void convertConfig_data();
    void convertConfig();
    void convertNonUtf8Path();
    void convertExpandedTensor();
    void jobJson_data();
    void jobJson();
    void jobFileIsAFifo();
    void lastResort();

private:
    QTemporaryDir dir_;
    int counter_ = 0;
    QString fixture(const QString& name) const {
        return testutil::fixtureDir() + QStringLiteral("/resshift-tiny/") + name;
    }
    QString newPath(const QString& suffix) {
        return dir_.filePath(QStringLiteral("f%1%2").arg(++counter_).arg(suffix));
    }
};

void TestHostile::initTestCase() {
    QVERIFY(dir_.isValid());
}

// Every class of hostile package metadata: wrong JSON types, values no network can be built with,
// architecture limits, nesting, and the integer entries. `keys` must all appear in the message.
void TestHostile::packageMetadata_data() {
    QTest::addColumn<bool>("yonos");
    QTest::addColumn<Edit>("edit");
    QTest::addColumn<QStringList>("keys");
    auto unet = [](const std::string& key, const std::string& raw) -> Edit {
        return [=](Meta& m) { setJsonKey(m, "unet", key, raw); };
    };
    auto entry = [](const std::string& key, const std::string& raw) -> Edit {
        return [=](Meta& m) { m[key] = raw; };
    };
    auto row = [](const char* name, bool yonos, Edit e, QStringList keys) {
        QTest::newRow(name) << yonos << e << keys;
    };
    // wrong JSON types, one per kind of key
    row("window_size string", false, unet("window_size", "\"8\""), {"'unet'", "window_size"});
    row("lq_size float", false, unet("lq_size", "16.5"), {"'unet'", "lq_size"});
    row("channel_mult string", false, unet("channel_mult", "\"1,2\""), {"'unet'", "channel_mult"});
    row("channel_mult of strings", false, unet("channel_mult", "[\"1\",\"2\"]"),
        {"'unet'", "channel_mult"});
    row("num_res_blocks object", false, unet("num_res_blocks", "{}"), {"'unet'", "num_res_blocks"});
    row("mlp_ratio string", false, unet("mlp_ratio", "\"4\""), {"'unet'", "mlp_ratio"});
    row("cond_lq string", false, unet("cond_lq", "\"yes\""), {"'unet'", "cond_lq"});
    row("dropout bool", false, unet("dropout", "true"), {"'unet'", "dropout"});
    row("model_channels beyond int", false, unet("model_channels", "4294967328"),
        {"'unet'", "model_channels"});
    row("sampler padding_offset string", false, entry("sampler", "{\"padding_offset\": \"16\"}"),
        {"'sampler'", "padding_offset"});
    row("sampler degrid_sigma string", false,
        entry("sampler", "{\"padding_offset\": 16, \"degrid_sigma\": \"1\"}"),
        {"'sampler'", "degrid_sigma"});
    row("sampler a list", false, entry("sampler", "[16]"), {"'sampler'"});
    row("schedule steps string", false,
        [](Meta& m) { setJsonKey(m, "schedule", "steps", "\"4\""); }, {"'schedule'", "steps"});
    row("schedule kappa string", false,
        [](Meta& m) { setJsonKey(m, "schedule", "kappa", "\"2\""); }, {"'schedule'", "kappa"});
    row("schedule sf 0", false, [](Meta& m) { setJsonKey(m, "schedule", "sf", "0"); },
        {"'schedule'", "sf"});
    row("refiner channels string", false,
        [](Meta& m) {
            m["codec"] = "unshuffle-f4-refine";
            m["codec_config"] = R"({"channels": "32", "layers": 4})";
        },
        {"'codec_config'", "channels"});
    // values no network can be built with, and the architecture limits
    row("odd window_size", false, unet("window_size", "7"), {"'unet'", "window_size"});
    row("window_size not tiling", false,
        [](Meta& m) {
            setJsonKey(m, "unet", "image_size", "24");
            setJsonKey(m, "unet", "lq_size", "24");
        },
        {"'unet'", "window_size"});
    row("lq_size 2^30", false, unet("lq_size", "1073741824"), {"'unet'", "lq_size"});
    row("lq_size not image_size x 2^n", false, unet("lq_size", "48"), {"'unet'", "lq_size"});
    row("swin_depth 10^9", false, unet("swin_depth", "1000000000"), {"'unet'", "swin_depth"});
    row("num_res_blocks 10^9", false, unet("num_res_blocks", "[1000000000, 1]"),
        {"'unet'", "num_res_blocks"});
    row("channel_mult huge", false, unet("channel_mult", "[1, 1000000]"),
        {"'unet'", "channel_mult"});
    row("channel_mult 1000 entries", false,
        [](Meta& m) {
            std::vector<int> v(1000, 1);
            auto j = nlohmann::json::parse(m["unet"]);
            j["channel_mult"] = v;
            j["num_res_blocks"] = v;
            m["unet"] = j.dump();
        },
        {"'unet'", "channel_mult"});
    row("model_channels 2^30", false, unet("model_channels", "1073741824"),
        {"'unet'", "model_channels"});
    row("network larger than the file", false, unet("model_channels", "512"),
        {"'unet'", "holds only"});
    row("padding_offset huge", false, entry("sampler", "{\"padding_offset\": 1000000000}"),
        {"'sampler'", "padding_offset"});
    row("padding_offset 0", false, entry("sampler", "{\"padding_offset\": 0}"),
        {"'sampler'", "padding_offset"});
    row("num_head_channels 0", false, unet("num_head_channels", "0"),
        {"'unet'", "num_head_channels"});
    // the integer entries
    row("scale \"0\"", false, entry("scale", "0"), {"'scale'", "'0'"});
    row("scale \"-4\"", false, entry("scale", "-4"), {"'scale'", "'-4'"});
    row("scale \"four\"", false, entry("scale", "four"), {"'scale'"});
    row("scale 2 with sf 4", false, entry("scale", "2"), {"'scale'", "sf"});
    row("scale beyond int", false, entry("scale", "99999999999999"), {"'scale'"});
    row("steps \"x\"", false, entry("steps", "x"), {"'steps'"});
    row("steps 3 of 4", false, entry("steps", "3"), {"'steps'"});
    // nesting and length
    row("unet nested 300000 deep", false, entry("unet", nested(300000)), {"'unet'", "nests"});
    row("sampler nested 70 deep", false, entry("sampler", nested(70)), {"'sampler'", "nests"});
    row("unet not JSON", false, entry("unet", "{window_size: 8"), {"'unet'", "JSON"});
    row("family 100000 characters", false, entry("family", std::string(100000, 'x')),
        {"family", "\xE2\x80\xA6"});
    // yonos packages: the diffusers-style configs and the sampler
    row("yonos multi_steps string", true, entry("sampler", R"({"multi_steps": "10"})"),
        {"'sampler'", "multi_steps"});
    row("yonos padding_offset float", true, entry("sampler", R"({"padding_offset": 8.5})"),
        {"'sampler'", "padding_offset"});
    row("yonos layers_per_block string", true, unet("layers_per_block", "\"1\""),
        {"'unet'", "layers_per_block"});
    row("yonos block_out_channels huge", true, unet("block_out_channels", "[32, 1000000000]"),
        {"'unet'", "block_out_channels"});
    row("yonos U-Net larger than the file", true, unet("block_out_channels", "[256, 256]"),
        {"'unet'", "holds only"});
    row("yonos autoencoder larger than the file", true,
        [](Meta& m) {
            auto j = nlohmann::json::parse(m["codec_config"]);
            for (auto& w : j["block_out_channels"])
                w = 512; // as many levels as the tiny codec has, each far wider
            m["codec_config"] = j.dump();
        },
        {"'codec_config'", "holds only"});
    row("yonos cross_attention_dim string", true, unet("cross_attention_dim", "\"768\""),
        {"'unet'", "cross_attention_dim"});
    row("yonos act_fn 100000 characters", true,
        unet("act_fn", "\"" + std::string(100000, 'g') + "\""), {"'unet'", "act_fn"});
    row("yonos codec latent_channels string", true,
        [](Meta& m) { setJsonKey(m, "codec_config", "latent_channels", "\"4\""); },
        {"'codec_config'", "latent_channels"});
    row("yonos schedule num_train_timesteps string", true,
        [](Meta& m) { setJsonKey(m, "schedule", "num_train_timesteps", "\"1000\""); },
        {"'schedule'", "num_train_timesteps"});
    row("yonos scale \"0\"", true, entry("scale", "0"), {"'scale'"});
    row("yonos steps 10^9", true, entry("steps", "1000000000"), {"'steps'"});
}

void TestHostile::packageMetadata() {
    QFETCH(bool, yonos);
    QFETCH(Edit, edit);
    QFETCH(QStringList, keys);
    const QString path = writePackage(newPath(".safetensors"), edit, yonos);
    QVERIFY(!path.isEmpty());
    // Unedited, the same package loads: the row's edit is what is refused.
    QElapsedTimer t;
    t.start();
    auto info = Model::inspect(path.toStdString());
    QVERIFY(!info);
    const QByteArray message = QByteArray::fromStdString(info.status().message());
    checkOneLine(message, path, keys);
    auto model = Model::load(path.toStdString());
    QVERIFY(!model);
    checkOneLine(QByteArray::fromStdString(model.status().message()), path, keys);
    QVERIFY2(t.elapsed() < kFastMs, qPrintable(QString::number(t.elapsed()) + " ms"));
}

// The programs themselves: exit 1 (not a signal), one line, fast, no output file.
void TestHostile::cliRefusesPackage_data() {
    QTest::addColumn<QString>("command");
    QTest::addColumn<Edit>("edit");
    QTest::addColumn<QString>("key");
    const Edit windowString = [](Meta& m) { setJsonKey(m, "unet", "window_size", "\"8\""); };
    const Edit oddWindow = [](Meta& m) { setJsonKey(m, "unet", "window_size", "7"); };
    const Edit lqHuge = [](Meta& m) { setJsonKey(m, "unet", "lq_size", "1073741824"); };
    const Edit depth = [](Meta& m) { setJsonKey(m, "unet", "swin_depth", "1000000000"); };
    const Edit deep = [](Meta& m) { m["unet"] = nested(300000); };
    const Edit scale0 = [](Meta& m) { m["scale"] = "0"; };
    const Edit padding = [](Meta& m) { m["sampler"] = R"({"padding_offset": "64"})"; };
    QTest::newRow("info: window_size string") << "info" << windowString << "window_size";
    QTest::newRow("info --json: odd window_size") << "info --json" << oddWindow << "window_size";
    QTest::newRow("info: lq_size 2^30") << "info" << lqHuge << "lq_size";
    QTest::newRow("info: depth 10^9") << "info" << depth << "swin_depth";
    QTest::newRow("info --json: nested unet") << "info --json" << deep << "'unet'";
    QTest::newRow("upscale: scale 0") << "upscale" << scale0 << "'scale'";
    QTest::newRow("upscale: padding_offset string") << "upscale" << padding << "padding_offset";
    QTest::newRow("upscale: odd window_size") << "upscale" << oddWindow << "window_size";
}

void TestHostile::cliRefusesPackage() {
    QFETCH(QString, command);
    QFETCH(Edit, edit);
    QFETCH(QString, key);
    const QString model = writePackage(newPath(".safetensors"), edit);
    QVERIFY(!model.isEmpty());
    QStringList args;
    const QString out = dir_.filePath(QStringLiteral("out-%1.png").arg(++counter_));
    if (command == "upscale") {
        const QString in = newPath(".png");
        QVERIFY(cv::imwrite(in.toStdString(), cv::Mat(24, 24, CV_8UC3, cv::Scalar(90, 120, 30))));
        args = {"upscale", in, "-o", out, "--model", model, "-q"};
    } else {
        args = command.split(' ');
        args.insert(1, model);
    }
    const Run r = cli(args);
    QCOMPARE(r.code, 1);
    checkOneLine(r.err, model, {key});
    QVERIFY2(r.ms < 5000, qPrintable(QString::number(r.ms) + " ms"));
    QVERIFY(!QFile::exists(out));
    const QStringList left = QDir(dir_.path()).entryList({"out-*", "*.tmp*", ".*.tmp*"});
    QVERIFY2(left.isEmpty(), qPrintable(left.join(' ')));
}

// A metadata entry that no config reads (provenance, a note) may be anything: `info` still runs in
// a moment and prints a bounded amount, in both forms.
void TestHostile::infoBoundsDeepAndLongValues() {
    const QString model = writePackage(newPath(".safetensors"), [](Meta& m) {
        m["provenance"] = nested(300000);
        m["note"] = "[" + nested(20000) + "]";
        m["long"] = std::string(1 << 20, 'y');
    });
    QVERIFY(!model.isEmpty());
    for (const QString& form : {QString(), QStringLiteral("--json")}) {
        QStringList args{"info", model};
        if (!form.isEmpty())
            args << form;
        const Run r = cli(args);
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.ms < 5000, qPrintable(QString::number(r.ms) + " ms"));
        QVERIFY2(r.out.size() < 400 * 1024, qPrintable(QString::number(r.out.size())));
        QVERIFY(r.out.contains("\xE2\x80\xA6"));
    }
}

// The safetensors header itself: nothing from it is echoed whole, nesting is bounded.
void TestHostile::safetensorsHeaderEchoes_data() {
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("viaCli");
    const QByteArray longText(100000, 'Q');
    QTest::newRow("dtype of 100000 characters")
        << QByteArray(R"({"unet.a":{"dtype":")" + longText +
                      R"(","shape":[1],"data_offsets":[0,4]}})")
        << "dtype" << true;
    QTest::newRow("tensor name of 100000 characters")
        << QByteArray(R"({")" + longText + R"(":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})")
        << "characters long" << false;
    QTest::newRow("metadata key of 100000 characters")
        << QByteArray(R"({"__metadata__":{")" + longText + R"(":1}})") << "__metadata__" << false;
    QTest::newRow("header nested 300000 deep")
        << QByteArray(R"({"__metadata__":)") + QByteArray::fromStdString(nested(300000)) + "}"
        << "nests" << true;
}

void TestHostile::safetensorsHeaderEchoes() {
    QFETCH(QByteArray, header);
    QFETCH(QString, key);
    QFETCH(bool, viaCli);
    const QString path = writeRawSafetensors(newPath(".safetensors"), header);
    QVERIFY(!path.isEmpty());
    QElapsedTimer t;
    t.start();
    auto info = Model::inspect(path.toStdString());
    QVERIFY(!info);
    checkOneLine(QByteArray::fromStdString(info.status().message()), path, {key});
    QVERIFY(t.elapsed() < kFastMs);
    if (!viaCli)
        return;
    const Run r = cli({"info", path});
    QCOMPARE(r.code, 1);
    checkOneLine(r.err, path, {key});
}

// convert --config: the same schema, the config file and the key named, no output.
void TestHostile::convertConfig_data() {
    QTest::addColumn<QString>("section");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("viaCli"); // also through shiftsr-cli (a process per row costs time)
    auto row = [](const char* name, const char* section, const char* key, const QByteArray& raw,
                  const char* expected, bool viaCli = false) {
        QTest::newRow(name) << section << key << raw << expected << viaCli;
    };
    row("model window_size string", "model", "window_size", "\"8\"", "window_size", true);
    row("model odd window_size", "model", "window_size", "7", "window_size", true);
    row("model swin_depth 10^9", "model", "swin_depth", "1000000000", "swin_depth");
    row("model lq_size 2^30", "model", "lq_size", "1073741824", "lq_size");
    row("model channel_mult huge", "model", "channel_mult", "[1, 100000]", "channel_mult");
    row("autoencoder ch string", "autoencoder", "ch", "\"32\"", "ch");
    row("autoencoder ch_mult huge", "autoencoder", "ch_mult", "[1, 2, 100000]", "ch_mult");
    row("autoencoder n_embed 2^30", "autoencoder", "n_embed", "1073741824", "n_embed");
    row("diffusion steps string", "diffusion", "steps", "\"4\"", "steps");
    row("diffusion sf 0", "diffusion", "sf", "0", "sf");
    row("diffusion kappa an object", "diffusion", "kappa", "{}", "kappa");
    row("sampler padding_offset string", "sampler", "padding_offset", "\"64\"", "padding_offset",
        true);
    row("sampler padding_offset huge", "sampler", "padding_offset", "1000000000", "padding_offset");
    row("whole config nested", "", "", QByteArray::fromStdString(nested(300000)), "nests", true);
    row("whole config a list", "", "", "[1, 2]", "object");
    row("model a string", "model", "", "\"x\"", "UNet config");
}

void TestHostile::convertConfig() {
    QFETCH(QString, section);
    QFETCH(QString, key);
    QFETCH(QByteArray, raw);
    QFETCH(QString, expected);
    QFETCH(bool, viaCli);
    SHIFTSR_REQUIRE_FIXTURE(fixture("config.json"));
    auto j = nlohmann::json::parse(testutil::readAll(fixture("config.json")).toStdString());
    auto& cfg = j["config"];
    const auto value = nlohmann::json::parse(raw.toStdString(), nullptr, false);
    std::string text;
    if (section.isEmpty()) {
        text = raw.toStdString();
    } else {
        if (section == "sampler")
            cfg["sampler"] = nlohmann::json::object();
        auto& params = section == "sampler" ? cfg["sampler"] : cfg[section.toStdString()]["params"];
        if (section == "autoencoder" && key != "embed_dim" && key != "n_embed")
            params["ddconfig"][key.toStdString()] = value;
        else if (key.isEmpty())
            cfg[section.toStdString()] = value;
        else
            params[key.toStdString()] = value;
        text = j.dump();
    }
    const QString config = newPath(".json");
    QVERIFY(testutil::writeAll(config, QByteArray::fromStdString(text)));
    const QString out = dir_.filePath(QStringLiteral("out-%1.safetensors").arg(++counter_));
    ConvertOptions o;
    o.unetCheckpoint = fixture("unet_official_format.pth").toStdString();
    o.autoencoderCheckpoint = fixture("autoencoder_official_format.pth").toStdString();
    o.configJson = config.toStdString();
    o.output = out.toStdString();
    QElapsedTimer t;
    t.start();
    auto converted = convertOfficial(o);
    QVERIFY(!converted);
    checkOneLine(QByteArray::fromStdString(converted.status().message()), config, {expected});
    QVERIFY(t.elapsed() < kFastMs);
    QVERIFY(!QFile::exists(out));
    if (!viaCli)
        return;
    const Run r = cli({"convert", "--unet", fixture("unet_official_format.pth"), "--autoencoder",
                       fixture("autoencoder_official_format.pth"), "--config", config, "-o", out});
    QCOMPARE(r.code, 1);
    checkOneLine(r.err, config, {expected});
    QVERIFY2(r.ms < 5000, qPrintable(QString::number(r.ms) + " ms"));
    QVERIFY(!QFile::exists(out));
}

// A checkpoint whose path is not UTF-8: the provenance records it lossily, the conversion works.
void TestHostile::convertNonUtf8Path() {
    SHIFTSR_REQUIRE_FIXTURE(fixture("unet_official_format.pth"));
    const std::string base = dir_.path().toStdString() + "/";
    const std::string unet = base + "unet-\xff\xfe.pth";
    const std::string ae = base + "ae-\xc3.pth";
    for (const auto& [from, to] : {std::pair{fixture("unet_official_format.pth"), unet},
                                   std::pair{fixture("autoencoder_official_format.pth"), ae}}) {
        const QByteArray bytes = testutil::readAll(from);
        std::ofstream f(to, std::ios::binary);
        f.write(bytes.constData(), bytes.size());
        QVERIFY(f.good());
    }
    ConvertOptions o;
    o.unetCheckpoint = unet;
    o.autoencoderCheckpoint = ae;
    o.configJson = fixture("config.json").toStdString();
    o.output = base + "converted-\xff.safetensors";
    o.name = "name \xff";
    auto r = convertOfficial(o);
    // The name itself must be UTF-8 in a package; a refusal is fine, an exception is not.
    if (!r)
        QVERIFY2(r.status().message().find("name") != std::string::npos ||
                     r.status().message().find("UTF-8") != std::string::npos,
                 r.status().message().c_str());
    o.name.clear();
    r = convertOfficial(o);
    QVERIFY2(r.isOk(), r.status().message().c_str());
    auto info = Model::inspect(o.output);
    QVERIFY2(info.isOk(), info.status().message().c_str());
    const std::string prov = info->metadata.at(meta::kProvenance);
    QVERIFY(prov.find("unet-\xEF\xBF\xBD") != std::string::npos); // U+FFFD
}

// torch.save tensors re-declared far beyond their storage (stride 0): refused before any byte of
// them is materialised, in the reader and through `convert`.
void TestHostile::convertExpandedTensor() {
    SHIFTSR_REQUIRE_FIXTURE(fixture("autoencoder_official_format.pth"));
    const QString pth = newPath(".pth");
    QVERIFY(testutil::writeAll(
        pth, oneTensorCheckpoint("input_blocks.0.0.weight", 1, {32768, 32768}, {0, 0})));
    QElapsedTimer t;
    t.start();
    auto ck = TorchCheckpoint::open(pth.toStdString());
    QVERIFY(!ck);
    checkOneLine(QByteArray::fromStdString(ck.status().message()), pth,
                 {"input_blocks.0.0.weight", "stride"});
    QVERIFY(t.elapsed() < kFastMs);
    // A broadcast of a few elements stays readable (small views may overlap).
    const QString small = newPath(".pth");
    QVERIFY(testutil::writeAll(small, oneTensorCheckpoint("b", 1, {4, 8}, {0, 0})));
    auto ok = TorchCheckpoint::open(small.toStdString());
    QVERIFY2(ok.isOk(), ok.status().message().c_str());

    const QString out = dir_.filePath(QStringLiteral("out-%1.safetensors").arg(++counter_));
    const Run r =
        cli({"convert", "--unet", pth, "--autoencoder", fixture("autoencoder_official_format.pth"),
             "--config", fixture("config.json"), "-o", out});
    QCOMPARE(r.code, 1);
    checkOneLine(r.err, pth, {"stride"});
    QVERIFY2(r.ms < 5000, qPrintable(QString::number(r.ms) + " ms"));
    QVERIFY(!QFile::exists(out));
}

// job.json: types, ranges and nesting, each violation naming the file and the key.
void TestHostile::jobJson_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("key");
    const QByteArray base = R"("kind": "teacher", "preset": "tiny", "data": {"train": "photos"})";
    auto row = [&](const char* name, const QByteArray& extra, const char* key) {
        QTest::newRow(name) << QByteArray("{" + base + ", " + extra + "}") << key;
    };
    row("batch string", R"("batch": "4")", "batch");
    row("steps beyond int", R"("steps": 100000000000)", "steps");
    row("batch 10^9", R"("batch": 1000000000)", "batch");
    row("lr string", R"("optimizer": {"lr": "1e-4"})", "lr");
    row("betas strings", R"("optimizer": {"betas": ["a", "b"]})", "betas");
    row("optimizer a number", R"("optimizer": 5)", "lr");
    row("seed negative", R"("seed": -1)", "seed");
    row("gt_size huge", R"("data": {"train": "p", "gt_size": 1048576})", "gt_size");
    row("train a number", R"("data": {"train": 5})", "train");
    row("workers 10^6", R"("data": {"train": "p", "workers": 1000000})", "workers");
    row("validation count huge", R"("validation": {"count": 100000000})", "validation.count");
    row("name 100000 characters", "\"name\": \"" + QByteArray(100000, 'n') + "\"", "name");
    QTest::newRow("nested 300000 deep")
        << QByteArray("{\"x\": " + QByteArray::fromStdString(nested(300000)) + "}") << "nests";
}

void TestHostile::jobJson() {
    QFETCH(QByteArray, json);
    QFETCH(QString, key);
    const QString path = newPath("-job.json");
    QVERIFY(testutil::writeAll(path, json));
    QElapsedTimer t;
    t.start();
    auto job = training::TrainJob::fromFile(path.toStdString());
    QVERIFY(!job);
    checkOneLine(QByteArray::fromStdString(job.status().message()), path, {key});
    QVERIFY(t.elapsed() < kFastMs);
}

// A job or config path that is a FIFO (or a folder) is refused at once instead of blocking the
// read.
void TestHostile::jobFileIsAFifo() {
    const QString fifo = newPath("-job.fifo");
    QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
    QElapsedTimer t;
    t.start();
    for (const QString& path : {fifo, QFileInfo(fifo).absolutePath()}) {
        auto job = training::TrainJob::fromFile(path.toStdString());
        QVERIFY(!job);
        QVERIFY2(job.status().message().find("not a regular file") != std::string::npos,
                 job.status().message().c_str());
    }
    QVERIFY(t.elapsed() < kFastMs);
}

// The last-resort handler: an exception out of main's work or out of a thread becomes one line and
// exit status 1, in a child process (the terminate handler ends the process).
void TestHostile::lastResort() {
    struct Case {
        const char* name;
        int kind;
        const char* expected;
    };
    const Case cases[] = {{"runtime_error", 0, "prog: internal error: boom"},
                          {"bad_alloc", 1, "prog: out of memory"},
                          {"int", 2, "prog: internal error: unknown exception"},
                          {"thread", 3, "prog: internal error: from a thread"},
                          {"multi-line what", 4, "prog: internal error: first line"}};
    for (const Case& c : cases) {
        int fds[2];
        QVERIFY(::pipe(fds) == 0);
        const pid_t pid = ::fork();
        QVERIFY(pid >= 0);
        if (pid == 0) {
            ::dup2(fds[1], STDERR_FILENO);
            ::close(fds[0]);
            const int kind = c.kind;
            const int code = runWithLastResort("prog", [kind]() -> int {
                switch (kind) {
                case 0:
                    throw std::runtime_error("boom");
                case 1:
                    throw std::bad_alloc();
                case 2:
                    throw 42;
                case 3: {
                    std::thread t([] { throw std::logic_error("from a thread"); });
                    t.join();
                    return 0;
                }
                default:
                    throw std::runtime_error("first line\nException raised from ... (backtrace)");
                }
            });
            std::_Exit(code);
        }
        ::close(fds[1]);
        QByteArray err;
        char buf[512];
        for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
            err.append(buf, int(n));
        ::close(fds[0]);
        int status = 0;
        QCOMPARE(::waitpid(pid, &status, 0), pid);
        QVERIFY2(WIFEXITED(status), c.name);
        QCOMPARE(WEXITSTATUS(status), 1);
        QCOMPARE(err, QByteArray(c.expected) + "\n");
    }
}

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"
