// ingest::reextract over a real SQLite archive: what it rewrites from the kept page, what
// it leaves alone, and what it keeps from the row archived before.
#include <boost/test/unit_test.hpp>

#include <string>

#include "daemon/ingest/reextract.h"
#include "parsers/extract/extract.h"
#include "tests/daemon/archive_helpers.h"

namespace winnow {
namespace {

using archive::ArticleRow;
using archive::testing::sample_article;
using archive::testing::TempDir;

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

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow
