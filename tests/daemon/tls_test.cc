// https and HTTP/2 against a real server on 127.0.0.1: nghttpd (Debian's nghttp2-server,
// installed by scripts/setup) with a certificate made for the test by the openssl command.
// The Fetcher verifies certificates: a page is fetched over HTTP/2 when the test's CA is
// trusted (FetcherOptions::ca_file, `[fetch] ca_file`) and refused when it is not, and
// `winnow crawl` archives a feed served that way.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/archive/digest.h"
#include "daemon/fetch/fetcher.h"
#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/farm.h"
#include "tests/daemon/warc_reader.h"

namespace winnow {
namespace {

namespace asio = boost::asio;
namespace farm = winnow::testing::farm;
using namespace std::chrono_literals;
using archive::testing::Probe;
using archive::testing::TempDir;
using fetch::FetchErrc;
using fetch::Fetcher;
using fetch::FetcherOptions;
using fetch::FetchRequest;
using fetch::FetchResult;
using winnow::testing::run_command;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The first of `names` found in /usr/sbin or /usr/bin.
std::string program(const std::string& name) {
  for (const char* dir : {"/usr/sbin/", "/usr/bin/"})
    if (std::filesystem::exists(dir + name)) return dir + name;
  return {};
}

// A port on 127.0.0.1 that was free a moment ago.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool accepts_connections(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// nghttpd serving `htdocs` over TLS on 127.0.0.1 with a fresh self-signed certificate for
// that address; stopped by the destructor.
class Nghttpd {
 public:
  Nghttpd() {
    const std::string nghttpd = program("nghttpd"), openssl = program("openssl");
    BOOST_TEST_REQUIRE(!nghttpd.empty(), "nghttpd is missing: scripts/setup installs nghttp2-server");
    BOOST_TEST_REQUIRE(!openssl.empty(), "openssl is missing: scripts/setup installs it");
    std::filesystem::create_directories(htdocs);
    auto made = run_command({openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                             "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert},
                            dir.file("openssl.out"), dir.file("openssl.err"), 60s);
    BOOST_TEST_REQUIRE((made && WIFEXITED(*made) && WEXITSTATUS(*made) == 0), read_file(dir.file("openssl.err")));
    port = free_port();
    std::vector<std::string> argv = {nghttpd, "--address=127.0.0.1", "--htdocs=" + htdocs, "--verbose",
                                     std::to_string(port), key, cert};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    const int rc = posix_spawn(&pid_, argv[0].c_str(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    BOOST_TEST_REQUIRE(rc == 0, "cannot start nghttpd");
    BOOST_TEST_REQUIRE(winnow::testing::wait_for([&] { return accepts_connections(port); }, 10s),
                       "nghttpd did not listen: " << read_file(log));
  }
  ~Nghttpd() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Nghttpd(const Nghttpd&) = delete;
  Nghttpd& operator=(const Nghttpd&) = delete;

  void put(const std::string& path, const std::string& body) {
    std::filesystem::create_directories(std::filesystem::path(htdocs + path).parent_path());
    std::ofstream(htdocs + path, std::ios::binary) << body;
  }
  std::string url(const std::string& path) const { return "https://127.0.0.1:" + std::to_string(port) + path; }

  TempDir dir;
  const std::string htdocs = dir.file("htdocs");
  const std::string key = dir.file("key.pem");
  const std::string cert = dir.file("cert.pem");
  const std::string log = dir.file("nghttpd.log");
  int port = 0;

 private:
  pid_t pid_ = -1;
};

FetchResult fetch_once(const std::string& url, const FetcherOptions& options) {
  asio::io_context io;
  Fetcher fetcher(io, options);
  std::optional<FetchResult> result;
  FetchRequest request;
  request.url = url;
  fetcher.fetch(std::move(request), [&](FetchResult r) { result = std::move(r); });
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!result && std::chrono::steady_clock::now() < deadline) io.run_for(10ms);
  BOOST_TEST_REQUIRE(result.has_value(), "the fetch never completed");
  return *result;
}

BOOST_AUTO_TEST_SUITE(tls)

BOOST_AUTO_TEST_CASE(https_page_comes_over_http2_when_the_ca_is_trusted) {
  Nghttpd server;
  server.put("/story.html", "<html><body><p>Served over TLS.</p></body></html>");
  FetcherOptions options;
  options.ca_file = server.cert;
  options.allow_private = true;  // the server is on 127.0.0.1
  auto r = fetch_once(server.url("/story.html"), options);
  BOOST_TEST(r.error == FetchErrc::ok, r.error_message);
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.http_version == "2");
  BOOST_TEST(r.body == "<html><body><p>Served over TLS.</p></body></html>");
  // The head as curl reports it: "HTTP/2", field names in lower case as HTTP/2 sends them.
  BOOST_TEST(r.http_head.starts_with("HTTP/2 200"), r.http_head);
  BOOST_TEST(r.http_head.find("\r\nserver: nghttpd") != std::string::npos, r.http_head);
  BOOST_TEST(r.http_head.ends_with("\r\n\r\n"));
}

BOOST_AUTO_TEST_CASE(certificate_of_an_untrusted_ca_is_refused) {
  Nghttpd server;
  server.put("/story.html", "<p>never read</p>");
  FetcherOptions options;  // the system's CAs only
  options.allow_private = true;
  auto r = fetch_once(server.url("/story.html"), options);
  BOOST_TEST(r.error == FetchErrc::tls, r.error_message);
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.body.empty());
}

BOOST_AUTO_TEST_CASE(crawl_archives_a_feed_served_over_https_with_ca_file_in_the_config) {
  Nghttpd server;
  std::vector<farm::Item> items;
  std::vector<farm::Story> stories;
  for (int n = 0; n < 2; ++n) {
    stories.push_back(farm::make_story(7000 + std::uint32_t(n)));
    const std::string path = "/a/" + std::to_string(n) + ".html";
    server.put(path, farm::page_html(stories.back()));
    items.push_back(farm::item_for(stories.back(), server.url(path), false));
  }
  server.put("/feed.xml", farm::rss("Secure", server.url("/"), items));
  TempDir dir;
  const std::string config = dir.file("winnow.toml"), db = dir.file("archive.db");
  std::ofstream(config) << "[fetch]\nca_file = \"" << server.cert << "\"\nallow_private = true\n[politeness]\nmin_delay_s = 0\n";
  auto status = run_command({WINNOW_PATH, "crawl", server.url("/feed.xml"), "--archive", db, "--config", config},
                            dir.file("out.txt"), dir.file("err.txt"), 30s);
  BOOST_TEST_REQUIRE(status.has_value(), "winnow crawl did not finish");
  BOOST_TEST((WIFEXITED(*status) && WEXITSTATUS(*status) == 0), read_file(dir.file("err.txt")));
  Probe probe(db);
  BOOST_TEST(probe.integer("SELECT count(*) FROM articles WHERE source = 'page'") == 2, read_file(dir.file("err.txt")));
  BOOST_TEST(probe.text("SELECT winnow_article_text(body, text) FROM articles WHERE url = '" + server.url("/a/1.html") + "'")
                 .find(stories[1].paragraphs[0]) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_http2_page_is_exported_as_an_http11_response_record_marked_h2) {
  Nghttpd server;
  const std::string html = farm::page_html(farm::make_story(7050));
  server.put("/h2.html", html);
  TempDir dir;
  const std::string config = dir.file("winnow.toml"), db = dir.file("archive.db"), warc = dir.file("out.warc");
  std::ofstream(config) << "[fetch]\nca_file = \"" << server.cert << "\"\nallow_private = true\n[politeness]\nmin_delay_s = 0\n";
  for (std::vector<std::string> verb : {std::vector<std::string>{"crawl", server.url("/h2.html")},
                                        std::vector<std::string>{"export", "--format", "warc", "--output", warc}}) {
    std::vector<std::string> argv = {WINNOW_PATH};
    argv.insert(argv.end(), verb.begin(), verb.end());
    argv.insert(argv.end(), {"--archive", db, "--config", config});
    auto status = run_command(argv, dir.file("out.txt"), dir.file("err.txt"), 30s);
    BOOST_TEST_REQUIRE(status.has_value(), "winnow " << verb[0] << " did not finish");
    BOOST_TEST_REQUIRE((WIFEXITED(*status) && WEXITSTATUS(*status) == 0), read_file(dir.file("err.txt")));
  }
  const std::string received = Probe(db).text("SELECT http_head FROM raw_pages");
  BOOST_TEST_REQUIRE(received.starts_with("HTTP/2 200"), received);
  const auto records = archive::testing::read_warc(read_file(warc));
  const auto response = std::find_if(records.begin(), records.end(),
                                     [](const auto& r) { return r.field("warc-type") == "response"; });
  BOOST_TEST_REQUIRE((response != records.end()));
  BOOST_TEST(response->field("warc-protocol") == "h2");
  BOOST_TEST(response->field("warc-target-uri") == server.url("/h2.html"));
  BOOST_TEST(response->field("warc-block-digest") == archive::warc_sha1(response->block));
  const auto [head, payload] = archive::testing::split_http(response->block);
  // Only the status line changes: the fields stay as received, lower-case names and all.
  BOOST_TEST(head == "HTTP/1.1 200 \r\n" + received.substr(received.find("\r\n") + 2));
  BOOST_TEST(payload == html);
  BOOST_TEST(response->field("warc-payload-digest") == archive::warc_sha1(html));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow
