#include "daemon/archive/sqlite/schema.h"

#include <cstdlib>
#include <span>
#include <stdexcept>

#include "parsers/url/normalize.h"

namespace winnow::archive::sqlite {
namespace {

struct Migration {
  int version;
  const char* sql;
  // Runs after `sql` in the same transaction: what SQL alone cannot compute.
  void (*after)(sqlite3* db) = nullptr;
};

// Migration 9: every feed's host, as parsers::url_host names it (the key of host leases).
void fill_feed_hosts(sqlite3* db) {
  const StmtHandle select = prepare(db, "SELECT id, url FROM feeds");
  const StmtHandle update = prepare(db, "UPDATE feeds SET host = ?2 WHERE id = ?1");
  Query rows(db, select.get());
  while (rows.step()) Query(db, update.get()).bind(rows.integer(0), parsers::url_host(rows.text(1))).run();
}

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
    // What the fetched page was (parsers' PageKind), whether the text is a paywalled teaser,
    // and when ingest fetches a page that was no article again. Rows archived before were
    // all stored as articles. The retry index holds only rows waiting for one (a few), so
    // the periodic "what is due" probe reads no table row.
    {4, R"sql(
ALTER TABLE articles ADD COLUMN verdict TEXT NOT NULL DEFAULT 'article';
ALTER TABLE articles ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN retry_at INTEGER;
ALTER TABLE articles ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
CREATE INDEX articles_retry_at ON articles(retry_at) WHERE retry_at IS NOT NULL;
)sql"},
    // The retry state of an entry seen without an article: its page was no article yet and
    // the feed gave no content to archive in its place. Before, such an entry was left
    // unrecorded, so every poll fetched its page again. The entry keeps what a retry needs
    // (link, title, date); the partial index, like articles_retry_at, holds only the waiting.
    {5, R"sql(
ALTER TABLE entries ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN published INTEGER;
ALTER TABLE entries ADD COLUMN verdict TEXT NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN retry_at INTEGER;
ALTER TABLE entries ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
CREATE INDEX entries_retry_at ON entries(retry_at) WHERE retry_at IS NOT NULL;
)sql"},
    // The webhook outbox (outbox.h): events written in the transaction of their change, and
    // each endpoint's cursor over them. AUTOINCREMENT so that a seq is never reused after
    // the events before it were pruned: receivers de-duplicate on it. Events are recorded
    // only while an endpoint takes their type; `types` holds the names space-separated.
    {6, R"sql(
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  article_id INTEGER,
  feed_id INTEGER,
  at INTEGER NOT NULL
);
CREATE TABLE webhook_endpoints (
  url TEXT PRIMARY KEY,
  types TEXT NOT NULL,
  delivered_seq INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
)sql"},
    // The fetched page's HTTP status line and headers as received, for WARC response records
    // (export.h). NULL for pages stored before, which were kept without them, and for pages
    // that had none (file://).
    {7, R"sql(
ALTER TABLE raw_pages ADD COLUMN http_head TEXT;
)sql"},
    // Leases, for several daemons on one database (archive.h, "Leases"; docs/scale-out.md):
    // who polls a feed until when, and which daemon may send requests to a host. `host` is
    // the feed URL's host (filled in by fill_feed_hosts), '' for a file:// feed. A lease is
    // free when its owner is NULL or its `until` has passed. feeds_due serves the claim and
    // "what is due next" in next_poll order.
    // No archive was ever at version 8: that number was a branch's, which merged as 10.
    {9, R"sql(
ALTER TABLE feeds ADD COLUMN host TEXT NOT NULL DEFAULT '';
ALTER TABLE feeds ADD COLUMN lease_owner TEXT;
ALTER TABLE feeds ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
CREATE INDEX feeds_due ON feeds(next_poll) WHERE enabled;
CREATE INDEX feeds_lease_owner ON feeds(lease_owner) WHERE lease_owner IS NOT NULL;
CREATE TABLE host_leases (
  host TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  until INTEGER NOT NULL
) WITHOUT ROWID;
)sql", fill_feed_hosts},
    // An article's extracted content once, packed (article_codec.h): `body` holds the typed
    // and the removed blocks, zstd-packed, and text and Markdown are rendered from the blocks
    // on read. New rows leave text, markdown, blocks_json and removed_json empty; rows stored
    // before keep them, with body NULL, and read as they are. The full-text index cannot
    // take its text from articles.text any more: its content is a view that derives it
    // (winnow_article_text, added to every connection by handles.cc), so snippets still come
    // from FTS5. The index is rebuilt once from the view (the old one is dropped with its
    // triggers); it holds the same words as before.
    //
    // Raw pages may be packed with a zstd dictionary learnt from pages of their host
    // (compress.h, page_dictionaries.h): the dictionaries are kept here, each page naming the
    // one it was packed with, so a host's later dictionaries leave its older pages readable.
    {10, R"sql(
CREATE TABLE page_dictionaries (
  id INTEGER PRIMARY KEY,
  host TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  bytes BLOB NOT NULL
);
ALTER TABLE raw_pages ADD COLUMN dictionary_id INTEGER;
ALTER TABLE articles ADD COLUMN body BLOB;
DROP TRIGGER articles_fts_insert;
DROP TRIGGER articles_fts_delete;
DROP TRIGGER articles_fts_update;
DROP TABLE articles_fts;
CREATE VIEW articles_fts_content AS
  SELECT id, title, winnow_article_text(body, text) AS text FROM articles;
CREATE VIRTUAL TABLE articles_fts USING fts5(
  title, text, content='articles_fts_content', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
  INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, winnow_article_text(new.body, new.text));
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.id, old.title, winnow_article_text(old.body, old.text));
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text, body ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.id, old.title, winnow_article_text(old.body, old.text));
  INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, winnow_article_text(new.body, new.text));
