// Device, dtype and thread selection; version guards for LibTorch 1.13 .. 2.x.
#include "shiftsr/nn/device.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include <dlfcn.h>
#include <malloc.h>
#include <mutex>
#include <sys/resource.h>

namespace shiftsr::device {

bool parsePreference(const std::string& text, Preference* out) {
    if (text == "auto")
        *out = Preference::Auto;
    else if (text == "cpu")
        *out = Preference::Cpu;
    else if (text == "cuda" || text == "gpu")
        *out = Preference::Cuda;
    else
        return false;
    return true;
}

bool parsePrecision(const std::string& text, Precision* out) {
    if (text == "fp32")
        *out = Precision::Fp32;
    else if (text == "bf16")
        *out = Precision::Bf16;
    else if (text == "fp16")
        *out = Precision::Fp16;
    else if (text == "auto")
        *out = Precision::Auto;
    else
        return false;
    return true;
}

const char* preferenceName(Preference p) {
    switch (p) {
    case Preference::Cpu:
        return "cpu";
    case Preference::Cuda:
        return "cuda";
    default:
        return "auto";
    }
}

const char* precisionName(Precision p) {
    switch (p) {
    case Precision::Bf16:
        return "bf16";
    case Precision::Fp16:
        return "fp16";
    case Precision::Auto:
        return "auto";
    default:
        return "fp32";
    }
}

bool cudaAvailable() {
    return torch::cuda::is_available();
}

torch::Device select(Preference preference, std::string* why) {
    if (preference == Preference::Cpu)
        return torch::kCPU;
    if (cudaAvailable())
        return torch::Device(torch::kCUDA, 0);
    if (why)
        *why = preference == Preference::Cuda
                   ? "CUDA was requested but this build or machine has no usable CUDA device"
                   : "no CUDA device: using the CPU";
    return torch::kCPU;
}

std::string describe(const torch::Device& device) {
    std::ostringstream os;
    if (device.is_cuda())
        os << "CUDA " << int(device.index());
    else
        os << "CPU (" << threads() << " threads)";
    return os.str();
}

int hardwareThreads() {
    return std::max(1u, std::thread::hardware_concurrency());
}

void configureProcess() {
    static std::once_flag once;
    std::call_once(once, [] {
        // Activations of tens of MB are allocated and freed at every layer. glibc would serve
        // each with a fresh mmap and return it at free, so every layer pays page faults on
        // first touch (measured: 3x slower VQ decode). Keep freed memory in the heap instead.
        mallopt(M_MMAP_MAX, 0);
        mallopt(M_TRIM_THRESHOLD, 1 << 30);
        mallopt(M_TOP_PAD, 64 << 20);
    });
}

int setThreads(int n) {
    configureProcess();
    if (n <= 0)
        n = hardwareThreads();
    torch::set_num_threads(n);
    return torch::get_num_threads();
}

void releaseFreeMemory() {
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

int threads() {
    return torch::get_num_threads();
}

bool cpuHasNativeBf16() {
    static const bool native = [] {
        std::ifstream in("/proc/cpuinfo");
        std::string line;
        while (std::getline(in, line)) {
            if (line.rfind("flags", 0) != 0)
                continue;
            std::istringstream words(line);
            std::string w;
            while (words >> w)
                if (w == "avx512_bf16" || w == "amx_bf16")
                    return true;
            return false;
        }
        return false;
    }();
    return native;
}

Precision resolvePrecision(Precision requested, const torch::Device& device, std::string* error,
                           std::string* why) {
    switch (requested) {
    case Precision::Fp32:
        return Precision::Fp32;
    case Precision::Bf16:
        if (device.is_cpu() && !cpuHasNativeBf16() && why)
            *why = "this CPU has no native bf16 (AVX512-BF16/AMX): bf16 is emulated and slower "
                   "than fp32";
        return Precision::Bf16;
    case Precision::Fp16:
        if (!device.is_cuda()) {
            if (error)
                *error = "fp16 runs on CUDA only; use bf16 or fp32 on the CPU";
            return Precision::Fp32;
        }
        return Precision::Fp16;
    case Precision::Auto:
        // The default: fp32 on a CPU without native bf16 is what auto means, not a surprise, so
        // no note is given.
        if (device.is_cuda() || cpuHasNativeBf16())
            return Precision::Bf16;
        return Precision::Fp32;
    }
    return Precision::Fp32;
}

torch::ScalarType computeDtype(Precision resolved) {
    switch (resolved) {
    case Precision::Bf16:
        return torch::kBFloat16;
    case Precision::Fp16:
        return torch::kHalf;
    default:
        return torch::kFloat;
    }
}

void synchronize(const torch::Device& device) {
    if (device.is_cuda())
        torch::cuda::synchronize(device.index());
}

static unsigned long long statusField(const char* key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string k(key);
    while (std::getline(in, line)) {
        if (line.compare(0, k.size(), k) == 0) {
            std::istringstream is(line.substr(k.size()));
            unsigned long long kb = 0;
            is >> kb;
            return kb * 1024ull;
        }
    }
    return 0;
}

bool resetPeakRss() {
    std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
    if (!f)
        return false;
    const bool ok = std::fputs("5", f) >= 0;
    return std::fclose(f) == 0 && ok;
}

unsigned long long peakRssBytes() {
    unsigned long long v = statusField("VmHWM:");
    if (v)
        return v;
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<unsigned long long>(ru.ru_maxrss) * 1024ull;
}

unsigned long long currentRssBytes() {
    return statusField("VmRSS:");
}

unsigned long long cudaFreeBytes(int index) {
    // The CUDA runtime is already loaded by a CUDA build of LibTorch; ask it directly (this
    // compiles against CPU-only LibTorch too, and answers 0 where there is no runtime).
    using SetDevice = int (*)(int);
    using GetDevice = int (*)(int*);
    using MemGetInfo = int (*)(std::size_t*, std::size_t*);
    static void* lib = [] {
        for (const char* name :
             {"libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0"})
            if (void* h = dlopen(name, RTLD_LAZY | RTLD_NOLOAD))
                return h;
        return static_cast<void*>(nullptr);
    }();
    if (!lib)
        return 0;
    auto setDevice = reinterpret_cast<SetDevice>(dlsym(lib, "cudaSetDevice"));
    auto getDevice = reinterpret_cast<GetDevice>(dlsym(lib, "cudaGetDevice"));
    auto memGetInfo = reinterpret_cast<MemGetInfo>(dlsym(lib, "cudaMemGetInfo"));
    if (!setDevice || !getDevice || !memGetInfo)
        return 0;
    int previous = 0;
    if (getDevice(&previous) != 0)
        return 0;
    std::size_t freeBytes = 0, total = 0;
    const bool ok = setDevice(std::max(0, index)) == 0 && memGetInfo(&freeBytes, &total) == 0;
    setDevice(previous);
    return ok ? freeBytes : 0;
}

unsigned long long availableRamBytes() {
    std::ifstream in("/proc/meminfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("MemAvailable:", 0) == 0) {
            std::istringstream is(line.substr(13));
            unsigned long long kb = 0;
            is >> kb;
            return kb * 1024ull;
        }
    }
    return 0;
}

} // namespace shiftsr::device
