// Bridges the safetensors container and LibTorch: tensors in and out, state dicts into modules.
#pragma once

#include "shiftsr/engine/safetensors.h"
#include "shiftsr/nn/torch_checkpoint.h"

#include <torch/torch.h>

#include <map>
#include <string>

namespace shiftsr {

bool toScalarType(DType dtype, torch::ScalarType* out);

// Every tensor of an opened torch.save checkpoint, in its stored dtype; `path` names the file in
// messages.
Result<std::map<std::string, torch::Tensor>>
readCheckpointTensors(const TorchCheckpoint& checkpoint, const std::string& path);
bool fromScalarType(torch::ScalarType type, DType* out);

// Reads one entry as a CPU tensor of its stored dtype.
Result<torch::Tensor> readTensor(const SafeTensorsFile& file, const TensorEntry& entry);
// Reads every tensor whose name starts with `prefix`, keyed without the prefix.
Result<std::map<std::string, torch::Tensor>> readTensors(const SafeTensorsFile& file,
                                                         const std::string& prefix = "");
// Adds a tensor (any device, contiguous copy made) under `name`.
Status addTensor(SafeTensorsWriter& writer, const std::string& name, const torch::Tensor& t);
// Adds every parameter and persistent buffer of a module under `prefix`.
Status addModule(SafeTensorsWriter& writer, const std::string& prefix, const torch::nn::Module& m,
                 bool includeBuffers = true);

struct LoadReport {
    std::vector<std::string> unexpected; // tensors in the file that the module lacks
};
// Copies tensors into a module's parameters (all required) and buffers (optional), converting
// the dtype. A missing parameter or a shape mismatch is an InvalidFile error naming the tensor.
Result<LoadReport> loadStateDict(torch::nn::Module& module,
                                 const std::map<std::string, torch::Tensor>& tensors,
                                 const std::string& what);

} // namespace shiftsr
