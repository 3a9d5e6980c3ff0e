#include "daemon/ingest/ingest.h"

#include <boost/algorithm/string/join.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <array>
#include <cassert>
#include <random>
#include <thread>
#include <unordered_set>

#include "daemon/ingest/ingest_impl.h"
#include "daemon/ingest/ingest_metrics.h"
#include "daemon/log.h"

namespace winnow::ingest {

namespace asio = boost::asio;
using archive::Archive;
using detail::jitter;
using detail::now_s;

UnixSeconds detail::now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double detail::jitter() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

std::string detail::fetch_failure(const fetch::FetchResult& r) {
  if (r.error != fetch::FetchErrc::ok) return std::string(fetch::to_string(r.error));
  if (r.status < 200 || r.status >= 300) return "HTTP " + std::to_string(r.status);
  return {};
}

bool detail::log_if_blocked(const fetch::FetchResult& r) {
  if (r.error != fetch::FetchErrc::blocked_address) return false;
  // The message names the address, the hop's URL and the range: "refused 127.0.0.1 for
  // http://127.0.0.1/a: loopback address".
  // The message is written as is, unlike field values: a control byte of a hostile link
  // must not start a line of its own.
  std::string text = r.error_message;
  std::replace_if(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }, '?');
  log::warning(text + "; set [fetch] allow_private = true or list the host in [fetch] allow_hosts",
               {{"url", r.url}, {"address", r.blocked_address}});
  return true;
}

IngestOptions options_from(const Config& c) {
  IngestOptions o;
  o.schedule = {c.min_interval_s, c.max_interval_s, c.default_interval_s, c.max_backoff_s};
  o.politeness.concurrency = c.per_host_concurrency;
  o.politeness.min_delay_s = c.min_delay_s;
  o.politeness.max_block_s = c.max_backoff_s;
  o.fetch.user_agent = c.full_user_agent();
  o.fetch.connect_timeout_ms = c.connect_timeout_s * 1000;
  o.fetch.total_timeout_ms = c.total_timeout_s * 1000;
  o.fetch.max_body_bytes = c.max_body_bytes;
  o.fetch.max_redirects = c.max_redirects;
  o.fetch.max_connections = c.max_connections;
  o.fetch.ca_file = c.ca_file;
  o.fetch.allow_private = c.allow_private;
  o.fetch.allow_hosts = c.allow_hosts;
  o.obey_robots = c.obey_robots;
  o.workers = c.workers;
  o.retry.base_delay_s = c.page_retry_delay_s;
  o.retry.max_retries = c.page_max_retries;
  o.max_entries_per_poll = c.max_entries_per_poll;
  o.lease_s = c.lease_s;
  return o;
}

Ingest::Ingest(asio::io_context& loop, archive::ArchiveWorker& archive, IngestOptions options)
    : loop_(loop),
      archive_(archive),
      options_(std::move(options)),
      fetcher_(loop, options_.fetch),
      hosts_(loop, options_.politeness),
      robots_(
          hosts_,
          [this](const std::string& url, fetch::FetchRequest request, std::function<void(fetch::FetchResult)> done) {
            fetch_limited(url, std::move(request), [this, done = std::move(done)](fetch::FetchResult r) {
              if (metrics_) metrics_->fetched(FetchKind::robots, r);
              done(std::move(r));
            });
          },
          options_.obey_robots, options_.robots_agent),
      workers_(options_.workers ? options_.workers : std::max(1u, std::thread::hardware_concurrency())),
      owner_(detail::make_owner_id()),
      timer_(loop),
      renew_timer_(loop),
      retry_timer_(loop),
      metrics_(options_.metrics ? std::make_unique<IngestMetrics>(*options_.metrics, archive) : nullptr) {
  // The raw page dictionaries stored so far, for the workers to pack with; with compaction,
  // the compactor hands over those of the hosts it works on instead (there may be thousands).
  page_dictionaries_ = std::make_shared<archive::PageDictionaries>(options_.page_dictionaries);
  if (options_.page_dictionaries.learn_from_samples)
    archive_.post([dictionaries = page_dictionaries_](archive::Archive& a) { dictionaries->load(a); });
  if (!options_.extraction_journal.empty()) {
    std::string error;
    journal_ = ExtractionJournal::open(options_.extraction_journal, error);
    if (!error.empty())
      log::warning("extraction journal unusable: failures are counted until restart only", {{"error", error}});
    if (journal_.crashed_at_open())
      log::warning("pages were being extracted when the last process died: each counts as a failed extraction",
                   {{"pages", journal_.crashed_at_open()}, {"quarantined_after", ExtractionJournal::kQuarantineAfter}});
  }
}

Ingest::~Ingest() {
  *alive_ = false;
  release_all_leases();  // runs after the jobs already queued (a poll's row saved first)
  timer_.cancel();
  renew_timer_.cancel();
  retry_timer_.cancel();
  hosts_.cancel_waiting();
  page_waiters_.clear();
  fetcher_.cancel_all();
  workers_.join();
}

std::size_t Ingest::in_flight() const { return jobs_in_flight_ + polls_in_flight_ + crawls_in_flight_; }

