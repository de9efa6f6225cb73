// ncnn .param/.bin of Real-ESRGAN networks -> BasicSR tensor names (see ncnn_weights.h).
//
// ncnn formats used: the .param text ("7767517", "layers blobs", then one line per layer: type,
// name, input and output counts, blob names, k=v parameters; a key -233NN holds the array
// parameter NN as "count,v1,v2,..."); the .bin holds, per layer in .param order, Convolution:
// weight (a 4-byte tag: 0 = float32, 0x01306B47 = float16 padded to 4 bytes, then out*in*kh*kw
// values, OIHW), bias (float32, out values, when 5=1); PReLU: slopes (float32). Convolution
// parameters: 0 outputs, 1/11 kernel, 2/12 dilation, 3/13 stride, 4/14/15/16 padding, 5 bias,
// 6 weight count, 8 int8 scales, 9 fused activation (1 ReLU, 2 LeakyReLU with slope in array 10).
#include "ncnn_weights.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace shiftsr::ncnn {

namespace {

// Thrown while reading; readRealEsrgan turns it into one InvalidFile message.
struct BadFile {
    std::string path, why;
};

constexpr long long kMaxLayers = 100000;
constexpr int kMaxBlobsPerLayer = 4096;

struct Layer {
    std::string type, name;
    std::vector<std::string> inputs, outputs; // inputs resolved through Split layers
    std::map<int, std::string> params;
};

bool parseInt(const std::string& s, long long* out) {
    if (s.empty() || s.size() > 12)
        return false;
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno || end != s.c_str() + s.size())
        return false;
    *out = v;
    return true;
}

bool parseDouble(const std::string& s, double* out) {
    if (s.empty() || s.size() > 40)
        return false;
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(s.c_str(), &end);
    if (errno || end != s.c_str() + s.size() || !std::isfinite(v))
        return false;
    *out = v;
    return true;
}

class BinReader {
public:
    BinReader(std::string bytes, std::string path)
        : data_(std::move(bytes)), path_(std::move(path)) {}
    torch::Tensor raw(std::int64_t n, const std::string& layer) {
        need(std::uint64_t(n) * 4, layer);
        auto t = torch::empty({n}, torch::kFloat);
        std::memcpy(t.data_ptr(), data_.data() + pos_, std::size_t(n) * 4);
        pos_ += std::size_t(n) * 4;
        return t;
    }
    torch::Tensor tagged(std::int64_t n, const std::string& layer) {
        need(4, layer);
        std::uint32_t tag;
        std::memcpy(&tag, data_.data() + pos_, 4);
        pos_ += 4;
        if (tag == 0)
            return raw(n, layer);
        if (tag != 0x01306B47u)
            throw BadFile{path_, "the weights end early or use an unsupported (quantised) "
                                 "storage (layer " +
                                     layer + ")"};
        const std::uint64_t bytes = std::uint64_t(n) * 2, padded = (bytes + 3) / 4 * 4;
        need(padded, layer);
        auto t = torch::empty({n}, torch::kHalf);
        std::memcpy(t.data_ptr(), data_.data() + pos_, std::size_t(bytes));
        pos_ += std::size_t(padded);
        return t;
    }
    bool atEnd() const { return pos_ == data_.size(); }

private:
    void need(std::uint64_t bytes, const std::string& layer) const {
        if (bytes > data_.size() - pos_)
            throw BadFile{path_, "the weights end early (layer " + layer + ")"};
    }
    std::string data_, path_;
    std::size_t pos_ = 0;
};

