#include "daemon/ingest/ingest.h"

#include <boost/algorithm/string/join.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cassert>
#include <filesystem>
#include <random>
#include <unordered_set>

#include "daemon/ingest/article_row.h"
#include "daemon/ingest/dedupe.h"
#include "daemon/log.h"
#include "feeds/formats/parse.h"
#include "parsers/dates/dates.h"
#include "parsers/extract/extract.h"
#include "parsers/url/normalize.h"

namespace winnow::ingest {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using archive::Archive;
using archive::ArticleRow;

UnixSeconds now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double jitter() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// A local path given to `winnow crawl` becomes a file:// URL.
std::string as_url(const std::string& input) {
  if (input.find("://") != std::string::npos) return input;
  std::error_code ec;
  auto absolute = std::filesystem::absolute(input, ec);
  return "file://" + (ec ? input : absolute.string());
}

bool is_permanent_status(long status) { return status == 404 || status == 410 || status == 451; }

// Why an answer is not a usable one: the transfer's error, or "HTTP <status>" outside 2xx.
// Empty for a 2xx answer.
std::string fetch_failure(const fetch::FetchResult& r) {
  if (r.error != fetch::FetchErrc::ok) return std::string(fetch::to_string(r.error));
  if (r.status < 200 || r.status >= 300) return "HTTP " + std::to_string(r.status);
  return {};
}

// Fills an ArticleRow from an extracted article. Runs on a worker thread.
ArticleRow to_row(const parsers::Article& a, const std::string& url, const fetch::FetchResult* page) {
  ArticleRow row;
  set_extracted_fields(row, a);
  row.url = url;
  row.normalized_url = parsers::normalize_url(url);
  row.fetched_at = now_s();
  if (page) {
    row.http_status = int(page->status);
    row.content_type = page->content_type;
    // Packed here, on a worker, rather than by the single archive thread.
    row.raw_packed = archive::pack_page(page->body);
  }
  return row;
}

}  // namespace

IngestOptions options_from(const Config& c) {
  IngestOptions o;
  o.schedule = {c.min_interval_s, c.max_interval_s, c.default_interval_s, c.max_backoff_s};
  o.politeness.concurrency = c.per_host_concurrency;
  o.politeness.min_delay_s = c.min_delay_s;
  o.politeness.max_block_s = c.max_backoff_s;
  o.fetch.user_agent = c.full_user_agent();
  o.fetch.connect_timeout_ms = c.connect_timeout_s * 1000;
  o.fetch.total_timeout_ms = c.total_timeout_s * 1000;
  o.fetch.max_body_bytes = c.max_body_bytes;
  o.fetch.max_redirects = c.max_redirects;
  o.fetch.max_connections = c.max_connections;
  o.fetch.ca_file = c.ca_file;
  o.obey_robots = c.obey_robots;
  o.workers = c.workers;
  return o;
}

struct Ingest::FeedState {
  archive::FeedRow row;
  std::uint32_t generation = 0;
  bool polling = false;
  bool dropped = false;  // no longer configured: not rescheduled
};

struct Ingest::Crawl {
  bool print = false;
  std::function<void(const CrawledArticle&)> sink;
  std::function<void()> done;
  std::size_t pending = 0;  // targets and jobs not finished
};

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
  std::shared_ptr<Crawl> crawl;
};

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
};

Ingest::Ingest(asio::io_context& loop, archive::ArchiveWorker& archive, IngestOptions options)
    : loop_(loop),
      archive_(archive),
      options_(std::move(options)),
      fetcher_(loop, options_.fetch),
      hosts_(loop, options_.politeness),
      robots_(
          hosts_,
          [this](const std::string& url, fetch::FetchRequest request, std::function<void(fetch::FetchResult)> done) {
            fetch_limited(url, std::move(request), std::move(done));
          },
          options_.obey_robots, options_.robots_agent),
      workers_(options_.workers ? options_.workers : std::max(1u, std::thread::hardware_concurrency())),
      timer_(loop) {}

Ingest::~Ingest() {
  *alive_ = false;
  timer_.cancel();
  hosts_.cancel_waiting();
  page_waiters_.clear();
  fetcher_.cancel_all();
  workers_.join();
}

std::size_t Ingest::in_flight() const { return jobs_in_flight_ + polls_in_flight_ + crawls_in_flight_; }

void Ingest::fetch_limited(const std::string& url, fetch::FetchRequest request,
                           std::function<void(fetch::FetchResult)> done) {
  std::string host = budget_key(url);
  if (host == "file") {
    fetcher_.fetch(std::move(request), std::move(done));
    return;
  }
  hosts_.acquire(host, [this, alive = std::weak_ptr<bool>(alive_), host, request = std::move(request),
                        done = std::move(done)]() mutable {
    if (alive.expired()) return;
    if (cancelled_) {  // started by the host's budget just before drain() cancelled the rest
      hosts_.release(host, 0, std::nullopt);
      fetch::FetchResult r;
      r.error = fetch::FetchErrc::cancelled;
      r.url = request.url;
      return done(std::move(r));
    }
    fetcher_.fetch(std::move(request), [this, host, done = std::move(done)](fetch::FetchResult r) {
      hosts_.release(host, r.error == fetch::FetchErrc::ok ? r.status : 0, r.retry_after_s);
      done(std::move(r));
    });
  });
}

// ---- scheduling -------------------------------------------------------------------------

// Archive jobs may outlive the Ingest (it does not wait for them): they reach the loop
// through `loop`, which outlives both, and touch `this` only once `alive` says it exists.
void Ingest::start() {
  archive_.post([this, &loop = loop_, alive = std::weak_ptr<bool>(alive_)](Archive& a) {
    auto rows = std::make_shared<std::vector<archive::FeedRow>>(a.feeds());
    asio::post(loop, [this, alive, rows] {
      if (alive.expired()) return;
      UnixSeconds now = now_s();
      std::unordered_set<std::int64_t> present;
      for (const auto& row : *rows)
        if (row.enabled) present.insert(row.id);
      for (auto& [id, feed] : feeds_) {
        if (present.contains(id)) continue;
        feed->dropped = true;  // removed or disabled meanwhile: its queued slot goes stale
        ++feed->generation;
      }
      std::erase_if(feeds_, [](const auto& item) { return item.second->dropped && !item.second->polling; });
      for (auto& row : *rows) {
        if (!row.enabled || feeds_.contains(row.id)) continue;
        track(std::move(row), FirstPoll::spread_if_overdue, now);
      }
      log::info("feeds loaded", {{"feeds", feeds_.size()}});
      arm_timer();
    });
  });
}

void Ingest::subscribe(std::vector<Subscription> subscriptions) {
  archive_.post([this, &loop = loop_, alive = std::weak_ptr<bool>(alive_),
                 subscriptions = std::move(subscriptions)](Archive& a) {
    auto rows = std::make_shared<std::vector<archive::FeedRow>>();
    for (const auto& s : subscriptions) {
      std::int64_t id = a.add_feed(s.url, s.title, s.category);
      if (auto row = a.feed(id)) {
        if (!row->enabled) {
          row->enabled = true;
          a.update_feed(*row);
        }
        rows->push_back(*row);
      }
    }
    asio::post(loop, [this, alive, rows] {
      if (alive.expired()) return;
      UnixSeconds now = now_s();
      for (auto& row : *rows) {
        auto it = feeds_.find(row.id);
        if (it != feeds_.end()) {
          it->second->dropped = false;
          continue;
        }
        const FeedState& feed = track(std::move(row), FirstPoll::when_due, now);
        log::info("feed added", {{"feed", feed.row.id}, {"url", feed.row.url}});
      }
      arm_timer();
    });
  });
}

Ingest::FeedState& Ingest::track(archive::FeedRow row, FirstPoll first, UnixSeconds now) {
  auto state = std::make_unique<FeedState>();
  if (row.interval_s <= 0) row.interval_s = options_.schedule.default_interval_s;
  UnixSeconds at = row.next_poll;
  if (first == FirstPoll::when_due) {
    at = row.last_polled == 0 ? now : std::max(now, row.next_poll);
  } else if (at <= now) {
    // Never polled, or overdue after downtime: spread over the first interval.
    at = now + std::int64_t(jitter() * double(std::min(row.interval_s, std::int64_t(600))));
  }
  state->row = std::move(row);
  queue_.schedule(state->row.id, at, state->generation);
  auto [it, inserted] = feeds_.emplace(state->row.id, std::move(state));
  assert(inserted);  // callers track only feeds not tracked yet
  return *it->second;
}

void Ingest::arm_timer() {
  auto next = queue_.next_time();
  if (!next || draining_) return;
  auto delay = std::chrono::seconds(std::max<std::int64_t>(0, *next - now_s()));
  timer_.expires_after(delay);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) on_timer();
  });
}

void Ingest::on_timer() {
  if (draining_) return;
  // Polls are admitted in slices, so a queue of 100,000 due feeds does not become 100,000
  // closures at once; host budgets pace them further.
  constexpr std::size_t kSlice = 512;
  const std::size_t max_polls = std::max<std::size_t>(1, options_.max_polls_in_flight);
  std::size_t room = polls_admitted_ < max_polls && jobs_in_flight_ < options_.max_queued_entries
                         ? max_polls - polls_admitted_
                         : 0;
  for (const auto& slot : queue_.pop_due(now_s(), std::min(kSlice, room))) {
    auto it = feeds_.find(slot.feed_id);
    if (it == feeds_.end()) continue;
    FeedState& feed = *it->second;
    if (slot.generation != feed.generation || feed.dropped || feed.polling) continue;
    poll(feed);
  }
  if (room == 0 || queue_.next_time().value_or(INT64_MAX) <= now_s()) {
    // More is due: come back shortly rather than spin.
    timer_.expires_after(std::chrono::milliseconds(200));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) on_timer();
    });
    return;
  }
  arm_timer();
}

void Ingest::reconfigure(IngestOptions options) {
  std::vector<std::string> kept;
  const fetch::FetcherOptions &now = options_.fetch, &asked = options.fetch;
  if (now.user_agent != asked.user_agent || now.connect_timeout_ms != asked.connect_timeout_ms ||
      now.total_timeout_ms != asked.total_timeout_ms || now.low_speed_bytes != asked.low_speed_bytes ||
      now.low_speed_time_s != asked.low_speed_time_s || now.max_body_bytes != asked.max_body_bytes ||
      now.max_redirects != asked.max_redirects || now.max_connections != asked.max_connections ||
      now.ca_file != asked.ca_file)
    kept.push_back("fetch");
  if (options.workers != options_.workers) kept.push_back("workers");
  if (!kept.empty()) log::warning("settings keep their values until a restart", {{"settings", boost::algorithm::join(kept, ", ")}});
  options.fetch = options_.fetch;
  options.workers = options_.workers;
  options_ = std::move(options);
  hosts_.set_params(options_.politeness);
  robots_.configure(options_.obey_robots, options_.robots_agent);
}

// ---- polling ----------------------------------------------------------------------------

void Ingest::poll(FeedState& feed) {
  feed.polling = true;
  ++polls_in_flight_;
  ++stats_.polls;
  auto p = std::make_shared<Poll>();
  p->admitted = true;
  ++polls_admitted_;
  p->feed_id = feed.row.id;
  p->url = feed.row.url;
  fetch::FetchRequest request;
  request.url = feed.row.url;
  request.etag = feed.row.etag;
  request.last_modified = feed.row.last_modified;
  request.accept = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8";
  log::debug("poll", {{"feed", feed.row.id}, {"url", feed.row.url}});
  fetch_limited(feed.row.url, std::move(request), [this, p](fetch::FetchResult r) { on_feed_fetched(p, std::move(r)); });
}

