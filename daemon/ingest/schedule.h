#pragma once
// When to poll each feed next. The policy is pure; the queue is loop-thread state.
#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

#include "base/time.h"

namespace winnow::ingest {

using base::UnixSeconds;

struct ScheduleParams {
  std::int64_t min_interval_s = 5 * 60;
  std::int64_t max_interval_s = 12 * 3600;
  std::int64_t default_interval_s = 3600;
  std::int64_t max_backoff_s = 24 * 3600;
};

struct PollOutcome {
  bool ok = true;                           // a usable answer (200 with a feed, or 304)
  int new_entries = 0;
  std::optional<std::int64_t> hint_s;       // <ttl> or sy:updatePeriod/updateFrequency
  std::optional<std::int64_t> max_age_s;    // Cache-Control: max-age
  std::optional<std::int64_t> retry_after_s;
  int consecutive_failures = 0;             // counting this poll
};

// The interval until the next poll. Successes adapt to how often the feed publishes: a poll
// that finds new entries halves the interval, one that finds none stretches it by half,
// within [min, max]; the feed's own hints and max-age are a floor (we never poll more often
// than asked). Failures back off exponentially from the current interval, up to
// max_backoff_s, and never sooner than Retry-After. `jitter` in [0, 1) spreads polls by
// +-10% so feeds added together do not stay in step.
std::int64_t next_interval_s(const ScheduleParams& params, std::int64_t current_s, const PollOutcome& outcome,
                             double jitter);

// Feeds by next poll time, earliest first. Rescheduling a feed leaves its old slot in the
// heap; a generation number makes stale slots fall out when they surface. Memory is
// 24 bytes per slot.
class PollQueue {
 public:
  void schedule(std::int64_t feed_id, UnixSeconds at, std::uint32_t generation);
  // The earliest slot, or nullopt when empty.
  std::optional<UnixSeconds> next_time() const;
  struct Slot {
    UnixSeconds at;
    std::int64_t feed_id;
    std::uint32_t generation;
    bool operator>(const Slot& o) const { return at > o.at; }
  };
  // Removes and returns every slot due at `now`; the caller drops those whose generation
  // is no longer the feed's.
  std::vector<Slot> pop_due(UnixSeconds now, std::size_t limit);
  std::size_t size() const { return heap_.size(); }

 private:
  std::priority_queue<Slot, std::vector<Slot>, std::greater<Slot>> heap_;
};

}  // namespace winnow::ingest
