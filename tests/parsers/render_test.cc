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
  a.blocks.push_back({BlockKind::paragraph, 0, "First paragraph with a_b and 1. not a list", {}, {}, false, {}, {}});
  a.blocks.push_back({BlockKind::heading, 3, "Section", {}, {}, false, {}, {}});
  a.blocks.push_back({BlockKind::list, 0, "one\ntwo", {"one", "two"}, {}, true, {}, {}});
  a.blocks.push_back({BlockKind::table, 0, "A\tB\n1\t2", {}, {{"A", "B"}, {"1", "x|y"}}, false, {}, {}});
  a.blocks.push_back({BlockKind::quote, 0, "Quoted\n\nSecond", {}, {}, false, {}, {}});
  a.blocks.push_back({BlockKind::code, 0, "int main() {}\n  return;", {}, {}, false, {}, {}});
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
  a.blocks.push_back({BlockKind::paragraph, 0, "1. Not a list\n# not a heading", {}, {}, false, {}, {}});
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

Block linked(std::string text, std::vector<InlineLink> links, std::vector<InlineImage> images = {}) {
  Block b;
  b.text = std::move(text);
  b.links = std::move(links);
  b.images = std::move(images);
  return b;
}

BOOST_AUTO_TEST_CASE(markdown_links_escape_brackets_in_text_and_parentheses_in_urls) {
  Article a;
  a.blocks.push_back(linked("See the [draft] plan (2026) now.",
                            {{8, 15, "https://x.example/a_(b)"}, {21, 27, "https://x.example/c\\d"}}));
  BOOST_TEST(to_markdown(a) == "See the \\[draft\\] plan (2026) now.");
  BOOST_TEST(to_markdown(a, {.links = true}) ==
             "See the [\\[draft\\]](https://x.example/a_\\(b\\)) plan [(2026)](https://x.example/c\\\\d) now.");
}

BOOST_AUTO_TEST_CASE(markdown_urls_with_spaces_take_the_angle_bracket_form) {
  Article a;
  a.blocks.push_back(linked("a b", {{0, 1, "https://x.example/a b>(c)"}, {2, 3, "https://x.example/\n"}}));
  BOOST_TEST(to_markdown(a, {.links = true}) ==
             "[a](<https://x.example/a b\\>(c)>) [b](<https://x.example/%0A>)");
}

BOOST_AUTO_TEST_CASE(markdown_link_over_a_whole_paragraph_and_line_start_markers) {
  Article a;
  a.blocks.push_back(linked("1. First", {{0, 8, "https://x.example/"}}));
  a.blocks.push_back(linked("# Not a heading", {{2, 5, "https://x.example/n"}}));
  BOOST_TEST(to_markdown(a, {.links = true}) == "[1. First](https://x.example/)\n\n\\# [Not](https://x.example/n) a heading");
}

BOOST_AUTO_TEST_CASE(markdown_links_in_list_items_and_table_cells) {
  Article a;
  Block list;
  list.kind = BlockKind::list;
  list.items = {"one link", "two"};
  list.text = "one link\ntwo";
  list.links = {{4, 8, "https://x.example/1"}, {9, 12, "https://x.example/2"}};
  a.blocks.push_back(list);
  Block table;
  table.kind = BlockKind::table;
  table.rows = {{"A", "B"}, {"x", "y|z"}};
  table.text = "A\tB\nx\ty|z";
  table.links = {{6, 9, "https://x.example/t|1"}};
  a.blocks.push_back(table);
  BOOST_TEST(to_markdown(a, {.links = true}) ==
             "- one [link](https://x.example/1)\n- [two](https://x.example/2)\n\n"
             "| A | B |\n| --- | --- |\n| x | [y\\|z](https://x.example/t\\|1) |");
  BOOST_TEST(to_markdown(a, {.links = true, .tables = false}) ==
             "- one [link](https://x.example/1)\n- [two](https://x.example/2)");
}

BOOST_AUTO_TEST_CASE(markdown_images_on_their_own_lines_with_and_without_alt) {
  Article a;
  a.blocks.push_back(linked("Before after.", {{7, 12, "https://x.example/l"}},
                            {{0, "https://x.example/lead.jpg", "Lead [photo]"}, {6, "https://x.example/in.png", ""},
                             {13, "https://x.example/end.png", "End"}}));
  BOOST_TEST(to_markdown(a, {.links = true, .images = true}) ==
             "![Lead \\[photo\\]](https://x.example/lead.jpg)\n\nBefore\n\n![](https://x.example/in.png)\n\n"
             "[after](https://x.example/l).\n\n![End](https://x.example/end.png)");
  // An image inside a link waits for the link's end; the link is not cut.
  Article b;
  b.blocks.push_back(linked("one two three", {{0, 7, "https://x.example/l"}}, {{3, "https://x.example/i.png", ""}}));
  BOOST_TEST(to_markdown(b, {.links = true, .images = true}) ==
             "[one two](https://x.example/l)\n\n![](https://x.example/i.png)\n\nthree");
  BOOST_TEST(to_markdown(b) == "one two three");
}

BOOST_AUTO_TEST_CASE(json_blocks_carry_links_and_images_and_read_back) {
  Article a;
  a.blocks.push_back(linked("See the plan.", {{8, 12, "https://x.example/p"}}, {{0, "https://x.example/i.png", "alt"}}));
  a.blocks.push_back(linked("No links.", {}));
  json::object o = to_json(a, false);
  const json::array& blocks = o.at("blocks").as_array();
  BOOST_TEST(json::serialize(blocks.at(0).at("links")) == R"([[8,12,"https://x.example/p"]])");
  BOOST_TEST(json::serialize(blocks.at(0).at("images")) == R"([[0,"https://x.example/i.png","alt"]])");
  BOOST_TEST(!blocks.at(1).as_object().contains("links"));
  BOOST_TEST(!blocks.at(1).as_object().contains("images"));
  std::vector<Block> back = blocks_from_json(o.at("blocks"));
  BOOST_TEST_REQUIRE(back.size() == 2u);
  BOOST_TEST(back[0].text == "See the plan.");
  BOOST_TEST_REQUIRE(back[0].links.size() == 1u);
  BOOST_TEST(back[0].links[0].url == "https://x.example/p");
  BOOST_TEST(back[0].images.at(0).alt == "alt");
  Article again;
  again.blocks = back;
  BOOST_TEST(to_markdown(again, {.links = true, .images = true}) == to_markdown(a, {.links = true, .images = true}));
}

BOOST_AUTO_TEST_CASE(blocks_from_json_survives_bad_input) {
  BOOST_TEST(blocks_from_json(json::parse("{}")).empty());
  std::vector<Block> b = blocks_from_json(json::parse(
      R"([1, {"type": "nonsense", "text": "abc", "links": [[2, 99, "u"], [0, 1, "v"], "x", [5]],
          "images": [[-4, "s", "a"], [1, 2]]}, {"type": "table", "rows": [["a"], 3]}])"));
  BOOST_TEST_REQUIRE(b.size() == 2u);
  BOOST_TEST((b[0].kind == BlockKind::paragraph));
  BOOST_TEST_REQUIRE(b[0].links.size() == 1u);  // clamped to the text; the next one out of order
  BOOST_TEST(b[0].links[0].end == 3u);
  BOOST_TEST(b[0].images.at(0).at == 0u);
  BOOST_TEST((b[1].kind == BlockKind::table));
  Article a;
  a.blocks = b;
  BOOST_TEST(!to_markdown(a, {.links = true, .images = true}).empty());
}

BOOST_AUTO_TEST_SUITE_END()
