// Fuzz target: the restricted unpickler on a bare data.pkl (no zip, no CRC in the way), then what
// TorchCheckpoint::open does with its result: find the state dict, list its tensors, check each
// view against its storage's declared size and copy it out of a storage of that size.
#include "checkpoint/state_dict.h"
#include "checkpoint/unpickler.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <new>
#include <stdexcept>
#include <vector>

using namespace shiftsr;
using namespace shiftsr::checkpoint;

namespace {
constexpr std::uint64_t kMaxCopyBytes = 1 << 20; // storages and views copied per execution
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    PyRef root;
    std::map<std::string, std::uint64_t> storageBytes;
    try {
        // unpickle's contract: a Status for a bad pickle, std::length_error past the object limit.
        if (!unpickle(data, size, "fuzz.pkl", &root, &storageBytes).isOk())
            return 0;
    } catch (const std::length_error&) {
        return 0;
    }
    if (!root || root->kind != Kind::Dict)
        return 0;
    std::string from;
    const PyObj* sd = findStateDict(*root, &from);
    if (!sd) {
        (void)describeKeys(*root);
        return 0;
    }
    bool stripped = false;
    const std::vector<CheckpointTensor> tensors = stateDictTensors(*sd, &stripped);
    std::vector<std::uint8_t> storage, out;
    for (const CheckpointTensor& t : tensors) {
        const auto it = storageBytes.find(t.storageKey);
        const std::uint64_t bytes = it == storageBytes.end() ? 0 : it->second;
        std::uint64_t numel = 0;
        if (!checkView("fuzz.pkl", t, bytes, &numel).isOk())
            continue;
        const std::uint64_t outBytes = numel * dtypeSize(t.dtype);
        if (numel == 0 || bytes > kMaxCopyBytes || outBytes > kMaxCopyBytes)
            continue;
        // Exactly the declared size: ASan reports any read that checkView let past it.
        storage.assign(static_cast<std::size_t>(bytes), 0x5a);
        storage.shrink_to_fit();
        out.assign(static_cast<std::size_t>(outBytes), 0);
        copyView(storage.data(), t, numel, out.data());
    }
    return 0;
}
