#pragma once
// SHA-1 (FIPS 180-4) and base32 (RFC 4648), for the digests WARC records carry:
// "sha1:" followed by the base32 of the 20-byte hash. SHA-1 serves here as WARC and Common
// Crawl name their digests, not for security. Pure; any thread.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace winnow::archive {

using Sha1Digest = std::array<std::uint8_t, 20>;

// Incremental SHA-1: update() any number of times, then finish() once.
class Sha1 {
 public:
  Sha1();
  void update(std::string_view bytes);
  Sha1Digest finish();

 private:
  void compress(const std::uint8_t* block);

  std::array<std::uint32_t, 5> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

Sha1Digest sha1(std::string_view bytes);
// RFC 4648 base32, upper case, '='-padded to a multiple of 8 characters (20 bytes need none).
std::string base32(std::span<const std::uint8_t> bytes);
// "sha1:" + base32(sha1(bytes)), as in WARC-Block-Digest and WARC-Payload-Digest.
std::string warc_sha1(std::string_view bytes);

}  // namespace winnow::archive
