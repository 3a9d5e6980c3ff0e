#pragma once
// The process's own metrics, under the names Prometheus' client libraries use for them so
// that stock dashboards find them: process_start_time_seconds, process_resident_memory_bytes,
// process_cpu_seconds_total, process_open_fds. Linux: read from /proc/self at each render
// (a few small reads, microseconds).
#include "daemon/metrics/registry.h"

namespace winnow::metrics {

// Registers them in `registry`, the start time as of this call (call it at start-up).
// The callbacks capture nothing: they live as long as the registry. Any thread; once.
void register_process_metrics(Registry& registry);

// The resident set size in bytes, from /proc/self/statm; 0 when it cannot be read.
double resident_memory_bytes();

}  // namespace winnow::metrics
