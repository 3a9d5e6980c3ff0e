// Consumers of a PostgreSQL archive that several instances write (docs/scale-out.md,
// "Consumers"): cursors that never pass an id still to commit, NOTIFY heard by another
// instance's listener and live stream, and batches that lose a deadlock run again.
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "daemon/archive/archive.h"
#include "daemon/archive/archive_worker.h"
#include "daemon/notify/listener.h"
#include "daemon/webhooks/dispatcher.h"
#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/http_client.h"
#include "tests/daemon/pg_cluster.h"
#include "tests/daemon/temp_dir.h"
#include "tests/daemon/test_server.h"
#include "tests/daemon/winnowd_config.h"

namespace winnow::archive {
namespace {

using testing::sample_article;
using ::winnow::testing::PgCluster;
using ::winnow::testing::wait_for;
using namespace std::chrono_literals;

std::vector<std::int64_t> ids_of(const ArticlePage& page) {
  std::vector<std::int64_t> ids;
  for (const auto& row : page.rows) ids.push_back(row.id);
  return ids;
}

std::vector<std::int64_t> seqs_of(const std::vector<OutboxEvent>& events) {
  std::vector<std::int64_t> seqs;
  for (const auto& e : events) seqs.push_back(e.seq);
  return seqs;
}

// Instance A takes an article id (and an event seq) in a transaction it holds open; instance
// B stores the next article meanwhile. What a consumer reading by cursor sees, while A is
// open and after A commits (or rolls back).
struct HeldWriter {
  explicit HeldWriter(const std::string& url, bool commit) {
    a = std::thread([this, url, commit] {
      auto archive = Archive::open(url);
      try {
        archive->transaction([&] {
          id_a = archive->store_article(sample_article(1));
          taken.set_value();
          release.get_future().wait();
          if (!commit) throw std::runtime_error("abandoned");
        });
      } catch (const std::runtime_error&) {
      }
    });
    taken.get_future().wait();
    b = std::thread([this, url] {
      auto archive = Archive::open(url);
      id_b = archive->store_article(sample_article(2));
      b_done = true;
    });
  }
  void finish() {
    release.set_value();
    a.join();
    b.join();
  }
  std::promise<void> taken, release;
  std::atomic<std::int64_t> id_a = 0, id_b = 0;
  std::atomic<bool> b_done = false;
  std::thread a, b;
};

BOOST_AUTO_TEST_SUITE(pg_consumers)

BOOST_AUTO_TEST_CASE(a_cursor_never_passes_an_id_whose_transaction_is_still_open) {
  const auto url = PgCluster::shared().create_database();
  Archive::open(url)->set_webhook_endpoints({{"http://127.0.0.1:9/hook", {EventType::article_archived}}});
  auto consumer = Archive::open_read_only(url);
  HeldWriter w(url, true);
  // B took a larger id, but may not commit it before A's: it waits for A's commit.
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(!w.b_done.load(), "a larger id committed while a smaller one was still open");
  const auto page = consumer->articles_page(ArticleQuery{});
  BOOST_TEST(page.rows.empty());
  BOOST_TEST(page.next == 0);
  BOOST_TEST(consumer->webhook_events_after(0, {EventType::article_archived}, 10).empty());
  w.finish();
  const auto after = consumer->articles_page(ArticleQuery{});
  BOOST_TEST(ids_of(after) == (std::vector<std::int64_t>{w.id_a.load(), w.id_b.load()}));
  BOOST_TEST(w.id_a.load() < w.id_b.load());
  BOOST_TEST(consumer->webhook_events_after(0, {EventType::article_archived}, 10).size() == 2u);
}

BOOST_AUTO_TEST_CASE(an_id_whose_transaction_rolls_back_is_never_seen_and_blocks_nothing_after) {
  const auto url = PgCluster::shared().create_database();
  Archive::open(url)->set_webhook_endpoints({{"http://127.0.0.1:9/hook", {EventType::article_archived}}});
  auto consumer = Archive::open_read_only(url);
  HeldWriter w(url, false);
  std::this_thread::sleep_for(200ms);
  BOOST_TEST(consumer->articles_page(ArticleQuery{}).rows.empty());
  w.finish();
  const auto page = consumer->articles_page(ArticleQuery{});
  BOOST_TEST(ids_of(page) == std::vector<std::int64_t>{w.id_b.load()});
  BOOST_TEST(w.id_a.load() < w.id_b.load());
  BOOST_TEST(seqs_of(consumer->webhook_events_after(0, {EventType::article_archived}, 10)).size() == 1u);
}

BOOST_AUTO_TEST_CASE(concurrent_writers_never_let_a_following_consumer_skip_an_article) {
  const auto url = PgCluster::shared().create_database();
  Archive::open(url);
  constexpr int kWriters = 3, kBatches = 15, kPerBatch = 4;
  std::atomic<bool> writing = true;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w)
    writers.emplace_back([&, w] {
      auto archive = Archive::open(url);
      for (int b = 0; b < kBatches; ++b)
        archive->transaction([&] {
          for (int i = 0; i < kPerBatch; ++i) archive->store_article(sample_article(10000 * (w + 1) + b * 10 + i));
          std::this_thread::sleep_for(std::chrono::milliseconds(b % 3));  // commits at varied times
        });
    });
  std::thread stopper([&] {
    for (auto& t : writers) t.join();
    writing = false;
  });
  // Follows the cursor with small pages while the writers run, as /v1/stream does.
  auto consumer = Archive::open_read_only(url);
  std::vector<std::int64_t> seen;
  ArticleQuery query;
  query.limit = 3;
  for (;;) {
    const bool last_round = !writing.load();
    auto page = consumer->articles_page(query);
    for (const auto& row : page.rows) seen.push_back(row.id);
    query.after = page.next;
    if (last_round && !page.more) break;
  }
  stopper.join();
  std::vector<std::int64_t> all;
  for (const auto& row : consumer->articles_after(0, 1000, false, false)) all.push_back(row.id);
  BOOST_TEST(all.size() == std::size_t(kWriters * kBatches * kPerBatch));
  BOOST_TEST(seen == all, "the consumer skipped or repeated an article");
}

BOOST_AUTO_TEST_CASE(a_transaction_holds_the_commit_order_from_its_first_store_to_its_end) {
  const auto url = PgCluster::shared().create_database();
  auto archive = Archive::open(url);
  const std::int64_t feed = archive->add_feed("https://one.example/feed", "one", "");
  archive->transaction([&] {
    archive->record_entry(feed, "urn:1", std::nullopt);
    BOOST_TEST(!archive->holds_commit_order());  // other writes take no id: nobody waits
    archive->store_article(sample_article(1));
    BOOST_TEST(archive->holds_commit_order());   // ArchiveWorker commits soon
  });
  BOOST_TEST(!archive->holds_commit_order());
  ::winnow::testing::TempDir dir;
  auto sqlite = Archive::open(dir.file("archive.db"));
  sqlite->transaction([&] {
    sqlite->store_article(sample_article(1));
    BOOST_TEST(!sqlite->holds_commit_order());
  });
}

// `winnow reextract` writes 200 updates in a transaction; their article.updated events take
// the commit-order lock at its commit only, so other instances' stores do not wait for the
// updates (they did: the first event took the lock for the whole batch).
BOOST_AUTO_TEST_CASE(updates_take_the_commit_order_only_to_commit_their_events) {
  const auto url = PgCluster::shared().create_database();
  auto archive = Archive::open(url);
  archive->set_webhook_endpoints({{"http://hook.example/a", {EventType::article_updated}}});
  std::vector<ArticleRow> rows;
  for (int n : {1, 2}) {
    rows.push_back(*archive->article(archive->store_article(sample_article(n))));
    rows.back().text = "Extracted again: " + std::to_string(n) + ".";
  }
  auto other = Archive::open(url);
  std::promise<std::int64_t> stored;
  auto stored_id = stored.get_future();
  std::thread writer;
  try {
    archive->transaction([&] {
      for (const auto& row : rows) archive->update_extraction(row);
      BOOST_TEST(!archive->holds_commit_order());
      writer = std::thread([&] {
        try {
          stored.set_value(other->store_article(sample_article(3)));
        } catch (...) {
          stored.set_exception(std::current_exception());
        }
      });
      BOOST_TEST((stored_id.wait_for(5s) == std::future_status::ready), "another instance's store waited");
    });
  } catch (const std::exception& e) {
    BOOST_ERROR(e.what());  // the server ends a transaction left idle 10 s
  }
  writer.join();
  const std::int64_t third = stored_id.get();
  const auto events = archive->webhook_events_after(0, {EventType::article_updated}, 10);
  BOOST_REQUIRE(events.size() == 2u);
  BOOST_TEST(events[0].article_id.value() == rows[0].id);
  BOOST_TEST(events[1].article_id.value() == rows[1].id);
  BOOST_TEST(events[0].seq < events[1].seq);
  BOOST_TEST(third > rows[1].id);
}

// ---- NOTIFY and the listener --------------------------------------------------------------

struct Heard {
  std::vector<Notice> notices;
  int resyncs = 0;
};

std::shared_ptr<notify::Listener> listen(boost::asio::io_context& loop, const std::string& url, Heard& heard) {
  notify::ListenerHandlers handlers;
  handlers.on_notice = [&heard](const Notice& n) { heard.notices.push_back(n); };
  handlers.on_resync = [&heard] { ++heard.resyncs; };
  auto listener = std::make_shared<notify::Listener>(loop, url, std::move(handlers));
  listener->start();
  return listener;
}

// Runs `loop` until `done` or `timeout`.
bool run_until(boost::asio::io_context& loop, const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    loop.restart();
    loop.run_for(20ms);
  }
  return done();
}

