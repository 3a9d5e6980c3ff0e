#pragma once
// winnowd's configuration file as the daemon tests and daemon_bench write it. A key left
// unset is left out of the file, so winnowd's default applies (daemon/config.h).
#include <optional>
#include <string>
#include <vector>

namespace winnow::testing {

struct WinnowdConfig {
  std::string archive = "archive.db";  // relative: beside the file
  // [archive] url, for a database server (postgresql://...) instead of `archive`'s file.
  std::optional<std::string> archive_url;
  std::optional<int> compact_level;  // [archive] compact_level
  std::optional<double> statement_timeout_s;  // [archive] statement_timeout_s
  std::vector<std::string> feed_urls;
  // [fetch]
  std::optional<std::string> user_agent;
  std::optional<long> connect_timeout_s;
  std::optional<long> total_timeout_s;
  std::optional<long> max_connections;
  // The farms' article links are on 127.0.0.1 too, which winnowd refuses by default.
  std::optional<bool> allow_private;
  // [politeness]
  std::optional<int> per_host_concurrency;
  std::optional<double> min_delay_s;
  std::optional<bool> obey_robots;
  // [schedule]
  std::optional<double> min_interval_min;
  std::optional<double> max_interval_h;
  std::optional<double> default_interval_min;
  // [ingest]
  std::optional<long> lease_s;
  // [extract]
  std::optional<unsigned> workers;
  // [api]: off unless set, so that tests running at once never compete for winnowd's
  // default port. "127.0.0.1:0" picks a free port: winnowd logs it ("api listening").
  std::string api_listen;
  std::optional<std::string> api_socket;
  std::optional<std::string> api_token;
  std::optional<long> api_max_connections;
  std::optional<long> api_max_body_kb;
  std::optional<long> api_idle_timeout_s;
  std::optional<long> api_request_timeout_s;
  std::optional<double> api_heartbeat_s;
  // [log]
  std::optional<std::string> log_level;
  // [[webhooks]]
  struct Webhook {
    std::string url;
    std::string secret;
    std::vector<std::string> events;  // empty: the key left out (every event)
    std::optional<double> timeout_s;
    std::optional<double> retry_min_s;
    std::optional<double> retry_max_s;
  };
  std::vector<Webhook> webhooks;
};

// For tests that watch winnowd work: `feed_urls` polled a second or two apart,
// `per_host_concurrency` requests at once to the one test host, no politeness delay, two
// extraction workers, and links to 127.0.0.1 allowed.
WinnowdConfig quick_polling(std::vector<std::string> feed_urls, int per_host_concurrency);

// Writes `config` to `path`, replacing what was there. Throws std::runtime_error if it
// cannot.
void write_config(const std::string& path, const WinnowdConfig& config);

}  // namespace winnow::testing
