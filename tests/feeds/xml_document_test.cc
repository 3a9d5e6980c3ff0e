#include "feeds/xml/document.h"

#include <boost/test/unit_test.hpp>

namespace winnow::feeds::xml {
namespace {

BOOST_AUTO_TEST_SUITE(xml_document)

BOOST_AUTO_TEST_CASE(well_formed_document_has_no_error) {
  auto doc = Document::parse("<a xmlns=\"urn:x\"><b k=\"v\">t</b></a>", "", 1000);
  BOOST_TEST(doc.well_formed());
  auto root = doc.root();
  BOOST_TEST_REQUIRE(root.has_value());
  BOOST_TEST(root->is("urn:x", "a"));
  auto b = root->child("urn:x", "b");
  BOOST_TEST_REQUIRE(b.has_value());
  BOOST_TEST(b->attribute("k").value_or("") == "v");
  BOOST_TEST(!b->attribute("missing").has_value());
  BOOST_TEST(b->text() == "t");
  BOOST_TEST(b->parent()->local_name() == "a");
}

BOOST_AUTO_TEST_CASE(recover_mode_keeps_the_first_error) {
  auto doc = Document::parse("<a><b>unclosed</a>", "", 1000);
  BOOST_TEST(!doc.well_formed());
  BOOST_TEST(doc.error().find("line 1") != std::string::npos, doc.error());
  BOOST_TEST(doc.root().has_value());
}

BOOST_AUTO_TEST_CASE(internal_entities_expand_within_the_budget) {
  const std::string dtd = "<!DOCTYPE a [<!ENTITY e \"0123456789\">]>";
  auto small = Document::parse(dtd + "<a>&e;&e;</a>", "", 100);
  BOOST_TEST(small.root()->text() == "01234567890123456789");
  BOOST_TEST(!small.entity_budget_exceeded());
  auto over = Document::parse(dtd + "<a>&e;&e;&e;</a>", "", 25);
  BOOST_TEST(over.root()->text() == "01234567890123456789");
  BOOST_TEST(over.entity_budget_exceeded());
}

BOOST_AUTO_TEST_CASE(inner_markup_serializes_children_as_html) {
  auto doc = Document::parse(
      "<c><x:p xmlns:x=\"http://www.w3.org/1999/xhtml\" class=\"a&amp;b\">1 &lt; 2<x:br/><!-- no --><?pi x?></x:p></c>", "",
      1000);
  BOOST_TEST(doc.root()->inner_markup() == "<p class=\"a&amp;b\">1 &lt; 2<br></p>");
}

BOOST_AUTO_TEST_CASE(html_named_entities_read_as_characters_and_flag_the_document) {
  auto doc = Document::parse("<a>x&nbsp;y&eacute;</a>", "", 1000);
  BOOST_TEST(doc.root()->text() == "x\u00a0y\u00e9");
  BOOST_TEST(!doc.well_formed());
  BOOST_TEST(doc.error().find("&nbsp;") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(http_charset_overrides_the_declaration_but_not_a_bom) {
  auto header = Document::parse("<?xml version=\"1.0\" encoding=\"utf-8\"?><a>\xE9</a>", "windows-1252", 1000);
  BOOST_TEST(header.root()->text() == "\u00e9");
  BOOST_TEST(header.well_formed());
  auto bom = Document::parse("\xEF\xBB\xBF<a>\xC3\xA9</a>", "windows-1252", 1000);
  BOOST_TEST(bom.root()->text() == "\u00e9");
}

BOOST_AUTO_TEST_CASE(nothing_parsable_has_no_root) {
  BOOST_TEST(!Document::parse("", "", 10).root().has_value());
  BOOST_TEST(!Document::parse("just text", "", 10).root().has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::feeds::xml
