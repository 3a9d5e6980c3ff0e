#include "daemon/archive/digest.h"

#include <bit>
#include <cstring>

namespace winnow::archive {
namespace {

std::uint32_t load_be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | std::uint32_t{p[3]};
}

constexpr char kBase32Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

}  // namespace

Sha1::Sha1() : state_{0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u, 0xc3d2e1f0u} {}

void Sha1::compress(const std::uint8_t* block) {
  std::array<std::uint32_t, 80> w;
  for (int t = 0; t < 16; ++t) w[t] = load_be32(block + 4 * t);
  for (int t = 16; t < 80; ++t) w[t] = std::rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
  std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3], e = state_[4];
  for (int t = 0; t < 80; ++t) {
    std::uint32_t f, k;
    if (t < 20) {
      f = (b & c) | (~b & d);  // Ch
      k = 0x5a827999u;
    } else if (t < 40) {
      f = b ^ c ^ d;  // Parity
      k = 0x6ed9eba1u;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);  // Maj
      k = 0x8f1bbcdcu;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6u;
    }
    const std::uint32_t temp = std::rotl(a, 5) + f + e + k + w[t];
    e = d;
    d = c;
    c = std::rotl(b, 30);
    b = a;
    a = temp;
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
  state_[4] += e;
}

void Sha1::update(std::string_view bytes) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  std::size_t n = bytes.size();
  total_bytes_ += n;
  if (buffered_ > 0) {
    const std::size_t take = std::min(n, buffer_.size() - buffered_);
    std::memcpy(buffer_.data() + buffered_, p, take);
    buffered_ += take;
    p += take;
    n -= take;
    if (buffered_ < buffer_.size()) return;
    compress(buffer_.data());
    buffered_ = 0;
  }
  for (; n >= 64; p += 64, n -= 64) compress(p);
  std::memcpy(buffer_.data(), p, n);
  buffered_ = n;
}

Sha1Digest Sha1::finish() {
  // Padding: 0x80, zeros up to 56 mod 64, then the message length in bits, big-endian.
  const std::uint64_t bits = total_bytes_ * 8;
  buffer_[buffered_++] = 0x80;
  if (buffered_ > 56) {
    std::memset(buffer_.data() + buffered_, 0, buffer_.size() - buffered_);
    compress(buffer_.data());
    buffered_ = 0;
  }
  std::memset(buffer_.data() + buffered_, 0, 56 - buffered_);
  for (int i = 0; i < 8; ++i) buffer_[56 + i] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
  compress(buffer_.data());
  Sha1Digest out;
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 4; ++j) out[4 * i + j] = static_cast<std::uint8_t>(state_[i] >> (24 - 8 * j));
  return out;
}

Sha1Digest sha1(std::string_view bytes) {
  Sha1 hash;
  hash.update(bytes);
  return hash.finish();
}

std::string base32(std::span<const std::uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() + 4) / 5 * 8);
  // Each group of 5 bytes (40 bits) gives 8 characters of 5 bits.
  for (std::size_t at = 0; at < bytes.size(); at += 5) {
    const std::size_t n = std::min<std::size_t>(5, bytes.size() - at);
    std::uint64_t group = 0;
    for (std::size_t i = 0; i < 5; ++i) group = group << 8 | (i < n ? bytes[at + i] : 0);
    const std::size_t chars = (n * 8 + 4) / 5;  // characters that carry input bits
    for (std::size_t i = 0; i < 8; ++i)
      out += i < chars ? kBase32Alphabet[(group >> (35 - 5 * i)) & 31] : '=';
  }
  return out;
}

std::string warc_sha1(std::string_view bytes) { return "sha1:" + base32(sha1(bytes)); }

}  // namespace winnow::archive
