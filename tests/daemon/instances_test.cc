// Several winnowd on one database against one loopback feed farm (docs/scale-out.md, "Work
// sharing and politeness"), checked from the farm's side: every page fetched once, no feed
// polled twice within its interval, no host sent more requests at once than its limit.
//
// The database: WINNOW_TEST_ARCHIVE_URL (a postgresql:// URL, once that backend exists) runs
// kInstances daemons on it; without it, one daemon on an SQLite file, since SQLite's writer
// lock admits no second (winnowd_test checks that refusal). The cases that need two daemons
// or more (a killed one's feeds taken over, a paused one writing nothing) say so and pass
// without checking anything on SQLite.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/farm.h"
#include "tests/daemon/feed_farm.h"
#include "tests/daemon/temp_dir.h"
#include "tests/daemon/winnowd_config.h"

namespace winnow::testing {
namespace {

using namespace std::chrono_literals;
using archive::testing::Probe;
using archive::testing::TempDir;
using farm::FeedFarm;
using Clock = std::chrono::steady_clock;

constexpr int kInstances = 3;
// The farm's feeds are spread over three names of 127.0.0.1 (inet_aton's short forms), so
// that winnowd sees three hosts to share out.
constexpr std::array<const char*, 3> kHosts = {"127.0.0.1", "127.1", "127.0.1"};
constexpr int kPerHostConcurrency = 2;

// Where the daemons keep their archive, and how many run on it.
struct Backend {
  std::string archive_url;  // empty: SQLite, at the config's `archive` path
  int instances = 1;
};

Backend backend() {
  const char* url = std::getenv("WINNOW_TEST_ARCHIVE_URL");
  if (url && *url) return {url, kInstances};
  return {};
}

std::string on_host(const std::string& url, int feed) {
  std::string out = url;
  const std::string from = "127.0.0.1";
  out.replace(out.find(from), from.size(), kHosts[std::size_t(feed) % kHosts.size()]);
  return out;
}

// Requests under way per host, at most, as the page source sees them (each page takes a
// little while, so that overlapping requests overlap here too).
struct HostMeter {
  std::mutex mutex;
  std::array<int, kHosts.size()> now{}, max{};
  void enter(int host) {
    std::lock_guard lock(mutex);
    max[std::size_t(host)] = std::max(max[std::size_t(host)], ++now[std::size_t(host)]);
  }
  void leave(int host) {
    std::lock_guard lock(mutex);
    --now[std::size_t(host)];
  }
};

// A farm of `feeds` x `entries` on the three hosts, and `backend.instances` winnowd on it.
struct Cluster {
  static constexpr int kFeeds = 12, kEntries = 4;
  static constexpr double kIntervalMin = 0.05;  // 3 s: what the farm's log is checked against

  TempDir dir;
  Backend db = backend();
  HostMeter meter;
  std::unique_ptr<FeedFarm> farm;
  std::vector<std::unique_ptr<Daemon>> daemons;
  std::vector<std::string> logs;

  explicit Cluster(long lease_s = 120) {
    FeedFarm::Options options;
    options.feeds = kFeeds;
    options.entries = kEntries;
    options.server_threads = 8;
    options.validators = true;
    farm = std::make_unique<FeedFarm>(
        options,
        [this](int f, int e) {
          const int host = f % int(kHosts.size());
          meter.enter(host);
          std::this_thread::sleep_for(20ms);
          meter.leave(host);
          return farm::html_response(farm::page_html(farm::make_story(1000 + f * 10 + e)));
        },
        [this](int f, int e) {
          farm::Item item = farm::item_for(farm::make_story(1000 + f * 10 + e), on_host(farm->page_url(f, e), f), false);
          item.id = "urn:winnow-farm:" + std::to_string(f) + "-" + std::to_string(e);
          return item;
        });
    std::vector<std::string> feeds;
    for (int f = 0; f < kFeeds; ++f) feeds.push_back(on_host(farm->feed_url(f), f));
    WinnowdConfig config = quick_polling(feeds, kPerHostConcurrency);
    config.min_interval_min = kIntervalMin;
    config.default_interval_min = kIntervalMin;
    config.lease_s = lease_s;
    if (!db.archive_url.empty()) config.archive_url = db.archive_url;
    const std::string path = dir.file("winnowd.toml");
    write_config(path, config);
    for (int n = 0; n < db.instances; ++n) {
      logs.push_back(dir.file("winnowd-" + std::to_string(n) + ".log"));
      daemons.push_back(std::make_unique<Daemon>(path, logs.back()));
    }
  }

  ~Cluster() {
    for (auto& d : daemons)
      if (d->running()) d->terminate(10s);
  }

  std::uint64_t page_hits() const {
    std::uint64_t n = 0;
    for (const auto& r : farm->server().requests())
      if (r.path.starts_with("/a/")) ++n;
    return n;
  }

  bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!done()) {
      if (Clock::now() > deadline) return false;
      std::this_thread::sleep_for(20ms);
    }
    return true;
  }

  // The farm's own log: each feed's polls since `since` at least `gap_s` apart; with
  // `pages_once`, each page fetched once.
  void check_farm_log(double gap_s, Clock::time_point since = {}, bool pages_once = true) {
    std::map<std::string, std::vector<Clock::time_point>> polls;
    std::map<std::string, int> pages;
    for (const auto& r : farm->server().requests()) {
      if (r.path.starts_with("/feed/") && r.at >= since) polls[r.path].push_back(r.at);
      if (r.path.starts_with("/a/")) ++pages[r.path];
    }
    BOOST_TEST(polls.size() == std::size_t(kFeeds));
    for (auto& [path, at] : polls) {
      std::sort(at.begin(), at.end());
      for (std::size_t i = 1; i < at.size(); ++i) {
        const double gap = std::chrono::duration<double>(at[i] - at[i - 1]).count();
        BOOST_TEST(gap >= gap_s, path << " polled again after " << gap << " s");
      }
    }
    BOOST_TEST(pages.size() == std::size_t(kFeeds * kEntries));
    if (pages_once)
      for (const auto& [path, hits] : pages) BOOST_TEST(hits == 1, path << " fetched " << hits << " times");
    for (std::size_t h = 0; h < kHosts.size(); ++h)
      BOOST_TEST(meter.max[h] <= kPerHostConcurrency, kHosts[h] << " had " << meter.max[h] << " requests at once");
  }
};

BOOST_AUTO_TEST_SUITE(instances)

BOOST_AUTO_TEST_CASE(feeds_are_polled_once_per_interval_and_hosts_stay_within_their_limits) {
  Cluster cluster;
  const std::uint64_t pages = Cluster::kFeeds * Cluster::kEntries;
  BOOST_TEST_REQUIRE(cluster.wait_for([&] { return cluster.page_hits() >= pages; }, 30s), "see " << cluster.logs[0]);
  // A few more intervals: every feed polled again, conditionally, by whichever daemon.
  std::this_thread::sleep_for(7s);
  // 3 s less the 10% jitter, less the timer's slack.
  cluster.check_farm_log(Cluster::kIntervalMin * 60 * 0.85);
  if (cluster.db.archive_url.empty()) {
    Probe probe(cluster.dir.file("archive.db"));
    BOOST_TEST(probe.integer("SELECT count(*) FROM articles") == pages);
    BOOST_TEST(probe.integer("SELECT count(DISTINCT normalized_url) FROM articles") == pages);
    // Nothing leased once the daemons stopped.
    for (auto& d : cluster.daemons) BOOST_TEST_REQUIRE(d->terminate(10s).has_value());
    BOOST_TEST(probe.integer("SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL") == 0);
    BOOST_TEST(probe.integer("SELECT count(*) FROM host_leases") == 0);
  }
}

BOOST_AUTO_TEST_CASE(a_killed_daemons_feeds_are_taken_over_after_its_lease) {
  if (backend().instances < 2) {
    BOOST_TEST_MESSAGE("needs two daemons or more on one database: set WINNOW_TEST_ARCHIVE_URL");
    return;
  }
  Cluster cluster(/*lease_s=*/4);
  std::this_thread::sleep_for(500ms);  // the daemons have claimed their first feeds
  cluster.daemons[0]->kill9();
  const auto killed = Clock::now();
  const std::uint64_t pages = Cluster::kFeeds * Cluster::kEntries;
  // The others finish its feeds once its leases run out: every page archived. A page it
  // fetched and did not store is fetched again, so pages are not checked for one fetch.
  BOOST_TEST_REQUIRE(cluster.wait_for([&] { return cluster.page_hits() >= pages; }, 30s));
  std::this_thread::sleep_for(7s);
  // Its feeds, taken over at once when its leases ran out, are polled on schedule since.
  cluster.check_farm_log(Cluster::kIntervalMin * 60 * 0.85, killed + 5s, false);
}

BOOST_AUTO_TEST_CASE(a_daemon_paused_past_its_lease_does_not_poll_feeds_it_lost) {
  if (backend().instances < 2) {
    BOOST_TEST_MESSAGE("needs two daemons or more on one database: set WINNOW_TEST_ARCHIVE_URL");
    return;
  }
  Cluster cluster(/*lease_s=*/4);
  std::this_thread::sleep_for(500ms);
  cluster.daemons[0]->pause();
  const auto paused = Clock::now();
  std::this_thread::sleep_for(6s);  // past its leases: the others take its feeds
  cluster.daemons[0]->resume();
  std::this_thread::sleep_for(7s);
  // Once its leases ran out, its feeds belong to the others: resumed, it polls none of
  // them out of turn (the farm sees no feed twice within an interval).
  cluster.check_farm_log(Cluster::kIntervalMin * 60 * 0.85, paused + 5s, false);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::testing
