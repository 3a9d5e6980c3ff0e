// The archive's page verdicts and retries (schema version 4) on a real SQLite file: the
// migration of an archive holding rows, replacing an article in place, marking one, and
// the rows due for a retry.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "daemon/archive/archive.h"
#include "tests/daemon/archive_helpers.h"

namespace winnow::archive {
namespace {

using testing::Probe;
using testing::sample_article;
using testing::TempDir;

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

BOOST_AUTO_TEST_SUITE(archive_verdict)

BOOST_AUTO_TEST_CASE(a_version_3_archive_with_rows_gains_the_columns_with_their_defaults) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  std::int64_t feed = 0;
  std::vector<std::int64_t> ids;
  {
    auto archive = Archive::open_sqlite(path);
    feed = archive->add_feed("https://news.example/feed.xml", "News", "");
    for (int n = 1; n <= 3; ++n) ids.push_back(archive->store_article(sample_article(n, feed)));
  }
  // Back to version 3 as it was released: the columns and the index of version 4 gone.
  {
    Probe probe(path);
    probe.exec("DROP INDEX articles_retry_at");
    for (const char* column : {"verdict", "partial", "retry_at", "retries"})
      probe.exec(std::string("ALTER TABLE articles DROP COLUMN ") + column);
    probe.exec("PRAGMA user_version = 3");
  }
  auto archive = Archive::open_sqlite(path);
  Probe probe(path);
  BOOST_TEST(probe.integer("PRAGMA user_version") == 4);
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

BOOST_AUTO_TEST_CASE(rows_due_for_a_retry_come_earliest_first_bounded_by_the_limit) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  auto archive = Archive::open_sqlite(path);
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
  Probe probe(path);
  BOOST_TEST(probe.text("EXPLAIN QUERY PLAN SELECT id FROM articles WHERE retry_at IS NOT NULL AND retry_at <= 5 "
                        "ORDER BY retry_at LIMIT 10",
                        3)
                 .find("articles_retry_at") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(update_verdict_writes_the_marks_and_nothing_else) {
  TempDir dir;
  auto archive = Archive::open_sqlite(dir.file("archive.db"));
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

BOOST_AUTO_TEST_CASE(replace_article_keeps_id_entry_and_archived_at_and_the_index_follows) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  auto archive = Archive::open_sqlite(path);
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
  Probe probe(path);
  probe.exec("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')");  // throws when out of step
  BOOST_TEST(probe.integer("SELECT count(*) FROM raw_pages") == 1);

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
