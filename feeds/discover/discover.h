#pragma once
// Finds the feeds an HTML page offers. Pure; any thread.
#include <string>
#include <string_view>
#include <vector>

namespace winnow::feeds {

enum class LinkSource {
  link_alternate,  // <link rel="alternate" type="application/rss+xml" ...> (or rel="feed")
  anchor,          // <a href> that looks like a feed URL (.rss, .atom, .xml, /feed, ...)
  well_known,      // a common path on the page's site, not seen on the page: a guess
};
std::string_view to_string(LinkSource source);

struct FeedLink {
  std::string url;    // absolute (against <base href>, then the page URL)
  std::string type;   // MIME type, lowercase, parameters dropped; may be empty
  std::string title;  // plain text; may be empty
  LinkSource source = LinkSource::link_alternate;
  bool is_guess() const { return source == LinkSource::well_known; }
};

// Candidates best first, without duplicates: the page's <link> alternates; when it has none,
// its feed-looking <a> links; when it has neither, well-known paths on its site (/feed,
// /rss.xml, /atom.xml, ...), flagged as guesses. `page_url` is the page's absolute URL
// (guesses need it; without it relative links stay relative).
std::vector<FeedLink> discover_feeds(std::string_view html, std::string_view page_url);

}  // namespace winnow::feeds
