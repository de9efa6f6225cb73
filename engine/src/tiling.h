// Tile planning for the whole-image pipeline: grid, per-tile seeds, blend windows, memory estimate.
#pragma once

#include "shiftsr/nn/model_impl.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

namespace shiftsr::tiling {

// Tile positions along one axis of `length` LQ pixels. When length <= tile there is one tile
// covering the whole axis (padded by the sampler exactly like the untiled path). Otherwise every
// tile is `tile` long and the starts are spread evenly from 0 to length - tile, so neighbours
// overlap by at least `overlap` and the last tile ends on the image border.
struct Axis {
    std::vector<int> starts;
    int extent = 0; // tile length along this axis
};
Axis planAxis(int length, int tile, int overlap);

// Snaps a requested tile side down to a multiple of `offset` (at least `offset`).
int snapTile(int tile, int offset);
// Auto overlap: a quarter of the tile, rounded down to a multiple of 8 (at least 8, below tile).
int autoOverlap(int tile);

// Seed of the tile in grid row `row`, column `col`. Tile (0, 0) uses the request seed itself, so a
// one-tile run draws exactly the noise of the untiled official path; the others are mixed with
// SplitMix64 so the noise depends on position only, never on processing order.
// Fault injection for tests: while > 0, the pipeline treats any tile whose LQ side exceeds it
// as out of memory (as a failed allocation would), so the retry-smaller path can be tested.
extern std::atomic<int> gSimulateOomAbove;

std::uint64_t tileSeed(std::uint64_t seed, int row, int col);

// 1-D blend window over a tile of `length` HR pixels: raised-cosine ramps of `rampBefore` and
// `rampAfter` pixels (the overlap with the previous/next tile, 0 at an image border), 1 elsewhere.
// Ramps start at a small epsilon, never 0, so every output pixel has a positive weight. Two ramps
// of the same length sum to exactly 1 (sin^2 + cos^2), so matched overlaps are a partition of
// unity.
torch::Tensor window1d(int length, int rampBefore, int rampAfter);

// Conservative fp32 working-set estimate of one tile, in bytes per LQ pixel, from the
// architecture (see tiling.cpp for the terms).
std::uint64_t bytesPerLqPixel(const Architecture& arch);

// Automatic tiles overlap by at least this many LQ pixels (64 HR pixels of raised-cosine blend):
// enough for the border effects of the lite UNet to fall below the noise of a second seed.
inline constexpr int kMinOverlap = 16;

// The automatic grid: per axis a number of tiles and a tile length (a multiple of `align`, the
// model's padding offset, so no tile is padded by the sampler), chosen so that the tiles hold the
// fewest pixels in all (overlap and padding are paid for in UNet time) while one tile's area fits
// `maxArea` LQ pixels (the memory budget) and no side exceeds `maxSide` (a tile is also the unit of
// progress and cancellation). Neighbours overlap by at least `minOverlap`; tiles are spread evenly
// and the last ends on the border. An axis that fits in one tile is one tile of its own length.
struct Grid {
    Axis x, y;
    int minOverlap() const; // smallest overlap between neighbours (0 for a single tile)
    int maxSide() const { return std::max(x.extent, y.extent); }
};
// `fits(ex, ey)` says whether a tile of ex x ey LQ pixels (multiples of `align`) fits the memory
// budget; it must not grow true as a side grows.
Grid planGrid(int width, int height, const std::function<bool(int ex, int ey)>& fits, int maxSide,
              int minOverlap, int align);
// The same for a budget of `maxArea` LQ pixels per tile.
Grid planGrid(int width, int height, std::uint64_t maxArea, int maxSide, int minOverlap, int align);

} // namespace shiftsr::tiling
