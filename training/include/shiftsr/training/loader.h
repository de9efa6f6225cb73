// Deterministic, resumable, shardable producer of (HR crop, degraded LQ) batches on worker threads.
#pragma once

#include "shiftsr/engine/status.h"
#include "shiftsr/training/dataset.h"
#include "shiftsr/training/degradation.h"

#include <opencv2/core.hpp>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace shiftsr::training {

// Determinism: global sample i (counting from 0) is a pure function of (seed, i, the sorted image
// list): epoch e = i / N picks a seeded Fisher-Yates permutation of the N images, position i % N
// in it picks the image, and an mt19937_64 seeded with a hash of (seed, i) draws the flip, the
// crop and every degradation parameter. Worker count, timing, prefetch depth and where a run was
// resumed change nothing.
//
// Sharding: rank r of w ranks, batch b (counting from 0 after startIndex) holds the global
// samples startIndex + b*batch*w + r*batch + j, j = 0..batch-1. The ranks' batches b together
// are exactly batch b of a single process with batch*w, so a run's data does not depend on how
// many processes share it, and every rank resumes from the same startIndex.
struct LoaderOptions {
    int gtSize = 256;        // HR crop side; a multiple of scale
    int batch = 8;           // samples per batch on this rank
    int workers = 2;         // threads producing samples
    int prefetchBatches = 4; // batches prepared ahead of the consumer (memory bound)
    std::uint64_t seed = 1;
    bool hflip = true; // mirror half of the crops (official use_hflip; no rotations)
    int scale = 4;     // overrides degradation.scale
    // > 0: each pair also gets `lq2`, the same crop degraded at this scale with the same random
    // draws (YONOS-SR scale distillation: the teacher sees the less degraded input). 0: none.
    int secondScale = 0;
    DegradationOptions degradation;
    // false: a random gtSize crop at the photo's own resolution (photos smaller than gtSize are
    // first padded by reflection, as the official crop_pad does). true: the official ResShift
    // rescale_gt: the largest random square, area-downscaled to gtSize; it sees whole scenes at
    // lower detail.
    bool rescaleGt = false;
    int rank = 0;      // this process, 0..worldSize-1
    int worldSize = 1; // processes sharing the sample sequence
    // Decoded photos kept for reuse (8/16-bit as stored), least recently used dropped first.
    std::size_t cacheBytes = std::size_t(512) << 20;
};

struct TrainingPair {
    cv::Mat hr, lq;          // CV_32FC3 RGB in [0, 1]; hr gtSize^2, lq (gtSize/scale)^2
    cv::Mat lq2;             // with LoaderOptions::secondScale: (gtSize/secondScale)^2
    std::string path;        // the photo the crop came from
    std::uint64_t index = 0; // global sample index
};

struct Batch {
    std::vector<TrainingPair> pairs;
    std::uint64_t firstIndex = 0; // global index of pairs[0]; the rest follow consecutively
};

class PairLoader {
public:
    // InvalidArgument naming the option, or an empty image list.
    static Status validate(const LoaderOptions& options, std::size_t imageCount);

    // Starts the workers at once. startIndex: the global index where the next global batch
    // starts (0 for a new run, position() of the run being resumed). Throws
    // std::invalid_argument with validate()'s message when the options are invalid.
    PairLoader(std::vector<ImageRecord> images, LoaderOptions options,
               std::uint64_t startIndex = 0);
    // Stops and joins the workers, also while they wait for room; a sample being made is finished
    // first (milliseconds).
    ~PairLoader();
    PairLoader(const PairLoader&) = delete;
    PairLoader& operator=(const PairLoader&) = delete;

    // The next batch in order; blocks until it is ready. Fails (and keeps failing at the same
    // batch) when a sample could not be made: no readable photo in 16 tries, or an internal error.
    Result<Batch> next();

    // Global index where the next global batch starts: startIndex + batches taken*batch*worldSize.
    // Pass it as startIndex to resume exactly.
    std::uint64_t position() const;

    // Messages about photos that failed to load after the scan (each such sample used another
    // photo, chosen deterministically); taking them clears them. Like replacedSamples(), this
    // covers samples made so far, prefetched ones included.
    std::vector<std::string> takeWarnings();
    std::uint64_t replacedSamples() const;

    const LoaderOptions& options() const { return options_; }

private:
    struct Slot {
        std::vector<TrainingPair> pairs;
        int done = 0;
        Status error;
    };
    class ImageCache;

    void workerLoop();
    Result<TrainingPair> makeSample(std::uint64_t globalIndex);
    std::shared_ptr<const std::vector<std::uint32_t>> permutation(std::uint64_t epoch);
    std::uint64_t globalIndexOf(std::uint64_t batch, int j) const;

    std::vector<ImageRecord> images_;
    LoaderOptions options_;
    RealEsrganDegradation degradation_;
    std::unique_ptr<RealEsrganDegradation> secondDegradation_; // secondScale > 0
    std::uint64_t startIndex_;
    std::unique_ptr<ImageCache> cache_;

    mutable std::mutex mutex_;
    std::condition_variable workAvailable_; // workers wait for room or stop
    std::condition_variable slotReady_;     // next() waits for its batch
    bool stop_ = false;
    std::uint64_t consumed_ = 0; // batches returned by next()
    std::uint64_t nextTask_ = 0; // batch * batchSize + j of the next sample to start
    std::map<std::uint64_t, Slot> slots_;
    std::vector<std::string> warnings_;
    std::uint64_t replaced_ = 0;

    std::mutex permMutex_;
    std::map<std::uint64_t, std::shared_ptr<const std::vector<std::uint32_t>>> permutations_;

    std::vector<std::thread> threads_;
};

} // namespace shiftsr::training
