// Pages that are no text (a PDF, a PNG), served with their true type or as text/html: never
// archived as text. An entry with feed content keeps it; one without is given up for good.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "tests/daemon/pipeline.h"

namespace winnow::ingest::testing {
namespace {

using farm::Item;
using winnow::testing::TestResponse;

const std::string kPdf = std::string("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n") +
                         std::string(20000, '\x9c') + "\n%%EOF\n";
// The signature and the start of an IHDR chunk; sizeof - 1: the literal holds NULs.
constexpr char kPngHead[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0";
const std::string kPng = std::string(kPngHead, sizeof kPngHead - 1) +
                         std::string(20000, '\xa7');

TestResponse body(const std::string& bytes, const std::string& type) {
  TestResponse r;
  r.headers = {{"Content-Type", type}};
  r.body = bytes;
  return r;
}

struct Served {
  std::string path, bytes, type;
};

const std::vector<Served> kServed = {{"/pdf-true", kPdf, "application/pdf"},
                                     {"/pdf-lie", kPdf, "text/html; charset=utf-8"},
                                     {"/png-true", kPng, "image/png"},
                                     {"/png-lie", kPng, "text/html"}};

// Routes every file of kServed, and a feed at /feed.xml with an item for each (with the
// story as feed content, or with no content at all); the items.
std::vector<Item> serve_files(TestServer& server, bool with_content) {
  std::vector<Item> items;
  for (std::size_t i = 0; i < kServed.size(); ++i) {
    server.route(kServed[i].path, body(kServed[i].bytes, kServed[i].type));
    items.push_back(farm::item_for(farm::make_story(7100 + std::uint32_t(i), 2), server.url(kServed[i].path),
                                   with_content));
    if (!with_content) items.back().description.clear();
  }
  server.route("/feed.xml", farm::plain_feed(farm::rss("Files", server.url("/"), items)));
  return items;
}

BOOST_AUTO_TEST_SUITE(binary_pages)

BOOST_AUTO_TEST_CASE(binary_pages_keep_the_feeds_content) {
  TestServer server(4);
  Pipeline pipeline;
  const std::vector<Item> items = serve_files(server, true);
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 4; }));
  pipeline.worker().flush();
  for (std::size_t i = 0; i < kServed.size(); ++i) {
    auto row = pipeline.article_at(server.url(kServed[i].path), true);
    BOOST_TEST_REQUIRE(row.has_value(), kServed[i].path);
    BOOST_TEST(row->source == "feed", kServed[i].path);
    BOOST_TEST(row->text.find("\xef\xbf\xbd") == std::string::npos, kServed[i].path << ": mojibake archived");
    BOOST_TEST(row->text.find("PNG") == std::string::npos);
    BOOST_TEST(row->text.find("%PDF") == std::string::npos);
    BOOST_TEST(row->raw.find("%PDF") == std::string::npos, "the PDF was kept as the raw page");
    BOOST_TEST(row->title == items[i].title);
    BOOST_TEST(server.hits(kServed[i].path) == 1u);
  }
}

BOOST_AUTO_TEST_CASE(binary_pages_without_feed_content_are_given_up_for_good) {
  TestServer server(4);
  Pipeline pipeline;
  serve_files(server, false);
  pipeline.subscribe({server.url("/feed.xml")});
  // Three polls: the pages are fetched at the first only.
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(3, 15s));
  BOOST_TEST(pipeline.article_count() == 0);
  const auto feed = pipeline.only_feed();
  BOOST_TEST(pipeline.entries_without_article(feed.id) == 4);
  for (const auto& s : kServed) BOOST_TEST(server.hits(s.path) == 1u, s.path);
  BOOST_TEST(pipeline.ingest().stats().failure_reasons.at("page is not text") == 4u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::ingest::testing
