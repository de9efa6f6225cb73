// RSD one-step distillation of a ResShift teacher (see training/src/trainer/rsd.cpp).
#pragma once

#include "shiftsr/engine/progress.h"
#include "shiftsr/engine/status.h"
#include "shiftsr/training/job.h"
#include "shiftsr/training/teacher.h"

#include <string>
#include <vector>

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

// The sha256 values under which a teacher package's UNet weights were also published: its own
// (`sha256`), the packages it was repackaged from (resources/tools/repackage.py keeps the weights:
// provenance.repackaged[].from_sha256) and the base of a decoder-head run (the UNet stays frozen:
// provenance.decoder.base_sha256). A student whose provenance names one of them as
// "teacher_sha256" was distilled from these very weights, so an rsd job may continue it ("init").
// `provenanceJson`: the package's "provenance" metadata (empty or invalid: only `sha256`).
std::vector<std::string> sameUNetHashes(const std::string& sha256,
                                        const std::string& provenanceJson);

} // namespace shiftsr::training
