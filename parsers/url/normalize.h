#pragma once
// URL normalization for deduplication. Pure; any thread.
#include <string>
#include <string_view>

namespace winnow::parsers {

// The form two URLs of one article share: scheme and host lowercased, the default port and
// the fragment dropped, an empty path made "/", dot segments resolved, percent-encoding of
// unreserved characters decoded, and tracking parameters removed from the query (utm_*,
// fbclid, gclid, dclid, msclkid, mc_cid, mc_eid, igshid, yclid, _ga, _gl, ocid, cmpid,
// ncid, sr_share, at_medium/at_campaign...). The order of the other parameters is kept.
// Returns `url` unchanged when it is not an absolute http(s) URL.
std::string normalize_url(std::string_view url);

// The host of an absolute URL, lowercased; empty when there is none.
std::string url_host(std::string_view url);

}  // namespace winnow::parsers
