#include "daemon/ingest/hosts.h"

#include <boost/asio/post.hpp>

#include <algorithm>

#include "parsers/url/normalize.h"

namespace winnow::ingest {

std::string budget_key(std::string_view url) {
  std::string host = parsers::url_host(url);
  return host.empty() ? std::string("file") : host;
}

HostBudgets::HostBudgets(boost::asio::io_context& loop, PolitenessParams params) : loop_(loop), params_(params) {}

HostBudgets::~HostBudgets() { *alive_ = false; }

double HostBudgets::delay_s(const Host& h) const {
  return std::min(params_.max_delay_s, std::max(params_.min_delay_s, h.crawl_delay_s) * h.penalty);
}

void HostBudgets::acquire(const std::string& host, std::function<void()> go) {
  Host& h = hosts_[host];
  h.queue.push_back(std::move(go));
  pump(host, h);
}

void HostBudgets::pump(const std::string& name, Host& h) {
  while (!h.queue.empty() && h.in_flight < params_.concurrency) {
    auto now = Clock::now();
    auto ready = std::max(h.next_start, h.blocked_until);
    if (ready > now) {
      if (!h.timer_armed) {
        if (!h.timer) h.timer = std::make_unique<boost::asio::steady_timer>(loop_);
        h.timer->expires_at(ready);
        h.timer_armed = true;
        h.timer->async_wait([this, alive = std::weak_ptr<bool>(alive_), name](const boost::system::error_code& ec) {
          if (ec || alive.expired()) return;
          auto it = hosts_.find(name);
          if (it == hosts_.end()) return;
          it->second.timer_armed = false;
          pump(name, it->second);
        });
      }
      return;
    }
    std::function<void()> go = std::move(h.queue.front());
    h.queue.pop_front();
    ++h.in_flight;
    max_in_flight_seen_ = std::max(max_in_flight_seen_, h.in_flight);
    h.next_start = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(delay_s(h)));
    // Run it from the loop, never inside the caller's stack (acquire may be called from a
    // callback that is about to touch state `go` changes).
    boost::asio::post(loop_, std::move(go));
  }
}

void HostBudgets::release(const std::string& host, long status, std::optional<std::int64_t> retry_after_s) {
  auto it = hosts_.find(host);
  if (it == hosts_.end()) return;
  Host& h = it->second;
  if (h.in_flight > 0) --h.in_flight;
  bool refused = status == 403 || status == 429 || status == 503;
  if (refused) {
    if (++h.recent_refusals >= 3) {
      h.penalty = std::min(h.penalty * 2, 64.0);
      h.recent_refusals = 0;
    }
    if (retry_after_s && (status == 429 || status == 503)) {
      auto block = std::chrono::seconds(std::clamp<std::int64_t>(*retry_after_s, 0, params_.max_block_s));
      h.blocked_until = std::max(h.blocked_until, Clock::now() + block);
    }
  } else if (status >= 200 && status < 400) {
    h.recent_refusals = 0;
    h.penalty = std::max(1.0, h.penalty * 0.75);
  }
  pump(host, h);
  forget_if_idle(host);
}

void HostBudgets::set_crawl_delay(const std::string& host, double seconds) {
  hosts_[host].crawl_delay_s = std::clamp(seconds, 0.0, params_.max_delay_s);
}

void HostBudgets::set_params(PolitenessParams params) {
  params_ = params;
  for (auto& [name, h] : hosts_) pump(name, h);  // pump neither adds nor removes hosts
}

void HostBudgets::forget_if_idle(const std::string& name) {
  auto it = hosts_.find(name);
  if (it == hosts_.end()) return;
  const Host& h = it->second;
  // Keep hosts that still pace, block or remember a penalty; drop the rest so that the
  // table stays as small as the set of hosts in use.
  if (h.in_flight == 0 && h.queue.empty() && !h.timer_armed && h.penalty == 1.0 && h.crawl_delay_s == 0 &&
      std::max(h.next_start, h.blocked_until) <= Clock::now())
    hosts_.erase(it);
}

void HostBudgets::cancel_waiting() {
  for (auto& [name, h] : hosts_) {
    h.queue.clear();
    if (h.timer) h.timer->cancel();
    h.timer_armed = false;
  }
}

std::size_t HostBudgets::waiting() const {
  std::size_t n = 0;
  for (const auto& [name, h] : hosts_) n += h.queue.size();
  return n;
}

}  // namespace winnow::ingest
