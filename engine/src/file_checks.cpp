// Checks shared by the model-file readers.
#include "file_checks.h"

#include <cerrno>
#include <cstring>

#include <sys/stat.h>

namespace shiftsr {

Result<std::uint64_t> regularFileSize(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        const int err = errno;
        if (err == ENOENT || err == ENOTDIR)
            return Status::error(StatusCode::NotFound, "file not found: " + path);
        return Status::error(StatusCode::IoError,
                             "cannot open '" + path + "': " + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode))
        return Status::error(StatusCode::InvalidFile, path + ": not a regular file");
    return static_cast<std::uint64_t>(st.st_size);
}

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i)
            out += ", ";
        out += std::to_string(shape[i]);
    }
    return out + "]";
}

} // namespace shiftsr
