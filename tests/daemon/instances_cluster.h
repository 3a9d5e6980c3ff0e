#pragma once
// Several winnowd on one database against one loopback feed farm, for the suites that watch
// them from outside (instances_test.cc, partition_test.cc): the farm, the daemons as child
// processes with a config each, and the checks made from the farm's request log and from the
// database. See instances_test.cc for what the checks mean.
//
// The database: by default a PostgreSQL database of the test process's throw-away server
// (pg_cluster.h), with kInstances daemons on it. WINNOW_TEST_ARCHIVE_URL overrides it: a
// postgresql:// URL names a scratch database the cases empty first (DROP SCHEMA public);
// `sqlite` runs one daemon on an SQLite file, since SQLite's writer lock admits no second.
//
// Each daemon has a config of its own that differs only in its User-Agent and its local
// files (the writer lock and extraction journal, per machine), so that the farm's log tells
// which daemon sent a request. With `proxied`, each daemon reaches the throw-away server
// through a TcpProxy of its own (tcp_proxy.h), which the test can cut.
#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <array>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/farm.h"
#include "tests/daemon/feed_farm.h"
#include "tests/daemon/pg_cluster.h"
#include "tests/daemon/tcp_proxy.h"
#include "tests/daemon/temp_dir.h"
#include "tests/daemon/winnowd_config.h"

namespace winnow::testing::instances {

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
  bool throw_away = false;  // a database of PgCluster::shared()
};

// A fresh database for one case (see the top of the file).
inline Backend backend() {
  const char* env = std::getenv("WINNOW_TEST_ARCHIVE_URL");
  const std::string url = env ? env : "";
  if (url == "sqlite") return {};
  if (url.empty()) return {PgCluster::shared().create_database(), kInstances, true};
  PgCluster::exec(url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
  return {url, kInstances};
}

inline std::string on_host(const std::string& url, int feed) {
  std::string out = url;
  const std::string from = "127.0.0.1";
  out.replace(out.find(from), from.size(), kHosts[std::size_t(feed) % kHosts.size()]);
  return out;
}

inline std::string user_agent(int instance) { return "winnow-instance-" + std::to_string(instance); }

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
  static constexpr int kPages = kFeeds * kEntries;
  static constexpr double kIntervalMin = 0.05;  // 3 s: what the farm's log is checked against
  // 3 s less the 10% jitter, less the timer's slack.
  static constexpr double kMinGapS = kIntervalMin * 60 * 0.85;

  TempDir dir;
  Backend db = backend();
  HostMeter meter;
  std::unique_ptr<FeedFarm> farm;
  // With `proxied`, daemon N's way to the database (a proxy per daemon, in front of the
  // server's Unix socket).
  std::vector<std::unique_ptr<TcpProxy>> proxies;
  std::vector<std::unique_ptr<Daemon>> daemons;
  std::vector<std::string> logs;

  // `split`: daemon N subscribes only the feeds of host N and starts once the one before it
  // has loaded, so that each is likely to claim a host of its own and all of them poll
  // (otherwise the first daemon up claims every feed and host, and the others wait).
  // `proxied`: on the throw-away server only (else no proxy is made). `page_delay`: how long
  // the farm takes to serve a page. `statement_timeout_s`: [archive] statement_timeout_s
  // when set.
  explicit Cluster(long lease_s = 120, bool split = false, bool proxied = false,
                   std::chrono::milliseconds page_delay = 20ms, std::optional<double> statement_timeout_s = {}) {
    FeedFarm::Options options;
    options.feeds = kFeeds;
    options.entries = kEntries;
    options.server_threads = 8;
    options.validators = true;
    farm = std::make_unique<FeedFarm>(
        options,
        [this, page_delay](int f, int e) {
          const int host = f % int(kHosts.size());
          meter.enter(host);
          std::this_thread::sleep_for(page_delay);
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
    config.statement_timeout_s = statement_timeout_s;
    if (!db.archive_url.empty()) config.archive_url = db.archive_url;
    for (int n = 0; n < db.instances; ++n) {
      const std::string name = "winnowd-" + std::to_string(n);
      config.user_agent = user_agent(n);
      if (split && db.instances > 1) {
        config.feed_urls.clear();
        for (int f = n; f < kFeeds; f += int(kHosts.size())) config.feed_urls.push_back(feeds[std::size_t(f)]);
        if (n > 0 && !daemons.back()->wait_loaded(20s)) throw std::runtime_error("winnowd did not start: see " + logs.back());
      }
      // On PostgreSQL, `archive` names the local files only (one set per daemon, as on
      // machines of their own); on SQLite it is the archive.
      if (!db.archive_url.empty()) config.archive = name + ".db";
      if (proxied && db.throw_away) {
        // The database's name is the URL's path: postgresql:///NAME?host=...
        const std::string& url = db.archive_url;
        const std::size_t from = std::string("postgresql:///").size();
        const std::string database = url.substr(from, url.find('?') - from);
        proxies.push_back(std::make_unique<TcpProxy>((PgCluster::shared().directory() / ".s.PGSQL.5432").string()));
        config.archive_url =
            "postgresql://winnow@127.0.0.1:" + std::to_string(proxies.back()->port()) + "/" + database;
      }
      const std::string path = dir.file(name + ".toml");
      write_config(path, config);
      logs.push_back(dir.file(name + ".log"));
      daemons.push_back(std::make_unique<Daemon>(path, logs.back()));
    }
  }

  ~Cluster() {
    for (auto& d : daemons)
      if (d->running()) d->terminate(10s);
    namespace ut = boost::unit_test;
    if (!ut::results_collector.results(ut::framework::current_test_case().p_id).passed()) {
      write_farm_log();
      dir.keep();
    }
  }

  bool on_postgres() const { return !db.archive_url.empty(); }

  // Starts daemon `n` again (after it exited) with its config, logging to a new file.
  void restart(int n) {
    const std::string name = "winnowd-" + std::to_string(n);
    logs.push_back(dir.file(name + "-again.log"));
    daemons[std::size_t(n)] = std::make_unique<Daemon>(dir.file(name + ".toml"), logs.back());
  }

  // A figure from the archive, read beside the daemons.
  std::int64_t integer(const std::string& sql) {
    if (on_postgres()) return PgCluster::integer(db.archive_url, sql);
    Probe probe(dir.file("archive.db"));
    return probe.integer(sql);
  }

  std::uint64_t page_hits() const {
    std::uint64_t n = 0;
    for (const auto& r : farm->server().requests())
      if (r.path.starts_with("/a/")) ++n;
    return n;
  }

  // Articles archived, or -1 while the schema is not there yet.
  std::int64_t articles() {
    try {
      return integer("SELECT count(*) FROM articles");
    } catch (const std::exception&) {
      return -1;
    }
  }

  bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!done()) {
      if (Clock::now() > deadline) return false;
      std::this_thread::sleep_for(20ms);
    }
    return true;
  }

  // The daemon whose feed request reached the farm first, or -1 before any.
  int first_poller() const {
    for (const auto& r : farm->server().requests())
      if (r.path.starts_with("/feed/")) return sender(r);
    return -1;
  }

  // Which daemon sent `r` (by its User-Agent), or -1.
  static int sender(const TestRequest& r) {
    const std::string ua = r.header("user-agent");
    for (int n = 0; n < kInstances; ++n)
      if (ua.find(user_agent(n)) != std::string::npos) return n;
    return -1;
  }

  // Feed polls in [from, to), per feed path: when, and by which daemon.
  std::map<std::string, std::vector<std::pair<Clock::time_point, int>>> polls(Clock::time_point from,
                                                                             Clock::time_point to = Clock::time_point::max()) {
    std::map<std::string, std::vector<std::pair<Clock::time_point, int>>> out;
    for (const auto& r : farm->server().requests())
      if (r.path.starts_with("/feed/") && r.at >= from && r.at < to) out[r.path].emplace_back(r.at, sender(r));
    for (auto& [path, at] : out) std::sort(at.begin(), at.end());
    return out;
  }

  // The farm's own log: each feed polled since `since`, its polls at least `gap_s` apart;
  // every page fetched, and with `pages_once` each once; no host above its concurrency.
  void check_farm_log(double gap_s, Clock::time_point since = {}, bool pages_once = true) {
    std::map<std::string, int> pages;
    for (const auto& r : farm->server().requests())
      if (r.path.starts_with("/a/")) ++pages[r.path];
    const auto by_feed = polls(since);
    BOOST_TEST(by_feed.size() == std::size_t(kFeeds));
    for (const auto& [path, at] : by_feed) {
      for (std::size_t i = 1; i < at.size(); ++i) {
        const double gap = std::chrono::duration<double>(at[i].first - at[i - 1].first).count();
        BOOST_TEST(gap >= gap_s, path << " polled again after " << gap << " s, by daemons " << at[i - 1].second
                                      << " and " << at[i].second);
      }
    }
    BOOST_TEST(pages.size() == std::size_t(kPages));
    if (pages_once)
      for (const auto& [path, hits] : pages) BOOST_TEST(hits == 1, path << " fetched " << hits << " times");
    for (std::size_t h = 0; h < kHosts.size(); ++h)
      BOOST_TEST(meter.max[h] <= kPerHostConcurrency, kHosts[h] << " had " << meter.max[h] << " requests at once");
  }

  // Every page archived once, by whichever daemon.
  void check_archived_once() {
    BOOST_TEST(integer("SELECT count(*) FROM articles") == kPages);
    BOOST_TEST(integer("SELECT count(DISTINCT normalized_url) FROM articles") == kPages);
  }

  // Every daemon still running stops (SIGTERM); none leaves a lease behind. A daemon killed
  // before leaves its own, which run out by themselves: `dead` skips the check.
  void stop_and_check_leases(bool dead = false) {
    for (auto& d : daemons)
      if (d->running()) BOOST_TEST_REQUIRE(d->terminate(10s).has_value());
    if (dead) return;
    BOOST_TEST(integer("SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL") == 0);
    BOOST_TEST(integer("SELECT count(*) FROM host_leases") == 0);
  }

  // The files a failure's message names; the destructor keeps them when the case failed.
  std::string see_logs() const {
    std::string out = "see " + dir.file("farm.log");
    for (const auto& l : logs) out += ", " + l;
    return out;
  }

  // The farm's log beside the daemons' (seconds since the first request, daemon, target).
  void write_farm_log() const {
    const auto requests = farm->server().requests();
    if (FILE* out = std::fopen(dir.file("farm.log").c_str(), "w")) {
      for (const auto& r : requests)
        std::fprintf(out, "%8.3f %d %s\n", std::chrono::duration<double>(r.at - requests.front().at).count(),
                     sender(r), r.target.c_str());
      std::fclose(out);
    }
  }


};

// Waits until every feed has been polled since `since` by a daemon other than `not_by`:
// how long that took, or nullopt after `timeout`.
inline std::optional<double> wait_taken_over(Cluster& cluster, Clock::time_point since, int not_by,
                                      std::chrono::milliseconds timeout) {
  const bool taken = cluster.wait_for(
      [&] {
        std::size_t feeds = 0;
        for (const auto& [path, at] : cluster.polls(since))
          feeds += std::any_of(at.begin(), at.end(), [&](const auto& p) { return p.second != not_by; }) ? 1 : 0;
        return feeds == std::size_t(Cluster::kFeeds);
      },
      timeout);
  if (!taken) return std::nullopt;
  return std::chrono::duration<double>(Clock::now() - since).count();
}

}  // namespace winnow::testing::instances
