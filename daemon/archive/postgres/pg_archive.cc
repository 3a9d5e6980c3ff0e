// Archive on PostgreSQL: the class. libpq stays behind connection.h, the schema in
// schema.cc, the row mapping in rows.cc, search in search.cc.
#include "daemon/archive/postgres/pg_archive.h"

#include <algorithm>
#include <bit>
#include <ctime>
#include <limits>
#include <optional>
#include <stdexcept>

#include "daemon/archive/article_codec.h"
#include "daemon/archive/compress.h"
#include "daemon/archive/postgres/notices.h"
#include "daemon/archive/postgres/rows.h"
#include "daemon/archive/postgres/schema.h"
#include "daemon/archive/simhash_bands.h"
#include "parsers/url/normalize.h"

namespace winnow::archive::postgres {
namespace {

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

// A URL column compared by its md5 index first (schema.cc: URLs can outgrow a btree entry).
#define WINNOW_URL_IS(column, param) \
  "md5(" column ") = md5(" param ") AND " column " = " param " AND " column " <> ''"

// The key of the advisory lock that puts article ids and event seqs in commit order (any
// number; "commit" in ASCII). See order_commits().
constexpr std::int64_t kCommitOrderLock = 0x636f6d6d6974;

// The oldest article whose normalized URL is $1 or whose canonical URL is $2.
constexpr const char* kArticleByUrls =
    "SELECT min(id) FROM (SELECT id FROM articles WHERE " WINNOW_URL_IS("normalized_url", "$1")
    " UNION ALL SELECT id FROM articles WHERE " WINNOW_URL_IS("canonical_url", "$2") ") AS found";

}  // namespace

namespace {

// The server gives up on a statement about when the client does (Connection's deadline), so
// that it does not go on working, and holding locks, for a client that has abandoned the
// connection. A tenth sooner: the server's clock starts when the statement arrives, after
// ours, and its error has to travel back; so a statement that is merely slow on a server that
// answers fails with the server's error (57014) and keeps its connection, and only a server
// or a way that says nothing meets the client's deadline. Where the database or role sets a
// statement_timeout, that one stays.
void limit_statements_on_server(Connection& db) {
  if (db.timeout().count() <= 0) return;
  const auto server_ms = std::max<std::int64_t>(1, db.timeout().count() * 9 / 10);
  db.set_session("SELECT set_config('statement_timeout', '" + std::to_string(server_ms) +
                 "ms', false) WHERE current_setting('statement_timeout') = '0'");
}

}  // namespace

PgArchive::PgArchive(const std::string& conninfo, OpenMode mode) : db_(conninfo) {
  const std::string where = "the PostgreSQL database";
  if (mode == OpenMode::read_only) {
    db_.set_session("SET default_transaction_read_only = on");
    limit_statements_on_server(db_);
    require_current_version(db_, where);
    return;
  }
  // A writer frozen inside a transaction (SIGSTOP, a stalled machine, a lost network) would
  // keep its row locks for as long as its session lives: the feeds it finished but has not
  // committed stay locked, other daemons' claims skip them (SKIP LOCKED) and wait on its host
  // rows, long after its leases ran out. No gap between two statements of ours comes near
  // 10 s (no page is extracted inside a transaction, not even by `winnow reextract`), so a
  // session idle that long inside a transaction is frozen: the server ends it and its transaction rolls back.
  // Found by instances_test (a daemon paused past its lease, 2026-12). It also bounds how long
  // such a writer holds the commit-order lock (order_commits()) and stalls every instance's
  // stores. A timeout the database or role sets wins (the tests set 1 s).
  db_.set_session(
      "SELECT set_config('idle_in_transaction_session_timeout', '10s', false) "
      "WHERE current_setting('idle_in_transaction_session_timeout') = '0'");
  // A migration may rebuild an index or rewrite a table: no deadline, client or server, for
  // it (systemd's TimeoutStartSec bounds a daemon's start).
  const auto timeout = db_.timeout();
  db_.set_timeout(std::chrono::milliseconds(0));
  migrate(db_, where, [this](const std::function<void()>& work) { transaction(work); });
  db_.set_timeout(timeout);
  limit_statements_on_server(db_);
  server_counts_bits_ = db_.run("SELECT current_setting('server_version_num')::int >= 140000").boolean(0, 0);
  commits_ = 0;  // the migration's own; as on SQLite, opening counts nothing
}

void PgArchive::order_commits() {
  // Ids come from sequences, which hand them out as asked, not as committed. Held from before
  // the id is taken to the end of the transaction, this lock lets one writing transaction at
  // a time hold an uncommitted article or event, so that ids become visible in id order and
  // a consumer's cursor can never pass one that commits later (docs/scale-out.md,
  // "Consumers"). Taken again in each statement rather than remembered: a savepoint rolled
  // back releases it.
  db_.run("SELECT pg_advisory_xact_lock($1)", Params(kCommitOrderLock));
  ordered_ = depth_ > 0;
}

Result PgArchive::write(std::string_view sql, const Params& params) {
  Result result = db_.run(sql, params);
  if (depth_ == 0) ++commits_;
  return result;
}

void PgArchive::idempotent(const std::function<void()>& work) {
  if (depth_ > 0) return work();  // the caller's transaction fails whole
  try {
    work();
  } catch (const PgError& e) {
    // A server error (a SQLSTATE) is the work's own: running it again changes nothing.
    // Without one the connection failed, before or after the server committed: running it
    // once more leaves the state one run leaves, whichever it was.
    if (!e.sqlstate().empty() || !db_.broken()) throw;
    work();
  }
}

Result PgArchive::write_idempotent(std::string_view sql, const Params& params) {
  std::optional<Result> result;
  idempotent([&] { result.emplace(write(sql, params)); });
  return std::move(*result);
}

void PgArchive::transaction(const std::function<void()>& work) {
  if (depth_ == 0) {
    outer_transaction(work);
    return;
  }
  db_.exec("SAVEPOINT nested");
  ++depth_;
  try {
    work();
  } catch (...) {
    --depth_;
    std::erase_if(pending_events_, [&](const PendingEvent& e) { return e.depth > depth_; });
    // Also after an error, which left the transaction failed: rolling back to the savepoint
    // makes it usable again.
    db_.exec_quietly("ROLLBACK TO SAVEPOINT nested");
    db_.exec_quietly("RELEASE SAVEPOINT nested");
    throw;
  }
  --depth_;
  db_.exec("RELEASE SAVEPOINT nested");
  // Its events are the enclosing transaction's now: a later savepoint rolled back keeps them.
  for (PendingEvent& e : pending_events_) e.depth = std::min(e.depth, depth_);
}

void PgArchive::outer_transaction(const std::function<void()>& work) {
  try {
    db_.exec("BEGIN");
  } catch (const PgError&) {
    // A server restarted since the last statement: BEGIN is what finds the connection
    // broken. Nothing was done yet, so connecting again and beginning is safe, and a batch
    // after a restart does not fail for it.
    if (!db_.broken()) throw;
    db_.exec("BEGIN");
  }
  // A connection lost from here on must not come back in the middle: the rest of the work
  // would commit statement by statement.
  db_.allow_reconnect(false);
  depth_ = 1;
  const auto end = [&](const char* sql) {
    depth_ = 0;
    ordered_ = false;
    pending_events_.clear();
    db_.exec_quietly(sql);
    db_.allow_reconnect(true);
  };
  try {
    work();
    if (!db_.failed()) flush_events();  // the commit-order lock, if they need it, only now
  } catch (...) {
    end("ROLLBACK");
    throw;
  }
  if (db_.failed()) {
    // A statement failed and its error was caught inside `work`: COMMIT would only roll
    // back, without a word.
    end("ROLLBACK");
    throw std::runtime_error("archive: PostgreSQL: a statement of the transaction failed; rolled back");
  }
  depth_ = 0;
  ordered_ = false;
  try {
    db_.exec("COMMIT");
  } catch (...) {
    end("ROLLBACK");
    throw;
  }
  db_.allow_reconnect(true);
  ++commits_;
}

// Feeds.

std::int64_t PgArchive::add_feed(const std::string& url, const std::string& title, const std::string& category) {
  std::int64_t id = 0;
  transaction([&] {
    auto inserted = db_.run(
        "INSERT INTO feeds (url, title, category, host) VALUES ($1, $2, $3, $4) ON CONFLICT (url) DO NOTHING "
        "RETURNING id",
        Params(url, title, category, parsers::url_host(url)));
    if (inserted.rows() == 1) {
      id = inserted.integer(0, 0);
      return;
    }
    auto found = db_.run("SELECT id FROM feeds WHERE url = $1", Params(url));
    if (found.rows() == 0) throw std::logic_error("archive: feed neither inserted nor found: " + url);
    id = found.integer(0, 0);
  });
  return id;
}

bool PgArchive::remove_feed(std::int64_t id) {
  // Entries go by ON DELETE CASCADE; articles keep their rows with feed_id set to NULL.
  return write("DELETE FROM feeds WHERE id = $1", Params(id)).affected() > 0;
}

std::optional<FeedRow> PgArchive::feed(std::int64_t id) {
  static const std::string sql = std::string("SELECT ") + kFeedColumns + " FROM feeds WHERE id = $1";
  auto r = db_.run(sql, Params(id));
  if (r.rows() == 0) return std::nullopt;
  return read_feed(r, 0);
}

std::optional<FeedRow> PgArchive::feed_by_url(const std::string& url) {
  static const std::string sql = std::string("SELECT ") + kFeedColumns + " FROM feeds WHERE url = $1";
  auto r = db_.run(sql, Params(url));
  if (r.rows() == 0) return std::nullopt;
  return read_feed(r, 0);
}

std::vector<FeedRow> PgArchive::feeds() {
  static const std::string sql = std::string("SELECT ") + kFeedColumns + " FROM feeds ORDER BY id";
  auto r = db_.run(sql);
  std::vector<FeedRow> rows;
  rows.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) rows.push_back(read_feed(r, i));
  return rows;
}

