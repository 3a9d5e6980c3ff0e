// parsers/charset/prescan.h, through decode_html: the encoding a page declares in a <meta> or
// an XML declaration, found as browsers find it.
#include <boost/test/unit_test.hpp>

#include <string>

#include "parsers/charset/decode.h"

namespace winnow::parsers {
namespace {

BOOST_AUTO_TEST_SUITE(charset_prescan)

BOOST_AUTO_TEST_CASE(meta_charset_in_first_kilobytes) {
  std::string html = "<!DOCTYPE html><html><head><title>t</title><script>";
  html.append(3000, 'x');  // a long inline script before the <meta>, as real pages have
  html += "</script><meta charset=\"windows-1251\"></head>";
  html += "<body><p>\xCF\xF0\xE8\xE2\xE5\xF2</p></body></html>";
  const auto page = decode_html(html, "");
  BOOST_TEST(page.charset == "windows-1251");
  BOOST_TEST(to_string(page.source) == "meta");
  BOOST_TEST(page.utf8.find("<p>Привет</p>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(meta_in_body_after_first_kilobyte_is_ignored) {
  std::string html = "<html><head><title>t</title></head><body><p>caf\xE9</p>";
  html.append(2000, ' ');
  html += "<meta charset=windows-1251></body></html>";
  const auto page = decode_html(html, "");
  BOOST_TEST(page.charset == "windows-1252");
  BOOST_TEST(page.utf8.find("café") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(http_equiv_content_type) {
  const auto page = decode_html(
      "<html><head><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; Charset=KOI8-R\"></head>"
      "<body>\xF0\xD2\xC9\xD7\xC5\xD4</body></html>",
      "");
  BOOST_TEST(page.charset == "koi8-r");
  BOOST_TEST(to_string(page.source) == "meta");
  BOOST_TEST(page.utf8.find("<body>Привет</body>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(meta_content_without_http_equiv_is_ignored) {
  // The HTML prescan wants the pragma with a content attribute; a bare content= is some other
  // <meta>. The page is then windows-1252 by detection or fallback.
  const auto page = decode_html("<meta name=\"x\" content=\"text/html; charset=koi8-r\">"
                                "<p>caf\xE9 cr\xE8me</p>",
      "");
  BOOST_TEST(page.charset == "windows-1252");
  BOOST_TEST(to_string(page.source) != "meta");
}

BOOST_AUTO_TEST_CASE(meta_attributes_unquoted_single_quoted_and_spaced) {
  for (const char* meta : {"<meta charset=windows-1251>", "<meta charset='windows-1251'/>",
                           "<meta  charset = \" windows-1251 \" >", "<meta\tdata-x=1 CharSet=CP1251>",
                           "<meta http-equiv=content-type content='text/html;charset=\"windows-1251\"'>"}) {
    const auto page = decode_html(std::string(meta) + "<p>\xCF\xF0\xE8\xE2\xE5\xF2</p>", "");
    BOOST_TEST(page.charset == "windows-1251", meta);
    BOOST_TEST(to_string(page.source) == "meta", meta);
  }
}

BOOST_AUTO_TEST_CASE(meta_inside_comment_is_ignored) {
  const auto page = decode_html("<!-- <meta charset=windows-1251> --><p>caf\xE9 cr\xE8me</p>", "");
  BOOST_TEST(page.charset == "windows-1252");
  BOOST_TEST(page.utf8 == "<!-- <meta charset=windows-1251> --><p>café crème</p>");
  // "<!-->" is a whole comment: the <meta> after it counts.
  const auto after_empty_comment =
      decode_html("<!--><meta charset=windows-1251><p>\xCF\xF0\xE8\xE2\xE5\xF2</p>",
      "");
  BOOST_TEST(after_empty_comment.charset == "windows-1251");
}

BOOST_AUTO_TEST_CASE(meta_inside_attribute_value_is_ignored) {
  const auto page = decode_html("<div title=\"<meta charset=windows-1251>\"><p>caf\xE9 cr\xE8me</p></div>",
      "");
  BOOST_TEST(page.charset == "windows-1252");
}

BOOST_AUTO_TEST_CASE(prescan_reads_tag_names_up_to_whitespace_or_the_end) {
  // Unlike the tokenizer, for which "<a/b='>'<meta ...>" is one tag: the prescan's name of a
  // tag runs on over a '/', so the first '>' ends it and the <meta> counts.
  const auto page = decode_html("<a/b='>'<meta charset=windows-1251><p>\xCF\xF0\xE8\xE2\xE5\xF2</p>", "");
  BOOST_TEST(page.charset == "windows-1251");
  BOOST_TEST(to_string(page.source) == "meta");
}

BOOST_AUTO_TEST_CASE(meta_utf16_means_utf8) {
  const auto page = decode_html("<meta charset=utf-16><p>caf\xC3\xA9</p>", "");
  BOOST_TEST(page.charset == "utf-8");
  BOOST_TEST(to_string(page.source) == "meta");
  BOOST_TEST(page.utf8 == "<meta charset=utf-16><p>café</p>");
}

BOOST_AUTO_TEST_CASE(meta_x_user_defined_means_windows_1252) {
  const auto page = decode_html("<meta charset=x-user-defined><p>caf\xE9</p>", "");
  BOOST_TEST(page.charset == "windows-1252");
  BOOST_TEST(page.utf8 == "<meta charset=x-user-defined><p>café</p>");
}

BOOST_AUTO_TEST_CASE(xml_declaration_encoding) {
  const auto page = decode_html("<?xml version=\"1.0\" encoding='ISO-8859-2'?>"
                                "<html><p>\xA3\xF3" "d\xBC</p></html>",
      "");
  BOOST_TEST(page.charset == "iso-8859-2");
  BOOST_TEST(to_string(page.source) == "meta");
  BOOST_TEST(page.utf8.find("<p>Łódź</p>") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::parsers
