// Webhooks: the signed request of a delivery (webhooks/delivery.h), the dispatcher against a
// loopback receiver on a real archive file (webhooks/dispatcher.h), and the real winnowd
// delivering what it archives across a restart.
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "daemon/archive/archive.h"
#include "daemon/archive/archive_worker.h"
#include "daemon/webhooks/delivery.h"
#include "daemon/webhooks/dispatcher.h"
#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/feed_farm.h"
#include "tests/daemon/test_server.h"
#include "tests/daemon/winnowd_config.h"

namespace winnow::webhooks {
namespace {

namespace farm = winnow::testing::farm;
namespace json = boost::json;
using namespace std::chrono_literals;
using archive::Archive;
using archive::testing::Probe;
using archive::testing::sample_article;
using archive::testing::TempDir;
using winnow::testing::Daemon;
using winnow::testing::TestRequest;
using winnow::testing::TestResponse;
using winnow::testing::TestServer;
using winnow::testing::wait_for;

constexpr const char* kSecret = "s3cret";

// A webhook receiver on 127.0.0.1: POST /hook answered with `status`, every request kept.
// It can be taken down (nothing listens: connections are refused) and brought back on the
// same port.
class Receiver {
 public:
  Receiver() { up(); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  void set_status(int status) {
    std::lock_guard lock(mutex_);
    status_ = status;
  }
  // Each answer waits this long first.
  void set_delay(std::chrono::milliseconds delay) {
    std::lock_guard lock(mutex_);
    delay_ = delay;
  }
  void down() { server_.reset(); }
  void up() {
    server_ = std::make_unique<TestServer>(2, port_);
    port_ = server_->port();
    server_->route("/hook", [this](const TestRequest& request) {
      std::lock_guard lock(mutex_);
      TestResponse response;
      response.status = status_;
      response.delay = delay_;
      ++attempts_;
      if (status_ / 100 == 2) delivered_.push_back(request);
      return response;
    });
  }
  // The requests answered 2xx, in order of arrival.
  std::vector<TestRequest> delivered() const {
    std::lock_guard lock(mutex_);
    return delivered_;
  }
  std::size_t attempts() const {
    std::lock_guard lock(mutex_);
    return attempts_;
  }

 private:
  mutable std::mutex mutex_;
  int status_ = 200;
  std::chrono::milliseconds delay_{0};
  std::vector<TestRequest> delivered_;
  std::size_t attempts_ = 0;
  std::uint16_t port_ = 0;
  std::unique_ptr<TestServer> server_;  // last: its threads stop before the members above go
};

// The X-Winnow-Delivery ids of `requests`, in order.
std::vector<std::int64_t> ids(const std::vector<TestRequest>& requests) {
  std::vector<std::int64_t> out;
  for (const auto& r : requests) out.push_back(std::stoll(r.header("x-winnow-delivery")));
  return out;
}

bool strictly_increasing(const std::vector<std::int64_t>& v) {
  return std::adjacent_find(v.begin(), v.end(), [](auto a, auto b) { return a >= b; }) == v.end();
}

WebhookConfig hook(const std::string& url, std::vector<std::string> events = {}) {
  WebhookConfig config;
  config.url = url;
  config.secret = kSecret;
  config.events = events.empty() ? std::vector<std::string>{"article.archived", "article.updated", "feed.failing"}
                                 : std::move(events);
  config.timeout_s = 2;
  config.retry_min_s = 0.05;
  config.retry_max_s = 0.2;
  return config;
}

DispatcherOptions quick(const std::string& path, std::vector<WebhookConfig> endpoints) {
  DispatcherOptions options;
  options.archive_path = path;
  options.endpoints = std::move(endpoints);
  options.poll_interval = 50ms;
  return options;
}

BOOST_AUTO_TEST_SUITE(webhooks)

BOOST_AUTO_TEST_CASE(the_signature_is_hmac_sha256_of_timestamp_dot_body) {
  // From `printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac s3cret`.
  BOOST_TEST(signature(kSecret, "1700000000", R"({"a":1})") ==
             "sha256=1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940");
  archive::OutboxEvent event{7, archive::EventType::feed_failing, std::nullopt, 3, 1'700'000'000};
  archive::FeedRow feed;
  feed.id = 3;
  feed.url = "https://a.example/feed";
  feed.title = "A";
  feed.consecutive_failures = 3;
  feed.last_error = "HTTP 503";
  const std::string body = event_body(event, std::nullopt, feed);
  const json::value parsed = json::parse(body);
  BOOST_TEST(parsed.at("event").as_string() == "feed.failing");
  BOOST_TEST(parsed.at("id").as_int64() == 7);
  BOOST_TEST(parsed.at("at").as_string() == "2023-11-14T22:13:20Z");
  BOOST_TEST(parsed.at("feed").at("consecutive_failures").as_int64() == 3);
  BOOST_TEST(parsed.at("feed").at("last_error").as_string() == "HTTP 503");
  const auto headers = delivery_headers(event, body, kSecret, 1'700'000'001);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"Content-Type", "application/json"},
      {"X-Winnow-Event", "feed.failing"},
      {"X-Winnow-Delivery", "7"},
      {"X-Winnow-Timestamp", "1700000001"},
      {"X-Winnow-Signature", signature(kSecret, "1700000001", body)}};
  BOOST_TEST((headers == expected));
}

BOOST_AUTO_TEST_CASE(each_event_arrives_once_signed_with_its_body) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  auto archive = Archive::open_sqlite(path);
  Receiver receiver;
  archive::ArchiveWorker writer(path);
  Dispatcher dispatcher(writer, quick(path, {hook(receiver.url())}));
  const auto feed = archive->add_feed("https://a.example/feed", "A", "");
  std::vector<std::int64_t> articles;
  for (int n = 1; n <= 3; ++n) articles.push_back(archive->store_article(sample_article(n, feed)));
  archive::ArticleRow better = *archive->article(articles[1]);
  better.text = "The whole story, fetched again.";
  archive->replace_article(better);
  archive::FeedRow row = *archive->feed(feed);
  row.consecutive_failures = 3;
  row.last_error = "HTTP 503";
  archive->update_feed(row);
  dispatcher.nudge();

  BOOST_TEST_REQUIRE(wait_for([&] { return receiver.delivered().size() >= 5; }, 5s));
  std::this_thread::sleep_for(300ms);  // nothing more comes
  const auto requests = receiver.delivered();
  BOOST_TEST_REQUIRE(requests.size() == 5u);
  BOOST_TEST(receiver.attempts() == 5u);
  BOOST_TEST(strictly_increasing(ids(requests)));
  std::vector<std::string> events;
  for (const auto& r : requests) {
    BOOST_TEST(r.method == "POST");
    BOOST_TEST(r.header("content-type") == "application/json");
    BOOST_TEST(r.header("x-winnow-signature") == signature(kSecret, r.header("x-winnow-timestamp"), r.body));
    const json::value body = json::parse(r.body);
    BOOST_TEST(body.at("event").as_string() == r.header("x-winnow-event"));
    BOOST_TEST(std::to_string(body.at("id").as_int64()) == r.header("x-winnow-delivery"));
    events.push_back(r.header("x-winnow-event"));
  }
  BOOST_TEST(events == (std::vector<std::string>{"article.archived", "article.archived", "article.archived",
                                                 "article.updated", "feed.failing"}),
             boost::test_tools::per_element());
  const json::value first = json::parse(requests[0].body);
  BOOST_TEST(first.at("article").at("id").as_int64() == articles[0]);
  BOOST_TEST(first.at("article").at("title").as_string() == "Story number 1");
  BOOST_TEST(first.at("article").at("feed_id").as_int64() == feed);
  const json::value updated = json::parse(requests[3].body);
  BOOST_TEST(updated.at("article").at("id").as_int64() == articles[1]);
  BOOST_TEST(updated.at("article").at("text").as_string() == "The whole story, fetched again.");
  const json::value failing = json::parse(requests[4].body);
  BOOST_TEST(failing.at("feed").at("id").as_int64() == feed);
  BOOST_TEST(failing.at("feed").at("url").as_string() == "https://a.example/feed");
  BOOST_TEST(dispatcher.backlog() == 0);
  BOOST_TEST(dispatcher.delivered() == 5u);
  // Delivered events are pruned.
  BOOST_TEST(wait_for([&] { return Probe(path).integer("SELECT count(*) FROM events") == 0; }, 2s));
}

BOOST_AUTO_TEST_CASE(a_receiver_failing_then_down_for_a_while_gets_every_event_once_in_order) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  auto archive = Archive::open_sqlite(path);
  Receiver receiver;
  receiver.set_status(503);
  archive::ArchiveWorker writer(path);
  Dispatcher dispatcher(writer, quick(path, {hook(receiver.url())}));
  for (int n = 1; n <= 4; ++n) archive->store_article(sample_article(n));
  // Answers 503 for a while: retried with backoff, nothing delivered.
  BOOST_TEST_REQUIRE(wait_for([&] { return receiver.attempts() >= 3; }, 5s));
  BOOST_TEST(receiver.delivered().empty());
  BOOST_TEST(wait_for([&] { return dispatcher.backlog() == 4; }, 2s));
  // Then nothing listens at all.
  receiver.down();
  for (int n = 5; n <= 8; ++n) archive->store_article(sample_article(n));
  std::this_thread::sleep_for(600ms);
  BOOST_TEST(dispatcher.backlog() == 8);
  const auto endpoints = archive->webhook_endpoints();
  BOOST_TEST_REQUIRE(endpoints.size() == 1u);
  BOOST_TEST(endpoints[0].attempts >= 3);
  BOOST_TEST(!endpoints[0].last_error.empty());
  // Back, answering 200: every event once, in order.
  receiver.set_status(200);
  receiver.up();
  BOOST_TEST_REQUIRE(wait_for([&] { return receiver.delivered().size() >= 8; }, 5s));
  std::this_thread::sleep_for(300ms);
  const auto delivered = ids(receiver.delivered());
  BOOST_TEST(delivered.size() == 8u);
  BOOST_TEST(strictly_increasing(delivered));
  BOOST_TEST(wait_for([&] { return dispatcher.backlog() == 0; }, 2s));
  BOOST_TEST(archive->webhook_endpoints()[0].attempts == 0);
}

BOOST_AUTO_TEST_CASE(a_dispatcher_restarted_mid_backlog_loses_and_repeats_nothing) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  auto archive = Archive::open_sqlite(path);
  Receiver receiver;
  receiver.set_delay(10ms);  // the backlog takes some 300 ms to deliver
  constexpr int kEvents = 30;
  archive::ArchiveWorker writer(path);
  {
    Dispatcher first(writer, quick(path, {hook(receiver.url())}));
    receiver.down();  // a backlog builds up
    for (int n = 1; n <= kEvents; ++n) archive->store_article(sample_article(n));
    receiver.up();
    first.nudge();
    BOOST_TEST_REQUIRE(wait_for([&] { return receiver.delivered().size() >= 5; }, 5s));
  }  // destroyed mid-backlog, or just after
  const auto before = receiver.delivered().size();
  BOOST_TEST(before < std::size_t(kEvents));
  Dispatcher second(writer, quick(path, {hook(receiver.url())}));
  BOOST_TEST_REQUIRE(wait_for([&] { return receiver.delivered().size() >= kEvents; }, 5s));
  std::this_thread::sleep_for(300ms);
  const auto delivered = ids(receiver.delivered());
  BOOST_TEST(delivered.size() == std::size_t(kEvents), before << " before the restart");
  BOOST_TEST(strictly_increasing(delivered));
  BOOST_TEST(second.backlog() == 0);
}

BOOST_AUTO_TEST_CASE(endpoints_get_only_their_types_and_a_reload_adds_one) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  auto archive = Archive::open_sqlite(path);
  Receiver articles, feeds;
  archive::ArchiveWorker writer(path);
  Dispatcher dispatcher(writer, quick(path, {hook(articles.url(), {"article.archived"})}));
  const auto feed = archive->add_feed("https://a.example/feed", "A", "");
  archive::FeedRow row = *archive->feed(feed);
  row.consecutive_failures = 5;
  archive->update_feed(row);  // no endpoint takes feed.failing: not even recorded
  archive->store_article(sample_article(1, feed));
  BOOST_TEST_REQUIRE(wait_for([&] { return articles.delivered().size() == 1; }, 5s));
  dispatcher.reconfigure({hook(articles.url(), {"article.archived"}), hook(feeds.url(), {"feed.failing"})});
  BOOST_TEST_REQUIRE(wait_for([&] { return archive->webhook_endpoints().size() == 2; }, 5s));
  row.consecutive_failures = 0;
  archive->update_feed(row);
  row.consecutive_failures = 3;
  archive->update_feed(row);
  archive->store_article(sample_article(2, feed));
  BOOST_TEST_REQUIRE(wait_for([&] { return feeds.delivered().size() == 1 && articles.delivered().size() == 2; }, 5s));
  std::this_thread::sleep_for(300ms);
  BOOST_TEST(feeds.delivered().size() == 1u);
  BOOST_TEST(feeds.delivered()[0].header("x-winnow-event") == "feed.failing");
  BOOST_TEST(articles.delivered().size() == 2u);
  BOOST_TEST(wait_for([&] { return Probe(path).integer("SELECT count(*) FROM events") == 0; }, 2s));
}

