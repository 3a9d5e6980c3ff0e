#include "tests/daemon/winnowd_config.h"

#include <fstream>
#include <ostream>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace winnow::testing {
namespace {

// Writes "[name]" and the keys of a section that has any set.
class Section {
 public:
  Section(std::ostream& out, const char* name) : out_(out), name_(name) {}
  ~Section() {
    if (started_) out_ << '\n';
  }

  template <typename T>
  void key(const char* key, const std::optional<T>& value) {
    if (!value) return;
    if (!started_) out_ << '[' << name_ << "]\n";
    started_ = true;
    out_ << key << " = ";
    if constexpr (std::is_same_v<T, std::string>)
      out_ << '"' << *value << '"';
    else if constexpr (std::is_same_v<T, bool>)
      out_ << (*value ? "true" : "false");
    else
      out_ << *value;
    out_ << '\n';
  }

 private:
  std::ostream& out_;
  const char* name_;
  bool started_ = false;
};

}  // namespace

WinnowdConfig quick_polling(std::vector<std::string> feed_urls, int per_host_concurrency) {
  WinnowdConfig c;
  c.feed_urls = std::move(feed_urls);
  c.per_host_concurrency = per_host_concurrency;
  c.min_delay_s = 0;
  c.min_interval_min = 0.01;
  c.max_interval_h = 0.01;
  c.default_interval_min = 0.02;
  c.workers = 2;
  c.allow_private = true;
  return c;
}

void write_config(const std::string& path, const WinnowdConfig& c) {
  std::ofstream out(path, std::ios::trunc);
  if (c.archive_url) out << "[archive]\nurl = \"" << *c.archive_url << "\"\n";
  else out << "[archive]\npath = \"" << c.archive << "\"\n";
  if (c.compact_level) out << "compact_level = " << *c.compact_level << "\n";
  if (c.statement_timeout_s) out << "statement_timeout_s = " << *c.statement_timeout_s << "\n";
  out << "\n[feeds]\nurls = [\n";
  for (const auto& url : c.feed_urls) out << "  \"" << url << "\",\n";
  out << "]\n\n";
  {
    Section fetch(out, "fetch");
    fetch.key("user_agent", c.user_agent);
    fetch.key("connect_timeout_s", c.connect_timeout_s);
    fetch.key("total_timeout_s", c.total_timeout_s);
    fetch.key("max_connections", c.max_connections);
    fetch.key("allow_private", c.allow_private);
  }
  {
    Section politeness(out, "politeness");
    politeness.key("per_host_concurrency", c.per_host_concurrency);
    politeness.key("min_delay_s", c.min_delay_s);
    politeness.key("obey_robots", c.obey_robots);
  }
  {
    Section schedule(out, "schedule");
    schedule.key("min_interval_min", c.min_interval_min);
    schedule.key("max_interval_h", c.max_interval_h);
    schedule.key("default_interval_min", c.default_interval_min);
  }
  {
    Section ingest(out, "ingest");
    ingest.key("lease_s", c.lease_s);
  }
  {
    Section extract(out, "extract");
    extract.key("workers", c.workers);
  }
  {
    Section api(out, "api");
    api.key("listen", std::optional<std::string>(c.api_listen));
    api.key("socket", c.api_socket);
    api.key("token", c.api_token);
    api.key("max_connections", c.api_max_connections);
    api.key("max_body_kb", c.api_max_body_kb);
    api.key("idle_timeout_s", c.api_idle_timeout_s);
    api.key("request_timeout_s", c.api_request_timeout_s);
    api.key("heartbeat_s", c.api_heartbeat_s);
  }
  {
    Section log(out, "log");
    log.key("level", c.log_level);
  }
  for (const auto& hook : c.webhooks) {
    out << "[[webhooks]]\nurl = \"" << hook.url << "\"\nsecret = \"" << hook.secret << "\"\n";
    if (!hook.events.empty()) {
      out << "events = [";
      for (const auto& event : hook.events) out << '"' << event << "\", ";
      out << "]\n";
    }
    if (hook.timeout_s) out << "timeout_s = " << *hook.timeout_s << '\n';
    if (hook.retry_min_s) out << "retry_min_s = " << *hook.retry_min_s << '\n';
    if (hook.retry_max_s) out << "retry_max_s = " << *hook.retry_max_s << '\n';
    out << '\n';
  }
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace winnow::testing