// The layer list without Split layers, whose outputs are aliases of their input.
std::vector<Layer> readParam(const std::string& path) {
    std::ifstream in(path);
    std::string magic;
    long long layerCount = 0, blobCount = 0;
    in >> magic >> layerCount >> blobCount;
    if (!in || magic != "7767517" || layerCount <= 0 || layerCount > kMaxLayers)
        throw BadFile{path, "not an ncnn .param file"};
    std::string line;
    std::getline(in, line);
    std::vector<Layer> layers;
    std::map<std::string, std::string> alias;
    std::set<std::string> produced;
    auto resolve = [&](const std::string& b) {
        const auto it = alias.find(b);
        return it == alias.end() ? b : it->second;
    };
    long long seen = 0;
    for (int lineNo = 3; std::getline(in, line); ++lineNo) {
        std::istringstream ls(line);
        Layer l;
        long long nin = 0, nout = 0;
        std::string nins, nouts;
        if (!(ls >> l.type))
            continue; // blank line
        const std::string where = "line " + std::to_string(lineNo);
        if (!(ls >> l.name >> nins >> nouts) || !parseInt(nins, &nin) || !parseInt(nouts, &nout) ||
            nin < 0 || nout < 0 || nin > kMaxBlobsPerLayer || nout > kMaxBlobsPerLayer)
            throw BadFile{path, "malformed layer at " + where};
        std::string tok;
        for (long long i = 0; i < nin + nout; ++i) {
            if (!(ls >> tok))
                throw BadFile{path, "layer " + l.name + " lists fewer blobs than it declares"};
            if (i < nin)
                l.inputs.push_back(resolve(tok));
            else
                l.outputs.push_back(tok);
        }
        while (ls >> tok) {
            const auto eq = tok.find('=');
            long long key = 0;
            if (eq == std::string::npos || !parseInt(tok.substr(0, eq), &key))
                throw BadFile{path,
                              "malformed parameter '" + tok.substr(0, 40) + "' of layer " + l.name};
            l.params[int(key)] = tok.substr(eq + 1);
        }
        if (++seen > layerCount)
            break;
        for (const auto& o : l.outputs)
            if (!produced.insert(o).second)
                throw BadFile{path, "blob " + o + " is produced twice"};
        if (l.type == "Split") {
            if (l.inputs.size() != 1)
                throw BadFile{path, "Split " + l.name + " must have one input"};
            for (const auto& o : l.outputs)
                alias[o] = l.inputs[0];
            continue;
        }
        layers.push_back(std::move(l));
    }
    if (seen != layerCount)
        throw BadFile{path, "declares " + std::to_string(layerCount) + " layers but holds " +
                                std::to_string(seen)};
    return layers;
}

// Walks the layers in file order (the order of the .bin) against one network's pattern.
class Matcher {
public:
    Matcher(std::vector<Layer> layers, BinReader bin, std::string param, Network* net)
        : layers_(std::move(layers)), bin_(std::move(bin)), param_(std::move(param)), net_(net) {}

    [[noreturn]] void bad(const std::string& why) const { throw BadFile{param_, why}; }
    bool at(const char* type, std::size_t ahead = 0) const {
        return pos_ + ahead < layers_.size() && layers_[pos_ + ahead].type == type;
    }
    bool done() const { return pos_ == layers_.size(); }
    bool binDone() const { return bin_.atEnd(); }

    const Layer& next(const char* type) {
        if (pos_ >= layers_.size())
            bad(std::string("the graph ends where a ") + type + " layer was expected");
        const Layer& l = layers_[pos_];
        if (l.type != type)
            bad("layer " + l.name + " is a " + l.type + " where a " + type + " was expected");
        if (l.outputs.size() != 1 && l.type != "Input")
            bad("layer " + l.name + " must have one output");
        ++pos_;
        return l;
    }

    // The layer's inputs must be `want` (in this order, or in any order when `anyOrder`).
    void inputs(const Layer& l, std::vector<std::string> want, bool anyOrder = false) const {
        auto have = l.inputs;
        if (anyOrder) {
            std::sort(have.begin(), have.end());
            std::sort(want.begin(), want.end());
        }
        if (have != want)
            bad("layer " + l.name + " is not connected as this network needs");
    }

    long long intParam(const Layer& l, int key, long long fallback) const {
        const auto it = l.params.find(key);
        if (it == l.params.end())
            return fallback;
        long long v = 0;
        if (!parseInt(it->second, &v))
            bad("parameter " + std::to_string(key) + " of layer " + l.name + " is not an integer");
        return v;
    }
    double floatParam(const Layer& l, int key, double fallback) const {
        const auto it = l.params.find(key);
        if (it == l.params.end())
            return fallback;
        double v = 0;
        if (!parseDouble(it->second, &v))
            bad("parameter " + std::to_string(key) + " of layer " + l.name + " is not a number");
        return v;
    }
    // Array parameter `id` (key -23300 - id): "count,v1,...".
    std::vector<double> arrayParam(const Layer& l, int id) const {
        const auto it = l.params.find(-23300 - id);
        if (it == l.params.end())
            return {};
        std::vector<std::string> parts;
        std::stringstream ss(it->second);
        for (std::string p; std::getline(ss, p, ',');)
            parts.push_back(p);
        long long n = 0;
        std::vector<double> v;
        if (parts.empty() || !parseInt(parts[0], &n) ||
            n != static_cast<long long>(parts.size()) - 1)
            bad("array parameter " + std::to_string(id) + " of layer " + l.name + " is malformed");
        for (std::size_t i = 1; i < parts.size(); ++i) {
            double x = 0;
            if (!parseDouble(parts[i], &x))
                bad("array parameter " + std::to_string(id) + " of layer " + l.name +
                    " is malformed");
            v.push_back(x);
        }
        return v;
    }

