// Which feeds this daemon polls, and when: due feeds are claimed from the archive in batches
// with a lease each, so that several daemons on one database poll each feed once; requests
// go to a host only under this daemon's lease on it (docs/scale-out.md, "Work sharing and
// politeness"). The archive is the schedule: nothing but the feeds being polled is held here.
// Loop thread; every lease read or write is an archive job whose answer comes back after
// its batch commits.
#include "daemon/ingest/ingest.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstdio>
#include <random>
#include <unordered_set>
#include <unistd.h>

#include "daemon/ingest/ingest_impl.h"
#include "daemon/ingest/ingest_metrics.h"
#include "daemon/log.h"

namespace winnow::ingest {

namespace asio = boost::asio;
using archive::Archive;
using archive::FeedCounts;
using archive::FeedRow;
using detail::ask_archive;
using detail::now_s;

namespace {

// Polls are admitted in slices, so that 100,000 due feeds do not become 100,000 closures at
// once; host budgets pace them further.
constexpr std::size_t kSlice = 512;
// A full slice claimed: claim again this soon; admission full: look again this soon.
constexpr std::chrono::milliseconds kSoon{0}, kAdmissionFull{200};
// A claim that gave nothing new waits at least this long (no busy loop on a feed due now
// that another daemon or this one's own poll holds).
constexpr std::chrono::milliseconds kIdleMin{500};
// A host another daemon holds is asked for again this often.
constexpr std::chrono::seconds kHostRetry{2};
// The archive counts its feeds (a scan of every row) at most this often at renewals: the
// STATUS line and the health gauges follow other daemons' polls this late at most.
constexpr std::chrono::seconds kCountEvery{60};
// The spread of overdue feeds at start: over their interval, at most this long.
constexpr std::int64_t kMaxSpreadS = 600;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string detail::make_owner_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || !host[0]) std::snprintf(host, sizeof host, "unknown");
  std::random_device rd;
  char id[320];
  std::snprintf(id, sizeof id, "%s:%ld:%08x", host, long(::getpid()), unsigned(rd()));
  return id;
}

void Ingest::start() {
  leasing_ = true;
  const bool first = !started_;
  started_ = true;
  const UnixSeconds now = now_s();
  ask_archive<FeedCounts>(
      archive_, loop_, alive_,
      [first, now, sole = options_.sole_instance, default_s = options_.schedule.default_interval_s](Archive& a) {
        if (first && sole) a.clear_leases();  // a daemon killed before left them
        if (first) {
          if (auto moved = a.spread_overdue_feeds(now, kMaxSpreadS, default_s))
            log::info("overdue feeds spread over their first interval", {{"feeds", moved}});
        }
        return a.feed_counts();
      },
      [this](std::optional<FeedCounts> counts) {
        if (counts) set_counts(*counts);
        log::info("feeds loaded", {{"feeds", feed_count()}, {"owner", owner_}});
        claim_due();
        arm_renewal();
      });
  arm_retry_timer();
}

void Ingest::subscribe(std::vector<Subscription> subscriptions) {
  leasing_ = true;
  struct Added {
    std::vector<FeedRow> added;  // new or enabled again
    FeedCounts counts;
  };
  ask_archive<Added>(
      archive_, loop_, alive_,
      [subscriptions = std::move(subscriptions)](Archive& a) {
        Added out;
        for (const auto& s : subscriptions) {
          const bool known = a.feed_by_url(s.url).has_value();
          std::int64_t id = a.add_feed(s.url, s.title, s.category);
          auto row = a.feed(id);
          if (!row) continue;
          if (!row->enabled) {
            row->enabled = true;
            a.update_feed(*row);
          } else if (known) {
            continue;
          }
          out.added.push_back(std::move(*row));
        }
        out.counts = a.feed_counts();
        return out;
      },
      [this](std::optional<Added> added) {
        if (!added) return;
        for (const auto& row : added->added) log::info("feed added", {{"feed", row.id}, {"url", row.url}});
        set_counts(added->counts);
        // A new feed is due at once (next_poll 0), one enabled again when its time comes.
        claim_due();
        arm_renewal();
      });
  arm_retry_timer();
}

// ---- claims -------------------------------------------------------------------------------

void Ingest::claim_due() {
  if (!leasing_ || draining_ || claim_in_flight_) return;
  const std::size_t max_polls = std::max<std::size_t>(1, options_.max_polls_in_flight);
  const std::size_t room = polls_admitted_ < max_polls && jobs_in_flight_ < options_.max_queued_entries
                               ? max_polls - polls_admitted_
                               : 0;
  if (room == 0) return wake_in(kAdmissionFull);
  claim_in_flight_ = true;
  const std::size_t limit = std::min(kSlice, room);
  const UnixSeconds now = now_s(), until = now + options_.lease_s;
  struct Claimed {
    std::vector<FeedRow> rows;
    std::optional<UnixSeconds> next_due, lease_end;
  };
  ask_archive<Claimed>(
      archive_, loop_, alive_,
      [owner = owner_, now, until, limit](Archive& a) {
        Claimed c;
        c.rows = a.claim_due_feeds(owner, now, until, limit);
        c.next_due = a.next_feed_due(owner, now);
        c.lease_end = a.next_lease_end(owner, now);
        return c;
      },
      [this, until, limit](std::optional<Claimed> c) {
        claim_in_flight_ = false;
        if (!c) return wake_in(options_.claim_recheck);  // the archive failed: it logged why
        on_claimed(std::move(c->rows), c->next_due, c->lease_end, until, limit);
      });
}

void Ingest::on_claimed(std::vector<FeedRow> rows, std::optional<UnixSeconds> next_due,
                        std::optional<UnixSeconds> lease_end, UnixSeconds until, std::size_t limit) {
  // Drained meanwhile: the claims are let go with every other lease.
  if (draining_) return;
  const std::size_t claimed = rows.size();
  std::size_t started = 0;
  for (auto& row : rows) {
    const std::string host = budget_key(row.url);
    if (host != "file") {
      auto& lease = host_leases_[host];
      if (!lease) lease = std::make_unique<HostLease>();
      lease->until = std::max(lease->until, until);
    }
    if (feeds_.contains(row.id)) continue;  // polled already (its lease ran out under a long poll)
    if (!lease_usable(until)) {
      // Paused between the claim and now (SIGSTOP, a stalled archive): another daemon may
      // own it already. The lease runs out by itself.
      log::warning("lease expired before the poll; skipped", {{"feed", row.id}, {"url", row.url}});
      continue;
    }
    if (row.interval_s <= 0) row.interval_s = options_.schedule.default_interval_s;
    auto state = std::make_unique<FeedState>();
    state->row = std::move(row);
    state->lease_until = until;
    FeedState& feed = *state;
    feeds_.emplace(feed.row.id, std::move(state));
    ++started;
    poll(feed);
  }
  if (claimed == limit) return wake_in(kSoon);  // more may be due
  // The next look: when a feed falls due, or when another daemon's lease ends (a dead one's
  // feeds and hosts are free then; a live one has renewed it meanwhile, and the look finds
  // nothing), at least kIdleMin apart when nothing started and claim_recheck at most.
  auto delay = options_.claim_recheck;
  for (const auto& at : {next_due, lease_end})
    if (at) delay = std::min(delay, std::chrono::milliseconds(std::max<std::int64_t>(0, *at * 1000 - wall_ms())));
  if (started == 0) delay = std::max(delay, kIdleMin);
  wake_in(delay);
}

void Ingest::wake_in(std::chrono::milliseconds delay) {
  if (draining_) return;
  const auto at = std::chrono::steady_clock::now() + delay;
  if (timer_armed_ && timer_at_ <= at) return;
  timer_armed_ = true;
  timer_at_ = at;
  timer_.expires_at(at);
  timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    timer_armed_ = false;
    claim_due();
  });
}

void Ingest::wake_at(UnixSeconds at) {
  wake_in(std::chrono::milliseconds(std::max<std::int64_t>(0, at * 1000 - wall_ms())));
}

