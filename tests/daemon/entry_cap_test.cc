// [ingest] max_entries_per_poll: a feed with more entries than that has only its newest
// archived (by date when every entry has one, else the first in the feed's order), and the
// others are never fetched, poll after poll.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <set>
#include <string>
#include <vector>

#include "tests/daemon/pipeline.h"

namespace winnow::ingest::testing {
namespace {

using farm::Item;
using winnow::testing::http_date;

constexpr int kEntries = 12;
constexpr std::size_t kCap = 5;

// kEntries pages /cap/N and their items; entry N published N hours ago when `dated`. The
// items are listed oldest-dated first, so that the feed's order and the dates disagree.
std::vector<Item> publish_entries(TestServer& server, bool dated) {
  std::vector<Item> items;
  const auto now = std::chrono::system_clock::now();
  for (int n = kEntries - 1; n >= 0; --n) {
    const std::string path = "/cap/" + std::to_string(n);
    Story story = farm::make_story(7000 + std::uint32_t(n), 3);
    publish(server, path, story);
    Item item = farm::item_for(story, server.url(path), false);
    item.published = dated ? http_date(now - std::chrono::hours(n)) : std::string();
    items.push_back(item);
  }
  return items;
}

std::set<std::string> archived_urls(Pipeline& pipeline) {
  std::set<std::string> urls;
  for (const auto& a : pipeline.articles()) urls.insert(a.url);
  return urls;
}

// Standard error (the log) into a file while it lives; what was written, by lines().
class StderrCapture {
 public:
  explicit StderrCapture(std::string path) : path_(std::move(path)) {
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    std::FILE* f = std::fopen(path_.c_str(), "w");
    ::dup2(::fileno(f), STDERR_FILENO);
    std::fclose(f);
  }
  ~StderrCapture() {
    std::fflush(stderr);
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
  }
  std::size_t count(const std::string& needle) const {
    std::fflush(stderr);
    std::ifstream in(path_);
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
    return n;
  }

 private:
  std::string path_;
  int saved_ = -1;
};

IngestOptions capped() {
  IngestOptions options = test_options();
  options.max_entries_per_poll = kCap;
  return options;
}

BOOST_AUTO_TEST_SUITE(entry_cap)

BOOST_AUTO_TEST_CASE(only_the_newest_entries_by_date_are_taken_poll_after_poll) {
  TestServer server(4);
  Pipeline pipeline(capped());
  StderrCapture log(pipeline.path() + ".log");
  server.route("/cap.xml", farm::plain_feed(farm::rss("Dump", server.url("/"), publish_entries(server, true))));
  pipeline.subscribe({server.url("/cap.xml")});
  // Three polls: the later ones must not reach further back.
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(3, 15s));
  // Said once, not at every poll.
  BOOST_TEST(log.count("warning: feed has more entries than max_entries_per_poll") == 1u);
  BOOST_TEST(log.count("kept=5 ignored=7") == 1u);
  std::set<std::string> expected;
  for (int n = 0; n < int(kCap); ++n) expected.insert(server.url("/cap/" + std::to_string(n)));
  BOOST_TEST((archived_urls(pipeline) == expected));
  for (int n = int(kCap); n < kEntries; ++n) BOOST_TEST(server.hits("/cap/" + std::to_string(n)) == 0u, n);
  BOOST_TEST(pipeline.ingest().stats().entries_new == kCap);
}

BOOST_AUTO_TEST_CASE(undated_entries_are_taken_in_the_feeds_order) {
  TestServer server(4);
  Pipeline pipeline(capped());
  const auto items = publish_entries(server, false);
  server.route("/cap.xml", farm::plain_feed(farm::rss("Dump", server.url("/"), items)));
  pipeline.subscribe({server.url("/cap.xml")});
  BOOST_TEST_REQUIRE(pipeline.settle_after_polls(2, 15s));
  std::set<std::string> expected;
  for (std::size_t i = 0; i < kCap; ++i) expected.insert(items[i].link);
  BOOST_TEST((archived_urls(pipeline) == expected));
}

BOOST_AUTO_TEST_CASE(zero_means_no_cap) {
  TestServer server(4);
  IngestOptions options = test_options();
  options.max_entries_per_poll = 0;
  Pipeline pipeline(options);
  server.route("/cap.xml", farm::plain_feed(farm::rss("Dump", server.url("/"), publish_entries(server, true))));
  pipeline.subscribe({server.url("/cap.xml")});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == kEntries; }, 15s));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::ingest::testing
