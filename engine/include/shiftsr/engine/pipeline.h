// Pipeline: one upscale request from file (or image) to file: read, tile, sample, blend, colour
// fix, write.
#pragma once

#include "shiftsr/engine/image_io.h"
#include "shiftsr/engine/model.h"
#include "shiftsr/engine/progress.h"
#include "shiftsr/engine/status.h"

#include <opencv2/core.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace shiftsr {

// The default peak memory of a CPU run: what a laptop with 8 GB can give without swapping.
inline constexpr std::uint64_t kDefaultMemoryLimit = std::uint64_t(2) << 30;

struct TileOptions {
    int tile = 0;    // LQ tile side in pixels (snapped down to the model's padding offset); 0 = the
                     // grid with the fewest pixels whose tiles fit the memory budget (tiling.h)
    int overlap = 0; // LQ overlap between neighbouring tiles; 0 = auto (with `tile`: 1/4 of it, a
                     // multiple of 8; automatic tiles: at least tiling::kMinOverlap)
    std::uint64_t memoryBudget =
        0; // bytes for one tile's working set and its band of the canvas; 0 = from memoryLimit
    // Peak resident memory the run aims to stay under on the CPU (the process as it stands, the
    // output canvases and one tile); 0 = the available RAM less a margin. A GPU's tiles follow
    // its free memory instead.
    std::uint64_t memoryLimit = kDefaultMemoryLimit;
};

// Luma (the diffusion models' choice): the wavelet fix on brightness, and all colour from the
// input, so a model never adds colour the photo does not have (a tinted blob on a grey wall); the
// model's detail is in its brightness. Wavelet: the model's own colour is kept above the wavelet's
// low frequencies. Auto (the default): the model's advice, its package's sampler.color_fix: Luma
// for the diffusion families, None for the single-pass GAN families, whose colours are their own.
enum class ColorFix { None, Wavelet, AdaIN, Luma, Auto };
const char* colorFixName(ColorFix fix); // "none", "wavelet", "adain", "luma", "auto"
bool parseColorFix(const std::string& text, ColorFix* out);

struct UpscaleRequest {
    std::string input;  // image file; ignored when `image` is set
    std::string output; // empty: nothing is written, the result is only returned
    cv::Mat image;      // in-memory input: 8/16-bit gray, BGR or BGRA (alpha upscaled separately)
    int steps = 0;      // 0: the model's default
    std::uint64_t seed = 12345;
    int threads = 0; // intra-op threads; 0 = all logical cores
    TileOptions tiles;
    ColorFix colorFix = ColorFix::Auto;
    bool keepMetadata = true; // copy the input's EXIF/IPTC/XMP/ICC onto the output
    ImageWriteOptions write;
    ImageReadOptions read;
};

struct StageTimes {
    double encode = 0, decode = 0, total = 0; // seconds
    std::vector<double> unetSteps;            // one entry per network call
    // Reading, tile blending, colour fix, writing (seconds).
    double read = 0, blend = 0, colorFix = 0, write = 0;
};

struct UpscaleReport {
    cv::Mat image;             // BGR or gray (as the input), same depth as the input
    cv::Mat alpha;             // empty, or bicubic-upscaled input alpha of the same depth
    int width = 0, height = 0; // output size
    int tile = 0, overlap = 0, tiles = 0; // LQ tile side and overlap in effect, number of tiles
    ColorFix colorFix = ColorFix::Luma;   // in effect (Auto resolved by the model's advice)
    std::uint64_t bytesPerLqPixel = 0;    // the memory estimate the tile size came from
    StageTimes times;
    // Peak resident memory of the process during this run (Linux: the kernel's high-water mark is
    // reset when the run starts; elsewhere the peak since the process started).
    unsigned long long peakRssBytes = 0;
    // Resident memory of the process when the run began (after returning freed memory to the
    // system): runPeakBytes() is what this run itself needed, the same figure whatever ran before.
    unsigned long long startRssBytes = 0;
    unsigned long long runPeakBytes() const {
        return peakRssBytes > startRssBytes ? peakRssBytes - startRssBytes : 0;
    }
    std::string device;
    int threads = 0;
    int steps = 0;
    std::vector<std::string> warnings; // e.g. tile halved after out-of-memory, alpha dropped
};

// Holds a shared immutable Model; run() may be called from any number of threads at once (each
// run keeps its caches to itself). The one inference path of the engine: an in-memory image
// without an output path is only returned. Never throws; Cancelled (and no output file) when
// job.cancel is raised.
class Pipeline {
public:
    explicit Pipeline(std::shared_ptr<const Model> model);
    Result<UpscaleReport> run(const UpscaleRequest& request, const JobControl& job = {}) const;
    const Model& model() const { return *model_; }

private:
    std::shared_ptr<const Model> model_;
};

} // namespace shiftsr
