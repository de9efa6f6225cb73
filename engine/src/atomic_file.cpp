// Atomic file replacement (Linux): an unnamed O_TMPFILE (mkstemp where the file system lacks it),
// fsync, then a name only at the end: linkat to the target, or to a hidden name renamed over it.
#include "shiftsr/nn/atomic_file.h"

#include <atomic>
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

// The file name part of `path`.
std::string baseName(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// ".NAME.tmp-PID-N" beside `path`: hidden, and unique within and across processes, for the short
// moment between linking the finished file and renaming it over the one it replaces.
std::string hiddenName(const std::string& path) {
    static std::atomic<unsigned> counter{0};
    const std::size_t slash = path.find_last_of('/');
    const std::string folder = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    return folder + "." + baseName(path) + ".tmp-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter.fetch_add(1));
}

// An unnamed file in `folder` (O_TMPFILE): what is written into it has no name until linkat
// gives it one, so a process killed while writing leaves nothing behind. -1 where the kernel or
// the file system cannot do it (EOPNOTSUPP, EISDIR or EINVAL on old kernels), or where /proc is
// not mounted (linkat needs /proc/self/fd to name the file without CAP_DAC_READ_SEARCH).
int openUnnamed(const std::string& folder) {
#ifdef O_TMPFILE
    if (::access("/proc/self/fd", X_OK) != 0)
        return -1;
    return ::open(folder.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
#else
    (void)folder;
    return -1;
#endif
}

// Gives the unnamed file `fd` the name `name` (fails with EEXIST where the name is taken).
int linkUnnamed(int fd, const std::string& name) {
    const std::string self = "/proc/self/fd/" + std::to_string(fd);
    return ::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW);
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

    // The unnamed file where the system has it; else a hidden mkstemp file (which a process
    // killed while writing leaves behind, hidden, with the pid of its writer in the name).
    const std::string folder = parentFolder(path);
    int fd = openUnnamed(folder);
    const bool unnamed = fd >= 0;
    std::string tmpPath; // the temporary name, while there is one (removed on failure)
    if (!unnamed) {
        std::string pattern = hiddenName(path) + "-XXXXXX";
        std::vector<char> tmpName(pattern.begin(), pattern.end());
        tmpName.push_back('\0');
        fd = ::mkstemp(tmpName.data());
        if (fd < 0) {
            const int err = errno;
            return Status::error(StatusCode::IoError, "cannot create a temporary file in '" +
                                                          folder + "' to write '" + path +
                                                          "': " + osError(err));
        }
        tmpPath = tmpName.data();
    }

    std::FILE* file = ::fdopen(fd, "wb");
    if (!file) {
        const int err = errno;
        ::close(fd);
        if (!tmpPath.empty())
            ::unlink(tmpPath.c_str());
        return Status::error(StatusCode::IoError, "cannot write '" + path + "': " + osError(err));
    }

    auto fail = [&](Status status) {
        if (file)
            std::fclose(file); // an unnamed file vanishes with its last descriptor
        if (!tmpPath.empty())
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
    // (both ways of creating the file give 0600).
    struct stat existing {};
    const mode_t mode = ::stat(path.c_str(), &existing) == 0 ? (existing.st_mode & 07777)
                                                             : (0666 & ~currentUmask());
    (void)::fchmod(fd, mode);

    if (::fsync(fd) != 0) {
        const int err = errno;
        return fail(Status::error(StatusCode::IoError,
                                  "cannot write '" + path + "' to disk: " + osError(err)));
    }
    // A name only now, for the complete file. A new file: linkat straight to `path`, atomic, and no
    // other name ever exists. Replacing a file: linkat to a hidden name, then rename over `path`
    // (linkat cannot replace); a kill in the few microseconds between the two leaves that hidden
    // complete copy, never a partial file or a damaged `path`. linkat needs the descriptor open.
    if (unnamed && linkUnnamed(fd, path) != 0) {
        const int linkErr = errno;
        if (linkErr != EEXIST)
            return fail(Status::error(StatusCode::IoError,
                                      "cannot create '" + path + "': " + osError(linkErr)));
        tmpPath = hiddenName(path);
        if (linkUnnamed(fd, tmpPath) != 0) {
            const int err = errno;
            tmpPath.clear();
            return fail(Status::error(StatusCode::IoError, "cannot create a temporary file in '" +
                                                               folder + "' to write '" + path +
                                                               "': " + osError(err)));
        }
    }
    const int closeResult = std::fclose(file);
    file = nullptr;
    if (closeResult != 0) {
        const int err = errno;
        if (unnamed && tmpPath.empty()) // already linked as `path`: it is complete and synced
            return Status::ok();
        return fail(
            Status::error(StatusCode::IoError, "cannot write '" + path + "': " + osError(err)));
    }
    if (!tmpPath.empty() && ::rename(tmpPath.c_str(), path.c_str()) != 0) {
        const int err = errno;
        return fail(
            Status::error(StatusCode::IoError, "cannot replace '" + path + "': " + osError(err)));
    }
    syncFolder(folder);
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
