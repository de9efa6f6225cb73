// Image header parsing: format detection, the five header parsers, size limits, ImageIO::probe.
#include "image_header.h"

#include "image_file.h"

#include "shiftsr/engine/image_io.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdio>
#include <limits>

#include <sys/types.h>

namespace shiftsr {
namespace image {
namespace {

// The header parsers' reader for probe(), which reads only the header of a file.
class FileReader : public ByteReader {
public:
    FileReader(std::FILE* f, std::uint64_t size) : f_(f), size_(size) {}
    std::uint64_t size() const override { return size_; }
    bool readAt(std::uint64_t offset, void* dst, std::size_t n) override {
        if (offset > size_ || n > size_ - offset)
            return false;
        if (offset > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max()) ||
            ::fseeko(f_, static_cast<off_t>(offset), SEEK_SET) != 0)
            return false;
        return std::fread(dst, 1, n, f_) == n;
    }

private:
    std::FILE* f_;
    std::uint64_t size_;
};

std::string upper(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

Status truncatedHeader(const std::string& path, const std::string& format) {
    return Status::error(StatusCode::InvalidFile, "cannot decode '" + path + "': the " +
                                                      displayName(format) +
                                                      " header is truncated or damaged");
}

// Formats recognised only to say so precisely instead of "not an image".
std::string knownUnsupportedFormat(const std::uint8_t* m, std::size_t n) {
    auto starts = [&](const char* magic, std::size_t at = 0) {
        const std::size_t len = std::strlen(magic);
        return n >= at + len && std::memcmp(m + at, magic, len) == 0;
    };
    if (starts("GIF87a") || starts("GIF89a"))
        return "GIF";
    if (starts("ftypavif", 4) || starts("ftypavis", 4))
        return "AVIF";
    if (starts("ftypheic", 4) || starts("ftypheix", 4) || starts("ftypmif1", 4) ||
        starts("ftypmsf1", 4))
        return "HEIF";
    if (starts("\xFF\x0A") || (n >= 8 && std::memcmp(m, "\0\0\0\x0CJXL ", 8) == 0))
        return "JPEG XL";
    if (n >= 12 && std::memcmp(m, "\0\0\0\x0CjP  \r\n\x87\n", 12) == 0)
        return "JPEG 2000";
    if (starts("\x76\x2F\x31\x01"))
        return "OpenEXR";
    if (starts("8BPS"))
        return "Photoshop";
    if (starts("P1") || starts("P2") || starts("P3") || starts("P4") || starts("P5") ||
        starts("P6"))
        return "PNM";
    return {};
}

std::string detectFormat(const std::uint8_t* m, std::size_t n) {
    if (n >= 3 && m[0] == 0xFF && m[1] == 0xD8 && m[2] == 0xFF)
        return "jpeg";
    if (n >= 8 && std::memcmp(m, "\x89PNG\r\n\x1A\n", 8) == 0)
        return "png";
    if (n >= 4 && (std::memcmp(m, "II*\0", 4) == 0 || std::memcmp(m, "MM\0*", 4) == 0 ||
                   std::memcmp(m, "II+\0", 4) == 0 || std::memcmp(m, "MM\0+", 4) == 0))
        return "tiff";
    if (n >= 12 && std::memcmp(m, "RIFF", 4) == 0 && std::memcmp(m + 8, "WEBP", 4) == 0)
        return "webp";
    if (n >= 2 && m[0] == 'B' && m[1] == 'M')
        return "bmp";
    return {};
}

bool isSofMarker(std::uint32_t m) {
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

// Pixel-claim bounds: the fewest bytes that can hold the pixels a header claims, so that a
// 900-byte file claiming 3000x3000 is refused before a decoder allocates or works for it. Each
// bound is a floor that no intact file goes below; an encoding without such a floor gets 0 and
// only the caller's pixel limit.

// Huffman-coded JPEG (SOF0-3: baseline, extended, progressive, lossless): every 8x8 block of a
// component codes its DC difference with a Huffman code of at least 1 bit, in the sequential
// scan or in the progressive DC scan that must come before any AC scan of the component (libjpeg
// warns otherwise). So the file holds at least one bit per block of the component with the
// fewest blocks. Arithmetic coding (SOF9-15) can spend far less than a bit on a predictable
// symbol, and hierarchical frames (SOF5-7) refine earlier ones: no floor for those.
std::uint64_t jpegMinBytes(ByteReader& s, std::uint32_t marker, std::uint64_t at,
                           std::uint32_t components, std::uint32_t segmentLength,
                           std::uint64_t width, std::uint64_t height) {
    if (marker > 0xC3 || components == 0 || segmentLength < 8 + 3 * components)
        return 0;
    std::uint32_t factors[256];
    std::uint32_t hMax = 1, vMax = 1;
    for (std::uint32_t c = 0; c < components; ++c) {
        if (!s.u8(at + 3 * c + 1, factors[c]))
            return 0;
        hMax = std::max(hMax, factors[c] >> 4);
        vMax = std::max(vMax, factors[c] & 15);
    }
    std::uint64_t fewest = std::numeric_limits<std::uint64_t>::max();
    for (std::uint32_t c = 0; c < components; ++c) {
        const std::uint64_t hf = std::max(1u, factors[c] >> 4), vf = std::max(1u, factors[c] & 15);
        const std::uint64_t w = (width * hf + hMax - 1) / hMax,
                            ht = (height * vf + vMax - 1) / vMax;
        fewest = std::min(fewest, ((w + 7) / 8) * ((ht + 7) / 8));
    }
    return fewest / 8;
}

// Deflate (PNG, TIFF Deflate) expands at most 1032:1: a match copies at most 258 bytes and
// costs at least 2 bits (length and distance codes of at least 1 bit each).
constexpr std::uint64_t kDeflateMaxRatio = 1032;

// a * b, or the largest value when that overflows: no file holds so much.
std::uint64_t mulSat(std::uint64_t a, std::uint64_t b) {
    return b != 0 && a > std::numeric_limits<std::uint64_t>::max() / b
               ? std::numeric_limits<std::uint64_t>::max()
               : a * b;
}

// A TIFF count or offset: 4 bytes, 8 in BigTIFF.
bool tiffWord(ByteReader& s, std::uint64_t at, bool be, bool big, std::uint64_t& v) {
    if (big)
        return s.u64(at, be, v);
    std::uint32_t v32;
    if (!s.u32(at, be, v32))
        return false;
    v = v32;
    return true;
}

// TIFF: uncompressed strips hold every sample; PackBits spends at least 2 bytes per run of at
// most 128; LZW codes are at least 9 bits and stand for at most 4096 bytes (the table size), so
// 1 byte per 3641; Deflate as PNG. CCITT, JPEG and the other codecs: no floor here.
std::uint64_t tiffMinBytes(std::uint64_t compression, std::uint64_t w, std::uint64_t h,
                           std::uint64_t samples, std::uint64_t bits) {
    const std::uint64_t raw = mulSat(h, (w * samples * bits + 7) / 8);
    switch (compression) {
    case 1:
        return raw;
    case 32773:
        return raw / 64;
    case 5:
        return raw / 3641;
    case 8:
    case 32946:
        return raw / kDeflateMaxRatio;
    default:
        return 0;
    }
}

bool parseJpeg(ByteReader& s, Header& h) {
    std::uint64_t pos = 2;
    for (;;) {
        std::uint32_t b;
        if (!s.u8(pos, b))
            return false;
        if (b != 0xFF) { // stray bytes between segments: libjpeg skips them, so do we
            ++pos;
            continue;
        }
        std::uint32_t marker = 0xFF;
        while (marker == 0xFF) {
            if (!s.u8(++pos, marker))
                return false;
        }
        ++pos;
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8))
            continue; // standalone markers carry no length
        if (marker == 0xD9 || marker == 0xDA)
            return false; // image data before any frame header
        std::uint32_t len;
        if (!s.u16(pos, true, len) || len < 2)
            return false;
        if (isSofMarker(marker)) {
            std::uint32_t height, width, components;
            if (len < 8 || !s.u16(pos + 3, true, height) || !s.u16(pos + 5, true, width) ||
                !s.u8(pos + 7, components))
                return false;
            h.width = width;
            h.height = height; // 0 means "set later by a DNL marker": rejected by the caller
            h.grayHint = components == 1;
            h.minFileBytes = jpegMinBytes(s, marker, pos + 8, components, len, width, height);
            return true;
        }
        pos += len;
    }
}

bool parsePng(ByteReader& s, Header& h) {
    std::uint32_t len, w, hh, bitDepth, colorType;
    char type[4];
    if (!s.u32(8, true, len) || !s.readAt(12, type, 4) || std::memcmp(type, "IHDR", 4) != 0 ||
        len != 13 || !s.u32(16, true, w) || !s.u32(20, true, hh) || !s.u8(24, bitDepth) ||
        !s.u8(25, colorType))
        return false;
    if (w > 0x7FFFFFFFu || hh > 0x7FFFFFFFu)
        return false;
    h.width = w;
    h.height = hh;
    h.grayHint = colorType == 0 || colorType == 4;
    // The filtered rows (a filter byte each, interlacing only adds more) are deflated.
    static const std::uint64_t kChannels[7] = {1, 0, 3, 1, 2, 0, 4};
    const std::uint64_t channels = colorType < 7 ? kChannels[colorType] : 0;
    const std::uint64_t raw = mulSat(hh, 1 + (std::uint64_t(w) * channels * bitDepth + 7) / 8);
    h.minFileBytes = raw / kDeflateMaxRatio;
    return true;
}

bool parseWebp(ByteReader& s, Header& h) {
    char chunk[4];
    if (!s.readAt(12, chunk, 4))
        return false;
    if (std::memcmp(chunk, "VP8 ", 4) == 0) {
        std::uint8_t start[3];
        std::uint32_t w, hh;
        if (!s.readAt(23, start, 3) || start[0] != 0x9D || start[1] != 0x01 || start[2] != 0x2A ||
            !s.u16(26, false, w) || !s.u16(28, false, hh))
            return false;
        h.width = w & 0x3FFF;
        h.height = hh & 0x3FFF;
        return true;
    }
    if (std::memcmp(chunk, "VP8L", 4) == 0) {
        std::uint32_t signature, bits;
        if (!s.u8(20, signature) || signature != 0x2F || !s.u32(21, false, bits))
            return false;
        h.width = (bits & 0x3FFF) + 1;
        h.height = ((bits >> 14) & 0x3FFF) + 1;
        return true;
    }
    if (std::memcmp(chunk, "VP8X", 4) == 0) {
        std::uint8_t b[6];
        if (!s.readAt(24, b, 6))
            return false;
        h.width = (std::uint64_t(b[0]) | std::uint64_t(b[1]) << 8 | std::uint64_t(b[2]) << 16) + 1;
        h.height = (std::uint64_t(b[3]) | std::uint64_t(b[4]) << 8 | std::uint64_t(b[5]) << 16) + 1;
        return true;
    }
    return false;
}

bool parseBmp(ByteReader& s, Header& h) {
    std::uint32_t dibSize;
    if (!s.u32(14, false, dibSize))
        return false;
    if (dibSize == 12) { // OS/2 BITMAPCOREHEADER
        std::uint32_t w, hh;
        if (!s.u16(18, false, w) || !s.u16(20, false, hh))
            return false;
        h.width = w;
        h.height = hh;
        return true;
    }
    if (dibSize < 40)
        return false;
    std::uint32_t w, hh;
    if (!s.u32(18, false, w) || !s.u32(22, false, hh))
        return false;
    const auto sw = static_cast<std::int32_t>(w);
    const auto sh = static_cast<std::int32_t>(hh); // negative: rows stored top-down
    if (sw <= 0 || sh == INT32_MIN)
        return false;
    h.width = static_cast<std::uint64_t>(sw);
    h.height = static_cast<std::uint64_t>(sh < 0 ? -static_cast<std::int64_t>(sh) : sh);
    return true;
}

bool parseTiff(ByteReader& s, Header& h) {
    std::uint8_t order[2];
    if (!s.readAt(0, order, 2))
        return false;
    const bool be = order[0] == 'M';
    h.bigEndian = be;
    std::uint32_t magic;
    if (!s.u16(2, be, magic))
        return false;
    const bool big = magic == 43; // BigTIFF: 8-byte offsets and counts
    std::uint64_t ifd;
    if (big) {
        std::uint32_t offsetSize;
        if (!s.u16(4, be, offsetSize) || offsetSize != 8 || !s.u64(8, be, ifd))
            return false;
    } else {
        std::uint32_t off;
        if (!s.u32(4, be, off))
            return false;
        ifd = off;
    }
    std::uint64_t count;
    if (big) {
        if (!s.u64(ifd, be, count))
            return false;
    } else {
        std::uint32_t c;
        if (!s.u16(ifd, be, c))
            return false;
        count = c;
    }
    const std::uint64_t entrySize = big ? 20 : 12;
    const std::uint64_t first = ifd + (big ? 8 : 2);
    if (count == 0 || count > (s.size() - std::min(s.size(), first)) / entrySize)
        return false;
    bool haveWidth = false, haveHeight = false;
    std::uint32_t photometric = 2;
    std::uint64_t compression = 1, samples = 1, bitsPerSample = 1; // the TIFF defaults
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t e = first + i * entrySize;
        std::uint32_t tag, type;
        if (!s.u16(e, be, tag) || !s.u16(e + 2, be, type))
            return false;
        if (tag != 256 && tag != 257 && tag != 258 && tag != 259 && tag != 262 && tag != 274 &&
            tag != 277)
            continue;
        const std::uint64_t valueAt = e + (big ? 12 : 8);
        if (tag == 274) {
            if (type == 3)
                h.tiffOrientationAt = valueAt;
            continue;
        }
        if (tag == 258) { // BitsPerSample: one SHORT per sample, the first is enough here
            std::uint64_t n = 0, at = valueAt;
            if (type != 3 || !tiffWord(s, e + 4, be, big, n))
                continue;
            if (n > (big ? 4u : 2u) && !tiffWord(s, valueAt, be, big, at))
                continue; // more values than fit in the entry: valueAt holds their offset
            std::uint32_t bits;
            if (s.u16(at, be, bits))
                bitsPerSample = bits;
            continue;
        }
        std::uint64_t value = 0;
        std::uint32_t v32;
        if (type == 3) { // SHORT
            if (!s.u16(valueAt, be, v32))
                return false;
            value = v32;
        } else if (type == 4) { // LONG
            if (!s.u32(valueAt, be, v32))
                return false;
            value = v32;
        } else if (type == 16 && big) { // LONG8
            if (!s.u64(valueAt, be, value))
                return false;
        } else {
            return false;
        }
        if (tag == 256) {
            h.width = value;
            haveWidth = true;
        } else if (tag == 257) {
            h.height = value;
            haveHeight = true;
        } else if (tag == 259) {
            compression = value;
        } else if (tag == 277) {
            samples = value;
        } else {
            photometric = static_cast<std::uint32_t>(value);
        }
    }
    h.grayHint = photometric <= 1; // WhiteIsZero / BlackIsZero
    if (haveWidth && haveHeight && h.width <= INT_MAX && h.height <= INT_MAX && samples <= 0xFFFF)
        h.minFileBytes = tiffMinBytes(compression, h.width, h.height, samples, bitsPerSample);
    return haveWidth && haveHeight;
}

} // namespace

