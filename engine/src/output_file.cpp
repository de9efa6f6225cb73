// Encode, embed metadata in memory, one atomic write (see output_file.h).
#include "shiftsr/engine/output_file.h"

#include "output_fault.h"
#include "shiftsr/nn/atomic_file.h"

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
    if (gOutputFault.load() ==
        int(OutputFault::Disk)) // half the bytes reach the disk, then it is full
        return writeFileAtomically(path, [&](std::FILE* f) -> Status {
            std::fwrite(encoded->data(), 1, encoded->size() / 2, f);
            return Status::error(StatusCode::IoError,
                                 "cannot write '" + path + "': " + std::strerror(ENOSPC));
        });
    return writeBytesAtomically(path, *encoded);
}

} // namespace shiftsr
