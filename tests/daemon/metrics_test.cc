// The metrics registry (daemon/metrics/registry.h): the text exposition format to the byte,
// handles updated from several threads at once, callbacks; and the ingest pipeline's metrics
// after a real poll of a feed on 127.0.0.1 (pipeline.h).
#include "daemon/metrics/registry.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "daemon/ingest/ingest.h"
#include "daemon/metrics/process.h"
#include "tests/daemon/farm.h"
#include "tests/daemon/pipeline.h"
#include "tests/daemon/test_server.h"

namespace winnow::metrics {
namespace {

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(a_small_registry_renders_exactly_the_text_format) {
  Registry r;
  auto& fetches = r.counter("winnow_fetches_total", "Fetches by outcome.\nSecond \\ line.", {"outcome", "status_class"});
  fetches.with({"ok", "2xx"}).inc(3);
  fetches.with({"http_error", "4xx"}).inc();
  fetches.with({"weird \"quoted\"\nback\\slash", "none"}).inc(0);
  r.gauge("winnow_pages_in_memory", "Pages held.").with().set(7);
  auto& latency = r.histogram("winnow_extraction_duration_seconds", "Extraction time.", {0.001, 0.01, 0.1}, {"source"});
  auto page = latency.with({"page"});
  page.observe(0.0005);  // first bucket
  page.observe(0.001);   // on a bound: that bucket ("le")
  page.observe(0.05);
  page.observe(3);       // +Inf only
  r.counter("winnow_unused_total", "Never incremented, no series: left out.", {"kind"});

  const std::string expected =
      "# HELP winnow_fetches_total Fetches by outcome.\\nSecond \\\\ line.\n"
      "# TYPE winnow_fetches_total counter\n"
      "winnow_fetches_total{outcome=\"http_error\",status_class=\"4xx\"} 1\n"
      "winnow_fetches_total{outcome=\"ok\",status_class=\"2xx\"} 3\n"
      "winnow_fetches_total{outcome=\"weird \\\"quoted\\\"\\nback\\\\slash\",status_class=\"none\"} 0\n"
      "# HELP winnow_pages_in_memory Pages held.\n"
      "# TYPE winnow_pages_in_memory gauge\n"
      "winnow_pages_in_memory 7\n"
      "# HELP winnow_extraction_duration_seconds Extraction time.\n"
      "# TYPE winnow_extraction_duration_seconds histogram\n"
      "winnow_extraction_duration_seconds_bucket{source=\"page\",le=\"0.001\"} 2\n"
      "winnow_extraction_duration_seconds_bucket{source=\"page\",le=\"0.01\"} 2\n"
      "winnow_extraction_duration_seconds_bucket{source=\"page\",le=\"0.1\"} 3\n"
      "winnow_extraction_duration_seconds_bucket{source=\"page\",le=\"+Inf\"} 4\n"
      "winnow_extraction_duration_seconds_sum{source=\"page\"} 3.0515\n"
      "winnow_extraction_duration_seconds_count{source=\"page\"} 4\n";
  BOOST_TEST(r.render() == expected);
  BOOST_TEST(std::string(kContentType) == "text/plain; version=0.0.4; charset=utf-8");
}

BOOST_AUTO_TEST_CASE(an_unlabelled_histogram_has_only_le_and_an_empty_registry_renders_nothing) {
  Registry r;
  BOOST_TEST(r.render() == "");
  r.histogram("h_seconds", "H.", {1, 2.5, std::numeric_limits<double>::infinity()}).with().observe(2);
  BOOST_TEST(r.render() ==
             "# HELP h_seconds H.\n# TYPE h_seconds histogram\n"
             "h_seconds_bucket{le=\"1\"} 0\nh_seconds_bucket{le=\"2.5\"} 1\nh_seconds_bucket{le=\"+Inf\"} 1\n"
             "h_seconds_sum 2\nh_seconds_count 1\n");
}

BOOST_AUTO_TEST_CASE(values_are_formatted_as_prometheus_reads_them) {
  BOOST_TEST(format_value(0) == "0");
  BOOST_TEST(format_value(1048576) == "1048576");
  BOOST_TEST(format_value(-3) == "-3");
  BOOST_TEST(format_value(0.0025) == "0.0025");
  BOOST_TEST(format_value(1.5e-7) == "1.5e-07");
  BOOST_TEST(format_value(1764719123.25) == "1764719123.25");
  BOOST_TEST(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
  BOOST_TEST(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  BOOST_TEST(format_value(std::nan("")) == "NaN");
  BOOST_TEST(escape_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
}

BOOST_AUTO_TEST_CASE(bad_names_and_conflicting_registrations_throw) {
  Registry r;
  BOOST_CHECK_THROW(r.counter("1starts_with_digit", "x"), std::invalid_argument);
  BOOST_CHECK_THROW(r.counter("has-dash", "x"), std::invalid_argument);
  BOOST_CHECK_THROW(r.counter("ok_total", "x", {"__reserved"}), std::invalid_argument);
  BOOST_CHECK_THROW(r.counter("ok_total", "x", {"with:colon"}), std::invalid_argument);
  BOOST_CHECK_THROW(r.counter("ok_total", "x", {"a", "a"}), std::invalid_argument);
  BOOST_CHECK_THROW(r.histogram("h", "x", {1}, {"le"}), std::invalid_argument);
  BOOST_CHECK_THROW(r.histogram("h", "x", {2, 1}), std::invalid_argument);
  BOOST_TEST(is_metric_name("ns:sub_metric_total"));

  auto& c = r.counter("c_total", "C.", {"kind"});
  BOOST_TEST(&r.counter("c_total", "C.", {"kind"}) == &c);  // the same family again
  BOOST_CHECK_THROW(r.counter("c_total", "C.", {"other"}), std::invalid_argument);
  BOOST_CHECK_THROW(r.gauge("c_total", "C.", {"kind"}), std::invalid_argument);
  BOOST_CHECK_THROW(c.with({"a", "b"}), std::invalid_argument);
  auto& h = r.histogram("h2", "H.", {1, 2});
  BOOST_TEST(&r.histogram("h2", "H.", {1, 2}) == &h);
  BOOST_CHECK_THROW(r.histogram("h2", "H.", {1, 3}), std::invalid_argument);

  // Default handles do nothing: what code with metrics off holds.
  Counter off;
  off.inc();
  Histogram none;
  none.observe(1);
  BOOST_TEST(off.value() == 0u);
}

BOOST_AUTO_TEST_CASE(increments_from_several_threads_all_count) {
  Registry r;
  auto& family = r.counter("hits_total", "Hits.", {"worker"});
  auto& latency = r.histogram("lat_seconds", "L.", {0.5});
  constexpr int kThreads = 4, kEach = 100'000;
  family.with({"all"});  // so that the renders below have a series from the start
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Looked up once, then only the handle: the hot path.
      Counter mine = family.with({t % 2 ? "odd" : "even"});
      Counter shared = family.with({"all"});
      Histogram h = latency.with();
      while (!go) std::this_thread::yield();
      for (int i = 0; i < kEach; ++i) {
        mine.inc();
        shared.inc();
        h.observe(i % 2 ? 1.0 : 0.25);
      }
    });
  }
  // A render while they run must not tear or crash.
  go = true;
  for (int i = 0; i < 20; ++i) BOOST_TEST(!r.render().empty());
  for (auto& th : threads) th.join();
  BOOST_TEST(family.with({"all"}).value() == std::uint64_t(kThreads) * kEach);
  BOOST_TEST(family.with({"odd"}).value() == std::uint64_t(kThreads / 2) * kEach);
  const std::string text = r.render();
  BOOST_TEST(text.find("hits_total{worker=\"all\"} 400000\n") != std::string::npos, text);
  BOOST_TEST(text.find("lat_seconds_bucket{le=\"0.5\"} 200000\n") != std::string::npos, text);
  BOOST_TEST(text.find("lat_seconds_count 400000\n") != std::string::npos, text);
  BOOST_TEST(text.find("lat_seconds_sum 250000\n") != std::string::npos, text);  // 200000 * (0.25 + 1)
}

BOOST_AUTO_TEST_CASE(callbacks_run_at_render_until_their_registration_goes) {
  Registry r;
  double backlog = 3;
  auto reg = r.gauge_callback("winnow_webhook_backlog", "Deliveries waiting.", [&] { return backlog; });
  BOOST_TEST(r.render() ==
             "# HELP winnow_webhook_backlog Deliveries waiting.\n# TYPE winnow_webhook_backlog gauge\n"
             "winnow_webhook_backlog 3\n");
  backlog = 0.5;
  BOOST_TEST(r.render().find("winnow_webhook_backlog 0.5\n") != std::string::npos);
  BOOST_CHECK_THROW((void)r.gauge_callback("winnow_webhook_backlog", "Again.", [] { return 1.0; }), std::invalid_argument);

  auto labelled = r.gauge_callback("winnow_feeds", "Feeds.", {"health"}, [] {
    return std::vector<Sample>{{{"ok"}, 2}, {{"failing"}, 1}};
  });
  BOOST_TEST(r.render().find("winnow_feeds{health=\"ok\"} 2\nwinnow_feeds{health=\"failing\"} 1\n") != std::string::npos);

  reg.reset();
  BOOST_TEST(r.render().find("webhook") == std::string::npos);
  // Once unregistered, the name takes a new callback.
  auto again = r.gauge_callback("winnow_webhook_backlog", "Deliveries waiting.", [] { return 9.0; });
  BOOST_TEST(r.render().find("winnow_webhook_backlog 9\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(process_metrics_read_proc_self) {
  Registry r;
  register_process_metrics(r);
  const std::string text = r.render();
  BOOST_TEST(text.find("# TYPE process_start_time_seconds gauge\n") != std::string::npos, text);
  BOOST_TEST(text.find("# TYPE process_cpu_seconds_total counter\n") != std::string::npos, text);
  BOOST_TEST(resident_memory_bytes() > 1e6);  // a test binary holds more than a megabyte
  BOOST_TEST(text.find("process_resident_memory_bytes ") != std::string::npos, text);
  BOOST_TEST(text.find("process_open_fds ") != std::string::npos, text);
}

// The value of the sample `series` (name and labels, as rendered) in `text`, if there.
std::optional<double> sample(const std::string& text, const std::string& series) {
  const std::string head = series + " ";
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = text.find('\n', at);
    if (text.compare(at, head.size(), head) == 0)
      return std::strtod(text.substr(at + head.size(), end - at - head.size()).c_str(), nullptr);
    at = end == std::string::npos ? text.size() : end + 1;
  }
  return std::nullopt;
}

double value(const std::string& text, const std::string& series) {
  auto v = sample(text, series);
  BOOST_TEST(v.has_value(), series << " missing in:\n" << text);
  return v.value_or(-1);
}

BOOST_AUTO_TEST_CASE(ingest_counts_fetches_verdicts_extractions_and_feed_health) {
  using namespace ::winnow::ingest::testing;
  using winnow::testing::TestResponse;
  Registry registry;  // outlives the pipeline's Ingest
  TestServer server(4);
  ingest::IngestOptions options = test_options();
  options.metrics = &registry;
  Pipeline pipeline(options);

  std::size_t page_bytes = 0;
  auto serve = [&](const std::string& path, TestResponse response) {
    page_bytes += response.body.size();
    server.route(path, std::move(response));
  };
  std::vector<farm::Item> items;
  for (int n = 1; n <= 3; ++n) {  // articles, no feed content
    const std::string path = "/a/" + std::to_string(n);
    Story story = farm::make_story(300 + n);
    serve(path, farm::html_response(farm::page_html(story)));
    items.push_back(farm::item_for(story, server.url(path), false));
  }
  TestResponse missing = farm::html_response("<html><body><h1>Page not found</h1></body></html>");
  missing.status = 404;
  serve("/a/missing", missing);
  items.push_back(farm::item_for(farm::make_story(310), server.url("/a/missing"), true));
  serve("/a/challenge", farm::html_response(farm::verdict_page("challenge-just-a-moment.html")));
  items.push_back(farm::item_for(farm::make_story(311), server.url("/a/challenge"), true));
  server.route("/feed.xml", farm::conditional_feed(farm::rss("Metrics", server.url("/"), items),
                                                   "application/rss+xml", "\"m-1\""));
  // A broken but usable feed (cut off before its end) with one article of its own, and a
  // feed whose server fails.
  Story own = farm::make_story(320);
  serve("/b/1", farm::html_response(farm::page_html(own)));
  std::string truncated = farm::rss("Cut", server.url("/"), {farm::item_for(own, server.url("/b/1"), false)});
  truncated.resize(truncated.find("</channel>"));
  server.route("/broken.xml", farm::plain_feed(truncated));
  TestResponse failing = farm::html_response("down");
  failing.status = 500;
  server.route("/failing.xml", failing);
  pipeline.subscribe({server.url("/feed.xml"), server.url("/broken.xml"), server.url("/failing.xml")});

  BOOST_TEST_REQUIRE(pipeline.run_until([&] {
    return pipeline.article_count() == 6 && pipeline.ingest().stats().polls_failed >= 1 &&
           pipeline.ingest().stats().archived == 6;
  }));
  // Stop polling and let what is in flight finish: from then on the server's hits are final.
  bool drained = false;
  pipeline.ingest().drain(std::chrono::seconds(5), [&] { drained = true; });
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return drained; }));
  pipeline.worker().flush();

  const std::string text = registry.render();
  const auto& stats = pipeline.ingest().stats();
  // Pages: five answered 200 (four articles and the challenge), one 404; robots.txt is the
  // server's 404, which allows everything.
  BOOST_TEST(value(text, R"(winnow_fetches_total{kind="page",outcome="ok",status_class="2xx"})") == 5);
  BOOST_TEST(value(text, R"(winnow_fetches_total{kind="page",outcome="http_error",status_class="4xx"})") == 1);
  BOOST_TEST(value(text, R"(winnow_fetches_total{kind="robots",outcome="http_error",status_class="4xx"})") == 1);
  BOOST_TEST(server.hits("/robots.txt") == 1u);
  BOOST_TEST(value(text, R"(winnow_fetch_body_bytes_total{kind="page"})") == double(page_bytes));
  // Feeds: the first poll of /feed.xml in full, then 304s; /broken.xml always in full; every
  // poll of /failing.xml a 500.
  const double feed_hits = double(server.hits("/feed.xml")), broken_hits = double(server.hits("/broken.xml"));
  BOOST_TEST(value(text, R"(winnow_fetches_total{kind="feed",outcome="ok",status_class="2xx"})") == 1 + broken_hits);
  BOOST_TEST(sample(text, R"(winnow_fetches_total{kind="feed",outcome="not_modified",status_class="3xx"})").value_or(0) ==
             feed_hits - 1);
  BOOST_TEST(value(text, R"(winnow_fetches_total{kind="feed",outcome="http_error",status_class="5xx"})") ==
             double(server.hits("/failing.xml")));
  BOOST_TEST(double(stats.polls_failed) == double(server.hits("/failing.xml")));

