// The archive's page verdicts and retries (SQLite schema versions 4 and 5), on SQLite and PostgreSQL: the
// migrations of an archive holding rows and entries, replacing an article in place, marking
// one, the rows due for a retry, and entries waiting for their page without an article.
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

#include "daemon/archive/archive.h"
#include "tests/daemon/archive_backends.h"
#include "tests/daemon/archive_helpers.h"

namespace winnow::archive {
namespace {

using testing::Probe;
using testing::sample_article;
using testing::TempDir;
using testing::BackendArchive;
using testing::kBackends;

// A feed-content row standing in for a page that was a challenge, with a retry due at `at`.
ArticleRow challenged(int n, std::int64_t feed, UnixSeconds at) {
  ArticleRow row = sample_article(n, feed);
  row.source = "feed";
  row.verdict = "challenge";
  row.text = "What the feed said about story " + std::to_string(n) + ".";
  row.raw = "<html><title>Just a moment...</title></html>";
  row.retry_at = at;
  return row;
}

// An entry of `feed` seen without an article while its page was a bot check, due at `at`.
EntryRetry waiting_entry(std::int64_t feed, int n, std::optional<UnixSeconds> at) {
  EntryRetry entry;
  entry.feed_id = feed;
  entry.entry_key = "urn:waiting:" + std::to_string(n);
  entry.url = "https://news.example/waiting/" + std::to_string(n);
  entry.title = "Waiting story " + std::to_string(n);
  entry.published = 1'700'000'000 + n;
  entry.verdict = "challenge";
  entry.retry_at = at;
  return entry;
}

// An archive at `path` holding a feed (its id returned) and three articles of it (`ids`).
std::int64_t feed_with_articles(const std::string& path, std::vector<std::int64_t>& ids) {
  auto archive = Archive::open_sqlite(path);
  const auto feed = archive->add_feed("https://news.example/feed.xml", "News", "");
  for (int n = 1; n <= 3; ++n) ids.push_back(archive->store_article(sample_article(n, feed)));
  return feed;
}

// Takes the closed archive at `path` back to version 4 as it was released: the columns and
// the index of version 5 gone (and what versions 6, 7, 9 and 10 added).
void back_to_version_4(const std::string& path) {
  testing::back_to_version_9(path);
  Probe probe(path);
  probe.exec("DROP TABLE host_leases");  // version 9's
  probe.exec("DROP INDEX feeds_due");
  probe.exec("DROP INDEX feeds_lease_owner");
  for (const char* column : {"host", "lease_owner", "lease_until"})
    probe.exec(std::string("ALTER TABLE feeds DROP COLUMN ") + column);
  probe.exec("ALTER TABLE raw_pages DROP COLUMN http_head");  // version 7's
  probe.exec("DROP TABLE events");  // version 6's
  probe.exec("DROP TABLE webhook_endpoints");
  probe.exec("DROP INDEX entries_retry_at");
  for (const char* column : {"url", "title", "published", "verdict", "retry_at", "retries"})
    probe.exec(std::string("ALTER TABLE entries DROP COLUMN ") + column);
  probe.exec("PRAGMA user_version = 4");
  BOOST_TEST_REQUIRE(probe.integer("SELECT count(*) FROM pragma_table_info('entries')") == 4);
}

// Column `column` of the entry's row as text, NULL as "NULL".
template <typename AnyProbe>  // Probe or BackendArchive
std::string entry_column(AnyProbe& probe, const char* column, std::int64_t feed, const std::string& key) {
  return probe.text(std::string("SELECT coalesce(CAST(") + column + " AS TEXT), 'NULL') FROM entries WHERE feed_id = " +
                    std::to_string(feed) + " AND entry_key = '" + key + "'");
}

BOOST_AUTO_TEST_SUITE(archive_verdict)

BOOST_AUTO_TEST_CASE(a_version_3_archive_with_rows_gains_the_columns_with_their_defaults) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  std::vector<std::int64_t> ids;
  const std::int64_t feed = feed_with_articles(path, ids);
  // Back to version 3 as it was released: the columns and the index of version 4 gone too.
  back_to_version_4(path);
  {
    Probe probe(path);
    probe.exec("DROP INDEX articles_retry_at");
    for (const char* column : {"verdict", "partial", "retry_at", "retries"})
      probe.exec(std::string("ALTER TABLE articles DROP COLUMN ") + column);
    probe.exec("PRAGMA user_version = 3");
  }
  auto archive = Archive::open_sqlite(path);
  Probe probe(path);
  BOOST_TEST(probe.integer("PRAGMA user_version") == testing::kSchemaVersion);
  BOOST_TEST(probe.text("PRAGMA integrity_check") == "ok");
  BOOST_TEST(archive->article_count() == 3);
  for (const auto id : ids) {
    const ArticleRow row = archive->article(id, true).value();
    BOOST_TEST(row.verdict == "article");
    BOOST_TEST(!row.partial);
    BOOST_TEST(!row.retry_at.has_value());
    BOOST_TEST(row.retries == 0);
    BOOST_TEST(row.text == sample_article(int(id)).text);
    BOOST_TEST(!row.raw.empty());
  }
  BOOST_TEST(archive->articles_due_for_retry(2'000'000'000, 10).empty());
  BOOST_TEST(archive->search("harbour", 10).size() == 3u);
  // New rows carry their verdict and retry.
  const auto id = archive->store_article(challenged(4, feed, 1'700'000'000));
  BOOST_TEST(archive->article(id).value().verdict == "challenge");
  BOOST_TEST(archive->articles_due_for_retry(1'700'000'000, 10).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_version_4_archive_with_entries_gains_the_entry_retry_columns_empty) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  std::vector<std::int64_t> ids;
  const std::int64_t feed = feed_with_articles(path, ids);
  Archive::open_sqlite(path)->record_entry(feed, "urn:gone", std::nullopt);  // failed for good
  back_to_version_4(path);
  auto archive = Archive::open_sqlite(path);
  Probe probe(path);
  BOOST_TEST(probe.integer("PRAGMA user_version") == testing::kSchemaVersion);
  BOOST_TEST(probe.text("PRAGMA integrity_check") == "ok");
  BOOST_TEST(probe.integer("SELECT count(*) FROM entries") == 4);
  for (int n = 1; n <= 3; ++n) {
    const std::string key = "urn:entry:" + std::to_string(n);
    BOOST_TEST(archive->has_entry(feed, key));
    BOOST_TEST(entry_column(probe, "article_id", feed, key) == std::to_string(ids[std::size_t(n - 1)]));
    BOOST_TEST(!archive->entry_retry(feed, key).has_value());
  }
  // Seen before the retries existed, none waits for its page.
  BOOST_TEST(archive->has_entry(feed, "urn:gone"));
  BOOST_TEST(!archive->entry_retry(feed, "urn:gone").has_value());
  BOOST_TEST(entry_column(probe, "verdict", feed, "urn:gone") == "");
  BOOST_TEST(entry_column(probe, "retry_at", feed, "urn:gone") == "NULL");
  BOOST_TEST(entry_column(probe, "retries", feed, "urn:gone") == "0");
  BOOST_TEST(archive->entries_due_for_retry(2'000'000'000, 10).empty());
  const EntryRetryCounts counts = archive->entry_retry_counts(feed);
  BOOST_TEST(counts.waiting == 0);
  BOOST_TEST(counts.given_up == 0);
  BOOST_TEST(!counts.next_retry_at.has_value());
  BOOST_TEST(archive->article_count() == 3);
  // New entries wait with their state, found through the partial index.
  archive->record_entry_retry(waiting_entry(feed, 4, 1'700'000'000));
  BOOST_TEST(archive->entries_due_for_retry(1'700'000'000, 10).size() == 1u);
  BOOST_TEST(probe.text("EXPLAIN QUERY PLAN SELECT entry_key FROM entries WHERE retry_at IS NOT NULL AND "
                        "retry_at <= 5 AND article_id IS NULL ORDER BY retry_at LIMIT 10",
                        3)
                 .find("entries_retry_at") != std::string::npos);
}

BOOST_DATA_TEST_CASE(an_entry_waits_for_its_page_until_an_article_is_recorded_for_it, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  const auto feed = archive->add_feed("https://news.example/feed.xml", "News", "");
  const auto other = archive->add_feed("https://other.example/feed.xml", "Other", "");
  EntryRetry late = waiting_entry(feed, 1, 1'700'000'300);
  const EntryRetry early = waiting_entry(feed, 2, 1'700'000'100);
  const EntryRetry future = waiting_entry(feed, 3, 1'800'000'000);
  EntryRetry given_up = waiting_entry(feed, 4, std::nullopt);
  given_up.retries = 3;
  for (const auto& entry : {late, early, future, given_up}) archive->record_entry_retry(entry);

  BOOST_TEST(archive->has_entry(feed, late.entry_key));  // seen: a poll skips it
  BOOST_TEST(archive->article_count() == 0);
  auto due = archive->entries_due_for_retry(1'700'000'300, 10);
  BOOST_TEST_REQUIRE(due.size() == 2u);
  BOOST_TEST(due[0].entry_key == early.entry_key);
  BOOST_TEST(due[1].entry_key == late.entry_key);
  BOOST_TEST(due[0].feed_id == feed);
  BOOST_TEST(due[0].url == early.url);
  BOOST_TEST(due[0].title == early.title);
  BOOST_TEST(due[0].published == early.published);
  BOOST_TEST(due[0].verdict == "challenge");
  BOOST_TEST(due[0].retries == 0);
  BOOST_TEST(archive->entries_due_for_retry(1'700'000'300, 1).size() == 1u);
  BOOST_TEST(archive->entries_due_for_retry(1'700'000'099, 10).empty());
  EntryRetryCounts counts = archive->entry_retry_counts(feed);
  BOOST_TEST(counts.waiting == 3);
  BOOST_TEST(counts.given_up == 1);
  BOOST_TEST(counts.next_retry_at == early.retry_at);
  BOOST_TEST(archive->entry_retry_counts(other).waiting == 0);

  // A try counted: the new state replaces the old.
  late.verdict = "consent_wall";
  late.retries = 1;
  late.retry_at = 1'700'000'500;
  archive->record_entry_retry(late);
  const EntryRetry back = archive->entry_retry(feed, late.entry_key).value();
  BOOST_TEST(back.verdict == "consent_wall");
  BOOST_TEST(back.retries == 1);
  BOOST_TEST(back.retry_at == late.retry_at);

  // The page's article stored for the entry ends the wait, and no retry state comes back.
  ArticleRow row = sample_article(9, feed);
  row.entry_key = early.entry_key;
  const auto id = archive->store_article(row);
  BOOST_TEST(!archive->entry_retry(feed, early.entry_key).has_value());
  const BackendArchive& probe = fx;
  BOOST_TEST(entry_column(probe, "article_id", feed, early.entry_key) == std::to_string(id));
  BOOST_TEST(entry_column(probe, "verdict", feed, early.entry_key) == "");
  BOOST_TEST(entry_column(probe, "retry_at", feed, early.entry_key) == "NULL");
  BOOST_TEST(entry_column(probe, "retries", feed, early.entry_key) == "0");
  archive->record_entry_retry(early);
  BOOST_TEST(!archive->entry_retry(feed, early.entry_key).has_value());
  BOOST_TEST(entry_column(probe, "article_id", feed, early.entry_key) == std::to_string(id));
  // So does an article archived already (another feed's copy), recorded as the entry's.
  archive->record_entry(feed, late.entry_key, id);
  BOOST_TEST(!archive->entry_retry(feed, late.entry_key).has_value());
  // Recording without an article keeps the state.
  archive->record_entry(feed, future.entry_key, std::nullopt);
  BOOST_TEST(archive->entry_retry(feed, future.entry_key).has_value());
  BOOST_TEST(archive->entries_due_for_retry(2'000'000'000, 10).size() == 1u);
  counts = archive->entry_retry_counts(feed);
  BOOST_TEST(counts.waiting == 1);
  BOOST_TEST(counts.given_up == 1);
  // A removed feed takes its waiting entries along.
  archive->remove_feed(feed);
  BOOST_TEST(archive->entries_due_for_retry(2'000'000'000, 10).empty());
}

BOOST_DATA_TEST_CASE(rows_due_for_a_retry_come_earliest_first_bounded_by_the_limit, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  const auto feed = archive->add_feed("https://news.example/feed.xml", "News", "");
  archive->store_article(sample_article(1, feed));  // an article: never due
  const auto late = archive->store_article(challenged(2, feed, 1'700'000'300));
  const auto early = archive->store_article(challenged(3, feed, 1'700'000'100));
  const auto future = archive->store_article(challenged(4, feed, 1'800'000'000));
  ArticleRow given_up = challenged(5, feed, 0);
  given_up.retry_at.reset();
  given_up.retries = 3;
  archive->store_article(given_up);

  auto due = archive->articles_due_for_retry(1'700'000'300, 10);
  BOOST_TEST_REQUIRE(due.size() == 2u);
  BOOST_TEST(due[0].id == early);
  BOOST_TEST(due[1].id == late);
  BOOST_TEST(due[0].url == sample_article(3).url);
  BOOST_TEST(due[0].raw.empty());  // the page stays on disk
  BOOST_TEST(archive->articles_due_for_retry(1'700'000'300, 1).size() == 1u);
  BOOST_TEST(archive->articles_due_for_retry(1'700'000'099, 10).empty());
  BOOST_TEST(archive->articles_due_for_retry(1'800'000'000, 10).back().id == future);
  // The probe reads the small partial index only.
  if (fx.is_postgres()) return;  // PostgreSQL's planner picks by statistics; SQLite's plan is fixed
  Probe probe(fx.location);
  BOOST_TEST(probe.text("EXPLAIN QUERY PLAN SELECT id FROM articles WHERE retry_at IS NOT NULL AND retry_at <= 5 "
                        "ORDER BY retry_at LIMIT 10",
                        3)
                 .find("articles_retry_at") != std::string::npos);
}

BOOST_DATA_TEST_CASE(update_verdict_writes_the_marks_and_nothing_else, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  const auto feed = archive->add_feed("https://news.example/feed.xml", "News", "");
  ArticleRow row = challenged(1, feed, 1'700'000'000);
  row.id = archive->store_article(row);
  ArticleRow marks = row;
  marks.verdict = "consent_wall";
  marks.retry_at = 1'700'014'400;
  marks.retries = 1;
  marks.text = "not written";
  archive->update_verdict(marks);
  const ArticleRow back = archive->article(row.id, true).value();
  BOOST_TEST(back.verdict == "consent_wall");
  BOOST_TEST(back.retry_at == marks.retry_at);
  BOOST_TEST(back.retries == 1);
  BOOST_TEST(back.text == row.text);
  BOOST_TEST(back.raw == row.raw);
  marks.id = 999;
  BOOST_CHECK_THROW(archive->update_verdict(marks), std::runtime_error);
}

BOOST_DATA_TEST_CASE(replace_article_keeps_id_entry_and_archived_at_and_the_index_follows, kBackends, backend) {
  BackendArchive fx(backend);
  auto& archive = fx.archive;
  const auto feed = archive->add_feed("https://news.example/feed.xml", "News", "");
  ArticleRow stored = challenged(1, feed, 1'700'000'000);
  stored.text = "A short summary about the lighthouse from the feed.";
  stored.id = archive->store_article(stored);
  const ArticleRow before = archive->article(stored.id).value();
  BOOST_TEST(archive->search("lighthouse", 10).size() == 1u);

  ArticleRow page = sample_article(1, feed);
  page.id = stored.id;
  page.entry_key = "urn:ignored";  // the entry stays the row's
  page.text = "The whole story of the glacier, as the page tells it.";
  page.title = "Glacier story";
  page.raw = "<html><body><p>The whole story of the glacier.</p></body></html>";
  page.fingerprint = 77;
  page.http_status = 200;
  archive->replace_article(page);

  const ArticleRow back = archive->article(stored.id, true).value();
  BOOST_TEST(back.id == stored.id);
  BOOST_TEST(back.entry_key == stored.entry_key);
  BOOST_TEST(back.feed_id == stored.feed_id);
  BOOST_TEST(back.archived_at == before.archived_at);
  BOOST_TEST(back.source == "page");
  BOOST_TEST(back.verdict == "article");
  BOOST_TEST(!back.retry_at.has_value());
  BOOST_TEST(back.text == page.text);
  BOOST_TEST(back.title == "Glacier story");
  BOOST_TEST(back.raw == page.raw);
  BOOST_TEST(archive->article_count() == 1);
  BOOST_TEST(archive->search("lighthouse", 10).empty());
  BOOST_TEST(archive->search("glacier", 10).size() == 1u);
  BOOST_TEST(archive->near_duplicates(77, 0, 0).size() == 1u);
  BOOST_TEST(archive->articles_due_for_retry(2'000'000'000, 10).empty());
  if (!fx.is_postgres()) fx.exec("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')");  // throws when out of step
  BOOST_TEST(fx.integer("SELECT count(*) FROM raw_pages") == 1);

  // Without raw bytes of its own, the row keeps the page it had.
  page.raw.clear();
  page.text = "Once more.";
  archive->replace_article(page);
  BOOST_TEST(archive->article(stored.id, true).value().raw == "<html><body><p>The whole story of the glacier.</p></body></html>");
  page.id = 999;
  BOOST_CHECK_THROW(archive->replace_article(page), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::archive
