#include "daemon/api/server.h"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <atomic>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <sys/stat.h>
#include <unordered_set>

#include "daemon/api/respond.h"

namespace winnow::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using local = asio::local::stream_protocol;

// The answer to a request the server refused before any handler saw it.
HttpResponse protocol_error(http::status status, std::string_view code, std::string_view message) {
  HttpResponse response = error_response(status, code, message);
  response.keep_alive(false);
  return response;
}

// "HOST:PORT" or "[V6]:PORT" as an endpoint; throws naming `text`.
tcp::endpoint parse_endpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  std::string host = text.substr(0, colon);
  const std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  char* end = nullptr;
  const unsigned long number = port.empty() ? 70000 : std::strtoul(port.c_str(), &end, 10);
  if (ec || number > 65535 || (end && *end))
    throw std::runtime_error("api: cannot listen on \"" + text + "\": not an address and port (127.0.0.1:8470)");
  return {address, static_cast<unsigned short>(number)};
}

std::string to_string(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  std::string host = address.to_string();
  if (address.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace

struct SessionBase {
  virtual ~SessionBase() = default;
  virtual void close() = 0;
};

struct Server::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& loop, ServerLimits limits, Handler handler)
      : loop(loop), limits(limits), handler(std::move(handler)) {}

  template <typename Protocol>
  void accept(typename Protocol::acceptor& acceptor);

  void close_all() {
    std::lock_guard lock(mutex);
    for (auto* session : sessions) session->close();
  }

  asio::io_context& loop;
  const ServerLimits limits;
  const Handler handler;
  std::optional<tcp::acceptor> tcp_acceptor;
  std::optional<local::acceptor> unix_acceptor;
  std::string tcp_address;
  std::string unix_path;
  std::atomic<std::size_t> connections{0};
  bool accepting = true;
  std::mutex mutex;  // sessions: a session may end on a reader thread (its last owner there)
  std::unordered_set<SessionBase*> sessions;
};

namespace {

template <typename Protocol>
class Session;

// One request's way back: it outlives neither its answer nor, harmlessly, the connection.
template <typename Protocol>
class RequestExchange final : public Exchange {
 public:
  RequestExchange(std::shared_ptr<Session<Protocol>> session, HttpRequest request, std::uint64_t serial)
      : session_(std::move(session)), request_(std::move(request)), serial_(serial) {}

  const HttpRequest& request() const override { return request_; }
  const std::string& peer() const override { return session_->peer(); }

  void respond(HttpResponse response) override {
    asio::post(session_->executor(), [s = session_, serial = serial_, r = std::move(response)]() mutable {
      s->respond(serial, std::move(r));
    });
  }
  void stream(HttpResponse head, Sent done) override {
    asio::post(session_->executor(), [s = session_, serial = serial_, h = std::move(head), d = std::move(done)]() mutable {
      s->stream(serial, std::move(h), std::move(d));
    });
  }
  void send(std::string data, Sent done) override {
    asio::post(session_->executor(), [s = session_, serial = serial_, data = std::move(data), d = std::move(done)]() mutable {
      s->send(serial, std::move(data), std::move(d));
    });
  }
  void end() override {
    asio::post(session_->executor(), [s = session_, serial = serial_] { s->end(serial); });
  }

