#pragma once
// What api.cc, articles.cc, full_feeds.cc and stream.cc share (private to daemon/api/).
#include <boost/asio/steady_timer.hpp>
#include <boost/url/url_view.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/api/api.h"
#include "daemon/api/feed_out.h"
#include "daemon/api/reader_pool.h"
#include "daemon/api/respond.h"

namespace winnow::api {

class StreamClient;

struct Api::Impl : std::enable_shared_from_this<Impl> {
  Impl(boost::asio::io_context& loop, archive::ArchiveWorker& writer, ingest::Ingest& ingest,
       const std::string& archive_path, ApiOptions options, DaemonState state);

  // api.cc: routing, health, the writing endpoints.
  void handle(std::shared_ptr<Exchange> exchange);
  void route(const std::shared_ptr<Exchange>& ex, const boost::urls::url_view& url);
  // True when the request carries the token; else answers 401/403 and returns false.
  bool authorized(const std::shared_ptr<Exchange>& ex);
  void list_feeds(const std::shared_ptr<Exchange>& ex);
  void get_feed(const std::shared_ptr<Exchange>& ex, std::int64_t id);
  void add_feeds(const std::shared_ptr<Exchange>& ex);
  // Records `subs` in the archive, then has ingest poll the new ones; answers with their ids.
  void subscribe(const std::shared_ptr<Exchange>& ex, std::vector<ingest::Ingest::Subscription> subs);
  void remove_feed(const std::shared_ptr<Exchange>& ex, std::int64_t id);
  void crawl(const std::shared_ptr<Exchange>& ex);
  // The base of absolute links to the API: public_url, else http://Host.
  std::string base_url(const Exchange& ex) const;

  // articles.cc
  void list_articles(const std::shared_ptr<Exchange>& ex, const QueryParams& params);
  void get_article(const std::shared_ptr<Exchange>& ex, std::int64_t id, const QueryParams& params);
  void get_raw(const std::shared_ptr<Exchange>& ex, std::int64_t id);
  void search(const std::shared_ptr<Exchange>& ex, const QueryParams& params);
  // The filters of /v1/articles and /v1/stream from `params`; nullopt after answering 400.
  std::optional<archive::ArticleQuery> article_query(const std::shared_ptr<Exchange>& ex, const QueryParams& params,
                                                     std::size_t default_limit);

  // full_feeds.cc
  void serve_full_feed(const std::shared_ptr<Exchange>& ex, std::vector<std::int64_t> feed_ids, FeedOutFormat format,
                       const QueryParams& params);
  void full_feed_by_query(const std::shared_ptr<Exchange>& ex, FeedOutFormat format, const QueryParams& params);
  void wait_for_first_poll(const std::shared_ptr<Exchange>& ex, const std::string& url, FeedOutFormat format,
                           const QueryParams& params, std::chrono::steady_clock::time_point deadline);

  // stream.cc
  void open_stream(const std::shared_ptr<Exchange>& ex, const QueryParams& params);
  void watch();        // the timer that looks for new articles while streams wait
  void wake_streams(std::int64_t last_id);
  void end_streams();

  // Runs `work` on a reader; `done` on the loop. An exception answers 500 (or 503 when the
  // archive cannot be opened) on `ex` instead of calling `done`.
  template <typename T>
  void read(const std::shared_ptr<Exchange>& ex, std::function<T(archive::Archive&)> work, std::function<void(T)> done) {
    readers.read<T>(loop, std::move(work), [ex, done = std::move(done)](T result, std::exception_ptr error) mutable {
      if (error) return fail(ex, error);
      done(std::move(result));
    });
  }
  static void fail(const std::shared_ptr<Exchange>& ex, std::exception_ptr error);

  boost::asio::io_context& loop;
  archive::ArchiveWorker& writer;
  ingest::Ingest& ingest;
  ApiOptions options;
  DaemonState state;
  ReaderPool readers;
  bool stopped = false;
  // Streams waiting for articles past their cursor, and the timer that looks.
  std::vector<std::shared_ptr<StreamClient>> waiting;
  std::vector<std::weak_ptr<StreamClient>> streams;  // every open stream, to end them
  boost::asio::steady_timer watch_timer;
  bool watching = false;
  std::unique_ptr<Server> server;  // last: requests stop before the rest goes
};

}  // namespace winnow::api
