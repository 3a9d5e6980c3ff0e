// What ingest archives when an entry's page is no article: feeds on a TestServer whose article
// URLs answer 200 with a bot check, a consent wall, an error page, a listing or a paywall
// teaser (the pages written for the parsers' verdict tests, tests/fixtures/verdict/), a real
// SQLite archive, and the retries that fetch such a page again, for a row of the feed's
// content or for an entry the feed gave no content for (pipeline.h drives the loop).
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/ingest/ingest.h"
#include "tests/daemon/farm.h"
#include "tests/daemon/pipeline.h"
#include "tests/daemon/test_server.h"

namespace winnow::ingest {
namespace {

using namespace ::winnow::ingest::testing;
using farm::Item;
using winnow::testing::TestResponse;

UnixSeconds now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TestResponse fixture_page(const std::string& name) { return farm::html_response(farm::verdict_page(name)); }

// Retries soon enough for a test: 1 s, then 2 s, then no more.
IngestOptions quick_retries() {
  IngestOptions o = test_options();
  o.retry.base_delay_s = 1;
  o.retry.factor = 2;
  o.retry.max_retries = 2;
  return o;
}

// Serves `first` at `path` for the first `times` requests, then `then`.
void serve_then(TestServer& server, const std::string& path, TestResponse first, int times, TestResponse then) {
  auto calls = std::make_shared<std::atomic<int>>(0);
  server.route(path, [calls, first, times, then](const TestRequest&) { return (*calls)++ < times ? first : then; });
}

// The first six words of `text` as an FTS5 phrase query.
std::string phrase(const std::string& text) {
  std::size_t end = 0;
  for (int words = 0; words < 6 && end != std::string::npos; ++words) end = text.find(' ', end + 1);
  return "\"" + text.substr(0, end) + "\"";
}

BOOST_AUTO_TEST_SUITE(page_verdicts)

BOOST_AUTO_TEST_CASE(challenge_consent_wall_and_error_page_keep_the_feed_content_marked_and_retry_later) {
  TestServer server(4);
  Pipeline pipeline;  // retries an hour away: none during the test
  const std::map<std::string, std::string> pages = {{"/a/challenge", "challenge-just-a-moment.html"},
                                                    {"/a/consent", "consent_wall-zustimmung.html"},
                                                    {"/a/missing", "error_page-page-not-found.html"},
                                                    {"/a/listing", "not_article-section-front.html"}};
  const std::map<std::string, std::string> verdicts = {{"/a/challenge", "challenge"},
                                                       {"/a/consent", "consent_wall"},
                                                       {"/a/missing", "error_page"},
                                                       {"/a/listing", "not_article"}};
  std::map<std::string, Story> stories;
  std::vector<Item> items;
  std::uint32_t seed = 500;
  for (const auto& [path, fixture] : pages) {
    server.route(path, fixture_page(fixture));
    stories[path] = farm::make_story(++seed);
    items.push_back(farm::item_for(stories[path], server.url(path), true));
  }
  // Without feed content: a bot check waits for its retry as a seen entry, a listing for good.
  server.route("/b/challenge", fixture_page("challenge-incapsula.html"));
  server.route("/b/listing", fixture_page("not_article-search-results.html"));
  items.push_back(farm::item_for(farm::make_story(++seed), server.url("/b/challenge"), false));
  items.push_back(farm::item_for(farm::make_story(++seed), server.url("/b/listing"), false));
  Story good = farm::make_story(++seed);
  publish(server, "/a/good", good);
  items.push_back(farm::item_for(good, server.url("/a/good"), true));
  server.route("/feed.xml", farm::plain_feed(farm::rss("Walls", server.url("/"), items)));
  const UnixSeconds before = now_s();
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(3, 15s));

