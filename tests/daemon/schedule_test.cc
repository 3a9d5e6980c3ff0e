#include <boost/test/unit_test.hpp>

#include "daemon/ingest/schedule.h"

using namespace winnow::ingest;

namespace {
const ScheduleParams kParams{300, 12 * 3600, 3600, 24 * 3600};
constexpr double kNoJitter = 0.5;  // the middle of [0.9, 1.1): a factor of exactly 1
}  // namespace

BOOST_AUTO_TEST_SUITE(schedule)

BOOST_AUTO_TEST_CASE(new_entries_halve_the_interval_within_bounds) {
  PollOutcome o;
  o.new_entries = 3;
  BOOST_TEST(next_interval_s(kParams, 3600, o, kNoJitter) == 1800);
  BOOST_TEST(next_interval_s(kParams, 400, o, kNoJitter) == 300);
}

BOOST_AUTO_TEST_CASE(quiet_feeds_are_polled_less_often_up_to_the_maximum) {
  PollOutcome o;
  BOOST_TEST(next_interval_s(kParams, 3600, o, kNoJitter) == 5400);
  BOOST_TEST(next_interval_s(kParams, 40000, o, kNoJitter) == 12 * 3600);
}

BOOST_AUTO_TEST_CASE(feed_hints_and_max_age_are_a_floor) {
  PollOutcome o;
  o.new_entries = 5;
  o.hint_s = 7200;  // <ttl>120</ttl>
  BOOST_TEST(next_interval_s(kParams, 3600, o, kNoJitter) == 7200);
  o.hint_s.reset();
  o.max_age_s = 2400;
  BOOST_TEST(next_interval_s(kParams, 3600, o, kNoJitter) == 2400);
  o.hint_s = 30 * 24 * 3600;  // a hint past the maximum is capped
  BOOST_TEST(next_interval_s(kParams, 3600, o, kNoJitter) == 12 * 3600);
}

BOOST_AUTO_TEST_CASE(failures_back_off_exponentially_up_to_the_cap) {
  PollOutcome o;
  o.ok = false;
  o.consecutive_failures = 1;
  BOOST_TEST(next_interval_s(kParams, 3600, o, kNoJitter) == 7200);
  o.consecutive_failures = 3;
  BOOST_TEST(next_interval_s(kParams, 3600, o, kNoJitter) == 28800);
  o.consecutive_failures = 12;
  BOOST_TEST(next_interval_s(kParams, 3600, o, kNoJitter) == 24 * 3600);
}

BOOST_AUTO_TEST_CASE(retry_after_is_honoured) {
  PollOutcome o;
  o.ok = false;
  o.consecutive_failures = 1;
  o.retry_after_s = 20000;
  BOOST_TEST(next_interval_s(kParams, 600, o, kNoJitter) == 20000);
  // Jitter never brings the next poll before the Retry-After.
  BOOST_TEST(next_interval_s(kParams, 600, o, 0.0) == 20000);
  BOOST_TEST(next_interval_s(kParams, 600, o, 0.999) >= 20000);
}

BOOST_AUTO_TEST_CASE(jitter_spreads_by_ten_percent) {
  PollOutcome o;
  BOOST_TEST(next_interval_s(kParams, 2000, o, 0.0) == 2700);
  BOOST_TEST(next_interval_s(kParams, 2000, o, 0.999) >= 3290);
}

BOOST_AUTO_TEST_SUITE_END()
