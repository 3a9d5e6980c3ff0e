#include "parsers/url/resolve.h"

#include <boost/url.hpp>

namespace winnow::parsers {

std::string resolve_url(std::string_view base, std::string_view ref) {
  while (!ref.empty() && (ref.front() == ' ' || ref.front() == '\n' || ref.front() == '\t')) ref.remove_prefix(1);
  while (!ref.empty() && (ref.back() == ' ' || ref.back() == '\n' || ref.back() == '\t')) ref.remove_suffix(1);
  auto parsed_ref = boost::urls::parse_uri_reference(ref);
  if (!parsed_ref) return {};
  auto parsed_base = boost::urls::parse_uri(base);
  if (!parsed_base) return std::string(ref);
  boost::urls::url out;
  if (!boost::urls::resolve(*parsed_base, *parsed_ref, out)) return std::string(ref);
  return std::string(out.buffer());
}

}  // namespace winnow::parsers
