// page_retry: the retry delays, and settle_retry and settle_entry_retry on a real SQLite
// archive for each thing a page fetched again can turn out to be.
#include "daemon/ingest/page_retry.h"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "daemon/archive/archive.h"
#include "tests/daemon/archive_helpers.h"

namespace winnow::ingest {
namespace {

using archive::Archive;
using archive::ArticleRow;
using archive::testing::sample_article;
using archive::testing::TempDir;
using parsers::PageKind;

constexpr archive::UnixSeconds kNow = 1'800'000'000;

// An archive holding one row of feed content kept while its page was a bot check.
struct Fixture {
  TempDir dir;
  std::unique_ptr<Archive> archive = Archive::open_sqlite(dir.file("archive.db"));
  std::int64_t feed = archive->add_feed("https://news.example/feed.xml", "News", "");
  ArticleRow kept = [this] {
    ArticleRow row = sample_article(1, feed);
    row.source = "feed";
    row.verdict = "challenge";
    row.text = "Twenty characters ok";
    row.retry_at = kNow;
    row.id = archive->store_article(row);
    return row;
  }();
  RetryParams params;  // 1 h, 4 h, 16 h

  // The page fetched again, with `verdict` and `text`.
  static ArticleRow page(const std::string& verdict, const std::string& text) {
    ArticleRow row = sample_article(1);
    row.verdict = verdict;
    row.partial = verdict == "paywall_teaser";
    row.text = text;
    row.title.clear();
    return row;
  }

  RetrySettled settle(ArticleRow* fetched, bool gone = false) {
    return settle_retry(*archive, kept.id, fetched, gone, params, kNow, 0);
  }
  ArticleRow stored() { return archive->article(kept.id).value(); }
};

// An archive holding one entry seen without an article while its page was a bot check (the
// feed gave no content to archive instead).
struct EntryFixture {
  TempDir dir;
  std::unique_ptr<Archive> archive = Archive::open_sqlite(dir.file("archive.db"));
  std::int64_t feed = archive->add_feed("https://news.example/feed.xml", "News", "");
  archive::EntryRetry waiting = [this] {
    archive::EntryRetry entry;
    entry.feed_id = feed;
    entry.entry_key = "urn:entry:1";
    entry.url = "https://news.example/story/1";
    entry.verdict = "challenge";
    entry.retry_at = kNow;
    archive->record_entry_retry(entry);
    return entry;
  }();
  RetryParams params;  // 1 h, 4 h, 16 h

