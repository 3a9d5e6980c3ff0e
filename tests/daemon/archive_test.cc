// Archive::open_sqlite on a real SQLite file in a fresh temporary directory.
#include <sqlite3.h>
#include <zlib.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <sstream>
#include <string>

#include "daemon/archive/archive.h"
#include "tests/daemon/archive_backends.h"
#include "tests/daemon/archive_helpers.h"

namespace winnow::archive {
namespace {

using testing::flip;
using testing::Probe;
using testing::sample_article;
using testing::TempDir;
using testing::Backend;
using testing::BackendArchive;
using testing::kBackends;

using testing::throws_with;

BOOST_AUTO_TEST_SUITE(archive)

using testing::kPgSchemaVersion;
using testing::kSchemaVersion;

BOOST_AUTO_TEST_CASE(opening_an_empty_file_migrates_to_the_current_schema_in_wal_mode) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  { auto archive = Archive::open_sqlite(path); }
  Probe probe(path);
  BOOST_TEST(probe.integer("PRAGMA user_version") == kSchemaVersion);
  BOOST_TEST(probe.text("PRAGMA journal_mode") == "wal");
  BOOST_TEST(probe.integer("PRAGMA page_size") == 4096);
  for (const char* table : {"feeds", "entries", "articles", "raw_pages", "articles_fts"})
    BOOST_TEST(probe.integer(std::string("SELECT count(*) FROM sqlite_schema WHERE name = '") + table + "'") == 1,
               table);
  BOOST_TEST(probe.text("PRAGMA integrity_check") == "ok");
}

BOOST_DATA_TEST_CASE(reopening_keeps_the_data_and_does_not_migrate_again, kBackends, backend) {
  BackendArchive fx(backend);
  std::int64_t feed_id = 0, article_id = 0;
  {
    auto archive = std::move(fx.archive);
    feed_id = archive->add_feed("https://news.example/feed.xml", "News", "world");
    article_id = archive->store_article(sample_article(1, feed_id));
  }
  auto archive = Archive::open(fx.location);
  BOOST_TEST(archive->commit_count() == 0);  // an up-to-date file is opened without writing
  BOOST_TEST(archive->feed(feed_id).value().url == "https://news.example/feed.xml");
  BOOST_TEST(archive->article(article_id).value().title == "Story number 1");
  BOOST_TEST(archive->has_entry(feed_id, "urn:entry:1"));
  if (fx.is_postgres())
    BOOST_TEST(fx.integer("SELECT version FROM schema_version") == kPgSchemaVersion);
  else
    BOOST_TEST(fx.integer("PRAGMA user_version") == kSchemaVersion);
}

BOOST_AUTO_TEST_CASE(a_version_1_archive_with_data_is_migrated_and_keeps_everything) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  {
    std::ifstream in(std::string(WINNOW_SOURCE_DIR) + "/tests/fixtures/archive/v1.sql");
    std::ostringstream sql;
    sql << in.rdbuf();
    BOOST_TEST_REQUIRE(!sql.str().empty());
    sqlite3* raw_db = nullptr;
    BOOST_TEST_REQUIRE(sqlite3_open(path.c_str(), &raw_db) == SQLITE_OK);
    char* error = nullptr;
    // 16 KiB pages, as winnow made new archives with before 2026-12-03 (4 KiB since).
    const std::string script = "PRAGMA page_size = 16384;" + sql.str();
    const int rc = sqlite3_exec(raw_db, script.c_str(), nullptr, nullptr, &error);
    BOOST_TEST(rc == SQLITE_OK, (error ? error : ""));
    sqlite3_free(error);
    sqlite3_close(raw_db);
  }
  BOOST_TEST_REQUIRE(Probe(path).integer("PRAGMA user_version") == 1);

