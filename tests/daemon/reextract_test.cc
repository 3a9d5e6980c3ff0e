// ingest::reextract over a real SQLite archive: what it rewrites from the kept page, what
// it leaves alone, and what it keeps from the row archived before.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "daemon/ingest/reextract.h"
#include "parsers/extract/extract.h"
#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/farm.h"

namespace winnow {
namespace {

using archive::ArticleRow;
using archive::testing::sample_article;
using archive::testing::TempDir;
namespace farm = winnow::testing::farm;

constexpr const char* kParagraph =
    "The harbour council voted on Tuesday to rebuild the old sea wall before the winter storms, "
    "after two years of arguments about who should pay for the stone and the labour.";

// A page with an article the extractor keeps; `head` goes into <head>.
std::string page(const std::string& head) {
  std::string body;
  for (int i = 0; i < 4; ++i) body += "<p>" + std::string(kParagraph) + " Paragraph " + std::to_string(i) + ".</p>";
  return "<html><head>" + head + "</head><body><nav><a href=/>Home</a></nav><article>" + body +
         "</article></body></html>";
}

// A row as an older extractor left it: stale text, version 0, the page kept.
ArticleRow stale(int n, const std::string& raw) {
  ArticleRow row = sample_article(n);
  row.raw = raw;
  row.text = "stale text";
  row.extractor_version = 0;
  return row;
}

BOOST_AUTO_TEST_SUITE(reextract)

BOOST_AUTO_TEST_CASE(only_older_extractions_are_redone_unless_all) {
  TempDir dir;
  auto a = archive::Archive::open_sqlite(dir.file("archive.db"));
  const auto old_id = a->store_article(stale(0, page("<title>Sea wall</title>")));
  ArticleRow current = stale(1, page("<title>Sea wall</title>"));
  current.extractor_version = parsers::kExtractorVersion;
  const auto current_id = a->store_article(current);
  ArticleRow from_feed = stale(2, "");
  from_feed.source = "feed";
  const auto feed_id = a->store_article(from_feed);

  ingest::ReextractCounts counts = ingest::reextract(*a, false);
  BOOST_TEST(counts.updated == 1u);
  BOOST_TEST(counts.skipped == 2u);
  const ArticleRow redone = a->article(old_id).value();
  BOOST_TEST(redone.text.find("Paragraph 3.") != std::string::npos, redone.text);
  BOOST_TEST(redone.extractor_version == parsers::kExtractorVersion);
  BOOST_TEST(a->article(current_id).value().text == "stale text");

  counts = ingest::reextract(*a, true);
  BOOST_TEST(counts.updated == 2u);
  BOOST_TEST(counts.skipped == 1u);
  BOOST_TEST(a->article(current_id).value().text.find("Paragraph 3.") != std::string::npos);
  BOOST_TEST(a->article(feed_id).value().text == "stale text");
}

BOOST_AUTO_TEST_CASE(title_and_date_the_page_does_not_give_stay_as_archived) {
  TempDir dir;
  auto a = archive::Archive::open_sqlite(dir.file("archive.db"));
  ArticleRow row = stale(0, page(""));
  row.title = "Title from the feed";
  row.published = 1'600'000'000;
  const auto id = a->store_article(row);
  BOOST_TEST(ingest::reextract(*a, false).updated == 1u);
  const ArticleRow back = a->article(id).value();
  BOOST_TEST(back.text.find("Paragraph 0.") != std::string::npos);
  BOOST_TEST(back.title == "Title from the feed");
  BOOST_TEST(back.published.value_or(0) == 1'600'000'000);
}

BOOST_AUTO_TEST_CASE(page_that_extracts_to_nothing_keeps_its_text) {
  TempDir dir;
  auto a = archive::Archive::open_sqlite(dir.file("archive.db"));
  const auto id = a->store_article(stale(0, "<html><body></body></html>"));
  const ingest::ReextractCounts counts = ingest::reextract(*a, false);
  BOOST_TEST(counts.updated == 0u);
  BOOST_TEST(counts.skipped == 1u);
  BOOST_TEST(a->article(id).value().text == "stale text");
  BOOST_TEST(a->article(id).value().extractor_version == 0);
}

BOOST_AUTO_TEST_CASE(an_archived_article_is_never_replaced_by_what_is_no_article) {
  TempDir dir;
  auto a = archive::Archive::open_sqlite(dir.file("archive.db"));
  // Stored as articles by an older extractor; this one calls their pages something else.
  std::vector<std::int64_t> ids;
  for (const char* name : {"challenge-just-a-moment.html", "consent_wall-zustimmung.html",
                           "error_page-page-not-found.html", "not_article-section-front.html",
                           "paywall_teaser-subscribe-to-continue.html"})
    ids.push_back(a->store_article(stale(int(ids.size()), farm::verdict_page(name))));
  const ingest::ReextractCounts counts = ingest::reextract(*a, true);
  BOOST_TEST(counts.updated == 0u);
  BOOST_TEST(counts.skipped == ids.size());
  for (const auto id : ids) {
    const ArticleRow back = a->article(id).value();
    BOOST_TEST(back.text == "stale text");
    BOOST_TEST(back.verdict == "article");
    BOOST_TEST(back.source == "page");
    BOOST_TEST(back.extractor_version == 0);
  }
}

BOOST_AUTO_TEST_CASE(feed_content_marked_by_its_page_gives_way_only_to_an_article) {
  TempDir dir;
  auto a = archive::Archive::open_sqlite(dir.file("archive.db"));
  // Kept from the feed while the page was a bot check; the page kept is one still.
  ArticleRow challenged = stale(0, farm::verdict_page("challenge-just-a-moment.html"));
  challenged.source = "feed";
  challenged.verdict = "challenge";
  challenged.text = "The feed's summary.";
  challenged.retry_at = 1'700'003'600;
  challenged.retries = 1;
  const auto still_challenged = a->store_article(challenged);
  // The same, but a later extractor finds the article in the page that was kept.
  challenged.raw = page("<title>Sea wall</title>");
  challenged.url = "https://news.example/other";
  const auto misjudged = a->store_article(challenged);
  // Feed content kept because the page could not be fetched: its raw bytes are the feed's.
  ArticleRow fallback = stale(2, page(""));
  fallback.source = "feed";
  fallback.text = "The feed's content.";
  const auto from_feed = a->store_article(fallback);

  const ingest::ReextractCounts counts = ingest::reextract(*a, true);
  BOOST_TEST(counts.updated == 1u);
  BOOST_TEST(counts.skipped == 2u);
  const ArticleRow kept = a->article(still_challenged).value();
  BOOST_TEST(kept.text == "The feed's summary.");
  BOOST_TEST(kept.source == "feed");
  BOOST_TEST(kept.verdict == "challenge");
  BOOST_TEST(kept.retry_at.has_value());
  const ArticleRow redone = a->article(misjudged).value();
  BOOST_TEST(redone.text.find("Paragraph 3.") != std::string::npos, redone.text);
  BOOST_TEST(redone.source == "page");
  BOOST_TEST(redone.verdict == "article");
  BOOST_TEST(!redone.partial);
  BOOST_TEST(!redone.retry_at.has_value());
  BOOST_TEST(a->article(from_feed).value().text == "The feed's content.");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow
