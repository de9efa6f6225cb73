// What the preset benchmarks (bench.cpp, bench_gan.cpp) share: the device a preset runs on and
// the best-of timing of a call.
#pragma once

#include "shiftsr/engine/status.h"
#include "shiftsr/nn/device.h"

#include <algorithm>
#include <chrono>
#include <string>

namespace shiftsr::benchutil {

// The device `name` (auto | cpu | cuda) asks for; an error when it is unknown, or cuda without one.
inline Result<torch::Device> presetDevice(const std::string& name) {
    device::Preference pref;
    if (!device::parsePreference(name, &pref))
        return Status::error(StatusCode::InvalidArgument, "unknown device '" + name + "'");
    std::string why;
    const auto dev = device::select(pref, &why);
    if (pref == device::Preference::Cuda && !dev.is_cuda())
        return Status::error(StatusCode::Unsupported, why);
    return dev;
}

// Best wall time of `repeats` calls after one warm-up (allocator, oneDNN primitive caches, Swin
// bias caches); the device is synchronised around each call.
template <class F> double bestOf(int repeats, const torch::Device& device, F&& f) {
    f();
    double best = 1e30;
    for (int i = 0; i < std::max(1, repeats); ++i) {
        device::synchronize(device);
        const auto t0 = std::chrono::steady_clock::now();
        f();
        device::synchronize(device);
        best = std::min(
            best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

} // namespace shiftsr::benchutil
