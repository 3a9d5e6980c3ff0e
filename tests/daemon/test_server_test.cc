#include "tests/daemon/test_server.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/test/unit_test.hpp>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

namespace winnow::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

struct Reply {
  beast::error_code ec;
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

// A blocking HTTP/1.1 client on one connection; independent of the Fetcher under test.
class Client {
 public:
  explicit Client(std::uint16_t port) : stream_(io_) {
    stream_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  Reply get(const std::string& target,
            std::vector<std::pair<std::string, std::string>> headers = {},
            http::verb method = http::verb::get) {
    http::request<http::empty_body> req(method, target, 11);
    req.set(http::field::host, "127.0.0.1");
    for (auto& [name, value] : headers) req.insert(name, value);
    Reply reply;
    http::write(stream_, req, reply.ec);
    if (reply.ec) return reply;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    if (method == http::verb::head) parser.skip(true);
    http::read(stream_, buffer_, parser, reply.ec);
    if (reply.ec) return reply;
    auto& res = parser.get();
    reply.status = res.result_int();
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      reply.headers[name] = std::string(f.value());
    }
    reply.body = std::move(res.body());
    return reply;
  }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

Reply get(const TestServer& server, const std::string& target,
          std::vector<std::pair<std::string, std::string>> headers = {}) {
  Client client(server.port());
  return client.get(target, std::move(headers));
}

TestResponse text(std::string body, int status = 200) {
  TestResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = {{"Content-Type", "text/plain"}};
  return r;
}

std::string gunzip(const std::string& in, int window_bits) {
  z_stream z{};
  BOOST_REQUIRE(inflateInit2(&z, window_bits) == Z_OK);
  std::string out;
  char buf[16384];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  BOOST_TEST(rc == Z_STREAM_END);
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

BOOST_AUTO_TEST_SUITE(test_server)

BOOST_AUTO_TEST_CASE(listens_on_an_ephemeral_loopback_port) {
  TestServer server;
  BOOST_TEST(server.port() != 0);
  BOOST_TEST(server.url("/x") == "http://127.0.0.1:" + std::to_string(server.port()) + "/x");
  TestServer other;
  BOOST_TEST(other.port() != server.port());
}

BOOST_AUTO_TEST_CASE(routed_path_is_answered_and_the_request_logged) {
  TestServer server;
  TestResponse r = text("hello");
  r.headers.emplace_back("ETag", "\"v1\"");
  server.route("/page", r);
  auto reply = get(server, "/page?a=1&b=2", {{"X-Test", "yes"}, {"User-Agent", "tester"}});
  BOOST_TEST(!reply.ec);
  BOOST_TEST(reply.status == 200u);
  BOOST_TEST(reply.body == "hello");
  BOOST_TEST(reply.headers["etag"] == "\"v1\"");
  BOOST_TEST(reply.headers["content-length"] == "5");
  auto log = server.requests();
  BOOST_REQUIRE(log.size() == 1u);
  BOOST_TEST(log[0].method == "GET");
  BOOST_TEST(log[0].target == "/page?a=1&b=2");
  BOOST_TEST(log[0].path == "/page");
  BOOST_TEST(log[0].query == "a=1&b=2");
  BOOST_TEST(log[0].header("x-test") == "yes");
  BOOST_TEST(log[0].header("user-agent") == "tester");
  BOOST_TEST(server.hits("/page") == 1u);
  BOOST_TEST(server.hits("/other") == 0u);
}

BOOST_AUTO_TEST_CASE(unrouted_path_gets_404_or_the_fallback) {
  TestServer server;
  BOOST_TEST(get(server, "/nothing").status == 404u);
  server.fallback([](const TestRequest& req) { return text("fallback for " + req.path, 410); });
  auto reply = get(server, "/gone");
  BOOST_TEST(reply.status == 410u);
  BOOST_TEST(reply.body == "fallback for /gone");
}

BOOST_AUTO_TEST_CASE(prefix_routes_pick_the_longest_prefix_and_exact_paths_first) {
  TestServer server;
  server.route("/a/*", text("a"));
  server.route("/a/b/*", text("ab"));
  server.route("/a/b/exact", text("exact"));
  BOOST_TEST(get(server, "/a/x").body == "a");
  BOOST_TEST(get(server, "/a/b/c?q").body == "ab");
  BOOST_TEST(get(server, "/a/b/exact").body == "exact");
  BOOST_TEST(get(server, "/b").status == 404u);
}

BOOST_AUTO_TEST_CASE(throwing_handler_answers_500) {
  TestServer server;
  server.route("/boom", [](const TestRequest&) -> TestResponse { throw std::runtime_error("x"); });
  auto reply = get(server, "/boom");
  BOOST_TEST(reply.status == 500u);
  BOOST_TEST(get(server, "/nothing").status == 404u);  // and it still serves
}

BOOST_AUTO_TEST_CASE(keep_alive_serves_many_requests_on_one_connection) {
  TestServer server;
  server.route("/k", text("k"));
  Client client(server.port());
  for (int i = 0; i < 5; ++i) BOOST_TEST(client.get("/k").body == "k");
  BOOST_TEST(server.connections() == 1u);
  BOOST_TEST(server.hits("/k") == 5u);
}

BOOST_AUTO_TEST_CASE(head_gets_headers_only) {
  TestServer server;
  server.route("/h", text("body"));
  Client client(server.port());
  auto reply = client.get("/h", {}, http::verb::head);
  BOOST_TEST(!reply.ec);
  BOOST_TEST(reply.status == 200u);
  BOOST_TEST(reply.body.empty());
  BOOST_TEST(reply.headers["content-length"] == "4");  // what a GET would get
  BOOST_TEST(client.get("/h").body == "body");  // the connection is still in sync
}

BOOST_AUTO_TEST_CASE(gzip_and_deflate_bodies_are_compressed_and_labelled) {
  TestServer server;
  std::string body;
  for (int i = 0; i < 1000; ++i) body += "line " + std::to_string(i) + " of the page\n";
  for (std::string enc : {"gzip", "deflate", "br", "zstd"}) {
    TestResponse r = text(body);
    r.encoding = enc;
    server.route("/" + enc, r);
    auto reply = get(server, "/" + enc);
    BOOST_TEST(reply.status == 200u);
    BOOST_TEST(reply.headers["content-encoding"] == enc);
    BOOST_TEST(reply.body.size() < body.size() / 4, enc);
    BOOST_TEST(reply.headers["content-length"] == std::to_string(reply.body.size()));
    if (enc == "gzip") BOOST_TEST(gunzip(reply.body, 15 + 16) == body);
    if (enc == "deflate") BOOST_TEST(gunzip(reply.body, 15) == body);
  }
  BOOST_CHECK_THROW(TestServer::compress("x", "lzma"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(chunked_transfer_encoding_on_request) {
  TestServer server;
  TestResponse r = text("chunked body");
  r.headers.emplace_back("Transfer-Encoding", "chunked");
  server.route("/c", r);
  auto reply = get(server, "/c");
  BOOST_TEST(reply.headers["transfer-encoding"] == "chunked");
  BOOST_TEST(reply.body == "chunked body");
}

BOOST_AUTO_TEST_CASE(delays_are_asynchronous_and_do_not_hold_up_others) {
  TestServer server(1);  // one thread: a blocking delay would serialize everything
  TestResponse slow = text("slow");
  slow.delay = 600ms;
  server.route("/slow", slow);
  server.route("/fast", text("fast"));
  auto start = std::chrono::steady_clock::now();
  auto slow_reply = std::async(std::launch::async, [&] { return get(server, "/slow"); });
  std::this_thread::sleep_for(50ms);
  auto fast_start = std::chrono::steady_clock::now();
  BOOST_TEST(get(server, "/fast").body == "fast");
  BOOST_TEST(seconds_since(fast_start) < 0.3);
  BOOST_TEST(slow_reply.get().body == "slow");
  BOOST_TEST(seconds_since(start) >= 0.6);
}

BOOST_AUTO_TEST_CASE(stalled_response_sends_headers_and_blocks_nobody_else) {
  TestServer server(1);
  TestResponse stall = text("never sent");
  stall.fault = TestResponse::Fault::stall;
  server.route("/stall", stall);
  server.route("/fast", text("fast"));

  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  http::request<http::empty_body> req(http::verb::get, "/stall", 11);
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  http::read_header(stream, buffer, parser);
  BOOST_TEST(parser.get().result_int() == 200u);
  BOOST_TEST(parser.get()[http::field::content_length] == "10");  // declared, never sent

  BOOST_TEST(get(server, "/fast").body == "fast");
  BOOST_TEST(server.max_concurrent() == 2);  // the stall still counts as being handled

  stream.expires_after(300ms);  // applies to asynchronous operations only
  beast::error_code ec;
  http::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
  io.run();
  BOOST_TEST(ec == beast::error_code(beast::error::timeout), ec.message());  // nothing more came
}

BOOST_AUTO_TEST_CASE(reset_fault_resets_the_connection) {
  TestServer server;
  TestResponse r;
  r.fault = TestResponse::Fault::reset;
  server.route("/reset", r);
  auto reply = get(server, "/reset");
  BOOST_TEST(reply.ec == beast::error_code(asio::error::connection_reset), reply.ec.message());
}

BOOST_AUTO_TEST_CASE(close_early_sends_half_the_promised_body) {
  TestServer server;
  TestResponse r = text(std::string(1000, 'x'));
  r.fault = TestResponse::Fault::close_early;
  server.route("/short", r);
  auto reply = get(server, "/short");
  BOOST_TEST(reply.ec == beast::error_code(http::error::partial_message), reply.ec.message());
}

BOOST_AUTO_TEST_CASE(given_content_length_is_sent_as_is) {
  TestServer server;
  TestResponse r = text("tiny");
  r.headers.emplace_back("Content-Length", "100000000000");
  server.route("/huge", r);

  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  http::request<http::empty_body> req(http::verb::get, "/huge", 11);
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::dynamic_body> parser;  // string_body would reserve 100 GB
  parser.body_limit(boost::none);
  http::read_header(stream, buffer, parser);
  BOOST_TEST(parser.get()[http::field::content_length] == "100000000000");
  beast::error_code ec;
  http::read(stream, buffer, parser, ec);
  BOOST_TEST(ec == beast::error_code(http::error::partial_message), ec.message());  // the server closed after "tiny"
}

BOOST_AUTO_TEST_CASE(max_concurrent_counts_overlapping_requests) {
  TestServer server(2);
  TestResponse slow = text("s");
  slow.delay = 300ms;
  server.route("/s", slow);
  std::vector<std::future<Reply>> replies;
  for (int i = 0; i < 6; ++i)
    replies.push_back(std::async(std::launch::async, [&] { return get(server, "/s"); }));
  for (auto& f : replies) BOOST_TEST(f.get().status == 200u);
  BOOST_TEST(server.max_concurrent() == 6);
  BOOST_TEST(server.hits("/s") == 6u);
  // The client may read a response before the server's write handler has run: clear the
  // log once nothing is in progress any more.
  for (int i = 0; i < 100; ++i) {
    server.clear_log();
    if (server.max_concurrent() == 0) break;
    std::this_thread::sleep_for(10ms);
  }
  BOOST_TEST(server.max_concurrent() == 0);
  BOOST_TEST(server.hits("/s") == 0u);
  BOOST_TEST(server.requests().empty());
}

BOOST_AUTO_TEST_CASE(many_clients_with_keep_alive) {
  TestServer server(2);
  server.route("/p/*", [](const TestRequest& req) { return text("page " + req.path); });
  server.set_record_requests(false);
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 40; ++c) {
    clients.emplace_back([&, c] {
      Client client(server.port());
      for (int i = 0; i < 25; ++i) {
        std::string path = "/p/" + std::to_string(c) + "/" + std::to_string(i);
        if (client.get(path).body == "page " + path) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  BOOST_TEST(ok.load() == 1000);
  BOOST_TEST(server.connections() == 40u);
  BOOST_TEST(server.requests().empty());
  BOOST_TEST(server.hits("/p/0/0") == 1u);
}

BOOST_AUTO_TEST_CASE(destructor_drops_stalled_and_delayed_connections) {
  auto start = std::chrono::steady_clock::now();
  std::thread client, staller;
  {
    TestServer server;
    TestResponse stall;
    stall.fault = TestResponse::Fault::stall;
    server.route("/stall", stall);
    TestResponse slow;
    slow.delay = 60s;
    server.route("/slow", slow);
    client = std::thread([port = server.port()] {
      try {
        Client a(port);
        a.get("/slow");  // fails when the server goes away
      } catch (...) {
      }
    });
    staller = std::thread([port = server.port()] {
      try {
        Client b(port);
        b.get("/stall");
      } catch (...) {
      }
    });
    std::this_thread::sleep_for(100ms);
  }
  client.join();
  staller.join();
  BOOST_TEST(seconds_since(start) < 5.0);
}

BOOST_AUTO_TEST_CASE(http_date_is_imf_fixdate) {
  auto t = std::chrono::system_clock::time_point(std::chrono::seconds(784111777));
  BOOST_TEST(http_date(t) == "Sun, 06 Nov 1994 08:49:37 GMT");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::testing
