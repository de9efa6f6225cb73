// c10d Gloo process group from the launcher's environment.
#include "distributed.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdlib>

namespace shiftsr::training {

static const char* env(const char* a, const char* b = nullptr) {
    if (const char* v = std::getenv(a))
        return v;
    return b ? std::getenv(b) : nullptr;
}

static bool toInt(const char* s, int* out) {
    if (!s)
        return false;
    char* end = nullptr;
    long v = std::strtol(s, &end, 10);
    if (!end || *end || v < 0 || v > 1 << 20)
        return false;
    *out = int(v);
    return true;
}

Result<DistributedEnv> DistributedEnv::fromEnvironment() {
    DistributedEnv e;
    const char* ws = env("WORLD_SIZE", "SLURM_NTASKS");
    if (!ws)
        return e;
    if (!toInt(ws, &e.worldSize) || e.worldSize < 1)
        return Status::error(StatusCode::InvalidArgument, "WORLD_SIZE must be a positive integer");
    if (!toInt(env("RANK", "SLURM_PROCID"), &e.rank) || e.rank >= e.worldSize)
        return Status::error(StatusCode::InvalidArgument,
                             "RANK (or SLURM_PROCID) must be set and below WORLD_SIZE");
    if (!toInt(env("LOCAL_RANK", "SLURM_LOCALID"), &e.localRank))
        e.localRank = 0;
    if (const char* a = env("MASTER_ADDR", "SLURM_LAUNCH_NODE_IPADDR"))
        e.masterAddr = a;
    if (const char* p = env("MASTER_PORT"); p && !toInt(p, &e.masterPort))
        return Status::error(StatusCode::InvalidArgument, "MASTER_PORT must be a port number");
    return e;
}

struct ProcessGroup::Impl {
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
};

Result<std::unique_ptr<ProcessGroup>> ProcessGroup::connect(const DistributedEnv& e) {
    auto g = std::unique_ptr<ProcessGroup>(new ProcessGroup());
    g->impl_ = std::make_unique<Impl>();
    try {
        c10d::TCPStoreOptions so;
        so.port = static_cast<std::uint16_t>(e.masterPort);
        so.isServer = e.rank == 0;
        so.numWorkers = e.worldSize;
        so.waitWorkers = true;
        so.timeout = std::chrono::seconds(300);
        g->impl_->store = c10::make_intrusive<c10d::TCPStore>(e.masterAddr, so);
        auto opts = c10d::ProcessGroupGloo::Options::create();
        opts->timeout = std::chrono::seconds(600);
        opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        g->impl_->pg =
            c10::make_intrusive<c10d::ProcessGroupGloo>(g->impl_->store, e.rank, e.worldSize, opts);
    } catch (const std::exception& ex) {
        return Status::error(StatusCode::IoError,
                             "cannot join the process group at " + e.masterAddr + ":" +
                                 std::to_string(e.masterPort) + ": " + ex.what());
    }
    return g;
}

ProcessGroup::~ProcessGroup() = default;

void ProcessGroup::allReduceMean(std::vector<torch::Tensor>& tensors) {
    if (tensors.empty())
        return;
    // One flat buffer: a single collective instead of one per parameter.
    std::vector<torch::Tensor> flat{torch::cat([&] {
        std::vector<torch::Tensor> v;
        for (auto& t : tensors)
            v.push_back(t.reshape(-1));
        return v;
    }())};
    impl_->pg->allreduce(flat)->wait();
    flat[0].div_(double(worldSize()));
    int64_t off = 0;
    for (auto& t : tensors) {
        const int64_t n = t.numel();
        t.copy_(flat[0].slice(0, off, off + n).view_as(t));
        off += n;
    }
}

void ProcessGroup::broadcast(std::vector<torch::Tensor>& tensors) {
    for (auto& t : tensors) {
        std::vector<torch::Tensor> one{t};
        impl_->pg->broadcast(one)->wait();
    }
}

void ProcessGroup::barrier() {
    impl_->pg->barrier()->wait();
}
int ProcessGroup::rank() const {
    return impl_->pg->getRank();
}
int ProcessGroup::worldSize() const {
    return impl_->pg->getSize();
}

} // namespace shiftsr::training