std::vector<FeedRow> PgArchive::feeds_after(std::int64_t after_id, std::size_t limit) {
  static const std::string sql = std::string("SELECT ") + kFeedColumns + " FROM feeds WHERE id > $1 ORDER BY id LIMIT $2";
  auto r = db_.run(sql, Params(after_id, to_int64(limit)));
  std::vector<FeedRow> rows;
  rows.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) rows.push_back(read_feed(r, i));
  return rows;
}

void PgArchive::update_feed(const FeedRow& row) {
  transaction([&] {
    const bool crosses = crosses_failing(row.id, row.consecutive_failures);
    auto r = db_.run(
        "UPDATE feeds SET url = $2, title = $3, site_url = $4, category = $5, etag = $6, last_modified = $7, "
        "next_poll = $8, interval_s = $9, last_polled = $10, last_new_entry = $11, consecutive_failures = $12, "
        "last_error = $13, enabled = $14, host = $15 WHERE id = $1",
        Params(row.id, row.url, row.title, row.site_url, row.category, row.etag, row.last_modified, row.next_poll,
               row.interval_s, row.last_polled, row.last_new_entry, row.consecutive_failures, row.last_error,
               row.enabled, parsers::url_host(row.url)));
    if (r.affected() == 0) throw std::runtime_error("archive: no feed with id " + std::to_string(row.id));
    if (crosses) record_event(EventType::feed_failing, std::nullopt, row.id);
  });
}

