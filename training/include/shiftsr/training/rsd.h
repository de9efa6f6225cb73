// RSD one-step distillation of a ResShift teacher (see training/src/trainer/rsd.cpp).
#pragma once

#include "shiftsr/engine/progress.h"
#include "shiftsr/engine/status.h"
#include "shiftsr/training/job.h"
#include "shiftsr/training/teacher.h"

namespace shiftsr::training {

// Runs (or resumes) an rsd job: same run folder, log, checkpoints, signals and c10d data
// parallelism as runTraining. The finished package has steps = 1, one extra noise input channel
// and the teacher's sha256 in its provenance.
Status runRsd(const TrainJob& job, const RunOptions& options, const JobControl& control = {});

// exportCheckpoint for rsd runs: the student's EMA (or, `raw`, its optimiser weights) of the
// latest checkpoint as a one-step package.
Status exportRsdCheckpoint(const TrainJob& job, const std::string& runDir,
                           const std::string& outPath, int* step = nullptr, bool half = false,
                           bool raw = false);

} // namespace shiftsr::training
