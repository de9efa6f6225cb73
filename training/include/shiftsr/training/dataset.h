// Training photo folders: a deterministic scan keeping usable photos, with a reason for each skip.
#pragma once

#include "shiftsr/engine/progress.h"
#include "shiftsr/engine/status.h"

#include <opencv2/core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace shiftsr::training {

struct ImageRecord {
    std::string path;
    int width = 0, height = 0; // upright (after EXIF orientation), as the loader will see it
};

struct SkippedFile {
    std::string path, reason;
};

struct ScanOptions {
    int minSide = 64;      // shorter side below this: skipped as too small
    bool recursive = true; // descend into sub-folders (hidden ones are never entered)
    std::uint64_t maxPixels = 100'000'000; // larger images are skipped, not decoded for training
};

struct ScanReport {
    std::vector<ImageRecord> images; // sorted by path (byte order), no duplicates
    std::vector<SkippedFile> skipped;
};

// Lists the image files (.png .jpg .jpeg .webp .bmp .tif .tiff, any case) under `folders` and
// decodes each once to prove it is usable, so training never meets a broken file it could have
// known about. Files with other extensions, empty, unreadable, corrupt, too small or too large
// files are reported in `skipped` with a reason; hidden files and folders (leading '.') are
// ignored silently. Directory symlinks are not followed (no cycles), file symlinks are.
// Errors: InvalidArgument (no folders), NotFound (a folder does not exist), InvalidArgument (a
// path is not a folder), Cancelled. Progress: one report per file, stage "scan".
Result<ScanReport> scanImageFolders(const std::vector<std::string>& folders,
                                    const ScanOptions& options = {}, const JobControl& job = {});

// The decoder shared by the scan and the loader: an upright colour image, CV_8UC3 or CV_16UC3
// BGR as stored (grey is expanded, alpha dropped). Errors carry the reason a user can act on.
Result<cv::Mat> decodeTrainingImage(const std::string& path, std::uint64_t maxPixels = 100'000'000);

// The ground truth that `shiftsr-cli eval` and `shiftsr-train reconstruct` measure against: the
// photo decoded (decodeTrainingImage), its centre `crop` x `crop` (both sides at least `crop`),
// 8-bit BGR.
Result<cv::Mat> decodeCentreCrop8(const std::string& path, int crop);

// True for the extensions scanImageFolders accepts.
bool isTrainingImageExtension(const std::string& path);

} // namespace shiftsr::training
