#include "daemon/ingest/schedule.h"

#include <algorithm>
#include <cmath>

namespace winnow::ingest {

std::int64_t next_interval_s(const ScheduleParams& p, std::int64_t current_s, const PollOutcome& outcome,
                             double jitter) {
  if (current_s <= 0) current_s = p.default_interval_s;
  double interval;
  if (!outcome.ok) {
    // 2^failures times the usual pace: a feed down for a day is polled a handful of times.
    int doublings = std::clamp(outcome.consecutive_failures, 1, 20);
    interval = std::min(double(p.max_backoff_s), double(std::clamp(current_s, p.min_interval_s, p.max_interval_s)) *
                                                     std::pow(2.0, doublings));
  } else {
    interval = outcome.new_entries > 0 ? current_s * 0.5 : current_s * 1.5;
    interval = std::clamp(interval, double(p.min_interval_s), double(p.max_interval_s));
    std::int64_t floor_s = std::max(outcome.hint_s.value_or(0), outcome.max_age_s.value_or(0));
    interval = std::max(interval, double(std::min(floor_s, p.max_interval_s)));
  }
  interval *= 0.9 + 0.2 * std::clamp(jitter, 0.0, 1.0);
  // After the jitter: the server's Retry-After is a floor that jitter may not shorten.
  if (outcome.retry_after_s) interval = std::max(interval, double(std::min(*outcome.retry_after_s, p.max_backoff_s)));
  return std::max<std::int64_t>(1, std::llround(interval));
}

}  // namespace winnow::ingest
