#include "daemon/fetch/http_headers.h"

#include <boost/url/url.hpp>

#include <algorithm>
#include <charconv>
#include <ostream>

#include "base/ascii.h"
#include "base/url.h"

namespace winnow::fetch {
namespace {

// RFC 9110's optional whitespace around a field value is blanks and tabs; the line's own
// CRLF goes at its end.
constexpr std::string_view kOws = " \t";
constexpr std::string_view kOwsOrEol = " \t\r\n";

std::string_view trim_field(std::string_view s) { return base::trim_left(base::trim_right(s, kOwsOrEol), kOws); }

std::optional<std::int64_t> parse_seconds(std::string_view v) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < 0) return std::nullopt;
  return n;
}

}  // namespace

void read_header_line(std::string_view line, base::UnixSeconds now, ResponseHeaders& h) {
  if (base::istarts_with(line, "HTTP/")) {
    h = ResponseHeaders();  // a new response (after 1xx or a redirect)
    h.head = line;
    return;
  }
  if (!h.head.empty() && !h.head_complete && !h.head_too_long) {
    if (h.head.size() + line.size() > kMaxHeadBytes) {
      h.head_too_long = true;
      h.head.clear();
    } else {
      h.head += line;
      h.head_complete = line == "\r\n" || line == "\n";
    }
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return;
  std::string_view name = trim_field(line.substr(0, colon));
  std::string_view value = trim_field(line.substr(colon + 1));
  if (base::iequals(name, "content-type"))
    h.content_type = value;
  else if (base::iequals(name, "etag"))
    h.etag = value;
  else if (base::iequals(name, "last-modified"))
    h.last_modified = value;
  else if (base::iequals(name, "location"))
    h.location = value;
  else if (base::iequals(name, "retry-after"))
    h.retry_after_s = parse_retry_after(value, now);
  else if (base::iequals(name, "cache-control")) {
    if (auto age = parse_max_age(value)) h.max_age_s = age;
  }
}

std::optional<std::int64_t> parse_retry_after(std::string_view value, base::UnixSeconds now) {
  if (value.empty()) return std::nullopt;
  if (base::is_ascii_digit(value.front())) return parse_seconds(value);
  // curl_getdate reads the three HTTP-date forms (IMF-fixdate, RFC 850, asctime) and wants
  // a NUL-terminated string.
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  return std::max<std::int64_t>(0, static_cast<std::int64_t>(when) - now);
}

std::optional<std::int64_t> parse_max_age(std::string_view value) {
  while (!value.empty()) {
    auto comma = value.find(',');
    std::string_view directive = trim_field(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    auto eq = directive.find('=');
    if (eq == std::string_view::npos || !base::iequals(trim_field(directive.substr(0, eq)), "max-age")) continue;
    std::string_view age = trim_field(directive.substr(eq + 1));
    if (age.size() >= 2 && age.front() == '"' && age.back() == '"') age = age.substr(1, age.size() - 2);
    return parse_seconds(age);
  }
  return std::nullopt;
}

std::string header_line(std::string_view name, std::string_view value) {
  std::string line(name);
  line += ": ";
  for (char c : value)
    if (c != '\r' && c != '\n' && c != '\0') line += c;
  return line;
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string resolve_location(std::string_view base_url, std::string_view location) {
  if (!base::parse_uri(base_url)) return {};
  const std::string resolved = base::resolve_url(base_url, location);
  auto dest = base::parse_uri(resolved);
  if (!dest) return {};
  boost::urls::url out(*dest);
  out.remove_fragment();
  return std::string(out.buffer());
}

std::string loop_key(std::string_view url) {
  auto u = base::parse_uri(url);
  if (!u) return std::string(url);
  boost::urls::url n(*u);
  n.remove_fragment();
  n.normalize();
  return std::string(n.buffer());
}

std::ostream& operator<<(std::ostream& os, Scheme s) {
  switch (s) {
    case Scheme::http: return os << "http";
    case Scheme::file: return os << "file";
    case Scheme::bad: return os << "bad";
  }
  return os << "unknown";
}

Scheme scheme_of(std::string_view url) {
  auto u = base::parse_uri(url);
  if (!u) return Scheme::bad;
  if (base::iequals(u->scheme(), "http") || base::iequals(u->scheme(), "https"))
    return u->has_authority() && !u->host().empty() ? Scheme::http : Scheme::bad;
  if (base::iequals(u->scheme(), "file")) return Scheme::file;
  return Scheme::bad;
}

std::string host_of(std::string_view url) {
  auto u = base::parse_uri(url);
  if (!u || !u->has_authority()) return {};
  return base::to_lower(u->host_address());
}

// FetchErrc's words live beside map_curl_error, which maps curl's codes onto it.
std::string_view to_string(FetchErrc e) {
  switch (e) {
    case FetchErrc::ok: return "ok";
    case FetchErrc::bad_url: return "bad_url";
    case FetchErrc::dns: return "dns";
    case FetchErrc::connect: return "connect";
    case FetchErrc::timeout: return "timeout";
    case FetchErrc::reset: return "reset";
    case FetchErrc::tls: return "tls";
    case FetchErrc::too_large: return "too_large";
    case FetchErrc::too_many_redirects: return "too_many_redirects";
    case FetchErrc::redirect_loop: return "redirect_loop";
    case FetchErrc::bad_encoding: return "bad_encoding";
    case FetchErrc::file_error: return "file_error";
    case FetchErrc::blocked_address: return "blocked_address";
    case FetchErrc::cancelled: return "cancelled";
    case FetchErrc::other: return "other";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& os, FetchErrc e) { return os << to_string(e); }

std::string http_version_name(long curl_version) {
  switch (curl_version) {
    case CURL_HTTP_VERSION_1_0: return "1.0";
    case CURL_HTTP_VERSION_1_1: return "1.1";
    case CURL_HTTP_VERSION_2_0: return "2";
    case CURL_HTTP_VERSION_3: return "3";
    default: return {};
  }
}

FetchErrc map_curl_error(CURLcode rc, bool body_refused) {
  switch (rc) {
    case CURLE_OK: return FetchErrc::ok;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT: return FetchErrc::bad_url;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return FetchErrc::dns;
    case CURLE_COULDNT_CONNECT: return FetchErrc::connect;
    case CURLE_OPERATION_TIMEDOUT: return FetchErrc::timeout;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY: return FetchErrc::reset;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT: return FetchErrc::tls;
    case CURLE_FILESIZE_EXCEEDED: return FetchErrc::too_large;
    case CURLE_WRITE_ERROR: return body_refused ? FetchErrc::too_large : FetchErrc::other;
    case CURLE_BAD_CONTENT_ENCODING: return FetchErrc::bad_encoding;
    case CURLE_FILE_COULDNT_READ_FILE:
    case CURLE_READ_ERROR: return FetchErrc::file_error;
    case CURLE_TOO_MANY_REDIRECTS: return FetchErrc::too_many_redirects;
    default: return FetchErrc::other;
  }
}

}  // namespace winnow::fetch
