// Fuzz target: a training job's job.json (TrainJob::fromJson, every field validated).
#include "shiftsr/training/job.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace shiftsr::training;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    auto job = TrainJob::fromJson(text);
    if (!job)
        return 0;
    // The canonical form a run folder keeps (and a resumed run reads) is accepted again.
    if (!TrainJob::fromJson(job->toJson()))
        std::abort();
    return 0;
}
