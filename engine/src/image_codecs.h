// Decoders that hear every library message: JPEG (libjpeg), PNG (libpng), WebP (libwebp) decode
// here, and TIFF strips and tiles are read once through libtiff before OpenCV decodes them.
// Nothing a library says reaches stderr; what it says about damage comes back in a DecodeLog.
#pragma once

#include <opencv2/core.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace shiftsr::image {

struct DecodeLog {
    // The decoder gives up at the first sign of damage (the caller refuses the file anyway, and
    // a damaged file must not cost the time of a whole decode). False: decode to the end.
    bool stopAtDamage = true;
    // Warnings that the data is damaged, in the library's words ("libjpeg: Corrupt JPEG data:
    // 2 extraneous bytes before marker 0xd9"), each once, at most kMaxMessages.
    std::vector<std::string> damage;
    std::size_t moreDamage = 0; // further warnings not kept
    // Why decoding failed (the library's words); empty when it did not.
    std::string error;
    bool unsupported = false; // the error is a feature this build lacks, not damage

    static constexpr std::size_t kMaxMessages = 3;
    void addDamage(const std::string& library, const std::string& message);
    void setError(const std::string& library, const std::string& message);
    // "libjpeg: A; libjpeg: B (and 4 more)".
    std::string damageSummary() const;
};

// Each returns BGR, BGRA, gray or gray+alpha samples (8-bit, or 16-bit for PNG) as stored, or an
// empty Mat with log.error set. Memory runs out as std::bad_alloc.
cv::Mat decodeJpeg(const std::uint8_t* data, std::size_t size, DecodeLog& log);
cv::Mat decodePng(const std::uint8_t* data, std::size_t size, DecodeLog& log);
cv::Mat decodeWebp(const std::uint8_t* data, std::size_t size, DecodeLog& log);

// Decompresses every strip or tile of the first TIFF directory (the one OpenCV decodes) and
// discards the samples: libtiff's errors and warnings land in `log`, which OpenCV's own TIFF
// decoder keeps to itself. False when libtiff cannot read the file at all.
bool checkTiff(const std::uint8_t* data, std::size_t size, DecodeLog& log);

} // namespace shiftsr::image
