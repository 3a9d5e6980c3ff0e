// Feed parsing throughput on feeds generated in memory: one 10 MB RSS feed, and 10,000
// small RSS, Atom and JSON feeds. Prints MB/s and feeds/s. Not run by ctest.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "feeds/formats/parse.h"

namespace {

using winnow::feeds::parse_feed;
using winnow::feeds::ParseOptions;

std::string rss_item(int i, std::size_t body_bytes) {
  std::string body;
  while (body.size() < body_bytes)
    body += "<p>Paragraph with <a href=\"/link?a=1&amp;b=2\">a link</a> and &lt;escaped&gt; text &amp; more.</p>";
  const std::string n = std::to_string(i);
  return "<item><title>Item " + n + " &amp; friends</title><link>/posts/" + n + "</link><guid>https://bench.example/p/" +
         n + "</guid><pubDate>Tue, 0" + std::to_string(1 + i % 9) +
         " Jan 2024 10:00:00 +0100</pubDate><dc:creator>Author</dc:creator><category>bench</category>"
         "<description>Summary " + n + "</description><content:encoded><![CDATA[" + body +
         "]]></content:encoded></item>\n";
}

std::string rss(int items, std::size_t body_bytes, int seed) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\" "
      "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
      "<channel><title>Bench " + std::to_string(seed) + "</title><link>https://bench.example/</link>"
      "<description>Generated</description><lastBuildDate>Tue, 02 Jan 2024 10:00:00 GMT</lastBuildDate>\n";
  for (int i = 0; i < items; ++i) out += rss_item(seed * 100 + i, body_bytes);
  return out + "</channel></rss>\n";
}

std::string atom(int entries, int seed) {
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\" "
                    "xml:base=\"https://atom.example/\"><title type=\"html\">Atom &amp;lt;" + std::to_string(seed) +
                    "&amp;gt;</title><id>urn:b</id><updated>2024-01-02T10:00:00Z</updated><link href=\"/\"/>\n";
  for (int i = 0; i < entries; ++i) {
    const std::string n = std::to_string(i);
    out += "<entry><id>urn:b:" + n + "</id><title>Entry " + n + "</title><link href=\"e/" + n +
           "\"/><updated>2024-01-02T10:00:00.5+02:00</updated><author><name>A</name></author>"
           "<summary type=\"html\">&lt;p&gt;Summary&lt;/p&gt;</summary><content type=\"xhtml\"><div "
           "xmlns=\"http://www.w3.org/1999/xhtml\"><p>Body <b>" + n + "</b></p></div></content></entry>\n";
  }
  return out + "</feed>\n";
}

std::string json_feed(int items, int seed) {
  std::string out = "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"JSON " + std::to_string(seed) +
                    "\",\"home_page_url\":\"https://json.example/\",\"items\":[";
  for (int i = 0; i < items; ++i) {
    const std::string n = std::to_string(i);
    if (i) out += ',';
    out += "{\"id\":\"" + n + "\",\"title\":\"Item " + n + "\",\"url\":\"/i/" + n +
           "\",\"content_html\":\"<p>Body " + n + "</p>\",\"date_published\":\"2024-01-02T10:00:00Z\",\"tags\":[\"a\",\"b\"]}";
  }
  return out + "]}";
}

double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

int main() {
  ParseOptions options;
  options.base_url = "https://bench.example/feed";

  // One big feed: 10 MB of items with ~20 KB HTML bodies each.
  std::string big = rss(1, 0, 0);
  {
    std::string items;
    int i = 0;
    while (items.size() < (10u << 20)) items += rss_item(i++, 20000);
    big = rss(0, 0, 0);
    big.insert(big.find("</channel>"), items);
  }
  const int big_rounds = 5;
  std::size_t big_entries = 0;
  auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < big_rounds; ++r) {
    auto feed = parse_feed(big, options);
    if (!feed || feed->bozo) {
      std::fprintf(stderr, "feed_bench: the big feed did not parse cleanly\n");
      return 1;
    }
    big_entries = feed->entries.size();
  }
  const double big_s = seconds(std::chrono::steady_clock::now() - start);
  const double big_mb = static_cast<double>(big.size()) * big_rounds / (1024.0 * 1024.0);
  std::printf("big feed:    %.1f MB x %d, %zu entries each: %.1f MB/s (%.0f ms per parse)\n",
              static_cast<double>(big.size()) / (1024.0 * 1024.0), big_rounds, big_entries, big_mb / big_s,
              big_s * 1000.0 / big_rounds);

  // 10,000 small feeds: a third each RSS (with content), Atom (xhtml, xml:base), JSON Feed.
  std::vector<std::string> small;
  small.reserve(10000);
  std::size_t small_bytes = 0;
  for (int i = 0; i < 10000; ++i) {
    if (i % 3 == 0) small.push_back(rss(10, 300, i));
    else if (i % 3 == 1) small.push_back(atom(10, i));
    else small.push_back(json_feed(10, i));
    small_bytes += small.back().size();
  }
  std::size_t entries = 0;
  start = std::chrono::steady_clock::now();
  for (const auto& bytes : small) {
    auto feed = parse_feed(bytes, options);
    if (!feed || feed->bozo) {
      std::fprintf(stderr, "feed_bench: a small feed did not parse cleanly\n");
      return 1;
    }
    entries += feed->entries.size();
  }
  const double small_s = seconds(std::chrono::steady_clock::now() - start);
  std::printf("small feeds: %zu feeds, %.1f MB, %zu entries: %.0f feeds/s, %.1f MB/s, %.0f entries/s\n", small.size(),
              static_cast<double>(small_bytes) / (1024.0 * 1024.0), entries, static_cast<double>(small.size()) / small_s,
              static_cast<double>(small_bytes) / (1024.0 * 1024.0) / small_s, static_cast<double>(entries) / small_s);
  return 0;
}
