// archive::article_json: the one JSON shape of an archived article, shared by `winnow show
// --format json`, `winnow export --format jsonl` and the API. Pins its keys and how a value
// the row lacks is written.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <set>
#include <stdexcept>
#include <string>

#include "daemon/archive/article_json.h"
#include "tests/daemon/archive_helpers.h"

namespace winnow {
namespace {

using archive::ArticleRow;
using archive::testing::sample_article;

std::set<std::string> keys(const boost::json::object& o) {
  std::set<std::string> out;
  for (const auto& kv : o) out.insert(std::string(kv.key()));
  return out;
}

const std::set<std::string> kKeys = {"id",       "feed_id",  "url",         "canonical_url", "title",
                                     "authors",  "published", "modified",   "site_name",     "language",
                                     "tags",     "description", "image",    "text",          "blocks",
                                     "source",   "verdict",  "partial",     "duplicate_of",  "fetched_at"};

BOOST_AUTO_TEST_SUITE(article_json)

BOOST_AUTO_TEST_CASE(every_key_is_present_with_the_row_values) {
  ArticleRow row = sample_article(7, 42);
  row.id = 9;
  row.duplicate_of = 3;
  row.modified = 1'700'000'500;
  const auto o = archive::article_json(row);
  BOOST_TEST((keys(o) == kKeys));
  BOOST_TEST(o.at("id").as_int64() == 9);
  BOOST_TEST(o.at("feed_id").as_int64() == 42);
  BOOST_TEST(o.at("duplicate_of").as_int64() == 3);
  BOOST_TEST(o.at("url").as_string() == row.url);
  BOOST_TEST(o.at("title").as_string() == row.title);
  BOOST_TEST(o.at("published").as_string() == "2023-11-14T22:13:27Z");
  BOOST_TEST(o.at("modified").as_string() == "2023-11-14T22:21:40Z");
  BOOST_TEST(o.at("fetched_at").as_string() == "2023-11-14T22:15:07Z");
  BOOST_TEST(o.at("source").as_string() == "page");
  BOOST_TEST(o.at("verdict").as_string() == "article");
  BOOST_TEST(o.at("partial").as_bool() == false);
  const auto& blocks = o.at("blocks").as_array();
  BOOST_TEST_REQUIRE(blocks.size() == 1u);
  BOOST_TEST(blocks[0].at("text").as_string() == "Body of story 7.");
}

BOOST_AUTO_TEST_CASE(what_the_row_lacks_is_null_not_empty_or_missing) {
  ArticleRow row = sample_article(1);
  row.published.reset();
  row.modified.reset();
  const auto o = archive::article_json(row);
  BOOST_TEST((keys(o) == kKeys));
  BOOST_TEST(o.at("feed_id").is_null());
  BOOST_TEST(o.at("duplicate_of").is_null());
  BOOST_TEST(o.at("published").is_null());
  BOOST_TEST(o.at("modified").is_null());
}

BOOST_AUTO_TEST_CASE(feed_content_kept_for_a_paywalled_page_says_so) {
  ArticleRow row = sample_article(1);
  row.source = "feed";
  row.verdict = "paywall_teaser";
  row.partial = true;
  const auto o = archive::article_json(row);
  BOOST_TEST(o.at("source").as_string() == "feed");
  BOOST_TEST(o.at("verdict").as_string() == "paywall_teaser");
  BOOST_TEST(o.at("partial").as_bool() == true);
}

BOOST_AUTO_TEST_CASE(empty_blocks_json_is_an_empty_array) {
  ArticleRow row = sample_article(1);
  row.blocks_json.clear();
  BOOST_TEST(archive::article_json(row).at("blocks").as_array().empty());
}

BOOST_AUTO_TEST_CASE(invalid_blocks_json_throws) {
  ArticleRow row = sample_article(1);
  row.blocks_json = "[{";
  BOOST_CHECK_THROW(archive::article_json(row), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow
