#pragma once
// What the feed farms of the daemon tests and daemon_bench serve: stories, the article pages
// that carry them (with a site's navigation, related links and footer around the text), and
// RSS 2.0 / Atom feeds listing them, generated in the test so that every expectation sits
// beside its input. FeedFarm (feed_farm.h) serves many of them at once.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/daemon/test_server.h"

namespace winnow::testing::farm {

struct Story {
  std::string title;
  std::vector<std::string> paragraphs;  // plain text (no markup)
};

// A story of `paragraphs` paragraphs whose wording depends on `seed` only. Sentences are drawn
// from word lists, so two seeds share few three-word shingles: their SimHash fingerprints are
// far apart and the archive never takes one for a copy of the other.
Story make_story(std::uint32_t seed, int paragraphs = 5);

// Text of the site around every article; none of it may reach the archive.
const std::vector<std::string>& noise_phrases();

std::string escape_xml(std::string_view s);

// The story's paragraphs as HTML.
std::string story_html(const Story& story);

// A whole article page: head with metadata, site header and navigation, the article with a
// byline and a related-links list, a sidebar and a footer. `charset_meta` empty: no <meta>.
std::string page_html(const Story& story, std::string_view charset_meta = "utf-8", std::string_view canonical = {});

// A page written for the parsers' verdict tests, tests/fixtures/verdict/`name` (a bot check,
// a consent wall, an error page, a listing, a paywall teaser, ...), as a site would serve it.
// Throws std::runtime_error when it cannot be read.
std::string verdict_page(const std::string& name);

struct Item {
  std::string title;
  std::string link;
  std::string id;           // guid / atom:id; empty: none (the link identifies the entry)
  std::string description;  // HTML summary; empty: none
  std::string content;      // HTML full text (content:encoded / atom:content); empty: none
  std::string published;    // RSS pubDate (http_date); empty: one fixed date in March 2026
};

// An item for `story` at `link` with the story as feed content (or without any text).
Item item_for(const Story& story, std::string link, bool with_content);

std::string rss(std::string_view title, std::string_view site, const std::vector<Item>& items);
std::string atom(std::string_view title, std::string_view site, const std::vector<Item>& items);
// rss() of `items` (at least three), UTF-8 with accents in the first and last titles, and one
// byte that is no UTF-8 (0x81) in the second: a feed that once lost every entry after it.
std::string rss_with_a_bad_byte(std::string_view title, std::string_view site, std::vector<Item> items);

TestResponse html_response(std::string body, std::string content_type = "text/html; charset=utf-8");

// Answers `request` with a feed carrying `etag` and `last_modified`, or 304 when the
// request sends either back (as servers commonly do).
TestResponse conditional_response(const TestRequest& request, std::string body, std::string content_type,
                                  const std::string& etag, const std::string& last_modified,
                                  std::string encoding = {});

// Serves a feed with an ETag and Last-Modified (an hour ago), answering 304 to a request
// that sends either back.
TestServer::Handler conditional_feed(std::string body, std::string content_type, std::string etag,
                                     std::string encoding = {});

// Serves a feed always in full, with no validators.
TestResponse plain_feed(std::string body, std::string content_type = "application/rss+xml");

}  // namespace winnow::testing::farm
