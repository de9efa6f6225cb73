// Import of published GAN weights: RRDBNet in BasicSR's (Real-ESRGAN), the old ESRGAN and ncnn
// layouts and SRVGGNetCompact, from torch.save, .safetensors and ncnn files written here. Each is
// detected with its hyperparameters, and its package's output equals a forward pass written here
// in plain torch ops; unknown and inconsistent files are refused with messages that say what they
// found; the real x4fast ncnn files (when present) give the compact reference's output byte for
// byte; the CLI imports end to end.
#include "compact_net_util.h"
#include "testutil.h"
#include "torch_save_util.h"

#include "shiftsr/engine/bench.h"
#include "shiftsr/engine/import.h"
#include "shiftsr/engine/pipeline.h"
#include "shiftsr/engine/reference.h"
#include "shiftsr/nn/import_detect.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/tensor_io.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>

using namespace shiftsr;
namespace F = torch::nn::functional;
using TensorMap = std::map<std::string, torch::Tensor>;

namespace {

std::string str(const QString& s) {
    return s.toStdString();
}

// ---------------------------------------------------------------- weights and reference nets

// Values on a 1/64 grid (exact in float16), small enough that the networks stay in range.
torch::Tensor grid(std::vector<int64_t> shape, double scale = 1.0) {
    return torch::randint(-12, 13, shape, torch::kFloat) * (scale / 64.0);
}

void addConv(TensorMap& t, const std::string& name, int64_t in, int64_t out, double scale = 1.0) {
    t[name + ".weight"] = grid({out, in, 3, 3}, scale);
    t[name + ".bias"] = grid({out}, 0.25);
}

struct Rrdb {
    int feat = 8, grow = 4, blocks = 2, ups = 2, unshuffle = 1;
    int scale() const { return (1 << ups) / unshuffle; }
};

// BasicSR's names, random weights.
TensorMap rrdbWeights(const Rrdb& s, std::uint64_t seed) {
    torch::manual_seed(int64_t(seed));
    TensorMap t;
    addConv(t, "conv_first", 3 * s.unshuffle * s.unshuffle, s.feat);
    for (int b = 0; b < s.blocks; ++b)
        for (int r = 1; r <= 3; ++r)
            for (int k = 0; k < 5; ++k)
                addConv(t,
                        "body." + std::to_string(b) + ".rdb" + std::to_string(r) + ".conv" +
                            std::to_string(k + 1),
                        s.feat + k * s.grow, k == 4 ? s.feat : s.grow, 0.5);
    addConv(t, "conv_body", s.feat, s.feat);
    for (int u = 1; u <= s.ups; ++u)
        addConv(t, "conv_up" + std::to_string(u), s.feat, s.feat, 0.5);
    addConv(t, "conv_hr", s.feat, s.feat, 0.5);
    addConv(t, "conv_last", s.feat, 3, 0.25);
    return t;
}

torch::Tensor conv(const TensorMap& t, const std::string& n, const torch::Tensor& x) {
    return F::conv2d(x, t.at(n + ".weight"),
                     F::Conv2dFuncOptions().bias(t.at(n + ".bias")).padding(1));
}

torch::Tensor lrelu(const torch::Tensor& x, double slope = 0.2) {
    return F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(slope));
}

torch::Tensor nearestUp(const torch::Tensor& x, int s) {
    return F::interpolate(x, F::InterpolateFuncOptions()
                                 .scale_factor(std::vector<double>{double(s), double(s)})
                                 .mode(torch::kNearest));
}

// basicsr.archs.rrdbnet_arch.RRDBNet.forward (its pixel_unshuffle written out as BasicSR does).
torch::Tensor rrdbForward(const TensorMap& t, const Rrdb& s, const torch::Tensor& x) {
    auto feat = x;
    if (s.unshuffle > 1) {
        const int64_t u = s.unshuffle, c = x.size(1), h = x.size(2) / u, w = x.size(3) / u;
        feat = x.view({1, c, h, u, w, u}).permute({0, 1, 3, 5, 2, 4}).reshape({1, c * u * u, h, w});
    }
    feat = conv(t, "conv_first", feat);
    auto body = feat;
    for (int b = 0; b < s.blocks; ++b) {
        auto out = body;
        for (int r = 1; r <= 3; ++r) {
            const std::string p = "body." + std::to_string(b) + ".rdb" + std::to_string(r);
            auto x1 = lrelu(conv(t, p + ".conv1", out));
            auto x2 = lrelu(conv(t, p + ".conv2", torch::cat({out, x1}, 1)));
            auto x3 = lrelu(conv(t, p + ".conv3", torch::cat({out, x1, x2}, 1)));
            auto x4 = lrelu(conv(t, p + ".conv4", torch::cat({out, x1, x2, x3}, 1)));
            auto x5 = conv(t, p + ".conv5", torch::cat({out, x1, x2, x3, x4}, 1));
            out = x5 * 0.2 + out;
        }
        body = out * 0.2 + body;
    }
    feat = feat + conv(t, "conv_body", body);
    for (int u = 1; u <= s.ups; ++u)
        feat = lrelu(conv(t, "conv_up" + std::to_string(u), nearestUp(feat, 2)));
    return conv(t, "conv_last", lrelu(conv(t, "conv_hr", feat)));
}

struct Srvgg {
    int feat = 8, convs = 2, scale = 4;
    std::string act = "prelu";
};