  BOOST_TEST(pipeline.article_count() == 5);
  for (const auto& [path, verdict] : verdicts) {
    auto row = pipeline.article_at(server.url(path), true);
    BOOST_TEST_REQUIRE(row.has_value(), path);
    BOOST_TEST(row->source == "feed", path);
    BOOST_TEST(row->verdict == verdict, path);
    BOOST_TEST(!row->partial);
    check_text(*row, stories[path]);
    // The page as the site served it is kept, never as the text.
    BOOST_TEST(row->raw == farm::verdict_page(pages.at(path)), path);
    BOOST_TEST(row->http_status == 200);
    BOOST_TEST(row->retries == 0);
    if (verdict == "not_article") {
      BOOST_TEST(!row->retry_at.has_value());
    } else {
      BOOST_TEST_REQUIRE(row->retry_at.has_value(), path);
      BOOST_TEST(*row->retry_at >= before + 3600);
      BOOST_TEST(*row->retry_at <= now_s() + 3600);
    }
    BOOST_TEST(server.hits(path) == 1u, path);
  }
  auto page = pipeline.article_at(server.url("/a/good"));
  BOOST_TEST_REQUIRE(page.has_value());
  BOOST_TEST(page->source == "page");
  BOOST_TEST(page->verdict == "article");
  BOOST_TEST(!page->retry_at.has_value());
  check_text(*page, good);
  BOOST_TEST(pipeline.reader().articles_due_for_retry(now_s() + 3601, 10).size() == 3u);

  BOOST_TEST(!pipeline.article_at(server.url("/b/challenge")).has_value());
  BOOST_TEST(!pipeline.article_at(server.url("/b/listing")).has_value());
  BOOST_TEST(server.hits("/b/challenge") == 1u);  // not at the polls after the first
  BOOST_TEST(server.hits("/b/listing") == 1u);
  const FeedRow feed = pipeline.only_feed();
  BOOST_TEST(pipeline.entries_without_article(feed.id) == 2);  // the listing for good, the bot check waiting
  BOOST_TEST(pipeline.reader().entries_due_for_retry(now_s() + 3601, 10).size() == 1u);

  const Stats& stats = pipeline.ingest().stats();
  BOOST_TEST(stats.verdicts.at("challenge") == 2u);  // /a/challenge and /b/challenge, once each
  BOOST_TEST(stats.verdicts.at("consent_wall") == 1u);
  BOOST_TEST(stats.verdicts.at("error_page") == 1u);
  BOOST_TEST(stats.verdicts.at("not_article") == 2u);
  BOOST_TEST(stats.verdicts.at("article") == 1u);
}

BOOST_AUTO_TEST_CASE(a_retry_that_finds_the_article_replaces_the_feed_content_in_place) {
  TestServer server;
  Pipeline pipeline(quick_retries());
  Story story = farm::make_story(601);
  serve_then(server, "/a/1", fixture_page("challenge-just-a-moment.html"), 1, farm::html_response(farm::page_html(story)));
  Story summary = farm::make_story(602, 2);  // the feed says less, in other words
  Item item = farm::item_for(story, server.url("/a/1"), false);
  item.content = farm::story_html(summary);
  server.route("/feed.xml", farm::plain_feed(farm::rss("Retry", server.url("/"), {item})));
  pipeline.subscribe({server.url("/feed.xml")});

  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 1; }));
  const ArticleRow first = pipeline.articles().front();
  BOOST_TEST(first.source == "feed");
  BOOST_TEST(first.verdict == "challenge");
  BOOST_TEST(first.retry_at.has_value());
  BOOST_TEST_REQUIRE(pipeline.run_until(
      [&] { return pipeline.ingest().stats().retries_upgraded == 1u && pipeline.ingest().in_flight() == 0; }, 10s));
  pipeline.worker().flush();

  BOOST_TEST(pipeline.article_count() == 1);
  const ArticleRow row = pipeline.reader().article(first.id, true).value();
  BOOST_TEST(row.source == "page");
  BOOST_TEST(row.verdict == "article");
  BOOST_TEST(!row.partial);
  BOOST_TEST(!row.retry_at.has_value());
  BOOST_TEST(row.title == story.title);
  BOOST_TEST(row.feed_id == first.feed_id);
  BOOST_TEST(row.entry_key == first.entry_key);
  check_text(row, story);
  BOOST_TEST(row.raw == farm::page_html(story));
  BOOST_TEST(server.hits("/a/1") == 2u);
  // The full-text index follows the new text.
  BOOST_TEST(pipeline.reader().search(phrase(summary.paragraphs[0]), 10).empty());
  BOOST_TEST(pipeline.reader().search(phrase(story.paragraphs[3]), 10).size() == 1u);
  // Never fetched again.
  pipeline.run_for(2500ms);
  BOOST_TEST(server.hits("/a/1") == 2u);
}

