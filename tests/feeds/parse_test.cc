// parse_feed on real-shaped feeds generated here: many entries, huge content, options.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <sstream>
#include <string>

#include "feeds/formats/parse.h"

namespace winnow::feeds {
namespace {

std::string big_rss(int entries, std::size_t content_bytes) {
  std::string html;
  while (html.size() < content_bytes) html += "<p>Lorem ipsum dolor sit amet, <a href=\"/x?a=1&amp;b=2\">consectetur</a> adipiscing elit.</p>\n";
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" "
      "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
      "<channel><title>Big</title><link>https://big.example/</link><description>Generated</description>\n";
  for (int i = 0; i < entries; ++i) {
    const std::string n = std::to_string(i);
    out += "<item><title>Entry " + n + " &amp; more</title><link>/posts/" + n + "</link><guid>https://big.example/posts/" + n +
           "</guid><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate><dc:creator>Writer " + n +
           "</dc:creator><category>c" + std::to_string(i % 7) + "</category><description>Summary " + n +
           "</description><content:encoded><![CDATA[" + html + "]]></content:encoded></item>\n";
  }
  return out + "</channel></rss>\n";
}

BOOST_AUTO_TEST_SUITE(parse)

BOOST_AUTO_TEST_CASE(five_hundred_entries_come_out_in_order) {
  ParseOptions options;
  options.base_url = "https://big.example/feed";
  auto feed = parse_feed(big_rss(500, 200), options);
  BOOST_TEST_REQUIRE(feed.has_value());
  BOOST_TEST(!feed->bozo);
  BOOST_TEST_REQUIRE(feed->entries.size() == 500u);
  for (int i = 0; i < 500; ++i) {
    const Entry& e = feed->entries[static_cast<std::size_t>(i)];
    BOOST_TEST(e.title == "Entry " + std::to_string(i) + " & more");
    BOOST_TEST(e.link == "https://big.example/posts/" + std::to_string(i));
    BOOST_TEST(e.author == "Writer " + std::to_string(i));
    BOOST_TEST(e.published.value_or(0) == 1704067200);
  }
}

BOOST_AUTO_TEST_CASE(five_megabytes_of_html_content_survive_whole) {
  const std::string bytes = big_rss(1, 5u << 20);
  const auto start = std::chrono::steady_clock::now();
  auto feed = parse_feed(bytes, {});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  BOOST_TEST_REQUIRE(feed.has_value());
  BOOST_TEST(!feed->bozo);
  BOOST_TEST_REQUIRE(feed->entries.size() == 1u);
  BOOST_TEST(feed->entries[0].content.size() >= (5u << 20));
  BOOST_TEST(feed->entries[0].content.starts_with("<p>Lorem ipsum"));
  BOOST_TEST(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count() < 10);
}

BOOST_AUTO_TEST_CASE(derived_ids_are_stable_across_parses_and_unique_per_entry) {
  const std::string bytes =
      "<rss><channel><item><title>a</title><link>http://e.com/a</link></item>"
      "<item><title>b</title><link>http://e.com/b</link></item></channel></rss>";
  auto first = parse_feed(bytes, {});
  auto second = parse_feed(bytes, {});
  BOOST_TEST_REQUIRE(first.has_value());
  BOOST_TEST_REQUIRE(second.has_value());
  BOOST_TEST(first->entries[0].id == second->entries[0].id);
  BOOST_TEST(first->entries[0].id != first->entries[1].id);
  BOOST_TEST(first->entries[0].id.starts_with("urn:winnow:"));
}

BOOST_AUTO_TEST_CASE(refresh_hint_comes_from_ttl_then_sy_hints) {
  Feed feed;
  BOOST_TEST(!refresh_hint_s(feed).has_value());
  feed.update_period = "hourly";
  feed.update_frequency = 2;
  BOOST_TEST(refresh_hint_s(feed).value_or(0) == 1800);
  feed.update_period = "daily";
  feed.update_frequency = 0;
  BOOST_TEST(refresh_hint_s(feed).value_or(0) == 86400);
  feed.ttl_minutes = 15;
  BOOST_TEST(refresh_hint_s(feed).value_or(0) == 900);
  feed.ttl_minutes.reset();
  feed.update_period = "fortnightly";
  BOOST_TEST(!refresh_hint_s(feed).has_value());
}

BOOST_AUTO_TEST_CASE(feed_format_names) {
  BOOST_TEST(to_string(FeedFormat::rss20) == "rss20");
  BOOST_TEST(to_string(FeedFormat::atom03) == "atom03");
  BOOST_TEST(to_string(FeedFormat::json11) == "json11");
}

BOOST_AUTO_TEST_CASE(errors_print_their_message) {
  std::ostringstream os;
  os << FeedErrc::not_a_feed;
  BOOST_TEST(os.str() == "not a feed");
  boost::system::error_code ec = FeedErrc::too_large;
  BOOST_TEST(ec.category().name() == std::string("winnow.feeds"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::feeds
