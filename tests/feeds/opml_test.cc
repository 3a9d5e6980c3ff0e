#include "feeds/opml/opml.h"

#include <boost/test/unit_test.hpp>

namespace winnow::feeds {
namespace {

BOOST_AUTO_TEST_SUITE(opml)

BOOST_AUTO_TEST_CASE(opml2_nested_outlines_keep_their_category_path) {
  const char* doc = R"(<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Subs</title></head><body>
  <outline text="Tech" title="Tech">
    <outline text="Linux">
      <outline type="rss" text="LWN" title="LWN.net" xmlUrl="https://lwn.net/headlines/rss" htmlUrl="https://lwn.net/"/>
    </outline>
    <outline type="rss" text="Hacker News" xmlUrl="https://news.ycombinator.com/rss"/>
  </outline>
  <outline type="rss" text="Top &amp; level" xmlUrl="http://example.com/feed?a=1&amp;b=2"/>
</body></opml>)";
  auto subs = parse_opml(doc);
  BOOST_TEST_REQUIRE(subs.has_value());
  BOOST_TEST_REQUIRE(subs->size() == 3u);
  BOOST_TEST(((*subs)[0] == (Subscription{"https://lwn.net/headlines/rss", "LWN.net", "https://lwn.net/", "Tech/Linux"})));
  BOOST_TEST(((*subs)[1] == (Subscription{"https://news.ycombinator.com/rss", "Hacker News", "", "Tech"})));
  BOOST_TEST(((*subs)[2] == (Subscription{"http://example.com/feed?a=1&b=2", "Top & level", "", ""})));
}

BOOST_AUTO_TEST_CASE(opml1_lowercase_attributes_and_category_attribute) {
  const char* doc = R"(<opml version="1.0"><body>
  <outline title="Blog" xmlurl="http://blog.example/rss" htmlurl="http://blog.example/" category="/Friends/Close,/Other"/>
</body></opml>)";
  auto subs = parse_opml(doc);
  BOOST_TEST_REQUIRE(subs.has_value());
  BOOST_TEST_REQUIRE(subs->size() == 1u);
  BOOST_TEST(((*subs)[0] == (Subscription{"http://blog.example/rss", "Blog", "http://blog.example/", "Friends/Close"})));
}

BOOST_AUTO_TEST_CASE(not_opml_is_an_error) {
  BOOST_TEST(parse_opml("<rss/>").error() == make_error_code(FeedErrc::not_opml));
  BOOST_TEST(parse_opml("").error() == make_error_code(FeedErrc::empty_input));
  BOOST_TEST(parse_opml("garbage").error() == make_error_code(FeedErrc::not_opml));
}

BOOST_AUTO_TEST_CASE(broken_opml_yields_what_it_can) {
  auto subs = parse_opml(R"(<opml><body><outline text="A" xmlUrl="http://a/f"/><outline text="B" xmlUrl="http://b/f">)");
  BOOST_TEST_REQUIRE(subs.has_value());
  BOOST_TEST(subs->size() == 2u);
}

BOOST_AUTO_TEST_CASE(export_then_import_round_trips) {
  const std::vector<Subscription> subs = {
      {"https://lwn.net/headlines/rss", "LWN.net", "https://lwn.net/", "Tech/Linux"},
      {"https://news.ycombinator.com/rss", "HN \"quoted\" <&>", "", "Tech"},
      {"http://example.com/feed?a=1&b=2", "Top", "http://example.com/", ""},
      {"https://kernel.example/rss", "Kernel", "", "Tech/Linux"},
  };
  const std::string doc = write_opml(subs, "My feeds");
  BOOST_TEST(doc.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">"));
  BOOST_TEST(doc.find("<title>My feeds</title>") != std::string::npos);
  auto back = parse_opml(doc);
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST_REQUIRE(back->size() == 4u);
  // Grouped by folder: top-level feeds first, then each folder in first-seen order.
  BOOST_TEST(((*back)[0] == subs[2]));
  BOOST_TEST(((*back)[1] == subs[1]));
  BOOST_TEST(((*back)[2] == subs[0]));
  BOOST_TEST(((*back)[3] == subs[3]));
}

BOOST_AUTO_TEST_CASE(export_uses_the_url_when_there_is_no_title) {
  const std::string doc = write_opml({{"http://x.example/f", "", "", ""}}, "t");
  auto back = parse_opml(doc);
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST((*back)[0].title == "http://x.example/f");
}

// Found by opml_fuzz: the URL written as the missing title kept its tab and newline, which
// the import then collapsed, so each export of the same list differed from the one before.
BOOST_AUTO_TEST_CASE(an_export_imports_and_exports_again_unchanged) {
  const std::vector<Subscription> subs = {{"http://b.example/a\tb\nc", "", "", ""},
                                          {"http://c.example/", " two\n lines ", "", ""}};
  const std::string first = write_opml(subs, "t");
  auto back = parse_opml(first);
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST_REQUIRE(back->size() == 2u);
  BOOST_TEST((*back)[0].url == subs[0].url);
  BOOST_TEST((*back)[0].title == "http://b.example/a b c");
  BOOST_TEST((*back)[1].title == "two lines");
  BOOST_TEST(write_opml(*back, "t") == first);
}

// Found by opml_fuzz: a category attribute kept its newline, which the folder written for it
// lost on import; categories are read as folder paths are, each level collapsed.
BOOST_AUTO_TEST_CASE(a_category_attribute_is_read_as_a_folder_path) {
  auto subs = parse_opml(
      "<opml version=\"2.0\"><body>"
      "<outline xmlUrl=\"http://a.example/f\" category=\"/Tech\t/ Linux\n  kernel//,/Other\"/>"
      "</body></opml>");
  BOOST_TEST_REQUIRE(subs.has_value());
  BOOST_TEST_REQUIRE(subs->size() == 1u);
  BOOST_TEST((*subs)[0].category == "Tech/Linux kernel");
  const std::string first = write_opml(*subs, "t");
  auto back = parse_opml(first);
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST_REQUIRE(back->size() == 1u);
  BOOST_TEST((*back)[0].category == "Tech/Linux kernel");
  BOOST_TEST(write_opml({{"http://b.example/f", "B", "", " News \n/ World "}}, "t") ==
             write_opml({{"http://b.example/f", "B", "", "News/World"}}, "t"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::feeds
