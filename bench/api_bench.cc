// Load benchmark of winnowd's HTTP API (issue 12): winnowd ingests daemon_bench's farm of
// real pages on 127.0.0.1 (bench/daemon_run.h) once with no API load, then again on a fresh
// archive while client threads read /v1/articles (following cursors, and random pages),
// /v1/search and /v1/feeds/ID/full.atom (some with If-None-Match) over keep-alive
// connections (bench/api_load.h), then once more with no load to show the machine's drift.
// Prints per endpoint requests, requests/s, p50/p99/max latency and errors; and ingestion's
// articles/s under load against the no-load rate, PASS when it keeps >= 80% of it.
//
//   api_bench [--farm-feeds N] [--entries M] [--clients K] [--rate R]... [--no-bracket]
//             [--timeout-s S] [--log-level L] [--winnowd PATH] [--server-threads N]
//             [--pages DIR] [--keep]
//     --rate R: all clients together send R requests/s on a fixed schedule (default 50);
//     0: each client sends its next request when the last is answered (no limit). Given
//     more than once, one loaded run per rate.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/api_load.h"
#include "bench/bench_args.h"
#include "bench/daemon_run.h"
#include "bench/real_pages.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/http_client.h"
#include "tests/daemon/probe.h"
#include "tests/daemon/temp_dir.h"
#include "tests/daemon/winnowd_config.h"

