#pragma once
// The pure half of fetching: reading response header lines, the request's header lines,
// following a redirect's Location, and what curl's result codes mean for the caller. No I/O
// and no clock (callers pass `now`); any thread.
#include <curl/curl.h>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "base/time.h"
#include "daemon/fetch/fetcher.h"

namespace winnow::fetch {

// What one response's headers said, of what the fetcher uses.
struct ResponseHeaders {
  std::string content_type;
  std::string etag;
  std::string last_modified;
  std::string location;
  std::optional<std::int64_t> retry_after_s;
  std::optional<std::int64_t> max_age_s;
  // The status line and header lines as received, each with its CRLF, and the blank line
  // that ends them: what a WARC response record keeps. Empty when it grew past
  // kMaxHeadBytes (then dropped whole rather than cut) or no status line came.
  std::string head;
  bool head_complete = false;  // its blank line came: later lines (trailers) stay out
  bool head_too_long = false;
};

// 256 KiB: far past what servers send (curl itself refuses a header line over 100 KiB),
// small enough that a hostile server cannot make every archived row carry megabytes.
inline constexpr std::size_t kMaxHeadBytes = 256 * 1024;

// Reads one line as curl's header callback passes it (CRLF included). A status line
// ("HTTP/...", any case) starts a new response and clears `h`: curl passes the headers of
// 1xx responses and of each redirect hop too. Field names match in any case and may have
// blanks before the colon; values lose their blanks at both ends. A repeated field replaces
// the earlier one, except that a Cache-Control without max-age leaves an earlier max-age.
// A line without a colon (the blank end of the headers, a folded continuation line) is
// ignored: a folded value keeps only its first line. `now` dates a Retry-After HTTP-date.
// Every line up to the blank one is also appended to `h.head` verbatim (see there).
void read_header_line(std::string_view line, base::UnixSeconds now, ResponseHeaders& h);

// Retry-After (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date made seconds from `now`
// (0 when it is past). nullopt when it is neither.
std::optional<std::int64_t> parse_retry_after(std::string_view value, base::UnixSeconds now);
// max-age=N (N possibly quoted) among the comma-separated Cache-Control directives.
std::optional<std::int64_t> parse_max_age(std::string_view value);

// "Name: value" for a request header, with CR, LF and NUL dropped from `value` so that it
// cannot smuggle in another header.
std::string header_line(std::string_view name, std::string_view value);

// 301, 302, 303, 307 and 308: the statuses whose Location the fetcher follows.
bool is_redirect(long status);
// `location` resolved against the absolute URL `base` (base::resolve_url: raw spaces and
// UTF-8 are percent-encoded, as browsers and curl do), without its fragment; empty when it
// is no usable URL.
std::string resolve_location(std::string_view base, std::string_view location);
// The same string for URLs of one resource, for redirect loop detection: scheme and host
// case, dot segments and %-escapes normalized, fragment dropped.
std::string loop_key(std::string_view url);

enum class Scheme { http, file, bad };
std::ostream& operator<<(std::ostream& os, Scheme s);  // "http", "file" or "bad", for Boost.Test
// http and https with a host, file, or anything else (bad).
Scheme scheme_of(std::string_view url);
// The host of `url`, lowercase, without port or the brackets of an IPv6 literal; empty when
// `url` has none.
std::string host_of(std::string_view url);

// CURLINFO_HTTP_VERSION as FetchResult::http_version says it: "1.0", "1.1", "2", "3" or "".
std::string http_version_name(long curl_version);

// What a transfer that ended with `rc` failed of. `body_refused`: the write callback refused
// bytes past the size limit, which curl reports as a write error.
FetchErrc map_curl_error(CURLcode rc, bool body_refused = false);

}  // namespace winnow::fetch
