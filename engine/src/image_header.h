// Image file headers (JPEG, PNG, TIFF, WebP, BMP), read before any pixel is decoded: the format
// from the magic bytes and the stored size, through bounds-checked byte readers. Shared by the
// ImageIO files (image_header.cpp, image_decode.cpp, image_write.cpp).
#pragma once

#include "byte_reader.h"

#include "shiftsr/engine/status.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace shiftsr::image {

// One set of header parsers serves probe(), which reads only the header of a file, and read(),
// which holds the whole file in memory: they read through a ByteReader.
using bytes::ByteReader;
using bytes::MemoryReader;

struct Header {
    std::uint64_t width = 0, height = 0;
    std::string format;
    bool grayHint = false; // the file stores gray samples, even if OpenCV hands back BGR(A)
    // TIFF only: where IFD0's Orientation value sits (0: no such tag), and the byte order.
    std::uint64_t tiffOrientationAt = 0;
    bool bigEndian = false;
    // The fewest bytes a file of this encoding needs to hold the pixels its header claims
    // (0: no sound bound for it); see pixelClaimBound() in image_header.cpp for each format.
    std::uint64_t minFileBytes = 0;
};

// "JPEG", "PNG", "TIFF", "WebP", "BMP": a format as messages name it.
std::string displayName(const std::string& format);

// Detects the format from the magic bytes and reads the stored size from the header.
Status parseHeader(ByteReader& s, const std::string& path, Header& h);

// InvalidFile when a file of `fileSize` bytes cannot hold the pixels its header claims
// (Header::minFileBytes): refused before a decoder allocates the image or spends time on it.
Status checkPixelClaim(const std::string& path, const Header& h, std::uint64_t fileSize);

// 0 means no limit. Sides past 2^31 are refused always: no decoder here handles them, and the
// product could overflow.
bool exceedsLimit(std::uint64_t w, std::uint64_t h, std::uint64_t maxPixels);
Status tooLarge(const std::string& path, std::uint64_t w, std::uint64_t h, std::uint64_t maxPixels);

} // namespace shiftsr::image
