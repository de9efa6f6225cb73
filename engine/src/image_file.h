// Private helpers for ImageIO and Metadata: whole-file reads, and container fixes Exiv2 0.27 needs.
#pragma once

#include "shiftsr/engine/status.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace shiftsr {

// Opens an image file for reading: NotFound, InvalidArgument for anything but a regular file (a
// folder, FIFO, device or socket; never blocks on one), IoError for OS errors. On success *file
// is open (caller closes) and *size is the size the file system reports.
Status openImageFile(const std::string& path, std::FILE** file, std::uint64_t* size);

// Reads all of `path` (a regular file, as openImageFile). InvalidFile when empty (0 bytes).

Status readWholeFile(const std::string& path, std::vector<std::uint8_t>& bytes);

// The EXIF orientation (1..8) of an image held in memory, 1 when absent or unreadable.
// Implemented in metadata.cpp, the one place that includes Exiv2.
int exifOrientationOf(const std::uint8_t* data, std::size_t size);

// Exiv2 0.27 writes a PNG iCCP chunk with an empty profile name, which libpng rejects (so
// viewers drop the profile): names such chunks "ICC profile". False when `png` is not a
// well-formed PNG; true otherwise, changed or not.
bool repairPngIccName(std::vector<std::uint8_t>& png);

// Exiv2 0.27 writes a WebP ICC profile under the wrong chunk id, so WebP profiles are handled
// here: the payload of the ICCP chunk (empty when none or not a WebP), and replacing it (an
// empty `icc` removes it) in an extended (VP8X) WebP. setWebpIccProfile returns false, leaving
// `webp` unchanged, when the file is not a well-formed extended WebP.
std::vector<std::uint8_t> webpIccProfile(const std::uint8_t* data, std::size_t size);
bool setWebpIccProfile(std::vector<std::uint8_t>& webp, const std::vector<std::uint8_t>& icc);

} // namespace shiftsr
