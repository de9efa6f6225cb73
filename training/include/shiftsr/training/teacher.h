// ResShift teacher training: resumable, observable (log.jsonl), stoppable, data-parallel (c10d).
#pragma once

#include "shiftsr/engine/progress.h"
#include "shiftsr/engine/status.h"
#include "shiftsr/training/job.h"

#include <atomic>
#include <string>

namespace shiftsr::training {

struct RunOptions {
    std::string runDir;
    bool resume = false;                     // continue from runDir/checkpoints/latest
    const std::atomic<bool>* stop = nullptr; // finish the current step, checkpoint, return ok
    int maxSteps = -1; // stop (with a checkpoint) after this many steps in total
    // Set once the step loop runs: from then on a stop ends the run by itself at the next step
    // boundary, with a checkpoint (the programs' signal watchdog waits for that). May be null.
    std::atomic<bool>* stepping = nullptr;
};

// Runs (or resumes) a job. With torchrun/SLURM variables set, joins a Gloo process group;
// only rank 0 writes. Returns ok when finished or stopped cleanly.
Status runTraining(const TrainJob& job, const RunOptions& options, const JobControl& control = {});

// Writes the EMA weights of a run's latest checkpoint (a teacher run, or an rsd run's student) as
// a model package (provenance marks the step and whether training had finished), e.g. to try or
// ship a run in progress. `step` receives the checkpoint's step.
// `half`: store the weights as F16 (half the size; loaders widen them to fp32).
// `raw`: the optimiser's weights instead of the EMA (early in a run the EMA still holds much of
// the initialisation: 0.999^1000 = 37%).
Status exportCheckpoint(const TrainJob& job, const std::string& runDir, const std::string& outPath,
                        int* step = nullptr, bool half = false, bool raw = false);

} // namespace shiftsr::training
