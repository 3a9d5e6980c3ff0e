// Scale-out on one PostgreSQL (docs/scale-out.md): articles per second with 1, 2 and 3
// winnowd sharing one database, against one farm of RSS feeds and real article pages on many
// host names of 127.0.0.1, served by the Beast test server in this process. The database is
// a throw-away server started here (pg_server.h: fsync on, shared_buffers 128 MB, Unix
// socket), a fresh database per run; every winnowd is a child process with a config of its
// own (its own User-Agent and local files, as on machines of their own).
//
//   scale_bench [--instances 1,2,3] [--hosts H] [--feeds-per-host F] [--entries M]
//               [--timeout-s S] [--server-threads N] [--pages DIR] [--winnowd PATH] [--keep]
//               [--statements N]
//       Defaults: 1,500 hosts x 1 feed x 4 entries = 6,000 articles per run. For each count
//       of instances: the feeds written to a new database, due a few seconds later; the
//       daemons started and loaded meanwhile, so that they claim together; timed from that
//       moment to the last article archived. One line per count: articles/s, CPU of the
//       daemons, the server and the farm per article, database bytes per article, and how
//       the articles were split between the daemons. With --statements N, the server loads
//       pg_stat_statements and each run also lists its N statements that took the most time.
//
// Why due together, and why many hosts: claiming a feed claims its host, and a claim takes up
// to 256 due feeds (max_polls_in_flight). A daemon that finds every feed due on its own takes
// them all as fast as its admission allows, with their hosts, and a host leased stays with it
// while its pages are fetched: with fewer hosts than a claim (150 hosts x 4 feeds, all due
// at the first start) the first daemon up archived 6,000 of 6,000 and the others none.
//
// Host names: every farm URL names 127.0.0.1 in a spelling of its own ("127.0.00.1",
// "127.00.0.01", ...: inet_aton reads leading zeros as octal zeros), so winnowd sees H hosts
// to lease and pace, and every request still reaches the farm.
#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/bench_args.h"
#include "bench/daemon_run.h"
#include "bench/pg_server.h"
#include "bench/real_pages.h"
#include "daemon/archive/archive.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/farm.h"
#include "tests/daemon/feed_farm.h"
#include "tests/daemon/pg_cluster.h"
#include "tests/daemon/temp_dir.h"
#include "tests/daemon/winnowd_config.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using winnow::bench::PgServer;
using winnow::testing::Daemon;
using winnow::testing::PgCluster;
using winnow::testing::TempDir;
using winnow::testing::WinnowdConfig;
using winnow::testing::farm::FeedFarm;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct Options {
  std::string winnowd = winnow::testing::winnowd_path();
  fs::path pages_dir = fs::path(WINNOW_SOURCE_DIR) / "../shared/bench/zyte/html";
  std::vector<int> instances = {1, 2, 3};
  int hosts = 1500;
  int feeds_per_host = 1;
  int entries = 4;
  int timeout_s = 600;
  unsigned server_threads = 4;
  bool keep = false;
  std::optional<int> compact_level;  // [archive] compact_level; unset: winnowd's default
  int statements = 0;                 // top statements to list per run; 0: pg_stat_statements not loaded
};

