// ImageIO::read: completeness and pixel-claim checks before decoding, the decoders (our own for
// JPEG, PNG and WebP, OpenCV's for TIFF after a libtiff check, and BMP), gray and alpha planes,
// EXIF orientation.
#include "shiftsr/engine/image_io.h"

#include "image_codecs.h"
#include "image_file.h"
#include "image_header.h"

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <climits>
#include <cstdint>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>
#include <vector>

namespace shiftsr {

using namespace image;

namespace {

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
        const std::size_t len = bytes::be16(d + pos);
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
        const std::size_t len = bytes::be32(d + pos);
        if (len > 0x7FFFFFFFu || len > n - pos - 12)
            return false;
        if (std::memcmp(d + pos + 4, "IEND", 4) == 0)
            return true;
        pos += 12 + len;
    }
    return false;
}

bool webpIsComplete(const std::uint8_t* d, std::size_t n) {
    const std::uint64_t riff = bytes::le32(d + 4);
    return riff + 8 <= n + (riff & 1); // a final pad byte may be missing
}

bool bmpIsComplete(const std::uint8_t* d, std::size_t n, const Header& h) {
    MemoryReader s(d, n);
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

// OpenCV's BMP decoder asserts on values it cannot handle and prints the failed assertion to
// stderr before returning nothing: such headers are refused here, with a message, instead.
bool bmpHeaderIsSound(const std::uint8_t* d, std::size_t n) {
    MemoryReader s(d, n);
    std::uint32_t dataOffset, dibSize, planes = 1, bpp = 0, compression = 0;
    if (!s.u32(10, false, dataOffset) || !s.u32(14, false, dibSize))
        return false;
    if (dibSize == 12) {
        if (!s.u16(22, false, planes) || !s.u16(24, false, bpp))
            return false;
    } else if (!s.u16(26, false, planes) || !s.u16(28, false, bpp) ||
               !s.u32(30, false, compression)) {
        return false;
    }
    const bool depthKnown = bpp == 1 || bpp == 4 || bpp == 8 || bpp == 16 || bpp == 24 || bpp == 32;
    const bool rleMatches = (compression != 1 || bpp == 8) && (compression != 2 || bpp == 4);
    return planes == 1 && depthKnown && compression <= 3 && rleMatches &&
           dataOffset >= 14 + std::uint64_t(dibSize) && dataOffset < n;
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

// The pixels, as OpenCV's IMREAD_UNCHANGED lays them out (gray+alpha may also come as two
// channels). JPEG, PNG and WebP decode here so that every warning is heard; TIFF goes through
// libtiff once for the same reason before OpenCV decodes it. BMP has no decoder messages:
// bmpIsComplete() and the header checks are all there is.
cv::Mat decodePixels(const std::string& format, const std::vector<std::uint8_t>& bytes,
                     DecodeLog& log) {
    if (format == "jpeg")
        return decodeJpeg(bytes.data(), bytes.size(), log);
    if (format == "png")
        return decodePng(bytes.data(), bytes.size(), log);
    if (format == "webp")
        return decodeWebp(bytes.data(), bytes.size(), log);
    if (format == "tiff" &&
        (!checkTiff(bytes.data(), bytes.size(), log) || (log.stopAtDamage && !log.damage.empty())))
        return cv::Mat();
    // OpenCV's decoders log a warning before giving up on a file ("[ WARN:0@0.1] ... failed
    // TIFFGetField"); the Status below says the same with the file's name, so only OpenCV's
    // errors stay on (once, unless a developer asked for a more verbose level).
    static std::once_flag quiet;
    std::call_once(quiet, [] {
        if (cv::utils::logging::getLogLevel() == cv::utils::logging::LOG_LEVEL_WARNING)
            cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
    });
    try {
        const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8U,
                             const_cast<std::uint8_t*>(bytes.data()));
        // IMREAD_UNCHANGED keeps depth, alpha and gray and skips imdecode's own EXIF rotation
        // (its value, -1, already has every bit set; IGNORE_ORIENTATION only says so).
        return cv::imdecode(buffer, cv::IMREAD_UNCHANGED | cv::IMREAD_IGNORE_ORIENTATION);
    } catch (const cv::Exception& e) {
        log.setError("OpenCV", e.msg);
        return cv::Mat();
    }
}

Result<DecodedImage> decode(const std::string& path, std::vector<std::uint8_t>& bytes,
                            const ImageReadOptions& options) {
    MemoryReader src(bytes.data(), bytes.size());
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
    if (h.format == "bmp" && !bmpHeaderIsSound(bytes.data(), bytes.size()))
        return Status::error(StatusCode::InvalidFile,
                             "cannot decode '" + path + "': the BMP header is damaged");
    if (!complete)
        return Status::error(StatusCode::InvalidFile,
                             "cannot decode '" + path + "': the " + displayName(h.format) +
                                 " file is truncated (" + formatBytes(bytes.size()) + ")");
    if (Status s = checkPixelClaim(path, h, bytes.size()); !s)
        return s;
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

    DecodeLog log;
    log.stopAtDamage = !options.acceptDamaged;
    cv::Mat decoded = decodePixels(h.format, bytes, log);
    const std::string name = displayName(h.format);
    if (!log.damage.empty() && !options.acceptDamaged)
        return Status::error(StatusCode::InvalidFile, "cannot decode '" + path + "': damaged " +
                                                          name + " data (" + log.damageSummary() +
                                                          ")");
    if (decoded.empty()) {
        if (log.unsupported)
            return Status::error(StatusCode::Unsupported, "cannot read '" + path + "': this " +
                                                              name + " file is not supported (" +
                                                              log.error + ")");
        return Status::error(StatusCode::InvalidFile,
                             "cannot decode '" + path + "': the " + name + " data is corrupt" +
                                 (log.error.empty() ? std::string() : " (" + log.error + ")"));
    }
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

    if (!log.damage.empty())
        img.warnings.push_back("damaged " + name + " data, decoded anyway (" + log.damageSummary() +
                               ")");
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

} // namespace shiftsr
