// Atomic file replacement: write to a temporary file in the target folder, fsync, rename over.
#pragma once

#include "shiftsr/engine/status.h"

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace shiftsr {

// Creates "<path>.tmp-XXXXXX" (mkstemp) beside `path`, lets `writer` fill it, then flushes,
// fsyncs and renames it over `path`. The file gets the permissions of the file it replaces, or
// 0666 minus the process umask for a new file. If `writer` returns an error (its Status is passed
// through, e.g. Cancelled) or throws, or any OS call fails, the temporary file is removed, `path`
// is left untouched, and an error is returned (IoError with the OS error text for OS failures).
// `writer` must not close the FILE*.
Status writeFileAtomically(const std::string& path,
                           const std::function<Status(std::FILE*)>& writer);

// The same for bytes held in memory (an encoded image): a short write is an IoError with the OS
// error text.
Status writeBytesAtomically(const std::string& path, const std::vector<std::uint8_t>& bytes);

} // namespace shiftsr
