#pragma once
// UTF-8 checked and repaired at speed, and UTF-16 (ICU's output) turned into UTF-8: the two
// ends of every conversion. Internal to parsers/charset: decode.h is the face. Pure; any thread.
#include <cstddef>
#include <string>
#include <string_view>

namespace winnow::parsers::charset {

// A conversion's result: valid UTF-8 without NULs.
struct Decoded {
  std::string utf8;
  std::size_t replaced = 0;  // invalid sequences that became U+FFFD
};

struct Utf8Stats {
  std::size_t invalid = 0;    // ill-formed sequences
  std::size_t multibyte = 0;  // well-formed non-ASCII characters
  bool has_nul = false;
};

// Counts what `bytes` holds read as UTF-8; with `stop_at_invalid`, only up to the first
// ill-formed sequence (invalid is then 0 or 1).
Utf8Stats scan_utf8(std::string_view bytes, bool stop_at_invalid);

// Decide between a damaged UTF-8 page and a page in another encoding: reading a legacy page
// as UTF-8 loses about one character per invalid sequence, reading a UTF-8 page as a legacy
// encoding garbles every multi-byte character. Pick the smaller loss.
inline bool is_mostly_utf8(const Utf8Stats& stats) { return stats.invalid == 0 || stats.multibyte >= stats.invalid; }

// `bytes` as valid UTF-8: NULs dropped, each maximal ill-formed prefix replaced by one U+FFFD
// (as the WHATWG UTF-8 decoder does). `stats` must be scan_utf8(bytes, false).
Decoded decode_utf8(std::string_view bytes, const Utf8Stats& stats);

// Appends UTF-16, given a chunk at a time, to `out` as UTF-8, dropping NULs; unpaired
// surrogates become U+FFFD. A supplementary character may be split between two chunks: its
// lead surrogate waits for the next one. `out` must outlive the writer.
class Utf16ToUtf8 {
 public:
  static constexpr std::size_t kChunkUnits = 8192;  // the most append() takes at once

  explicit Utf16ToUtf8(Decoded& out) : out_(out) {}

  void append(const char16_t* p, const char16_t* end);
  // After the last chunk: a lead surrogate still waiting becomes U+FFFD.
  void finish();

 private:
  char* put_replacement(char* w);

  Decoded& out_;
  char16_t lead_ = 0;
};

}  // namespace winnow::parsers::charset