TensorMap srvggWeights(const Srvgg& s, std::uint64_t seed) {
    torch::manual_seed(int64_t(seed));
    TensorMap t;
    const int n = s.convs + 2;
    for (int k = 0; k < n; ++k) {
        addConv(t, "body." + std::to_string(2 * k), k == 0 ? 3 : s.feat,
                k == n - 1 ? 3 * s.scale * s.scale : s.feat, k == n - 1 ? 0.25 : 1.0);
        if (k < n - 1 && s.act == "prelu")
            t["body." + std::to_string(2 * k + 1) + ".weight"] = grid({s.feat}, 2.0);
    }
    return t;
}

// realesrgan.archs.srvgg_arch.SRVGGNetCompact.forward.
torch::Tensor srvggForward(const TensorMap& t, const Srvgg& s, const torch::Tensor& x) {
    auto h = x;
    const int n = s.convs + 2;
    for (int k = 0; k < n; ++k) {
        h = conv(t, "body." + std::to_string(2 * k), h);
        if (k == n - 1)
            break;
        if (s.act == "prelu")
            h = torch::prelu(h, t.at("body." + std::to_string(2 * k + 1) + ".weight"));
        else if (s.act == "relu")
            h = torch::relu(h);
        else
            h = lrelu(h, 0.1);
    }
    return torch::pixel_shuffle(h, s.scale) + nearestUp(x, s.scale);
}

using Forward = std::function<torch::Tensor(const torch::Tensor&)>;

// A tile as Real-ESRGAN's tools run it: 10 replicated pixels around, reflect-padded on the right
// and bottom to `multiple`, the padding cut from the output.
torch::Tensor tileReference(const Forward& net, const torch::Tensor& x, int scale, int multiple) {
    auto p = F::pad(x, F::PadFuncOptions({10, 10, 10, 10}).mode(torch::kReplicate));
    const int64_t ph = (multiple - p.size(2) % multiple) % multiple,
                  pw = (multiple - p.size(3) % multiple) % multiple;
    if (ph || pw)
        p = F::pad(p, F::PadFuncOptions({0, pw, 0, ph}).mode(torch::kReflect));
    return net(p)
        .slice(2, 10 * scale, (10 + x.size(2)) * scale)
        .slice(3, 10 * scale, (10 + x.size(3)) * scale);
}

torch::Tensor toTensor01(const cv::Mat& bgr) {
    cv::Mat f;
    bgr.convertTo(f, CV_32FC3, 1.0 / 255.0);
    return torch::from_blob(f.data, {1, f.rows, f.cols, 3}, torch::kFloat)
        .permute({0, 3, 1, 2})
        .flip({1})
        .contiguous();
}

cv::Mat toBgr8(const torch::Tensor& rgb01) {
    auto out = rgb01.clamp(0, 1)
                   .mul(255)
                   .round()
                   .flip({1})
                   .permute({0, 2, 3, 1})
                   .contiguous()
                   .to(torch::kUInt8);
    cv::Mat m(int(out.size(1)), int(out.size(2)), CV_8UC3);
    std::memcpy(m.data, out.data_ptr(), m.total() * 3);
    return m;
}

cv::Mat testImage(int w, int h, int seed) {
    cv::Mat img(h, w, CV_8UC3);
    cv::theRNG().state = std::uint64_t(seed);
    cv::randu(img, 0, 255);
    cv::GaussianBlur(img, img, cv::Size(3, 3), 0.8);
    return img;
}

double maxDiff(const cv::Mat& a, const cv::Mat& b) {
    return cv::norm(a, b, cv::NORM_INF);
}

// ---------------------------------------------------------------- files

using testutil::crc32Of;
using testutil::le;
using testutil::pickleInt;
using testutil::pickleInts;
using testutil::pickleStr;
using testutil::storedZip;

// torch.save of state dicts: one group with an empty key is the bare dict; otherwise
// {key: OrderedDict, ...} as BasicSR saves {"params_ema": ..., "params": ...}.
void writeTorchSave(const QString& path,
                    const std::vector<std::pair<std::string, TensorMap>>& groups) {
    const QByteArray orderedDict = "ccollections\nOrderedDict\n)R";
    QList<QPair<QByteArray, QByteArray>> storages;
    auto dict = [&](const TensorMap& t) {
        QByteArray p = orderedDict + "(";
        for (const auto& [name, tensor] : t) {
            const auto c = tensor.to(torch::kFloat).contiguous();
            const QByteArray key = QByteArray::number(storages.size());
            storages.append(
                qMakePair("archive/data/" + key,
                          QByteArray(static_cast<const char*>(c.data_ptr()), int(c.numel() * 4))));
            QList<qint64> shape, stride;
            for (int64_t d = 0; d < c.dim(); ++d) {
                shape << c.size(d);
                stride << c.stride(d);
            }
            p += pickleStr(QByteArray::fromStdString(name));
            p += "ctorch._utils\n_rebuild_tensor_v2\n((" + pickleStr("storage") +
                 "ctorch\nFloatStorage\n" + pickleStr(key) + pickleStr("cpu") +
                 pickleInt(c.numel()) + "tQ" + pickleInt(0) + pickleInts(shape) +
                 pickleInts(stride) + "\x89" + orderedDict + "tR";
        }
        return p + "u";
    };
    QByteArray p = "\x80\x02";
    if (groups.size() == 1 && groups[0].first.empty()) {
        p += dict(groups[0].second);
    } else {
        p += "}(";
        for (const auto& [key, t] : groups)
            p += pickleStr(QByteArray::fromStdString(key)) + dict(t);
        p += "u";
    }
    p += ".";
    QList<QPair<QByteArray, QByteArray>> items{{"archive/data.pkl", p}};
    items += storages;
    items.append(qMakePair(QByteArray("archive/version"), QByteArray("3\n")));
    QVERIFY(testutil::writeAll(path, storedZip(items)));
}

void writeSafetensors(const QString& path, const TensorMap& t) {
    SafeTensorsWriter w;
    for (const auto& [name, tensor] : t)
        QVERIFY(addTensor(w, name, tensor));
    QVERIFY(w.write(str(path)));
}

TensorMap prefixed(const TensorMap& t, const std::string& prefix) {
    TensorMap out;
    for (const auto& [name, tensor] : t)
        out[prefix + name] = tensor;
    return out;
}

// The old ESRGAN names of an RRDBNet (model.0, model.1.sub.N.RDBr.convk.0, model.1.sub.NB,
// model.3 per upsampling stage, then HRconv and conv_last).
TensorMap toOldEsrgan(const TensorMap& t, const Rrdb& s) {
    TensorMap out;
    for (const auto& [name, tensor] : t) {
        const auto dot = name.rfind('.');
        const std::string base = name.substr(0, dot), suffix = name.substr(dot);
        std::string n;
        if (base == "conv_first")
            n = "model.0";
        else if (base == "conv_body")
            n = "model.1.sub." + std::to_string(s.blocks);
        else if (base == "conv_hr")
            n = "model." + std::to_string(3 * s.ups + 2);
        else if (base == "conv_last")
            n = "model." + std::to_string(3 * s.ups + 4);
        else if (base.rfind("conv_up", 0) == 0)
            n = "model." + std::to_string(3 * std::stoi(base.substr(7)));
        else { // body.B.rdbR.convK
            const auto p1 = base.find('.', 5);
            const std::string b = base.substr(5, p1 - 5);
            const std::string r = base.substr(p1 + 4, 1), k = base.substr(base.size() - 1);
            n = "model.1.sub." + b + ".RDB" + r + ".conv" + k + ".0";
        }
        out[n + suffix] = tensor;
    }
    return out;
}

// BSRGAN's names of an RRDBNet (RRDB_trunk.N.RDBr.convk, trunk_conv, upconvN, HRconv).
TensorMap toBsrgan(const TensorMap& t) {
    TensorMap out;
    for (const auto& [name, tensor] : t) {
        std::string n = name;
        auto swap = [&](const std::string& from, const std::string& to) {
            if (const auto at = n.find(from); at != std::string::npos)
                n.replace(at, from.size(), to);
        };
        swap("conv_body", "trunk_conv");
        if (n.rfind("body.", 0) == 0)
            n = "RRDB_trunk." + n.substr(5);
        swap(".rdb", ".RDB");
        swap("conv_up", "upconv");
        swap("conv_hr", "HRconv");
        out[n] = tensor;
    }
    return out;
}

testutil::RrdbNet toNcnn(const TensorMap& t, const Rrdb& s) {
    testutil::RrdbNet n;
    n.feat = s.feat;
    n.grow = s.grow;
    n.blocks = s.blocks;
    for (const auto& [name, tensor] : t) {
        auto c = tensor.contiguous();
        n.weights[name].assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    }
    return n;
}

// ---------------------------------------------------------------- running

struct Imported {
    ImportReport report;
    std::shared_ptr<const Model> model;
};

Result<ImportReport> importFiles(const QStringList& files, const QString& out,
                                 const QString& config = {}) {
    ImportOptions o;
    for (const auto& f : files)
        o.inputs.push_back(str(f));
    o.output = str(out);
    o.configJson = str(config);
    return importWeights(o);
}

// The package on `image` in one tile, the model's own colour advice.
Result<UpscaleReport> upscaleOneTile(const std::shared_ptr<const Model>& model,
                                     const cv::Mat& image) {
    UpscaleRequest req;
    req.image = image;
    req.tiles.tile = 4096;
    req.threads = 1;
    return Pipeline(model).run(req);
}

struct Run {
    int code = -1;
    QByteArray out, err;
};

Run cli(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(SHIFTSR_CLI_PATH), args);
    Run r;
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

// The npm package's models folder (training/eval/fetch-realesrgan.sh), or empty.
QString realModels() {
    const QString root = qEnvironmentVariable("SHIFTSR_REALESRGAN_DIR");
    if (root.isEmpty())
        return {};
    return root + QStringLiteral("/package/dist/upscaler/sub-classes/model-manager/models");
}

} // namespace

class TestImportGan : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void detectsAndMatchesReference_data();
    void detectsAndMatchesReference();
    void refuses_data();
    void refuses();
    void packageMetadataChecked_data();
    void packageMetadataChecked();
    void pipelineRules();
    void realX4fastMatchesCompactReference();
    void realX4plus();
    void cliImport();
    void benchPresets();

private:
    QTemporaryDir dir_;
    int counter_ = 0;
    QString newPath(const QString& suffix) {
        return dir_.filePath(QStringLiteral("f%1%2").arg(++counter_).arg(suffix));
    }
    // A tiny SRVGG package (imported from a torch.save file) for the tests that need one.
    QString tinySrvggPackage();
};

QString TestImportGan::tinySrvggPackage() {
    const QString pth = newPath(".pth");
    writeTorchSave(pth, {{"params", srvggWeights(Srvgg(), 5)}});
    const QString out = newPath(".safetensors");
    auto r = importFiles({pth}, out);
    if (!r)
        qWarning("%s", r.status().message().c_str());
    return out;
}

// Each layout and container: what is detected, the package's metadata, and its output against the
// plain-torch forward pass (as floats through the package's network, and as the pipeline's 8-bit
// image in one tile).
void TestImportGan::detectsAndMatchesReference_data() {
    QTest::addColumn<QString>("kind");
    for (const char* k :
         {"basicsr-x4-pth-params_ema", "basicsr-x2-safetensors-module", "esrgan-x4-pth",
          "esrgan-x2-safetensors", "esrgan-bsrgan-safetensors", "srvgg-prelu-pth",
          "srvgg-leakyrelu-config", "ncnn-srvgg", "ncnn-rrdb-half"})
        QTest::newRow(k) << QString::fromLatin1(k);
}

void TestImportGan::detectsAndMatchesReference() {
    QFETCH(QString, kind);
    QStringList files;
    QString config;
    Forward forward;
    int scale = 4, multiple = 1;
    QString family, summary;
    nlohmann::json net;
    long long parameters = 0;
    QStringList notes;
    auto count = [](const TensorMap& t) {
        long long n = 0;
        for (const auto& [name, tensor] : t)
            n += tensor.numel();
        return n;
    };
    if (kind.startsWith("basicsr") || kind.startsWith("esrgan") || kind == "ncnn-rrdb-half") {
        Rrdb s;
        if (kind.contains("x2")) {
            if (kind.startsWith("basicsr"))
                s.unshuffle = 2;
            else
                s.ups = 1;
        }
        if (kind == "ncnn-rrdb-half")
            s.blocks = 1;
        const TensorMap w = rrdbWeights(s, 11);
        const QString path = newPath(kind.contains("safetensors") ? ".safetensors" : ".pth");
        if (kind == "basicsr-x4-pth-params_ema") {
            // params (the weights before EMA) differ: params_ema must be the one imported.
            writeTorchSave(path, {{"params", rrdbWeights(s, 12)}, {"params_ema", w}});
            notes << "params_ema";
        } else if (kind == "basicsr-x2-safetensors-module") {
            TensorMap all = prefixed(w, "params_ema.module.");
            for (const auto& [n, t] : prefixed(rrdbWeights(s, 13), "params.module."))
                all[n] = t;
            writeSafetensors(path, all);
            notes << "params_ema"
                  << "module.";
        } else if (kind == "esrgan-x4-pth") {
            writeTorchSave(path, {{"", toOldEsrgan(w, s)}});
            notes << "old ESRGAN";
        } else if (kind == "esrgan-x2-safetensors") {
            writeSafetensors(path, toOldEsrgan(w, s));
        } else if (kind == "esrgan-bsrgan-safetensors") {
            writeSafetensors(path, toBsrgan(w));
            notes << "BSRGAN";
        }
        if (kind == "ncnn-rrdb-half") {
            testutil::writeRrdbNet(dir_.path(), toNcnn(w, s), true, QStringLiteral("rrdb"));
            files << dir_.filePath(QStringLiteral("rrdb.param"));
            notes << "float16";
        } else {
            files << path;
        }
        forward = [w, s](const torch::Tensor& x) { return rrdbForward(w, s, x); };
        scale = s.scale();
        multiple = s.unshuffle;
        family = kind.startsWith("esrgan") ? "esrgan" : "realesrgan";
        summary = QStringLiteral("RRDBNet: %1 blocks, 8 features, growth 4, x%2%3")
                      .arg(s.blocks)
                      .arg(s.scale())
                      .arg(s.unshuffle > 1 ? " (input pixel-unshuffled by 2)" : "");
        net = {{"num_in_ch", 3},        {"num_out_ch", 3},  {"num_feat", 8},
               {"num_block", s.blocks}, {"num_grow_ch", 4}, {"scale", s.scale()},
               {"num_upsample", s.ups}};
        parameters = count(w);
    } else {
        Srvgg s;
        TensorMap w;
        const QString path = newPath(kind.contains("pth") ? ".pth" : ".safetensors");
        if (kind == "srvgg-prelu-pth") {
            w = srvggWeights(s, 21);
            writeTorchSave(path, {{"params", prefixed(w, "module.")}});
            files << path;
            notes << "params"
                  << "module.";
        } else if (kind == "srvgg-leakyrelu-config") {
            s.act = "leakyrelu";
            s.convs = 3;
            w = srvggWeights(s, 22);
            writeSafetensors(path, w);
            files << path;
            config = newPath(".json");
            QVERIFY(testutil::writeAll(config,
                                       R"({"network_g": {"type": "SRVGGNetCompact", "num_feat": 8,
                            "act_type": "leakyrelu"}})"));
        } else { // ncnn-srvgg: the compact net of tst_reference's writer, random weights
            s.feat = 4;
            s.convs = 0;
            w = srvggWeights(s, 23);
            testutil::CompactNet n;
            auto vec = [](const torch::Tensor& t) {
                auto c = t.contiguous();
                return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
            };
            n.hidden = 4;
            n.w0 = vec(w.at("body.0.weight"));
            n.b0 = vec(w.at("body.0.bias"));
            n.slope = vec(w.at("body.1.weight"));
            n.w1 = vec(w.at("body.2.weight"));
            n.b1 = vec(w.at("body.2.bias"));
            testutil::writeCompactNet(dir_.path(), n, false);
            files << dir_.filePath(QStringLiteral("m.param"));
            notes << "ncnn";
        }
        forward = [w, s](const torch::Tensor& x) { return srvggForward(w, s, x); };
        family = "srvgg";
        summary = QStringLiteral("SRVGGNetCompact: %1 body convolutions, %2 features, %3, x4")
                      .arg(s.convs)
                      .arg(s.feat)
                      .arg(QString::fromStdString(s.act));
        net = {{"num_in_ch", 3},      {"num_out_ch", 3}, {"num_feat", s.feat},
               {"num_conv", s.convs}, {"upscale", 4},    {"act_type", s.act}};
        parameters = count(w);
    }

    const QString out = newPath(".safetensors");
    auto r = importFiles(files, out, config);
    QVERIFY2(r.isOk(), r.status().message().c_str());
    QCOMPARE(QString::fromStdString(r->family), family);
    QCOMPARE(QString::fromStdString(r->summary), summary);
    QCOMPARE(r->scale, scale);
    QCOMPARE(r->steps, 1);
    QCOMPARE(r->parameters, parameters);
    QString allNotes;
    for (const auto& n : r->notes)
        allNotes += QString::fromStdString(n) + "; ";
    for (const QString& n : notes)
        QVERIFY2(allNotes.contains(n), qPrintable(n + " not in: " + allNotes));

    auto info = Model::inspect(str(out));
    QVERIFY2(info.isOk(), info.status().message().c_str());
    QCOMPARE(QString::fromStdString(info->family), family);
    QCOMPARE(info->steps, 1);
    QCOMPARE(info->trainedSteps, 1);
    QCOMPARE(info->scale, scale);
    QCOMPARE(info->unetParameters, std::int64_t(parameters));
    QCOMPARE(nlohmann::json::parse(info->metadata.at(meta::kNet)), net);
    const auto sampler = nlohmann::json::parse(info->metadata.at(meta::kSampler));
    QCOMPARE(sampler.value("color_fix", ""), std::string("none"));
    QCOMPARE(sampler.value("pre_pad", 0), 10);
    QVERIFY(sampler.value("tile", 0) > 0 && sampler.value("overlap", 0) > 0);
    const auto provenance = nlohmann::json::parse(info->metadata.at(meta::kProvenance));
    QVERIFY(provenance.value("licence_note", "").find("own terms") != std::string::npos);
    QCOMPARE(provenance["converted_from"][0].get<std::string>(),
             str(QFileInfo(files.first()).fileName()));

    auto model = Model::load(str(out), {"cpu", "fp32"});
    QVERIFY2(model.isOk(), model.status().message().c_str());
    const cv::Mat image = testImage(13, 11, 3);
    torch::NoGradGuard ng;
    const auto x = toTensor01(image);
    const auto want = tileReference(forward, x, scale, multiple);
    const auto got = nn::upscaleTile(*(*model)->impl().gan, x, 10);
    QCOMPARE(got.sizes(), want.sizes());
    const double d = (got - want).abs().max().item<double>();
    QVERIFY2(d < 1e-4, qPrintable(QString("max |network - reference| %1").arg(d)));
    auto up = upscaleOneTile(*model, image);
    QVERIFY2(up.isOk(), up.status().message().c_str());
    QVERIFY(up->colorFix == ColorFix::None); // the GAN's advice
    QCOMPARE(up->tiles, 1);
    QVERIFY2(maxDiff(up->image, toBgr8(want)) <= 1, "pipeline output differs from the reference");
}