 private:
  std::shared_ptr<Session<Protocol>> session_;
  HttpRequest request_;
  std::uint64_t serial_;
};

template <typename Protocol>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Protocol>> {
 public:
  using Socket = typename Protocol::socket;

  Session(Socket socket, std::shared_ptr<Server::Impl> server, std::string peer)
      : stream_(std::move(socket)), server_(std::move(server)), peer_(std::move(peer)) {
    std::lock_guard lock(server_->mutex);
    server_->sessions.insert(this);
  }
  ~Session() override {
    {
      std::lock_guard lock(server_->mutex);
      server_->sessions.erase(this);
    }
    --server_->connections;
  }

  void start() { read_request(server_->limits.request_timeout); }
  const std::string& peer() const { return peer_; }
  asio::any_io_executor executor() { return stream_.get_executor(); }

  // Under the server's mutex.
  void close() override {
    boost::system::error_code ignored;
    stream_.socket().close(ignored);
  }

  void respond(std::uint64_t serial, HttpResponse response) {
    if (serial != serial_ || state_ != State::handling) return;
    state_ = State::answering;
    const bool keep_alive = keep_alive_ && server_->accepting && response.keep_alive();
    response.keep_alive(keep_alive);
    response.prepare_payload();
    if (head_request_) response.body().clear();  // Content-Length stays: the GET's
    auto owned = std::make_shared<HttpResponse>(std::move(response));
    stream_.expires_after(kWriteTimeout);
    http::async_write(stream_, *owned, [self = this->shared_from_this(), owned, keep_alive](beast::error_code ec, std::size_t) {
      if (ec || !keep_alive) return self->shutdown();
      self->state_ = State::reading;
      self->read_request(self->server_->limits.idle_timeout);
    });
  }

  void stream(std::uint64_t serial, HttpResponse head, Exchange::Sent done) {
    if (serial != serial_ || state_ != State::handling) {
      if (done) done(false);
      return;
    }
    state_ = State::streaming;
    head.keep_alive(false);
    head.body().clear();
    std::string text = "HTTP/1.1 " + std::to_string(head.result_int()) + " " + std::string(head.reason()) + "\r\n";
    for (const auto& field : head) text += std::string(field.name_string()) + ": " + std::string(field.value()) + "\r\n";
    text += "\r\n";
    queue(std::move(text), std::move(done));
  }

  void send(std::uint64_t serial, std::string data, Exchange::Sent done) {
    if (serial != serial_ || state_ != State::streaming) {
      if (done) done(false);
      return;
    }
    queue(std::move(data), std::move(done));
  }

  void end(std::uint64_t serial) {
    if (serial != serial_) return;
    if (state_ == State::handling) {
      // Ended without an answer: nothing sensible left to say on this connection.
      state_ = State::closed;
      return shutdown();
    }
    if (state_ != State::streaming) return;
    ending_ = true;
    if (!writing_) shutdown();
  }

 private:
  enum class State { reading, handling, answering, streaming, closed };

  void read_request(std::chrono::seconds timeout) {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(server_->limits.max_body_bytes);
    stream_.expires_after(timeout);
    http::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof || ec == asio::error::bad_descriptor)
      return shutdown();
    if (ec) {
      // A request we will not read to its end: say why, and close.
      if (ec == http::error::header_limit)
        return refuse(protocol_error(http::status::request_header_fields_too_large, "headers_too_large",
                                     "request headers over " + std::to_string(kMaxHeaderBytes) + " bytes"));
      if (ec == http::error::body_limit)
        return refuse(protocol_error(http::status::payload_too_large, "body_too_large",
                                     "request body over " + std::to_string(server_->limits.max_body_bytes) + " bytes"));
      return refuse(protocol_error(http::status::bad_request, "bad_request", "malformed HTTP request: " + ec.message()));
    }
    stream_.expires_never();
    HttpRequest request = parser_->release();
    keep_alive_ = request.keep_alive();
    head_request_ = request.method() == http::verb::head;
    state_ = State::handling;
    auto exchange = std::make_shared<RequestExchange<Protocol>>(this->shared_from_this(), std::move(request), ++serial_);
    try {
      server_->handler(std::move(exchange));
    } catch (const std::exception& e) {
      respond(serial_, protocol_error(http::status::internal_server_error, "internal", "the request failed"));
    }
  }

  void refuse(HttpResponse response) {
    state_ = State::answering;
    keep_alive_ = false;
    respond_now(std::move(response));
  }

  void respond_now(HttpResponse response) {
    auto owned = std::make_shared<HttpResponse>(std::move(response));
    stream_.expires_after(kWriteTimeout);
    http::async_write(stream_, *owned, [self = this->shared_from_this(), owned](beast::error_code ec, std::size_t) {
      if (ec) return self->shutdown();
      self->linger();
    });
  }

  // A refused request may still be arriving (a body past the limit): closing now would
  // reset the connection, and the client could lose the answer before reading it. So say
  // nothing more, read and drop what comes for a short while, then close.
  void linger() {
    boost::system::error_code ignored;
    stream_.socket().shutdown(Socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    drain_ = std::make_shared<std::array<char, 16384>>();
    drain_some(0);
  }

  void drain_some(std::size_t so_far) {
    constexpr std::size_t kMaxDrainBytes = 4u << 20;
    stream_.async_read_some(asio::buffer(*drain_), [self = this->shared_from_this(), so_far](beast::error_code ec,
                                                                                             std::size_t n) {
      if (ec || so_far + n > kMaxDrainBytes) return self->shutdown();
      self->drain_some(so_far + n);
    });
  }

  void queue(std::string data, Exchange::Sent done) {
    out_.push_back({std::move(data), std::move(done)});
    if (!writing_) write_next();
  }

  void write_next() {
    if (out_.empty()) {
      writing_ = false;
      if (ending_) shutdown();
      return;
    }
    writing_ = true;
    stream_.expires_after(kWriteTimeout);
    asio::async_write(stream_, asio::buffer(out_.front().first),
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        auto done = std::move(self->out_.front().second);
                        self->out_.pop_front();
                        if (ec) {
                          self->writing_ = false;
                          self->fail_queue();
                          if (done) done(false);
                          return self->shutdown();
                        }
                        self->stream_.expires_never();
                        if (done) done(true);
                        self->write_next();
                      });
  }

