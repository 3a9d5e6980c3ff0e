#pragma once
// The bands of a 64-bit SimHash that the archive indexes for near-duplicate lookup. Pure;
// any thread. Not SQLite's: any back end stores the same bands (the SQLite schema's
// migration 2 computes them again in SQL for rows stored before it).
#include <array>
#include <cstdint>

namespace winnow::archive {

// Bands of 11, 11, 11, 11, 10, 10 bits: six bands, so fingerprints within 5 bits share one.
inline constexpr int kBandedDistance = 5;

// The six bands of `fingerprint`, lowest bits first, each as a non-negative integer.
std::array<std::int64_t, 6> simhash_bands(std::uint64_t fingerprint);

}  // namespace winnow::archive
