// Fuzz target: a model package's safetensors header and metadata, as `info` and the loader read
// them (SafeTensorsFile::openMemory, every tensor's bytes, Architecture::fromMetadata,
// describePackage); no network is built.
#include "shiftsr/engine/safetensors.h"
#include "shiftsr/nn/model_impl.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

using namespace shiftsr;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto file = SafeTensorsFile::openMemory(data, size, "fuzz.safetensors");
    if (!file)
        return 0;
    // The validated layout promises that every tensor's bytes lie inside the input.
    std::vector<std::uint8_t> bytes;
    for (const TensorEntry& e : file->tensors()) {
        bytes.resize(static_cast<std::size_t>(e.end - e.begin));
        if (!file->read(e, bytes.data(), bytes.size()).isOk())
            std::abort();
    }
    const ModelInfo info = describePackage(*file);
    (void)info;
    auto arch = Architecture::fromMetadata(file->metadata());
    if (!arch)
        return 0;
    // What the loader accepted, written back as metadata, is accepted again (convert and the
    // trainers write packages this way).
    if (!Architecture::fromMetadata(arch->toMetadata()))
        std::abort();
    return 0;
}
