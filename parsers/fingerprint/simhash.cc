#include "parsers/fingerprint/simhash.h"

#include <array>
#include <bit>
#include <string>
#include <vector>

namespace winnow::parsers {
namespace {

// 64-bit FNV-1a, then a finalizer (splitmix64) to spread the bits.
std::uint64_t hash_bytes(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

// Words: runs of ASCII letters/digits (lowercased) or of non-ASCII code points; a code point
// of the CJK ranges (3-byte UTF-8 lead E3-E9, EA-ED for Hangul) is a word on its own, since
// those scripts do not separate words with spaces.
std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (std::isalnum(c)) word.push_back(char(std::tolower(c)));
      else flush();
      ++i;
      continue;
    }
    std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    len = std::min(len, text.size() - i);
    bool cjk = len == 3 && c >= 0xE3 && c <= 0xED;
    bool punctuation = len == 3 && c == 0xE2;  // U+2000-U+2FFF: quotes, dashes, bullets
    if (cjk || punctuation) flush();
    if (!punctuation) word.append(text.substr(i, len));
    if (cjk) flush();
    i += len;
  }
  flush();
  return words;
}

}  // namespace

std::uint64_t simhash(std::string_view text) {
  std::vector<std::string> words = words_of(text);
  if (words.empty()) return 0;
  std::array<std::int64_t, 64> weights{};
  auto add = [&](std::uint64_t h) {
    for (int bit = 0; bit < 64; ++bit) weights[bit] += (h >> bit) & 1 ? 1 : -1;
  };
  if (words.size() < 3) {
    for (const auto& w : words) add(hash_bytes(w));
  } else {
    std::string shingle;
    for (std::size_t i = 0; i + 2 < words.size(); ++i) {
      shingle.assign(words[i]).append(" ").append(words[i + 1]).append(" ").append(words[i + 2]);
      add(hash_bytes(shingle));
    }
  }
  std::uint64_t out = 0;
  for (int bit = 0; bit < 64; ++bit)
    if (weights[bit] > 0) out |= std::uint64_t(1) << bit;
  return out;
}

int hamming_distance(std::uint64_t a, std::uint64_t b) { return std::popcount(a ^ b); }

}  // namespace winnow::parsers