void Ingest::fetch_limited(const std::string& url, fetch::FetchRequest request,
                           std::function<void(fetch::FetchResult)> done) {
  std::string host = budget_key(url);
  if (host == "file") {
    fetcher_.fetch(std::move(request), std::move(done));
    return;
  }
  acquire_host(host, [this, alive = std::weak_ptr<bool>(alive_), host, request = std::move(request),
                      done = std::move(done)](bool held) mutable {
    if (alive.expired()) return;
    if (!held || cancelled_) {  // another daemon kept the host, or drain() cancelled the rest
      if (held) hosts_.release(host, 0, std::nullopt);
      fetch::FetchResult r;
      r.error = fetch::FetchErrc::cancelled;
      r.url = request.url;
      return done(std::move(r));
    }
    fetcher_.fetch(std::move(request), [this, host, done = std::move(done)](fetch::FetchResult r) {
      hosts_.release(host, r.error == fetch::FetchErrc::ok ? r.status : 0, r.retry_after_s);
      done(std::move(r));
    });
  });
}

void Ingest::reconfigure(IngestOptions options) {
  std::vector<std::string> kept;
  const fetch::FetcherOptions &now = options_.fetch, &asked = options.fetch;
  if (now.user_agent != asked.user_agent || now.connect_timeout_ms != asked.connect_timeout_ms ||
      now.total_timeout_ms != asked.total_timeout_ms || now.low_speed_bytes != asked.low_speed_bytes ||
      now.low_speed_time_s != asked.low_speed_time_s || now.max_body_bytes != asked.max_body_bytes ||
      now.max_redirects != asked.max_redirects || now.max_connections != asked.max_connections ||
      now.ca_file != asked.ca_file || now.allow_private != asked.allow_private ||
      now.allow_hosts != asked.allow_hosts)
    kept.push_back("fetch");
  if (options.workers != options_.workers) kept.push_back("workers");
  if (!kept.empty()) log::warning("settings keep their values until a restart", {{"settings", boost::algorithm::join(kept, ", ")}});
  options.fetch = options_.fetch;
  options.workers = options_.workers;
  options.metrics = options_.metrics;
  options_ = std::move(options);
  hosts_.set_params(options_.politeness);
  robots_.configure(options_.obey_robots, options_.robots_agent);
}

// ---- metrics ----------------------------------------------------------------------------

void Ingest::note_depths() {
  if (!metrics_) return;
  metrics_->depths({.pages_in_memory = pages_held_,
                    .page_fetches_waiting = page_waiters_.size(),
                    .entries_in_flight = jobs_in_flight_,
                    .polls_in_flight = polls_in_flight_,
                    .retries_in_flight = retries_in_flight()});
}

// ---- shutdown ---------------------------------------------------------------------------

void Ingest::drain(std::chrono::milliseconds grace, std::function<void()> drained) {
  draining_ = true;
  drained_ = std::move(drained);
  timer_.cancel();
  renew_timer_.cancel();
  retry_timer_.cancel();
  log::info("draining", {{"in_flight", in_flight()}, {"waiting", hosts_.waiting()}});
  grace_timer_ = std::make_unique<asio::steady_timer>(loop_, grace);
  grace_timer_->async_wait([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
    if (ec || alive.expired() || !drained_) return;
    log::warning("drain timed out; cancelling", {{"in_flight", in_flight()}});
    cancel_in_flight();
  });
  maybe_drained();
}

void Ingest::halt(std::function<void()> halted) {
  if (cancelled_) return;  // halted already, or a drain already cancelled what was in flight
  if (drained_) {
    // A drain under way: its caller is told too.
    halted = [first = std::move(drained_), then = std::move(halted)] {
      first();
      if (then) then();
    };
  }
  draining_ = true;
  drained_ = std::move(halted);
  timer_.cancel();
  renew_timer_.cancel();
  retry_timer_.cancel();
  if (grace_timer_) grace_timer_->cancel();
  log::info("halting", {{"in_flight", in_flight()}});
  cancel_in_flight();
}

void Ingest::cancel_in_flight() {
  cancelled_ = true;
  hosts_.cancel_waiting();
  page_waiters_.clear();
  fetcher_.cancel_all();
  // Requests waiting for a host's lease end unsent, as those waiting for its budget.
  std::vector<std::function<void(bool)>> lease_waiters;
  for (auto& [host, lease] : host_leases_) {
    for (auto& go : lease->waiters) lease_waiters.push_back(std::move(go));
    lease->waiters.clear();
  }
  for (auto& go : lease_waiters) go(false);
  release_all_leases();
  // Whatever was cancelled is not archived (nor its feed's poll saved), so it is fetched
  // again after the restart; callbacks still arriving find cancelled_ and write nothing.
  auto done = std::move(drained_);
  drained_ = nullptr;
  if (done) done();
}

void Ingest::maybe_drained() {
  if (!draining_ || !drained_ || in_flight() != 0) return;
  if (grace_timer_) grace_timer_->cancel();
  release_all_leases();  // others take this daemon's feeds and hosts at once
  auto done = std::move(drained_);
  drained_ = nullptr;
  asio::post(loop_, std::move(done));
}

}  // namespace winnow::ingest
