#include "parsers/charset/utf.h"

#include <array>
#include <cassert>
#include <cstdint>
#include <cstring>

#include "base/utf8.h"

namespace winnow::parsers::charset {
namespace {

// Whether all 8 bytes of `word` are ASCII and none is NUL.
bool is_plain_ascii(std::uint64_t word) {
  constexpr std::uint64_t kHighBits = 0x8080808080808080;
  constexpr std::uint64_t kOnes = 0x0101010101010101;
  return ((word | ((word - kOnes) & ~word)) & kHighBits) == 0;
}

// Skips bytes in 0x01..0x7F eight at a time.
const unsigned char* skip_plain_ascii(const unsigned char* p, const unsigned char* end) {
  while (end - p >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    if (!is_plain_ascii(word)) break;
    p += 8;
  }
  return p;
}

// base::utf8_decode_step for the non-ASCII byte at `p`.
int decode_step(std::string_view bytes, const unsigned char* p) {
  return base::utf8_decode_step(bytes, static_cast<std::size_t>(p - reinterpret_cast<const unsigned char*>(bytes.data())));
}

bool is_trail(char16_t u) { return u >= 0xDC00 && u <= 0xDFFF; }

char32_t combine(char16_t lead, char16_t trail) {
  return 0x10000 + ((char32_t{lead} - 0xD800) << 10) + (char32_t{trail} - 0xDC00);
}

}  // namespace

Utf8Stats scan_utf8(std::string_view bytes, bool stop_at_invalid) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  Utf8Stats stats;
  while (p != end) {
    p = skip_plain_ascii(p, end);
    if (p == end) break;
    if (*p < 0x80) {
      stats.has_nul |= *p == 0;
      ++p;
      continue;
    }
    const int length = decode_step(bytes, p);
    if (length > 0) {
      ++stats.multibyte;
      p += length;
    } else {
      ++stats.invalid;
      if (stop_at_invalid) break;
      p += -length;
    }
  }
  return stats;
}

Decoded decode_utf8(std::string_view bytes, const Utf8Stats& stats) {
  if (stats.invalid == 0 && !stats.has_nul) return {std::string(bytes), 0};
  Decoded out;
  out.utf8.reserve(bytes.size() + 2 * stats.invalid);
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  const auto* run = p;  // start of the bytes still to copy as they are
  auto flush = [&] {
    out.utf8.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
  };
  while (p != end) {
    p = skip_plain_ascii(p, end);
    if (p == end) break;
    if (*p < 0x80) {
      if (*p == 0) {
        flush();
        run = p + 1;
      }
      ++p;
      continue;
    }
    const int length = decode_step(bytes, p);
    if (length > 0) {
      p += length;
      continue;
    }
    flush();
    out.utf8 += base::kReplacementUtf8;
    ++out.replaced;
    p += -length;
    run = p;
  }
  flush();
  return out;
}

void Utf16ToUtf8::append(const char16_t* p, const char16_t* end) {
  constexpr std::size_t kBufferBytes = 3 * kChunkUnits + 4;
  std::array<char, kBufferBytes> buffer;
  assert(static_cast<std::size_t>(end - p) <= kChunkUnits);
  char* w = buffer.data();
  if (lead_ != 0 && p != end) {
    if (is_trail(*p)) {
      w = base::encode_utf8(combine(lead_, *p), w);
      ++p;
    } else {
      w = put_replacement(w);
    }
    lead_ = 0;
  }
  while (p != end) {
    const char16_t u = *p++;
    if (u < 0x80) {
      *w = static_cast<char>(u);
      w += u != 0;  // NULs are dropped
    } else if (u < 0xD800 || u > 0xDFFF) {
      w = base::encode_utf8(u, w);
    } else if (u <= 0xDBFF && p != end && is_trail(*p)) {
      w = base::encode_utf8(combine(u, *p), w);
      ++p;
    } else if (u <= 0xDBFF && p == end) {
      lead_ = u;
    } else {
      w = put_replacement(w);
    }
  }
  out_.utf8.append(buffer.data(), static_cast<std::size_t>(w - buffer.data()));
}

void Utf16ToUtf8::finish() {
  if (lead_ == 0) return;
  out_.utf8 += base::kReplacementUtf8;
  ++out_.replaced;
  lead_ = 0;
}

char* Utf16ToUtf8::put_replacement(char* w) {
  ++out_.replaced;
  return base::encode_utf8(0xFFFD, w);
}

}  // namespace winnow::parsers::charset
