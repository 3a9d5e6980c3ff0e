// The poll of one feed: fetch it through the host's budget, parse it, pick the new entries,
// hand each to start_job(), and save the feed's poll state once all of them are done. Loop
// thread; the parse runs on a worker and the new-entry check on the archive thread, each
// posting its answer back to the loop.
#include "daemon/ingest/ingest.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <functional>
#include <unordered_set>

#include "daemon/ingest/ingest_impl.h"
#include "daemon/ingest/ingest_metrics.h"
#include "daemon/log.h"
#include "feeds/formats/parse.h"
#include "parsers/url/normalize.h"

namespace winnow::ingest {

namespace asio = boost::asio;
using archive::Archive;
using detail::ask_archive;
using detail::fetch_failure;
using detail::jitter;
using detail::now_s;

namespace {

// Keeps the newest `max` entries of `entries` (0: all): by date (published, else updated)
// when every entry has one, else the first `max` in the feed's order, which feeds write
// newest first. Returns how many were dropped. Archive thread.
std::size_t keep_newest(std::vector<feeds::Entry>& entries, std::size_t max) {
  if (max == 0 || entries.size() <= max) return 0;
  const auto date = [](const feeds::Entry& e) { return e.published ? e.published : e.updated; };
  if (std::ranges::all_of(entries, [&](const feeds::Entry& e) { return date(e).has_value(); }))
    std::ranges::stable_sort(entries, std::greater<>(), [&](const feeds::Entry& e) { return *date(e); });
  const std::size_t dropped = entries.size() - max;
  entries.erase(entries.begin() + std::ptrdiff_t(max), entries.end());
  return dropped;
}

}  // namespace

void Ingest::poll(FeedState& feed) {
  ++polls_in_flight_;
  ++stats_.polls;
  note_depths();
  auto p = std::make_shared<Poll>();
  p->admitted = true;
  ++polls_admitted_;
  p->feed_id = feed.row.id;
  p->url = feed.row.url;
  fetch::FetchRequest request;
  request.url = feed.row.url;
  request.etag = feed.row.etag;
  request.last_modified = feed.row.last_modified;
  request.origin = fetch::Origin::operator_given;  // every subscription is the operator's
  request.accept = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8";
  log::debug("poll", {{"feed", feed.row.id}, {"url", feed.row.url}});
  fetch_limited(feed.row.url, std::move(request), [this, p](fetch::FetchResult r) { on_feed_fetched(p, std::move(r)); });
}

void Ingest::on_feed_fetched(std::shared_ptr<Poll> p, fetch::FetchResult r) {
  if (metrics_) metrics_->fetched(FetchKind::feed, r);
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
    detail::log_if_blocked(meta);
    // The feed's last_error keeps curl's detail too.
    if (!meta.error_message.empty() && meta.error != fetch::FetchErrc::ok) why += ": " + meta.error_message;
    p->error = std::move(why);
    return finish_poll(p);
  }
  parse_on_worker(p->url, meta, body, [this, p](std::shared_ptr<feeds::Feed> feed, const std::string& error) {
    if (!feed) {
      p->error = "not a feed: " + error;
      return finish_poll(p);
    }
    on_feed_parsed(p, feed);
  });
}

void Ingest::parse_on_worker(const std::string& url, const fetch::FetchResult& answer,
                             std::shared_ptr<const std::string> body, FeedParsed done) {
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
  if (feed->bozo) {
    p->bozo = feed->bozo_reason;
    // A subscribed feed's note is kept with its state and warned about in finish_poll.
    if (p->crawl) log::warning("feed is broken but usable", {{"url", p->url}, {"reason", p->bozo}});
  }
  // Which entries are new: one trip to the archive for the whole feed. The job only reads
  // the feed (its batch may run again after a deadlock, archive_worker.h); the entries are
  // moved into jobs on the loop, once the answer is committed.
  std::optional<std::int64_t> feed_id = p->feed_id ? std::optional<std::int64_t>(p->feed_id) : std::nullopt;
  struct NewEntries {
    std::vector<std::pair<std::size_t, std::string>> fresh;  // index in feed->entries, entry key
    std::size_t known = 0;
  };
  // Truncated once, on the first run: a run again finds it done and must still say how much.
  auto cut = std::make_shared<std::size_t>(0);
  ask_archive<NewEntries>(
      archive_, loop_, alive_,
      [feed, feed_id, cut, max_entries = options_.max_entries_per_poll](Archive& a) {
        *cut += keep_newest(feed->entries, max_entries);
        NewEntries out;
        std::unordered_set<std::string> in_this_feed;
        for (std::size_t i = 0; i < feed->entries.size(); ++i) {
          const auto& entry = feed->entries[i];
          std::string key = entry.id.empty() ? parsers::normalize_url(entry.link) : entry.id;
          if (key.empty() || !in_this_feed.insert(key).second) continue;
          if (feed_id && a.has_entry(*feed_id, key)) {
            ++out.known;
            continue;
          }
          std::string normalized = parsers::normalize_url(entry.link);
          if (!normalized.empty()) {
            if (auto existing = a.article_by_url(normalized)) {
              // The same article reached us through another feed (or an earlier crawl).
              if (feed_id) a.record_entry(*feed_id, key, *existing);
              ++out.known;
              continue;
            }
          }
          out.fresh.emplace_back(i, std::move(key));
        }
        return out;
      },
      [this, p, feed, feed_id, cut, max_entries = options_.max_entries_per_poll](std::optional<NewEntries> found) {
        // The archive failed (it logged why): nothing is new this time, and the poll keeps
        // its validators, so that the next one sees the entries again.
        if (!found) {
          p->keep_validators = true;
          return on_new_entries(p, {});
        }
        std::vector<std::shared_ptr<Job>> jobs;
        for (auto& [index, key] : found->fresh) {
          auto job = std::make_shared<Job>();
          auto& entry = feed->entries[index];
          job->feed_id = feed_id;
          job->entry_key = std::move(key);
          job->url = entry.link;
          job->entry = std::move(entry);
          job->poll = p;
          job->crawl = p->crawl;
          job->local = p->url.starts_with("file://");
          jobs.push_back(std::move(job));
        }
        stats_.entries_known += found->known;
        if (*cut > 0) log_truncated(*p, *cut, max_entries);
        on_new_entries(p, std::move(jobs));
      });
}

void Ingest::log_truncated(const Poll& p, std::size_t cut, std::size_t kept) {
  // Once per feed while winnowd runs: such a feed stays that long at every poll.
  if (p.feed_id && !told_truncated_.insert(p.feed_id).second) return;
  log::warning("feed has more entries than max_entries_per_poll; the older ones are ignored",
               {{"feed", p.feed_id}, {"url", p.url}, {"kept", kept}, {"ignored", cut}});
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
  note_depths();
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
  std::unique_ptr<FeedState> feed = std::move(it->second);
  feeds_.erase(it);
  // Cut short by drain(): nothing of this poll is saved, as if it had not started (its
  // lease goes with the others).
  if (cancelled_) return maybe_drained();
  archive::FeedRow& row = feed->row;
  const FeedHealth health_before = feed_health(row);
  UnixSeconds now = now_s();
  row.last_polled = now;
  PollOutcome outcome;
  outcome.ok = p->ok;
  outcome.new_entries = p->new_entries;
  outcome.hint_s = p->hint_s;
  outcome.max_age_s = p->meta.max_age_s;
  outcome.retry_after_s = p->meta.retry_after_s;
  if (p->ok) {
    // A broken but usable feed keeps its note where a failure keeps its error (`feeds list`
    // shows it), warned about when it first shows or changes, not at every poll. A 304 says
    // the feed, and so its note, is unchanged.
    const std::string note = p->bozo.empty() ? std::string() : std::string(archive::kBrokenFeedPrefix) + p->bozo;
    if (!note.empty()) {
      const std::initializer_list<log::Field> fields = {{"feed", row.id}, {"url", row.url}, {"reason", p->bozo}};
      if (note != row.last_error) log::warning("feed is broken but usable", fields);
      else log::debug("feed is broken but usable", fields);
    }
    if (p->meta.status != 304 || row.consecutive_failures > 0) row.last_error = note;
    row.consecutive_failures = 0;
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
  const FeedHealth health_after = feed_health(row);
  outcome.consecutive_failures = row.consecutive_failures;
  row.interval_s = p->ok ? next_interval_s(options_.schedule, row.interval_s, outcome, jitter()) : row.interval_s;
  std::int64_t wait = p->ok ? row.interval_s : next_interval_s(options_.schedule, row.interval_s, outcome, jitter());
  // `now` is the current second rounded down and the poll timer fires at whole seconds, so
  // one second more keeps the real gap at least `wait` (a Retry-After is a floor).
  row.next_poll = now + wait + 1;
  if (feed->lease_lost) {
    // A renewal found another owner: its poll counts, not this one (finish would refuse it).
    ++stats_.leases_lost;
    if (metrics_) metrics_->lease_lost();
    log::warning("lease lost; the poll's state is dropped", {{"feed", row.id}, {"url", row.url}});
    return maybe_drained();
  }
  note_health(health_before, health_after);  // taken back below if the row is not saved
  // Saved only while this daemon still holds the lease: one paused past it (SIGSTOP) must
  // not overwrite the poll of the daemon that took the feed over. What this poll archived
  // stays, as any article does; the next poll finds its entries known.
  ask_archive<archive::PollSaved>(
      archive_, loop_, alive_,
      [row, owner = owner_](Archive& a) {
        // A permanent redirect onto a URL another subscription already has: keep the old URL.
        auto other = a.feed_by_url(row.url);
        if (other && other->id != row.id) {
          archive::FeedRow kept = row;
          if (auto mine = a.feed(row.id)) kept.url = mine->url;
          return a.finish_feed_poll(owner, kept);
        }
        return a.finish_feed_poll(owner, row);
      },
      [this, id = row.id, url = row.url, next_poll = row.next_poll, health_before,
       health_after](std::optional<archive::PollSaved> saved) {
        if (saved == archive::PollSaved::saved) return wake_at(next_poll);
        note_health(health_after, health_before);
        if (saved == archive::PollSaved::lease_lost) {
          ++stats_.leases_lost;
          if (metrics_) metrics_->lease_lost();
          log::warning("lease lost; the poll's state is dropped", {{"feed", id}, {"url", url}});
        }
      });
  maybe_drained();
}

}  // namespace winnow::ingest
