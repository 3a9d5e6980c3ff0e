// The bands the archive indexes: their widths are also written out in the SQL of schema
// migration 2, so a change here must come with a migration.
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdint>
#include <random>

#include "daemon/archive/simhash_bands.h"

namespace {

using winnow::archive::kBandedDistance;
using Bands = std::array<std::int64_t, 6>;

BOOST_AUTO_TEST_SUITE(simhash_bands)

BOOST_AUTO_TEST_CASE(bands_are_11_11_11_11_10_10_bits_lowest_first) {
  BOOST_TEST((winnow::archive::simhash_bands(~std::uint64_t(0)) == Bands{2047, 2047, 2047, 2047, 1023, 1023}));
  BOOST_TEST((winnow::archive::simhash_bands(0) == Bands{0, 0, 0, 0, 0, 0}));
  BOOST_TEST((winnow::archive::simhash_bands(std::uint64_t(1) << 11) == Bands{0, 1, 0, 0, 0, 0}));
  BOOST_TEST((winnow::archive::simhash_bands(std::uint64_t(1) << 43) == Bands{0, 0, 0, 1024, 0, 0}));
  BOOST_TEST((winnow::archive::simhash_bands(std::uint64_t(1) << 63) == Bands{0, 0, 0, 0, 0, 512}));
}

BOOST_AUTO_TEST_CASE(fingerprints_within_the_banded_distance_share_a_band) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> bit(0, 63);
  for (int trial = 0; trial < 1000; ++trial) {
    const std::uint64_t a = rng();
    std::uint64_t b = a;
    for (int i = 0; i < kBandedDistance; ++i) b ^= std::uint64_t(1) << bit(rng);
    const Bands x = winnow::archive::simhash_bands(a), y = winnow::archive::simhash_bands(b);
    bool shared = false;
    for (std::size_t i = 0; i < x.size(); ++i) shared = shared || x[i] == y[i];
    BOOST_TEST(shared);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