BOOST_AUTO_TEST_CASE(a_page_that_stays_a_challenge_is_retried_later_each_time_until_the_limit) {
  TestServer server;
  Pipeline pipeline(quick_retries());  // 1 s, 2 s, then given up
  Story story = farm::make_story(611);
  server.route("/a/1", fixture_page("challenge-captcha-delivery.html"));
  server.route("/feed.xml",
               farm::plain_feed(farm::rss("Stuck", server.url("/"), {farm::item_for(story, server.url("/a/1"), true)})));
  pipeline.subscribe({server.url("/feed.xml")});

  const auto row = [&] { return pipeline.articles().front(); };
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 1; }));
  const ArticleRow stored = row();
  BOOST_TEST_REQUIRE(stored.retry_at.has_value());
  BOOST_TEST(stored.retries == 0);
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return row().retries == 1; }, 5s));
  const ArticleRow once = row();
  BOOST_TEST_REQUIRE(once.retry_at.has_value());
  // The second delay (2 s) counts from the first retry, made when the first (1 s) was due.
  BOOST_TEST(*once.retry_at - *stored.retry_at >= 2);
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return row().retries == 2; }, 6s));
  const ArticleRow twice = row();
  BOOST_TEST(!twice.retry_at.has_value());  // the limit: kept as the feed's content
  BOOST_TEST(twice.verdict == "challenge");
  BOOST_TEST(twice.source == "feed");
  check_text(twice, story);
  BOOST_TEST(twice.id == stored.id);
  pipeline.run_for(1500ms);  // past the next probe for rows due
  BOOST_TEST(server.hits("/a/1") == 3u);
  BOOST_TEST(pipeline.ingest().stats().retries == 2u);
  BOOST_TEST(pipeline.ingest().stats().retries_upgraded == 0u);
  BOOST_TEST(pipeline.article_count() == 1);
}

