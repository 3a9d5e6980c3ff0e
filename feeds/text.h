#pragma once
// Text helpers shared by the feed readers (trimming, UTF-8 and URLs are in base/). Pure; any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/ascii.h"

namespace winnow::feeds {

// Runs of ASCII whitespace become one space; ends trimmed (base/ascii.h).
using base::collapse_whitespace;
// The text of an HTML fragment: entities decoded, tags dropped (and <script>/<style> with
// their text), whitespace collapsed. Parsed with Gumbo, as a browser would.
std::string html_to_text(std::string_view html);
// Plain text from a title that may carry escaped markup or entities: only text holding '<'
// or '&' goes through html_to_text, the rest is just whitespace-collapsed.
std::string plain_text(std::string_view maybe_html);
// A stable id for an entry that has none: "urn:winnow:" + 16 hex digits of FNV-1a/64 over
// link + '\n' + title (+ '\n' + fallback when both are empty).
std::string derived_id(std::string_view link, std::string_view title, std::string_view fallback);
// The bytes `text` encodes in base64 (RFC 4648; whitespace ignored, padding optional);
// nullopt when it holds anything else.
std::optional<std::string> decode_base64(std::string_view text);
// A non-negative decimal integer ("1234", " 42 "); nullopt-like -1 when not one or too big.
std::int64_t parse_count(std::string_view s);

}  // namespace winnow::feeds
