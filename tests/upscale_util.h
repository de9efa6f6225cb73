// The model's own output for an in-memory image: one run through the engine's pipeline with the
// colour fix off (the tests' view of "what the network made").
#pragma once

#include "shiftsr/engine/pipeline.h"

#include <memory>

namespace testutil {

struct RawRun {
    int steps = 0;              // 0: the model's default
    std::uint64_t seed = 12345; // the official inference default
    int threads = 0;
};

inline shiftsr::Result<shiftsr::UpscaleReport>
rawUpscale(std::shared_ptr<const shiftsr::Model> model, const cv::Mat& image,
           const RawRun& run = {}, const shiftsr::JobControl& job = {}) {
    shiftsr::UpscaleRequest r;
    r.image = image;
    r.steps = run.steps;
    r.seed = run.seed;
    r.threads = run.threads;
    r.colorFix = shiftsr::ColorFix::None;
    return shiftsr::Pipeline(std::move(model)).run(r, job);
}

} // namespace testutil
