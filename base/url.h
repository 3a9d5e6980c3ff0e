#pragma once
// URL reference resolution over Boost.URL: the one resolver pages, feeds and redirects share.
// Pure; any thread.
#include <boost/system/result.hpp>
#include <boost/url/url_view.hpp>

#include <string>
#include <string_view>

namespace winnow::base {

// `ref` resolved against the absolute URL `base` (RFC 3986 §5.2). Both are trimmed of
// ASCII whitespace first.
// - An empty `ref` gives "".
// - A bad reference, one RFC 3986 does not allow, is first repaired as browsers do: the
//   bytes no URL may hold raw (controls, space, non-ASCII, `"<>\^{|}) are percent-encoded.
//   What is still no reference after that (a stray '%', a broken host) gives "": it is no
//   URL, and callers treat "" as "none" and fall back to what else they have.
// - When `base` is not an absolute URL, the (repaired) `ref` is returned unresolved.
std::string resolve_url(std::string_view base, std::string_view ref);

// Boost.URL's parse_uri and parse_uri_reference, less what Boost 1.81 wrongly accepts: a
// path right after the authority that does not start with '/' ("https://a.example:443x/").
// RFC 3986 forbids it, curl refuses it, and removing the port from it gives another host.
// Every part parses URLs through these.
boost::system::result<boost::urls::url_view> parse_uri(std::string_view s);
boost::system::result<boost::urls::url_view> parse_uri_reference(std::string_view s);

// `s` with every byte for which `must_encode` is true written as %XX (uppercase hex).
std::string percent_encode(std::string_view s, bool (*must_encode)(unsigned char));

}  // namespace winnow::base
