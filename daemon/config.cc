#include "daemon/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "daemon/fetch/address_policy.h"

namespace winnow {
namespace {

[[noreturn]] void fail(const std::string& source, const toml::source_region& where, const std::string& what) {
  std::ostringstream out;
  out << source;
  if (where.begin.line) out << ":" << where.begin.line;
  out << ": " << what;
  throw std::runtime_error(out.str());
}

// Reads the keys of one table, refusing keys it does not know (a typo should not be silent).
class Section {
 public:
  Section(const toml::table& root, const char* name, const std::string& source, std::set<std::string> keys)
      : source_(source), name_(name) {
    const toml::node* node = root.get(name);
    if (!node) return;
    table_ = node->as_table();
    if (!table_) fail(source, node->source(), std::string("[") + name + "] must be a table");
    for (const auto& [key, value] : *table_)
      if (!keys.contains(std::string(key.str())))
        fail(source, value.source(), "unknown key " + std::string(name) + "." + std::string(key.str()));
  }

  // The keys of `table`, an element of an array of tables named `name` ([[name]]).
  struct Element {};
  Section(Element, const toml::table& table, const char* name, const std::string& source, const std::set<std::string>& keys)
      : table_(&table), source_(source), name_(name) {
    for (const auto& [key, value] : table)
      if (!keys.contains(std::string(key.str())))
        fail(source, value.source(), "unknown key " + std::string(name) + "." + std::string(key.str()));
  }

  template <typename T>
  void read(const char* key, T& out) {
    const toml::node* node = table_ ? table_->get(key) : nullptr;
    if (!node) return;
    auto value = node->value<T>();
    if (!value) fail(source_, node->source(), std::string(name_) + "." + key + " has the wrong type");
    out = *value;
  }

  void read_number(const char* key, double& out, double low, double high) {
    const toml::node* node = table_ ? table_->get(key) : nullptr;
    if (!node) return;
    auto value = node->value<double>();
    if (!value) fail(source_, node->source(), std::string(name_) + "." + key + " must be a number");
    if (*value < low || *value > high) {
      std::ostringstream what;
      what << name_ << "." << key << " must be between " << low << " and " << high;
      fail(source_, node->source(), what.str());
    }
    out = *value;
  }

  void read_strings(const char* key, std::vector<std::string>& out) {
    const toml::node* node = table_ ? table_->get(key) : nullptr;
    if (!node) return;
    const toml::array* array = node->as_array();
    if (!array) fail(source_, node->source(), std::string(name_) + "." + key + " must be a list of strings");
    out.clear();
    for (const auto& item : *array) {
      auto s = item.value<std::string>();
      if (!s) fail(source_, item.source(), std::string(name_) + "." + key + " must hold strings only");
      out.push_back(*s);
    }
  }

 private:
  const toml::table* table_ = nullptr;
  const std::string& source_;
  const char* name_;
};

// The text of a secret file, without the line end an editor leaves.
std::string read_secret(const std::filesystem::path& path, const std::string& source) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(source + ": cannot read webhook secret_file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

bool is_http_url(const std::string& url) {
  auto starts = [&](std::string_view prefix) {
    return url.size() > prefix.size() && std::equal(prefix.begin(), prefix.end(), url.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == b;
           });
  };
  if (!starts("http://") && !starts("https://")) return false;
  const auto host = url.substr(url.find("//") + 2);
  return !host.empty() && host[0] != '/' && host.find_first_of(" \t\r\n") == std::string::npos;
}

// [[webhooks]]: an array of tables, each checked as a section.
std::vector<WebhookConfig> read_webhooks(const toml::table& root, const std::string& source,
                                         const std::filesystem::path& base_dir) {
  std::vector<WebhookConfig> hooks;
  const toml::node* node = root.get("webhooks");
  if (!node) return hooks;
  const toml::array* array = node->as_array();
  if (!array) fail(source, node->source(), "webhooks must be an array of tables: [[webhooks]]");
  std::set<std::string> urls;
  for (const auto& item : *array) {
    const toml::table* table = item.as_table();
    if (!table) fail(source, item.source(), "webhooks must be an array of tables: [[webhooks]]");
    Section section(Section::Element{}, *table, "webhooks", source,
                    {"url", "secret", "secret_file", "events", "timeout_s", "retry_min_s", "retry_max_s"});
    WebhookConfig hook;
    section.read("url", hook.url);
    if (!is_http_url(hook.url)) fail(source, item.source(), "webhooks.url must be an http:// or https:// URL");
    if (!urls.insert(hook.url).second) fail(source, item.source(), "webhooks.url " + hook.url + " is listed twice");
    std::string secret_file;
    section.read("secret", hook.secret);
    section.read("secret_file", secret_file);
    if (!secret_file.empty() && !hook.secret.empty())
      fail(source, item.source(), "webhooks: give secret or secret_file, not both");
    if (!secret_file.empty()) {
      std::filesystem::path path(secret_file);
      if (path.is_relative()) path = (base_dir / path).lexically_normal();
      hook.secret = read_secret(path, source);
    }
    if (hook.secret.empty())
      fail(source, item.source(), "webhooks: " + hook.url + " needs a secret (or secret_file) to sign with");
    hook.events = {"article.archived", "article.updated", "feed.failing"};
    section.read_strings("events", hook.events);
    if (hook.events.empty()) fail(source, item.source(), "webhooks.events must name at least one event");
    for (const auto& event : hook.events)
      if (event != "article.archived" && event != "article.updated" && event != "feed.failing")
        fail(source, item.source(),
             "webhooks.events: unknown event \"" + event + "\" (article.archived, article.updated, feed.failing)");
    section.read_number("timeout_s", hook.timeout_s, 0.1, 300);
    section.read_number("retry_min_s", hook.retry_min_s, 0.01, 3600);
    section.read_number("retry_max_s", hook.retry_max_s, 0.01, 7 * 24 * 3600);
    if (hook.retry_min_s > hook.retry_max_s) fail(source, item.source(), "webhooks.retry_min_s is above retry_max_s");
    hooks.push_back(std::move(hook));
  }
  return hooks;
}

}  // namespace

std::string Config::full_user_agent() const {
  return contact.empty() ? user_agent : user_agent + " (+" + contact + ")";
}

Config parse_config(std::string_view toml_text, const std::filesystem::path& base_dir, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    fail(source, e.source(), std::string(e.description()));
  }
  static const std::set<std::string> kSections = {"archive", "feeds", "fetch", "politeness",
                                                  "schedule", "ingest", "extract", "api", "log", "webhooks"};
  for (const auto& [key, value] : root)
    if (!kSections.contains(std::string(key.str()))) fail(source, value.source(), "unknown section [" + std::string(key.str()) + "]");

