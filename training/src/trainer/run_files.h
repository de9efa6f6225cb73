// The run directory: config.json, log.jsonl, checkpoints/ (atomic), samples/, model.safetensors.
#pragma once

#include "shiftsr/nn/model_impl.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

namespace shiftsr::training {

struct RunState {
    int step = 0;
    double elapsed = 0;               // seconds of training before this process
    std::uint64_t loaderPosition = 0; // next global sample index
    nlohmann::json lastVal = nlohmann::json::object();
};

class RunFiles {
public:
    RunFiles(std::string dir, bool writer, int keep = 3)
        : dir_(std::move(dir)), writer_(writer), keep_(keep) {}
    // Creates the folders (fresh run: refuses a folder that already holds a run). Resuming needs
    // a checkpoint, or at least the run's config.json: a run stopped (or killed) before its first
    // checkpoint resumes from step 0.
    Status prepare(bool resume);
    // Whether checkpoints/latest.txt names a checkpoint to resume from.
    bool hasCheckpoint() const;
    Status writeConfig(const std::string& jobJson);
    void appendLog(const nlohmann::json& line);
    Status saveCheckpoint(const RunState& s, const std::vector<torch::Tensor>& params,
                          const std::vector<torch::Tensor>& ema,
                          const std::vector<torch::Tensor>& m, const std::vector<torch::Tensor>& v);
    Status loadLatest(RunState* s, std::vector<torch::Tensor>& params,
                      std::vector<torch::Tensor>& ema, std::vector<torch::Tensor>& m,
                      std::vector<torch::Tensor>& v);
    void writeSample(int step, const cv::Mat& bgr);
    // The package: `arch`'s metadata, `provenance`, the network under "unet." and the codec's
    // weights (if any) under "codec.".
    Status writeModel(const Architecture& arch, const nlohmann::json& provenance,
                      const torch::nn::Module& unet, Codec* codec, const std::string& path = "");
    std::string modelPath() const { return dir_ + "/model.safetensors"; }

private:
    std::string dir_;
    bool writer_;
    int keep_;
};

} // namespace shiftsr::training
