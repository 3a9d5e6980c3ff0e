#include "daemon/archive/copy.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

namespace winnow::archive {
namespace {

bool is_empty(const ArchiveExtent& e) {
  return e.feeds == 0 && e.articles == 0 && e.entries == 0 && e.events == 0 && e.webhook_endpoints == 0;
}

std::string id_text(std::int64_t id) { return std::to_string(id); }

// The target's article `id` is the source's: same fetched URL, fetch and archive times.
void check_same_article(Archive& source, Archive& target, std::int64_t id) {
  const auto theirs = target.article(id);
  const auto ours = source.article(id);
  if (!theirs) return;
  if (!ours || ours->url != theirs->url || ours->archived_at != theirs->archived_at ||
      ours->fetched_at != theirs->fetched_at)
    throw CopyRefused("the target's article " + id_text(id) + " (" + theirs->url +
                      ") is not the source's: the target holds another archive");
}

// Feeds are read this many at a time, for the check as for the copy: a million feeds are
// never in memory at once (about 1 KB each).
constexpr std::size_t kFeedPage = 2000;

// Throws unless each of the target's feeds has the source's URL at the same id. Both are
// walked in id order, a page at a time.
void check_same_feeds(Archive& source, Archive& target, const std::string& other) {
  std::int64_t after = 0, source_after = 0;
  std::unordered_map<std::int64_t, std::string> source_urls;  // of the source's page(s) at hand
  for (;;) {
    const std::vector<FeedRow> theirs = target.feeds_after(after, kFeedPage);
    if (theirs.empty()) return;
    const std::int64_t last = theirs.back().id;
    std::erase_if(source_urls, [&](const auto& entry) { return entry.first <= after; });
    while (source_after < last) {
      const std::vector<FeedRow> ours = source.feeds_after(source_after, kFeedPage);
      if (ours.empty()) break;
      for (const FeedRow& feed : ours) source_urls.emplace(feed.id, feed.url);
      source_after = ours.back().id;
    }
    for (const FeedRow& feed : theirs) {
      const auto found = source_urls.find(feed.id);
      if (found == source_urls.end() || found->second != feed.url)
        throw CopyRefused("the target's feed " + id_text(feed.id) + " (" + feed.url + ") is not the source's" + other);
    }
    after = last;
  }
}

// Calls `progress` with `done` capped to `total`.
void report(const std::function<void(const CopyProgress&)>& progress, CopyTable table, std::int64_t done,
            std::int64_t total) {
  if (progress) progress(CopyProgress{table, std::min(done, total), total});
}

}  // namespace

const char* to_string(CopyTable table) {
  switch (table) {
    case CopyTable::feeds: return "feeds";
    case CopyTable::articles: return "articles";
    case CopyTable::entries: return "entries";
    case CopyTable::webhooks: return "webhooks";
  }
  return "?";
}

bool check_copy_target(Archive& source, Archive& target, const ArchiveExtent& s, const ArchiveExtent& t) {
  if (is_empty(t)) return true;
  const std::string other = ": the target holds another archive, or data added since a copy finished; "
                            "migrate only into an empty database";
  if (t.feeds > s.feeds || t.last_feed_id > s.last_feed_id)
    throw CopyRefused("the target has " + id_text(t.feeds) + " feeds (ids to " + id_text(t.last_feed_id) +
                      "), the source " + id_text(s.feeds) + " (to " + id_text(s.last_feed_id) + ")" + other);
  if (t.articles > s.articles || t.last_article_id > s.last_article_id)
    throw CopyRefused("the target has " + id_text(t.articles) + " articles (ids to " + id_text(t.last_article_id) +
                      "), the source " + id_text(s.articles) + " (to " + id_text(s.last_article_id) + ")" + other);
  if (t.entries > s.entries || t.last_event_seq > s.last_event_seq || t.webhook_endpoints > s.webhook_endpoints)
    throw CopyRefused("the target has more entries, events or webhook endpoints than the source" + other);
  // Tables are copied in order: one that holds rows means those before it are complete.
  if ((t.articles > 0 || t.entries > 0) && t.feeds != s.feeds)
    throw CopyRefused("the target has articles or entries but not every feed of the source" + other);
  if (t.entries > 0 && t.last_article_id != s.last_article_id)
    throw CopyRefused("the target has entries but not every article of the source" + other);

  check_same_feeds(source, target, other);
  if (t.articles > 0) {
    const auto first = target.articles_after(0, 1, false, false);
    if (!first.empty()) check_same_article(source, target, first.front().id);
    check_same_article(source, target, t.last_article_id);
  }
  if (t.webhook_endpoints > 0) {
    std::vector<std::string> urls;
    for (const auto& endpoint : source.webhook_endpoints()) urls.push_back(endpoint.url);
    for (const auto& endpoint : target.webhook_endpoints())
      if (std::find(urls.begin(), urls.end(), endpoint.url) == urls.end())
        throw CopyRefused("the target's webhook endpoint " + endpoint.url + " is not the source's" + other);
  }
  return false;
}

CopyReport copy_archive(Archive& source, Archive& target, const CopyOptions& options,
                        const std::function<void(const CopyProgress&)>& progress) {
  CopyReport result;
  result.source = source.extent();
  result.target_before = target.extent();
  result.resumed = !check_copy_target(source, target, result.source, result.target_before);
  const ArchiveExtent& s = result.source;
  const ArchiveExtent& t = result.target_before;
  const std::size_t article_batch = std::max<std::size_t>(options.article_batch, 1);
  const std::size_t row_batch = article_batch * 10;
  // One more batch allowed? Counts it when so.
  const auto may_batch = [&] {
    if (options.max_batches > 0 && result.batches >= options.max_batches) return false;
    ++result.batches;
    return true;
  };

  // Feeds in id order, a batch at a time, after the target's highest id.
  {
    std::int64_t cursor = t.last_feed_id;
    std::int64_t done = t.feeds;
    report(progress, CopyTable::feeds, done, s.feeds);
    for (;;) {
      if (cursor >= s.last_feed_id) break;
      const std::vector<FeedRow> batch = source.feeds_after(cursor, row_batch);
      if (batch.empty()) break;
      if (!may_batch()) return result;
      target.import_feeds(batch);
      cursor = batch.back().id;
      done += static_cast<std::int64_t>(batch.size());
      report(progress, CopyTable::feeds, done, s.feeds);
    }
  }

  // Articles in id order with their raw pages, after the target's highest id.
  {
    std::int64_t cursor = t.last_article_id;
    std::int64_t done = t.articles;
    report(progress, CopyTable::articles, done, s.articles);
    for (;;) {
      if (cursor >= s.last_article_id) break;
      if (!may_batch()) return result;
      const std::vector<ArticleRow> batch = source.articles_after(cursor, article_batch, false, true);
      if (batch.empty()) break;
      result.urls_dropped += target.import_articles(batch);
      cursor = batch.back().id;
      done += static_cast<std::int64_t>(batch.size());
      result.articles_copied += static_cast<std::int64_t>(batch.size());
      report(progress, CopyTable::articles, done, s.articles);
    }
  }

  // Entries by (feed, key), after the highest the target holds: batches commit in that order.
  {
    std::int64_t feed = t.entries > 0 ? t.last_entry_feed_id : 0;
    std::optional<std::string> after;
    if (t.entries > 0) after = t.last_entry_key;
    std::int64_t done = t.entries;
    report(progress, CopyTable::entries, done, s.entries);
    for (;;) {
      const std::vector<EntryRow> batch = source.entries_after(feed, after, row_batch);
      if (batch.empty()) break;
      if (!may_batch()) return result;
      target.import_entries(batch);
      feed = batch.back().feed_id;
      after = batch.back().entry_key;
      done += static_cast<std::int64_t>(batch.size());
      report(progress, CopyTable::entries, done, s.entries);
      if (batch.size() < row_batch) break;
    }
  }

  // Webhook endpoints (a few) with the first batch of events, then the other events.
  {
    std::vector<WebhookEndpointState> endpoints = source.webhook_endpoints();
    const std::vector<EventType> every_type(std::begin(kEventTypes), std::end(kEventTypes));
    std::int64_t cursor = t.last_event_seq;
    std::int64_t done = t.events;
    report(progress, CopyTable::webhooks, done, s.events);
    for (;;) {
      std::vector<OutboxEvent> batch = source.webhook_events_after(cursor, every_type, row_batch);
      if (batch.empty() && endpoints.empty()) break;
      if (!may_batch()) return result;
      target.import_webhooks(endpoints, batch);
      endpoints.clear();
      if (batch.empty()) break;
      cursor = batch.back().seq;
      done += static_cast<std::int64_t>(batch.size());
      report(progress, CopyTable::webhooks, done, s.events);
    }
  }

  target.finish_import(s);
  result.target_after = target.extent();
  result.complete = true;
  return result;
}

}  // namespace winnow::archive