END;
)sql"},    // Compaction (compactor.h): each raw page's host (parsers::url_host of its article's URL;
    // NULL on rows stored before, which the compactor fills in), and the zstd level the
    // compactor packed it at: NULL while it stands as ingest packed it (level 1), -1 when the
    // compactor found it undecodable and left it alone. raw_pages_uncompacted holds only the
    // pages still to do, so finding work reads no more than that; raw_pages_host carries
    // what says whether a page of a host is done, so a host's done pages are skipped in it.
    {11, R"sql(
ALTER TABLE raw_pages ADD COLUMN host TEXT;
ALTER TABLE raw_pages ADD COLUMN compacted_level INTEGER;
CREATE INDEX raw_pages_host ON raw_pages(host, article_id, dictionary_id, compacted_level);
CREATE INDEX raw_pages_uncompacted ON raw_pages(host) WHERE compacted_level IS NULL;
)sql"},
    // Raw pages may be packed against their article's body (codec 4, compress.h): the table
    // is unchanged, but a winnow before this version could neither read such a page nor pack
    // it again when it changes a body (reextract), so the version rises. The compactor packs
    // pages so from now on; pages it packed before stay as they are.
    {12, "SELECT 1"},
    // Page dictionaries are stored packed (compress.h, pack_stored_dictionary): a winnow
    // before this version cannot load them, so the version rises; rows stored before stay
    // as they are and read as before. Finding a host's newest dictionary read every row of
    // the table (one a host, and one more for each template change): now the index.
    {13, "CREATE INDEX page_dictionaries_host ON page_dictionaries(host, id)"},
};

constexpr int kSchemaVersion = std::span(kMigrations).back().version;

int user_version(sqlite3* db) {
  const StmtHandle stmt = prepare(db, "PRAGMA user_version");
  Query q(db, stmt.get());
  q.step();
  return static_cast<int>(q.integer(0));
}

}  // namespace

void configure(sqlite3* db, const std::string& path) {
  exec(db, "PRAGMA foreign_keys = ON");
  // 4 KiB pages for a new archive (an existing one keeps its own). Raw pages are blobs of
  // 7 to 40 KB whose first part SQLite keeps in a table page: with 16 KiB pages, those parts
  // left 3.4 KB of every article's raw page row unused (the daemon_bench farm, compacted,
  // 2026-12-03), 0.7 KB with 4 KiB, which saves 2.5 KB an article in all; the archive
  // thread's CPU per article did not change measurably (1.64-1.67 ms against 1.62-1.73,
  // docs/benchmarks.md). Must come before WAL mode, which fixes the page size.
  exec(db, "PRAGMA page_size = 4096");
  {
    const StmtHandle stmt = prepare(db, "PRAGMA journal_mode = WAL");
    Query q(db, stmt.get());
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
  // For tests only (docs/development.md): caps the file at this many pages, so that a test
  // fills the archive as a full disk would, with SQLITE_FULL.
  if (const char* pages = std::getenv("WINNOW_TEST_MAX_PAGE_COUNT"); pages && *pages)
    exec(db, ("PRAGMA max_page_count = " + std::to_string(std::strtoll(pages, nullptr, 10))).c_str());
}

namespace {

std::runtime_error too_new(const std::string& path, int found) {
  return std::runtime_error("archive: " + path + " has schema version " + std::to_string(found) +
                            ", newer than this winnow knows (" + std::to_string(kSchemaVersion) +
                            "); use a newer winnow");
}

}  // namespace

void require_current_version(sqlite3* db, const std::string& path) {
  const int found = user_version(db);
  if (found > kSchemaVersion) throw too_new(path, found);
  if (found < kSchemaVersion)
    throw std::runtime_error("archive: " + path + " has schema version " + std::to_string(found) +
                             ", older than this winnow's (" + std::to_string(kSchemaVersion) +
                             "); reading verbs do not upgrade it: start winnowd once (or run a verb that "
                             "writes, such as `winnow feeds add`), then read again");
}

void migrate(sqlite3* db, const std::string& path, const RunInTransaction& transaction) {
  const int found_at_open = user_version(db);
  if (found_at_open > kSchemaVersion) throw too_new(path, found_at_open);
  for (const Migration& step : kMigrations) {
    if (step.version <= found_at_open) continue;  // no write lock for an up-to-date file
    transaction([&] {
      // Read again under the write lock: another process may have migrated meanwhile.
      const int found = user_version(db);
      if (found > kSchemaVersion) throw too_new(path, found);
      if (found >= step.version) return;
      exec(db, step.sql);
      if (step.after) step.after(db);
      // PRAGMA takes no bound parameters; the number comes from kMigrations, not from input.
      exec(db, ("PRAGMA user_version = " + std::to_string(step.version)).c_str());
    });
  }
}

}  // namespace winnow::archive::sqlite
