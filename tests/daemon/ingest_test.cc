// The ingest pipeline end to end: a TestServer "feed farm" on 127.0.0.1, a real SQLite
// archive in a temp dir, and the Asio loop run by the test in slices (pipeline.h).
#include "daemon/ingest/ingest.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/archive/archive.h"
#include "daemon/archive/archive_worker.h"
#include "daemon/log.h"
#include "parsers/url/normalize.h"
#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/farm.h"
#include "tests/daemon/pipeline.h"
#include "tests/daemon/test_server.h"

namespace winnow::ingest {
namespace {

using namespace ::winnow::ingest::testing;
using farm::Item;
using winnow::testing::TestResponse;

BOOST_AUTO_TEST_SUITE(ingest)

BOOST_AUTO_TEST_CASE(entries_are_archived_once_without_page_noise_and_later_polls_are_conditional) {
  TestServer server(4);
  Pipeline pipeline;
  std::map<std::string, Story> stories;
  std::vector<Item> news, blog;
  for (int n = 1; n <= 3; ++n) {
    std::string path = "/news/" + std::to_string(n);
    stories[path] = farm::make_story(10 + n);
    publish(server, path, stories[path]);
    news.push_back(farm::item_for(stories[path], server.url(path), false));
  }
  for (int n = 1; n <= 2; ++n) {
    std::string path = "/blog/" + std::to_string(n);
    stories[path] = farm::make_story(20 + n);
    publish(server, path, stories[path]);
    blog.push_back(farm::item_for(stories[path], server.url(path), false));
  }
  server.route("/news/rss.xml", farm::conditional_feed(farm::rss("Harbour news", server.url("/"), news),
                                                       "application/rss+xml", "\"news-1\""));
  server.route("/blog/atom.xml", farm::conditional_feed(farm::atom("Harbour blog", server.url("/"), blog),
                                                        "application/atom+xml", "\"blog-1\""));
  pipeline.subscribe({server.url("/news/rss.xml"), server.url("/blog/atom.xml")});

  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 5; }));
  // Two more polls of each feed: both must be conditional and answered 304.
  BOOST_TEST_REQUIRE(pipeline.run_until(
      [&] { return pipeline.ingest().stats().not_modified >= 4 && pipeline.ingest().in_flight() == 0; }));
  pipeline.worker().flush();

  auto articles = pipeline.articles();
  BOOST_TEST(articles.size() == 5u);
  for (const auto& [path, story] : stories) {
    auto row = pipeline.article_at(server.url(path));
    BOOST_TEST_REQUIRE(row.has_value(), path << " not archived");
    check_text(*row, story);
    BOOST_TEST(row->title == story.title);
    BOOST_TEST(row->source == "page");
    BOOST_TEST(row->http_status == 200);
    BOOST_TEST(!row->duplicate_of.has_value());
    BOOST_TEST(row->feed_id.has_value());
    BOOST_TEST(server.hits(path) == 1u, path << " fetched " << server.hits(path) << " times");
  }
  BOOST_TEST(server.hits("/robots.txt") == 1u);
  // The rows are in the database a moment before the archive thread's answer reaches the
  // loop and the counter: wait for the answer, not only the rows.
  BOOST_TEST(pipeline.run_until([&] { return pipeline.ingest().stats().archived == 5u; }, 5s),
             "archived " << pipeline.ingest().stats().archived);
  for (const auto& [feed_path, etag] :
       std::vector<std::pair<std::string, std::string>>{{"/news/rss.xml", "\"news-1\""}, {"/blog/atom.xml", "\"blog-1\""}}) {
    auto polls = requests_for(server, feed_path);
    BOOST_TEST_REQUIRE(polls.size() >= 3u);
    BOOST_TEST(polls[0].header("if-none-match").empty());
    for (std::size_t i = 1; i < polls.size(); ++i) {
      BOOST_TEST(polls[i].header("if-none-match") == etag);
      BOOST_TEST(!polls[i].header("if-modified-since").empty());
    }
    auto row = pipeline.reader().feed_by_url(server.url(feed_path));
    BOOST_TEST_REQUIRE(row.has_value());
    BOOST_TEST(row->etag == etag);
    BOOST_TEST(!row->last_modified.empty());
    BOOST_TEST(row->consecutive_failures == 0);
    BOOST_TEST(row->last_error.empty());
    BOOST_TEST(row->last_polled > 0);
    BOOST_TEST(row->last_new_entry > 0);
    BOOST_TEST(pipeline.entries(row->id) == (feed_path == "/news/rss.xml" ? 3 : 2));
    BOOST_TEST(pipeline.entries_without_article(row->id) == 0);
  }
  BOOST_TEST(pipeline.feeds()[0].title == "Harbour news");
  BOOST_TEST(pipeline.feeds()[1].title == "Harbour blog");
}

BOOST_AUTO_TEST_CASE(gone_article_is_archived_from_feed_content) {
  TestServer server;
  Pipeline pipeline;
  Story removed = farm::make_story(31), withdrawn = farm::make_story(32);
  TestResponse not_found = farm::html_response("<html><body><h1>Page not found</h1></body></html>");
  not_found.status = 404;
  TestResponse gone = farm::html_response("<html><body><h1>Gone</h1></body></html>");
  gone.status = 410;
  server.route("/gone/404", not_found);
  server.route("/gone/410", gone);
  server.route("/feed.xml", farm::conditional_feed(
                                farm::rss("Gone", server.url("/"),
                                          {farm::item_for(removed, server.url("/gone/404"), true),
                                           farm::item_for(withdrawn, server.url("/gone/410"), true)}),
                                "application/rss+xml", "\"g\""));
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 2; }));
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(2));

  for (auto [path, story] : {std::pair{"/gone/404", &removed}, std::pair{"/gone/410", &withdrawn}}) {
    auto row = pipeline.article_at(server.url(path));
    BOOST_TEST_REQUIRE(row.has_value(), path);
    BOOST_TEST(row->source == "feed");
    BOOST_TEST(row->title == story->title);
    check_text(*row, *story);
    BOOST_TEST(server.hits(path) == 1u);
  }
  BOOST_TEST(pipeline.article_count() == 2);
  BOOST_TEST(pipeline.ingest().stats().feed_fallbacks == 2u);
}

BOOST_AUTO_TEST_CASE(page_that_makes_gumbo_abort_falls_back_to_feed_content_and_ingest_goes_on) {
  TestServer server;
  Pipeline pipeline;
  Story hostile = farm::make_story(41), normal = farm::make_story(42);
  // Gumbo 0.10.1 fails an assertion on this markup and would abort the daemon.
  server.route("/bad", farm::html_response("<html><body><table><math><select><mi><select><tr>"));
  publish(server, "/good", normal);
  server.route("/feed.xml", farm::plain_feed(farm::rss("Hostile", server.url("/"),
                                                       {farm::item_for(hostile, server.url("/bad"), true),
                                                        farm::item_for(normal, server.url("/good"), false)})));
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 2; }));
  auto bad = pipeline.article_at(server.url("/bad"));
  BOOST_TEST_REQUIRE(bad.has_value());
  BOOST_TEST(bad->source == "feed");
  check_text(*bad, hostile);
  auto good = pipeline.article_at(server.url("/good"));
  BOOST_TEST_REQUIRE(good.has_value());
  BOOST_TEST(good->source == "page");
  check_text(*good, normal);
}

BOOST_AUTO_TEST_CASE(gone_article_without_feed_content_is_recorded_and_not_fetched_again) {
  TestServer server;
  Pipeline pipeline;
  Story kept = farm::make_story(41), lost = farm::make_story(42);
  publish(server, "/a/kept", kept);
  TestResponse gone = farm::html_response("<html><body><h1>Gone</h1></body></html>");
  gone.status = 410;
  server.route("/a/lost", gone);
  // No validators: every poll gets the whole feed, so the lost entry is seen each time.
  server.route("/feed.xml", farm::plain_feed(farm::rss("Lost", server.url("/"),
                                                       {farm::item_for(kept, server.url("/a/kept"), false),
                                                        farm::item_for(lost, server.url("/a/lost"), false)})));
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(3, 15s));

  BOOST_TEST(server.hits("/feed.xml") >= 3u);
  BOOST_TEST(server.hits("/a/lost") == 1u);
  BOOST_TEST(server.hits("/a/kept") == 1u);
  BOOST_TEST(pipeline.article_count() == 1);
  BOOST_TEST(pipeline.article_at(server.url("/a/kept")).has_value());
  FeedRow feed = pipeline.only_feed();
  BOOST_TEST(pipeline.entries(feed.id) == 2);
  BOOST_TEST(pipeline.entries_without_article(feed.id) == 1);
  BOOST_TEST(pipeline.probe().text("SELECT entry_key FROM entries WHERE article_id IS NULL") ==
             "urn:winnow-test:" + server.url("/a/lost"));
  BOOST_TEST(pipeline.ingest().stats().failed == 1u);
  BOOST_TEST(feed.consecutive_failures == 0);
}

BOOST_AUTO_TEST_CASE(feed_server_error_counts_a_failure_backs_off_and_recovers) {
  TestServer server;
  Pipeline pipeline;
  Story one = farm::make_story(51), two = farm::make_story(52);
  publish(server, "/a/1", one);
  publish(server, "/a/2", two);
  std::string body = farm::rss("Flaky", server.url("/"), {farm::item_for(one, server.url("/a/1"), false),
                                                         farm::item_for(two, server.url("/a/2"), false)});
  auto calls = std::make_shared<std::atomic<int>>(0);
  server.route("/feed.xml", [calls, body](const TestRequest&) {
    if ((*calls)++ == 0) {
      TestResponse r = farm::html_response("<h1>Internal Server Error</h1>");
      r.status = 500;
      return r;
    }
    return farm::plain_feed(body);
  });
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(1));

  FeedRow failed = pipeline.only_feed();
  BOOST_TEST(failed.consecutive_failures == 1);
  BOOST_TEST(contains(failed.last_error, "500"), failed.last_error);
  BOOST_TEST(failed.last_polled > 0);
  // A success would come back after 1 s (the interval); a failure doubles it.
  BOOST_TEST(failed.next_poll - failed.last_polled >= 2, "next poll in " << failed.next_poll - failed.last_polled);
  BOOST_TEST(pipeline.article_count() == 0);
  BOOST_TEST(pipeline.ingest().stats().polls_failed == 1u);

  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 2; }));
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(2));
  FeedRow recovered = pipeline.only_feed();
  BOOST_TEST(recovered.consecutive_failures == 0);
  BOOST_TEST(recovered.last_error.empty());
  auto polls = requests_for(server, "/feed.xml");
  BOOST_TEST_REQUIRE(polls.size() >= 2u);
  BOOST_TEST(seconds_between(polls[0].at, polls[1].at) >= 1.5, "retried after " << seconds_between(polls[0].at, polls[1].at));
  BOOST_TEST(server.hits("/a/1") == 1u);
  BOOST_TEST(server.hits("/a/2") == 1u);
}

BOOST_AUTO_TEST_CASE(feed_answering_503_with_retry_after_is_not_polled_before_it) {
  TestServer server;
  Pipeline pipeline;
  TestResponse busy = farm::html_response("<h1>Service Unavailable</h1>");
  busy.status = 503;
  busy.headers.push_back({"Retry-After", "7"});
  server.route("/feed.xml", busy);
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(1));

  FeedRow feed = pipeline.only_feed();
  BOOST_TEST(feed.consecutive_failures == 1);
  BOOST_TEST(contains(feed.last_error, "503"), feed.last_error);
  // Retry-After 7 s, above the 2 s backoff: a floor that jitter does not shorten, plus the
  // second that keeps whole-second times from coming back early.
  BOOST_TEST(feed.next_poll - feed.last_polled >= 8, "next poll in " << feed.next_poll - feed.last_polled);
  pipeline.run_for(2500ms);  // two intervals of a healthy feed
  BOOST_TEST(server.hits("/feed.xml") == 1u);
}

BOOST_AUTO_TEST_CASE(retry_after_keeps_requests_off_the_host_until_it_has_passed) {
  TestServer server;
  IngestOptions options = test_options();
  options.politeness.concurrency = 1;  // one request at a time: none can be under way when the 429 comes
  Pipeline pipeline(options);
  std::vector<Story> stories;
  std::vector<Item> items;
  for (int n = 1; n <= 3; ++n) {
    stories.push_back(farm::make_story(60 + n));
    items.push_back(farm::item_for(stories.back(), server.url("/r/" + std::to_string(n)), false));
  }
  publish(server, "/r/1", stories[0]);
  publish(server, "/r/3", stories[2]);
  auto calls = std::make_shared<std::atomic<int>>(0);
  std::string page = farm::page_html(stories[1]);
  server.route("/r/2", [calls, page](const TestRequest&) {
    if ((*calls)++ == 0) {
      TestResponse r = farm::html_response("<h1>Too Many Requests</h1>");
      r.status = 429;
      r.headers.push_back({"Retry-After", "2"});
      return r;
    }
    return farm::html_response(page);
  });
  server.route("/feed.xml", farm::plain_feed(farm::rss("Busy", server.url("/"), items)));
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 3; }, 15s));

  auto log = server.requests();
  auto refused = std::find_if(log.begin(), log.end(), [](const TestRequest& r) { return r.path == "/r/2"; });
  BOOST_TEST_REQUIRE((refused != log.end()));
  BOOST_TEST_REQUIRE((refused + 1 != log.end()), "nothing asked after the 429");
  for (auto it = refused + 1; it != log.end(); ++it)
    BOOST_TEST(seconds_between(refused->at, it->at) >= 2.0,
               it->path << " asked " << seconds_between(refused->at, it->at) << " s after the 429");
  BOOST_TEST(server.hits("/r/2") == 2u);
  for (int n = 1; n <= 3; ++n) {
    auto row = pipeline.article_at(server.url("/r/" + std::to_string(n)));
    BOOST_TEST_REQUIRE(row.has_value());
    BOOST_TEST(row->source == "page");
    check_text(*row, stories[n - 1]);
  }
}