Options parse_options(int argc, char** argv) {
  using winnow::bench::po::value;
  Options o;
  std::string instances = "1,2,3", pages = o.pages_dir.string();
  int compact_level = -1;
  winnow::bench::po::options_description options("options");
  options.add_options()
      ("instances", value(&instances)->default_value(instances), "winnowd counts to run, one run each")
      ("hosts", value(&o.hosts)->default_value(o.hosts), "host names of 127.0.0.1 (at most 15,872)")
      ("feeds-per-host", value(&o.feeds_per_host)->default_value(o.feeds_per_host), "feeds on each host")
      ("entries", value(&o.entries)->default_value(o.entries), "entries per feed, each a page")
      ("timeout-s", value(&o.timeout_s)->default_value(o.timeout_s), "give up a run after S seconds")
      ("server-threads", value(&o.server_threads)->default_value(o.server_threads), "the farm's threads")
      ("pages", value(&pages)->default_value(pages), "real pages to serve (*.html, *.html.gz)")
      ("winnowd", value(&o.winnowd)->default_value(o.winnowd), "the winnowd to run")
      ("keep", winnow::bench::po::bool_switch(&o.keep), "keep the runs' directories")
      ("compact-level", value(&compact_level), "winnowd's [archive] compact_level (0: no raw page compaction; "
       "default: winnowd's)")
      ("statements", value(&o.statements)->default_value(o.statements),
       "list the N statements that took the server the most time in each run (pg_stat_statements)");
  winnow::bench::parse_args(argc, argv, "scale_bench", options);
  o.pages_dir = pages;
  if (compact_level >= 0) o.compact_level = compact_level;
  o.instances.clear();
  std::stringstream list(instances);
  for (std::string n; std::getline(list, n, ',');) {
    char* end = nullptr;
    const long count = std::strtol(n.c_str(), &end, 10);
    winnow::bench::require(!n.empty() && *end == '\0' && count >= 1 && count <= 64, "scale_bench",
                           "--instances: a list of counts from 1, such as 1,2,3");
    o.instances.push_back(int(count));
  }
  winnow::bench::require(!o.instances.empty() && o.hosts >= 1 && o.hosts <= 256 * 62 && o.feeds_per_host >= 1 &&
                             o.entries >= 1 && o.timeout_s >= 1 && o.server_threads >= 1 && o.server_threads <= 256 &&
                             o.statements >= 0,
                         "scale_bench", "counts and times must be positive (hosts at most 15,872)");
  return o;
}

// Host `h`'s spelling of 127.0.0.1: "127." 0{a} "." 0{b} "." 0{c} "1", a and b from 1 to 16.
std::string host_name(int h) {
  const auto zeros = [](int n) { return std::string(std::size_t(n), '0'); };
  return "127." + zeros(1 + h % 16) + "." + zeros(1 + h / 16 % 16) + "." + zeros(h / 256) + "1";
}

// `url` (on 127.0.0.1) on host `h`'s name.
std::string on_host(std::string url, int h) {
  const std::string from = "127.0.0.1";
  url.replace(url.find(from), from.size(), host_name(h));
  return url;
}

// The farm: feed F on host F % hosts; each entry's page a real page with bytes of its own,
// linked and canonical on the feed's host.
struct Farm {
  Farm(const std::vector<winnow::bench::PageTemplate>& pages, const Options& o)
      : pages(pages),
        o(o),
        farm({.feeds = o.hosts * o.feeds_per_host, .entries = o.entries, .server_threads = o.server_threads,
              .record_requests = false},
             [this](int f, int e) {
               const auto& t = this->pages[std::size_t(f * this->o.entries + e) % this->pages.size()];
               return winnow::testing::farm::html_response(
                   winnow::bench::render_page(t, f, e, on_host(farm.page_url(f, e), f % this->o.hosts)), "text/html");
             },
             [this](int f, int e) {
               winnow::testing::farm::Item item;
               item.title = "Story " + std::to_string(f) + "-" + std::to_string(e);
               item.link = on_host(farm.page_url(f, e), f % this->o.hosts);
               item.id = "urn:winnow-scale:" + std::to_string(f) + "-" + std::to_string(e);
               item.description = "Entry " + std::to_string(e) + " of feed " + std::to_string(f) + ".";
               return item;
             }) {}

  std::vector<std::string> feed_urls() const {
    std::vector<std::string> out;
    for (int f = 0; f < o.hosts * o.feeds_per_host; ++f) out.push_back(on_host(farm.feed_url(f), f % o.hosts));
    return out;
  }

  const std::vector<winnow::bench::PageTemplate>& pages;
  const Options& o;
  FeedFarm farm;  // last: serves from the constructor on
};

