// ImageIO: header checks before decoding, OpenCV codecs, EXIF orientation, atomic encoded writes.
#include "shiftsr/engine/image_io.h"

#include "atomic_file.h"
#include "image_file.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <new>
#include <vector>

#include <sys/stat.h>

namespace shiftsr {
namespace {

// Random access to the bytes of a file or of a buffer, so that one set of header parsers serves
// both probe() (reads only the header) and read() (holds the whole file).
class ByteSource {
public:
    virtual ~ByteSource() = default;
    virtual std::uint64_t size() const = 0;
    // False when [offset, offset + n) is not entirely inside the source.
    virtual bool readAt(std::uint64_t offset, void* dst, std::size_t n) = 0;

    bool u8(std::uint64_t at, std::uint32_t& v) {
        std::uint8_t b;
        if (!readAt(at, &b, 1))
            return false;
        v = b;
        return true;
    }
    bool u16(std::uint64_t at, bool bigEndian, std::uint32_t& v) {
        std::uint8_t b[2];
        if (!readAt(at, b, 2))
            return false;
        v = bigEndian ? (std::uint32_t(b[0]) << 8 | b[1]) : (std::uint32_t(b[1]) << 8 | b[0]);
        return true;
    }
    bool u32(std::uint64_t at, bool bigEndian, std::uint32_t& v) {
        std::uint8_t b[4];
        if (!readAt(at, b, 4))
            return false;
        v = bigEndian ? (std::uint32_t(b[0]) << 24 | std::uint32_t(b[1]) << 16 |
                         std::uint32_t(b[2]) << 8 | b[3])
                      : (std::uint32_t(b[3]) << 24 | std::uint32_t(b[2]) << 16 |
                         std::uint32_t(b[1]) << 8 | b[0]);
        return true;
    }
    bool u64(std::uint64_t at, bool bigEndian, std::uint64_t& v) {
        std::uint32_t a, b;
        if (!u32(at, bigEndian, a) || !u32(at + 4, bigEndian, b))
            return false;
        v = bigEndian ? (std::uint64_t(a) << 32 | b) : (std::uint64_t(b) << 32 | a);
        return true;
    }
};

class MemorySource : public ByteSource {
public:
    MemorySource(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    std::uint64_t size() const override { return size_; }
    bool readAt(std::uint64_t offset, void* dst, std::size_t n) override {
        if (offset > size_ || n > size_ - offset)
            return false;
        std::memcpy(dst, data_ + offset, n);
        return true;
    }

private:
    const std::uint8_t* data_;
    std::size_t size_;
};

class FileSource : public ByteSource {
public:
    FileSource(std::FILE* f, std::uint64_t size) : f_(f), size_(size) {}
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

struct Header {
    std::uint64_t width = 0, height = 0;
    std::string format;
    bool grayHint = false; // the file stores gray samples, even if OpenCV hands back BGR(A)
    // TIFF only: where IFD0's Orientation value sits (0: no such tag), and the byte order.
    std::uint64_t tiffOrientationAt = 0;
    bool bigEndian = false;
};

std::string upper(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string displayName(const std::string& format) {
    if (format == "jpeg" || format == "png" || format == "bmp")
        return upper(format);
    if (format == "tiff")
        return "TIFF";
    if (format == "webp")
        return "WebP";
    return format;
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

bool parseJpeg(ByteSource& s, Header& h) {
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
            return true;
        }
        pos += len;
    }
}

bool parsePng(ByteSource& s, Header& h) {
    std::uint32_t len, w, hh, colorType;
    char type[4];
    if (!s.u32(8, true, len) || !s.readAt(12, type, 4) || std::memcmp(type, "IHDR", 4) != 0 ||
        len != 13 || !s.u32(16, true, w) || !s.u32(20, true, hh) || !s.u8(25, colorType))
        return false;
    if (w > 0x7FFFFFFFu || hh > 0x7FFFFFFFu)
        return false;
    h.width = w;
    h.height = hh;
    h.grayHint = colorType == 0 || colorType == 4;
    return true;
}

bool parseWebp(ByteSource& s, Header& h) {
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

bool parseBmp(ByteSource& s, Header& h) {
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

bool parseTiff(ByteSource& s, Header& h) {
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
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t e = first + i * entrySize;
        std::uint32_t tag, type;
        if (!s.u16(e, be, tag) || !s.u16(e + 2, be, type))
            return false;
        if (tag != 256 && tag != 257 && tag != 262 && tag != 274)
            continue;
        const std::uint64_t valueAt = e + (big ? 12 : 8);
        if (tag == 274) {
            if (type == 3)
                h.tiffOrientationAt = valueAt;
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
        } else {
            photometric = static_cast<std::uint32_t>(value);
        }
    }
    h.grayHint = photometric <= 1; // WhiteIsZero / BlackIsZero
    return haveWidth && haveHeight;
}

// 0 means no limit. Sides past 2^31 are refused always: no decoder here handles them, and the
// product could overflow.
bool exceedsLimit(std::uint64_t w, std::uint64_t h, std::uint64_t maxPixels) {
    if (w > INT_MAX || h > INT_MAX)
        return true;
    return maxPixels != 0 && w * h > maxPixels;
}

Status tooLarge(const std::string& path, std::uint64_t w, std::uint64_t h,
                std::uint64_t maxPixels) {
    std::string msg = "cannot read '" + path + "': image is too large: " + std::to_string(w) + "x" +
                      std::to_string(h) + " pixels";
    msg += maxPixels != 0 ? " exceeds the limit of " + std::to_string(maxPixels) + " pixels"
                          : " is more than this build can decode";
    return Status::error(StatusCode::Unsupported, msg);
}

// Detects the format from the magic bytes and reads the stored size from the header.
Status parseHeader(ByteSource& s, const std::string& path, Header& h) {
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

// libjpeg decodes a cut-off file with a warning and fills the rest with gray, so completeness
// is checked here: the segments must lead, through all scans, to an end-of-image marker.
// Searching for FF D9 alone is not enough: an EXIF thumbnail ends with one too.
bool jpegIsComplete(const std::uint8_t* d, std::size_t n) {
    std::size_t pos = 2;
    while (pos < n) {
        if (d[pos] != 0xFF) {
            ++pos;
            continue;
        }
        while (pos < n && d[pos] == 0xFF)
            ++pos;
        if (pos >= n)
            return false;
        const std::uint8_t marker = d[pos++];
        if (marker == 0xD9)
            return true;
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8))
            continue;
        if (n - pos < 2)
            return false;
        const std::size_t len = std::size_t(d[pos]) << 8 | d[pos + 1];
        if (len < 2 || len > n - pos)
            return false;
        pos += len;
        if (marker != 0xDA)
            continue;
        // Entropy-coded data runs to the next marker that is neither a stuffed FF 00 nor a
        // restart marker.
        for (;;) {
            const void* ff = std::memchr(d + pos, 0xFF, n - pos);
            if (!ff)
                return false;
            pos = static_cast<std::size_t>(static_cast<const std::uint8_t*>(ff) - d);
            if (pos + 1 >= n)
                return false;
            const std::uint8_t next = d[pos + 1];
            if (next == 0x00 || next == 0xFF || (next >= 0xD0 && next <= 0xD7)) {
                ++pos;
                continue;
            }
            break;
        }
    }
    return false;
}

bool pngIsComplete(const std::uint8_t* d, std::size_t n) {
    std::size_t pos = 8;
    while (n - pos >= 12) {
        const std::size_t len = std::size_t(d[pos]) << 24 | std::size_t(d[pos + 1]) << 16 |
                                std::size_t(d[pos + 2]) << 8 | d[pos + 3];
        if (len > 0x7FFFFFFFu || len > n - pos - 12)
            return false;
        if (std::memcmp(d + pos + 4, "IEND", 4) == 0)
            return true;
        pos += 12 + len;
    }
    return false;
}

bool webpIsComplete(const std::uint8_t* d, std::size_t n) {
    const std::uint64_t riff = std::uint64_t(d[4]) | std::uint64_t(d[5]) << 8 |
                               std::uint64_t(d[6]) << 16 | std::uint64_t(d[7]) << 24;
    return riff + 8 <= n + (riff & 1); // a final pad byte may be missing
}

bool bmpIsComplete(const std::uint8_t* d, std::size_t n, const Header& h) {
    MemorySource s(d, n);
    std::uint32_t dataOffset, dibSize, bpp = 0, compression = 0;
    if (!s.u32(10, false, dataOffset) || !s.u32(14, false, dibSize))
        return false;
    if (dibSize == 12) {
        if (!s.u16(24, false, bpp))
            return false;
    } else if (!s.u16(28, false, bpp) || !s.u32(30, false, compression)) {
        return false;
    }
    // Compressed (RLE) sizes are not known in advance; OpenCV bounds-checks those itself.
    if (compression != 0 && compression != 3 && compression != 6)
        return true;
    const std::uint64_t stride = (h.width * bpp + 31) / 32 * 4;
    return std::uint64_t(dataOffset) + stride * h.height <= n;
}

std::string lowerExtension(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    const std::size_t dot = path.find_last_of('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
        return {};
    std::string ext = path.substr(dot + 1);
    for (char& c : ext)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

// "jpg" -> "jpeg", "tif" -> "tiff"; empty for anything else that is not a supported format.
std::string normalizeFormat(std::string f) {
    for (char& c : f)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!f.empty() && f[0] == '.')
        f.erase(0, 1);
    if (f == "jpg" || f == "jpeg")
        return "jpeg";
    if (f == "tif" || f == "tiff")
        return "tiff";
    if (f == "png" || f == "webp" || f == "bmp")
        return f;
    return {};
}

// Rotates/flips stored pixels upright, as EXIF orientation `o` asks (same mapping as OpenCV's
// own ApplyExifOrientation, which IMREAD_UNCHANGED skips).
void applyOrientation(cv::Mat& m, int o) {
    if (m.empty())
        return;
    cv::Mat out;
    switch (o) {
    case 2:
        cv::flip(m, out, 1);
        break;
    case 3:
        cv::rotate(m, out, cv::ROTATE_180);
        break;
    case 4:
        cv::flip(m, out, 0);
        break;
    case 5:
        cv::transpose(m, out);
        break;
    case 6:
        cv::rotate(m, out, cv::ROTATE_90_CLOCKWISE);
        break;
    case 7: {
        cv::Mat t;
        cv::transpose(m, t);
        cv::flip(t, out, -1);
        break;
    }
    case 8:
        cv::rotate(m, out, cv::ROTATE_90_COUNTERCLOCKWISE);
        break;
    default:
        return;
    }
    m = out;
}

bool channelsEqual(const cv::Mat& m) {
    std::vector<cv::Mat> ch;
    cv::split(m, ch);
    return cv::countNonZero(ch[0] != ch[1]) == 0 && cv::countNonZero(ch[0] != ch[2]) == 0;
}

Result<DecodedImage> decode(const std::string& path, std::vector<std::uint8_t>& bytes,
                            const ImageReadOptions& options) {
    MemorySource src(bytes.data(), bytes.size());
    Header h;
    if (Status s = parseHeader(src, path, h); !s)
        return s;
    if (exceedsLimit(h.width, h.height, options.maxPixels))
        return tooLarge(path, h.width, h.height, options.maxPixels);
    bool complete = true;
    if (h.format == "jpeg")
        complete = jpegIsComplete(bytes.data(), bytes.size());
    else if (h.format == "png")
        complete = pngIsComplete(bytes.data(), bytes.size());
    else if (h.format == "webp")
        complete = webpIsComplete(bytes.data(), bytes.size());
    else if (h.format == "bmp")
        complete = bmpIsComplete(bytes.data(), bytes.size(), h);
    if (!complete)
        return Status::error(StatusCode::InvalidFile,
                             "cannot decode '" + path + "': the " + displayName(h.format) +
                                 " file is truncated (" + formatBytes(bytes.size()) + ")");
    if (bytes.size() > static_cast<std::size_t>(INT_MAX))
        return Status::error(StatusCode::Unsupported,
                             "cannot read '" + path + "': files over 2 GB are not supported");

    // Read before the TIFF patch below hides it.
    const int orientation = h.format == "bmp" ? 1 : exifOrientationOf(bytes.data(), bytes.size());
    // OpenCV's TIFF decoder applies the Orientation tag itself, even with IMREAD_UNCHANGED, and
    // the other decoders do not: with the tag set to 1 every format decodes as stored, and the
    // one orientation step below is the same for all.
    if (h.format == "tiff" && h.tiffOrientationAt != 0 && h.tiffOrientationAt + 2 <= bytes.size()) {
        bytes[h.tiffOrientationAt] = h.bigEndian ? 0 : 1;
        bytes[h.tiffOrientationAt + 1] = h.bigEndian ? 1 : 0;
    }

    cv::Mat decoded;
    try {
        const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8U,
                             const_cast<std::uint8_t*>(bytes.data()));
        // IMREAD_UNCHANGED keeps depth, alpha and gray and skips imdecode's own EXIF rotation
        // (its value, -1, already has every bit set; IGNORE_ORIENTATION only says so).
        decoded = cv::imdecode(buffer, cv::IMREAD_UNCHANGED | cv::IMREAD_IGNORE_ORIENTATION);
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory, "out of memory decoding '" + path + "' (" +
                                                          std::to_string(h.width) + "x" +
                                                          std::to_string(h.height) + " pixels)");
    } catch (const std::exception& e) {
        return Status::error(StatusCode::InvalidFile, "cannot decode '" + path + "': the " +
                                                          displayName(h.format) +
                                                          " data is corrupt (" + e.what() + ")");
    }
    if (decoded.empty())
        return Status::error(StatusCode::InvalidFile, "cannot decode '" + path + "': the " +
                                                          displayName(h.format) +
                                                          " data is corrupt");
    if (decoded.depth() != CV_8U && decoded.depth() != CV_16U)
        return Status::error(StatusCode::Unsupported,
                             "cannot read '" + path +
                                 "': only 8- and 16-bit unsigned samples are supported");

