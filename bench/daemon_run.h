#pragma once
// What daemon_bench and api_bench share: the farm of real pages winnowd ingests, winnowd's
// configuration for it, and the figures read about a process from /proc. Used by the
// benchmark's main thread only (the farm serves on its own threads).
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/real_pages.h"
#include "tests/daemon/feed_farm.h"
#include "tests/daemon/winnowd_config.h"

namespace winnow::bench {

// The farm's politeness: every feed and page is on 127.0.0.1, so the whole farm is one host
// to winnowd; the shipped defaults (2 at once, 1 s apart) would measure the politeness
// delay, not the pipeline.
constexpr int kFarmPerHostConcurrency = 32;
constexpr double kFarmMinDelayS = 0;

// winnowd's configuration for a farm run: each feed polled once, the farm's politeness,
// one extraction worker per core; no API unless the caller sets api_listen.
testing::WinnowdConfig bench_config(const std::filesystem::path& archive, const std::string& log_level);

// `feeds` x `entries` pages, entry (F, E) being page (F * entries + E) % pages.size() with
// bytes of its own (render_page), served uncompressed. `pages` must outlive the farm.
struct RealPageFarm {
  RealPageFarm(const std::vector<PageTemplate>& pages, int feeds, int entries, unsigned server_threads);
  const std::vector<PageTemplate>& pages;
  const int entries;
  testing::farm::FeedFarm farm;  // last: serves from the constructor on
};

// ---- /proc ------------------------------------------------------------------------------

struct ProcCpu {
  double user_s = 0, system_s = 0;
  double total() const { return user_s + system_s; }
};

// utime and stime of /proc/PID/stat or /proc/PID/task/TID/stat.
std::optional<ProcCpu> read_cpu(const std::filesystem::path& stat_path);
std::optional<ProcCpu> read_cpu(pid_t pid);

struct ThreadCpu {
  pid_t tid;
  std::string name;
  double cpu_s;
};

// Every thread of `pid` in creation order (by tid) with its CPU seconds so far.
std::vector<ThreadCpu> thread_cpu(pid_t pid);

// A "VmRSS:"-style figure of /proc/PID/status, in MB.
std::optional<double> read_status_mb(pid_t pid, std::string_view key);

// CPU seconds (user + system) of this process so far.
double self_cpu_s();

// "machine: N cores (nproc), MODEL; load average at start L" on standard output.
void print_machine();

}  // namespace winnow::bench
