// Helpers shared by the shiftsr-cli commands.
#pragma once

#include "shiftsr/engine/model.h"
#include "shiftsr/engine/status.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace cli {

// Exit codes (documented in README.md and --help).
enum Exit { kOk = 0, kFailed = 1, kUsage = 2, kCancelled = 130 };

// Raised by SIGINT and SIGTERM: running work stops at its next check, finished files are kept.
extern std::atomic<bool> gCancel;

// "shiftsr-cli: ERROR" and the usage text on stderr; returns kUsage.
int usage(const std::string& error);
// The status's message on stderr; returns kCancelled or kFailed.
int fail(const shiftsr::Status& status);

// One function per command, each in its own file.
int cmdUpscale(int argc, char** argv);          // upscale.cpp
int cmdInfo(int argc, char** argv);             // info.cpp
int cmdModels();                                // info.cpp
int cmdImport(int argc, char** argv);           // convert.cpp (`import`, and `convert` its alias)
int cmdBench(int argc, char** argv);            // bench.cpp
int cmdBenchMemoryProbe(int argc, char** argv); // bench.cpp (internal: one memory probe)
int cmdReference(int argc, char** argv);        // reference.cpp

// A .safetensors path or embedded:ID; empty = the embedded default.
shiftsr::Result<std::shared_ptr<const shiftsr::Model>>
loadModel(const std::string& spec, const shiftsr::LoadOptions& options);

// This program run again with `args` in a fresh process (so that its peak memory is its own):
// stdout captured, stderr passed through; wall time from fork to exit, peak RSS from wait4.
struct ChildRun {
    double wallS = 0;
    double peakRssMb = 0;
    std::string out; // what it printed on stdout
};
shiftsr::Result<ChildRun> runSelf(const std::vector<std::string>& args);

// `shiftsr-cli eval`: models vs bicubic (and external programs) on held-out photos.
int cmdEval(int argc, char** argv);

// `shiftsr-cli bench --input IMAGE --reference X.param`: `upscale` with its defaults (and the model
// given, if any) against `reference` on the same image, each in fresh processes; prints JSON.
int benchAgainstReference(const std::string& input, const std::string& modelSpec,
                          const std::string& ncnn, int repeats, int threads, bool compact);

} // namespace cli
