// Atomic file replacement: write an unnamed file in the target folder, fsync, then name it.
#pragma once

#include "shiftsr/engine/status.h"

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace shiftsr {

// Creates an unnamed file (O_TMPFILE) in the folder of `path`, lets `writer` fill it, then
// flushes and fsyncs it and only then gives it a name: `path` itself where no file is there
// (linkat), else a hidden ".NAME.tmp-PID-N" renamed over `path` at once. A process killed at any
// moment leaves `path` as it was or complete, and no partial file under any name; only a kill in
// the microseconds between that link and the rename leaves the hidden complete copy. Where the file
// system has no O_TMPFILE, the file is a hidden ".NAME.tmp-PID-N-XXXXXX" (mkstemp) from the start,
// which a kill while writing leaves behind. The file gets the permissions of the file it replaces,
// or 0666 minus the process umask for a new file. If `writer` returns an error (its Status is
// passed through, e.g. Cancelled) or throws, or any OS call fails, the temporary file is removed,
// `path` is left untouched, and an error is returned (IoError with the OS error text for OS
// failures). `writer` must not close the FILE*.
Status writeFileAtomically(const std::string& path,
                           const std::function<Status(std::FILE*)>& writer);

// The same for bytes held in memory (an encoded image): a short write is an IoError with the OS
// error text.
Status writeBytesAtomically(const std::string& path, const std::vector<std::uint8_t>& bytes);

} // namespace shiftsr