  auto archive = Archive::open_sqlite(path);
  Probe probe(path);
  BOOST_TEST(probe.integer("PRAGMA user_version") == kSchemaVersion);
  BOOST_TEST(probe.text("PRAGMA integrity_check") == "ok");
  BOOST_TEST(probe.integer("PRAGMA page_size") == 16384);  // an existing file keeps its page size
  BOOST_TEST(archive->article_count() == 3);
  // Stored before verdicts existed, every row was archived as an article.
  for (const auto& row : archive->articles_after(0, 10, false, false)) {
    BOOST_TEST(row.verdict == "article");
    BOOST_TEST(!row.partial);
    BOOST_TEST(!row.retry_at.has_value());
    BOOST_TEST(row.retries == 0);
  }
  BOOST_TEST(archive->articles_due_for_retry(std::numeric_limits<std::int64_t>::max(), 10).empty());
  BOOST_TEST(archive->feed(1).value().title == "Harbour News");
  BOOST_TEST(archive->has_entry(1, "urn:story:2"));
  // Pages stored before schema 7 were kept without their HTTP head: none is made up.
  for (const auto& row : archive->articles_after(0, 10, false, true)) BOOST_TEST(row.http_head.empty());
  BOOST_TEST(probe.integer("SELECT count(*) FROM raw_pages WHERE http_head IS NOT NULL") == 0);
  // The near-copy shares none of the 16-bit bands of version 1 with the first article but
  // three of the six recomputed ones: the indexed lookup finds it.
  const auto first = archive->article(1).value();
  const auto near = archive->near_duplicates(archive->article(2).value().fingerprint, 5, 0);
  BOOST_TEST((std::find(near.begin(), near.end(), first.id) != near.end()));
  BOOST_TEST(probe.integer("SELECT fp_band4 FROM articles WHERE id = 1") ==
             std::int64_t((first.fingerprint >> 44) & 1023));
  // The band indexes carry the fingerprint: the lookup reads no table row.
  BOOST_TEST(probe.text("EXPLAIN QUERY PLAN SELECT id, fingerprint FROM articles WHERE fp_band3 = 1 AND archived_at >= 0", 3)
                 .find("COVERING INDEX") != std::string::npos);
  // Full-text search, the zlib raw page (codec 1) and a new article all work as before.
  BOOST_TEST(archive->search("lido", 10).size() == 1u);
  BOOST_TEST(archive->article(1, true).value().raw.find("<h1>Harbour wall repaired") != std::string::npos);
  const std::int64_t id = archive->store_article(sample_article(4, 1));
  BOOST_TEST(id == 4);
  BOOST_TEST(archive->article_count() == 4);
}

BOOST_DATA_TEST_CASE(a_database_from_a_newer_winnow_is_refused_untouched, kBackends, backend) {
  BackendArchive fx(backend);
  fx.archive.reset();
  fx.exec(fx.is_postgres() ? "UPDATE schema_version SET version = 99" : "PRAGMA user_version = 99");
  BOOST_TEST(throws_with([&] { Archive::open(fx.location); }, "schema version 99, newer than this winnow knows"));
  BOOST_TEST(throws_with([&] { Archive::open_read_only(fx.location); }, "schema version 99, newer than this winnow knows"));
  BOOST_TEST(fx.integer(fx.is_postgres() ? "SELECT version FROM schema_version" : "PRAGMA user_version") == 99);
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_database_is_refused) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  std::ofstream(path) << std::string(8192, 'x');
  BOOST_CHECK_THROW(Archive::open_sqlite(path), std::runtime_error);
}

BOOST_DATA_TEST_CASE(adding_a_feed_twice_returns_the_same_id, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  const auto a = archive->add_feed("https://a.example/feed", "A", "news/world");
  const auto b = archive->add_feed("https://b.example/feed", "B", "");
  BOOST_TEST(a != b);
  BOOST_TEST(archive->add_feed("https://a.example/feed", "A again", "other") == a);
  const auto feeds = archive->feeds();
  BOOST_TEST_REQUIRE(feeds.size() == 2u);
  BOOST_TEST(feeds[0].id == a);
  BOOST_TEST(feeds[0].title == "A");  // the second add changed nothing
  BOOST_TEST(feeds[0].category == "news/world");
  BOOST_TEST(feeds[0].enabled);
  BOOST_TEST(feeds[1].id == b);
  BOOST_TEST(archive->feed_by_url("https://b.example/feed").value().id == b);
  BOOST_TEST(!archive->feed_by_url("https://c.example/feed"));
  BOOST_TEST(!archive->feed(12345));
}