  void fail_queue() {
    auto pending = std::move(out_);
    out_.clear();
    for (auto& [data, done] : pending)
      if (done) done(false);
  }

  void shutdown() {
    state_ = State::closed;
    boost::system::error_code ignored;
    stream_.socket().shutdown(Socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
    fail_queue();
  }

  beast::basic_stream<Protocol> stream_;
  std::shared_ptr<Server::Impl> server_;
  const std::string peer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  State state_ = State::reading;
  std::uint64_t serial_ = 0;  // of the request being answered: a stale Exchange is ignored
  bool keep_alive_ = false;
  bool head_request_ = false;  // answered as GET, without the body
  std::shared_ptr<std::array<char, 16384>> drain_;  // linger(): what a refused client still sends
  std::deque<std::pair<std::string, Exchange::Sent>> out_;
  bool writing_ = false;
  bool ending_ = false;
};

template <typename Socket>
std::string peer_of(Socket& socket) {
  if constexpr (std::is_same_v<Socket, tcp::socket>) {
    boost::system::error_code ec;
    auto endpoint = socket.remote_endpoint(ec);
    return ec ? std::string("?") : to_string(endpoint);
  } else {
    return "unix";
  }
}

}  // namespace

template <typename Protocol>
void Server::Impl::accept(typename Protocol::acceptor& acceptor) {
  acceptor.async_accept([self = shared_from_this(), &acceptor](boost::system::error_code ec, typename Protocol::socket socket) {
    if (ec == asio::error::operation_aborted || !self->accepting) return;
    if (!ec) {
      if (self->connections >= self->limits.max_connections) {
        // Over the limit: closed at once, so that it holds no descriptor while waiting.
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        ++self->connections;
        std::string peer = peer_of(socket);
        std::make_shared<Session<Protocol>>(std::move(socket), self, std::move(peer))->start();
      }
    }
    // Out of descriptors (EMFILE) and the like: the next accept tries again.
    self->accept<Protocol>(acceptor);
  });
}

Server::Server(asio::io_context& loop, const std::string& tcp_text, const std::string& unix_socket,
               ServerLimits limits, Handler handler)
    : impl_(std::make_shared<Impl>(loop, limits, std::move(handler))) {
  if (!tcp_text.empty()) {
    const auto endpoint = parse_endpoint(tcp_text);
    auto& acceptor = impl_->tcp_acceptor.emplace(loop);
    boost::system::error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("api: cannot listen on " + tcp_text + ": " + ec.message());
    impl_->tcp_address = to_string(acceptor.local_endpoint());
    impl_->accept<tcp>(acceptor);
  }
  if (!unix_socket.empty()) {
    // A socket file left by a process that is gone is replaced; any other file is not.
    struct stat st {};
    if (::lstat(unix_socket.c_str(), &st) == 0) {
      if (!S_ISSOCK(st.st_mode))
        throw std::runtime_error("api: cannot listen on " + unix_socket + ": a file that is no socket is there");
      std::filesystem::remove(unix_socket);
    }
    auto& acceptor = impl_->unix_acceptor.emplace(loop);
    boost::system::error_code ec;
    acceptor.open(local::endpoint(unix_socket).protocol(), ec);
    if (!ec) acceptor.bind(local::endpoint(unix_socket), ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("api: cannot listen on " + unix_socket + ": " + ec.message());
    impl_->unix_path = unix_socket;
    impl_->accept<local>(acceptor);
  }
}

Server::~Server() {
  stop_accepting();
  impl_->close_all();
  if (!impl_->unix_path.empty()) {
    std::error_code ignored;
    std::filesystem::remove(impl_->unix_path, ignored);
  }
}

const std::string& Server::tcp_address() const { return impl_->tcp_address; }
std::size_t Server::connections() const { return impl_->connections; }

void Server::stop_accepting() {
  impl_->accepting = false;
  boost::system::error_code ignored;
  if (impl_->tcp_acceptor) impl_->tcp_acceptor->close(ignored);
  if (impl_->unix_acceptor) impl_->unix_acceptor->close(ignored);
}

}  // namespace winnow::api
