// Image file headers (JPEG, PNG, TIFF, WebP, BMP), read before any pixel is decoded: the format
// from the magic bytes and the stored size, through bounds-checked byte sources. Shared by the
// ImageIO files (image_header.cpp, image_decode.cpp, image_write.cpp).
#pragma once

#include "shiftsr/engine/status.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace shiftsr::image {

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

struct Header {
    std::uint64_t width = 0, height = 0;
    std::string format;
    bool grayHint = false; // the file stores gray samples, even if OpenCV hands back BGR(A)
    // TIFF only: where IFD0's Orientation value sits (0: no such tag), and the byte order.
    std::uint64_t tiffOrientationAt = 0;
    bool bigEndian = false;
};

// "JPEG", "PNG", "TIFF", "WebP", "BMP": a format as messages name it.
std::string displayName(const std::string& format);

// Detects the format from the magic bytes and reads the stored size from the header.
Status parseHeader(ByteSource& s, const std::string& path, Header& h);

// 0 means no limit. Sides past 2^31 are refused always: no decoder here handles them, and the
// product could overflow.
bool exceedsLimit(std::uint64_t w, std::uint64_t h, std::uint64_t maxPixels);
Status tooLarge(const std::string& path, std::uint64_t w, std::uint64_t h, std::uint64_t maxPixels);

} // namespace shiftsr::image