  RetrySettled settle(const std::string& verdict, bool gone = false) {
    return settle_entry_retry(*archive, feed, waiting.entry_key, verdict, gone, params, kNow);
  }
  std::optional<archive::EntryRetry> stored() { return archive->entry_retry(feed, waiting.entry_key); }
};

BOOST_AUTO_TEST_SUITE(page_retry)

BOOST_AUTO_TEST_CASE(delays_grow_by_the_factor_until_no_retry_is_left) {
  RetryParams params;
  BOOST_TEST(retry_delay_s(params, 0).value_or(0) == 3600);
  BOOST_TEST(retry_delay_s(params, 1).value_or(0) == 4 * 3600);
  BOOST_TEST(retry_delay_s(params, 2).value_or(0) == 16 * 3600);
  BOOST_TEST(!retry_delay_s(params, 3).has_value());
  params.max_retries = 0;
  BOOST_TEST(!retry_delay_s(params, 0).has_value());
  params.max_retries = 20;
  BOOST_TEST(retry_delay_s(params, 19).value_or(0) == 365 * 24 * 3600);  // a year at most
}

BOOST_AUTO_TEST_CASE(only_kinds_that_may_give_way_to_the_article_are_retried) {
  for (PageKind kind : {PageKind::challenge, PageKind::consent_wall, PageKind::error_page, PageKind::empty})
    BOOST_TEST(is_retryable(kind), kind);
  for (PageKind kind : {PageKind::article, PageKind::not_article, PageKind::paywall_teaser})
    BOOST_TEST(!is_retryable(kind), kind);
}

BOOST_AUTO_TEST_CASE(plain_text_length_counts_characters_not_bytes) {
  BOOST_TEST(text_chars("Zürich") == 6u);
  BOOST_TEST(text_chars("東京") == 2u);
  BOOST_TEST(text_chars("") == 0u);
}

BOOST_FIXTURE_TEST_CASE(an_article_replaces_the_row_in_place, Fixture) {
  ArticleRow fetched = page("article", "The whole story, as the page tells it.");
  const RetrySettled settled = settle(&fetched);
  BOOST_TEST((settled.outcome == RetryOutcome::upgraded));
  const ArticleRow back = stored();
  BOOST_TEST(back.source == "page");
  BOOST_TEST(back.verdict == "article");
  BOOST_TEST(back.text == "The whole story, as the page tells it.");
  BOOST_TEST(back.title == kept.title);  // the page gave none
  BOOST_TEST(!back.retry_at.has_value());
  BOOST_TEST(archive->article_count() == 1);
  // Never worse: once the page's article, a later answer changes nothing.
  ArticleRow again = page("challenge", "Just a moment...");
  BOOST_TEST((settle(&again).outcome == RetryOutcome::kept));
  BOOST_TEST((settle(nullptr).outcome == RetryOutcome::kept));
  BOOST_TEST(stored().text == "The whole story, as the page tells it.");
}

BOOST_FIXTURE_TEST_CASE(a_bot_check_again_or_a_failed_fetch_counts_a_try_until_the_limit, Fixture) {
  ArticleRow fetched = page("consent_wall", "We value your privacy");
  RetrySettled settled = settle(&fetched);
  BOOST_TEST((settled.outcome == RetryOutcome::rescheduled));
  BOOST_TEST(settled.retries == 1);
  BOOST_TEST(settled.retry_at.value_or(0) == kNow + 4 * 3600);
  BOOST_TEST(stored().verdict == "consent_wall");
  BOOST_TEST(stored().text == kept.text);
  settled = settle(nullptr);  // a timeout, a 503
  BOOST_TEST((settled.outcome == RetryOutcome::rescheduled));
  BOOST_TEST(settled.retry_at.value_or(0) == kNow + 16 * 3600);
  settled = settle(&fetched);
  BOOST_TEST((settled.outcome == RetryOutcome::given_up));
  BOOST_TEST(settled.retries == 3);
  BOOST_TEST(!stored().retry_at.has_value());
  BOOST_TEST(stored().source == "feed");
  BOOST_TEST(stored().text == kept.text);
}

BOOST_FIXTURE_TEST_CASE(a_page_gone_or_a_listing_ends_the_retries_at_once, Fixture) {
  RetrySettled settled = settle(nullptr, true);  // 404, 410, robots.txt
  BOOST_TEST((settled.outcome == RetryOutcome::given_up));
  BOOST_TEST(!stored().retry_at.has_value());
  BOOST_TEST(stored().verdict == "challenge");
  ArticleRow listing = page("not_article", "Headlines");
  archive->update_verdict([&] {
    ArticleRow row = stored();
    row.retry_at = kNow;
    return row;
  }());
  settled = settle(&listing);
  BOOST_TEST((settled.outcome == RetryOutcome::given_up));
  BOOST_TEST(stored().verdict == "not_article");
  BOOST_TEST(!stored().retry_at.has_value());
}

BOOST_FIXTURE_TEST_CASE(a_teaser_replaces_shorter_feed_content_and_marks_longer, Fixture) {
  ArticleRow short_teaser = page("paywall_teaser", "Ten chars.");  // shorter than the feed's 20
  BOOST_TEST((settle(&short_teaser).outcome == RetryOutcome::partial));
  ArticleRow back = stored();
  BOOST_TEST(back.source == "feed");
  BOOST_TEST(back.verdict == "paywall_teaser");
  BOOST_TEST(back.partial);
  BOOST_TEST(back.text == kept.text);
  BOOST_TEST(!back.retry_at.has_value());

  back.verdict = "challenge";
  back.partial = false;
  back.retry_at = kNow;
  archive->update_verdict(back);
  ArticleRow long_teaser = page("paywall_teaser", "Twenty-one characters");
  BOOST_TEST((settle(&long_teaser).outcome == RetryOutcome::partial));
  back = stored();
  BOOST_TEST(back.source == "page");
  BOOST_TEST(back.verdict == "paywall_teaser");
  BOOST_TEST(back.partial);
  BOOST_TEST(back.text == "Twenty-one characters");
  BOOST_TEST(!back.retry_at.has_value());
}

BOOST_FIXTURE_TEST_CASE(an_entry_whose_page_stays_no_article_counts_tries_until_the_limit, EntryFixture) {
  RetrySettled settled = settle("consent_wall");
  BOOST_TEST((settled.outcome == RetryOutcome::rescheduled));
  BOOST_TEST(settled.retries == 1);
  BOOST_TEST(settled.retry_at.value_or(0) == kNow + 4 * 3600);
  BOOST_TEST(stored().value().verdict == "consent_wall");
  BOOST_TEST(stored().value().retry_at == settled.retry_at);
  settled = settle("");  // a timeout, a 503: the verdict stays the last one seen
  BOOST_TEST((settled.outcome == RetryOutcome::rescheduled));
  BOOST_TEST(settled.retry_at.value_or(0) == kNow + 16 * 3600);
  BOOST_TEST(stored().value().verdict == "consent_wall");
  settled = settle("challenge");
  BOOST_TEST((settled.outcome == RetryOutcome::given_up));
  BOOST_TEST(settled.retries == 3);
  BOOST_TEST(!stored().value().retry_at.has_value());
  BOOST_TEST(stored().value().verdict == "challenge");
  BOOST_TEST(archive->has_entry(feed, waiting.entry_key));  // still seen: no poll fetches it
  BOOST_TEST(archive->entry_retry_counts(feed).given_up == 1);
  // Waiting no longer, it is left alone.
  BOOST_TEST((settle("challenge").outcome == RetryOutcome::kept));
  BOOST_TEST(stored().value().retries == 3);
  BOOST_TEST(archive->article_count() == 0);
}

BOOST_FIXTURE_TEST_CASE(an_entry_whose_page_is_gone_or_a_listing_waits_no_more, EntryFixture) {
  RetrySettled settled = settle("", true);  // 404, 410, robots.txt
  BOOST_TEST((settled.outcome == RetryOutcome::given_up));
  BOOST_TEST(settled.retries == 0);
  BOOST_TEST(!stored().value().retry_at.has_value());
  BOOST_TEST(stored().value().verdict == "challenge");
  archive->record_entry_retry(waiting);
  settled = settle("not_article");
  BOOST_TEST((settled.outcome == RetryOutcome::given_up));
  BOOST_TEST(stored().value().verdict == "not_article");
  BOOST_TEST(!stored().value().retry_at.has_value());
}

BOOST_FIXTURE_TEST_CASE(an_entry_with_its_article_meanwhile_is_left_alone, EntryFixture) {
  ArticleRow row = sample_article(1, feed);
  row.entry_key = waiting.entry_key;
  const auto id = archive->store_article(row);  // e.g. archived by another process
  BOOST_TEST((settle("challenge").outcome == RetryOutcome::kept));
  BOOST_TEST(!stored().has_value());
  BOOST_TEST(archive->article(id).value().verdict == "article");
}

BOOST_AUTO_TEST_CASE(each_outcome_prints_its_name) {
  std::ostringstream out;
  out << RetryOutcome::upgraded << ' ' << RetryOutcome::partial << ' ' << RetryOutcome::rescheduled << ' '
      << RetryOutcome::given_up << ' ' << RetryOutcome::kept;
  BOOST_TEST(out.str() == "upgraded partial rescheduled given_up kept");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::ingest
