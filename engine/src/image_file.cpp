// Whole-file reads, and the PNG/WebP chunk edits that work around Exiv2 0.27.
#include "image_file.h"

#include "byte_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <new>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace shiftsr {
namespace {

void putBe32(std::uint8_t* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

void putLe32(std::uint8_t* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

struct RiffChunk {
    std::size_t at;     // offset of the fourcc
    std::size_t length; // payload bytes, without the pad byte
};

// The top-level chunks of a RIFF/WEBP file; false when a chunk runs past the end.
bool webpChunks(const std::uint8_t* d, std::size_t n, std::vector<RiffChunk>& chunks) {
    if (n < 12 || std::memcmp(d, "RIFF", 4) != 0 || std::memcmp(d + 8, "WEBP", 4) != 0)
        return false;
    const std::size_t end = std::min<std::size_t>(n, std::size_t(bytes::le32(d + 4)) + 8);
    std::size_t pos = 12;
    while (end - pos >= 8) {
        const std::size_t len = bytes::le32(d + pos + 4);
        if (len > end - pos - 8)
            return false;
        chunks.push_back({pos, len});
        pos += 8 + len + (len & 1); // may pass `end` by a missing final pad byte
    }
    return !chunks.empty();
}

} // namespace

namespace {

// What a non-regular file is, for the message that refuses it.
const char* fileKind(mode_t mode) {
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "a special file";
}

Status notRegular(const std::string& path, mode_t mode) {
    if (S_ISDIR(mode))
        return Status::error(StatusCode::InvalidArgument,
                             "'" + path + "' is a folder, not an image file");
    return Status::error(StatusCode::InvalidArgument,
                         "'" + path + "' is " + fileKind(mode) + ", not an image file");
}

} // namespace

// Only regular files are read: a FIFO would block open() and read() forever, a device could
// stream without end. stat() refuses them before open(); O_NONBLOCK and fstat() on the opened
// descriptor close the race in which the path is swapped for a FIFO between the two calls.
Status openImageFile(const std::string& path, std::FILE** file, std::uint64_t* size) {
    *file = nullptr;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        const int err = errno;
        if (err == ENOENT || err == ENOTDIR)
            return Status::error(StatusCode::NotFound, "'" + path + "' does not exist");
        return Status::error(StatusCode::IoError,
                             "cannot open '" + path + "': " + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode))
        return notRegular(path, st.st_mode);
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        return Status::error(StatusCode::IoError,
                             "cannot open '" + path + "': " + std::strerror(err));
    }
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const mode_t mode = st.st_mode;
        ::close(fd);
        return notRegular(path, mode);
    }
    std::FILE* f = ::fdopen(fd, "rb");
    if (!f) {
        const int err = errno;
        ::close(fd);
        return Status::error(StatusCode::IoError,
                             "cannot open '" + path + "': " + std::strerror(err));
    }
    *file = f;
    *size = static_cast<std::uint64_t>(st.st_size);
    return Status::ok();
}

Status readWholeFile(const std::string& path, std::vector<std::uint8_t>& bytes) {
    bytes.clear();
    std::FILE* f = nullptr;
    std::uint64_t fileSize = 0;
    if (Status s = openImageFile(path, &f, &fileSize); !s)
        return s;
    // st_size is only a hint (a file growing under us): read until EOF.
    try {
        if (fileSize > 0 && fileSize < std::numeric_limits<std::size_t>::max())
            bytes.reserve(static_cast<std::size_t>(fileSize));
        std::vector<std::uint8_t> chunk(std::size_t(1) << 16);
        for (;;) {
            const std::size_t n = std::fread(chunk.data(), 1, chunk.size(), f);
            bytes.insert(bytes.end(), chunk.begin(),
                         chunk.begin() + static_cast<std::ptrdiff_t>(n));
            if (n < chunk.size())
                break;
        }
    } catch (const std::bad_alloc&) {
        std::fclose(f);
        bytes.clear();
        return Status::error(StatusCode::OutOfMemory,
                             "out of memory reading '" + path + "' (" +
                                 formatBytes(static_cast<unsigned long long>(fileSize)) + ")");
    }
    const bool failed = std::ferror(f) != 0;
    const int err = errno;
    std::fclose(f);
    if (failed) {
        bytes.clear();
        return Status::error(StatusCode::IoError,
                             "cannot read '" + path + "': " + std::strerror(err));
    }
    if (bytes.empty())
        return Status::error(StatusCode::InvalidFile, "'" + path + "' is empty (0 bytes)");
    return Status::ok();
}