void Ingest::on_feed_fetched(std::shared_ptr<Poll> p, fetch::FetchResult r) {
  // The poll keeps the answer's headers until its entries are done; the body goes to the
  // parser and is freed with it.
  auto body = std::make_shared<std::string>(std::move(r.body));
  p->meta = std::move(r);
  const fetch::FetchResult& meta = p->meta;
  if (meta.error == fetch::FetchErrc::ok && meta.status == 304) {
    ++stats_.not_modified;
    p->ok = true;
    return finish_poll(p);
  }
  if (std::string why = fetch_failure(meta); !why.empty()) {
    // The feed's last_error keeps curl's detail too.
    if (!meta.error_message.empty() && meta.error != fetch::FetchErrc::ok) why += ": " + meta.error_message;
    p->error = std::move(why);
    return finish_poll(p);
  }
  parse_feed(p->url, meta, body, [this, p](std::shared_ptr<feeds::Feed> feed, const std::string& error) {
    if (!feed) {
      p->error = "not a feed: " + error;
      return finish_poll(p);
    }
    on_feed_parsed(p, feed);
  });
}

void Ingest::parse_feed(const std::string& url, const fetch::FetchResult& answer, std::shared_ptr<const std::string> body,
                        FeedParsed done) {
  feeds::ParseOptions options;
  options.base_url = answer.final_url.empty() ? url : answer.final_url;
  options.content_type = answer.content_type;
  asio::post(workers_, [this, alive = std::weak_ptr<bool>(alive_), options = std::move(options), body = std::move(body),
                        done = std::move(done)]() mutable {
    auto parsed = feeds::parse_feed(*body, options);
    std::shared_ptr<feeds::Feed> feed;
    std::string error;
    if (parsed) feed = std::make_shared<feeds::Feed>(std::move(*parsed));
    else error = parsed.error().message();
    asio::post(loop_, [alive, feed = std::move(feed), error = std::move(error), done = std::move(done)] {
      if (!alive.expired()) done(feed, error);
    });
  });
}

void Ingest::on_feed_parsed(std::shared_ptr<Poll> p, std::shared_ptr<feeds::Feed> feed) {
  p->ok = true;
  p->hint_s = feeds::refresh_hint_s(*feed);
  p->title = feed->title;
  p->site_url = feed->link;
  if (feed->bozo) log::debug("feed is broken but usable", {{"url", p->url}, {"reason", feed->bozo_reason}});
  // Which entries are new: one trip to the archive for the whole feed.
  std::optional<std::int64_t> feed_id = p->feed_id ? std::optional<std::int64_t>(p->feed_id) : std::nullopt;
  archive_.post([this, &loop = loop_, alive = std::weak_ptr<bool>(alive_), p, feed, feed_id](Archive& a) {
    std::vector<std::shared_ptr<Job>> jobs;
    std::size_t known = 0;
    std::unordered_set<std::string> in_this_feed;
    for (auto& entry : feed->entries) {
      std::string key = entry.id.empty() ? parsers::normalize_url(entry.link) : entry.id;
      if (key.empty() || !in_this_feed.insert(key).second) continue;
      if (feed_id && a.has_entry(*feed_id, key)) {
        ++known;
        continue;
      }
      std::string normalized = parsers::normalize_url(entry.link);
      if (!normalized.empty()) {
        if (auto existing = a.article_by_url(normalized)) {
          // The same article reached us through another feed (or an earlier crawl).
          if (feed_id) a.record_entry(*feed_id, key, *existing);
          ++known;
          continue;
        }
      }
      auto job = std::make_shared<Job>();
      job->feed_id = feed_id;
      job->entry_key = key;
      job->url = entry.link;
      job->entry = std::move(entry);
      job->poll = p;
      job->crawl = p->crawl;
      job->local = p->url.starts_with("file://");
      jobs.push_back(std::move(job));
    }
    asio::post(loop, [this, alive, p, jobs = std::move(jobs), known]() mutable {
      if (alive.expired()) return;
      stats_.entries_known += known;
      on_new_entries(p, std::move(jobs));
    });
  });
}

