#include "parsers/url/normalize.h"

#include <boost/url.hpp>

#include <algorithm>
#include <array>

#include "base/ascii.h"
#include "base/url.h"

namespace winnow::parsers {
namespace {

namespace urls = boost::urls;

bool is_tracking_parameter(std::string_view key) {
  const std::string k = base::to_lower(key);
  if (k.starts_with("utm_") || k.starts_with("at_") || k.starts_with("pk_") || k.starts_with("mtm_")) return true;
  static constexpr std::array<std::string_view, 16> kExact = {
      "fbclid", "gclid",  "dclid", "msclkid", "mc_cid",  "mc_eid",   "igshid", "yclid",
      "_ga",    "_gl",    "ocid",  "cmpid",   "ncid",    "sr_share", "wt.mc_id", "spm"};
  return std::find(kExact.begin(), kExact.end(), k) != kExact.end();
}

}  // namespace

std::string normalize_url(std::string_view url) {
  auto parsed = base::parse_uri(url);
  if (!parsed) return std::string(url);
  // The fragment goes before Boost parses the rest: Boost 1.81 counts two parameters in the
  // empty query of "a?#top", and walking them reads past the end of the buffer (SEGV).
  // A fragment runs from the first '#' (RFC 3986 §3.5), and what precedes it parsed above.
  parsed = base::parse_uri(url.substr(0, url.find('#')));
  if (!parsed) return std::string(url);
  urls::url u(*parsed);
  if (u.scheme_id() != urls::scheme::http && u.scheme_id() != urls::scheme::https) return std::string(url);
  // No host, no fetch, nothing to meet: and Boost's normalize would turn "http:%2f/x" into
  // "http://x", a URL with a host that the next pass normalizes differently.
  if (!u.has_authority() || u.encoded_host().empty()) return std::string(url);
  // Lowercases scheme and host, resolves dot segments, decodes unreserved percent-escapes.
  u.normalize();
  if ((u.scheme_id() == urls::scheme::http && u.port() == "80") ||
      (u.scheme_id() == urls::scheme::https && u.port() == "443"))
    u.remove_port();
  if (u.has_query()) {
    auto params = u.encoded_params();
    for (auto it = params.begin(); it != params.end();) {
      if (is_tracking_parameter((*it).key.decode()))
        it = params.erase(it);
      else
        ++it;
    }
    if (params.empty()) u.remove_query();
  }
  std::string out(u.buffer());
  // An empty path is "/" (Boost.URL 1.81's set_encoded_path("/") writes "/./").
  // (A char through an iterator: g++ 12 reports a false -Wrestrict for insert(pos, "/").)
  if (u.encoded_path().empty()) out.insert(out.begin() + std::ptrdiff_t(u.encoded_origin().size()), '/');
  return out;
}

std::string url_host(std::string_view url) {
  auto parsed = base::parse_uri(url);
  if (!parsed) return {};
  return parsed->host_address().empty() ? std::string() : base::to_lower(parsed->encoded_host());
}

}  // namespace winnow::parsers
