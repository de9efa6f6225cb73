// Decoder-head training: a learned full-resolution decoder (codec unshuffle-f4-refine) for a
// trained unshuffle-f4 package, fitted to that package's own sampler outputs.
#pragma once

#include "shiftsr/engine/progress.h"
#include "shiftsr/engine/status.h"
#include "shiftsr/training/job.h"
#include "shiftsr/training/teacher.h"

namespace shiftsr::training {

// Runs (or resumes) a decoder job: same run folder, log, checkpoints, signals and c10d data
// parallelism as runTraining. The base package's UNet and schedule stay frozen; per step, each
// sample's LQ is upscaled by the base model's sampler (decoder.steps steps, noise from the seed and
// the sample's index) and the head learns the pixel MSE of shuffle(latent) + head(...) to the
// truth. The finished package is the base package (same UNet tensors, name, steps and provenance)
// with codec unshuffle-f4-refine, the head's EMA weights, and provenance.decoder saying how it was
// made.
Status runDecoder(const TrainJob& job, const RunOptions& options, const JobControl& control = {});

// exportCheckpoint for decoder runs: the head's EMA (or, `raw`, its optimiser weights) of the
// latest checkpoint on the base package. `half` stores the UNet as F16 (the head stays F32).
Status exportDecoderCheckpoint(const TrainJob& job, const std::string& runDir,
                               const std::string& outPath, int* step = nullptr, bool half = false,
                               bool raw = false);

} // namespace shiftsr::training