BOOST_DATA_TEST_CASE(update_feed_writes_every_field_but_id, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  FeedRow row = archive->feed(archive->add_feed("http://old.example/rss", "Old", "")).value();
  row.url = "https://new.example/rss";
  row.title = "New";
  row.site_url = "https://new.example/";
  row.category = "tech/linux";
  row.etag = "\"abc\"";
  row.last_modified = "Mon, 01 Jan 2024 00:00:00 GMT";
  row.next_poll = 1'700'000'900;
  row.interval_s = 1800;
  row.last_polled = 1'700'000'000;
  row.last_new_entry = 1'699'999'000;
  row.consecutive_failures = 3;
  row.last_error = "HTTP 503";
  row.enabled = false;
  archive->update_feed(row);
  const FeedRow back = archive->feed(row.id).value();
  BOOST_TEST(back.url == row.url);
  BOOST_TEST(back.title == row.title);
  BOOST_TEST(back.site_url == row.site_url);
  BOOST_TEST(back.category == row.category);
  BOOST_TEST(back.etag == row.etag);
  BOOST_TEST(back.last_modified == row.last_modified);
  BOOST_TEST(back.next_poll == row.next_poll);
  BOOST_TEST(back.interval_s == row.interval_s);
  BOOST_TEST(back.last_polled == row.last_polled);
  BOOST_TEST(back.last_new_entry == row.last_new_entry);
  BOOST_TEST(back.consecutive_failures == row.consecutive_failures);
  BOOST_TEST(back.last_error == row.last_error);
  BOOST_TEST(!back.enabled);
  BOOST_TEST(!archive->feed_by_url("http://old.example/rss"));

  row.id = 999;
  BOOST_CHECK_THROW(archive->update_feed(row), std::runtime_error);
}

BOOST_DATA_TEST_CASE(removing_a_feed_forgets_its_entries_and_keeps_its_articles, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  const auto feed = archive->add_feed("https://a.example/feed", "A", "");
  const auto article = archive->store_article(sample_article(1, feed));
  archive->record_entry(feed, "urn:failed", std::nullopt);
  BOOST_TEST(archive->remove_feed(feed));
  BOOST_TEST(!archive->remove_feed(feed));
  BOOST_TEST(!archive->feed(feed));
  BOOST_TEST(!archive->has_entry(feed, "urn:entry:1"));
  BOOST_TEST(!archive->has_entry(feed, "urn:failed"));
  const auto kept = archive->article(article);
  BOOST_TEST_REQUIRE(kept.has_value());
  BOOST_TEST(!kept->feed_id.has_value());
  // Subscribing again starts with no entries seen.
  const auto again = archive->add_feed("https://a.example/feed", "A", "");
  BOOST_TEST(!archive->has_entry(again, "urn:entry:1"));
}

BOOST_DATA_TEST_CASE(entries_are_seen_per_feed, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  const auto a = archive->add_feed("https://a.example/feed", "A", "");
  const auto b = archive->add_feed("https://b.example/feed", "B", "");
  BOOST_TEST(!archive->has_entry(a, "urn:1"));
  archive->record_entry(a, "urn:1", std::nullopt);
  BOOST_TEST(archive->has_entry(a, "urn:1"));
  BOOST_TEST(!archive->has_entry(b, "urn:1"));
  archive->record_entry(a, "urn:1", std::nullopt);  // again: still one row
  BOOST_TEST(fx.integer("SELECT count(*) FROM entries") == 1);
  BOOST_CHECK_THROW(archive->record_entry(777, "urn:1", std::nullopt), std::runtime_error);  // no such feed
}

BOOST_DATA_TEST_CASE(storing_an_article_records_its_entry, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  const auto feed = archive->add_feed("https://a.example/feed", "A", "");
  archive->record_entry(feed, "urn:entry:5", std::nullopt);  // seen first, fetched later
  const auto id = archive->store_article(sample_article(5, feed));
  BOOST_TEST(archive->has_entry(feed, "urn:entry:5"));
  const BackendArchive& probe = fx;
  BOOST_TEST(probe.integer("SELECT article_id FROM entries WHERE entry_key = 'urn:entry:5'") == id);
  archive->record_entry(feed, "urn:entry:5", std::nullopt);  // does not forget the article
  BOOST_TEST(probe.integer("SELECT article_id FROM entries WHERE entry_key = 'urn:entry:5'") == id);
  // An on-demand crawl has no feed and so no entry.
  archive->store_article(sample_article(6));
  BOOST_TEST(probe.integer("SELECT count(*) FROM entries") == 1);
}

