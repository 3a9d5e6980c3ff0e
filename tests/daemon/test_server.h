#pragma once
// A scriptable HTTP/1.1 server on 127.0.0.1 for tests and benchmarks (Boost.Beast).
//
// It listens on an ephemeral port from the constructor on, serves on a small pool of its
// own threads with asynchronous accept/read/write (keep-alive, any number of clients; a
// delayed or stalled response never holds up another connection), and stops in the
// destructor: open connections are dropped, pending delays abandoned.
//
// Responses come from routes: an exact path ("/feed.xml"), or a prefix ending in '*'
// ("/articles/*"; the longest prefix wins, exact paths first), else the fallback (404 by
// default). Paths are compared without the query. Handlers run on a server thread, several
// at once, so they must be thread-safe; one that throws answers 500. Every public member
// function is thread-safe.
//
// Example:
//   TestServer server;
//   TestResponse feed;
//   feed.headers = {{"Content-Type", "application/rss+xml"}};
//   feed.body = rss;
//   feed.encoding = "gzip";
//   server.route("/feed", feed);
//   fetch(server.url("/feed"));
//   BOOST_TEST(server.hits("/feed") == 1);
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace winnow::testing {

struct TestRequest {
  std::string method;  // "GET"
  std::string target;  // as sent: "/a/b?x=1"
  std::string path;    // "/a/b"
  std::string query;   // "x=1" (without '?'), empty if none
  std::map<std::string, std::string> headers;  // lowercase names; repeated ones joined by ", "
  std::string body;
  std::chrono::steady_clock::time_point at;  // when the request was read completely

  // The header's value, or "" ( `name` in lowercase).
  std::string header(const std::string& name) const;
};

struct TestResponse {
  int status = 200;
  // Sent as given, in order. Content-Length is computed from the body unless given here: a
  // given one is sent as is (and the connection closed after the body if it promised more),
  // so tests can declare sizes they never send. "Transfer-Encoding: chunked" sends the body
  // as chunks. Content-Encoding is set by `encoding`.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // wait (asynchronously) before the status line
  enum class Fault {
    none,
    stall,        // send the status line and headers (declaring the body), then nothing
    reset,        // answer nothing; close with SO_LINGER 0 so the client sees an RST
    close_early,  // declare Content-Length of the whole body, send half of it, close
  };
  Fault fault = Fault::none;
  // "gzip", "br", "zstd" or "deflate" (zlib format, as HTTP means it): the server compresses
  // `body` and sets Content-Encoding. Empty: sent as is.
  std::string encoding;
};

class TestServer {
 public:
  using Handler = std::function<TestResponse(const TestRequest&)>;

  // `threads`: size of the server's thread pool. `port`: 0 for an ephemeral one; a given one
  // (a port of a server stopped before) lets a test take a server down and bring it back at
  // the same URL. Throws boost::system::system_error if it cannot listen there.
  explicit TestServer(unsigned threads = 2, std::uint16_t port = 0);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // Adds or replaces the route for `path` (exact, or a prefix ending in '*').
  void route(std::string path, Handler handler);
  void route(std::string path, TestResponse fixed);
  // For paths without a route; the default answers 404 "not found".
  void fallback(Handler handler);

  // "http://127.0.0.1:PORT" + path.
  std::string url(std::string_view path) const;
  std::uint16_t port() const;

  // Every request read since start or clear_log(), in order of arrival.
  std::vector<TestRequest> requests() const;
  // How many requests came for `path` (without query) since start or clear_log().
  std::size_t hits(std::string_view path) const;
  // The most requests being handled at once (read, and not yet answered or failed) since
  // start or clear_log(); for politeness tests.
  int max_concurrent() const;
  // Connections accepted since start or clear_log().
  std::size_t connections() const;
  // Keeps hit counts but stops recording whole requests (for long benchmarks); default on.
  void set_record_requests(bool on);
  void clear_log();

  // The body compressed as a Content-Encoding ("gzip", "br", "zstd", "deflate"); throws
  // std::invalid_argument for another name. For tests that build their own responses.
  static std::string compress(std::string_view body, std::string_view encoding);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") for HTTP headers.
std::string http_date(std::chrono::system_clock::time_point t);

}  // namespace winnow::testing
