// The webhook outbox of the archive (archive.h, "Events"), on SQLite and PostgreSQL.
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/archive/archive.h"
#include "tests/daemon/archive_backends.h"
#include "tests/daemon/archive_helpers.h"

namespace winnow::archive {
namespace {

using testing::Probe;
using testing::sample_article;
using testing::TempDir;
using testing::Backend;
using testing::BackendArchive;
using testing::kBackends;

const std::vector<EventType> kAll(std::begin(kEventTypes), std::end(kEventTypes));

struct Outbox {
  explicit Outbox(Backend backend) : fx(backend), path(fx.location), archive(std::move(fx.archive)) {}

  BackendArchive fx;
  std::string path;  // the archive's location
  std::unique_ptr<Archive> archive;

  std::int64_t events() { return fx.integer("SELECT count(*) FROM events"); }
  // What the endpoint `url` gets next, as its cursor in the archive stands.
  std::optional<OutboxEvent> next(const std::string& url) {
    for (const auto& endpoint : archive->webhook_endpoints())
      if (endpoint.url == url) {
        auto events = archive->webhook_events_after(endpoint.delivered_seq, endpoint.types, 1);
        if (!events.empty()) return events[0];
      }
    return std::nullopt;
  }
  // Delivers every event waiting for `url`; their types, in order.
  std::vector<std::string> drain(const std::string& url) {
    std::vector<std::string> types;
    while (auto event = next(url)) {
      types.emplace_back(to_string(event->type));
      archive->webhook_delivered(url, event->seq);
    }
    return types;
  }
};

FeedRow failing(FeedRow row, int failures) {
  row.consecutive_failures = failures;
  row.last_error = failures ? "HTTP 503" : "";
  return row;
}

BOOST_AUTO_TEST_SUITE(outbox)

BOOST_DATA_TEST_CASE(nothing_is_recorded_without_an_endpoint, kBackends, backend) {
  Outbox o(backend);
  const auto feed = o.archive->add_feed("https://a.example/feed", "A", "");
  const auto id = o.archive->store_article(sample_article(1, feed));
  ArticleRow row = *o.archive->article(id);
  row.text = "Other text.";
  o.archive->replace_article(row);
  o.archive->update_feed(failing(*o.archive->feed(feed), 5));
  BOOST_TEST(o.events() == 0);
  BOOST_TEST(o.archive->webhook_backlog() == 0);
}

BOOST_DATA_TEST_CASE(each_change_records_its_event_in_order, kBackends, backend) {
  Outbox o(backend);
  o.archive->set_webhook_endpoints({{"http://hook.example/a", kAll}});
  const auto feed = o.archive->add_feed("https://a.example/feed", "A", "");
  const auto id = o.archive->store_article(sample_article(1, feed));
  ArticleRow row = *o.archive->article(id);
  o.archive->update_extraction(row);  // the same text: no news
  row.text = "A better extraction.";
  o.archive->update_extraction(row);
  o.archive->replace_article(row);
  BOOST_TEST(o.archive->webhook_backlog() == 3);
  BOOST_TEST(o.archive->webhook_events_after(0, kAll, 2).size() == 2u);
  BOOST_TEST(o.archive->webhook_events_after(0, {EventType::article_updated}, 10).size() == 2u);
  BOOST_TEST(o.archive->webhook_events_after(0, {EventType::feed_failing}, 10).empty());
  const auto first = o.next("http://hook.example/a").value();
  BOOST_TEST(first.article_id.value() == id);
  BOOST_TEST(!first.feed_id.has_value());
  BOOST_TEST(first.at > 0);
  BOOST_TEST(o.drain("http://hook.example/a") ==
                 (std::vector<std::string>{"article.archived", "article.updated", "article.updated"}),
             boost::test_tools::per_element());
  BOOST_TEST(o.archive->webhook_backlog() == 0);
  BOOST_TEST(o.archive->prune_webhook_events() == 3);
  BOOST_TEST(o.events() == 0);
}

BOOST_DATA_TEST_CASE(feed_failing_is_recorded_once_per_failing_streak, kBackends, backend) {
  Outbox o(backend);
  o.archive->set_webhook_endpoints({{"http://hook.example/a", {EventType::feed_failing}}});
  const auto feed = o.archive->add_feed("https://a.example/feed", "A", "");
  const FeedRow row = *o.archive->feed(feed);
  for (int failures : {1, 2, 3, 4, 5, 0, 1, 2, 3, 4}) o.archive->update_feed(failing(row, failures));
  std::vector<std::int64_t> feeds;
  while (auto event = o.next("http://hook.example/a")) {
    BOOST_TEST(event->type == EventType::feed_failing);
    feeds.push_back(event->feed_id.value());
    o.archive->webhook_delivered("http://hook.example/a", event->seq);
  }
  BOOST_TEST(feeds == (std::vector<std::int64_t>{feed, feed}), boost::test_tools::per_element());
}

BOOST_DATA_TEST_CASE(a_rolled_back_change_leaves_no_event, kBackends, backend) {
  Outbox o(backend);
  o.archive->set_webhook_endpoints({{"http://hook.example/a", kAll}});
  BOOST_CHECK_THROW(o.archive->transaction([&] {
    o.archive->store_article(sample_article(1));
    throw std::runtime_error("later step failed");
  }),
                    std::runtime_error);
  BOOST_TEST(o.events() == 0);
  ArticleRow missing = sample_article(2);
  missing.id = 99;
  BOOST_CHECK_THROW(o.archive->replace_article(missing), std::runtime_error);
  BOOST_TEST(o.events() == 0);
}

BOOST_DATA_TEST_CASE(a_savepoint_rolled_back_drops_its_events_and_keeps_the_others, kBackends, backend) {
  Outbox o(backend);
  o.archive->set_webhook_endpoints({{"http://hook.example/a", {EventType::article_updated}}});
  std::vector<ArticleRow> rows;
  for (int n : {1, 2, 3}) {
    rows.push_back(*o.archive->article(o.archive->store_article(sample_article(n))));
    rows.back().text = "Extracted again: " + std::to_string(n) + ".";
  }
  o.archive->transaction([&] {
    o.archive->update_extraction(rows[0]);  // a savepoint of its own, released
    BOOST_CHECK_THROW(o.archive->transaction([&] {
      o.archive->update_extraction(rows[1]);
      throw std::runtime_error("later step failed");
    }),
                      std::runtime_error);
    o.archive->update_extraction(rows[2]);
  });
  std::vector<std::int64_t> updated;
  for (const auto& event : o.archive->webhook_events_after(0, kAll, 10)) updated.push_back(event.article_id.value());
  BOOST_TEST(updated == (std::vector<std::int64_t>{rows[0].id, rows[2].id}), boost::test_tools::per_element());
  BOOST_TEST(o.archive->article(rows[1].id)->text != rows[1].text);
}

BOOST_DATA_TEST_CASE(events_of_one_transaction_keep_the_order_they_happened_in, kBackends, backend) {
  Outbox o(backend);
  o.archive->set_webhook_endpoints({{"http://hook.example/a", kAll}});
  const auto feed = o.archive->add_feed("https://a.example/feed", "A", "");
  ArticleRow row = *o.archive->article(o.archive->store_article(sample_article(1, feed)));
  row.text = "Extracted again.";
  // On PostgreSQL the first two wait for the commit-order lock; the store takes it.
  o.archive->transaction([&] {
    o.archive->update_feed(failing(*o.archive->feed(feed), 3));
    o.archive->update_extraction(row);
    o.archive->store_article(sample_article(2, feed));
  });
  BOOST_TEST(o.drain("http://hook.example/a") ==
                 (std::vector<std::string>{"article.archived", "feed.failing", "article.updated", "article.archived"}),
             boost::test_tools::per_element());
}

BOOST_DATA_TEST_CASE(endpoints_take_their_types_and_events_stay_until_every_endpoint_is_done, kBackends, backend) {
  Outbox o(backend);
  o.archive->store_article(sample_article(1));  // before any endpoint: never announced
  o.archive->set_webhook_endpoints(
      {{"http://hook.example/all", kAll}, {"http://hook.example/feeds", {EventType::feed_failing}}});
  const auto feed = o.archive->add_feed("https://a.example/feed", "A", "");
  o.archive->store_article(sample_article(2, feed));
  o.archive->update_feed(failing(*o.archive->feed(feed), 3));
  o.archive->store_article(sample_article(3, feed));
  BOOST_TEST(o.archive->webhook_backlog() == 3 + 1);
  BOOST_TEST(o.drain("http://hook.example/feeds") == std::vector<std::string>{"feed.failing"},
             boost::test_tools::per_element());
  // The lagging endpoint keeps every event it has not had.
  BOOST_TEST(o.archive->prune_webhook_events() == 0);
  BOOST_TEST(o.events() == 3);
  BOOST_TEST(o.drain("http://hook.example/all") ==
                 (std::vector<std::string>{"article.archived", "feed.failing", "article.archived"}),
             boost::test_tools::per_element());
  // The feeds endpoint's cursor catches up over the article events it does not take.
  BOOST_TEST(o.archive->prune_webhook_events() == 3);
  BOOST_TEST(o.events() == 0);
  // An endpoint added now starts after the newest event, even once it was pruned.
  o.archive->set_webhook_endpoints({{"http://hook.example/all", kAll},
                                    {"http://hook.example/feeds", {EventType::feed_failing}},
                                    {"http://hook.example/new", kAll}});
  BOOST_TEST(!o.next("http://hook.example/new").has_value());
  o.archive->store_article(sample_article(4, feed));
  BOOST_TEST(o.drain("http://hook.example/new") == std::vector<std::string>{"article.archived"},
             boost::test_tools::per_element());
}

BOOST_DATA_TEST_CASE(cursors_and_retry_state_survive_reopening_and_dropped_endpoints_are_forgotten, kBackends, backend) {
  Outbox o(backend);
  o.archive->set_webhook_endpoints({{"http://hook.example/a", kAll}, {"http://hook.example/b", kAll}});
  for (int n = 1; n <= 3; ++n) o.archive->store_article(sample_article(n));
  const auto first = o.next("http://hook.example/a").value();
  o.archive->webhook_delivered("http://hook.example/a", first.seq);
  o.archive->webhook_failed("http://hook.example/a", 2, "HTTP 503");
  o.archive.reset();
  o.archive = Archive::open(o.path);
  o.archive->set_webhook_endpoints({{"http://hook.example/a", kAll}});
  const auto states = o.archive->webhook_endpoints();
  BOOST_TEST_REQUIRE(states.size() == 1u);
  BOOST_TEST(states[0].url == "http://hook.example/a");
  BOOST_TEST(states[0].delivered_seq == first.seq);
  BOOST_TEST(states[0].attempts == 2);
  BOOST_TEST(states[0].last_error == "HTTP 503");
  BOOST_TEST(states[0].types.size() == 3u);
  // b held the first event back; forgotten, it holds nothing.
  BOOST_TEST(o.events() == 2);
  BOOST_TEST(o.next("http://hook.example/a").value().seq == first.seq + 1);
  o.archive->set_webhook_endpoints({});
  BOOST_TEST(o.events() == 0);
  o.archive->store_article(sample_article(9));
  BOOST_TEST(o.events() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::archive