bool Ingest::lease_usable(UnixSeconds until) const {
  // A safety margin: the archive may compare with a clock a little ahead of ours, and a
  // request started now should not outlive the lease.
  const std::int64_t margin_s = std::max<std::int64_t>(1, options_.lease_s / 5);
  return until - margin_s >= now_s();
}

// ---- host leases --------------------------------------------------------------------------

void Ingest::acquire_host(const std::string& host, std::function<void(bool)> go) {
  with_host_lease(host, [this, host, go = std::move(go)](bool held) mutable {
    if (!held) return go(false);
    hosts_.acquire(host, [this, host, go = std::move(go)]() mutable {
      auto it = host_leases_.find(host);
      if (leasing_ && host != "file" && (it == host_leases_.end() || !lease_usable(it->second->until))) {
        // Lost while waiting for the budget (a renewal found another owner, or this process
        // was paused past it): give the slot back and ask again.
        hosts_.release(host, 0, std::nullopt);
        return acquire_host(host, std::move(go));
      }
      go(true);
    });
  });
}

void Ingest::with_host_lease(const std::string& host, std::function<void(bool)> go) {
  if (!leasing_ || host == "file") return go(true);
  auto& lease = host_leases_[host];
  if (!lease) lease = std::make_unique<HostLease>();
  if (lease_usable(lease->until)) return go(true);
  if (cancelled_) return go(false);
  lease->waiters.push_back(std::move(go));
  if (!lease->asking && !(lease->retry && lease->waiting_since)) ask_for_host(host);
}

void Ingest::ask_for_host(const std::string& host) {
  HostLease& lease = *host_leases_.at(host);
  lease.asking = true;
  const UnixSeconds now = now_s(), until = now + options_.lease_s;
  if (!lease.waiting_since) lease.waiting_since = now;
  ask_archive<bool>(
      archive_, loop_, alive_,
      [owner = owner_, host, now, until](Archive& a) { return a.claim_host(owner, host, now, until); },
      [this, host, until](std::optional<bool> held) {
        auto it = host_leases_.find(host);
        if (it == host_leases_.end()) return;
        HostLease& lease = *it->second;
        lease.asking = false;
        auto waiters = std::move(lease.waiters);
        lease.waiters.clear();
        if (held.value_or(false) && lease_usable(until)) {
          lease.until = until;
          lease.waiting_since = 0;
          for (auto& go : waiters) go(true);
          return;
        }
        if (cancelled_ || draining_ || now_s() - lease.waiting_since >= options_.host_wait_s) {
          log::info("host kept by another daemon; its requests wait for a later poll",
                    {{"host", host}, {"waited_s", now_s() - lease.waiting_since}, {"requests", waiters.size()}});
          lease.waiting_since = 0;
          for (auto& go : waiters) go(false);
          return;
        }
        lease.waiters = std::move(waiters);
        if (!lease.retry) lease.retry = std::make_unique<asio::steady_timer>(loop_);
        lease.retry->expires_after(kHostRetry);
        lease.retry->async_wait([this, alive = std::weak_ptr<bool>(alive_), host](const boost::system::error_code& ec) {
          if (ec || alive.expired()) return;
          auto it = host_leases_.find(host);
          if (it != host_leases_.end() && !it->second->asking && !it->second->waiters.empty()) ask_for_host(host);
        });
      });
}

// ---- renewal ------------------------------------------------------------------------------

void Ingest::arm_renewal() {
  if (renew_armed_ || draining_) return;
  renew_armed_ = true;
  renew_timer_.expires_after(std::chrono::seconds(std::max<std::int64_t>(1, options_.lease_s / 3)));
  renew_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
    if (alive.expired()) return;  // cancelled by ~Ingest, the handler still queued
    renew_armed_ = false;
    if (ec || draining_) return;
    renew_leases();
    arm_renewal();
  });
}

