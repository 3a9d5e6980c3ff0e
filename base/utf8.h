#pragma once
// UTF-8 checks, repair and encoding. "Valid" is Unicode's well-formed UTF-8: no overlong
// forms, no surrogates, nothing past U+10FFFF. Pure; any thread.
#include <cstddef>
#include <string>
#include <string_view>

namespace winnow::base {

// A byte 10xxxxxx: the second to fourth byte of a sequence, never the start of a character.
constexpr bool is_utf8_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// How long the sequence that lead byte `c` starts says it is, without looking further:
// 1 for ASCII and for a byte that cannot lead (a continuation), else 2, 3 or 4. For
// scanning text that is known to be valid, or where a wrong guess only costs a word.
constexpr std::size_t utf8_lead_length(unsigned char c) { return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1; }

// U+FFFD REPLACEMENT CHARACTER, which stands in for what could not be decoded.
inline constexpr std::string_view kReplacementUtf8 = "\xEF\xBF\xBD";

// One step of a UTF-8 decoder at s[i]: the length (1 to 4) of the well-formed sequence there,
// or minus the length (1 to 3) of its maximal ill-formed prefix, which a decoder replaces by
// one U+FFFD (Unicode's "maximal subpart" practice, which the WHATWG UTF-8 decoder follows).
// `i` must be < s.size(). Inline: decoders call it once a non-ASCII character.
constexpr int utf8_decode_step(std::string_view s, std::size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  if (lead < 0x80) return 1;
  int trail_count = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the first trail byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    trail_count = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    trail_count = 2;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    trail_count = 3;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return -1;
  }
  for (int k = 1; k <= trail_count; ++k) {
    const std::size_t j = i + static_cast<std::size_t>(k);
    if (j >= s.size()) return -k;
    const auto trail = static_cast<unsigned char>(s[j]);
    if (trail < low || trail > high) return -k;
    low = 0x80;
    high = 0xBF;
  }
  return trail_count + 1;
}

// The length (1 to 4) of the well-formed sequence at s[i], or 0 when there is none there.
// `i` must be < s.size().
int utf8_sequence_length(std::string_view s, std::size_t i);

bool is_valid_utf8(std::string_view s);
// `s` with every byte that starts no well-formed sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view s);

// `s` as valid_utf8() makes it, with every control character but tab and newline replaced by
// U+FFFD too: C0 (ESC, BEL, CR...), DEL and C1 (U+0080-U+009F, U+009B being a CSI), which a
// terminal would act on. Page text gets the same from the HTML tokenizer; this is for the
// fields that reach a terminal from elsewhere (feed titles, URLs, authors, errors).
std::string without_controls(std::string_view s);

// Writes code point `c` (at most U+10FFFF) in UTF-8 at `out`, which has room for 4 bytes, and
// returns the end of what it wrote. Inline: converters call it once a character.
constexpr char* encode_utf8(char32_t c, char* out) {
  if (c < 0x80) {
    *out++ = static_cast<char>(c);
    return out;
  }
  if (c < 0x800) {
    *out++ = static_cast<char>(0xC0 | (c >> 6));
  } else if (c < 0x10000) {
    *out++ = static_cast<char>(0xE0 | (c >> 12));
    *out++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
  } else {
    *out++ = static_cast<char>(0xF0 | (c >> 18));
    *out++ = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    *out++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
  }
  *out++ = static_cast<char>(0x80 | (c & 0x3F));
  return out;
}

// Appends code point `c` (at most U+10FFFF) in UTF-8.
void append_utf8(std::string& out, char32_t c);

}  // namespace winnow::base
