#include "daemon/archive/warc_http.h"

#include <boost/test/unit_test.hpp>

#include <string>

namespace winnow::archive {
namespace {

BOOST_AUTO_TEST_SUITE(warc_http)

BOOST_AUTO_TEST_CASE(a_head_that_fits_the_stored_body_stays_byte_for_byte) {
  const std::string head =
      "HTTP/1.1 203 Quite  Odd\r\nX-Custom:  1 \r\nset-cookie: a=b; Path=/\r\nSet-Cookie: c=d\r\n"
      "Content-Encoding: identity\r\nContent-Length: 5\r\n\r\n";
  const auto out = warc_http_head(head, "http://a.example/", 5).value();
  BOOST_TEST(out.head == head);
  BOOST_TEST(out.protocol == "");
  BOOST_TEST(!out.masked);
}

BOOST_AUTO_TEST_CASE(no_length_and_no_encoding_adds_nothing) {
  const std::string head = "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n";
  BOOST_TEST(warc_http_head(head, "http://a.example/", 1234).value().head == head);
}

BOOST_AUTO_TEST_CASE(framing_of_the_wire_form_is_masked_and_the_stored_length_added) {
  const auto out = warc_http_head(
      "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\ncontent-encoding: gzip\r\nContent-Length: 31\r\n"
      "Transfer-Encoding: chunked\r\nX-After: y\r\n\r\n",
      "http://a.example/", 100);
  BOOST_TEST_REQUIRE(out.has_value());
  BOOST_TEST(out->head ==
             "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Crawler-content-encoding: gzip\r\n"
             "X-Crawler-Content-Length: 31\r\nX-Crawler-Transfer-Encoding: chunked\r\nX-After: y\r\n"
             "Content-Length: 100\r\n\r\n");
  BOOST_TEST(out->masked);
}

BOOST_AUTO_TEST_CASE(a_length_that_still_fits_is_kept_once) {
  const auto out = warc_http_head("HTTP/1.1 200 OK\r\nContent-Length: 9\r\nContent-Encoding: br\r\n\r\n",
                                  "http://a.example/", 9);
  BOOST_TEST(out.value().head ==
             "HTTP/1.1 200 OK\r\nContent-Length: 9\r\nX-Crawler-Content-Encoding: br\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(http2_becomes_http11_without_a_reason_and_names_its_protocol) {
  const auto tls = warc_http_head("HTTP/2 404 \r\ncontent-type: text/html\r\n\r\n", "https://a.example/", 3);
  BOOST_TEST(tls.value().head == "HTTP/1.1 404 \r\ncontent-type: text/html\r\n\r\n");
  BOOST_TEST(tls.value().protocol == "h2");
  BOOST_TEST(warc_http_head("HTTP/2 200\r\n\r\n", "http://a.example/", 0).value().protocol == "h2c");
  const auto h3 = warc_http_head("HTTP/3 200 \r\n\r\n", "https://a.example/", 0);
  BOOST_TEST(h3.value().head == "HTTP/1.1 200 \r\n\r\n");
  BOOST_TEST(h3.value().protocol == "h3");
}

BOOST_AUTO_TEST_CASE(bare_line_feeds_are_kept_and_the_head_still_ends) {
  const std::string head = "HTTP/1.1 200 OK\nX-A: 1\n\n";
  BOOST_TEST(warc_http_head(head, "http://a.example/", 0).value().head == "HTTP/1.1 200 OK\nX-A: 1\n\r\n");
}

BOOST_AUTO_TEST_CASE(anything_but_a_whole_http_head_is_none) {
  BOOST_TEST(!warc_http_head("", "http://a.example/", 0));
  BOOST_TEST(!warc_http_head("HTTP/1.1 200 OK\r\nX-A: 1\r\n", "http://a.example/", 0));  // no blank line
  BOOST_TEST(!warc_http_head("HTTP/1.1 2x0 OK\r\n\r\n", "http://a.example/", 0));
  BOOST_TEST(!warc_http_head("HTTP/1.1 2000\r\n\r\n", "http://a.example/", 0));
  BOOST_TEST(!warc_http_head("ICY 200 OK\r\n\r\n", "http://a.example/", 0));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::archive
