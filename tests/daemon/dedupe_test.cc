// dedupe_and_store on a real SQLite archive in a fresh temporary directory: each StoreOutcome,
// and what each leaves in the archive.
#include "daemon/ingest/dedupe.h"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "daemon/archive/archive.h"
#include "parsers/fingerprint/simhash.h"
#include "tests/daemon/archive_helpers.h"

namespace winnow::ingest {
namespace {

using archive::Archive;
using archive::ArticleRow;
using archive::UnixSeconds;
using archive::testing::flip;
using archive::testing::Probe;
using archive::testing::sample_article;
using archive::testing::TempDir;

UnixSeconds now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

constexpr std::int64_t kWeek = 7 * 24 * 3600;

// An archive file with one subscribed feed, and a probe on it.
struct Fixture {
  TempDir dir;
  std::string path = dir.file("archive.db");
  std::unique_ptr<Archive> archive = Archive::open_sqlite(path);
  std::int64_t feed = archive->add_feed("https://news.example/feed.xml", "News", "");
  Probe probe{path};

  StoreOutcome store(ArticleRow& row) { return dedupe_and_store(*archive, row, now_s() - kWeek); }
};

BOOST_AUTO_TEST_SUITE(dedupe)

BOOST_FIXTURE_TEST_CASE(a_new_article_is_stored_with_its_entry, Fixture) {
  ArticleRow row = sample_article(1, feed);
  BOOST_TEST(store(row) == StoreOutcome::stored);
  BOOST_TEST(row.id > 0);
  BOOST_TEST(!row.duplicate_of);
  BOOST_TEST(archive->article_count() == 1);
  BOOST_TEST(archive->has_entry(feed, row.entry_key));
  BOOST_TEST(archive->article(row.id)->title == "Story number 1");
}

BOOST_FIXTURE_TEST_CASE(a_page_archived_under_its_url_is_not_stored_again, Fixture) {
  ArticleRow first = sample_article(1);
  BOOST_REQUIRE(store(first) == StoreOutcome::stored);
  // Reached again through a feed: same page, the feed's own entry key.
  ArticleRow again = sample_article(1, feed);
  again.entry_key = "urn:other-feed:7";
  again.canonical_url.clear();
  BOOST_TEST(store(again) == StoreOutcome::url_duplicate);
  BOOST_TEST(again.id == first.id);
  BOOST_TEST(archive->article_count() == 1);
  // The feed's entry now points at the archived article, so it is not fetched again.
  BOOST_TEST(archive->has_entry(feed, "urn:other-feed:7"));
  BOOST_TEST(probe.integer("SELECT article_id FROM entries WHERE entry_key = 'urn:other-feed:7'") == first.id);
}

BOOST_FIXTURE_TEST_CASE(a_page_naming_an_archived_url_as_canonical_is_a_url_duplicate, Fixture) {
  ArticleRow first = sample_article(1);
  BOOST_REQUIRE(store(first) == StoreOutcome::stored);
  // Another address (an AMP or print view, say) whose rel=canonical is the first page.
  ArticleRow view = sample_article(2, feed);
  view.canonical_url = first.normalized_url;
  view.fingerprint = flip(first.fingerprint, {60});
  BOOST_TEST(store(view) == StoreOutcome::url_duplicate);
  BOOST_TEST(view.id == first.id);
  BOOST_TEST(!view.duplicate_of);
  BOOST_TEST(archive->article_count() == 1);
}

BOOST_FIXTURE_TEST_CASE(a_url_duplicate_without_a_feed_records_no_entry, Fixture) {
  ArticleRow first = sample_article(1);
  BOOST_REQUIRE(store(first) == StoreOutcome::stored);
  ArticleRow crawled = sample_article(1);  // `winnow crawl` of the same URL
  crawled.entry_key = "crawled-again";
  BOOST_TEST(store(crawled) == StoreOutcome::url_duplicate);
  BOOST_TEST(crawled.id == first.id);
  BOOST_TEST(probe.integer("SELECT count(*) FROM entries") == 0);
}

BOOST_FIXTURE_TEST_CASE(a_near_copy_is_stored_marked_as_a_duplicate_of_the_oldest, Fixture) {
  ArticleRow first = sample_article(1);
  BOOST_REQUIRE(store(first) == StoreOutcome::stored);
  ArticleRow second = sample_article(2);
  second.fingerprint = flip(first.fingerprint, {1, 2});
  BOOST_REQUIRE(store(second) == StoreOutcome::near_duplicate);
  // A third copy, within reach of both: the first copy archived is the one named.
  ArticleRow third = sample_article(3, feed);
  third.fingerprint = flip(first.fingerprint, {1, 40, 41});
  BOOST_TEST(store(third) == StoreOutcome::near_duplicate);
  BOOST_TEST(third.duplicate_of == first.id);
  BOOST_TEST(third.id != first.id);
  BOOST_TEST(archive->article_count() == 3);
  BOOST_TEST(archive->article(third.id)->duplicate_of == first.id);
  BOOST_TEST(archive->has_entry(feed, third.entry_key));
}

BOOST_FIXTURE_TEST_CASE(a_copy_further_than_the_threshold_is_a_new_story, Fixture) {
  ArticleRow first = sample_article(1);
  BOOST_REQUIRE(store(first) == StoreOutcome::stored);
  ArticleRow other = sample_article(2);
  other.fingerprint = flip(first.fingerprint, {0, 9, 18, 27, 36, 45});
  BOOST_REQUIRE(parsers::hamming_distance(first.fingerprint, other.fingerprint) > parsers::kNearDuplicateBits);
  BOOST_TEST(store(other) == StoreOutcome::stored);
  BOOST_TEST(!other.duplicate_of);
}

BOOST_FIXTURE_TEST_CASE(a_copy_of_a_story_archived_before_the_window_is_a_new_story, Fixture) {
  ArticleRow old = sample_article(1);
  BOOST_REQUIRE(store(old) == StoreOutcome::stored);
  probe.exec("UPDATE articles SET archived_at = " + std::to_string(now_s() - kWeek - 60) +
             " WHERE id = " + std::to_string(old.id));
  ArticleRow copy = sample_article(2);
  copy.fingerprint = old.fingerprint;
  BOOST_TEST(store(copy) == StoreOutcome::stored);
  BOOST_TEST(!copy.duplicate_of);
  BOOST_TEST(archive->article_count() == 2);
}

BOOST_FIXTURE_TEST_CASE(an_article_without_a_fingerprint_is_never_a_near_duplicate, Fixture) {
  // No text, no fingerprint: two empty-bodied pages are not the same story.
  ArticleRow first = sample_article(1);
  first.fingerprint = 0;
  BOOST_REQUIRE(store(first) == StoreOutcome::stored);
  ArticleRow second = sample_article(2);
  second.fingerprint = 0;
  BOOST_TEST(store(second) == StoreOutcome::stored);
  BOOST_TEST(!second.duplicate_of);
}

BOOST_FIXTURE_TEST_CASE(a_url_duplicate_wins_over_a_near_duplicate, Fixture) {
  ArticleRow first = sample_article(1);
  BOOST_REQUIRE(store(first) == StoreOutcome::stored);
  ArticleRow same = sample_article(1);
  same.fingerprint = flip(first.fingerprint, {3});
  BOOST_TEST(store(same) == StoreOutcome::url_duplicate);
  BOOST_TEST(!same.duplicate_of);
  BOOST_TEST(archive->article_count() == 1);
}

BOOST_FIXTURE_TEST_CASE(the_page_article_replaces_feed_content_archived_under_its_url_in_place, Fixture) {
  ArticleRow kept = sample_article(1, feed);
  kept.source = "feed";
  kept.verdict = "consent_wall";
  kept.text = "What the feed said.";
  kept.retry_at = now_s() + 3600;
  kept.fingerprint = 0;
  BOOST_REQUIRE(store(kept) == StoreOutcome::stored);
  ArticleRow older = sample_article(2);
  older.id = archive->store_article(older);  // stored later, so no original of the page
  ArticleRow page = sample_article(1);       // `winnow crawl` of the URL, an article now
  page.entry_key = "crawled";
  page.title.clear();                        // the page gives none: the feed's stays
  page.fingerprint = older.fingerprint;
  BOOST_TEST(store(page) == StoreOutcome::upgraded);
  BOOST_TEST(page.id == kept.id);
  BOOST_TEST(archive->article_count() == 2);
  const ArticleRow back = archive->article(kept.id).value();
  BOOST_TEST(back.source == "page");
  BOOST_TEST(back.verdict == "article");
  BOOST_TEST(back.text == sample_article(1).text);
  BOOST_TEST(back.title == kept.title);
  BOOST_TEST(back.entry_key == kept.entry_key);
  BOOST_TEST(!back.retry_at.has_value());
  BOOST_TEST(!back.duplicate_of.has_value());
}

BOOST_FIXTURE_TEST_CASE(an_archived_page_article_is_never_replaced, Fixture) {
  ArticleRow first = sample_article(1);
  BOOST_REQUIRE(store(first) == StoreOutcome::stored);
  for (const char* verdict : {"article", "paywall_teaser", "challenge"}) {
    ArticleRow again = sample_article(1, feed);
    again.text = "Something else.";
    again.verdict = verdict;
    again.partial = again.verdict == "paywall_teaser";
    BOOST_TEST(store(again) == StoreOutcome::url_duplicate);
    BOOST_TEST(again.id == first.id);
  }
  BOOST_TEST(archive->article(first.id).value().text == first.text);
}

BOOST_AUTO_TEST_CASE(each_outcome_prints_its_name) {
  std::ostringstream out;
  out << StoreOutcome::stored << ' ' << StoreOutcome::url_duplicate << ' ' << StoreOutcome::near_duplicate << ' '
      << StoreOutcome::upgraded;
  BOOST_TEST(out.str() == "stored url_duplicate near_duplicate upgraded");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::ingest
