// Data-parallel training on PyTorch's c10d (Gloo on CPU) configured from torchrun/SLURM variables.
#pragma once

#include "shiftsr/engine/status.h"

#include <torch/torch.h>

#include <memory>
#include <string>

namespace shiftsr::training {

struct DistributedEnv {
    int rank = 0, worldSize = 1, localRank = 0;
    std::string masterAddr = "127.0.0.1";
    int masterPort = 29500;
    bool enabled() const { return worldSize > 1; }
    // RANK/WORLD_SIZE/LOCAL_RANK/MASTER_ADDR/MASTER_PORT (torchrun); SLURM_PROCID/SLURM_NTASKS/
    // SLURM_LOCALID/SLURM_LAUNCH_NODE_IPADDR as fallbacks.
    static Result<DistributedEnv> fromEnvironment();
};

class ProcessGroup {
public:
    static Result<std::unique_ptr<ProcessGroup>> connect(const DistributedEnv& env);
    ~ProcessGroup();
    // Sum over ranks, divided by the world size, in place (gradients, losses).
    void allReduceMean(std::vector<torch::Tensor>& tensors);
    // Rank 0's values everywhere, in place.
    void broadcast(std::vector<torch::Tensor>& tensors);
    void barrier();
    int rank() const;
    int worldSize() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace shiftsr::training
