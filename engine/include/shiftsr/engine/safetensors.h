// Reader and writer of the safetensors container: validated header, raw tensor bytes, string
// metadata.
#pragma once

#include "shiftsr/engine/status.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace shiftsr {

enum class DType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, Bool };

const char* dtypeName(DType dtype); // "F32", ...
std::size_t dtypeSize(DType dtype); // bytes per element
bool parseDType(const std::string& name, DType* out);

struct TensorEntry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0; // byte offsets relative to the start of the data section
    std::uint64_t end = 0;
    std::int64_t numel() const;
};

// An opened, fully validated safetensors file. Tensor data is read lazily from disk.
class SafeTensorsFile {
public:
    struct Limits {
        std::uint64_t maxHeaderBytes = 100ull << 20; // as the reference implementation
        std::uint64_t maxTensors = 1u << 20;
    };

    // Validates: file size >= 8, header length within limits and file, UTF-8 JSON object,
    // known dtypes, non-negative shapes, byte range == numel * dtype size, offsets inside the
    // data section, no overlaps, data section fully covered. Any violation is an InvalidFile error.
    static Result<SafeTensorsFile> open(const std::string& path);
    static Result<SafeTensorsFile> open(const std::string& path, const Limits& limits);
    // The same validation over bytes in memory that outlive the object (embedded models).
    // `name` stands for the path in messages.
    static Result<SafeTensorsFile> openMemory(const void* data, std::size_t size,
                                              const std::string& name);

    const std::string& path() const { return path_; }
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    const std::vector<TensorEntry>& tensors() const { return tensors_; } // sorted by offset
    const TensorEntry* find(const std::string& name) const;
    std::uint64_t dataOffset() const { return dataOffset_; } // absolute offset of the data section

    // Reads one tensor's raw little-endian bytes.
    Status read(const TensorEntry& entry, void* dst, std::size_t dstBytes) const;
    Result<std::vector<std::uint8_t>> read(const std::string& name) const;

private:
    std::string path_;
    std::map<std::string, std::string> metadata_;
    std::vector<TensorEntry> tensors_;
    std::map<std::string, std::size_t> index_;
    std::uint64_t dataOffset_ = 0;
    const unsigned char* memory_ = nullptr; // non-null for openMemory
    std::size_t memorySize_ = 0;
};

// Collects tensors (copied) and writes them atomically: temporary file in the target folder,
// flush, then rename, so a failed or cancelled write never leaves a partial file behind.
class SafeTensorsWriter {
public:
    void setMetadata(const std::string& key, const std::string& value);
    Status add(const std::string& name, DType dtype, const std::vector<std::int64_t>& shape,
               const void* data, std::size_t bytes);
    bool contains(const std::string& name) const;
    Status write(const std::string& path) const;

private:
    struct Pending {
        TensorEntry entry;
        std::vector<std::uint8_t> bytes;
    };
    std::map<std::string, std::string> metadata_;
    std::vector<Pending> tensors_;
    std::map<std::string, std::size_t> index_;
};

} // namespace shiftsr
