#pragma once
// The HTTP/1.1 server under the API: Boost.Beast on the daemon's own io_context, listening on
// TCP and, optionally, a Unix socket. It knows nothing of the archive: each request goes to
// the Handler, which answers through its Exchange, at once or later (from any thread).
//
// Limits, so that no client can stall the loop or exhaust the process: request headers up
// to kMaxHeaderBytes (431 past it), a body up to ServerLimits::max_body_bytes (413), the
// first request of a connection whole within request_timeout, each next one on a keep-alive
// connection within idle_timeout (the connection is then closed, without an answer), every write within kWriteTimeout (a reader too slow to take an answer is
// dropped), and at most max_connections connections: one more is closed at once (it never
// waits in a queue holding a file descriptor).
//
// Loop thread only, but for Exchange's members, which say so.
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace winnow::api {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
inline constexpr std::chrono::seconds kWriteTimeout{30};

struct ServerLimits {
  std::size_t max_connections = 2048;
  std::size_t max_body_bytes = 1u << 20;
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds request_timeout{15};
};

// One request and the way back to its client. The handler keeps the shared_ptr as long as it
// needs it; the connection stays open (and reads no further request) until respond() or
// end(). Any thread may call respond(), stream() and send(): the work is posted to the loop.
class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual const HttpRequest& request() const = 0;
  // "127.0.0.1:50312", "[::1]:50312" or "unix".
  virtual const std::string& peer() const = 0;

  // The answer; Content-Length is set here. Once.
  virtual void respond(HttpResponse response) = 0;

  // A long answer written as it comes (Server-Sent Events): `head` (its body ignored) goes
  // out with no length, then each send() in order; the connection closes at end() or when
  // the client goes. `done` runs on the loop once the data is written (true) or the client
  // is gone (false); after a false, nothing more goes out.
  using Sent = std::function<void(bool written)>;
  virtual void stream(HttpResponse head, Sent done) = 0;
  virtual void send(std::string data, Sent done) = 0;
  virtual void end() = 0;
};

using Handler = std::function<void(std::shared_ptr<Exchange>)>;

class Server {
 public:
  // Listens on `tcp` ("127.0.0.1:8470", "[::1]:0"; empty: none) and `unix_socket` (a path,
  // replaced if a stale socket file is there; empty: none). Throws std::runtime_error naming
  // the address when it cannot listen.
  Server(boost::asio::io_context& loop, const std::string& tcp, const std::string& unix_socket,
         ServerLimits limits, Handler handler);
  // Closes the listeners and every connection.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The TCP address bound ("127.0.0.1:39121": the port picked when asked for 0); empty
  // without a TCP listener.
  const std::string& tcp_address() const;
  std::size_t connections() const;
  // Stops accepting; open connections finish their current answer and close.
  void stop_accepting();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace winnow::api
