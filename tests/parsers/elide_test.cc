// parsers/html/elide.h: the text of scripts, styles and comments goes, everything else stays,
// and Gumbo builds the same tree either way (the fuzz target elide_fuzz checks the same on
// random input).

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "parsers/html/elide.h"
#include "tests/page_file.h"
#include "tests/parsers/gumbo_outline.h"

using winnow::parsers::elide_unread_text;
namespace fs = std::filesystem;

namespace {

std::string elided(std::string html) {
  elide_unread_text(html);
  return html;
}

std::vector<fs::path> pages_in(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".html") || name.ends_with(".html.gz")) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void check_same_tree(const fs::path& path) {
  std::string page = winnow::testing::read_page_file(path);
  std::string small = elided(page);
  BOOST_TEST_INFO("page " << path.filename());
  BOOST_TEST(small.size() <= page.size());
  BOOST_TEST(winnow::testing::gumbo_outline(small) == winnow::testing::gumbo_outline(page));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(elide)

BOOST_AUTO_TEST_CASE(script_style_and_comment_text_goes_and_the_tags_stay) {
  BOOST_TEST(elided("<p>a</p><script src=x.js>var x = '<p>';</script><p>b</p>") ==
             "<p>a</p><script src=x.js></script><p>b</p>");
  BOOST_TEST(elided("<style media=all>p { color: red }</STYLE ><p>b</p>") == "<style media=all></STYLE ><p>b</p>");
  BOOST_TEST(elided("<p>a<!-- note --></p><!-- two --!>") == "<p>a<!----></p><!----!>");
}

BOOST_AUTO_TEST_CASE(json_ld_is_kept_for_metadata) {
  std::string page = "<script type=\"application/ld+json\">{\"headline\":\"h\"}</script>"
                     "<script type='Application/LD+JSON'>{}</script><script type=\"application/json\">{}</script>";
  BOOST_TEST(elided(page) == "<script type=\"application/ld+json\">{\"headline\":\"h\"}</script>"
                             "<script type='Application/LD+JSON'>{}</script><script type=\"application/json\"></script>");
}

BOOST_AUTO_TEST_CASE(script_ends_where_the_tokenizer_ends_it) {
  // "<!--" then "<script>" hides the next "</script>" (the double-escaped state).
  BOOST_TEST(elided("<script><!--<script>x</script>--></script><p>after</p>") == "<script></script><p>after</p>");
  BOOST_TEST(elided("<script>a</scripts>b</script >c") == "<script></script >c");
  BOOST_TEST(elided("<script>no end <p>") == "<script>");
  // End tags match whatever the case of either tag (found by elide_fuzz).
  BOOST_TEST(elided("<stYle>a</STyle><p>b") == "<stYle></STyle><p>b");
  // A self-closing slash means nothing on <script>: what follows is still script.
  BOOST_TEST(elided("<script/>x</script>y") == "<script/></script>y");
}

BOOST_AUTO_TEST_CASE(tags_inside_text_or_attributes_are_not_tags) {
  for (std::string page : {"<p title=\"<script>x</script>\">t</p>", "<p data-a='<style>'>t</p>",
                           "<title><script>t</script></title>", "<textarea><style>t</style></textarea>",
                           "<xmp><script>t</script></xmp>",
                           // Still inside the <p> tag: "<script" is an attribute name.
                           "<p a=b\"c <script>x</script>t</p>"}) {
    BOOST_TEST(elided(page) == page);
  }
}

BOOST_AUTO_TEST_CASE(text_is_kept_where_the_tree_builder_might_not_make_raw_text) {
  for (std::string page : {"<svg><script>s<b>x</b></script></svg>", "<math><mi><style>s</style></mi></math>",
                           "<select><style>o<b>x</b></style></select>", "<plaintext><script>x</script>",
                           "<frameset><style>x</style>",
                           // Gumbo closes the <svg> at </g> (found by elide_fuzz).
                           "<h><svg></g><select><div><style>l",
                           // Gumbo does not close an <svg> with "</svg >" (found by elide_fuzz).
                           "<svg><svg></svg ></svg><style>x</style>",
                           // </e> closed <t> and the <svg>; </svg> then closes nothing and the
                           // <script> is MathML (found by elide_fuzz).
                           "<t><svg/t></e><math></svg><script><!"}) {
    BOOST_TEST(elided(page) == page);
  }
  // Once the foreign element or the select is closed, elision resumes.
  BOOST_TEST(elided("<svg><style>a</style></svg><style>b</style>") == "<svg><style>a</style></svg><style></style>");
  BOOST_TEST(elided("<select></select><style>b</style>") == "<select></select><style></style>");
}

BOOST_AUTO_TEST_CASE(deep_foreign_nesting_is_scanned_in_one_pass) {
  // 100,000 open <svg> and as many </math>: an end tag that searched the whole list took
  // 10 s in all; nothing inside foreign content is touched.
  std::string page;
  for (int i = 0; i < 100'000; ++i) page += "<svg>";
  for (int i = 0; i < 100'000; ++i) page += "</math>";
  page += "<style>x</style>";
  BOOST_TEST(elided(page) == page);
  page += "</svg>";
  for (int i = 1; i < 100'000; ++i) page += "</svg>";
  page += "<style>x</style>";
  BOOST_TEST(elided(page).ends_with("</svg><style></style>"));
}

BOOST_AUTO_TEST_CASE(tricky_fixtures_parse_to_the_same_tree) {
  auto pages = pages_in(fs::path(WINNOW_SOURCE_DIR) / "tests/fixtures/elide");
  BOOST_TEST(pages.size() >= 3u);
  for (const auto& path : pages) check_same_tree(path);
}

BOOST_AUTO_TEST_CASE(real_pages_parse_to_the_same_tree) {
  auto pages = pages_in(fs::path(WINNOW_SOURCE_DIR) / "tests/fixtures/seeds");
  BOOST_TEST(!pages.empty());
  // The development set beside the project, when it is there (it is in CI): 181 real pages.
  auto bench = pages_in(fs::path(WINNOW_SOURCE_DIR) / "../shared/bench/zyte/html");
  pages.insert(pages.end(), bench.begin(), bench.end());
  std::size_t before = 0, after = 0;
  for (const auto& path : pages) {
    std::string page = winnow::testing::read_page_file(path);
    before += page.size();
    after += elided(page).size();
    check_same_tree(path);
  }
  BOOST_TEST_MESSAGE(pages.size() << " pages: " << before << " bytes, " << after << " after elision");
}

BOOST_AUTO_TEST_SUITE_END()