BOOST_AUTO_TEST_CASE(stopping_does_not_wait_for_a_stalled_receiver) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  auto archive = Archive::open_sqlite(path);
  TestServer stalled;
  TestResponse stall;
  stall.fault = TestResponse::Fault::stall;
  stalled.route("/hook", stall);
  auto config = hook(stalled.url("/hook"));
  config.timeout_s = 60;
  auto options = quick(path, {config});
  options.stop_grace = 100ms;
  archive::ArchiveWorker writer(path);
  auto dispatcher = std::make_unique<Dispatcher>(writer, options);
  archive->store_article(sample_article(1));
  BOOST_TEST_REQUIRE(wait_for([&] { return stalled.hits("/hook") == 1; }, 5s));
  const auto start = std::chrono::steady_clock::now();
  dispatcher.reset();
  const double stop_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST(stop_s < 2.0);
  // Not delivered: still waiting in the archive for the next start.
  BOOST_TEST(archive->webhook_backlog() == 1);
}

// The real winnowd: what it archives reaches the receiver once per article, including the
// articles archived while the receiver failed and winnowd was restarted.
BOOST_AUTO_TEST_CASE(winnowd_delivers_every_archived_article_once_across_a_restart) {
  TempDir dir;
  const auto db = dir.file("archive.db");
  const auto config = dir.file("winnowd.toml");
  const auto log = dir.file("winnowd.log");
  farm::FeedFarm::Options farm_options;
  farm_options.feeds = 2;
  farm_options.entries = 4;
  farm::FeedFarm farm(farm_options, [](int feed, int entry) {
    return farm::html_response(farm::page_html(farm::make_story(std::uint32_t(500 + feed * 10 + entry), 3)));
  });
  Receiver receiver;
  auto write = [&](std::vector<std::string> feeds) {
    auto toml = winnow::testing::quick_polling(std::move(feeds), 4);
    toml.log_level = "info";
    winnow::testing::WinnowdConfig::Webhook webhook;
    webhook.url = receiver.url();
    webhook.secret = kSecret;
    webhook.events = {"article.archived"};
    webhook.retry_min_s = 0.1;
    webhook.retry_max_s = 0.5;
    toml.webhooks.push_back(webhook);
    winnow::testing::write_config(config, toml);
  };
  auto archived = [&]() -> std::int64_t {
    try {
      return Probe(db).find_integer("SELECT count(*) FROM articles").value_or(-1);
    } catch (const std::exception&) {
      return -1;  // not created yet
    }
  };

  write({farm.feed_url(0)});
  {
    Daemon daemon(config, log);
    BOOST_TEST_REQUIRE(wait_for([&] { return archived() == 4 && receiver.delivered().size() >= 4; }, 15s),
                       "see " << log);
    receiver.set_status(503);
    const auto status = daemon.terminate(10s);
    BOOST_TEST_REQUIRE(status.has_value());
    BOOST_TEST(WEXITSTATUS(*status) == 0);
  }
  write(farm.feed_urls());
  {
    Daemon daemon(config, log);
    BOOST_TEST_REQUIRE(wait_for([&] { return archived() == 8; }, 15s), "see " << log);
    BOOST_TEST_REQUIRE(wait_for([&] { return receiver.attempts() >= 4 + 2; }, 5s), "see " << log);
    const auto status = daemon.terminate(10s);  // with the new articles undelivered
    BOOST_TEST_REQUIRE(status.has_value());
  }
  receiver.set_status(200);
  Daemon daemon(config, log);
  BOOST_TEST_REQUIRE(wait_for([&] { return receiver.delivered().size() >= 8; }, 10s), "see " << log);
  std::this_thread::sleep_for(500ms);
  const auto requests = receiver.delivered();
  BOOST_TEST(requests.size() == 8u);
  BOOST_TEST(strictly_increasing(ids(requests)));
  std::set<std::int64_t> got;
  for (const auto& r : requests) {
    BOOST_TEST(r.header("x-winnow-signature") == signature(kSecret, r.header("x-winnow-timestamp"), r.body));
    got.insert(json::parse(r.body).at("article").at("id").as_int64());
  }
  std::set<std::int64_t> stored;
  for (const auto& id : Probe(db).texts("SELECT id FROM articles")) stored.insert(std::stoll(id));
  BOOST_TEST((got == stored));
  BOOST_TEST(daemon.terminate(10s).has_value());
}

