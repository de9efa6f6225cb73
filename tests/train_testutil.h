// Helpers of the training tests: synthetic photos, the run log, the latest checkpoint.
#pragma once

#include <QJsonObject>
#include <QString>

#include "shiftsr/engine/model.h"
#include "shiftsr/training/job.h"

#include <torch/torch.h>

#include <cstdint>

#include <map>
#include <string>
#include <vector>

namespace testutil {

// n smooth colour fields with edges and texture (width x height PNGs p0.png ...), like small
// photos.
void makePhotos(const QString& dir, int n, int width = 128, int height = 112, unsigned seed = 42);
// log.jsonl of a run folder, one object per line.
std::vector<QJsonObject> readRunLog(const QString& runDir);
// The values of `key` in the log lines that have it, in order (e.g. "loss": one per log line).
std::vector<double> logSeries(const std::vector<QJsonObject>& log, const char* key);
std::vector<double> logSeries(const QString& runDir, const char* key);
// Every tensor of the run's latest checkpoint (empty if none).
std::map<std::string, torch::Tensor> latestCheckpoint(const QString& runDir);

// The tiny-preset job the rsd and decoder tests start from: 64 px crops, batch 2, bicubic
// degradation, one thread, a log line every step, a checkpoint every 2 steps.
shiftsr::training::TrainJob tinyJob(const QString& photos, std::uint64_t seed);
// Trains the tiny teacher (6 steps of tinyJob) that those tests distil or give a head into
// `runDir`; returns its package, or an empty string and `*error`.
QString trainTinyTeacher(const QString& photos, const QString& runDir, std::uint64_t seed,
                         std::string* error);
// A package's provenance metadata as JSON.
QJsonObject provenanceOf(const shiftsr::Model& model);

} // namespace testutil
