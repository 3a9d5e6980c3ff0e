// Retries of pages that were no article (page_retry.h): a timer asks the archive thread for
// the rows and the entries due, each becomes a job that fetches and extracts its page as any
// entry does (robots.txt, host budget, page slot, a worker), and the archive thread settles
// it; an entry's page that is an article now is stored as a new entry's. Loop thread; nothing
// here waits on SQLite.
#include "daemon/ingest/ingest.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <functional>
#include <sstream>

#include "daemon/ingest/dedupe.h"
#include "daemon/ingest/ingest_impl.h"
#include "daemon/ingest/ingest_metrics.h"
#include "daemon/log.h"

namespace winnow::ingest {

namespace asio = boost::asio;
using archive::Archive;
using archive::ArticleRow;
using detail::now_s;

namespace {

// Retries under way at once, at most. Each holds a page slot while it fetches; 16 keeps them
// a small share of max_pages_in_memory beside the polls.
constexpr std::size_t kMaxRetriesInFlight = 16;

}  // namespace

void Ingest::arm_retry_timer() {
  if (retry_timer_armed_ || draining_ || options_.retry.max_retries <= 0) return;
  // As often as the shortest delay, at most once a minute, at least once a second: a retry
  // comes at most a minute late, and the probe reads a small index.
  const auto period = std::chrono::seconds(std::clamp<std::int64_t>(options_.retry.base_delay_s, 1, 60));
  retry_timer_armed_ = true;
  retry_timer_.expires_after(period);
  retry_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    retry_timer_armed_ = false;
    on_retry_timer();
  });
}

void Ingest::on_retry_timer() {
  if (draining_) return;
  const std::size_t room = kMaxRetriesInFlight - std::min(kMaxRetriesInFlight, retries_in_flight());
  if (room == 0 || retry_query_in_flight_ || jobs_in_flight_ >= options_.max_queued_entries) return arm_retry_timer();
  retry_query_in_flight_ = true;
  // Claimed as feeds are: their retry_at moves a lease ahead, so that no other daemon on the
  // archive fetches them meanwhile (settling sets the next one). One whose retry outlives the
  // lease may come back while under way: it is skipped.
  const std::size_t rows_limit = room, entries_limit = room;
  auto rows = std::make_shared<std::vector<ArticleRow>>();
  auto entries = std::make_shared<std::vector<archive::EntryRetry>>();
  archive_.post(
      [rows, entries, rows_limit, entries_limit, lease_s = options_.lease_s](Archive& a) {
        const UnixSeconds now = now_s();
        *rows = a.claim_articles_due_for_retry(now, now + lease_s, rows_limit);
        *entries = a.claim_entries_due_for_retry(now, now + lease_s, entries_limit);
      },
      [this, &loop = loop_, alive = std::weak_ptr<bool>(alive_), rows, entries](std::exception_ptr error) {
        asio::post(loop, [this, alive, rows, entries, error] {
          if (alive.expired()) return;
          retry_query_in_flight_ = false;
          if (error) log::error("archive read failed", {{"what", "retries due"}, {"error", log::describe(error)}});
          else if (!draining_) start_retries(std::move(*rows), std::move(*entries));
          arm_retry_timer();
        });
      });
}

void Ingest::start_retries(std::vector<ArticleRow> rows, std::vector<archive::EntryRetry> entries) {
  for (auto& row : rows) {
    if (retries_in_flight() >= kMaxRetriesInFlight) break;
    if (retrying_.contains(row.id) || is_page_article(row)) continue;
    retrying_.insert(row.id);
    ++stats_.retries;
    auto job = std::make_shared<Job>();
    job->retry_of = row.id;
    job->url = row.url;
    // Only a page fetched before has a retry: a file:// one came from a local feed or crawl.
    job->local = row.url.starts_with("file://");
    job->entry.title = row.title;
    job->entry.published = row.published;
    log::debug("page retry", {{"id", row.id}, {"url", row.url}, {"retries", row.retries}});
    start_job(std::move(job));
  }
  for (auto& entry : entries) {
    if (retries_in_flight() >= kMaxRetriesInFlight) break;
    if (!entries_retrying_.emplace(entry.feed_id, entry.entry_key).second) continue;
    ++stats_.retries;
    auto job = std::make_shared<Job>();
    job->entry_retry = true;
    job->feed_id = entry.feed_id;
    job->entry_key = std::move(entry.entry_key);
    job->url = std::move(entry.url);
    job->local = job->url.starts_with("file://");  // as for a row: fetched before, from a local feed
    job->entry.title = std::move(entry.title);
    job->entry.published = entry.published;
    log::debug("page retry", {{"feed", entry.feed_id}, {"url", job->url}, {"retries", entry.retries}});
    start_job(std::move(job));
  }
}

void Ingest::finish_retry(std::shared_ptr<Job> job, std::shared_ptr<ArticleRow> page, const std::string& why,
                          bool gone) {
  if (cancelled_) return abandon(job);
  auto settled = std::make_shared<RetrySettled>();
  const RetryParams params = options_.retry;
  std::function<void(Archive&)> settle;
  if (job->retry_of) {
    settle = [id = *job->retry_of, page, gone, params, window = options_.near_duplicate_window_s, settled](Archive& a) {
      const UnixSeconds now = now_s();
      *settled = settle_retry(a, id, page.get(), gone, params, now, now - window);
    };
  } else {
    settle = [feed = *job->feed_id, key = job->entry_key, verdict = page ? page->verdict : std::string(), gone, params,
              settled](Archive& a) { *settled = settle_entry_retry(a, feed, key, verdict, gone, params, now_s()); };
  }
  archive_.post(
      std::move(settle),
      [this, &loop = loop_, alive = std::weak_ptr<bool>(alive_), job, settled, why](std::exception_ptr error) {
        asio::post(loop, [this, alive, job, settled, why, error] {
          if (alive.expired()) return;
          if (error) {
            // The row (or entry) keeps its retry_at: it is due again at the next probe. A full
            // archive was reported once by the ArchiveWorker.
            if (!archive::is_storage_full(error))
              log::error("archive write failed", {{"url", job->url}, {"error", log::describe(error)}});
            return job_done(job);
          }
          const RetrySettled& s = *settled;
          if (metrics_) metrics_->retried(s.outcome);
          std::ostringstream outcome;
          outcome << s.outcome;
          if (s.outcome == RetryOutcome::upgraded) {
            ++stats_.retries_upgraded;
            log::info("page retried and archived as an article", {{"id", *job->retry_of}, {"url", job->url}});
          } else if (job->entry_retry && s.outcome == RetryOutcome::given_up) {
            entry_given_up(*job, s.verdict, s.retries, why);
          } else if (s.retry_at) {
            log::info("page is not an article", {{"url", job->url},
                                                 {"verdict", s.verdict},
                                                 {"retries", s.retries},
                                                 {"retry_in_s", *s.retry_at - now_s()},
                                                 {"reason", why}});
          } else {
            log::info("page retried", {{"url", job->url},
                                       {"verdict", s.verdict},
                                       {"retries", s.retries},
                                       {"outcome", outcome.str()},
                                       {"reason", why}});
          }
          job_done(job);
        });
      });
}

void Ingest::entry_given_up(const Job& job, const std::string& verdict, int retries, const std::string& reason) {
  ++stats_.failed;
  ++stats_.failure_reasons[reason.substr(0, reason.find(':'))];
  log::warning("entry not archived", {{"url", job.url},
                                      {"verdict", verdict},
                                      {"retries", retries},
                                      {"reason", reason},
                                      {"permanent", "yes"}});
}

}  // namespace winnow::ingest
