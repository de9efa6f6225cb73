// Fuzz target: a torch.save zip checkpoint as `convert` reads it (TorchCheckpoint::open: the zip
// container, the restricted unpickler, the state dict and its storages; then each tensor's
// bytes). The pickle alone is fuzz_unpickler's: here most pickle mutations end at the CRC-32.
#include "fuzz_util.h"

#include "shiftsr/nn/torch_checkpoint.h"

#include <cstddef>
#include <cstdint>

using namespace shiftsr;

namespace {
// Tensors are materialised up to this size; a bound on larger views (a small storage declared as
// a huge stride-0 tensor) belongs to the callers' limits, not to this reader.
constexpr std::uint64_t kMaxTensorBytes = 1 << 20;
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzz::scratchFile("checkpoint.pth", data, size);
    auto ckpt = TorchCheckpoint::open(path);
    if (!ckpt)
        return 0;
    for (const CheckpointTensor& t : ckpt->tensors()) {
        std::uint64_t numel = 1;
        bool small = true;
        for (std::int64_t d : t.shape) {
            if (d < 0 || (d != 0 && numel > kMaxTensorBytes / static_cast<std::uint64_t>(d))) {
                small = false;
                break;
            }
            numel *= static_cast<std::uint64_t>(d);
        }
        if (small && numel * dtypeSize(t.dtype) <= kMaxTensorBytes)
            (void)ckpt->readContiguous(t);
    }
    return 0;
}
