#pragma once
// When to poll each feed next: the policy, pure. The schedule itself is the archive's
// feeds.next_poll, claimed by ingest (claims.cc).
#include <cstdint>
#include <optional>
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

}  // namespace winnow::ingest
