// archive/article_codec.h, and both archives storing articles in its compact form (SQLite
// schema 10, PostgreSQL schema 2) beside rows stored before it.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/archive/archive.h"
#include "daemon/archive/article_codec.h"
#include "daemon/ingest/article_row.h"
#include "parsers/extract/extract.h"
#include "tests/daemon/archive_backends.h"
#include "tests/daemon/archive_helpers.h"
#include "tests/page_file.h"

namespace winnow::archive {
namespace {

namespace fs = std::filesystem;
using testing::BackendArchive;
using testing::kBackends;
using testing::sample_article;
using testing::throws_with;

// Real pages as ingest stores them: the seeds fixtures, and the first pages of the dev set
// beside the project when it is there (it is in CI).
std::vector<ArticleRow> real_rows(std::size_t dev_pages) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(WINNOW_SOURCE_DIR) / "tests/fixtures/seeds"))
    if (e.path().extension() == ".html" || e.path().string().ends_with(".html.gz")) files.push_back(e.path());
  std::vector<fs::path> dev;
  const fs::path dev_dir = fs::path(WINNOW_SOURCE_DIR) / "../shared/bench/zyte/html";
  if (fs::is_directory(dev_dir))
    for (const auto& e : fs::directory_iterator(dev_dir)) dev.push_back(e.path());
  std::sort(dev.begin(), dev.end());
  dev.resize(std::min(dev.size(), dev_pages));
  files.insert(files.end(), dev.begin(), dev.end());
  std::vector<ArticleRow> rows;
  for (const auto& f : files) {
    parsers::ExtractOptions options;
    options.keep_removed = true;
    const auto article = parsers::extract(winnow::testing::read_page_file(f), options);
    ArticleRow row;
    ingest::set_extracted_fields(row, article);
    rows.push_back(std::move(row));
  }
  return rows;
}

void check_same_content(const ArticleRow& got, const ArticleRow& want) {
  BOOST_TEST(got.text == want.text);
  BOOST_TEST(got.markdown == want.markdown);
  BOOST_TEST(got.blocks_json == want.blocks_json);
  BOOST_TEST(got.removed_json == want.removed_json);
}

BOOST_AUTO_TEST_SUITE(article_codec)

BOOST_AUTO_TEST_CASE(real_pages_round_trip_identical_and_smaller) {
  const auto rows = real_rows(40);
  BOOST_TEST_REQUIRE(rows.size() >= 5u);
  std::size_t four_strings = 0, packed = 0;
  for (const auto& row : rows) {
    const std::string body = pack_article_body(row);
    ArticleRow back;
    back.title = row.title;
    unpack_article_body(body, back);
    check_same_content(back, row);
    BOOST_TEST(article_body_text(body) == row.text);
    four_strings += row.text.size() + row.markdown.size() + row.blocks_json.size() + row.removed_json.size();
    packed += body.size();
  }
  BOOST_TEST_MESSAGE(rows.size() << " pages: " << four_strings << " bytes as four strings, " << packed << " packed");
  BOOST_TEST(packed * 4 < four_strings);
}

// Format 2 (PostgreSQL): packed against the text stored beside it, the body holds little
// more than the blocks' structure and the removed blocks; it reads back with that text only.
BOOST_AUTO_TEST_CASE(a_body_packed_against_its_text_is_smaller_and_needs_that_text) {
  const auto rows = real_rows(40);
  BOOST_TEST_REQUIRE(rows.size() >= 5u);
  std::size_t alone = 0, against = 0;
  for (const auto& row : rows) {
    const std::string body = pack_article_body_against_text(row);
    BOOST_TEST(static_cast<std::uint8_t>(body.front()) == kArticleBodyAgainstTextFormat);
    ArticleRow back;
    back.title = row.title;
    unpack_article_body(body, back, row.text);
    check_same_content(back, row);
    BOOST_TEST(article_body_text(body, row.text) == row.text);
    BOOST_TEST(article_body_plain(body, row.text) == article_body_plain(pack_article_body(row)));
    if (!row.text.empty()) {
      ArticleRow wrong;
      BOOST_TEST(throws_with([&] { unpack_article_body(body, wrong, row.text + "x"); }, "corrupt article body"));
      BOOST_TEST(throws_with([&] { unpack_article_body(body, wrong); }, "corrupt article body"));
    }
    alone += pack_article_body(row).size();
    against += body.size();
  }
  BOOST_TEST_MESSAGE(rows.size() << " pages: bodies " << alone << " bytes alone, " << against << " against their text");
  BOOST_TEST(against * 3 < alone * 2);  // 54% on these pages: the removed blocks stay
}

BOOST_AUTO_TEST_CASE(text_and_markdown_that_the_blocks_do_not_give_are_kept_as_they_are) {
  ArticleRow row = sample_article(1);  // hand-made: text and Markdown are no rendering of the blocks
  row.text += "\n\nA closing line that no block holds.";
  const std::string body = pack_article_body(row);
  ArticleRow back;
  back.title = row.title;
  unpack_article_body(body, back);
  check_same_content(back, row);
  BOOST_TEST(article_body_text(body) == row.text);

  // A page without a title whose row got the feed entry's title after rendering (ingest).
  parsers::Article untitled;
  untitled.blocks.push_back({.kind = parsers::BlockKind::paragraph, .text = "A page that names no title."});
  ArticleRow rendered;
  ingest::set_extracted_fields(rendered, untitled);
  rendered.title = "Title from the feed entry";
  const std::string titled = pack_article_body(rendered);
  ArticleRow back2;
  back2.title = rendered.title;
  unpack_article_body(titled, back2);
  check_same_content(back2, rendered);

  ArticleRow empty;
  ArticleRow back3;
  unpack_article_body(pack_article_body(empty), back3);
  check_same_content(back3, empty);
}

BOOST_AUTO_TEST_CASE(a_corrupt_body_is_a_clear_error) {
  const std::string body = pack_article_body(real_rows(0).front());
  ArticleRow row;
  BOOST_TEST(throws_with([&] { unpack_article_body("", row); }, "corrupt article body"));
  BOOST_TEST(throws_with([&] { unpack_article_body("\x07" + body.substr(1), row); }, "unknown format 7"));
  BOOST_TEST(throws_with([&] { unpack_article_body(body.substr(0, body.size() / 2), row); }, "corrupt article body"));
  std::string flipped = body;
  for (std::size_t i = 8; i < flipped.size(); i += 7) flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
  BOOST_TEST(throws_with([&] { unpack_article_body(flipped, row); }, "corrupt article body"));
  BOOST_TEST(throws_with([&] { article_body_text(flipped); }, "corrupt article body"));
}

BOOST_DATA_TEST_CASE(the_archive_stores_the_body_once_and_reads_text_and_markdown_back, kBackends, backend) {
  BackendArchive fx(backend);
  const auto rows = real_rows(10);
  std::vector<std::int64_t> ids;
  for (const auto& row : rows) ids.push_back(fx.archive->store_article(row));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto back = fx.archive->article(ids[i]);
    BOOST_TEST_REQUIRE(back.has_value());
    check_same_content(*back, rows[i]);
  }
  fx.archive.reset();
  BOOST_TEST(fx.integer("SELECT count(*) FROM articles WHERE body IS NULL") == 0);
  BOOST_TEST(fx.integer("SELECT sum(length(markdown) + length(blocks_json) + length(removed_json)) "
                        "FROM articles") == 0);
  if (fx.is_postgres()) {
    // The text column is the text (the search index reads it), the body is packed against it.
    std::size_t text_bytes = 0;
    for (const auto& row : rows) text_bytes += row.text.size();
    BOOST_TEST(fx.integer("SELECT sum(octet_length(text)) FROM articles") == static_cast<std::int64_t>(text_bytes));
    BOOST_TEST(fx.integer("SELECT count(*) FROM articles WHERE get_byte(body, 0) <> 2") == 0);
    BOOST_TEST(fx.integer("SELECT count(*) FROM articles WHERE search IS NOT NULL") == 0);
    // Packed by winnow already: PostgreSQL must not try pglz on it.
    BOOST_TEST(fx.text("SELECT attstorage FROM pg_attribute WHERE attrelid = 'articles'::regclass "
                       "AND attname = 'body'") == "e");
  } else {
    BOOST_TEST(fx.integer("SELECT sum(length(text)) FROM articles") == 0);
    fx.exec("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')");  // throws when out of step
  }
  // A word of the stored text is found, with a snippet from the text derived from the body.
  const auto& first = rows.front();
  const std::string word = first.text.substr(0, first.text.find_first_of(" \n,."));
  auto archive = Archive::open_read_only(fx.location);
  const auto hits = archive->search("\"" + word + "\"", 50);
  BOOST_TEST_REQUIRE(!hits.empty());
  BOOST_TEST(std::any_of(hits.begin(), hits.end(), [&](const SearchHit& h) {
    return h.snippet.find("[" + word + "]") != std::string::npos;
  }));
}

