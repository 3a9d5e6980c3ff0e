#include "base/url.h"

#include <boost/url/grammar/error.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <string>

#include "base/ascii.h"

namespace winnow::base {
namespace {

// Pages and servers write raw spaces and UTF-8 in links; a browser percent-encodes them.
bool is_invalid_in_url(unsigned char c) {
  return c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' ||
         c == '{' || c == '|' || c == '}';
}

boost::system::result<boost::urls::url_view> reject_rootless_path_after_authority(
    boost::system::result<boost::urls::url_view> parsed) {
  if (parsed && parsed->has_authority() && !parsed->encoded_path().empty() && !parsed->is_path_absolute())
    return boost::urls::grammar::error::invalid;
  return parsed;
}

// RFC 3986 §5.2.4 on a path as written: "." and ".." segments go, nothing is decoded.
std::string remove_dot_segments(std::string_view in) {
  std::string out;
  auto drop_last_segment = [&out] {
    const auto slash = out.rfind('/');
    out.resize(slash == std::string::npos ? 0 : slash);
  };
  while (!in.empty()) {
    if (in.starts_with("../")) {
      in.remove_prefix(3);
    } else if (in.starts_with("./")) {
      in.remove_prefix(2);
    } else if (in.starts_with("/./")) {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.starts_with("/../")) {
      in.remove_prefix(3);
      drop_last_segment();
    } else if (in == "/..") {
      in = "/";
      drop_last_segment();
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      const std::size_t end = std::min(in.size(), in.find('/', 1));
      out += in.substr(0, end);
      in.remove_prefix(end);
    }
  }
  return out;
}

// RFC 3986 §5.2.2 and §5.3 on the components as written. Boost 1.81's resolve decodes
// %2F and %3A in paths ("/web/https%3A%2F%2Fx" became "/web/https://x", another resource;
// "http:/%2fz" became "http://z", a host), and keeps the base's fragment after a query-only
// reference; url_fuzz found both.
std::string resolve_parsed(const boost::urls::url_view& base, const boost::urls::url_view& ref) {
  const boost::urls::url_view* authority = &ref;
  std::string path;
  std::string_view query = ref.encoded_query();
  bool has_query = ref.has_query();
  if (ref.has_scheme() || ref.has_authority()) {
    path = remove_dot_segments(ref.encoded_path());
  } else {
    authority = &base;
    if (ref.encoded_path().empty()) {
      path = base.encoded_path();
      if (!has_query) {
        has_query = base.has_query();
        query = base.encoded_query();
      }
    } else if (ref.encoded_path().starts_with('/')) {
      path = remove_dot_segments(ref.encoded_path());
    } else {
      const std::string_view dir = base.encoded_path();
      std::string merged = base.has_authority() && dir.empty() ? "/" : std::string(dir.substr(0, dir.rfind('/') + 1));
      merged += ref.encoded_path();
      path = remove_dot_segments(merged);
    }
  }
  std::string out(ref.has_scheme() ? ref.scheme() : base.scheme());
  out += ':';
  if (authority->has_authority()) {
    out += "//";
    out += authority->encoded_authority();
  } else if (path.starts_with("//")) {
    out += "/.";  // §5.3 note: otherwise the path's first segment would read as a host
  }
  out += path;
  if (has_query) {
    out += '?';
    out += query;
  }
  if (ref.has_fragment()) {
    out += '#';
    out += ref.encoded_fragment();
  }
  return out;
}

}  // namespace

boost::system::result<boost::urls::url_view> parse_uri(std::string_view s) {
  return reject_rootless_path_after_authority(boost::urls::parse_uri(s));
}

boost::system::result<boost::urls::url_view> parse_uri_reference(std::string_view s) {
  return reject_rootless_path_after_authority(boost::urls::parse_uri_reference(s));
}

std::string percent_encode(std::string_view s, bool (*must_encode)(unsigned char)) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (must_encode(c)) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string resolve_url(std::string_view base, std::string_view ref) {
  ref = trim_ascii_space(ref);
  if (ref.empty()) return {};
  std::string repaired;
  auto parsed_ref = parse_uri_reference(ref);
  if (!parsed_ref) {
    repaired = percent_encode(ref, is_invalid_in_url);
    parsed_ref = parse_uri_reference(repaired);
    if (!parsed_ref) return {};
    ref = repaired;
  }
  auto parsed_base = parse_uri(trim_ascii_space(base));
  if (!parsed_base) return std::string(ref);
  return resolve_parsed(*parsed_base, *parsed_ref);
}

}  // namespace winnow::base