BOOST_DATA_TEST_CASE(an_article_comes_back_field_for_field, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  const auto feed = archive->add_feed("https://a.example/feed", "A", "");
  ArticleRow row = sample_article(7, feed);
  row.modified = 1'700'000'050;
  row.fingerprint = 0xfedcba9876543210ull;  // top bit set: stored as a negative integer
  row.raw = std::string("bin\0ary\xff bytes", 15);
  row.source = "feed";
  row.verdict = "consent_wall";
  row.partial = true;
  row.retry_at = 1'700'003'600;
  row.retries = 2;
  const auto before = std::time(nullptr);
  const auto id = archive->store_article(row);
  const auto original = archive->store_article(sample_article(8));
  ArticleRow dup = row;
  dup.duplicate_of = original;
  dup.entry_key = "urn:dup";
  dup.normalized_url += "/copy";  // another URL: PostgreSQL keeps one article per URL
  dup.canonical_url += "/copy";
  const auto copy = archive->store_article(dup);

  const ArticleRow back = archive->article(id, true).value();
  BOOST_TEST(back.id == id);
  BOOST_TEST(back.feed_id == row.feed_id);
  BOOST_TEST(back.entry_key == "urn:entry:7");
  BOOST_TEST(back.url == row.url);
  BOOST_TEST(back.normalized_url == row.normalized_url);
  BOOST_TEST(back.canonical_url == row.canonical_url);
  BOOST_TEST(back.title == row.title);
  BOOST_TEST(back.authors == row.authors);
  BOOST_TEST(back.published == row.published);
  BOOST_TEST(back.modified == row.modified);
  BOOST_TEST(back.site_name == row.site_name);
  BOOST_TEST(back.language == row.language);
  BOOST_TEST(back.description == row.description);
  BOOST_TEST(back.image == row.image);
  BOOST_TEST(back.tags == row.tags);
  BOOST_TEST(back.text == row.text);
  BOOST_TEST(back.markdown == row.markdown);
  BOOST_TEST(back.blocks_json == row.blocks_json);
  BOOST_TEST(back.removed_json == row.removed_json);
  BOOST_TEST(back.fingerprint == row.fingerprint);
  BOOST_TEST(!back.duplicate_of.has_value());
  BOOST_TEST(back.source == row.source);
  BOOST_TEST(back.http_status == row.http_status);
  BOOST_TEST(back.content_type == row.content_type);
  BOOST_TEST(back.raw == row.raw);
  BOOST_TEST(back.charset == row.charset);
  BOOST_TEST(back.fetched_at == row.fetched_at);
  BOOST_TEST(back.archived_at >= before);
  BOOST_TEST(back.archived_at <= std::time(nullptr));
  BOOST_TEST(back.extractor_version == row.extractor_version);
  BOOST_TEST(back.verdict == "consent_wall");
  BOOST_TEST(back.partial);
  BOOST_TEST(back.retry_at == row.retry_at);
  BOOST_TEST(back.retries == 2);

  BOOST_TEST(archive->article(id, false).value().raw.empty());
  BOOST_TEST(archive->article(copy).value().duplicate_of == original);
  BOOST_TEST(!archive->article(9999));
  BOOST_TEST(archive->article_count() == 3);
}

BOOST_DATA_TEST_CASE(articles_are_found_by_normalized_or_canonical_url, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  const auto first = archive->store_article(sample_article(1));
  // The same URLs again: SQLite stores a second copy (ingest asks article_by_url first) and
  // the oldest wins; PostgreSQL's unique indexes keep one and return its id.
  const auto again = archive->store_article(sample_article(1));
  if (fx.is_postgres()) {
    BOOST_TEST(again == first);
    BOOST_TEST(archive->article_count() == 1);
  } else {
    BOOST_TEST(again != first);
  }
  ArticleRow same_canonical = sample_article(2);
  same_canonical.canonical_url = sample_article(1).canonical_url;
  const auto by_canonical = archive->store_article(same_canonical);
  BOOST_TEST((by_canonical == first) == fx.is_postgres());
  BOOST_TEST(archive->article_by_url("https://news.example/story/1") == first);
  BOOST_TEST(archive->article_by_url("https://news.example/canonical/1") == first);
  BOOST_TEST(!archive->article_by_url("https://news.example/story/9"));
  ArticleRow no_canonical = sample_article(3);
  no_canonical.canonical_url.clear();
  archive->store_article(no_canonical);
  ArticleRow also_no_canonical = sample_article(4);
  also_no_canonical.canonical_url.clear();
  BOOST_TEST(archive->store_article(also_no_canonical) != archive->article_by_url(no_canonical.normalized_url));
  BOOST_TEST(!archive->article_by_url(""));
}

