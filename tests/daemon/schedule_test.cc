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

BOOST_AUTO_TEST_CASE(queue_pops_due_feeds_in_time_order) {
  PollQueue q;
  q.schedule(1, 300, 0);
  q.schedule(2, 100, 0);
  q.schedule(3, 200, 0);
  BOOST_TEST(*q.next_time() == 100);
  auto due = q.pop_due(250, 10);
  BOOST_REQUIRE(due.size() == 2u);
  BOOST_TEST(due[0].feed_id == 2);
  BOOST_TEST(due[1].feed_id == 3);
  BOOST_TEST(q.size() == 1u);
  BOOST_TEST(q.pop_due(1000, 0).empty());
}

BOOST_AUTO_TEST_CASE(hundred_thousand_feeds_fit_in_a_few_megabytes) {
  PollQueue q;
  for (std::int64_t i = 0; i < 100'000; ++i) q.schedule(i, 1000 + i % 977, 0);
  BOOST_TEST(q.size() == 100'000u);
  BOOST_TEST(sizeof(PollQueue::Slot) <= 24u);
  auto due = q.pop_due(1000 + 976, 200'000);
  BOOST_TEST(due.size() == 100'000u);
  for (std::size_t i = 1; i < due.size(); ++i) BOOST_TEST_REQUIRE(due[i - 1].at <= due[i].at);
}

BOOST_AUTO_TEST_SUITE_END()
