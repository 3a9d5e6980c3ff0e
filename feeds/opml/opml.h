#pragma once
// OPML 1.0/2.0 subscription lists: import and export. Pure; any thread.
#include <boost/system/result.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "feeds/errors.h"

namespace winnow::feeds {

struct Subscription {
  std::string url;       // xmlUrl
  std::string title;     // title, else text
  std::string html_url;  // htmlUrl
  // The folders around it, outermost first, joined by '/': "Tech/Linux". Empty at top level.
  std::string category;
  friend bool operator==(const Subscription&, const Subscription&) = default;
};

// Every outline with an xmlUrl, in document order, however deeply nested. Parsed with the
// same safe libxml2 settings as feeds (recover mode: a broken file yields what it can).
// Errors: empty_input, not_opml (no <opml> root), entity_limit.
boost::system::result<std::vector<Subscription>> parse_opml(std::string_view bytes);

// An OPML 2.0 document with one folder outline per category path (nested on '/'), in
// first-seen order. No dateCreated: the output depends only on the input.
std::string write_opml(const std::vector<Subscription>& subscriptions, std::string_view title);

}  // namespace winnow::feeds