// Without [[webhooks]] winnowd records no events; a reload that adds one starts deliveries
// of what is archived from then on.
BOOST_AUTO_TEST_CASE(winnowd_records_nothing_without_webhooks_and_a_reload_adds_one) {
  TempDir dir;
  const auto db = dir.file("archive.db");
  const auto config = dir.file("winnowd.toml");
  const auto log = dir.file("winnowd.log");
  farm::FeedFarm::Options farm_options;
  farm_options.feeds = 2;
  farm_options.entries = 3;
  farm::FeedFarm farm(farm_options, [](int feed, int entry) {
    return farm::html_response(farm::page_html(farm::make_story(std::uint32_t(700 + feed * 10 + entry), 3)));
  });
  Receiver receiver;
  auto toml = winnow::testing::quick_polling({farm.feed_url(0)}, 4);
  toml.log_level = "info";
  winnow::testing::write_config(config, toml);
  auto count = [&](const char* sql) -> std::int64_t {
    try {
      return Probe(db).find_integer(sql).value_or(-1);
    } catch (const std::exception&) {
      return -1;  // not created yet
    }
  };
  Daemon daemon(config, log);
  BOOST_TEST_REQUIRE(wait_for([&] { return count("SELECT count(*) FROM articles") == 3; }, 15s), "see " << log);
  BOOST_TEST(count("SELECT count(*) FROM events") == 0);
  BOOST_TEST(count("SELECT count(*) FROM webhook_endpoints") == 0);

  toml.feed_urls = farm.feed_urls();
  winnow::testing::WinnowdConfig::Webhook webhook;
  webhook.url = receiver.url();
  webhook.secret = kSecret;
  toml.webhooks.push_back(webhook);
  // The endpoint is registered before the new feed is polled: both happen on SIGHUP, the
  // registration on the dispatcher's thread at once, the poll after a network round trip.
  winnow::testing::write_config(config, toml);
  daemon.reload();
  BOOST_TEST_REQUIRE(wait_for([&] { return count("SELECT count(*) FROM articles") == 6; }, 15s), "see " << log);
  BOOST_TEST_REQUIRE(wait_for([&] { return receiver.delivered().size() >= 3; }, 5s), "see " << log);
  std::this_thread::sleep_for(300ms);
  std::set<std::int64_t> got;
  for (const auto& r : receiver.delivered()) got.insert(json::parse(r.body).at("article").at("id").as_int64());
  std::set<std::int64_t> expected;
  for (const auto& id : Probe(db).texts("SELECT id FROM articles WHERE feed_id = 2")) expected.insert(std::stoll(id));
  BOOST_TEST(receiver.delivered().size() == 3u);
  BOOST_TEST((got == expected));
  BOOST_TEST(daemon.terminate(10s).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::webhooks
