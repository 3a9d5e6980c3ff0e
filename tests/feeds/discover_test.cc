#include "feeds/discover/discover.h"

#include <boost/test/unit_test.hpp>

namespace winnow::feeds {
namespace {

BOOST_AUTO_TEST_SUITE(discover)

BOOST_AUTO_TEST_CASE(link_alternates_are_found_resolved_and_typed) {
  const char* html = R"(<!DOCTYPE html><html><head>
    <link rel="stylesheet" href="/s.css">
    <link rel="alternate" type="application/rss+xml" title="Posts &amp; news" href="/feed.xml">
    <link rel="Alternate" type="Application/Atom+XML; charset=utf-8" title="  Atom  " href="atom.xml">
    <link rel="alternate" type="application/feed+json" href="https://example.com/feed.json">
    <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
    <link rel="alternate" type="application/rss+xml" href="/feed.xml">
  </head><body><a href="/other.rss">not needed</a></body></html>)";
  const auto links = discover_feeds(html, "https://example.com/blog/post.html");
  BOOST_TEST_REQUIRE(links.size() == 3u);
  BOOST_TEST(links[0].url == "https://example.com/feed.xml");
  BOOST_TEST(links[0].type == "application/rss+xml");
  BOOST_TEST(links[0].title == "Posts & news");
  BOOST_TEST(links[1].url == "https://example.com/blog/atom.xml");
  BOOST_TEST(links[1].type == "application/atom+xml");
  BOOST_TEST(links[1].title == "Atom");
  BOOST_TEST(links[2].url == "https://example.com/feed.json");
  for (const auto& l : links) BOOST_TEST(!l.is_guess());
}

BOOST_AUTO_TEST_CASE(base_href_changes_resolution) {
  const char* html = R"(<html><head><base href="https://cdn.example.net/site/">
    <link rel="alternate" type="application/atom+xml" href="feeds/all.atom"></head></html>)";
  const auto links = discover_feeds(html, "https://example.com/");
  BOOST_TEST_REQUIRE(links.size() == 1u);
  BOOST_TEST(links[0].url == "https://cdn.example.net/site/feeds/all.atom");
}

BOOST_AUTO_TEST_CASE(rel_feed_counts_too) {
  const auto links = discover_feeds(R"(<link rel="feed" href="/posts.atom" title="Posts">)", "http://example.com/");
  BOOST_TEST_REQUIRE(links.size() == 1u);
  BOOST_TEST(links[0].url == "http://example.com/posts.atom");
}

BOOST_AUTO_TEST_CASE(feed_looking_anchors_are_the_fallback) {
  const char* html = R"(<html><body>
    <a href="/about">About</a>
    <a href="/rss.xml">RSS <b>feed</b></a>
    <a href="https://example.com/news/atom">Atom</a>
    <a href="/blog/feed/">Blog feed</a>
    <a href="/sitemap.xml">Sitemap</a>
    <a href="mailto:x@example.com">mail</a>
    <a href="/podcast.rss">Podcast</a>
  </body></html>)";
  const auto links = discover_feeds(html, "https://example.com/");
  BOOST_TEST_REQUIRE(links.size() == 4u);
  BOOST_TEST(links[0].url == "https://example.com/rss.xml");
  BOOST_TEST(links[0].title == "RSS feed");
  BOOST_TEST(links[0].type == "application/rss+xml");
  BOOST_TEST(links[1].url == "https://example.com/news/atom");
  BOOST_TEST(links[1].type == "application/atom+xml");
  BOOST_TEST(links[2].url == "https://example.com/blog/feed/");
  BOOST_TEST(links[3].url == "https://example.com/podcast.rss");
  for (const auto& l : links) BOOST_TEST((l.source == LinkSource::anchor));
}

BOOST_AUTO_TEST_CASE(well_known_paths_are_offered_as_guesses) {
  const auto links = discover_feeds("<html><body><p>Nothing here</p></body></html>", "https://example.com:8443/some/page?q=1");
  BOOST_TEST_REQUIRE(links.size() >= 3u);
  BOOST_TEST(links[0].url == "https://example.com:8443/feed");
  bool has_rss = false, has_atom = false;
  for (const auto& l : links) {
    BOOST_TEST(l.is_guess());
    has_rss |= l.url == "https://example.com:8443/rss.xml";
    has_atom |= l.url == "https://example.com:8443/atom.xml";
  }
  BOOST_TEST(has_rss);
  BOOST_TEST(has_atom);
}

BOOST_AUTO_TEST_CASE(no_guesses_without_an_http_page_url) {
  BOOST_TEST(discover_feeds("<p>x</p>", "").empty());
  BOOST_TEST(discover_feeds("<p>x</p>", "file:///tmp/x.html").empty());
}

BOOST_AUTO_TEST_CASE(broken_html_and_binary_do_not_crash) {
  std::string junk = "<link rel=alternate type=application/rss+xml href=/f.xml><a href=\"";
  for (int i = 0; i < 1000; ++i) junk += static_cast<char>(i * 37);
  const auto links = discover_feeds(junk, "http://example.com/");
  BOOST_TEST_REQUIRE(!links.empty());
  BOOST_TEST(links[0].url == "http://example.com/f.xml");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::feeds
