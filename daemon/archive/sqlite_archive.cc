// Archive on SQLite: one database file in WAL mode, schema versioned by PRAGMA user_version.
#include "daemon/archive/archive.h"

#include <sqlite3.h>

#include <bit>
#include <cassert>
#include <ctime>
#include <limits>
#include <span>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "daemon/archive/compress.h"
#include "daemon/archive/simhash_bands.h"

namespace winnow::archive {
namespace {

// How long a statement waits for another connection's write lock before failing with
// SQLITE_BUSY. Only the worker writes in the daemon; this covers a CLI verb writing meanwhile.
constexpr int kBusyTimeoutMs = 10'000;

struct Migration {
  int version;
  const char* sql;
};

// The schema, one step per version. A step never changes once released: a change is a new
// step. Each runs in its own transaction together with the user_version bump.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE feeds (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL DEFAULT '',
  site_url TEXT NOT NULL DEFAULT '',
  category TEXT NOT NULL DEFAULT '',
  etag TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '',
  next_poll INTEGER NOT NULL DEFAULT 0,
  interval_s INTEGER NOT NULL DEFAULT 0,
  last_polled INTEGER NOT NULL DEFAULT 0,
  last_new_entry INTEGER NOT NULL DEFAULT 0,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  enabled INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE articles (
  id INTEGER PRIMARY KEY,
  feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
  entry_key TEXT NOT NULL,
  url TEXT NOT NULL,
  normalized_url TEXT NOT NULL,
  canonical_url TEXT NOT NULL,
  title TEXT NOT NULL,
  authors TEXT NOT NULL,
  published INTEGER,
  modified INTEGER,
  site_name TEXT NOT NULL,
  language TEXT NOT NULL,
  description TEXT NOT NULL,
  image TEXT NOT NULL,
  tags TEXT NOT NULL,
  text TEXT NOT NULL,
  markdown TEXT NOT NULL,
  blocks_json TEXT NOT NULL,
  removed_json TEXT NOT NULL,
  -- The 64-bit SimHash as a two's-complement integer and its bands (see migration 2 for
  -- their widths), for near-duplicate lookup by index.
  fingerprint INTEGER NOT NULL,
  fp_band0 INTEGER NOT NULL,
  fp_band1 INTEGER NOT NULL,
  fp_band2 INTEGER NOT NULL,
  fp_band3 INTEGER NOT NULL,
  duplicate_of INTEGER REFERENCES articles(id),
  source TEXT NOT NULL,
  http_status INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  charset TEXT NOT NULL,
  fetched_at INTEGER NOT NULL,
  archived_at INTEGER NOT NULL,
  extractor_version INTEGER NOT NULL
);
CREATE INDEX articles_feed_id ON articles(feed_id);
CREATE INDEX articles_normalized_url ON articles(normalized_url);
CREATE INDEX articles_canonical_url ON articles(canonical_url);
CREATE INDEX articles_archived_at ON articles(archived_at);
CREATE INDEX articles_fp_band0 ON articles(fp_band0, archived_at);
CREATE INDEX articles_fp_band1 ON articles(fp_band1, archived_at);
CREATE INDEX articles_fp_band2 ON articles(fp_band2, archived_at);
CREATE INDEX articles_fp_band3 ON articles(fp_band3, archived_at);

-- Entries seen per feed; the primary key is the UNIQUE(feed_id, entry_key) the poller asks.
CREATE TABLE entries (
  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
  entry_key TEXT NOT NULL,
  article_id INTEGER REFERENCES articles(id),
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (feed_id, entry_key)
) WITHOUT ROWID;

-- Fetched bytes, packed (see codec), apart from articles so that reading an article does
-- not page them in.
CREATE TABLE raw_pages (
  article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
  codec INTEGER NOT NULL,
  plain_bytes INTEGER NOT NULL,
  bytes BLOB NOT NULL
);

-- External-content FTS5 index: the text lives once, in articles; triggers keep the index
-- in step inside the same transaction as the row.
CREATE VIRTUAL TABLE articles_fts USING fts5(
  title, text, content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
  INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
  INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
)sql"},
    // Six SimHash bands of 11, 11, 11, 11, 10 and 10 bits instead of four of 16: two
    // fingerprints at most 5 bits apart (ingest's near-duplicate distance) then share a band,
    // so the lookup stays six index probes. Existing rows get their bands recomputed (as
    // simhash_bands() computes them for new rows).
    {2, R"sql(
ALTER TABLE articles ADD COLUMN fp_band4 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN fp_band5 INTEGER NOT NULL DEFAULT 0;
UPDATE articles SET
  fp_band0 = fingerprint & 2047,
  fp_band1 = (fingerprint >> 11) & 2047,
  fp_band2 = (fingerprint >> 22) & 2047,
  fp_band3 = (fingerprint >> 33) & 2047,
  fp_band4 = (fingerprint >> 44) & 1023,
  fp_band5 = (fingerprint >> 54) & 1023;
CREATE INDEX articles_fp_band4 ON articles(fp_band4, archived_at);
CREATE INDEX articles_fp_band5 ON articles(fp_band5, archived_at);
)sql"},
    // The band indexes carry the fingerprint, so that the near-duplicate lookup reads only
    // them. Before, each candidate row was read from the table, where the fingerprint sits
    // behind the text, Markdown and JSON columns on overflow pages: at 20,000 articles that
    // doubled the archive thread's time per article.
    {3, R"sql(
DROP INDEX articles_fp_band0;
DROP INDEX articles_fp_band1;
DROP INDEX articles_fp_band2;
DROP INDEX articles_fp_band3;
DROP INDEX articles_fp_band4;
DROP INDEX articles_fp_band5;
CREATE INDEX articles_fp_band0 ON articles(fp_band0, archived_at, fingerprint);
CREATE INDEX articles_fp_band1 ON articles(fp_band1, archived_at, fingerprint);
CREATE INDEX articles_fp_band2 ON articles(fp_band2, archived_at, fingerprint);
CREATE INDEX articles_fp_band3 ON articles(fp_band3, archived_at, fingerprint);
CREATE INDEX articles_fp_band4 ON articles(fp_band4, archived_at, fingerprint);
CREATE INDEX articles_fp_band5 ON articles(fp_band5, archived_at, fingerprint);
)sql"},
};

constexpr int kSchemaVersion = std::span(kMigrations).back().version;

// The columns of ArticleRow but raw, in the order read_article expects.
#define WINNOW_ARTICLE_COLUMNS                                                                     \
  "id, feed_id, entry_key, url, normalized_url, canonical_url, title, authors, published, "       \
  "modified, site_name, language, description, image, tags, text, markdown, blocks_json, "       \
  "removed_json, fingerprint, duplicate_of, source, http_status, content_type, charset, "        \
  "fetched_at, archived_at, extractor_version"

constexpr const char* kSelectArticle = "SELECT " WINNOW_ARTICLE_COLUMNS " FROM articles WHERE id = ?1";
constexpr const char* kSelectArticlesAfter =
    "SELECT " WINNOW_ARTICLE_COLUMNS
    " FROM articles WHERE id > ?1 AND (?2 = 0 OR duplicate_of IS NULL) ORDER BY id LIMIT ?3";
#undef WINNOW_ARTICLE_COLUMNS

constexpr const char* kFeedColumns =
    "id, url, title, site_url, category, etag, last_modified, next_poll, interval_s, last_polled, "
    "last_new_entry, consecutive_failures, last_error, enabled";

struct DbClose {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbClose>;

struct StmtFinalize {
  void operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }
};
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

struct SqliteFree {
  void operator()(void* p) const noexcept { sqlite3_free(p); }
};

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  throw std::runtime_error("archive: " + std::string(what) + ": " + sqlite3_errmsg(db) + " (SQLite code " +
                           std::to_string(sqlite3_extended_errcode(db)) + ")");
}

// Runs SQL without values (schema steps, pragmas); throws with SQLite's message.
void exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
  std::unique_ptr<char, SqliteFree> owned(message);
  if (rc != SQLITE_OK)
    throw std::runtime_error(std::string("archive: ") + (owned ? owned.get() : sqlite3_errstr(rc)) +
                             " (SQLite code " + std::to_string(rc) + ") running: " + std::string(sql).substr(0, 80));
}

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::int64_t to_int64(std::size_t n) {
  return n > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())
             ? std::numeric_limits<std::int64_t>::max()
             : static_cast<std::int64_t>(n);
}

// Bytes to bind as a BLOB rather than TEXT.
struct Blob {
  std::string_view bytes;
};

// One use of a cached prepared statement: binds, steps, reads columns, and resets the
// statement when it goes, so that it holds no read snapshot open and is ready for next time.
// Values are always bound, never spliced into SQL.
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Query() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  // Binds `values` to ?1, ?2, ... in order.
  template <typename... Values>
  Query& bind(const Values&... values) {
    int index = 0;
    (bind_one(++index, values), ...);
    return *this;
  }

  // True when a row is ready; false when the statement is done.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, sqlite3_sql(stmt_));
  }
  // Runs a statement that returns no rows.
  void run() {
    if (step()) throw std::logic_error(std::string("archive: unexpected row from ") + sqlite3_sql(stmt_));
  }

  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::optional<std::int64_t> optional_integer(int column) const {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
    return integer(column);
  }
  double real(int column) const { return sqlite3_column_double(stmt_, column); }
  std::string text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
  }
  std::string blob(int column) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail(db_, "bind");
  }
  void bind_one(int index, std::int64_t value) { check(sqlite3_bind_int64(stmt_, index, value)); }
  void bind_one(int index, int value) { check(sqlite3_bind_int64(stmt_, index, value)); }
  void bind_one(int index, bool value) { check(sqlite3_bind_int64(stmt_, index, value ? 1 : 0)); }
  void bind_one(int index, std::string_view text) {
    check(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  void bind_one(int index, const std::string& text) { bind_one(index, std::string_view(text)); }
  void bind_one(int index, const char* text) { bind_one(index, std::string_view(text)); }
  void bind_one(int index, Blob blob) {
    check(sqlite3_bind_blob64(stmt_, index, blob.bytes.data(), blob.bytes.size(), SQLITE_TRANSIENT));
  }
  void bind_one(int index, const std::optional<std::int64_t>& value) {
    if (value)
      bind_one(index, *value);
    else
      check(sqlite3_bind_null(stmt_, index));
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// Keys the statement cache by SQL text without building a std::string per lookup.
struct SqlHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view sql) const noexcept { return std::hash<std::string_view>{}(sql); }
};

ArticleRow read_article(const Query& q) {
  ArticleRow row;
  row.id = q.integer(0);
  row.feed_id = q.optional_integer(1);
  row.entry_key = q.text(2);
  row.url = q.text(3);
  row.normalized_url = q.text(4);
  row.canonical_url = q.text(5);
  row.title = q.text(6);
  row.authors = q.text(7);
  row.published = q.optional_integer(8);
  row.modified = q.optional_integer(9);
  row.site_name = q.text(10);
  row.language = q.text(11);
  row.description = q.text(12);
  row.image = q.text(13);
  row.tags = q.text(14);
  row.text = q.text(15);
  row.markdown = q.text(16);
  row.blocks_json = q.text(17);
  row.removed_json = q.text(18);
  row.fingerprint = std::bit_cast<std::uint64_t>(q.integer(19));
  row.duplicate_of = q.optional_integer(20);
  row.source = q.text(21);
  row.http_status = static_cast<int>(q.integer(22));
  row.content_type = q.text(23);
  row.charset = q.text(24);
  row.fetched_at = q.integer(25);
  row.archived_at = q.integer(26);
  row.extractor_version = static_cast<std::int32_t>(q.integer(27));
  return row;
}

FeedRow read_feed(const Query& q) {
  FeedRow row;
  row.id = q.integer(0);
  row.url = q.text(1);
  row.title = q.text(2);
  row.site_url = q.text(3);
  row.category = q.text(4);
  row.etag = q.text(5);
  row.last_modified = q.text(6);
  row.next_poll = q.integer(7);
  row.interval_s = q.integer(8);
  row.last_polled = q.integer(9);
  row.last_new_entry = q.integer(10);
  row.consecutive_failures = static_cast<int>(q.integer(11));
  row.last_error = q.text(12);
  row.enabled = q.integer(13) != 0;
  return row;
}

class SqliteArchive final : public Archive {
 public:
  explicit SqliteArchive(const std::string& path) {
    sqlite3* db = nullptr;
    // NOMUTEX: an Archive is used by one thread at a time (archive.h), so SQLite's own
    // connection mutex would only cost.
    const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   nullptr);
    db_.reset(db);  // a handle comes back even when opening failed, and must be closed
    if (rc != SQLITE_OK)
      throw std::runtime_error("archive: cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    sqlite3_commit_hook(
        db,
        [](void* commits) noexcept -> int {
          ++*static_cast<std::int64_t*>(commits);
          return 0;  // 0: let the commit proceed
        },
        &commits_);
    exec(db, "PRAGMA foreign_keys = ON");
    // 16 KiB pages for a new archive (an existing one keeps its own): an article is about
    // 60 KB of text, Markdown, JSON and packed page, which took some 90 pwrite calls at
    // SQLite's default 4 KiB. Must come before WAL mode, which fixes the page size.
    exec(db, "PRAGMA page_size = 16384");
    {
      auto q = query("PRAGMA journal_mode = WAL");
      if (!q.step() || q.text(0) != "wal")
        throw std::runtime_error("archive: " + path + " cannot be put in WAL mode (journal_mode stays " +
                                 q.text(0) + ")");
    }
    // NORMAL, not FULL: in WAL mode a commit has written its frames to the WAL file before
    // returning, and NORMAL only skips the fsync of each commit (the WAL is synced at
    // checkpoints). A killed process (kill -9, crash) therefore loses nothing committed, as
    // the kernel holds the written pages; only power loss or an OS crash can drop the last
    // transactions, and never corrupts the database. Those entries were not recorded as
    // seen either (an article and its entry commit together), so the next poll fetches them
    // again. FULL would add an fsync per batch.
    exec(db, "PRAGMA synchronous = NORMAL");
    // 64 MiB of page cache per connection instead of SQLite's 2 MB: FTS5 and index pages of
    // an archive of 20,000 articles (480 MB) stay cached. archive_bench, 2 loaded cores:
    // search mean 34 -> 16 ms, system time 20 -> 11 s; storing unchanged.
    exec(db, "PRAGMA cache_size = -65536");
    migrate(path);
  }

  void transaction(const std::function<void()>& work) override {
    if (depth_ == 0) {
      outer_transaction(work);
      return;
    }
    if (poisoned_ || sqlite3_get_autocommit(db_.get())) {
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
      if (sqlite3_get_autocommit(db_.get())) {
        // Some errors (disk full, I/O) make SQLite roll back the whole transaction; the
        // outer one must not commit what ran after that in autocommit mode.
        poisoned_ = true;
      } else {
        quietly(db_.get(), "ROLLBACK TO nested");
        quietly(db_.get(), "RELEASE nested");
      }
      throw;
    }
    --depth_;
    query("RELEASE nested").run();
  }

  std::int64_t add_feed(const std::string& url, const std::string& title, const std::string& category) override {
    std::int64_t id = 0;
    transaction([&] {
      query("INSERT INTO feeds (url, title, category) VALUES (?1, ?2, ?3) ON CONFLICT (url) DO NOTHING")
          .bind(url, title, category)
          .run();
      if (sqlite3_changes(db_.get()) == 1) {
        id = sqlite3_last_insert_rowid(db_.get());
        return;
      }
      auto q = query("SELECT id FROM feeds WHERE url = ?1");
      q.bind(url);
      if (!q.step()) throw std::logic_error("archive: feed neither inserted nor found: " + url);
      id = q.integer(0);
    });
    return id;
  }

  bool remove_feed(std::int64_t id) override {
    // Entries go by ON DELETE CASCADE; articles keep their rows with feed_id set to NULL.
    query("DELETE FROM feeds WHERE id = ?1").bind(id).run();
    return sqlite3_changes(db_.get()) > 0;
  }

  std::optional<FeedRow> feed(std::int64_t id) override {
    static const std::string sql = std::string("SELECT ") + kFeedColumns + " FROM feeds WHERE id = ?1";
    auto q = query(sql);
    q.bind(id);
    if (!q.step()) return std::nullopt;
    return read_feed(q);
  }

  std::optional<FeedRow> feed_by_url(const std::string& url) override {
    static const std::string sql = std::string("SELECT ") + kFeedColumns + " FROM feeds WHERE url = ?1";
    auto q = query(sql);
    q.bind(url);
    if (!q.step()) return std::nullopt;
    return read_feed(q);
  }

  std::vector<FeedRow> feeds() override {
    static const std::string sql = std::string("SELECT ") + kFeedColumns + " FROM feeds ORDER BY id";
    auto q = query(sql);
    std::vector<FeedRow> rows;
    while (q.step()) rows.push_back(read_feed(q));
    return rows;
  }

  void update_feed(const FeedRow& row) override {
    query(
        "UPDATE feeds SET url = ?2, title = ?3, site_url = ?4, category = ?5, etag = ?6, last_modified = ?7, "
        "next_poll = ?8, interval_s = ?9, last_polled = ?10, last_new_entry = ?11, consecutive_failures = ?12, "
        "last_error = ?13, enabled = ?14 WHERE id = ?1")
        .bind(row.id, row.url, row.title, row.site_url, row.category, row.etag, row.last_modified, row.next_poll,
              row.interval_s, row.last_polled, row.last_new_entry, row.consecutive_failures, row.last_error,
              row.enabled)
        .run();
    if (sqlite3_changes(db_.get()) == 0) throw std::runtime_error("archive: no feed with id " + std::to_string(row.id));
  }

  bool has_entry(std::int64_t feed_id, const std::string& entry_key) override {
    auto q = query("SELECT 1 FROM entries WHERE feed_id = ?1 AND entry_key = ?2");
    q.bind(feed_id, entry_key);
    return q.step();
  }

  void record_entry(std::int64_t feed_id, const std::string& entry_key,
                    std::optional<std::int64_t> article_id) override {
    upsert_entry(feed_id, entry_key, article_id);
  }

  std::int64_t store_article(const ArticleRow& row) override {
    std::int64_t id = 0;
    transaction([&] {
      const auto band = simhash_bands(row.fingerprint);
      query(
          "INSERT INTO articles (feed_id, entry_key, url, normalized_url, canonical_url, title, authors, published, "
          "modified, site_name, language, description, image, tags, text, markdown, blocks_json, removed_json, "
          "fingerprint, fp_band0, fp_band1, fp_band2, fp_band3, fp_band4, fp_band5, duplicate_of, source, "
          "http_status, content_type, charset, fetched_at, archived_at, extractor_version) VALUES (?1, ?2, ?3, ?4, "
          "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, "
          "?27, ?28, ?29, ?30, ?31, ?32, ?33)")
          .bind(row.feed_id, row.entry_key, row.url, row.normalized_url, row.canonical_url, row.title, row.authors,
                row.published, row.modified, row.site_name, row.language, row.description, row.image, row.tags,
                row.text, row.markdown, row.blocks_json, row.removed_json, std::bit_cast<std::int64_t>(row.fingerprint),
                band[0], band[1], band[2], band[3], band[4], band[5], row.duplicate_of, row.source, row.http_status,
                row.content_type,
                row.charset, row.fetched_at, now_s(), row.extractor_version)
          .run();
      id = sqlite3_last_insert_rowid(db_.get());
      if (row.raw_packed || !row.raw.empty()) {
        std::optional<PackedPage> packed_here;  // when the caller did not pack it
        if (!row.raw_packed) packed_here = pack_page(row.raw);
        const PackedPage& page = row.raw_packed ? *row.raw_packed : *packed_here;
        query("INSERT INTO raw_pages (article_id, codec, plain_bytes, bytes) VALUES (?1, ?2, ?3, ?4)")
            .bind(id, static_cast<std::int64_t>(page.codec), to_int64(page.plain_bytes), Blob{page.bytes})
            .run();
      }
      if (row.feed_id) upsert_entry(*row.feed_id, row.entry_key, id);
    });
    return id;
  }

  std::optional<ArticleRow> article(std::int64_t id, bool with_raw) override {
    std::optional<ArticleRow> row;
    {
      auto q = query(kSelectArticle);
      q.bind(id);
      if (!q.step()) return std::nullopt;
      row = read_article(q);
    }
    if (with_raw) row->raw = raw_page(id);
    return row;
  }

  std::optional<std::int64_t> article_by_url(const std::string& normalized_url) override {
    // Two probes, one per index; the oldest copy wins.
    auto q = query(
        "SELECT min(id) FROM (SELECT id FROM articles WHERE normalized_url = ?1 "
        "UNION ALL SELECT id FROM articles WHERE canonical_url = ?1 AND canonical_url <> '')");
    q.bind(normalized_url);
    if (!q.step()) return std::nullopt;
    return q.optional_integer(0);
  }

  std::vector<std::int64_t> near_duplicates(std::uint64_t fingerprint, int max_distance,
                                            UnixSeconds fingerprint_since) override {
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

  void update_extraction(const ArticleRow& row) override {
    // Feed, entry, URL, fetch facts, raw bytes and duplicate_of stay as archived.
    const auto band = simhash_bands(row.fingerprint);
    query(
        "UPDATE articles SET canonical_url = ?2, title = ?3, authors = ?4, published = ?5, modified = ?6, "
        "site_name = ?7, language = ?8, description = ?9, image = ?10, tags = ?11, text = ?12, markdown = ?13, "
        "blocks_json = ?14, removed_json = ?15, fingerprint = ?16, fp_band0 = ?17, fp_band1 = ?18, "
        "fp_band2 = ?19, fp_band3 = ?20, fp_band4 = ?21, fp_band5 = ?22, source = ?23, extractor_version = ?24 "
        "WHERE id = ?1")
        .bind(row.id, row.canonical_url, row.title, row.authors, row.published, row.modified, row.site_name,
              row.language, row.description, row.image, row.tags, row.text, row.markdown, row.blocks_json,
              row.removed_json, std::bit_cast<std::int64_t>(row.fingerprint), band[0], band[1], band[2], band[3],
              band[4], band[5], row.source, row.extractor_version)
        .run();
    if (sqlite3_changes(db_.get()) == 0) throw std::runtime_error("archive: no article with id " + std::to_string(row.id));
  }

  std::vector<ArticleRow> articles_after(std::int64_t cursor, std::size_t limit, bool originals_only,
                                         bool with_raw) override {
    std::vector<ArticleRow> rows;
    {
      auto q = query(kSelectArticlesAfter);
      q.bind(cursor, originals_only, to_int64(limit));
      while (q.step()) rows.push_back(read_article(q));
    }
    if (with_raw)
      for (auto& row : rows) row.raw = raw_page(row.id);
    return rows;
  }

  std::int64_t article_count() override {
    auto q = query("SELECT count(*) FROM articles");
    q.step();
    return q.integer(0);
  }

  std::vector<SearchHit> search(const std::string& fts_query, std::size_t limit) override {
    // Column weights for bm25: title 4, text 1. Not tuned: a word in the title says more
    // about the story than one more occurrence in the body. The snippet comes from the text
    // (column 1) since the title is returned beside it; 24 tokens is about a line.
    auto q = query(
        "SELECT a.id, a.title, a.url, snippet(articles_fts, 1, '[', ']', '…', 24), "
        "bm25(articles_fts, 4.0, 1.0) AS score "
        "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
        "WHERE articles_fts MATCH ?1 ORDER BY score LIMIT ?2");
    q.bind(fts_query, to_int64(limit));
    std::vector<SearchHit> hits;
    while (q.step()) hits.push_back(SearchHit{q.integer(0), q.text(1), q.text(2), q.text(3), q.real(4)});
    return hits;
  }

  std::int64_t commit_count() const override { return commits_; }

 private:
  // A cached statement for `sql` (prepared on first use, kept for the Archive's life).
  Query query(std::string_view sql) {
    if (depth_ > 0 && sqlite3_get_autocommit(db_.get())) {
      // The transaction is gone (SQLite rolled it back after an I/O error or the like):
      // anything run now would commit alone.
      poisoned_ = true;
      throw std::runtime_error("archive: the transaction was rolled back by SQLite");
    }
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      sqlite3_stmt* stmt = nullptr;
      const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                        &stmt, nullptr);
      StmtHandle owned(stmt);
      if (rc != SQLITE_OK) fail(db_.get(), "prepare " + std::string(sql));
      it = statements_.emplace(std::string(sql), std::move(owned)).first;
    }
    assert(!sqlite3_stmt_busy(it->second.get()) && "a cached statement is used twice at once");
    return Query(db_.get(), it->second.get());
  }

  void outer_transaction(const std::function<void()>& work) {
    // IMMEDIATE takes the write lock now: a deferred transaction that reads first and then
    // writes can fail with SQLITE_BUSY halfway instead of waiting.
    query("BEGIN IMMEDIATE").run();
    depth_ = 1;
    poisoned_ = false;
    try {
      work();
    } catch (...) {
      depth_ = 0;
      quietly(db_.get(), "ROLLBACK");
      throw;
    }
    depth_ = 0;
    if (poisoned_) {
      quietly(db_.get(), "ROLLBACK");
      throw std::runtime_error("archive: SQLite rolled the transaction back after an error");
    }
    try {
      query("COMMIT").run();
    } catch (...) {
      quietly(db_.get(), "ROLLBACK");
      throw;
    }
  }

  // For cleanup paths, which must not throw over the exception being handled.
  static void quietly(sqlite3* db, const char* sql) noexcept { sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }

  void upsert_entry(std::int64_t feed_id, const std::string& entry_key, std::optional<std::int64_t> article_id) {
    // A later article replaces an earlier one; recording without an article keeps one.
    query(
        "INSERT INTO entries (feed_id, entry_key, article_id, seen_at) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (feed_id, entry_key) DO UPDATE SET article_id = coalesce(excluded.article_id, article_id)")
        .bind(feed_id, entry_key, article_id, now_s())
        .run();
  }

  std::string raw_page(std::int64_t article_id) {
    auto q = query("SELECT codec, plain_bytes, bytes FROM raw_pages WHERE article_id = ?1");
    q.bind(article_id);
    if (!q.step()) return {};
    return unpack_page(static_cast<PageCodec>(q.integer(0)), q.blob(2), static_cast<std::size_t>(q.integer(1)));
  }

  int user_version() {
    auto q = query("PRAGMA user_version");
    q.step();
    return static_cast<int>(q.integer(0));
  }

  void migrate(const std::string& path) {
    const auto too_new = [&](int found) {
      return std::runtime_error("archive: " + path + " has schema version " + std::to_string(found) +
                                ", newer than this winnow knows (" + std::to_string(kSchemaVersion) +
                                "); use a newer winnow");
    };
    const int found_at_open = user_version();
    if (found_at_open > kSchemaVersion) throw too_new(found_at_open);
    for (const Migration& step : kMigrations) {
      if (step.version <= found_at_open) continue;  // no write lock for an up-to-date file
      transaction([&] {
        // Read again under the write lock: another process may have migrated meanwhile.
        const int found = user_version();
        if (found > kSchemaVersion) throw too_new(found);
        if (found >= step.version) return;
        exec(db_.get(), step.sql);
        // PRAGMA takes no bound parameters; the number comes from kMigrations, not from input.
        exec(db_.get(), ("PRAGMA user_version = " + std::to_string(step.version)).c_str());
      });
    }
  }

  DbHandle db_;  // before the statements: destroyed after them
  std::unordered_map<std::string, StmtHandle, SqlHash, std::equal_to<>> statements_;
  int depth_ = 0;          // transaction() nesting; 0 outside any
  bool poisoned_ = false;  // SQLite ended the open transaction after an error
  std::int64_t commits_ = 0;
};

}  // namespace

std::unique_ptr<Archive> Archive::open_sqlite(const std::string& path) { return std::make_unique<SqliteArchive>(path); }

}  // namespace winnow::archive
