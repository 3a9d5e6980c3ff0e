// winnowd: the ingestion service. Polls the configured feeds around the clock, archives
// their articles, and speaks systemd's notify protocol (READY, STATUS, WATCHDOG, RELOADING,
// STOPPING). SIGHUP re-reads the configuration; SIGTERM or SIGINT drains and exits.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options/value_semantic.hpp>
#include <systemd/sd-daemon.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "daemon/api/api.h"
#include "daemon/archive/archive_worker.h"
#include "daemon/archive/compactor.h"
#include "daemon/archive/writer_lock.h"
#include "daemon/cli/args.h"
#include "daemon/cli/config_dump.h"
#include "daemon/cli/pid_file.h"
#include "daemon/cli/version.h"
#include "daemon/config.h"
#include "daemon/feed_list.h"
#include "daemon/ingest/ingest.h"
#include "daemon/log.h"
#include "daemon/metrics/process.h"
#include "daemon/metrics/registry.h"
#include "daemon/notify/listener.h"
#include "daemon/webhooks/dispatcher.h"

namespace {

namespace asio = boost::asio;
using namespace winnow;

// SIGTERM: work in flight gets this long to finish; systemd's TimeoutStopSec is longer.
constexpr std::chrono::seconds kDrainGrace{25};
// The exit status when the archive's disk is full: sysexits' EX_TEMPFAIL, "try again later".
// systemd's Restart=on-failure starts winnowd again after RestartSec, and its start limit
// leaves the unit failed if the disk stays full (docs/operation.md, "Disk full").
constexpr int kExitArchiveFull = 75;

// Beside the archive, what counts pages that failed extraction, across crashes too. The
// Ingest keeps the metrics registry of its construction (a reload's null changes nothing).
ingest::IngestOptions ingest_options(const Config& config, metrics::Registry* registry = nullptr) {
  ingest::IngestOptions options = ingest::options_from(config);
  options.extraction_journal = config.archive_path + ".extracting";
  // SQLite: the writer lock keeps every other winnowd off this archive, so leases left by a
  // winnowd killed before are stale. PostgreSQL: other daemons may hold live leases.
  options.sole_instance = config.archive_url.empty();
  options.metrics = registry;
  // The compactor learns page dictionaries from stored pages: no samples kept in memory.
  // (`winnow crawl`, which runs no compactor, samples as before.)
  options.page_dictionaries.learn_from_samples = config.compact_level == 0;
  return options;
}

// The webhook dispatcher's part of the configuration: its endpoints, and ours for the rest.
webhooks::DispatcherOptions webhook_options(const Config& config) {
  webhooks::DispatcherOptions options;
  options.archive_path = config.archive_location();
  options.endpoints = config.webhooks;
  options.user_agent = config.full_user_agent();
  options.ca_file = config.ca_file;
  options.lease = std::chrono::seconds(config.lease_s);  // as feeds and hosts: [ingest] lease_s
  return options;
}

class Service {
 public:
  Service(std::string config_path, Config config)
      : config_path_(std::move(config_path)),
        config_(std::move(config)),
        lock_(config_.archive_url.empty() ? std::make_unique<archive::WriterLock>(config_.archive_path) : nullptr),
        archive_(config_.archive_location(), [this] { asio::post(loop_, [this] { archive_full(); }); }),
        webhooks_(archive_, webhook_options(config_)),
        ingest_(loop_, archive_, ingest_options(config_, &metrics_)),
        signals_(loop_, SIGTERM, SIGINT, SIGHUP),
        status_timer_(loop_),
        watchdog_timer_(loop_) {
    metrics::register_process_metrics(metrics_);
    webhook_backlog_ = metrics_.gauge_callback("winnow_webhook_backlog",
                                               "Webhook deliveries waiting: events not yet accepted by an endpoint.",
                                               [this] { return double(webhooks_.backlog()); });
    if (!config_.api_listen.empty() || !config_.api_socket.empty())
      api_ = std::make_unique<api::Api>(loop_, archive_, ingest_, config_.archive_location(), api::api_options_from(config_),
                                        api::DaemonState{[this] { return !archive_.full() && exit_status_ == 0; },
                                                         [this] { return metrics_.render(); }});
  }

