// `winnow crawl` (daemon/cli/crawl_cmd.cc), the real binary against a TestServer on
// 127.0.0.1: a feed has its entries archived, a bare page is archived, --print archives
// nothing and writes the articles out; then `reextract`, `show` and `export` on what it archived.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/farm.h"
#include "tests/daemon/test_server.h"

namespace winnow {
namespace {

namespace farm = winnow::testing::farm;
using namespace std::chrono_literals;
using archive::testing::Probe;
using archive::testing::TempDir;
using winnow::testing::read_file;
using winnow::testing::run_command;
using winnow::testing::TestServer;

// A farm of three articles and a feed listing them, and a config without politeness delay.
struct CrawlSite {
  CrawlSite() {
    std::vector<farm::Item> items;
    for (int n = 0; n < 3; ++n) {
      stories.push_back(farm::make_story(4000 + std::uint32_t(n)));
      const std::string path = "/a/" + std::to_string(n);
      server.route(path, farm::html_response(farm::page_html(stories.back())));
      items.push_back(farm::item_for(stories.back(), server.url(path), false));
    }
    server.route("/feed.xml", farm::plain_feed(farm::rss("Crawl", server.url("/"), items)));
    std::ofstream(config) << "[fetch]\nallow_private = true\n[politeness]\nmin_delay_s = 0\n";
  }

  // `winnow crawl` with `args` after the verb; the exit status.
  int crawl(std::vector<std::string> args) { return winnow_verb("crawl", std::move(args)); }

  int winnow_verb(const std::string& verb, std::vector<std::string> args) {
    std::vector<std::string> argv = {WINNOW_PATH, verb};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--config", config});
    auto status = run_command(argv, out, err, 20s);
    BOOST_TEST_REQUIRE(status.has_value(), "winnow " << verb << " did not finish");
    BOOST_TEST_REQUIRE(WIFEXITED(*status));
    return WEXITSTATUS(*status);
  }

