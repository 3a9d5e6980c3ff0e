// The Fetcher's network policy against a real server on 127.0.0.1: a discovered URL is
// refused at connect time, whatever form its host takes, before any connection or request;
// an operator's URL is not, nor its redirects on the same host; a reused connection is
// checked again. Addresses off this machine (169.254.169.254, 10.0.0.1) appear only in URLs
// that must be refused before a socket exists: the test fails (by timeout or by the error)
// if one were ever connected to.
#include "daemon/fetch/fetcher.h"

#include "tests/daemon/test_server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace winnow::fetch {
namespace {

namespace asio = boost::asio;
using testing::TestResponse;
using testing::TestServer;
using namespace std::chrono_literals;

// The secure default, as winnowd has it without [fetch] allow_private.
FetcherOptions default_policy() {
  FetcherOptions o;
  o.user_agent = "winnow-test/1.0";
  o.connect_timeout_ms = 2'000;
  o.total_timeout_ms = 5'000;
  return o;
}

// The requests run one after the other on one Fetcher, so a later one may reuse an earlier
// one's connection.
std::vector<FetchResult> fetch_all(std::vector<FetchRequest> requests, const FetcherOptions& options) {
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  Fetcher fetcher(io, options);
  std::vector<FetchResult> results;
  for (auto& request : requests) {
    std::optional<FetchResult> result;
    fetcher.fetch(std::move(request), [&](FetchResult r) { result = std::move(r); });
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (!result && std::chrono::steady_clock::now() < deadline) io.run_for(5ms);
    BOOST_REQUIRE_MESSAGE(result, "the fetch never completed");
    results.push_back(std::move(*result));
  }
  return results;
}

FetchRequest discovered(std::string url) {
  FetchRequest r;
  r.url = std::move(url);
  return r;
}

FetchRequest listed(std::string url) {
  FetchRequest r;
  r.url = std::move(url);
  r.origin = Origin::operator_given;
  return r;
}

FetchResult fetch_one(FetchRequest request, const FetcherOptions& options = default_policy()) {
  return fetch_all({std::move(request)}, options).front();
}

TestResponse page(std::string body) {
  TestResponse r;
  r.body = std::move(body);
  r.headers = {{"Content-Type", "text/html"}};
  return r;
}

TestResponse redirect(std::string to) {
  TestResponse r;
  r.status = 302;
  r.headers = {{"Location", std::move(to)}};
  return r;
}

std::string port_of(const TestServer& server) { return std::to_string(server.port()); }

BOOST_AUTO_TEST_SUITE(fetch_policy)

BOOST_AUTO_TEST_CASE(discovered_loopback_url_is_refused_before_connecting) {
  TestServer server;
  server.route("/a", page("secret"));
  auto r = fetch_one(discovered(server.url("/a")));
  BOOST_TEST(r.error == FetchErrc::blocked_address, r.error_message);
  BOOST_TEST(r.error_message == "refused 127.0.0.1 for " + server.url("/a") + ": loopback address");
  BOOST_TEST(r.blocked_address == "127.0.0.1");
  BOOST_TEST(r.blocked_range == "loopback address");
  BOOST_TEST(r.body.empty());
  BOOST_TEST(server.connections() == 0u);
  BOOST_TEST(server.requests().empty());
}

BOOST_AUTO_TEST_CASE(every_spelling_of_this_machine_is_refused) {
  TestServer server;
  server.fallback([](const auto&) { return page("secret"); });
  const std::string port = port_of(server);
  // The resolver, not the URL parser, turns these into addresses: the check sees 127.0.0.1
  // (or ::1, ::ffff:127.0.0.1, 0.0.0.0) whichever way the host is written.
  for (std::string host : {"127.0.0.1", "localhost", "LocalHost", "2130706433", "127.1", "0x7f.1", "0177.0.0.1",
                           "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "0.0.0.0", "[::]"}) {
    auto r = fetch_one(discovered("http://" + host + ":" + port + "/x"));
    BOOST_TEST(r.error == FetchErrc::blocked_address, host << ": " << r.error << " " << r.error_message);
    BOOST_TEST(r.error_message.find("refused ") == 0u, r.error_message);
  }
  BOOST_TEST(server.connections() == 0u);
}

BOOST_AUTO_TEST_CASE(link_local_and_private_addresses_are_refused_without_a_packet) {
  // No socket is opened: the answer comes at once, not after the connect timeout.
  for (std::string url : {"http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/admin",
                          "https://192.168.1.1/", "http://[fe80::1]/", "http://100.64.0.1/", "http://[fd00::1]:8080/"}) {
    auto started = std::chrono::steady_clock::now();
    auto r = fetch_one(discovered(url));
    BOOST_TEST(r.error == FetchErrc::blocked_address, url << ": " << r.error << " " << r.error_message);
    bool at_once = std::chrono::steady_clock::now() - started < 1s;
    BOOST_TEST(at_once, url);
  }
  auto r = fetch_one(discovered("http://169.254.169.254/latest/meta-data/"));
  BOOST_TEST(r.error_message == "refused 169.254.169.254 for http://169.254.169.254/latest/meta-data/: link-local address");
}

BOOST_AUTO_TEST_CASE(operator_url_may_be_local) {
  TestServer server;
  server.route("/feed.xml", page("feed"));
  auto r = fetch_one(listed(server.url("/feed.xml")));
  BOOST_TEST(r.error == FetchErrc::ok, r.error_message);
  BOOST_TEST(r.body == "feed");
}

BOOST_AUTO_TEST_CASE(operator_url_redirects_freely_on_its_own_host_only) {
  TestServer server;
  server.route("/moved", redirect(server.url("/feed.xml")));
  server.route("/away", redirect("http://localhost:" + port_of(server) + "/feed.xml"));
  server.route("/feed.xml", page("feed"));
  auto same = fetch_one(listed(server.url("/moved")));
  BOOST_TEST(same.error == FetchErrc::ok, same.error_message);
  BOOST_TEST(same.body == "feed");
  // Another host (though the same machine) is where the operator did not point: the policy
  // for discovered URLs applies.
  auto other = fetch_one(listed(server.url("/away")));
  BOOST_TEST(other.error == FetchErrc::blocked_address, other.error_message);
  BOOST_TEST(other.error_message.find(" for http://localhost:") != std::string::npos, other.error_message);
  BOOST_TEST(server.hits("/feed.xml") == 1u);
}

BOOST_AUTO_TEST_CASE(redirect_of_a_discovered_url_is_checked_at_every_hop) {
  TestServer server;
  server.route("/hop", redirect(server.url("/inside")));
  server.route("/inside", page("secret"));
  FetcherOptions options = default_policy();
  options.allow_hosts = {"localhost"};  // the first hop's host, by name; 127.0.0.1 is not listed
  auto r = fetch_one(discovered("http://localhost:" + port_of(server) + "/hop"), options);
  BOOST_TEST(r.error == FetchErrc::blocked_address, r.error_message);
  BOOST_TEST(r.error_message == "refused 127.0.0.1 for " + server.url("/inside") + ": loopback address");
  BOOST_TEST(server.hits("/hop") == 1u);
  BOOST_TEST(server.hits("/inside") == 0u);
}

BOOST_AUTO_TEST_CASE(a_connection_an_operator_url_opened_is_not_reused_for_a_discovered_one) {
  TestServer server;
  server.route("/feed.xml", page("feed"));
  server.route("/a", page("secret"));
  auto results = fetch_all({listed(server.url("/feed.xml")), discovered(server.url("/a"))}, default_policy());
  BOOST_TEST(results[0].error == FetchErrc::ok, results[0].error_message);
  BOOST_TEST(results[1].error == FetchErrc::blocked_address, results[1].error_message);
  BOOST_TEST(server.hits("/a") == 0u);
  BOOST_TEST(server.connections() == 1u);  // the kept-alive one was offered, and refused
}

BOOST_AUTO_TEST_CASE(allow_private_and_allow_hosts_open_the_policy) {
  TestServer server;
  server.route("/a", page("local"));
  FetcherOptions all = default_policy();
  all.allow_private = true;
  BOOST_TEST(fetch_one(discovered(server.url("/a")), all).error == FetchErrc::ok);

  FetcherOptions by_address = default_policy();
  by_address.allow_hosts = {"127.0.0.0/8"};
  BOOST_TEST(fetch_one(discovered(server.url("/a")), by_address).error == FetchErrc::ok);
  BOOST_TEST(fetch_one(discovered("http://127.1:" + port_of(server) + "/a"), by_address).error == FetchErrc::ok);

  FetcherOptions by_name = default_policy();
  by_name.allow_hosts = {"localhost"};
  BOOST_TEST(fetch_one(discovered("http://localhost:" + port_of(server) + "/a"), by_name).error == FetchErrc::ok);
  BOOST_TEST(fetch_one(discovered(server.url("/a")), by_name).error == FetchErrc::blocked_address);
  BOOST_TEST(server.hits("/a") == 4u);
}

BOOST_AUTO_TEST_CASE(a_bad_allow_hosts_entry_is_refused_at_construction) {
  asio::io_context io;
  FetcherOptions options = default_policy();
  options.allow_hosts = {"10.0.0.1/8"};
  BOOST_CHECK_THROW(Fetcher(io, options), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::fetch