BOOST_DATA_TEST_CASE(a_throwing_transaction_leaves_nothing_behind, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  const auto feed = archive->add_feed("https://a.example/feed", "A", "");
  BOOST_CHECK_THROW(archive->transaction([&] {
    archive->store_article(sample_article(1, feed));
    archive->store_article(sample_article(2, feed));
    throw std::runtime_error("the caller changed its mind");
  }),
                    std::runtime_error);
  const BackendArchive& probe = fx;
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles") == 0);
  BOOST_TEST(probe.integer("SELECT count(*) FROM entries") == 0);
  BOOST_TEST(probe.integer("SELECT count(*) FROM raw_pages") == 0);
  if (!fx.is_postgres()) BOOST_TEST(probe.integer("SELECT count(*) FROM articles_fts_docsize") == 0);
  BOOST_TEST(archive->search("harbour", 10).empty());
  BOOST_TEST(!archive->has_entry(feed, "urn:entry:1"));
  // The connection is usable afterwards.
  archive->store_article(sample_article(3, feed));
  BOOST_TEST(archive->article_count() == 1);
}

BOOST_DATA_TEST_CASE(the_http_head_is_kept_with_the_raw_page_and_replaced_with_it, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  const auto feed = archive->add_feed("https://a.example/feed", "A", "");
  ArticleRow row = sample_article(1, feed);
  row.http_head = "HTTP/1.1 203 Odd\r\nX-Custom: 1\r\n\r\n";
  const auto id = archive->store_article(row);
  const auto without_head = archive->store_article(sample_article(2, feed));
  BOOST_TEST(archive->article(id, true).value().http_head == row.http_head);
  BOOST_TEST(archive->article(id, false).value().http_head.empty());  // comes with the raw page only
  BOOST_TEST(archive->article(without_head, true).value().http_head.empty());
  BOOST_TEST(archive->articles_after(0, 10, false, true).front().http_head == row.http_head);
  const BackendArchive& probe = fx;
  BOOST_TEST(probe.integer("SELECT count(*) FROM raw_pages WHERE http_head IS NULL") == 1);

  row.id = id;
  row.http_head = "HTTP/2 200 \r\nx-new: 2\r\n\r\n";
  archive->replace_article(row);
  BOOST_TEST(archive->article(id, true).value().http_head == row.http_head);
  // reextract writes the extraction only: page and head stay.
  row.text = "other text";
  row.http_head.clear();
  archive->update_extraction(row);
  BOOST_TEST(archive->article(id, true).value().http_head == "HTTP/2 200 \r\nx-new: 2\r\n\r\n");
}

BOOST_DATA_TEST_CASE(store_article_failing_at_its_last_write_leaves_nothing_behind, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  const auto feed = archive->add_feed("https://a.example/feed", "A", "");
  // The entry is written after the article, its raw bytes and its FTS row.
  const BackendArchive& probe = fx;
  if (fx.is_postgres()) {
    probe.exec(
        "CREATE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF new.entry_key = 'urn:entry:2' THEN RAISE EXCEPTION 'poisoned entry'; END IF; RETURN new; END $$");
    probe.exec("CREATE TRIGGER test_poison BEFORE INSERT ON entries FOR EACH ROW EXECUTE FUNCTION test_poison()");
  } else {
    probe.exec(
        "CREATE TRIGGER test_poison BEFORE INSERT ON entries WHEN new.entry_key = 'urn:entry:2' "
        "BEGIN SELECT RAISE(ABORT, 'poisoned entry'); END");
  }
  archive->store_article(sample_article(1, feed));
  BOOST_TEST(throws_with([&] { archive->store_article(sample_article(2, feed)); }, "poisoned entry"));
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles") == 1);
  BOOST_TEST(probe.integer("SELECT count(*) FROM raw_pages") == 1);
  BOOST_TEST(probe.integer("SELECT count(*) FROM entries") == 1);
  if (!fx.is_postgres()) BOOST_TEST(probe.integer("SELECT count(*) FROM articles_fts_docsize") == 1);
  BOOST_TEST(archive->search("\"story 2\"", 10).empty());
}