// "stopped archived=N" from a winnowd's log: the articles it archived, or -1.
long archived_by(const Daemon& d) {
  for (const auto& line : d.log_lines()) {
    const auto at = line.find("stopped archived=");
    if (at != std::string::npos) return std::atol(line.c_str() + at + 17);
  }
  return -1;
}

struct RunResult {
  int instances = 0;
  long articles = 0, distinct_urls = 0;
  double wall_s = 0, winnowd_cpu_s = 0, server_cpu_s = 0;
  std::int64_t db_bytes = 0, db_bytes_before = 0;
  std::vector<long> split;
  std::string url;  // the run's database
  bool complete = false;
};

RunResult run(int instances, const Options& o, Farm& farm, const TempDir& tmp) {
  RunResult r;
  r.instances = instances;
  PgServer& server = PgServer::shared();
  const std::string url = server.create_database();
  r.url = url;
  {
    auto archive = winnow::archive::Archive::open(url);  // the schema, and the feeds
    archive->transaction([&] {
      for (const auto& feed : farm.feed_urls()) archive->add_feed(feed, "", "");
    });
  }
  // Due once every daemon has loaded: they claim together (see the top of the file).
  const auto wall_now = std::chrono::system_clock::now();
  const std::int64_t due_s =
      std::chrono::duration_cast<std::chrono::seconds>(wall_now.time_since_epoch()).count() + 3 + instances;
  PgCluster::exec(url, "UPDATE feeds SET next_poll = " + std::to_string(due_s));
  const auto due = Clock::now() + (std::chrono::system_clock::time_point(std::chrono::seconds(due_s)) - wall_now);
  PgCluster::exec(url, "VACUUM ANALYZE");
  r.db_bytes_before = PgServer::database_bytes(url);
  if (o.statements > 0) PgServer::reset_statements(url);
  const long target = long(o.hosts) * o.feeds_per_host * o.entries;

  std::vector<std::unique_ptr<Daemon>> daemons;
  const double server_cpu_before = server.cpu_s();
  for (int n = 0; n < instances; ++n) {
    const std::string name = "run" + std::to_string(instances) + "-winnowd-" + std::to_string(n);
    WinnowdConfig config = winnow::bench::bench_config(tmp.path() / (name + ".db"), "info");
    config.archive_url = url;
    config.compact_level = o.compact_level;
    config.user_agent = "winnow-scale-bench/" + std::to_string(n);
    write_config(tmp.file(name + ".toml"), config);
    daemons.push_back(std::make_unique<Daemon>(tmp.file(name + ".toml"), tmp.file(name + ".log"), std::vector<std::string>{},
                                               o.winnowd));
  }
  for (auto& d : daemons)
    if (!d->wait_loaded(std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now())))
      throw std::runtime_error("a winnowd had not loaded its feeds when they fell due: see " + tmp.path().string());
  std::this_thread::sleep_until(due);
  const auto t0 = Clock::now();
  long archived = 0;
  auto next_report = t0 + std::chrono::seconds(10);
  for (;;) {
    // max(id) reads one index entry; count(*) scans the table, and every 100 ms that cost the
    // server 0.3 ms per article of its own (pg_stat_statements). Ids may have gaps (a batch
    // rolled back), so the count confirms.
    try {
      if (PgCluster::integer(url, "SELECT coalesce(max(id), 0) FROM articles") >= target)
        archived = long(PgCluster::integer(url, "SELECT count(*) FROM articles"));
      else if (Clock::now() >= next_report)
        archived = long(PgCluster::integer(url, "SELECT count(*) FROM articles"));
    } catch (const std::exception&) {
    }
    if (archived >= target) {
      r.complete = true;
      break;
    }
    if (seconds_since(t0) > o.timeout_s) break;
    bool died = false;
    for (auto& d : daemons) died = died || !d->running();
    if (died) throw std::runtime_error("a winnowd exited during the run: see " + tmp.path().string());
    if (Clock::now() >= next_report) {
      std::printf("  %d instance(s), t=%3.0f s: %ld articles\n", instances, seconds_since(t0), archived);
      std::fflush(stdout);
      next_report += std::chrono::seconds(10);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  r.wall_s = seconds_since(t0);
  for (auto& d : daemons)
    if (auto cpu = winnow::bench::read_cpu(d->pid())) r.winnowd_cpu_s += cpu->total();
  for (auto& d : daemons) {
    if (!d->terminate(std::chrono::seconds(60))) d->kill9();
    r.split.push_back(archived_by(*d));
  }
  r.server_cpu_s = server.cpu_s() - server_cpu_before;  // its backends ended with the daemons
  r.articles = long(PgCluster::integer(url, "SELECT count(*) FROM articles"));
  r.distinct_urls = long(PgCluster::integer(url, "SELECT count(DISTINCT normalized_url) FROM articles"));
  PgCluster::exec(url, "CHECKPOINT");
  r.db_bytes = PgServer::database_bytes(url);
  return r;
}

int run_all(const Options& o) {
  fs::path used;
  const auto pages = winnow::bench::load_pages(o.pages_dir, used);
  if (pages.empty()) throw std::runtime_error("no pages in " + o.pages_dir.string());
  std::size_t page_bytes = 0;
  for (const auto& p : pages) page_bytes += p.bytes();
  const long target = long(o.hosts) * o.feeds_per_host * o.entries;

  std::printf("== scale_bench: winnowd instances on one PostgreSQL ==\n");
  winnow::bench::print_machine();
  PgServer& server = PgServer::shared("128MB", o.statements > 0);
  server.print_settings();
  std::printf("pages: %zu real pages from %s, mean %.0f KB\n", pages.size(), used.lexically_normal().c_str(),
              double(page_bytes) / double(pages.size()) / 1024);
  std::printf("farm: %d hosts x %d feeds x %d entries = %ld articles per run (%u server threads)\n", o.hosts,
              o.feeds_per_host, o.entries, target, o.server_threads);
  std::printf("winnowd config: daemon_bench's (per_host_concurrency %d, min_delay_s %g, each feed polled once, "
              "extract.workers = one per core), lease_s 120\n",
              winnow::bench::kFarmPerHostConcurrency, winnow::bench::kFarmMinDelayS);
  std::fflush(stdout);

  TempDir tmp("winnow-scale");
  if (o.keep) tmp.keep();
  Farm farm(pages, o);
  std::vector<RunResult> results;
  for (int n : o.instances) {
    const double bench_before = winnow::bench::self_cpu_s();
    results.push_back(run(n, o, farm, tmp));
    const RunResult& r = results.back();
    const double bench_cpu = winnow::bench::self_cpu_s() - bench_before;
    std::string split;
    for (long a : r.split) split += (split.empty() ? "" : "/") + std::to_string(a);
    const double per = r.articles ? 1000.0 / double(r.articles) : 0;
    std::printf("instances %d: %ld articles%s in %.1f s = %.1f articles/s; CPU per article: winnowd %.1f ms, "
                "PostgreSQL %.1f ms, farm %.1f ms; %.2f cores busy; database %.0f bytes per article "
                "(%.1f MB); split %s%s\n",
                r.instances, r.articles, r.complete ? "" : " (TIMED OUT)", r.wall_s, double(r.articles) / r.wall_s,
                r.winnowd_cpu_s * per, r.server_cpu_s * per, bench_cpu * per,
                (r.winnowd_cpu_s + r.server_cpu_s + bench_cpu) / r.wall_s,
                r.articles ? double(r.db_bytes - r.db_bytes_before) / double(r.articles) : 0.0, double(r.db_bytes) / 1e6,
                split.c_str(), r.distinct_urls == r.articles ? "" : " DUPLICATE URLS");
    if (o.statements > 0) PgServer::print_statements(r.url, r.articles, o.statements);
    std::fflush(stdout);
  }
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("load average at the end %.2f\n", load[0]);
  for (const auto& r : results)
    if (!r.complete || r.distinct_urls != r.articles) return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run_all(parse_options(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scale_bench: %s\n", e.what());
    return 1;
  }
}