    struct Conv {
        std::string out;
        long long channels = 0;
        int act = 0;       // ncnn activation_type: 0 none, 1 ReLU, 2 LeakyReLU
        double slope = 0;  // LeakyReLU
        std::string layer; // its name, for messages
    };

    // A 3x3 convolution (stride 1, padding 1) on `input` with `inChannels`, `outChannels`
    // outputs (-1: any); its weights become `canonical`.weight and .bias.
    Conv conv(const std::string& input, long long inChannels, long long outChannels,
              const std::string& canonical) {
        const Layer& l = next("Convolution");
        inputs(l, {input});
        const long long out = intParam(l, 0, 0), k = intParam(l, 1, 0);
        const long long pad = intParam(l, 4, 0);
        if (out <= 0 || out > 65536 || k != 3 || intParam(l, 11, k) != 3 ||
            intParam(l, 2, 1) != 1 || intParam(l, 12, 1) != 1 || intParam(l, 3, 1) != 1 ||
            intParam(l, 13, 1) != 1 || pad != 1 || intParam(l, 14, pad) != 1 ||
            intParam(l, 15, pad) != 1 || intParam(l, 16, pad) != 1 || intParam(l, 8, 0) != 0)
            bad("convolution " + l.name + " is not a 3x3 convolution with stride 1 and padding 1");
        if (outChannels >= 0 && out != outChannels)
            bad("convolution " + l.name + " has " + std::to_string(out) + " outputs, expected " +
                std::to_string(outChannels));
        const long long size = intParam(l, 6, 0);
        if (size != out * inChannels * 9)
            bad("convolution " + l.name + " holds " + std::to_string(size) + " weights, expected " +
                std::to_string(out) + " x " + std::to_string(inChannels) + " x 3 x 3");
        Conv c;
        c.out = l.outputs[0];
        c.channels = out;
        c.layer = l.name;
        c.act = int(intParam(l, 9, 0));
        if (c.act < 0 || c.act > 2)
            bad("convolution " + l.name + " has an unsupported fused activation (" +
                std::to_string(c.act) + ")");
        if (c.act == 2) {
            const auto a = arrayParam(l, 10);
            c.slope = a.empty() ? 0.0 : a[0];
        }
        auto w = bin_.tagged(size, l.name).view({out, inChannels, 3, 3});
        auto b = intParam(l, 5, 0) ? bin_.raw(out, l.name) : torch::zeros({out});
        net_->tensors[canonical + ".weight"] = w;
        net_->tensors[canonical + ".bias"] = b;
        return c;
    }

    torch::Tensor prelu(const Layer& l, long long channels) {
        const long long n = intParam(l, 0, 1);
        if (n != channels && n != 1)
            bad("PReLU " + l.name + " has " + std::to_string(n) + " slopes for " +
                std::to_string(channels) + " channels");
        // One shared slope is the same arithmetic as the slope repeated per channel.
        return bin_.raw(n, l.name).expand({channels}).contiguous();
    }

    // ncnn's Interp: nearest (0=1) by `factor` in both directions, on `input`.
    std::string nearest(const std::string& input, long long factor) {
        const Layer& l = next("Interp");
        inputs(l, {input});
        if (intParam(l, 0, 0) != 1 || floatParam(l, 1, 0) != double(factor) ||
            floatParam(l, 2, 0) != double(factor))
            bad("Interp " + l.name + " is not a nearest-neighbour x" + std::to_string(factor) +
                " upsampling");
        return l.outputs[0];
    }