BOOST_DATA_TEST_CASE(a_nested_transaction_that_throws_rolls_back_only_its_own_part, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  archive->transaction([&] {
    archive->store_article(sample_article(1));
    try {
      archive->transaction([&] {
        archive->store_article(sample_article(2));
        throw std::runtime_error("inner");
      });
    } catch (const std::runtime_error&) {
    }
    archive->store_article(sample_article(3));
  });
  const auto rows = archive->articles_after(0, 10, false, false);
  BOOST_TEST_REQUIRE(rows.size() == 2u);
  BOOST_TEST(rows[0].title == "Story number 1");
  BOOST_TEST(rows[1].title == "Story number 3");
}

BOOST_DATA_TEST_CASE(near_duplicates_within_the_distance_are_found_and_farther_are_not, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  const std::uint64_t base = 0x0123456789abcdefull;
  int n = 0;
  const auto store = [&](std::uint64_t fingerprint) {
    ArticleRow row = sample_article(++n);
    row.fingerprint = fingerprint;
    return archive->store_article(row);
  };
  const auto d0 = store(base);
  const auto d1 = store(flip(base, {5}));
  const auto d2 = store(flip(base, {0, 63}));
  const auto d3_spread = store(flip(base, {1, 17, 40}));  // one band left intact
  const auto d3_one_band = store(flip(base, {20, 21, 22}));
  const auto d4 = store(flip(base, {2, 18, 34, 50}));  // every band differs
  const auto d4_two_bands = store(flip(base, {3, 4, 36, 37}));
  const auto d5 = store(flip(base, {6, 7, 23, 39, 55}));
  const auto d6 = store(flip(base, {1, 12, 23, 34, 45, 56}));  // one bit in each of the six bands
  store(~base);

  using Ids = std::vector<std::int64_t>;
  BOOST_TEST(archive->near_duplicates(base, 3, 0) == (Ids{d0, d1, d2, d3_spread, d3_one_band}),
             boost::test_tools::per_element());
  BOOST_TEST(archive->near_duplicates(base, 0, 0) == Ids{d0}, boost::test_tools::per_element());
  BOOST_TEST(archive->near_duplicates(base, 1, 0) == (Ids{d0, d1}), boost::test_tools::per_element());
  BOOST_TEST(archive->near_duplicates(flip(base, {5}), 1, 0) == (Ids{d0, d1}), boost::test_tools::per_element());
  // Up to five bits the six bands find every match by index.
  BOOST_TEST(archive->near_duplicates(base, 5, 0) == (Ids{d0, d1, d2, d3_spread, d3_one_band, d4, d4_two_bands, d5}),
             boost::test_tools::per_element());
  // Past five bits the bands guarantee nothing; the lookup scans the window and stays exact.
  BOOST_TEST(archive->near_duplicates(base, 6, 0) ==
                 (Ids{d0, d1, d2, d3_spread, d3_one_band, d4, d4_two_bands, d5, d6}),
             boost::test_tools::per_element());
  // Only articles archived since the given time count.
  BOOST_TEST(archive->near_duplicates(base, 3, std::time(nullptr) + 3600).empty());
  BOOST_TEST(archive->near_duplicates(base, 5, std::time(nullptr) + 3600).empty());
  BOOST_TEST(archive->near_duplicates(base, 3, std::time(nullptr) - 3600).size() == 5u);
}

BOOST_DATA_TEST_CASE(articles_after_pages_in_id_order_and_can_skip_duplicates, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  std::vector<std::int64_t> all, originals;
  for (int i = 0; i < 10; ++i) {
    ArticleRow row = sample_article(i);
    if (i % 3 == 2) row.duplicate_of = all.front();
    all.push_back(archive->store_article(row));
    if (i % 3 != 2) originals.push_back(all.back());
  }
  std::vector<std::int64_t> seen;
  std::int64_t cursor = 0;
  for (;;) {
    const auto page = archive->articles_after(cursor, 3, false, false);
    if (page.empty()) break;
    BOOST_TEST(page.size() <= 3u);
    for (const auto& row : page) seen.push_back(row.id);
    cursor = page.back().id;
  }
  BOOST_TEST(seen == all, boost::test_tools::per_element());

  seen.clear();
  cursor = 0;
  for (;;) {
    const auto page = archive->articles_after(cursor, 4, true, true);
    if (page.empty()) break;
    for (const auto& row : page) {
      seen.push_back(row.id);
      BOOST_TEST(!row.duplicate_of.has_value());
      BOOST_TEST(row.raw.find("<html>") == 0u);
    }
    cursor = page.back().id;
  }
  BOOST_TEST(seen == originals, boost::test_tools::per_element());
  BOOST_TEST(archive->articles_after(all.back(), 10, false, false).empty());
  BOOST_TEST(archive->articles_after(0, 10, false, false).front().raw.empty());
}

