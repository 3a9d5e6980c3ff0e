// The service around the pipeline: the real winnowd as a child process, reconfigured with
// SIGHUP while it works against a feed farm in this process.
#include <boost/test/unit_test.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "daemon/archive/archive.h"
#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/farm.h"
#include "tests/daemon/test_server.h"
#include "tests/daemon/winnowd_config.h"

namespace winnow {
namespace {

namespace farm = winnow::testing::farm;
using namespace std::chrono_literals;
using archive::testing::Probe;
using archive::testing::TempDir;
using winnow::testing::Daemon;
using winnow::testing::TestRequest;
using winnow::testing::TestResponse;
using winnow::testing::TestServer;
using winnow::testing::wait_for;

// Serves a feed at /`name`.xml listing `entries` pages /`name`/N, each answered after `delay`.
std::string add_feed(TestServer& server, const std::string& name, int entries, std::chrono::milliseconds delay,
                     std::uint32_t seed) {
  std::vector<farm::Item> items;
  for (int n = 0; n < entries; ++n) {
    const std::string path = "/" + name + "/" + std::to_string(n);
    farm::Story story = farm::make_story(seed + std::uint32_t(n), 3);
    TestResponse page = farm::html_response(farm::page_html(story));
    page.delay = delay;
    server.route(path, page);
    items.push_back(farm::item_for(story, server.url(path), false));
  }
  server.route("/" + name + ".xml", farm::conditional_feed(farm::rss(name, server.url("/"), items),
                                                           "application/rss+xml", "\"" + name + "\""));
  return server.url("/" + name + ".xml");
}

// winnowd's configuration: `feeds`, `concurrency` requests per host, no politeness delay,
// polls a second or two apart.
void write_config(const std::string& path, const std::vector<std::string>& feeds, int concurrency) {
  auto toml = winnow::testing::quick_polling(feeds, concurrency);
  toml.log_level = "info";
  winnow::testing::write_config(path, toml);
}

std::int64_t articles(const std::string& db) {
  try {
    return Probe(db).integer("SELECT count(*) FROM articles");
  } catch (const std::exception&) {
    return -1;  // not created yet
  }
}

// A datagram socket standing in for systemd's notify socket: records what winnowd says.
class NotifySocket {
 public:
  using Clock = std::chrono::steady_clock;
  struct Message {
    Clock::time_point at;
    std::string text;
  };

  explicit NotifySocket(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (fd_ < 0 || path_.size() >= sizeof address.sun_path) throw std::runtime_error("notify socket");
    std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      throw std::runtime_error("cannot bind " + path_);
    thread_ = std::thread([this] { run(); });
  }
  ~NotifySocket() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }

  std::vector<Message> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  // Messages whose text contains `needle`.
  std::vector<Message> with(const std::string& needle) const {
    std::vector<Message> out;
    for (auto& m : messages())
      if (m.text.find(needle) != std::string::npos) out.push_back(m);
    return out;
  }

 private:
  void run() {
    char buffer[4096];
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) continue;
      std::lock_guard lock(mutex_);
      messages_.push_back({Clock::now(), std::string(buffer, std::size_t(n))});
    }
  }

  std::string path_;
  int fd_ = -1;
  mutable std::mutex mutex_;
  std::vector<Message> messages_;
  std::atomic<bool> stop_ = false;
  std::thread thread_;
};

BOOST_AUTO_TEST_SUITE(winnowd)

BOOST_AUTO_TEST_CASE(speaks_the_notify_protocol_and_keeps_the_watchdog_fed_while_working) {
  TempDir dir;
  TestServer server(4);
  const std::string feed = add_feed(server, "busy", 60, 80ms, 3400);
  const std::string config = dir.file("winnowd.toml"), db = dir.file("archive.db"), log = dir.file("winnowd.log");
  write_config(config, {feed}, 4);
  NotifySocket notify(dir.file("notify"));
  // winnowd pings at half the watchdog interval; systemd would kill it after a whole one.
  const auto watchdog = 600ms;
  Daemon daemon(config, log, {"NOTIFY_SOCKET=" + dir.file("notify"), "WATCHDOG_USEC=600000"});
  BOOST_TEST_REQUIRE(wait_for([&] { return !notify.with("READY=1").empty(); }, 10s), "see " << log);
  BOOST_TEST_REQUIRE(wait_for([&] { return articles(db) == 60; }, 15s), "see " << log);
  BOOST_TEST_REQUIRE(wait_for([&] { return notify.with("WATCHDOG=1").size() >= 5; }, 5s));
  BOOST_TEST(!notify.with("STATUS=feeds ").empty());

  const auto ready_count = notify.with("READY=1").size();
  daemon.reload();
  BOOST_TEST_REQUIRE(wait_for([&] { return notify.with("READY=1").size() > ready_count; }, 5s));
  auto reloading = notify.with("RELOADING=1");
  BOOST_TEST_REQUIRE(reloading.size() == 1u);
  BOOST_TEST((reloading[0].at <= notify.with("READY=1").back().at));

  auto status = daemon.terminate(10s);
  BOOST_TEST_REQUIRE(status.has_value());
  BOOST_TEST(WEXITSTATUS(*status) == 0);
  BOOST_TEST(notify.with("STOPPING=1").size() == 1u);

  // The watchdog was fed all along, extraction and archiving included.
  auto pings = notify.with("WATCHDOG=1");
  BOOST_TEST_REQUIRE(pings.size() >= 5u);
  double longest = 0;
  for (std::size_t i = 1; i < pings.size(); ++i)
    longest = std::max(longest, std::chrono::duration<double>(pings[i].at - pings[i - 1].at).count());
  BOOST_TEST(longest < std::chrono::duration<double>(watchdog).count(),
             "the loop went " << longest << " s without a watchdog ping");
  BOOST_TEST((pings.front().at <= notify.with("READY=1").front().at + watchdog));
}

BOOST_AUTO_TEST_CASE(unopenable_archive_fails_the_start_with_a_reason) {
  TempDir dir;
  const std::string config = dir.file("winnowd.toml"), log = dir.file("winnowd.log");
  std::ofstream(config) << "[archive]\npath = \"" << dir.file("missing/dir/archive.db") << "\"\n";
  Daemon daemon(config, log);
  auto status = daemon.terminate_after_exit(10s);
  BOOST_TEST_REQUIRE(status.has_value(), "winnowd kept running without an archive");
  BOOST_TEST(WIFEXITED(*status));
  BOOST_TEST(WEXITSTATUS(*status) == 1);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(text.find("error: cannot start") != std::string::npos, text);
  // winnowd does not create it: a missing directory is a typo or a volume not mounted.
  BOOST_TEST(text.find("the directory " + dir.file("missing/dir") + " does not exist") != std::string::npos, text);
  BOOST_TEST(!std::filesystem::exists(dir.file("missing")));
}

BOOST_AUTO_TEST_CASE(priority_prefixes_only_when_stderr_is_the_journal) {
  TempDir dir;
  TestServer server(4);
  const std::string feed = add_feed(server, "prefixed", 2, 0ms, 3500);
  const std::string config = dir.file("winnowd.toml"), db = dir.file("archive.db");
  write_config(config, {feed}, 2);
  // Not the journal (a file, as here, or a terminal): the level in words, none for info, and
  // an info line per archived article, as docs/operation.md promises.
  {
    const std::string log = dir.file("plain.log");
    Daemon daemon(config, log);
    BOOST_TEST_REQUIRE(wait_for([&] { return articles(db) == 2; }, 15s), "see " << log);
    BOOST_TEST_REQUIRE(daemon.terminate(10s).has_value());
    const std::string text = winnow::testing::read_file(log);
    BOOST_TEST(text.find("<6>") == std::string::npos, text);
    BOOST_TEST(text.find("\nstarted config=") != std::string::npos, text);
    BOOST_TEST(text.find("\narchived id=") != std::string::npos, text);
  }
  // JOURNAL_STREAM naming stderr's file, as systemd sets it: journald's prefixes.
  {
    const std::string log = dir.file("journal.log");
    std::ofstream(log).flush();
    struct stat st {};
    BOOST_TEST_REQUIRE(::stat(log.c_str(), &st) == 0);
    Daemon daemon(config, log, {"JOURNAL_STREAM=" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino)});
    BOOST_TEST_REQUIRE(daemon.wait_loaded(10s).has_value(), "see " << log);
    BOOST_TEST_REQUIRE(daemon.terminate(10s).has_value());
    const std::string text = winnow::testing::read_file(log);
    BOOST_TEST(text.starts_with("<6>"), text);
    BOOST_TEST(text.find("\n<6>stopped") != std::string::npos, text);
  }
}

