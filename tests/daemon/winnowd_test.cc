// The service around the pipeline: the real winnowd as a child process, reconfigured with
// SIGHUP while it works against a feed farm in this process.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "daemon/archive/archive.h"
#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/farm.h"
#include "tests/daemon/test_server.h"
#include "tests/daemon/winnowd_process.h"

namespace winnow {
namespace {

namespace farm = winnow::testing::farm;
using namespace std::chrono_literals;
using archive::testing::Probe;
using archive::testing::TempDir;
using winnow::testing::Daemon;
using winnow::testing::TestRequest;
using winnow::testing::TestResponse;
using winnow::testing::TestServer;
using winnow::testing::wait_for;

// Serves a feed at /`name`.xml listing `entries` pages /`name`/N, each answered after `delay`.
std::string add_feed(TestServer& server, const std::string& name, int entries, std::chrono::milliseconds delay,
                     std::uint32_t seed) {
  std::vector<farm::Item> items;
  for (int n = 0; n < entries; ++n) {
    const std::string path = "/" + name + "/" + std::to_string(n);
    farm::Story story = farm::make_story(seed + std::uint32_t(n), 3);
    TestResponse page = farm::html_response(farm::page_html(story));
    page.delay = delay;
    server.route(path, page);
    items.push_back(farm::item_for(story, server.url(path), false));
  }
  server.route("/" + name + ".xml", farm::conditional_feed(farm::rss(name, server.url("/"), items),
                                                           "application/rss+xml", "\"" + name + "\""));
  return server.url("/" + name + ".xml");
}

// winnowd's configuration: `feeds`, `concurrency` requests per host, no politeness delay,
// polls a second or two apart.
void write_config(const std::string& path, const std::vector<std::string>& feeds, int concurrency) {
  std::ofstream toml(path, std::ios::trunc);
  toml << "[archive]\npath = \"archive.db\"\n\n[feeds]\nurls = [";
  for (const auto& url : feeds) toml << "\"" << url << "\", ";
  toml << "]\n\n[politeness]\nper_host_concurrency = " << concurrency << "\nmin_delay_s = 0\n\n"
       << "[schedule]\nmin_interval_min = 0.01\nmax_interval_h = 0.01\ndefault_interval_min = 0.02\n\n"
          "[extract]\nworkers = 2\n\n[log]\nlevel = \"info\"\n";
}

std::int64_t articles(const std::string& db) {
  try {
    return Probe(db).integer("SELECT count(*) FROM articles");
  } catch (const std::exception&) {
    return -1;  // not created yet
  }
}

BOOST_AUTO_TEST_SUITE(winnowd)

BOOST_AUTO_TEST_CASE(sighup_adds_configured_feeds_and_applies_new_politeness_limits) {
  TempDir dir;
  TestServer server(4);
  const std::string first = add_feed(server, "first", 6, 100ms, 3000);
  const std::string second = add_feed(server, "second", 9, 300ms, 3100);
  const std::string config = dir.file("winnowd.toml"), db = dir.file("archive.db"), log = dir.file("winnowd.log");
  write_config(config, {first}, 1);
  Daemon daemon(config, log);
  BOOST_TEST_REQUIRE(wait_for([&] { return articles(db) == 6; }, 10s), "see " << log);
  BOOST_TEST(server.max_concurrent() == 1);
  BOOST_TEST(server.hits("/second.xml") == 0u);

  server.clear_log();
  write_config(config, {first, second}, 3);
  daemon.reload();
  BOOST_TEST_REQUIRE(wait_for([&] { return articles(db) == 15; }, 10s), "see " << log);
  BOOST_TEST(daemon.running());
  // Nine pages of 300 ms each: with the reloaded limit they overlap, three at a time.
  BOOST_TEST(server.max_concurrent() == 3, "at most " << server.max_concurrent() << " requests at once after the reload");
  for (int n = 0; n < 9; ++n) BOOST_TEST(server.hits("/second/" + std::to_string(n)) == 1u);
  auto status = daemon.terminate(10s);
  BOOST_TEST_REQUIRE(status.has_value());
  BOOST_TEST(WEXITSTATUS(*status) == 0);
}

BOOST_AUTO_TEST_CASE(sighup_with_a_broken_config_keeps_the_running_one) {
  TempDir dir;
  TestServer server(4);
  const std::string first = add_feed(server, "first", 3, 0ms, 3200);
  const std::string second = add_feed(server, "second", 3, 0ms, 3300);
  const std::string config = dir.file("winnowd.toml"), db = dir.file("archive.db"), log = dir.file("winnowd.log");
  write_config(config, {first}, 2);
  Daemon daemon(config, log);
  BOOST_TEST_REQUIRE(wait_for([&] { return articles(db) == 3; }, 10s), "see " << log);

  std::ofstream(config, std::ios::trunc) << "[politeness]\nper_host_concurrency = \"many\"\n[feeds]\nurls = [\""
                                         << second << "\"]\n";
  daemon.reload();
  const auto polls = server.hits("/first.xml");
  // Still polling the feed of the old configuration, and nothing of the broken one applied.
  BOOST_TEST_REQUIRE(wait_for([&] { return server.hits("/first.xml") >= polls + 2; }, 10s), "see " << log);
  BOOST_TEST(daemon.running());
  BOOST_TEST(server.hits("/second.xml") == 0u);

  // A good configuration later is applied as usual.
  write_config(config, {first, second}, 2);
  daemon.reload();
  BOOST_TEST_REQUIRE(wait_for([&] { return articles(db) == 6; }, 10s), "see " << log);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(text.find("reload failed") != std::string::npos);
  auto status = daemon.terminate(10s);
  BOOST_TEST_REQUIRE(status.has_value());
  BOOST_TEST(WEXITSTATUS(*status) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow
