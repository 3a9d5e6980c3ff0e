// Archive on SQLite: the class. The C API stays behind handles.h, the schema in schema.cc.
#include "daemon/archive/sqlite/sqlite_archive.h"

#include <sqlite3.h>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <bit>
#include <ctime>
#include <limits>
#include <stdexcept>
#include <utility>

#include "daemon/archive/article_codec.h"
#include "daemon/archive/compress.h"
#include "daemon/archive/simhash_bands.h"
#include "daemon/archive/sqlite/rows.h"
#include "daemon/archive/sqlite/schema.h"
#include "parsers/url/normalize.h"

namespace winnow::archive {
namespace sqlite {
namespace {

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::int64_t to_int64(std::size_t n) {
  return n > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())
             ? std::numeric_limits<std::int64_t>::max()
             : static_cast<std::int64_t>(n);
}

// Binds every column of `row`, for the INSERT of store_article and the UPDATE of
// replace_article alike, which use of them what they write: ?1 id, ?2 feed_id, ?3 entry_key,
// ?4 url ... ?16-?19 text, markdown, blocks_json, removed_json (empty: kept in the body),
// ?20 fingerprint, ?21-?26 its bands, ?27 duplicate_of ... ?32 fetched_at, ?33 archived_at,
// ?34 extractor_version ... ?38 retries, ?39 the packed body (article_codec.h).
void bind_article(Query& q, const ArticleRow& row, std::int64_t archived_at) {
  const auto band = simhash_bands(row.fingerprint);
  const std::string body = pack_article_body(row);
  q.bind(row.id, row.feed_id, row.entry_key, row.url, row.normalized_url, row.canonical_url, row.title, row.authors,
         row.published, row.modified, row.site_name, row.language, row.description, row.image, row.tags, "", "", "",
         "", std::bit_cast<std::int64_t>(row.fingerprint), band[0], band[1], band[2], band[3], band[4], band[5],
         row.duplicate_of, row.source, row.http_status, row.content_type, row.charset, row.fetched_at, archived_at,
         row.extractor_version, row.verdict, row.partial, row.retry_at, row.retries, Blob{body});
}

}  // namespace

SqliteArchive::SqliteArchive(const std::string& path, OpenMode mode) : db_(open_database(path, mode)) {
  count_commits(db_.get(), &commits_);
  if (mode == OpenMode::read_only) {
    require_current_version(db_.get(), path);
    return;
  }
  configure(db_.get(), path);
  migrate(db_.get(), path, [this](const std::function<void()>& work) { transaction(work); });
}

void SqliteArchive::transaction(const std::function<void()>& work) {
  if (depth_ == 0) {
    outer_transaction(work);
    return;
  }
  if (poisoned_ || is_autocommit(db_.get())) {
    poisoned_ = true;
    throw std::runtime_error("archive: the enclosing transaction was already rolled back by SQLite");
  }
  // Savepoints of one name stack: RELEASE and ROLLBACK TO act on the innermost.
  query("SAVEPOINT nested").run();
  ++depth_;
  try {
    work();
  } catch (...) {
    --depth_;
    if (is_autocommit(db_.get())) {
      // Some errors (disk full, I/O) make SQLite roll back the whole transaction; the
      // outer one must not commit what ran after that in autocommit mode.
      poisoned_ = true;
    } else {
      exec_quietly(db_.get(), "ROLLBACK TO nested");
      exec_quietly(db_.get(), "RELEASE nested");
    }
    throw;
  }
  --depth_;
  query("RELEASE nested").run();
}

std::int64_t SqliteArchive::add_feed(const std::string& url, const std::string& title, const std::string& category) {
  std::int64_t id = 0;
  transaction([&] {
    query("INSERT INTO feeds (url, title, category, host) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (url) DO NOTHING")
        .bind(url, title, category, parsers::url_host(url))
        .run();
    if (changes(db_.get()) == 1) {
      id = last_insert_rowid(db_.get());
      return;
    }
    auto q = query("SELECT id FROM feeds WHERE url = ?1");
    q.bind(url);
    if (!q.step()) throw std::logic_error("archive: feed neither inserted nor found: " + url);
    id = q.integer(0);
  });
  return id;
}

bool SqliteArchive::remove_feed(std::int64_t id) {
  // Entries go by ON DELETE CASCADE; articles keep their rows with feed_id set to NULL.
  query("DELETE FROM feeds WHERE id = ?1").bind(id).run();
  return changes(db_.get()) > 0;
}

std::optional<FeedRow> SqliteArchive::feed(std::int64_t id) {
  static const std::string sql = std::string("SELECT ") + kFeedColumns + " FROM feeds WHERE id = ?1";
  auto q = query(sql);
  q.bind(id);
  if (!q.step()) return std::nullopt;
  return read_feed(q);
}

std::optional<FeedRow> SqliteArchive::feed_by_url(const std::string& url) {
  static const std::string sql = std::string("SELECT ") + kFeedColumns + " FROM feeds WHERE url = ?1";
  auto q = query(sql);
  q.bind(url);
  if (!q.step()) return std::nullopt;
  return read_feed(q);
}

std::vector<FeedRow> SqliteArchive::feeds() {
  static const std::string sql = std::string("SELECT ") + kFeedColumns + " FROM feeds ORDER BY id";
  auto q = query(sql);
  std::vector<FeedRow> rows;
  while (q.step()) rows.push_back(read_feed(q));
  return rows;
}

std::vector<FeedRow> SqliteArchive::feeds_after(std::int64_t after_id, std::size_t limit) {
  static const std::string sql = std::string("SELECT ") + kFeedColumns + " FROM feeds WHERE id > ?1 ORDER BY id LIMIT ?2";
  auto q = query(sql);
  q.bind(after_id, to_int64(limit));
  std::vector<FeedRow> rows;
  while (q.step()) rows.push_back(read_feed(q));
  return rows;
}

void SqliteArchive::update_feed(const FeedRow& row) {
  transaction([&] {
    const bool crosses = crosses_failing(row.id, row.consecutive_failures);
    query(
        "UPDATE feeds SET url = ?2, title = ?3, site_url = ?4, category = ?5, etag = ?6, last_modified = ?7, "
        "next_poll = ?8, interval_s = ?9, last_polled = ?10, last_new_entry = ?11, consecutive_failures = ?12, "
        "last_error = ?13, enabled = ?14, host = ?15 WHERE id = ?1")
        .bind(row.id, row.url, row.title, row.site_url, row.category, row.etag, row.last_modified, row.next_poll,
              row.interval_s, row.last_polled, row.last_new_entry, row.consecutive_failures, row.last_error,
              row.enabled, parsers::url_host(row.url))
        .run();
    if (changes(db_.get()) == 0) throw std::runtime_error("archive: no feed with id " + std::to_string(row.id));
    if (crosses) record_event(EventType::feed_failing, std::nullopt, row.id);
  });
}

bool SqliteArchive::crosses_failing(std::int64_t id, int consecutive_failures) {
  // feed.failing once per failing streak: when this update crosses the threshold.
  if (consecutive_failures < kFeedFailingThreshold || !wants_event(EventType::feed_failing)) return false;
  auto q = query("SELECT consecutive_failures FROM feeds WHERE id = ?1");
  q.bind(id);
  return q.step() && q.integer(0) < kFeedFailingThreshold;
}

FeedCounts SqliteArchive::feed_counts() {
  auto q = query(
      "SELECT coalesce(sum(enabled AND consecutive_failures = 0 AND substr(last_error, 1, length(?1)) <> ?1), 0), "
      "coalesce(sum(enabled AND consecutive_failures > 0), 0), "
      "coalesce(sum(enabled AND consecutive_failures = 0 AND substr(last_error, 1, length(?1)) = ?1), 0), "
      "coalesce(sum(NOT enabled), 0) FROM feeds");
  q.bind(kBrokenFeedPrefix);
  FeedCounts counts;
  if (!q.step()) return counts;
  counts.ok = q.integer(0);
  counts.failing = q.integer(1);
  counts.broken = q.integer(2);
  counts.disabled = q.integer(3);
  return counts;
}

bool SqliteArchive::has_entry(std::int64_t feed_id, const std::string& entry_key) {
  auto q = query("SELECT 1 FROM entries WHERE feed_id = ?1 AND entry_key = ?2");
  q.bind(feed_id, entry_key);
  return q.step();
}

void SqliteArchive::record_entry(std::int64_t feed_id, const std::string& entry_key,
                                 std::optional<std::int64_t> article_id) {
  upsert_entry(feed_id, entry_key, article_id);
}

void SqliteArchive::record_entry_retry(const EntryRetry& entry) {
  query(
      "INSERT INTO entries (feed_id, entry_key, article_id, seen_at, url, title, published, verdict, retry_at, "
      "retries) VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
      "ON CONFLICT (feed_id, entry_key) DO UPDATE SET url = excluded.url, title = excluded.title, "
      "published = excluded.published, verdict = excluded.verdict, retry_at = excluded.retry_at, "
      "retries = excluded.retries WHERE article_id IS NULL")
      .bind(entry.feed_id, entry.entry_key, now_s(), entry.url, entry.title, entry.published, entry.verdict,
            entry.retry_at, entry.retries)
      .run();
}

std::optional<EntryRetry> SqliteArchive::entry_retry(std::int64_t feed_id, const std::string& entry_key) {
  static const std::string sql = std::string("SELECT ") + kEntryRetryColumns +
                                 " FROM entries WHERE feed_id = ?1 AND entry_key = ?2 AND article_id IS NULL "
                                 "AND verdict <> ''";
  auto q = query(sql);
  q.bind(feed_id, entry_key);
  if (!q.step()) return std::nullopt;
  return read_entry_retry(q);
}

std::vector<EntryRetry> SqliteArchive::entries_due_for_retry(UnixSeconds now, std::size_t limit) {
  static const std::string sql = std::string("SELECT ") + kEntryRetryColumns +
                                 " FROM entries WHERE retry_at IS NOT NULL AND retry_at <= ?1 AND article_id IS NULL "
                                 "ORDER BY retry_at LIMIT ?2";
  auto q = query(sql);
  q.bind(now, to_int64(limit));
  std::vector<EntryRetry> entries;
  while (q.step()) entries.push_back(read_entry_retry(q));
  return entries;
}

EntryRetryCounts SqliteArchive::entry_retry_counts(std::int64_t feed_id) {
  // Reads the feed's own entries (the primary key's prefix); for `winnow feeds list`.
  auto q = query(
      "SELECT count(retry_at), count(*) - count(retry_at), min(retry_at) FROM entries "
      "WHERE feed_id = ?1 AND article_id IS NULL AND verdict <> ''");
  q.bind(feed_id);
  EntryRetryCounts counts;
  if (!q.step()) return counts;
  counts.waiting = q.integer(0);
  counts.given_up = q.integer(1);
  counts.next_retry_at = q.optional_integer(2);
  return counts;
}

std::int64_t SqliteArchive::store_article(const ArticleRow& row) {
  std::int64_t id = 0;
  transaction([&] {
    auto q = query(
        "INSERT INTO articles (feed_id, entry_key, url, normalized_url, canonical_url, title, authors, published, "
        "modified, site_name, language, description, image, tags, text, markdown, blocks_json, removed_json, "
        "fingerprint, fp_band0, fp_band1, fp_band2, fp_band3, fp_band4, fp_band5, duplicate_of, source, "
        "http_status, content_type, charset, fetched_at, archived_at, extractor_version, verdict, partial, "
        "retry_at, retries, body) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
        "?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39)");
    bind_article(q, row, now_s());
    q.run();
    id = last_insert_rowid(db_.get());
    put_raw_page(id, row);
    if (row.feed_id) upsert_entry(*row.feed_id, row.entry_key, id);
    record_event(EventType::article_archived, id, std::nullopt);
  });
  return id;
}

std::int64_t SqliteArchive::import_articles(const std::vector<ArticleRow>& rows) {
  // store_article's INSERT with the id and archived_at given; no entry, no event. SQLite holds
  // any number of articles per URL, so no URL is ever dropped here.
  transaction([&] {
    for (const ArticleRow& row : rows) {
      auto q = query(
          "INSERT INTO articles (id, feed_id, entry_key, url, normalized_url, canonical_url, title, authors, "
          "published, modified, site_name, language, description, image, tags, text, markdown, blocks_json, "
          "removed_json, fingerprint, fp_band0, fp_band1, fp_band2, fp_band3, fp_band4, fp_band5, duplicate_of, "
          "source, http_status, content_type, charset, fetched_at, archived_at, extractor_version, verdict, partial, "
          "retry_at, retries, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
          "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, "
          "?38, ?39) ON CONFLICT (id) DO NOTHING");
      bind_article(q, row, row.archived_at);
      q.run();
      if (changes(db_.get()) == 0) continue;  // copied before
      put_raw_page(row.id, row);
    }
  });
  return 0;
}

std::optional<ArticleRow> SqliteArchive::article(std::int64_t id, bool with_raw) {
  std::optional<ArticleRow> row;
  {
    static const std::string sql = std::string("SELECT ") + kArticleColumns + " FROM articles WHERE id = ?1";
    auto q = query(sql);
    q.bind(id);
    if (!q.step()) return std::nullopt;
    row = read_article(q);
  }
  if (with_raw) read_raw_page(*row);
  return row;
}

std::optional<std::int64_t> SqliteArchive::article_by_url(const std::string& normalized_url) {
  // Two probes, one per index; the oldest copy wins.
  auto q = query(
      "SELECT min(id) FROM (SELECT id FROM articles WHERE normalized_url = ?1 "
      "UNION ALL SELECT id FROM articles WHERE canonical_url = ?1 AND canonical_url <> '')");
  q.bind(normalized_url);
  if (!q.step()) return std::nullopt;
  return q.optional_integer(0);
}

std::vector<std::int64_t> SqliteArchive::near_duplicates(std::uint64_t fingerprint, int max_distance,
                                                         UnixSeconds fingerprint_since) {
  std::vector<std::int64_t> ids;
  if (max_distance < 0) return ids;
  const auto keep = [&](const Query& q) {
    const auto other = std::bit_cast<std::uint64_t>(q.integer(1));
    if (std::popcount(other ^ fingerprint) <= max_distance) ids.push_back(q.integer(0));
  };
  if (max_distance <= kBandedDistance) {
    const auto band = simhash_bands(fingerprint);
    auto q = query(
        "SELECT id, fingerprint FROM articles WHERE fp_band0 = ?1 AND archived_at >= ?7 "
        "UNION SELECT id, fingerprint FROM articles WHERE fp_band1 = ?2 AND archived_at >= ?7 "
        "UNION SELECT id, fingerprint FROM articles WHERE fp_band2 = ?3 AND archived_at >= ?7 "
        "UNION SELECT id, fingerprint FROM articles WHERE fp_band3 = ?4 AND archived_at >= ?7 "
        "UNION SELECT id, fingerprint FROM articles WHERE fp_band4 = ?5 AND archived_at >= ?7 "
        "UNION SELECT id, fingerprint FROM articles WHERE fp_band5 = ?6 AND archived_at >= ?7 "
        "ORDER BY id");
    q.bind(band[0], band[1], band[2], band[3], band[4], band[5], fingerprint_since);
    while (q.step()) keep(q);
  } else {
    // Six bands no longer guarantee a shared one: scan the time window instead.
    auto q = query("SELECT id, fingerprint FROM articles WHERE archived_at >= ?1 ORDER BY id");
    q.bind(fingerprint_since);
    while (q.step()) keep(q);
  }
  return ids;
}

void SqliteArchive::update_extraction(const ArticleRow& row) {
  // Feed, entry, URL, fetch facts, raw bytes and duplicate_of stay as archived.
  const auto band = simhash_bands(row.fingerprint);
  transaction([&] {
    // article.updated only when a consumer would see other text: a new extractor version
    // that extracts the same is no news.
    bool text_changed = false;
    if (wants_event(EventType::article_updated)) {
      auto q = query("SELECT winnow_article_text(body, text) <> ?2 FROM articles WHERE id = ?1");
      q.bind(row.id, row.text);
      text_changed = q.step() && q.integer(0) != 0;
    }
    const std::optional<StoredRawPage> page = page_on_body(row.id);
    const std::string body = pack_article_body(row);
    query(
        "UPDATE articles SET canonical_url = ?2, title = ?3, authors = ?4, published = ?5, modified = ?6, "
        "site_name = ?7, language = ?8, description = ?9, image = ?10, tags = ?11, text = '', markdown = '', "
        "blocks_json = '', removed_json = '', fingerprint = ?16, fp_band0 = ?17, fp_band1 = ?18, "
        "fp_band2 = ?19, fp_band3 = ?20, fp_band4 = ?21, fp_band5 = ?22, source = ?23, extractor_version = ?24, "
        "verdict = ?25, partial = ?26, retry_at = ?27, retries = ?28, body = ?29 WHERE id = ?1")
        .bind(row.id, row.canonical_url, row.title, row.authors, row.published, row.modified, row.site_name,
              row.language, row.description, row.image, row.tags, "", "", "", "",
              std::bit_cast<std::int64_t>(row.fingerprint), band[0], band[1], band[2], band[3], band[4], band[5],
              row.source, row.extractor_version, row.verdict, row.partial, row.retry_at, row.retries,
              Blob{body})
        .run();
    if (changes(db_.get()) == 0) throw std::runtime_error("archive: no article with id " + std::to_string(row.id));
    if (page && page->article_body != body) {
      // Packed against the body it had: packed again against the new one, as ingest would
      // (the compactor packs it at its own level later). The same body (the same text
      // extracted again) leaves it as it is, unread.
      const PageDictionary* dictionary = page->dictionary_id ? &page_dictionary(*page->dictionary_id) : nullptr;
      const std::string plain = unpack_page(page->codec, page->bytes, page->plain_bytes, dictionary,
                                            article_body_plain(page->article_body));
      const PackedPage packed = pack_page(plain, dictionary, kIngestLevel, article_body_plain(body));
      query("UPDATE raw_pages SET codec = ?2, bytes = ?3, compacted_level = NULL WHERE article_id = ?1")
          .bind(row.id, static_cast<std::int64_t>(packed.codec), Blob{packed.bytes})
          .run();
    }
    if (text_changed) record_event(EventType::article_updated, row.id, std::nullopt);
  });
}

void SqliteArchive::replace_article(const ArticleRow& row) {
  transaction([&] {
    auto q = query(
        "UPDATE articles SET url = ?4, normalized_url = ?5, canonical_url = ?6, title = ?7, authors = ?8, "
        "published = ?9, modified = ?10, site_name = ?11, language = ?12, description = ?13, image = ?14, "
        "tags = ?15, text = ?16, markdown = ?17, blocks_json = ?18, removed_json = ?19, fingerprint = ?20, "
        "fp_band0 = ?21, fp_band1 = ?22, fp_band2 = ?23, fp_band3 = ?24, fp_band4 = ?25, fp_band5 = ?26, "
        "duplicate_of = ?27, source = ?28, http_status = ?29, content_type = ?30, charset = ?31, "
        "fetched_at = ?32, extractor_version = ?34, verdict = ?35, partial = ?36, retry_at = ?37, "
        "retries = ?38, body = ?39 WHERE id = ?1");
    bind_article(q, row, now_s());
    q.run();
    if (changes(db_.get()) == 0) throw std::runtime_error("archive: no article with id " + std::to_string(row.id));
    put_raw_page(row.id, row);
    record_event(EventType::article_updated, row.id, std::nullopt);
  });
}

void SqliteArchive::update_verdict(const ArticleRow& row) {
  query("UPDATE articles SET verdict = ?2, partial = ?3, retry_at = ?4, retries = ?5 WHERE id = ?1")
      .bind(row.id, row.verdict, row.partial, row.retry_at, row.retries)
      .run();
  if (changes(db_.get()) == 0) throw std::runtime_error("archive: no article with id " + std::to_string(row.id));
}

std::vector<ArticleRow> SqliteArchive::articles_due_for_retry(UnixSeconds now, std::size_t limit) {
  static const std::string sql = std::string("SELECT ") + kArticleColumns +
                                 " FROM articles WHERE retry_at IS NOT NULL AND retry_at <= ?1 ORDER BY retry_at "
                                 "LIMIT ?2";
  auto q = query(sql);
  q.bind(now, to_int64(limit));
  std::vector<ArticleRow> rows;
  while (q.step()) rows.push_back(read_article(q));
  return rows;
}

std::vector<ArticleRow> SqliteArchive::articles_after(std::int64_t cursor, std::size_t limit, bool originals_only,
                                                      bool with_raw) {
  std::vector<ArticleRow> rows;
  {
    static const std::string sql =
        std::string("SELECT ") + kArticleColumns +
        " FROM articles WHERE id > ?1 AND (?2 = 0 OR duplicate_of IS NULL) ORDER BY id LIMIT ?3";
    auto q = query(sql);
    q.bind(cursor, originals_only, to_int64(limit));
    while (q.step()) rows.push_back(read_article(q));
  }
  if (with_raw)
    for (auto& row : rows) read_raw_page(row);
  return rows;
}

ArticlePage SqliteArchive::articles_page(const ArticleQuery& request) {
  // The newest id first: every row up to it is committed (one writer, ids in commit order),
  // so reading the rows after it cannot see a later commit out of order.
  const std::int64_t last = last_article_id();
  const std::int64_t until = std::min(last, request.after + kArticlePageScan);
  ArticlePage page;
  page.next = std::max(request.after, until);
  if (request.limit == 0 || until <= request.after) {
    page.more = last > page.next;
    return page;
  }
  // Lists go in as JSON arrays: one statement, whatever their length.
  auto json_list = [](const auto& values) {
    boost::json::array a;
    for (const auto& v : values) a.emplace_back(v);
    return values.empty() ? std::string() : boost::json::serialize(a);
  };
  static const std::string sql =
      std::string("SELECT ") + kArticleColumns +
      " FROM articles WHERE id > ?1 AND id <= ?2"
      " AND (?3 = '' OR feed_id IN (SELECT value FROM json_each(?3)))"
      " AND (?4 = '' OR lower(language) = lower(?4) OR language LIKE ?4 || '-%')"
      " AND (?5 = '' OR verdict IN (SELECT value FROM json_each(?5)))"
      " AND (?6 = 0 OR duplicate_of IS NULL)"
      " ORDER BY id LIMIT ?7";
  auto q = query(sql);
  q.bind(request.after, until, json_list(request.feed_ids), request.language, json_list(request.verdicts),
         request.originals_only, to_int64(request.limit));
  while (q.step()) page.rows.push_back(read_article(q));
  if (page.rows.size() == request.limit) page.next = page.rows.back().id;
  page.more = last > page.next;
  return page;
}

std::vector<ArticleRow> SqliteArchive::latest_articles(const std::vector<std::int64_t>& feed_ids, std::size_t limit) {
  boost::json::array ids;
  for (auto id : feed_ids) ids.emplace_back(id);
  static const std::string sql = std::string("SELECT ") + kArticleColumns +
                                 " FROM articles WHERE feed_id IN (SELECT value FROM json_each(?1))"
                                 " ORDER BY id DESC LIMIT ?2";
  auto q = query(sql);
  q.bind(boost::json::serialize(ids), to_int64(limit));
  std::vector<ArticleRow> rows;
  while (q.step()) rows.push_back(read_article(q));
  return rows;
}

std::int64_t SqliteArchive::last_article_id() {
  auto q = query("SELECT coalesce(max(id), 0) FROM articles");
  q.step();
  return q.integer(0);
}

std::int64_t SqliteArchive::article_count() {
  auto q = query("SELECT count(*) FROM articles");
  q.step();
  return q.integer(0);
}

std::vector<SearchHit> SqliteArchive::search(const std::string& fts_query, std::size_t limit) {
  // Column weights for bm25: title 4, text 1. Not tuned: a word in the title says more
  // about the story than one more occurrence in the body. The snippet comes from the text
  // (column 1) since the title is returned beside it; 24 tokens is about a line.
  //
  // Two steps: every match must be scored to find the best, but only the best few need a
  // snippet and their row of articles. In one query SQLite computes every result column of
  // every match before sorting them, snippets included: a common word matching thousands
  // of articles cost that many snippets for ten shown.
  auto q = query(
      "SELECT a.id, a.title, a.url, snippet(articles_fts, 1, '[', ']', '…', 24), "
      "bm25(articles_fts, 4.0, 1.0) AS score "
      "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
      "WHERE articles_fts MATCH ?1 AND articles_fts.rowid IN ("
      "  SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?1 "
      "  ORDER BY bm25(articles_fts, 4.0, 1.0) LIMIT ?2) "
      "ORDER BY score LIMIT ?2");
  q.bind(fts_query, to_int64(limit));
  std::vector<SearchHit> hits;
  try {
    while (q.step()) hits.push_back(SearchHit{q.integer(0), q.text(1), q.text(2), q.text(3), q.real(4)});
  } catch (const StorageFull&) {
    throw;
  } catch (const std::runtime_error&) {
    // The statement is fixed: a plain SQLITE_ERROR from it is FTS5 refusing the MATCH
    // expression. I/O, corruption and busy errors have codes of their own.
    if (sqlite3_extended_errcode(db_.get()) == SQLITE_ERROR) throw BadSearchQuery(sqlite3_errmsg(db_.get()));
    throw;
  }
  return hits;
}

Query SqliteArchive::query(std::string_view sql) {
  if (depth_ > 0 && is_autocommit(db_.get())) {
    // The transaction is gone (SQLite rolled it back after an I/O error or the like):
    // anything run now would commit alone.
    poisoned_ = true;
    throw std::runtime_error("archive: the transaction was rolled back by SQLite");
  }
  auto it = statements_.find(sql);
  if (it == statements_.end()) it = statements_.emplace(std::string(sql), prepare(db_.get(), sql)).first;
  return Query(db_.get(), it->second.get());
}

void SqliteArchive::outer_transaction(const std::function<void()>& work) {
  // IMMEDIATE takes the write lock now: a deferred transaction that reads first and then
  // writes can fail with SQLITE_BUSY halfway instead of waiting.
  query("BEGIN IMMEDIATE").run();
  depth_ = 1;
  poisoned_ = false;
  try {
    work();
  } catch (...) {
    depth_ = 0;
    exec_quietly(db_.get(), "ROLLBACK");
    throw;
  }
  depth_ = 0;
  if (poisoned_) {
    exec_quietly(db_.get(), "ROLLBACK");
    throw std::runtime_error("archive: SQLite rolled the transaction back after an error");
  }
  try {
    query("COMMIT").run();
  } catch (...) {
    exec_quietly(db_.get(), "ROLLBACK");
    throw;
  }
}

void SqliteArchive::upsert_entry(std::int64_t feed_id, const std::string& entry_key,
                                 std::optional<std::int64_t> article_id) {
  // A later article replaces an earlier one; recording without an article keeps one. With an
  // article the entry waits for its page no longer.
  query(
      "INSERT INTO entries (feed_id, entry_key, article_id, seen_at) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (feed_id, entry_key) DO UPDATE SET article_id = coalesce(excluded.article_id, article_id), "
      "verdict = iif(excluded.article_id IS NULL, verdict, ''), "
      "retry_at = iif(excluded.article_id IS NULL, retry_at, NULL), "
      "retries = iif(excluded.article_id IS NULL, retries, 0)")
      .bind(feed_id, entry_key, article_id, now_s())
      .run();
}

void SqliteArchive::put_raw_page(std::int64_t article_id, const ArticleRow& row) {
  if (!row.raw_packed && row.raw.empty() && row.http_head.empty()) return;
  std::optional<PackedPage> packed_here;  // when the caller did not pack it
  if (!row.raw_packed) packed_here = pack_page(row.raw);
  const PackedPage& page = row.raw_packed ? *row.raw_packed : *packed_here;
  query(
      "INSERT INTO raw_pages (article_id, codec, plain_bytes, bytes, http_head, dictionary_id, host) "
      "VALUES (?1, ?2, ?3, ?4, nullif(?5, ''), ?6, ?7) "
      "ON CONFLICT (article_id) DO UPDATE SET codec = excluded.codec, plain_bytes = excluded.plain_bytes, "
      "bytes = excluded.bytes, http_head = excluded.http_head, dictionary_id = excluded.dictionary_id, "
      "host = excluded.host, compacted_level = NULL")
      .bind(article_id, static_cast<std::int64_t>(page.codec), to_int64(page.plain_bytes), Blob{page.bytes},
            row.http_head, page.dictionary_id, parsers::url_host(row.url))
      .run();
}

void SqliteArchive::read_raw_page(ArticleRow& row) {
  auto q = query(
      "SELECT r.codec, r.plain_bytes, r.bytes, r.http_head, r.dictionary_id, a.body "
      "FROM raw_pages r JOIN articles a ON a.id = r.article_id WHERE r.article_id = ?1");
  q.bind(row.id);
  if (!q.step()) return;
  const auto codec = static_cast<PageCodec>(q.integer(0));
  const auto dictionary_id = q.optional_integer(4);
  if (codec == PageCodec::zstd_dictionary && !dictionary_id)
    throw std::runtime_error("archive: the raw page of article " + std::to_string(row.id) +
                             " was packed with a dictionary and names none");
  const PageDictionary* dictionary = dictionary_id ? &page_dictionary(*dictionary_id) : nullptr;
  const std::string article = codec == PageCodec::zstd_article ? article_body_plain(q.blob(5)) : std::string();
  row.raw = unpack_page(codec, q.blob(2), static_cast<std::size_t>(q.integer(1)), dictionary, article);
  row.http_head = q.text(3);
}

const PageDictionary& SqliteArchive::page_dictionary(std::int64_t id) {
  auto it = dictionaries_.find(id);
  if (it != dictionaries_.end()) return *it->second;
  // Read ones are kept, but not all: an export or a reader going through pages of thousands of
  // hosts would hold every dictionary (some 550 KB each with zstd's DDict). No reference
  // given out outlives the call that asked for it.
  if (dictionaries_.size() >= kMaxHeldDictionaries) dictionaries_.clear();
  auto q = query("SELECT bytes FROM page_dictionaries WHERE id = ?1");
  q.bind(id);
  if (!q.step()) throw std::runtime_error("archive: no page dictionary " + std::to_string(id));
  return *dictionaries_.emplace(id, std::make_unique<PageDictionary>(id, unpack_stored_dictionary(q.blob(0))))
              .first->second;
}

std::int64_t SqliteArchive::add_page_dictionary(const std::string& host, const std::string& bytes) {
  query("INSERT INTO page_dictionaries (host, created_at, bytes) VALUES (?1, ?2, ?3)")
      .bind(host, now_s(), Blob{pack_stored_dictionary(bytes)})
      .run();
  return last_insert_rowid(db_.get());
}

std::vector<PageDictionaryRow> SqliteArchive::page_dictionaries() {
  auto q = query(std::string("SELECT ") + kDictionaryColumns + " FROM page_dictionaries ORDER BY id");
  std::vector<PageDictionaryRow> rows;
  while (q.step()) rows.push_back(read_dictionary(q));
  return rows;
}

std::vector<PageDictionaryRow> SqliteArchive::newest_page_dictionaries(std::size_t max_bytes) {
  auto q = query(std::string("SELECT ") + kDictionaryColumns +
                 " FROM page_dictionaries d "
                 "WHERE id = (SELECT max(id) FROM page_dictionaries n WHERE n.host = d.host) ORDER BY id DESC");
  std::vector<PageDictionaryRow> rows;
  std::size_t bytes = 0;
  while (bytes < max_bytes && q.step()) {
    rows.push_back(read_dictionary(q));
    bytes += rows.back().bytes.size();
  }
  return rows;
}

}  // namespace sqlite

std::unique_ptr<Archive> Archive::open_sqlite(const std::string& path) {
  return std::make_unique<sqlite::SqliteArchive>(path);
}

std::unique_ptr<Archive> Archive::open_sqlite_read_only(const std::string& path) {
  return std::make_unique<sqlite::SqliteArchive>(path, sqlite::OpenMode::read_only);
}

bool is_storage_full(const std::exception_ptr& error) {
  if (!error) return false;
  try {
    std::rethrow_exception(error);
  } catch (const StorageFull&) {
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace winnow::archive
