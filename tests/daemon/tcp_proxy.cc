#include "tests/daemon/tcp_proxy.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <functional>
#include <future>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace winnow::testing {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using local = asio::local::stream_protocol;
using boost::system::error_code;

}  // namespace

// One client connection and its upstream. Lives while a handler or a held step holds it;
// touches the proxy's State only from handlers (the io thread).
struct Session : std::enable_shared_from_this<Session> {
  Session(TcpProxy::State& state, tcp::socket client);
  void connect();
  void close();
  void reset();

  TcpProxy::State& state;
  tcp::socket client;
  local::socket server;
  std::array<char, 16384> to_server{}, to_client{};
  bool closed = false;
};

struct TcpProxy::State {
  asio::io_context io;  // first: destroyed last, after whatever holds its sockets
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{io.get_executor()};
  tcp::acceptor acceptor{io};
  local::endpoint upstream;
  unsigned short port = 0;
  // The io thread's alone.
  bool cut = false;
  std::vector<std::function<void()>> held;  // what waits for heal()
  std::vector<std::weak_ptr<Session>> sessions;
  std::size_t accepted = 0;
  std::thread thread;

  // Runs `step` now, or at heal() while cut.
  void when_passing(std::function<void()> step) {
    if (cut) held.push_back(std::move(step));
    else step();
  }

  void accept() {
    acceptor.async_accept([this](error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) {
        ++accepted;
        auto session = std::make_shared<Session>(*this, std::move(socket));
        sessions.push_back(session);
        when_passing([session] { session->connect(); });
      }
      accept();
    });
  }

  // Runs `f` on the io thread and waits for it.
  template <typename F>
  auto on_io(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto done = task.get_future();
    asio::post(io, [&task] { task(); });
    return done.get();
  }
};

namespace {

// Bytes from `from` to `to`, a buffer at a time; each buffer read is held while cut.
template <typename From, typename To>
void pump(std::shared_ptr<Session> self, From& from, To& to, std::array<char, 16384>& buffer) {
  from.async_read_some(asio::buffer(buffer), [self, &from, &to, &buffer](error_code ec, std::size_t n) {
    if (self->closed) return;
    self->state.when_passing([self, &from, &to, &buffer, ec, n] {
      if (ec || self->closed) return self->close();  // an end, passed on when it would pass
      asio::async_write(to, asio::buffer(buffer.data(), n), [self, &from, &to, &buffer](error_code ec, std::size_t) {
        if (ec || self->closed) return self->close();
        pump(self, from, to, buffer);
      });
    });
  });
}

}  // namespace

Session::Session(TcpProxy::State& state, tcp::socket client)
    : state(state), client(std::move(client)), server(state.io) {}

void Session::connect() {
  if (closed) return;
  server.async_connect(state.upstream, [self = shared_from_this()](error_code ec) {
    if (ec || self->closed) return self->close();
    pump(self, self->client, self->server, self->to_server);
    pump(self, self->server, self->client, self->to_client);
  });
}

void Session::close() {
  if (closed) return;
  closed = true;
  error_code ignored;
  client.close(ignored);
  server.close(ignored);
}

void Session::reset() {
  if (closed) return;
  error_code ignored;
  client.set_option(asio::socket_base::linger(true, 0), ignored);  // close() sends RST
  close();
}

TcpProxy::TcpProxy(const std::string& upstream_socket) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.upstream = local::endpoint(upstream_socket);
  const tcp::endpoint at(asio::ip::make_address_v4("127.0.0.1"), 0);
  s.acceptor.open(at.protocol());
  s.acceptor.set_option(tcp::acceptor::reuse_address(true));
  s.acceptor.bind(at);
  s.acceptor.listen();
  s.port = s.acceptor.local_endpoint().port();
  s.accept();
  s.thread = std::thread([&s] { s.io.run(); });
}

TcpProxy::~TcpProxy() {
  State& s = *state_;
  s.on_io([&s] {
    error_code ignored;
    s.acceptor.close(ignored);
    for (auto& weak : s.sessions)
      if (auto session = weak.lock()) session->close();
    s.held.clear();
  });
  s.work.reset();
  s.io.stop();
  s.thread.join();
}

unsigned short TcpProxy::port() const { return state_->port; }

void TcpProxy::cut() {
  State& s = *state_;
  s.on_io([&s] { s.cut = true; });
}

void TcpProxy::heal() {
  State& s = *state_;
  s.on_io([&s] {
    s.cut = false;
    auto held = std::move(s.held);
    s.held.clear();
    for (auto& step : held) step();
  });
}

void TcpProxy::reset_all() {
  State& s = *state_;
  s.on_io([&s] {
    for (auto& weak : s.sessions)
      if (auto session = weak.lock()) session->reset();
  });
}

std::size_t TcpProxy::accepted() const {
  State& s = *state_;
  return s.on_io([&s] { return s.accepted; });
}

std::size_t TcpProxy::open() const {
  State& s = *state_;
  return s.on_io([&s] {
    std::size_t n = 0;
    for (auto& weak : s.sessions)
      if (auto session = weak.lock(); session && !session->closed) ++n;
    return n;
  });
}

}  // namespace winnow::testing
