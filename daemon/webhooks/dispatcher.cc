#include "daemon/webhooks/dispatcher.h"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <exception>
#include <random>
#include <utility>

#include "daemon/archive/archive.h"
#include "daemon/archive/archive_worker.h"
#include "daemon/log.h"
#include "daemon/webhooks/delivery.h"

namespace winnow::webhooks {
namespace {

struct CurlEasyFree {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyFree>;

struct CurlSlistFree {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistFree>;

// Events sent to one endpoint in a row before the others get their turn.
constexpr int kBurst = 64;
// How often events every endpoint is done with are deleted while deliveries go on (and
// whenever the backlog empties).
constexpr std::chrono::seconds kPruneEvery{60};

void init_curl_once() {
  // As fetch/fetcher.cc: curl_global_init must run once before the first handle.
  static const bool done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)done;
}

// The URL for a log line: without its query, which may hold a token.
std::string loggable(const std::string& url) { return url.substr(0, url.find('?')); }

// Appends `line` to `list`; curl_slist_append returns the head (new for an empty list), or
// null and leaves the list as it was.
void append(CurlSlist& list, const std::string& line) {
  curl_slist* head = curl_slist_append(list.get(), line.c_str());
  if (!head) throw std::bad_alloc();
  if (!list) list.reset(head);
}

std::size_t discard(char*, std::size_t size, std::size_t count, void*) noexcept { return size * count; }

std::mt19937& rng() {
  thread_local std::mt19937 engine{std::random_device{}()};
  return engine;
}

}  // namespace

struct Dispatcher::Endpoint {
  WebhookConfig config;
  std::vector<archive::EventType> types;
  std::int64_t cursor = 0;    // every event up to it is done; committed a little later
  int attempts = 0;           // failed attempts at the head event
  Clock::time_point retry_at; // no attempt before; epoch: at once
  bool warned = false;        // a failing streak was logged
  CurlEasy curl;              // kept for its connection cache (keep-alive)
};

Dispatcher::Dispatcher(archive::ArchiveWorker& writer, DispatcherOptions options)
    : writer_(writer), options_(std::move(options)) {
  init_curl_once();
  pending_ = register_endpoints(options_.endpoints);
  std::promise<void> started;
  auto ready = started.get_future();
  thread_ = std::thread([this, &started] { run(started); });
  try {
    ready.get();
  } catch (...) {
    thread_.join();
    throw;
  }
}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      stopping_ = true;
      abort_after_.store((Clock::now() + options_.stop_grace).time_since_epoch().count());
      stop_requested_.store(true);
    }
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

Dispatcher::Pending Dispatcher::register_endpoints(std::vector<WebhookConfig> endpoints) {
  std::vector<archive::WebhookSubscription> subscriptions;
  for (const auto& config : endpoints) {
    archive::WebhookSubscription subscription{config.url, {}};
    for (const auto& name : config.events)
      if (auto type = archive::event_type_from(name)) subscription.types.push_back(*type);
    subscriptions.push_back(std::move(subscription));
  }
  auto done = std::make_shared<std::promise<void>>();
  Pending pending{std::move(endpoints), done->get_future().share()};
  writer_.post([subscriptions = std::move(subscriptions)](
                   archive::Archive& archive) { archive.set_webhook_endpoints(subscriptions); },
               [done](std::exception_ptr error) {
                 if (error) done->set_exception(error);
                 else done->set_value();
               });
  return pending;
}

void Dispatcher::reconfigure(std::vector<WebhookConfig> endpoints) {
  Pending pending = register_endpoints(std::move(endpoints));
  {
    std::lock_guard lock(mutex_);
    pending_ = std::move(pending);
  }
  wake_.notify_all();
}

void Dispatcher::nudge() {
  {
    std::lock_guard lock(mutex_);
    nudged_ = true;
  }
  wake_.notify_all();
}

bool Dispatcher::aborting() const {
  return stop_requested_.load() && Clock::now().time_since_epoch().count() >= abort_after_.load();
}

void Dispatcher::run(std::promise<void>& started) {
  try {
    archive_ = archive::Archive::open_read_only(options_.archive_path);
    std::optional<Pending> first;
    {
      std::lock_guard lock(mutex_);
      first.swap(pending_);
    }
    apply(*first);
  } catch (...) {
    started.set_exception(std::current_exception());
    return;
  }
  started.set_value();  // `started` is gone from here on
  auto next_prune = Clock::now() + kPruneEvery;
  bool delivered_since_prune = false;
  while (true) {
    std::optional<Pending> pending;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
      pending.swap(pending_);
    }
    bool more = false;
    try {
      if (pending) apply(*pending);
      const auto before = delivered_.load();
      more = deliver_due();
      delivered_since_prune |= delivered_.load() != before;
      backlog_ = endpoints_.empty() ? 0 : archive_->webhook_backlog();
      if (delivered_since_prune && (backlog_ == 0 || Clock::now() >= next_prune)) {
        write([](archive::Archive& archive) { archive.prune_webhook_events(); });
        delivered_since_prune = false;
        next_prune = Clock::now() + kPruneEvery;
      }
      if (archive_failing_) log::info("webhooks read the archive again", {{"archive", archive::Archive::location_for_logs(options_.archive_path)}});
      archive_failing_ = false;
    } catch (...) {
      // The archive could not be read, or the registration failed (a full disk): tried
      // again after a poll's rest.
      if (!archive_failing_)
        log::warning("webhooks cannot use the archive",
                     {{"archive", archive::Archive::location_for_logs(options_.archive_path)}, {"error", log::describe(std::current_exception())}});
      archive_failing_ = true;
      more = false;
      if (pending) {
        const bool registered = pending->registered.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
        Pending again = registered ? register_endpoints(std::move(pending->endpoints)) : std::move(*pending);
        std::lock_guard lock(mutex_);
        if (!pending_) pending_ = std::move(again);
      }
    }
    std::unique_lock lock(mutex_);
    if (archive_failing_) {
      // Not woken by the reconfiguration put back above.
      wake_.wait_for(lock, options_.poll_interval, [this] { return stopping_; });
      continue;
    }
    if (more) continue;
    const auto woken = [this] { return stopping_ || nudged_ || pending_.has_value(); };
    if (endpoints_.empty())
      wake_.wait(lock, woken);
    else
      wake_.wait_until(lock, next_wake(), woken);
    nudged_ = false;
  }
  archive_.reset();
}