BOOST_AUTO_TEST_CASE(one_host_never_gets_more_than_its_concurrency_while_another_host_proceeds) {
  TestServer slow(4), fast(4);
  Pipeline pipeline;  // concurrency 2
  std::vector<Item> slow_items, fast_items;
  for (int n = 1; n <= 10; ++n) {
    Story story = farm::make_story(100 + n);
    TestResponse r = farm::html_response(farm::page_html(story));
    r.delay = 300ms;
    slow.route("/s/" + std::to_string(n), r);
    slow_items.push_back(farm::item_for(story, slow.url("/s/" + std::to_string(n)), false));
  }
  for (int n = 1; n <= 4; ++n) {
    Story story = farm::make_story(200 + n);
    publish(fast, "/f/" + std::to_string(n), story);
    fast_items.push_back(farm::item_for(story, other_host_url(fast, "/f/" + std::to_string(n)), false));
  }
  slow.route("/feed.xml", farm::plain_feed(farm::rss("Slow", slow.url("/"), slow_items)));
  fast.route("/feed.xml", farm::plain_feed(farm::rss("Fast", other_host_url(fast, "/"), fast_items)));
  pipeline.subscribe({slow.url("/feed.xml"), other_host_url(fast, "/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 14; }, 15s));

  BOOST_TEST(slow.max_concurrent() == 2, "slow host saw " << slow.max_concurrent() << " at once");
  BOOST_TEST(fast.max_concurrent() <= 2);
  Clock::time_point last_slow{}, last_fast{};
  for (auto& r : slow.requests())
    if (r.path.starts_with("/s/")) last_slow = std::max(last_slow, r.at);
  for (auto& r : fast.requests())
    if (r.path.starts_with("/f/")) last_fast = std::max(last_fast, r.at);
  BOOST_TEST((last_fast < last_slow), "the fast host waited " << seconds_between(last_slow, last_fast)
                                                              << " s past the slow host's last page");
  for (int n = 1; n <= 10; ++n) BOOST_TEST(slow.hits("/s/" + std::to_string(n)) == 1u);
  // The rows are in the database a moment before the archive thread's answer reaches the
  // loop and the counter: wait for the answer, not only the rows.
  BOOST_TEST(pipeline.run_until([&] { return pipeline.ingest().stats().archived == 14u; }, 5s),
             "archived " << pipeline.ingest().stats().archived);
}

BOOST_AUTO_TEST_CASE(feeds_of_a_host_slow_to_serve_pages_do_not_hold_up_other_feeds) {
  TestServer slow(4), fast(4);
  IngestOptions options = test_options();
  options.max_polls_in_flight = 2;  // both taken by the slow host's polls
  Pipeline pipeline(options);
  constexpr auto kPageDelay = 2000ms;
  std::vector<std::string> slow_feeds;
  for (int f = 1; f <= 2; ++f) {
    std::vector<Item> items;
    for (int n = 1; n <= 3; ++n) {
      Story story = farm::make_story(std::uint32_t(300 + 10 * f + n));
      const std::string path = "/s/" + std::to_string(f) + "/" + std::to_string(n);
      TestResponse r = farm::html_response(farm::page_html(story));
      r.delay = kPageDelay;
      slow.route(path, r);
      items.push_back(farm::item_for(story, slow.url(path), false));
    }
    const std::string feed = "/feed" + std::to_string(f) + ".xml";
    slow.route(feed, farm::plain_feed(farm::rss("Slow " + std::to_string(f), slow.url("/"), items)));
    slow_feeds.push_back(slow.url(feed));
  }
  Story quick = farm::make_story(399);
  publish(fast, "/q/1", quick);
  fast.route("/feed.xml", farm::plain_feed(farm::rss("Fast", other_host_url(fast, "/"),
                                                     {farm::item_for(quick, other_host_url(fast, "/q/1"), false)})));
  pipeline.subscribe(slow_feeds);
  // Both slow polls are under way: their pages are being served.
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return slow.hits("/s/1/1") + slow.hits("/s/2/1") >= 1; }));
  pipeline.subscribe({slow_feeds[0], slow_feeds[1], other_host_url(fast, "/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 7; }, 30s));

  // The other host's feed was polled before the slow host answered its first page:
  // the slow polls gave their admission back once their entries were queued.
  Clock::time_point first_slow_page = Clock::time_point::max();
  for (const auto& r : slow.requests())
    if (r.path.starts_with("/s/")) first_slow_page = std::min(first_slow_page, r.at);
  auto fast_polls = requests_for(fast, "/feed.xml");
  BOOST_TEST_REQUIRE(fast_polls.size() >= 1u);
  BOOST_TEST(seconds_between(first_slow_page, fast_polls[0].at) < 1.0,
             "the fast feed was polled " << seconds_between(first_slow_page, fast_polls[0].at)
                                         << " s after the slow host's first page was asked");
  // The rows are in the database a moment before the archive thread's answer reaches the
  // loop and the counter: wait for the answer, not only the rows.
  BOOST_TEST(pipeline.run_until([&] { return pipeline.ingest().stats().archived == 7u; }, 5s),
             "archived " << pipeline.ingest().stats().archived);
}

BOOST_AUTO_TEST_CASE(robots_disallowed_pages_are_never_requested) {
  TestServer server;
  Pipeline pipeline;
  Story open = farm::make_story(71), closed_with_text = farm::make_story(72), closed_bare = farm::make_story(73);
  TestResponse robots;
  robots.headers = {{"Content-Type", "text/plain"}};
  robots.body = "User-agent: *\nDisallow: /private/\n";
  server.route("/robots.txt", robots);
  publish(server, "/public/1", open);
  publish(server, "/private/2", closed_with_text);
  publish(server, "/private/3", closed_bare);
  server.route("/feed.xml", farm::plain_feed(farm::rss("Robots", server.url("/"),
                                                       {farm::item_for(open, server.url("/public/1"), false),
                                                        farm::item_for(closed_with_text, server.url("/private/2"), true),
                                                        farm::item_for(closed_bare, server.url("/private/3"), false)})));
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 2; }));
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(2));

  BOOST_TEST(server.hits("/private/2") == 0u);
  BOOST_TEST(server.hits("/private/3") == 0u);
  BOOST_TEST(server.hits("/public/1") == 1u);
  BOOST_TEST(server.hits("/robots.txt") == 1u);
  auto from_page = pipeline.article_at(server.url("/public/1"));
  auto from_feed = pipeline.article_at(server.url("/private/2"));
  BOOST_TEST_REQUIRE(from_page.has_value());
  BOOST_TEST_REQUIRE(from_feed.has_value());
  BOOST_TEST(from_page->source == "page");
  BOOST_TEST(from_feed->source == "feed");
  check_text(*from_feed, closed_with_text);
  BOOST_TEST(!pipeline.article_at(server.url("/private/3")).has_value());
  FeedRow feed = pipeline.only_feed();
  BOOST_TEST(pipeline.entries(feed.id) == 3);
  BOOST_TEST(pipeline.entries_without_article(feed.id) == 1);
  BOOST_TEST(pipeline.ingest().stats().robots_denied >= 2u);
}

