#include "daemon/fetch/http_headers.h"

#include <boost/test/unit_test.hpp>

#include <initializer_list>
#include <string>
#include <string_view>

namespace winnow::fetch {
namespace {

// 1994-11-06T08:49:37Z: RFC 9110's example date.
constexpr base::UnixSeconds kExampleDate = 784111777;

// The headers after curl passed `lines`, each with its CRLF added.
ResponseHeaders read(std::initializer_list<std::string_view> lines, base::UnixSeconds now = kExampleDate) {
  ResponseHeaders h;
  for (std::string_view line : lines) read_header_line(std::string(line) + "\r\n", now, h);
  return h;
}

BOOST_AUTO_TEST_SUITE(http_headers)

BOOST_AUTO_TEST_CASE(names_match_in_any_case_and_values_lose_their_blanks) {
  auto h = read({"HTTP/1.1 200 OK", "CONTENT-type:   text/html; charset=utf-8 \t", "etag :\"abc\"",
                 "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT", "cache-control: max-age=60", "X-Other: y"});
  BOOST_TEST(h.content_type == "text/html; charset=utf-8");
  BOOST_TEST(h.etag == "\"abc\"");
  BOOST_TEST(h.last_modified == "Sun, 06 Nov 1994 08:49:37 GMT");
  BOOST_TEST(h.max_age_s.value_or(-1) == 60);
  BOOST_TEST(h.location.empty());
  BOOST_TEST(!h.retry_after_s);
}

BOOST_AUTO_TEST_CASE(the_final_head_is_kept_verbatim_without_earlier_responses_or_trailers) {
  auto h = read({"HTTP/1.1 100 Continue", "", "HTTP/1.1 203 Whatever Reason", "X-Custom:  1 ",
                 "set-cookie: a=b; Path=/", "", "X-Trailer: t", ""});
  BOOST_TEST(h.head_complete);
  BOOST_TEST(h.head ==
             "HTTP/1.1 203 Whatever Reason\r\nX-Custom:  1 \r\nset-cookie: a=b; Path=/\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(a_head_over_the_limit_is_dropped_whole) {
  ResponseHeaders h;
  read_header_line("HTTP/1.1 200 OK\r\n", kExampleDate, h);
  const std::string big = "X-Big: " + std::string(kMaxHeadBytes, 'a') + "\r\n";
  read_header_line(big, kExampleDate, h);
  read_header_line("Content-Type: text/html\r\n", kExampleDate, h);
  read_header_line("\r\n", kExampleDate, h);
  BOOST_TEST(h.head.empty());
  BOOST_TEST(!h.head_complete);
  BOOST_TEST(h.content_type == "text/html");  // the fields the fetcher uses are still read
}

BOOST_AUTO_TEST_CASE(a_status_line_starts_a_new_response) {
  auto h = read({"HTTP/1.1 100 Continue", "Content-Type: text/plain", "Retry-After: 5",
                 "http/2 200", "ETag: W/\"x\""});
  BOOST_TEST(h.content_type.empty());
  BOOST_TEST(!h.retry_after_s);
  BOOST_TEST(h.etag == "W/\"x\"");
}

BOOST_AUTO_TEST_CASE(folded_lines_and_the_blank_end_are_ignored) {
  auto h = read({"HTTP/1.1 200 OK", "Content-Type: text/html;", " charset=utf-8", "\tmore", ""});
  BOOST_TEST(h.content_type == "text/html;");
}

BOOST_AUTO_TEST_CASE(a_repeated_field_replaces_the_earlier_one) {
  auto h = read({"HTTP/1.1 301 Moved", "Location: /a", "Location: /b", "Cache-Control: max-age=10",
                 "Cache-Control: no-transform"});
  BOOST_TEST(h.location == "/b");
  BOOST_TEST(h.max_age_s.value_or(-1) == 10);  // a Cache-Control without max-age keeps it
}

BOOST_AUTO_TEST_CASE(retry_after_in_delay_seconds) {
  BOOST_TEST(parse_retry_after("120", kExampleDate).value_or(-1) == 120);
  BOOST_TEST(parse_retry_after("0", kExampleDate).value_or(-1) == 0);
  BOOST_TEST(!parse_retry_after("12a", kExampleDate));
  BOOST_TEST(!parse_retry_after("1.5", kExampleDate));
  BOOST_TEST(!parse_retry_after("", kExampleDate));
  BOOST_TEST(read({"HTTP/1.1 429 Too Many", "Retry-After:  120 "}).retry_after_s.value_or(-1) == 120);
}

BOOST_AUTO_TEST_CASE(retry_after_as_an_http_date_in_all_three_forms) {
  const base::UnixSeconds now = kExampleDate - 300;
  BOOST_TEST(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now).value_or(-1) == 300);   // IMF-fixdate
  BOOST_TEST(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now).value_or(-1) == 300);  // RFC 850
  BOOST_TEST(parse_retry_after("Sun Nov  6 08:49:37 1994", now).value_or(-1) == 300);        // asctime
  BOOST_TEST(read({"HTTP/1.1 503 Down", "retry-after: Sun, 06 Nov 1994 08:49:37 GMT"}, now)
                 .retry_after_s.value_or(-1) == 300);
}

BOOST_AUTO_TEST_CASE(retry_after_in_the_past_is_now_and_junk_is_nothing) {
  BOOST_TEST(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kExampleDate + 3600).value_or(-1) == 0);
  BOOST_TEST(!parse_retry_after("whenever", kExampleDate));
  BOOST_TEST(!parse_retry_after("-5", kExampleDate));
}

