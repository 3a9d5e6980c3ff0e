#pragma once
// winnowd's configuration, read from a TOML file (see systemd/winnowd.toml for every key).
// Read once at start and again on SIGHUP. A bad file is an error with a readable message.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace winnow {

enum class LogLevel { error = 3, warning = 4, info = 6, debug = 7 };

// One [[webhooks]] table: where to POST which events, and the key that signs them
// (daemon/webhooks/dispatcher.h, docs/webhooks.md).
struct WebhookConfig {
  std::string url;                  // http:// or https://; loopback and private allowed
  std::string secret;               // the HMAC-SHA256 key (or read from secret_file)
  std::vector<std::string> events;  // "article.archived", "article.updated", "feed.failing"
  double timeout_s = 10;            // per request, connecting included
  // A failed delivery is tried again after retry_min_s, twice as long each next time (with
  // jitter), at most retry_max_s apart.
  double retry_min_s = 1;
  double retry_max_s = 600;
};

struct Config {
  // [archive]
  // The SQLite file; with archive_url set, where the local files beside the archive go
  // (the writer lock, the extraction journal, the pid file).
  std::string archive_path = "/var/lib/winnow/archive.db";
  // A postgresql:// URL: the archive is that PostgreSQL database (libpq's PG* variables and
  // passfile fill in what the URL leaves out). Empty: the SQLite file at archive_path.
  std::string archive_url;

  // What Archive::open takes: the URL when set, else the path. In logs and messages it goes
  // through Archive::location_for_logs, which hides a password.
  const std::string& archive_location() const { return archive_url.empty() ? archive_path : archive_url; }
  // Raw pages packed again in the background with their host's newest dictionary at this
  // zstd level (archive/compactor.h); 0: no compaction (ingest then learns dictionaries from
  // pages kept in memory, as before).
  int compact_level = 9;
  // PostgreSQL: how long one statement may wait for the server before the connection is
  // abandoned and the statement fails (nine tenths of it the server's statement_timeout for
  // our sessions, where the database sets none); 0: no limit. Bounds a statement stalled by a middlebox
  // that keeps TCP alive (docs/scale-out.md, "Failures"). 30: some 75 times the slowest
  // statement winnowd runs in docs/benchmarks.md (a search, 0.39 s; batch commits take ms),
  // and less than systemd's TimeoutStopSec (45 s), so that SIGTERM during a stall exits
  // before SIGKILL. Not for `winnow` verbs (migrate, reextract): they run without one.
  double statement_timeout_s = 30;
  // [feeds]
  std::vector<std::string> feed_urls;
  std::string opml_path;  // empty: none
  // [fetch]
  std::string user_agent = "winnow/0.1";
  std::string contact;    // appended to the User-Agent as "(+URL)"
  long connect_timeout_s = 10;
  long total_timeout_s = 60;
  std::size_t max_body_bytes = 10u << 20;
  int max_redirects = 5;
  std::size_t max_connections = 256;
  std::string ca_file;    // empty: the system's certificate authorities
  // Links found in feeds and pages may reach loopback, private, link-local and other
  // special-purpose addresses only when allow_private, or when allow_hosts names their
  // host, address or network (fetch/address_policy.h). Listed feeds always may.
  bool allow_private = false;
  std::vector<std::string> allow_hosts;
  // [politeness]
  int per_host_concurrency = 2;
  double min_delay_s = 1.0;
  bool obey_robots = true;
  std::int64_t max_backoff_s = 24 * 3600;
  // [schedule]
  std::int64_t min_interval_s = 5 * 60;
  std::int64_t max_interval_s = 12 * 3600;
  std::int64_t default_interval_s = 3600;
  // [ingest]
  // A page that was no article yet (a challenge, a consent wall, an error page, an empty
  // one) is fetched again after this delay, four times longer each next time, at most
  // page_max_retries times.
  std::int64_t page_retry_delay_s = 3600;
  int page_max_retries = 3;
  // Entries of one feed taken per poll: the newest this many (by date when every entry has
  // one, else the first in the feed's order); the rest are ignored. 0: no cap.
  std::size_t max_entries_per_poll = 500;
  // How long a daemon's claim on a feed or a host lasts unless renewed (docs/scale-out.md):
  // how soon other daemons on one database take over the feeds of one that died.
  std::int64_t lease_s = 120;
  // [extract]
  unsigned workers = 0;  // 0: one per core
  // [api]: the HTTP API (daemon/api/, docs/api.md).
  std::string api_listen = "127.0.0.1:8470";  // host:port over TCP; empty: none
  std::string api_socket;                     // a Unix socket path too; empty: none
  // The bearer token the writing endpoints ask for (token_file: read from that file, one
  // line). Empty: the writing endpoints are off.
  std::string api_token;
  // Where clients reach the API, for the links in feeds it serves ("https://news.example/
  // winnow"); empty: from each request's Host header.
  std::string api_public_url;
  std::size_t api_max_connections = 2048;
  std::size_t api_max_body_bytes = 1u << 20;
  std::int64_t api_idle_timeout_s = 60;     // a keep-alive connection with no request
  std::int64_t api_request_timeout_s = 15;  // reading one request, headers and body
  unsigned api_readers = 2;                 // threads reading the archive for the API
  double api_heartbeat_s = 15;              // a stream's comment line when no article comes
  // [log]
  LogLevel log_level = LogLevel::info;
  // [[webhooks]], in the file's order; URLs are distinct.
  std::vector<WebhookConfig> webhooks;

  // The User-Agent header: "winnow/0.1 (+https://contact)".
  std::string full_user_agent() const;
};

// Reads `path`. Throws std::runtime_error naming the file, line and key on any problem
// (syntax, unknown key, wrong type, value out of range). Relative paths in the file are
// taken relative to the file's directory.
Config load_config(const std::filesystem::path& path);

// The same, from TOML text; `base_dir` resolves relative paths.
Config parse_config(std::string_view toml_text, const std::filesystem::path& base_dir,
                    const std::string& source_name = "config");

}  // namespace winnow