  TempDir dir;
  TestServer server;
  std::vector<farm::Story> stories;
  const std::string config = dir.file("winnow.toml");
  const std::string db = dir.file("archive.db");
  const std::string out = dir.file("out.txt");
  const std::string err = dir.file("err.txt");
};

BOOST_AUTO_TEST_SUITE(crawl)

BOOST_AUTO_TEST_CASE(crawled_feed_has_every_entry_archived) {
  CrawlSite site;
  BOOST_TEST(site.crawl({site.server.url("/feed.xml"), "--archive", site.db}) == 0, read_file(site.err));
  Probe probe(site.db);
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles") == 3, read_file(site.err));
  for (int n = 0; n < 3; ++n) {
    BOOST_TEST(site.server.hits("/a/" + std::to_string(n)) == 1u);
    BOOST_TEST(probe.text("SELECT winnow_article_text(body, text) FROM articles WHERE url = '" + site.server.url("/a/" + std::to_string(n)) + "'")
                   .find(site.stories[n].paragraphs[0]) != std::string::npos);
  }
  BOOST_TEST(read_file(site.err).find("archived 3,") != std::string::npos, read_file(site.err));

  // Again: everything is known, nothing is fetched twice.
  BOOST_TEST(site.crawl({site.server.url("/feed.xml"), "--archive", site.db}) == 0, read_file(site.err));
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles") == 3);
  for (int n = 0; n < 3; ++n) BOOST_TEST(site.server.hits("/a/" + std::to_string(n)) == 1u);
}

BOOST_AUTO_TEST_CASE(crawled_feed_with_a_bad_byte_keeps_every_entry_and_is_warned_about) {
  CrawlSite site;
  std::vector<farm::Item> items;
  for (int n = 0; n < 3; ++n)
    items.push_back(farm::item_for(site.stories[n], site.server.url("/a/" + std::to_string(n)), false));
  site.server.route("/bad.xml", farm::plain_feed(farm::rss_with_a_bad_byte("Bad byte", site.server.url("/"), items)));
  BOOST_TEST(site.crawl({site.server.url("/bad.xml"), "--archive", site.db}) == 0, read_file(site.err));
  Probe probe(site.db);
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles") == 3, read_file(site.err));
  const std::string log = read_file(site.err);
  BOOST_TEST(log.find("warning: feed is broken but usable") != std::string::npos, log);
  BOOST_TEST(log.find("not valid UTF-8: 1 sequence read as U+FFFD") != std::string::npos, log);
}

BOOST_AUTO_TEST_CASE(crawled_page_is_archived_as_an_article) {
  CrawlSite site;
  BOOST_TEST(site.crawl({site.server.url("/a/1"), "--archive", site.db}) == 0, read_file(site.err));
  Probe probe(site.db);
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles") == 1);
  BOOST_TEST(probe.text("SELECT title FROM articles") == site.stories[1].title);
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles WHERE feed_id IS NULL") == 1);
}

BOOST_AUTO_TEST_CASE(exit_status_says_whether_some_or_every_item_failed) {
  CrawlSite site;
  // Port 1 on loopback: nothing listens, robots.txt cannot be had either.
  const std::string down = "http://127.0.0.1:1/a/1";
  BOOST_TEST(site.crawl({down, "--archive", site.db}) == 3, read_file(site.err));
  const std::string err = read_file(site.err);
  BOOST_TEST(err.find("connect (robots.txt unreachable)") != std::string::npos, err);
  BOOST_TEST(err.find("robots.txt disallows") == std::string::npos, err);
  BOOST_TEST(site.crawl({site.server.url("/a/0"), down, "--archive", site.db}) == 1, read_file(site.err));
  BOOST_TEST(site.crawl({site.server.url("/a/2"), "--delay", "0", "--concurrency", "4", "--archive", site.db}) == 0,
             read_file(site.err));
}

BOOST_AUTO_TEST_CASE(a_recrawl_says_its_entries_were_already_known) {
  CrawlSite site;
  BOOST_TEST_REQUIRE(site.crawl({site.server.url("/feed.xml"), "--archive", site.db}) == 0, read_file(site.err));
  BOOST_TEST(read_file(site.err).find("already known") == std::string::npos, read_file(site.err));
  BOOST_TEST(site.crawl({site.server.url("/feed.xml"), "--archive", site.db}) == 0, read_file(site.err));
  BOOST_TEST(read_file(site.err).find("already known: 3 entries") != std::string::npos, read_file(site.err));
}

BOOST_AUTO_TEST_CASE(print_as_markdown_has_one_title) {
  CrawlSite site;
  BOOST_TEST_REQUIRE(site.crawl({site.server.url("/a/1"), "--print", "--format", "markdown"}) == 0,
                     read_file(site.err));
  const std::string out = read_file(site.out);
  const std::string h1 = "# " + site.stories[1].title + "\n";
  BOOST_TEST(out.find(h1) != std::string::npos, out);
  BOOST_TEST(out.find(h1, out.find(h1) + 1) == std::string::npos, "the title twice: " << out);
}

BOOST_AUTO_TEST_CASE(print_writes_each_article_and_archives_nothing) {
  CrawlSite site;
  BOOST_TEST(site.crawl({site.server.url("/feed.xml"), "--print", "--format", "json", "--archive", site.db}) == 0,
             read_file(site.err));
  std::istringstream lines(read_file(site.out));
  std::vector<std::string> titles;
  for (std::string line; std::getline(lines, line);) {
    auto article = boost::json::parse(line).as_object();
    titles.push_back(std::string(article.at("title").as_string()));
    BOOST_TEST(std::string(article.at("source").as_string()) == "page");
  }
  std::sort(titles.begin(), titles.end());
  std::vector<std::string> expected = {site.stories[0].title, site.stories[1].title, site.stories[2].title};
  std::sort(expected.begin(), expected.end());
  BOOST_TEST(titles == expected, boost::test_tools::per_element());
  BOOST_TEST(!std::filesystem::exists(site.db));
}

BOOST_AUTO_TEST_CASE(reextract_refreshes_what_an_older_extractor_stored_from_the_raw_page) {
  CrawlSite site;
  BOOST_TEST_REQUIRE(site.crawl({site.server.url("/feed.xml"), "--archive", site.db}) == 0, read_file(site.err));
  Probe probe(site.db);
  const std::string first = site.server.url("/a/0");
  const std::string text = probe.text("SELECT winnow_article_text(body, text) FROM articles WHERE url = '" + first + "'");
  const std::int64_t id = probe.integer("SELECT id FROM articles WHERE url = '" + first + "'");
  const auto markdown_of = [&] { return archive::Archive::open_sqlite_read_only(site.db)->article(id).value().markdown; };
  const std::string markdown = markdown_of();
  const std::int64_t fingerprint = probe.integer("SELECT fingerprint FROM articles WHERE url = '" + first + "'");
  BOOST_TEST(probe.text("SELECT site_name FROM articles WHERE url = '" + first + "'") == "Harbour Gazette");
  // As an older extractor would have left it: other text, no site name, an old version.
  probe.exec("UPDATE articles SET body = NULL, text = 'xyzzyold text', markdown = 'old', blocks_json = '[]', "
             "removed_json = '[]', site_name = '', fingerprint = 1, "
             "extractor_version = 0 WHERE url = '" + first + "'");
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'xyzzyold'") == 1);

  BOOST_TEST(site.winnow_verb("reextract", {"--archive", site.db}) == 0, read_file(site.err));
  BOOST_TEST(read_file(site.out).find("re-extracted 1 articles; 2 kept as archived") != std::string::npos, read_file(site.out));
  BOOST_TEST(probe.text("SELECT winnow_article_text(body, text) FROM articles WHERE url = '" + first + "'") == text);
  BOOST_TEST(markdown_of() == markdown);
  BOOST_TEST(probe.integer("SELECT fingerprint FROM articles WHERE url = '" + first + "'") == fingerprint);
  BOOST_TEST(probe.text("SELECT site_name FROM articles WHERE url = '" + first + "'") == "Harbour Gazette");
  BOOST_TEST(probe.integer("SELECT min(extractor_version) FROM articles") >= 1);
  // The FTS index follows the text.
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'xyzzyold'") == 0);

  // --all re-runs every page; the result is the same.
  BOOST_TEST(site.winnow_verb("reextract", {"--all", "--archive", site.db}) == 0, read_file(site.err));
  BOOST_TEST(read_file(site.out).find("re-extracted 3 articles") != std::string::npos, read_file(site.out));
  BOOST_TEST(probe.text("SELECT winnow_article_text(body, text) FROM articles WHERE url = '" + first + "'") == text);
}

// One JSON shape for an article (archive/article_json.h): `show --format json` prints the
// very line `export --format jsonl` writes, a missing date as null in both.
BOOST_AUTO_TEST_CASE(show_json_is_the_export_line_of_the_same_article) {
  CrawlSite site;
  BOOST_TEST_REQUIRE(site.crawl({site.server.url("/feed.xml"), "--archive", site.db}) == 0, read_file(site.err));
  Probe probe(site.db);
  const std::int64_t id = probe.integer("SELECT min(id) FROM articles");
  probe.exec("UPDATE articles SET published = NULL WHERE id = " + std::to_string(id));

  BOOST_TEST_REQUIRE(site.winnow_verb("export", {"--format", "jsonl", "--limit", "1", "--archive", site.db}) == 0,
                     read_file(site.err));
  const std::string exported = read_file(site.out);
  const auto object = boost::json::parse(exported).as_object();
  BOOST_TEST(object.at("id").as_int64() == id);
  BOOST_TEST(object.at("published").is_null());
  BOOST_TEST(object.at("duplicate_of").is_null());
  BOOST_TEST(object.at("feed_id").is_null());  // a feed crawled on demand is no subscription

  BOOST_TEST_REQUIRE(site.winnow_verb("show", {std::to_string(id), "--format", "json", "--archive", site.db}) == 0,
                     read_file(site.err));
  BOOST_TEST(read_file(site.out) == exported);
}

BOOST_AUTO_TEST_CASE(full_archive_stops_the_crawl_with_75_and_one_error) {
  CrawlSite site;
  archive::Archive::open_sqlite(site.db);
  // Since articles are stored compact (schema 10) the three fit in the room a new archive's
  // pages leave: a raw page of no article takes most of it first.
  Probe(site.db).exec("INSERT INTO raw_pages (article_id, codec, plain_bytes, bytes) "
                      "VALUES (1000000000, 2, 0, randomblob(15000))");
  const std::int64_t pages = Probe(site.db).integer("PRAGMA page_count");
  // The child inherits it: one page of room on the crawl's connection (tests only).
  ::setenv("WINNOW_TEST_MAX_PAGE_COUNT", std::to_string(pages + 1).c_str(), 1);
  const int status = site.crawl({site.server.url("/feed.xml"), "--archive", site.db});
  ::unsetenv("WINNOW_TEST_MAX_PAGE_COUNT");
  BOOST_TEST(status == 75, read_file(site.err));
  const std::string err = read_file(site.err);
  BOOST_TEST(err.find("archive is full; writes stopped") != std::string::npos, err);
  BOOST_TEST(err.find("archive is full") == err.rfind("archive is full"), "reported more than once: " << err);
  Probe probe(site.db);
  BOOST_TEST(probe.text("PRAGMA integrity_check") == "ok");
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles") < 3);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow
