// What the model-file readers (safetensors, the torch.save zip reader) check and say alike: a
// regular file's size, and a tensor shape written out for a message.
#pragma once

#include "shiftsr/engine/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace shiftsr {

// The size of the regular file at `path`. NotFound ("file not found: PATH"), IoError (the
// system's reason) or InvalidFile ("PATH: not a regular file": a folder, a FIFO, a device).
Result<std::uint64_t> regularFileSize(const std::string& path);

// "[2, 3]": a shape or stride for messages.
std::string shapeText(const std::vector<std::int64_t>& shape);

} // namespace shiftsr
