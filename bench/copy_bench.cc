// copy_bench SQLITE_ARCHIVE DEST: copies an archive daemon_bench kept (`--keep`) into DEST, a
// new archive location (a postgresql:// URL), through the Archive interface, so that both back
// ends hold the same farm data for read_bench and for sizes by table. Feeds, page
// dictionaries and articles with their raw pages and entries: each page is packed again with
// the dictionary it was packed with in the source (by DEST's id for it), or alone when DEST
// keeps no dictionaries. Prints the time per stored article. DEST's own ids may differ
// (PostgreSQL stores a URL once); duplicate_of follows them.
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/archive/archive.h"
#include "daemon/archive/compress.h"

namespace {

using winnow::archive::Archive;
using winnow::archive::PageDictionary;

// article id -> the source's dictionary id its raw page was packed with. Straight from the
// SQLite file: the Archive interface does not say.
std::map<std::int64_t, std::int64_t> page_dictionary_ids(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close_v2(db);
    throw std::runtime_error("cannot open " + path);
  }
  std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> owner(db, &sqlite3_close_v2);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT article_id, dictionary_id FROM raw_pages WHERE dictionary_id IS NOT NULL", -1,
                         &stmt, nullptr) != SQLITE_OK)
    throw std::runtime_error(sqlite3_errmsg(db));
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt_owner(stmt, &sqlite3_finalize);
  std::map<std::int64_t, std::int64_t> ids;
  while (sqlite3_step(stmt) == SQLITE_ROW) ids[sqlite3_column_int64(stmt, 0)] = sqlite3_column_int64(stmt, 1);
  return ids;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: copy_bench SQLITE_ARCHIVE DEST\n");
    return 2;
  }
  try {
    const std::string source_path = argv[1];
    auto source = Archive::open_sqlite_read_only(source_path);
    auto dest = Archive::open(argv[2]);

    std::map<std::int64_t, std::int64_t> feed_ids;
    dest->transaction([&] {
      for (const auto& feed : source->feeds()) {
        auto row = feed;
        row.id = dest->add_feed(feed.url, feed.title, feed.category);
        dest->update_feed(row);
        feed_ids[feed.id] = row.id;
      }
    });

    // Source dictionary id -> the dictionary as DEST numbers it (nullptr: DEST keeps none).
    std::map<std::int64_t, std::unique_ptr<PageDictionary>> dictionaries;
    for (const auto& d : source->page_dictionaries()) {
      const std::int64_t id = dest->add_page_dictionary(d.host, d.bytes);
      dictionaries[d.id] = id ? std::make_unique<PageDictionary>(id, d.bytes) : nullptr;
    }
    const auto packed_with = page_dictionary_ids(source_path);

    std::map<std::int64_t, std::int64_t> article_ids;
    std::int64_t cursor = 0, copied = 0, with_dictionary = 0;
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
      auto rows = source->articles_after(cursor, 200, false, true);
      if (rows.empty()) break;
      cursor = rows.back().id;
      dest->transaction([&] {
        for (auto& row : rows) {
          const std::int64_t source_id = row.id;
          if (row.feed_id) row.feed_id = feed_ids.at(*row.feed_id);
          if (row.duplicate_of) {
            auto it = article_ids.find(*row.duplicate_of);
            row.duplicate_of = it == article_ids.end() ? std::nullopt : std::optional(it->second);
          }
          const PageDictionary* dictionary = nullptr;
          if (auto it = packed_with.find(source_id); it != packed_with.end()) dictionary = dictionaries.at(it->second).get();
          with_dictionary += dictionary != nullptr;
          if (!row.raw.empty()) row.raw_packed = winnow::archive::pack_page(row.raw, dictionary);
          article_ids[source_id] = dest->store_article(row);
          ++copied;
        }
      });
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("copy_bench: %lld articles copied (%lld pages with a dictionary) in %.1f s, %.3f ms per article; "
                "destination holds %lld\n",
                (long long)copied, (long long)with_dictionary, s, copied ? s * 1000 / double(copied) : 0.0,
                (long long)dest->article_count());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "copy_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
