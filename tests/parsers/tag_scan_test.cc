// parsers/html/tag_scan.h: attributes as the HTML tokenizer reads them.
#include "parsers/html/tag_scan.h"

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

namespace winnow::parsers {
namespace {

struct Scanned {
  std::string attributes;  // "name=value" or "name" (no '='), one a line
  std::size_t end = 0;
  bool closed = false;
  bool self_closing = false;
};

// Reads the attributes of `tag` (written from just after its name).
Scanned scan(std::string_view tag) {
  Scanned out;
  TagAttributes attributes(tag, 0);
  for (TagAttribute attribute; attributes.next(attribute);) {
    out.attributes.append(attribute.name);
    if (attribute.has_value) out.attributes.append("=").append(attribute.value);
    out.attributes += '\n';
  }
  out.end = attributes.end();
  out.closed = attributes.closed();
  out.self_closing = attributes.self_closing();
  return out;
}

BOOST_AUTO_TEST_SUITE(tag_scan)

BOOST_AUTO_TEST_CASE(values_quoted_unquoted_missing_and_spaced) {
  const Scanned tag = scan(R"( href="a b>c" title='it"s' Class=x id = y checked data-x=>rest)");
  BOOST_TEST(tag.attributes == "href=a b>c\ntitle=it\"s\nClass=x\nid=y\nchecked\ndata-x=\n");
  BOOST_TEST(tag.closed);
  BOOST_TEST(tag.end == std::string_view(R"( href="a b>c" title='it"s' Class=x id = y checked data-x=>)").size());
}

BOOST_AUTO_TEST_CASE(only_a_quote_right_after_the_equals_sign_opens_a_value) {
  // As in the tokenizer: the quotes of alt=Don't and b"c belong to the value and the name.
  BOOST_TEST(scan(" alt=Don't b\"c=d>'").attributes == "alt=Don't\nb\"c=d\n");
  BOOST_TEST(scan(" alt=Don't b\"c=d>'").end == 17u);
}

BOOST_AUTO_TEST_CASE(a_name_may_start_with_an_equals_sign) {
  BOOST_TEST(scan(" =x>").attributes == "=x\n");
  BOOST_TEST(scan(" ==y>").attributes == "==y\n");  // name "=", value "y"
}

BOOST_AUTO_TEST_CASE(slashes_between_attributes_are_skipped) {
  BOOST_TEST(scan("/a/b=c/>").attributes == "a\nb=c/\n");  // the value takes the slash
  BOOST_TEST(!scan("/a/b=c/>").self_closing);
  BOOST_TEST(scan(" a/ b>").attributes == "a\nb\n");
}

BOOST_AUTO_TEST_CASE(self_closing_only_with_the_slash_just_before_the_end) {
  BOOST_TEST(scan("/>").self_closing);
  BOOST_TEST(scan(" x=\"y\"/>").self_closing);
  BOOST_TEST(scan(" //>").self_closing);
  BOOST_TEST(!scan(" / >").self_closing);
  BOOST_TEST(!scan(" href=/x/>").self_closing);
  BOOST_TEST(!scan(" x=\"/>").self_closing);  // inside an unclosed value
}

BOOST_AUTO_TEST_CASE(a_tag_cut_off_by_the_end_of_input) {
  const Scanned quoted = scan(" a=1 href=\"x>");
  BOOST_TEST(quoted.attributes == "a=1\nhref=x>\n");  // the last one is still read
  BOOST_TEST(!quoted.closed);
  BOOST_TEST(quoted.end == 13u);
  BOOST_TEST(!scan(" a").closed);
  BOOST_TEST(!scan(" a= ").closed);
  BOOST_TEST(!scan("").closed);
}

BOOST_AUTO_TEST_CASE(whitespace_is_html_whitespace) {
  BOOST_TEST(scan("\ta\n=\fb\rc>").attributes == "a=b\nc\n");
  BOOST_TEST(scan(" a=b\vc>").attributes == "a=b\vc\n");  // \v is no separator in HTML
}

BOOST_AUTO_TEST_CASE(skip_to_end_reads_past_the_tag) {
  TagAttributes attributes(R"(<a title=">" x>text)", 2);
  BOOST_TEST(attributes.skip_to_end() == 15u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::parsers