BOOST_AUTO_TEST_CASE(an_entry_without_content_waits_as_seen_and_its_retry_archives_the_article_later) {
  TestServer server;
  IngestOptions options = test_options();  // the feed polled every second or two
  options.retry.base_delay_s = 3;          // a retry after two polls at least
  Pipeline pipeline(options);
  Story story = farm::make_story(651);
  serve_then(server, "/a/1", fixture_page("challenge-just-a-moment.html"), 1, farm::html_response(farm::page_html(story)));
  // The feed has validators but always answers in full, so each poll sees the entry again.
  TestResponse feed_answer =
      farm::plain_feed(farm::rss("Bare", server.url("/"), {farm::item_for(story, server.url("/a/1"), false)}));
  feed_answer.headers.emplace_back("ETag", "\"bare-1\"");
  server.route("/feed.xml", feed_answer);
  pipeline.subscribe({server.url("/feed.xml")});

  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(2));
  BOOST_TEST_REQUIRE(requests_for(server, "/feed.xml").size() == 2u);
  const FeedRow feed = pipeline.only_feed();
  // The first poll saved the validators, as after a success, and the second sent them back.
  BOOST_TEST(feed.etag == "\"bare-1\"");
  BOOST_TEST(requests_for(server, "/feed.xml")[1].header("if-none-match") == "\"bare-1\"");
  BOOST_TEST(server.hits("/a/1") == 1u);  // the second poll knew the entry
  BOOST_TEST(pipeline.ingest().stats().entries_new == 1u);
  BOOST_TEST(pipeline.ingest().stats().entries_known == 1u);
  BOOST_TEST(pipeline.article_count() == 0);
  const std::string key = "urn:winnow-test:" + server.url("/a/1");
  BOOST_TEST(pipeline.entries(feed.id) == 1);
  const auto waiting = pipeline.reader().entry_retry(feed.id, key);
  BOOST_TEST_REQUIRE(waiting.has_value());
  BOOST_TEST(waiting->verdict == "challenge");
  BOOST_TEST(waiting->retries == 0);
  BOOST_TEST(waiting->url == server.url("/a/1"));
  BOOST_TEST(waiting->title == story.title);
  BOOST_TEST_REQUIRE(waiting->retry_at.has_value());
  BOOST_TEST(*waiting->retry_at <= now_s() + 3);
  BOOST_TEST(pipeline.reader().entry_retry_counts(feed.id).waiting == 1);

  // The retry timer fetches the page when due: an article now, archived as a new row.
  BOOST_TEST_REQUIRE(pipeline.run_until(
      [&] { return pipeline.ingest().stats().retries_upgraded == 1u && pipeline.ingest().in_flight() == 0; }, 15s));
  pipeline.worker().flush();
  const auto pages = requests_for(server, "/a/1");
  BOOST_TEST_REQUIRE(pages.size() == 2u);
  // 3 s after the verdict, which is counted in whole seconds: 2 s at least after the fetch.
  BOOST_TEST(seconds_between(pages[0].at, pages[1].at) >= 2.0);
  BOOST_TEST_REQUIRE(pipeline.article_count() == 1);
  const ArticleRow row = pipeline.articles(true).front();
  BOOST_TEST(row.source == "page");
  BOOST_TEST(row.verdict == "article");
  BOOST_TEST(row.feed_id == feed.id);
  BOOST_TEST(row.entry_key == key);
  BOOST_TEST(row.title == story.title);
  BOOST_TEST(!row.retry_at.has_value());
  BOOST_TEST(row.raw == farm::page_html(story));
  check_text(row, story);
  BOOST_TEST(!pipeline.reader().entry_retry(feed.id, key).has_value());
  BOOST_TEST(pipeline.entries_without_article(feed.id) == 0);
  BOOST_TEST(pipeline.probe().integer("SELECT article_id FROM entries WHERE feed_id = " + std::to_string(feed.id)) ==
             row.id);
  BOOST_TEST(pipeline.reader().entry_retry_counts(feed.id).waiting == 0);
  BOOST_TEST(pipeline.reader().search(phrase(story.paragraphs[2]), 10).size() == 1u);
  // Neither the polls nor the retry timer fetch it again.
  const auto polls = pipeline.ingest().stats().polls;
  pipeline.run_for(3500ms);  // past the next probe for entries due
  BOOST_TEST(pipeline.ingest().stats().polls > polls);
  BOOST_TEST(server.hits("/a/1") == 2u);
  BOOST_TEST(pipeline.ingest().stats().retries == 1u);
  BOOST_TEST(pipeline.article_count() == 1);
}

BOOST_AUTO_TEST_CASE(an_entry_without_content_whose_page_stays_a_challenge_is_retried_until_the_limit) {
  TestServer server;
  Pipeline pipeline(quick_retries());  // 1 s, 2 s, then given up
  Story story = farm::make_story(661);
  server.route("/a/1", fixture_page("challenge-captcha-delivery.html"));
  server.route("/feed.xml",
               farm::plain_feed(farm::rss("Stuck", server.url("/"), {farm::item_for(story, server.url("/a/1"), false)})));
  pipeline.subscribe({server.url("/feed.xml")});
  const std::string key = "urn:winnow-test:" + server.url("/a/1");
  const auto entry = [&] {
    return pipeline.probe().find_integer("SELECT retries FROM entries WHERE entry_key = '" + key + "'");
  };
  const auto retry_at = [&] {
    return pipeline.probe().find_integer("SELECT retry_at FROM entries WHERE retry_at IS NOT NULL AND entry_key = '" +
                                         key + "'");
  };

  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return entry().has_value(); }));
  const auto first = retry_at();
  BOOST_TEST_REQUIRE(first.has_value());
  BOOST_TEST(entry() == 0);
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return entry() == 1; }, 5s));
  const auto second = retry_at();
  BOOST_TEST_REQUIRE(second.has_value());
  // The second delay (2 s) counts from the first retry, made when the first (1 s) was due.
  BOOST_TEST(*second - *first >= 2);
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return entry() == 2; }, 6s));
  BOOST_TEST(!retry_at().has_value());  // the limit: seen, without an article, for good
  const FeedRow feed = pipeline.only_feed();
  const auto given_up = pipeline.reader().entry_retry(feed.id, key);
  BOOST_TEST_REQUIRE(given_up.has_value());
  BOOST_TEST(given_up->verdict == "challenge");
  BOOST_TEST(pipeline.reader().entry_retry_counts(feed.id).given_up == 1);
  BOOST_TEST(pipeline.reader().entry_retry_counts(feed.id).waiting == 0);
  pipeline.run_for(2500ms);  // polls, and past the next probe for entries due
  BOOST_TEST(server.hits("/a/1") == 3u);
  BOOST_TEST(server.hits("/feed.xml") >= 3u);
  const Stats& stats = pipeline.ingest().stats();
  BOOST_TEST(stats.retries == 2u);
  BOOST_TEST(stats.retries_upgraded == 0u);
  BOOST_TEST(stats.failed == 1u);
  BOOST_TEST(stats.failure_reasons.at("page is challenge") == 1u);
  BOOST_TEST(pipeline.article_count() == 0);
  BOOST_TEST(pipeline.entries(feed.id) == 1);
}

