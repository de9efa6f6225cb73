// Fault injection for tests of the output path (output_file.cpp): while set, writeOutputImage
// fails at that stage as a real failure would (a metadata error, a full disk).
#pragma once

#include <atomic>

namespace shiftsr {

enum class OutputFault { None = 0, Metadata = 1, Disk = 2 };
extern std::atomic<int> gOutputFault;

} // namespace shiftsr