  int run() {
    listen();
    count_archived();
    subscribe_configured();
    ingest_.start();
    start_compactor();
    wait_for_signal();
    start_watchdog();
    tick_status();
    sd_notify(0, "READY=1");
    log::info("started", {{"config", config_path_}, {"archive", archive::Archive::location_for_logs(config_.archive_location())}});
    loop_.run();
    if (compactor_) compactor_->stop();  // the loop is done: joining blocks nothing
    log::info("stopped", {{"archived", ingest_.stats().archived}});
    return exit_status_;
  }

  // After run(): everything queued for the archive is committed before the worker exits.
  void flush() { archive_.flush(); }

 private:
  void start_compactor() {
    if (config_.compact_level == 0) return;
    archive::Compactor::Options options;
    options.level = config_.compact_level;
    compactor_ = std::make_unique<archive::Compactor>(config_.archive_location(), archive_,
                                                      ingest_.page_dictionaries(), options);
    compactor_->start();
  }

  // PostgreSQL: what any instance commits wakes this one's streams and webhooks at once,
  // instead of at their next look (docs/scale-out.md, "Consumers").
  void listen() {
    if (config_.archive_url.empty()) return;
    notify::ListenerHandlers handlers;
    handlers.on_notice = [this](const archive::Notice& notice) {
      if (notice.kind == archive::Notice::Kind::event) return webhooks_.nudge();
      if (api_) api_->articles_committed(notice.id);
    };
    handlers.on_resync = [this] {
      webhooks_.nudge();
      if (api_) api_->articles_committed(std::nullopt);
    };
    listener_ = std::make_shared<notify::Listener>(loop_, config_.archive_location(), std::move(handlers));
    listener_->start();
  }

  void subscribe_configured() {
    std::vector<ingest::Ingest::Subscription> subs;
    try {
      for (auto& s : configured_feeds(config_)) subs.push_back({s.url, s.title, s.category});
    } catch (const std::exception& e) {
      log::error("feed list unreadable", {{"error", e.what()}});
    }
    if (!subs.empty()) ingest_.subscribe(std::move(subs));
  }

