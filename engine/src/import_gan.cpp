// GAN families import: RRDBNet in BasicSR's names (Real-ESRGAN), the old ESRGAN and the BSRGAN
// layouts mapped onto them, and SRVGGNetCompact; hyperparameters from the tensor shapes.
#include "shiftsr/nn/import_detect.h"

#include "shiftsr/nn/json_util.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/tensor_io.h"

#include <cctype>
#include <cmath>
#include <filesystem>
#include <set>

namespace shiftsr::importer {

namespace {

enum class Layout { BasicSR, OldEsrgan, Bsrgan, Srvgg, None };

// "12" at s[*pos] (up to 5 digits) -> 12, *pos past it; false when no digit is there.
bool readIndex(const std::string& s, std::size_t* pos, int* out) {
    std::size_t p = *pos;
    int v = 0;
    while (p < s.size() && p - *pos < 5 && std::isdigit(static_cast<unsigned char>(s[p])))
        v = v * 10 + (s[p++] - '0');
    if (p == *pos)
        return false;
    *pos = p;
    *out = v;
    return true;
}

// "body.N.weight" / "body.N.bias": N and the suffix; false for any other name.
bool bodyIndex(const std::string& name, int* index, std::string* suffix) {
    if (name.rfind("body.", 0) != 0)
        return false;
    std::size_t p = 5;
    if (!readIndex(name, &p, index) || p >= name.size() || name[p] != '.')
        return false;
    *suffix = name.substr(p + 1);
    return *suffix == "weight" || *suffix == "bias";
}

bool isSrvgg(const TensorMap& t) {
    const auto first = t.find("body.0.weight");
    if (first == t.end() || first->second.dim() != 4)
        return false;
    int i = 0;
    std::string suffix;
    for (const auto& [name, tensor] : t)
        if (!bodyIndex(name, &i, &suffix))
            return false;
    return true;
}

Layout layoutOf(const TensorMap& t) {
    auto has = [&](const char* n) { return t.count(n) > 0; };
    if (has("conv_first.weight") && has("body.0.rdb1.conv1.weight") && has("conv_body.weight") &&
        has("conv_last.weight"))
        return Layout::BasicSR;
    if (has("conv_first.weight") && has("RRDB_trunk.0.RDB1.conv1.weight") &&
        has("trunk_conv.weight") && has("conv_last.weight"))
        return Layout::Bsrgan;
    if (has("model.0.weight") &&
        (has("model.1.sub.0.RDB1.conv1.0.weight") || has("model.1.sub.0.RDB1.conv1x1.weight")))
        return Layout::OldEsrgan;
    if (isSrvgg(t))
        return Layout::Srvgg;
    return Layout::None;
}

Status refuse(const WeightFile& f, const std::string& why) {
    return Status::error(StatusCode::InvalidFile, f.path + ": " + why);
}

// "weight" or "bias" at the end of `name` after `prefix` + ".": the suffix, or empty.
std::string paramSuffix(const std::string& rest) {
    return rest == ".weight" ? "weight" : rest == ".bias" ? "bias" : "";
}

// ".RDB<r>.conv<k>.0.<weight|bias>" of the old ESRGAN layout: r, k and the suffix.
bool denseName(const std::string& rest, int* r, int* k, std::string* suffix) {
    std::size_t q = 4;
    if (rest.rfind(".RDB", 0) != 0 || !readIndex(rest, &q, r) || rest.compare(q, 5, ".conv") != 0)
        return false;
    q += 5;
    if (!readIndex(rest, &q, k) || rest.compare(q, 2, ".0") != 0)
        return false;
    *suffix = paramSuffix(rest.substr(q + 2));
    return !suffix->empty();
}

// The old ESRGAN layout (model.0, model.1.sub.N.RDBr.convk.0, model.1.sub.NB, model.3, model.6,
// model.8, model.10 for x4: [upsample, conv, lrelu] per stage, then HRconv, lrelu, conv_last) in
// BasicSR's names.
Result<TensorMap> fromOldEsrgan(const WeightFile& f) {
    std::map<int, TensorMap> top; // model.<i> (i != 1) -> {weight, bias}
    std::map<int, TensorMap> trunk;
    TensorMap out;
    for (const auto& [name, t] : f.tensors) {
        std::size_t p = 6;
        int i = 0, b = 0, r = 0, k = 0;
        const bool ok = name.rfind("model.", 0) == 0 && readIndex(name, &p, &i);
        if (ok && i != 1 && p < name.size() && !paramSuffix(name.substr(p)).empty()) {
            top[i][paramSuffix(name.substr(p))] = t;
            continue;
        }
        if (ok && i == 1 && name.compare(p, 5, ".sub.") == 0) {
            p += 5;
            if (readIndex(name, &p, &b)) {
                const std::string rest = name.substr(p);
                if (!paramSuffix(rest).empty()) {
                    trunk[b][paramSuffix(rest)] = t;
                    continue;
                }
                std::string suffix;
                if (denseName(rest, &r, &k, &suffix)) {
                    out["body." + std::to_string(b) + ".rdb" + std::to_string(r) + ".conv" +
                        std::to_string(k) + "." + suffix] = t;
                    continue;
                }
                if (rest.find("conv1x1") != std::string::npos)
                    return refuse(f, "ESRGAN+ (a 1x1 convolution in each dense block, '" +
                                         clipForMessage(name) + "') is not supported");
            }
        }
        return refuse(f, "tensor '" + clipForMessage(name) +
                             "' does not belong to the ESRGAN layout (model.0, model.1.sub.N..., "
                             "model.3, ...)");
    }
    // The trunk conv is the one model.1.sub.N without dense blocks: N = the number of blocks.
    if (trunk.size() != 1)
        return refuse(f, "expected one trunk convolution model.1.sub.N, found " +
                             std::to_string(trunk.size()));
    const int blocks = trunk.begin()->first;
    for (auto& [s, t] : trunk.begin()->second)
        out["conv_body." + s] = t;
    if (top.empty() || top.begin()->first != 0)
        return refuse(f, "model.0 (the first convolution) is missing");
    const int last = top.rbegin()->first;
    const int ups = (last - 4) / 3;
    std::set<int> want{0, 3 * ups + 2, last};
    for (int u = 1; u <= ups; ++u)
        want.insert(3 * u);
    std::set<int> have;
    for (const auto& [i, t] : top)
        have.insert(i);
    if (last < 4 || (last - 4) % 3 || have != want)
        return refuse(f, "the layers model.N do not follow ESRGAN's sequence (model.0, model.1, "
                         "then 3 per upsampling stage, HRconv, conv_last)");
    for (const auto& [i, params] : top) {
        const std::string name = i == 0             ? "conv_first"
                                 : i == last        ? "conv_last"
                                 : i == 3 * ups + 2 ? "conv_hr"
                                                    : "conv_up" + std::to_string(i / 3);
        for (const auto& [s, t] : params)
            out[name + "." + s] = t;
    }
    if (!out.count("body." + std::to_string(blocks - 1) + ".rdb1.conv1.weight"))
        return refuse(f, "the trunk convolution model.1.sub." + std::to_string(blocks) +
                             " does not follow the last dense block");
    return out;
}

// BSRGAN / RealSR: RRDB_trunk.N.RDBr.convk, trunk_conv, upconvN, HRconv.
Result<TensorMap> fromBsrgan(const WeightFile& f) {
    TensorMap out;
    for (const auto& [name, t] : f.tensors) {
        std::string n = name;
        auto swap = [&](const std::string& from, const std::string& to) {
            if (n.rfind(from, 0) == 0)
                n = to + n.substr(from.size());
        };
        swap("RRDB_trunk.", "body.");
        swap("trunk_conv.", "conv_body.");
        swap("upconv", "conv_up");
        swap("HRconv.", "conv_hr.");
        for (int r = 1; r <= 3; ++r) {
            const std::string from = ".RDB" + std::to_string(r) + ".";
            if (const auto at = n.find(from); at != std::string::npos)
                n.replace(at, from.size(), ".rdb" + std::to_string(r) + ".");
        }
        out[n] = t;
    }
    return out;
}

// The number of consecutive `prefix`N`suffix` names from N = first.
int countRun(const TensorMap& t, const std::string& prefix, const std::string& suffix, int first) {
    int n = 0;
    while (t.count(prefix + std::to_string(first + n) + suffix))
        ++n;
    return n;
}

// A 3x3 convolution weight's [out, in]; an error naming the tensor otherwise.
Status convShape(const WeightFile& f, const TensorMap& t, const std::string& name, int* out,
                 int* in) {
    const auto it = t.find(name + ".weight");
    if (it == t.end())
        return refuse(f, "tensor '" + name + ".weight' is missing");
    const auto& s = it->second.sizes();
    if (s.size() != 4 || s[2] != 3 || s[3] != 3 || s[0] < 1 || s[1] < 1 || s[0] > 1 << 20 ||
        s[1] > 1 << 20) {
        std::string shape;
        for (auto d : s)
            shape += (shape.empty() ? "" : ",") + std::to_string(d);
        return refuse(f, "tensor '" + name + ".weight' has shape [" + shape +
                             "], not that of a 3x3 convolution");
    }
    *out = int(s[0]);
    *in = int(s[1]);
    return Status::ok();
}

// A config file may state what the weights cannot (act_type) and confirm what they do; it wins
// nothing against the shapes: a disagreement is an error.
Result<nlohmann::json> userConfig(const ImportOptions& o) {
    if (o.configJson.empty())
        return nlohmann::json::object();
    auto j = readConfigJson(o.configJson);
    if (!j)
        return j.status();
    nlohmann::json c = std::move(*j);
    if (c.is_object() && c.contains("network_g"))
        c = nlohmann::json(c["network_g"]);
    if (!c.is_object())
        return Status::error(StatusCode::InvalidFile,
                             o.configJson + ": must be a JSON object, not " + jsonTypeName(c));
    return c;
}

Status confirm(const ImportOptions& o, const nlohmann::json& c,
               const std::map<std::string, int>& inferred) {
    for (const auto& [key, value] : inferred) {
        int given = value;
        try {
            readKey(c, key.c_str(), &given);
        } catch (const std::exception& e) {
            return Status::error(StatusCode::InvalidFile, o.configJson + ": " + e.what());
        }
        if (given != value)
            return Status::error(StatusCode::InvalidFile,
                                 o.configJson + ": " + key + " is " + std::to_string(given) +
                                     " but the weights have " + std::to_string(value));
    }
    return Status::ok();
}

struct Detected {
    Architecture arch;
    TensorMap tensors; // canonical names
    std::string summary;
    std::vector<std::string> notes;
};

Result<Detected> detectRrdb(const WeightFile& f, Layout layout, const nlohmann::json& config,
                            const ImportOptions& o) {
    Detected d;
    if (layout == Layout::OldEsrgan) {
        auto m = fromOldEsrgan(f);
        if (!m)
            return m.status();
        d.tensors = std::move(*m);
        d.notes.push_back("old ESRGAN names (model.N...) mapped to BasicSR's RRDBNet names");
    } else if (layout == Layout::Bsrgan) {
        auto m = fromBsrgan(f);
        if (!m)
            return m.status();
        d.tensors = std::move(*m);
        d.notes.push_back("BSRGAN names (RRDB_trunk, trunk_conv, ...) mapped to BasicSR's");
    } else {
        d.tensors = f.tensors;
    }
    const TensorMap& t = d.tensors;
    nn::RRDBConfig& c = d.arch.rrdb;
    int in = 0, dummy = 0, nf = 0;
    if (Status s = convShape(f, t, "conv_first", &nf, &in); !s)
        return s;
    if (Status s = convShape(f, t, "conv_last", &c.numOutCh, &dummy); !s)
        return s;
    if (Status s = convShape(f, t, "body.0.rdb1.conv1", &c.numGrowCh, &dummy); !s)
        return s;
    c.numFeat = nf;
    c.numBlock = countRun(t, "body.", ".rdb1.conv1.weight", 0);
    c.numUpsample = countRun(t, "conv_up", ".weight", 1);
    const int u = in == c.numOutCh ? 1 : in == 4 * c.numOutCh ? 2 : in == 16 * c.numOutCh ? 4 : 0;
    if (u == 0)
        return refuse(f, "conv_first.weight takes " + std::to_string(in) +
                             " channels: an RRDBNet takes its output's channel count, or 4 or 16 "
                             "times it after a pixel unshuffle");
    c.numInCh = in / (u * u);
    if ((1 << c.numUpsample) < u)
        return refuse(f, "an input unshuffle of " + std::to_string(u) + " with " +
                             std::to_string(c.numUpsample) +
                             " upsampling stages shrinks the image");
    c.scale = (1 << c.numUpsample) / u;
    if (Status s = c.validate(); !s)
        return s.withContext(f.path);
    if (Status s = confirm(o, config,
                           {{"num_feat", c.numFeat},
                            {"num_block", c.numBlock},
                            {"num_grow_ch", c.numGrowCh},
                            {"scale", c.scale},
                            {"num_in_ch", c.numInCh},
                            {"num_out_ch", c.numOutCh}});
        !s)
        return s;
    d.arch.family = layout == Layout::BasicSR ? "realesrgan" : "esrgan";
    d.arch.scale = c.scale;
    d.arch.tileAdvice = 256; // ~25 KB per LQ pixel: a 256 px tile is ~1.6 GB in fp32
    d.summary = "RRDBNet: " + std::to_string(c.numBlock) + " blocks, " + std::to_string(c.numFeat) +
                " features, growth " + std::to_string(c.numGrowCh) + ", x" +
                std::to_string(c.scale) +
                (u > 1 ? " (input pixel-unshuffled by " + std::to_string(u) + ")" : "");
    return d;
}

Result<Detected> detectSrvgg(const WeightFile& f, const nlohmann::json& config,
                             const ImportOptions& o) {
    Detected d;
    d.tensors = f.tensors;
    TensorMap& t = d.tensors;
    std::set<int> convs, acts;
    for (const auto& [name, tensor] : t) {
        int i = 0;
        std::string suffix;
        bodyIndex(name, &i, &suffix);
        if (suffix == "weight")
            (tensor.dim() == 4 ? convs : acts).insert(i);
    }
    const int last = *convs.rbegin();
    for (int i = 0; i <= last; ++i) {
        const bool even = i % 2 == 0;
        if (even != (convs.count(i) > 0) || (!even && !acts.empty() && !acts.count(i)) ||
            (even && acts.count(i)))
            return refuse(f, "body." + std::to_string(i) +
                                 " breaks SRVGGNetCompact's order (convolutions at even indices, "
                                 "their activations between them)");
    }
    if (last < 2 || (acts.size() && *acts.rbegin() > last))
        return refuse(f, "SRVGGNetCompact needs at least two convolutions, activations between");
    nn::SRVGGConfig& c = d.arch.srvgg;
    int in = 0, lastOut = 0, dummy = 0;
    if (Status s = convShape(f, t, "body.0", &c.numFeat, &in); !s)
        return s;
    if (Status s = convShape(f, t, "body." + std::to_string(last), &lastOut, &dummy); !s)
        return s;
    c.numInCh = in;
    c.numOutCh = in;
    c.numConv = last / 2 - 1;
    const int s2 = in > 0 ? lastOut / in : 0;
    c.upscale = int(std::lround(std::sqrt(double(s2))));
    if (s2 * in != lastOut || c.upscale * c.upscale != s2)
        return refuse(f, "the last convolution body." + std::to_string(last) + " gives " +
                             std::to_string(lastOut) + " channels: not " + std::to_string(in) +
                             " x scale^2");
    if (!acts.empty()) {
        c.actType = "prelu";
        for (int i : acts) {
            auto& w = t.at("body." + std::to_string(i) + ".weight");
            if (w.numel() == 1 && c.numFeat > 1) {
                // nn.PReLU() with one shared slope: the same arithmetic repeated per channel.
                w = w.reshape({1}).expand({c.numFeat}).contiguous();
                if (i == 1)
                    d.notes.push_back("one shared PReLU slope per layer, repeated per channel");
            }
        }
    } else {
        c.actType = "relu";
        std::string given;
        try {
            readKey(config, "act_type", &given);
        } catch (const std::exception& e) {
            return Status::error(StatusCode::InvalidFile, o.configJson + ": " + e.what());
        }
        const auto hint = f.hints.find("act_type");
        if (!given.empty())
            c.actType = given;
        else if (hint != f.hints.end())
            c.actType = hint->second;
        else
            d.notes.push_back("no activation weights: ReLU assumed (a LeakyReLU model looks the "
                              "same; a --config with {\"act_type\": \"leakyrelu\"} says so)");
        if (c.actType == "prelu")
            return refuse(f, "the configuration says PReLU, but the file holds no PReLU slopes");
    }
    if (Status s = c.validate(); !s)
        return s.withContext(f.path);
    if (Status s = confirm(o, config,
                           {{"num_feat", c.numFeat},
                            {"num_conv", c.numConv},
                            {"upscale", c.upscale},
                            {"num_in_ch", c.numInCh},
                            {"num_out_ch", c.numOutCh}});
        !s)
        return s;
    d.arch.family = "srvgg";
    d.arch.scale = c.upscale;
    d.arch.tileAdvice = 512; // ~3 KB per LQ pixel
    d.summary = "SRVGGNetCompact: " + std::to_string(c.numConv) + " body convolutions, " +
                std::to_string(c.numFeat) + " features, " + c.actType + ", x" +
                std::to_string(c.upscale);
    return d;
}

long long countParameters(const torch::nn::Module& m) {
    long long n = 0;
    for (const auto& p : m.parameters())
        n += p.numel();
    return n;
}

const char* licenceNote(const std::string& family) {
    if (family == "esrgan")
        return "the weights' own terms apply (ESRGAN's published models: Apache-2.0, "
               "github.com/xinntao/ESRGAN)";
    return "the weights' own terms apply (Real-ESRGAN's published models: BSD-3-Clause, "
           "github.com/xinntao/Real-ESRGAN)";
}

} // namespace

bool isGan(const TensorMap& tensors) {
    return layoutOf(tensors) != Layout::None;
}

Result<GanNetwork> loadGan(const WeightFile& file, const ImportOptions& options) {
    const Layout layout = layoutOf(file.tensors);
    if (layout == Layout::None)
        return Status::error(StatusCode::Unsupported,
                             file.path + ": not an RRDBNet or SRVGGNetCompact; it holds " +
                                 describeTensors(file.tensors));
    auto config = userConfig(options);
    if (!config)
        return config.status();
    auto detected = layout == Layout::Srvgg ? detectSrvgg(file, *config, options)
                                            : detectRrdb(file, layout, *config, options);
    if (!detected)
        return detected.status();
    Detected& d = *detected;
    GanNetwork g;
    Architecture& a = g.arch;
    a = d.arch;
    a.codec.clear();
    a.steps = 1;
    a.overlapAdvice = 32;
    a.colorFix = ColorFix::None;
    a.name = options.name;
    if (a.name.empty())
        a.name = std::filesystem::path(file.path).stem().string() + " (" +
                 (a.family == "srvgg"        ? std::string("Real-ESRGAN compact")
                  : a.family == "realesrgan" ? std::string("Real-ESRGAN")
                                             : std::string("ESRGAN")) +
                 " x" + std::to_string(a.scale) + ")";
    // The network must hold no more weights than the file: a few odd shapes must not make us
    // allocate gigabytes before the strict load finds them missing.
    double held = 0;
    for (const auto& [name, t] : d.tensors)
        held += double(t.numel());
    const double needed = a.family == "srvgg" ? a.srvgg.parameters() : a.rrdb.parameters();
    if (needed > held)
        return refuse(
            file, "the shapes describe a network of " + std::to_string(std::llround(needed)) +
                      " weights, but the file holds only " + std::to_string(std::llround(held)));
    auto check = Architecture::fromMetadata(a.toMetadata());
    if (!check)
        return check.status().withContext(file.path);
    try {
        g.net = a.makeGanNet();
        auto r = loadStateDict(*g.net, d.tensors, file.path);
        if (!r)
            return r.status();
        if (!r->unexpected.empty())
            return refuse(file, "tensor '" + clipForMessage(r->unexpected.front()) +
                                    "' does not belong to the detected " + d.summary);
        g.net->eval();
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, e.what_without_backtrace());
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory, "not enough memory to load " + file.path);
    }
    g.summary = d.summary;
    g.notes = file.notes;
    g.notes.insert(g.notes.end(), d.notes.begin(), d.notes.end());
    return g;
}