bool heard_article(const Heard& heard, std::int64_t id) {
  for (const auto& n : heard.notices)
    if (n.kind == Notice::Kind::article && n.id == id) return true;
  return false;
}

BOOST_AUTO_TEST_CASE(an_article_stored_by_one_instance_is_heard_by_the_other_at_commit) {
  const auto url = PgCluster::shared().create_database();
  auto one = Archive::open(url);  // the instance that stores
  one->set_webhook_endpoints({{"http://127.0.0.1:9/hook", {EventType::article_archived}}});
  boost::asio::io_context loop;
  Heard heard;
  auto listener = listen(loop, url, heard);  // the other instance's
  BOOST_TEST_REQUIRE(run_until(loop, [&] { return listener->connected(); }, 10s));
  BOOST_TEST(heard.resyncs == 1);

  // Nothing is heard before the commit, nor for a transaction rolled back.
  std::int64_t held = 0;
  try {
    one->transaction([&] {
      held = one->store_article(sample_article(1));
      run_until(loop, [] { return false; }, 300ms);
      throw std::runtime_error("rolled back");
    });
  } catch (const std::runtime_error&) {
  }
  run_until(loop, [] { return false; }, 200ms);
  BOOST_TEST(heard.notices.empty());

  const auto stored_at = std::chrono::steady_clock::now();
  const std::int64_t id = one->store_article(sample_article(2));
  BOOST_TEST_REQUIRE(run_until(loop, [&] { return heard_article(heard, id); }, 5s));
  const auto latency = std::chrono::steady_clock::now() - stored_at;
  BOOST_TEST(latency < 1s);
  BOOST_TEST(!heard_article(heard, held));
  bool event = false;
  for (const auto& n : heard.notices) event |= n.kind == Notice::Kind::event && n.id > 0;
  BOOST_TEST(event, "the webhook outbox's event was not announced");
  listener->stop();
}

BOOST_AUTO_TEST_CASE(a_listener_whose_connection_is_killed_connects_again_and_resyncs) {
  const auto url = PgCluster::shared().create_database();
  auto one = Archive::open(url);
  boost::asio::io_context loop;
  Heard heard;
  auto listener = listen(loop, url, heard);
  BOOST_TEST_REQUIRE(run_until(loop, [&] { return listener->connected(); }, 10s));
  // What a server restart or a dropped connection does to it.
  BOOST_TEST(PgCluster::integer(url, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                     "WHERE query LIKE 'LISTEN%'") == 1);
  BOOST_TEST_REQUIRE(run_until(loop, [&] { return !listener->connected(); }, 5s));
  // Stored while nobody listens: announced to nobody. The resync after the reconnection is
  // what tells consumers to read by cursor.
  const std::int64_t missed = one->store_article(sample_article(1));
  BOOST_TEST_REQUIRE(run_until(loop, [&] { return listener->connected(); }, 10s));
  BOOST_TEST(listener->connections() == 2);
  BOOST_TEST(heard.resyncs == 2);
  BOOST_TEST(!heard_article(heard, missed));
  const std::int64_t id = one->store_article(sample_article(2));
  BOOST_TEST(run_until(loop, [&] { return heard_article(heard, id); }, 5s));
  listener->stop();
}

BOOST_AUTO_TEST_CASE(a_stream_of_one_winnowd_gets_an_article_another_instance_stored) {
  const auto url = PgCluster::shared().create_database();
  auto other = Archive::open(url);  // the other instance, storing
  ::winnow::testing::TempDir dir;
  ::winnow::testing::WinnowdConfig config;
  config.archive_url = url;
  config.api_listen = "127.0.0.1:0";
  config.log_level = "debug";
  config.api_heartbeat_s = 0.5;
  const auto config_path = dir.file("winnowd.toml");
  ::winnow::testing::write_config(config_path, config);
  ::winnow::testing::Daemon daemon(config_path, dir.file("winnowd.log"));
  std::string address;
  bool listening = false;
  BOOST_REQUIRE(wait_for(
      [&] {
        for (const auto& line : daemon.log_lines()) {
          listening |= line.find("archive listener connected") != std::string::npos;
          auto at = line.find("api listening address=");
          if (at != std::string::npos) address = line.substr(at + 22, line.find(' ', at + 22) - at - 22);
        }
        return listening && !address.empty();
      },
      10s));
  ::winnow::testing::SseClient sse(address, "/v1/stream?after=0");
  BOOST_TEST_REQUIRE(sse.status() == 200);
  const std::int64_t id = other->store_article(sample_article(7));
  auto event = sse.next(5s);
  BOOST_TEST_REQUIRE(event.has_value());
  BOOST_TEST(event->id == std::to_string(id));
  // Heard through the listener, not only found by the stream's own look at the archive.
  BOOST_TEST(wait_for(
      [&] {
        for (const auto& line : daemon.log_lines())
          if (line.find("archive notice kind=article id=" + std::to_string(id)) != std::string::npos) return true;
        return false;
      },
      5s));
  BOOST_TEST(daemon.terminate(10s).has_value());
}

// ---- webhooks -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(two_instances_post_each_webhook_event_once_and_one_takes_over_when_the_other_stops) {
  const auto url = PgCluster::shared().create_database();
  ::winnow::testing::TestServer receiver(2);
  std::mutex mutex;
  std::map<std::string, int> deliveries;  // X-Winnow-Delivery -> how many times
  receiver.route("/hook", [&](const ::winnow::testing::TestRequest& request) {
    std::lock_guard lock(mutex);
    ++deliveries[request.header("x-winnow-delivery")];
    return ::winnow::testing::TestResponse{};
  });
  const auto count = [&](int times) {
    std::lock_guard lock(mutex);
    std::size_t n = 0;
    for (const auto& [id, got] : deliveries) n += got >= times ? 1 : 0;
    return n;
  };
  webhooks::DispatcherOptions options;
  options.archive_path = url;
  options.endpoints = {WebhookConfig{"http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook", "secret",
                                     {"article.archived"}}};
  options.poll_interval = 100ms;
  options.lease = 3s;  // one not holding it asks again every second
  ArchiveWorker writer_a(url), writer_b(url);
  auto a = std::make_unique<webhooks::Dispatcher>(writer_a, options);
  auto b = std::make_unique<webhooks::Dispatcher>(writer_b, options);
  auto store = Archive::open(url);
  for (int i = 0; i < 10; ++i) store->store_article(sample_article(i));
  BOOST_TEST_REQUIRE(wait_for([&] { return count(1) == 10; }, 10s));
  std::this_thread::sleep_for(500ms);  // time for a second delivery, if one were coming
  BOOST_TEST(count(1) == 10u);
  BOOST_TEST(count(2) == 0u, "an event was posted by both instances");

  // Whichever delivered, the other takes over once it stops (its lease let go at once).
  const bool a_delivered = a->delivered() > 0;
  BOOST_TEST((a->delivered() + b->delivered()) == 10u);
  if (a_delivered) {
    a.reset();
    writer_a.flush();
  } else {
    b.reset();
    writer_b.flush();
  }
  for (int i = 10; i < 15; ++i) store->store_article(sample_article(i));
  BOOST_TEST(wait_for([&] { return count(1) == 15; }, 10s));
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(count(2) == 0u, "the new holder posted again what the last one had");
}

// ---- conflicts ----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_batch_that_loses_a_deadlock_is_run_again_and_commits) {
  const auto url = PgCluster::shared().create_database();
  std::int64_t f1 = 0, f2 = 0;
  {
    auto setup = Archive::open(url);
    f1 = setup->add_feed("https://one.example/feed", "one", "");
    f2 = setup->add_feed("https://two.example/feed", "two", "");
  }
  // The detector looks after deadlock_timeout (1 s by default).
  PgCluster::exec(url, "ALTER DATABASE " + PgCluster::text(url, "SELECT current_database()") +
                           " SET deadlock_timeout = '100ms'");
  ArchiveWorker a(url), b(url);
  // Each batch locks one feed row, waits until the other batch holds the other row, then
  // asks for it: a real deadlock between two connections. A run again finds the flags set and waits no more.
  std::atomic<bool> a_holds = false, b_holds = false;
  const auto retitle = [](Archive& archive, std::int64_t id, const std::string& title) {
    auto row = archive.feed(id);
    row->title = title;
    archive.update_feed(*row);
  };
  const auto until = [](std::atomic<bool>& flag) {
    for (int i = 0; i < 500 && !flag.load(); ++i) std::this_thread::sleep_for(10ms);
  };
  std::promise<std::exception_ptr> a_done, b_done;
  a.post([&](Archive& x) { retitle(x, f1, "a"); a_holds = true; until(b_holds); retitle(x, f2, "a"); },
         [&](std::exception_ptr e) { a_done.set_value(e); });
  b.post([&](Archive& x) { retitle(x, f2, "b"); b_holds = true; until(a_holds); retitle(x, f1, "b"); },
         [&](std::exception_ptr e) { b_done.set_value(e); });
  for (auto* done : {&a_done, &b_done}) {
    auto f = done->get_future();
    BOOST_TEST_REQUIRE((f.wait_for(10s) == std::future_status::ready));
    BOOST_TEST(!f.get(), "a job failed instead of running again");
  }
  BOOST_TEST(a.conflicts_retried() + b.conflicts_retried() >= 1u);
  // Both feeds end with the title of the batch that committed last: each batch whole.
  auto check = Archive::open_read_only(url);
  BOOST_TEST(check->feed(f1)->title == check->feed(f2)->title);
}

// ---- failures -----------------------------------------------------------------------------

// Posts `job` and waits for its batch: what it ended with.
std::exception_ptr run_job(ArchiveWorker& worker, std::function<void(Archive&)> job) {
  std::promise<std::exception_ptr> done;
  auto ended = done.get_future();
  worker.post(std::move(job), [&](std::exception_ptr e) { done.set_value(e); });
  return ended.get();
}

BOOST_AUTO_TEST_CASE(a_database_restart_fails_the_writes_while_it_is_down_and_nothing_after) {
  const auto url = PgCluster::shared().create_database();
  ArchiveWorker worker(url);
  boost::asio::io_context loop;
  Heard heard;
  auto listener = listen(loop, url, heard);
  BOOST_TEST_REQUIRE(run_until(loop, [&] { return listener->connected(); }, 10s));
  BOOST_TEST(!run_job(worker, [](Archive& a) { a.store_article(sample_article(1)); }));
  auto reader = Archive::open_read_only(url);  // as an API reader's, opened before
  BOOST_TEST(reader->article_count() == 1);

  std::thread restart([&] { PgCluster::shared().restart(1500ms); });
  std::this_thread::sleep_for(500ms);  // the server is down now (a fast stop takes some ms)
  BOOST_TEST(static_cast<bool>(run_job(worker, [](Archive& a) { a.store_article(sample_article(2)); })),
             "a write succeeded while the server was down");
  restart.join();
  const auto up = std::chrono::steady_clock::now();
  // The first batch after the restart finds the old connection broken at its BEGIN and
  // connects again: it does not fail.
  BOOST_TEST(!run_job(worker, [](Archive& a) { a.store_article(sample_article(3)); }));
  const auto write_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - up);
  // A lone read connects again too, and does not fail.
  BOOST_TEST(reader->article_count() == 2);
  BOOST_TEST_REQUIRE(run_until(loop, [&] { return listener->connections() == 2; }, 10s));
  const auto listen_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - up);
  BOOST_TEST(heard.resyncs == 2);
  BOOST_TEST_MESSAGE("after the restart: first write " << write_ms.count() << " ms, listener back "
                                                       << listen_ms.count() << " ms");
  auto check = Archive::open_read_only(url);
  BOOST_TEST(check->article_count() == 2);  // the one written while down is not there
  listener->stop();
}

BOOST_AUTO_TEST_CASE(a_lone_write_after_a_restart_goes_to_a_new_connection_and_does_not_fail) {
  const auto url = PgCluster::shared().create_database();
  auto archive = Archive::open(url);
  constexpr UnixSeconds kNow = 1'800'000'000;
  BOOST_TEST(archive->claim_host("a", "one.example", kNow, kNow + 30));
  // Writes outside a transaction (the lease statements run alone), each the first after a
  // restart: the ended session is seen before the statement is sent, so it runs once, on a
  // new connection.
  PgCluster::shared().restart(300ms);
  BOOST_TEST(archive->claim_host("a", "two.example", kNow, kNow + 30));
  PgCluster::shared().restart(300ms);
  const auto renewed = archive->renew_host_leases("a", {"one.example", "two.example"}, kNow + 60);
  BOOST_TEST(renewed.size() == 2u);
  PgCluster::shared().restart(300ms);
  archive->release_hosts("a", {"one.example"});
  BOOST_TEST(PgCluster::integer(url, "SELECT count(*) FROM host_leases") == 1);
  BOOST_TEST(PgCluster::integer(url, "SELECT until FROM host_leases WHERE host = 'two.example'") == kNow + 60);
}

BOOST_AUTO_TEST_CASE(a_writer_frozen_inside_its_transaction_holds_the_others_up_for_the_idle_timeout_only) {
  const auto url = PgCluster::shared().create_database();
  // 15 s unless the database says otherwise; 1 s here, to keep the test short.
  PgCluster::exec(url, "ALTER DATABASE " + PgCluster::text(url, "SELECT current_database()") +
                           " SET idle_in_transaction_session_timeout = '1s'");
  Archive::open(url);
  std::promise<void> taken;
  std::atomic<bool> frozen_failed = false;
  // Takes an id and the commit-order lock, then sends nothing (SIGSTOP, a cut cable).
  std::thread frozen([&] {
    auto archive = Archive::open(url);
    try {
      archive->transaction([&] {
        archive->store_article(sample_article(1));
        taken.set_value();
        std::this_thread::sleep_for(3s);
      });
    } catch (const std::runtime_error&) {
      frozen_failed = true;  // the server ended its session
    }
  });
  taken.get_future().wait();
  const auto start = std::chrono::steady_clock::now();
  auto other = Archive::open(url);
  const std::int64_t id = other->store_article(sample_article(2));
  const auto waited = std::chrono::steady_clock::now() - start;
  BOOST_TEST_MESSAGE("waited for the frozen writer "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count() << " ms");
  BOOST_TEST(waited >= 800ms);
  BOOST_TEST(waited < 2500ms, "the other writer waited for the frozen one past the idle timeout");
  frozen.join();
  BOOST_TEST(frozen_failed.load());
  auto check = Archive::open_read_only(url);
  BOOST_TEST(check->articles_page(ArticleQuery{}).rows.size() == 1u);
  BOOST_TEST(check->articles_page(ArticleQuery{}).rows.at(0).id == id);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::archive
