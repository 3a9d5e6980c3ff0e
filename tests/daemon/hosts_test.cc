// Host budgets on a real io_context: concurrency, spacing, Retry-After, soft rate limits.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

#include "daemon/ingest/hosts.h"

using namespace winnow::ingest;
using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;

BOOST_AUTO_TEST_SUITE(hosts)

BOOST_AUTO_TEST_CASE(at_most_n_requests_per_host_at_once) {
  asio::io_context loop;
  HostBudgets budgets(loop, {2, 0.0, 120.0, 3600});
  int running = 0, most = 0, finished = 0;
  std::vector<std::unique_ptr<asio::steady_timer>> work;
  for (int i = 0; i < 8; ++i) {
    budgets.acquire("a.example", [&] {
      most = std::max(most, ++running);
      auto t = std::make_unique<asio::steady_timer>(loop, std::chrono::milliseconds(20));
      t->async_wait([&](auto) {
        --running;
        ++finished;
        budgets.release("a.example", 200, std::nullopt);
      });
      work.push_back(std::move(t));
    });
  }
  loop.run_for(std::chrono::seconds(5));
  BOOST_TEST(finished == 8);
  BOOST_TEST(most == 2);
  BOOST_TEST(budgets.max_in_flight_seen() == 2);
}

BOOST_AUTO_TEST_CASE(raised_concurrency_starts_waiting_requests_at_once) {
  asio::io_context loop;
  HostBudgets budgets(loop, {1, 0.0, 120.0, 3600});
  int started = 0;
  for (int i = 0; i < 3; ++i) budgets.acquire("a.example", [&] { ++started; });  // none released
  loop.run_for(std::chrono::milliseconds(50));
  BOOST_TEST(started == 1);
  budgets.set_params({3, 0.0, 120.0, 3600});
  loop.restart();  // run_for stopped the loop when it ran out of work
  loop.run_for(std::chrono::milliseconds(50));
  BOOST_TEST(started == 3);
  BOOST_TEST(budgets.waiting() == 0u);
}

BOOST_AUTO_TEST_CASE(other_hosts_are_not_held_up) {
  asio::io_context loop;
  HostBudgets budgets(loop, {1, 10.0, 120.0, 3600});  // 10 s between two requests to a host
  std::vector<std::string> order;
  budgets.acquire("slow.example", [&] { order.push_back("slow1"); });
  budgets.acquire("slow.example", [&] { order.push_back("slow2"); });
  budgets.acquire("fast.example", [&] { order.push_back("fast"); });
  loop.run_for(std::chrono::milliseconds(300));
  BOOST_TEST(order.size() == 2u);  // slow2 waits for slow1's release and 10 s
  BOOST_TEST(std::count(order.begin(), order.end(), "fast") == 1);
}

BOOST_AUTO_TEST_CASE(request_starts_are_spaced_by_the_delay) {
  asio::io_context loop;
  HostBudgets budgets(loop, {4, 0.15, 120.0, 3600});
  std::vector<Clock::time_point> starts;
  for (int i = 0; i < 3; ++i)
    budgets.acquire("a.example", [&] {
      starts.push_back(Clock::now());
      budgets.release("a.example", 200, std::nullopt);
    });
  loop.run_for(std::chrono::seconds(3));
  BOOST_REQUIRE(starts.size() == 3u);
  for (int i = 1; i < 3; ++i) BOOST_TEST((starts[i] - starts[i - 1]) >= std::chrono::milliseconds(140));
}

BOOST_AUTO_TEST_CASE(crawl_delay_wins_when_larger) {
  asio::io_context loop;
  HostBudgets budgets(loop, {4, 0.01, 120.0, 3600});
  budgets.set_crawl_delay("a.example", 0.3);
  std::vector<Clock::time_point> starts;
  for (int i = 0; i < 2; ++i)
    budgets.acquire("a.example", [&] {
      starts.push_back(Clock::now());
      budgets.release("a.example", 200, std::nullopt);
    });
  loop.run_for(std::chrono::seconds(2));
  BOOST_REQUIRE(starts.size() == 2u);
  BOOST_TEST((starts[1] - starts[0]) >= std::chrono::milliseconds(290));
}

BOOST_AUTO_TEST_CASE(retry_after_closes_the_host_until_then) {
  asio::io_context loop;
  HostBudgets budgets(loop, {2, 0.0, 120.0, 3600});
  Clock::time_point refused_at, next_at;
  budgets.acquire("a.example", [&] {
    refused_at = Clock::now();
    budgets.release("a.example", 429, 1);  // Retry-After: 1
    budgets.acquire("a.example", [&] {
      next_at = Clock::now();
      budgets.release("a.example", 200, std::nullopt);
    });
  });
  loop.run_for(std::chrono::seconds(3));
  BOOST_TEST((next_at - refused_at) >= std::chrono::milliseconds(950));
}

BOOST_AUTO_TEST_CASE(bursts_of_refusals_slow_the_host_down) {
  asio::io_context loop;
  HostBudgets budgets(loop, {1, 0.05, 120.0, 3600});
  std::vector<Clock::time_point> starts;
  int left = 5;
  std::function<void()> next = [&] {
    budgets.acquire("a.example", [&] {
      starts.push_back(Clock::now());
      budgets.release("a.example", 503, std::nullopt);  // no Retry-After: a soft limit
      if (--left > 0) next();
    });
  };
  next();
  loop.run_for(std::chrono::seconds(3));
  BOOST_REQUIRE(starts.size() == 5u);
  // After three refusals the spacing doubles from 50 ms to 100 ms.
  BOOST_TEST((starts[4] - starts[3]) >= std::chrono::milliseconds(95));
  BOOST_TEST((starts[1] - starts[0]) < std::chrono::milliseconds(95));
}

BOOST_AUTO_TEST_CASE(idle_hosts_are_forgotten) {
  asio::io_context loop;
  HostBudgets budgets(loop, {2, 0.0, 120.0, 3600});
  for (int i = 0; i < 100; ++i) {
    std::string host = std::string("h").append(std::to_string(i)).append(".example");
    budgets.acquire(host, [&budgets, host] { budgets.release(host, 200, std::nullopt); });
  }
  loop.run_for(std::chrono::milliseconds(200));
  BOOST_TEST(budgets.hosts() == 0u);
  BOOST_TEST(budgets.waiting() == 0u);
}

BOOST_AUTO_TEST_CASE(a_url_counts_against_its_host_and_a_local_file_against_none) {
  BOOST_TEST(budget_key("https://News.Example:8443/a?b#c") == "news.example");
  BOOST_TEST(budget_key("http://127.1:8080/feed") == "127.1");
  BOOST_TEST(budget_key("file:///var/feeds/a.xml") == "file");
}

BOOST_AUTO_TEST_SUITE_END()
