#include "daemon/ingest/ingest_metrics.h"

#include <sstream>
#include <vector>

namespace winnow::ingest {

namespace {

constexpr std::array<const char*, 3> kFetchKinds = {"feed", "page", "robots"};
constexpr std::array<const char*, 4> kHealth = {"ok", "failing", "broken", "disabled"};
// Every verdict a row can carry (parsers::PageKind's words, and kQuarantined), and the two
// sources: created at zero so that rate() sees each from the start.
constexpr std::array<const char*, 8> kVerdicts = {"article",    "paywall_teaser", "challenge", "consent_wall",
                                                  "error_page", "not_article",    "empty",     "quarantined"};
constexpr std::array<const char*, 2> kSources = {"page", "feed"};

// 1 ms .. 2.5 s, three steps a decade: a 170 KB page takes about 11 ms (docs/benchmarks.md),
// a short one well under 1 ms; what the parse's CPU limit stops (1 s + 1 s per MB,
// docs/extraction.md) lands in the last buckets or +Inf.
const std::vector<double> kExtractionBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

}  // namespace

FeedHealth feed_health(const archive::FeedRow& row) {
  if (!row.enabled) return FeedHealth::disabled;
  if (row.consecutive_failures > 0) return FeedHealth::failing;
  if (std::string_view(row.last_error).starts_with(archive::kBrokenFeedPrefix)) return FeedHealth::broken;
  return FeedHealth::ok;
}

std::string_view fetch_outcome(const fetch::FetchResult& r) {
  if (r.error != fetch::FetchErrc::ok) return fetch::to_string(r.error);
  if (r.status == 304) return "not_modified";
  if (r.status >= 200 && r.status < 300) return "ok";
  return "http_error";
}

std::string_view status_class(long status) {
  switch (status / 100) {
    case 1: return "1xx";
    case 2: return "2xx";
    case 3: return "3xx";
    case 4: return "4xx";
    case 5: return "5xx";
    default: return "none";
  }
}

IngestMetrics::IngestMetrics(metrics::Registry& r, archive::ArchiveWorker& archive)
    : fetches_(r.counter("winnow_fetches_total",
                         "HTTP(S) and file transfers by kind (feed, page, robots), outcome (ok, not_modified, "
                         "http_error, or the transfer's error) and status class.",
                         {"kind", "outcome", "status_class"})),
      archived_(r.counter("winnow_articles_archived_total",
                          "Articles archived, by the page's verdict and the text's source (page, or the feed's "
                          "content). Near-duplicates included.",
                          {"verdict", "source"})),
      retries_(r.counter("winnow_page_retries_total",
                         "Pages fetched again because they were no article, by how the retry was settled.",
                         {"outcome"})) {
  auto& bytes = r.counter("winnow_fetch_body_bytes_total", "Response body bytes received (decoded), by kind.", {"kind"});
  for (std::size_t k = 0; k < kFetchKinds.size(); ++k) body_bytes_[k] = bytes.with({kFetchKinds[k]});
  auto& dup = r.counter("winnow_duplicates_total",
                        "Articles found to be duplicates: url (not stored again) or near (stored, marked).", {"kind"});
  duplicates_ = {dup.with({"url"}), dup.with({"near"})};
  for (const char* verdict : kVerdicts)
    for (const char* source : kSources) archived_series_[{verdict, source}] = archived_.with({verdict, source});
  auto& latency = r.histogram("winnow_extraction_duration_seconds",
                              "Time to extract one page (or a feed entry's content) on a worker, in seconds.",
                              kExtractionBuckets, {"source"});
  extraction_page_ = latency.with({"page"});
  extraction_feed_ = latency.with({"feed"});
  extraction_failures_ = r.counter("winnow_extraction_failures_total",
                                   "Extractions that failed (the parser gave up, or threw).")
                             .with();
  leases_lost_ = r.counter("winnow_leases_lost_total",
                           "Feed polls whose lease another daemon took before the poll was saved (the "
                           "poll's state is dropped; several daemons on one database only).")
                     .with();
  auto& feeds = r.gauge("winnow_feeds", "Subscribed feeds by health: ok, failing (the last poll failed), broken "
                                        "(polled, but the feed is malformed), disabled.",
                        {"health"});
  for (std::size_t h = 0; h < kHealth.size(); ++h) feeds_[h] = feeds.with({kHealth[h]});
  pages_in_memory_ = r.gauge("winnow_pages_in_memory", "Pages fetched or being fetched and not yet archived "
                                                       "(bounded by max_pages_in_memory).")
                         .with();
  page_fetches_waiting_ = r.gauge("winnow_page_fetches_waiting", "Page fetches waiting for a page slot.").with();
  entries_in_flight_ = r.gauge("winnow_entries_in_flight", "Entries (and page retries) queued or under way, from "
                                                           "their poll until archived (bounded by max_queued_entries).")
                           .with();
  polls_in_flight_ = r.gauge("winnow_polls_in_flight", "Feed polls started and not finished.").with();
  retries_in_flight_ = r.gauge("winnow_page_retries_in_flight", "Page retries under way.").with();
  archive_pending_ = r.gauge_callback("winnow_archive_pending_jobs",
                                      "Jobs queued for the archive thread and not yet committed.",
                                      [&archive] { return double(archive.pending()); });
  archive_conflicts_ = r.counter_callback("winnow_archive_conflicts_retried_total",
                                          "Archive batches rolled back by a deadlock or serialization failure "
                                          "and run again.",
                                          [&archive] { return double(archive.conflicts_retried()); });
}

void IngestMetrics::fetched(FetchKind kind, const fetch::FetchResult& r) {
  if (r.error == fetch::FetchErrc::cancelled) return;
  const std::string_view outcome = fetch_outcome(r), status = status_class(r.status);
  auto [it, added] = fetch_series_.try_emplace({kind, outcome, status});
  if (added)
    it->second = fetches_.with({kFetchKinds[std::size_t(kind)], std::string(outcome), std::string(status)});
  it->second.inc();
  body_bytes_[std::size_t(kind)].inc(r.body.size());
}

void IngestMetrics::stored(StoreOutcome outcome, const std::string& verdict, const std::string& source) {
  if (outcome == StoreOutcome::url_duplicate) return duplicates_[0].inc();
  if (outcome == StoreOutcome::near_duplicate) duplicates_[1].inc();
  auto [it, added] = archived_series_.try_emplace({verdict, source});
  if (added) it->second = archived_.with({verdict, source});
  it->second.inc();
}

void IngestMetrics::retried(RetryOutcome outcome) {
  std::ostringstream name;
  name << outcome;
  retries_.with({name.str()}).inc();  // a few a minute at most: the family's lookup will do
}

void IngestMetrics::count_feeds(std::array<std::size_t, 4> by_health, std::optional<std::size_t> disabled) {
  const std::size_t d = std::size_t(FeedHealth::disabled);
  by_health[d] = disabled.value_or(feed_counts_[d]);
  feed_counts_ = by_health;
  for (std::size_t h = 0; h < feeds_.size(); ++h) feeds_[h].set(double(feed_counts_[h]));
}

void IngestMetrics::feed_changed(FeedHealth before, FeedHealth after) {
  if (before == after) return;
  auto& from = feed_counts_[std::size_t(before)];
  if (from > 0) --from;
  ++feed_counts_[std::size_t(after)];
  feeds_[std::size_t(before)].set(double(from));
  feeds_[std::size_t(after)].set(double(feed_counts_[std::size_t(after)]));
}

void IngestMetrics::depths(const Depths& d) const {
  pages_in_memory_.set(double(d.pages_in_memory));
  page_fetches_waiting_.set(double(d.page_fetches_waiting));
  entries_in_flight_.set(double(d.entries_in_flight));
  polls_in_flight_.set(double(d.polls_in_flight));
  retries_in_flight_.set(double(d.retries_in_flight));
}

}  // namespace winnow::ingest