  Config c;
  auto resolve = [&](std::string& path) {
    if (!path.empty() && std::filesystem::path(path).is_relative()) path = (base_dir / path).lexically_normal().string();
  };

  double number = 0;
  Section archive(root, "archive", source, {"path", "url", "compact_level", "statement_timeout_s"});
  archive.read("path", c.archive_path);
  resolve(c.archive_path);
  archive.read("url", c.archive_url);
  number = c.compact_level;
  archive.read_number("compact_level", number, 0, 19);
  c.compact_level = int(number);
  number = c.statement_timeout_s;
  archive.read_number("statement_timeout_s", number, 0, 24 * 3600);
  c.statement_timeout_s = number;
  if (!c.archive_url.empty() && !c.archive_url.starts_with("postgresql://") && !c.archive_url.starts_with("postgres://"))
    fail(source, root["archive"]["url"].node()->source(), "archive.url: a postgresql:// URL (a SQLite file is archive.path)");

  Section feeds(root, "feeds", source, {"urls", "opml"});
  feeds.read_strings("urls", c.feed_urls);
  feeds.read("opml", c.opml_path);
  resolve(c.opml_path);

  Section fetch(root, "fetch", source, {"user_agent", "contact", "connect_timeout_s", "total_timeout_s", "max_body_mb",
                                        "max_redirects", "max_connections", "ca_file", "allow_private",
                                        "allow_hosts"});
  fetch.read("user_agent", c.user_agent);
  fetch.read("contact", c.contact);
  number = double(c.connect_timeout_s);
  fetch.read_number("connect_timeout_s", number, 1, 300);
  c.connect_timeout_s = long(number);
  number = double(c.total_timeout_s);
  fetch.read_number("total_timeout_s", number, 1, 3600);
  c.total_timeout_s = long(number);
  number = double(c.max_body_bytes >> 20);
  fetch.read_number("max_body_mb", number, 0.1, 1024);
  c.max_body_bytes = std::size_t(number * (1 << 20));
  number = c.max_redirects;
  fetch.read_number("max_redirects", number, 0, 20);
  c.max_redirects = int(number);
  number = double(c.max_connections);
  fetch.read_number("max_connections", number, 1, 10000);
  c.max_connections = std::size_t(number);
  fetch.read("ca_file", c.ca_file);
  resolve(c.ca_file);
  fetch.read("allow_private", c.allow_private);
  fetch.read_strings("allow_hosts", c.allow_hosts);
  fetch::AllowList allow;
  for (const auto& entry : c.allow_hosts)
    if (!allow.add(entry))
      throw std::runtime_error(source + ": fetch.allow_hosts: \"" + entry +
                               "\" is no host name, address or CIDR network (\"10.0.0.0/8\", host bits zero)");

  Section politeness(root, "politeness", source, {"per_host_concurrency", "min_delay_s", "obey_robots", "max_backoff_h"});
  number = c.per_host_concurrency;
  politeness.read_number("per_host_concurrency", number, 1, 64);
  c.per_host_concurrency = int(number);
  politeness.read_number("min_delay_s", c.min_delay_s, 0, 3600);
  politeness.read("obey_robots", c.obey_robots);
  number = double(c.max_backoff_s) / 3600;
  politeness.read_number("max_backoff_h", number, 0.01, 24 * 30);
  c.max_backoff_s = std::int64_t(number * 3600);