// Takes the PostgreSQL archive at `url` back to schema 1 as it was released: no body column,
// no page dictionaries, and `search` generated from articles.text. Rows are dropped.
void back_to_postgres_version_1(const std::string& url) {
  ::winnow::testing::PgCluster::exec(url, R"sql(
DELETE FROM entries; DELETE FROM raw_pages; DELETE FROM events; DELETE FROM articles;
ALTER TABLE raw_pages DROP COLUMN host;
ALTER TABLE raw_pages DROP COLUMN compacted_level;
ALTER TABLE raw_pages DROP COLUMN dictionary_id;
DROP TABLE page_dictionaries;
ALTER TABLE articles DROP COLUMN body;
ALTER TABLE articles DROP COLUMN search;
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, title), 'A') ||
    setweight(to_tsvector('simple'::regconfig, text), 'B')) STORED;
CREATE INDEX articles_search ON articles USING gin (search);
UPDATE schema_version SET version = 1;
)sql");
}

BOOST_DATA_TEST_CASE(rows_stored_before_the_body_still_read_and_are_found, kBackends, backend) {
  BackendArchive fx(backend);
  const ArticleRow old = sample_article(1);
  fx.archive->store_article(sample_article(0));
  fx.archive.reset();
  if (fx.is_postgres()) {
    back_to_postgres_version_1(fx.location);
  } else {
    testing::back_to_version_9(fx.location);
    fx.exec("DELETE FROM entries; DELETE FROM raw_pages; DELETE FROM events; DELETE FROM articles");
  }
  fx.exec(
      "INSERT INTO articles (id, entry_key, url, normalized_url, canonical_url, title, authors, site_name, language, "
      "description, image, tags, text, markdown, blocks_json, removed_json, fingerprint, fp_band0, fp_band1, "
      "fp_band2, fp_band3, fp_band4, fp_band5, source, http_status, content_type, charset, fetched_at, archived_at, "
      "extractor_version) VALUES (7, 'k', 'u', 'u', '', '" +
      old.title + "', '', '', 'en', '', '', '', '" + old.text + "', '" + old.markdown + "', '" + old.blocks_json +
      "', '[{\"reason\":\"navigation\",\"text\":\"Home\"}]', 1, 0, 0, 0, 0, 0, 0, 'page', 200, '', '', 1, 1, 3)");
  auto archive = Archive::open(fx.location);  // migrates
  const auto back = archive->article(7);
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST(back->text == old.text);
  BOOST_TEST(back->markdown == old.markdown);
  BOOST_TEST(back->blocks_json == old.blocks_json);
  BOOST_TEST(back->removed_json == R"([{"reason":"navigation","text":"Home"}])");
  const auto hits = archive->search("harbour", 10);
  BOOST_TEST_REQUIRE(hits.size() == 1u);
  BOOST_TEST(hits[0].article_id == 7);
  BOOST_TEST(hits[0].snippet.find("[harbour]") != std::string::npos);
  // A new row beside it is compact, and both are in the index.
  ArticleRow fresh = sample_article(2);
  const auto fresh_id = archive->store_article(fresh);
  BOOST_TEST(archive->search("harbour", 10).size() == 2u);
  // Re-extraction turns the old row compact; the index follows.
  ArticleRow updated = *back;
  updated.text = "Rewritten text about lighthouses.";
  archive->update_extraction(updated);
  BOOST_TEST(archive->article(7)->text == updated.text);
  BOOST_TEST(archive->article(7)->markdown == old.markdown);
  BOOST_TEST(archive->search("harbour", 10).size() == 1u);
  const auto lighthouses = archive->search("lighthouses", 10);
  BOOST_TEST_REQUIRE(lighthouses.size() == 1u);
  BOOST_TEST(lighthouses[0].snippet.find("[lighthouses]") != std::string::npos);
  BOOST_TEST(archive->article(fresh_id)->text == fresh.text);
  archive.reset();
  if (fx.is_postgres()) {
    BOOST_TEST(fx.integer("SELECT version FROM schema_version") == testing::kPgSchemaVersion);
  } else {
    BOOST_TEST(fx.integer("PRAGMA user_version") == testing::kSchemaVersion);
    fx.exec("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')");
  }
  BOOST_TEST(fx.integer("SELECT count(*) FROM articles WHERE body IS NULL") == 0);
}

BOOST_DATA_TEST_CASE(a_corrupt_body_in_the_archive_is_a_clear_error_on_read, kBackends, backend) {
  BackendArchive fx(backend);
  const std::int64_t id = fx.archive->store_article(sample_article(1));
  fx.archive.reset();
  if (fx.is_postgres()) {
    fx.exec("UPDATE articles SET body = '\\x01deadbeef'::bytea WHERE id = " + std::to_string(id));
  } else {
    // Past the index's trigger, which would refuse it.
    fx.exec("DROP TRIGGER articles_fts_update; UPDATE articles SET body = x'01deadbeef' WHERE id = " +
            std::to_string(id));
  }
  auto archive = Archive::open_read_only(fx.location);
  BOOST_TEST(throws_with([&] { archive->article(id); }, "corrupt article body"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::archive
