// Progress reporting and cooperative cancellation shared by every long engine and training call.
#pragma once

#include <atomic>
#include <functional>
#include <string>

namespace shiftsr {

// fraction in [0, 1]; stage is a short untranslated key ("encode", "step 2/4", "decode").
using ProgressCallback = std::function<void(double fraction, const std::string& stage)>;

struct JobControl {
    ProgressCallback progress;                 // may be empty
    const std::atomic<bool>* cancel = nullptr; // may be null; checked between stages
    void report(double fraction, const std::string& stage) const {
        if (progress)
            progress(fraction, stage);
    }
    bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
};

} // namespace shiftsr
