// soak: winnowd for MINUTES against a loopback farm that injects faults at random, with
// reloads, kill -9 and restarts, and a disk that fills up and is freed; then the archive is
// checked against what the farm served. Not a test of the default run: scripts/soak runs it.
//
//   soak --minutes 30 [--feeds 20] [--fault-rate 0.2] [--seed N]
//
// The farm: FEEDS RSS feeds on 127.0.0.1 that grow by one entry every few seconds (each
// lists its newest 60), their article pages, and robots.txt. A request draws a fault with
// probability --fault-rate: a connection reset, a stall, a body cut short, 500, 503, 429 with
// Retry-After, garbage bytes, a hostile page (tests/fixtures/hostile), a page whose declared
// charset lies, a gzip bomb, a slow answer. An entry counts as served once a feed listing it
// was answered in full. Every item carries the story as feed content too, so an entry whose
// page failed is still archived (from the feed), and exactly once.
//
// The archive lives on its own small tmpfs when mounting is permitted (root), so that the
// disk can fill up for real: twice in the run a file takes every free byte, winnowd must
// exit (75) on its own, the file goes and winnowd starts again. Without the mount, that
// phase is skipped and said so.
//
// At the end the farm stops growing and faulting, winnowd catches up and is stopped, and
// the archive is checked: integrity_check; each served entry archived exactly once, with
// its story's text (from the page or the feed); nothing else. Printed: requests, faults by
// kind, restarts, reloads, disk-full cycles, articles expected, archived, missing,
// duplicated, corrupted, and winnowd's peak RSS minute by minute. Exit 0 only if nothing
// is missing, duplicated or corrupted and the archive is intact.
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "daemon/archive/compress.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/farm.h"
#include "tests/daemon/probe.h"
#include "tests/daemon/temp_dir.h"
#include "tests/daemon/test_server.h"
#include "tests/daemon/winnowd_config.h"
#include "tests/page_file.h"

namespace fs = std::filesystem;
namespace farm = winnow::testing::farm;
using namespace std::chrono_literals;
using winnow::testing::Probe;
using winnow::testing::TempDir;
using winnow::testing::Daemon;
using winnow::testing::TestRequest;
using winnow::testing::TestResponse;
using winnow::testing::TestServer;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kWindow = 60;               // entries a feed lists
constexpr int kInitialEntries = 10;       // per feed at the start
constexpr auto kEntryPeriod = 6s;         // a new entry per feed this often
constexpr auto kCatchUp = 180s;           // at the end, for winnowd to archive what was served

enum class Fault { reset, stall, cut, status500, status503, status429, garbage, hostile, charset_lie, bomb, slow };
constexpr const char* kFaultNames[] = {"reset",  "stall",   "cut_short",   "500",  "503", "429",
                                       "garbage", "hostile", "charset_lie", "bomb", "slow"};
constexpr int kFaultKinds = sizeof kFaultNames / sizeof *kFaultNames;

double rss_mb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmRSS:")) return std::stod(line.substr(6)) / 1024;
  return 0;
}

// The farm: growing feeds, their pages, the faults. Thread-safe (handlers run on the
// server's threads).
class Farm {
 public:
  Farm(int feeds, double fault_rate, std::uint32_t seed)
      : feeds_(feeds), fault_rate_(fault_rate), rng_(seed), start_(Clock::now()), server_(4) {
    const fs::path corpus = fs::path(WINNOW_SOURCE_DIR) / "tests/fixtures/hostile";
    for (const auto& e : fs::directory_iterator(corpus))
      if (e.path().string().ends_with(".html.gz")) hostile_.push_back(winnow::testing::read_page_file(e.path()));
    bomb_ = winnow::archive::GzipPacker().pack(std::string(200u << 20, '\0'));  // 200 MB of zeros, a few hundred KB
    server_.route("/robots.txt", TestResponse{.headers = {{"Content-Type", "text/plain"}}, .body = "User-agent: *\nAllow: /\n"});
    server_.route("/feed/*", [this](const TestRequest& r) { return feed(r); });
    server_.route("/a/*", [this](const TestRequest& r) { return page(r); });
  }