BOOST_AUTO_TEST_CASE(unreachable_robots_txt_defers_entries_instead_of_dropping_them) {
  // RFC 9309 2.3.1.4: a robots.txt answering 5xx means "assume complete disallow" for now;
  // the entries wait for a later answer rather than being given up for good.
  TestServer server;
  Pipeline pipeline;
  Story one = farm::make_story(76), two = farm::make_story(77);
  publish(server, "/a/1", one);
  publish(server, "/a/2", two);
  auto robots_down = std::make_shared<std::atomic<bool>>(true);
  server.route("/robots.txt", [robots_down](const TestRequest&) {
    TestResponse r = farm::html_response("", "text/plain");
    r.status = *robots_down ? 503 : 404;
    return r;
  });
  server.route("/feed.xml", farm::conditional_feed(farm::rss("Robots down", server.url("/"),
                                                             {farm::item_for(one, server.url("/a/1"), false),
                                                              farm::item_for(two, server.url("/a/2"), false)}),
                                                   "application/rss+xml", "\"r\""));
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(2));

  BOOST_TEST(server.hits("/a/1") == 0u);
  BOOST_TEST(server.hits("/a/2") == 0u);
  BOOST_TEST(pipeline.article_count() == 0);
  FeedRow feed = pipeline.only_feed();
  BOOST_TEST(pipeline.entries(feed.id) == 0, "entries given up for good while robots.txt was down");
  BOOST_TEST(feed.etag.empty());  // the next poll sees the entries again

  // robots.txt is back (a restart asks again at once; a running daemon after kRobotsRetry).
  *robots_down = false;
  pipeline.restart(test_options());
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 2; }));
  check_text(*pipeline.article_at(server.url("/a/1")), one);
  check_text(*pipeline.article_at(server.url("/a/2")), two);
}

BOOST_AUTO_TEST_CASE(robots_rules_apply_to_their_own_port_only) {
  // RFC 9309 2.3: robots.txt applies to the scheme, host and port it was fetched from.
  TestServer strict, lenient;
  Pipeline pipeline;
  Story mine = farm::make_story(81), theirs = farm::make_story(82);
  TestResponse robots;
  robots.headers = {{"Content-Type", "text/plain"}};
  robots.body = "User-agent: *\nDisallow: /private/\n";
  strict.route("/robots.txt", robots);
  publish(strict, "/private/1", mine);
  publish(lenient, "/private/2", theirs);  // lenient has no robots.txt (404): everything allowed
  strict.route("/feed.xml", farm::plain_feed(farm::rss("Two ports", strict.url("/"),
                                                       {farm::item_for(mine, strict.url("/private/1"), true),
                                                        farm::item_for(theirs, lenient.url("/private/2"), false)})));
  pipeline.subscribe({strict.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(1));

  BOOST_TEST(strict.hits("/private/1") == 0u);
  BOOST_TEST(lenient.hits("/robots.txt") == 1u);
  BOOST_TEST(lenient.hits("/private/2") == 1u);
  auto a = pipeline.article_at(strict.url("/private/1"));
  auto b = pipeline.article_at(lenient.url("/private/2"));
  BOOST_TEST_REQUIRE(a.has_value());
  BOOST_TEST(a->source == "feed");
  BOOST_TEST_REQUIRE(b.has_value(), "a page allowed on its own port was not archived");
  BOOST_TEST(b->source == "page");
}

BOOST_AUTO_TEST_CASE(page_slower_than_the_total_timeout_falls_back_to_feed_content) {
  TestServer server(4);
  IngestOptions options = test_options();
  options.fetch.total_timeout_ms = 800;
  Pipeline pipeline(options);
  Story slow = farm::make_story(91), quick = farm::make_story(92);
  TestResponse late = farm::html_response(farm::page_html(slow));
  late.delay = 5s;
  server.route("/slow", late);
  publish(server, "/quick", quick);
  server.route("/feed.xml", farm::plain_feed(farm::rss("Slow", server.url("/"),
                                                       {farm::item_for(slow, server.url("/slow"), true),
                                                        farm::item_for(quick, server.url("/quick"), false)})));
  const auto start = Clock::now();
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(1));
  const double took = seconds_between(start, Clock::now());

  BOOST_TEST(took < 3.0, "the poll took " << took << " s");
  auto fallback = pipeline.article_at(server.url("/slow"));
  BOOST_TEST_REQUIRE(fallback.has_value());
  BOOST_TEST(fallback->source == "feed");
  check_text(*fallback, slow);
  auto page = pipeline.article_at(server.url("/quick"));
  BOOST_TEST_REQUIRE(page.has_value());
  BOOST_TEST(page->source == "page");
  BOOST_TEST(pipeline.ingest().stats().pages_failed == 1u);
  FeedRow feed = pipeline.only_feed();
  BOOST_TEST(feed.consecutive_failures == 0);
  BOOST_TEST(pipeline.entries_without_article(feed.id) == 0);
}

BOOST_AUTO_TEST_CASE(stalled_reset_truncated_and_undecodable_responses_fail_and_the_poll_moves_on) {
  TestServer server(4);
  IngestOptions options = test_options();
  options.fetch.total_timeout_ms = 800;
  Pipeline pipeline(options);
  Story stalled = farm::make_story(93), reset = farm::make_story(94), fine = farm::make_story(95),
        early = farm::make_story(96);
  TestResponse stall = farm::html_response(farm::page_html(stalled));
  stall.fault = TestResponse::Fault::stall;
  server.route("/stall", stall);
  TestResponse rst = farm::html_response(farm::page_html(reset));
  rst.fault = TestResponse::Fault::reset;
  server.route("/reset", rst);
  TestResponse half = farm::html_response(farm::page_html(early));
  half.fault = TestResponse::Fault::close_early;
  server.route("/half", half);
  // Says gzip, sends plain HTML: the body cannot be decoded.
  Story garbled = farm::make_story(97);
  TestResponse lying = farm::html_response(farm::page_html(garbled));
  lying.headers.push_back({"Content-Encoding", "gzip"});
  server.route("/garbled", lying);
  publish(server, "/fine", fine);
  server.route("/feed.xml", farm::plain_feed(farm::rss("Faults", server.url("/"),
                                                       {farm::item_for(stalled, server.url("/stall"), true),
                                                        farm::item_for(reset, server.url("/reset"), true),
                                                        farm::item_for(early, server.url("/half"), true),
                                                        farm::item_for(garbled, server.url("/garbled"), true),
                                                        farm::item_for(fine, server.url("/fine"), false)})));
  const auto start = Clock::now();
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(1));
  BOOST_TEST(seconds_between(start, Clock::now()) < 3.0);

  for (auto [path, story] : {std::pair{"/stall", &stalled}, std::pair{"/reset", &reset}, std::pair{"/half", &early},
                             std::pair{"/garbled", &garbled}}) {
    auto row = pipeline.article_at(server.url(path));
    BOOST_TEST_REQUIRE(row.has_value(), path);
    BOOST_TEST(row->source == "feed", path);
    check_text(*row, *story);
  }
  auto page = pipeline.article_at(server.url("/fine"));
  BOOST_TEST_REQUIRE(page.has_value());
  BOOST_TEST(page->source == "page");
  BOOST_TEST(pipeline.article_count() == 5);
  BOOST_TEST(pipeline.ingest().stats().pages_failed == 4u);
}

