#pragma once
// Private to the Ingest pipeline (ingest.cc, poll.cc, article_job.cc, crawl.cc): the state
// one feed, one poll, one entry and one crawl carry through it, and the few helpers those
// files share. Not part of the contract; include ingest.h elsewhere.
//
// The structs belong to the loop thread. A job posted to the workers or the archive thread
// may hold a shared_ptr to one and read it while the loop waits for the answer; only the
// loop writes one.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <exception>
#include <vector>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "daemon/archive/archive.h"
#include "daemon/archive/archive_worker.h"
#include "daemon/fetch/fetcher.h"
#include "daemon/ingest/ingest.h"
#include "feeds/model.h"

namespace winnow::ingest {

// A feed claimed and being polled: its row as the claim read it, and its lease.
struct Ingest::FeedState {
  archive::FeedRow row;
  UnixSeconds lease_until = 0;  // as last claimed or renewed (this daemon's clock)
  bool lease_lost = false;      // a renewal found another owner: the poll's row is not saved
};

// This daemon's lease on a host (claims.cc), as last claimed or renewed; `until` 0 while
// asked for. Requests waiting for it wait in `waiters`.
struct Ingest::HostLease {
  UnixSeconds until = 0;
  bool asking = false;
  UnixSeconds waiting_since = 0;  // the first unanswered ask (host_wait_s)
  std::vector<std::function<void(bool)>> waiters;
  std::unique_ptr<boost::asio::steady_timer> retry;  // the next ask, while another daemon holds it
};

// One fetch of a feed (scheduled, or a crawl target), from the request until every new entry
// it found is archived or given up (poll.cc).
struct Ingest::Poll {
  std::int64_t feed_id = 0;  // 0 for a crawled feed
  std::string url;
  fetch::FetchResult meta;   // headers of the answer (no body)
  bool ok = false;
  bool keep_validators = false;  // an entry failed for now: re-fetch the feed in full next time
  bool admitted = false;         // holds one of max_polls_in_flight
  int new_entries = 0;
  std::size_t pending = 0;
  std::optional<std::int64_t> hint_s;
  std::string title, site_url;
  std::string error;
  std::string bozo;  // the feed was broken but usable: what was wrong (feeds::Feed::bozo_reason)
  std::shared_ptr<Crawl> crawl;
};

// One new entry (or a crawled page) on its way to the archive (article_job.cc).
struct Ingest::Job {
  bool local = false;  // from a file:// feed or input: may read file:// pages
  bool holds_page = false;  // owns one of max_pages_in_memory
  std::optional<std::int64_t> feed_id;
  std::string entry_key;
  std::string url;
  feeds::Entry entry;
  std::shared_ptr<Poll> poll;
  std::shared_ptr<Crawl> crawl;
  std::optional<fetch::FetchResult> page;  // already fetched (a crawled page)
  // The archived row whose page this fetches again (retry.cc); `entry` then holds its title
  // and date.
  std::optional<std::int64_t> retry_of;
  // An entry seen without an article whose page this fetches again (retry.cc): feed_id and
  // entry_key name it, `entry` holds its title and date. The page's article is stored as a
  // new entry's would be.
  bool entry_retry = false;
  bool is_retry() const { return retry_of || entry_retry; }
};

// One call of crawl() (crawl.cc).
struct Ingest::Crawl {
  bool print = false;
  std::function<void(const CrawledArticle&)> sink;
  std::function<void()> done;
  std::size_t pending = 0;  // targets and jobs not finished
};

namespace detail {

// Runs `job` on the archive thread and, once its batch is committed, `answer` on `loop` with
// what it returned (nullopt when it or the commit failed), unless `alive` expired. `loop`
// must outlive the worker's jobs (it outlives both the Ingest and the worker).
template <typename T>
void ask_archive(archive::ArchiveWorker& worker, boost::asio::io_context& loop, std::weak_ptr<bool> alive,
                 std::function<T(archive::Archive&)> job, std::function<void(std::optional<T>)> answer) {
  auto result = std::make_shared<std::optional<T>>();
  worker.post([result, job = std::move(job)](archive::Archive& a) { *result = job(a); },
              [&loop, alive = std::move(alive), result, answer = std::move(answer)](std::exception_ptr error) mutable {
                if (error) result->reset();
                boost::asio::post(loop, [alive = std::move(alive), result, answer = std::move(answer)]() mutable {
                  if (!alive.expired()) answer(std::move(*result));
                });
              });
}

// An owner id for the archive's leases, new at every call: hostname:pid:random. Any thread.
std::string make_owner_id();

// The wall clock, in whole seconds. Any thread.
UnixSeconds now_s();

// Uniform in [0, 1), from a generator of the calling thread's own. Any thread.
double jitter();

// Why an answer is not a usable one: the transfer's error, or "HTTP <status>" outside 2xx.
// Empty for a 2xx answer. Any thread.
std::string fetch_failure(const fetch::FetchResult& r);

// Logs the network policy's refusal at warning level, with what would allow it, when `r`
// is one (FetchErrc::blocked_address); true then. Loop thread.
bool log_if_blocked(const fetch::FetchResult& r);

}  // namespace detail
}  // namespace winnow::ingest