// Each refusal names the file and what it found; no package is left behind.
void TestImportGan::refuses_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("unknown") << "unknown"
                             << QStringList{"not a model ShiftSR can import", "foo.weight [4,3]",
                                            "2 tensors"};
    QTest::newRow("rrdb-dense-shape")
        << "rrdb-dense-shape" << QStringList{"body.1.rdb2.conv3.weight", "[5, 16, 3, 3]"};
    QTest::newRow("rrdb-first-channels")
        << "rrdb-first-channels" << QStringList{"conv_first.weight takes 5 channels"};
    QTest::newRow("rrdb-extra-tensor")
        << "rrdb-extra-tensor" << QStringList{"body.0.rdb1.conv6.weight", "does not belong"};
    QTest::newRow("rrdb-huge-claim")
        << "rrdb-huge-claim" << QStringList{"describe a network of", "holds only"};
    QTest::newRow("srvgg-last-channels")
        << "srvgg-last-channels" << QStringList{"body.6", "47 channels"};
    QTest::newRow("srvgg-gap") << "srvgg-gap" << QStringList{"body.2", "SRVGGNetCompact's order"};
    QTest::newRow("esrgan-stray") << "esrgan-stray"
                                  << QStringList{"model.1.sub.0.RDB1.extra.weight"};
    QTest::newRow("ncnn-coefficient")
        << "ncnn-coefficient" << QStringList{"Eltwise", "residual sum 0.2"};
    QTest::newRow("ncnn-truncated") << "ncnn-truncated" << QStringList{"end early"};
    QTest::newRow("two-gan-files") << "two-gan-files" << QStringList{"a GAN model is one file"};
    QTest::newRow("package") << "package" << QStringList{"ShiftSR model package already"};
    QTest::newRow("gan-and-other")
        << "gan-and-other" << QStringList{"different models", "Stable Diffusion autoencoder"};
}

