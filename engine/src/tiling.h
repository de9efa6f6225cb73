// Tile planning for the whole-image pipeline: grid, per-tile seeds, blend windows, memory estimate.
#pragma once

#include "model_impl.h"

#include <torch/torch.h>

#include <atomic>
#include <cstdint>
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
// of the same length sum to exactly 1 (sin^2 + cos^2), so matched overlaps are a partition of unity.
torch::Tensor window1d(int length, int rampBefore, int rampAfter);

// Conservative fp32 working-set estimate of one tile, in bytes per LQ pixel, from the
// architecture (see tiling.cpp for the terms).
std::uint64_t bytesPerLqPixel(const Architecture& arch);

// Largest tile (multiple of `offset`, at least `offset`) whose estimate fits `budget`.
int tileForBudget(std::uint64_t budget, std::uint64_t bytesPerPixel, int offset);

} // namespace shiftsr::tiling
