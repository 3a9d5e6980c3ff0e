// Archive on PostgreSQL: compaction of raw pages (archive.h, "Compaction"; compactor.h).
// The statements are SQLite's (sqlite/compaction.cc); a page's replacement is a guarded
// UPDATE, which under READ COMMITTED waits for a concurrent writer of the row and then
// checks its guard against the row as that writer left it: of two compactors repacking one
// page, the second finds the bytes changed and writes nothing.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

#include "daemon/archive/postgres/pg_archive.h"
#include "daemon/archive/postgres/rows.h"
#include "parsers/url/normalize.h"

namespace winnow::archive::postgres {
namespace {

// The first key of the compaction locks' two-key advisory locks ("cpct" in ASCII): apart
// from the migration lock (one bigint key) and any other use.
constexpr std::int64_t kCompactionLockClass = 0x63706374;

constexpr const char* kStoredColumns =
    "r.article_id, r.codec, r.plain_bytes, r.bytes, r.dictionary_id, r.compacted_level, a.body, a.text "
    "FROM raw_pages r JOIN articles a ON a.id = r.article_id ";

std::vector<StoredRawPage> read_stored(const Result& r) {
  std::vector<StoredRawPage> pages;
  for (int i = 0; i < r.rows(); ++i) {
    StoredRawPage page;
    page.article_id = r.integer(i, 0);
    page.codec = static_cast<PageCodec>(r.integer(i, 1));
    page.plain_bytes = static_cast<std::size_t>(r.integer(i, 2));
    page.bytes = r.bytes(i, 3);
    page.dictionary_id = r.optional_integer(i, 4);
    if (const auto level = r.optional_integer(i, 5)) page.compacted_level = static_cast<int>(*level);
    page.article_body = r.bytes(i, 6);
    page.article_text = r.text(i, 7);
    pages.push_back(std::move(page));
  }
  return pages;
}

std::optional<PageDictionaryRow> read_one_dictionary(const Result& r) {
  if (r.rows() == 0) return std::nullopt;
  return read_dictionary(r, 0);
}

}  // namespace

std::int64_t PgArchive::fill_raw_page_hosts(std::size_t limit) {
  std::int64_t filled = 0;
  transaction([&] {
    auto r = db_.run(
        "SELECT r.article_id, a.url FROM raw_pages r JOIN articles a ON a.id = r.article_id "
        "WHERE r.host IS NULL LIMIT $1 FOR UPDATE OF r SKIP LOCKED",
        Params(to_int64(limit)));
    for (int i = 0; i < r.rows(); ++i)
      db_.run("UPDATE raw_pages SET host = $2 WHERE article_id = $1",
              Params(r.integer(i, 0), parsers::url_host(r.text(i, 1))));
    filled = r.rows();
  });
  return filled;
}

std::int64_t PgArchive::pack_stored_page_dictionaries(std::size_t limit) {
  std::int64_t packed = 0;
  transaction([&] {
    // Stored unpacked: the dictionary itself, which begins with zstd's dictionary magic
    // number (0xEC30A437, little endian). SKIP LOCKED: another daemon's compactor may be on it.
    auto r = db_.run(
        "SELECT id, bytes FROM page_dictionaries WHERE substring(bytes from 1 for 4) = '\\x37a430ec'::bytea "
        "LIMIT $1 FOR UPDATE SKIP LOCKED",
        Params(to_int64(limit)));
    for (int i = 0; i < r.rows(); ++i)
      db_.run("UPDATE page_dictionaries SET bytes = $2 WHERE id = $1",
              Params(r.integer(i, 0), Bytes{pack_stored_dictionary(r.bytes(i, 1))}));
    packed = r.rows();
  });
  return packed;
}

std::vector<std::string> PgArchive::raw_page_hosts_to_compact(std::size_t limit) {
  auto r = db_.run(
      "SELECT DISTINCT host FROM raw_pages WHERE compacted_level IS NULL AND host IS NOT NULL AND host <> '' "
      "LIMIT $1",
      Params(to_int64(limit)));
  std::vector<std::string> hosts;
  for (int i = 0; i < r.rows(); ++i) hosts.push_back(r.text(i, 0));
  return hosts;
}

std::vector<StoredRawPage> PgArchive::raw_pages_to_compact(const std::string& host,
                                                           std::optional<std::int64_t> newest_dictionary_id,
                                                           int level, std::int64_t after_article_id,
                                                           std::size_t limit) {
  static const std::string sql =
      std::string("SELECT ") + kStoredColumns +
      "WHERE r.host = $1 AND r.article_id > $2 AND (r.compacted_level IS NULL OR (r.compacted_level >= 0 AND "
      "(r.compacted_level < $3 OR (r.dictionary_id IS NULL AND $4::bigint IS NOT NULL)))) "
      "ORDER BY r.article_id LIMIT $5";
  return read_stored(db_.run(sql, Params(host, after_article_id, level, newest_dictionary_id, to_int64(limit))));
}

std::vector<StoredRawPage> PgArchive::newest_raw_pages(const std::string& host, std::size_t limit) {
  static const std::string sql =
      std::string("SELECT ") + kStoredColumns +
      "WHERE r.host = $1 AND r.compacted_level IS DISTINCT FROM -1 ORDER BY r.article_id DESC LIMIT $2";
  return read_stored(db_.run(sql, Params(host, to_int64(limit))));
}

std::optional<PageDictionaryRow> PgArchive::page_dictionary_by_id(std::int64_t id) {
  return read_one_dictionary(
      db_.run(std::string("SELECT ") + kDictionaryColumns + " FROM page_dictionaries WHERE id = $1", Params(id)));
}

std::optional<PageDictionaryRow> PgArchive::newest_page_dictionary(const std::string& host) {
  return read_one_dictionary(db_.run(std::string("SELECT ") + kDictionaryColumns +
                                         " FROM page_dictionaries WHERE host = $1 ORDER BY id DESC LIMIT 1",
                                     Params(host)));
}

std::optional<StoredRawPage> PgArchive::page_on_body(std::int64_t id) {
  static const std::string sql = std::string("SELECT ") + kStoredColumns + "WHERE r.article_id = $1 AND r.codec = $2";
  auto pages = read_stored(db_.run(sql, Params(id, static_cast<std::int64_t>(PageCodec::zstd_article))));
  if (pages.empty()) return std::nullopt;
  return std::move(pages.front());
}

bool PgArchive::body_is(std::int64_t article_id, const std::string& body, const std::string& text) {
  // FOR SHARE: a body being changed (update_extraction) is waited for and read as changed,
  // and none changes until this transaction ends, so a page is never stored packed against
  // a body that is no longer the article's.
  auto r = db_.run("SELECT body, text FROM articles WHERE id = $1 FOR SHARE", Params(article_id));
  return r.rows() == 1 && r.bytes(0, 0) == body && r.text(0, 1) == text;
}

std::int64_t PgArchive::repack_raw_pages(const std::vector<RawPageRepack>& pages) {
  std::int64_t replaced = 0;
  transaction([&] {
    for (const RawPageRepack& p : pages) {
      const StoredRawPage& b = p.before;
      const auto codec = static_cast<std::int64_t>(b.codec);
      const auto plain = static_cast<std::int64_t>(b.plain_bytes);
      if (p.after && p.after->codec == PageCodec::zstd_article &&
          !body_is(b.article_id, b.article_body, b.article_text))
        continue;
      if (p.after) {
        replaced += db_.run(
                           "UPDATE raw_pages SET codec = $6, bytes = $7, dictionary_id = $8, compacted_level = $9 "
                           "WHERE article_id = $1 AND codec = $2 AND plain_bytes = $3 "
                           "AND dictionary_id IS NOT DISTINCT FROM $4::bigint AND bytes = $5",
                           Params(b.article_id, codec, plain, b.dictionary_id, Bytes{b.bytes},
                                  static_cast<std::int64_t>(p.after->codec), Bytes{p.after->bytes},
                                  p.after->dictionary_id, p.level))
                        .affected();
      } else {
        replaced += db_.run(
                           "UPDATE raw_pages SET compacted_level = -1 "
                           "WHERE article_id = $1 AND codec = $2 AND plain_bytes = $3 "
                           "AND dictionary_id IS NOT DISTINCT FROM $4::bigint AND bytes = $5",
                           Params(b.article_id, codec, plain, b.dictionary_id, Bytes{b.bytes}))
                        .affected();
      }
    }
  });
  return replaced;
}

bool PgArchive::try_lock_compaction(const std::string& host) {
  auto r = db_.run("SELECT pg_try_advisory_lock($1::int, hashtext($2))", Params(kCompactionLockClass, host));
  return r.boolean(0, 0);
}

void PgArchive::unlock_compaction(const std::string& host) {
  db_.run("SELECT pg_advisory_unlock($1::int, hashtext($2))", Params(kCompactionLockClass, host));
}

}  // namespace winnow::archive::postgres