void Ingest::on_new_entries(std::shared_ptr<Poll> p, std::vector<std::shared_ptr<Job>> jobs) {
  p->new_entries = int(jobs.size());
  stats_.entries_new += jobs.size();
  p->pending = jobs.size();
  if (jobs.empty()) return finish_poll(p);
  release_admission(*p);  // the body is parsed; the entries now count as queued
  for (auto& job : jobs) start_job(std::move(job));
}

void Ingest::release_admission(Poll& p) {
  if (!p.admitted) return;
  p.admitted = false;
  --polls_admitted_;
}

void Ingest::finish_poll(std::shared_ptr<Poll> p) {
  --polls_in_flight_;
  release_admission(*p);
  if (p->crawl) {
    if (!p->ok) {
      ++stats_.failed;
      ++stats_.failure_reasons[p->error];
      log::warning("crawl failed", {{"url", p->url}, {"error", p->error}});
    }
    if (--p->crawl->pending == 0 && p->crawl->done) p->crawl->done();
    --crawls_in_flight_;
    return maybe_drained();
  }
  auto it = feeds_.find(p->feed_id);
  if (it == feeds_.end()) return maybe_drained();
  FeedState& feed = *it->second;
  feed.polling = false;
  // Cut short by drain(): nothing of this poll is saved, as if it had not started.
  if (cancelled_) return maybe_drained();
  archive::FeedRow& row = feed.row;
  UnixSeconds now = now_s();
  row.last_polled = now;
  PollOutcome outcome;
  outcome.ok = p->ok;
  outcome.new_entries = p->new_entries;
  outcome.hint_s = p->hint_s;
  outcome.max_age_s = p->meta.max_age_s;
  outcome.retry_after_s = p->meta.retry_after_s;
  if (p->ok) {
    row.consecutive_failures = 0;
    row.last_error.clear();
    if (p->new_entries > 0) row.last_new_entry = now;
    if (!p->title.empty()) row.title = p->title;
    if (!p->site_url.empty()) row.site_url = p->site_url;
    if (p->meta.status != 304) {
      // Validators are saved only now that every new entry is archived; if one failed for
      // now, they are cleared so that the next poll sees the entries again.
      row.etag = p->keep_validators ? std::string() : p->meta.etag;
      row.last_modified = p->keep_validators ? std::string() : p->meta.last_modified;
    }
    if (p->meta.permanent_redirect && !p->meta.final_url.empty() && p->meta.final_url != row.url) {
      log::info("feed moved", {{"feed", row.id}, {"from", row.url}, {"to", p->meta.final_url}});
      row.url = p->meta.final_url;
    }
  } else {
    ++stats_.polls_failed;
    row.consecutive_failures += 1;
    row.last_error = p->error;
    log::warning("poll failed", {{"feed", row.id},
                                 {"url", row.url},
                                 {"error", p->error},
                                 {"failures", row.consecutive_failures}});
  }
  outcome.consecutive_failures = row.consecutive_failures;
  row.interval_s = p->ok ? next_interval_s(options_.schedule, row.interval_s, outcome, jitter()) : row.interval_s;
  std::int64_t wait = p->ok ? row.interval_s : next_interval_s(options_.schedule, row.interval_s, outcome, jitter());
  // `now` is the current second rounded down and the poll timer fires at whole seconds, so
  // one second more keeps the real gap at least `wait` (a Retry-After is a floor).
  row.next_poll = now + wait + 1;
  if (!feed.dropped && !draining_) {
    ++feed.generation;
    queue_.schedule(row.id, row.next_poll, feed.generation);
    arm_timer();
  }
  archive_.post([row](Archive& a) {
    // A permanent redirect onto a URL another subscription already has: keep the old URL.
    auto other = a.feed_by_url(row.url);
    if (other && other->id != row.id) {
      archive::FeedRow kept = row;
      if (auto mine = a.feed(row.id)) kept.url = mine->url;
      a.update_feed(kept);
      return;
    }
    a.update_feed(row);
  });
  maybe_drained();
}

// ---- articles ---------------------------------------------------------------------------