BOOST_DATA_TEST_CASE(search_ranks_title_matches_first_and_marks_the_matches, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  ArticleRow body_only = sample_article(1);
  body_only.title = "Council meeting";
  body_only.text = "Long text about many things. The lighthouse was mentioned once near the end of a long report.";
  ArticleRow in_title = sample_article(2);
  in_title.title = "Lighthouse keeper retires";
  in_title.text = "After forty years the lighthouse keeper of the northern cape handed over the keys.";
  ArticleRow unrelated = sample_article(3);
  unrelated.title = "Weather";
  unrelated.text = "Rain tomorrow.";
  const auto a = archive->store_article(body_only);
  const auto b = archive->store_article(in_title);
  archive->store_article(unrelated);

  const auto hits = archive->search("lighthouse", 10);
  BOOST_TEST_REQUIRE(hits.size() == 2u);
  BOOST_TEST(hits[0].article_id == b);
  BOOST_TEST(hits[1].article_id == a);
  BOOST_TEST(hits[0].rank <= hits[1].rank);
  BOOST_TEST(hits[0].title == "Lighthouse keeper retires");
  BOOST_TEST(hits[0].url == in_title.url);
  BOOST_TEST(hits[0].snippet.find("[lighthouse]") != std::string::npos, hits[0].snippet);
  BOOST_TEST(hits[1].snippet.find("[lighthouse]") != std::string::npos, hits[1].snippet);
  BOOST_TEST(archive->search("lighthouse", 1).size() == 1u);
  BOOST_TEST(archive->search("Lighthouse AND keeper", 10).size() == 1u);
  BOOST_TEST(archive->search("submarine", 10).empty());
  // Queries the engine cannot read are BadSearchQuery, with no SQL in the message.
  for (const char* bad : {"\"unbalanced", "AND", "lighthouse OR", "nosuchcolumn: lighthouse", "(lighthouse"}) {
    try {
      archive->search(bad, 10);
      BOOST_ERROR("no BadSearchQuery for " << bad);
    } catch (const winnow::archive::BadSearchQuery& e) {
      BOOST_TEST(std::string(e.what()).find("SELECT") == std::string::npos, e.what());
    }
  }
  // The best hits, snippets and all, come out as before when fewer than all are asked for.
  BOOST_TEST(archive->search("lighthouse", 1).front().article_id == b);
}

BOOST_DATA_TEST_CASE(update_extraction_replaces_the_text_and_keeps_the_index_in_step, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  const auto feed = archive->add_feed("https://a.example/feed", "A", "");
  ArticleRow row = sample_article(1, feed);
  row.text = "The old extractor kept a cookie banner.";
  row.id = archive->store_article(row);
  BOOST_TEST(archive->search("cookie", 10).size() == 1u);

  row.text = "The new extractor finds the real story about glaciers.";
  row.title = "Glacier story";
  row.markdown = "The *new* extractor";
  row.fingerprint = 42;
  row.extractor_version = 4;
  row.url = "https://ignored.example/";  // not an extracted field
  archive->update_extraction(row);
  BOOST_TEST(archive->search("cookie", 10).empty());
  const auto hits = archive->search("glaciers", 10);
  BOOST_TEST_REQUIRE(hits.size() == 1u);
  BOOST_TEST(hits[0].title == "Glacier story");
  const auto back = archive->article(row.id).value();
  BOOST_TEST(back.markdown == "The *new* extractor");
  BOOST_TEST(back.fingerprint == 42u);
  BOOST_TEST(back.extractor_version == 4);
  BOOST_TEST(back.url == sample_article(1).url);
  BOOST_TEST(archive->near_duplicates(42, 0, 0).size() == 1u);
  if (!fx.is_postgres())
    fx.exec("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')");  // throws when out of step

  row.id = 999;
  BOOST_CHECK_THROW(archive->update_extraction(row), std::runtime_error);
}

