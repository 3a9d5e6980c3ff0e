// daemon/api/server.h in process: the limits that keep one client from stalling the rest.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>

#include "daemon/api/server.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/http_client.h"

namespace winnow::testing {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using api::HttpResponse;

// A Server on a loop thread of its own; the handler echoes the method, target and body size.
struct Running {
  explicit Running(api::ServerLimits limits) {
    server = std::make_unique<api::Server>(loop, "127.0.0.1:0", "", limits, [](std::shared_ptr<api::Exchange> ex) {
      const auto& request = ex->request();
      HttpResponse response{http::status::ok, 11};
      response.set(http::field::content_type, "text/plain");
      response.body() = std::string(request.method_string()) + " " + std::string(request.target()) + " " +
                        std::to_string(request.body().size());
      if (request.target() == "/later") {
        // Answered from another thread, a while later.
        std::thread([ex, response]() mutable {
          std::this_thread::sleep_for(100ms);
          ex->respond(std::move(response));
        }).detach();
        return;
      }
      ex->respond(std::move(response));
    });
    address = server->tcp_address();
    thread = std::thread([this] { loop.run(); });
  }
  ~Running() {
    asio::post(loop, [this] { server.reset(); });
    work.reset();
    loop.stop();
    thread.join();
  }

  asio::io_context loop;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{loop.get_executor()};
  std::unique_ptr<api::Server> server;
  std::string address;
  std::thread thread;
};

api::ServerLimits small_limits() {
  api::ServerLimits limits;
  limits.max_connections = 50;
  limits.max_body_bytes = 1000;
  limits.request_timeout = std::chrono::seconds(1);
  limits.idle_timeout = std::chrono::seconds(1);
  return limits;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(api_server)

BOOST_AUTO_TEST_CASE(answers_now_and_later_from_another_thread) {
  Running r(small_limits());
  auto now = http_get(r.address, "/x?y=1");
  BOOST_TEST(now.status == 200);
  BOOST_TEST(now.body == "GET /x?y=1 0");
  auto later = http_get(r.address, "/later");
  BOOST_TEST(later.status == 200);
  BOOST_TEST(later.body == "GET /later 0");
}

BOOST_AUTO_TEST_CASE(keep_alive_serves_several_requests_on_one_connection) {
  Running r(small_limits());
  const std::string two = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  auto answer = raw_exchange(r.address, two, 5s);
  BOOST_TEST(answer.find("GET /a 0") != std::string::npos, answer);
  BOOST_TEST(answer.find("GET /b 0") != std::string::npos, answer);
}

BOOST_AUTO_TEST_CASE(head_gets_the_length_without_the_body) {
  Running r(small_limits());
  auto answer = raw_exchange(r.address, "HEAD /abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5s);
  BOOST_TEST(answer.find("Content-Length: 11\r\n") != std::string::npos, answer);
  BOOST_TEST(answer.ends_with("\r\n\r\n"), answer);
}

BOOST_AUTO_TEST_CASE(malformed_request_is_a_json_400_and_the_connection_closes) {
  Running r(small_limits());
  auto answer = raw_exchange(r.address, "NOT HTTP AT ALL\r\n\r\n", 5s);
  BOOST_TEST(answer.starts_with("HTTP/1.1 400"), answer);
  BOOST_TEST(answer.find("\"code\":\"bad_request\"") != std::string::npos, answer);
}

BOOST_AUTO_TEST_CASE(oversized_body_is_413_before_it_is_read) {
  Running r(small_limits());
  auto answer = raw_exchange(r.address,
                             "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n" + std::string(2000, 'a'), 5s);
  BOOST_TEST(answer.starts_with("HTTP/1.1 413"), answer);
  BOOST_TEST(answer.find("body_too_large") != std::string::npos, answer);
  // Within the limit it is read and handed over.
  auto fine = http_request(r.address, "POST", "/x", {{"Content-Type", "text/plain"}}, std::string(900, 'a'));
  BOOST_TEST(fine.body == "POST /x 900");
}

BOOST_AUTO_TEST_CASE(oversized_headers_are_431) {
  Running r(small_limits());
  auto answer = raw_exchange(r.address,
                             "GET /x HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'b') + "\r\n\r\n", 5s);
  BOOST_TEST(answer.starts_with("HTTP/1.1 431"), answer);
}

BOOST_AUTO_TEST_CASE(a_client_that_never_finishes_its_request_is_dropped_after_the_timeout) {
  Running r(small_limits());
  const auto start = std::chrono::steady_clock::now();
  // Half a request line, then silence: closed by the server, not by our 10 s patience.
  auto answer = raw_exchange(r.address, "GET /slow HTTP/1.1\r\nHost:", 10s);
  const auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(answer.empty(), answer);
  BOOST_TEST(took < 5s);
  BOOST_TEST(took >= 900ms);
}

BOOST_AUTO_TEST_CASE(connections_past_the_limit_are_closed_and_the_rest_still_served) {
  Running r(small_limits());
  asio::io_context io;
  std::vector<asio::ip::tcp::socket> idle;
  const auto colon = r.address.rfind(':');
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(r.address.substr(0, colon)),
                                         static_cast<unsigned short>(std::stoi(r.address.substr(colon + 1))));
  for (int i = 0; i < 49; ++i) {
    idle.emplace_back(io);
    idle.back().connect(endpoint);
  }
  BOOST_TEST(wait_for([&] { return r.server->connections() == 49; }, 5s));
  // The fiftieth is served; the fifty-first finds the door shut.
  BOOST_TEST(http_get(r.address, "/fifty").status == 200);
  BOOST_TEST(wait_for([&] { return r.server->connections() == 49; }, 5s));
  asio::ip::tcp::socket one_more(io), extra(io);
  one_more.connect(endpoint);
  BOOST_TEST(wait_for([&] { return r.server->connections() == 50; }, 5s));
  extra.connect(endpoint);
  char byte;
  boost::system::error_code ec;
  extra.read_some(asio::buffer(&byte, 1), ec);
  BOOST_TEST(ec == asio::error::eof);
  // Idle ones time out, and the server takes new clients again.
  BOOST_TEST(wait_for([&] { return r.server->connections() == 0; }, 5s));
  BOOST_TEST(http_get(r.address, "/after").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace winnow::testing
