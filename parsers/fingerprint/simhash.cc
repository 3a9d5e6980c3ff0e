#include "parsers/fingerprint/simhash.h"

#include <algorithm>
#include <array>
#include <bit>
#include <string>
#include <vector>

#include "base/ascii.h"
#include "base/hash.h"
#include "base/utf8.h"

namespace winnow::parsers {
namespace {

using base::kFnv1aOffset;

// 64-bit FNV-1a (base/hash.h), fed piece by piece.
std::uint64_t fnv(std::uint64_t h, std::string_view bytes) { return base::fnv1a(bytes, h); }

// A finalizer (splitmix64) to spread the bits of an FNV hash.
std::uint64_t finish(std::uint64_t h) {
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

// The words of a text, packed in one buffer.
struct Words {
  std::string bytes;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;  // offset and length in `bytes`
  std::string_view operator[](std::size_t i) const { return std::string_view(bytes).substr(spans[i].first, spans[i].second); }
  std::size_t size() const { return spans.size(); }
};

// Words: runs of ASCII letters/digits (lowercased) or of non-ASCII code points; a code point
// of the CJK ranges (3-byte UTF-8 lead E3-E9, EA-ED for Hangul) is a word on its own, since
// those scripts do not separate words with spaces.
Words words_of(std::string_view text) {
  Words words;
  words.bytes.reserve(text.size());
  std::size_t start = 0;
  auto flush = [&] {
    if (words.bytes.size() > start)
      words.spans.emplace_back(std::uint32_t(start), std::uint32_t(words.bytes.size() - start));
    start = words.bytes.size();
  };
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (base::is_ascii_alpha(char(c)) || base::is_ascii_digit(char(c)))
        words.bytes.push_back(base::to_lower(char(c)));
      else
        flush();
      ++i;
      continue;
    }
    std::size_t len = base::utf8_lead_length(c);
    len = std::min(len, text.size() - i);
    bool cjk = len == 3 && c >= 0xE3 && c <= 0xED;
    bool punctuation = len == 3 && c == 0xE2;  // U+2000-U+2FFF: quotes, dashes, bullets
    if (cjk || punctuation) flush();
    if (!punctuation) words.bytes.append(text.substr(i, len));
    if (cjk) flush();
    i += len;
  }
  flush();
  return words;
}

// Per-bit counts of set bits over many 64-bit hashes. Eight bytes of `lanes[j]` count bits
// j, j+8, ..., j+56 at once: eight additions per hash instead of sixty-four.
class BitCounter {
 public:
  void add(std::uint64_t h) {
    for (int j = 0; j < 8; ++j) lanes_[j] += (h >> j) & 0x0101010101010101ull;
    if (++pending_ == 255) spill();  // before a byte counter can overflow
    ++total_;
  }
  // The SimHash: bit b set when more than half of the hashes have it.
  std::uint64_t majority() {
    spill();
    std::uint64_t out = 0;
    for (int bit = 0; bit < 64; ++bit)
      if (2 * ones_[bit] > total_) out |= std::uint64_t(1) << bit;
    return out;
  }

 private:
  void spill() {
    for (int j = 0; j < 8; ++j) {
      for (int byte = 0; byte < 8; ++byte) ones_[byte * 8 + j] += (lanes_[j] >> (byte * 8)) & 0xff;
      lanes_[j] = 0;
    }
    pending_ = 0;
  }
  std::array<std::uint64_t, 8> lanes_{};
  std::array<std::uint64_t, 64> ones_{};
  int pending_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace

std::uint64_t simhash(std::string_view text) {
  const Words words = words_of(text);
  if (words.size() == 0) return 0;
  BitCounter counter;
  if (words.size() < 3) {
    for (std::size_t i = 0; i < words.size(); ++i) counter.add(finish(fnv(kFnv1aOffset, words[i])));
  } else {
    // Each shingle is the hash of "w1 w2 w3", fed without building the string.
    for (std::size_t i = 0; i + 2 < words.size(); ++i) {
      std::uint64_t h = fnv(kFnv1aOffset, words[i]);
      h = fnv(h, " ");
      h = fnv(h, words[i + 1]);
      h = fnv(h, " ");
      h = fnv(h, words[i + 2]);
      counter.add(finish(h));
    }
  }
  return counter.majority();
}

int hamming_distance(std::uint64_t a, std::uint64_t b) { return std::popcount(a ^ b); }

}  // namespace winnow::parsers
