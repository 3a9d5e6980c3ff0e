// Archive on PostgreSQL: copying an archive in or out with its ids kept (archive.h,
// "Copying an archive"; daemon/archive/copy.h). Every import is idempotent: ON CONFLICT on
// the row's key does nothing.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "daemon/archive/postgres/pg_archive.h"
#include "daemon/archive/postgres/rows.h"
#include "parsers/url/normalize.h"

namespace winnow::archive::postgres {
namespace {

constexpr const char* kEntryColumns =
    "feed_id, entry_key, article_id, seen_at, url, title, published, verdict, retry_at, retries";

EntryRow read_entry(const Result& r, int i) {
  EntryRow e;
  e.feed_id = r.integer(i, 0);
  e.entry_key = r.text(i, 1);
  e.article_id = r.optional_integer(i, 2);
  e.seen_at = r.integer(i, 3);
  e.url = r.text(i, 4);
  e.title = r.text(i, 5);
  e.published = r.optional_integer(i, 6);
  e.verdict = r.text(i, 7);
  e.retry_at = r.optional_integer(i, 8);
  e.retries = static_cast<int>(r.integer(i, 9));
  return e;
}

// kArticleInsert with the id given ($1) and every other column as article_params binds it.
std::string article_import_sql() {
  std::string sql = kArticleInsert;
  sql.replace(sql.find("INSERT INTO articles ("), 22, "INSERT INTO articles (id, ");
  sql.replace(sql.find("VALUES ($2"), 10, "VALUES ($1, $2");
  return sql;
}

}  // namespace

ArchiveExtent PgArchive::extent() {
  ArchiveExtent e;
  auto r = db_.run(
      "SELECT (SELECT count(*) FROM feeds), (SELECT coalesce(max(id), 0) FROM feeds), "
      "(SELECT count(*) FROM articles), (SELECT coalesce(max(id), 0) FROM articles), "
      "(SELECT count(*) FROM raw_pages), "
      "(SELECT count(*) FROM entries), (SELECT coalesce(max(feed_id), 0) FROM entries), "
      "(SELECT count(*) FROM events), (SELECT coalesce(max(seq), 0) FROM events), "
      "(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM events_seq), "
      "(SELECT count(*) FROM webhook_endpoints), "
      "(SELECT coalesce(max(entry_key COLLATE \"C\"), '') FROM entries "
      " WHERE feed_id = (SELECT max(feed_id) FROM entries))");
  e.feeds = r.integer(0, 0);
  e.last_feed_id = r.integer(0, 1);
  e.articles = r.integer(0, 2);
  e.last_article_id = r.integer(0, 3);
  e.raw_pages = r.integer(0, 4);
  e.entries = r.integer(0, 5);
  e.last_entry_feed_id = r.integer(0, 6);
  e.events = r.integer(0, 7);
  e.last_event_seq = r.integer(0, 8);
  e.newest_event_seq = std::max(r.integer(0, 9), e.last_event_seq);
  e.webhook_endpoints = r.integer(0, 10);
  e.last_entry_key = r.text(0, 11);
  return e;
}

std::vector<EntryRow> PgArchive::entries_after(std::int64_t feed_id, const std::optional<std::string>& after_key,
                                               std::size_t limit) {
  // COLLATE "C": keys in byte order, as SQLite's BINARY compares them.
  static const std::string sql = std::string("SELECT ") + kEntryColumns +
                                 " FROM entries WHERE feed_id > $1 OR (feed_id = $1 AND ($2::text IS NULL OR "
                                 "entry_key COLLATE \"C\" > $2::text COLLATE \"C\")) "
                                 "ORDER BY feed_id, entry_key COLLATE \"C\" LIMIT $3";
  Params params(feed_id);
  if (after_key)
    params.add(*after_key);
  else
    params.add(std::nullopt);
  params.add(to_int64(limit));
  auto r = db_.run(sql, params);
  std::vector<EntryRow> rows;
  rows.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) rows.push_back(read_entry(r, i));
  return rows;
}

void PgArchive::import_feeds(const std::vector<FeedRow>& rows) {
  transaction([&] {
    for (const FeedRow& row : rows)
      db_.run(
          "INSERT INTO feeds (id, url, title, site_url, category, etag, last_modified, next_poll, interval_s, "
          "last_polled, last_new_entry, consecutive_failures, last_error, enabled, host) VALUES ($1, $2, $3, $4, "
          "$5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (id) DO NOTHING",
          Params(row.id, row.url, row.title, row.site_url, row.category, row.etag, row.last_modified, row.next_poll,
                 row.interval_s, row.last_polled, row.last_new_entry, row.consecutive_failures, row.last_error,
                 row.enabled, parsers::url_host(row.url)));
  });
}

std::int64_t PgArchive::import_articles(const std::vector<ArticleRow>& rows) {
  static const std::string insert = article_import_sql() + "ON CONFLICT DO NOTHING";
  static const std::string insert_by_id = article_import_sql() + "ON CONFLICT (id) DO NOTHING";
  std::int64_t urls_dropped = 0;
  transaction([&] {
    for (const ArticleRow& row : rows) {
      if (db_.run(insert, article_params(row, row.archived_at)).affected() == 0) {
        if (db_.run("SELECT 1 FROM articles WHERE id = $1", Params(row.id)).rows() > 0) continue;  // copied before
        // Another article holds its normalized or canonical URL (SQLite let both in): keep
        // this one without the URL the older one holds, which stays the URL's article.
        auto held = db_.run(
            "SELECT EXISTS (SELECT 1 FROM articles WHERE md5(normalized_url) = md5($1) AND normalized_url = $1 "
            "AND $1 <> ''), EXISTS (SELECT 1 FROM articles WHERE md5(canonical_url) = md5($2) AND canonical_url = $2 "
            "AND $2 <> '')",
            Params(row.normalized_url, row.canonical_url));
        ArticleRow kept = row;
        if (held.boolean(0, 0)) kept.normalized_url.clear();
        if (held.boolean(0, 1)) kept.canonical_url.clear();
        db_.run(insert_by_id, article_params(kept, row.archived_at));
        ++urls_dropped;
      }
      put_raw_page(row.id, row);
    }
  });
  return urls_dropped;
}

void PgArchive::import_entries(const std::vector<EntryRow>& rows) {
  transaction([&] {
    for (const EntryRow& e : rows)
      db_.run(
          "INSERT INTO entries (feed_id, entry_key, article_id, seen_at, url, title, published, verdict, retry_at, "
          "retries) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
          "ON CONFLICT (feed_id, md5(entry_key)) DO NOTHING",
          Params(e.feed_id, e.entry_key, e.article_id, e.seen_at, e.url, e.title, e.published, e.verdict, e.retry_at,
                 e.retries));
  });
}

void PgArchive::import_webhooks(const std::vector<WebhookEndpointState>& endpoints,
                                const std::vector<OutboxEvent>& events) {
  transaction([&] {
    for (const auto& endpoint : endpoints) {
      const std::string types = join_types(endpoint.types);
      db_.run(
          "INSERT INTO webhook_endpoints (url, types, delivered_seq, attempts, last_error) "
          "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (url) DO NOTHING",
          Params(endpoint.url, types, endpoint.delivered_seq, endpoint.attempts, endpoint.last_error));
    }
    for (const auto& event : events)
      db_.run("INSERT INTO events (seq, type, article_id, feed_id, at) VALUES ($1, $2, $3, $4, $5) "
              "ON CONFLICT (seq) DO NOTHING",
              Params(event.seq, std::string(to_string(event.type)), event.article_id, event.feed_id, event.at));
  });
}

void PgArchive::finish_import(const ArchiveExtent& source) {
  transaction([&] {
    // setval(seq, n, true): the next value is n + 1; (1, false) for a table still empty.
    const auto move_past = [&](const char* sequence_of, const char* max_sql, std::int64_t source_last) {
      db_.run(std::string("SELECT setval(") + sequence_of + ", greatest((" + max_sql + "), $1, 1), greatest((" +
                  max_sql + "), $1) > 0)",
              Params(source_last));
    };
    move_past("pg_get_serial_sequence('feeds', 'id')", "SELECT coalesce(max(id), 0) FROM feeds", source.last_feed_id);
    move_past("pg_get_serial_sequence('articles', 'id')", "SELECT coalesce(max(id), 0) FROM articles",
              source.last_article_id);
    move_past("'events_seq'",
              "SELECT greatest(coalesce(max(seq), 0), (SELECT CASE WHEN is_called THEN last_value ELSE 0 END "
              "FROM events_seq)) FROM events",
              source.newest_event_seq);
  });
}

}  // namespace winnow::archive::postgres
