// Archive on SQLite: compaction of raw pages (archive.h, "Compaction"; compactor.h). The
// PostgreSQL statements (postgres/compaction.cc) are the same but for IS DISTINCT FROM.
#include <algorithm>
#include <cstdint>
#include <utility>

#include "daemon/archive/sqlite/rows.h"
#include "daemon/archive/sqlite/sqlite_archive.h"
#include "parsers/url/normalize.h"

namespace winnow::archive::sqlite {
namespace {

std::int64_t to_int64(std::size_t n) { return static_cast<std::int64_t>(std::min<std::size_t>(n, INT64_MAX)); }

constexpr const char* kStoredColumns =
    "r.article_id, r.codec, r.plain_bytes, r.bytes, r.dictionary_id, r.compacted_level, a.body "
    "FROM raw_pages r JOIN articles a ON a.id = r.article_id ";

StoredRawPage read_stored(const Query& q) {
  StoredRawPage page;
  page.article_id = q.integer(0);
  page.codec = static_cast<PageCodec>(q.integer(1));
  page.plain_bytes = static_cast<std::size_t>(q.integer(2));
  page.bytes = q.blob(3);
  page.dictionary_id = q.optional_integer(4);
  if (const auto level = q.optional_integer(5)) page.compacted_level = static_cast<int>(*level);
  page.article_body = q.blob(6);
  return page;
}

std::optional<PageDictionaryRow> read_one_dictionary(Query& q) {
  if (!q.step()) return std::nullopt;
  return read_dictionary(q);
}

}  // namespace

std::int64_t SqliteArchive::fill_raw_page_hosts(std::size_t limit) {
  std::int64_t filled = 0;
  transaction([&] {
    std::vector<std::pair<std::int64_t, std::string>> pages;
    {
      auto q = query(
          "SELECT r.article_id, a.url FROM raw_pages r JOIN articles a ON a.id = r.article_id "
          "WHERE r.host IS NULL LIMIT ?1");
      q.bind(to_int64(limit));
      while (q.step()) pages.emplace_back(q.integer(0), q.text(1));
    }
    for (const auto& [id, url] : pages)
      query("UPDATE raw_pages SET host = ?2 WHERE article_id = ?1").bind(id, parsers::url_host(url)).run();
    filled = to_int64(pages.size());
  });
  return filled;
}

std::int64_t SqliteArchive::pack_stored_page_dictionaries(std::size_t limit) {
  std::int64_t packed = 0;
  transaction([&] {
    std::vector<std::pair<std::int64_t, std::string>> rows;
    {
      // Stored unpacked: the dictionary itself, which begins with zstd's dictionary magic
      // number (0xEC30A437, little endian).
      auto q = query("SELECT id, bytes FROM page_dictionaries WHERE substr(bytes, 1, 4) = X'37A430EC' LIMIT ?1");
      q.bind(to_int64(limit));
      while (q.step()) rows.emplace_back(q.integer(0), q.blob(1));
    }
    for (const auto& [id, bytes] : rows)
      query("UPDATE page_dictionaries SET bytes = ?2 WHERE id = ?1").bind(id, Blob{pack_stored_dictionary(bytes)}).run();
    packed = to_int64(rows.size());
  });
  return packed;
}

std::vector<std::string> SqliteArchive::raw_page_hosts_to_compact(std::size_t limit) {
  auto q = query(
      "SELECT DISTINCT host FROM raw_pages WHERE compacted_level IS NULL AND host IS NOT NULL AND host <> '' "
      "LIMIT ?1");
  q.bind(to_int64(limit));
  std::vector<std::string> hosts;
  while (q.step()) hosts.push_back(q.text(0));
  return hosts;
}

std::vector<StoredRawPage> SqliteArchive::raw_pages_to_compact(const std::string& host,
                                                               std::optional<std::int64_t> newest_dictionary_id,
                                                               int level, std::int64_t after_article_id,
                                                               std::size_t limit) {
  static const std::string sql =
      std::string("SELECT ") + kStoredColumns +
      "WHERE r.host = ?1 AND r.article_id > ?2 AND (r.compacted_level IS NULL OR (r.compacted_level >= 0 AND "
      "(r.compacted_level < ?3 OR (r.dictionary_id IS NULL AND ?4 IS NOT NULL)))) ORDER BY r.article_id LIMIT ?5";
  auto q = query(sql);
  q.bind(host, after_article_id, level, newest_dictionary_id, to_int64(limit));
  std::vector<StoredRawPage> pages;
  while (q.step()) pages.push_back(read_stored(q));
  return pages;
}

std::vector<StoredRawPage> SqliteArchive::newest_raw_pages(const std::string& host, std::size_t limit) {
  static const std::string sql = std::string("SELECT ") + kStoredColumns +
                                 "WHERE r.host = ?1 AND r.compacted_level IS NOT -1 ORDER BY r.article_id DESC LIMIT ?2";
  auto q = query(sql);
  q.bind(host, to_int64(limit));
  std::vector<StoredRawPage> pages;
  while (q.step()) pages.push_back(read_stored(q));
  return pages;
}

std::optional<PageDictionaryRow> SqliteArchive::page_dictionary_by_id(std::int64_t id) {
  auto q = query(std::string("SELECT ") + kDictionaryColumns + " FROM page_dictionaries WHERE id = ?1");
  q.bind(id);
  return read_one_dictionary(q);
}

std::optional<PageDictionaryRow> SqliteArchive::newest_page_dictionary(const std::string& host) {
  auto q = query(std::string("SELECT ") + kDictionaryColumns +
                 " FROM page_dictionaries WHERE host = ?1 ORDER BY id DESC LIMIT 1");
  q.bind(host);
  return read_one_dictionary(q);
}

std::optional<StoredRawPage> SqliteArchive::page_on_body(std::int64_t id) {
  static const std::string sql = std::string("SELECT ") + kStoredColumns + "WHERE r.article_id = ?1 AND r.codec = ?2";
  auto q = query(sql);
  q.bind(id, static_cast<std::int64_t>(PageCodec::zstd_article));
  if (!q.step()) return std::nullopt;
  return read_stored(q);
}

bool SqliteArchive::body_is(std::int64_t article_id, const std::string& body) {
  auto q = query("SELECT body FROM articles WHERE id = ?1");
  q.bind(article_id);
  return q.step() && q.blob(0) == body;
}

std::int64_t SqliteArchive::repack_raw_pages(const std::vector<RawPageRepack>& pages) {
  std::int64_t replaced = 0;
  transaction([&] {
    for (const RawPageRepack& p : pages) {
      const StoredRawPage& b = p.before;
      const auto codec = static_cast<std::int64_t>(b.codec);
      const auto plain = static_cast<std::int64_t>(b.plain_bytes);
      if (p.after && p.after->codec == PageCodec::zstd_article && !body_is(b.article_id, b.article_body)) continue;
      if (p.after) {
        query(
            "UPDATE raw_pages SET codec = ?6, bytes = ?7, dictionary_id = ?8, compacted_level = ?9 "
            "WHERE article_id = ?1 AND codec = ?2 AND plain_bytes = ?3 AND dictionary_id IS ?4 AND bytes = ?5")
            .bind(b.article_id, codec, plain, b.dictionary_id, Blob{b.bytes},
                  static_cast<std::int64_t>(p.after->codec), Blob{p.after->bytes}, p.after->dictionary_id, p.level)
            .run();
      } else {
        query(
            "UPDATE raw_pages SET compacted_level = -1 "
            "WHERE article_id = ?1 AND codec = ?2 AND plain_bytes = ?3 AND dictionary_id IS ?4 AND bytes = ?5")
            .bind(b.article_id, codec, plain, b.dictionary_id, Blob{b.bytes})
            .run();
      }
      replaced += changes(db_.get());
    }
  });
  return replaced;
}

}  // namespace winnow::archive::sqlite