// `from`/1 -> `from`/2 -> ... -> `from`/`hops` -> `to`, each a 302.
void redirect_chain(TestServer& server, const std::string& from, int hops, const std::string& to) {
  for (int n = 1; n <= hops; ++n) {
    TestResponse r;
    r.status = 302;
    r.headers = {{"Location", n == hops ? to : from + "/" + std::to_string(n + 1)}};
    server.route(from + "/" + std::to_string(n), r);
  }
}

BOOST_AUTO_TEST_CASE(redirect_loops_and_chains_over_five_hops_are_refused) {
  TestServer server;
  Pipeline pipeline;
  Story looped = farm::make_story(111), long_chain = farm::make_story(112), five = farm::make_story(113);
  TestResponse to_b, to_a;
  to_b.status = 302;
  to_b.headers = {{"Location", "/loop/b"}};
  to_a.status = 301;
  to_a.headers = {{"Location", server.url("/loop/a")}};
  server.route("/loop/a", to_b);
  server.route("/loop/b", to_a);
  redirect_chain(server, "/six", 6, "/six/end");  // six redirects: one too many
  publish(server, "/six/end", long_chain);
  redirect_chain(server, "/five", 5, "/five/end");  // five: allowed
  publish(server, "/five/end", five);
  server.route("/feed.xml", farm::plain_feed(farm::rss("Redirects", server.url("/"),
                                                       {farm::item_for(looped, server.url("/loop/a"), true),
                                                        farm::item_for(long_chain, server.url("/six/1"), true),
                                                        farm::item_for(five, server.url("/five/1"), false)})));
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(1));

  BOOST_TEST(server.hits("/loop/a") == 1u);
  BOOST_TEST(server.hits("/loop/b") == 1u);
  for (int n = 1; n <= 6; ++n) BOOST_TEST(server.hits("/six/" + std::to_string(n)) == 1u, n);
  BOOST_TEST(server.hits("/six/end") == 0u);
  BOOST_TEST(server.hits("/five/end") == 1u);
  auto loop_row = pipeline.article_at(server.url("/loop/a"));
  auto six_row = pipeline.article_at(server.url("/six/1"));
  auto five_row = pipeline.article_at(server.url("/five/end"));
  BOOST_TEST_REQUIRE(loop_row.has_value());
  BOOST_TEST_REQUIRE(six_row.has_value());
  BOOST_TEST_REQUIRE(five_row.has_value(), "the page five redirects away was not archived at its final URL");
  BOOST_TEST(loop_row->source == "feed");
  BOOST_TEST(six_row->source == "feed");
  BOOST_TEST(five_row->source == "page");
  check_text(*five_row, five);
  BOOST_TEST(pipeline.article_count() == 3);
}

BOOST_AUTO_TEST_CASE(permanently_moved_feed_has_its_stored_url_updated) {
  TestServer server;
  Pipeline pipeline;
  Story moved = farm::make_story(121), visiting = farm::make_story(122);
  publish(server, "/a/moved", moved);
  publish(server, "/a/visiting", visiting);
  TestResponse permanent, temporary;
  permanent.status = 301;
  permanent.headers = {{"Location", server.url("/new.xml")}};
  temporary.status = 302;
  temporary.headers = {{"Location", "/elsewhere.xml"}};
  server.route("/old.xml", permanent);
  server.route("/temp.xml", temporary);
  server.route("/new.xml", farm::conditional_feed(
                               farm::rss("Moved", server.url("/"), {farm::item_for(moved, server.url("/a/moved"), false)}),
                               "application/rss+xml", "\"moved\""));
  server.route("/elsewhere.xml",
               farm::plain_feed(farm::rss("Visiting", server.url("/"),
                                          {farm::item_for(visiting, server.url("/a/visiting"), false)})));
  pipeline.subscribe({server.url("/old.xml"), server.url("/temp.xml")});
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(4, 15s));

  auto feeds = pipeline.feeds();
  BOOST_TEST_REQUIRE(feeds.size() == 2u);
  BOOST_TEST(feeds[0].url == server.url("/new.xml"));
  BOOST_TEST(feeds[1].url == server.url("/temp.xml"));
  BOOST_TEST(server.hits("/old.xml") == 1u);
  BOOST_TEST(server.hits("/new.xml") >= 2u);
  BOOST_TEST(server.hits("/temp.xml") >= 2u);
  auto polls = requests_for(server, "/new.xml");
  BOOST_TEST(polls.back().header("if-none-match") == "\"moved\"");
  BOOST_TEST(pipeline.article_count() == 2);
  BOOST_TEST(server.hits("/a/moved") == 1u);
  BOOST_TEST(server.hits("/a/visiting") == 1u);
}

