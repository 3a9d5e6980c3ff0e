// The metrics registry (daemon/metrics/registry.h): the text exposition format to the byte,
// handles updated from several threads at once, callbacks; and the ingest pipeline's metrics
// after a real poll of a feed on 127.0.0.1 (pipeline.h).
#include "daemon/metrics/registry.h"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "daemon/metrics/process.h"

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

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::metrics
