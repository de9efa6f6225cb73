// Safe reader of torch.save zip checkpoints (PyTorch >= 1.6): zip container + restricted
// unpickler that executes nothing and only understands state dicts of plain tensors.
#pragma once

#include "shiftsr/engine/safetensors.h"
#include "shiftsr/engine/status.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace shiftsr {

struct CheckpointTensor {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::vector<std::int64_t> stride; // in elements
    std::int64_t storageOffset = 0;   // in elements
    std::string storageKey;           // the archive entry "<archive>/data/<storageKey>"
};

class TorchCheckpoint {
public:
    // Opens and validates the archive and its pickle; reads no tensor data yet.
    // Errors: NotFound (no such file), InvalidFile (not a zip / truncated / corrupt pickle /
    // inconsistent storages), Unsupported (legacy format, a global outside the whitelist,
    // unsupported storage type or compression, no recognisable state dict).
    static Result<TorchCheckpoint> open(const std::string& path);

    // The state dict found in the file, keys as stored after unwrapping, in file order.
    const std::vector<CheckpointTensor>& tensors() const { return tensors_; }
    const CheckpointTensor* find(const std::string& name) const;

    // Materialises the tensor as contiguous little-endian bytes (handles strides and storage
    // offset). numel * dtypeSize(dtype) bytes.
    Result<std::vector<std::uint8_t>> readContiguous(const CheckpointTensor& t) const;

    // Which nesting key(s) held the state dict: "" for a bare state dict, else e.g.
    // "state_dict" or "model.state_dict" (two levels, joined with '.').
    std::string unwrappedFrom() const { return unwrappedFrom_; }
    // True when every key carried a "module." prefix (DataParallel / DDP) that was removed.
    bool strippedModulePrefix() const { return strippedModulePrefix_; }

    const std::string& path() const { return path_; }
    // The archive folder inside the zip (e.g. "archive"), without the trailing '/'.
    const std::string& archiveName() const { return archiveName_; }

    struct ZipEntry {
        std::string name;
        std::uint16_t flags = 0;
        std::uint16_t method = 0; // 0 stored, 8 deflate
        std::uint32_t crc32 = 0;
        std::uint64_t compressedSize = 0;
        std::uint64_t size = 0; // uncompressed
        std::uint64_t localHeaderOffset = 0;
        std::uint64_t dataOffset = 0; // resolved from the local header (0 until resolved)
    };

private:
    std::string path_;
    std::string archiveName_;
    std::string unwrappedFrom_;
    bool strippedModulePrefix_ = false;
    std::vector<CheckpointTensor> tensors_;
    std::map<std::string, std::size_t> index_;
    std::map<std::string, ZipEntry> storages_; // storage key -> its resolved zip entry
};

} // namespace shiftsr
