// Scanning photo folders for training and decoding training images with user-facing reasons.
#include "shiftsr/training/dataset.h"

#include "shiftsr/engine/image_io.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace fs = std::filesystem;

namespace shiftsr::training {

namespace {

std::string lowerExtension(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext;
}

Status readFile(const std::string& path, std::vector<uchar>& bytes) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) {
        if (ec == std::errc::no_such_file_or_directory)
            return Status::error(StatusCode::NotFound, "does not exist");
        return Status::error(StatusCode::IoError, "cannot be read: " + ec.message());
    }
    if (size == 0)
        return Status::error(StatusCode::InvalidFile, "empty file (0 bytes)");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Status::error(StatusCode::IoError,
                             std::string("cannot be opened: ") + std::strerror(errno));
    bytes.resize(size_t(size));
    in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(size));
    if (std::size_t(in.gcount()) != size)
        return Status::error(StatusCode::IoError, "cannot be read completely");
    return Status::ok();
}

std::string sizeText(std::uint64_t w, std::uint64_t h) {
    return std::to_string(w) + "x" + std::to_string(h);
}

} // namespace

bool isTrainingImageExtension(const std::string& path) {
    static const char* const exts[] = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"};
    const std::string ext = lowerExtension(path);
    return std::any_of(std::begin(exts), std::end(exts), [&](const char* e) { return ext == e; });
}

Result<cv::Mat> decodeTrainingImage(const std::string& path, std::uint64_t maxPixels) {
    std::vector<uchar> bytes;
    if (Status s = readFile(path, bytes); !s)
        return s;
    // The stored size of a PNG or JPEG from its header (the engine's parsers), so that huge images
    // are refused before their pixels are allocated; other formats, and headers the parsers
    // cannot read, are checked after decoding.
    const auto hs = ImageIO::probe(path);
    if (hs && (hs->format == "png" || hs->format == "jpeg") &&
        std::uint64_t(hs->width) * std::uint64_t(hs->height) > maxPixels)
        return Status::error(StatusCode::Unsupported,
                             "too large: " + sizeText(hs->width, hs->height) + " is more than " +
                                 std::to_string(maxPixels) + " pixels");
    cv::Mat img;
    try {
        // IMREAD_COLOR applies the EXIF orientation; ANYDEPTH keeps 16-bit photos 16-bit.
        img = cv::imdecode(bytes, cv::IMREAD_COLOR | cv::IMREAD_ANYDEPTH);
    } catch (const cv::Exception& e) {
        return Status::error(StatusCode::InvalidFile,
                             std::string("cannot be decoded: ") + e.what());
    }
    if (img.empty())
        return Status::error(StatusCode::InvalidFile,
                             "cannot be decoded (corrupt, truncated or not an image)");
    if (std::uint64_t(img.cols) * std::uint64_t(img.rows) > maxPixels)
        return Status::error(StatusCode::Unsupported, "too large: " + sizeText(img.cols, img.rows) +
                                                          " is more than " +
                                                          std::to_string(maxPixels) + " pixels");
    if (img.depth() != CV_8U && img.depth() != CV_16U) {
        // Float TIFFs and the like: training wants display-referred 8/16-bit photos.
        return Status::error(StatusCode::Unsupported, "unsupported pixel type (not 8 or 16 bit)");
    }
    if (img.channels() != 3)
        return Status::error(StatusCode::Unsupported, "unsupported channel count");
    return img;
}

Result<ScanReport> scanImageFolders(const std::vector<std::string>& folders,
                                    const ScanOptions& options, const JobControl& job) {
    if (folders.empty())
        return Status::error(StatusCode::InvalidArgument, "no training folder given");
    std::vector<std::string> candidates;
    ScanReport report;
    for (const std::string& folder : folders) {
        std::error_code ec;
        const fs::file_status st = fs::status(folder, ec);
        if (!fs::exists(st))
            return Status::error(StatusCode::NotFound,
                                 "training folder '" + folder + "' does not exist");
        if (!fs::is_directory(st))
            return Status::error(StatusCode::InvalidArgument, "'" + folder + "' is not a folder");
        const auto opts = fs::directory_options::skip_permission_denied;
        // Hidden files are skipped silently: thumbnails caches, editor sidecars, .DS_Store.
        auto consider = [&](const fs::directory_entry& e) {
            const std::string name = e.path().filename().string();
            std::error_code ec2;
            if (name.empty() || name[0] == '.' || !e.is_regular_file(ec2))
                return; // folders are walked by the iterator; sockets, fifos, dangling links
            candidates.push_back(e.path().lexically_normal().string());
        };
        if (options.recursive) {
            fs::recursive_directory_iterator it(folder, opts, ec), end;
            if (ec)
                return Status::error(StatusCode::IoError,
                                     "cannot list '" + folder + "': " + ec.message());
            for (; it != end; it.increment(ec)) {
                if (ec)
                    break;
                const std::string name = it->path().filename().string();
                if (!name.empty() && name[0] == '.' && it->is_directory(ec)) {
                    it.disable_recursion_pending();
                    continue;
                }
                consider(*it);
            }
            if (ec)
                return Status::error(StatusCode::IoError,
                                     "cannot list '" + folder + "': " + ec.message());
        } else {
            fs::directory_iterator it(folder, opts, ec), end;
            if (ec)
                return Status::error(StatusCode::IoError,
                                     "cannot list '" + folder + "': " + ec.message());
            for (; it != end; it.increment(ec)) {
                if (ec)
                    return Status::error(StatusCode::IoError,
                                         "cannot list '" + folder + "': " + ec.message());
                consider(*it);
            }
        }
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

    for (size_t i = 0; i < candidates.size(); ++i) {
        if (job.cancelled())
            return Status::error(StatusCode::Cancelled, "scan cancelled");
        job.report(double(i) / double(candidates.size()), "scan");
        const std::string& path = candidates[i];
        if (!isTrainingImageExtension(path)) {
            const std::string ext = fs::path(path).extension().string();
            report.skipped.push_back({path, ext.empty()
                                                ? "not an image file (no extension)"
                                                : "not an image file (extension " + ext + ")"});
            continue;
        }
        Result<cv::Mat> img = decodeTrainingImage(path, options.maxPixels);
        if (!img) {
            report.skipped.push_back({path, img.status().message()});
            continue;
        }
        const int w = img->cols, h = img->rows;
        if (std::min(w, h) < options.minSide) {
            report.skipped.push_back({path, "too small: " + sizeText(w, h) +
                                                " (the shorter side must be at least " +
                                                std::to_string(options.minSide) + " pixels)"});
            continue;
        }
        report.images.push_back({path, w, h});
    }
    job.report(1.0, "scan");
    return report;
}

Result<cv::Mat> decodeCentreCrop8(const std::string& path, int crop) {
    auto img = decodeTrainingImage(path);
    if (!img)
        return img.status();
    if (img->cols < crop || img->rows < crop)
        return Status::error(StatusCode::InvalidArgument,
                             path + ": smaller than " + std::to_string(crop) + " px");
    cv::Mat hr =
        (*img)(cv::Rect((img->cols - crop) / 2, (img->rows - crop) / 2, crop, crop)).clone();
    if (hr.depth() == CV_16U)
        hr.convertTo(hr, CV_8U, 255.0 / 65535.0);
    return hr;
}

} // namespace shiftsr::training