BOOST_AUTO_TEST_CASE(max_age_among_directives) {
  BOOST_TEST(parse_max_age("public, max-age=300").value_or(-1) == 300);
  BOOST_TEST(parse_max_age("Max-Age = \"42\" , private").value_or(-1) == 42);
  BOOST_TEST(parse_max_age("s-maxage=5, max-age=7").value_or(-1) == 7);
  BOOST_TEST(!parse_max_age("no-cache"));
  BOOST_TEST(!parse_max_age("max-age=soon"));
  BOOST_TEST(!parse_max_age("max-age=-1"));
  BOOST_TEST(!parse_max_age(""));
}

BOOST_AUTO_TEST_CASE(request_header_lines_cannot_smuggle_a_header) {
  BOOST_TEST(header_line("Accept", "text/html") == "Accept: text/html");
  BOOST_TEST(header_line("If-None-Match", std::string_view("\"a\"\r\nX-Evil: 1\0", 15)) ==
             "If-None-Match: \"a\"X-Evil: 1");
}

BOOST_AUTO_TEST_CASE(only_the_five_redirect_statuses_redirect) {
  for (long status : {301, 302, 303, 307, 308}) BOOST_TEST(is_redirect(status), status);
  for (long status : {200, 300, 304, 305, 306, 400}) BOOST_TEST(!is_redirect(status), status);
}

BOOST_AUTO_TEST_CASE(location_relative_and_absolute) {
  BOOST_TEST(resolve_location("http://a.example/b/c?q", "d") == "http://a.example/b/d");
  BOOST_TEST(resolve_location("http://a.example/b/c", "/x?y=1") == "http://a.example/x?y=1");
  BOOST_TEST(resolve_location("http://a.example/b/c", "//cdn.example/x") == "http://cdn.example/x");
  BOOST_TEST(resolve_location("http://a.example/b/c", "https://other.example/p") == "https://other.example/p");
}

BOOST_AUTO_TEST_CASE(location_loses_its_fragment_and_gets_raw_bytes_encoded) {
  BOOST_TEST(resolve_location("http://a.example/", "/p#top") == "http://a.example/p");
  BOOST_TEST(resolve_location("http://a.example/", "/a b") == "http://a.example/a%20b");
  BOOST_TEST(resolve_location("http://a.example/", "/caf\xC3\xA9") == "http://a.example/caf%C3%A9");
}