    // Eltwise sum 0.2 * `scaled` + `kept` (BasicSR's residual scale), either input order.
    std::string residual(const std::string& scaled, const std::string& kept) {
        const Layer& l = next("Eltwise");
        inputs(l, {scaled, kept}, true);
        const auto c = arrayParam(l, 1);
        const bool first = l.inputs[0] == scaled;
        auto near = [](double a, double b) { return std::abs(a - b) < 1e-6; };
        if (intParam(l, 0, 1) != 1 || c.size() != 2 || !near(c[first ? 0 : 1], 0.2) ||
            !near(c[first ? 1 : 0], 1.0))
            bad("Eltwise " + l.name + " is not the residual sum 0.2 x + y");
        return l.outputs[0];
    }

private:
    std::vector<Layer> layers_;
    std::size_t pos_ = 0;
    BinReader bin_;
    std::string param_;
    Network* net_;
};

void matchSrvgg(Matcher& m, const std::string& data, Network* net) {
    std::string cur = data;
    long long channels = 3;
    int k = 0; // convolutions read
    for (;; ++k) {
        const auto c = m.conv(cur, channels, -1, "body." + std::to_string(2 * k));
        channels = c.channels;
        cur = c.out;
        if (m.at("PixelShuffle")) {
            if (c.act != 0)
                m.bad("the last convolution " + c.layer + " must not have an activation");
            break;
        }
        std::string act;
        if (c.act == 1) {
            act = "relu";
        } else if (c.act == 2) {
            if (std::abs(c.slope - 0.1) > 1e-6)
                m.bad("convolution " + c.layer + ": LeakyReLU slope " + std::to_string(c.slope) +
                      ", the compact network's is 0.1");
            act = "leakyrelu";
        } else if (m.at("PReLU")) {
            const Layer& p = m.next("PReLU");
            m.inputs(p, {cur});
            net->tensors["body." + std::to_string(2 * k + 1) + ".weight"] = m.prelu(p, channels);
            cur = p.outputs[0];
            act = "prelu";
        } else if (m.at("ReLU")) {
            const Layer& p = m.next("ReLU");
            m.inputs(p, {cur});
            const double slope = m.floatParam(p, 0, 0);
            if (slope != 0 && std::abs(slope - 0.1) > 1e-6)
                m.bad("ReLU " + p.name + ": slope " + std::to_string(slope) +
                      ", the compact network's LeakyReLU is 0.1");
            act = slope == 0 ? "relu" : "leakyrelu";
            cur = p.outputs[0];
        } else {
            m.bad("convolution " + c.layer +
                  " is followed by neither an activation nor the PixelShuffle");
        }
        if (!net->actType.empty() && act != net->actType)
            m.bad("the compact network mixes activations (" + net->actType + " and " + act + ")");
        net->actType = act;
    }
    if (k < 1)
        m.bad("expected convolutions with activations between them, the last without");
    const Layer& ps = m.next("PixelShuffle");
    m.inputs(ps, {cur});
    const long long s = m.intParam(ps, 0, 1);
    if (m.intParam(ps, 1, 0) != 0 || s < 1 || s > 8 || channels != 3 * s * s)
        m.bad("PixelShuffle " + ps.name + " does not turn the last convolution into RGB");
    const std::string base = m.nearest(data, s);
    const Layer& add = m.next("BinaryOp");
    m.inputs(add, {ps.outputs[0], base}, true);
    if (m.intParam(add, 0, 0) != 0)
        m.bad("BinaryOp " + add.name + " is not an addition");
}

