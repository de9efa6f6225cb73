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

} // namespace shiftsr::training