void Ingest::start_job(std::shared_ptr<Job> job) {
  ++jobs_in_flight_;
  if (job->page) {  // a page crawled directly: extract what was fetched
    auto page = std::move(*job->page);
    job->page.reset();
    return on_page(job, std::move(page));
  }
  if (job->url.empty() || (job->url.find("://") == std::string::npos)) {
    return use_feed_content(job, "entry has no link");
  }
  // A remote feed may only send us to the web: a file:// (or ftp:, data:, ...) link in it
  // must not read this machine's files into the archive.
  if (!job->url.starts_with("http://") && !job->url.starts_with("https://") &&
      !(job->local && job->url.starts_with("file://"))) {
    return use_feed_content(job, "link scheme not allowed");
  }
  robots_.check(job->url, [this, job](bool allowed, bool for_now) {
    if (!allowed) {
      ++stats_.robots_denied;
      // Refused only while robots.txt is unreachable: without feed content the entry waits.
      return use_feed_content(job, for_now ? "robots.txt unreachable" : "robots.txt disallows", !for_now);
    }
    fetch_page(job);
  });
}

void Ingest::fetch_page(std::shared_ptr<Job> job) {
  fetch::FetchRequest request;
  request.url = job->url;
  request.accept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8";
  std::string host = budget_key(job->url);
  // The host's turn first, then a page slot: a slow host's queue never holds slots while
  // it waits out its delay.
  auto start = [this, job, host, request = std::move(request)]() mutable {
    hold_page_slot([this, job, host, request = std::move(request)]() mutable {
      job->holds_page = true;
      fetcher_.fetch(std::move(request), [this, job, host](fetch::FetchResult r) {
        if (host != "file") hosts_.release(host, r.error == fetch::FetchErrc::ok ? r.status : 0, r.retry_after_s);
        on_page(job, std::move(r));
      });
    });
  };
  if (host == "file") start();
  else hosts_.acquire(host, std::move(start));
}

void Ingest::hold_page_slot(std::function<void()> go) {
  if (pages_held_ < std::max<std::size_t>(1, options_.max_pages_in_memory)) {
    ++pages_held_;
    go();
  } else {
    page_waiters_.push_back(std::move(go));
  }
}

void Ingest::release_page_slot() {
  if (!page_waiters_.empty()) {
    // The slot passes straight to the next fetch.
    asio::post(loop_, std::move(page_waiters_.front()));
    page_waiters_.pop_front();
  } else if (pages_held_ > 0) {
    --pages_held_;
  }
}

void Ingest::on_page(std::shared_ptr<Job> job, fetch::FetchResult r) {
  if (cancelled_ || r.error == fetch::FetchErrc::cancelled) return abandon(job);
  if (std::string why = fetch_failure(r); !why.empty()) {
    ++stats_.pages_failed;
    log::debug("page fetch failed", {{"url", job->url}, {"error", why}});
    bool permanent = r.error == fetch::FetchErrc::ok && is_permanent_status(r.status);
    if (!job->entry.content.empty() || !job->entry.summary.empty()) return use_feed_content(job, why, permanent);
    return give_up(job, why, permanent);
  }
  ++stats_.pages_fetched;
  auto page = std::make_shared<fetch::FetchResult>(std::move(r));
  asio::post(workers_, [this, alive = std::weak_ptr<bool>(alive_), job, page] {
    parsers::ExtractOptions options;
    options.url = page->final_url.empty() ? job->url : page->final_url;
    options.content_type = page->content_type;
    parsers::Article article = parsers::extract(page->body, options);
    auto row = std::make_shared<ArticleRow>(to_row(article, options.url, page.get()));
    bool empty = article.blocks.empty();
    asio::post(loop_, [this, alive, job, row, empty] {
      if (alive.expired()) return;
      if (empty) return use_feed_content(job, "page has no article text");
      store(job, std::move(*row));
    });
  });
}

