// Portable random draws for the data pipeline: the same numbers from every standard library.
#pragma once

#include <cmath>
#include <cstdint>
#include <iterator>
#include <random>

namespace shiftsr::training::detail {

// std::*_distribution results are implementation-defined; std::mt19937_64 is not. Deriving every
// draw from raw engine output keeps samples identical across compilers and platforms, which a
// resumed or multi-machine run depends on.

inline std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// Hash of a tuple of integers; a tag keeps streams of different purpose apart.
inline std::uint64_t mixSeed(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0,
                             std::uint64_t tag = 0) {
    std::uint64_t h = splitmix64(a ^ 0x5348494654535221ull); // "SHIFTSR!"
    h = splitmix64(h ^ b);
    h = splitmix64(h ^ c);
    return splitmix64(h ^ tag);
}

// [0, 1) with 53 random bits.
inline double uniform01(std::mt19937_64& rng) {
    return double(rng() >> 11) * (1.0 / 9007199254740992.0);
}

inline double uniform(std::mt19937_64& rng, double lo, double hi) {
    return lo + (hi - lo) * uniform01(rng);
}

// [0, n): the modulo bias is below 2^-40 for every n this pipeline uses.
inline std::uint64_t uniformIndex(std::mt19937_64& rng, std::uint64_t n) {
    return n == 0 ? 0 : rng() % n;
}

// Box-Muller; u1 is kept away from 0 so log() stays finite.
inline double normal01(std::mt19937_64& rng) {
    const double u1 = 1.0 - uniform01(rng);
    const double u2 = uniform01(rng);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// n draws of N(0, sigma^2); both Box-Muller outputs are used (half the transcendental calls).
inline void fillNormal(float* out, std::size_t n, double sigma, std::mt19937_64& rng) {
    std::size_t i = 0;
    for (; i + 1 < n; i += 2) {
        const double radius = sigma * std::sqrt(-2.0 * std::log(1.0 - uniform01(rng)));
        const double angle = 6.283185307179586 * uniform01(rng);
        out[i] = float(radius * std::cos(angle));
        out[i + 1] = float(radius * std::sin(angle));
    }
    if (i < n)
        out[i] = float(sigma * normal01(rng));
}

// Index drawn with the given (unnormalised, non-negative) weights, like random.choices.
template <class Weights> std::size_t weightedChoice(std::mt19937_64& rng, const Weights& w) {
    double total = 0;
    for (double x : w)
        total += x;
    double u = uniform01(rng) * total;
    std::size_t last = 0;
    for (std::size_t i = 0; i < std::size(w); ++i) {
        if (w[i] <= 0)
            continue;
        if (u < w[i])
            return i;
        u -= w[i];
        last = i;
    }
    return last; // rounding left u just past the total
}

} // namespace shiftsr::training::detail
