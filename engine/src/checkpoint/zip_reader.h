// The zip container of torch.save checkpoints: central directory (ZIP64 included), local
// headers, stored and deflate entries checked against their CRC-32, all read at file offsets.
#pragma once

#include "shiftsr/nn/torch_checkpoint.h"

#include "shiftsr/engine/status.h"

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace shiftsr::checkpoint {

// A regular file read at offsets; a read beyond the size seen by open() is an InvalidFile error.
class InputFile {
public:
    Status open(const std::string& path);
    std::uint64_t size() const { return size_; }

    // Reads exactly n bytes at offset; the caller has checked offset + n <= size().
    Status readAt(std::uint64_t offset, void* dst, std::uint64_t n);

private:
    std::string path_;
    std::ifstream in_;
    std::uint64_t size_ = 0;
};

using ZipEntry = TorchCheckpoint::ZipEntry;

// All entries of the archive's central directory. A file that is no zip archive is named when it
// can be (a legacy torch.save pickle, a safetensors file).
Status readCentralDirectory(InputFile& file, const std::string& path,
                            std::vector<ZipEntry>* entries);

// Finds where an entry's data begins (local header's own name/extra lengths) and checks bounds.
Status resolveEntry(InputFile& file, const std::string& path, ZipEntry* z);

// Reads (and inflates) a resolved entry, checking its CRC-32 when the archive recorded one.
Status readEntry(InputFile& file, const std::string& path, const ZipEntry& z,
                 std::vector<std::uint8_t>* out);

} // namespace shiftsr::checkpoint
