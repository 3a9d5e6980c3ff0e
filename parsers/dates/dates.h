#pragma once
// Date and time parsing for pages and feeds. Pure; any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace winnow::parsers {

// Seconds since 1970-01-01T00:00:00Z.
using UnixSeconds = std::int64_t;

// Parses the date formats found in feeds and page metadata, normalised to UTC:
// RFC 822/1123/2822 with named (GMT, EST, PDT, ...) and numeric zones and their common
// broken variants (missing weekday or seconds, wrong weekday, two-digit years, extra spaces,
// "UT", lowercase names), RFC 3339 and ISO 8601 (basic and extended, fractions, "Z" or
// offsets, a space instead of "T"), W3C-DTF (YYYY, YYYY-MM, YYYY-MM-DD, ...) and bare dates.
// A time without a zone is taken as UTC. Returns nullopt when the text is not a date.
std::optional<UnixSeconds> parse_date(std::string_view text);

// "2004-01-01T19:48:21Z".
std::string format_rfc3339(UnixSeconds t);

}  // namespace winnow::parsers