bool PgArchive::crosses_failing(std::int64_t id, int consecutive_failures) {
  // feed.failing once per failing streak: when this update crosses the threshold.
  if (consecutive_failures < kFeedFailingThreshold || !wants_event(EventType::feed_failing)) return false;
  auto r = db_.run("SELECT consecutive_failures FROM feeds WHERE id = $1 FOR UPDATE", Params(id));
  return r.rows() == 1 && r.integer(0, 0) < kFeedFailingThreshold;
}

FeedCounts PgArchive::feed_counts() {
  auto r = db_.run(
      "SELECT count(*) FILTER (WHERE enabled AND consecutive_failures = 0 AND NOT starts_with(last_error, $1)), "
      "count(*) FILTER (WHERE enabled AND consecutive_failures > 0), "
      "count(*) FILTER (WHERE enabled AND consecutive_failures = 0 AND starts_with(last_error, $1)), "
      "count(*) FILTER (WHERE NOT enabled) FROM feeds",
      Params(kBrokenFeedPrefix));
  FeedCounts counts;
  counts.ok = r.integer(0, 0);
  counts.failing = r.integer(0, 1);
  counts.broken = r.integer(0, 2);
  counts.disabled = r.integer(0, 3);
  return counts;
}

// Entries.

#define WINNOW_ENTRY_IS "feed_id = $1 AND md5(entry_key) = md5($2) AND entry_key = $2"