BOOST_AUTO_TEST_CASE(compressed_feeds_and_pages_are_decoded) {
  TestServer server;
  Pipeline pipeline;
  std::map<std::string, Story> stories;
  int seed = 130;
  for (std::string encoding : {"gzip", "br", "zstd", "deflate", ""}) {
    std::string path = "/page/" + (encoding.empty() ? std::string("plain") : encoding);
    stories[path] = farm::make_story(++seed);
    TestResponse r = farm::html_response(farm::page_html(stories[path]));
    r.encoding = encoding;
    server.route(path, r);
  }
  auto item = [&](const std::string& path) { return farm::item_for(stories[path], server.url(path), false); };
  server.route("/gzip.xml", farm::conditional_feed(farm::rss("Gzip", server.url("/"), {item("/page/gzip"), item("/page/br")}),
                                                   "application/rss+xml", "\"gz\"", "gzip"));
  server.route("/br.xml", farm::conditional_feed(farm::atom("Brotli", server.url("/"), {item("/page/zstd"), item("/page/deflate")}),
                                                 "application/atom+xml", "\"br\"", "br"));
  server.route("/zstd.xml", farm::conditional_feed(farm::rss("Zstd", server.url("/"), {item("/page/plain")}),
                                                   "application/rss+xml", "\"zs\"", "zstd"));
  pipeline.subscribe({server.url("/gzip.xml"), server.url("/br.xml"), server.url("/zstd.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 5; }));
  pipeline.worker().flush();

  for (const auto& [path, story] : stories) {
    auto row = pipeline.article_at(server.url(path), true);
    BOOST_TEST_REQUIRE(row.has_value(), path);
    BOOST_TEST(row->source == "page");
    check_text(*row, story);
    BOOST_TEST(row->raw == farm::page_html(story), path << ": raw page not stored decoded");
  }
  for (const auto& feed : pipeline.feeds()) BOOST_TEST(feed.last_error.empty(), feed.url << ": " << feed.last_error);
  std::vector<std::string> accepted;
  for (auto& r : server.requests()) accepted.push_back(r.header("accept-encoding"));
  for (const auto& a : accepted) BOOST_TEST((contains(a, "gzip") && contains(a, "br") && contains(a, "zstd")), a);
}

BOOST_AUTO_TEST_CASE(oversized_page_and_decompression_bomb_are_refused_and_feed_content_used) {
  TestServer server;
  IngestOptions options = test_options();
  options.fetch.max_body_bytes = 64 << 10;
  Pipeline pipeline(options);
  Story big = farm::make_story(141), streamed = farm::make_story(142), bomb = farm::make_story(143),
        small = farm::make_story(144);
  const std::string padding = "<!-- " + std::string(200 << 10, 'x') + " -->";
  server.route("/big", farm::html_response(farm::page_html(big) + padding));  // Content-Length says 200 KiB
  TestResponse chunked = farm::html_response(farm::page_html(streamed) + padding);
  chunked.headers.push_back({"Transfer-Encoding", "chunked"});  // no length to refuse up front
  server.route("/streamed", chunked);
  // 32 MiB of HTML that gzip packs into about 32 KiB: under the limit on the wire only.
  TestResponse bomb_response;
  bomb_response.headers = {{"Content-Type", "text/html; charset=utf-8"}, {"Content-Encoding", "gzip"}};
  bomb_response.body = TestServer::compress(farm::page_html(bomb) + std::string(32u << 20, ' '), "gzip");
  BOOST_TEST_REQUIRE(bomb_response.body.size() < std::size_t(options.fetch.max_body_bytes));
  server.route("/bomb", bomb_response);
  publish(server, "/small", small);
  server.route("/feed.xml", farm::plain_feed(farm::rss("Large", server.url("/"),
                                                       {farm::item_for(big, server.url("/big"), true),
                                                        farm::item_for(streamed, server.url("/streamed"), true),
                                                        farm::item_for(bomb, server.url("/bomb"), true),
                                                        farm::item_for(small, server.url("/small"), false)})));
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(1));

  for (auto [path, story] : {std::pair{"/big", &big}, std::pair{"/streamed", &streamed}, std::pair{"/bomb", &bomb}}) {
    auto row = pipeline.article_at(server.url(path), true);
    BOOST_TEST_REQUIRE(row.has_value(), path);
    BOOST_TEST(row->source == "feed", path);
    check_text(*row, *story);
    BOOST_TEST(row->raw.size() < std::size_t(options.fetch.max_body_bytes), path);
    BOOST_TEST(server.hits(path) == 1u, path);
  }
  auto page = pipeline.article_at(server.url("/small"));
  BOOST_TEST_REQUIRE(page.has_value());
  BOOST_TEST(page->source == "page");
  BOOST_TEST(pipeline.ingest().stats().pages_failed == 3u);
}

// The few characters these tests use, from UTF-8 to windows-1252.
std::string to_windows_1252(std::string_view utf8) {
  static const std::pair<std::string_view, char> kMap[] = {
      {"é", '\xe9'}, {"è", '\xe8'}, {"û", '\xfb'}, {"“", '\x93'}, {"”", '\x94'}, {"’", '\x92'}, {"—", '\x97'}};
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    bool mapped = false;
    for (auto [from, to] : kMap) {
      if (utf8.substr(i, from.size()) == from) {
        out += to;
        i += from.size();
        mapped = true;
        break;
      }
    }
    if (!mapped) out += utf8[i++];
  }
  return out;
}

BOOST_AUTO_TEST_CASE(pages_with_wrong_or_missing_charsets_are_decoded) {
  TestServer server;
  Pipeline pipeline;
  struct Case {
    std::string path;
    std::string meta;          // <meta charset>, empty: none
    std::string content_type;  // HTTP
    bool windows_1252;         // else UTF-8 bytes
  };
  const std::vector<Case> cases = {
      {"/cp1252-undeclared", "", "text/html", true},
      {"/cp1252-says-utf8", "utf-8", "text/html", true},
      {"/cp1252-http-says-utf8", "", "text/html; charset=utf-8", true},
      {"/utf8-says-latin1", "iso-8859-1", "text/html; charset=iso-8859-1", false},
  };
  std::map<std::string, Story> stories;
  std::vector<Item> items;
  int seed = 150;
  for (const auto& c : cases) {
    Story story = farm::make_story(++seed);
    story.paragraphs[1] = "At the café by the pier, the chairman said: “We’ll rebuild the jetty — no matter what.” "
                          "The crème brûlée stall stayed open. " + story.paragraphs[1];
    std::string html = farm::page_html(story, c.meta);
    server.route(c.path, farm::html_response(c.windows_1252 ? to_windows_1252(html) : html, c.content_type));
    items.push_back(farm::item_for(story, server.url(c.path), false));
    stories[c.path] = story;
  }
  server.route("/feed.xml", farm::plain_feed(farm::rss("Charsets", server.url("/"), items)));
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == std::int64_t(cases.size()); }));

  for (const auto& c : cases) {
    auto row = pipeline.article_at(server.url(c.path));
    BOOST_TEST_REQUIRE(row.has_value(), c.path);
    BOOST_TEST(row->source == "page", c.path);
    BOOST_TEST(contains(row->text, "At the café by the pier"), c.path << ": " << row->text.substr(0, 400));
    BOOST_TEST(contains(row->text, "“We’ll rebuild the jetty"), c.path);
    BOOST_TEST(!contains(row->text, "\xef\xbf\xbd"), c.path << " has U+FFFD");
    BOOST_TEST(row->charset == (c.windows_1252 ? "windows-1252" : "utf-8"), c.path << ": " << row->charset);
    check_text(*row, stories[c.path]);
  }
}

BOOST_AUTO_TEST_CASE(malformed_feed_still_yields_its_entries) {
  TestServer server;
  Pipeline pipeline;
  Story one = farm::make_story(161), two = farm::make_story(162);
  publish(server, "/a/1", one);
  publish(server, "/a/2", two);
  // A bare '&' in a title, an undeclared entity, and the document cut off before its end.
  std::string xml = farm::rss("Fish & Chips Daily", server.url("/"), {farm::item_for(one, server.url("/a/1"), false),
                                                                      farm::item_for(two, server.url("/a/2"), false)});
  xml.replace(xml.find("<title>Fish &amp; Chips Daily</title>"), std::string("<title>Fish &amp; Chips Daily</title>").size(),
              "<title>Fish & Chips &nbsp;Daily</title>");
  xml.resize(xml.find("</channel>"));
  server.route("/feed.xml", farm::plain_feed(xml));
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 2; }));
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(1));

  check_text(*pipeline.article_at(server.url("/a/1")), one);
  check_text(*pipeline.article_at(server.url("/a/2")), two);
  FeedRow feed = pipeline.only_feed();
  BOOST_TEST(feed.consecutive_failures == 0);
  // Not a failure, but what was wrong stays with the feed for `feeds list`.
  BOOST_TEST(feed.last_error.starts_with("broken feed: "), feed.last_error);
  BOOST_TEST(contains(feed.last_error, "Premature end of data"), feed.last_error);
}

