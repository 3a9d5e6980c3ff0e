#pragma once
// The pipeline: feeds in, clean articles out. The life of one entry, top to bottom, with the
// thread each step runs on and the file it is written in:
//
//   claim the due feeds (leases)              loop, archive    claims.cc
//   poll the feed (host budget, fetcher)      loop             poll.cc
//   parse the feed                            worker pool      poll.cc
//   which entries are new                     archive thread   poll.cc
//   robots.txt                                loop             robots_cache.h
//   fetch the page (host budget, page slot)   loop             article_job.cc
//   extract + fingerprint + verdict           worker pool      article_job.cc
//   the page's article, else the feed's       loop, worker     article_job.cc
//     content marked with the page's verdict
//   duplicate checks + store                  archive thread   dedupe.h
//   save the feed's poll state                loop, archive    poll.cc
//   later: rows and entries due for a retry   archive thread   retry.cc, page_retry.h
//     fetch + extract again as above          loop, workers    retry.cc, article_job.cc
//     upgrade in place, or retry later        archive thread   page_retry.h
//     (an entry: store as above, or later)    archive thread   dedupe.h, page_retry.h
//
// `winnow crawl` (crawl.cc) fetches its URLs at once: a feed goes on as above from "parse",
// a page becomes one entry at "extract". Retries run in daemon mode (start, subscribe) only.
//
// Only a page the extractor calls an article is archived as its text. A paywall teaser is
// archived marked partial (or the feed's content, when longer); for a challenge, a consent
// wall, an error page or an empty page the feed's content is archived, marked with the
// verdict, and the page is fetched again later (page_retry.h); for a listing page behind an
// entry link (not_article), the feed's content, for good. Without feed content such an entry
// is not archived: a listing is recorded as seen for good; for the others the entry is
// recorded as seen with its page's retry state (Archive::record_entry_retry), so that polls
// skip it, and the retries store the page's article as a new row once there is one.
//
// Every network transfer runs on the Asio loop through the Fetcher; parsing and extraction
// run on a thread pool; every SQLite call runs on the ArchiveWorker's thread. The loop
// thread only moves results along, so it never blocks. What those files share, and the
// state a poll and a job carry, is in ingest_impl.h (private).
//
// Crash safety: an article is stored with its entry in one transaction, and a feed's ETag
// and Last-Modified are saved only after every new entry of that poll was archived (or
// given up for good), so a restart after kill -9 re-fetches exactly what was not committed.
//
// Loop thread only (construction, every member function, every callback).
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "daemon/archive/archive.h"
#include "daemon/config.h"
#include "daemon/archive/archive_worker.h"
#include "daemon/archive/page_dictionaries.h"
#include "daemon/fetch/fetcher.h"
#include "daemon/ingest/extraction_journal.h"
#include "daemon/ingest/hosts.h"
#include "daemon/ingest/page_retry.h"
#include "daemon/ingest/robots_cache.h"
#include "daemon/ingest/schedule.h"
#include "feeds/model.h"
#include "parsers/extract/extract.h"

namespace winnow::metrics {
class Registry;
}

