#pragma once
// FNV-1a, 64 bits (Fowler, Noll, Vo): a fast, stable hash of bytes, the same on every
// machine and release, for what must not change between runs (SimHash features, ETags,
// dictionary ids). Not for hash tables facing hostile keys, nor for anything secret. Pure;
// any thread.
#include <cstdint>
#include <string_view>

namespace winnow::base {

inline constexpr std::uint64_t kFnv1aOffset = 0xcbf29ce484222325ull;

// `h` (kFnv1aOffset to start) fed `bytes`: feeding pieces one after another equals feeding
// them joined.
constexpr std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h = kFnv1aOffset) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace winnow::base
