// Two ingest pipelines on one SQLite archive, in one process, as two daemons on one
// database (docs/scale-out.md, "Work sharing and politeness"): each has its own loop, its
// own ArchiveWorker (an SQLite connection of its own) and its own lease owner. winnowd's
// writer lock keeps a second winnowd off an SQLite file, but the archive's leases do not
// rely on it, so this exercises them with real HTTP on 127.0.0.1. A loop the test stops
// running is a daemon frozen by SIGSTOP: its archive thread goes on, its answers wait.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daemon/archive/archive.h"
#include "daemon/archive/archive_worker.h"
#include "daemon/ingest/ingest.h"
#include "tests/daemon/pipeline.h"

namespace winnow::ingest {
namespace {

using namespace ::winnow::ingest::testing;
using winnow::testing::TestResponse;

// One daemon: a loop, a connection to the archive on its own thread, an Ingest.
struct Node {
  asio::io_context loop;
  asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(loop);
  std::unique_ptr<ArchiveWorker> worker;
  std::unique_ptr<Ingest> ingest;

  Node(const std::string& path, IngestOptions options)
      : worker(std::make_unique<ArchiveWorker>(path)), ingest(std::make_unique<Ingest>(loop, *worker, options)) {}
  ~Node() {
    worker->flush();
    ingest.reset();
    worker.reset();
  }
};

// Three names of 127.0.0.1, three hosts to winnowd.
constexpr std::array<const char*, 3> kHosts = {"127.0.0.1", "127.1", "127.0.1"};

std::string on_host(const TestServer& server, int host, const std::string& path) {
  return std::string("http://") + kHosts[std::size_t(host)] + ":" + std::to_string(server.port()) + path;
}

IngestOptions shared_options(std::int64_t lease_s) {
  IngestOptions o = test_options();
  o.schedule.min_interval_s = 60;  // one poll per feed in a test
  o.schedule.default_interval_s = 60;
  o.schedule.max_interval_s = 120;
  o.lease_s = lease_s;
  o.claim_recheck = std::chrono::milliseconds(300);
  return o;
}

struct TwoNodes {
  TempDir dir;
  std::string path = dir.file("archive.db");
  std::unique_ptr<Archive> reader = Archive::open_sqlite(path);
  Node a, b;
  explicit TwoNodes(IngestOptions options) : a(path, options), b(path, options) { log::set_level(LogLevel::error); }