void Ingest::renew_leases() {
  std::vector<std::int64_t> feed_ids;
  std::unordered_set<std::string> polled_hosts;
  for (const auto& [id, feed] : feeds_) {
    feed_ids.push_back(id);
    polled_hosts.insert(budget_key(feed->row.url));
  }
  std::vector<std::string> keep, let_go;
  for (auto it = host_leases_.begin(); it != host_leases_.end();) {
    const HostLease& lease = *it->second;
    // In use: a poll of its feeds, requests waiting or under way, or pacing state (delay,
    // Retry-After, a soft rate limit) that only this daemon's budget knows. A claim under way
    // may be leasing the host anew, so nothing is let go meanwhile.
    const bool in_use = lease.asking || !lease.waiters.empty() || polled_hosts.contains(it->first) ||
                        hosts_.tracks(it->first) || claim_in_flight_;
    if (in_use) {
      if (lease.until) keep.push_back(it->first);
      ++it;
    } else {
      if (lease.until) let_go.push_back(it->first);
      it = host_leases_.erase(it);
    }
  }
  const UnixSeconds until = now_s() + options_.lease_s;
  const auto now = std::chrono::steady_clock::now();
  const bool count = now - counted_at_ >= kCountEvery;
  if (count) counted_at_ = now;
  struct Renewed {
    std::vector<std::int64_t> feeds;
    std::vector<std::string> hosts;
    std::optional<FeedCounts> counts;
  };
  ask_archive<Renewed>(
      archive_, loop_, alive_,
      [owner = owner_, feed_ids, keep, let_go, until, count](Archive& a) {
        Renewed r;
        r.feeds = a.renew_feed_leases(owner, feed_ids, until);
        r.hosts = a.renew_host_leases(owner, keep, until);
        a.release_hosts(owner, let_go);
        if (count) r.counts = a.feed_counts();
        return r;
      },
      [this, feed_ids, keep, until](std::optional<Renewed> r) {
        if (!r) return;
        if (r->counts) set_counts(*r->counts);
        const std::unordered_set<std::int64_t> held(r->feeds.begin(), r->feeds.end());
        for (std::int64_t id : feed_ids) {
          auto it = feeds_.find(id);
          if (it == feeds_.end()) continue;  // finished meanwhile
          if (held.contains(id)) {
            it->second->lease_until = until;
          } else if (!it->second->lease_lost) {
            it->second->lease_lost = true;
            log::warning("lease lost", {{"feed", id}, {"url", it->second->row.url}});
          }
        }
        const std::unordered_set<std::string> hosts(r->hosts.begin(), r->hosts.end());
        for (const auto& host : keep) {
          auto it = host_leases_.find(host);
          if (it == host_leases_.end()) continue;
          if (hosts.contains(host)) it->second->until = std::max(it->second->until, until);
          else it->second->until = 0;  // another daemon has it: the next request asks again
        }
      });
}

void Ingest::release_all_leases() {
  if (!leasing_) return;
  for (auto& [host, lease] : host_leases_)
    if (lease->retry) lease->retry->cancel();
  host_leases_.clear();
  archive_.post([owner = owner_](Archive& a) { a.release_leases(owner); });
}

// ---- counts -------------------------------------------------------------------------------

void Ingest::set_counts(const FeedCounts& counts) {
  counts_ = counts;
  counted_at_ = std::chrono::steady_clock::now();
  if (!metrics_) return;
  metrics_->count_feeds({std::size_t(counts.ok), std::size_t(counts.failing), std::size_t(counts.broken),
                         std::size_t(counts.disabled)},
                        std::size_t(counts.disabled));
}

void Ingest::note_health(FeedHealth before, FeedHealth after) {
  if (before == after) return;
  auto count = [this](FeedHealth h) -> std::int64_t& {
    switch (h) {
      case FeedHealth::ok: return counts_.ok;
      case FeedHealth::failing: return counts_.failing;
      case FeedHealth::broken: return counts_.broken;
      case FeedHealth::disabled: break;
    }
    return counts_.disabled;
  };
  if (count(before) > 0) --count(before);
  ++count(after);
  if (metrics_) metrics_->feed_changed(before, after);
}

}  // namespace winnow::ingest
