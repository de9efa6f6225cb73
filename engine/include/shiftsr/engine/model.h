// A model package: one .safetensors file (unet.*, codec.*) whose metadata describes the
// architecture.
#pragma once

#include "shiftsr/engine/status.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace shiftsr {

// What a package says about itself; read from the header alone (no weights are loaded).
struct ModelInfo {
    std::string source; // file path or "embedded:<name>"
    std::string name;   // display name
    std::string family; // "resshift" | "yonos"
    std::string codec;  // "vq-f4" | "unshuffle-f4" | "kl-f8"
    int scale = 4;
    int steps = 4;        // default inference steps (1 for one-step students)
    int trainedSteps = 4; // T of the diffusion schedule
    std::int64_t unetParameters = 0;
    std::int64_t codecParameters = 0;
    std::uint64_t fileBytes = 0;
    std::string contentHash; // hex FNV-1a 64 of the tensor bytes' header, identifies the package
    std::map<std::string, std::string> metadata; // every __metadata__ entry as stored
};

struct LoadOptions {
    std::string device = "auto";    // auto | cpu | cuda
    std::string precision = "fp32"; // fp32 | bf16 | fp16 | auto
};

// Loaded weights and their architecture. Immutable after load; share it between sessions.
class Model {
public:
    // `hashContent` false: contentHash is left empty unless this process already knows it (a
    // package of hundreds of MB takes seconds to hash; listings hash in the background).
    static Result<ModelInfo> inspect(const std::string& path, bool hashContent = true);
    // The package file's sha256, computed once per (path, size, modification time) and cached
    // for the process; empty when unreadable or when `cancel` turns true. Any thread.
    static std::string contentHash(const std::string& path,
                                   const std::atomic<bool>* cancel = nullptr);
    // The cached hash only (no reading); empty when not known for the file as it is now.
    static std::string cachedContentHash(const std::string& path);
    // The same for a package held in memory; source becomes "embedded:<name>".
    static Result<ModelInfo> inspectMemory(const void* data, std::size_t size,
                                           const std::string& name);
    static Result<std::shared_ptr<const Model>> load(const std::string& path,
                                                     const LoadOptions& options = {});
    // Loads a package held in memory (the embedded defaults). `name` becomes "embedded:<name>".
    static Result<std::shared_ptr<const Model>> loadFromMemory(const void* data, std::size_t size,
                                                               const std::string& name,
                                                               const LoadOptions& options = {});

    const ModelInfo& info() const;
    std::string deviceDescription() const;
    bool onCuda() const;
    std::string precision() const;     // in effect: "fp32", "bf16" or "fp16" (auto resolved)
    std::string precisionNote() const; // e.g. "this CPU has no native bf16 ..."; empty if none

    struct Impl;
    const Impl& impl() const { return *impl_; }
    explicit Model(std::shared_ptr<Impl> impl);

private:
    std::shared_ptr<Impl> impl_;
};

} // namespace shiftsr
