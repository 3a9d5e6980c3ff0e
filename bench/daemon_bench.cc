// End-to-end benchmark of winnowd: a farm of RSS feeds and real article pages served on
// 127.0.0.1 by the Beast test server in this process (tests/daemon/feed_farm.h, pages from
// real_pages.h), winnowd started as a child process on a config written to a temp dir
// (tests/daemon/child_process.h), and every figure taken from outside: the archive
// (read-only SQLite beside winnowd's writer; WAL allows it), /proc/PID and wait4().
//
//   daemon_bench [--farm-feeds N] [--entries M] [--timeout-s S] [--log-level L] [--keep] [--compact-level N]
//       Throughput (default 1,000 feeds x 20 entries): articles archived per second from
//       the start of winnowd to its last article, CPU seconds per article, peak RSS.
//   daemon_bench --feeds N
//       Memory per scheduled feed: RSS of winnowd holding N feeds (written to the archive
//       beforehand, next poll a day away, so none is polled) minus RSS with an empty archive.
//
//   Common: [--winnowd PATH] [--server-threads N] [--pages DIR]
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/bench_args.h"
#include "bench/daemon_run.h"
#include "bench/real_pages.h"
#include "daemon/archive/archive.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/farm.h"
#include "tests/daemon/feed_farm.h"
#include "tests/daemon/probe.h"
#include "tests/daemon/temp_dir.h"
#include "tests/daemon/test_server.h"
#include "tests/daemon/winnowd_config.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using winnow::bench::kFarmMinDelayS;
using winnow::bench::kFarmPerHostConcurrency;
using winnow::bench::print_machine;
using winnow::bench::ProcCpu;
using winnow::bench::read_cpu;
using winnow::bench::read_status_mb;
using winnow::bench::RealPageFarm;
using winnow::bench::self_cpu_s;
using winnow::bench::thread_cpu;
using winnow::bench::ThreadCpu;
using winnow::testing::Daemon;
using winnow::testing::Probe;
using winnow::testing::TempDir;
using winnow::testing::WinnowdConfig;
using winnow::testing::farm::FeedFarm;

// Targets set by the owner for this 2-core machine.
constexpr double kTargetArticlesPerS = 300;
constexpr double kTargetPeakRssMb = 250;
constexpr double kTargetExtraMbPer100kFeeds = 100;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// ---- winnowd ----------------------------------------------------------------------------

// SIGTERM, then reaps it (SIGKILL after `grace`); returns the CPU seconds of its whole life.
double stop(Daemon& daemon, std::chrono::seconds grace) {
  if (!daemon.terminate(grace)) {
    daemon.kill9();
    std::fprintf(stderr, "daemon_bench: winnowd did not stop within %lld s; killed\n", (long long)grace.count());
  }
  return daemon.cpu_s();
}

// What winnowd logged: lines by level (the journald prefix), its first warnings and errors,
// its last lines.
struct LogSummary {
  std::array<std::size_t, 10> lines{};
  std::vector<std::string> problems;
  std::vector<std::string> last;
};

LogSummary summarize_log(const Daemon& daemon) {
  LogSummary s;
  const auto lines = daemon.log_lines();
  for (const auto& line : lines)
    if (line.size() > 2 && line[0] == '<' && line[1] >= '0' && line[1] <= '9') {
      ++s.lines[std::size_t(line[1] - '0')];
      if (line[1] <= '4' && s.problems.size() < 8) s.problems.push_back(line);
    }
  s.last.assign(lines.end() - std::ptrdiff_t(std::min<std::size_t>(lines.size(), 20)), lines.end());
  return s;
}

// ---- options ----------------------------------------------------------------------------

struct Options {
  std::string winnowd = winnow::testing::winnowd_path();
  fs::path pages_dir = fs::path(WINNOW_SOURCE_DIR) / "../shared/bench/zyte/html";
  int farm_feeds = 1000;
  int entries = 20;
  long memory_feeds = 0;  // --feeds N: the memory mode
  int timeout_s = 600;
  unsigned server_threads = 2;
  std::string log_level = "info";
  bool keep = false;
  std::optional<int> compact_level;  // [archive] compact_level; unset: winnowd's default
};

// Throughput by default; --feeds N measures memory per scheduled feed instead.
Options parse_options(int argc, char** argv) {
  using winnow::bench::po::value;
  Options o;
  std::string pages = o.pages_dir.string();
  int compact_level = -1;
  winnow::bench::po::options_description options("options");
  options.add_options()
      ("farm-feeds", value(&o.farm_feeds)->default_value(o.farm_feeds), "feeds in the farm (throughput)")
      ("entries", value(&o.entries)->default_value(o.entries), "entries per feed, each a page")
      ("feeds", value(&o.memory_feeds), "memory mode: RSS of winnowd holding N scheduled feeds")
      ("timeout-s", value(&o.timeout_s)->default_value(o.timeout_s), "give up after S seconds")
      ("log-level", value(&o.log_level)->default_value(o.log_level), "winnowd's log level")
      ("keep", winnow::bench::po::bool_switch(&o.keep), "keep the archive and the log")
      ("winnowd", value(&o.winnowd)->default_value(o.winnowd), "the winnowd to run")
      ("server-threads", value(&o.server_threads)->default_value(o.server_threads), "the farm's threads")
      ("pages", value(&pages)->default_value(pages), "real pages to serve (*.html, *.html.gz)")
      ("compact-level", value(&compact_level), "winnowd's [archive] compact_level (0: no raw page compaction; "
       "default: winnowd's)");
  winnow::bench::parse_args(argc, argv, "daemon_bench", options);
  if (compact_level >= 0) o.compact_level = compact_level;
  o.pages_dir = pages;
  winnow::bench::require(o.farm_feeds >= 1 && o.entries >= 1 && o.timeout_s >= 1 && o.server_threads >= 1 &&
                             o.server_threads <= 256 && o.memory_feeds >= 0,
                         "daemon_bench", "counts and times must be positive");
  return o;
}

// ---- report -----------------------------------------------------------------------------

void print_problems(const Daemon& d) {
  const auto problems = summarize_log(d).problems;
  if (problems.empty()) return;
  std::printf("first warnings/errors of winnowd:\n");
  for (const auto& p : problems) std::printf("  %s\n", p.c_str());
}

void print_tail(const Daemon& d) {
  std::fprintf(stderr, "last lines of winnowd's log:\n");
  for (const auto& l : summarize_log(d).last) std::fprintf(stderr, "  %s\n", l.c_str());
}

const char* verdict(bool ok) { return ok ? "meets target" : "MISSES target"; }

// ---- throughput -------------------------------------------------------------------------

