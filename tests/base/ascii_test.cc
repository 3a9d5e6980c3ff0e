#include "base/ascii.h"

#include <boost/test/unit_test.hpp>

namespace winnow::base {
namespace {

BOOST_AUTO_TEST_SUITE(ascii)

BOOST_AUTO_TEST_CASE(to_lower_changes_only_ascii_capitals) {
  BOOST_TEST(to_lower('A') == 'a');
  BOOST_TEST(to_lower('Z') == 'z');
  BOOST_TEST(to_lower('@') == '@');  // just before 'A'
  BOOST_TEST(to_lower('[') == '[');  // just after 'Z'
  BOOST_TEST(to_lower("Content-Type: TEXT/Html") == "content-type: text/html");
  // UTF-8 bytes pass unchanged: "Ä" stays "Ä", whatever the C locale.
  BOOST_TEST(to_lower("\xC3\x84pfel") == "\xC3\x84pfel");
  BOOST_TEST(to_lower("") == "");
}

BOOST_AUTO_TEST_CASE(iequals_ignores_ascii_case_only) {
  BOOST_TEST(iequals("Location", "location"));
  BOOST_TEST(iequals("", ""));
  BOOST_TEST(!iequals("location", "locations"));
  BOOST_TEST(!iequals("\xC3\x84", "\xC3\xA4"));  // Ä and ä differ: no Unicode folding
}

BOOST_AUTO_TEST_CASE(istarts_with_matches_a_prefix_in_any_case) {
  BOOST_TEST(istarts_with("HTTP/1.1 200 OK", "http/"));
  BOOST_TEST(istarts_with("https://x", "HTTPS:"));
  BOOST_TEST(istarts_with("abc", ""));
  BOOST_TEST(!istarts_with("htt", "http"));
}

BOOST_AUTO_TEST_CASE(ifind_finds_in_any_case_from_a_position) {
  BOOST_TEST(ifind("text/html; Charset=utf-8", "charset") == 11u);
  BOOST_TEST(ifind("</SCRIPT></script>", "</script", 1) == 9u);
  BOOST_TEST(ifind("abc", "abcd") == std::string_view::npos);
  BOOST_TEST(ifind("abc", "b", 3) == std::string_view::npos);
  BOOST_TEST(ifind("abc", "b", 4) == std::string_view::npos);  // past the end, as find()
  BOOST_TEST(ifind("abc", "", 3) == 3u);
  BOOST_TEST(ifind("\xC3\x84", "\xC3\xA4") == std::string_view::npos);
}

BOOST_AUTO_TEST_CASE(trim_removes_only_the_named_characters) {
  BOOST_TEST(trim("  a b  ", " ") == "a b");
  BOOST_TEST(trim("\t a \r\n", " \t") == "a \r\n");
  BOOST_TEST(trim_left(" \ta ", " \t") == "a ");
  BOOST_TEST(trim_right(" a \r\n", " \r\n") == " a");
  BOOST_TEST(trim("   ", " ") == "");
  BOOST_TEST(trim("", " ") == "");
}

BOOST_AUTO_TEST_CASE(trim_ascii_space_is_c_isspace) {
  BOOST_TEST(trim_ascii_space(" \t\n\v\f\rx y\r\n\f\v\t ") == "x y");
  // No-break space (U+00A0) is not ASCII space.
  BOOST_TEST(trim_ascii_space("\xC2\xA0x") == "\xC2\xA0x");
  for (int c = 0; c < 128; ++c)
    BOOST_TEST(is_ascii_space(char(c)) == (kAsciiSpace.find(char(c)) != std::string_view::npos), c);
}

BOOST_AUTO_TEST_CASE(html_space_is_whatwg_ascii_whitespace) {
  BOOST_TEST(trim(" \t\n\f\rx\v", kHtmlSpace) == "x\v");
  for (int c = 0; c < 128; ++c)
    BOOST_TEST(is_html_space(char(c)) == (kHtmlSpace.find(char(c)) != std::string_view::npos), c);
}

BOOST_AUTO_TEST_CASE(collapse_whitespace_makes_runs_one_space_and_trims) {
  BOOST_TEST(base::collapse_whitespace("  a \t\n b\r\n\fc  ") == "a b c");
  BOOST_TEST(base::collapse_whitespace("") == "");
  BOOST_TEST(base::collapse_whitespace(" \n ") == "");
  // HTML's whitespace has no vertical tab: there it is text.
  BOOST_TEST(base::collapse_whitespace("a\vb", base::kHtmlSpace) == "a\vb");
  BOOST_TEST(base::collapse_whitespace("a\vb") == "a b");
}

BOOST_AUTO_TEST_CASE(html_escaping_quotes_only_in_attributes) {
  std::string text, attribute;
  append_html_escaped("a < b && \"c\" > d", text, false);
  append_html_escaped("a < b && \"c\" > d", attribute, true);
  BOOST_TEST(text == "a &lt; b &amp;&amp; \"c\" &gt; d");
  BOOST_TEST(attribute == "a &lt; b &amp;&amp; &quot;c&quot; &gt; d");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::base
