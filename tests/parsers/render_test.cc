// The three output formats of an Article: text, Markdown and JSON.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include "parsers/render/render.h"

using namespace winnow::parsers;
namespace json = boost::json;

namespace {

Article sample() {
  Article a;
  a.metadata.title = "A *title*";
  a.metadata.authors = {"Ada Lovelace"};
  a.metadata.published = "2019-11-19T15:30:00Z";
  a.blocks.push_back({BlockKind::paragraph, 0, "First paragraph with a_b and 1. not a list", {}, {}, false});
  a.blocks.push_back({BlockKind::heading, 3, "Section", {}, {}, false});
  a.blocks.push_back({BlockKind::list, 0, "one\ntwo", {"one", "two"}, {}, true});
  a.blocks.push_back({BlockKind::table, 0, "A\tB\n1\t2", {}, {{"A", "B"}, {"1", "x|y"}}, false});
  a.blocks.push_back({BlockKind::quote, 0, "Quoted\n\nSecond", {}, {}, false});
  a.blocks.push_back({BlockKind::code, 0, "int main() {}\n  return;", {}, {}, false});
  a.removed.push_back({Removal::newsletter, "Subscribe to Daily"});
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(render)

BOOST_AUTO_TEST_CASE(plain_text_separates_blocks_by_blank_lines) {
  std::string text = to_plain_text(sample());
  BOOST_TEST(text.starts_with("First paragraph with a_b and 1. not a list\n\nSection\n\none\ntwo\n\n"));
  BOOST_TEST(text.find("Subscribe") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(markdown_has_structure_and_escapes) {
  std::string md = to_markdown(sample());
  BOOST_TEST(md.starts_with("# A \\*title\\*\n\n"));
  BOOST_TEST(md.find("a\\_b") != std::string::npos);
  BOOST_TEST(md.find("\n### Section\n") != std::string::npos);
  BOOST_TEST(md.find("\n1. one\n2. two\n") != std::string::npos);
  BOOST_TEST(md.find("| A | B |\n| --- | --- |\n| 1 | x\\|y |") != std::string::npos);
  BOOST_TEST(md.find("> Quoted\n> \n> Second") != std::string::npos);
  BOOST_TEST(md.find("```\nint main() {}\n  return;\n```") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(markdown_escapes_line_start_markers) {
  Article a;
  a.blocks.push_back({BlockKind::paragraph, 0, "1. Not a list\n# not a heading", {}, {}, false});
  std::string md = to_markdown(a);
  BOOST_TEST(md == "1\\. Not a list\n\\# not a heading");
}

BOOST_AUTO_TEST_CASE(json_has_metadata_and_typed_blocks) {
  json::object o = to_json(sample(), false);
  BOOST_TEST(o.at("title").as_string() == "A *title*");
  BOOST_TEST(o.at("authors").as_array().at(0).as_string() == "Ada Lovelace");
  BOOST_TEST(o.at("published").as_string() == "2019-11-19T15:30:00Z");
  const json::array& blocks = o.at("blocks").as_array();
  BOOST_REQUIRE(blocks.size() == 6u);
  BOOST_TEST(blocks[0].at("type").as_string() == "paragraph");
  BOOST_TEST(blocks[1].at("type").as_string() == "heading");
  BOOST_TEST(blocks[1].at("level").as_int64() == 3);
  BOOST_TEST(blocks[2].at("ordered").as_bool());
  BOOST_TEST(blocks[2].at("items").as_array().size() == 2u);
  BOOST_TEST(blocks[3].at("rows").as_array().at(1).as_array().at(1).as_string() == "x|y");
  BOOST_TEST(blocks[5].at("type").as_string() == "code");
  BOOST_TEST(!o.contains("removed"));
  BOOST_TEST(o.at("text").as_string().starts_with("First paragraph"));
}

BOOST_AUTO_TEST_CASE(json_lists_removed_blocks_when_asked) {
  json::object o = to_json(sample(), true);
  const json::array& removed = o.at("removed").as_array();
  BOOST_REQUIRE(removed.size() == 1u);
  BOOST_TEST(removed[0].at("reason").as_string() == "newsletter");
  BOOST_TEST(removed[0].at("text").as_string() == "Subscribe to Daily");
}

BOOST_AUTO_TEST_SUITE_END()
