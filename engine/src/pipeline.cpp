// Pipeline: read -> overlapping LQ tiles through the sampler -> weighted HR blend -> colour fix ->
// write.
#include "shiftsr/engine/pipeline.h"

#include "finish.h"
#include "shiftsr/nn/color_fix.h"
#include "shiftsr/nn/device.h"
#include "shiftsr/nn/image_tensor.h"
#include "shiftsr/nn/model_impl.h"
#include "shiftsr/nn/sampler.h"
#include "tiling.h"

#include "shiftsr/engine/metadata.h"
#include "shiftsr/engine/output_file.h"

#include <opencv2/imgproc.hpp>

#include <chrono>
#include <filesystem>
#include <limits>
#include <system_error>

namespace shiftsr {

namespace F = torch::nn::functional;

const char* colorFixName(ColorFix fix) {
    switch (fix) {
    case ColorFix::None:
        return "none";
    case ColorFix::Wavelet:
        return "wavelet";
    case ColorFix::AdaIN:
        return "adain";
    case ColorFix::Luma:
        return "luma";
    case ColorFix::Auto:
        return "auto";
    }
    return "none";
}

bool parseColorFix(const std::string& text, ColorFix* out) {
    for (ColorFix f :
         {ColorFix::None, ColorFix::Wavelet, ColorFix::AdaIN, ColorFix::Luma, ColorFix::Auto})
        if (text == colorFixName(f)) {
            *out = f;
            return true;
        }
    return false;
}

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Thrown out of one tiling attempt so that the caller retries with a smaller tile.
struct TileOutOfMemory : std::exception {
    const char* what() const noexcept override { return "out of memory"; }
};

bool isOutOfMemory(const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    return what.find("out of memory") != std::string::npos ||
           what.find("DefaultCPUAllocator") != std::string::npos;
}

struct TilingResult {
    cv::Mat image; // finished: colour-fixed, quantised, BGR
    int tiles = 0;
};

} // namespace

Pipeline::Pipeline(std::shared_ptr<const Model> model) : model_(std::move(model)) {}

Result<UpscaleReport> Pipeline::run(const UpscaleRequest& req, const JobControl& job) const {
    const auto tStart = Clock::now();
    const auto& m = model_->impl();
    const int T = m.arch.maxSteps();
    const int steps = req.steps == 0 ? m.arch.steps : req.steps;
    if (m.arch.gan() && steps != 1)
        return Status::error(StatusCode::InvalidArgument,
                             "this model (" + m.arch.family +
                                 ") is one forward pass: it runs with 1 step, not " +
                                 std::to_string(steps));
    if (m.arch.yonos() ? (steps < 1 || steps > T) : (steps != 1 && steps != T))
        return Status::error(
            StatusCode::InvalidArgument,
            (m.arch.yonos() ? "this model runs with 1 to " : "this model runs with 1 or ") +
                std::to_string(T) + " steps, not " + std::to_string(steps));
    if (req.tiles.tile < 0 || req.tiles.overlap < 0)
        return Status::error(StatusCode::InvalidArgument,
                             "tile size and overlap must not be negative");

    // Output problems are found before minutes of sampling, not after.
    if (!req.output.empty()) {
        if (req.write.format.empty() && !ImageIO::isSupportedExtension(req.output))
            return Status::error(StatusCode::InvalidArgument,
                                 "unsupported output format: " + req.output +
                                     " (use .png, .jpg, .tif, .webp or .bmp)");
        std::error_code ec;
        const auto parent = std::filesystem::path(req.output).parent_path();
        if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
            return Status::error(StatusCode::NotFound,
                                 "the output folder does not exist: " + parent.string());
    }

    UpscaleReport report;
    // Auto: the package's advice (none for GAN families, whose colours are their own).
    const ColorFix colorFix = req.colorFix == ColorFix::Auto ? m.arch.colorFix : req.colorFix;
    report.colorFix = colorFix;
    const auto tRead = Clock::now();
    cv::Mat color, alpha;
    if (!req.image.empty()) {
        if (req.image.depth() != CV_8U && req.image.depth() != CV_16U)
            return Status::error(StatusCode::Unsupported,
                                 "only 8- and 16-bit images are supported");
        switch (req.image.channels()) {
        case 1:
        case 3:
            color = req.image;
            break;
        case 4: {
            cv::Mat parts[4];
            cv::split(req.image, parts);
            cv::merge(parts, 3, color);
            alpha = parts[3];
            break;
        }
        default:
            return Status::error(StatusCode::Unsupported,
                                 "only gray, BGR and BGRA images are supported");
        }
    } else {
        if (req.input.empty())
            return Status::error(StatusCode::InvalidArgument, "no input: give a file or an image");
        auto decoded = ImageIO::read(req.input, req.read);
        if (!decoded) // ImageIO's messages name the file already
            return decoded.status();
        color = decoded->color;
        alpha = decoded->alpha;
        report.warnings.insert(report.warnings.end(), decoded->warnings.begin(),
                               decoded->warnings.end());
    }
    report.times.read = since(tRead);
    const int W = color.cols, H = color.rows, depth = color.depth();
    const bool gray = color.channels() == 1;
    const int sf = m.arch.scale, offset = m.arch.paddingOffset;
    if (W < 2 || H < 2)
        return Status::error(StatusCode::InvalidArgument,
                             "the image is too small (at least 2x2 pixels)");

    // Tiles: an explicit side gives square tiles of that side (overlap as asked, else a quarter);
    // otherwise the grid with the fewest pixels whose tiles fit the memory budget
    // (tiling::planGrid).
    report.bytesPerLqPixel = tiling::bytesPerLqPixel(m.arch);
    const bool explicitTile = req.tiles.tile > 0;
    std::uint64_t tileBudget = 0; // automatic tiles: bytes for one tile and its band of the canvas
    // Automatic tiles: LQ pixels one tile may hold; no cap until a tile runs out of memory.
    std::uint64_t maxArea = std::numeric_limits<std::uint64_t>::max();
    int maxSide = 0;
    int tile = 0; // explicit tiles: the side
    if (explicitTile) {
        tile = tiling::snapTile(req.tiles.tile, offset);
    } else {
        std::uint64_t budget = req.tiles.memoryBudget;
        if (budget == 0) {
            const std::uint64_t hrPixels = std::uint64_t(W) * H * sf * sf;
            // The 8/16-bit output (3 or 6 bytes per HR pixel) and the fp32 input (12 per LQ
            // pixel); AdaIN keeps the whole fp32 canvas (12 per HR pixel), the other colour fixes
            // a band of it that belongs to the tile's budget (bandBytes below).
            const std::uint64_t canvases = hrPixels * (depth == CV_16U ? 6 : 3) +
                                           std::uint64_t(W) * H * 12 +
                                           (colorFix == ColorFix::AdaIN ? hrPixels * 12 : 0);
            if (m.device.is_cuda()) {
                // Free VRAM (less a margin for cuDNN workspaces and the allocator's slack); the
                // canvases live in host memory. Unknown free memory: assume a mid-range card.
                const std::uint64_t free = device::cudaFreeBytes(m.device.index());
                if (free > 0) {
                    budget = free - std::min<std::uint64_t>(
                                        free / 2, std::max<std::uint64_t>(512ull << 20, free / 5));
                } else {
                    budget = 4ull << 30;
                    report.warnings.push_back("free GPU memory unknown: tile size assumes 4 GB");
                }
            } else {
                const std::uint64_t avail = device::availableRamBytes();
                const std::uint64_t margin = std::max<std::uint64_t>(512ull << 20, avail / 5);
                budget = avail > margin + canvases ? avail - margin - canvases : 0;
                if (req.tiles.memoryLimit > 0) {
                    // What the process holds already (libraries, weights, the decoded input).
                    const std::uint64_t held = device::currentRssBytes() + canvases;
                    const std::uint64_t room =
                        req.tiles.memoryLimit > held ? req.tiles.memoryLimit - held : 0;
                    // Below 128 x 128 LQ pixels a tile is mostly overlap: the limit cannot be kept
                    // at a sensible speed, so say so rather than crawl.
                    const std::uint64_t floor = report.bytesPerLqPixel * 128 * 128;
                    if (room < floor && floor < budget) {
                        budget = floor;
                        report.warnings.push_back(
                            "the memory limit of " + std::to_string(req.tiles.memoryLimit >> 20) +
                            " MB is too small for this image (the output alone needs " +
                            std::to_string(canvases >> 20) +
                            " MB): it runs over it; raise --max-memory");
                    } else if (room < budget) {
                        budget = room;
                    }
                }
            }
        }
        tileBudget = budget;
        // CPU tiles stay a few seconds long (progress, cancellation); per-pixel UNet time is flat
        // from 256 to 512 px here, so nothing is lost. A GPU takes what fits. A package may advise
        // its own CPU side (a GAN's network costs far more or less per pixel than a UNet step).
        maxSide = m.device.is_cuda() ? 2048 : m.arch.tileAdvice > 0 ? m.arch.tileAdvice : 512;
    }
    auto overlapFor = [&](int t) {
        if (req.tiles.overlap == 0)
            return tiling::autoOverlap(t);
        return std::min(req.tiles.overlap, t / 2);
    };
    if (explicitTile && req.tiles.overlap > tile / 2)
        report.warnings.push_back("overlap " + std::to_string(req.tiles.overlap) +
                                  " reduced to half the tile (" + std::to_string(tile / 2) + ")");
    auto planGrid = [&]() {
        if (explicitTile) {
            const int overlap = overlapFor(tile);
            return tiling::Grid{tiling::planAxis(W, tile, overlap),
                                tiling::planAxis(H, tile, overlap)};
        }
        const int minOverlap = req.tiles.overlap > 0      ? req.tiles.overlap
                               : m.arch.overlapAdvice > 0 ? m.arch.overlapAdvice
                                                          : tiling::kMinOverlap;
        // A tile's working set plus the band of the fp32 canvas alive while its row is blended:
        // the tile's HR rows and the colour fix's halo above them, the whole width.
        const bool band = colorFix != ColorFix::AdaIN;
        const std::uint64_t bandBytesPerRow = std::uint64_t(W) * sf * 12;
        const std::uint64_t haloRows = 2 * std::uint64_t(finishHalo(colorFix));
        auto fits = [&](int ex, int ey) {
            const std::uint64_t bytes =
                report.bytesPerLqPixel * std::uint64_t(ex) * std::uint64_t(ey) +
                (band ? bandBytesPerRow * (std::uint64_t(ey) * sf + haloRows) : 0);
            return std::uint64_t(ex) * std::uint64_t(ey) <= maxArea && bytes <= tileBudget;
        };
        return tiling::planGrid(W, H, fits, maxSide, minOverlap, offset);
    };

    // Runs share the model (only read) and nothing else: what this run caches is its own.
    nn::RunState unetState;
    unetState.cancel = job.cancel;
    // The report's peak is this run's (other runs may overlap), measured from what the process
    // holds now, once freed memory went back to the system.
    device::releaseFreeMemory();
    report.startRssBytes = device::currentRssBytes();
    device::resetPeakRss();
    report.threads = device::setThreads(req.threads);
    report.device = device::describe(m.device);
    report.steps = steps;

    SampleOptions so;
    so.mode = steps == 1 ? SamplerMode::OneStep : SamplerMode::MultiStep;
    so.extraNoiseChannels = m.arch.unet.extraInputChannels;
    DiffusionParts parts{m.unet.get(), m.codec.get(),      m.schedule.get(),
                         offset,       m.arch.degridSigma, &unetState};
    parts.sdUnet = m.sdUnet.get();
    parts.ddim = m.ddim.get();
    parts.scale = sf;
    parts.ddimSteps = steps;

    // One attempt over the whole grid. Tiles run row by row; every HR row that no later tile (and
    // no colour-fix halo) needs any more is finished into the output at once (finish.h), so only a
    // band of the fp32 canvas is alive: peak memory is the output, the band and one tile's working
    // set, whatever the number of tiles. AdaIN needs whole-image statistics and keeps the whole
    // canvas.
    auto runTiles = [&](torch::Tensor lq01, const tiling::Grid& grid, StageTimes& times) {
        const tiling::Axis& ax = grid.x;
        const tiling::Axis& ay = grid.y;
        const int tileSide = grid.maxSide();
        const int rows = int(ay.starts.size()), cols = int(ax.starts.size()), n = rows * cols;
        const int64_t HH = int64_t(H) * sf, WW = int64_t(W) * sf;
        const bool stream = colorFix != ColorFix::AdaIN;
        const int64_t halo = finishHalo(colorFix);
        BlendCanvas blend;
        blend.unitRange = m.gan != nullptr;
        auto ramp = [&](const tiling::Axis& a, int i, bool before) {
            const int k = int(a.starts.size());
            if (before)
                return i > 0 ? (a.starts[i - 1] + a.extent - a.starts[i]) * sf : 0;
            return i + 1 < k ? (a.starts[i] + a.extent - a.starts[i + 1]) * sf : 0;
        };
        // The grid is a product of row and column windows, so the weight sum is separable:
        // sum_rc wy_r(y) wx_c(x) = (sum_r wy_r(y)) (sum_c wx_c(x)); two vectors, not an HR plane.
        blend.wy = torch::zeros({HH}, torch::kFloat);
        blend.wx = torch::zeros({WW}, torch::kFloat);
        for (int r = 0; r < rows; ++r)
            blend.wy.slice(0, int64_t(ay.starts[r]) * sf, int64_t(ay.starts[r] + ay.extent) * sf)
                .add_(tiling::window1d(ay.extent * sf, ramp(ay, r, true), ramp(ay, r, false)));
        for (int c = 0; c < cols; ++c)
            blend.wx.slice(0, int64_t(ax.starts[c]) * sf, int64_t(ax.starts[c] + ax.extent) * sf)
                .add_(tiling::window1d(ax.extent * sf, ramp(ax, c, true), ramp(ax, c, false)));
        TilingResult result;
        result.tiles = n;
        if (stream)
            result.image = cv::Mat(int(HH), int(WW), depth == CV_16U ? CV_16UC3 : CV_8UC3);
        else
            blend.sum = torch::zeros({1, 3, HH, WW}, torch::kFloat);
        int64_t finished = 0; // HR rows [0, finished) are in result.image
        for (int r = 0; r < rows; ++r) {
            if (stream) {
                // This row's band: from the halo above the first unfinished row to the row's end.
                // What the last band holds of it (partial sums of the overlap, the halo) is kept.
                const int64_t from = std::max<int64_t>(0, finished - halo);
                const int64_t to = int64_t(ay.starts[r] + ay.extent) * sf;
                torch::Tensor kept;
                if (blend.sum.defined()) {
                    const int64_t keptEnd = blend.row0 + blend.sum.size(2);
                    if (keptEnd > from)
                        kept = blend.sum.slice(2, from - blend.row0, keptEnd - blend.row0).clone();
                    blend.sum = torch::Tensor();
                }
                blend.sum = torch::zeros({1, 3, to - from, WW}, torch::kFloat);
                blend.row0 = from;
                if (kept.defined())
                    blend.sum.slice(2, 0, kept.size(2)).copy_(kept);
            }
            for (int c = 0; c < cols; ++c) {
                if (job.cancelled())
                    throw Cancelled();
                const int k = r * cols + c;
                const std::string name = "tile " + std::to_string(k + 1) + "/" + std::to_string(n);
                const int x0 = ax.starts[c], y0 = ay.starts[r];
                JobControl inner;
                inner.cancel = job.cancel;
                if (job.progress)
                    inner.progress = [&](double f, const std::string& stage) {
                        job.report(0.9 * (k + f) / n, name + ": " + stage);
                    };
                auto lq =
                    lq01.slice(2, y0, y0 + ay.extent).slice(3, x0, x0 + ax.extent).to(m.device);
                SampleTimings st;
                torch::Tensor sr;
                try {
                    if (const int limit = tiling::gSimulateOomAbove.load();
                        limit > 0 && tileSide > limit)
                        throw TileOutOfMemory();
                    if (m.gan) {
                        // One forward pass on the tile in [0, 1]: no noise, no latent.
                        nn::RunState state;
                        state.cancel = job.cancel;
                        state.blockDone = [&](double f) { inner.report(f, "network"); };
                        device::synchronize(m.device);
                        const auto tNet = Clock::now();
                        sr = nn::upscaleTile(*m.gan, lq, m.arch.prePad, &state)
                                 .to(torch::kCPU, torch::kFloat);
                        st.steps.push_back(since(tNet));
                    } else {
                        SeededNoise noise(tiling::tileSeed(req.seed, r, c));
                        sr = superResolve(parts, (lq - 0.5) / 0.5, noise, so, inner, nullptr, &st)
                                 .to(torch::kCPU, torch::kFloat);
                    }
                } catch (const c10::Error& e) {
                    if (isOutOfMemory(e))
                        throw TileOutOfMemory();
                    throw;
                } catch (const std::bad_alloc&) {
                    throw TileOutOfMemory();
                }
                times.encode += st.encode;
                times.decode += st.decode;
                times.unetSteps.insert(times.unetSteps.end(), st.steps.begin(), st.steps.end());
                const auto tBlend = Clock::now();
                auto wx = tiling::window1d(ax.extent * sf, ramp(ax, c, true), ramp(ax, c, false));
                auto wy = tiling::window1d(ay.extent * sf, ramp(ay, r, true), ramp(ay, r, false));
                auto w = wy.view({1, 1, -1, 1}) * wx.view({1, 1, 1, -1});
                const int64_t hy = int64_t(y0) * sf - blend.row0, hx = int64_t(x0) * sf;
                blend.sum.slice(2, hy, hy + ay.extent * sf)
                    .slice(3, hx, hx + ax.extent * sf)
                    .add_(sr * w);
                times.blend += since(tBlend);
                sr = torch::Tensor();
                if (n > 1)
                    device::releaseFreeMemory();
                job.report(0.9 * (k + 1) / n, name + " done");
            }
            if (stream) {
                // Rows above the next tile row are complete; finishing reaches `halo` rows further.
                const bool last = r + 1 == rows;
                const int64_t upTo =
                    last ? HH : std::max(finished, int64_t(ay.starts[r + 1]) * sf - halo);
                const auto tFix = Clock::now();
                finishRows(blend, lq01, sf, colorFix, finished, upTo, result.image);
                times.colorFix += since(tFix);
                finished = upTo;
            }
        }
        if (!stream) {
            const auto tFix = Clock::now();
            job.report(0.92, "color fix");
            result.image = finishInStrips(blend, lq01, sf, colorFix, depth);
            times.colorFix += since(tFix);
        }
        return result;
    };

    try {
        device::InferenceGuard guard;
        auto lq01 = matToTensor01(color);
        TilingResult tiled;
        for (;;) {
            const tiling::Grid grid = planGrid();
            StageTimes attempt;
            try {
                tiled = runTiles(lq01, grid, attempt);
                report.tile = explicitTile ? tile : grid.maxSide();
                report.overlap = explicitTile ? overlapFor(tile) : grid.minOverlap();
                report.tiles = tiled.tiles;
                report.times.encode = attempt.encode;
                report.times.decode = attempt.decode;
                report.times.unetSteps = attempt.unetSteps;
                report.times.blend = attempt.blend;
                report.times.colorFix = attempt.colorFix;
                break;
            } catch (const TileOutOfMemory&) {
                const int failed = grid.maxSide();
                if (failed <= offset)
                    return Status::error(StatusCode::OutOfMemory,
                                         "out of memory even with the smallest tile (" +
                                             std::to_string(failed) +
                                             " px): free memory or use a smaller model");
                const int smaller = tiling::snapTile(failed / 2, offset);
                report.warnings.push_back("out of memory with " + std::to_string(failed) +
                                          " px tiles; retried with " + std::to_string(smaller) +
                                          " px");
                if (explicitTile) {
                    tile = smaller;
                } else {
                    maxSide = smaller;
                    maxArea = std::uint64_t(smaller) * smaller;
                }
            }
        }

        // Normalisation, colour fix and quantisation ran in strips of the blended rows (see
        // finish.h): the wavelet blur reaches 2 x (1+2+4+8+16) = 62 HR pixels, so per-tile fixing
        // would bring back the seams the blend removed; strips with a halo give the whole-image
        // result. Same arithmetic as the untiled path (sr * 0.5 + 0.5), so one tile without colour
        // fix matches it bit for bit.
        report.image = std::move(tiled.image);
        if (gray)
            cv::cvtColor(report.image, report.image, cv::COLOR_BGR2GRAY);
    } catch (const Cancelled&) {
        return Status::error(StatusCode::Cancelled, "cancelled");
    } catch (const c10::Error& e) {
        if (isOutOfMemory(e))
            return Status::error(StatusCode::OutOfMemory,
                                 "out of memory while blending: the output image is too large");
        return Status::error(StatusCode::Internal, e.what_without_backtrace());
    } catch (const std::bad_alloc&) {
        return Status::error(StatusCode::OutOfMemory,
                             "out of memory while blending: the output image is too large");
    } catch (const std::exception& e) {
        return Status::error(StatusCode::Internal, e.what());
    }
    report.width = report.image.cols;
    report.height = report.image.rows;
    if (!alpha.empty())
        cv::resize(alpha, report.alpha, report.image.size(), 0, 0, cv::INTER_CUBIC); // saturating

    if (job.cancelled())
        return Status::error(StatusCode::Cancelled, "cancelled");
    if (!req.output.empty()) {
        job.report(0.95, "write");
        const auto tWrite = Clock::now();
        Metadata metadata;
        if (req.keepMetadata && req.image.empty()) {
            auto read = Metadata::read(req.input);
            if (read)
                metadata = *read;
            else
                report.warnings.push_back("metadata not copied: " + read.status().message());
        }
        Provenance p;
        p.modelName = model_->info().name;
        p.modelSha256 = model_->info().contentHash;
        p.steps = steps;
        p.seed = std::to_string(req.seed);
        p.tile = std::to_string(report.tile) + "/" + std::to_string(report.overlap);
        p.colorFix = colorFixName(colorFix);
        p.device = report.device;
        p.precision = model_->precision();
        // One write: pixels, metadata and provenance in memory, then one atomic replacement, so a
        // failure anywhere leaves a file already at the output path as it was.
        std::string warning;
        const Status s = writeOutputImage(req.output, report.image, report.alpha, req.write,
                                          metadata, p, &warning);
        if (!s)
            return s.withContext("writing " + req.output);
        if (!warning.empty())
            report.warnings.push_back(warning);
        report.times.write = since(tWrite);
    }
    job.report(1.0, "done");
    report.times.total = since(tStart);
    report.peakRssBytes = device::peakRssBytes();
    return report;
}

} // namespace shiftsr
