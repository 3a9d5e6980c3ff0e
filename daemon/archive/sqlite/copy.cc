// Archive on SQLite: copying an archive in or out with its ids kept (archive.h, "Copying an
// archive"; daemon/archive/copy.h). Every import is idempotent: ON CONFLICT on the row's key
// does nothing. import_articles sits beside store_article (sqlite_archive.cc), whose INSERT
// it shares.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "daemon/archive/sqlite/sqlite_archive.h"
#include "parsers/url/normalize.h"

namespace winnow::archive::sqlite {
namespace {

std::int64_t to_int64(std::size_t n) {
  return static_cast<std::int64_t>(std::min<std::size_t>(n, std::numeric_limits<std::int64_t>::max()));
}

#define WINNOW_ENTRY_COLUMNS "feed_id, entry_key, article_id, seen_at, url, title, published, verdict, retry_at, retries"

EntryRow read_entry(const Query& q) {
  EntryRow e;
  e.feed_id = q.integer(0);
  e.entry_key = q.text(1);
  e.article_id = q.optional_integer(2);
  e.seen_at = q.integer(3);
  e.url = q.text(4);
  e.title = q.text(5);
  e.published = q.optional_integer(6);
  e.verdict = q.text(7);
  e.retry_at = q.optional_integer(8);
  e.retries = static_cast<int>(q.integer(9));
  return e;
}

}  // namespace

ArchiveExtent SqliteArchive::extent() {
  auto q = query(
      "SELECT (SELECT count(*) FROM feeds), (SELECT coalesce(max(id), 0) FROM feeds), "
      "(SELECT count(*) FROM articles), (SELECT coalesce(max(id), 0) FROM articles), "
      "(SELECT count(*) FROM raw_pages), "
      "(SELECT count(*) FROM entries), (SELECT coalesce(max(feed_id), 0) FROM entries), "
      "(SELECT count(*) FROM events), (SELECT coalesce(max(seq), 0) FROM events), "
      "coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0), "
      "(SELECT count(*) FROM webhook_endpoints), "
      "(SELECT coalesce(max(entry_key), '') FROM entries WHERE feed_id = (SELECT max(feed_id) FROM entries))");
  ArchiveExtent e;
  if (!q.step()) return e;
  e.feeds = q.integer(0);
  e.last_feed_id = q.integer(1);
  e.articles = q.integer(2);
  e.last_article_id = q.integer(3);
  e.raw_pages = q.integer(4);
  e.entries = q.integer(5);
  e.last_entry_feed_id = q.integer(6);
  e.events = q.integer(7);
  e.last_event_seq = q.integer(8);
  e.newest_event_seq = std::max(q.integer(9), e.last_event_seq);
  e.webhook_endpoints = q.integer(10);
  e.last_entry_key = q.text(11);
  return e;
}

std::vector<EntryRow> SqliteArchive::entries_after(std::int64_t feed_id, const std::optional<std::string>& after_key,
                                                   std::size_t limit) {
  // The primary key's order (BINARY: bytes), so each page is a range of the WITHOUT ROWID table.
  std::vector<EntryRow> rows;
  if (after_key) {
    auto q = query("SELECT " WINNOW_ENTRY_COLUMNS " FROM entries WHERE (feed_id, entry_key) > (?1, ?2) "
                   "ORDER BY feed_id, entry_key LIMIT ?3");
    q.bind(feed_id, *after_key, to_int64(limit));
    while (q.step()) rows.push_back(read_entry(q));
  } else {
    auto q = query("SELECT " WINNOW_ENTRY_COLUMNS " FROM entries WHERE feed_id >= ?1 "
                   "ORDER BY feed_id, entry_key LIMIT ?2");
    q.bind(feed_id, to_int64(limit));
    while (q.step()) rows.push_back(read_entry(q));
  }
  return rows;
}

void SqliteArchive::import_feeds(const std::vector<FeedRow>& rows) {
  transaction([&] {
    for (const FeedRow& row : rows)
      query(
          "INSERT INTO feeds (id, url, title, site_url, category, etag, last_modified, next_poll, interval_s, "
          "last_polled, last_new_entry, consecutive_failures, last_error, enabled, host) VALUES (?1, ?2, ?3, ?4, "
          "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) ON CONFLICT (id) DO NOTHING")
          .bind(row.id, row.url, row.title, row.site_url, row.category, row.etag, row.last_modified, row.next_poll,
                row.interval_s, row.last_polled, row.last_new_entry, row.consecutive_failures, row.last_error,
                row.enabled, parsers::url_host(row.url))
          .run();
  });
}

void SqliteArchive::import_entries(const std::vector<EntryRow>& rows) {
  transaction([&] {
    for (const EntryRow& e : rows)
      query(
          "INSERT INTO entries (" WINNOW_ENTRY_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
          "ON CONFLICT (feed_id, entry_key) DO NOTHING")
          .bind(e.feed_id, e.entry_key, e.article_id, e.seen_at, e.url, e.title, e.published, e.verdict, e.retry_at,
                e.retries)
          .run();
  });
}

void SqliteArchive::import_webhooks(const std::vector<WebhookEndpointState>& endpoints,
                                    const std::vector<OutboxEvent>& events) {
  transaction([&] {
    for (const auto& endpoint : endpoints) {
      const std::string types = join_types(endpoint.types);
      query(
          "INSERT INTO webhook_endpoints (url, types, delivered_seq, attempts, last_error) "
          "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (url) DO NOTHING")
          .bind(endpoint.url, types, endpoint.delivered_seq, endpoint.attempts, endpoint.last_error)
          .run();
    }
    for (const auto& event : events)
      query("INSERT INTO events (seq, type, article_id, feed_id, at) VALUES (?1, ?2, ?3, ?4, ?5) "
            "ON CONFLICT (seq) DO NOTHING")
          .bind(event.seq, to_string(event.type), event.article_id, event.feed_id, event.at)
          .run();
  });
}

void SqliteArchive::finish_import(const ArchiveExtent& source) {
  // Feeds and articles take max(id) + 1 (INTEGER PRIMARY KEY): nothing to move. Events are
  // AUTOINCREMENT: their high-water mark in sqlite_sequence must not fall behind the source's.
  transaction([&] {
    query("UPDATE sqlite_sequence SET seq = max(seq, ?1) WHERE name = 'events'")
        .bind(source.newest_event_seq)
        .run();
    query("INSERT INTO sqlite_sequence (name, seq) SELECT 'events', ?1 "
          "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'events')")
        .bind(source.newest_event_seq)
        .run();
  });
}

}  // namespace winnow::archive::sqlite
