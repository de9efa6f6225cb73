// ImageIO::encode and ImageIO::write: the output format from the options or the extension, depth
// and alpha fitted to what the format holds, OpenCV's encoders, an atomic write.
#include "shiftsr/engine/image_io.h"

#include "image_header.h"
#include "shiftsr/nn/atomic_file.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cctype>
#include <climits>
#include <cstdint>
#include <exception>
#include <new>
#include <string>
#include <vector>

namespace shiftsr {

using namespace image;

namespace {

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

} // namespace

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
                                                  const cv::Mat& alphaIn,
                                                  const ImageWriteOptions& options,
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