  Section schedule(root, "schedule", source, {"min_interval_min", "max_interval_h", "default_interval_min"});
  number = double(c.min_interval_s) / 60;
  schedule.read_number("min_interval_min", number, 0.01, 24 * 60);
  c.min_interval_s = std::int64_t(number * 60);
  number = double(c.max_interval_s) / 3600;
  schedule.read_number("max_interval_h", number, 0.01, 24 * 30);
  c.max_interval_s = std::int64_t(number * 3600);
  number = double(c.default_interval_s) / 60;
  schedule.read_number("default_interval_min", number, 0.01, 24 * 60 * 30);
  c.default_interval_s = std::int64_t(number * 60);
  if (c.min_interval_s > c.max_interval_s)
    throw std::runtime_error(source + ": schedule.min_interval_min is longer than schedule.max_interval_h");
  c.default_interval_s = std::clamp(c.default_interval_s, c.min_interval_s, c.max_interval_s);

  Section ingest(root, "ingest", source, {"retry_delay_min", "max_retries", "max_entries_per_poll", "lease_s"});
  number = double(c.page_retry_delay_s) / 60;
  ingest.read_number("retry_delay_min", number, 0.01, 24 * 60 * 30);
  c.page_retry_delay_s = std::max<std::int64_t>(1, std::int64_t(number * 60));
  number = c.page_max_retries;
  ingest.read_number("max_retries", number, 0, 20);
  c.page_max_retries = int(number);
  number = double(c.max_entries_per_poll);
  ingest.read_number("max_entries_per_poll", number, 0, 1'000'000);
  c.max_entries_per_poll = std::size_t(number);
  number = double(c.lease_s);
  ingest.read_number("lease_s", number, 3, 24 * 3600);
  c.lease_s = std::int64_t(number);

  Section extract(root, "extract", source, {"workers"});
  number = c.workers;
  extract.read_number("workers", number, 0, 256);
  c.workers = unsigned(number);

  Section api(root, "api", source, {"listen", "socket", "token", "token_file", "public_url", "max_connections",
                                    "max_body_kb", "idle_timeout_s", "request_timeout_s", "readers",
                                    "heartbeat_s"});
  api.read("listen", c.api_listen);
  if (!c.api_listen.empty() && c.api_listen.rfind(':') == std::string::npos)
    throw std::runtime_error(source + ": api.listen must be HOST:PORT (\"127.0.0.1:8470\", \"[::1]:8470\") or \"\"");
  api.read("socket", c.api_socket);
  resolve(c.api_socket);
  api.read("token", c.api_token);
  std::string token_file;
  api.read("token_file", token_file);
  resolve(token_file);
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    if (!in || !std::getline(in, c.api_token))
      throw std::runtime_error(source + ": api.token_file " + token_file + " cannot be read");
    while (!c.api_token.empty() && std::isspace(static_cast<unsigned char>(c.api_token.back()))) c.api_token.pop_back();
  }
  if (!c.api_token.empty() && c.api_token.size() < 16)
    throw std::runtime_error(source + ": api.token must be at least 16 characters");
  api.read("public_url", c.api_public_url);
  while (!c.api_public_url.empty() && c.api_public_url.back() == '/') c.api_public_url.pop_back();
  number = double(c.api_max_connections);
  api.read_number("max_connections", number, 1, 100000);
  c.api_max_connections = std::size_t(number);
  number = double(c.api_max_body_bytes >> 10);
  api.read_number("max_body_kb", number, 1, 256 * 1024);
  c.api_max_body_bytes = std::size_t(number * 1024);
  number = double(c.api_idle_timeout_s);
  api.read_number("idle_timeout_s", number, 1, 3600);
  c.api_idle_timeout_s = std::int64_t(number);
  number = double(c.api_request_timeout_s);
  api.read_number("request_timeout_s", number, 1, 600);
  c.api_request_timeout_s = std::int64_t(number);
  number = c.api_readers;
  api.read_number("readers", number, 1, 64);
  c.api_readers = unsigned(number);
  api.read_number("heartbeat_s", c.api_heartbeat_s, 0.1, 3600);

  Section log(root, "log", source, {"level"});
  std::string level = "info";
  log.read("level", level);
  if (level == "error") c.log_level = LogLevel::error;
  else if (level == "warning") c.log_level = LogLevel::warning;
  else if (level == "info") c.log_level = LogLevel::info;
  else if (level == "debug") c.log_level = LogLevel::debug;
  else throw std::runtime_error(source + ": log.level must be error, warning, info or debug");

  c.webhooks = read_webhooks(root, source, base_dir);
  return c;
}

Config load_config(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read config " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path.parent_path(), path.string());
}

}  // namespace winnow