BOOST_AUTO_TEST_CASE(location_that_is_no_url_is_empty) {
  BOOST_TEST(resolve_location("not a url", "/x") == "");
  BOOST_TEST(resolve_location("http://a.example/", "http://[broken/") == "");
  BOOST_TEST(resolve_location("http://a.example/", "/100%") == "");
  BOOST_TEST(resolve_location("http://a.example/", "https://b.example:443x/") == "");  // no port, no path
}

BOOST_AUTO_TEST_CASE(loop_keys_normalize_one_resource) {
  BOOST_TEST(loop_key("HTTP://A.Example/a/../b#x") == loop_key("http://a.example/b"));
  BOOST_TEST(loop_key("http://a.example/%7Euser") == loop_key("http://a.example/~user"));
  BOOST_TEST(loop_key("http://a.example/a") != loop_key("http://a.example/b"));
  BOOST_TEST(loop_key("not a url") == "not a url");
}

BOOST_AUTO_TEST_CASE(schemes_the_fetcher_takes) {
  BOOST_TEST(scheme_of("http://a.example/") == Scheme::http);
  BOOST_TEST(scheme_of("HTTPS://a.example/x") == Scheme::http);
  BOOST_TEST(scheme_of("file:///tmp/feed.xml") == Scheme::file);
  BOOST_TEST(scheme_of("http:///nohost") == Scheme::bad);
  BOOST_TEST(scheme_of("http:relative") == Scheme::bad);
  BOOST_TEST(scheme_of("ftp://a.example/") == Scheme::bad);
  BOOST_TEST(scheme_of("/just/a/path") == Scheme::bad);
}

BOOST_AUTO_TEST_CASE(curl_codes_map_to_what_failed) {
  BOOST_TEST(map_curl_error(CURLE_OK) == FetchErrc::ok);
  BOOST_TEST(map_curl_error(CURLE_URL_MALFORMAT) == FetchErrc::bad_url);
  BOOST_TEST(map_curl_error(CURLE_UNSUPPORTED_PROTOCOL) == FetchErrc::bad_url);
  BOOST_TEST(map_curl_error(CURLE_COULDNT_RESOLVE_HOST) == FetchErrc::dns);
  BOOST_TEST(map_curl_error(CURLE_COULDNT_CONNECT) == FetchErrc::connect);
  BOOST_TEST(map_curl_error(CURLE_OPERATION_TIMEDOUT) == FetchErrc::timeout);
  BOOST_TEST(map_curl_error(CURLE_RECV_ERROR) == FetchErrc::reset);
  BOOST_TEST(map_curl_error(CURLE_HTTP2_STREAM) == FetchErrc::reset);
  BOOST_TEST(map_curl_error(CURLE_PEER_FAILED_VERIFICATION) == FetchErrc::tls);
  BOOST_TEST(map_curl_error(CURLE_SSL_CONNECT_ERROR) == FetchErrc::tls);
  BOOST_TEST(map_curl_error(CURLE_FILESIZE_EXCEEDED) == FetchErrc::too_large);
  BOOST_TEST(map_curl_error(CURLE_BAD_CONTENT_ENCODING) == FetchErrc::bad_encoding);
  BOOST_TEST(map_curl_error(CURLE_FILE_COULDNT_READ_FILE) == FetchErrc::file_error);
  BOOST_TEST(map_curl_error(CURLE_TOO_MANY_REDIRECTS) == FetchErrc::too_many_redirects);
  BOOST_TEST(map_curl_error(CURLE_OUT_OF_MEMORY) == FetchErrc::other);
}

BOOST_AUTO_TEST_CASE(a_refused_body_is_too_large_other_write_errors_are_not) {
  BOOST_TEST(map_curl_error(CURLE_WRITE_ERROR, true) == FetchErrc::too_large);
  BOOST_TEST(map_curl_error(CURLE_WRITE_ERROR, false) == FetchErrc::other);
  BOOST_TEST(map_curl_error(CURLE_RECV_ERROR, true) == FetchErrc::reset);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::fetch
