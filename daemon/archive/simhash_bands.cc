#include "daemon/archive/simhash_bands.h"

namespace winnow::archive {

std::array<std::int64_t, 6> simhash_bands(std::uint64_t fingerprint) {
  constexpr int kWidths[6] = {11, 11, 11, 11, 10, 10};
  std::array<std::int64_t, 6> out{};
  int shift = 0;
  for (int i = 0; i < 6; ++i) {
    out[i] = static_cast<std::int64_t>((fingerprint >> shift) & ((std::uint64_t(1) << kWidths[i]) - 1));
    shift += kWidths[i];
  }
  return out;
}

}  // namespace winnow::archive
