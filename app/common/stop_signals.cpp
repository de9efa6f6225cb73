// SIGINT/SIGTERM handlers and the alarm watchdog (see stop_signals.h). Only async-signal-safe
// calls in the handlers: atomic stores and loads, alarm, write, _exit.
#include "stop_signals.h"

#include <csignal>
#include <cstring>
#include <string>

#include <unistd.h>

namespace shiftsr::app {
namespace {

constexpr int kCancelled = 130; // 128 + SIGINT, as a shell reports Ctrl-C

std::atomic<bool>* gStop = nullptr;
const std::atomic<bool>* gOrderly = nullptr;
unsigned gGrace = 2;
// Built before the handlers are installed: a handler may not allocate.
char gWatchdogLine[256];
char gSecondLine[256];

void writeLine(const char* line) {
    const std::size_t n = std::strlen(line);
    ssize_t r = ::write(STDERR_FILENO, line, n);
    (void)r;
}

extern "C" void onStopSignal(int) {
    if (gStop->exchange(true)) { // a second signal: the user insists
        writeLine(gSecondLine);
        ::_exit(kCancelled);
    }
    ::alarm(gGrace);
}

extern "C" void onWatchdog(int) {
    if (gOrderly && gOrderly->load()) { // ends by itself; look again later
        ::alarm(gGrace);
        return;
    }
    writeLine(gWatchdogLine);
    ::_exit(kCancelled);
}

void install(int signal, void (*handler)(int)) {
    struct sigaction sa {};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(signal, &sa, nullptr);
}

void format(char* buffer, std::size_t size, const std::string& text) {
    std::strncpy(buffer, text.c_str(), size - 1);
    buffer[size - 1] = '\0';
}

} // namespace

void installStopSignals(const StopSignals& options) {
    gStop = options.stop;
    gOrderly = options.orderly;
    gGrace = options.graceSeconds > 0 ? options.graceSeconds : 1;
    const std::string program = options.program;
    format(gWatchdogLine, sizeof gWatchdogLine,
           program + ": stopped: the work did not end within " + std::to_string(gGrace) +
               " s of the signal (no partial file is left)\n");
    format(gSecondLine, sizeof gSecondLine,
           program + ": stopped at once on the second signal (no partial file is left)\n");
    install(SIGALRM, onWatchdog);
    install(SIGINT, onStopSignal);
    install(SIGTERM, onStopSignal);
}

} // namespace shiftsr::app
