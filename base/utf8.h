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

// The length (1 to 4) of the well-formed sequence at s[i], or 0 when there is none there.
// `i` must be < s.size().
int utf8_sequence_length(std::string_view s, std::size_t i);

bool is_valid_utf8(std::string_view s);
// `s` with every byte that starts no well-formed sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view s);

// Appends code point `c` (at most U+10FFFF) in UTF-8.
void append_utf8(std::string& out, char32_t c);

}  // namespace winnow::base
