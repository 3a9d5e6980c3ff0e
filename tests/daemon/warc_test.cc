// WARC records of what was really received: `winnow crawl` (the real binary) fetches pages
// from a raw loopback server that sends exact bytes (an unusual status and reason, repeated
// and odd headers, a gzipped chunked body, a redirect before it, HTTP/1.0), and a file://
// page; `winnow export --format warc --gzip` writes them; the WARC is read back here (member
// by member) and each response record must hold the status line and headers as sent, with
// only the framing fields masked for the decoded body, and every digest must verify.
// Python's warcio would be a second reader, but Debian 12 does not package it (and nothing
// may come from pip), so this strict reader (warc_reader.h) is the only one.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "daemon/archive/digest.h"
#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/farm.h"
#include "tests/daemon/test_server.h"
#include "tests/daemon/warc_reader.h"

namespace winnow {
namespace {

namespace asio = boost::asio;
namespace farm = winnow::testing::farm;
using namespace std::chrono_literals;
using archive::warc_sha1;
using archive::testing::Probe;
using archive::testing::TempDir;
using archive::testing::WarcRecord;
using winnow::testing::read_file;
using winnow::testing::run_command;

// Answers each connection's request with the bytes routed to its path, byte for byte, then
// closes it. One connection at a time, on a thread of its own: the crawls here are small.
class RawServer {
 public:
  RawServer() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { serve(); });
  }
  ~RawServer() {
    stopping_ = true;
    boost::system::error_code ignored;
    asio::ip::tcp::socket wake(io_);
    wake.connect(acceptor_.local_endpoint(), ignored);  // ends the blocking accept
    thread_.join();
  }
  void route(const std::string& path, std::string bytes) { routes_[path] = std::move(bytes); }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + path;
  }

 private:
  void serve() {
    while (!stopping_) {
      boost::system::error_code ec;
      asio::ip::tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      std::string request;
      asio::read_until(socket, asio::dynamic_buffer(request), "\r\n\r\n", ec);
      if (ec) continue;
      // "GET /path HTTP/1.1"
      const auto first = request.find(' ');
      const auto second = request.find(' ', first + 1);
      const std::string path = request.substr(first + 1, second - first - 1);
      const auto it = routes_.find(path);
      const std::string answer =
          it != routes_.end() ? it->second : "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      asio::write(socket, asio::buffer(answer), ec);
      socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    }
  }

  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::map<std::string, std::string> routes_;  // set before the first request
  std::atomic<bool> stopping_ = false;
  std::thread thread_;
};

// `body` as two chunks and the last one.
std::string chunked(const std::string& body) {
  const std::size_t half = body.size() / 2;
  auto chunk = [](std::string_view part) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", part.size());
    return std::string(size) + std::string(part) + "\r\n";
  };
  return chunk(std::string_view(body).substr(0, half)) + chunk(std::string_view(body).substr(half)) + "0\r\n\r\n";
}

struct WarcSite {
  WarcSite() {
    std::ofstream(config) << "[fetch]\nallow_private = true\n[politeness]\nmin_delay_s = 0\n";
    server.route("/moved", "HTTP/1.1 301 Moved Permanently\r\nLocation: /odd\r\nX-Hop: first\r\n"
                           "Content-Length: 0\r\nConnection: close\r\n\r\n");
    server.route("/odd", odd_head + chunked(winnow::testing::TestServer::compress(odd_html, "gzip")));
    server.route("/plain", plain_head + plain_html);
    std::ofstream(file_page) << file_html;
  }

  int winnow_verb(const std::string& verb, std::vector<std::string> args) {
    std::vector<std::string> argv = {WINNOW_PATH, verb};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--config", config, "--archive", db});
    auto status = run_command(argv, out, err, 20s);
    BOOST_TEST_REQUIRE(status.has_value(), "winnow " << verb << " did not finish");
    BOOST_TEST_REQUIRE(WIFEXITED(*status));
    return WEXITSTATUS(*status);
  }

  // The export's records by WARC-Type and target URI.
  std::map<std::pair<std::string, std::string>, WarcRecord> export_warc() {
    BOOST_TEST_REQUIRE(winnow_verb("export", {"--format", "warc", "--gzip", "--output", warc_path}) == 0,
                       read_file(err));
    std::string whole;
    for (const auto& member : archive::testing::gunzip_members(read_file(warc_path))) whole += member;
    std::map<std::pair<std::string, std::string>, WarcRecord> records;
    for (auto& record : archive::testing::read_warc(whole)) {
      // Every record's digests verify; a response's payload digest is checked where it is
      // split below.
      BOOST_TEST(record.field("warc-block-digest") == warc_sha1(record.block), record.field("warc-target-uri"));
      if (record.field("warc-type") == "resource")
        BOOST_TEST(record.field("warc-payload-digest") == warc_sha1(record.block));
      const auto key = std::make_pair(record.field("warc-type"), record.field("warc-target-uri"));
      records.emplace(key, std::move(record));
    }
    return records;
  }

