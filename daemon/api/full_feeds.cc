// Full-text feeds out: /v1/feeds/ID/full.atom|json, /v1/full.atom|json?feed=A&feed=B, and
// ?url=FEED_URL, which subscribes a feed on its first request (as Full-Text RSS users
// expect), waits a bounded time for its first poll, then serves it. The documents come from
// feed_out.h; here only the reads, the waiting and the caching headers.
#include <boost/asio/steady_timer.hpp>

#include <algorithm>

#include "base/time.h"
#include "daemon/api/api_impl.h"
#include "daemon/api/feed_out.h"
#include "daemon/log.h"

namespace winnow::api {
namespace {

namespace asio = boost::asio;

constexpr std::int64_t kDefaultEntries = 50;
constexpr std::int64_t kMaxEntries = 200;
constexpr std::size_t kMaxMergedFeeds = 100;

struct FullFeed {
  std::vector<archive::FeedRow> feeds;  // as asked for; missing ones left out
  std::vector<archive::ArticleRow> rows;
};

bool etag_matches(std::string_view header, std::string_view etag) {
  // "*", or a list of (possibly weak) tags: the weak comparison RFC 7232 asks for GET.
  if (header == "*") return true;
  std::size_t at = 0;
  while ((at = header.find('"', at)) != std::string_view::npos) {
    const auto end = header.find('"', at + 1);
    if (end == std::string_view::npos) break;
    if (header.substr(at, end - at + 1) == etag) return true;
    at = end + 1;
  }
  return false;
}

// The answer for `f`: the document with its validators, or 304 when the client has it.
HttpResponse full_feed_response(const FullFeed& f, FeedOutFormat format, const std::string& base,
                                const std::string& target, const std::string& if_none_match,
                                const std::string& if_modified_since) {
  FeedOutInfo info;
  std::string ids;
  for (const auto& feed : f.feeds) ids += (ids.empty() ? "" : ",") + std::to_string(feed.id);
  info.id = f.feeds.size() == 1 ? "tag:winnow,2026:feed/" + ids : "tag:winnow,2026:feeds/" + ids;
  if (f.feeds.size() == 1) {
    const auto& feed = f.feeds.front();
    info.title = feed.title.empty() ? feed.url : feed.title;
    info.home_url = feed.site_url;
    info.description = "Full text of " + feed.url + ", archived by winnow";
  } else {
    for (const auto& feed : f.feeds) info.title += (info.title.empty() ? "" : ", ") + (feed.title.empty() ? feed.url : feed.title);
    info.description = "Full text of " + std::to_string(f.feeds.size()) + " feeds, archived by winnow";
  }
  info.self_url = base + target;
  info.article_url_base = base + "/v1/articles/";
  if (f.rows.empty()) {
    base::UnixSeconds polled = 0;
    for (const auto& feed : f.feeds) polled = std::max(polled, feed.last_polled);
    info.updated = polled;
  }
  const auto etag = feed_etag(format, info, f.rows);
  const auto last_modified = feed_last_modified(f.rows);
  bool fresh = !if_none_match.empty() && etag_matches(if_none_match, etag);
  if (if_none_match.empty() && !if_modified_since.empty() && last_modified) {
    const auto since = base::parse_date(if_modified_since);
    const auto modified = base::parse_date(*last_modified);
    fresh = since && modified && *modified <= *since;
  }
  HttpResponse response{fresh ? http::status::not_modified : http::status::ok, 11};
  if (!fresh) {
    response.body() = format == FeedOutFormat::atom ? atom_feed(info, f.rows) : json_feed(info, f.rows);
    response.set(http::field::content_type, format == FeedOutFormat::atom ? "application/atom+xml; charset=utf-8"
                                                                          : "application/feed+json; charset=utf-8");
  }
  response.set(http::field::etag, etag);
  if (last_modified) response.set(http::field::last_modified, *last_modified);
  // Readers may keep it a minute, then ask again with the validators.
  response.set(http::field::cache_control, "max-age=60");
  return response;
}

}  // namespace

void Api::Impl::serve_full_feed(const std::shared_ptr<Exchange>& ex, std::vector<std::int64_t> feed_ids,
                                FeedOutFormat format, const QueryParams& params) {
  std::int64_t limit = kDefaultEntries;
  if (auto text = params.get("limit")) {
    auto n = parse_integer(*text, 1, kMaxEntries);
    if (!n) return ex->respond(error_response(http::status::bad_request, "bad_parameter", "limit: a number from 1 to 200"));
    limit = *n;
  }
  std::sort(feed_ids.begin(), feed_ids.end());
  feed_ids.erase(std::unique(feed_ids.begin(), feed_ids.end()), feed_ids.end());
  // Read, written and hashed on the reader: an Atom document of 200 articles is megabytes.
  const auto& request = ex->request();
  const std::string base = base_url(*ex), target(request.target());
  const std::string if_none_match(request[http::field::if_none_match]);
  const std::string if_modified_since(request[http::field::if_modified_since]);
  read<HttpResponse>(
      ex,
      [feed_ids, limit, format, base, target, if_none_match, if_modified_since](archive::Archive& a) {
        FullFeed f;
        for (auto id : feed_ids)
          if (auto row = a.feed(id)) f.feeds.push_back(std::move(*row));
        if (f.feeds.size() != feed_ids.size()) return error_response(http::status::not_found, "not_found", "no such feed");
        f.rows = a.latest_articles(feed_ids, std::size_t(limit));
        return full_feed_response(f, format, base, target, if_none_match, if_modified_since);
      },
      [ex](HttpResponse response) { ex->respond(std::move(response)); });
}

void Api::Impl::full_feed_by_query(const std::shared_ptr<Exchange>& ex, FeedOutFormat format, const QueryParams& params) {
  const auto url = params.get("url");
  const auto feeds = params.all("feed");
  if (url.has_value() == !feeds.empty())
    return ex->respond(error_response(http::status::bad_request, "bad_parameter",
                                      "give either feed=ID (one or more) or url=FEED_URL"));
  if (!url) {
    std::vector<std::int64_t> ids;
    for (const auto& feed : feeds) {
      auto id = parse_integer(feed, 1, INT64_MAX);
      if (!id) return ex->respond(error_response(http::status::bad_request, "bad_parameter", "feed: feed ids"));
      ids.push_back(*id);
    }
    if (ids.size() > kMaxMergedFeeds)
      return ex->respond(error_response(http::status::bad_request, "bad_parameter", "feed: at most 100 feeds"));
    return serve_full_feed(ex, std::move(ids), format, params);
  }
  if (!(url->starts_with("http://") || url->starts_with("https://")) || url->size() > 4096)
    return ex->respond(error_response(http::status::unprocessable_entity, "bad_url", "url: an http or https feed URL"));
  // Subscribed already: served as any feed. Else subscribing it is a write.
  read<std::optional<archive::FeedRow>>(
      ex, [u = *url](archive::Archive& a) { return a.feed_by_url(u); },
      [this, self = shared_from_this(), ex, format, params, u = *url](std::optional<archive::FeedRow> feed) {
        if (feed && feed->enabled && feed->last_polled > 0) return serve_full_feed(ex, {feed->id}, format, params);
        // Subscribed and its first poll under way: wait for it, as its subscriber did. Else
        // subscribing it (or enabling it again) is a write.
        if (!feed || !feed->enabled) {
          if (!authorized(ex)) return;
          log::info("api subscribes", {{"url", u}, {"peer", ex->peer()}});
          ingest.subscribe({{u, "", ""}});  // polled at once: a new feed is due
        }
        wait_for_first_poll(ex, u, format, params, std::chrono::steady_clock::now() + options.first_poll_wait);
      });
}

void Api::Impl::wait_for_first_poll(const std::shared_ptr<Exchange>& ex, const std::string& url, FeedOutFormat format,
                                    const QueryParams& params, std::chrono::steady_clock::time_point deadline) {
  auto timer = std::make_shared<asio::steady_timer>(loop, std::chrono::milliseconds(250));
  timer->async_wait([this, self = shared_from_this(), ex, url, format, params, deadline, timer](boost::system::error_code ec) {
    if (ec || stopped)
      return ex->respond(error_response(http::status::service_unavailable, "stopping", "the daemon is stopping"));
    read<std::optional<archive::FeedRow>>(
        ex, [url](archive::Archive& a) { return a.feed_by_url(url); },
        [this, self, ex, url, format, params, deadline](std::optional<archive::FeedRow> feed) {
          if (feed && feed->consecutive_failures > 0 && feed->last_polled > 0)
            return ex->respond(error_response(http::status::bad_gateway, "feed_failed",
                                              "the feed could not be read: " + feed->last_error));
          if (feed && feed->last_polled > 0) return serve_full_feed(ex, {feed->id}, format, params);
          if (std::chrono::steady_clock::now() < deadline) return wait_for_first_poll(ex, url, format, params, deadline);
          // Served as it stands (perhaps empty); the next request finds the articles.
          if (feed) return serve_full_feed(ex, {feed->id}, format, params);
          ex->respond(error_response(http::status::service_unavailable, "not_yet", "the feed is not subscribed yet; try again"));
        });
  });
}

}  // namespace winnow::api
