#pragma once
// Shared by the suites that drive the ingest pipeline in-process (ingest, page_verdicts): a
// TestServer "feed farm" on 127.0.0.1, a real SQLite archive in a temp dir, and the Asio loop
// run by the test in slices until what it waits for is on disk (read through a second
// connection, as WAL allows).
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/archive/archive.h"
#include "daemon/archive/archive_worker.h"
#include "daemon/ingest/ingest.h"
#include "daemon/log.h"
#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/farm.h"
#include "tests/daemon/test_server.h"

namespace winnow::ingest::testing {

namespace asio = boost::asio;
namespace farm = winnow::testing::farm;
using namespace std::chrono_literals;
using archive::Archive;
using archive::ArchiveWorker;
using archive::ArticleRow;
using archive::FeedRow;
using archive::testing::Probe;
using archive::testing::TempDir;
using farm::Story;
using winnow::testing::TestRequest;
using winnow::testing::TestServer;
using Clock = std::chrono::steady_clock;

// Small enough that a feed is polled again a second or two later; no politeness delay.
inline IngestOptions test_options() {
  IngestOptions o;
  o.schedule.min_interval_s = 1;
  o.schedule.default_interval_s = 1;
  o.schedule.max_interval_s = 2;
  o.schedule.max_backoff_s = 8;
  o.politeness.concurrency = 2;
  o.politeness.min_delay_s = 0;
  o.politeness.max_delay_s = 1;
  o.fetch.connect_timeout_ms = 2000;
  o.fetch.total_timeout_ms = 5000;
  o.fetch.low_speed_time_s = 5;
  o.fetch.allow_private = true;  // every page is on 127.0.0.1; ssrf_test checks the default
  o.workers = 2;
  return o;
}

// The same server under another host name: "127.1" is 127.0.0.1 in the short form that
// inet_aton and curl accept, so the daemon sees a second host while every connection still
// goes to 127.0.0.1.
inline std::string other_host_url(const TestServer& server, std::string_view path) {
  return "http://127.1:" + std::to_string(server.port()) + std::string(path);
}

// An archive, an Ingest and the loop they run on; the test drives the loop.
class Pipeline {
 public:
  explicit Pipeline(IngestOptions options = test_options())
      : options_(std::move(options)),
        path_(dir_.file("archive.db")),
        archive_(std::make_unique<ArchiveWorker>(path_)),
        ingest_(std::make_unique<Ingest>(loop_, *archive_, options_)),
        reader_(Archive::open_sqlite(path_)),
        probe_(path_) {
    log::set_level(LogLevel::warning);
  }

  ~Pipeline() {
    archive_->flush();
    ingest_.reset();
  }

  Ingest& ingest() { return *ingest_; }
  ArchiveWorker& worker() { return *archive_; }
  Archive& reader() { return *reader_; }
  Probe& probe() { return probe_; }
  asio::io_context& loop() { return loop_; }
  const std::string& path() const { return path_; }

  void subscribe(const std::vector<std::string>& urls) {
    std::vector<Ingest::Subscription> subs;
    for (const auto& url : urls) subs.push_back({url, "", ""});
    ingest_->subscribe(std::move(subs));
  }

  // Runs the loop in slices until `done` holds; false when `timeout` passed first.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = Clock::now() + timeout;
    while (!done()) {
      if (Clock::now() >= deadline) return false;
      loop_.run_for(10ms);
    }
    return true;
  }

  void run_for(std::chrono::milliseconds duration) {
    const auto end = Clock::now() + duration;
    while (Clock::now() < end) loop_.run_for(10ms);
  }

  // Until `polls` polls have started and nothing is in flight, then everything they queued
  // for the archive is committed.
  bool settle_after_polls(std::uint64_t polls, std::chrono::milliseconds timeout = 10s) {
    bool ok = run_until([&] { return ingest_->stats().polls >= polls && ingest_->in_flight() == 0; }, timeout);
    archive_->flush();
    return ok;
  }

  // Destroys the Ingest at once, whatever it still has queued on the archive or the loop.
  void drop_ingest() { ingest_.reset(); }

  // Replaces the Ingest as a restart would (same archive, feeds loaded from it).
  void restart(IngestOptions options) {
    archive_->flush();
    run_for(50ms);  // handlers the old Ingest posted run (and find it alive) before it goes
    archive_->flush();
    ingest_.reset();
    ingest_ = std::make_unique<Ingest>(loop_, *archive_, std::move(options));
    ingest_->start();
  }

  std::int64_t article_count() { return reader_->article_count(); }
  std::vector<ArticleRow> articles(bool with_raw = false) { return reader_->articles_after(0, 100'000, false, with_raw); }

  // The article archived from `url` (final URL after redirects), if any.
  std::optional<ArticleRow> article_at(const std::string& url, bool with_raw = false) {
    for (auto& a : articles(with_raw))
      if (a.url == url) return a;
    return std::nullopt;
  }

  std::vector<FeedRow> feeds() { return reader_->feeds(); }
  FeedRow only_feed() {
    auto rows = feeds();
    BOOST_TEST_REQUIRE(rows.size() == 1u);
    return rows.front();
  }

  // How many entries rows the feed has, and how many of them name no article.
  std::int64_t entries(std::int64_t feed_id) {
    return probe_.integer("SELECT count(*) FROM entries WHERE feed_id = " + std::to_string(feed_id));
  }
  std::int64_t entries_without_article(std::int64_t feed_id) {
    return probe_.integer("SELECT count(*) FROM entries WHERE article_id IS NULL AND feed_id = " +
                          std::to_string(feed_id));
  }

 private:
  IngestOptions options_;
  TempDir dir_;
  std::string path_;
  asio::io_context loop_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(loop_);
  std::unique_ptr<ArchiveWorker> archive_;
  std::unique_ptr<Ingest> ingest_;
  std::unique_ptr<Archive> reader_;
  Probe probe_;
};

inline bool contains(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != std::string_view::npos; }

// The story's paragraphs all appear in `text`, and none of the site's furniture does.
inline void check_text(const ArticleRow& row, const Story& story) {
  for (const auto& p : story.paragraphs) BOOST_TEST(contains(row.text, p), row.url << " lacks: " << p);
  for (const auto& noise : farm::noise_phrases()) BOOST_TEST(!contains(row.text, noise), row.url << " has: " << noise);
}

// Serves `story` as an article page at `path`.
inline void publish(TestServer& server, const std::string& path, const Story& story) {
  server.route(path, farm::html_response(farm::page_html(story)));
}

inline std::vector<TestRequest> requests_for(const TestServer& server, std::string_view path) {
  std::vector<TestRequest> out;
  for (auto& r : server.requests())
    if (r.path == path) out.push_back(r);
  return out;
}

inline double seconds_between(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

}  // namespace winnow::ingest::testing