  // Archived: four pages' articles; the 404's entry and the challenge's from the feed's
  // content, the challenge's marked with its verdict.
  BOOST_TEST(value(text, R"(winnow_articles_archived_total{verdict="article",source="page"})") == 4);
  BOOST_TEST(value(text, R"(winnow_articles_archived_total{verdict="article",source="feed"})") == 1);
  BOOST_TEST(value(text, R"(winnow_articles_archived_total{verdict="challenge",source="feed"})") == 1);
  BOOST_TEST(value(text, R"(winnow_articles_archived_total{verdict="paywall_teaser",source="page"})") == 0);
  BOOST_TEST(value(text, R"(winnow_duplicates_total{kind="url"})") == 0);

  // One latency sample per extraction: each page answered 200, and each feed content used.
  std::uint64_t page_extractions = 0;
  for (const auto& [verdict, n] : stats.verdicts) page_extractions += n;
  BOOST_TEST(page_extractions == 5u);
  BOOST_TEST(value(text, R"(winnow_extraction_duration_seconds_count{source="page"})") == 5);
  BOOST_TEST(value(text, R"(winnow_extraction_duration_seconds_bucket{source="page",le="+Inf"})") == 5);
  BOOST_TEST(value(text, R"(winnow_extraction_duration_seconds_count{source="feed"})") == double(stats.feed_fallbacks));
  BOOST_TEST(stats.feed_fallbacks == 2u);
  BOOST_TEST(value(text, R"(winnow_extraction_duration_seconds_sum{source="page"})") > 0);
  BOOST_TEST(value(text, "winnow_extraction_failures_total") == 0);
  BOOST_TEST(value(text, "winnow_archive_conflicts_retried_total") == 0);  // SQLite: never