namespace {

namespace fs = std::filesystem;
using namespace winnow::bench;
using Clock = std::chrono::steady_clock;
using winnow::testing::Daemon;
using winnow::testing::Probe;
using winnow::testing::TempDir;

// Issue 12: ingestion under API load stays within 20% of its no-load rate.
constexpr double kMinLoadedRatio = 0.8;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct Options {
  std::string winnowd = winnow::testing::winnowd_path();
  fs::path pages_dir = fs::path(WINNOW_SOURCE_DIR) / "../shared/bench/zyte/html";
  // Half of daemon_bench's 1,000 feeds: three ingestion runs then take about two minutes on
  // this 2-core machine.
  int farm_feeds = 500;
  int entries = 20;
  int clients = 4;
  // Empty: {50}. 50/s is about what this mix gets from winnowd while it ingests on this
  // shared 2-core machine (2026-12-02, two runs: 47-48 requests/s sent when asked for 50,
  // 59-77 for 200, 69-99 with no limit; 2026-12-03, with search's snippets for the best
  // hits only and the readers at nice 10: 49.1 of 50, ingestion 0.97 of its no-load rate);
  // at 200 the clients fall far behind and latency from due measures only the backlog.
  std::vector<double> rates;
  bool bracket = true;
  int timeout_s = 600;
  unsigned server_threads = 2;
  std::string log_level = "info";
  bool keep = false;
};

Options parse_options(int argc, char** argv) {
  using winnow::bench::po::value;
  Options o;
  bool no_bracket = false;
  std::string pages = o.pages_dir.string();
  winnow::bench::po::options_description options("options");
  options.add_options()
      ("farm-feeds", value(&o.farm_feeds)->default_value(o.farm_feeds), "feeds in the farm")
      ("entries", value(&o.entries)->default_value(o.entries), "entries per feed, each a page")
      ("clients", value(&o.clients)->default_value(o.clients), "client threads")
      ("rate", value(&o.rates)->composing(),
       "requests per second, all clients together, on a fixed schedule (default 50); 0: no limit "
       "(each client sends when answered); repeat for one loaded run per rate")
      ("no-bracket", winnow::bench::po::bool_switch(&no_bracket), "skip the second no-load run after the loaded ones")
      ("timeout-s", value(&o.timeout_s)->default_value(o.timeout_s), "give up a run after S seconds")
      ("log-level", value(&o.log_level)->default_value(o.log_level), "winnowd's log level")
      ("winnowd", value(&o.winnowd)->default_value(o.winnowd), "the winnowd to run")
      ("server-threads", value(&o.server_threads)->default_value(o.server_threads), "the farm's threads")
      ("pages", value(&pages)->default_value(pages), "real pages to serve (*.html, *.html.gz)")
      ("keep", winnow::bench::po::bool_switch(&o.keep), "keep the archive and the log");
  winnow::bench::parse_args(argc, argv, "api_bench", options);
  o.pages_dir = pages;
  o.bracket = !no_bracket;
  if (o.rates.empty()) o.rates.push_back(50);
  winnow::bench::require(o.farm_feeds >= 1 && o.entries >= 1 && o.clients >= 1 && o.timeout_s >= 1 &&
                             o.server_threads >= 1 && o.server_threads <= 256 &&
                             std::none_of(o.rates.begin(), o.rates.end(), [](double r) { return r < 0; }),
                         "api_bench", "counts, rates and times must be positive");
  return o;
}

// ---- one ingestion run ------------------------------------------------------------------

struct RunFigures {
  std::string name;
  bool completed = false;
  std::int64_t archived = 0;
  double end_s = 0;  // from starting winnowd to its last article
  double rate() const { return end_s > 0 ? double(archived) / end_s : 0; }
  ProcCpu cpu;
  double peak_rss_mb = 0;
  std::vector<ThreadCpu> threads;
  double bench_cpu_s = 0;  // this process: the farm's server threads, the clients, the poller
  std::optional<double> load_rate;  // requests/s asked for; 0: no limit
  LoadResult load;
};

// The API's address from winnowd's "api listening address=..." line.
std::string wait_api_address(Daemon& daemon) {
  std::string address;
  winnow::testing::wait_for(
      [&] {
        for (const auto& line : daemon.log_lines()) {
          auto at = line.find("api listening address=");
          if (at == std::string::npos) continue;
          address = line.substr(at + 22, line.find(' ', at + 22) - at - 22);
          return true;
        }
        return false;
      },
      std::chrono::seconds(10));
  if (address.empty()) throw std::runtime_error("winnowd logged no api listening address within 10 s");
  return address;
}

// The ids /v1/feeds lists. The feeds winnowd added from its configuration reach readers
// when the writer commits its batch, shortly after "feeds loaded": asks until it has them.
std::vector<std::int64_t> feed_ids(const std::string& address, std::size_t expected) {
  std::vector<std::int64_t> ids;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (ids.size() < expected && Clock::now() < deadline) {
    auto response = winnow::testing::http_get(address, "/v1/feeds");
    if (response.status != 200) throw std::runtime_error("GET /v1/feeds answered " + std::to_string(response.status));
    ids.clear();
    const auto listing = response.json();
    for (const auto& feed : listing.at("feeds").as_array())
      ids.push_back(feed.at("id").to_number<std::int64_t>());
    if (ids.size() < expected) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (ids.size() < expected)
    throw std::runtime_error("GET /v1/feeds listed " + std::to_string(ids.size()) + " feeds after 10 s, not " +
                             std::to_string(expected));
  return ids;
}

void print_log_tail(const Daemon& d) {
  const auto lines = d.log_lines();
  std::fprintf(stderr, "last lines of winnowd's log:\n");
  for (auto it = lines.end() - std::ptrdiff_t(std::min<std::size_t>(lines.size(), 20)); it != lines.end(); ++it)
    std::fprintf(stderr, "  %s\n", it->c_str());
}

RunFigures run_ingestion(const Options& o, RealPageFarm& farm, const fs::path& dir, std::string name,
                         std::optional<double> load_rate) {
  RunFigures r;
  r.name = std::move(name);
  r.load_rate = load_rate;
  const long target = long(o.farm_feeds) * o.entries;
  fs::create_directories(dir);
  auto config = bench_config(dir / "archive.db", o.log_level);
  config.feed_urls = farm.farm.feed_urls();
  config.api_listen = "127.0.0.1:0";  // on in every run, so that only the load differs
  write_config((dir / "winnowd.toml").string(), config);
  std::printf("\n%s\n", r.name.c_str());
  std::fflush(stdout);

  const double bench_cpu_start = self_cpu_s();
  Daemon daemon((dir / "winnowd.toml").string(), (dir / "winnowd.log").string(), {}, o.winnowd);
  const auto t0 = daemon.started();
  if (!daemon.wait_loaded(std::chrono::seconds(60))) {
    print_log_tail(daemon);
    throw std::runtime_error("winnowd did not load its feeds within 60 s");
  }
  const std::string address = wait_api_address(daemon);
  Probe reader(config.archive, Probe::Mode::read_only);

  std::optional<ApiLoad> load;
  if (load_rate) {
    LoadOptions lo;
    lo.address = address;
    lo.clients = o.clients;
    lo.rate_per_s = *load_rate;
    lo.feed_ids = feed_ids(address, std::size_t(o.farm_feeds));
    for (auto w : entry_words()) lo.words.emplace_back(w);
    load.emplace(std::move(lo));
  }

  std::optional<double> last_s;
  auto next_report = t0 + std::chrono::seconds(10);
  std::int64_t archived_at_report = 0;
  bool died = false;
  for (;;) {
    r.archived = reader.find_integer("SELECT count(*) FROM articles").value_or(r.archived);
    const double t = seconds_since(t0);
    if (r.archived >= target) {
      last_s = t;
      break;
    }
    if (!daemon.running()) {
      died = true;
      break;
    }
    if (t > o.timeout_s) break;
    if (Clock::now() >= next_report) {
      const auto cpu = read_cpu(daemon.pid());
      std::printf("  t=%4.0f s  archived=%6lld (%5.1f/s)  winnowd cpu=%6.1f s  rss=%5.0f MB\n", t,
                  (long long)r.archived, double(r.archived - archived_at_report) / 10.0, cpu ? cpu->total() : 0.0,
                  read_status_mb(daemon.pid(), "VmRSS:").value_or(0));
      std::fflush(stdout);
      next_report += std::chrono::seconds(10);
      archived_at_report = r.archived;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (load) r.load = load->stop();
  r.end_s = last_s.value_or(seconds_since(t0));
  r.completed = last_s.has_value();
  r.bench_cpu_s = self_cpu_s() - bench_cpu_start;
  if (!died) {
    r.cpu = read_cpu(daemon.pid()).value_or(ProcCpu{});
    r.peak_rss_mb = read_status_mb(daemon.pid(), "VmHWM:").value_or(0);
    r.threads = thread_cpu(daemon.pid());
  }
  if (!daemon.terminate(std::chrono::seconds(60))) daemon.kill9();
  if (died) {
    print_log_tail(daemon);
    throw std::runtime_error("winnowd exited during " + r.name);
  }
  int problems = 0;
  for (const auto& line : daemon.log_lines())
    if (line.size() > 2 && line[0] == '<' && line[1] >= '0' && line[1] <= '4' && problems++ < 5)
      std::printf("  winnowd: %s\n", line.c_str());
  if (problems > 5) std::printf("  winnowd: ... %d warnings/errors in all\n", problems);

  std::printf("  -> %lld of %ld articles in %.1f s = %.1f articles/s%s; winnowd CPU %.1f s (%.2f cores), peak RSS "
              "%.0f MB; bench process CPU %.1f s (%.2f cores)\n",
              (long long)r.archived, target, r.end_s, r.rate(), r.completed ? "" : " (TIMED OUT)", r.cpu.total(),
              r.end_s > 0 ? r.cpu.total() / r.end_s : 0, r.peak_rss_mb, r.bench_cpu_s,
              r.end_s > 0 ? r.bench_cpu_s / r.end_s : 0);
  std::printf("  winnowd threads' CPU s (creation order; #0 runs the loop):");
  for (std::size_t i = 0; i < r.threads.size(); ++i) std::printf(" #%zu %.1f", i, r.threads[i].cpu_s);
  std::printf("\n");
  return r;
}

// ---- report -----------------------------------------------------------------------------

std::string rate_name(double rate) {
  char buffer[64];
  if (rate > 0) std::snprintf(buffer, sizeof buffer, "fixed rate %.0f requests/s", rate);
  else std::snprintf(buffer, sizeof buffer, "no rate limit");
  return buffer;
}

void print_load(const RunFigures& r) {
  const LoadResult& l = r.load;
  std::printf("  API load: %s; %.1f s; %d keep-alive connections opened\n", rate_name(*r.load_rate).c_str(), l.seconds,
              l.connects);
  std::printf("  %-26s %8s %7s | %-26s | %-17s |\n", "", "", "", "latency from due", "service time");
  std::printf("  %-26s %8s %7s | %8s %8s %8s | %8s %8s | %6s %5s %8s\n", "endpoint", "requests", "req/s", "p50 ms",
              "p99 ms", "max ms", "p50 ms", "p99 ms", "errors", "304s", "KB/resp");
  EndpointStats all;
  auto line = [&](const char* name, const EndpointStats& s) {
    std::printf("  %-26s %8llu %7.1f | %8.1f %8.1f %8.1f | %8.1f %8.1f | %6llu %5llu %8.1f\n", name,
                (unsigned long long)s.requests, l.seconds > 0 ? double(s.requests) / l.seconds : 0,
                percentile(s.latency_ms, 50), percentile(s.latency_ms, 99),
                s.latency_ms.empty() ? 0 : s.latency_ms.back(), percentile(s.service_ms, 50),
                percentile(s.service_ms, 99), (unsigned long long)s.errors, (unsigned long long)s.not_modified,
                s.requests ? double(s.bytes) / double(s.requests) / 1024 : 0);
  };
  for (int i = 0; i < kEndpoints; ++i) {
    const EndpointStats& s = l.by_endpoint[i];
    line(std::string(to_string(Endpoint(i))).c_str(), s);
    all.requests += s.requests, all.errors += s.errors, all.not_modified += s.not_modified, all.bytes += s.bytes;
    all.latency_ms.insert(all.latency_ms.end(), s.latency_ms.begin(), s.latency_ms.end());
    all.service_ms.insert(all.service_ms.end(), s.service_ms.begin(), s.service_ms.end());
  }
  std::sort(all.latency_ms.begin(), all.latency_ms.end());
  std::sort(all.service_ms.begin(), all.service_ms.end());
  line("all", all);
  if (*r.load_rate > 0 && l.seconds > 0 && double(all.requests) / l.seconds < 0.95 * *r.load_rate)
    std::printf("  the clients FELL BEHIND the schedule: %.1f of %.0f requests/s sent; latency from due grows with the\n"
                "  backlog, service time is what each answer took\n",
                double(all.requests) / l.seconds, *r.load_rate);
  for (const auto& e : l.first_errors) std::printf("  error: %s\n", e.c_str());
}

int run(const Options& o) {
  fs::path pages_dir;
  const auto pages = load_pages(o.pages_dir, pages_dir);
  if (pages.empty()) throw std::runtime_error("no pages in " + o.pages_dir.string() + " nor in the seeds");
  std::printf("== api_bench: winnowd's HTTP API under load while it ingests ==\n");
  print_machine();
  std::printf("pages: %zu real pages from %s\n", pages.size(), pages_dir.lexically_normal().c_str());
  std::printf("farm: %d RSS feeds x %d entries = %ld articles on 127.0.0.1 (%u server threads); winnowd configured as\n"
              "  daemon_bench's (per_host_concurrency = %d, min_delay_s = %g, one extraction worker per core), "
              "[api] on 127.0.0.1:0\n",
              o.farm_feeds, o.entries, long(o.farm_feeds) * o.entries, o.server_threads, kFarmPerHostConcurrency,
              kFarmMinDelayS);
  std::printf("clients: %d threads in this process, one keep-alive connection each; mix per 100 requests: 30 "
              "/v1/articles\n"
              "  following a cursor (limit 50), 15 /v1/articles at a random cursor (limit 20), 30 /v1/search (one or "
              "two of\n"
              "  the pages' words, limit 20), 12 full.atom of a random feed, 13 full.atom of one of 8 feeds per "
              "client with\n"
              "  If-None-Match. Latency: from when the request was due (its slot at a fixed rate) to the end of the "
              "answer.\n"
              "  errors: no answer, or a status other than 2xx and 304. The clients share the 2 cores with "
              "winnowd.\n",
              o.clients);

  TempDir tmp("winnow-apibench");
  if (o.keep) tmp.keep();
  RealPageFarm farm(pages, o.farm_feeds, o.entries, o.server_threads);
  int run_index = 0;
  auto next_dir = [&] { return tmp.path() / ("run" + std::to_string(++run_index)); };

  std::vector<RunFigures> baseline, loaded;
  baseline.push_back(run_ingestion(o, farm, next_dir(), "run 1: ingestion with no API load", std::nullopt));
  for (double rate : o.rates) {
    const fs::path dir = next_dir();
    loaded.push_back(run_ingestion(o, farm, dir,
                                   "run " + std::to_string(run_index) + ": ingestion under API load, " +
                                       std::to_string(o.clients) + " clients, " + rate_name(rate),
                                   rate));
    print_load(loaded.back());
  }
  if (o.bracket) {
    const fs::path dir = next_dir();
    baseline.push_back(run_ingestion(o, farm, dir,
                                     "run " + std::to_string(run_index) + ": ingestion with no API load again "
                                                                          "(the machine's drift)",
                                     std::nullopt));
  }

  double base = 0, base_cpu = 0, base_loop_cpu = 0;
  for (const auto& b : baseline) {
    base += b.rate();
    base_cpu += b.cpu.total();
    base_loop_cpu += b.threads.empty() ? 0 : b.threads.front().cpu_s;
  }
  base /= double(baseline.size());
  base_cpu /= double(baseline.size());
  base_loop_cpu /= double(baseline.size());
  std::printf("\n-- results --\n");
  std::printf("no-load ingestion                       ");
  for (const auto& b : baseline) std::printf("%.1f ", b.rate());
  std::printf("articles/s -> baseline %.1f /s", base);
  if (baseline.size() == 2)
    std::printf(" (the two differ by %.0f%%)", 100.0 * std::abs(baseline[0].rate() - baseline[1].rate()) / base);
  std::printf("\n");
  bool all_completed = std::all_of(baseline.begin(), baseline.end(), [](const RunFigures& r) { return r.completed; });
  for (const auto& l : loaded) {
    all_completed = all_completed && l.completed;
    std::uint64_t requests = 0, errors = 0;
    for (const auto& s : l.load.by_endpoint) requests += s.requests, errors += s.errors;
    const double ratio = base > 0 ? l.rate() / base : 0;
    std::printf("under load, %-27s %.1f articles/s = %.2f of the baseline  -> %s (bound >= %.2f); API %.1f req/s, "
                "%llu errors\n",
                (rate_name(*l.load_rate) + ":").c_str(), l.rate(), ratio,
                ratio >= kMinLoadedRatio && l.completed ? "PASS" : "FAIL", kMinLoadedRatio,
                l.load.seconds > 0 ? double(requests) / l.load.seconds : 0, (unsigned long long)errors);
    // The same articles were ingested in every run: what winnowd spent beyond the no-load
    // runs' mean is the API's (and any slowdown's) cost.
    if (requests > 0)
      std::printf("  winnowd CPU beyond the no-load runs: %.1f s = %.2f ms per API request (loop thread %.2f ms)\n",
                  l.cpu.total() - base_cpu, (l.cpu.total() - base_cpu) * 1000 / double(requests),
                  ((l.threads.empty() ? 0 : l.threads.front().cpu_s) - base_loop_cpu) * 1000 / double(requests));
  }
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("load average at the end                 %.2f %.2f %.2f (other work on the shared cores counts in it)\n", load[0],
              load[1], load[2]);
  if (o.keep) std::printf("kept: %s\n", tmp.path().c_str());
  return all_completed ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  try {
    const Options o = parse_options(argc, argv);
    if (!fs::exists(o.winnowd)) throw std::runtime_error("no winnowd at " + o.winnowd + " (build it, or --winnowd)");
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "api_bench: %s\n", e.what());
    return 1;
  }
}