bool repairPngIccName(std::vector<std::uint8_t>& png) {
    static const char kName[] = "ICC profile";
    const std::size_t nameLength = sizeof(kName) - 1;
    if (png.size() < 8 || std::memcmp(png.data(), "\x89PNG\r\n\x1A\n", 8) != 0)
        return false;
    std::size_t pos = 8;
    while (png.size() - pos >= 12) {
        const std::size_t len = bytes::be32(png.data() + pos);
        if (len > png.size() - pos - 12)
            return false;
        const std::uint8_t* type = png.data() + pos + 4;
        if (std::memcmp(type, "iCCP", 4) == 0 && len > 0 && png[pos + 8] == 0) {
            png.insert(png.begin() + static_cast<std::ptrdiff_t>(pos + 8), kName,
                       kName + nameLength);
            const std::size_t newLength = len + nameLength;
            putBe32(png.data() + pos, static_cast<std::uint32_t>(newLength));
            // The CRC covers the chunk type and data.
            const uLong crc = ::crc32(0L, png.data() + pos + 4, static_cast<uInt>(newLength + 4));
            putBe32(png.data() + pos + 8 + newLength, static_cast<std::uint32_t>(crc));
            return true;
        }
        if (std::memcmp(type, "IEND", 4) == 0)
            return true;
        pos += 12 + len;
    }
    return false;
}

std::vector<std::uint8_t> webpIccProfile(const std::uint8_t* data, std::size_t size) {
    std::vector<RiffChunk> chunks;
    if (!webpChunks(data, size, chunks))
        return {};
    for (const RiffChunk& c : chunks)
        if (std::memcmp(data + c.at, "ICCP", 4) == 0)
            return std::vector<std::uint8_t>(data + c.at + 8, data + c.at + 8 + c.length);
    return {};
}

bool setWebpIccProfile(std::vector<std::uint8_t>& webp, const std::vector<std::uint8_t>& icc) {
    std::vector<RiffChunk> chunks;
    if (!webpChunks(webp.data(), webp.size(), chunks) ||
        std::memcmp(webp.data() + chunks[0].at, "VP8X", 4) != 0 || chunks[0].length < 10)
        return false;
    // Rebuilt as: header, VP8X, ICCP (the spec wants it right after VP8X), every other chunk.
    std::vector<std::uint8_t> out(webp.begin(), webp.begin() + 12);
    auto append = [&](std::size_t from, std::size_t bytes) {
        bytes = std::min(bytes, webp.size() - from); // a last odd chunk may lack its pad byte
        out.insert(out.end(), webp.begin() + static_cast<std::ptrdiff_t>(from),
                   webp.begin() + static_cast<std::ptrdiff_t>(from + bytes));
    };
    const std::size_t vp8xAt = out.size();
    append(chunks[0].at, 8 + chunks[0].length + (chunks[0].length & 1));
    if (!icc.empty()) {
        std::uint8_t head[8] = {'I', 'C', 'C', 'P', 0, 0, 0, 0};
        putLe32(head + 4, static_cast<std::uint32_t>(icc.size()));
        out.insert(out.end(), head, head + 8);
        out.insert(out.end(), icc.begin(), icc.end());
        if (icc.size() & 1)
            out.push_back(0);
    }
    for (std::size_t i = 1; i < chunks.size(); ++i)
        if (std::memcmp(webp.data() + chunks[i].at, "ICCP", 4) != 0)
            append(chunks[i].at, 8 + chunks[i].length + (chunks[i].length & 1));
    const std::uint8_t iccFlag = 0x20;
    std::uint8_t& flags = out[vp8xAt + 8];
    flags = static_cast<std::uint8_t>(icc.empty() ? (flags & ~iccFlag) : (flags | iccFlag));
    putLe32(out.data() + 4, static_cast<std::uint32_t>(out.size() - 8));
    webp.swap(out);
    return true;
}

} // namespace shiftsr
