// Whole-file reads for image decoding and metadata parsing.
#include "image_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <new>

#include <sys/stat.h>

namespace shiftsr {

Status readWholeFile(const std::string& path, std::vector<std::uint8_t>& bytes) {
    bytes.clear();
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        const int err = errno;
        if (err == ENOENT || err == ENOTDIR)
            return Status::error(StatusCode::NotFound, "'" + path + "' does not exist");
        return Status::error(StatusCode::IoError,
                             "cannot open '" + path + "': " + std::strerror(err));
    }
    if (S_ISDIR(st.st_mode))
        return Status::error(StatusCode::InvalidArgument,
                             "'" + path + "' is a folder, not an image file");
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        const int err = errno;
        return Status::error(StatusCode::IoError,
                             "cannot open '" + path + "': " + std::strerror(err));
    }
    // st_size is only a hint (pipes, files growing under us): read until EOF.
    try {
        if (S_ISREG(st.st_mode) && st.st_size > 0 &&
            static_cast<unsigned long long>(st.st_size) < std::numeric_limits<std::size_t>::max())
            bytes.reserve(static_cast<std::size_t>(st.st_size));
        std::vector<std::uint8_t> chunk(std::size_t(1) << 16);
        for (;;) {
            const std::size_t n = std::fread(chunk.data(), 1, chunk.size(), f);
            bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
            if (n < chunk.size())
                break;
        }
    } catch (const std::bad_alloc&) {
        std::fclose(f);
        bytes.clear();
        return Status::error(StatusCode::OutOfMemory,
                             "out of memory reading '" + path + "' (" +
                                 formatBytes(static_cast<unsigned long long>(st.st_size)) + ")");
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

} // namespace shiftsr