BOOST_DATA_TEST_CASE(raw_bytes_are_stored_compressed_and_come_back_whole, kBackends, backend) {
  BackendArchive fx(backend);
  std::string raw = "<!doctype html><html><body>";
  for (int i = 0; raw.size() < (2u << 20); ++i)
    raw += "<div class=\"row\"><p>Paragraph " + std::to_string(i) + " of a long and repetitive page.</p></div>\n";
  raw += "</body></html>";
  std::int64_t id = 0;
  {
    auto archive = std::move(fx.archive);
    ArticleRow row = sample_article(1);
    row.raw = raw;
    id = archive->store_article(row);
    BOOST_TEST(archive->article(id, true).value().raw == raw);
  }
  if (!fx.is_postgres()) {
    // Closing checkpointed the WAL into the main file.
    const auto file_bytes = std::filesystem::file_size(fx.location);
    BOOST_TEST(file_bytes < raw.size() / 4, file_bytes << " bytes on disk for " << raw.size() << " raw bytes");
  }
  const BackendArchive& probe = fx;
  BOOST_TEST(probe.integer("SELECT length(bytes) FROM raw_pages") < static_cast<std::int64_t>(raw.size() / 4));
  BOOST_TEST(probe.integer("SELECT plain_bytes FROM raw_pages") == static_cast<std::int64_t>(raw.size()));
  BOOST_TEST(Archive::open(fx.location)->article(id, true).value().raw == raw);
}

BOOST_DATA_TEST_CASE(pages_packed_by_the_caller_and_zlib_pages_of_older_archives_read_back, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  const std::string raw = "<html><body><p>" + std::string(5000, 'x') + "</p></body></html>";
  ArticleRow packed_row = sample_article(1);
  packed_row.raw.clear();
  packed_row.raw_packed = winnow::archive::pack_page(raw);  // as ingest does on a worker
  const std::int64_t packed_id = archive->store_article(packed_row);
  BOOST_TEST(archive->article(packed_id, true).value().raw == raw);

  // Archives written before zstd hold zlib streams (codec 1); they must still read back.
  ArticleRow old_row = sample_article(2);
  old_row.raw.clear();
  const std::int64_t old_id = archive->store_article(old_row);
  std::string zlib_bytes(compressBound(uLong(raw.size())), '\0');
  uLongf zlib_size = uLongf(zlib_bytes.size());
  BOOST_REQUIRE(compress(reinterpret_cast<Bytef*>(zlib_bytes.data()), &zlib_size,
                         reinterpret_cast<const Bytef*>(raw.data()), uLong(raw.size())) == Z_OK);
  std::string hex;
  for (uLongf i = 0; i < zlib_size; ++i) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[static_cast<unsigned char>(zlib_bytes[i]) >> 4];
    hex += kDigits[static_cast<unsigned char>(zlib_bytes[i]) & 15];
  }
  const BackendArchive& probe = fx;
  probe.exec("INSERT INTO raw_pages (article_id, codec, plain_bytes, bytes) VALUES (" + std::to_string(old_id) +
             ", 1, " + std::to_string(raw.size()) + (fx.is_postgres() ? ", '\\x" : ", X'") + hex + "')");
  BOOST_TEST(archive->article(old_id, true).value().raw == raw);
  BOOST_TEST(probe.integer("SELECT codec FROM raw_pages WHERE article_id = " + std::to_string(packed_id)) == 2);

  // An unknown codec is damage: reported, not guessed at.
  probe.exec("UPDATE raw_pages SET codec = 9 WHERE article_id = " + std::to_string(old_id));
  BOOST_CHECK_THROW(archive->article(old_id, true), std::runtime_error);
}

BOOST_DATA_TEST_CASE(each_outer_transaction_commits_once, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  const auto before = archive->commit_count();
  archive->transaction([&] {
    for (int i = 0; i < 50; ++i) archive->store_article(sample_article(i));
  });
  BOOST_TEST(archive->commit_count() == before + 1);
  archive->store_article(sample_article(99));
  BOOST_TEST(archive->commit_count() == before + 2);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::archive
