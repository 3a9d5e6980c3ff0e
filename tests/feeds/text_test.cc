#include "feeds/text.h"

#include <boost/test/unit_test.hpp>

namespace winnow::feeds {
namespace {

BOOST_AUTO_TEST_SUITE(text)

BOOST_AUTO_TEST_CASE(html_to_text_decodes_and_strips) {
  BOOST_TEST(html_to_text("<b>Bold</b> &amp; <i>it</i>") == "Bold & it");
  BOOST_TEST(html_to_text("<p>one</p><p>two</p>") == "one two");
  BOOST_TEST(html_to_text("a<b>b</b>c") == "abc");
  BOOST_TEST(html_to_text("x<script>evil()</script><style>p{}</style>y") == "xy");
  BOOST_TEST(html_to_text("caf&eacute; &#8212; &hellip;") == "caf\u00e9 \u2014 \u2026");
  BOOST_TEST(html_to_text("") == "");
}

BOOST_AUTO_TEST_CASE(plain_text_only_parses_when_it_must) {
  BOOST_TEST(plain_text("  a \n b  ") == "a b");
  BOOST_TEST(plain_text("1 < 2") == "1 < 2");
  BOOST_TEST(plain_text("AT&T") == "AT&T");
  BOOST_TEST(plain_text("&lt;not&gt;") == "<not>");
}

BOOST_AUTO_TEST_CASE(derived_ids_are_fnv1a_of_link_and_title) {
  BOOST_TEST(derived_id("http://e.com/a", "A", "") == derived_id("http://e.com/a", "A", "other"));
  BOOST_TEST(derived_id("http://e.com/a", "A", "") != derived_id("http://e.com/a", "B", ""));
  BOOST_TEST(derived_id("", "", "x") != derived_id("", "", "y"));
  // FNV-1a/64 of "\n\n" (empty link, title and fallback): a value other tools may recompute.
  BOOST_TEST(derived_id("", "", "") == "urn:winnow:08547e07b5084555");
}

BOOST_AUTO_TEST_CASE(counts_parse_or_refuse) {
  BOOST_TEST(parse_count(" 42 ") == 42);
  BOOST_TEST(parse_count("") == -1);
  BOOST_TEST(parse_count("-1") == -1);
  BOOST_TEST(parse_count("12a") == -1);
  BOOST_TEST(parse_count("99999999999999999999") == -1);
}

BOOST_AUTO_TEST_CASE(base64_decodes_with_or_without_padding_and_whitespace) {
  BOOST_TEST(decode_base64("PHA+SGk8L3A+").value() == "<p>Hi</p>");
  BOOST_TEST(decode_base64("SGVs\n bG8=").value() == "Hello");
  BOOST_TEST(decode_base64("SGVsbG8").value() == "Hello");
  BOOST_TEST(decode_base64("SGk").value() == "Hi");
  BOOST_TEST(decode_base64("").value() == "");
  BOOST_TEST(!decode_base64("not base64!"));
  BOOST_TEST(!decode_base64("SGk=SGk="));
  BOOST_TEST(!decode_base64("S"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::feeds
