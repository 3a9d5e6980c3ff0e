#include "daemon/fetch/robots.h"

#include <boost/test/unit_test.hpp>

#include <string>

namespace winnow::fetch {
namespace {

RobotsRules rules(std::string_view body) { return RobotsRules::parse(body, "winnow"); }

BOOST_AUTO_TEST_SUITE(robots)

BOOST_AUTO_TEST_CASE(empty_file_allows_everything) {
  auto r = rules("");
  BOOST_TEST(r.allowed("/"));
  BOOST_TEST(r.allowed("/private/x"));
  BOOST_TEST(!r.crawl_delay_s());
}

BOOST_AUTO_TEST_CASE(allow_all_and_disallow_all) {
  BOOST_TEST(RobotsRules::allow_all().allowed("/anything"));
  BOOST_TEST(!RobotsRules::disallow_all().allowed("/anything"));
  BOOST_TEST(!RobotsRules::disallow_all().allowed("/"));
}

BOOST_AUTO_TEST_CASE(robots_txt_itself_is_always_allowed) {
  BOOST_TEST(rules("User-agent: *\nDisallow: /\n").allowed("/robots.txt"));
  BOOST_TEST(RobotsRules::disallow_all().allowed("/robots.txt"));
}

BOOST_AUTO_TEST_CASE(star_group_applies_when_no_group_names_us) {
  auto r = rules("User-agent: *\nDisallow: /private\n\nUser-agent: otherbot\nDisallow: /\n");
  BOOST_TEST(!r.allowed("/private"));
  BOOST_TEST(!r.allowed("/private/a.html"));
  BOOST_TEST(!r.allowed("/privateer"));  // a plain prefix match
  BOOST_TEST(r.allowed("/public"));
  BOOST_TEST(r.allowed("/"));
}

BOOST_AUTO_TEST_CASE(our_group_replaces_the_star_group) {
  auto r = rules(
      "User-agent: *\nDisallow: /\n\n"
      "User-agent: winnow\nDisallow: /drafts/\n");
  BOOST_TEST(r.allowed("/news/1"));
  BOOST_TEST(!r.allowed("/drafts/1"));
}

BOOST_AUTO_TEST_CASE(agent_match_is_case_insensitive_and_ignores_version) {
  BOOST_TEST(!RobotsRules::parse("User-agent: WINNOW\nDisallow: /\n", "winnow").allowed("/a"));
  BOOST_TEST(!RobotsRules::parse("User-agent: Winnow/0.1\nDisallow: /\n", "winnow").allowed("/a"));
  BOOST_TEST(!RobotsRules::parse("User-agent: winnow\nDisallow: /\n", "Winnow").allowed("/a"));
  // Another product whose name merely starts with ours is someone else.
  BOOST_TEST(RobotsRules::parse("User-agent: winnowbot\nDisallow: /\n", "winnow").allowed("/a"));
}

BOOST_AUTO_TEST_CASE(several_user_agent_lines_share_one_group) {
  auto r = rules(
      "User-agent: googlebot\n"
      "User-agent: winnow\n"
      "User-agent: bingbot\n"
      "Disallow: /shared/\n"
      "\n"
      "User-agent: *\n"
      "Disallow: /\n");
  BOOST_TEST(!r.allowed("/shared/x"));
  BOOST_TEST(r.allowed("/other"));
  auto other = RobotsRules::parse(
      "User-agent: a\nUser-agent: b\nDisallow: /x\nUser-agent: c\nDisallow: /y\n", "b");
  BOOST_TEST(!other.allowed("/x"));
  BOOST_TEST(other.allowed("/y"));  // the group of "c" started after a rule
}

BOOST_AUTO_TEST_CASE(groups_naming_us_twice_are_merged) {
  auto r = rules(
      "User-agent: winnow\nDisallow: /a\n\n"
      "User-agent: *\nDisallow: /c\n\n"
      "User-agent: winnow\nDisallow: /b\n");
  BOOST_TEST(!r.allowed("/a"));
  BOOST_TEST(!r.allowed("/b"));
  BOOST_TEST(r.allowed("/c"));
}

BOOST_AUTO_TEST_CASE(longest_match_wins) {
  auto r = rules(
      "User-agent: *\n"
      "Disallow: /shop\n"
      "Allow: /shop/public\n"
      "Disallow: /shop/public/secret\n");
  BOOST_TEST(!r.allowed("/shop/cart"));
  BOOST_TEST(r.allowed("/shop/public/page"));
  BOOST_TEST(!r.allowed("/shop/public/secret/1"));
  // Order in the file does not matter.
  auto reversed = rules("User-agent: *\nAllow: /a/b\nDisallow: /a\n");
  BOOST_TEST(reversed.allowed("/a/b/c"));
  BOOST_TEST(!reversed.allowed("/a/c"));
}

BOOST_AUTO_TEST_CASE(allow_wins_a_tie) {
  auto r = rules("User-agent: *\nDisallow: /page\nAllow: /page\n");
  BOOST_TEST(r.allowed("/page"));
  auto wild = rules("User-agent: *\nDisallow: /*.php\nAllow: /in*hp\n");  // both 6 octets
  BOOST_TEST(wild.allowed("/index.php"));
}

BOOST_AUTO_TEST_CASE(star_matches_any_run_of_characters) {
  auto r = rules("User-agent: *\nDisallow: /*/private/\nDisallow: /*.pdf\nDisallow: /a*b*c\n");
  BOOST_TEST(!r.allowed("/users/private/1"));
  BOOST_TEST(!r.allowed("/x/y/private/"));
  BOOST_TEST(r.allowed("/private/"));
  BOOST_TEST(!r.allowed("/docs/file.pdf"));
  BOOST_TEST(!r.allowed("/docs/file.pdf?download=1"));  // no '$': a prefix match
  BOOST_TEST(!r.allowed("/a-b-c"));
  BOOST_TEST(!r.allowed("/abc"));
  BOOST_TEST(r.allowed("/acb"));
}

BOOST_AUTO_TEST_CASE(dollar_anchors_the_end) {
  auto r = rules("User-agent: *\nDisallow: /*.pdf$\nDisallow: /exact$\n");
  BOOST_TEST(!r.allowed("/file.pdf"));
  BOOST_TEST(r.allowed("/file.pdf?x=1"));
  BOOST_TEST(r.allowed("/file.pdf.html"));
  BOOST_TEST(!r.allowed("/exact"));
  BOOST_TEST(r.allowed("/exact/"));
  auto root = rules("User-agent: *\nDisallow: /\nAllow: /$\n");
  BOOST_TEST(root.allowed("/"));
  BOOST_TEST(!root.allowed("/page"));
}

BOOST_AUTO_TEST_CASE(query_is_part_of_the_path) {
  auto r = rules("User-agent: *\nDisallow: /search?q=\nDisallow: /*?sessionid\n");
  BOOST_TEST(!r.allowed("/search?q=cats"));
  BOOST_TEST(r.allowed("/search"));
  BOOST_TEST(!r.allowed("/page?sessionid=1"));
}

BOOST_AUTO_TEST_CASE(empty_disallow_allows_everything) {
  auto r = rules("User-agent: *\nDisallow:\n");
  BOOST_TEST(r.allowed("/"));
  BOOST_TEST(r.allowed("/anything"));
}

BOOST_AUTO_TEST_CASE(crawl_delay_is_read_from_the_chosen_group) {
  BOOST_TEST(rules("User-agent: *\nCrawl-delay: 5\n").crawl_delay_s().value_or(-1) == 5.0);
  BOOST_TEST(rules("User-agent: *\ncrawl-delay: 0.5\n").crawl_delay_s().value_or(-1) == 0.5);
  auto r = rules("User-agent: *\nCrawl-delay: 10\n\nUser-agent: winnow\nCrawl-delay: 2\n");
  BOOST_TEST(r.crawl_delay_s().value_or(-1) == 2.0);
  BOOST_TEST(!rules("User-agent: otherbot\nCrawl-delay: 9\n").crawl_delay_s());
  BOOST_TEST(!rules("User-agent: *\nCrawl-delay: soon\n").crawl_delay_s());
  BOOST_TEST(!rules("User-agent: *\nCrawl-delay: -3\n").crawl_delay_s());
}

BOOST_AUTO_TEST_CASE(crlf_cr_and_bom_are_tolerated) {
  auto crlf = rules("\xEF\xBB\xBFUser-agent: *\r\nDisallow: /a\r\n\r\nAllow: /a/b\r\n");
  BOOST_TEST(!crlf.allowed("/a"));
  BOOST_TEST(crlf.allowed("/a/b"));
  auto cr = rules("User-agent: *\rDisallow: /c\r");
  BOOST_TEST(!cr.allowed("/c"));
}

BOOST_AUTO_TEST_CASE(comments_whitespace_and_key_case_are_tolerated) {
  auto r = rules(
      "# robots for example.com\n"
      "USER-AGENT :   *   # everyone\n"
      "  disallow:/tmp/ # scratch\n"
      "\tDISALLOW :\t/old\n");
  BOOST_TEST(!r.allowed("/tmp/x"));
  BOOST_TEST(!r.allowed("/old/x"));
  BOOST_TEST(r.allowed("/new"));
}

BOOST_AUTO_TEST_CASE(garbage_and_unknown_lines_are_ignored) {
  std::string body = "<html><body>Not found</body></html>\n";
  body += std::string("\x00\x01\xff\xfe", 4) + "\n";
  body += "User-agent: *\n";
  body += "Sitemap: https://example.com/sitemap.xml\n";
  body += "Host: example.com\n";
  body += "this line has no colon\n";
  body += "Disallow: /x\n";
  auto r = rules(body);
  BOOST_TEST(!r.allowed("/x"));
  BOOST_TEST(r.allowed("/y"));
  // An HTML page served as robots.txt has no groups: everything is allowed.
  BOOST_TEST(rules("<!doctype html><title>Oops</title><p>Disallow: /</p>").allowed("/a"));
}

BOOST_AUTO_TEST_CASE(rules_before_any_user_agent_are_ignored) {
  auto r = rules("Disallow: /\nUser-agent: *\nDisallow: /b\n");
  BOOST_TEST(r.allowed("/a"));
  BOOST_TEST(!r.allowed("/b"));
}

BOOST_AUTO_TEST_CASE(pattern_without_leading_slash_is_rooted) {
  auto r = rules("User-agent: *\nDisallow: private/\n");
  BOOST_TEST(!r.allowed("/private/a"));
}

BOOST_AUTO_TEST_CASE(only_the_first_500_kib_are_read) {
  std::string body = "User-agent: *\nDisallow: /early\n";
  while (body.size() < 600 * 1024) body += "# padding padding padding padding padding padding\n";
  body += "Disallow: /late\n";
  auto r = rules(body);
  BOOST_TEST(!r.allowed("/early"));
  BOOST_TEST(r.allowed("/late"));
}

BOOST_AUTO_TEST_CASE(a_line_cut_at_the_cap_is_dropped) {
  std::string body = "User-agent: *\nDisallow: /\n";
  // Pad so that the 500 KiB cap falls right after "Allow: /" of "Allow: /public": read as
  // is, that would allow everything (Allow wins the tie with "Disallow: /").
  body.append(500 * 1024 - body.size() - 1 - 8, '#');
  body += "\nAllow: /public\n";
  BOOST_REQUIRE(body.substr(0, 500 * 1024).ends_with("\nAllow: /"));
  auto r = rules(body);
  BOOST_TEST(!r.allowed("/x"));
}

BOOST_AUTO_TEST_CASE(many_stars_stay_fast) {
  std::string pattern = "/";
  for (int i = 0; i < 200; ++i) pattern += "a*";
  std::string path = "/" + std::string(5000, 'a') + "b";
  auto r = rules("User-agent: *\nDisallow: " + pattern + "c$\n");
  BOOST_TEST(r.allowed(path));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::fetch