  TempDir dir;
  RawServer server;
  const std::string config = dir.file("winnow.toml");
  const std::string db = dir.file("archive.db");
  const std::string out = dir.file("out.txt");
  const std::string err = dir.file("err.txt");
  const std::string warc_path = dir.file("out.warc.gz");
  const std::string file_page = dir.file("page.html");
  const std::string odd_html = farm::page_html(farm::make_story(7101));
  const std::string plain_html = farm::page_html(farm::make_story(7102));
  const std::string file_html = farm::page_html(farm::make_story(7103));
  const std::string odd_head =
      "HTTP/1.1 203 Quite Non-Authoritative\r\nContent-Type: text/html; charset=utf-8\r\nX-Custom: 1\r\n"
      "set-cookie: a=b; Path=/\r\nSet-Cookie: c=d\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close\r\n\r\n";
  const std::string plain_head = "HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
                                 std::to_string(plain_html.size()) + "\r\nX-Custom:  spaced \r\n\r\n";
};

BOOST_AUTO_TEST_SUITE(warc)

BOOST_AUTO_TEST_CASE(response_records_hold_the_status_line_and_headers_as_sent) {
  WarcSite site;
  BOOST_TEST_REQUIRE(site.winnow_verb("crawl", {site.server.url("/moved"), site.server.url("/plain")}) == 0,
                     read_file(site.err));
  BOOST_TEST_REQUIRE(Probe(site.db).integer("SELECT count(*) FROM articles") == 2, read_file(site.err));
  const auto records = site.export_warc();

  // After the redirect: the final response's head only, the wire framing masked (the body is
  // stored de-chunked and gunzipped), everything else as sent, in order.
  const auto odd = records.find({"response", site.server.url("/odd")});
  BOOST_TEST_REQUIRE((odd != records.end()));
  const auto [odd_head, odd_payload] = archive::testing::split_http(odd->second.block);
  BOOST_TEST(odd_head ==
             "HTTP/1.1 203 Quite Non-Authoritative\r\nContent-Type: text/html; charset=utf-8\r\nX-Custom: 1\r\n"
             "set-cookie: a=b; Path=/\r\nSet-Cookie: c=d\r\nX-Crawler-Content-Encoding: gzip\r\n"
             "X-Crawler-Transfer-Encoding: chunked\r\nConnection: close\r\nContent-Length: " +
                 std::to_string(site.odd_html.size()) + "\r\n\r\n");
  BOOST_TEST(odd_payload == site.odd_html);
  BOOST_TEST(odd->second.field("warc-payload-digest") == warc_sha1(site.odd_html));
  BOOST_TEST(odd->second.field("content-type") == "application/http; msgtype=response");
  BOOST_TEST(odd->second.field("warc-protocol") == "");
  BOOST_TEST(odd_head.find("X-Hop") == std::string::npos);

  // Nothing to mask: the head is the one sent, byte for byte, HTTP/1.0 and all.
  const auto plain = records.find({"response", site.server.url("/plain")});
  BOOST_TEST_REQUIRE((plain != records.end()));
  const auto [plain_head, plain_payload] = archive::testing::split_http(plain->second.block);
  BOOST_TEST(plain_head == site.plain_head);
  BOOST_TEST(plain_payload == site.plain_html);
  BOOST_TEST(plain->second.field("warc-payload-digest") == warc_sha1(site.plain_html));

  // Each conversion refers to its response.
  for (const auto* page : {&odd->second, &plain->second}) {
    const auto conversion = records.find({"conversion", page->field("warc-target-uri")});
    BOOST_TEST_REQUIRE((conversion != records.end()));
    BOOST_TEST(conversion->second.field("warc-refers-to") == page->field("warc-record-id"));
  }

  // reextract keeps the head: the export after it is the same.
  BOOST_TEST_REQUIRE(site.winnow_verb("reextract", {"--all"}) == 0, read_file(site.err));
  const auto again = site.export_warc();
  const auto odd_again = again.find({"response", site.server.url("/odd")});
  BOOST_TEST_REQUIRE((odd_again != again.end()));
  BOOST_TEST(odd_again->second.block == odd->second.block);
}

BOOST_AUTO_TEST_CASE(a_file_page_is_a_resource_record_of_its_own_type) {
  WarcSite site;
  BOOST_TEST_REQUIRE(site.winnow_verb("crawl", {site.file_page}) == 0, read_file(site.err));
  Probe probe(site.db);
  BOOST_TEST_REQUIRE(probe.integer("SELECT count(*) FROM articles") == 1, read_file(site.err));
  const std::string url = probe.text("SELECT url FROM articles");
  const std::string type = probe.text("SELECT content_type FROM articles");
  const auto records = site.export_warc();
  BOOST_TEST(records.count({"response", url}) == 0u);
  const auto page = records.find({"resource", url});
  BOOST_TEST_REQUIRE((page != records.end()), url);
  BOOST_TEST(page->second.block == site.file_html);
  // curl names no type for a file: the row has none, and the record says only "bytes".
  BOOST_TEST(page->second.field("content-type") == (type.empty() ? "application/octet-stream" : type));
  const auto conversion = records.find({"conversion", url});
  BOOST_TEST_REQUIRE((conversion != records.end()));
  BOOST_TEST(conversion->second.field("warc-refers-to") == page->second.field("warc-record-id"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow
