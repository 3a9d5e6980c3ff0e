#include "daemon/metrics/process.h"

#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace winnow::metrics {
namespace {

// utime + stime of /proc/self/stat, in seconds; 0 when it cannot be read.
double cpu_seconds() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return 0;
  // The command name (field 2) is in parentheses and may hold spaces: fields count from the
  // last ')'. utime and stime are fields 14 and 15, the 12th and 13th after it.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 1; i <= 13 && fields >> field; ++i) {
    if (i == 12) utime = std::stoull(field);
    if (i == 13) stime = std::stoull(field);
  }
  const long ticks = sysconf(_SC_CLK_TCK);
  return ticks > 0 ? double(utime + stime) / double(ticks) : 0;
}

double open_fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return 0;
  double n = 0;
  while (const dirent* e = readdir(dir))
    if (e->d_name[0] != '.') ++n;
  closedir(dir);
  return n - 1;  // the directory's own descriptor
}

}  // namespace

double resident_memory_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long long size = 0, resident = 0;
  const int read = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  return read == 2 ? double(resident) * double(sysconf(_SC_PAGESIZE)) : 0;
}

void register_process_metrics(Registry& registry) {
  const double started =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  registry.gauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.")
      .with()
      .set(double(static_cast<long long>(started)));
  registry.gauge_callback("process_resident_memory_bytes", "Resident memory size in bytes.", resident_memory_bytes)
      .detach();
  registry.counter_callback("process_cpu_seconds_total", "Total user and system CPU time spent, in seconds.",
                            cpu_seconds)
      .detach();
  registry.gauge_callback("process_open_fds", "Number of open file descriptors.", open_fds).detach();
}

}  // namespace winnow::metrics
