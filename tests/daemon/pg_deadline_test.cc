// A statement's deadline and the interrupt (daemon/archive/postgres/connection.h), against
// the tests' PostgreSQL through a TcpProxy (tcp_proxy.h) whose cut() keeps every connection
// open and passes nothing: what a pooler or proxy in front of a partitioned or frozen server
// looks like. The client's kernel gets ACKs and keepalive answers, so only the deadline ends
// the wait.
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "daemon/archive/archive.h"
#include "daemon/archive/notices.h"
#include "daemon/archive/postgres/connection.h"
#include "daemon/archive/postgres/notices.h"
#include "daemon/notify/listener.h"
#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/pg_cluster.h"
#include "tests/daemon/tcp_proxy.h"

namespace winnow::archive::postgres {
namespace {

using ::winnow::testing::PgCluster;
using ::winnow::testing::TcpProxy;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The deadline the cases use; 2 s keeps each case a few seconds long.
constexpr auto kDeadline = 2s;
// What a timeout may take beyond its deadline: poll(2)'s wake-up and closing the socket.
constexpr auto kSlack = 500ms;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// A database of the tests' server, reached through a proxy; the process-wide deadline set
// for the case and put back after it.
struct Proxied {
  std::string direct = PgCluster::shared().create_database();
  TcpProxy proxy{(PgCluster::shared().directory() / ".s.PGSQL.5432").string()};
  std::string url;