  void wait_for_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      if (signal == SIGHUP) {
        reload();
        return wait_for_signal();
      }
      stop(signal);
    });
  }

  void reload() {
    sd_notify(0, "RELOADING=1");
    try {
      Config fresh = load_config(config_path_);
      if (fresh.archive_path != config_.archive_path || fresh.archive_url != config_.archive_url)
        log::warning("archive path change needs a restart", {{"path", archive::Archive::location_for_logs(fresh.archive_location())}});
      if (fresh.statement_timeout_s != config_.statement_timeout_s)
        log::warning("archive statement_timeout_s change needs a restart",
                     {{"statement_timeout_s", std::to_string(fresh.statement_timeout_s)}});
      if (fresh.api_listen != config_.api_listen || fresh.api_socket != config_.api_socket)
        log::warning("api address change needs a restart", {{"listen", fresh.api_listen}, {"socket", fresh.api_socket}});
      fresh.archive_path = config_.archive_path;
      fresh.archive_url = config_.archive_url;
      fresh.statement_timeout_s = config_.statement_timeout_s;
      config_ = std::move(fresh);
      log::set_level(config_.log_level);
      ingest_.reconfigure(ingest_options(config_));
      if (api_) api_->reconfigure(api::api_options_from(config_));
      webhooks_.reconfigure(config_.webhooks);
      subscribe_configured();
      ingest_.start();  // picks up feeds added to the archive by `winnow feeds add`
      log::info("reloaded", {{"config", config_path_}});
    } catch (const std::exception& e) {
      log::error("reload failed; keeping the running configuration", {{"error", e.what()}});
    }
    sd_notify(0, "READY=1");
  }

  void stop(int signal) {
    sd_notify(0, "STOPPING=1");
    log::info("stopping", {{"signal", strsignal(signal)}});
    signals_.cancel();
    status_timer_.cancel();
    if (compactor_) compactor_->request_stop();  // drops its batch under way, unwritten
    // A stalled PostgreSQL is waited for once, not by each write of the drain in turn.
    archive::stop_waiting_for_postgres_at_first_timeout();
    if (listener_) listener_->stop();
    if (api_) api_->stop();
    ingest_.drain(kDrainGrace, [this] {
      watchdog_timer_.cancel();
      loop_.stop();
    });
  }

  // The archive took no more: stop polling and fetching at once (what is in flight stays
  // unwritten and is fetched again after the restart) and exit with kExitArchiveFull. The
  // ArchiveWorker has logged the one error line, with the path and the space left.
  void archive_full() {
    if (exit_status_ == kExitArchiveFull) return;
    exit_status_ = kExitArchiveFull;
    sd_notify(0, "STOPPING=1\nSTATUS=archive disk full; exiting");
    signals_.cancel();
    status_timer_.cancel();
    if (compactor_) compactor_->request_stop();
    if (listener_) listener_->stop();
    if (api_) api_->stop();
    ingest_.halt([this] {
      watchdog_timer_.cancel();
      loop_.stop();
    });
  }

  // STATUS= for `systemctl status`: what winnowd follows and does, every 2 s (cheap: one
  // datagram), so the first status after start already counts the feeds loaded.
  void tick_status() {
    const auto& s = ingest_.stats();
    char status[320];
    const unsigned long long duplicates = s.url_duplicates + s.near_duplicates;
    std::snprintf(status, sizeof status,
                  "STATUS=feeds %zu (%zu failing), polls %llu (%llu failed), fetching %zu, queued %zu, "
                  "archived %llu since start (%lld in all), duplicates %llu",
                  ingest_.feed_count(), ingest_.failing_feeds(), (unsigned long long)s.polls,
                  (unsigned long long)s.polls_failed, ingest_.in_flight(), ingest_.queued_fetches(),
                  (unsigned long long)s.archived, archived_before_ < 0 ? -1LL : (long long)(archived_before_ + s.archived),
                  duplicates);
    sd_notify(0, status);
    status_timer_.expires_after(std::chrono::seconds(2));
    status_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) tick_status();
    });
  }

  // The archive's article count at start, for the all-time total; read once on the
  // archive thread.
  void count_archived() {
    archive_.post([this](archive::Archive& a) {
      const std::int64_t count = a.article_count();
      asio::post(loop_, [this, count] { archived_before_ = count; });
    });
  }

  // WATCHDOG=1 from the loop thread, at half the interval systemd asks for: if the loop
  // ever blocks, the pings stop and systemd restarts the service.
  void start_watchdog() {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
    watchdog_period_ = std::chrono::microseconds(usec / 2);
    ping_watchdog();
  }

  void ping_watchdog() {
    sd_notify(0, "WATCHDOG=1");
    watchdog_timer_.expires_after(watchdog_period_);
    watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) ping_watchdog();
    });
  }

  std::string config_path_;
  Config config_;
  metrics::Registry metrics_;  // for GET /metrics; outlives the Ingest's handles and callbacks
  asio::io_context loop_;
  // Before the archive is opened; released after it is closed. SQLite only: on PostgreSQL
  // several daemons share the database by lease.
  std::unique_ptr<archive::WriterLock> lock_;
  archive::ArchiveWorker archive_;
  // Registers the configured endpoints before ingest_ archives anything (its own thread
  // and archive connection; always there, so that a reload may add the first endpoint).
  webhooks::Dispatcher webhooks_;
  ingest::Ingest ingest_;
  // Raw page compaction (archive/compactor.h), when configured: its own thread, stopped
  // before the archive's last flush.
  std::unique_ptr<archive::Compactor> compactor_;
  asio::signal_set signals_;
  asio::steady_timer status_timer_;
  asio::steady_timer watchdog_timer_;
  std::unique_ptr<api::Api> api_;  // after what it reads: goes first
  std::shared_ptr<notify::Listener> listener_;  // PostgreSQL only; calls api_ and webhooks_: goes before them
  metrics::Registration webhook_backlog_;  // reads webhooks_: unregistered before it goes
  std::chrono::microseconds watchdog_period_{0};
  int exit_status_ = 0;
  std::int64_t archived_before_ = -1;  // articles in the archive at start; -1 until counted
};