  std::vector<std::string> feed_urls() const {
    std::vector<std::string> urls;
    for (int f = 0; f < feeds_; ++f) urls.push_back(server_.url("/feed/" + std::to_string(f)));
    return urls;
  }
  std::string page_url(int feed, int entry) const {
    return server_.url("/a/" + std::to_string(feed) + "/" + std::to_string(entry));
  }
  static farm::Story story(int feed, int entry) { return farm::make_story(std::uint32_t(feed * 100'000 + entry), 3); }

  // The end: no more entries, no more faults.
  void settle() {
    std::lock_guard lock(mutex_);
    frozen_entries_ = entries_now_locked();
    fault_rate_ = 0;
  }

  std::set<std::pair<int, int>> served() const {
    std::lock_guard lock(mutex_);
    return served_;
  }
  std::map<std::string, std::uint64_t> faults() const {
    std::lock_guard lock(mutex_);
    return faults_;
  }
  std::uint64_t requests() const { return requests_; }
  // Pages answered (200) with something else than their story: a hostile or garbage body.
  std::set<std::string> altered() const {
    std::lock_guard lock(mutex_);
    return altered_;
  }

 private:
  int entries_now_locked() const {
    if (frozen_entries_) return *frozen_entries_;
    return kInitialEntries + int((Clock::now() - start_) / kEntryPeriod);
  }

  std::optional<Fault> draw_fault() {
    std::lock_guard lock(mutex_);
    if (std::uniform_real_distribution<double>(0, 1)(rng_) >= fault_rate_) return std::nullopt;
    auto fault = Fault(std::uniform_int_distribution<int>(0, kFaultKinds - 1)(rng_));
    ++faults_[kFaultNames[int(fault)]];
    return fault;
  }

  // A fault as an answer; nullopt when the fault changes nothing of the body's meaning
  // (slow, a charset lie on ASCII text) and the caller answers normally with `tweak`.
  std::optional<TestResponse> faulted(Fault fault, bool is_page, TestResponse& tweak) {
    TestResponse r;
    switch (fault) {
      case Fault::reset: r.fault = TestResponse::Fault::reset; return r;
      case Fault::stall: r.fault = TestResponse::Fault::stall; r.body = std::string(10'000, 'x'); return r;
      case Fault::cut: r.fault = TestResponse::Fault::close_early; r.body = std::string(10'000, 'x'); return r;
      case Fault::status500: r.status = 500; r.body = "internal error"; return r;
      case Fault::status503: r.status = 503; r.body = "unavailable"; return r;
      case Fault::status429: r.status = 429; r.headers = {{"Retry-After", "2"}}; r.body = "slow down"; return r;
      case Fault::garbage: {
        std::lock_guard lock(mutex_);
        r.body.resize(20'000);
        for (char& c : r.body) c = char(rng_());
        r.headers = {{"Content-Type", is_page ? "text/html" : "application/rss+xml"}};
        return r;
      }
      case Fault::hostile: {
        std::lock_guard lock(mutex_);
        r.body = hostile_[rng_() % hostile_.size()];
        r.headers = {{"Content-Type", is_page ? "text/html; charset=utf-8" : "application/rss+xml"}};
        return r;
      }
      case Fault::bomb:
        r.headers = {{"Content-Type", is_page ? "text/html" : "application/rss+xml"}, {"Content-Encoding", "gzip"}};
        r.body = bomb_;
        return r;
      case Fault::charset_lie:
        tweak.headers = {{"Content-Type", is_page ? "text/html; charset=windows-1252" : "application/rss+xml; charset=iso-8859-1"}};
        return std::nullopt;
      case Fault::slow:
        tweak.delay = 1500ms;
        return std::nullopt;
    }
    return std::nullopt;
  }

  TestResponse feed(const TestRequest& request) {
    ++requests_;
    const int f = std::stoi(request.path.substr(std::strlen("/feed/")));
    TestResponse tweak;
    if (auto fault = draw_fault())
      if (auto r = faulted(*fault, false, tweak)) return *r;
    int n;
    {
      std::lock_guard lock(mutex_);
      n = entries_now_locked();
    }
    std::vector<farm::Item> items;
    for (int e = n - 1; e >= std::max(0, n - kWindow); --e) items.push_back(farm::item_for(story(f, e), page_url(f, e), true));
    TestResponse r = farm::plain_feed(farm::rss("Feed " + std::to_string(f), server_.url("/"), items));
    if (!tweak.headers.empty()) r.headers = tweak.headers;
    r.delay = tweak.delay;
    {
      // Served: the answer is whole from here (a slow one too, unless winnowd gives up on
      // it first; then the next poll lists the entries again).
      std::lock_guard lock(mutex_);
      for (int e = std::max(0, n - kWindow); e < n; ++e) served_.emplace(f, e);
    }
    return r;
  }

  TestResponse page(const TestRequest& request) {
    ++requests_;
    int f = 0, e = 0;
    if (std::sscanf(request.path.c_str(), "/a/%d/%d", &f, &e) != 2) return TestResponse{.status = 404};
    TestResponse tweak;
    if (auto fault = draw_fault()) {
      if (*fault == Fault::hostile || *fault == Fault::garbage) {
        std::lock_guard lock(mutex_);
        altered_.insert(request.path);
      }
      if (auto r = faulted(*fault, true, tweak)) return *r;
    }
    TestResponse r = farm::html_response(farm::page_html(story(f, e)));
    if (!tweak.headers.empty()) r.headers = tweak.headers;
    r.delay = tweak.delay;
    return r;
  }

  const int feeds_;
  double fault_rate_;
  mutable std::mutex mutex_;
  std::mt19937 rng_;
  const Clock::time_point start_;
  std::optional<int> frozen_entries_;
  std::set<std::pair<int, int>> served_;
  std::set<std::string> altered_;  // paths
  std::map<std::string, std::uint64_t> faults_;
  std::atomic<std::uint64_t> requests_{0};
  std::vector<std::string> hostile_;
  std::string bomb_;
  TestServer server_;  // last: its threads stop before the members above go
};

// A tmpfs of its own for the archive, so that the disk can really fill up.
class SmallDisk {
 public:
  explicit SmallDisk(const fs::path& dir) : dir_(dir) {
    fs::create_directories(dir_);
    mounted_ = ::mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=512m,mode=0700") == 0;
    if (!mounted_) why_ = std::strerror(errno);
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& why() const { return why_; }

  // Takes every free byte; free() gives them back.
  void fill() {
    std::ofstream out(dir_ / "filler", std::ios::binary);
    std::string block(1 << 20, 'f');
    while (out.write(block.data(), std::streamsize(block.size()))) {
    }
    out.close();
    // The last bytes, a page at a time.
    std::ofstream tail(dir_ / "filler-tail", std::ios::binary);
    std::string page(4096, 'f');
    while (tail.write(page.data(), std::streamsize(page.size())) && tail.flush()) {
    }
  }
  void free() {
    fs::remove(dir_ / "filler");
    fs::remove(dir_ / "filler-tail");
  }

 private:
  fs::path dir_;
  bool mounted_ = false;
  std::string why_;
};

}  // namespace

int main(int argc, char** argv) {
  double minutes = 30, fault_rate = 0.2;
  int feeds = 20;
  std::uint32_t seed = std::random_device{}();
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--minutes") minutes = std::stod(argv[i + 1]);
    else if (a == "--feeds") feeds = std::stoi(argv[i + 1]);
    else if (a == "--fault-rate") fault_rate = std::stod(argv[i + 1]);
    else if (a == "--seed") seed = std::uint32_t(std::stoul(argv[i + 1]));
    else {
      std::cerr << "usage: soak [--minutes M] [--feeds N] [--fault-rate R] [--seed S]\n";
      return 2;
    }
  }
  std::signal(SIGPIPE, SIG_IGN);
  std::mt19937 rng(seed);
  std::cout << "soak: " << minutes << " min, " << feeds << " feeds, fault rate " << fault_rate << ", seed " << seed
            << std::endl;

  TempDir dir("winnow-soak");
  SmallDisk disk(dir.path() / "disk");
  if (!disk.mounted())
    std::cout << "soak: no tmpfs for the archive (" << disk.why() << "): the disk-full phase is skipped" << std::endl;
  const std::string db = (dir.path() / "disk" / "archive.db").string();
  const std::string config = dir.file("winnowd.toml"), log = dir.file("winnowd.log");

  Farm farm(feeds, fault_rate, seed);
  auto toml = winnow::testing::quick_polling(farm.feed_urls(), 4);
  toml.archive = db;
  toml.connect_timeout_s = 2;
  toml.total_timeout_s = 5;
  toml.log_level = "warning";
  winnow::testing::write_config(config, toml);

  int restarts = 0, reloads = 0, disk_fulls = 0, bad_exits = 0;
  std::vector<double> peak_by_minute;
  auto daemon = std::make_unique<Daemon>(config, log);
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(minutes * 60));
  auto next_reload = start + 15s, next_kill = start + 60s;
  // The disk fills twice: at 40% and 75% of the run.
  std::vector<Clock::time_point> fills;
  if (disk.mounted()) fills = {start + (end - start) * 2 / 5, start + (end - start) * 3 / 4};

  auto sample = [&] {
    std::size_t minute = std::size_t((Clock::now() - start) / 1min);
    if (peak_by_minute.size() <= minute) peak_by_minute.resize(minute + 1, 0);
    if (daemon && daemon->running()) peak_by_minute[minute] = std::max(peak_by_minute[minute], rss_mb(daemon->pid()));
  };
  auto restart = [&] {
    daemon.reset();
    daemon = std::make_unique<Daemon>(config, log);
  };

  while (Clock::now() < end) {
    std::this_thread::sleep_for(500ms);
    sample();
    const auto now = Clock::now();
    if (!daemon->running()) {  // exited by itself: never expected here
      ++bad_exits;
      std::cout << "soak: winnowd exited unexpectedly (status " << daemon->exit_status().value_or(-1) << "); restarted"
                << std::endl;
      restart();
      continue;
    }
    if (!fills.empty() && now >= fills.front()) {
      fills.erase(fills.begin());
      disk.fill();
      auto status = daemon->terminate_after_exit(60s);
      ++disk_fulls;
      bool exited_75 = status && WIFEXITED(*status) && WEXITSTATUS(*status) == 75;
      std::cout << "soak: disk full at " << std::chrono::duration_cast<std::chrono::seconds>(now - start).count()
                << " s: winnowd " << (status ? exited_75 ? "exited 75" : "exited otherwise" : "did not exit in 60 s")
                << std::endl;
      if (!exited_75) ++bad_exits;
      disk.free();
      restart();
      ++restarts;
      continue;
    }
    if (now >= next_kill) {
      daemon->kill9();
      restart();
      ++restarts;
      next_kill = now + std::chrono::seconds(45 + rng() % 45);
    } else if (now >= next_reload) {
      daemon->reload();
      ++reloads;
      next_reload = now + std::chrono::seconds(10 + rng() % 20);
    }
  }

  // The end: everything served must make it into the archive.
  farm.settle();
  Probe probe(db, Probe::Mode::read_only);
  auto archived_count = [&]() -> std::int64_t {
    try {
      return probe.integer("SELECT count(DISTINCT url) FROM articles");
    } catch (const std::exception&) {
      return -1;
    }
  };
  const auto catch_up_end = Clock::now() + kCatchUp;
  // Entries that existed at the freeze are listed (and so served) by the polls after it.
  while (Clock::now() < catch_up_end && archived_count() < std::int64_t(farm.served().size())) {
    std::this_thread::sleep_for(1s);
    sample();
  }
  auto status = daemon->terminate(30s);
  const auto expected = farm.served();
  if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    ++bad_exits;
    std::cout << "soak: winnowd did not stop cleanly on SIGTERM ("
              << (!status ? std::string("still running after 30 s")
                          : WIFEXITED(*status) ? "exit " + std::to_string(WEXITSTATUS(*status))
                                               : "signal " + std::to_string(WTERMSIG(*status)))
              << ")" << std::endl;
  }

  std::map<std::string, std::int64_t> rows;  // url -> rows
  std::int64_t corrupted = 0, unexpected = 0, missing = 0, duplicated = 0, not_checked = 0;
  const std::set<std::string> altered = farm.altered();
  std::set<std::string> expected_urls;
  for (auto [f, e] : expected) expected_urls.insert(farm.page_url(f, e));
  for (const auto& url : probe.texts("SELECT url FROM articles")) ++rows[url];
  for (auto [f, e] : expected) {
    const std::string url = farm.page_url(f, e);
    auto it = rows.find(url);
    if (it == rows.end()) {
      if (++missing <= 5) std::cout << "missing: " << url << "\n";
      continue;
    }
    if (it->second > 1) ++duplicated;
    // The story's text, from the page or from the feed, whole; unless the page was once
    // served as something else, which may then be what was archived.
    if (altered.contains("/a/" + std::to_string(f) + "/" + std::to_string(e))) {
      ++not_checked;
      continue;
    }
    const farm::Story story = Farm::story(f, e);
    std::string text = probe.text("SELECT winnow_article_text(body, text) FROM articles WHERE url = '" + url + "' LIMIT 1");
    for (const auto& p : story.paragraphs)
      if (text.find(p) == std::string::npos) {
        if (++corrupted <= 5) std::cout << "corrupted: " << url << ": " << text.substr(0, 160) << "\n";
        break;
      }
  }
  for (const auto& [url, n] : rows)
    if (!expected_urls.contains(url) && ++unexpected <= 5) std::cout << "unexpected: " << url << "\n";
  const std::string integrity = probe.text("PRAGMA integrity_check");

  std::uint64_t fault_total = 0;
  for (const auto& [kind, n] : farm.faults()) fault_total += n;
  std::cout << "requests " << farm.requests() << ", faults " << fault_total << ":";
  for (const auto& [kind, n] : farm.faults()) std::cout << ' ' << kind << '=' << n;
  std::cout << "\nrestarts " << restarts << " (kill -9 and disk full), reloads " << reloads << ", disk full "
            << disk_fulls << (disk.mounted() ? "" : " (skipped: no tmpfs)") << ", unexpected exits " << bad_exits
            << "\n";
  std::cout << "peak RSS by minute (MB):";
  for (double mb : peak_by_minute) std::printf(" %.0f", mb);
  std::cout << "\narticles expected " << expected.size() << ", archived " << rows.size() << ", missing " << missing
            << ", duplicated " << duplicated << ", corrupted " << corrupted << " (of " << expected.size() - std::size_t(missing) - std::size_t(not_checked)
            << " checked; " << not_checked << " once served a hostile or garbage page)" << ", unexpected " << unexpected
            << ", integrity_check " << integrity << std::endl;
  const bool ok = missing == 0 && duplicated == 0 && corrupted == 0 && unexpected == 0 && integrity == "ok" &&
                  bad_exits == 0;
  std::cout << "soak: " << (ok ? "ok" : "FAILED") << std::endl;
  return ok ? 0 : 1;
}
