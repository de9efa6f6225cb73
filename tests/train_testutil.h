// Helpers of the training tests: synthetic photos, the run log, the latest checkpoint.
#pragma once

#include <QJsonObject>
#include <QString>

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace testutil {

// n smooth colour fields with edges and texture (width x height PNGs p0.png ...), like small photos.
void makePhotos(const QString& dir, int n, int width = 128, int height = 112, unsigned seed = 42);
// log.jsonl of a run folder, one object per line.
std::vector<QJsonObject> readRunLog(const QString& runDir);
// Every tensor of the run's latest checkpoint (empty if none).
std::map<std::string, torch::Tensor> latestCheckpoint(const QString& runDir);

} // namespace testutil
