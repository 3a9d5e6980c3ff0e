#include "base/url.h"

#include <boost/url/grammar/error.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

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
  boost::urls::url out;
  if (!boost::urls::resolve(*parsed_base, *parsed_ref, out)) return std::string(ref);
  // RFC 3986 §5.2.2: the fragment is always the reference's. Boost 1.81 keeps the base's
  // when the reference is a query alone ("?page=2").
  if (!parsed_ref->has_fragment()) out.remove_fragment();
  return std::string(out.buffer());
}

}  // namespace winnow::base