void matchRrdb(Matcher& m, const std::string& data) {
    const auto first = m.conv(data, 3, -1, "conv_first");
    if (first.act != 0)
        m.bad("conv_first (" + first.layer + ") must not have an activation");
    const long long nf = first.channels;
    long long gc = -1;
    std::string cur = first.out;
    auto leaky = [&](const Matcher::Conv& c) {
        if (c.act != 2 || std::abs(c.slope - 0.2) > 1e-6)
            m.bad("convolution " + c.layer + " must be followed by LeakyReLU 0.2");
    };
    int blocks = 0;
    for (; m.at("Convolution") && m.at("Concat", 1); ++blocks) {
        const std::string blockIn = cur;
        for (int r = 1; r <= 3; ++r) {
            const std::string rdbIn = cur;
            const std::string prefix =
                "body." + std::to_string(blocks) + ".rdb" + std::to_string(r) + ".conv";
            std::vector<std::string> parts{rdbIn};
            std::string in = rdbIn;
            for (int j = 1; j <= 4; ++j) {
                const auto c =
                    m.conv(in, nf + (j - 1) * std::max(gc, 0ll), gc, prefix + std::to_string(j));
                leaky(c);
                gc = c.channels;
                parts.push_back(c.out);
                const Layer& cat = m.next("Concat");
                m.inputs(cat, parts);
                if (m.intParam(cat, 0, 0) != 0)
                    m.bad("Concat " + cat.name + " does not join channels");
                in = cat.outputs[0];
            }
            const auto c5 = m.conv(in, nf + 4 * gc, nf, prefix + "5");
            if (c5.act != 0)
                m.bad("convolution " + c5.layer + " must not have an activation");
            cur = m.residual(c5.out, rdbIn);
        }
        cur = m.residual(cur, blockIn);
    }
    if (blocks == 0)
        m.bad("no residual-in-residual dense block after conv_first");
    const auto body = m.conv(cur, nf, nf, "conv_body");
    const Layer& add = m.next("BinaryOp");
    m.inputs(add, {first.out, body.out}, true);
    if (m.intParam(add, 0, 0) != 0 || body.act != 0)
        m.bad("BinaryOp " + add.name + " is not conv_first + conv_body");
    cur = add.outputs[0];
    int ups = 0;
    while (m.at("Interp")) {
        const auto c = m.conv(m.nearest(cur, 2), nf, nf, "conv_up" + std::to_string(++ups));
        leaky(c);
        cur = c.out;
    }
    if (ups < 1 || ups > 3)
        m.bad("RRDBNet with " + std::to_string(ups) + " upsampling stages (1 to 3 are read)");
    const auto hr = m.conv(cur, nf, nf, "conv_hr");
    leaky(hr);
    const auto last = m.conv(hr.out, nf, 3, "conv_last");
    if (last.act != 0)
        m.bad("conv_last (" + last.layer + ") must not have an activation");
}

} // namespace

bool looksLikeParam(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    char head[8] = {};
    in.read(head, 8);
    return in.gcount() >= 7 && std::memcmp(head, "7767517", 7) == 0 &&
           (in.gcount() == 7 || std::isspace(static_cast<unsigned char>(head[7])));
}

Result<Network> readRealEsrgan(const std::string& param) {
    if (!std::ifstream(param))
        return Status::error(StatusCode::NotFound, "cannot read " + param);
    if (param.size() <= 6 || param.compare(param.size() - 6, 6, ".param") != 0)
        return Status::error(StatusCode::InvalidFile,
                             param + ": the file name must end in .param (the weights are read "
                                     "from the .bin beside it)");
    const std::string binPath = param.substr(0, param.size() - 6) + ".bin";
    std::ifstream bin(binPath, std::ios::binary);
    if (!bin)
        return Status::error(StatusCode::NotFound,
                             "cannot read " + binPath + " (the weights of " + param + ")");
    Network net;
    try {
        auto layers = readParam(param);
        std::stringstream bytes;
        bytes << bin.rdbuf();
        const bool rrdb = layers.size() > 3 && layers[1].type == "Convolution" &&
                          layers[2].type == "Convolution" && layers[3].type == "Concat";
        Matcher m(std::move(layers), BinReader(bytes.str(), binPath), param, &net);
        const Layer& input = m.next("Input");
        if (input.outputs.size() != 1)
            m.bad("the Input layer must have one output");
        const std::string data = input.outputs[0];
        if (rrdb)
            matchRrdb(m, data);
        else
            matchSrvgg(m, data, &net);
        if (!m.done())
            m.bad("layers after the network's output");
        if (!m.binDone())
            throw BadFile{binPath, "weights left over after the last layer"};
        net.kind = rrdb ? "rrdb" : "srvgg";
    } catch (const BadFile& b) {
        return Status::error(StatusCode::InvalidFile,
                             b.path + ": " + b.why +
                                 " (expected a Real-ESRGAN network: SRVGGNetCompact or RRDBNet)");
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory, "not enough memory to read " + binPath);
    }
    bool half = false;
    for (const auto& [name, t] : net.tensors)
        half = half || t.scalar_type() == torch::kHalf;
    net.notes.push_back(std::string("read as ncnn (.param and .bin") +
                        (half ? ", float16 weights" : "") + ")");
    return net;
}

} // namespace shiftsr::ncnn
