// The one place that decides devices, dtypes and threads, and hides LibTorch version differences.
#pragma once

#include <torch/torch.h>
#include <torch/version.h>

#include <string>

#ifndef TORCH_VERSION_MAJOR
#define TORCH_VERSION_MAJOR 1
#endif
#define SHIFTSR_TORCH_AT_LEAST(major, minor)                                                       \
    (TORCH_VERSION_MAJOR > (major) ||                                                              \
     (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace shiftsr::device {

enum class Preference { Auto, Cpu, Cuda };
enum class Precision { Fp32, Bf16, Fp16, Auto };

bool parsePreference(const std::string& text, Preference* out);
bool parsePrecision(const std::string& text, Precision* out);
const char* preferenceName(Preference p);
const char* precisionName(Precision p);

bool cudaAvailable();
// CUDA when allowed and present, else CPU. `why` (optional) receives a reason for CPU fallback.
torch::Device select(Preference preference, std::string* why = nullptr);
std::string describe(const torch::Device& device); // "CPU (2 threads)", "CUDA 0: NVIDIA H100"

// Process-wide allocator settings for large tensors (idempotent; called by setThreads).
void configureProcess();

// Hands freed heap pages back to the kernel (malloc_trim); between pipeline tiles, so that heap
// fragmentation does not add up over hundreds of tiles. Costs a few page faults on the next tile.
void releaseFreeMemory();

// Sets LibTorch intra-op threads; n <= 0 means all logical cores. Returns the count in effect.
int setThreads(int n);
int threads();
int hardwareThreads();

// True when the CPU multiplies bf16 natively (AVX512-BF16 or AMX-BF16); without it oneDNN
// emulates bf16 and it is slower than fp32.
bool cpuHasNativeBf16();

// The precision a request runs at on `device`: fp32/bf16 as asked (fp16 needs CUDA: Unsupported
// error text in `error`, returns Fp32); auto = bf16 on CUDA and on CPUs with native bf16, else
// fp32 (bf16 stays within the error bound tst_parity states for every fixture).
Precision resolvePrecision(Precision requested, const torch::Device& device,
                           std::string* error = nullptr, std::string* why = nullptr);

// Compute dtype of the heavy layers (convolutions, linear layers) for a resolved precision.
torch::ScalarType computeDtype(Precision resolved);

// Inference guard: no autograd bookkeeping (InferenceMode where the LibTorch version has it).
class InferenceGuard {
public:
    InferenceGuard() = default;

private:
#if SHIFTSR_TORCH_AT_LEAST(1, 9)
    c10::InferenceMode guard_;
#else
    torch::NoGradGuard guard_;
#endif
};

// Waits for queued work on `device` (no-op on the CPU); for honest stage timings.
void synchronize(const torch::Device& device);

// Peak resident set size of this process in bytes (from the kernel), 0 if unknown.
unsigned long long peakRssBytes();
// Starts a new peak: the kernel's VmHWM is reset to the current RSS (Linux, /proc/self/clear_refs);
// false where that is not possible (then the peak stays the one since the process started).
bool resetPeakRss();
unsigned long long currentRssBytes();
unsigned long long availableRamBytes();
// Free memory of CUDA device `index` from the CUDA runtime LibTorch loaded; 0 when unknown (no
// CUDA runtime in the process). The caching allocator's reserved-but-free blocks are not counted.
unsigned long long cudaFreeBytes(int index);

} // namespace shiftsr::device