void TestImportGan::refuses() {
    QFETCH(QString, kind);
    QFETCH(QStringList, expected);
    const Rrdb rs;
    QStringList files;
    const QString path = newPath(".safetensors");
    if (kind == "unknown") {
        writeSafetensors(path,
                         {{"foo.weight", torch::zeros({4, 3})}, {"bar.bias", torch::zeros({4})}});
        files << path;
    } else if (kind == "gan-and-other") {
        writeSafetensors(path, srvggWeights(Srvgg(), 1));
        const QString vae = newPath(".safetensors");
        writeSafetensors(
            vae, {{"encoder.down_blocks.0.resnets.0.conv1.weight", torch::zeros({4, 4, 3, 3})}});
        files << path << vae;
    } else if (kind.startsWith("rrdb")) {
        TensorMap w = rrdbWeights(rs, 1);
        if (kind == "rrdb-dense-shape")
            w["body.1.rdb2.conv3.weight"] = torch::zeros({5, 16, 3, 3});
        else if (kind == "rrdb-first-channels")
            w["conv_first.weight"] = torch::zeros({8, 5, 3, 3});
        else if (kind == "rrdb-extra-tensor")
            w["body.0.rdb1.conv6.weight"] = torch::zeros({4, 8, 3, 3});
        else // a first convolution of 1000 features over a network of 8: never built
            w["conv_first.weight"] = torch::zeros({1000, 3, 3, 3});
        writeSafetensors(path, w);
        files << path;
    } else if (kind.startsWith("srvgg")) {
        Srvgg s;
        TensorMap w = srvggWeights(s, 1);
        if (kind == "srvgg-last-channels")
            w["body.6.weight"] = torch::zeros({47, 8, 3, 3});
        else
            w.erase("body.2.weight");
        writeSafetensors(path, w);
        files << path;
    } else if (kind == "esrgan-stray") {
        TensorMap w = toOldEsrgan(rrdbWeights(rs, 1), rs);
        w["model.1.sub.0.RDB1.extra.weight"] = torch::zeros({1});
        writeSafetensors(path, w);
        files << path;
    } else if (kind.startsWith("ncnn")) {
        Rrdb s;
        s.blocks = 1;
        auto n = toNcnn(rrdbWeights(s, 1), s);
        if (kind == "ncnn-coefficient")
            n.coefficient = 0.3f;
        const QString stem = QStringLiteral("bad%1").arg(++counter_);
        testutil::writeRrdbNet(dir_.path(), n, false, stem);
        if (kind == "ncnn-truncated") {
            QFile bin(dir_.filePath(stem + ".bin"));
            QVERIFY(bin.resize(bin.size() - 8));
        }
        files << dir_.filePath(stem + ".param");
    } else if (kind == "two-gan-files") {
        writeSafetensors(path, srvggWeights(Srvgg(), 1));
        const QString second = newPath(".safetensors");
        writeSafetensors(second, srvggWeights(Srvgg(), 2));
        files << path << second;
    } else if (kind == "package") {
        files << tinySrvggPackage();
    }
    const QString out = newPath(".safetensors");
    auto r = importFiles(files, out);
    QVERIFY(!r.isOk());
    const QString message = QString::fromStdString(r.status().message());
    QVERIFY2(!message.contains('\n'), qPrintable(message));
    QVERIFY2(message.contains(QFileInfo(files.last()).completeBaseName()) ||
                 message.contains(QFileInfo(files.first()).completeBaseName()),
             qPrintable(message));
    for (const QString& e : expected)
        QVERIFY2(message.contains(e), qPrintable(e + " not in: " + message));
    QVERIFY(!QFile::exists(out));
}

// A GAN package's metadata is checked on load like every other family's: ranges, relations, the
// size against the file; each error names the entry.
void TestImportGan::packageMetadataChecked_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value"); // JSON patch of the entry, or the whole value
    QTest::addColumn<QString>("expected");
    QTest::newRow("feat range") << "net"
                                << R"({"num_feat": 5000})"
                                << "num_feat must be from 1";
    QTest::newRow("act") << "net"
                         << R"({"act_type": "gelu"})"
                         << "act_type";
    QTest::newRow("type") << "net"
                          << R"({"num_conv": "two"})"
                          << "num_conv must be an integer";
    QTest::newRow("gray") << "net"
                          << R"({"num_in_ch": 1, "num_out_ch": 1})"
                          << "only RGB";
    QTest::newRow("too big for the file") << "net"
                                          << R"({"num_conv": 400})"
                                          << "describes a network of at least";
    QTest::newRow("scale") << "scale"
                           << "2"
                           << "must equal the network's (4)";
    QTest::newRow("steps") << "steps"
                           << "4"
                           << "'steps' must be an integer from 1 to 1";
    QTest::newRow("codec") << "codec"
                           << "vq-f4"
                           << "'codec' must be empty";
    QTest::newRow("color fix") << "sampler"
                               << R"({"color_fix": "auto"})"
                               << "color_fix";
    QTest::newRow("tile") << "sampler"
                          << R"({"tile": 3})"
                          << "tile must be 0 or from 16";
    QTest::newRow("pre_pad") << "sampler"
                             << R"({"pre_pad": 1000})"
                             << "pre_pad must be from 0";
    QTest::newRow("not json") << "net"
                              << "{"
                              << "metadata 'net'";
}

void TestImportGan::packageMetadataChecked() {
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, expected);
    const QString good = tinySrvggPackage();
    auto file = SafeTensorsFile::open(str(good));
    QVERIFY(file.isOk());
    auto tensors = readTensors(*file, "");
    QVERIFY(tensors.isOk());
    auto m = file->metadata();
    const std::string k = str(key);
    if (value.startsWith('{') && value.size() > 1) {
        auto j = nlohmann::json::parse(m.at(k));
        j.merge_patch(nlohmann::json::parse(str(value)));
        m[k] = j.dump();
    } else {
        m[k] = str(value);
    }
    SafeTensorsWriter w;
    for (const auto& [mk, mv] : m)
        w.setMetadata(mk, mv);
    for (const auto& [n, t] : *tensors)
        QVERIFY(addTensor(w, n, t));
    const QString bad = newPath(".safetensors");
    QVERIFY(w.write(str(bad)));
    auto info = Model::inspect(str(bad));
    QVERIFY(!info.isOk());
    const QString message = QString::fromStdString(info.status().message());
    QVERIFY2(message.contains(expected), qPrintable(message));
    QVERIFY2(message.contains(QFileInfo(bad).fileName()), qPrintable(message));
}

