#include "daemon/archive/warc_http.h"

#include "base/ascii.h"

namespace winnow::archive {
namespace {

constexpr std::string_view kMaskPrefix = "X-Crawler-";  // Common Crawl's, since 2019

// The next line of `s` from `pos`, its line ending (LF or CRLF) included.
std::string_view next_line(std::string_view s, std::size_t& pos) {
  const std::size_t lf = s.find('\n', pos);
  const std::size_t end = lf == std::string_view::npos ? s.size() : lf + 1;
  std::string_view line = s.substr(pos, end - pos);
  pos = end;
  return line;
}

bool is_blank_line(std::string_view line) { return line == "\r\n" || line == "\n"; }

std::string_view field_value(std::string_view line, std::size_t colon) {
  return base::trim(line.substr(colon + 1), " \t\r\n");
}

bool is_decimal(std::string_view s, std::size_t n) { return !s.empty() && s == std::to_string(n); }

}  // namespace

std::optional<WarcHttpHead> warc_http_head(std::string_view received, std::string_view url,
                                           std::size_t body_bytes) {
  std::size_t pos = 0;
  const std::string_view status_line = next_line(received, pos);
  // "HTTP/" version SP 3DIGIT [SP reason] EOL
  if (!status_line.starts_with("HTTP/")) return std::nullopt;
  const std::size_t space = status_line.find(' ');
  if (space == std::string_view::npos || status_line.size() < space + 4) return std::nullopt;
  const std::string_view version = status_line.substr(5, space - 5);
  const std::string_view code = status_line.substr(space + 1, 3);
  for (char c : code)
    if (!base::is_ascii_digit(c)) return std::nullopt;
  const char after_code = status_line.size() > space + 4 ? status_line[space + 4] : '\n';
  if (after_code != ' ' && after_code != '\r' && after_code != '\n') return std::nullopt;

  WarcHttpHead out;
  if (version == "1.0" || version == "1.1") {
    out.head = status_line;
  } else {
    // HTTP/2 and 3 carry no reason phrase; their HTTP/1.1 form keeps the space before it.
    out.head = "HTTP/1.1 " + std::string(code) + " \r\n";
    if (version.starts_with("3"))
      out.protocol = "h3";
    else
      out.protocol = base::istarts_with(url, "https:") ? "h2" : "h2c";
  }
  bool kept_length = false;
  bool ended = false;
  while (pos < received.size()) {
    const std::string_view line = next_line(received, pos);
    if (is_blank_line(line)) {
      ended = true;
      break;
    }
    const std::size_t colon = line.find(':');
    bool mask = false;
    if (colon != std::string_view::npos && line.front() != ' ' && line.front() != '\t') {
      const std::string_view name = base::trim(line.substr(0, colon), " \t");
      const std::string_view value = field_value(line, colon);
      if (base::iequals(name, "transfer-encoding"))
        mask = true;
      else if (base::iequals(name, "content-encoding"))
        mask = !base::iequals(value, "identity");
      else if (base::iequals(name, "content-length"))
        mask = kept_length || !is_decimal(value, body_bytes);
      if (!mask && base::iequals(name, "content-length")) kept_length = true;
    }
    if (mask) {
      out.masked = true;
      out.head += kMaskPrefix;
    }
    out.head += line;
  }
  if (!ended) return std::nullopt;
  if (out.masked && !kept_length) out.head += "Content-Length: " + std::to_string(body_bytes) + "\r\n";
  out.head += "\r\n";
  return out;
}

}  // namespace winnow::archive
