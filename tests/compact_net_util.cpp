// Tiny Real-ESRGAN compact networks in ncnn's format for the tests (see compact_net_util.h).
#include "compact_net_util.h"

#include <cstdio>
#include <cstring>
#include <fstream>

namespace testutil {

namespace {

void put(std::ofstream& o, const void* p, std::size_t n) {
    o.write(static_cast<const char*>(p), std::streamsize(n));
}

std::uint16_t toHalf(float f) { // exact for the small dyadic values used here
    std::uint32_t b;
    std::memcpy(&b, &f, 4);
    const std::uint32_t sign = (b >> 16) & 0x8000;
    const int exp = int((b >> 23) & 0xff) - 127 + 15;
    if ((b & 0x7fffffff) == 0)
        return std::uint16_t(sign);
    return std::uint16_t(sign | (std::uint32_t(exp) << 10) | ((b >> 13) & 0x3ff));
}

} // namespace

void writeCompactNet(const QString& dir, const CompactNet& n, bool half,
                     const std::string& paramText) {
    std::ofstream p((dir + "/m.param").toStdString());
    if (!paramText.empty()) {
        p << paramText;
    } else {
        p << "7767517\n8 9\n"
          << "Input in 0 1 data\n"
          << "Split sp 1 2 data a b\n"
          << "Convolution c0 1 1 b c 0=" << n.hidden << " 1=3 4=1 5=1 6=" << n.hidden * 27 << "\n"
          << "PReLU p0 1 1 c d 0=" << n.hidden << "\n"
          << "Convolution c1 1 1 d e 0=48 1=3 4=1 5=1 6=" << 48 * n.hidden * 9 << "\n"
          << "PixelShuffle ps 1 1 e f 0=4\n"
          << "Interp up 1 1 a g 0=1 1=4.000000e+00 2=4.000000e+00\n"
          << "BinaryOp add 2 1 f g out\n";
    }
    std::ofstream b((dir + "/m.bin").toStdString(), std::ios::binary);
    auto weights = [&](const std::vector<float>& w) {
        const std::uint32_t tag = half ? 0x01306B47u : 0u;
        put(b, &tag, 4);
        if (!half) {
            put(b, w.data(), w.size() * 4);
            return;
        }
        for (float f : w) {
            const std::uint16_t h = toHalf(f);
            put(b, &h, 2);
        }
        if (w.size() % 2)
            put(b, "\0\0", 2);
    };
    weights(n.w0);
    put(b, n.b0.data(), n.b0.size() * 4);
    put(b, n.slope.data(), n.slope.size() * 4);
    weights(n.w1);
    put(b, n.b1.data(), n.b1.size() * 4);
}

namespace {

struct NcnnLayer {
    std::string type, name;
    std::vector<std::string> in, out;
    std::string params;
};

// The layer list as text, with a Split after every blob that more than one layer reads (each
// reader gets its own copy, as ncnn's converter writes it).
std::string paramText(const std::vector<NcnnLayer>& layers) {
    std::map<std::string, int> readers, seen;
    for (const auto& l : layers)
        for (const auto& b : l.in)
            ++readers[b];
    std::vector<NcnnLayer> all;
    for (auto l : layers) {
        for (auto& b : l.in)
            if (readers[b] > 1)
                b = b + "_splitncnn_" + std::to_string(seen[b]++);
        all.push_back(l);
        for (const auto& b : l.out)
            if (readers[b] > 1) {
                NcnnLayer split{"Split", "split_" + b, {b}, {}, ""};
                for (int i = 0; i < readers[b]; ++i)
                    split.out.push_back(b + "_splitncnn_" + std::to_string(i));
                all.push_back(split);
            }
    }
    std::size_t blobs = 0;
    for (const auto& l : all)
        blobs += l.out.size();
    std::string text =
        "7767517\n" + std::to_string(all.size()) + " " + std::to_string(blobs) + "\n";
    for (const auto& l : all) {
        text += l.type + " " + l.name + " " + std::to_string(l.in.size()) + " " +
                std::to_string(l.out.size());
        for (const auto& b : l.in)
            text += " " + b;
        for (const auto& b : l.out)
            text += " " + b;
        text += l.params.empty() ? "\n" : " " + l.params + "\n";
    }
    return text;
}

} // namespace

void writeRrdbNet(const QString& dir, const RrdbNet& n, bool half, const QString& name) {
    std::vector<NcnnLayer> layers;
    std::vector<std::string> convOrder; // BasicSR names, in .bin order
    int counter = 0;
    auto blob = [&] { return "b" + std::to_string(counter++); };
    auto conv = [&](const std::string& in, int inCh, int outCh, const std::string& canonical,
                    bool leaky) {
        const std::string out = blob();
        std::string p =
            "0=" + std::to_string(outCh) + " 1=3 4=1 5=1 6=" + std::to_string(outCh * inCh * 9);
        if (leaky)
            p += " 9=2 -23310=1,2.000000e-01";
        layers.push_back({"Convolution", "conv_" + out, {in}, {out}, p});
        convOrder.push_back(canonical);
        return out;
    };
    char coeff[32];
    std::snprintf(coeff, sizeof coeff, "%e", double(n.coefficient));
    auto residual = [&](const std::string& scaled, const std::string& kept) {
        const std::string out = blob();
        layers.push_back({"Eltwise",
                          "add_" + out,
                          {scaled, kept},
                          {out},
                          std::string("0=1 -23301=2,") + coeff + ",1.000000e+00"});
        return out;
    };
    layers.push_back({"Input", "input", {}, {"data"}, ""});
    const std::string first = conv("data", 3, n.feat, "conv_first", false);
    std::string cur = first;
    for (int b = 0; b < n.blocks; ++b) {
        const std::string blockIn = cur;
        for (int r = 1; r <= 3; ++r) {
            const std::string prefix =
                "body." + std::to_string(b) + ".rdb" + std::to_string(r) + ".conv";
            std::vector<std::string> parts{cur};
            std::string in = cur;
            for (int j = 1; j <= 4; ++j) {
                parts.push_back(
                    conv(in, n.feat + (j - 1) * n.grow, n.grow, prefix + std::to_string(j), true));
                in = blob();
                layers.push_back({"Concat", "cat_" + in, parts, {in}, ""});
            }
            cur = residual(conv(in, n.feat + 4 * n.grow, n.feat, prefix + "5", false), cur);
        }
        cur = residual(cur, blockIn);
    }
    const std::string body = conv(cur, n.feat, n.feat, "conv_body", false);
    cur = blob();
    layers.push_back({"BinaryOp", "add_" + cur, {first, body}, {cur}, ""});
    for (int u = 1; u <= 2; ++u) {
        const std::string up = blob();
        layers.push_back({"Interp", "up_" + up, {cur}, {up}, "0=1 1=2.000000e+00 2=2.000000e+00"});
        cur = conv(up, n.feat, n.feat, "conv_up" + std::to_string(u), true);
    }
    cur = conv(cur, n.feat, n.feat, "conv_hr", true);
    conv(cur, n.feat, 3, "conv_last", false);

    std::ofstream p((dir + "/" + name + ".param").toStdString());
    p << paramText(layers);
    std::ofstream bin((dir + "/" + name + ".bin").toStdString(), std::ios::binary);
    for (const auto& c : convOrder) {
        const auto& w = n.weights.at(c + ".weight");
        const std::uint32_t tag = half ? 0x01306B47u : 0u;
        put(bin, &tag, 4);
        if (half) {
            for (float f : w) {
                const std::uint16_t h = toHalf(f);
                put(bin, &h, 2);
            }
            if (w.size() % 2)
                put(bin, "\0\0", 2);
        } else {
            put(bin, w.data(), w.size() * 4);
        }
        const auto& bias = n.weights.at(c + ".bias");
        put(bin, bias.data(), bias.size() * 4);
    }
}

CompactNet zeroCompactNet() {
    CompactNet n;
    n.w0.assign(std::size_t(n.hidden) * 27, 0.f);
    n.b0.assign(std::size_t(n.hidden), 0.f);
    n.slope.assign(std::size_t(n.hidden), 0.25f);
    n.w1.assign(std::size_t(48) * n.hidden * 9, 0.f);
    n.b1.assign(48, 0.f);
    return n;
}

} // namespace testutil