void Ingest::use_feed_content(std::shared_ptr<Job> job, const std::string& why, bool permanent) {
  if (cancelled_) return abandon(job);
  const std::string& html = !job->entry.content.empty() ? job->entry.content : job->entry.summary;
  if (html.empty()) return give_up(job, why, permanent);
  ++stats_.feed_fallbacks;
  auto content = std::make_shared<std::string>("<html><body><article>" + html + "</article></body></html>");
  asio::post(workers_, [this, alive = std::weak_ptr<bool>(alive_), job, content, why, permanent] {
    parsers::ExtractOptions options;
    options.url = job->url;
    parsers::Article article = parsers::extract(*content, options);
    if (article.metadata.title.empty() || article.metadata.title == job->entry.title) article.metadata.title = job->entry.title;
    auto row = std::make_shared<ArticleRow>(to_row(article, job->url, nullptr));
    row->source = "feed";
    row->raw = *content;
    row->content_type = "text/html; charset=utf-8";
    if (!row->published && job->entry.published) row->published = job->entry.published;
    if (row->authors.empty()) row->authors = job->entry.author;
    bool empty = article.blocks.empty();
    asio::post(loop_, [this, alive, job, row, empty, why, permanent] {
      if (alive.expired()) return;
      if (empty) return give_up(job, why + "; feed content is empty", permanent);
      store(job, std::move(*row));
    });
  });
}

void Ingest::store(std::shared_ptr<Job> job, ArticleRow row) {
  if (cancelled_) return abandon(job);
  // Entry metadata fills what the page did not say.
  if (row.title.empty()) row.title = job->entry.title;
  if (!row.published && job->entry.published) row.published = job->entry.published;
  row.feed_id = job->feed_id;
  row.entry_key = job->entry_key.empty() ? row.normalized_url : job->entry_key;
  if (row.url.empty()) row.url = job->url;
  if (job->crawl && job->crawl->print) {
    if (job->crawl->sink) job->crawl->sink(CrawledArticle{std::move(row), false});
    ++stats_.archived;
    return job_done(job);
  }
  auto shared_row = std::make_shared<ArticleRow>(std::move(row));
  auto outcome = std::make_shared<StoreOutcome>(StoreOutcome::stored);
  std::int64_t window = options_.near_duplicate_window_s;
  archive_.post(
      [shared_row, outcome, window](Archive& a) { *outcome = dedupe_and_store(a, *shared_row, now_s() - window); },
      [this, &loop = loop_, alive = std::weak_ptr<bool>(alive_), job, shared_row, outcome](std::exception_ptr error) {
        asio::post(loop, [this, alive, job, shared_row, outcome, error] {
          if (alive.expired()) return;
          if (error) {
            std::string what = "archive error";
            try {
              std::rethrow_exception(error);
            } catch (const std::exception& e) {
              what = e.what();
            }
            log::error("archive write failed", {{"url", job->url}, {"error", what}});
            return give_up(job, "archive: " + what, false);
          }
          if (*outcome == StoreOutcome::url_duplicate) ++stats_.url_duplicates;
          else ++stats_.archived;
          if (*outcome == StoreOutcome::near_duplicate) ++stats_.near_duplicates;
          log::debug("archived", {{"id", shared_row->id}, {"url", job->url}, {"source", shared_row->source}});
          if (job->crawl && job->crawl->sink) job->crawl->sink(CrawledArticle{*shared_row, *outcome != StoreOutcome::stored});
          job_done(job);
        });
      });
}

void Ingest::give_up(std::shared_ptr<Job> job, const std::string& reason, bool permanent) {
  if (cancelled_) return abandon(job);
  ++stats_.failed;
  ++stats_.failure_reasons[reason.substr(0, reason.find(':'))];
  log::warning("entry not archived", {{"url", job->url}, {"reason", reason}, {"permanent", permanent ? "yes" : "no"}});
  if (permanent && job->feed_id) {
    // Gone for good: remember the entry so it is not fetched at every poll.
    archive_.post([feed_id = *job->feed_id, key = job->entry_key](Archive& a) { a.record_entry(feed_id, key, std::nullopt); });
  } else if (job->poll) {
    job->poll->keep_validators = true;  // try again at the next poll
  }
  job_done(job);
}

void Ingest::abandon(std::shared_ptr<Job> job) {
  if (job->poll) job->poll->keep_validators = true;
  job_done(job);
}

