// Fuzz target: a model package's metadata as structured JSON. The input is one JSON object; each
// value that is not a string is written as its JSON text, the form a package stores (unet,
// schedule, codec_config, sampler, provenance). fuzz_safetensors reaches the same code through
// the container, where a mutation rarely lands inside such an escaped JSON string; here every
// mutation does. Then what `info` and the loader do with it: describePackage and
// Architecture::fromMetadata (and fromMetadata(toMetadata()) of what it accepted).
#include "shiftsr/engine/safetensors.h"
#include "shiftsr/nn/model_impl.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace shiftsr;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return 0;
    nlohmann::json metadata = nlohmann::json::object();
    for (const auto& [key, value] : j.items())
        metadata[key] = value.is_string() ? value.get<std::string>() : value.dump();
    std::string header = nlohmann::json{{"__metadata__", metadata}}.dump();
    std::string file(8, '\0');
    for (int i = 0; i < 8; ++i)
        file[static_cast<std::size_t>(i)] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
    file += header;

    auto package = SafeTensorsFile::openMemory(file.data(), file.size(), "fuzz.safetensors");
    if (!package)
        return 0;
    (void)describePackage(*package);
    auto arch = Architecture::fromMetadata(package->metadata());
    if (!arch)
        return 0;
    if (!Architecture::fromMetadata(arch->toMetadata()))
        std::abort();
    return 0;
}