std::string displayName(const std::string& format) {
    if (format == "jpeg" || format == "png" || format == "bmp")
        return upper(format);
    if (format == "tiff")
        return "TIFF";
    if (format == "webp")
        return "WebP";
    return format;
}

bool exceedsLimit(std::uint64_t w, std::uint64_t h, std::uint64_t maxPixels) {
    if (w > INT_MAX || h > INT_MAX)
        return true;
    return maxPixels != 0 && w * h > maxPixels;
}

Status checkPixelClaim(const std::string& path, const Header& h, std::uint64_t fileSize) {
    if (h.minFileBytes <= fileSize)
        return Status::ok();
    return Status::error(
        StatusCode::InvalidFile,
        "cannot decode '" + path + "': the " + displayName(h.format) + " header claims " +
            std::to_string(h.width) + "x" + std::to_string(h.height) + " pixels, more than " +
            formatBytes(fileSize) + " can hold (at least " + formatBytes(h.minFileBytes) + ")");
}

Status tooLarge(const std::string& path, std::uint64_t w, std::uint64_t h,
                std::uint64_t maxPixels) {
    std::string msg = "cannot read '" + path + "': image is too large: " + std::to_string(w) + "x" +
                      std::to_string(h) + " pixels";
    msg += maxPixels != 0 ? " exceeds the limit of " + std::to_string(maxPixels) + " pixels"
                          : " is more than this build can decode";
    return Status::error(StatusCode::Unsupported, msg);
}