bool PgArchive::has_entry(std::int64_t feed_id, const std::string& entry_key) {
  return db_.run("SELECT 1 FROM entries WHERE " WINNOW_ENTRY_IS, Params(feed_id, entry_key)).rows() > 0;
}

void PgArchive::record_entry(std::int64_t feed_id, const std::string& entry_key,
                             std::optional<std::int64_t> article_id) {
  upsert_entry(feed_id, entry_key, article_id);
  if (depth_ == 0) ++commits_;
}

void PgArchive::upsert_entry(std::int64_t feed_id, const std::string& entry_key,
                             std::optional<std::int64_t> article_id) {
  // A later article replaces an earlier one; recording without an article keeps one. With an
  // article the entry waits for its page no longer.
  db_.run(
      "INSERT INTO entries AS e (feed_id, entry_key, article_id, seen_at) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (feed_id, md5(entry_key)) DO UPDATE SET "
      "article_id = coalesce(excluded.article_id, e.article_id), "
      "verdict = CASE WHEN excluded.article_id IS NULL THEN e.verdict ELSE '' END, "
      "retry_at = CASE WHEN excluded.article_id IS NULL THEN e.retry_at END, "
      "retries = CASE WHEN excluded.article_id IS NULL THEN e.retries ELSE 0 END",
      Params(feed_id, entry_key, article_id, now_s()));
}

void PgArchive::record_entry_retry(const EntryRetry& entry) {
  write(
      "INSERT INTO entries AS e (feed_id, entry_key, article_id, seen_at, url, title, published, verdict, retry_at, "
      "retries) VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9) "
      "ON CONFLICT (feed_id, md5(entry_key)) DO UPDATE SET url = excluded.url, title = excluded.title, "
      "published = excluded.published, verdict = excluded.verdict, retry_at = excluded.retry_at, "
      "retries = excluded.retries WHERE e.article_id IS NULL",
      Params(entry.feed_id, entry.entry_key, now_s(), entry.url, entry.title, entry.published, entry.verdict,
             entry.retry_at, entry.retries));
}

std::optional<EntryRetry> PgArchive::entry_retry(std::int64_t feed_id, const std::string& entry_key) {
  static const std::string sql = std::string("SELECT ") + kEntryRetryColumns +
                                 " FROM entries WHERE " WINNOW_ENTRY_IS " AND article_id IS NULL AND verdict <> ''";
  auto r = db_.run(sql, Params(feed_id, entry_key));
  if (r.rows() == 0) return std::nullopt;
  return read_entry_retry(r, 0);
}

std::vector<EntryRetry> PgArchive::entries_due_for_retry(UnixSeconds now, std::size_t limit) {
  static const std::string sql = std::string("SELECT ") + kEntryRetryColumns +
                                 " FROM entries WHERE retry_at IS NOT NULL AND retry_at <= $1 AND article_id IS NULL "
                                 "ORDER BY retry_at LIMIT $2";
  auto r = db_.run(sql, Params(now, to_int64(limit)));
  std::vector<EntryRetry> entries;
  for (int i = 0; i < r.rows(); ++i) entries.push_back(read_entry_retry(r, i));
  return entries;
}

EntryRetryCounts PgArchive::entry_retry_counts(std::int64_t feed_id) {
  auto r = db_.run(
      "SELECT count(retry_at), count(*) - count(retry_at), min(retry_at) FROM entries "
      "WHERE feed_id = $1 AND article_id IS NULL AND verdict <> ''",
      Params(feed_id));
  EntryRetryCounts counts;
  if (r.rows() == 0) return counts;
  counts.waiting = r.integer(0, 0);
  counts.given_up = r.integer(0, 1);
  counts.next_retry_at = r.optional_integer(0, 2);
  return counts;
}

