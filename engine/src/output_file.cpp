// Encode, embed metadata in memory, one atomic write (see output_file.h).
#include "shiftsr/engine/output_file.h"

#include "atomic_file.h"
#include "output_fault.h"

#include <cerrno>
#include <cstring>

namespace shiftsr {

std::atomic<int> gOutputFault{0};

Status writeOutputImage(const std::string& path, const cv::Mat& color, const cv::Mat& alpha,
                        const ImageWriteOptions& options, const Metadata& metadata,
                        const Provenance& provenance, std::string* warning) {
    auto encoded = ImageIO::encode(path, color, alpha, options, warning);
    if (!encoded)
        return encoded.status();
    Status s = gOutputFault.load() == int(OutputFault::Metadata)
                   ? Status::error(StatusCode::Internal,
                                   "cannot write metadata into '" + path + "': injected failure")
                   : metadata.embedInto(*encoded, color.cols, color.rows, provenance, path);
    if (!s)
        return s;
    return writeFileAtomically(path, [&](std::FILE* f) -> Status {
        const std::size_t n =
            gOutputFault.load() == int(OutputFault::Disk) ? encoded->size() / 2 : encoded->size();
        if (std::fwrite(encoded->data(), 1, n, f) != encoded->size()) {
            const int err = gOutputFault.load() == int(OutputFault::Disk) ? ENOSPC : errno;
            return Status::error(StatusCode::IoError,
                                 "cannot write '" + path + "': " + std::strerror(err));
        }
        return Status::ok();
    });
}

} // namespace shiftsr
