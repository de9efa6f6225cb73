// Image files in and out (JPEG, PNG, TIFF, WebP, BMP): safe decoding, EXIF orientation, atomic
// writes.
#pragma once

#include "shiftsr/engine/status.h"

#include <opencv2/core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace shiftsr {

struct ImageReadOptions {
    // Refused from the file header, before any pixel is decoded.
    std::uint64_t maxPixels = 200'000'000;
    bool applyExifOrientation = true;
    // A file the decoder reports damaged (libjpeg "Corrupt JPEG data", a libpng CRC or zlib
    // warning, a libtiff warning) is refused unless this is set; then it is decoded as far as
    // the decoder gets and DecodedImage::warnings says what was wrong. Errors are never accepted.
    bool acceptDamaged = false;
};

struct DecodedImage {
    cv::Mat color;    // BGR (3 channels) or gray (1 channel), CV_8U or CV_16U as stored
    cv::Mat alpha;    // empty, or 1 channel of the same size and depth as `color`
    int bitDepth = 8; // 8 or 16
    bool grayscale = false;
    int exifOrientation = 1; // as stored in the file (1..8); color/alpha are already upright
                             // when ImageReadOptions::applyExifOrientation is set
    std::string format;      // "jpeg", "png", "tiff", "webp", "bmp" (from the magic bytes)
    // What the decoder reported about damage it decoded past (only with acceptDamaged), one
    // line each, without the file's name: "damaged JPEG data (libjpeg: ...)".
    std::vector<std::string> warnings;
};

struct ImageWriteOptions {
    int jpegQuality = 95;   // 0..100
    int webpQuality = 95;   // 1..100; above 100 writes lossless WebP
    int pngCompression = 3; // 0..9
    // "jpeg"/"jpg", "png", "tiff"/"tif", "webp", "bmp"; empty: from the output extension.
    std::string format;
};

class ImageIO {
public:
    // Errors: NotFound (no such file), InvalidArgument (a folder, FIFO, device: only regular
    // files are opened, and never block), InvalidFile (empty, truncated, corrupt, damaged, a
    // header claiming more pixels than the file can hold, not an image), Unsupported (a format
    // or pixel type this build does not read, or larger than maxPixels), IoError (cannot be
    // read). Every message names the file once; no decoder prints anything.
    static Result<DecodedImage> read(const std::string& path, const ImageReadOptions& options = {});

    // Header-only probe: width/height/format without decoding pixels. The size is the stored
    // one, before any EXIF orientation.
    struct Probe {
        int width = 0, height = 0;
        std::string format;
    };
    static Result<Probe> probe(const std::string& path);

    // Writes `color` (1 or 3 channels, CV_8U or CV_16U; a 4-channel BGRA `color` with an empty
    // `alpha` is split) with `alpha` attached as BGRA where the format holds it (png, tiff,
    // webp); elsewhere alpha is dropped and `warning` says so. 16-bit stays 16-bit in png and
    // tiff and becomes 8-bit elsewhere (also reported in `warning`). Atomic: the image is encoded
    // in memory first, then written to a temporary file renamed over `path`; on any failure no
    // partial or temporary file is left and an existing `path` is untouched.
    static Status write(const std::string& path, const cv::Mat& color, const cv::Mat& alpha,
                        const ImageWriteOptions& options = {}, std::string* warning = nullptr);
    // The encoding half of write(): the file's bytes in memory (the format from options.format,
    // else from `path`'s extension; `path` also names the file in messages). Nothing is written.
    static Result<std::vector<std::uint8_t>> encode(const std::string& path, const cv::Mat& color,
                                                    const cv::Mat& alpha,
                                                    const ImageWriteOptions& options = {},
                                                    std::string* warning = nullptr);

    // .jpg .jpeg .png .tif .tiff .webp .bmp, case-insensitive.
    static bool isSupportedExtension(const std::string& path);
};

} // namespace shiftsr
