// PairLoader: worker threads turn (seed, sample index) into HR/LQ pairs, in order, ahead of use.
#include "shiftsr/training/loader.h"

#include "random.h"

#include <opencv2/imgproc.hpp>

#include <list>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

namespace shiftsr::training {

namespace {

// Stream tags: the same (seed, index) must give unrelated numbers for unrelated purposes.
constexpr std::uint64_t kTagPermutation = 1;
constexpr std::uint64_t kTagSample = 2;
constexpr std::uint64_t kTagReplacement = 3;
constexpr int kMaxAttempts = 16;
constexpr std::size_t kMaxPendingWarnings = 1000;

Status invalid(const std::string& message) {
    return Status::error(StatusCode::InvalidArgument, "loader options: " + message);
}

// Official crop_pad: grow by reflection (at most the current size per round, as
// cv2.copyMakeBorder with REFLECT_101 allows) until both sides reach `side`.
cv::Mat padToAtLeast(cv::Mat img, int side) {
    while (img.rows < side || img.cols < side) {
        const int padH = std::min(std::max(0, side - img.rows), img.rows);
        const int padW = std::min(std::max(0, side - img.cols), img.cols);
        cv::Mat grown;
        cv::copyMakeBorder(img, grown, 0, padH, 0, padW, cv::BORDER_REFLECT_101);
        img = grown;
    }
    return img;
}

cv::Mat toFloatRgb(const cv::Mat& bgr) {
    cv::Mat rgb, out;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    rgb.convertTo(out, CV_32F, bgr.depth() == CV_16U ? 1.0 / 65535.0 : 1.0 / 255.0);
    return out;
}

DegradationOptions withScale(DegradationOptions d, int scale) {
    d.scale = scale;
    return d;
}

} // namespace

// Decoded photos shared by the workers. Decoding happens outside the lock, so two workers may
// decode the same photo at once; both get identical pixels, so this costs time, never results.
class PairLoader::ImageCache {
public:
    explicit ImageCache(std::size_t capacity) : capacity_(capacity) {}

    Result<cv::Mat> get(std::size_t index, const std::string& path) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto it = entries_.find(index);
            if (it != entries_.end()) {
                if (!it->second.error.isOk())
                    return it->second.error;
                lru_.splice(lru_.begin(), lru_, it->second.lru);
                return it->second.image;
            }
        }
        Result<cv::Mat> decoded = decodeTrainingImage(path);
        std::lock_guard<std::mutex> lock(mutex_);
        if (entries_.count(index))
            return decoded;
        Entry e;
        if (decoded) {
            e.image = *decoded;
            e.bytes = e.image.total() * e.image.elemSize();
            lru_.push_front(index);
            e.lru = lru_.begin();
            bytes_ += e.bytes;
        } else {
            e.error = decoded.status(); // remembered: a photo that failed once is not retried
        }
        entries_.emplace(index, std::move(e));
        while (bytes_ > capacity_ && lru_.size() > 1) {
            auto victim = entries_.find(lru_.back());
            bytes_ -= victim->second.bytes;
            lru_.pop_back();
            entries_.erase(victim);
        }
        return decoded;
    }

private:
    struct Entry {
        cv::Mat image;
        Status error;
        std::list<std::size_t>::iterator lru;
        std::size_t bytes = 0;
    };
    std::mutex mutex_;
    std::size_t capacity_;
    std::size_t bytes_ = 0;
    std::list<std::size_t> lru_; // most recent first
    std::unordered_map<std::size_t, Entry> entries_;
};

