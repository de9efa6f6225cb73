// YONOS-SR in stages (see training/src/trainer/yonos.cpp and docs/training.md): the KL
// autoencoder, the x2 teacher, the scale-distilled x4 student, the decoder fine-tuned on the
// student's one-step outputs.
#pragma once

#include "shiftsr/engine/progress.h"
#include "shiftsr/engine/status.h"
#include "shiftsr/training/job.h"
#include "shiftsr/training/teacher.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

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

// What a codec loses on its own, the ceiling of every yonos model on it: each photo of `folders`
// with both sides at least `crop` (a multiple of 8; at most `limit` photos when > 0),
// centre-cropped to crop x crop, encoded to its posterior mean and decoded, then (colorFix) given
// the pipeline's luma colour fix with the photo as its reference, as a yonos model's output gets
// it from its input. Returns {"photos", "crop", "codec", "color_fix", "psnr_y", "ssim_y",
// "sharpness", "per_photo": [{"photo", "psnr_y", "ssim_y", "sharpness"}]}, measured as
// `shiftsr-cli eval` measures (Y of BT.601, a 4-pixel border left out). `package`: an autoencoder
// package (a yonos autoencoder stage's) or a yonos model, whose codec is used.
Result<nlohmann::json> reconstructPhotos(const std::string& package,
                                         const std::vector<std::string>& folders, int crop,
                                         int limit = 0, bool colorFix = true);

} // namespace shiftsr::training