void Dispatcher::apply(const Pending& pending) {
  pending.registered.get();  // the writer commits within a batch's delay; throws what it threw
  const auto states = archive_->webhook_endpoints();
  std::vector<std::unique_ptr<Endpoint>> endpoints;
  for (const auto& config : pending.endpoints) {
    auto old = std::find_if(endpoints_.begin(), endpoints_.end(),
                            [&](const auto& e) { return e && e->config.url == config.url; });
    std::unique_ptr<Endpoint> endpoint;
    if (old != endpoints_.end()) {
      endpoint = std::move(*old);  // its cursor in memory is ahead of the archive's
    } else {
      endpoint = std::make_unique<Endpoint>();
      // After a restart the head event is tried at once; the backoff goes on from the
      // attempts the archive kept.
      for (const auto& state : states)
        if (state.url == config.url) {
          endpoint->cursor = state.delivered_seq;
          endpoint->attempts = state.attempts;
        }
      endpoint->curl.reset(curl_easy_init());
      if (!endpoint->curl) throw std::runtime_error("webhooks: curl_easy_init failed");
    }
    endpoint->config = config;
    endpoint->types.clear();
    for (const auto& name : config.events)
      if (auto type = archive::event_type_from(name)) endpoint->types.push_back(*type);
    endpoints.push_back(std::move(endpoint));
  }
  endpoints_ = std::move(endpoints);
  log::info("webhooks configured", {{"endpoints", endpoints_.size()}});
}

void Dispatcher::write(std::function<void(archive::Archive&)> job) {
  writer_.post(std::move(job), [](std::exception_ptr error) {
    if (error) log::warning("webhook state not saved", {{"error", log::describe(error)}});
  });
}

