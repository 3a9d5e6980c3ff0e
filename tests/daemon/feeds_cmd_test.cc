// Which URLs may be feeds (daemon/feed_list.h), through `winnow feeds add` and `feeds
// import` (daemon/cli/feeds_cmd.cc), the real binary on an archive in a temp dir, and
// through the configuration's feed list. Nothing here fetches.
#include <boost/test/unit_test.hpp>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config.h"
#include "daemon/feed_list.h"
#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/child_process.h"

namespace winnow {
namespace {

using namespace std::chrono_literals;
using archive::testing::Probe;
using archive::testing::TempDir;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct FeedsVerb {
  // `winnow feeds` with `args`; the exit status.
  int run(std::vector<std::string> args) {
    std::vector<std::string> argv = {WINNOW_PATH, "feeds"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--archive", db});
    auto status = winnow::testing::run_command(argv, out, err, 20s);
    BOOST_TEST_REQUIRE(status.has_value(), "winnow feeds did not finish");
    BOOST_TEST_REQUIRE(WIFEXITED(*status));
    return WEXITSTATUS(*status);
  }
  std::int64_t feed_count() {
    if (!std::filesystem::exists(db)) return 0;
    return Probe(db).integer("SELECT count(*) FROM feeds");
  }
  TempDir dir;
  const std::string db = dir.file("archive.db");
  const std::string out = dir.file("out.txt");
  const std::string err = dir.file("err.txt");
};

BOOST_AUTO_TEST_SUITE(feeds_cmd)

BOOST_AUTO_TEST_CASE(only_http_and_https_urls_can_be_feeds) {
  for (std::string_view ok : {"http://news.example/feed", "https://news.example/feed.xml", "HTTPS://News.Example/",
                              "http://127.0.0.1:8080/feed"})
    BOOST_TEST(feed_url_problem(ok, false).empty(), ok);
  struct Bad {
    std::string_view url;
    std::string_view says;
  };
  for (const Bad& bad : {Bad{"javascript:alert(1)", "javascript: URLs cannot be feeds"},
                         Bad{"JavaScript:alert(1)", "javascript: URLs cannot be feeds"},
                         Bad{"file:///etc/passwd", "file: URLs cannot be feeds"},
                         Bad{"data:text/xml,<rss/>", "data: URLs cannot be feeds"},
                         Bad{"ftp://files.example/feed.xml", "ftp: URLs cannot be feeds"},
                         Bad{"gopher://old.example/", "gopher: URLs cannot be feeds"},
                         Bad{"news.example/feed", "not a URL"},
                         Bad{"http:///feed", "no host"},
                         Bad{"https://", "no host"},
                         Bad{"http://a b.example/", "blanks"}}) {
    std::string problem = feed_url_problem(bad.url, false);
    BOOST_TEST(problem.find(bad.says) != std::string::npos, bad.url << ": " << problem);
  }
  // The configuration may name a local file; nothing else changes.
  BOOST_TEST(feed_url_problem("file:///srv/feeds/local.xml", true).empty());
  BOOST_TEST(!feed_url_problem("javascript:alert(1)", true).empty());
  BOOST_TEST(!feed_url_problem("file://host/share/feed.xml", true).empty());
}

BOOST_AUTO_TEST_CASE(feeds_add_refuses_other_schemes_with_a_clear_error) {
  FeedsVerb winnow;
  for (std::string url : {"javascript:alert(document.cookie)", "file:///etc/passwd", "data:text/html,<p>x",
                          "ftp://files.example/feed.xml"}) {
    BOOST_TEST(winnow.run({"add", url}) == 2, url);
    std::string scheme = url.substr(0, url.find(':'));
    BOOST_TEST(read_file(winnow.err).find("winnow feeds add: " + scheme + ": URLs cannot be feeds, only http:// and https://: " + url) == 0u,
               read_file(winnow.err));
  }
  BOOST_TEST(winnow.feed_count() == 0);
  BOOST_TEST(winnow.run({"add", "https://news.example/feed.xml"}) == 0, read_file(winnow.err));
  BOOST_TEST(winnow.feed_count() == 1);
}

BOOST_AUTO_TEST_CASE(feeds_import_skips_and_names_outlines_that_cannot_be_feeds) {
  FeedsVerb winnow;
  const std::string opml = winnow.dir.file("in.opml");
  std::ofstream(opml) << R"OPML(<?xml version="1.0"?><opml version="2.0"><body>
<outline type="rss" text="Good" xmlUrl="https://good.example/feed"/>
<outline type="rss" text="Evil" xmlUrl="javascript:alert(1)"/>
<outline type="rss" text="Local" xmlUrl="file:///etc/shadow"/>
</body></opml>)OPML";
  BOOST_TEST(winnow.run({"import", opml}) == 1);
  std::string err = read_file(winnow.err);
  BOOST_TEST(err.find("skipped: javascript: URLs cannot be feeds") != std::string::npos, err);
  BOOST_TEST(err.find("skipped: file: URLs cannot be feeds") != std::string::npos, err);
  BOOST_TEST(read_file(winnow.out).find("imported 1 feeds (1 new)") == 0u, read_file(winnow.out));
  BOOST_TEST(winnow.feed_count() == 1);
}

BOOST_AUTO_TEST_CASE(configured_feed_list_refuses_other_schemes_but_keeps_local_files) {
  Config config;
  config.feed_urls = {"https://news.example/feed", "file:///srv/feeds/local.xml"};
  BOOST_TEST(configured_feeds(config).size() == 2u);
  config.feed_urls.push_back("javascript:alert(1)");
  try {
    configured_feeds(config);
    BOOST_FAIL("javascript: accepted");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()) ==
               "feeds.urls: javascript: URLs cannot be feeds, only http:// and https:// (or file:/// in the "
               "configuration): javascript:alert(1)");
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow
