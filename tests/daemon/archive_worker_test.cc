// ArchiveWorker on a real SQLite file: batching, failing jobs, flush, drain on destruction,
// a reader on another connection, and a writer process killed with SIGKILL.
#include <boost/test/unit_test.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <future>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "daemon/archive/archive_worker.h"
#include "tests/daemon/archive_helpers.h"

namespace winnow::archive {
namespace {

using namespace std::chrono_literals;
using testing::Probe;
using testing::sample_article;
using testing::TempDir;

// The archive's commit count, read on the worker's own connection.
std::int64_t commits_of(ArchiveWorker& worker) {
  std::int64_t commits = 0;
  worker.post([&](Archive& archive) { commits = archive.commit_count(); });
  worker.flush();
  return commits;
}

// Posts a job that holds the archive thread until the returned promise is set (or 10 s pass).
std::promise<void> hold(ArchiveWorker& worker) {
  std::promise<void> release;
  worker.post([gate = release.get_future().share()](Archive&) { gate.wait_for(10s); });
  return release;
}

BOOST_AUTO_TEST_SUITE(archive_worker)

BOOST_AUTO_TEST_CASE(a_thousand_posts_commit_in_a_few_transactions) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  ArchiveWorker worker(path);
  const auto before = commits_of(worker);
  std::atomic<int> ok = 0;
  // Small jobs, so that a batch fills up before kMaxBatchDelay even on a loaded machine.
  for (int i = 0; i < 1000; ++i)
    worker.post([i](Archive& archive) { archive.add_feed("https://f" + std::to_string(i) + ".example/", "", ""); },
                [&](std::exception_ptr error) { ok += error ? 0 : 1; });
  worker.flush();
  const auto transactions = commits_of(worker) - before;
  BOOST_TEST_MESSAGE(transactions << " transactions for 1000 jobs");
  BOOST_TEST(ok == 1000);
  // 1000 jobs need at least four batches of kMaxBatch = 256; the reading job adds one.
  BOOST_TEST(transactions >= 4);
  BOOST_TEST(transactions <= 12, transactions << " transactions for 1000 jobs");
  BOOST_TEST(Probe(path).integer("SELECT count(*) FROM feeds") == 1000);
}

BOOST_AUTO_TEST_CASE(a_throwing_job_is_rolled_back_alone_and_its_batch_mates_commit) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  ArchiveWorker worker(path);
  std::vector<std::int64_t> seen_commits(3, -1);
  std::vector<std::exception_ptr> results(3);
  std::vector<bool> reported(3, false);
  const auto done = [&](int n) {
    return [&, n](std::exception_ptr error) {
      results[n] = error;
      reported[n] = true;
    };
  };
  auto release = hold(worker);  // queue the three behind it so they run in one batch
  worker.post(
      [&](Archive& archive) {
        seen_commits[0] = archive.commit_count();
        archive.store_article(sample_article(1));
      },
      done(0));
  worker.post(
      [&](Archive& archive) {
        seen_commits[1] = archive.commit_count();
        archive.add_feed("https://doomed.example/feed", "Doomed", "");
        archive.store_article(sample_article(2));
        throw std::runtime_error("job two fails after writing");
      },
      done(1));
  worker.post(
      [&](Archive& archive) {
        seen_commits[2] = archive.commit_count();
        archive.store_article(sample_article(3));
      },
      done(2));
  release.set_value();
  worker.flush();

  BOOST_TEST(seen_commits[0] == seen_commits[1]);  // one transaction held all three
  BOOST_TEST(seen_commits[1] == seen_commits[2]);
  BOOST_TEST((reported[0] && reported[1] && reported[2]));
  BOOST_TEST(!results[0]);
  BOOST_TEST(!results[2]);
  BOOST_TEST_REQUIRE(static_cast<bool>(results[1]));
  BOOST_CHECK_EXCEPTION(std::rethrow_exception(results[1]), std::runtime_error,
                        [](const std::runtime_error& e) { return std::string(e.what()) == "job two fails after writing"; });
  Probe probe(path);
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles") == 2);
  BOOST_TEST(probe.integer("SELECT count(*) FROM feeds") == 0);
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles WHERE title = 'Story number 2'") == 0);
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles_fts_docsize") == 2);
}

BOOST_AUTO_TEST_CASE(done_runs_after_the_commit_so_another_connection_sees_the_data) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  ArchiveWorker worker(path);
  auto reader = Archive::open_sqlite(path);
  std::int64_t visible_in_done = -1;
  worker.post([](Archive& archive) { archive.store_article(sample_article(1)); },
              [&](std::exception_ptr) { visible_in_done = Probe(path).integer("SELECT count(*) FROM articles"); });
  worker.flush();
  BOOST_TEST(visible_in_done == 1);
  BOOST_TEST(reader->article_count() == 1);
  BOOST_TEST(worker.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(flush_commits_the_open_batch_without_waiting_out_its_delay) {
  TempDir dir;
  ArchiveWorker worker(dir.file("archive.db"));
  commits_of(worker);  // the first batch pays for opening
  // Waiting out the delay, ten flushes would take at least 10 x 50 ms; committing at once,
  // a few ms each. Half the first figure leaves room for a busy machine either way.
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < 10; ++round) {
    worker.post([round](Archive& archive) { archive.store_article(sample_article(round)); });
    worker.flush();
  }
  const auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST((took < ArchiveWorker::kMaxBatchDelay * 10 / 2),
             std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms for ten flushes");
}

BOOST_AUTO_TEST_CASE(pending_counts_queued_and_running_jobs) {
  TempDir dir;
  ArchiveWorker worker(dir.file("archive.db"));
  auto release = hold(worker);
  for (int i = 0; i < 5; ++i) worker.post([i](Archive& archive) { archive.store_article(sample_article(i)); });
  BOOST_TEST(worker.pending() == 6u);
  release.set_value();
  worker.flush();
  BOOST_TEST(worker.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(destroying_the_worker_runs_and_commits_every_posted_job) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  std::atomic<int> ok = 0;
  {
    ArchiveWorker worker(path);
    for (int i = 0; i < 600; ++i)
      worker.post([i](Archive& archive) { archive.store_article(sample_article(i)); },
                  [&](std::exception_ptr error) { ok += error ? 0 : 1; });
  }
  BOOST_TEST(ok == 600);
  BOOST_TEST(Archive::open_sqlite(path)->article_count() == 600);
}

BOOST_AUTO_TEST_CASE(a_file_that_cannot_be_opened_throws_from_the_constructor) {
  TempDir dir;
  BOOST_CHECK_THROW(ArchiveWorker(dir.file("no/such/dir/archive.db")), std::runtime_error);
  const auto path = dir.file("archive.db");
  { auto archive = Archive::open_sqlite(path); }
  Probe(path).exec("PRAGMA user_version = 99");
  BOOST_CHECK_THROW(ArchiveWorker{path}, std::runtime_error);
}

BOOST_AUTO_TEST_CASE(a_reader_on_another_thread_sees_committed_data_while_the_worker_writes) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  ArchiveWorker worker(path);
  for (int i = 0; i < 10; ++i) worker.post([i](Archive& archive) { archive.store_article(sample_article(i)); });
  worker.flush();

  // The worker stores one more article and then keeps its transaction open.
  std::promise<void> stored;
  std::promise<void> release;
  worker.post([&, gate = release.get_future().share()](Archive& archive) {
    archive.store_article(sample_article(10));
    stored.set_value();
    gate.wait_for(10s);
  });
  stored.get_future().wait();
  // WAL: the reader neither waits for the writer nor sees what it has not committed.
  const auto start = std::chrono::steady_clock::now();
  auto reader = Archive::open_sqlite(path);
  BOOST_TEST(reader->article_count() == 10);
  BOOST_TEST(reader->search("harbour", 100).size() == 10u);
  BOOST_TEST((std::chrono::steady_clock::now() - start < 2s));
  release.set_value();
  worker.flush();
  BOOST_TEST(reader->article_count() == 11);

  // And under a steady stream of batches, from a thread of its own, counts only grow.
  std::atomic<bool> writing = true;
  std::vector<std::int64_t> counts;
  std::thread reading([&] {
    auto own = Archive::open_sqlite(path);
    while (writing) {
      counts.push_back(own->article_count());
      std::this_thread::sleep_for(1ms);
    }
    counts.push_back(own->article_count());
  });
  for (int i = 0; i < 2000; ++i)
    worker.post([i](Archive& archive) { archive.store_article(sample_article(100 + i)); });
  worker.flush();
  writing = false;
  reading.join();
  BOOST_TEST_REQUIRE(!counts.empty());
  BOOST_TEST(std::is_sorted(counts.begin(), counts.end()));
  BOOST_TEST(counts.front() >= 11);
  BOOST_TEST(counts.back() == 2011);
}

// The child: writes articles through an ArchiveWorker until it is killed, and reports each
// article id on `fd` once its `done` says it is committed.
[[noreturn]] void write_until_killed(const std::string& path, std::int64_t feed, int round, int fd) {
  signal(SIGALRM, SIG_DFL);
  alarm(60);  // never outlive a parent that failed to kill us
  try {
    ArchiveWorker worker(path);
    const std::string padding(5000, 'x');
    for (int i = 0;; ++i) {
      while (worker.pending() > 1000) std::this_thread::sleep_for(1ms);
      ArticleRow row = sample_article(i, feed);
      row.entry_key = "round" + std::to_string(round) + "-" + std::to_string(i);
      row.text += " " + padding;
      row.raw += padding;
      auto id = std::make_shared<std::int64_t>(0);
      worker.post([row = std::move(row), id](Archive& archive) { *id = archive.store_article(row); },
                  [id, fd](std::exception_ptr error) {
                    if (error) _exit(4);
                    if (write(fd, id.get(), sizeof *id) != sizeof *id) _exit(5);
                  });
    }
  } catch (...) {
    _exit(3);
  }
}

void check_nothing_half_written(const std::string& path, const std::set<std::int64_t>& reported) {
  auto archive = Archive::open_sqlite(path);  // as the daemon would on restart
  std::set<std::int64_t> present;
  for (std::int64_t cursor = 0;;) {
    const auto page = archive->articles_after(cursor, 1000, false, false);
    if (page.empty()) break;
    for (const auto& row : page) present.insert(row.id);
    cursor = page.back().id;
  }
  std::size_t missing = 0;
  for (auto id : reported) missing += present.count(id) ? 0 : 1;
  BOOST_TEST(missing == 0u, missing << " of " << reported.size() << " reported articles are missing");

  Probe probe(path);
  BOOST_TEST(probe.text("PRAGMA integrity_check") == "ok");
  BOOST_TEST(probe.integer("SELECT count(*) FROM pragma_foreign_key_check") == 0);
  BOOST_TEST(probe.integer("SELECT count(*) FROM entries WHERE article_id IS NULL") == 0);
  BOOST_TEST(probe.integer("SELECT count(*) FROM entries e WHERE NOT EXISTS "
                           "(SELECT 1 FROM articles a WHERE a.id = e.article_id)") == 0);
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles a LEFT JOIN entries e "
                           "ON e.feed_id = a.feed_id AND e.entry_key = a.entry_key "
                           "WHERE e.article_id IS NOT a.id") == 0);
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles a WHERE NOT EXISTS "
                           "(SELECT 1 FROM articles_fts_docsize d WHERE d.id = a.id)") == 0);
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles_fts_docsize") ==
             probe.integer("SELECT count(*) FROM articles"));
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles a WHERE NOT EXISTS "
                           "(SELECT 1 FROM raw_pages r WHERE r.article_id = a.id)") == 0);
  BOOST_CHECK_NO_THROW(probe.exec("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')"));
}