BOOST_AUTO_TEST_CASE(an_entry_without_content_whose_page_is_gone_waits_no_more) {
  TestServer server;
  Pipeline pipeline(quick_retries());
  Story story = farm::make_story(671);
  TestResponse gone;
  gone.status = 410;
  gone.body = "gone";
  serve_then(server, "/a/1", fixture_page("consent_wall-zustimmung.html"), 1, gone);
  server.route("/feed.xml",
               farm::plain_feed(farm::rss("Gone", server.url("/"), {farm::item_for(story, server.url("/a/1"), false)})));
  pipeline.subscribe({server.url("/feed.xml")});

  BOOST_TEST_REQUIRE(
      pipeline.run_until([&] { return server.hits("/a/1") == 2u && pipeline.ingest().in_flight() == 0; }, 5s));
  pipeline.worker().flush();
  const FeedRow feed = pipeline.only_feed();
  const auto entry = pipeline.reader().entry_retry(feed.id, "urn:winnow-test:" + server.url("/a/1"));
  BOOST_TEST_REQUIRE(entry.has_value());
  BOOST_TEST(!entry->retry_at.has_value());
  BOOST_TEST(entry->retries == 0);
  BOOST_TEST(entry->verdict == "consent_wall");  // the last page judged
  pipeline.run_for(2500ms);
  BOOST_TEST(server.hits("/a/1") == 2u);
  BOOST_TEST(pipeline.ingest().stats().failure_reasons.at("HTTP 410") == 1u);
  BOOST_TEST(pipeline.article_count() == 0);
}

BOOST_AUTO_TEST_CASE(a_paywall_teaser_keeps_the_longer_of_its_text_and_the_feed_content_marked_partial) {
  TestServer server;
  Pipeline pipeline;
  const std::string teaser = farm::verdict_page("paywall_teaser-subscribe-to-continue.html");
  server.route("/p/long-feed", farm::html_response(teaser));
  server.route("/p/short-feed", farm::html_response(teaser));
  Story whole = farm::make_story(621, 8);  // the feed carries the whole story
  Item long_item = farm::item_for(whole, server.url("/p/long-feed"), true);
  Item short_item = farm::item_for(farm::make_story(622), server.url("/p/short-feed"), false);
  short_item.description = "<p>The sea wall, in one line.</p>";
  server.route("/feed.xml", farm::plain_feed(farm::rss("Paywall", server.url("/"), {long_item, short_item})));
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 2; }));
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(2));

  auto from_feed = pipeline.article_at(server.url("/p/long-feed"), true);
  BOOST_TEST_REQUIRE(from_feed.has_value());
  BOOST_TEST(from_feed->source == "feed");
  BOOST_TEST(from_feed->verdict == "paywall_teaser");
  BOOST_TEST(from_feed->partial);
  BOOST_TEST(!from_feed->retry_at.has_value());
  check_text(*from_feed, whole);
  BOOST_TEST(from_feed->raw == teaser);

  auto from_page = pipeline.article_at(server.url("/p/short-feed"));
  BOOST_TEST_REQUIRE(from_page.has_value());
  BOOST_TEST(from_page->source == "page");
  BOOST_TEST(from_page->verdict == "paywall_teaser");
  BOOST_TEST(from_page->partial);
  BOOST_TEST(!from_page->retry_at.has_value());
  BOOST_TEST(contains(from_page->text, "Everyone on the waterfront agrees"), from_page->text);
  BOOST_TEST(!contains(from_page->text, "in one line"));
  BOOST_TEST(pipeline.ingest().stats().verdicts.at("paywall_teaser") == 2u);
}