void Ingest::job_done(const std::shared_ptr<Job>& job) {
  --jobs_in_flight_;
  if (job->holds_page) {
    job->holds_page = false;
    release_page_slot();
  }
  if (job->poll && --job->poll->pending == 0) finish_poll(job->poll);
  else if (!job->poll && job->crawl) {
    if (--job->crawl->pending == 0 && job->crawl->done) job->crawl->done();
    --crawls_in_flight_;
  }
  maybe_drained();
}

// ---- crawl ------------------------------------------------------------------------------

void Ingest::crawl(std::vector<std::string> urls, bool print, std::function<void(const CrawledArticle&)> sink,
                   std::function<void()> done) {
  auto c = std::make_shared<Crawl>();
  c->print = print;
  c->sink = std::move(sink);
  c->done = std::move(done);
  c->pending = urls.size();
  if (urls.empty()) {
    if (c->done) asio::post(loop_, c->done);
    return;
  }
  for (auto& url : urls) crawl_one(c, as_url(url));
}

void Ingest::crawl_one(std::shared_ptr<Crawl> c, std::string url) {
  ++crawls_in_flight_;
  auto fetch_it = [this, c, url] {
    fetch::FetchRequest request;
    request.url = url;
    fetch_limited(url, std::move(request), [this, c, url](fetch::FetchResult r) {
      auto p = std::make_shared<Poll>();
      p->url = url;
      p->crawl = c;
      ++polls_in_flight_;
      p->error = fetch_failure(r);
      if (!p->error.empty()) return finish_poll(p);
      // A feed, or a page? Parse as a feed on a worker; anything that is not one is a page.
      auto page = std::make_shared<fetch::FetchResult>(std::move(r));
      auto body = std::shared_ptr<const std::string>(page, &page->body);
      parse_feed(p->url, *page, std::move(body), [this, c, p, page](std::shared_ptr<feeds::Feed> feed, const std::string&) {
        if (feed) return on_feed_parsed(p, feed);
        // A page: it becomes one job that counts for this crawl target.
        --polls_in_flight_;
        auto job = std::make_shared<Job>();
        job->url = page->final_url.empty() ? p->url : page->final_url;
        job->crawl = c;
        job->local = p->url.starts_with("file://");
        job->page = std::move(*page);
        start_job(job);
      });
    });
  };
  if (url.starts_with("file://")) return fetch_it();
  robots_.check(url, [this, c, url, fetch_it](bool allowed, bool) {
    if (allowed) return fetch_it();
    ++stats_.robots_denied;
    ++stats_.failed;
    ++stats_.failure_reasons["robots.txt disallows"];
    log::warning("crawl refused by robots.txt", {{"url", url}});
    --crawls_in_flight_;
    if (--c->pending == 0 && c->done) c->done();
    maybe_drained();
  });
}

// ---- shutdown ---------------------------------------------------------------------------

void Ingest::drain(std::chrono::milliseconds grace, std::function<void()> drained) {
  draining_ = true;
  drained_ = std::move(drained);
  timer_.cancel();
  log::info("draining", {{"in_flight", in_flight()}, {"waiting", hosts_.waiting()}});
  grace_timer_ = std::make_unique<asio::steady_timer>(loop_, grace);
  grace_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec || !drained_) return;
    log::warning("drain timed out; cancelling", {{"in_flight", in_flight()}});
    cancelled_ = true;
    hosts_.cancel_waiting();
    page_waiters_.clear();
    fetcher_.cancel_all();
    // Whatever was cancelled is not archived (nor its feed's poll saved), so it is fetched
    // again after the restart; callbacks still arriving find cancelled_ and write nothing.
    auto done = std::move(drained_);
    drained_ = nullptr;
    done();
  });
  maybe_drained();
}

void Ingest::maybe_drained() {
  if (!draining_ || !drained_ || in_flight() != 0) return;
  if (grace_timer_) grace_timer_->cancel();
  auto done = std::move(drained_);
  drained_ = nullptr;
  asio::post(loop_, std::move(done));
}

}  // namespace winnow::ingest