BOOST_AUTO_TEST_CASE(second_winnowd_on_one_archive_is_refused) {
  TempDir dir;
  TestServer server(4);
  const std::string feed = add_feed(server, "once", 20, 50ms, 3500);
  const std::string config = dir.file("winnowd.toml"), db = dir.file("archive.db"), log = dir.file("winnowd.log"),
                    second_log = dir.file("second.log");
  write_config(config, {feed}, 2);
  Daemon first(config, log);
  BOOST_TEST_REQUIRE(first.wait_loaded(10s).has_value(), "see " << log);
  Daemon second(config, second_log);
  auto refused = second.terminate_after_exit(10s);
  BOOST_TEST_REQUIRE(refused.has_value(), "a second winnowd ran on the same archive");
  BOOST_TEST(WIFEXITED(*refused));
  BOOST_TEST(WEXITSTATUS(*refused) == 1);
  const std::string text = winnow::testing::read_file(second_log);
  BOOST_TEST(text.find("error: cannot start") != std::string::npos, text);
  BOOST_TEST(text.find(db + " is in use by another winnowd (pid " + std::to_string(first.pid()) + ")") !=
                 std::string::npos,
             text);
  // The first one carries on alone: every page fetched once.
  BOOST_TEST_REQUIRE(wait_for([&] { return articles(db) == 20; }, 15s), "see " << log);
  for (int n = 0; n < 20; ++n) BOOST_TEST(server.hits("/once/" + std::to_string(n)) == 1u);
  auto status = first.terminate(10s);
  BOOST_TEST_REQUIRE(status.has_value());
  BOOST_TEST(WEXITSTATUS(*status) == 0);
  // Its exit released the lock: the next winnowd starts.
  Daemon next(config, second_log);
  BOOST_TEST(next.wait_loaded(10s).has_value(), "see " << second_log);
  BOOST_TEST(next.running());
}

BOOST_AUTO_TEST_CASE(sighup_adds_configured_feeds_and_applies_new_politeness_limits) {
  TempDir dir;
  TestServer server(4);
  const std::string first = add_feed(server, "first", 6, 100ms, 3000);
  const std::string second = add_feed(server, "second", 9, 300ms, 3100);
  const std::string config = dir.file("winnowd.toml"), db = dir.file("archive.db"), log = dir.file("winnowd.log");
  write_config(config, {first}, 1);
  Daemon daemon(config, log);
  BOOST_TEST_REQUIRE(wait_for([&] { return articles(db) == 6; }, 10s), "see " << log);
  BOOST_TEST(server.max_concurrent() == 1);
  BOOST_TEST(server.hits("/second.xml") == 0u);

  server.clear_log();
  write_config(config, {first, second}, 3);
  daemon.reload();
  BOOST_TEST_REQUIRE(wait_for([&] { return articles(db) == 15; }, 10s), "see " << log);
  BOOST_TEST(daemon.running());
  // Nine pages of 300 ms each: with the reloaded limit they overlap, three at a time.
  BOOST_TEST(server.max_concurrent() == 3, "at most " << server.max_concurrent() << " requests at once after the reload");
  for (int n = 0; n < 9; ++n) BOOST_TEST(server.hits("/second/" + std::to_string(n)) == 1u);
  auto status = daemon.terminate(10s);
  BOOST_TEST_REQUIRE(status.has_value());
  BOOST_TEST(WEXITSTATUS(*status) == 0);
}