Result<ImportReport> importGan(const WeightFile& file, const ImportOptions& options,
                               const JobControl& job) {
    job.report(0.0, "check");
    auto g = loadGan(file, options);
    if (!g)
        return g.status();
    if (job.cancelled())
        return Status::error(StatusCode::Cancelled, "cancelled");
    ImportReport report;
    report.family = g->arch.family;
    report.summary = g->summary;
    report.scale = g->arch.scale;
    report.steps = 1;
    report.parameters = countParameters(*g->net);
    report.notes = g->notes;
    try {
        SafeTensorsWriter w;
        for (const auto& [k, v] : g->arch.toMetadata())
            w.setMetadata(k, v);
        nlohmann::json prov = {
            {"source", "imported weights (" + g->summary + ")"},
            {"converted_from", {std::filesystem::path(file.path).filename().string()}},
            {"converter", std::string("shiftsr-cli import ") + SHIFTSR_VERSION},
            {"licence_note", licenceNote(g->arch.family)},
            {"notes", report.notes}};
        w.setMetadata(meta::kProvenance, dumpLossy(prov));
        if (Status s = addModule(w, "net.", *g->net); !s)
            return s;
        job.report(0.6, "write");
        if (Status s = w.write(options.output); !s)
            return s;
    } catch (const c10::Error& e) {
        return Status::error(StatusCode::Internal, e.what_without_backtrace());
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory,
                             "not enough memory to write " + options.output);
    }
    job.report(1.0, "done");
    return report;
}

} // namespace shiftsr::importer