  BOOST_TEST(value(text, R"(winnow_feeds{health="ok"})") == 1);
  BOOST_TEST(value(text, R"(winnow_feeds{health="broken"})") == 1);
  BOOST_TEST(value(text, R"(winnow_feeds{health="failing"})") == 1);
  BOOST_TEST(value(text, R"(winnow_feeds{health="disabled"})") == 0);
  // Drained: every queue is empty, as the last event left it.
  for (const char* gauge : {"winnow_pages_in_memory", "winnow_page_fetches_waiting", "winnow_entries_in_flight",
                            "winnow_polls_in_flight", "winnow_page_retries_in_flight", "winnow_archive_pending_jobs"})
    BOOST_TEST(value(text, gauge) == 0, gauge);
}

BOOST_AUTO_TEST_CASE(ingest_without_a_registry_measures_nothing_and_with_one_shows_queues_while_busy) {
  using namespace ::winnow::ingest::testing;
  Registry registry;
  TestServer server(4);
  ingest::IngestOptions options = test_options();
  options.metrics = &registry;
  options.max_pages_in_memory = 1;  // the second page waits for the first's slot
  Pipeline pipeline(options);
  std::vector<farm::Item> items;
  for (int n = 1; n <= 2; ++n) {
    const std::string path = "/slow/" + std::to_string(n);
    auto response = farm::html_response(farm::page_html(farm::make_story(330 + n)));
    response.delay = std::chrono::milliseconds(300);
    server.route(path, response);
    items.push_back(farm::item_for(farm::make_story(330 + n), server.url(path), false));
  }
  server.route("/feed.xml", farm::plain_feed(farm::rss("Slow", server.url("/"), items)));
  pipeline.subscribe({server.url("/feed.xml")});
  // While the first page is fetched: one page in memory, the other waiting for its slot.
  std::string busy;
  BOOST_TEST_REQUIRE(pipeline.run_until([&] {
    busy = registry.render();
    return sample(busy, "winnow_page_fetches_waiting").value_or(0) == 1;
  }));
  BOOST_TEST(value(busy, "winnow_pages_in_memory") == 1);
  BOOST_TEST(value(busy, "winnow_entries_in_flight") == 2);
  BOOST_TEST(value(busy, "winnow_polls_in_flight") == 1);
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.ingest().stats().archived == 2; }));

  // The same pipeline without a registry: nothing registers, nothing breaks.
  Registry unused;
  Pipeline plain;
  plain.subscribe({server.url("/feed.xml")});
  BOOST_TEST_REQUIRE(plain.run_until([&] { return plain.ingest().stats().archived == 2; }));
  BOOST_TEST(unused.render() == "");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::metrics
