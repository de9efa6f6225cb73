// Private helpers shared by ImageIO and Metadata: whole-file reads with user-facing errors.
#pragma once

#include "shiftsr/engine/status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace shiftsr {

// Reads all of `path`. NotFound when it does not exist, InvalidArgument for a folder,
// InvalidFile when empty (0 bytes), IoError when it cannot be opened or read.
Status readWholeFile(const std::string& path, std::vector<std::uint8_t>& bytes);

// The EXIF orientation (1..8) of an image held in memory, 1 when absent or unreadable.
// Implemented in metadata.cpp, the one place that includes Exiv2.
int exifOrientationOf(const std::uint8_t* data, std::size_t size);

} // namespace shiftsr