BOOST_AUTO_TEST_CASE(page_whose_canonical_url_is_archived_is_not_stored_again) {
  TestServer server;
  Pipeline pipeline;
  Story story = farm::make_story(175);
  // The same story at its own address and as an AMP copy; both name the first as canonical.
  server.route("/story", farm::html_response(farm::page_html(story, "utf-8", server.url("/story"))));
  server.route("/amp/story", farm::html_response(farm::page_html(story, "utf-8", server.url("/story"))));
  Item page = farm::item_for(story, server.url("/story"), false);
  Item amp = farm::item_for(story, server.url("/amp/story"), false);
  server.route("/feed.xml", farm::plain_feed(farm::rss("Canonical", server.url("/"), {page, amp})));
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(2));

  BOOST_TEST(pipeline.article_count() == 1);
  auto rows = pipeline.articles();
  BOOST_TEST_REQUIRE(rows.size() == 1u);
  BOOST_TEST(rows[0].canonical_url == parsers::normalize_url(server.url("/story")));
  BOOST_TEST(pipeline.probe().integer("SELECT count(*) FROM entries WHERE article_id = " + std::to_string(rows[0].id)) == 2);
  BOOST_TEST(pipeline.ingest().stats().url_duplicates == 1u);
  BOOST_TEST(server.hits("/story") == 1u);
  BOOST_TEST(server.hits("/amp/story") == 1u);
}

BOOST_AUTO_TEST_CASE(article_linked_from_two_feeds_is_stored_once) {
  TestServer server;
  Pipeline pipeline;
  Story shared = farm::make_story(171), only_rss = farm::make_story(172), only_atom = farm::make_story(173);
  publish(server, "/a/shared", shared);
  publish(server, "/a/rss", only_rss);
  publish(server, "/a/atom", only_atom);
  Item in_rss = farm::item_for(shared, server.url("/a/shared"), false);
  Item in_atom = farm::item_for(shared, server.url("/a/shared?utm_source=atom"), false);
  in_rss.id = "rss-guid-shared";
  in_atom.id = "tag:atom,2026:shared";
  server.route("/rss.xml", farm::plain_feed(farm::rss("One", server.url("/"),
                                                      {in_rss, farm::item_for(only_rss, server.url("/a/rss"), false)})));
  server.route("/atom.xml",
               farm::plain_feed(farm::atom("Two", server.url("/"), {farm::item_for(only_atom, server.url("/a/atom"), false), in_atom}),
                                "application/atom+xml"));
  pipeline.subscribe({server.url("/rss.xml"), server.url("/atom.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 3; }));
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(4));

  BOOST_TEST(pipeline.article_count() == 3);
  BOOST_TEST(pipeline.probe().integer("SELECT count(*) FROM articles WHERE normalized_url = '" +
                                      parsers::normalize_url(server.url("/a/shared")) + "'") == 1);
  auto id = pipeline.probe().integer("SELECT id FROM articles WHERE normalized_url = '" +
                                     parsers::normalize_url(server.url("/a/shared")) + "'");
  BOOST_TEST(pipeline.probe().integer("SELECT count(*) FROM entries WHERE entry_key = 'rss-guid-shared' AND article_id = " +
                                      std::to_string(id)) == 1);
  BOOST_TEST(pipeline.probe().integer("SELECT count(*) FROM entries WHERE entry_key = 'tag:atom,2026:shared' AND "
                                      "article_id = " + std::to_string(id)) == 1);
  BOOST_TEST(pipeline.probe().integer("SELECT count(DISTINCT feed_id) FROM entries WHERE article_id = " +
                                      std::to_string(id)) == 2);
  BOOST_TEST(pipeline.probe().integer("SELECT count(*) FROM entries WHERE article_id IS NULL") == 0);
  BOOST_TEST(server.hits("/a/shared") <= 2u);
}

BOOST_AUTO_TEST_CASE(syndicated_copy_is_archived_as_duplicate_of_the_first) {
  TestServer server;
  Pipeline pipeline;
  Story original = farm::make_story(181, 7);
  Story copy = original;
  copy.title = "Harbour wall vote: what it means";
  copy.paragraphs[0] = "LONDON (Harbour Wire) — " + copy.paragraphs[0];
  publish(server, "/wire/story", original);
  publish(server, "/partner/copy", copy);
  Item first = farm::item_for(original, server.url("/wire/story"), false);
  Item second = farm::item_for(copy, server.url("/partner/copy"), false);
  server.route("/feed.xml", farm::plain_feed(farm::rss("Wire", server.url("/"), {first})));
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 1; }));
  // The partner's copy shows up in the feed later.
  server.route("/feed.xml", farm::plain_feed(farm::rss("Wire", server.url("/"), {second, first})));
  // The stats are counted on the loop after the commit, which a reader of the archive may
  // see first: wait for both.
  BOOST_TEST_REQUIRE(pipeline.run_until(
      [&] { return pipeline.article_count() == 2 && pipeline.ingest().stats().archived == 2; }));
  pipeline.worker().flush();

  auto a = pipeline.article_at(server.url("/wire/story"));
  auto b = pipeline.article_at(server.url("/partner/copy"));
  BOOST_TEST_REQUIRE(a.has_value());
  BOOST_TEST_REQUIRE(b.has_value());
  BOOST_TEST(!a->duplicate_of.has_value());
  BOOST_TEST(b->duplicate_of == std::optional<std::int64_t>(a->id));
  BOOST_TEST(contains(b->text, "LONDON (Harbour Wire)"));
  BOOST_TEST(pipeline.ingest().stats().near_duplicates == 1u);
  BOOST_TEST(server.hits("/wire/story") == 1u);
}

BOOST_AUTO_TEST_CASE(file_links_in_a_remote_feed_are_never_read) {
  TestServer server;
  Pipeline pipeline;
  TempDir secrets;
  const std::string secret = "The archivist's password is tangerine-walrus-42";
  const std::string secret_path = secrets.file("secret.html");
  std::ofstream(secret_path) << "<html><body><article><p>" << secret << ". " << secret << ".</p><p>" << secret
                             << ".</p></article></body></html>";
  Story decoy = farm::make_story(191), bare = farm::make_story(192), bounced = farm::make_story(193);
  TestResponse to_file;
  to_file.status = 302;
  to_file.headers = {{"Location", "file://" + secret_path}};
  server.route("/to-file", to_file);
  Item with_text = farm::item_for(decoy, "file://" + secret_path, true);
  Item without_text = farm::item_for(bare, "file://" + secret_path + "?again", false);
  Item redirected = farm::item_for(bounced, server.url("/to-file"), true);
  server.route("/feed.xml", farm::plain_feed(farm::rss("Local", server.url("/"), {with_text, without_text, redirected})));
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(1));

  BOOST_TEST(server.hits("/to-file") == 1u);
  auto articles = pipeline.articles(true);
  BOOST_TEST(articles.size() == 2u);
  for (const auto& a : articles) {
    BOOST_TEST(a.source == "feed", a.url);
    BOOST_TEST(!contains(a.text, "tangerine-walrus"), a.url);
    BOOST_TEST(!contains(a.raw, "tangerine-walrus"), a.url);
  }
  BOOST_TEST(pipeline.probe().integer("SELECT count(*) FROM articles WHERE winnow_article_text(body, text) LIKE '%tangerine%' OR "
                                      "markdown LIKE '%tangerine%' OR blocks_json LIKE '%tangerine%'") == 0);
  FeedRow feed = pipeline.only_feed();
  BOOST_TEST(pipeline.entries(feed.id) == 3);
  BOOST_TEST(pipeline.entries_without_article(feed.id) == 1);
}