  explicit Proxied(std::chrono::milliseconds deadline = kDeadline) {
    // The database's name is the URL's path: postgresql:///NAME?host=...
    const std::size_t from = std::string("postgresql:///").size();
    url = "postgresql://winnow@127.0.0.1:" + std::to_string(proxy.port()) + "/" +
          direct.substr(from, direct.find('?') - from);
    set_statement_timeout(deadline);
  }
  ~Proxied() {
    set_statement_timeout(0ms);
    clear_interrupt();
  }
};

// The error `work` throws (empty when it throws none) and how long it took.
template <typename Work>
std::pair<std::string, double> failure(Work work) {
  const auto start = Clock::now();
  try {
    work();
  } catch (const std::exception& e) {
    return {e.what(), seconds_since(start)};
  }
  return {"", seconds_since(start)};
}

BOOST_AUTO_TEST_SUITE(pg_deadline)

BOOST_AUTO_TEST_CASE(a_statement_stalled_by_a_middlebox_fails_at_its_deadline_and_the_next_gets_a_new_connection) {
  Proxied db;
  Connection conn(db.url);
  BOOST_TEST(conn.run("SELECT $1::bigint + 1", Params(1)).integer(0, 0) == 2);
  // The server stops what we gave up on: its statement_timeout is ours (set by PgArchive; here
  // only the client's deadline is under test).
  db.proxy.cut();
  const auto [error, took_s] = failure([&] { conn.run("SELECT $1::bigint + 1", Params(2)); });
  BOOST_TEST_MESSAGE("stalled statement failed after " << took_s << " s: " << error);
  BOOST_TEST(error.find("timed out after 2 s") != std::string::npos, error);
  BOOST_TEST(took_s >= 2.0);
  BOOST_TEST(took_s < std::chrono::duration<double>(kDeadline + kSlack).count());
  BOOST_TEST(conn.broken());

  db.proxy.heal();
  // A new connection, its session settings and prepared statements made again.
  const auto start = Clock::now();
  BOOST_TEST(conn.run("SELECT $1::bigint + 1", Params(3)).integer(0, 0) == 4);
  BOOST_TEST(conn.run("SHOW bytea_output").text(0, 0) == "hex");
  BOOST_TEST_MESSAGE("healed: the next statement ran on a new connection in " << seconds_since(start) << " s");
  BOOST_TEST(db.proxy.accepted() == 2u);
}

BOOST_AUTO_TEST_CASE(a_stalled_statement_inside_a_transaction_fails_the_transaction_whole) {
  Proxied db;
  Connection conn(db.url);
  conn.exec("CREATE TABLE t (n bigint)");
  conn.exec("BEGIN");
  conn.allow_reconnect(false);
  conn.run("INSERT INTO t VALUES ($1)", Params(1));
  db.proxy.cut();
  const auto [error, took_s] = failure([&] { conn.run("INSERT INTO t VALUES ($1)", Params(2)); });
  BOOST_TEST(error.find("timed out after 2 s") != std::string::npos, error);
  BOOST_TEST(took_s < std::chrono::duration<double>(kDeadline + kSlack).count());
  // The rest of the block fails at once, without waiting again; the cleanup sends nothing.
  const auto [next, next_s] = failure([&] { conn.run("INSERT INTO t VALUES ($1)", Params(3)); });
  BOOST_TEST(next.find("no connection") != std::string::npos, next);
  BOOST_TEST(next_s < 0.1);
  const auto start = Clock::now();
  conn.exec_quietly("ROLLBACK");
  BOOST_TEST(seconds_since(start) < 0.1);
  conn.allow_reconnect(true);

  db.proxy.heal();
  BOOST_TEST(conn.run("SELECT count(*) FROM t").integer(0, 0) == 0);
  BOOST_TEST(PgCluster::integer(db.direct, "SELECT count(*) FROM t") == 0);
}

BOOST_AUTO_TEST_CASE(connecting_through_a_stalled_middlebox_gives_up_at_the_deadline) {
  Proxied db;
  db.proxy.cut();
  const auto [error, took_s] = failure([&] { Connection conn(db.url); });
  BOOST_TEST_MESSAGE("connecting failed after " << took_s << " s: " << error);
  BOOST_TEST(error.find("cannot connect to PostgreSQL: no answer within 2 s") != std::string::npos, error);
  BOOST_TEST(took_s < std::chrono::duration<double>(kDeadline + kSlack).count());
}

BOOST_AUTO_TEST_CASE(an_interrupt_ends_a_wait_without_deadline_at_once_and_every_later_statement) {
  Proxied db(0ms);
  Connection conn(db.url);
  Connection other(db.url);
  db.proxy.cut();
  std::thread stopper([] {
    std::this_thread::sleep_for(300ms);
    interrupt_all();
  });
  const auto [error, took_s] = failure([&] { conn.run("SELECT 1"); });
  stopper.join();
  BOOST_TEST_MESSAGE("interrupted after " << took_s << " s: " << error);
  BOOST_TEST(error.find("interrupted") != std::string::npos, error);
  BOOST_TEST(took_s < 1.0);
  // Sticky: a statement of another connection is not even sent.
  const auto [later, later_s] = failure([&] { other.run("SELECT 1"); });
  BOOST_TEST(later.find("interrupted") != std::string::npos, later);
  BOOST_TEST(later_s < 0.1);

  clear_interrupt();
  db.proxy.heal();
  BOOST_TEST(other.run("SELECT 1").integer(0, 0) == 1);
  BOOST_TEST(conn.run("SELECT 2").integer(0, 0) == 2);  // abandoned, made again
}

BOOST_AUTO_TEST_CASE(in_shutdown_the_first_timeout_ends_every_other_wait) {
  Proxied db;
  Connection timed(db.url);
  Connection waiting(db.url);
  waiting.set_timeout(0ms);  // would wait for ever
  db.proxy.cut();
  interrupt_at_first_timeout();
  std::pair<std::string, double> waited;
  std::thread other([&] { waited = failure([&] { waiting.run("SELECT 1"); }); });
  const auto [error, took_s] = failure([&] { timed.run("SELECT 1"); });
  other.join();
  BOOST_TEST_MESSAGE("timed out after " << took_s << " s; the other wait ended after " << waited.second << " s");
  BOOST_TEST(error.find("timed out") != std::string::npos, error);
  BOOST_TEST(waited.first.find("interrupted") != std::string::npos, waited.first);
  BOOST_TEST(waited.second < std::chrono::duration<double>(kDeadline + kSlack).count());
}

BOOST_AUTO_TEST_CASE(an_archive_opens_and_works_through_the_proxy_with_a_deadline) {
  Proxied db;
  auto archive = Archive::open(db.url);
  const auto feed = archive->add_feed("https://a.example/feed", "A", "");
  auto reader = Archive::open_read_only(db.url);
  BOOST_TEST(reader->feed(feed).has_value());
  // A lease renewal stalled outside a transaction times out, is tried once more on a new
  // connection, which the stall holds as long, and fails; the next call works once the way
  // is back.
  db.proxy.cut();
  const auto [error, took_s] = failure([&] { archive->renew_feed_leases("me", {feed}, 100); });
  BOOST_TEST_MESSAGE("a stalled renewal failed after " << took_s << " s: " << error);
  BOOST_TEST(error.find("cannot connect to PostgreSQL again: no answer within 2 s") != std::string::npos, error);
  BOOST_TEST(took_s < std::chrono::duration<double>(2 * kDeadline + kSlack).count());
  db.proxy.heal();
  BOOST_TEST(archive->feeds().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_statement_slow_on_a_server_that_answers_is_stopped_by_the_server_first) {
  Proxied db;
  auto archive = Archive::open(db.url);
  archive->add_feed("https://a.example/feed", "A", "");
  // A lock the archive's insert waits for, held by a session of the test's own.
  Connection holder(db.direct);
  holder.set_timeout(0ms);
  holder.exec("BEGIN; LOCK TABLE feeds IN ACCESS EXCLUSIVE MODE");
  const auto [error, took_s] = failure([&] { archive->add_feed("https://b.example/feed", "B", ""); });
  holder.exec("ROLLBACK");
  BOOST_TEST_MESSAGE("a statement waiting on a lock failed after " << took_s << " s: " << error);
  // The server's statement_timeout (a tenth shorter than the deadline) ended it, not ours:
  // the connection stays.
  BOOST_TEST(error.find("statement timeout") != std::string::npos, error);
  BOOST_TEST(error.find("timed out after") == std::string::npos, error);
  BOOST_TEST(took_s >= 1.7);
  BOOST_TEST(took_s < 2.0);
  BOOST_TEST(archive->feeds().size() == 1u);
  BOOST_TEST(db.proxy.accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(a_lease_write_whose_connection_broke_after_it_was_sent_runs_once_more) {
  Proxied db;
  auto archive = Archive::open(db.url);
  const auto feed = archive->add_feed("https://a.example/feed", "A", "");
  BOOST_TEST(archive->claim_due_feeds("me", 1'000'000'000, 1'000'000'100, 10).size() == 1u);
  BOOST_TEST(archive->claim_host("me", "b.example", 1'000'000'000, 1'000'000'100));
  // Each write is sent into the stall; then the link drops every connection (the client sees
  // a reset) and comes back: the write broke after it was sent, and runs again on a new one.
  const auto broken_after_sending = [&](auto write) {
    db.proxy.cut();
    std::thread link([&] {
      std::this_thread::sleep_for(300ms);
      db.proxy.reset_all();
      db.proxy.heal();
    });
    const auto [error, took_s] = failure(write);
    link.join();
    BOOST_TEST(error.empty(), error);
    return took_s;
  };
  std::vector<std::int64_t> held;
  const double renew_s = broken_after_sending([&] { held = archive->renew_feed_leases("me", {feed}, 1'000'000'200); });
  BOOST_TEST_MESSAGE("a renewal broken after it was sent succeeded in " << renew_s << " s");
  BOOST_TEST(held == std::vector<std::int64_t>{feed});
  BOOST_TEST(PgCluster::integer(db.direct, "SELECT lease_until FROM feeds") == 1'000'000'200);
  std::vector<std::string> hosts;
  broken_after_sending([&] { hosts = archive->renew_host_leases("me", {"b.example"}, 1'000'000'200); });
  BOOST_TEST(hosts == std::vector<std::string>{"b.example"});
  broken_after_sending([&] { archive->release_leases("me"); });
  BOOST_TEST(PgCluster::integer(db.direct, "SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL") == 0);
  BOOST_TEST(PgCluster::integer(db.direct, "SELECT count(*) FROM host_leases") == 0);

  // Not so a lone write that is not idempotent (whether it committed cannot be known): it
  // fails, for its caller to decide.
  db.proxy.cut();
  std::thread link([&] {
    std::this_thread::sleep_for(300ms);
    db.proxy.reset_all();
    db.proxy.heal();
  });
  const auto [error, took_s] = failure([&] { archive->remove_feed(feed); });
  link.join();
  BOOST_TEST(!error.empty());
  BOOST_TEST(archive->feeds().size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_listeners_connection_through_a_stalled_middlebox_gives_up_at_the_deadline) {
  Proxied db;
  db.proxy.cut();
  const auto [error, took_s] = failure([&] { ArchiveNotices::connect(db.url); });
  BOOST_TEST_MESSAGE("the listener's connect failed after " << took_s << " s: " << error);
  BOOST_TEST(error.find("cannot connect to PostgreSQL: no answer within 2 s") != std::string::npos, error);
  BOOST_TEST(took_s < std::chrono::duration<double>(kDeadline + kSlack).count());

  // Healed, it connects and hears a NOTIFY on its channel.
  db.proxy.heal();
  auto notices = ArchiveNotices::connect(db.url);
  BOOST_REQUIRE(notices);
  PgCluster::exec(db.direct, std::string("SELECT pg_notify('") + kArticlesChannel + "', '42')");
  std::vector<Notice> heard;
  for (int i = 0; i < 100 && heard.empty(); ++i) {
    BOOST_REQUIRE(notices->read(heard));
    if (heard.empty()) std::this_thread::sleep_for(20ms);
  }
  BOOST_REQUIRE(heard.size() == 1u);
  BOOST_TEST(heard[0].id == 42);
}

BOOST_AUTO_TEST_CASE(without_a_deadline_the_listener_still_waits_at_most_its_own_and_an_interrupt_ends_it) {
  Proxied db(0ms);
  db.proxy.cut();
  std::thread stopper([] {
    std::this_thread::sleep_for(300ms);
    interrupt_all();
  });
  const auto [error, took_s] = failure([&] { ArchiveNotices::connect(db.url); });
  stopper.join();
  BOOST_TEST_MESSAGE("interrupted after " << took_s << " s: " << error);
  BOOST_TEST(error.find("interrupted") != std::string::npos, error);
  BOOST_TEST(took_s < 1.0);
  clear_interrupt();
  // No deadline set for the process: the listener's own bounds connecting.
  const auto [bounded, bounded_s] = failure([&] { ArchiveNotices::connect(db.url); });
  BOOST_TEST_MESSAGE("without a deadline, gave up after " << bounded_s << " s: " << bounded);
  BOOST_TEST(bounded.find("no answer within 10 s") != std::string::npos, bounded);
  BOOST_TEST(bounded_s < std::chrono::duration<double>(kListenTimeout + kSlack).count());
}

BOOST_AUTO_TEST_CASE(stopping_a_listener_does_not_wait_for_its_connect) {
  Proxied db;
  db.proxy.cut();
  boost::asio::io_context loop;
  std::atomic<int> resyncs = 0;
  auto listener = std::make_shared<notify::Listener>(
      loop, db.url, notify::ListenerHandlers{[](const Notice&) {}, [&] { ++resyncs; }});
  listener->start();
  std::this_thread::sleep_for(300ms);  // its thread waits on the stalled proxy
  auto start = Clock::now();
  listener->stop();  // on the loop thread in winnowd: must not block it
  const double stop_s = seconds_since(start);
  start = Clock::now();
  listener.reset();  // joins the connect: at most its deadline
  const double joined_s = seconds_since(start);
  loop.run();  // the connect's result, posted to the loop, finds nobody
  BOOST_TEST_MESSAGE("stop() took " << stop_s << " s; the destructor joined the connect after " << joined_s << " s");
  BOOST_TEST(stop_s < 0.1);
  BOOST_TEST(joined_s < std::chrono::duration<double>(kDeadline + kSlack).count());
  BOOST_TEST(resyncs == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::archive::postgres
