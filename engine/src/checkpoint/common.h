// What the parts of the torch.save reader share (zip container, unpickler, state dict): an
// early-return macro, a limit, the legacy-format hint and shapes in messages.
#pragma once

#include "file_checks.h"
#include "shiftsr/engine/status.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

// Returns from the enclosing function with the Status of `expr` when that is an error.
#define SHIFTSR_TRY(expr)                                                                          \
    do {                                                                                           \
        Status tryStatus_ = (expr);                                                                \
        if (!tryStatus_.isOk())                                                                    \
            return tryStatus_;                                                                     \
    } while (0)

namespace shiftsr::checkpoint {

inline constexpr std::uint64_t kInt64Max =
    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

inline const char* const kLegacyHint =
    "legacy torch.save format is not supported: re-save it with torch.save in PyTorch >= 1.6";

using shiftsr::shapeText; // file_checks.h

} // namespace shiftsr::checkpoint
