// The parts of `importWeights` (import.h): reading any weight file into canonical tensor names,
// and one importer per family group. import.cpp dispatches on the detected family.
#pragma once

#include "shiftsr/engine/import.h"
#include "shiftsr/nn/model_impl.h"

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace shiftsr::importer {

using TensorMap = std::map<std::string, torch::Tensor>;

// One input file, read: tensors on the CPU in their stored dtype under canonical names (the
// state dict unwrapped from params_ema / params / state_dict / model / net / ema, and a prefix
// every name shares, such as "module." or "netG.", removed).
struct WeightFile {
    std::string path;
    TensorMap tensors;
    std::map<std::string, std::string> metadata; // a .safetensors header's __metadata__
    std::vector<std::string> notes;              // what canonicalising did, for the report
    // What a file's layer graph says that tensor names cannot (ncnn: "act_type" of a compact
    // network, whose ReLU and LeakyReLU hold no weights).
    std::map<std::string, std::string> hints;
};

// torch.save, .safetensors or ncnn .param/.bin, by content (not by extension).
Result<WeightFile> readWeightFile(const std::string& path);

// For "not recognised" messages: the first names with their shapes ("conv.weight [64,3,3,3]").
std::string describeTensors(const TensorMap& tensors, std::size_t max = 8);

// ResShift family (UNetModelSwin and its VQ-f4 autoencoder; RSD and SinSR students):
// import_resshift.cpp.
bool isResShiftUNet(const TensorMap& tensors);
bool isResShiftAutoencoder(const TensorMap& tensors);
Result<ImportReport> importResShift(const std::vector<WeightFile>& files,
                                    const ImportOptions& options, const JobControl& job);

// Single-pass GAN families (RRDBNet as Real-ESRGAN or old ESRGAN, SRVGGNetCompact):
// import_gan.cpp.
bool isGan(const TensorMap& tensors);
Result<ImportReport> importGan(const WeightFile& file, const ImportOptions& options,
                               const JobControl& job);

// What importGan packages: the detected architecture (family, network config, scale, sampler
// advice) and the network built from it with the file's weights (fp32, CPU, eval mode). The
// compact reference (reference.h) runs the same network.
struct GanNetwork {
    Architecture arch;
    std::shared_ptr<nn::SinglePassNetImpl> net;
    std::string summary; // "RRDBNet: 23 blocks, 64 features, growth 32, x4"
    std::vector<std::string> notes;
};
Result<GanNetwork> loadGan(const WeightFile& file, const ImportOptions& options = {});

} // namespace shiftsr::importer
