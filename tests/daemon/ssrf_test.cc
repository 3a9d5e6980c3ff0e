// Issue 11, item 3: links in a feed must not reach this machine or its network. A farm on
// 127.0.0.1 serves a feed the operator subscribed to (allowed to be local) whose entries
// link to every spelling of loopback, to the unspecified address, to link-local and private
// addresses, and to a name that resolves to loopback. By default each is refused before a
// connection: the farm sees the feed's request only, the log says what was refused and how
// to allow it, and the entries are archived from the feed's own content, as for any failed
// page. With [fetch] allow_private the loopback ones are fetched.
//
// The farm must never be reached at 169.254.169.254 or 10.0.0.1: those links only appear
// where the policy refuses them before a socket exists.
//
// "An allowed host that redirects to 127.0.0.1": every address the test can serve from is
// loopback, so the allowed host is one loopback *name*, localhost, listed in allow_hosts by
// name; its page redirects to 127.0.0.1, which allow_hosts does not list. That is the case
// of an intranet host an operator allowed that sends the daemon somewhere else inside.
#include <boost/test/unit_test.hpp>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/daemon/child_process.h"
#include "tests/daemon/pipeline.h"
#include "tests/daemon/winnowd_config.h"

namespace winnow::ingest::testing {
namespace {

using winnow::testing::TestResponse;

// Everything written to stderr (fd 2, where daemon/log.h writes) while it lives.
class StderrCapture {
 public:
  explicit StderrCapture(std::string path) : path_(std::move(path)) {
    std::fflush(stderr);
    saved_ = ::dup(2);
    std::FILE* f = std::fopen(path_.c_str(), "w");
    BOOST_TEST_REQUIRE(f != nullptr);
    ::dup2(::fileno(f), 2);
    std::fclose(f);
  }
  ~StderrCapture() { restore(); }
  // What was written; stderr is the test's own again afterwards.
  std::string text() {
    restore();
    std::ifstream in(path_);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
    saved_ = -1;
  }
  std::string path_;
  int saved_ = -1;
};

std::string port_of(const TestServer& server) { return std::to_string(server.port()); }

// `count` stories, story n served as a page at /s/n (so a fetch that gets through is
// archived as a page), and the feed listing them at the links publish() is given.
struct FeedSite {
  explicit FeedSite(std::size_t count) {
    for (std::size_t n = 0; n < count; ++n) stories.push_back(farm::make_story(9100 + std::uint32_t(n)));
    server.route("/robots.txt", farm::html_response("User-agent: *\nAllow: /\n", "text/plain"));
    server.fallback([this](const TestRequest& r) {
      for (std::size_t n = 0; n < stories.size(); ++n)
        if (r.path == "/s/" + std::to_string(n)) return farm::html_response(farm::page_html(stories[n]));
      TestResponse missing;
      missing.status = 404;
      return missing;
    });
  }
  // Entry n links to links[n], with story n as its feed content.
  void publish(const std::vector<std::string>& links) {
    std::vector<farm::Item> items;
    for (std::size_t n = 0; n < links.size(); ++n) items.push_back(farm::item_for(stories.at(n), links[n], true));
    server.route("/feed.xml", farm::plain_feed(farm::rss("Inside", server.url("/"), items)));
  }
  void redirect(const std::string& path, const std::string& to) {
    TestResponse r;
    r.status = 302;
    r.headers = {{"Location", to}};
    server.route(path, r);
  }
  TestServer server;
  std::vector<Story> stories;
};

IngestOptions default_policy() {
  IngestOptions o = test_options();
  o.fetch.allow_private = false;  // winnowd's default; test_options opens it for the farms
  return o;
}

// Polls the feed once and waits until its entries are settled on disk.
void poll_once(Pipeline& pipeline, const std::string& feed_url, std::size_t entries) {
  pipeline.subscribe({feed_url});
  pipeline.ingest().start();
  BOOST_TEST_REQUIRE(pipeline.run_until([&] {
    return pipeline.ingest().stats().polls >= 1 && pipeline.ingest().in_flight() == 0 &&
           (pipeline.worker().flush(), pipeline.article_count() >= std::int64_t(entries));
  }, 20s));
}

BOOST_AUTO_TEST_SUITE(ssrf)

BOOST_AUTO_TEST_CASE(links_to_this_machine_and_its_network_are_refused_by_default) {
  FeedSite site(12);
  const std::string port = port_of(site.server);
  // The links name the farm's own port, so a fetch that got through would be served.
  const std::vector<std::string> links = {
      "http://127.0.0.1:" + port + "/s/0",
      "http://[::1]:" + port + "/s/1",
      "http://localhost:" + port + "/s/2",  // a name that resolves to loopback
      "http://0.0.0.0:" + port + "/s/3",
      "http://2130706433:" + port + "/s/4",
      "http://127.1:" + port + "/s/5",
      "http://[::ffff:127.0.0.1]:" + port + "/s/6",
      "http://0x7f.1:" + port + "/s/7",
      "http://169.254.169.254/s/8",  // cloud metadata: never connected to
      "http://10.0.0.1/s/9",
      "http://[fe80::1]/s/10",
      "http://127.0.0.1:" + port + "/r/11",  // would redirect; refused at the first hop
  };
  site.publish(links);
  site.redirect("/r/11", site.server.url("/s/11"));

  Pipeline pipeline(default_policy());
  StderrCapture log(pipeline.path() + ".log");
  poll_once(pipeline, site.server.url("/feed.xml"), links.size());
  pipeline.run_for(200ms);  // anything still to come would show up
  std::string lines = log.text();

  // The operator's feed was fetched; nothing else was asked for, not even robots.txt.
  for (const auto& r : site.server.requests()) BOOST_TEST(r.path == "/feed.xml", "unexpected request " << r.target);
  BOOST_TEST(site.server.hits("/feed.xml") >= 1u);

  // Every entry is archived from the feed's content, none from a page.
  auto rows = pipeline.articles();
  BOOST_TEST(rows.size() == links.size());
  for (const auto& row : rows) BOOST_TEST(row.source == "feed", row.url);

  // One clear line per refusal: the address, the URL, the range, the way out.
  for (const auto& link : links) {
    BOOST_TEST(contains(lines, " for " + link + ": "), "no refusal logged for " << link << "\n" << lines);
  }
  BOOST_TEST(contains(lines, "warning: refused 127.0.0.1 for http://127.0.0.1:" + port + "/s/0: loopback address; set [fetch] "
                             "allow_private = true or list the host in [fetch] allow_hosts"),
             lines);
  BOOST_TEST(contains(lines, "refused ::1 for http://[::1]:" + port + "/s/1: loopback address"), lines);
  BOOST_TEST(contains(lines, "refused 0.0.0.0 for http://0.0.0.0:" + port + "/s/3: unspecified address"), lines);
  BOOST_TEST(contains(lines, "refused 127.0.0.1 for http://2130706433:" + port + "/s/4: loopback address"), lines);
  BOOST_TEST(contains(lines, "refused ::ffff:127.0.0.1 for http://[::ffff:127.0.0.1]:" + port), lines);
  BOOST_TEST(contains(lines, "refused 169.254.169.254 for http://169.254.169.254/s/8: link-local address"), lines);
  BOOST_TEST(contains(lines, "refused 10.0.0.1 for http://10.0.0.1/s/9: private address"), lines);
}

BOOST_AUTO_TEST_CASE(allow_private_fetches_the_loopback_links) {
  FeedSite site(6);
  const std::string port = port_of(site.server);
  // Loopback targets only: the farm listens on 127.0.0.1 (so not [::1]), and nothing here
  // may leave the machine.
  const std::vector<std::string> links = {
      "http://127.0.0.1:" + port + "/s/0",          "http://localhost:" + port + "/s/1",
      "http://2130706433:" + port + "/s/2",         "http://127.1:" + port + "/s/3",
      "http://[::ffff:127.0.0.1]:" + port + "/s/4", "http://0x7f.1:" + port + "/s/5",
  };
  site.publish(links);

  IngestOptions options = default_policy();
  options.fetch.allow_private = true;
  Pipeline pipeline(options);
  StderrCapture log(pipeline.path() + ".log");
  poll_once(pipeline, site.server.url("/feed.xml"), links.size());
  std::string lines = log.text();
  BOOST_TEST(!contains(lines, "refused"), lines);
  for (std::size_t n = 0; n < links.size(); ++n) {
    BOOST_TEST(site.server.hits("/s/" + std::to_string(n)) == 1u, links[n]);
    auto row = pipeline.article_at(links[n]);
    BOOST_TEST_REQUIRE(row.has_value(), links[n]);
    BOOST_TEST(row->source == "page", links[n]);
  }
}

BOOST_AUTO_TEST_CASE(an_allowed_host_cannot_redirect_to_one_that_is_not) {
  FeedSite site(2);
  const std::string port = port_of(site.server);
  const std::string direct = "http://localhost:" + port + "/s/0";
  const std::string hop = "http://localhost:" + port + "/hop";
  site.redirect("/hop", site.server.url("/s/1"));  // to 127.0.0.1, which is not allowed
  site.publish({direct, hop});

  IngestOptions options = default_policy();
  options.fetch.allow_hosts = {"localhost"};
  Pipeline pipeline(options);
  StderrCapture log(pipeline.path() + ".log");
  poll_once(pipeline, site.server.url("/feed.xml"), 2);
  std::string lines = log.text();

  auto page = pipeline.article_at(direct);
  BOOST_TEST_REQUIRE(page.has_value());
  BOOST_TEST(page->source == "page");  // the allowed host itself is fetched
  BOOST_TEST(site.server.hits("/hop") == 1u);
  BOOST_TEST(site.server.hits("/s/1") == 0u);  // its redirect is not followed
  auto kept = pipeline.article_at(hop);
  BOOST_TEST_REQUIRE(kept.has_value());
  BOOST_TEST(kept->source == "feed");
  BOOST_TEST(contains(lines, "refused 127.0.0.1 for " + site.server.url("/s/1") + ": loopback address"), lines);
}

// `winnow crawl URL...`: the URLs on the command line are the operator's and may be local;
// the links the crawl finds in them are not (here without any [fetch] setting).
BOOST_AUTO_TEST_CASE(crawl_fetches_its_arguments_but_not_the_local_links_they_hold) {
  FeedSite site(3);
  site.publish({site.server.url("/s/0"), site.server.url("/s/1")});
  TempDir dir;
  const std::string db = dir.file("archive.db"), config = dir.file("winnow.toml"), err = dir.file("err.txt");
  std::ofstream(config) << "[politeness]\nmin_delay_s = 0\n";
  auto status = winnow::testing::run_command(
      {WINNOW_PATH, "crawl", site.server.url("/feed.xml"), site.server.url("/s/2"), "--archive", db, "--config", config},
      dir.file("out.txt"), err, 30s);
  BOOST_TEST_REQUIRE(status.has_value(), "winnow crawl did not finish");
  std::ifstream in(err);
  std::string lines((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Probe probe(db);
  // /s/2 was given: fetched and archived as a page. /s/0 and /s/1 only linked: their feed
  // content.
  BOOST_TEST(site.server.hits("/s/2") == 1u, lines);
  // The arguments' robots.txt is read under their policy too (and then serves the links).
  BOOST_TEST(site.server.hits("/robots.txt") == 1u, lines);
  BOOST_TEST(site.server.hits("/s/0") + site.server.hits("/s/1") == 0u, lines);
  BOOST_TEST(probe.text("SELECT source FROM articles WHERE url = '" + site.server.url("/s/2") + "'") == "page", lines);
  BOOST_TEST(probe.text("SELECT source FROM articles WHERE url = '" + site.server.url("/s/0") + "'") == "feed", lines);
  BOOST_TEST(contains(lines, "refused 127.0.0.1 for " + site.server.url("/s/0") + ": loopback address"), lines);
}

// winnowd itself, from its configuration file: the feed listed there is local and polled;
// its local links are refused by the default [fetch] settings.
BOOST_AUTO_TEST_CASE(winnowd_refuses_local_links_of_a_configured_feed_by_default) {
  FeedSite site(3);
  site.publish({site.server.url("/s/0"), "http://localhost:" + port_of(site.server) + "/s/1",
                "http://169.254.169.254/s/2"});
  TempDir dir;
  const std::string config = dir.file("winnowd.toml"), db = dir.file("archive.db"), log = dir.file("winnowd.log");
  auto toml = winnow::testing::quick_polling({site.server.url("/feed.xml")}, 2);
  toml.allow_private.reset();  // winnowd's default
  toml.log_level = "info";
  winnow::testing::write_config(config, toml);
  winnow::testing::Daemon daemon(config, log);
  auto archived = [&] {
    try {
      return Probe(db).integer("SELECT count(*) FROM articles");
    } catch (const std::exception&) {
      return std::int64_t(-1);  // not created yet
    }
  };
  BOOST_TEST_REQUIRE(winnow::testing::wait_for([&] { return archived() == 3; }, 15s), "see " << log);
  auto status = daemon.terminate(10s);
  BOOST_TEST_REQUIRE(status.has_value());
  std::ifstream in(log);
  std::string lines((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(Probe(db).integer("SELECT count(*) FROM articles WHERE source = 'feed'") == 3, lines);
  for (const auto& r : site.server.requests()) BOOST_TEST(r.path == "/feed.xml", "unexpected request " << r.target);
  BOOST_TEST(contains(lines, "warning: refused 127.0.0.1 for " + site.server.url("/s/0") + ": loopback address; set [fetch] "
                             "allow_private = true or list the host in [fetch] allow_hosts"),
             lines);
  BOOST_TEST(contains(lines, "refused 169.254.169.254 for http://169.254.169.254/s/2: link-local address"), lines);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::ingest::testing
