// SIGINT/SIGTERM in the command-line programs: a cooperative stop with a watchdog behind it.
#pragma once

#include <atomic>

namespace shiftsr::app {

struct StopSignals {
    // Set by the first SIGINT or SIGTERM; the work checks it between its steps and stops.
    std::atomic<bool>* stop = nullptr;
    // While true, the work is known to end by itself soon after it sees `stop` (the trainer's step
    // loop: it finishes the step and writes a checkpoint); the watchdog then waits. May be null.
    const std::atomic<bool>* orderly = nullptr;
    // How long the work has to end after the first signal before the watchdog ends the process.
    unsigned graceSeconds = 2;
    // The program's name, for the watchdog's message.
    const char* program = "shiftsr";
};

// Installs the handlers. The first signal sets `stop` and arms the watchdog (alarm): if the
// process still runs `graceSeconds` later (a decoder, a model build or a blocking read that does
// not check `stop`) and `orderly` is not set, it prints one line and _exits with 130. A second
// signal _exits with 130 at once. Every file the programs write is written atomically (a name only
// for a complete file), so ending this way loses the unfinished work and nothing else.
void installStopSignals(const StopSignals& options);

} // namespace shiftsr::app
