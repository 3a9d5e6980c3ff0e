// parsers/charset/sniff.h: what can be no text page, by type, signature or binary bytes.
#include "parsers/charset/sniff.h"

#include <boost/test/unit_test.hpp>

#include <string>

namespace winnow::parsers {
namespace {

using namespace std::string_literals;

const std::string kHtml = "<!doctype html><html><head><title>T</title></head><body><p>Text.</p></body></html>";

BOOST_AUTO_TEST_SUITE(sniff)

BOOST_AUTO_TEST_CASE(binary_content_types_are_refused_whatever_the_bytes) {
  BOOST_TEST(binary_body("application/pdf", kHtml).value_or("") == "content type application/pdf");
  BOOST_TEST(binary_body("Image/PNG; foo=bar", kHtml).value_or("") == "content type image/png");
  for (const char* type : {"audio/mpeg", "video/mp4", "font/woff2", "application/zip", "application/x-gzip",
                           "application/vnd.openxmlformats-officedocument.wordprocessingml.document"})
    BOOST_TEST(binary_body(type, kHtml).has_value(), type);
  // SVG is XML text; octet-stream and no type at all are left to the bytes.
  BOOST_TEST(!binary_body("image/svg+xml", kHtml));
  BOOST_TEST(!binary_body("application/octet-stream", kHtml));
  BOOST_TEST(!binary_body("", kHtml));
}

BOOST_AUTO_TEST_CASE(signatures_win_over_a_text_type_that_lies) {
  BOOST_TEST(binary_body("text/html", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj").value_or("") == "PDF signature");
  BOOST_TEST(binary_body("text/html", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR"s).value_or("") == "PNG signature");
  BOOST_TEST(binary_body("text/html", "GIF89a\x01\x00").value_or("") == "GIF signature");
  BOOST_TEST(binary_body("text/html", "\xff\xd8\xff\xe0\0\x10JFIF"s).value_or("") == "JPEG signature");
  BOOST_TEST(binary_body("text/html", "PK\x03\x04\x14\0\0\0"s).value_or("") == "ZIP signature");
  BOOST_TEST(binary_body("text/html", "\x1f\x8b\x08\0\0\0\0\0"s).value_or("") == "gzip signature");
  BOOST_TEST(binary_body("text/html", "RIFF\x24\0\0\0WAVEfmt "s).has_value());
  BOOST_TEST(binary_body("text/html", "ID3\x04\0\0\0\0\0\0"s).value_or("") == "MP3 signature");
  BOOST_TEST(binary_body("application/octet-stream", "\0\0\0\x20" "ftypisom"s).value_or("") == "MP4 signature");
}

BOOST_AUTO_TEST_CASE(binary_bytes_early_in_a_text_body_refuse_it) {
  BOOST_TEST(binary_body("text/html", "<html>\0\0\0garbage"s).value_or("") == "binary data bytes");
  BOOST_TEST(binary_body("text/html", "<p>" + std::string(2000, 'x') + "\x01").has_value() == false);
  // Tab, newlines, form feed and ESC (ISO-2022-JP) are text.
  BOOST_TEST(!binary_body("text/html; charset=iso-2022-jp", "<p>a\tb\r\n\f\x1b$B%F%9%H\x1b(B</p>"));
  // UTF-16, with a BOM or declared, is full of NULs and still text.
  BOOST_TEST(!binary_body("text/html", "\xff\xfe<\0h\0t\0m\0l\0>\0"s));
  BOOST_TEST(!binary_body("text/html; charset=\"UTF-16LE\"", "<\0h\0t\0m\0l\0>\0"s));
  BOOST_TEST(!binary_body("text/html; charset=utf-8", kHtml));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::parsers