// Steps other than 1 are refused; an explicit colour fix is honoured; the package's tile and
// overlap advice shape the automatic grid, whose blended tiles match the one-tile result.
void TestImportGan::pipelineRules() {
    const QString pkg = tinySrvggPackage();
    auto model = Model::load(str(pkg), {"cpu", "fp32"});
    QVERIFY2(model.isOk(), model.status().message().c_str());
    const cv::Mat image = testImage(80, 50, 9);
    UpscaleRequest req;
    req.image = image;
    req.steps = 2;
    auto r = Pipeline(*model).run(req);
    QVERIFY(!r.isOk());
    QVERIFY2(QString::fromStdString(r.status().message()).contains("runs with 1 step, not 2"),
             r.status().message().c_str());
    req.steps = 0;
    req.colorFix = ColorFix::Luma;
    req.tiles.tile = 4096;
    r = Pipeline(*model).run(req);
    QVERIFY2(r.isOk(), r.status().message().c_str());
    QVERIFY(r->colorFix == ColorFix::Luma);
    req.colorFix = ColorFix::Auto;
    auto whole = Pipeline(*model).run(req);
    QVERIFY(whole.isOk());
    QVERIFY(maxDiff(whole->image, r->image) > 0); // luma changed something

    // Advice of 32 px tiles overlapping by 12: the automatic grid follows it.
    auto file = SafeTensorsFile::open(str(pkg));
    QVERIFY(file.isOk());
    auto tensors = readTensors(*file, "");
    QVERIFY(tensors.isOk());
    SafeTensorsWriter w;
    for (const auto& [k, v] : file->metadata())
        w.setMetadata(k, v);
    w.setMetadata(meta::kSampler, R"({"pre_pad": 10, "tile": 32, "overlap": 12,
                                     "color_fix": "none"})");
    for (const auto& [n, t] : *tensors)
        QVERIFY(addTensor(w, n, t));
    const QString advised = newPath(".safetensors");
    QVERIFY(w.write(str(advised)));
    auto small = Model::load(str(advised), {"cpu", "fp32"});
    QVERIFY2(small.isOk(), small.status().message().c_str());
    req.tiles.tile = 0;
    auto tiled = Pipeline(*small).run(req);
    QVERIFY2(tiled.isOk(), tiled.status().message().c_str());
    QVERIFY2(tiled->tiles > 1 && tiled->tile <= 32 && tiled->overlap >= 12,
             qPrintable(QString("%1 tiles of %2, overlap %3")
                            .arg(tiled->tiles)
                            .arg(tiled->tile)
                            .arg(tiled->overlap)));
    // The tiny network sees 7 px around a pixel; the blend hides the tile borders.
    cv::Mat diff;
    cv::absdiff(tiled->image, whole->image, diff);
    const cv::Scalar mean = cv::mean(diff);
    QVERIFY2(mean[0] + mean[1] + mean[2] < 1.5,
             qPrintable(QString("mean |tiled - whole| %1").arg((mean[0] + mean[1] + mean[2]) / 3)));
}

// The real x4fast ncnn files of the npm package (training/eval/fetch-realesrgan.sh): imported and
// upscaled, the output equals the compact reference's byte for byte.
void TestImportGan::realX4fastMatchesCompactReference() {
    const QString param = realModels() + QStringLiteral("/realesrgan-x4fast.param");
    if (realModels().isEmpty() || !QFile::exists(param))
        QSKIP("realesrgan-x4fast.param not found (SHIFTSR_REALESRGAN_DIR, default "
              "~/.cache/shiftsr/realesrgan from training/eval/fetch-realesrgan.sh)");
    const QString out = newPath(".safetensors");
    auto r = importFiles({param}, out);
    QVERIFY2(r.isOk(), r.status().message().c_str());
    QCOMPARE(QString::fromStdString(r->summary),
             QStringLiteral("SRVGGNetCompact: 32 body convolutions, 64 features, prelu, x4"));
    QCOMPARE(r->parameters, 1213296ll);
    auto model = Model::load(str(out), {"cpu", "fp32"});
    QVERIFY2(model.isOk(), model.status().message().c_str());
    auto reference = CompactReference::loadNcnn(str(param));
    QVERIFY2(reference.isOk(), reference.status().message().c_str());
    QCOMPARE((*reference)->convolutions(), 34);
    cv::Mat image = cv::imread(str(testutil::samplePhoto()), cv::IMREAD_COLOR);
    QVERIFY(!image.empty());
    image = image(cv::Rect(20, 10, 48, 40)).clone();
    auto want = (*reference)->upscale(image, 1);
    QVERIFY2(want.isOk(), want.status().message().c_str());
    auto got = upscaleOneTile(*model, image);
    QVERIFY2(got.isOk(), got.status().message().c_str());
    QCOMPARE(got->image.size(), want->size());
    QCOMPARE(maxDiff(got->image, *want), 0.0);
}

