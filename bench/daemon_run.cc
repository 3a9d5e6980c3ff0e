#include "bench/daemon_run.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace winnow::bench {

namespace fs = std::filesystem;

testing::WinnowdConfig bench_config(const fs::path& archive, const std::string& log_level) {
  testing::WinnowdConfig c;
  c.archive = archive.string();
  c.user_agent = "winnow-bench/0.1";
  c.max_connections = 256;
  c.allow_private = true;  // the farm's pages are on 127.0.0.1
  c.per_host_concurrency = kFarmPerHostConcurrency;
  c.min_delay_s = kFarmMinDelayS;
  c.obey_robots = true;  // the farm serves a permissive robots.txt
  // A day between polls: each feed is polled once during a run.
  c.min_interval_min = 1440;
  c.max_interval_h = 48;
  c.default_interval_min = 1440;
  c.workers = 0;
  c.log_level = log_level;
  return c;
}

RealPageFarm::RealPageFarm(const std::vector<PageTemplate>& pages, int feeds, int entries, unsigned server_threads)
    : pages(pages),
      entries(entries),
      farm({.feeds = feeds, .entries = entries, .server_threads = server_threads, .record_requests = false},
           [this](int f, int e) {
             const PageTemplate& t = this->pages[std::size_t(f * this->entries + e) % this->pages.size()];
             return testing::farm::html_response(render_page(t, f, e, farm.page_url(f, e)), "text/html");
           }) {}

std::optional<ProcCpu> read_cpu(const fs::path& stat_path) {
  std::ifstream in(stat_path);
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  auto paren = line.rfind(')');  // the command name may hold spaces and parentheses
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(paren + 2));
  std::vector<std::string> f;
  std::string field;
  while (fields >> field) f.push_back(field);
  // Fields from 3 (state) on; utime is field 14, stime 15.
  if (f.size() < 13) return std::nullopt;
  const double tick = double(sysconf(_SC_CLK_TCK));
  return ProcCpu{std::stod(f[11]) / tick, std::stod(f[12]) / tick};
}

std::optional<ProcCpu> read_cpu(pid_t pid) { return read_cpu("/proc/" + std::to_string(pid) + "/stat"); }

std::vector<ThreadCpu> thread_cpu(pid_t pid) {
  std::vector<ThreadCpu> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    pid_t tid = pid_t(std::atoi(entry.path().filename().c_str()));
    auto cpu = read_cpu(entry.path() / "stat");
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (cpu) out.push_back({tid, name, cpu->total()});
  }
  std::sort(out.begin(), out.end(), [](const ThreadCpu& a, const ThreadCpu& b) { return a.tid < b.tid; });
  return out;
}

std::optional<double> read_status_mb(pid_t pid, std::string_view key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(key)) continue;
    return std::strtod(line.c_str() + key.size(), nullptr) / 1024.0;  // kB
  }
  return std::nullopt;
}

double self_cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

void print_machine() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model = "?";
  while (std::getline(cpuinfo, line))
    if (line.starts_with("model name")) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("machine: %u cores (nproc), %s; load average at start %.2f\n", std::thread::hardware_concurrency(),
              model.c_str(), load[0]);
}

}  // namespace winnow::bench
