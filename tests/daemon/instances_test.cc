// Several winnowd on one database against one loopback feed farm (docs/scale-out.md, "Work
// sharing and politeness"), checked from the farm's side: every page fetched once, no feed
// polled twice within its interval, no host sent more requests at once than its limit; and
// from the database's: every article archived once, no lease left behind.
//
// The database: by default a PostgreSQL database of the test process's throw-away server
// (pg_cluster.h), with kInstances daemons on it. WINNOW_TEST_ARCHIVE_URL overrides it: a
// postgresql:// URL names a scratch database the cases empty first (DROP SCHEMA public);
// `sqlite` runs one daemon on an SQLite file, since SQLite's writer lock admits no second
// (winnowd_test checks that refusal), and the cases that need two daemons or more (a killed
// one's feeds taken over, a paused one writing nothing) then pass without checking anything.
//
// The cluster of daemons and its checks are in instances_cluster.h.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <set>
#include <thread>

#include "tests/daemon/instances_cluster.h"

namespace winnow::testing::instances {
namespace {

BOOST_AUTO_TEST_SUITE(instances)

BOOST_AUTO_TEST_CASE(feeds_are_polled_once_per_interval_and_hosts_stay_within_their_limits) {
  Cluster cluster(/*lease_s=*/120, /*split=*/true);
  BOOST_TEST_REQUIRE(cluster.wait_for([&] { return cluster.articles() >= Cluster::kPages; }, 30s), cluster.see_logs());
  // A few more intervals: every feed polled again, conditionally, by whichever daemon.
  std::this_thread::sleep_for(7s);
  cluster.check_farm_log(Cluster::kMinGapS);
  cluster.check_archived_once();
  std::set<int> senders;
  for (const auto& [path, at] : cluster.polls({}))
    for (const auto& [when, n] : at) senders.insert(n);
  BOOST_TEST_MESSAGE(senders.size() << " of " << cluster.db.instances << " daemons polled");
  // The work was shared (each daemon is likely to hold one host; two at least, whatever the
  // race between one's claim and another's next look).
  if (cluster.db.instances > 1) BOOST_TEST(senders.size() >= 2u);
  cluster.stop_and_check_leases();
}

BOOST_AUTO_TEST_CASE(a_killed_daemons_feeds_are_taken_over_after_its_lease) {
  constexpr long kLeaseS = 4;
  Cluster cluster(kLeaseS);
  if (cluster.db.instances < 2) {
    BOOST_TEST_MESSAGE("needs two daemons or more on one database: runs on PostgreSQL");
    return;
  }
  // The victim: the daemon that polled first, holding feeds and hosts.
  int victim = -1;
  BOOST_TEST_REQUIRE(cluster.wait_for([&] { return (victim = cluster.first_poller()) >= 0; }, 20s), cluster.see_logs());
  cluster.daemons[std::size_t(victim)]->kill9();
  const auto killed = Clock::now();
  // The others poll its feeds once its host and feed leases ran out: after at most the lease
  // (and its last second: `until` is in whole seconds), when their claim loops look again
  // (set for the end of the first lease another daemon holds, Archive::next_lease_end).
  const auto took_s = wait_taken_over(cluster, killed, victim, 30s);
  BOOST_TEST_REQUIRE(took_s.has_value(), "its feeds were not taken over; " << cluster.see_logs());
  BOOST_TEST_MESSAGE("taken over " << *took_s << " s after the kill");
  BOOST_TEST(*took_s <= double(kLeaseS + 1 + 2));
  // Every page archived, once. A page it fetched and did not store is fetched again, so
  // pages are not checked for one fetch.
  BOOST_TEST_REQUIRE(cluster.wait_for([&] { return cluster.articles() >= Cluster::kPages; }, 30s), cluster.see_logs());
  std::this_thread::sleep_for(7s);  // a few intervals more
  cluster.check_farm_log(Cluster::kMinGapS, killed, false);
  // (A request it sent just before the kill may still be read just after.)
  for (const auto& [path, at] : cluster.polls(killed + 1s))
    for (const auto& [when, n] : at) BOOST_TEST(n != victim, path << " polled by the killed daemon");
  cluster.check_archived_once();
  cluster.stop_and_check_leases(/*dead=*/true);
}

BOOST_AUTO_TEST_CASE(a_daemon_paused_past_its_lease_does_not_poll_feeds_it_lost) {
  constexpr long kLeaseS = 4;
  Cluster cluster(kLeaseS);
  if (cluster.db.instances < 2) {
    BOOST_TEST_MESSAGE("needs two daemons or more on one database: runs on PostgreSQL");
    return;
  }
  // Frozen mid-work: the first daemon up holds the hosts and some polls are under way.
  BOOST_TEST_REQUIRE(cluster.wait_for([&] { return cluster.articles() >= Cluster::kPages / 2; }, 30s),
                     cluster.see_logs());
  const int victim = cluster.first_poller();
  BOOST_TEST_REQUIRE(victim >= 0);
  cluster.daemons[std::size_t(victim)]->pause();
  const auto paused = Clock::now();
  // Past its leases: the others poll every feed.
  const auto took_s = wait_taken_over(cluster, paused, victim, 30s);
  BOOST_TEST_REQUIRE(took_s.has_value(), "its feeds were not taken over; " << cluster.see_logs());
  BOOST_TEST_MESSAGE("taken over " << *took_s << " s after the pause");
  cluster.daemons[std::size_t(victim)]->resume();
  BOOST_TEST_REQUIRE(cluster.wait_for([&] { return cluster.articles() >= Cluster::kPages; }, 30s), cluster.see_logs());
  std::this_thread::sleep_for(7s);  // a few intervals more
  // Resumed, it polls none of the feeds it lost out of turn (the farm sees no feed twice
  // within an interval, whoever sent it), sends no host more than its limit together with
  // the others, and its late polls write nothing (every article once).
  cluster.check_farm_log(Cluster::kMinGapS, paused, false);
  cluster.check_archived_once();
  cluster.stop_and_check_leases();
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::testing::instances