// Articles.

std::int64_t PgArchive::store_article(const ArticleRow& row) {
  std::int64_t id = 0;
  transaction([&] {
    // ON CONFLICT with no target: any of the unique URL indexes. Another instance's
    // uncommitted row with the same URL makes this wait for its commit, then do nothing.
    static const std::string insert = std::string(kArticleInsert) + "ON CONFLICT DO NOTHING RETURNING id";
    order_commits();  // before the id is taken
    auto inserted = db_.run(insert, article_params(row, now_s()));
    if (inserted.rows() == 0) {
      auto found = db_.run(kArticleByUrls, Params(row.normalized_url, row.canonical_url));
      if (found.rows() == 0 || found.is_null(0, 0))
        throw std::logic_error("archive: article neither inserted nor found: " + row.normalized_url);
      id = found.integer(0, 0);
      if (row.feed_id) upsert_entry(*row.feed_id, row.entry_key, id);
      return;
    }
    id = inserted.integer(0, 0);
    put_raw_page(id, row);
    if (row.feed_id) upsert_entry(*row.feed_id, row.entry_key, id);
    record_event(EventType::article_archived, id, std::nullopt);
    // Heard at commit by every instance's listener (notices.h); nothing if this rolls back.
    db_.run("SELECT pg_notify('" + std::string(kArticlesChannel) + "', $1::text)", Params(id));
  });
  return id;
}

std::optional<ArticleRow> PgArchive::article(std::int64_t id, bool with_raw) {
  static const std::string sql = std::string("SELECT ") + kArticleColumns + " FROM articles WHERE id = $1";
  auto r = db_.run(sql, Params(id));
  if (r.rows() == 0) return std::nullopt;
  ArticleRow row = read_article(r, 0);
  if (with_raw) read_raw_page(row);
  return row;
}

std::optional<std::int64_t> PgArchive::article_by_url(const std::string& normalized_url) {
  auto r = db_.run(kArticleByUrls, Params(normalized_url, normalized_url));
  if (r.rows() == 0) return std::nullopt;
  return r.optional_integer(0, 0);
}

std::vector<std::int64_t> PgArchive::near_duplicates(std::uint64_t fingerprint, int max_distance,
                                                     UnixSeconds fingerprint_since) {
  std::vector<std::int64_t> ids;
  if (max_distance < 0) return ids;
  const auto keep = [&](const Result& r) {
    for (int i = 0; i < r.rows(); ++i) {
      const auto other = std::bit_cast<std::uint64_t>(r.integer(i, 1));
      if (std::popcount(other ^ fingerprint) <= max_distance) ids.push_back(r.integer(i, 0));
    }
  };
  if (max_distance <= kBandedDistance) {
    // Each band's index holds the fingerprint and the id (schema version 6): the lookup reads
    // the indexes only. Unrelated fingerprints share one of the six bands about once in 256,
    // so at a million articles in the window each lookup finds some 4,000 candidates; read
    // from the table, one page each, that took 105-112 ms, from the indexes 7 ms, and 3 ms
    // when the server also leaves out those too far apart (docs/scale-out.md, version 6).
    const auto banded_sql = [](const char* and_also) {
      std::string sql;
      for (int b = 0; b < 6; ++b) {
        if (b > 0) sql += " UNION ";
        sql += "SELECT id, fingerprint FROM articles WHERE fp_band" + std::to_string(b) + " = $" +
               std::to_string(b + 1) + " AND archived_at >= $7" + and_also;
      }
      return sql + " ORDER BY id";
    };
    static const std::string banded = banded_sql("");
    static const std::string banded_within = banded_sql(" AND bit_count((fingerprint # $8)::bit(64)) <= $9");
    const auto band = simhash_bands(fingerprint);
    const Params params(band[0], band[1], band[2], band[3], band[4], band[5], fingerprint_since);
    if (server_counts_bits_) {
      Params within = params;
      within.add(std::bit_cast<std::int64_t>(fingerprint));
      within.add(max_distance);
      keep(db_.run(banded_within, within));
    } else {
      keep(db_.run(banded, params));
    }
  } else {
    // Six bands no longer guarantee a shared one: scan the time window instead.
    keep(db_.run("SELECT id, fingerprint FROM articles WHERE archived_at >= $1 ORDER BY id",
                 Params(fingerprint_since)));
  }
  return ids;
}

void PgArchive::update_extraction(const ArticleRow& row) {
  transaction([&] {
    // article.updated only when a consumer would see other text.
    bool text_changed = false;
    if (wants_event(EventType::article_updated)) {
      auto r = db_.run("SELECT text, body FROM articles WHERE id = $1", Params(row.id));
      text_changed = r.rows() == 1 && stored_text(r, 0, 0, 1) != row.text;
    }
    // The row locked first: a compactor storing the page packed against the body as it is
    // (PgArchive::body_is, FOR SHARE) is waited for, so the page read next is the one to
    // pack again, and none is stored against the old body after this transaction.
    db_.run("SELECT 1 FROM articles WHERE id = $1 FOR UPDATE", Params(row.id));
    const std::optional<StoredRawPage> page = page_on_body(row.id);
    static const std::string sql = std::string("UPDATE articles SET ") + kArticleExtractionSet + " WHERE id = $1";
    if (db_.run(sql, article_params(row, now_s())).affected() == 0)
      throw std::runtime_error("archive: no article with id " + std::to_string(row.id));
    if (page) {
      // Packed against the body it had: packed again against the new one, as ingest would
      // (the compactor packs it at its own level later). The same body (the same text
      // extracted again) leaves it as it is, unread.
      auto current = db_.run("SELECT body, text FROM articles WHERE id = $1", Params(row.id));
      const std::string body = current.bytes(0, 0), text = current.text(0, 1);
      if (body != page->article_body || text != page->article_text) {
        const PageDictionary* dictionary = page->dictionary_id ? &page_dictionary(*page->dictionary_id) : nullptr;
        const std::string plain = unpack_page(page->codec, page->bytes, page->plain_bytes, dictionary,
                                              article_body_plain(page->article_body, page->article_text));
        const PackedPage packed = pack_page(plain, dictionary, kIngestLevel, article_body_plain(body, text));
        db_.run("UPDATE raw_pages SET codec = $2, bytes = $3, compacted_level = NULL WHERE article_id = $1",
                Params(row.id, static_cast<std::int64_t>(packed.codec), Bytes{packed.bytes}));
      }
    }
    if (text_changed) record_event(EventType::article_updated, row.id, std::nullopt);
  });
}

void PgArchive::replace_article(const ArticleRow& row) {
  transaction([&] {
    static const std::string sql = std::string("UPDATE articles SET ") + kArticleReplaceSet + " WHERE id = $1";
    if (db_.run(sql, article_params(row, now_s())).affected() == 0)
      throw std::runtime_error("archive: no article with id " + std::to_string(row.id));
    put_raw_page(row.id, row);
    record_event(EventType::article_updated, row.id, std::nullopt);
  });
}

void PgArchive::update_verdict(const ArticleRow& row) {
  auto r = write("UPDATE articles SET verdict = $2, partial = $3, retry_at = $4, retries = $5 WHERE id = $1",
                 Params(row.id, row.verdict, row.partial, row.retry_at, row.retries));
  if (r.affected() == 0) throw std::runtime_error("archive: no article with id " + std::to_string(row.id));
}

std::vector<ArticleRow> PgArchive::articles_due_for_retry(UnixSeconds now, std::size_t limit) {
  static const std::string sql = std::string("SELECT ") + kArticleColumns +
                                 " FROM articles WHERE retry_at IS NOT NULL AND retry_at <= $1 ORDER BY retry_at "
                                 "LIMIT $2";
  auto r = db_.run(sql, Params(now, to_int64(limit)));
  std::vector<ArticleRow> rows;
  for (int i = 0; i < r.rows(); ++i) rows.push_back(read_article(r, i));
  return rows;
}

std::vector<ArticleRow> PgArchive::articles_after(std::int64_t cursor, std::size_t limit, bool originals_only,
                                                  bool with_raw) {
  static const std::string sql = std::string("SELECT ") + kArticleColumns +
                                 " FROM articles WHERE id > $1 AND (NOT $2 OR duplicate_of IS NULL) ORDER BY id "
                                 "LIMIT $3";
  auto r = db_.run(sql, Params(cursor, originals_only, to_int64(limit)));
  std::vector<ArticleRow> rows;
  for (int i = 0; i < r.rows(); ++i) rows.push_back(read_article(r, i));
  if (with_raw)
    for (auto& row : rows) read_raw_page(row);
  return rows;
}

ArticlePage PgArchive::articles_page(const ArticleQuery& request) {
  // As on SQLite: the newest id first, then the rows up to it, all committed: ids commit
  // in id order across instances (order_commits()).
  const std::int64_t last = last_article_id();
  const std::int64_t until = std::min(last, request.after + kArticlePageScan);
  ArticlePage page;
  page.next = std::max(request.after, until);
  if (request.limit == 0 || until <= request.after) {
    page.more = last > page.next;
    return page;
  }
  static const std::string sql =
      std::string("SELECT ") + kArticleColumns +
      " FROM articles WHERE id > $1 AND id <= $2"
      " AND (cardinality($3::bigint[]) = 0 OR feed_id = ANY($3::bigint[]))"
      " AND ($4 = '' OR lower(language) = lower($4) OR language ILIKE $4 || '-%')"
      " AND (cardinality($5::text[]) = 0 OR verdict = ANY($5::text[]))"
      " AND (NOT $6 OR duplicate_of IS NULL)"
      " ORDER BY id LIMIT $7";
  auto r = db_.run(sql, Params(request.after, until, array_literal(request.feed_ids), request.language,
                               array_literal(request.verdicts), request.originals_only, to_int64(request.limit)));
  for (int i = 0; i < r.rows(); ++i) page.rows.push_back(read_article(r, i));
  if (page.rows.size() == request.limit) page.next = page.rows.back().id;
  page.more = last > page.next;
  return page;
}

std::vector<ArticleRow> PgArchive::latest_articles(const std::vector<std::int64_t>& feed_ids, std::size_t limit) {
  static const std::string sql = std::string("SELECT ") + kArticleColumns +
                                 " FROM articles WHERE feed_id = ANY($1::bigint[]) ORDER BY id DESC LIMIT $2";
  auto r = db_.run(sql, Params(array_literal(feed_ids), to_int64(limit)));
  std::vector<ArticleRow> rows;
  for (int i = 0; i < r.rows(); ++i) rows.push_back(read_article(r, i));
  return rows;
}

std::int64_t PgArchive::last_article_id() {
  return db_.run("SELECT coalesce(max(id), 0) FROM articles").integer(0, 0);
}

std::int64_t PgArchive::article_count() { return db_.run("SELECT count(*) FROM articles").integer(0, 0); }

void PgArchive::put_raw_page(std::int64_t article_id, const ArticleRow& row) {
  if (!row.raw_packed && row.raw.empty() && row.http_head.empty()) return;
  std::optional<PackedPage> packed_here;  // when the caller did not pack it
  if (!row.raw_packed) packed_here = pack_page(row.raw);
  const PackedPage& page = row.raw_packed ? *row.raw_packed : *packed_here;
  db_.run(
      "INSERT INTO raw_pages (article_id, codec, plain_bytes, bytes, http_head, dictionary_id, host) "
      "VALUES ($1, $2, $3, $4, nullif($5, ''), $6, $7) "
      "ON CONFLICT (article_id) DO UPDATE SET codec = excluded.codec, plain_bytes = excluded.plain_bytes, "
      "bytes = excluded.bytes, http_head = excluded.http_head, dictionary_id = excluded.dictionary_id, "
      "host = excluded.host, compacted_level = NULL",
      Params(article_id, static_cast<std::int64_t>(page.codec), to_int64(page.plain_bytes), Bytes{page.bytes},
             row.http_head, page.dictionary_id, parsers::url_host(row.url)));
}

void PgArchive::read_raw_page(ArticleRow& row) {
  // The body only for a page packed against it (it is TOASTed: not read otherwise).
  auto r = db_.run(
      "SELECT r.codec, r.plain_bytes, r.bytes, coalesce(r.http_head, ''), r.dictionary_id, "
      "CASE WHEN r.codec = $2 THEN a.body END, CASE WHEN r.codec = $2 THEN a.text END "
      "FROM raw_pages r JOIN articles a ON a.id = r.article_id WHERE r.article_id = $1",
      Params(row.id, static_cast<std::int64_t>(PageCodec::zstd_article)));
  if (r.rows() == 0) return;
  const auto codec = static_cast<PageCodec>(r.integer(0, 0));
  const auto dictionary_id = r.optional_integer(0, 4);
  if (codec == PageCodec::zstd_dictionary && !dictionary_id)
    throw std::runtime_error("archive: the raw page of article " + std::to_string(row.id) +
                             " was packed with a dictionary and names none");
  const PageDictionary* dictionary = dictionary_id ? &page_dictionary(*dictionary_id) : nullptr;
  const std::string article =
      codec == PageCodec::zstd_article ? article_body_plain(r.bytes(0, 5), r.text(0, 6)) : std::string();
  row.raw = unpack_page(codec, r.bytes(0, 2), static_cast<std::size_t>(r.integer(0, 1)), dictionary, article);
  row.http_head = r.text(0, 3);
}

// Page dictionaries.

const PageDictionary& PgArchive::page_dictionary(std::int64_t id) {
  auto it = dictionaries_.find(id);
  if (it != dictionaries_.end()) return *it->second;
  // Read ones are kept, but not all: an export or a reader going through pages of thousands of
  // hosts would hold every dictionary (some 550 KB each with zstd's DDict). No reference
  // given out outlives the call that asked for it.
  if (dictionaries_.size() >= kMaxHeldDictionaries) dictionaries_.clear();
  auto r = db_.run("SELECT bytes FROM page_dictionaries WHERE id = $1", Params(id));
  if (r.rows() == 0) throw std::runtime_error("archive: no page dictionary " + std::to_string(id));
  return *dictionaries_.emplace(id, std::make_unique<PageDictionary>(id, unpack_stored_dictionary(r.bytes(0, 0))))
              .first->second;
}

std::int64_t PgArchive::add_page_dictionary(const std::string& host, const std::string& bytes) {
  auto r = write("INSERT INTO page_dictionaries (host, created_at, bytes) VALUES ($1, $2, $3) RETURNING id",
                 Params(host, now_s(), Bytes{pack_stored_dictionary(bytes)}));
  return r.integer(0, 0);
}

std::vector<PageDictionaryRow> PgArchive::page_dictionaries() {
  auto r = db_.run(std::string("SELECT ") + kDictionaryColumns + " FROM page_dictionaries ORDER BY id");
  std::vector<PageDictionaryRow> rows;
  for (int i = 0; i < r.rows(); ++i) rows.push_back(read_dictionary(r, i));
  return rows;
}

std::vector<PageDictionaryRow> PgArchive::newest_page_dictionaries(std::size_t max_bytes) {
  // A few rows a statement: libpq holds a whole result in memory, and there may be
  // thousands of hosts.
  constexpr std::int64_t kRowsAStatement = 8;
  std::vector<PageDictionaryRow> rows;
  std::size_t bytes = 0;
  std::int64_t below = std::numeric_limits<std::int64_t>::max();
  while (bytes < max_bytes) {
    auto r = db_.run(std::string("SELECT ") + kDictionaryColumns +
                         " FROM page_dictionaries d WHERE id < $1 "
                         "AND id = (SELECT max(id) FROM page_dictionaries n WHERE n.host = d.host) "
                         "ORDER BY id DESC LIMIT $2",
                     Params(below, kRowsAStatement));
    for (int i = 0; i < r.rows() && bytes < max_bytes; ++i) {
      rows.push_back(read_dictionary(r, i));
      bytes += rows.back().bytes.size();
    }
    if (r.rows() < kRowsAStatement) break;
    below = r.integer(r.rows() - 1, 0);
  }
  return rows;
}

}  // namespace winnow::archive::postgres