// winnowd's command line (cli/args.h): --config, --pid-file, --check-config, --version.
cli::Command winnowd_command() {
  namespace po = boost::program_options;
  cli::Command c("winnowd", "[--config FILE] [--pid-file PATH]\n--check-config FILE\n--version",
                 "The ingestion service: polls the configured feeds, archives their articles, serves the\n"
                 "API. Meant to run under systemd (winnowd.service); SIGHUP (`winnow reload`) re-reads the\n"
                 "configuration and the feeds, SIGTERM drains and exits.",
                 "exit status: 0 stopped when asked; 1 could not start or failed; 2 bad usage or, with\n"
                 "             --check-config, a configuration that does not load; 75 the archive's disk is full\n");
  c.options()("config", po::value<std::string>()->value_name("FILE"),
              "TOML configuration (default /etc/winnow/winnowd.toml)")(
      "pid-file", po::value<std::string>()->value_name("PATH"),
      "write the process id here (default $RUNTIME_DIRECTORY/winnowd.pid, else beside the archive)")(
      "check-config", po::value<std::string>()->value_name("FILE"),
      "load FILE as winnowd would, print the effective configuration, and exit")(
      "version", po::bool_switch(), "print the version and exit");
  c.positionals(0, 0);
  return c;
}

// `--check-config FILE`: 0 and the configuration in force on standard output, or 2 and why not.
int check_config(const std::string& path) {
  try {
    Config config = load_config(path);
    configured_feeds(config);  // the feed URLs and the OPML file are read at start too
    std::fputs(cli::config_as_toml(config).c_str(), stdout);
    std::fprintf(stderr, "winnowd: %s: configuration OK\n", path.c_str());
    return cli::kExitOk;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "winnowd: %s\n", e.what());
    return cli::kExitUsage;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const cli::Command command = winnowd_command();
  std::optional<cli::Args> parsed;
  try {
    parsed.emplace(std::span<char* const>(argv + 1, argv + argc), command);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "winnowd: %s\nTry 'winnowd --help'.\n", e.what());
    return cli::kExitUsage;
  }
  const cli::Args& args = *parsed;
  if (cli::print_help_if_asked(args, command)) return cli::kExitOk;
  if (args.has("version")) {
    std::printf("winnowd %s\n", WINNOW_VERSION);
    return cli::kExitOk;
  }
  if (auto file = args.get("check-config")) return check_config(*file);
  const std::string config_path = args.get_or("config", "/etc/winnow/winnowd.toml");
  // A closed pipe or peer is an error value for curl and Asio, not a reason to die.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    Config config = load_config(config_path);
    log::set_level(config.log_level);
    archive::set_postgres_statement_timeout(
        std::chrono::milliseconds(static_cast<std::int64_t>(config.statement_timeout_s * 1000)));
    const std::string pid_path = args.get_or("pid-file", cli::default_pid_file(config));
    auto service = std::make_unique<Service>(config_path, std::move(config));
    // For `winnow reload`: which winnowd is this one. Written once the Service holds the
    // archive's lock, so that a second winnowd, refused, never replaces the first one's.
    cli::PidFile pid_file(pid_path);
    if (!pid_file.ok()) log::warning("cannot write the pid file", {{"path", pid_file.path()}});
    int rc = service->run();
    service->flush();
    service.reset();
    return rc;
  } catch (const std::exception& e) {
    log::error("cannot start", {{"error", e.what()}});
    sd_notifyf(0, "STATUS=cannot start: %s", e.what());
    // A disk too full to open the archive on is the full disk of archive_full() too.
    return dynamic_cast<const archive::StorageFull*>(&e) ? kExitArchiveFull : 1;
  }
}
