#include "feeds/to_json.h"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <set>

namespace winnow::feeds {
namespace {

std::set<std::string> keys(const boost::json::object& o) {
  std::set<std::string> out;
  for (const auto& [k, v] : o) out.insert(std::string(k));
  return out;
}

Feed sample() {
  Feed feed;
  feed.title = std::string("T");  // not `= "T"`: g++ 12 warns falsely (-Wrestrict, PR 105651)
  feed.updated = 1073000901;
  Entry e;
  e.id = "id";
  e.published = 0;
  e.categories.emplace_back(1, 'a');
  e.enclosures.push_back(Enclosure{"http://e.com/a.mp3", "audio/mpeg", 12});
  feed.entries.push_back(e);
  return feed;
}

BOOST_AUTO_TEST_SUITE(to_json)

BOOST_AUTO_TEST_CASE(contract_has_exactly_the_documented_keys) {
  const auto out = winnow::feeds::to_json(sample());
  BOOST_TEST((keys(out) == std::set<std::string>{"feed", "entries", "bozo"}));
  BOOST_TEST((keys(out.at("feed").as_object()) ==
              std::set<std::string>{"title", "link", "description", "language", "updated", "generator"}));
  const auto& entry = out.at("entries").as_array().at(0).as_object();
  BOOST_TEST((keys(entry) == std::set<std::string>{"id", "title", "link", "published", "updated", "author", "summary",
                                                   "content", "categories", "enclosures"}));
  BOOST_TEST((keys(entry.at("enclosures").as_array().at(0).as_object()) == std::set<std::string>{"url", "type", "length"}));
}

BOOST_AUTO_TEST_CASE(dates_are_rfc3339_utc_or_empty) {
  const auto out = winnow::feeds::to_json(sample());
  BOOST_TEST(out.at("feed").at("updated").as_string() == "2004-01-01T23:48:21Z");
  const auto& entry = out.at("entries").as_array().at(0);
  BOOST_TEST(entry.at("published").as_string() == "1970-01-01T00:00:00Z");
  BOOST_TEST(entry.at("updated").as_string() == "");
  BOOST_TEST(entry.at("enclosures").at(0).at("length").as_int64() == 12);
}

BOOST_AUTO_TEST_CASE(bozo_reason_only_when_bozo) {
  Feed feed = sample();
  BOOST_TEST(!winnow::feeds::to_json(feed).contains("bozo_reason"));
  feed.bozo = true;
  feed.bozo_reason = "broken";
  const auto out = winnow::feeds::to_json(feed);
  BOOST_TEST(out.at("bozo").as_bool());
  BOOST_TEST(out.at("bozo_reason").as_string() == "broken");
}

BOOST_AUTO_TEST_CASE(extended_adds_the_model_beyond_the_contract) {
  Feed feed = sample();
  feed.ttl_minutes = 30;
  const auto out = winnow::feeds::to_json(feed, JsonDetail::extended);
  BOOST_TEST(out.at("format").as_string() == "unknown");
  BOOST_TEST(out.at("feed").at("ttl_minutes").as_int64() == 30);
  BOOST_TEST(out.at("entries").at(0).as_object().contains("thumbnail"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::feeds
