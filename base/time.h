#pragma once
// Dates for pages, feeds and the archive: parsing what the web writes, and RFC 3339 out.
// Calendar math is <chrono>'s. Pure; any thread (no clock is read here).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace winnow::base {

// Seconds since 1970-01-01T00:00:00Z.
using UnixSeconds = std::int64_t;

// Parses the date formats found in feeds and page metadata, normalised to UTC:
// RFC 822/1123/2822 with named (GMT, EST, PDT, ...) and numeric zones and their common
// broken variants (missing weekday or seconds, wrong weekday, two-digit years, extra spaces,
// "UT", lowercase names), RFC 3339 and ISO 8601 (basic and extended, fractions, "Z" or
// offsets, a space instead of "T"), W3C-DTF (YYYY, YYYY-MM, YYYY-MM-DD, ...) and bare dates.
// A time without a zone is taken as UTC. Returns nullopt when the text is not a date.
std::optional<UnixSeconds> parse_date(std::string_view text);

// "2004-01-01T19:48:21Z". Years 0000..9999 (all parse_date returns, give or take a zone's
// day) are RFC 3339 and read back; <chrono> holds years -32767..32767, and an instant
// outside those prints a wrong date.
std::string format_rfc3339(UnixSeconds t);

// HTTP's IMF-fixdate (RFC 7231 7.1.1.1), for Date, Last-Modified and Expires:
// "Sun, 06 Nov 1994 08:49:37 GMT". Same range as format_rfc3339.
std::string format_http_date(UnixSeconds t);

}  // namespace winnow::base
