#pragma once
// A farm of RSS feeds and their article pages on 127.0.0.1, for the tests that run winnowd
// against many feeds (crash) and for daemon_bench.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/daemon/farm.h"
#include "tests/daemon/test_server.h"

namespace winnow::testing::farm {

// Requests a FeedFarm answered, by kind.
struct FarmCounters {
  std::atomic<std::uint64_t> feeds{0}, pages{0}, robots{0}, other{0};
  std::uint64_t total() const { return feeds + pages + robots + other; }
};

// `feeds` feeds of `entries` entries each on a TestServer of the farm's own: feed F at
// /feed/F lists the pages /a/F/0 .. /a/F/(entries - 1); /robots.txt allows everything; any
// other path is 404. The feeds are written on every request; the pages and items come from
// the caller. Every URL is on 127.0.0.1, so the whole farm is one host to winnowd.
// Thread-safe; stops serving when destroyed.
class FeedFarm {
 public:
  struct Options {
    int feeds = 1;
    int entries = 1;
    unsigned server_threads = 2;
    // Off for long benchmarks: the server then keeps hit counts but not every request.
    bool record_requests = true;
    // Feeds carry an ETag ("feed-F") and a Last-Modified, and answer 304 to either.
    bool validators = false;
  };
  // The page of entry `entry` of feed `feed`; called on a server thread, several at once.
  // Empty: every page is 404.
  using PageSource = std::function<TestResponse(int feed, int entry)>;
  // The feed's item for an entry; its link should be page_url(feed, entry). Called on a
  // server thread, several at once. Empty: the default item, titled "Story F-E" with a
  // summary, guid urn:winnow-farm:F-E, published E + 1 hours before the request.
  using ItemSource = std::function<Item(int feed, int entry)>;

  FeedFarm(const Options& options, PageSource page, ItemSource item = {});
  ~FeedFarm();
  FeedFarm(const FeedFarm&) = delete;
  FeedFarm& operator=(const FeedFarm&) = delete;

  std::string feed_url(int feed) const;
  std::vector<std::string> feed_urls() const;
  std::string page_url(int feed, int entry) const;
  std::string url(std::string_view path) const { return server_.url(path); }

  TestServer& server() { return server_; }
  const TestServer& server() const { return server_; }
  const FarmCounters& counters() const { return counters_; }

 private:
  TestResponse serve_feed(const TestRequest& request);
  TestResponse serve_page(const TestRequest& request);
  TestResponse not_found();
  Item default_item(int feed, int entry) const;

  const Options options_;
  const PageSource page_;
  const ItemSource item_;
  const std::string last_modified_;
  FarmCounters counters_;
  TestServer server_;  // last: its threads stop before the members above go
};

}  // namespace winnow::testing::farm
