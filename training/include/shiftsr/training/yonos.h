// YONOS-SR in stages (see training/src/trainer/yonos.cpp and docs/training.md): the KL
// autoencoder, the x2 teacher, the scale-distilled x4 student, the decoder fine-tuned on the
// student's one-step outputs.
#pragma once

#include "shiftsr/engine/progress.h"
#include "shiftsr/engine/status.h"
#include "shiftsr/training/job.h"
#include "shiftsr/training/teacher.h"

#include <string>

namespace shiftsr::training {

// Runs (or resumes) a yonos job's stage: same run folder, log, checkpoints, signals and c10d data
// parallelism as the other trainers. The autoencoder stage writes an autoencoder package (family
// "autoencoder": a codec, not a model); the others write yonos model packages.
Status runYonos(const TrainJob& job, const RunOptions& options, const JobControl& control = {});

// exportCheckpoint for yonos runs: the latest checkpoint's EMA (or `raw` weights) as the stage's
// package.
Status exportYonosCheckpoint(const TrainJob& job, const std::string& runDir,
                             const std::string& outPath, int* step = nullptr, bool half = false,
                             bool raw = false);

} // namespace shiftsr::training