BOOST_AUTO_TEST_CASE(an_archived_article_is_not_replaced_when_its_url_later_serves_a_challenge) {
  TestServer server;
  Pipeline pipeline(quick_retries());
  Story story = farm::make_story(631);
  publish(server, "/a/1", story);
  server.route("/one.xml", farm::plain_feed(farm::rss("One", server.url("/"),
                                                      {farm::item_for(story, server.url("/a/1"), true)})));
  pipeline.subscribe({server.url("/one.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 1; }));
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(1));
  const ArticleRow archived = pipeline.articles(true).front();
  BOOST_TEST_REQUIRE(archived.source == "page");

  server.route("/a/1", fixture_page("challenge-just-a-moment.html"));
  // A second feed with the same link: the URL is archived, so its page is not fetched.
  Item again = farm::item_for(story, server.url("/a/1"), true);
  again.id = "urn:other-feed:1";
  server.route("/two.xml", farm::plain_feed(farm::rss("Two", server.url("/"), {again})));
  pipeline.subscribe({server.url("/two.xml")});
  // `winnow crawl` of the URL fetches it again, and gets the bot check.
  bool crawled = false;
  pipeline.ingest().crawl({server.url("/a/1")}, false, nullptr, [&] { crawled = true; });
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return crawled; }));
  BOOST_TEST_REQUIRE(
      pipeline.run_until([&] { return server.hits("/two.xml") >= 1 && pipeline.ingest().in_flight() == 0; }));
  pipeline.run_for(1500ms);  // past the next probe for rows due, were one due
  pipeline.worker().flush();

  BOOST_TEST(server.hits("/a/1") == 2u);  // the first fetch and the crawl
  BOOST_TEST(pipeline.article_count() == 1);
  const ArticleRow now = pipeline.reader().article(archived.id, true).value();
  BOOST_TEST(now.text == archived.text);
  BOOST_TEST(now.raw == archived.raw);
  BOOST_TEST(now.source == "page");
  BOOST_TEST(now.verdict == "article");
  BOOST_TEST(!now.retry_at.has_value());
  const auto two = pipeline.reader().feed_by_url(server.url("/two.xml"));
  BOOST_TEST_REQUIRE(two.has_value());
  BOOST_TEST(pipeline.probe().integer("SELECT article_id FROM entries WHERE feed_id = " + std::to_string(two->id)) ==
             archived.id);
  BOOST_TEST(pipeline.ingest().stats().verdicts.at("challenge") == 1u);
}

BOOST_AUTO_TEST_CASE(crawling_a_url_kept_as_feed_content_that_is_an_article_now_upgrades_it_in_place) {
  TestServer server;
  Pipeline pipeline;  // retries an hour away: only the crawl fetches the page again
  Story story = farm::make_story(641);
  server.route("/a/1", fixture_page("consent_wall-before-you-continue.html"));
  server.route("/feed.xml", farm::plain_feed(farm::rss("Consent", server.url("/"),
                                                       {farm::item_for(story, server.url("/a/1"), true)})));
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 1; }));
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(1));
  const ArticleRow kept = pipeline.articles().front();
  BOOST_TEST_REQUIRE(kept.verdict == "consent_wall");

  publish(server, "/a/1", story);
  bool crawled = false;
  pipeline.ingest().crawl({server.url("/a/1")}, false, nullptr, [&] { crawled = true; });
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return crawled; }));
  pipeline.worker().flush();

  BOOST_TEST(pipeline.article_count() == 1);
  const ArticleRow row = pipeline.reader().article(kept.id).value();
  BOOST_TEST(row.source == "page");
  BOOST_TEST(row.verdict == "article");
  BOOST_TEST(!row.retry_at.has_value());
  BOOST_TEST(row.entry_key == kept.entry_key);
  BOOST_TEST(row.feed_id == kept.feed_id);
  check_text(row, story);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::ingest
