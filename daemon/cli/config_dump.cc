#include "daemon/cli/config_dump.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <sstream>

#include "daemon/archive/archive.h"

namespace winnow::cli {
namespace {

// A TOML basic string: JSON's escapes are TOML's.
std::string quoted(const std::string& s) { return boost::json::serialize(boost::json::value(s)); }

std::string strings(const std::vector<std::string>& list) {
  std::string out = "[";
  for (const auto& s : list) out += (out.size() > 1 ? ", " : "") + quoted(s);
  return out + "]";
}

std::string secret(const std::string& s) { return quoted(s.empty() ? "" : "(set)"); }

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::error: return "error";
    case LogLevel::warning: return "warning";
    case LogLevel::info: return "info";
    case LogLevel::debug: return "debug";
  }
  return "info";
}

}  // namespace

std::string config_as_toml(const Config& c) {
  std::ostringstream o;
  o << "[archive]\npath = " << quoted(c.archive_path) << "\n"
    << (c.archive_url.empty() ? "" : "url = " + quoted(archive::Archive::location_for_logs(c.archive_url)) + "\n")
    << "compact_level = " << c.compact_level << "\n"
    << "statement_timeout_s = " << c.statement_timeout_s << "\n\n"
    << "[feeds]\nurls = " << strings(c.feed_urls) << "\nopml = " << quoted(c.opml_path) << "\n\n"
    << "[fetch]\nuser_agent = " << quoted(c.user_agent) << "\ncontact = " << quoted(c.contact)
    << "\nconnect_timeout_s = " << c.connect_timeout_s << "\ntotal_timeout_s = " << c.total_timeout_s
    << "\nmax_body_mb = " << double(c.max_body_bytes) / (1 << 20) << "\nmax_redirects = " << c.max_redirects
    << "\nmax_connections = " << c.max_connections << "\nca_file = " << quoted(c.ca_file)
    << "\nallow_private = " << (c.allow_private ? "true" : "false") << "\nallow_hosts = " << strings(c.allow_hosts)
    << "\n\n"
    << "[politeness]\nper_host_concurrency = " << c.per_host_concurrency << "\nmin_delay_s = " << c.min_delay_s
    << "\nobey_robots = " << (c.obey_robots ? "true" : "false") << "\nmax_backoff_h = " << c.max_backoff_s / 3600.0
    << "\n\n"
    << "[schedule]\nmin_interval_min = " << c.min_interval_s / 60.0 << "\nmax_interval_h = " << c.max_interval_s / 3600.0
    << "\ndefault_interval_min = " << c.default_interval_s / 60.0 << "\n\n"
    << "[ingest]\nretry_delay_min = " << c.page_retry_delay_s / 60.0 << "\nmax_retries = " << c.page_max_retries
    << "\nmax_entries_per_poll = " << c.max_entries_per_poll << "\nlease_s = " << c.lease_s << "\n\n"
    << "[extract]\nworkers = " << c.workers << "\n\n"
    << "[api]\nlisten = " << quoted(c.api_listen) << "\nsocket = " << quoted(c.api_socket)
    << "\ntoken = " << secret(c.api_token) << "\npublic_url = " << quoted(c.api_public_url)
    << "\nmax_connections = " << c.api_max_connections << "\nmax_body_kb = " << c.api_max_body_bytes / 1024
    << "\nidle_timeout_s = " << c.api_idle_timeout_s << "\nrequest_timeout_s = " << c.api_request_timeout_s
    << "\nreaders = " << c.api_readers << "\nheartbeat_s = " << c.api_heartbeat_s << "\n\n"
    << "[log]\nlevel = " << quoted(level_name(c.log_level)) << "\n";
  for (const auto& w : c.webhooks)
    o << "\n[[webhooks]]\nurl = " << quoted(w.url) << "\nsecret = " << secret(w.secret)
      << "\nevents = " << strings(w.events) << "\ntimeout_s = " << w.timeout_s << "\nretry_min_s = " << w.retry_min_s
      << "\nretry_max_s = " << w.retry_max_s << "\n";
  return o.str();
}

}  // namespace winnow::cli
