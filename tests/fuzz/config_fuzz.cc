// libFuzzer target: winnowd's configuration (daemon/config.h) from arbitrary TOML text. A bad
// file must be a std::runtime_error with a message, nothing else; a good one must give values
// inside the ranges the file is checked against.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "daemon/config.h"

namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "config accepted out of range: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  winnow::Config c;
  try {
    c = winnow::parse_config(std::string_view(reinterpret_cast<const char*>(data), size), "/etc/winnow", "fuzz");
  } catch (const std::runtime_error& e) {
    if (std::string_view(e.what()).empty()) std::abort();
    return 0;
  }
  require(c.connect_timeout_s >= 1 && c.connect_timeout_s <= 300, "fetch.connect_timeout_s");
  require(c.total_timeout_s >= 1 && c.total_timeout_s <= 3600, "fetch.total_timeout_s");
  require(c.max_body_bytes > 0 && c.max_body_bytes <= std::size_t(1024) << 20, "fetch.max_body_mb");
  require(c.max_redirects >= 0 && c.max_redirects <= 20, "fetch.max_redirects");
  require(c.max_connections >= 1 && c.max_connections <= 10000, "fetch.max_connections");
  require(c.per_host_concurrency >= 1 && c.per_host_concurrency <= 64, "politeness.per_host_concurrency");
  require(std::isfinite(c.min_delay_s) && c.min_delay_s >= 0 && c.min_delay_s <= 3600, "politeness.min_delay_s");
  require(c.max_backoff_s > 0, "politeness.max_backoff_h");
  require(c.min_interval_s >= 0 && c.min_interval_s <= c.default_interval_s &&
              c.default_interval_s <= c.max_interval_s,
          "schedule intervals");
  require(c.page_retry_delay_s >= 1, "ingest.retry_delay_min");
  require(c.page_max_retries >= 0 && c.page_max_retries <= 20, "ingest.max_retries");
  require(c.workers <= 256, "extract.workers");
  return 0;
}