    DecodedImage img;
    img.format = h.format;
    img.bitDepth = decoded.depth() == CV_16U ? 16 : 8;
    switch (decoded.channels()) {
    case 1:
        img.color = decoded;
        break;
    case 2: {
        cv::Mat ch[2];
        cv::split(decoded, ch);
        img.color = ch[0];
        img.alpha = ch[1];
        break;
    }
    case 3:
        img.color = decoded;
        break;
    case 4: {
        std::vector<cv::Mat> ch;
        cv::split(decoded, ch);
        img.alpha = ch[3];
        ch.pop_back();
        cv::merge(ch, img.color);
        break;
    }
    default:
        return Status::error(StatusCode::Unsupported,
                             "cannot read '" + path + "': " + std::to_string(decoded.channels()) +
                                 " channels are not supported");
    }
    // OpenCV widens gray+alpha to BGRA; hand back the gray plane the file actually holds.
    if (img.color.channels() == 3 && h.grayHint && channelsEqual(img.color)) {
        cv::Mat gray;
        cv::extractChannel(img.color, gray, 0);
        img.color = gray;
    }
    img.grayscale = img.color.channels() == 1;

    img.exifOrientation = orientation;
    if (options.applyExifOrientation) {
        applyOrientation(img.color, img.exifOrientation);
        applyOrientation(img.alpha, img.exifOrientation);
    }
    return img;
}

} // namespace

Result<DecodedImage> ImageIO::read(const std::string& path, const ImageReadOptions& options) {
    // The header is checked before the whole file is loaded, so a huge image costs nothing.
    auto probed = probe(path);
    if (!probed)
        return probed.status();
    if (exceedsLimit(std::uint64_t(probed->width), std::uint64_t(probed->height),
                     options.maxPixels))
        return tooLarge(path, std::uint64_t(probed->width), std::uint64_t(probed->height),
                        options.maxPixels);
    std::vector<std::uint8_t> bytes;
    if (Status s = readWholeFile(path, bytes); !s)
        return s;
    try {
        return decode(path, bytes, options);
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory, "out of memory reading '" + path + "'");
    } catch (const std::exception& e) {
        return Status::error(StatusCode::Internal,
                             "unexpected error reading '" + path + "': " + e.what());
    }
}

Result<ImageIO::Probe> ImageIO::probe(const std::string& path) {
    std::FILE* f = nullptr;
    std::uint64_t fileSize = 0;
    if (Status s = openImageFile(path, &f, &fileSize); !s)
        return s;
    FileSource src(f, fileSize);
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

bool ImageIO::isSupportedExtension(const std::string& path) {
    const std::string ext = lowerExtension(path);
    return !ext.empty() && !normalizeFormat(ext).empty();
}

Status ImageIO::write(const std::string& path, const cv::Mat& color, const cv::Mat& alpha,
                      const ImageWriteOptions& options, std::string* warning) {
    auto encoded = encode(path, color, alpha, options, warning);
    if (!encoded)
        return encoded.status();
    return writeBytesAtomically(path, *encoded);
}

Result<std::vector<std::uint8_t>> ImageIO::encode(const std::string& path, const cv::Mat& colorIn,
                                                  const cv::Mat& alphaIn, const ImageWriteOptions& options,
                                                  std::string* warning) {
    if (warning)
        warning->clear();
    const std::string requested = options.format.empty() ? lowerExtension(path) : options.format;
    if (requested.empty())
        return Status::error(StatusCode::InvalidArgument,
                             "cannot write '" + path +
                                 "': no file extension to choose the format from "
                                 "(use .jpg, .png, .tif, .webp or .bmp)");
    const std::string format = normalizeFormat(requested);
    if (format.empty())
        return Status::error(StatusCode::Unsupported,
                             "cannot write '" + path + "': '" + requested +
                                 "' is not a supported image format (use jpg, png, tif, webp "
                                 "or bmp)");
    if (colorIn.empty())
        return Status::error(StatusCode::InvalidArgument,
                             "cannot write '" + path + "': the image is empty");
    if (colorIn.depth() != CV_8U && colorIn.depth() != CV_16U)
        return Status::error(StatusCode::InvalidArgument,
                             "cannot write '" + path + "': only 8- and 16-bit images are written");
    if (options.jpegQuality < 0 || options.jpegQuality > 100 || options.webpQuality < 1 ||
        options.webpQuality > 101 || options.pngCompression < 0 || options.pngCompression > 9)
        return Status::error(StatusCode::InvalidArgument,
                             "cannot write '" + path +
                                 "': quality must be 0..100 (JPEG), 1..101 (WebP, 101 = "
                                 "lossless) and PNG compression 0..9");

    try {
        cv::Mat color = colorIn;
        cv::Mat alpha = alphaIn;
        if (color.channels() == 4 && alpha.empty()) {
            std::vector<cv::Mat> ch;
            cv::split(color, ch);
            alpha = ch[3];
            ch.pop_back();
            cv::merge(ch, color);
        }
        if (color.channels() != 1 && color.channels() != 3)
            return Status::error(StatusCode::InvalidArgument,
                                 "cannot write '" + path + "': the image has " +
                                     std::to_string(color.channels()) +
                                     " channels (expected 1 or 3, plus an alpha plane)");
        if (!alpha.empty()) {
            if (alpha.channels() != 1 || alpha.size() != color.size() ||
                (alpha.depth() != CV_8U && alpha.depth() != CV_16U))
                return Status::error(StatusCode::InvalidArgument,
                                     "cannot write '" + path +
                                         "': the alpha plane must be one 8- or 16-bit channel of "
                                         "the image's size");
            if (alpha.depth() != color.depth()) {
                cv::Mat converted;
                alpha.convertTo(converted, color.depth(),
                                color.depth() == CV_16U ? 257.0 : 1.0 / 257.0);
                alpha = converted;
            }
        }

        // libjpeg and libwebp refuse larger sides; say so instead of "cannot encode".
        const int maxSide = format == "jpeg" ? 65500 : format == "webp" ? 16383 : INT_MAX;
        if (color.cols > maxSide || color.rows > maxSide)
            return Status::error(StatusCode::InvalidArgument,
                                 "cannot write '" + path + "': " + displayName(format) +
                                     " holds at most " + std::to_string(maxSide) + "x" +
                                     std::to_string(maxSide) + " pixels, the image is " +
                                     std::to_string(color.cols) + "x" + std::to_string(color.rows));

        std::vector<std::string> notes;
        const bool keepsAlpha = format == "png" || format == "tiff" || format == "webp";
        const bool keeps16 = format == "png" || format == "tiff";
        if (!alpha.empty() && !keepsAlpha) {
            notes.push_back("alpha channel dropped: " + displayName(format) +
                            " cannot store transparency");
            alpha.release();
        }
        if (color.depth() == CV_16U && !keeps16) {
            notes.push_back("16-bit samples reduced to 8-bit: " + displayName(format) +
                            " stores 8 bits per channel");
            cv::Mat c8;
            color.convertTo(c8, CV_8U, 1.0 / 257.0);
            color = c8;
            if (!alpha.empty()) {
                cv::Mat a8;
                alpha.convertTo(a8, CV_8U, 1.0 / 257.0);
                alpha = a8;
            }
        }

        cv::Mat out = color;
        if (!alpha.empty()) {
            cv::Mat bgr = color;
            if (color.channels() == 1) // OpenCV's encoders write no gray+alpha layout
                cv::cvtColor(color, bgr, cv::COLOR_GRAY2BGR);
            std::vector<cv::Mat> ch;
            cv::split(bgr, ch);
            ch.push_back(alpha);
            cv::merge(ch, out);
        } else if (format == "webp" && color.channels() == 1) {
            cv::cvtColor(color, out, cv::COLOR_GRAY2BGR); // WebP has no gray layout
        }

        std::vector<int> params;
        std::string ext;
        if (format == "jpeg") {
            ext = ".jpg";
            params = {cv::IMWRITE_JPEG_QUALITY, options.jpegQuality};
        } else if (format == "png") {
            ext = ".png";
            params = {cv::IMWRITE_PNG_COMPRESSION, options.pngCompression};
        } else if (format == "webp") {
            ext = ".webp";
            params = {cv::IMWRITE_WEBP_QUALITY, options.webpQuality};
        } else if (format == "tiff") {
            ext = ".tif";
        } else {
            ext = ".bmp";
        }

        std::vector<std::uint8_t> encoded;
        bool ok = false;
        try {
            ok = cv::imencode(ext, out, encoded, params);
        } catch (const cv::Exception& e) {
            return Status::error(StatusCode::Internal, "cannot encode '" + path + "' as " +
                                                           displayName(format) + ": " + e.what());
        }
        if (!ok || encoded.empty())
            return Status::error(StatusCode::Internal,
                                 "cannot encode '" + path + "' as " + displayName(format));

        if (warning) {
            for (const std::string& n : notes)
                *warning += (warning->empty() ? "" : "; ") + n;
        }
        return encoded;
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory, "out of memory writing '" + path + "'");
    } catch (const std::exception& e) {
        return Status::error(StatusCode::Internal,
                             "unexpected error writing '" + path + "': " + e.what());
    }
}

} // namespace shiftsr
