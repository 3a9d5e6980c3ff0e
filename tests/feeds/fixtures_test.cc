// Every tests/fixtures/feeds/NAME.{xml,rss,rdf,atom,json,...} is parsed and compared with
// NAME.expected.json: {"options": {"url", "content_type"}?, then either {"error": message}
// or the extended JSON form of the feed. A "bozo_reason" there need only be a substring of
// the actual one; without it, the actual reason is not compared.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "feeds/formats/parse.h"
#include "feeds/to_json.h"

namespace winnow::feeds {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const fs::path kFixtures = fs::path(WINNOW_SOURCE_DIR) / "tests/fixtures/feeds";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Lists the paths where `expected` and `actual` differ, one per line.
void diff(const std::string& path, const json::value& expected, const json::value& actual, std::ostream& out) {
  if (expected.is_object() && actual.is_object()) {
    const auto& e = expected.get_object();
    const auto& a = actual.get_object();
    for (const auto& [key, value] : e) {
      const std::string p = path + "." + std::string(key);
      if (const json::value* other = a.if_contains(key)) diff(p, value, *other, out);
      else out << "  " << p << ": missing, expected " << json::serialize(value) << '\n';
    }
    for (const auto& [key, value] : a)
      if (!e.contains(key)) out << "  " << path << "." << std::string(key) << ": unexpected " << json::serialize(value) << '\n';
    return;
  }
  if (expected.is_array() && actual.is_array()) {
    const auto& e = expected.get_array();
    const auto& a = actual.get_array();
    for (std::size_t i = 0; i < std::max(e.size(), a.size()); ++i) {
      const std::string p = path + "[" + std::to_string(i) + "]";
      if (i >= e.size()) out << "  " << p << ": unexpected " << json::serialize(a[i]) << '\n';
      else if (i >= a.size()) out << "  " << p << ": missing, expected " << json::serialize(e[i]) << '\n';
      else diff(p, e[i], a[i], out);
    }
    return;
  }
  if (expected != actual)
    out << "  " << path << ": expected " << json::serialize(expected) << ", got " << json::serialize(actual) << '\n';
}

std::vector<fs::path> fixture_inputs() {
  std::vector<fs::path> inputs;
  for (const auto& entry : fs::directory_iterator(kFixtures)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.ends_with(".expected.json")) continue;
    inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  return inputs;
}

BOOST_AUTO_TEST_SUITE(fixtures)

BOOST_AUTO_TEST_CASE(there_are_enough_fixtures_each_with_an_expectation) {
  const auto inputs = fixture_inputs();
  BOOST_TEST(inputs.size() >= 150u);
  for (const auto& input : inputs) {
    fs::path expected = input;
    expected.replace_extension(".expected.json");
    BOOST_TEST(fs::exists(expected), input.filename().string() << " has no " << expected.filename().string());
  }
}

BOOST_AUTO_TEST_CASE(every_fixture_parses_to_its_expected_json) {
  int compared = 0;
  for (const auto& input : fixture_inputs()) {
    fs::path expected_path = input;
    expected_path.replace_extension(".expected.json");
    if (!fs::exists(expected_path)) continue;
    BOOST_TEST_CONTEXT("fixture " << input.filename().string()) {
      json::value expected = json::parse(read_file(expected_path));
      json::object& want = expected.as_object();
      ParseOptions options;
      if (const json::value* o = want.if_contains("options")) {
        if (const json::value* url = o->as_object().if_contains("url")) options.base_url = url->as_string().c_str();
        if (const json::value* ct = o->as_object().if_contains("content_type")) options.content_type = ct->as_string().c_str();
        want.erase("options");
      }
      auto feed = parse_feed(read_file(input), options);
      if (const json::value* error = want.if_contains("error")) {
        BOOST_TEST(!feed.has_value(), "expected error " << json::serialize(*error));
        if (!feed) BOOST_TEST(feed.error().message() == error->as_string().c_str());
        ++compared;
        continue;
      }
      BOOST_TEST_REQUIRE(feed.has_value(), "parse failed: " << feed.error().message());
      json::object got = to_json(*feed, JsonDetail::extended);
      if (const json::value* reason = want.if_contains("bozo_reason")) {
        const std::string actual = got.contains("bozo_reason") ? got["bozo_reason"].as_string().c_str() : "";
        BOOST_TEST(actual.find(reason->as_string().c_str()) != std::string::npos,
                   "bozo_reason \"" << actual << "\" lacks \"" << reason->as_string().c_str() << "\"");
        want.erase("bozo_reason");
      }
      got.erase("bozo_reason");
      std::ostringstream differences;
      diff("$", want, got, differences);
      BOOST_TEST(differences.str().empty(), "differs from " << expected_path.filename().string() << ":\n"
                                                            << differences.str());
      ++compared;
    }
  }
  BOOST_TEST(compared >= 150);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::feeds
