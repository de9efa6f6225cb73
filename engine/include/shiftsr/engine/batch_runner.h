// BatchRunner: the files of a planned batch through one model, for `shiftsr-cli upscale` and the
// app's batch queue alike: skip-existing, the mirrored subfolders of a recursive batch, the
// CUDA-to-CPU fallback, and the pixel-weighted progress and ETA.
#pragma once

#include "shiftsr/engine/batch_plan.h"
#include "shiftsr/engine/pipeline.h"
#include "shiftsr/engine/upscale_settings.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace shiftsr {

struct BatchFileResult {
    enum class State { Done, Skipped, Failed, Cancelled };
    State state = State::Done;
    std::string error;             // Failed: the engine's message
    int inWidth = 0, inHeight = 0; // the input's size (0 when it cannot be read)
    UpscaleReport report;          // Done: the run's report, without its pixels (written already)
};

struct BatchEstimate {
    double fraction = 0;    // of the whole batch, weighted by pixels
    double etaSeconds = -1; // time left; < 0 while there is too little to go by
    double seconds = 0;     // engine time so far (BatchRunner::seconds)
};

class BatchRunner {
public:
    // Loads the CPU copy of the model for the fallback (LoadOptions with device "cpu").
    using ModelLoader = std::function<Result<std::shared_ptr<const Model>>(const LoadOptions&)>;
    static constexpr size_t kNone = size_t(-1);

    // Probes each input's size: pixel counts weigh the ETA, as a 24-megapixel photo takes longer
    // than a thumbnail. `outputIsFolder` (planBatch's answer): subfolders of the output are made
    // as needed. `loader` is needed for settings.cpuFallback only.
    BatchRunner(std::vector<BatchItem> items, std::shared_ptr<const Model> model,
                UpscaleSettings settings, bool outputIsFolder, ModelLoader loader = {});

    size_t size() const { return items_.size(); }
    const BatchItem& item(size_t i) const { return items_.at(i); }
    double weight(size_t i) const; // the input's pixels (at least 1: an unreadable file weighs 1)
    const Model& model() const { return *model_; }

    // Runs item i (each item once, in any order). job.progress gets the item's fraction and stage;
    // job.cancel stops it (Cancelled, no output). A file that fails does not stop the others: the
    // caller goes on with the next. Never throws.
    BatchFileResult run(size_t i, const JobControl& job = {});

    // The batch's progress with item `running` at `fraction` (kNone: between items), and the
    // time left from the engine time so far; skipped items count toward the progress but not
    // toward the speed.
    BatchEstimate estimate(size_t running = kNone, double fraction = 0) const;
    // Engine time spent in run() (time between items, e.g. a paused queue, does not count).
    double seconds() const;

private:
    enum class Mark { Pending, Worked, Skipped, Cancelled };
    using Clock = std::chrono::steady_clock;
    std::vector<BatchItem> items_;
    struct Size {
        int width = 0, height = 0; // 0 when the input cannot be read
    };
    std::vector<Size> sizes_; // probed once, when the runner is made
    std::vector<Mark> marks_;
    std::shared_ptr<const Model> model_, cpuModel_;
    UpscaleSettings settings_;
    UpscaleRequest base_;
    bool outputIsFolder_ = false;
    ModelLoader loader_;
    double seconds_ = 0;         // of finished run() calls
    Clock::time_point runStart_; // of the run() in progress
    bool running_ = false;
};

} // namespace shiftsr