Status PairLoader::validate(const LoaderOptions& o, std::size_t imageCount) {
    if (imageCount == 0)
        return invalid(
            "no training images (scan the folders first; every file may have been skipped)");
    if (imageCount > std::size_t(UINT32_MAX))
        return invalid("more than 4294967295 images");
    if (o.scale < 1 || o.scale > 16)
        return invalid("scale must be within 1..16, got " + std::to_string(o.scale));
    if (o.secondScale < 0 || o.secondScale > 16 ||
        (o.secondScale > 0 && o.gtSize % o.secondScale != 0))
        return invalid("secondScale must be 0 or within 1..16 and divide gtSize, got " +
                       std::to_string(o.secondScale));
    if (o.gtSize < o.scale || o.gtSize > 4096 || o.gtSize % o.scale != 0)
        return invalid("gtSize must be a multiple of the scale (" + std::to_string(o.scale) +
                       ") within " + std::to_string(o.scale) + "..4096, got " +
                       std::to_string(o.gtSize));
    if (o.batch < 1 || o.batch > 65536)
        return invalid("batch must be within 1..65536, got " + std::to_string(o.batch));
    if (o.workers < 1 || o.workers > 256)
        return invalid("workers must be within 1..256, got " + std::to_string(o.workers));
    if (o.prefetchBatches < 1 || o.prefetchBatches > 4096)
        return invalid("prefetchBatches must be within 1..4096, got " +
                       std::to_string(o.prefetchBatches));
    if (o.worldSize < 1)
        return invalid("worldSize must be at least 1, got " + std::to_string(o.worldSize));
    if (o.rank < 0 || o.rank >= o.worldSize)
        return invalid("rank must be within 0.." + std::to_string(o.worldSize - 1) + ", got " +
                       std::to_string(o.rank));
    return withScale(o.degradation, o.scale).validate();
}

namespace {
DegradationOptions checkedDegradation(const LoaderOptions& o, std::size_t imageCount) {
    if (Status s = PairLoader::validate(o, imageCount); !s)
        throw std::invalid_argument(s.message());
    return withScale(o.degradation, o.scale);
}
} // namespace

PairLoader::PairLoader(std::vector<ImageRecord> images, LoaderOptions options,
                       std::uint64_t startIndex)
    : images_(std::move(images)), options_(std::move(options)),
      degradation_(checkedDegradation(options_, images_.size())), startIndex_(startIndex),
      cache_(std::make_unique<ImageCache>(options_.cacheBytes)) {
    options_.degradation.scale = options_.scale;
    if (options_.secondScale > 0) {
        DegradationOptions second = options_.degradation;
        second.scale = options_.secondScale;
        secondDegradation_ = std::make_unique<RealEsrganDegradation>(second);
    }
    threads_.reserve(size_t(options_.workers));
    for (int i = 0; i < options_.workers; ++i)
        threads_.emplace_back([this] { workerLoop(); });
}

PairLoader::~PairLoader() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    workAvailable_.notify_all();
    for (std::thread& t : threads_)
        t.join();
}

std::uint64_t PairLoader::globalIndexOf(std::uint64_t batch, int j) const {
    const std::uint64_t b = std::uint64_t(options_.batch);
    const std::uint64_t w = std::uint64_t(options_.worldSize);
    return startIndex_ + batch * b * w + std::uint64_t(options_.rank) * b + std::uint64_t(j);
}

std::shared_ptr<const std::vector<std::uint32_t>> PairLoader::permutation(std::uint64_t epoch) {
    std::lock_guard<std::mutex> lock(permMutex_);
    auto it = permutations_.find(epoch);
    if (it != permutations_.end())
        return it->second;
    auto perm = std::make_shared<std::vector<std::uint32_t>>(images_.size());
    std::iota(perm->begin(), perm->end(), 0u);
    std::mt19937_64 rng(detail::mixSeed(options_.seed, epoch, 0, kTagPermutation));
    for (std::size_t i = perm->size() - 1; i > 0; --i)
        std::swap((*perm)[i], (*perm)[detail::uniformIndex(rng, i + 1)]);
    permutations_.emplace(epoch, perm);
    // Workers only ever straddle neighbouring epochs; old ones live on in shared_ptrs in use.
    while (permutations_.size() > 4)
        permutations_.erase(permutations_.begin());
    return perm;
}

Result<TrainingPair> PairLoader::makeSample(std::uint64_t g) {
    const std::uint64_t n = images_.size();
    std::size_t imageIndex = (*permutation(g / n))[std::size_t(g % n)];
    std::string lastError;
    for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
        if (attempt > 0)
            imageIndex = std::size_t(
                detail::mixSeed(options_.seed, g, std::uint64_t(attempt), kTagReplacement) % n);
        const ImageRecord& record = images_[imageIndex];
        Result<cv::Mat> decoded = cache_->get(imageIndex, record.path);
        if (!decoded) {
            lastError = "'" + record.path + "': " + decoded.status().message();
            std::lock_guard<std::mutex> lock(mutex_);
            if (warnings_.size() < kMaxPendingWarnings)
                warnings_.push_back("sample " + std::to_string(g) + ": cannot use " + lastError +
                                    "; another photo replaces it");
            continue;
        }
        std::mt19937_64 rng(detail::mixSeed(options_.seed, g, std::uint64_t(attempt), kTagSample));
        const int gt = options_.gtSize;
        const bool flip = options_.hflip && detail::uniform01(rng) < 0.5;
        cv::Mat img = *decoded;
        cv::Mat hr;
        if (options_.rescaleGt) {
            const int side = std::max(std::min(img.rows, img.cols), gt);
            img = padToAtLeast(img, side);
            const int top = int(detail::uniformIndex(rng, std::uint64_t(img.rows - side + 1)));
            const int left = int(detail::uniformIndex(rng, std::uint64_t(img.cols - side + 1)));
            hr = toFloatRgb(img(cv::Rect(left, top, side, side)));
            if (side != gt) {
                cv::Mat small;
                cv::resize(hr, small, cv::Size(gt, gt), 0, 0, cv::INTER_AREA);
                hr = small;
            }
        } else {
            img = padToAtLeast(img, gt);
            const int top = int(detail::uniformIndex(rng, std::uint64_t(img.rows - gt + 1)));
            const int left = int(detail::uniformIndex(rng, std::uint64_t(img.cols - gt + 1)));
            hr = toFloatRgb(img(cv::Rect(left, top, gt, gt)));
        }
        if (flip) {
            cv::Mat mirrored;
            cv::flip(hr, mirrored, 1);
            hr = mirrored;
        }
        TrainingPair pair;
        if (secondDegradation_) {
            std::mt19937_64 rng2 = rng; // the same draws: the same degradation at another scale
            pair.lq2 = secondDegradation_->degrade(hr, rng2);
        }
        pair.lq = degradation_.degrade(hr, rng);
        pair.hr = hr;
        pair.path = record.path;
        pair.index = g;
        if (attempt > 0) {
            std::lock_guard<std::mutex> lock(mutex_);
            ++replaced_;
        }
        return pair;
    }
    return Status::error(StatusCode::InvalidFile,
                         "no readable photo in " + std::to_string(kMaxAttempts) +
                             " tries for training sample " + std::to_string(g) +
                             " (last: " + lastError + ")");
}

void PairLoader::workerLoop() {
    const std::uint64_t b = std::uint64_t(options_.batch);
    const std::uint64_t ahead = std::uint64_t(options_.prefetchBatches);
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        workAvailable_.wait(lock, [&] { return stop_ || nextTask_ < (consumed_ + ahead) * b; });
        if (stop_)
            return;
        const std::uint64_t task = nextTask_++;
        lock.unlock();
        const std::uint64_t batch = task / b;
        const int j = int(task % b);
        Result<TrainingPair> pair = Status::error(StatusCode::Internal, "sample not made");
        try {
            pair = makeSample(globalIndexOf(batch, j));
        } catch (const std::bad_alloc&) {
            pair = Status::error(StatusCode::OutOfMemory, "out of memory making a training sample");
        } catch (const std::exception& e) {
            pair = Status::error(StatusCode::Internal,
                                 std::string("making a training sample failed: ") + e.what());
        }
        lock.lock();
        Slot& slot = slots_[batch];
        if (slot.pairs.empty())
            slot.pairs.resize(std::size_t(b));
        if (pair)
            slot.pairs[std::size_t(j)] = std::move(*pair);
        else if (slot.error.isOk())
            slot.error = pair.status();
        if (std::uint64_t(++slot.done) == b)
            slotReady_.notify_all();
    }
}

Result<Batch> PairLoader::next() {
    const std::uint64_t b = std::uint64_t(options_.batch);
    std::unique_lock<std::mutex> lock(mutex_);
    slotReady_.wait(lock, [&] {
        auto it = slots_.find(consumed_);
        return it != slots_.end() && std::uint64_t(it->second.done) == b;
    });
    auto it = slots_.find(consumed_);
    if (!it->second.error.isOk())
        return it->second.error;
    Batch batch;
    batch.pairs = std::move(it->second.pairs);
    batch.firstIndex = globalIndexOf(consumed_, 0);
    slots_.erase(it);
    ++consumed_;
    lock.unlock();
    workAvailable_.notify_all();
    return batch;
}

std::uint64_t PairLoader::position() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return startIndex_ +
           consumed_ * std::uint64_t(options_.batch) * std::uint64_t(options_.worldSize);
}

std::vector<std::string> PairLoader::takeWarnings() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    out.swap(warnings_);
    return out;
}

std::uint64_t PairLoader::replacedSamples() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return replaced_;
}

} // namespace shiftsr::training