bool Dispatcher::deliver_due() {
  bool more = false;
  for (auto& endpoint : endpoints_) {
    if (stop_requested_.load() || Clock::now() < endpoint->retry_at) continue;
    const auto events = archive_->webhook_events_after(endpoint->cursor, endpoint->types, kBurst);
    std::size_t sent = 0;
    while (sent < events.size() && !stop_requested_.load() && deliver_one(*endpoint, events[sent])) ++sent;
    if (sent == std::size_t(kBurst)) more = true;
  }
  return more;
}

bool Dispatcher::deliver_one(Endpoint& endpoint, const archive::OutboxEvent& event) {
  std::optional<archive::ArticleRow> article;
  std::optional<archive::FeedRow> feed;
  if (event.article_id) article = archive_->article(*event.article_id);
  if (event.feed_id) feed = archive_->feed(*event.feed_id);
  const std::string body = event_body(event, article, feed);
  const auto headers =
      delivery_headers(event, body, endpoint.config.secret, static_cast<base::UnixSeconds>(std::time(nullptr)));

  CURL* h = endpoint.curl.get();
  curl_easy_reset(h);  // keeps the connection cache
  CurlSlist list;
  for (const auto& [name, value] : headers) append(list, name + ": " + value);
  append(list, "Expect:");  // no "100-continue" round trip for larger bodies
  const auto timeout_ms = static_cast<long>(std::lround(endpoint.config.timeout_s * 1000));
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(h, CURLOPT_URL, endpoint.config.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is no delivery
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
  // Called at least once a second while the request runs: lets stop() cut it short.
  auto progress = +[](void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
    return static_cast<const Dispatcher*>(self)->aborting() ? 1 : 0;
  };
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, this);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  const CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);

  if (rc == CURLE_ABORTED_BY_CALLBACK) return false;  // stopping: sent again after the restart
  if (rc != CURLE_OK) {
    failed(endpoint, event.seq, *error_buffer ? error_buffer : curl_easy_strerror(rc));
    return false;
  }
  if (status < 200 || status > 299) {
    failed(endpoint, event.seq, "HTTP " + std::to_string(status));
    return false;
  }
  endpoint.cursor = event.seq;
  write([url = endpoint.config.url, seq = event.seq](archive::Archive& archive) {
    archive.webhook_delivered(url, seq);
  });
  delivered_.fetch_add(1, std::memory_order_relaxed);
  log::debug("webhook delivered",
             {{"url", loggable(endpoint.config.url)}, {"event", archive::to_string(event.type)}, {"id", event.seq}});
  if (endpoint.warned)
    log::info("webhook delivers again", {{"url", loggable(endpoint.config.url)}, {"attempts", endpoint.attempts + 1}});
  endpoint.attempts = 0;
  endpoint.warned = false;
  endpoint.retry_at = {};
  return true;
}

void Dispatcher::failed(Endpoint& endpoint, std::int64_t seq, const std::string& error) {
  ++endpoint.attempts;
  const double doubled = endpoint.config.retry_min_s * std::pow(2.0, std::min(endpoint.attempts - 1, 40));
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  const double delay_s = std::min(endpoint.config.retry_max_s, doubled * jitter(rng()));
  endpoint.retry_at = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(delay_s));
  const std::initializer_list<log::Field> fields = {{"url", loggable(endpoint.config.url)},
                                                    {"id", seq},
                                                    {"error", error},
                                                    {"attempts", endpoint.attempts},
                                                    {"retry_in_s", delay_s}};
  if (!endpoint.warned) log::warning("webhook delivery failed", fields);
  else log::debug("webhook delivery failed", fields);
  endpoint.warned = true;
  write([url = endpoint.config.url, attempts = endpoint.attempts, error](archive::Archive& archive) {
    archive.webhook_failed(url, attempts, error);
  });
}

Dispatcher::Clock::time_point Dispatcher::next_wake() const {
  auto wake = Clock::now() + options_.poll_interval;
  for (const auto& endpoint : endpoints_)
    if (endpoint->attempts > 0) wake = std::min(wake, std::max(endpoint->retry_at, Clock::now()));
  return wake;
}

}  // namespace winnow::webhooks
