// Metadata sources and their order of trust: JSON-LD, OpenGraph/Twitter, <meta>, <time>,
// microdata, then the DOM.
#include <boost/test/unit_test.hpp>

#include "parsers/html/document.h"
#include "parsers/metadata/metadata.h"

using namespace winnow::parsers;

namespace {

Metadata meta(const std::string& head, const std::string& body = "", const std::string& url = "") {
  std::string html = "<!DOCTYPE html><html lang=\"en-GB\"><head>" + head + "</head><body>" + body + "</body></html>";
  return read_metadata(HtmlDocument::parse(html), url);
}

const std::string kJsonLd = R"(<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Site"},
  {"@type": "NewsArticle", "headline": "JSON-LD headline",
   "author": [{"@type": "Person", "name": "Ada Lovelace"}, {"@type": "Person", "name": "Alan Turing"}],
   "datePublished": "2019-11-19T10:30:00-05:00", "dateModified": "2019-11-20T08:00:00Z",
   "publisher": {"@type": "Organization", "name": "The Daily Example"},
   "image": {"@type": "ImageObject", "url": "https://example.com/lead.jpg"},
   "keywords": "transport, city council, buses",
   "description": "What the council decided."}]}
</script>)";

}  // namespace

BOOST_AUTO_TEST_SUITE(metadata)

BOOST_AUTO_TEST_CASE(json_ld_article_in_graph) {
  Metadata m = meta(kJsonLd);
  BOOST_TEST(m.title == "JSON-LD headline");
  BOOST_REQUIRE(m.authors.size() == 2u);
  BOOST_TEST(m.authors[0] == "Ada Lovelace");
  BOOST_TEST(m.authors[1] == "Alan Turing");
  BOOST_TEST(m.published == "2019-11-19T15:30:00Z");
  BOOST_TEST(m.modified == "2019-11-20T08:00:00Z");
  BOOST_TEST(m.site_name == "The Daily Example");
  BOOST_TEST(m.image == "https://example.com/lead.jpg");
  BOOST_REQUIRE(m.tags.size() == 3u);
  BOOST_TEST(m.tags[1] == "city council");
  BOOST_TEST(m.description == "What the council decided.");
}

BOOST_AUTO_TEST_CASE(json_ld_wins_over_opengraph) {
  Metadata m = meta(kJsonLd + R"(<meta property="og:title" content="OG title">)");
  BOOST_TEST(m.title == "JSON-LD headline");
}

BOOST_AUTO_TEST_CASE(broken_json_ld_is_skipped) {
  Metadata m = meta(R"(<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>
                       <meta property="og:title" content="OG title">)");
  BOOST_TEST(m.title == "OG title");
}

BOOST_AUTO_TEST_CASE(opengraph_and_article_meta) {
  Metadata m = meta(R"(<meta property="og:title" content="OG title">
    <meta property="og:site_name" content="OG Site">
    <meta property="og:description" content="OG description">
    <meta property="og:image" content="/img/lead.jpg">
    <meta property="og:url" content="https://example.com/story">
    <meta property="article:published_time" content="2019-11-19T10:30:00+01:00">
    <meta property="article:modified_time" content="Tue, 19 Nov 2019 12:00:00 GMT">
    <meta property="article:tag" content="buses"><meta property="article:tag" content="council">
    <meta name="author" content="Grace Hopper">)", "", "https://example.com/a/b");
  BOOST_TEST(m.title == "OG title");
  BOOST_TEST(m.site_name == "OG Site");
  BOOST_TEST(m.description == "OG description");
  BOOST_TEST(m.image == "https://example.com/img/lead.jpg");
  BOOST_TEST(m.canonical_url == "https://example.com/story");
  BOOST_TEST(m.published == "2019-11-19T09:30:00Z");
  BOOST_TEST(m.modified == "2019-11-19T12:00:00Z");
  BOOST_REQUIRE(m.tags.size() == 2u);
  BOOST_TEST(m.tags[0] == "buses");
  BOOST_REQUIRE(m.authors.size() == 1u);
  BOOST_TEST(m.authors[0] == "Grace Hopper");
}

BOOST_AUTO_TEST_CASE(twitter_cards_fill_gaps) {
  Metadata m = meta(R"(<meta name="twitter:title" content="Card title">
                       <meta name="twitter:image" content="https://example.com/card.jpg">)");
  BOOST_TEST(m.title == "Card title");
  BOOST_TEST(m.image == "https://example.com/card.jpg");
}

BOOST_AUTO_TEST_CASE(plain_meta_tags) {
  Metadata m = meta(R"(<meta name="description" content="Plain description">
                       <meta name="keywords" content="one, two">
                       <meta name="date" content="2019-11-19">)");
  BOOST_TEST(m.description == "Plain description");
  BOOST_TEST(m.tags.size() == 2u);
  BOOST_TEST(m.published == "2019-11-19T00:00:00Z");
}

BOOST_AUTO_TEST_CASE(time_element_and_microdata) {
  Metadata m = meta("", R"(<article><span itemprop="author" itemscope><span itemprop="name">Katherine Johnson</span></span>
                           <time datetime="2019-11-18T07:00:00Z">Nov 18</time>
                           <meta itemprop="dateModified" content="2019-11-19T07:00:00Z"></article>)");
  BOOST_TEST(m.published == "2019-11-18T07:00:00Z");
  BOOST_TEST(m.modified == "2019-11-19T07:00:00Z");
  BOOST_REQUIRE(!m.authors.empty());
  BOOST_TEST(m.authors[0] == "Katherine Johnson");
}

BOOST_AUTO_TEST_CASE(dom_fallbacks_title_lang_canonical) {
  Metadata m = meta(R"(<title>Council expands bus network | City Times</title>
                       <link rel="canonical" href="/news/bus">)",
                    "<h1>Council expands bus network</h1>", "https://example.com/news/bus?utm_source=x");
  BOOST_TEST(m.title == "Council expands bus network");
  BOOST_TEST(m.language == "en-GB");
  BOOST_TEST(m.canonical_url == "https://example.com/news/bus");
}

BOOST_AUTO_TEST_CASE(title_suffix_is_stripped_when_site_is_known) {
  Metadata m = meta(R"(<title>A headline - Example News</title><meta property="og:site_name" content="Example News">)");
  BOOST_TEST(m.title == "A headline");
}

BOOST_AUTO_TEST_CASE(unparseable_dates_stay_empty) {
  Metadata m = meta(R"(<meta property="article:published_time" content="yesterday-ish">)");
  BOOST_TEST(m.published.empty());
}

BOOST_AUTO_TEST_CASE(author_urls_are_not_names) {
  Metadata m = meta(R"(<meta property="article:author" content="https://facebook.com/someone">)");
  BOOST_TEST(m.authors.empty());
}

BOOST_AUTO_TEST_SUITE_END()