int run_throughput(const Options& o) {
  fs::path pages_dir;
  auto load_start = Clock::now();
  const auto pages = winnow::bench::load_pages(o.pages_dir, pages_dir);
  if (pages.empty()) throw std::runtime_error("no pages in " + o.pages_dir.string() + " nor in the seeds");
  std::size_t page_bytes = 0;
  for (const auto& p : pages) page_bytes += p.bytes();
  const long target = long(o.farm_feeds) * o.entries;

  std::printf("== daemon_bench: throughput ==\n");
  print_machine();
  std::printf("pages: %zu real pages from %s, mean %.0f KB, loaded in %.2f s\n", pages.size(),
              pages_dir.lexically_normal().c_str(), double(page_bytes) / double(pages.size()) / 1024,
              seconds_since(load_start));
  std::printf("farm: %d RSS feeds x %d entries = %ld articles on 127.0.0.1 (%u server threads, uncompressed)\n",
              o.farm_feeds, o.entries, target, o.server_threads);
  std::printf("winnowd config: per_host_concurrency = %d, min_delay_s = %g (tuned for the farm: every feed is on\n"
              "  127.0.0.1, one host; defaults are 2 and 1.0), obey_robots = true (permissive robots.txt),\n"
              "  intervals 24 h (each feed polled once), extract.workers = 0 (one per core), log.level = %s\n",
              kFarmPerHostConcurrency, kFarmMinDelayS, o.log_level.c_str());

  TempDir tmp("winnow-dbench");
  if (o.keep) tmp.keep();
  // Each page is one of the real ones, chosen by entry; uncompressed, as served.
  RealPageFarm real_farm(pages, o.farm_feeds, o.entries, o.server_threads);
  FeedFarm& farm = real_farm.farm;
  WinnowdConfig config = winnow::bench::bench_config(tmp.path() / "archive.db", o.log_level);
  config.feed_urls = farm.feed_urls();
  config.compact_level = o.compact_level;
  std::printf("archive.compact_level = %s\n", o.compact_level ? std::to_string(*o.compact_level).c_str() : "default");
  write_config(tmp.file("winnowd.toml"), config);
  std::fflush(stdout);

  const double bench_cpu_start = self_cpu_s();
  Daemon daemon(tmp.file("winnowd.toml"), tmp.file("winnowd.log"), {}, o.winnowd);
  const auto t0 = daemon.started();
  if (!daemon.wait_loaded(std::chrono::seconds(60))) {
    print_tail(daemon);
    throw std::runtime_error("winnowd did not load its feeds within 60 s");
  }
  Probe reader(config.archive, Probe::Mode::read_only);

  std::optional<double> first_s, last_s;
  std::int64_t archived = 0;
  auto next_report = t0 + std::chrono::seconds(10);
  std::int64_t archived_at_report = 0;
  bool died = false;
  std::printf("progress (every 10 s):\n");
  for (;;) {
    archived = reader.find_integer("SELECT count(*) FROM articles").value_or(archived);
    const double t = seconds_since(t0);
    if (archived > 0 && !first_s) first_s = t;
    if (archived >= target) {
      last_s = t;
      break;
    }
    if (!daemon.running()) {
      died = true;
      break;
    }
    if (t > o.timeout_s) break;
    if (Clock::now() >= next_report) {
      auto cpu = read_cpu("/proc/" + std::to_string(daemon.pid()) + "/stat");
      std::printf("  t=%4.0f s  archived=%6lld (%5.1f/s)  served feeds=%5llu pages=%6llu  winnowd cpu=%6.1f s  rss=%5.0f MB\n",
                  t, (long long)archived, double(archived - archived_at_report) / 10.0,
                  (unsigned long long)farm.counters().feeds.load(),
                  (unsigned long long)farm.counters().pages.load(), cpu ? cpu->total() : 0.0,
                  read_status_mb(daemon.pid(), "VmRSS:").value_or(0));
      std::fflush(stdout);
      next_report += std::chrono::seconds(10);
      archived_at_report = archived;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double end_s = last_s.value_or(seconds_since(t0));
  const double bench_cpu = self_cpu_s() - bench_cpu_start;
  const ProcCpu cpu = died ? ProcCpu{} : read_cpu("/proc/" + std::to_string(daemon.pid()) + "/stat").value_or(ProcCpu{});
  const double hwm = died ? 0 : read_status_mb(daemon.pid(), "VmHWM:").value_or(0);
  const double rss = died ? 0 : read_status_mb(daemon.pid(), "VmRSS:").value_or(0);
  const auto threads = died ? std::vector<ThreadCpu>{} : thread_cpu(daemon.pid());
  const std::uint64_t served = farm.counters().total();
  const double life_cpu = stop(daemon, std::chrono::seconds(60));
  if (died) {
    print_tail(daemon);
    throw std::runtime_error("winnowd exited during the run (status " + std::to_string(daemon.exit_status().value_or(0)) +
                             ")");
  }
  const LogSummary log = summarize_log(daemon);

  // What the archive holds, now that winnowd is gone.
  auto a = reader.find_integer("SELECT count(*) FROM articles").value_or(archived);
  auto near = reader.find_integer("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").value_or(-1);
  auto from_feed = reader.find_integer("SELECT count(*) FROM articles WHERE source = 'feed'").value_or(-1);
  auto distinct_fp = reader.find_integer("SELECT count(DISTINCT fingerprint) FROM articles").value_or(-1);
  std::uintmax_t db_bytes = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    auto size = fs::file_size(fs::path(config.archive + suffix), ec);
    if (!ec) db_bytes += size;
  }

  const double rate = double(archived) / end_s;
  const double per_article = archived ? cpu.total() / double(archived) : 0;
  std::printf("\n-- results: %s --\n", last_s ? "all articles archived" : "TIMED OUT before the last article");
  std::printf("articles archived          %lld of %ld\n", (long long)archived, target);
  std::printf("wall time to last article  %.1f s (from starting winnowd)\n", end_s);
  std::printf("time to first article      %.2f s\n", first_s.value_or(0));
  std::printf("articles per second        %.1f   (target >= %.0f: %s)\n", rate, kTargetArticlesPerS,
              verdict(rate >= kTargetArticlesPerS && last_s.has_value()));
  if (first_s && end_s > *first_s)
    std::printf("  after the first article  %.1f /s\n", double(archived - 1) / (end_s - *first_s));
  std::printf("winnowd CPU                %.1f s (user %.1f + system %.1f) = %.2f cores busy\n",
              cpu.total(), cpu.user_s, cpu.system_s, cpu.total() / end_s);
  std::printf("CPU seconds per article    %.4f s (%.1f ms)\n", per_article, per_article * 1000);
  std::printf("peak RSS of winnowd        %.1f MB (VmHWM; VmRSS at the end %.1f MB)   (target <= %.0f MB: %s)\n",
              hwm, rss, kTargetPeakRssMb, verdict(hwm > 0 && hwm <= kTargetPeakRssMb));
  std::printf("bench process CPU          %.1f s = %.2f cores (farm server, %u threads + this poller)\n", bench_cpu,
              bench_cpu / end_s, o.server_threads);
  std::printf("winnowd CPU incl. shutdown %.1f s (wait4)\n", life_cpu);
  std::printf("requests served            %llu: feeds %llu, pages %llu, robots.txt %llu, other %llu; %zu connections\n",
              (unsigned long long)served, (unsigned long long)farm.counters().feeds.load(),
              (unsigned long long)farm.counters().pages.load(), (unsigned long long)farm.counters().robots.load(),
              (unsigned long long)farm.counters().other.load(), farm.server().connections());
  std::printf("archive                    %lld articles, %lld near-duplicates, %lld from feed content, "
              "%lld distinct fingerprints, %.0f MB on disk\n",
              (long long)a, (long long)near, (long long)from_feed, (long long)distinct_fp, double(db_bytes) / 1e6);
  std::printf("winnowd log lines          %zu errors, %zu warnings, %zu info\n", log.lines[3], log.lines[4],
              log.lines[6]);
  std::printf("winnowd threads, CPU       (in creation order; ms per archived article)\n");
  for (std::size_t i = 0; i < threads.size(); ++i)
    std::printf("  #%zu%-8s %7.1f s  %6.2f ms\n", i, threads[i].tid == daemon.pid() ? " (main)" : "", threads[i].cpu_s,
                archived ? threads[i].cpu_s * 1000 / double(archived) : 0.0);
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("load average at the end    %.2f %.2f %.2f (other work on the shared cores counts in it)\n", load[0],
              load[1], load[2]);
  print_problems(daemon);
  if (o.keep) std::printf("kept: %s\n", tmp.path().c_str());
  return last_s ? 0 : 1;
}

// ---- memory per scheduled feed ----------------------------------------------------------

struct MemorySample {
  double rss_mb = 0, hwm_mb = 0, load_s = 0;
  long loaded = -1;
};

// Starts winnowd on `archive`, waits for its "feeds loaded" line, lets it settle, reads RSS.
MemorySample measure_loaded(const Options& o, const fs::path& dir, const fs::path& archive, long expect) {
  write_config((dir / "winnowd.toml").string(), winnow::bench::bench_config(archive, o.log_level));
  Daemon daemon((dir / "winnowd.toml").string(), (dir / "winnowd.log").string(), {}, o.winnowd);
  MemorySample m;
  auto loaded = daemon.wait_loaded(std::chrono::seconds(300));
  m.load_s = seconds_since(daemon.started());
  if (!loaded || *loaded != expect) {
    print_tail(daemon);
    throw std::runtime_error("winnowd did not report feeds loaded feeds=" + std::to_string(expect));
  }
  m.loaded = *loaded;
  // The log line is written before the loop finishes the load callback; 2 s lets the
  // temporary vector of rows go and the RSS settle.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  m.rss_mb = read_status_mb(daemon.pid(), "VmRSS:").value_or(0);
  m.hwm_mb = read_status_mb(daemon.pid(), "VmHWM:").value_or(0);
  stop(daemon, std::chrono::seconds(60));
  print_problems(daemon);
  return m;
}

int run_memory(const Options& o) {
  std::printf("== daemon_bench: memory per scheduled feed ==\n");
  print_machine();
  TempDir tmp("winnow-dbench");
  if (o.keep) tmp.keep();
  // Feeds point at the farm so that a poll, if one happened against expectations, stays on
  // 127.0.0.1 and shows in the request count.
  FeedFarm farm({.feeds = 0, .server_threads = 1, .record_requests = false}, {});

  fs::create_directories(tmp.path() / "empty");
  fs::create_directories(tmp.path() / "loaded");
  const fs::path empty_db = tmp.path() / "empty" / "archive.db";
  const fs::path loaded_db = tmp.path() / "loaded" / "archive.db";
  winnow::archive::Archive::open_sqlite(empty_db.string());  // created and migrated, no feeds

  // The feeds as a steady-state daemon holds them: polled an hour ago, with a title, a site
  // URL and validators, next poll a day from now. URLs and strings of realistic length.
  auto fill_start = Clock::now();
  {
    auto archive = winnow::archive::Archive::open_sqlite(loaded_db.string());
    const auto now = std::chrono::system_clock::now();
    const std::int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    const std::string last_modified = winnow::testing::http_date(now - std::chrono::hours(2));
    archive->transaction([&] {
      for (long i = 0; i < o.memory_feeds; ++i) {
        char number[24];
        std::snprintf(number, sizeof number, "%08ld", i);
        const std::string url = farm.url("/feeds/" + std::string(number) + "/world-news/rss.xml");
        winnow::archive::FeedRow row;
        row.id = archive->add_feed(url, "", "");
        row.url = url;
        row.title = std::string("Example Daily ") + number + ": World news";
        row.site_url = "http://127.0.0.1/site/" + std::string(number) + "/world/";
        row.etag = std::string("\"") + number + "-5f3c2a9e7b1d\"";
        row.last_modified = last_modified;
        row.interval_s = 24 * 3600;
        row.last_polled = now_s - 3600;
        row.last_new_entry = now_s - 7200;
        row.next_poll = now_s + 24 * 3600 + i % 3600;
        archive->update_feed(row);
      }
    });
  }
  std::printf("archive: %ld feeds written in %.1f s (next poll in 24 h; title, site URL, ETag, Last-Modified set;\n"
              "  URLs like %s/00000000/world-news/rss.xml)\n",
              o.memory_feeds, seconds_since(fill_start), farm.url("/feeds").c_str());

  const MemorySample empty = measure_loaded(o, tmp.path() / "empty", empty_db, 0);
  const MemorySample loaded = measure_loaded(o, tmp.path() / "loaded", loaded_db, o.memory_feeds);
  const double extra_mb = loaded.rss_mb - empty.rss_mb;
  const double per_100k = o.memory_feeds ? extra_mb * 100000.0 / double(o.memory_feeds) : 0;

  std::printf("\n-- results --\n");
  std::printf("empty archive              RSS %.1f MB (VmHWM %.1f MB), feeds loaded=%ld after %.2f s\n", empty.rss_mb,
              empty.hwm_mb, empty.loaded, empty.load_s);
  std::printf("%-26s RSS %.1f MB (VmHWM %.1f MB), feeds loaded=%ld after %.2f s\n",
              (std::to_string(o.memory_feeds) + " feeds").c_str(), loaded.rss_mb, loaded.hwm_mb, loaded.loaded, loaded.load_s);
  std::printf("extra RSS for the feeds    %.1f MB = %.0f bytes per feed; peak extra (VmHWM) %.1f MB\n", extra_mb,
              o.memory_feeds ? extra_mb * 1024 * 1024 / double(o.memory_feeds) : 0.0, loaded.hwm_mb - empty.hwm_mb);
  std::printf("per 100,000 feeds          %.1f MB   (target <= %.0f MB: %s)\n", per_100k, kTargetExtraMbPer100kFeeds,
              verdict(per_100k <= kTargetExtraMbPer100kFeeds));
  std::printf("requests served meanwhile  %llu (0: no feed was polled)\n",
              (unsigned long long)farm.counters().total());
  if (o.keep) std::printf("kept: %s\n", tmp.path().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  try {
    const Options o = parse_options(argc, argv);
    if (!fs::exists(o.winnowd)) throw std::runtime_error("no winnowd at " + o.winnowd + " (build it, or --winnowd)");
    return o.memory_feeds > 0 ? run_memory(o) : run_throughput(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "daemon_bench: %s\n", e.what());
    return 1;
  }
}

