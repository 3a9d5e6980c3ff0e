#pragma once
// Text helpers shared by the feed readers. Pure; any thread.
#include <cstdint>
#include <string>
#include <string_view>

namespace winnow::feeds {

// ASCII whitespace trimmed from both ends.
std::string_view trim(std::string_view s);
// Runs of ASCII whitespace become one space; ends trimmed.
std::string collapse_whitespace(std::string_view s);
// The text of an HTML fragment: entities decoded, tags dropped (and <script>/<style> with
// their text), whitespace collapsed. Parsed with Gumbo, as a browser would.
std::string html_to_text(std::string_view html);
// Plain text from a title that may carry escaped markup or entities: only text holding '<'
// or '&' goes through html_to_text, the rest is just whitespace-collapsed.
std::string plain_text(std::string_view maybe_html);
// `ref` resolved against the absolute URL `base` (RFC 3986, Boost.URL); `ref` trimmed and
// unchanged when it is already absolute, when `base` is empty or not absolute, or when
// either does not parse.
std::string resolve_url(std::string_view base, std::string_view ref);
// A stable id for an entry that has none: "urn:winnow:" + 16 hex digits of FNV-1a/64 over
// link + '\n' + title (+ '\n' + fallback when both are empty).
std::string derived_id(std::string_view link, std::string_view title, std::string_view fallback);
// `s` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view s);
bool is_valid_utf8(std::string_view s);
// A non-negative decimal integer ("1234", " 42 "); nullopt-like -1 when not one or too big.
std::int64_t parse_count(std::string_view s);

}  // namespace winnow::feeds