BOOST_AUTO_TEST_CASE(a_writer_killed_at_a_random_moment_loses_nothing_reported_done) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  const auto feed = Archive::open_sqlite(path)->add_feed("https://a.example/feed", "A", "");
  std::mt19937 rng(std::random_device{}());
  std::set<std::int64_t> reported;
  for (int round = 0; round < 4; ++round) {
    int fds[2];
    BOOST_TEST_REQUIRE(pipe(fds) == 0);
    const pid_t child = fork();
    BOOST_TEST_REQUIRE(child >= 0);
    if (child == 0) {
      close(fds[0]);
      write_until_killed(path, feed, round, fds[1]);
    }
    close(fds[1]);

    std::string bytes;
    const auto read_some = [&](int timeout_ms) {
      pollfd p{fds[0], POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0) return false;
      char buffer[4096];
      const auto n = read(fds[0], buffer, sizeof buffer);
      if (n <= 0) return false;
      bytes.append(buffer, static_cast<std::size_t>(n));
      return true;
    };
    // Wait for the first commit, then kill after a random 0-300 ms.
    const auto first_by = std::chrono::steady_clock::now() + 20s;
    while (bytes.empty() && std::chrono::steady_clock::now() < first_by) read_some(100);
    const auto kill_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(rng() % 300);
    while (std::chrono::steady_clock::now() < kill_at) read_some(1);
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    while (read_some(1000)) {
    }
    close(fds[0]);
    BOOST_TEST_REQUIRE(WIFSIGNALED(status));
    BOOST_TEST_REQUIRE(WTERMSIG(status) == SIGKILL);
    BOOST_TEST_REQUIRE(bytes.size() % sizeof(std::int64_t) == 0u);
    const std::size_t before = reported.size();
    for (std::size_t at = 0; at < bytes.size(); at += sizeof(std::int64_t)) {
      std::int64_t id = 0;
      std::memcpy(&id, bytes.data() + at, sizeof id);
      reported.insert(id);
    }
    BOOST_TEST_MESSAGE("round " << round << ": " << reported.size() - before << " articles reported done");
    BOOST_TEST(reported.size() > before);
    check_nothing_half_written(path, reported);
  }
}

BOOST_AUTO_TEST_CASE(a_full_archive_is_reported_once_and_stops_every_later_job) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  { ArchiveWorker make(path); }
  const std::int64_t pages = Probe(path).integer("PRAGMA page_count");
  // A few pages of room on the worker's connection (tests only, docs/development.md).
  ::setenv("WINNOW_TEST_MAX_PAGE_COUNT", std::to_string(pages + 4).c_str(), 1);
  std::atomic<int> told = 0;
  std::unique_ptr<ArchiveWorker> worker;
  try {
    worker = std::make_unique<ArchiveWorker>(path, [&] { ++told; });
  } catch (...) {
    ::unsetenv("WINNOW_TEST_MAX_PAGE_COUNT");
    throw;
  }
  ::unsetenv("WINNOW_TEST_MAX_PAGE_COUNT");
  std::atomic<int> stored = 0, full = 0, other = 0, ran_after_full = 0;
  for (int n = 1; n <= 40; ++n) {
    worker->post(
        [&, n](Archive& archive) {
          if (worker->full()) ++ran_after_full;
          ArticleRow row = sample_article(n);
          for (int k = 0; k < 2000; ++k) row.text += " word" + std::to_string(n * 10000 + k);
          archive.store_article(row);
        },
        [&](std::exception_ptr error) {
          if (!error) ++stored;
          else if (is_storage_full(error)) ++full;
          else ++other;
        });
    worker->flush();  // one job a batch: the first full one stops the rest
  }
  BOOST_TEST(told == 1);
  BOOST_TEST(worker->full());
  BOOST_TEST(full + stored == 40);
  BOOST_TEST(full > 0);
  BOOST_TEST(other == 0);
  BOOST_TEST(ran_after_full == 0);
  worker.reset();
  Probe probe(path);
  BOOST_TEST(probe.text("PRAGMA integrity_check") == "ok");
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles") == stored);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::archive
