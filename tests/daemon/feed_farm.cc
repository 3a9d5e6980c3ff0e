#include "tests/daemon/feed_farm.h"

#include <charconv>
#include <chrono>
#include <optional>
#include <utility>

namespace winnow::testing::farm {
namespace {

// "/prefix/12/3" -> {12, 3}; "/prefix/12" -> {12, -1}.
std::optional<std::pair<int, int>> parse_ids(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return std::nullopt;
  path.remove_prefix(prefix.size());
  int a = 0, b = -1;
  auto [p, ec] = std::from_chars(path.data(), path.data() + path.size(), a);
  if (ec != std::errc()) return std::nullopt;
  if (p != path.data() + path.size()) {
    if (*p != '/') return std::nullopt;
    auto [q, ec2] = std::from_chars(p + 1, path.data() + path.size(), b);
    if (ec2 != std::errc() || q != path.data() + path.size()) return std::nullopt;
  }
  return std::pair{a, b};
}

}  // namespace

FeedFarm::FeedFarm(const Options& options, PageSource page, ItemSource item)
    : options_(options),
      page_(std::move(page)),
      item_(std::move(item)),
      last_modified_(http_date(std::chrono::system_clock::now() - std::chrono::hours(1))),
      server_(options.server_threads) {
  server_.set_record_requests(options.record_requests);
  TestResponse robots;
  robots.headers = {{"Content-Type", "text/plain"}};
  robots.body = "User-agent: *\nAllow: /\n";
  server_.route("/robots.txt", [this, robots](const TestRequest&) {
    ++counters_.robots;
    return robots;
  });
  server_.route("/feed/*", [this](const TestRequest& r) { return serve_feed(r); });
  server_.route("/a/*", [this](const TestRequest& r) { return serve_page(r); });
  server_.fallback([this](const TestRequest&) { return not_found(); });
}

FeedFarm::~FeedFarm() = default;

std::string FeedFarm::feed_url(int feed) const { return server_.url("/feed/" + std::to_string(feed)); }

std::vector<std::string> FeedFarm::feed_urls() const {
  std::vector<std::string> urls;
  for (int f = 0; f < options_.feeds; ++f) urls.push_back(feed_url(f));
  return urls;
}

std::string FeedFarm::page_url(int feed, int entry) const {
  return server_.url("/a/" + std::to_string(feed) + "/" + std::to_string(entry));
}

Item FeedFarm::default_item(int feed, int entry) const {
  const std::string id = std::to_string(feed) + "-" + std::to_string(entry);
  Item item;
  item.title = "Story " + id;
  item.link = page_url(feed, entry);
  item.id = "urn:winnow-farm:" + id;
  item.description = "Summary of story " + id + ".";
  item.published = http_date(std::chrono::system_clock::now() - std::chrono::hours(entry + 1));
  return item;
}

TestResponse FeedFarm::serve_feed(const TestRequest& request) {
  auto ids = parse_ids(request.path, "/feed/");
  if (!ids || ids->first < 0 || ids->first >= options_.feeds || ids->second != -1) return not_found();
  ++counters_.feeds;
  const int f = ids->first;
  std::vector<Item> items;
  items.reserve(std::size_t(options_.entries));
  for (int e = 0; e < options_.entries; ++e) items.push_back(item_ ? item_(f, e) : default_item(f, e));
  std::string body = rss("Feed " + std::to_string(f), server_.url("/"), items);
  const std::string content_type = "application/rss+xml; charset=utf-8";
  if (options_.validators)
    return conditional_response(request, std::move(body), content_type, "\"feed-" + std::to_string(f) + "\"",
                                last_modified_);
  return plain_feed(std::move(body), content_type);
}

TestResponse FeedFarm::serve_page(const TestRequest& request) {
  auto ids = parse_ids(request.path, "/a/");
  if (!page_ || !ids || ids->first < 0 || ids->first >= options_.feeds || ids->second < 0 ||
      ids->second >= options_.entries)
    return not_found();
  ++counters_.pages;
  return page_(ids->first, ids->second);
}

TestResponse FeedFarm::not_found() {
  ++counters_.other;
  TestResponse none;
  none.status = 404;
  none.body = "not found";
  return none;
}

}  // namespace winnow::testing::farm
