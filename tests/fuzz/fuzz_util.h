// Shared by the libFuzzer targets: a scratch file for the readers that take a path.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace shiftsr::fuzz {

// This process's scratch folder under $TMPDIR, else /dev/shm (memory: rewriting a file on ext4
// each execution flushes it to the disk and costs milliseconds), else /tmp; removed with its
// files at exit, so that a campaign leaves nothing behind.
class ScratchDir {
public:
    ScratchDir() {
        const char* tmp = std::getenv("TMPDIR");
        const bool shm = ::access("/dev/shm", W_OK) == 0;
        path_ = std::string(tmp && *tmp ? tmp : shm ? "/dev/shm" : "/tmp") + "/shiftsr-fuzz-XXXXXX";
        if (!::mkdtemp(path_.data()))
            std::abort();
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

inline const std::string& scratchDir() {
    static const ScratchDir dir;
    return dir.path();
}

// Writes the input to the scratch file `name` (replacing the previous execution's) and returns
// its path: the readers under test see an ordinary regular file.
inline std::string scratchFile(const char* name, const std::uint8_t* data, std::size_t size) {
    const std::string path = scratchDir() + "/" + name;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        std::abort();
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::write(fd, data + done, size - done);
        if (n <= 0)
            std::abort();
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return path;
}

} // namespace shiftsr::fuzz
