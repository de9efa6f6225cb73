// The engine's one reader of byte orders: little- and big-endian integers loaded from bytes whose
// bounds the caller has checked, and ByteReader, whose reads at an offset of a buffer or a file
// fail instead of running past its end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace shiftsr::bytes {

inline std::uint16_t le16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] | p[1] << 8);
}
inline std::uint32_t le32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
           std::uint32_t(p[3]) << 24;
}
inline std::uint64_t le64(const std::uint8_t* p) {
    return std::uint64_t(le32(p)) | std::uint64_t(le32(p + 4)) << 32;
}

inline std::uint16_t be16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}
inline std::uint32_t be32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 |
           std::uint32_t(p[3]);
}
inline std::uint64_t be64(const std::uint8_t* p) {
    return std::uint64_t(be32(p)) << 32 | std::uint64_t(be32(p + 4));
}

// Random access to the bytes of a file or of a buffer with bounds-checked integer reads: each
// returns false, leaving `v` as it was, when [at, at + width) is not entirely inside the source.
class ByteReader {
public:
    virtual ~ByteReader() = default;
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
        v = bigEndian ? be16(b) : le16(b);
        return true;
    }
    bool u32(std::uint64_t at, bool bigEndian, std::uint32_t& v) {
        std::uint8_t b[4];
        if (!readAt(at, b, 4))
            return false;
        v = bigEndian ? be32(b) : le32(b);
        return true;
    }
    bool u64(std::uint64_t at, bool bigEndian, std::uint64_t& v) {
        std::uint8_t b[8];
        if (!readAt(at, b, 8))
            return false;
        v = bigEndian ? be64(b) : le64(b);
        return true;
    }
};

// A ByteReader over a buffer it does not own.
class MemoryReader : public ByteReader {
public:
    MemoryReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
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

} // namespace shiftsr::bytes