// The real x4plus ncnn files: the RRDBNet reader on 351 convolutions in the converter's own order;
// read in a wrong order the output would be noise, read right it is close to the input.
void TestImportGan::realX4plus() {
    const QString param = realModels() + QStringLiteral("/realesrgan-x4plus.param");
    if (realModels().isEmpty() || !QFile::exists(param))
        QSKIP("realesrgan-x4plus.param not found (SHIFTSR_REALESRGAN_DIR, default "
              "~/.cache/shiftsr/realesrgan from training/eval/fetch-realesrgan.sh)");
    const QString out = newPath(".safetensors");
    auto r = importFiles({param}, out);
    QVERIFY2(r.isOk(), r.status().message().c_str());
    QCOMPARE(QString::fromStdString(r->family), QStringLiteral("realesrgan"));
    QCOMPARE(QString::fromStdString(r->summary),
             QStringLiteral("RRDBNet: 23 blocks, 64 features, growth 32, x4"));
    QCOMPARE(r->parameters, 16697987ll); // RealESRGAN_x4plus.pth
    auto model = Model::load(str(out), {"cpu", "fp32"});
    QVERIFY2(model.isOk(), model.status().message().c_str());
    cv::Mat image = cv::imread(str(testutil::samplePhoto()), cv::IMREAD_COLOR);
    image = image(cv::Rect(30, 20, 24, 20)).clone();
    auto up = upscaleOneTile(*model, image);
    QVERIFY2(up.isOk(), up.status().message().c_str());
    cv::Mat bicubic, diff;
    cv::resize(image, bicubic, up->image.size(), 0, 0, cv::INTER_CUBIC);
    cv::absdiff(up->image, bicubic, diff);
    const cv::Scalar mean = cv::mean(diff);
    // About 11 levels here (its sharpening); weights in a wrong order give several times that.
    const double m = (mean[0] + mean[1] + mean[2]) / 3;
    QVERIFY2(m > 2 && m < 16, qPrintable(QString("mean |x4plus - bicubic| %1").arg(m)));
}

// `shiftsr-cli import FILE -o PKG` prints what it detected; the package upscales; `convert` is the
// same command; an unknown file exits 1 with what it holds.
void TestImportGan::cliImport() {
    const QString pth = newPath(".pth");
    writeTorchSave(pth, {{"params", srvggWeights(Srvgg(), 31)}});
    const QString pkg = newPath(".safetensors");
    Run r = cli({"import", pth, "-o", pkg});
    QVERIFY2(r.code == 0, r.err.constData());
    for (const char* s : {"srvgg", "SRVGGNetCompact: 2 body convolutions, 8 features, prelu, x4",
                          "scale x4, 1 step", "weights found under 'params'"})
        QVERIFY2(r.out.contains(s), r.out.constData());
    Run info = cli({"info", pkg, "--json"});
    QVERIFY2(info.code == 0, info.err.constData());
    QCOMPARE(QJsonDocument::fromJson(info.out).object()["family"].toString(),
             QStringLiteral("srvgg"));
    const QString in = newPath(".png"), outImage = newPath(".png");
    QVERIFY(cv::imwrite(str(in), testImage(20, 12, 4)));
    Run up = cli({"upscale", in, "-o", outImage, "--model", pkg, "--json"});
    QVERIFY2(up.code == 0, up.err.constData());
    const auto j = QJsonDocument::fromJson(up.out).object();
    const auto item = j["files"].toArray().isEmpty() ? j : j["files"].toArray()[0].toObject();
    QCOMPARE(item["color_fix"].toString(), QStringLiteral("none"));
    const cv::Mat written = cv::imread(str(outImage));
    QCOMPARE(written.cols, 80);
    QCOMPARE(written.rows, 48);
    Run alias = cli({"convert", pth, "-o", newPath(".safetensors"), "--json"});
    QVERIFY2(alias.code == 0, alias.err.constData());
    // conv 3->8, two 8->8, 8->48, three PReLUs of 8
    QCOMPARE(QJsonDocument::fromJson(alias.out).object()["parameters"].toInt(),
             224 + 2 * 584 + 3504 + 24);

    const QString junk = newPath(".safetensors");
    writeSafetensors(junk, {{"foo.weight", torch::zeros({4, 3})}});
    Run bad = cli({"import", junk, "-o", newPath(".safetensors")});
    QCOMPARE(bad.code, 1);
    QVERIFY2(bad.err.contains("foo.weight [4,3]"), bad.err.constData());
}

// The bench presets have the published networks' sizes; a GAN preset runs one forward pass.
void TestImportGan::benchPresets() {
    QCOMPARE(nn::RRDBConfig().parameters(), 16697987.0); // RealESRGAN_x4plus.pth
    nn::SRVGGConfig general;
    general.numConv = 32;
    QCOMPARE(general.parameters(), 1213296.0);          // realesr-general-x4v3.pth
    QCOMPARE(nn::SRVGGConfig().parameters(), 621424.0); // realesr-animevideov3.pth
    PresetBenchOptions o;
    o.preset = "realesr-animevideov3";
    o.lq = 16;
    o.repeats = 1;
    o.threads = 1;
    QVERIFY(isGanBenchPreset(o.preset) && isGanBenchPreset("realesrgan-x4plus"));
    QVERIFY(!isGanBenchPreset("v3"));
    auto r = benchGanPreset(o);
    QVERIFY2(r.isOk(), r.status().message().c_str());
    const auto j = nlohmann::json::parse(*r);
    QCOMPARE(j["family"].get<std::string>(), std::string("srvgg"));
    QCOMPARE(std::llround(j["params_M"].get<double>() * 1e6), 621424ll);
    QVERIFY(j["forward_s"].get<double>() > 0 && j["tile_s"].get<double>() > 0);
    QCOMPARE(j["hr"][0].get<int>(), 64);
    o.preset = "nonsense";
    QVERIFY(!benchGanPreset(o).isOk());
}

QTEST_GUILESS_MAIN(TestImportGan)
#include "tst_importgan.moc"
