#pragma once
// ASCII case and trimming, for protocol tokens, tag and attribute names, header fields and
// stock phrases. Bytes >= 0x80 are never changed or matched as letters: these helpers are
// safe on UTF-8 and do not depend on the C locale. Pure; any thread.
#include <cstddef>
#include <string>
#include <string_view>

namespace winnow::base {

// The character sets callers trim. They differ on purpose, so each caller names its own.
// C's isspace in the "C" locale: what text and dates trim.
inline constexpr std::string_view kAsciiSpace = " \t\n\v\f\r";

constexpr bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
// WHATWG's "ASCII whitespace" (Infra): what the HTML tokenizer, the encoding prescan and the
// Encoding Standard's labels skip. Unlike kAsciiSpace, no \v.
inline constexpr std::string_view kHtmlSpace = " \t\n\f\r";
constexpr bool is_html_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
constexpr bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

// Inline: tokenizers call it once a byte.
constexpr char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
std::string to_lower(std::string_view s);

// Equal, or `s` starts with `prefix`, ignoring ASCII case.
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
// Where `needle` next occurs in `s` at or after `pos`, ignoring ASCII case, as
// std::string_view::find does; npos when nowhere.
std::size_t ifind(std::string_view s, std::string_view needle, std::size_t pos = 0);

// `s` without the characters of `chars` at its front, its back, or both.
std::string_view trim_left(std::string_view s, std::string_view chars);
std::string_view trim_right(std::string_view s, std::string_view chars);
std::string_view trim(std::string_view s, std::string_view chars);
// trim(s, kAsciiSpace).
std::string_view trim_ascii_space(std::string_view s);

// `s` with every run of the characters of `spaces` made one space, and none at either end:
// text as a reader sees it.
std::string collapse_whitespace(std::string_view s, std::string_view spaces = kAsciiSpace);

// Appends `text` to `out` as HTML text: '&', '<' and '>' escaped, and '"' too when
// `in_attribute` (a value written between double quotes).
void append_html_escaped(std::string_view text, std::string& out, bool in_attribute);

}  // namespace winnow::base