namespace winnow::ingest {

class IngestMetrics;
enum class FeedHealth;  // ingest_metrics.h

struct IngestOptions {
  ScheduleParams schedule;
  PolitenessParams politeness;
  fetch::FetcherOptions fetch;
  bool obey_robots = true;
  std::string robots_agent = "winnow";  // product token matched against robots.txt groups
  unsigned workers = 0;                 // extraction threads; 0: one per core
  // Near-duplicates are looked for among articles archived this recently.
  std::int64_t near_duplicate_window_s = 7 * 24 * 3600;
  // Pages fetched (or being fetched) and not yet archived, at most. Each holds its bytes, its
  // extraction and its archive row, so this bounds memory however far fetching runs ahead
  // of extraction and SQLite. 64: enough to keep 2 cores and the archive thread busy.
  std::size_t max_pages_in_memory = 64;
  // Polls admitted at once: a poll counts from its request until its new entries are queued
  // (its feed body is held meanwhile), not until they are archived, so a host that is slow
  // to serve pages cannot hold the admission of every other feed.
  std::size_t max_polls_in_flight = 256;
  // Entries queued for their page, at most, before more polls are admitted (each holds its
  // feed entry, content included).
  std::size_t max_queued_entries = 4096;
  // Entries of one feed taken per poll: the newest this many (by date when every entry has
  // one, else the first in the feed's order); the rest are never fetched. 0: no cap. 500: a
  // busy site's feed carries 10 to 100; a feed with thousands is an archive dump, whose old
  // entries nobody asked for (85,000 in one 10 MB feed were seen).
  std::size_t max_entries_per_poll = 500;
  // Pages that were no article yet but may be later (a challenge, a consent wall, an error
  // page, an empty one) are fetched again on this schedule.
  RetryParams retry;
  // Where pages that failed extraction are counted across crashes (extraction_journal.h);
  // empty: in memory only. winnowd keeps it beside the archive.
  std::string extraction_journal;
  // Work sharing (docs/scale-out.md, "Work sharing and politeness"): due feeds are claimed
  // from the archive in batches with a lease of `lease_s`, renewed every third of it while a
  // poll runs; requests go to a host only while this daemon holds the host's lease. 120: a
  // dead daemon's feeds wait at most two minutes for another to take them over, and a renewal
  // every 40 s costs nothing.
  std::int64_t lease_s = 120;
  // How often the archive is asked what is due even when nothing is known to be due: other
  // daemons add feeds and let leases go.
  std::chrono::milliseconds claim_recheck{5000};
  // How long a page waits for a host another daemon holds before its entry is tried again at
  // the next poll.
  std::int64_t host_wait_s = 300;
  // No other daemon can use the archive (SQLite under the writer lock): leases left by a
  // daemon killed before are forgotten at start().
  bool sole_instance = false;
  // Where the pipeline's metrics go (ingest_metrics.h, docs/metrics.md); null: none. Must
  // outlive the Ingest; one Ingest per Registry at a time. Kept from construction on.
  metrics::Registry* metrics = nullptr;
  // Raw page dictionaries (archive/page_dictionaries.h): with compaction on, ingest learns
  // none from samples, and packs with those the compactor hands over.
  archive::PageDictionaries::Limits page_dictionaries;
};

// The options a configuration asks for (winnowd and `winnow crawl` alike).
IngestOptions options_from(const Config& config);

struct Stats {
  std::uint64_t polls = 0, polls_failed = 0, not_modified = 0;
  std::uint64_t entries_new = 0, entries_known = 0;
  std::uint64_t pages_fetched = 0, pages_failed = 0, robots_denied = 0;
  std::uint64_t archived = 0, url_duplicates = 0, near_duplicates = 0, feed_fallbacks = 0;
  std::uint64_t failed = 0;  // entries given up on (no page and no feed content)
  std::unordered_map<std::string, std::uint64_t> failure_reasons;
  // Pages extracted, by verdict (parsers::to_string(PageKind)), retries included.
  std::unordered_map<std::string, std::uint64_t> verdicts;
  std::uint64_t retries = 0, retries_upgraded = 0;  // pages fetched again; of those, now articles
  // Extractions that failed (the parser gave up, or an exception); pages quarantined for it.
  std::uint64_t extraction_failures = 0, quarantined = 0;
  // Polls whose feed another daemon took over meanwhile (the lease ran out): state dropped.
  std::uint64_t leases_lost = 0;
};

// What a crawl produced, for `winnow crawl --print` and the summary.
struct CrawledArticle {
  archive::ArticleRow row;
  bool duplicate = false;
};

class Ingest {
 public:
  // `loop` and `archive` must outlive the Ingest. It may be destroyed with jobs still queued
  // on the archive: they run later and their answers are dropped.
  Ingest(boost::asio::io_context& loop, archive::ArchiveWorker& archive, IngestOptions options);
  ~Ingest();
  Ingest(const Ingest&) = delete;
  Ingest& operator=(const Ingest&) = delete;

  // The dictionaries the workers pack raw pages with: for the compactor to hand its own to.
  // Kept from construction on.
  std::shared_ptr<archive::PageDictionaries> page_dictionaries() const { return page_dictionaries_; }

  // Daemon mode: polls the archive's enabled feeds on their schedule, claiming the due ones
  // in batches (a lease each: several daemons on one database share the feeds; a feed never
  // polled is due at once). The first call spreads feeds overdue after downtime over their
  // first interval, so a restart does not burst. Called again (SIGHUP), it counts the feeds
  // again; feeds added or removed meanwhile are found by the next claim.
  // Starts the retries of pages that were no article (any archived row due, whichever
  // process archived it).
  void start();

  // Subscribes feeds (idempotent) and polls the new ones soon. Adding a feed costs one GET:
  // its first poll is the only request. Starts the retries too, as start() does.
  struct Subscription {
    std::string url;
    std::string title;
    std::string category;
  };
  void subscribe(std::vector<Subscription> feeds);

  // Crawl mode: fetches each URL now. A feed has its new entries fetched and archived; any
  // other page is extracted and archived as an article. With `print`, nothing is archived:
  // `sink` receives each article instead. `done` runs when all of it has finished.
  void crawl(std::vector<std::string> urls, bool print, std::function<void(const CrawledArticle&)> sink,
             std::function<void()> done);

  // A reload: politeness limits apply at once, to requests already waiting too; schedule,
  // robots.txt and near-duplicate settings from each feed's next poll. Fetch limits and the
  // number of workers keep their values from construction (a warning names them if they
  // changed): they need a restart.
  void reconfigure(IngestOptions options);

  // Stops polling, lets work in flight finish for up to `grace`, then cancels the rest:
  // nothing cancelled is written (no article, no entry, no poll state), so the next start
  // fetches it again. `drained` runs when nothing is in flight any more, or at the cancel.
  void drain(std::chrono::milliseconds grace, std::function<void()> drained);
  // Stops at once, as drain() does when its grace runs out: no poll, fetch or write starts
  // any more and what is in flight is dropped unwritten (fetched again after a restart).
  // For an archive that can take no more (ArchiveWorker's on_full). `halted` runs before
  // halt() returns (with a drain's `drained`, if one was under way).
  void halt(std::function<void()> halted);

  const Stats& stats() const { return stats_; }
  // Enabled feeds in the archive, and those whose last poll failed: counted by the archive at
  // start(), subscribe() and lease renewals (at most once a minute), kept up to date by this
  // daemon's polls in between.
  std::size_t feed_count() const { return std::size_t(std::max<std::int64_t>(0, counts_.enabled())); }
  std::size_t failing_feeds() const { return std::size_t(std::max<std::int64_t>(0, counts_.failing)); }
  std::size_t in_flight() const;
  // Page fetches waiting for a slot (max_pages_in_memory).
  std::size_t queued_fetches() const { return page_waiters_.size(); }
  // Feeds claimed and being polled now (the only feed rows held in memory).
  std::size_t polling_feeds() const { return feeds_.size(); }
  // This daemon's owner id in the archive's leases: hostname:pid:random, one per Ingest.
  const std::string& owner() const { return owner_; }

 private:
  struct FeedState;
  struct Poll;
  struct Job;
  struct Crawl;

  // ---- ingest.cc: the fetch every request goes through, the drain
  // Through the host's lease and budget (a file:// URL has neither). A request the budget
  // starts after drain() cancelled, or whose host another daemon keeps, is answered
  // FetchErrc::cancelled, unsent.
  void fetch_limited(const std::string& url, fetch::FetchRequest request, std::function<void(fetch::FetchResult)> done);
  // Runs go(true) when `host` may be sent a request now: this daemon holds its lease (asked
  // for first when needed) and the host's budget has a slot, which go(true) must release.
  // go(false), holding nothing, when another daemon kept the host past host_wait_s or the
  // drain cancelled the wait.
  void acquire_host(const std::string& host, std::function<void(bool)> go);

  // ---- claims.cc: which feeds this daemon polls, and the leases it holds
  // Asks the archive for due feeds (as many as admission allows) and polls them.
  void claim_due();
  // `next_due`: the earliest next_poll claimable; `lease_end`: when the first lease another
  // daemon holds ends (Archive::next_lease_end).
  void on_claimed(std::vector<archive::FeedRow> rows, std::optional<UnixSeconds> next_due,
                  std::optional<UnixSeconds> lease_end, UnixSeconds until,
                  std::size_t limit);
  // Claims again in `delay`, or at `at` (wall clock), unless a claim is set for sooner.
  void wake_in(std::chrono::milliseconds delay);
  void wake_at(UnixSeconds at);
  // Runs go(true) once this daemon holds `host`'s lease, go(false) as acquire_host says.
  void with_host_lease(const std::string& host, std::function<void(bool)> go);
  void ask_for_host(const std::string& host);
  bool lease_usable(UnixSeconds until) const;
  // Every third of a lease: extends the leases of feeds being polled and of hosts in use,
  // lets idle hosts go, and counts the feeds again (at most once a minute).
  void arm_renewal();
  void renew_leases();
  // The archive's counts, for feed_count(), failing_feeds() and the metrics.
  void set_counts(const archive::FeedCounts& counts);
  // This daemon's poll moved a feed from one health to another.
  void note_health(FeedHealth before, FeedHealth after);
  // Lets every lease of this daemon go (drain, halt, destruction).
  void release_all_leases();
  void maybe_drained();
  // Cancels everything in flight and waiting, then runs drained_.
  void cancel_in_flight();

  // ---- poll.cc: one feed, from its request until its new entries are done
  void poll(FeedState& feed);
  void on_feed_fetched(std::shared_ptr<Poll> poll, fetch::FetchResult result);
  // Parses `body` as a feed on a worker; `done` runs on the loop with the feed, or with null
  // and the parser's reason. Relative links resolve against where `answer` ended up.
  using FeedParsed = std::function<void(std::shared_ptr<feeds::Feed> feed, const std::string& error)>;
  void parse_on_worker(const std::string& url, const fetch::FetchResult& answer,
                       std::shared_ptr<const std::string> body, FeedParsed done);
  void on_feed_parsed(std::shared_ptr<Poll> poll, std::shared_ptr<feeds::Feed> feed);
  // Logs (once per feed) that a poll took only the newest `kept` entries, `cut` ignored.
  void log_truncated(const Poll& poll, std::size_t cut, std::size_t kept);
  void on_new_entries(std::shared_ptr<Poll> poll, std::vector<std::shared_ptr<Job>> jobs);
  void release_admission(Poll& poll);
  void finish_poll(std::shared_ptr<Poll> poll);

  // ---- article_job.cc: one entry, from its link to the archive
  void start_job(std::shared_ptr<Job> job);
  void fetch_page(std::shared_ptr<Job> job);
  void on_page(std::shared_ptr<Job> job, fetch::FetchResult result);
  // Worker thread. Extracts `bytes` into `article` under the extraction journal, keyed by
  // `key`: an exception or a page the parser gave up on is a failure (article then empty),
  // counted. False when the key is quarantined (now or before): nothing to use.
  bool extract_guarded(const std::string& key, std::string_view bytes, const parsers::ExtractOptions& options,
                       parsers::Article& article);
  // The page extracted: `page` is its row, verdict set. Only an article goes on as the page.
  void on_judged(std::shared_ptr<Job> job, std::shared_ptr<archive::ArticleRow> page, parsers::PageKind kind);
  // The entry's own content instead of its page; without any, the entry is given up
  // (`permanent`: recorded so that later polls skip it; else seen again at the next poll).
  // `judged`: the page when it was fetched and is no article; its verdict marks the row, its
  // bytes are kept as the row's raw page, a retry is set when the verdict may change, and a
  // paywall teaser's own text is stored instead when the feed's is not longer.
  void use_feed_content(std::shared_ptr<Job> job, const std::string& why, bool permanent = true,
                        std::shared_ptr<archive::ArticleRow> judged = nullptr);
  // A feed's entry without content whose page `judged` may become an article: recorded as
  // seen, with a retry in `retry_in_s` (0: none, given up).
  void wait_for_page(std::shared_ptr<Job> job, const archive::ArticleRow& judged, std::int64_t retry_in_s);
  void store(std::shared_ptr<Job> job, archive::ArticleRow row);
  void give_up(std::shared_ptr<Job> job, const std::string& reason, bool permanent);
  void abandon(std::shared_ptr<Job> job);
  void job_done(const std::shared_ptr<Job>& job);
  void hold_page_slot(std::function<void()> go);
  void release_page_slot();

  // ---- crawl.cc
  void crawl_one(std::shared_ptr<Crawl> crawl, std::string url);

  // ---- retry.cc: pages fetched again when due (page_retry.h)
  void arm_retry_timer();
  void on_retry_timer();
  void start_retries(std::vector<archive::ArticleRow> rows, std::vector<archive::EntryRetry> entries);
  std::size_t retries_in_flight() const { return retrying_.size() + entries_retrying_.size(); }
  // A retry's fetch ended: `page` extracted (verdict set), or null when the fetch failed
  // (`gone`: for good). Settles it on the archive thread; an entry's page that is an article
  // now goes to store() instead.
  void finish_retry(std::shared_ptr<Job> job, std::shared_ptr<archive::ArticleRow> page, const std::string& why,
                    bool gone);
  // An entry of a feed left without an article for good: counted, and one warning line.
  void entry_given_up(const Job& job, const std::string& verdict, int retries, const std::string& reason);

  // Worker thread: the fetched page `body` of `url` packed for the archive, with its host's
  // dictionary when it has one; else kept as a sample, and once there are enough, a
  // dictionary learnt from them and posted to the archive (later pages of the host use it).
  archive::PackedPage pack_raw_page(const std::string& url, std::string_view body);

  // ---- metrics (ingest_metrics.h); each does nothing without IngestOptions::metrics
  // The queue-depth gauges, from the loop's counts: called where those move.
  void note_depths();

  boost::asio::io_context& loop_;
  archive::ArchiveWorker& archive_;
  IngestOptions options_;
  fetch::Fetcher fetcher_;
  HostBudgets hosts_;
  RobotsCache robots_;
  boost::asio::thread_pool workers_;
  // Per-host zstd dictionaries for raw pages: looked up and sampled on the workers, learnt
  // there too, stored by the archive thread, which then adds them.
  std::shared_ptr<archive::PageDictionaries> page_dictionaries_ = std::make_shared<archive::PageDictionaries>();
  ExtractionJournal journal_;  // workers and the loop
  // Claims (claims.cc).
  struct HostLease;
  std::string owner_;
  bool leasing_ = false;        // daemon mode: start() or subscribe() was called
  bool started_ = false;        // start() ran once (the spread of overdue feeds is done)
  bool claim_in_flight_ = false;
  boost::asio::steady_timer timer_;  // the next claim
  bool timer_armed_ = false;
  std::chrono::steady_clock::time_point timer_at_{};
  boost::asio::steady_timer renew_timer_;
  bool renew_armed_ = false;
  std::unordered_map<std::int64_t, std::unique_ptr<FeedState>> feeds_;  // claimed, being polled
  std::unordered_map<std::string, std::unique_ptr<HostLease>> host_leases_;
  std::unordered_set<std::int64_t> told_truncated_;  // feeds whose cut to max_entries_per_poll was logged
  archive::FeedCounts counts_;
  std::chrono::steady_clock::time_point counted_at_{};  // when counts_ came from the archive
  Stats stats_;
  std::size_t jobs_in_flight_ = 0;
  std::size_t polls_in_flight_ = 0;  // started and not finished: drain waits for them
  std::size_t polls_admitted_ = 0;   // holding admission (see max_polls_in_flight)
  std::size_t crawls_in_flight_ = 0;
  std::size_t pages_held_ = 0;                       // slots of max_pages_in_memory in use
  std::deque<std::function<void()>> page_waiters_;   // fetches waiting for a slot
  bool draining_ = false;
  bool cancelled_ = false;  // drain()'s grace ran out: what still finishes is dropped unwritten
  std::function<void()> drained_;
  std::unique_ptr<boost::asio::steady_timer> grace_timer_;
  boost::asio::steady_timer retry_timer_;
  bool retry_timer_armed_ = false;
  bool retry_query_in_flight_ = false;           // asking the archive what is due
  std::unordered_set<std::int64_t> retrying_;    // article ids whose retry is under way
  std::set<std::pair<std::int64_t, std::string>> entries_retrying_;  // (feed, entry key) likewise
  std::unique_ptr<IngestMetrics> metrics_;  // null: metrics off; set at construction (workers read it)
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace winnow::ingest