  // Runs the loops of the nodes named in `which` in turns until `done` or `timeout`.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout, bool run_a = true,
                 bool run_b = true) {
    const auto deadline = Clock::now() + timeout;
    while (!done()) {
      if (Clock::now() >= deadline) return false;
      if (run_a) a.loop.run_for(5ms);
      if (run_b) b.loop.run_for(5ms);
      if (!run_a && !run_b) std::this_thread::sleep_for(5ms);
    }
    return true;
  }
  void run_for(std::chrono::milliseconds d, bool run_a = true, bool run_b = true) {
    run_until([] { return false; }, d, run_a, run_b);
  }
};

BOOST_AUTO_TEST_SUITE(shared_archive)

BOOST_AUTO_TEST_CASE(two_daemons_share_the_feeds_poll_each_once_and_keep_hosts_within_their_limits) {
  TestServer server(8);
  std::mutex mutex;
  std::array<int, kHosts.size()> in_flight{}, most{};
  std::vector<std::string> feeds;
  int stories = 0;
  for (int h = 0; h < 3; ++h) {
    for (int f = 0; f < 2; ++f) {
      std::vector<farm::Item> items;
      for (int e = 0; e < 2; ++e) {
        const std::string page = "/p/" + std::to_string(h) + "/" + std::to_string(f) + "/" + std::to_string(e);
        const std::string html = farm::page_html(farm::make_story(std::uint32_t(700 + ++stories)));
        // Counted by the host the page was published on: not by the Host header, which curl
        // sends as "127.0.0.1" for all three (it rewrites 127.1 and 127.0.1 in full).
        server.route(page, [&, html, host = std::size_t(h)](const TestRequest&) {
          {
            std::lock_guard lock(mutex);
            most[host] = std::max(most[host], ++in_flight[host]);
          }
          std::this_thread::sleep_for(40ms);
          {
            std::lock_guard lock(mutex);
            --in_flight[host];
          }
          return farm::html_response(html);
        });
        items.push_back(farm::item_for(farm::make_story(std::uint32_t(700 + stories)), on_host(server, h, page), false));
      }
      const std::string feed = "/feed/" + std::to_string(h) + "/" + std::to_string(f) + ".xml";
      server.route(feed, farm::plain_feed(farm::rss("Feed", server.url("/"), items)));
      feeds.push_back(on_host(server, h, feed));
    }
  }
  IngestOptions options = shared_options(30);
  options.max_polls_in_flight = 1;  // one feed at a time each: the other daemon gets the rest
  TwoNodes nodes(options);
  std::vector<Ingest::Subscription> subs;
  for (const auto& url : feeds) subs.push_back({url, "", ""});
  nodes.a.ingest->subscribe(subs);
  nodes.b.ingest->start();
  BOOST_TEST_REQUIRE(nodes.run_until([&] { return nodes.reader->article_count() == 12; }, 20s));
  nodes.run_for(1500ms);  // nothing more happens: no feed is due again for a minute

  // Each feed polled once, each page fetched once, whichever daemon did it.
  for (const auto& r : server.requests()) {
    if (r.path.starts_with("/feed/")) BOOST_TEST(server.hits(r.path) == 1u, r.path);
    if (r.path.starts_with("/p/")) BOOST_TEST(server.hits(r.path) == 1u, r.path);
  }
  BOOST_TEST(nodes.a.ingest->stats().polls + nodes.b.ingest->stats().polls == 6u);
  BOOST_TEST(nodes.a.ingest->stats().polls >= 1u);
  BOOST_TEST(nodes.b.ingest->stats().polls >= 1u, "the second daemon polled nothing");
  for (std::size_t h = 0; h < kHosts.size(); ++h)
    BOOST_TEST(most[h] <= options.politeness.concurrency, kHosts[h] << ": " << most[h] << " requests at once");
  // Every poll saved, no lease left behind once both stop.
  for (const auto& feed : nodes.reader->feeds()) BOOST_TEST(feed.last_polled > 0, feed.url);
  nodes.a.ingest.reset();
  nodes.b.ingest.reset();
  nodes.a.worker->flush();
  nodes.b.worker->flush();
  Probe probe(nodes.path);
  BOOST_TEST(probe.integer("SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL") == 0);
  BOOST_TEST(probe.integer("SELECT count(*) FROM host_leases") == 0);
}

BOOST_AUTO_TEST_CASE(a_daemon_frozen_past_its_lease_loses_the_feed_and_writes_nothing) {
  TestServer server(4);
  Story one = farm::make_story(801), two = farm::make_story(802);
  publish(server, "/a/1", one);
  publish(server, "/a/2", two);
  const std::string body = farm::rss("Frozen", server.url("/"), {farm::item_for(one, server.url("/a/1"), false),
                                                                 farm::item_for(two, server.url("/a/2"), false)});
  auto polls = std::make_shared<std::atomic<int>>(0);
  server.route("/feed.xml", [polls, body](const TestRequest&) {
    const int n = ++*polls;
    TestResponse r = farm::plain_feed(body);
    r.headers.push_back({"ETag", "\"poll-" + std::to_string(n) + "\""});
    if (n == 1) r.delay = 300ms;  // the first poll is under way when its daemon freezes
    return r;
  });
  TwoNodes nodes(shared_options(3));
  nodes.reader->add_feed(server.url("/feed.xml"), "", "");
  // a claims the feed and sends its request; then it freezes (its loop no longer runs).
  nodes.a.ingest->start();
  BOOST_TEST_REQUIRE(nodes.run_until([&] { return server.hits("/feed.xml") == 1u; }, 5s, true, false));
  nodes.b.ingest->start();
  // b takes the feed over once a's leases (feed and host) ran out, and archives it all.
  BOOST_TEST_REQUIRE(nodes.run_until([&] { return nodes.reader->article_count() == 2; }, 10s, false, true));
  BOOST_TEST(server.hits("/feed.xml") == 2u);
  BOOST_TEST_REQUIRE(nodes.run_until([&] { return nodes.reader->feeds()[0].etag == "\"poll-2\""; }, 5s, false, true));
  const FeedRow by_b = nodes.reader->feeds()[0];
  // a thaws: its poll ends, finds the entries known, and its row is refused.
  nodes.run_for(2s, true, true);
  nodes.a.worker->flush();
  const FeedRow after = nodes.reader->feeds()[0];
  BOOST_TEST(after.etag == "\"poll-2\"");
  BOOST_TEST(after.last_polled == by_b.last_polled);
  BOOST_TEST(after.next_poll == by_b.next_poll);
  BOOST_TEST(nodes.a.ingest->stats().entries_new == 0u);  // b had archived them: known
  BOOST_TEST(nodes.a.ingest->stats().polls == 1u);
  BOOST_TEST(nodes.a.ingest->stats().leases_lost == 1u);
  BOOST_TEST(nodes.b.ingest->stats().leases_lost == 0u);
  BOOST_TEST(server.hits("/feed.xml") == 2u);  // and it did not poll again
  BOOST_TEST(server.hits("/a/1") == 1u);
  BOOST_TEST(server.hits("/a/2") == 1u);
  BOOST_TEST(nodes.reader->article_count() == 2);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::ingest
