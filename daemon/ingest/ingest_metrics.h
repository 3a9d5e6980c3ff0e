#pragma once
// The ingest pipeline's metrics (docs/metrics.md lists them): the handles an Ingest keeps in
// the metrics::Registry winnowd gives it (IngestOptions::metrics), looked up once here.
//
// Threads: the counters and the histogram may be updated from any thread (the extraction
// latency is observed on the workers). fetched(), stored() and the feed-health and depth
// functions keep loop-only caches and counts: loop thread only. What render() reads is only
// atomics (and ArchiveWorker::pending(), itself thread-safe), so a scrape from any thread
// never touches the loop's state. The Registry must outlive the IngestMetrics, and `archive`
// too (its pending() is asked at each render until the IngestMetrics goes).
#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "daemon/archive/archive.h"
#include "daemon/archive/archive_worker.h"
#include "daemon/fetch/fetcher.h"
#include "daemon/ingest/dedupe.h"
#include "daemon/ingest/page_retry.h"
#include "daemon/metrics/registry.h"

namespace winnow::ingest {

enum class FetchKind { feed, page, robots };
enum class FeedHealth { ok, failing, broken, disabled };

// What a subscribed feed's row says of it: disabled, else failing (its last poll failed),
// else broken (polled, but the feed was broken: kBrokenFeedPrefix), else ok. Any thread.
FeedHealth feed_health(const archive::FeedRow& row);

// The Prometheus label words: "ok", "not_modified" (304), "http_error" (any other status
// outside 2xx) or the FetchErrc's name; "2xx".."5xx" or "none" (no response). Any thread.
std::string_view fetch_outcome(const fetch::FetchResult& r);
std::string_view status_class(long status);

class IngestMetrics {
 public:
  IngestMetrics(metrics::Registry& registry, archive::ArchiveWorker& archive);
  IngestMetrics(const IngestMetrics&) = delete;
  IngestMetrics& operator=(const IngestMetrics&) = delete;

  // A transfer ended (a cancelled one is not counted: it was never sent, or dropped). Loop.
  void fetched(FetchKind kind, const fetch::FetchResult& r);
  // The archive thread answered a store: archived by verdict and source, or a duplicate. Loop.
  void stored(StoreOutcome outcome, const std::string& verdict, const std::string& source);
  // A page retry was settled. Loop.
  void retried(RetryOutcome outcome);

  // One extraction took `seconds`: of a page, or of a feed entry's content. Any thread.
  void extracted(bool feed_content, double seconds) const {
    (feed_content ? extraction_feed_ : extraction_page_).observe(seconds);
  }
  // An extraction failed (the parser gave up, or threw). Any thread.
  void extraction_failed() const { extraction_failures_.inc(); }
  // A feed's lease went to another daemon before its poll was saved. Loop.
  void lease_lost() const { leases_lost_.inc(); }

  // Feeds by health. Loop. count_feeds() sets every count (a reload; `disabled` replaces the
  // disabled count when given), feed_changed() moves one feed.
  void count_feeds(std::array<std::size_t, 4> by_health, std::optional<std::size_t> disabled);
  void feed_changed(FeedHealth before, FeedHealth after);

  // The pipeline's queues, as of the last event that moved one. Loop.
  struct Depths {
    std::size_t pages_in_memory = 0, page_fetches_waiting = 0, entries_in_flight = 0, polls_in_flight = 0,
                retries_in_flight = 0;
  };
  void depths(const Depths& d) const;

 private:
  metrics::CounterFamily& fetches_;
  metrics::CounterFamily& archived_;
  std::array<metrics::Counter, 3> body_bytes_;  // by FetchKind
  std::array<metrics::Counter, 2> duplicates_;  // url, near
  metrics::CounterFamily& retries_;
  metrics::Histogram extraction_page_, extraction_feed_;
  metrics::Counter extraction_failures_;
  metrics::Counter leases_lost_;
  std::array<metrics::Gauge, 4> feeds_;  // by FeedHealth
  std::array<std::size_t, 4> feed_counts_{};
  metrics::Gauge pages_in_memory_, page_fetches_waiting_, entries_in_flight_, polls_in_flight_, retries_in_flight_;
  metrics::Registration archive_pending_;
  metrics::Registration archive_conflicts_;
  // Series looked up once each, on the loop: (kind, outcome, status class) and (verdict, source).
  std::map<std::tuple<FetchKind, std::string_view, std::string_view>, metrics::Counter> fetch_series_;
  std::map<std::pair<std::string, std::string>, metrics::Counter> archived_series_;
};

}  // namespace winnow::ingest
