#pragma once
// Shared by the archive suites: a fresh temporary directory per test, a second raw SQLite
// connection to look at what the archive wrote, and article rows to store.
#include <sqlite3.h>
#include <stdlib.h>

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/archive/archive.h"

namespace winnow::archive::testing {

// A directory of its own under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "winnow-archive-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A plain SQLite connection of the test's own, to check what the archive left on disk.
class Probe {
 public:
  explicit Probe(const std::string& path) {
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
    db_.reset(db);
    if (rc != SQLITE_OK) throw std::runtime_error("probe cannot open " + path);
    sqlite3_busy_timeout(db, 10'000);
  }
  // The first column of the first row as an integer (0 without a row).
  std::int64_t integer(const std::string& sql) {
    Stmt stmt = prepare(sql);
    return sqlite3_step(stmt.get()) == SQLITE_ROW ? sqlite3_column_int64(stmt.get(), 0) : 0;
  }
  // Column `column` of the first row as text ("" without a row).
  std::string text(const std::string& sql, int column = 0) {
    Stmt stmt = prepare(sql);
    if (sqlite3_step(stmt.get()) != SQLITE_ROW) return {};
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), column));
    return p ? p : "";
  }
  // The first column of every row, as text (NULL as "").
  std::vector<std::string> texts(const std::string& sql) {
    Stmt stmt = prepare(sql);
    std::vector<std::string> out;
    while (sqlite3_step(stmt.get()) == SQLITE_ROW) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0));
      out.emplace_back(p ? p : "");
    }
    return out;
  }
  void exec(const std::string& sql) {
    if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("probe: ") + sqlite3_errmsg(db_.get()));
  }

 private:
  struct DbClose {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
  };
  struct StmtFinalize {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
  };
  using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

  Stmt prepare(const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("probe: ") + sqlite3_errmsg(db_.get()) + " in " + sql);
    return Stmt(raw);
  }

  std::unique_ptr<sqlite3, DbClose> db_;
};

// An article with every field set; `n` makes URL, entry key and text distinct.
inline ArticleRow sample_article(int n, std::optional<std::int64_t> feed_id = std::nullopt) {
  const std::string s = std::to_string(n);
  ArticleRow row;
  row.feed_id = feed_id;
  row.entry_key = "urn:entry:" + s;
  row.url = "https://news.example/story/" + s + "?utm_source=feed";
  row.normalized_url = "https://news.example/story/" + s;
  row.canonical_url = "https://news.example/canonical/" + s;
  row.title = "Story number " + s;
  row.authors = "Ann Writer, Bob Editor";
  row.published = 1'700'000'000 + n;
  row.modified = std::nullopt;
  row.site_name = "News Example";
  row.language = "en";
  row.description = "The story " + s + " in one line.";
  row.image = "https://news.example/img/" + s + ".jpg";
  row.tags = "world, politics";
  row.text = "Body of story " + s + ". The harbour council met on Tuesday.\n\nSecond paragraph of " + s + ".";
  row.markdown = "Body of story " + s + ". The harbour council met on Tuesday.\n\nSecond paragraph of " + s + ".";
  row.blocks_json = R"([{"type":"paragraph","text":"Body of story )" + s + R"(."}])";
  row.removed_json = "[]";
  row.fingerprint = 0x9e3779b97f4a7c15ull * static_cast<std::uint64_t>(n + 1);
  row.source = "page";
  row.http_status = 200;
  row.content_type = "text/html; charset=utf-8";
  row.raw = "<html><head><title>Story number " + s + "</title></head><body><p>" + row.text + "</p></body></html>";
  row.charset = "utf-8";
  row.fetched_at = 1'700'000'100 + n;
  row.extractor_version = 3;
  return row;
}

// `fingerprint` with the given bits flipped: a near or far copy of a story.
inline std::uint64_t flip(std::uint64_t fingerprint, std::initializer_list<int> bits) {
  for (int bit : bits) fingerprint ^= std::uint64_t{1} << bit;
  return fingerprint;
}

}  // namespace winnow::archive::testing

// Lets BOOST_TEST compare and print optional ids.
namespace boost::test_tools::tt_detail {
template <>
struct print_log_value<std::optional<std::int64_t>> {
  void operator()(std::ostream& out, const std::optional<std::int64_t>& value) {
    if (value)
      out << *value;
    else
      out << "nullopt";
  }
};
}  // namespace boost::test_tools::tt_detail
