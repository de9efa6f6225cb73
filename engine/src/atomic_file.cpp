// Atomic file replacement (POSIX): mkstemp + fsync + rename.
#include "shiftsr/nn/atomic_file.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <new>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace shiftsr {
namespace {

std::string osError(int err) {
    return std::strerror(err);
}

std::string parentFolder(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    if (slash == std::string::npos)
        return ".";
    if (slash == 0)
        return "/";
    return path.substr(0, slash);
}

// The process umask without changing it (Linux >= 4.7 reports it in /proc/self/status).
mode_t currentUmask() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.compare(0, 6, "Umask:") == 0)
            return static_cast<mode_t>(std::strtoul(line.c_str() + 6, nullptr, 8) & 0777);
    }
    return 022;
}

void syncFolder(const std::string& folder) {
    // Best effort: makes the rename itself durable; failures here do not fail the write.
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)::fsync(fd);
        ::close(fd);
    }
}

} // namespace

Status writeFileAtomically(const std::string& path,
                           const std::function<Status(std::FILE*)>& writer) {
    if (path.empty())
        return Status::error(StatusCode::InvalidArgument, "cannot write a file with an empty path");
    if (path.back() == '/')
        return Status::error(StatusCode::InvalidArgument,
                             "cannot write '" + path + "': the path names a folder");

    std::vector<char> tmpName(path.begin(), path.end());
    const char suffix[] = ".tmp-XXXXXX";
    tmpName.insert(tmpName.end(), suffix, suffix + sizeof(suffix)); // includes the NUL
    const int fd = ::mkstemp(tmpName.data());
    if (fd < 0) {
        const int err = errno;
        return Status::error(StatusCode::IoError, "cannot create a temporary file in '" +
                                                      parentFolder(path) + "' to write '" + path +
                                                      "': " + osError(err));
    }
    const std::string tmpPath(tmpName.data());

    std::FILE* file = ::fdopen(fd, "wb");
    if (!file) {
        const int err = errno;
        ::close(fd);
        ::unlink(tmpPath.c_str());
        return Status::error(StatusCode::IoError,
                             "cannot write '" + tmpPath + "': " + osError(err));
    }

    auto fail = [&](Status status) {
        if (file)
            std::fclose(file);
        ::unlink(tmpPath.c_str());
        return status;
    };

    Status status;
    try {
        status = writer(file);
    } catch (const std::bad_alloc&) {
        return fail(
            Status::error(StatusCode::OutOfMemory, "out of memory while writing '" + path + "'"));
    } catch (const std::exception& e) {
        return fail(Status::error(StatusCode::Internal,
                                  "unexpected error while writing '" + path + "': " + e.what()));
    } catch (...) {
        return fail(
            Status::error(StatusCode::Internal, "unexpected error while writing '" + path + "'"));
    }
    if (!status.isOk())
        return fail(status);

    if (std::fflush(file) != 0 || std::ferror(file)) {
        const int err = errno;
        return fail(
            Status::error(StatusCode::IoError, "cannot write '" + path + "': " + osError(err)));
    }

    // Permissions: those of the file being replaced, else the usual 0666 & ~umask
    // (mkstemp creates 0600).
    struct stat existing {};
    const mode_t mode = ::stat(path.c_str(), &existing) == 0 ? (existing.st_mode & 07777)
                                                             : (0666 & ~currentUmask());
    (void)::fchmod(fd, mode);

    if (::fsync(fd) != 0) {
        const int err = errno;
        return fail(Status::error(StatusCode::IoError,
                                  "cannot write '" + path + "' to disk: " + osError(err)));
    }
    const int closeResult = std::fclose(file);
    file = nullptr;
    if (closeResult != 0) {
        const int err = errno;
        return fail(
            Status::error(StatusCode::IoError, "cannot write '" + path + "': " + osError(err)));
    }
    if (::rename(tmpPath.c_str(), path.c_str()) != 0) {
        const int err = errno;
        return fail(
            Status::error(StatusCode::IoError, "cannot replace '" + path + "': " + osError(err)));
    }
    syncFolder(parentFolder(path));
    return Status::ok();
}

Status writeBytesAtomically(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    return writeFileAtomically(path, [&](std::FILE* f) -> Status {
        if (std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
            const int err = errno;
            return Status::error(StatusCode::IoError,
                                 "cannot write '" + path + "': " + osError(err));
        }
        return Status::ok();
    });
}

} // namespace shiftsr