BOOST_AUTO_TEST_CASE(ingest_destroyed_with_archive_work_queued_leaves_loop_and_archive_usable) {
  TestServer server;
  Story story = farm::make_story(221);
  publish(server, "/a/1", story);
  server.route("/feed.xml", farm::plain_feed(farm::rss("Later", server.url("/"),
                                                       {farm::item_for(story, server.url("/a/1"), false)})));
  Pipeline pipeline;
  // Hold the archive thread so that the Ingest's jobs are still queued when it goes.
  std::promise<void> release;
  pipeline.worker().post([gate = release.get_future().share()](Archive&) { gate.wait_for(10s); });
  pipeline.subscribe({server.url("/feed.xml")});
  pipeline.ingest().start();
  pipeline.drop_ingest();
  release.set_value();
  pipeline.worker().flush();  // the queued jobs run and post their answers to the loop...
  pipeline.run_for(100ms);    // ...where they find no Ingest and do nothing
  BOOST_TEST(pipeline.feeds().size() == 1u);
  BOOST_TEST(server.hits("/feed.xml") == 0u);

  // A new Ingest on the same loop and archive takes over.
  pipeline.restart(test_options());
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 1; }));
  check_text(*pipeline.article_at(server.url("/a/1")), story);
}

// Each article has its entry and its raw page, and its text is whole.
void check_complete(Pipeline& pipeline, const std::map<std::string, Story>& stories, const TestServer& server) {
  for (const auto& a : pipeline.articles(true)) {
    BOOST_TEST(!a.raw.empty(), a.url);
    BOOST_TEST(a.feed_id.has_value(), a.url);
    BOOST_TEST(pipeline.probe().integer("SELECT count(*) FROM entries WHERE article_id = " + std::to_string(a.id)) == 1);
    for (const auto& [path, story] : stories)
      if (a.url == server.url(path)) check_text(a, story);
  }
  BOOST_TEST(pipeline.probe().text("PRAGMA integrity_check") == "ok");
}

BOOST_AUTO_TEST_CASE(drain_finishes_work_in_flight_within_the_grace_period) {
  TestServer server(4);
  Pipeline pipeline;  // concurrency 2
  std::map<std::string, Story> stories;
  std::vector<Item> items;
  for (int n = 1; n <= 6; ++n) {
    std::string path = "/d/" + std::to_string(n);
    stories[path] = farm::make_story(200 + n);
    TestResponse r = farm::html_response(farm::page_html(stories[path]));
    r.delay = 250ms;
    server.route(path, r);
    items.push_back(farm::item_for(stories[path], server.url(path), true));
  }
  server.route("/feed.xml", farm::conditional_feed(farm::rss("Drain", server.url("/"), items), "application/rss+xml", "\"d\""));
  pipeline.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return server.hits("/d/1") > 0; }));

  bool drained = false;
  const auto start = Clock::now();
  pipeline.ingest().drain(5s, [&] { drained = true; });
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return drained; }, 8s));
  const double took = seconds_between(start, Clock::now());
  pipeline.worker().flush();
  const auto requests_at_drain = server.requests().size();
  pipeline.run_for(1500ms);  // no poll may start after drain()

  BOOST_TEST(took < 5.0, "drain took " << took << " s");
  BOOST_TEST(pipeline.ingest().in_flight() == 0u);
  BOOST_TEST(server.requests().size() == requests_at_drain);
  BOOST_TEST(pipeline.article_count() == 6);
  for (const auto& a : pipeline.articles()) BOOST_TEST(a.source == "page", a.url);
  check_complete(pipeline, stories, server);
  FeedRow feed = pipeline.only_feed();
  BOOST_TEST(feed.etag == "\"d\"");  // the poll finished: its validators were saved
  BOOST_TEST(pipeline.entries_without_article(feed.id) == 0);
}

BOOST_AUTO_TEST_CASE(drain_past_the_grace_cancels_and_a_restart_archives_the_rest) {
  TestServer server(4);
  Pipeline pipeline;  // concurrency 2
  std::map<std::string, Story> stories;
  std::vector<Item> items;
  auto slow = std::make_shared<std::atomic<bool>>(true);
  for (int n = 1; n <= 5; ++n) {
    std::string path = "/d/" + std::to_string(n);
    stories[path] = farm::make_story(210 + n);
    std::string page = farm::page_html(stories[path]);
    server.route(path, [slow, page](const TestRequest&) {
      TestResponse r = farm::html_response(page);
      if (*slow) r.delay = 3s;
      return r;
    });
    items.push_back(farm::item_for(stories[path], server.url(path), n % 2 == 1));
  }
  server.route("/feed.xml", farm::conditional_feed(farm::rss("Drain", server.url("/"), items), "application/rss+xml", "\"d\""));
  // A second feed whose answer is still on its way when the grace ends.
  stories["/d/6"] = farm::make_story(216);
  publish(server, "/d/6", stories["/d/6"]);
  std::string late_feed = farm::rss("Late", server.url("/"), {farm::item_for(stories["/d/6"], server.url("/d/6"), false)});
  server.route("/late.xml", [slow, late_feed](const TestRequest&) {
    TestResponse r = farm::plain_feed(late_feed);
    if (*slow) r.delay = 3s;
    return r;
  });
  pipeline.subscribe({server.url("/feed.xml"), server.url("/late.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return server.hits("/d/1") > 0 && server.hits("/late.xml") > 0; }));

  bool drained = false;
  const auto start = Clock::now();
  pipeline.ingest().drain(500ms, [&] { drained = true; });
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return drained; }, 3s));
  BOOST_TEST(seconds_between(start, Clock::now()) < 1.5);
  pipeline.run_for(300ms);  // whatever the cancellation set off runs now
  pipeline.worker().flush();
  BOOST_TEST(pipeline.article_count() == 0, "archived while shutting down: " << pipeline.article_count());
  BOOST_TEST(pipeline.probe().integer("SELECT count(*) FROM entries") == 0);
  for (const auto& feed : pipeline.feeds()) {
    // Neither poll finished: nothing of them is saved, and a cancelled poll is no failure.
    BOOST_TEST(feed.etag.empty(), feed.url);
    BOOST_TEST(feed.last_polled == 0, feed.url);
    BOOST_TEST(feed.consecutive_failures == 0, feed.url);
    BOOST_TEST(feed.last_error.empty(), feed.url << ": " << feed.last_error);
  }

  *slow = false;
  pipeline.restart(test_options());
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 6; }));
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(2));
  for (const auto& a : pipeline.articles()) BOOST_TEST(a.source == "page", a.url);
  check_complete(pipeline, stories, server);
  BOOST_TEST(pipeline.probe().integer("SELECT count(DISTINCT normalized_url) FROM articles") == 6);
  BOOST_TEST(pipeline.feeds()[0].etag == "\"d\"");
  for (const auto& feed : pipeline.feeds()) BOOST_TEST(feed.consecutive_failures == 0, feed.url);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::ingest