Status parseHeader(ByteReader& s, const std::string& path, Header& h) {
    std::uint8_t magic[16] = {};
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(sizeof(magic), s.size()));
    if (n == 0)
        return Status::error(StatusCode::InvalidFile, "'" + path + "' is empty (0 bytes)");
    if (!s.readAt(0, magic, n))
        return Status::error(StatusCode::IoError, "cannot read '" + path + "'");
    h.format = detectFormat(magic, n);
    if (h.format.empty()) {
        const std::string other = knownUnsupportedFormat(magic, n);
        if (!other.empty())
            return Status::error(
                StatusCode::Unsupported,
                "cannot read '" + path + "': " + other +
                    " images are not supported (use JPEG, PNG, TIFF, WebP or BMP)");
        return Status::error(StatusCode::InvalidFile,
                             "cannot decode '" + path +
                                 "': it is not a JPEG, PNG, TIFF, WebP or BMP image");
    }
    bool ok = false;
    if (h.format == "jpeg")
        ok = parseJpeg(s, h);
    else if (h.format == "png")
        ok = parsePng(s, h);
    else if (h.format == "tiff")
        ok = parseTiff(s, h);
    else if (h.format == "webp")
        ok = parseWebp(s, h);
    else
        ok = parseBmp(s, h);
    if (!ok || h.width == 0 || h.height == 0)
        return truncatedHeader(path, h.format);
    return Status::ok();
}

} // namespace image

using namespace image;

Result<ImageIO::Probe> ImageIO::probe(const std::string& path) {
    std::FILE* f = nullptr;
    std::uint64_t fileSize = 0;
    if (Status s = openImageFile(path, &f, &fileSize); !s)
        return s;
    FileReader src(f, fileSize);
    Header h;
    Status s = parseHeader(src, path, h);
    std::fclose(f);
    if (!s)
        return s;
    if (h.width > INT_MAX || h.height > INT_MAX) // Probe holds ints
        return tooLarge(path, h.width, h.height, 0);
    Probe p;
    p.width = static_cast<int>(h.width);
    p.height = static_cast<int>(h.height);
    p.format = h.format;
    return p;
}

} // namespace shiftsr