BOOST_AUTO_TEST_CASE(feed_with_a_bad_byte_keeps_every_entry_and_is_warned_about_once_and_listed) {
  TempDir dir;
  TestServer server;
  std::vector<farm::Item> items;
  for (int n = 0; n < 3; ++n) {
    const std::string path = "/bad/" + std::to_string(n);
    farm::Story story = farm::make_story(3300 + std::uint32_t(n), 3);
    server.route(path, farm::html_response(farm::page_html(story)));
    items.push_back(farm::item_for(story, server.url(path), false));
  }
  server.route("/bad.xml", farm::plain_feed(farm::rss_with_a_bad_byte("Bad byte", server.url("/"), items)));
  const std::string config = dir.file("winnowd.toml"), db = dir.file("archive.db"), log = dir.file("winnowd.log");
  write_config(config, {server.url("/bad.xml")}, 1);
  Daemon daemon(config, log);
  BOOST_TEST_REQUIRE(wait_for([&] { return articles(db) == 3; }, 10s), "see " << log);
  BOOST_TEST_REQUIRE(wait_for([&] { return server.hits("/bad.xml") >= 3u; }, 10s));
  auto status = daemon.terminate(10s);
  BOOST_TEST_REQUIRE(status.has_value());
  std::ifstream in(log);
  std::string line;
  int warnings = 0;
  while (std::getline(in, line))
    if (line.starts_with("warning: feed is broken but usable") && line.find("not valid UTF-8") != std::string::npos) ++warnings;
  // Polled three times, the same note: warned about once.
  BOOST_TEST(warnings == 1, "see " << log);

  const std::string out = dir.file("list.txt"), err = dir.file("list.err");
  for (const bool json : {false, true}) {
    std::vector<std::string> argv = {WINNOW_PATH, "feeds", "list", "--config", config};
    if (json) argv.push_back("--json");
    auto listed = winnow::testing::run_command(argv, out, err, 20s);
    BOOST_TEST_REQUIRE(listed.has_value());
    BOOST_TEST(WEXITSTATUS(*listed) == 0);
    std::ifstream list(out);
    const std::string text((std::istreambuf_iterator<char>(list)), std::istreambuf_iterator<char>());
    BOOST_TEST(text.find("broken feed: not valid UTF-8: 1 sequence read as U+FFFD") != std::string::npos, text);
    BOOST_TEST(text.find(json ? "\"broken\":true" : "broken ") != std::string::npos, text);
  }
}

BOOST_AUTO_TEST_CASE(sighup_with_a_broken_config_keeps_the_running_one) {
  TempDir dir;
  TestServer server(4);
  const std::string first = add_feed(server, "first", 3, 0ms, 3200);
  const std::string second = add_feed(server, "second", 3, 0ms, 3300);
  const std::string config = dir.file("winnowd.toml"), db = dir.file("archive.db"), log = dir.file("winnowd.log");
  write_config(config, {first}, 2);
  Daemon daemon(config, log);
  BOOST_TEST_REQUIRE(wait_for([&] { return articles(db) == 3; }, 10s), "see " << log);

  std::ofstream(config, std::ios::trunc) << "[politeness]\nper_host_concurrency = \"many\"\n[feeds]\nurls = [\""
                                         << second << "\"]\n";
  daemon.reload();
  const auto polls = server.hits("/first.xml");
  // Still polling the feed of the old configuration, and nothing of the broken one applied.
  BOOST_TEST_REQUIRE(wait_for([&] { return server.hits("/first.xml") >= polls + 2; }, 10s), "see " << log);
  BOOST_TEST(daemon.running());
  BOOST_TEST(server.hits("/second.xml") == 0u);

  // A good configuration later is applied as usual.
  write_config(config, {first, second}, 2);
  daemon.reload();
  BOOST_TEST_REQUIRE(wait_for([&] { return articles(db) == 6; }, 10s), "see " << log);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(text.find("reload failed") != std::string::npos);
  auto status = daemon.terminate(10s);
  BOOST_TEST_REQUIRE(status.has_value());
  BOOST_TEST(WEXITSTATUS(*status) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow
