#pragma once
// Shared by the archive suites: a fresh temporary directory per test, a second raw SQLite
// connection to look at what the archive wrote, and article rows to store.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <ostream>
#include <string>
#include <vector>

#include "daemon/archive/archive.h"
#include "tests/daemon/probe.h"
#include "tests/daemon/temp_dir.h"
#include "tests/page_file.h"

namespace winnow::archive::testing {

// Kept apart from Boost.Test (daemon_bench uses them too); named here for the archive suites.
using ::winnow::testing::Probe;
using ::winnow::testing::TempDir;

// An article with every field set; `n` makes URL, entry key and text distinct.
// The schema versions this winnow writes (the last steps of sqlite/schema.cc's and
// postgres/schema.cc's migrations): tests that migrate an old archive check it reaches them.
inline constexpr std::int64_t kSchemaVersion = 13;
inline constexpr std::int64_t kPgSchemaVersion = 7;

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

// Pages of one site, as the pages of one host differ: the template of a real page (`fixture`,
// a seeds fixture) with a story of its own in each, random words drawn by `seed`. Throws
// std::runtime_error when the fixture has no <body>.
inline std::vector<std::string> site_pages(const std::string& fixture, int count, unsigned seed) {
  const std::string page = ::winnow::testing::read_page_file(std::filesystem::path(WINNOW_SOURCE_DIR) /
                                                             "tests/fixtures/seeds" / fixture);
  const auto body = page.find("<body");
  if (body == std::string::npos) throw std::runtime_error(fixture + ": no <body>");
  std::mt19937 rng(seed);
  const char* words[] = {"harbour", "council", "river", "budget", "school", "storm", "market", "bridge",
                         "mayor",   "festival", "rail",  "court",  "museum", "ferry", "league", "clinic"};
  std::vector<std::string> pages;
  for (int n = 0; n < count; ++n) {
    std::string story = "<article><h1>Story " + std::to_string(seed) + "-" + std::to_string(n) + "</h1>";
    for (int p = 0; p < 12; ++p) {
      story += "<p>";
      for (int w = 0; w < 40; ++w) story += std::string(words[rng() % 16]) + (rng() % 7 ? " " : ". ");
      story += std::to_string(rng()) + "</p>";
    }
    pages.push_back(page.substr(0, body) + story + "</article>" + page.substr(body));
  }
  return pages;
}

// `text` as an SQL string literal.
inline std::string sql_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// `bytes` as an SQL blob literal: X'..' on SQLite, '\x..'::bytea on PostgreSQL.
inline std::string sql_blob(const std::string& bytes, bool postgres) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  return postgres ? "'\\x" + hex + "'::bytea" : "X'" + hex + "'";
}

// Takes the closed archive at `path` back to version 9 as it was released: every article's
// text, Markdown and blocks in their own columns (as rows stored before version 10), no body
// column, and the full-text index on articles.text with its triggers.
inline void back_to_version_9(const std::string& path) {
  std::vector<ArticleRow> rows;
  {
    auto archive = Archive::open_sqlite(path);
    rows = archive->articles_after(0, 1'000'000, false, false);
  }
  Probe probe(path);
  probe.exec(
      "DROP TRIGGER articles_fts_insert; DROP TRIGGER articles_fts_delete; DROP TRIGGER articles_fts_update; "
      "DROP TABLE articles_fts; DROP VIEW articles_fts_content; DROP TABLE page_dictionaries; "
      "DROP INDEX raw_pages_host; DROP INDEX raw_pages_uncompacted; ALTER TABLE raw_pages DROP COLUMN host; "
      "ALTER TABLE raw_pages DROP COLUMN compacted_level; "  // version 11's
      "ALTER TABLE raw_pages DROP COLUMN dictionary_id;");
  for (const auto& row : rows)
    probe.exec("UPDATE articles SET body = NULL, text = " + sql_quote(row.text) + ", markdown = " +
               sql_quote(row.markdown) + ", blocks_json = " + sql_quote(row.blocks_json) +
               ", removed_json = " + sql_quote(row.removed_json) + " WHERE id = " + std::to_string(row.id));
  probe.exec(R"sql(
ALTER TABLE articles DROP COLUMN body;
CREATE VIRTUAL TABLE articles_fts USING fts5(
  title, text, content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
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
PRAGMA user_version = 9;
)sql");
}

// Whether f() throws a runtime_error whose message holds `words`.
inline bool throws_with(const std::function<void()>& f, const std::string& words) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return std::string(e.what()).find(words) != std::string::npos;
  }
  return false;
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
