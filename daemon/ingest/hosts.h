#pragma once
// Politeness: one budget per host, shared by feed polls, article fetches, robots.txt and
// retries. A host gets at most `concurrency` requests at once, and request starts are at
// least `delay` apart (the configured minimum, or robots.txt's Crawl-delay when larger).
// Retry-After on 429/503 closes the host until then; bursts of 403/429/503 double the delay
// (a soft rate limit), successes bring it back down. Loop thread only.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace winnow::ingest {

// The budget a URL's requests count against: its host, lowercased. "file" for a URL without
// one (a local file), which callers fetch outside any budget. Pure; any thread.
std::string budget_key(std::string_view url);

struct PolitenessParams {
  int concurrency = 2;
  double min_delay_s = 1.0;
  double max_delay_s = 120.0;      // ceiling of the soft rate limit
  std::int64_t max_block_s = 24 * 3600;  // longest Retry-After honoured
};

class HostBudgets {
 public:
  using Clock = std::chrono::steady_clock;

  HostBudgets(boost::asio::io_context& loop, PolitenessParams params);
  ~HostBudgets();
  HostBudgets(const HostBudgets&) = delete;
  HostBudgets& operator=(const HostBudgets&) = delete;

  // Runs `go` (on the loop) once `host` has a free slot and its delay has passed. Requests
  // of one host start in the order they asked. Every `go` must be matched by one release().
  void acquire(const std::string& host, std::function<void()> go);

  // Ends a request of `host`. `status` is the HTTP status (0 for a network error).
  void release(const std::string& host, long status, std::optional<std::int64_t> retry_after_s);

  // robots.txt's Crawl-delay for the host (seconds); the larger of it and the minimum applies.
  void set_crawl_delay(const std::string& host, double seconds);

  // New limits (a reload): requests waiting for a slot start at once if the new ones allow.
  void set_params(PolitenessParams params);

  // Drops every waiting request without running it (shutdown).
  void cancel_waiting();

  std::size_t waiting() const;          // requests queued, all hosts
  std::size_t hosts() const { return hosts_.size(); }
  // True while the host has requests waiting or under way, or pacing state to keep (a delay
  // still running, Retry-After, a soft rate limit, a Crawl-delay).
  bool tracks(const std::string& host) const { return hosts_.contains(host); }
  int max_in_flight_seen() const { return max_in_flight_seen_; }  // per host, for tests

 private:
  struct Host {
    int in_flight = 0;
    std::deque<std::function<void()>> queue;
    Clock::time_point next_start{};
    Clock::time_point blocked_until{};
    double crawl_delay_s = 0;
    double penalty = 1.0;  // soft rate limit multiplier, >= 1
    int recent_refusals = 0;
    std::unique_ptr<boost::asio::steady_timer> timer;  // armed while waiting for time
    bool timer_armed = false;
  };

  double delay_s(const Host& h) const;
  void pump(const std::string& name, Host& h);
  void forget_if_idle(const std::string& name);

  boost::asio::io_context& loop_;
  PolitenessParams params_;
  std::unordered_map<std::string, Host> hosts_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  int max_in_flight_seen_ = 0;
};

}  // namespace winnow::ingest
