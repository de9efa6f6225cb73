// The state dict inside an unpickled checkpoint: found bare or under wrapper keys (state_dict,
// model, ema, ...), its tensors listed with a DataParallel "module." prefix removed, and each
// tensor's strided view of its storage checked and copied out contiguously.
#pragma once

#include "checkpoint/unpickler.h"
#include "shiftsr/nn/torch_checkpoint.h"

#include "shiftsr/engine/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace shiftsr::checkpoint {

// The dict of tensors in `root`, bare or under at most two wrapper keys; *from is "" for a bare
// one, else the keys joined with '.' (e.g. "model.state_dict"). nullptr when there is none.
const PyObj* findStateDict(const PyObj& root, std::string* from);

// The first keys of a dict and the kinds of their values, for messages.
std::string describeKeys(const PyObj& d);

// The tensors of a state dict under string keys, in file order. When every name starts with
// "module." (DataParallel / DDP) the prefix is removed and *strippedModulePrefix set.
std::vector<CheckpointTensor> stateDictTensors(const PyObj& sd, bool* strippedModulePrefix);

// Validates a tensor against a storage of `storageBytes` bytes; sets numel.
Status checkView(const std::string& where, const CheckpointTensor& t, std::uint64_t storageBytes,
                 std::uint64_t* numelOut);

// Copies the `numel` (> 0) elements of view `t`, checked by checkView, out of `storage` into
// `out` in row-major order: one copy for a contiguous view, else row by row.
void copyView(const std::uint8_t* storage, const CheckpointTensor& t, std::uint64_t numel,
              std::uint8_t* out);

} // namespace shiftsr::checkpoint
