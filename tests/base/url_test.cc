#include "base/url.h"

#include <boost/test/unit_test.hpp>

namespace winnow::base {
namespace {

BOOST_AUTO_TEST_SUITE(url)

BOOST_AUTO_TEST_CASE(resolve_url_follows_rfc3986) {
  const std::string base = "http://a/b/c/d;p?q";
  BOOST_TEST(resolve_url(base, "g") == "http://a/b/c/g");
  BOOST_TEST(resolve_url(base, "./g") == "http://a/b/c/g");
  BOOST_TEST(resolve_url(base, "g/") == "http://a/b/c/g/");
  BOOST_TEST(resolve_url(base, "/g") == "http://a/g");
  BOOST_TEST(resolve_url(base, "//g") == "http://g");
  BOOST_TEST(resolve_url(base, "?y") == "http://a/b/c/d;p?y");
  BOOST_TEST(resolve_url(base, "#s") == "http://a/b/c/d;p?q#s");
  BOOST_TEST(resolve_url(base, "../g") == "http://a/b/g");
  BOOST_TEST(resolve_url(base, "../../g") == "http://a/g");
  BOOST_TEST(resolve_url(base, "https://other/x") == "https://other/x");
}

// The rest of RFC 3986 §5.4's examples, normal and abnormal (the strict reading of "http:g").
BOOST_AUTO_TEST_CASE(resolve_url_follows_rfc3986_examples) {
  const std::string base = "http://a/b/c/d;p?q";
  BOOST_TEST(resolve_url(base, "g:h") == "g:h");
  BOOST_TEST(resolve_url(base, ".") == "http://a/b/c/");
  BOOST_TEST(resolve_url(base, "./") == "http://a/b/c/");
  BOOST_TEST(resolve_url(base, "..") == "http://a/b/");
  BOOST_TEST(resolve_url(base, "../") == "http://a/b/");
  BOOST_TEST(resolve_url(base, "../..") == "http://a/");
  BOOST_TEST(resolve_url(base, "../../") == "http://a/");
  BOOST_TEST(resolve_url(base, "g?y#s") == "http://a/b/c/g?y#s");
  BOOST_TEST(resolve_url(base, ";x") == "http://a/b/c/;x");
  BOOST_TEST(resolve_url(base, "g;x") == "http://a/b/c/g;x");
  BOOST_TEST(resolve_url(base, "g;x?y#s") == "http://a/b/c/g;x?y#s");
  BOOST_TEST(resolve_url(base, "../../../g") == "http://a/g");
  BOOST_TEST(resolve_url(base, "../../../../g") == "http://a/g");
  BOOST_TEST(resolve_url(base, "/./g") == "http://a/g");
  BOOST_TEST(resolve_url(base, "/../g") == "http://a/g");
  BOOST_TEST(resolve_url(base, "g.") == "http://a/b/c/g.");
  BOOST_TEST(resolve_url(base, ".g") == "http://a/b/c/.g");
  BOOST_TEST(resolve_url(base, "g..") == "http://a/b/c/g..");
  BOOST_TEST(resolve_url(base, "..g") == "http://a/b/c/..g");
  BOOST_TEST(resolve_url(base, "./../g") == "http://a/b/g");
  BOOST_TEST(resolve_url(base, "./g/.") == "http://a/b/c/g/");
  BOOST_TEST(resolve_url(base, "g/./h") == "http://a/b/c/g/h");
  BOOST_TEST(resolve_url(base, "g/../h") == "http://a/b/c/h");
  BOOST_TEST(resolve_url(base, "g;x=1/./y") == "http://a/b/c/g;x=1/y");
  BOOST_TEST(resolve_url(base, "g;x=1/../y") == "http://a/b/c/y");
  BOOST_TEST(resolve_url(base, "g?y/./x") == "http://a/b/c/g?y/./x");
  BOOST_TEST(resolve_url(base, "g#s/../x") == "http://a/b/c/g#s/../x");
  BOOST_TEST(resolve_url(base, "http:g") == "http:g");
}

BOOST_AUTO_TEST_CASE(relative_references_resolve) {
  BOOST_TEST(resolve_url("https://example.com/a/b.html", "../c.jpg") == "https://example.com/c.jpg");
  BOOST_TEST(resolve_url("https://example.com/a/", "//cdn.example.com/x") == "https://cdn.example.com/x");
}

BOOST_AUTO_TEST_CASE(whitespace_around_either_is_dropped) {
  BOOST_TEST(resolve_url("http://a/", "  /x  ") == "http://a/x");
  BOOST_TEST(resolve_url("http://a/", "\n\t/x\r\n") == "http://a/x");
  BOOST_TEST(resolve_url(" http://a/b/\n", "c") == "http://a/b/c");
  BOOST_TEST(resolve_url("http://a/", "") == "");
  BOOST_TEST(resolve_url("http://a/", " \n ") == "");
}

BOOST_AUTO_TEST_CASE(without_an_absolute_base_the_reference_stays) {
  BOOST_TEST(resolve_url("", "/x") == "/x");
  BOOST_TEST(resolve_url("not a url", "/x") == "/x");
  BOOST_TEST(resolve_url("/relative/base", "x") == "x");
}

BOOST_AUTO_TEST_CASE(absolute_references_resolve_too) {
  BOOST_TEST(resolve_url("http://a/", "http://b/x/../y") == "http://b/y");  // RFC 3986 §5.2.2
  BOOST_TEST(resolve_url("not a url", "http://b/x") == "http://b/x");
}

// Was "has space" (feeds) or "" (pages) before the two resolvers became this one.
BOOST_AUTO_TEST_CASE(bad_references_are_encoded_as_browsers_do) {
  BOOST_TEST(resolve_url("http://a/", "has space") == "http://a/has%20space");
  BOOST_TEST(resolve_url("http://a/b/", "caf\xC3\xA9?q=\"x\"") == "http://a/b/caf%C3%A9?q=%22x%22");
  BOOST_TEST(resolve_url("http://a/", "https://de.example/wiki/\xC3\x84pfel") == "https://de.example/wiki/%C3%84pfel");
  BOOST_TEST(resolve_url("", "a b") == "a%20b");
}

BOOST_AUTO_TEST_CASE(what_is_still_no_reference_is_empty) {
  BOOST_TEST(resolve_url("http://a/", "http://[broken/") == "");
  BOOST_TEST(resolve_url("http://a/", "/100%") == "");
  BOOST_TEST(resolve_url("", "%zz") == "");
}

// Found by url_fuzz: Boost 1.81 reads "https://a.example:443x/" as host a.example, port 443
// and path "x/", so dropping the default port made it https://a.examplex/, another host.
BOOST_AUTO_TEST_CASE(a_path_glued_to_the_port_is_no_url) {
  BOOST_TEST(!parse_uri("https://a.example:443x/p"));
  BOOST_TEST(!parse_uri_reference("//a.example:80x"));
  BOOST_TEST(parse_uri("https://a.example:443/p").has_value());
  BOOST_TEST(parse_uri("https://a.example:443?q").has_value());
  BOOST_TEST(parse_uri("mailto:a@example.com").has_value());  // no authority: a rootless path is fine
  BOOST_TEST(resolve_url("http://a/", "https://b.example:443evil.example/") == "");
  BOOST_TEST(resolve_url("http://b.example:80x/", "/p") == "/p");  // a bad base resolves nothing
}

// Found by url_fuzz: Boost 1.81 kept the base's fragment for a reference that is a query
// alone; RFC 3986 §5.2.2 takes the fragment from the reference, always.
BOOST_AUTO_TEST_CASE(a_query_reference_takes_no_fragment_from_the_base) {
  BOOST_TEST(resolve_url("http://a/b?q#f", "?x") == "http://a/b?x");
  BOOST_TEST(resolve_url("http://a/b#f", "?") == "http://a/b?");
  BOOST_TEST(resolve_url("http://a/b?q#f", "?x#g") == "http://a/b?x#g");
  BOOST_TEST(resolve_url("http://a/b?q#f", "#g") == "http://a/b?q#g");
}

// Found by url_fuzz: Boost 1.81's resolve decoded %2F and %3A in paths, which names another
// resource on most servers and can even make a host out of a path.
BOOST_AUTO_TEST_CASE(escaped_slashes_and_colons_stay_escaped) {
  BOOST_TEST(resolve_url("http://a/b", "http://c/web/https%3A%2F%2Fx.com%2Fa") == "http://c/web/https%3A%2F%2Fx.com%2Fa");
  BOOST_TEST(resolve_url("http://a/b", "c/x%2Fy/../z") == "http://a/c/z");
  BOOST_TEST(resolve_url("http://a/b", "http:/%2fz") == "http:/%2fz");
  BOOST_TEST(resolve_url("http://a/b/", "..//c") == "http://a//c");
  BOOST_TEST(resolve_url("x:/a/b", "..//c") == "x:/.//c");  // RFC 3986 §5.3: no host out of a path
  BOOST_TEST(resolve_url("mailto:a@b", "c") == "mailto:c");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::base
