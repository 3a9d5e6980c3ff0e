// /v1/stream: Server-Sent Events, one `article` event per archived article in cursor order,
// its id the cursor. A client that reconnects with Last-Event-ID (or ?after=) goes on from
// there: nothing missed, nothing twice, across a daemon restart too, since the cursor is
// the archive's own id. Streams read in pages on the reader pool; while waiting they share
// one timer that asks the archive for its newest id, and get a comment line as a heartbeat.
// On PostgreSQL the archive's notices (Api::articles_committed) wake them as well, at the
// commit of an article by any instance.
#include <boost/asio/post.hpp>

#include "daemon/api/api_impl.h"
#include "daemon/archive/article_json.h"

namespace winnow::api {

namespace asio = boost::asio;

namespace {
constexpr std::size_t kStreamPage = 20;  // articles per read: bounded memory per stream
}

class StreamClient : public std::enable_shared_from_this<StreamClient> {
 public:
  StreamClient(std::shared_ptr<Api::Impl> api, std::shared_ptr<Exchange> ex, archive::ArticleQuery query)
      : api_(std::move(api)), ex_(std::move(ex)), query_(std::move(query)) {}

  void start() {
    HttpResponse head{http::status::ok, 11};
    head.set(http::field::content_type, "text/event-stream; charset=utf-8");
    head.set(http::field::cache_control, "no-store");
    head.set("X-Accel-Buffering", "no");  // a proxy in front must pass events at once
    ex_->stream(std::move(head), {});
    // How long a browser's EventSource waits before it reconnects.
    write("retry: 2000\n\n", [self = shared_from_this()] { self->pump(); });
  }

  // Reads the next page past the cursor; sends it; goes on or waits.
  void pump() {
    if (!open_) return;
    busy_ = true;
    struct Events {
      std::string text;  // written on the reader, not the loop
      std::int64_t next = 0;
      bool more = false;
    };
    api_->readers.read<Events>(
        api_->loop,
        [q = query_](archive::Archive& a) {
          auto page = a.articles_page(q);
          Events events{{}, page.next, page.more};
          for (const auto& row : page.rows) {
            events.text += "id: " + std::to_string(row.id) + "\nevent: article\ndata: ";
            events.text += archive::json_line(archive::article_json(row));
            events.text += "\n\n";
          }
          return events;
        },
        [self = shared_from_this()](Events page, std::exception_ptr error) {
          self->busy_ = false;
          if (!self->open_) return;
          if (error) return self->end();  // the client reconnects and resumes
          self->query_.after = page.next;
          std::string events = std::move(page.text);
          const bool more = page.more;
          if (events.empty()) return more ? self->pump() : self->wait();
          self->write(std::move(events), [self, more] { more ? self->pump() : self->wait(); });
        });
  }

  // The newest archived id is `last_id`: read on if past the cursor, else a heartbeat when due.
  void wake(std::int64_t last_id) {
    if (!open_ || busy_) return;
    if (last_id > query_.after) return pump();
    if (std::chrono::steady_clock::now() - last_write_ >= api_->options.heartbeat) {
      busy_ = true;
      write(": heartbeat\n\n", [self = shared_from_this()] {
        self->busy_ = false;
        self->wait();
      });
      return;
    }
    wait();
  }

  void end() {
    if (!open_) return;
    open_ = false;
    ex_->end();
  }

  bool open() const { return open_; }

 private:
  void wait() {
    if (!open_) return;
    api_->waiting.push_back(shared_from_this());
    if (!api_->watching) api_->watch();
  }

  void write(std::string data, std::function<void()> then) {
    last_write_ = std::chrono::steady_clock::now();
    ex_->send(std::move(data), [self = shared_from_this(), then = std::move(then)](bool written) {
      if (!written) {
        self->open_ = false;  // the client went away
        return;
      }
      then();
    });
  }

  std::shared_ptr<Api::Impl> api_;
  std::shared_ptr<Exchange> ex_;
  archive::ArticleQuery query_;
  bool open_ = true;
  bool busy_ = false;
  std::chrono::steady_clock::time_point last_write_ = std::chrono::steady_clock::now();
};

void Api::Impl::open_stream(const std::shared_ptr<Exchange>& ex, const QueryParams& params) {
  if (stopped)
    return ex->respond(error_response(http::status::service_unavailable, "stopping", "the daemon is stopping"));
  auto query = article_query(ex, params, kStreamPage);
  if (!query) return;
  query->limit = std::min(query->limit, kStreamPage);
  // Where an EventSource reconnects from: the last event it received.
  const auto last_event = ex->request()["Last-Event-ID"];
  if (!last_event.empty()) {
    auto cursor = parse_integer(last_event, 0, INT64_MAX);
    if (!cursor)
      return ex->respond(error_response(http::status::bad_request, "bad_parameter", "Last-Event-ID: not an event id"));
    query->after = *cursor;
  }
  auto client = std::make_shared<StreamClient>(shared_from_this(), ex, std::move(*query));
  std::erase_if(streams, [](const auto& weak) { return weak.expired(); });
  streams.push_back(client);
  client->start();
}

void Api::Impl::watch() {
  watching = true;
  watch_timer.expires_after(options.watch_interval);
  watch_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped) {
      self->watching = false;
      return;
    }
    if (self->waiting.empty()) {
      self->watching = false;
      return;
    }
    self->readers.read<std::int64_t>(
        self->loop, [](archive::Archive& a) { return a.last_article_id(); },
        [self](std::int64_t last, std::exception_ptr error) {
          if (!error) self->wake_streams(last);
          if (!self->stopped && !self->waiting.empty()) return self->watch();
          self->watching = false;
        });
  });
}

void Api::Impl::wake_streams(std::int64_t last_id) {
  auto clients = std::move(waiting);
  waiting.clear();
  for (auto& client : clients) client->wake(last_id);
}

void Api::Impl::end_streams() {
  waiting.clear();
  for (auto& weak : streams)
    if (auto client = weak.lock()) client->end();
  streams.clear();
}

}  // namespace winnow::api
