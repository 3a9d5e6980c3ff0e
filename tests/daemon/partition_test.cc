// A network partition between one of several winnowd and the database (docs/scale-out.md,
// "Failures"): each daemon reaches the tests' PostgreSQL through a TCP proxy of its own
// (tcp_proxy.h), and the test cuts one mid-work for longer than its leases. Connections stay
// open and no byte passes, the way a partition looks to a client; no socket is closed for it.
//
// Checked, from the farm's request log and from the database: the others take its feeds and
// hosts over once its leases ran out; it sends no request under a lease it could not renew
// (nothing at all once its leases ended by its own clock); no feed is polled twice within an
// interval and no host gets more than its limit at once, all daemons together; once the
// link heals it goes on (it alone polls every feed once the others stop); every article is
// archived once.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "tests/daemon/instances_cluster.h"

namespace winnow::testing::instances {
namespace {

BOOST_AUTO_TEST_SUITE(partition)

// Once the cluster is mid-work (the first daemon up holds feeds and hosts, and pages are
// being fetched), cuts the first daemon that polled off from the server: its index.
int cut_the_first_poller(Cluster& cluster) {
  BOOST_TEST_REQUIRE(cluster.wait_for([&] { return cluster.articles() >= 2; }, 30s), cluster.see_logs());
  const int victim = cluster.first_poller();
  BOOST_TEST_REQUIRE(victim >= 0);
  cluster.proxies[std::size_t(victim)]->cut();
  return victim;
}

// `reset`: the link comes back with every connection of the partition's time reset (TCP gave
// up on them); otherwise what was held is delivered late.
void cut_one_daemon_off(bool reset) {
  constexpr long kLeaseS = 4;
  // Longer than the lease, and than the server's idle_in_transaction_session_timeout (10 s),
  // which ends a session cut off inside a batch and so frees that batch's row locks.
  constexpr auto kCut = 14s;
  // Pages take a second each, two at a time per host: a daemon holding a host has its
  // pages queued for 8 s, longer than the lease, so requests wait under the cut.
  Cluster cluster(kLeaseS, /*split=*/false, /*proxied=*/true, /*page_delay=*/1s);
  if (cluster.proxies.empty()) {
    BOOST_TEST_MESSAGE("needs the tests' own PostgreSQL server (WINNOW_TEST_ARCHIVE_URL unset)");
    return;
  }
  const int victim = cut_the_first_poller(cluster);
  const auto cut = Clock::now();
  TcpProxy& link = *cluster.proxies[std::size_t(victim)];

  const auto took_s = wait_taken_over(cluster, cut, victim, 30s);
  BOOST_TEST_REQUIRE(took_s.has_value(), "its feeds were not taken over; " << cluster.see_logs());
  BOOST_TEST_MESSAGE("taken over " << *took_s << " s after the cut");
  std::this_thread::sleep_for(cut + kCut - Clock::now());
  if (reset) link.reset_all();
  link.heal();
  const auto healed = Clock::now();

  // Cut off, it renewed nothing: its leases ended by its own clock at most kLeaseS after the
  // cut (the last renewal came before it; `until` is whole seconds, the daemon stops a fifth
  // of the lease early), and from then on it sent nothing.
  std::size_t late = 0;
  for (const auto& r : cluster.farm->server().requests())
    if (Cluster::sender(r) == victim && r.at >= cut + std::chrono::seconds(kLeaseS) + 500ms && r.at < healed) {
      ++late;
      BOOST_TEST_MESSAGE("cut off, it sent " << r.target << " "
                                             << std::chrono::duration<double>(r.at - cut).count() << " s after the cut");
    }
  BOOST_TEST(late == 0u, cluster.see_logs());

  BOOST_TEST_REQUIRE(cluster.wait_for([&] { return cluster.articles() >= Cluster::kPages; }, 30s), cluster.see_logs());
  // Healed, it goes on: the others stop (their leases let go at once) and it polls every feed.
  BOOST_TEST_REQUIRE(cluster.daemons[std::size_t(victim)]->running(), cluster.see_logs());
  for (std::size_t n = 0; n < cluster.daemons.size(); ++n)
    if (int(n) != victim) BOOST_TEST_REQUIRE(cluster.daemons[n]->terminate(10s).has_value());
  const auto alone = Clock::now();
  const bool goes_on = cluster.wait_for(
      [&] {
        const auto by_feed = cluster.polls(alone);
        if (by_feed.size() != std::size_t(Cluster::kFeeds)) return false;
        for (const auto& [path, at] : by_feed)
          if (at.back().second != victim) return false;
        return true;
      },
      30s);
  BOOST_TEST(goes_on, "healed, it did not poll every feed; " << cluster.see_logs());
  BOOST_TEST_MESSAGE("healed " << std::chrono::duration<double>(alone - healed).count()
                               << " s before the others stopped; it polled every feed "
                               << std::chrono::duration<double>(Clock::now() - alone).count() << " s after");

  // All along: no feed polled twice within an interval, hosts within their limits in total
  // (pages are fetched again when a store was cut off, so not checked for one fetch).
  cluster.check_farm_log(Cluster::kMinGapS, cut, false);
  cluster.check_archived_once();
  cluster.stop_and_check_leases();
}

BOOST_AUTO_TEST_CASE(a_daemon_cut_off_from_the_database_loses_its_leases_and_goes_on_after) {
  cut_one_daemon_off(/*reset=*/false);
}

BOOST_AUTO_TEST_CASE(a_daemon_whose_connections_were_reset_after_a_partition_goes_on) {
  cut_one_daemon_off(/*reset=*/true);
}

// A statement stalled by a middlebox (docs/scale-out.md, "Failures"): the proxy keeps the
// daemon's connections open and answers for the server, so only the statement deadline ends
// the wait. Stopped during the stall, the daemon exits within about one deadline; started
// again once the way is back, nothing is lost and nothing archived twice.
BOOST_AUTO_TEST_CASE(a_daemon_stopped_while_its_statements_stall_exits_at_the_deadline_and_loses_nothing) {
  constexpr long kLeaseS = 4;
  constexpr double kDeadlineS = 2;
  Cluster cluster(kLeaseS, /*split=*/false, /*proxied=*/true, /*page_delay=*/200ms, kDeadlineS);
  if (cluster.proxies.empty()) {
    BOOST_TEST_MESSAGE("needs the tests' own PostgreSQL server (WINNOW_TEST_ARCHIVE_URL unset)");
    return;
  }
  const int victim = cut_the_first_poller(cluster);
  const auto cut = Clock::now();
  TcpProxy& link = *cluster.proxies[std::size_t(victim)];
  // Its next batch, renewal or claim goes into the stall.
  std::this_thread::sleep_for(500ms);
  const auto term = Clock::now();
  const auto status = cluster.daemons[std::size_t(victim)]->terminate(20s);
  const double exit_s = std::chrono::duration<double>(Clock::now() - term).count();
  BOOST_TEST_REQUIRE(status.has_value(), "no exit 20 s after SIGTERM; " << cluster.see_logs());
  BOOST_TEST_MESSAGE("SIGTERM " << std::chrono::duration<double>(term - cut).count() << " s into the stall; exited "
                                << exit_s << " s after it, status " << *status);
  BOOST_TEST(exit_s < kDeadlineS + 3, cluster.see_logs());
  // It did wait on the stall: a statement of it timed out.
  std::size_t timed_out = 0;
  for (const auto& line : cluster.daemons[std::size_t(victim)]->log_lines()) {
    if (line.find("statement timed out") == std::string::npos) continue;
    if (++timed_out == 1) BOOST_TEST_MESSAGE("first timeout: " << line);
  }
  BOOST_TEST(timed_out > 0u, cluster.see_logs());

  link.heal();
  cluster.restart(victim);
  BOOST_TEST_REQUIRE(cluster.wait_for([&] { return cluster.articles() >= Cluster::kPages; }, 30s), cluster.see_logs());
  std::this_thread::sleep_for(500ms);  // anything archived twice would show by now
  cluster.check_archived_once();
  cluster.stop_and_check_leases();
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::testing::instances
