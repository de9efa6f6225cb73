// Tiny Real-ESRGAN compact networks in ncnn's format for the tests (see compact_net_util.h).
#include "compact_net_util.h"

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
