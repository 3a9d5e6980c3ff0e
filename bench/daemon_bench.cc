// End-to-end benchmark of winnowd: a farm of RSS feeds and article pages served on
// 127.0.0.1 by the Beast test server in this process, winnowd started as a child process
// on a config written to a temp dir, and every figure taken from outside: the archive
// (read-only SQLite beside winnowd's writer; WAL allows it), /proc/PID and wait4().
//
//   daemon_bench [--farm-feeds N] [--entries M] [--timeout-s S] [--log-level L] [--keep]
//       Throughput (default 1,000 feeds x 20 entries): articles archived per second from
//       the start of winnowd to its last article, CPU seconds per article, peak RSS.
//   daemon_bench --feeds N
//       Memory per scheduled feed: RSS of winnowd holding N feeds (written to the archive
//       beforehand, next poll a day away, so none is polled) minus RSS with an empty archive.
//
//   Common: [--winnowd PATH] [--server-threads N] [--pages DIR]
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "daemon/archive/archive.h"
#include "tests/daemon/test_server.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using winnow::testing::TestRequest;
using winnow::testing::TestResponse;
using winnow::testing::TestServer;

// Targets set by the owner for this 2-core machine.
constexpr double kTargetArticlesPerS = 300;
constexpr double kTargetPeakRssMb = 250;
constexpr double kTargetExtraMbPer100kFeeds = 100;

// The farm's politeness: every feed and page is on 127.0.0.1, so the whole farm is one host
// to winnowd; the shipped defaults (2 at once, 1 s apart) would measure the politeness
// delay, not the pipeline.
constexpr int kFarmPerHostConcurrency = 32;
constexpr double kFarmMinDelayS = 0;

// Words of the entry-specific sentences added to each page, so that no two archived texts
// are the same.
constexpr std::array<std::string_view, 64> kWords = {
    "council", "river",    "budget",  "minister", "harbour", "station", "market",   "winter",
    "report",  "village",  "bridge",  "school",   "doctors", "farmers", "election", "museum",
    "storm",   "railway",  "tax",     "company",  "police",  "court",   "orchard",  "factory",
    "energy",  "festival", "library", "union",    "airport", "coast",   "forest",   "hospital",
    "said",    "reported", "agreed",  "rejected", "opened",  "closed",  "raised",   "delayed",
    "after",   "before",   "despite", "during",   "across",  "beyond",  "under",    "within",
    "new",     "local",    "annual",  "record",   "early",   "late",    "quiet",    "sudden",
    "plans",   "figures",  "costs",   "crowds",   "talks",   "repairs", "votes",    "results"};
constexpr int kSentenceWords = 8;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// ---- pages ------------------------------------------------------------------------------

struct GzFileClose {
  void operator()(gzFile_s* f) const noexcept { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzFileClose>;

std::string read_file(const fs::path& path) {
  std::string out;
  if (path.extension() == ".gz") {
    GzFile f(gzopen(path.c_str(), "rb"));
    if (!f) throw std::runtime_error("cannot open " + path.string());
    std::array<char, 1 << 16> buffer;
    int n = 0;
    while ((n = gzread(f.get(), buffer.data(), unsigned(buffer.size()))) > 0) out.append(buffer.data(), std::size_t(n));
    if (n < 0) throw std::runtime_error("cannot decompress " + path.string());
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string lowercase_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

// Replaces every `from` (ASCII case-insensitive) by `to` of the same length.
void overwrite_all(std::string& page, std::string_view from, std::string_view to) {
  const std::string lower = lowercase_ascii(page);
  for (auto at = lower.find(from); at != std::string::npos; at = lower.find(from, at + from.size()))
    page.replace(at, from.size(), to);
}

// One real page cut where the bench splices in entry-specific bytes: the page's canonical
// URL right after <head>, and a short sentence at the end of every paragraph or line. The pages are
// each served ~110 times; the sentences keep the copies' texts (and SimHashes) apart
// whichever paragraphs the extractor keeps. One sentence in the longest paragraph only was
// not enough: 29% of the copies then stayed within kNearDuplicateBits.
struct PageTemplate {
  std::vector<std::string> pieces;  // the canonical link goes before pieces[1], a sentence before each later one
  std::size_t bytes() const {
    std::size_t n = 0;
    for (const auto& p : pieces) n += p.size();
    return n;
  }
};

PageTemplate make_template(std::string page) {
  // The pages name their own canonical URL (JSON-LD "url", <link rel=canonical>, og:url).
  // Served ~110 times each, every copy would then be a URL duplicate of the first and never
  // archived; the bench gives each copy its own canonical link instead. Same lengths, so
  // the page keeps its size.
  overwrite_all(page, "canonical", "canonicax");
  overwrite_all(page, "og:url", "og:urx");
  overwrite_all(page, "\"url\"", "\"urx\"");

  const std::string lower = lowercase_ascii(page);
  std::size_t head_end = 0;
  for (auto at = lower.find("<head"); at != std::string::npos; at = lower.find("<head", at + 5)) {
    char next = at + 5 < lower.size() ? lower[at + 5] : '\0';
    if (next != '>' && next != ' ' && next != '\t' && next != '\n' && next != '\r') continue;  // <header>
    auto close = lower.find('>', at);
    if (close != std::string::npos) head_end = close + 1;
    break;
  }
  std::vector<std::size_t> cuts = {head_end};
  // Paragraph ends, and line breaks for pages that set their text with <br> (some of the
  // Korean and blog pages have no </p> at all).
  for (std::string_view mark : {"</p>", "<br"})
    for (auto at = lower.find(mark, head_end); at != std::string::npos; at = lower.find(mark, at + mark.size()))
      cuts.push_back(at);
  std::sort(cuts.begin() + 1, cuts.end());
  if (cuts.size() == 1) {  // no paragraphs: one sentence before </body>
    auto body_end = lower.rfind("</body");
    cuts.push_back(body_end == std::string::npos || body_end < head_end ? page.size() : body_end);
  }
  PageTemplate t;
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    t.pieces.push_back(page.substr(from, cut - from));
    from = cut;
  }
  t.pieces.push_back(page.substr(from));
  return t;
}

std::vector<PageTemplate> load_pages(const fs::path& dir, fs::path& used) {
  std::vector<fs::path> files;
  for (const fs::path& candidate : {dir, fs::path(WINNOW_SOURCE_DIR) / "tests/fixtures/seeds"}) {
    std::error_code ec;
    if (!fs::is_directory(candidate, ec)) continue;
    for (const auto& entry : fs::directory_iterator(candidate)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && (name.ends_with(".html.gz") || name.ends_with(".html")))
        files.push_back(entry.path());
    }
    if (!files.empty()) {
      used = candidate;
      break;
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<PageTemplate> pages;
  for (const auto& f : files) pages.push_back(make_template(read_file(f)));
  return pages;
}

// Words that only this entry has, as one sentence per call; the first names the entry.
class EntryWords {
 public:
  EntryWords(int feed, int entry)
      : state_((std::uint64_t(feed) << 32) ^ std::uint64_t(entry) ^ 0x5eedull),
        marker_(" Bench note " + std::to_string(feed) + "-" + std::to_string(entry) + ".") {}

  void append_sentence(std::string& out) {
    if (!marker_.empty()) {
      out += marker_;
      marker_.clear();
    }
    for (int i = 0; i < kSentenceWords; ++i) {
      std::string_view word = kWords[splitmix64(state_) % kWords.size()];
      out += ' ';
      out += i == 0 ? char(word[0] - 'a' + 'A') : word[0];
      out += word.substr(1);
    }
    out += '.';
  }

 private:
  std::uint64_t state_;
  std::string marker_;
};

// ---- the farm ---------------------------------------------------------------------------

struct FarmCounters {
  std::atomic<std::uint64_t> feeds{0}, pages{0}, robots{0}, other{0};
  std::uint64_t total() const { return feeds + pages + robots + other; }
};

// "/prefix/12/3" -> {12, 3}; "/prefix/12" -> {12, -1}.
std::optional<std::pair<int, int>> parse_ids(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return std::nullopt;
  path.remove_prefix(prefix.size());
  int a = 0, b = -1;
  auto [p, ec] = std::from_chars(path.data(), path.data() + path.size(), a);
  if (ec != std::errc()) return std::nullopt;
  if (p != path.data() + path.size()) {
    if (*p != '/') return std::nullopt;
    auto [q, ec2] = std::from_chars(p + 1, path.data() + path.size(), b);
    if (ec2 != std::errc() || q != path.data() + path.size()) return std::nullopt;
  }
  return std::pair{a, b};
}

class Farm {
 public:
  Farm(const std::vector<PageTemplate>& pages, int feeds, int entries, unsigned threads)
      : pages_(pages), feeds_(feeds), entries_(entries), server_(threads) {
    server_.set_record_requests(false);
    TestResponse robots;
    robots.headers = {{"Content-Type", "text/plain"}};
    robots.body = "User-agent: *\nAllow: /\n";
    server_.route("/robots.txt", [this, robots](const TestRequest&) {
      ++counters_.robots;
      return robots;
    });
    server_.route("/feed/*", [this](const TestRequest& r) { return feed(r); });
    server_.route("/a/*", [this](const TestRequest& r) { return page(r); });
    server_.fallback([this](const TestRequest&) {
      ++counters_.other;
      TestResponse none;
      none.status = 404;
      none.body = "not found";
      return none;
    });
  }

  std::string feed_url(int f) const { return server_.url("/feed/" + std::to_string(f)); }
  std::string url(std::string_view path) const { return server_.url(path); }
  const FarmCounters& counters() const { return counters_; }
  std::size_t connections() const { return server_.connections(); }

 private:
  TestResponse feed(const TestRequest& r) {
    auto ids = parse_ids(r.path, "/feed/");
    if (!ids || ids->first < 0 || ids->first >= feeds_ || ids->second != -1) return not_found();
    ++counters_.feeds;
    const int f = ids->first;
    const auto base = std::chrono::system_clock::now();
    std::string xml;
    xml.reserve(600 + std::size_t(entries_) * 420);
    xml += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\n<title>Bench feed ";
    xml += std::to_string(f) + "</title>\n<link>" + server_.url("/site/" + std::to_string(f)) + "</link>\n";
    xml += "<description>Feed " + std::to_string(f) + " of the daemon_bench farm</description>\n";
    for (int e = 0; e < entries_; ++e) {
      const std::string id = std::to_string(f) + "-" + std::to_string(e);
      xml += "<item><title>Bench story " + id + "</title>";
      xml += "<link>" + server_.url("/a/" + std::to_string(f) + "/" + std::to_string(e)) + "</link>";
      xml += "<guid isPermaLink=\"false\">urn:winnow-bench:" + id + "</guid>";
      xml += "<pubDate>" + winnow::testing::http_date(base - std::chrono::hours(e + 1)) + "</pubDate>";
      xml += "<description>Summary of bench story " + id + ".</description></item>\n";
    }
    xml += "</channel></rss>\n";
    TestResponse out;
    out.headers = {{"Content-Type", "application/rss+xml; charset=utf-8"}};
    out.body = std::move(xml);
    return out;
  }

  TestResponse page(const TestRequest& r) {
    auto ids = parse_ids(r.path, "/a/");
    if (!ids || ids->first < 0 || ids->first >= feeds_ || ids->second < 0 || ids->second >= entries_)
      return not_found();
    ++counters_.pages;
    const auto [f, e] = *ids;
    const PageTemplate& t = pages_[std::size_t(f * entries_ + e) % pages_.size()];
    EntryWords words(f, e);
    TestResponse out;
    out.headers = {{"Content-Type", "text/html"}};
    out.body.reserve(t.bytes() + t.pieces.size() * 80 + 128);
    for (std::size_t i = 0; i < t.pieces.size(); ++i) {
      if (i == 1) out.body += "<link rel=\"canonical\" href=\"" + server_.url(r.path) + "\">";
      else if (i > 1) words.append_sentence(out.body);
      out.body += t.pieces[i];
    }
    return out;
  }

  TestResponse not_found() {
    ++counters_.other;
    TestResponse none;
    none.status = 404;
    none.body = "not found";
    return none;
  }

  const std::vector<PageTemplate>& pages_;
  const int feeds_;
  const int entries_;
  FarmCounters counters_;
  TestServer server_;  // last: its threads stop before the members above go
};

// ---- /proc ------------------------------------------------------------------------------

struct ProcCpu {
  double user_s = 0, system_s = 0;
  double total() const { return user_s + system_s; }
};

// utime and stime of /proc/PID/stat or /proc/PID/task/TID/stat.
std::optional<ProcCpu> read_cpu(const fs::path& stat_path) {
  std::ifstream in(stat_path);
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  auto paren = line.rfind(')');  // the command name may hold spaces and parentheses
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(paren + 2));
  std::vector<std::string> f;
  std::string field;
  while (fields >> field) f.push_back(field);
  // Fields from 3 (state) on; utime is field 14, stime 15.
  if (f.size() < 13) return std::nullopt;
  const double tick = double(sysconf(_SC_CLK_TCK));
  return ProcCpu{std::stod(f[11]) / tick, std::stod(f[12]) / tick};
}

// A "VmRSS:"-style figure of /proc/PID/status, in MB.
std::optional<double> read_status_mb(pid_t pid, std::string_view key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(key)) continue;
    return std::strtod(line.c_str() + key.size(), nullptr) / 1024.0;  // kB
  }
  return std::nullopt;
}

struct ThreadCpu {
  pid_t tid;
  std::string name;
  double cpu_s;
};

std::vector<ThreadCpu> thread_cpu(pid_t pid) {
  std::vector<ThreadCpu> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    pid_t tid = pid_t(std::atoi(entry.path().filename().c_str()));
    auto cpu = read_cpu(entry.path() / "stat");
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (cpu) out.push_back({tid, name, cpu->total()});
  }
  std::sort(out.begin(), out.end(), [](const ThreadCpu& a, const ThreadCpu& b) { return a.tid < b.tid; });
  return out;
}

double self_cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

// ---- winnowd as a child -----------------------------------------------------------------

struct UniqueFd {
  int fd = -1;
  explicit UniqueFd(int f = -1) : fd(f) {}
  ~UniqueFd() {
    if (fd >= 0) ::close(fd);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
};

// winnowd started on a config; its stderr is read line by line on a thread of ours, copied
// to a log file, and watched for the "feeds loaded" line. Killed if still running when
// destroyed (the bench failed), and by the kernel if the bench dies (PR_SET_PDEATHSIG).
class Winnowd {
 public:
  Winnowd(const std::string& binary, const fs::path& config, const fs::path& log_path) : log_(log_path) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    UniqueFd read_end(fds[0]), write_end(fds[1]);
    const std::string config_arg = config.string();
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      // Only async-signal-safe calls between fork and exec: the bench has threads.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);
      dup2(write_end.fd, STDERR_FILENO);
      execl(binary.c_str(), binary.c_str(), "--config", config_arg.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    started_ = Clock::now();
    fd_ = read_end.fd;
    read_end.fd = -1;
    reader_ = std::thread([this] { read_stderr(); });
  }

  ~Winnowd() {
    if (running()) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (reader_.joinable()) reader_.join();
    if (fd_ >= 0) ::close(fd_);
  }

  pid_t pid() const { return pid_; }
  Clock::time_point started() const { return started_; }

  bool running() {
    if (exited_) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      exit_status_ = status;
      return false;
    }
    return true;
  }

  // Waits for "feeds loaded feeds=N"; returns N, or nullopt on timeout or exit.
  std::optional<long> wait_loaded(std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [this] { return loaded_feeds_.has_value() || eof_; });
    return loaded_feeds_;
  }

  // SIGTERM, then reaps it (SIGKILL after `grace`); returns the CPU seconds of its whole life.
  double stop(std::chrono::seconds grace) {
    if (!exited_) {
      ::kill(pid_, SIGTERM);
      auto deadline = Clock::now() + grace;
      rusage ru{};
      int status = 0;
      for (;;) {
        pid_t r = wait4(pid_, &status, WNOHANG, &ru);
        if (r == pid_) break;
        if (Clock::now() > deadline) {
          ::kill(pid_, SIGKILL);
          wait4(pid_, &status, 0, &ru);
          std::fprintf(stderr, "daemon_bench: winnowd did not stop within %lld s; killed\n", (long long)grace.count());
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      exited_ = true;
      exit_status_ = status;
      auto s = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
      life_cpu_s_ = s(ru.ru_utime) + s(ru.ru_stime);
    }
    if (reader_.joinable()) reader_.join();
    return life_cpu_s_;
  }

  int exit_status() const { return exit_status_; }
  std::size_t lines(char level) const {
    std::lock_guard lock(mutex_);
    return level_lines_[std::size_t(level - '0') % 10];
  }
  std::deque<std::string> last_lines() const {
    std::lock_guard lock(mutex_);
    return last_;
  }
  std::vector<std::string> first_problems() const {
    std::lock_guard lock(mutex_);
    return problems_;
  }

 private:
  void read_stderr() {
    std::string pending;
    std::array<char, 1 << 14> buffer;
    for (;;) {
      ssize_t n = ::read(fd_, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      pending.append(buffer.data(), std::size_t(n));
      std::size_t start = 0;
      for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', start)) {
        on_line(std::string_view(pending).substr(start, nl - start));
        start = nl + 1;
      }
      pending.erase(0, start);
    }
    std::lock_guard lock(mutex_);
    eof_ = true;
    changed_.notify_all();
  }

  void on_line(std::string_view line) {
    log_ << line << '\n';
    std::lock_guard lock(mutex_);
    if (line.size() > 2 && line[0] == '<' && line[1] >= '0' && line[1] <= '9') {
      ++level_lines_[std::size_t(line[1] - '0')];
      if (line[1] <= '4' && problems_.size() < 8) problems_.emplace_back(line);
    }
    last_.emplace_back(line);
    if (last_.size() > 20) last_.pop_front();
    constexpr std::string_view kLoaded = "feeds loaded feeds=";
    if (auto at = line.find(kLoaded); at != std::string_view::npos) {
      loaded_feeds_ = std::strtol(std::string(line.substr(at + kLoaded.size())).c_str(), nullptr, 10);
      changed_.notify_all();
    }
  }

  std::ofstream log_;
  pid_t pid_ = -1;
  int fd_ = -1;
  Clock::time_point started_;
  bool exited_ = false;
  int exit_status_ = 0;
  double life_cpu_s_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<long> loaded_feeds_;
  bool eof_ = false;
  std::array<std::size_t, 10> level_lines_{};
  std::deque<std::string> last_;
  std::vector<std::string> problems_;
  std::thread reader_;  // last: started once everything above is ready
};

// ---- the archive, read-only -------------------------------------------------------------

struct DbClose {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using DbHandle = std::unique_ptr<sqlite3, DbClose>;
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

// A reader beside winnowd's writer. Each query is its own short read transaction, so it
// never holds back winnowd's checkpoints for long.
class ArchiveReader {
 public:
  explicit ArchiveReader(const fs::path& path) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    db_.reset(db);
    if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + path.string() + " read-only");
    sqlite3_busy_timeout(db, 2000);
  }

  // The first column of the first row of `sql`; nullopt on any error (e.g. no table yet).
  std::optional<std::int64_t> integer(const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql, -1, &raw, nullptr) != SQLITE_OK) return std::nullopt;
    StmtHandle stmt(raw);
    if (sqlite3_step(stmt.get()) != SQLITE_ROW) return std::nullopt;
    return sqlite3_column_int64(stmt.get(), 0);
  }

 private:
  DbHandle db_;
};

// ---- temp dir and config ----------------------------------------------------------------

class TempDir {
 public:
  explicit TempDir(bool keep) : keep_(keep) {
    std::string pattern = (fs::temp_directory_path() / "winnow-dbench-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!keep_) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  bool keep_;
};

struct ConfigParams {
  fs::path archive;
  std::vector<std::string> urls;
  std::string log_level = "info";
};

void write_config(const fs::path& path, const ConfigParams& p) {
  std::ofstream out(path);
  out << "# Written by daemon_bench.\n[archive]\npath = \"" << p.archive.string() << "\"\n\n[feeds]\nurls = [\n";
  for (const auto& url : p.urls) out << "  \"" << url << "\",\n";
  out << "]\n\n[fetch]\nuser_agent = \"winnow-bench/0.1\"\nmax_connections = 256\n\n"
      << "[politeness]\nper_host_concurrency = " << kFarmPerHostConcurrency << "\nmin_delay_s = " << kFarmMinDelayS
      << "\nobey_robots = true   # the farm serves a permissive robots.txt\n\n"
      // A day between polls: each feed is polled once during a run.
      << "[schedule]\nmin_interval_min = 1440\nmax_interval_h = 48\ndefault_interval_min = 1440\n\n"
      << "[extract]\nworkers = 0\n\n[log]\nlevel = \"" << p.log_level << "\"\n";
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// ---- options ----------------------------------------------------------------------------

struct Options {
  std::string winnowd = WINNOWD_PATH;
  fs::path pages_dir = fs::path(WINNOW_SOURCE_DIR) / "../shared/bench/zyte/html";
  int farm_feeds = 1000;
  int entries = 20;
  long memory_feeds = 0;  // --feeds N: the memory mode
  int timeout_s = 600;
  unsigned server_threads = 2;
  std::string log_level = "info";
  bool keep = false;
};

constexpr const char* kUsage =
    "usage: daemon_bench [--farm-feeds N] [--entries M] [--timeout-s S] [--log-level L] [--keep]\n"
    "       daemon_bench --feeds N          (memory per scheduled feed)\n"
    "  common: [--winnowd PATH] [--server-threads N] [--pages DIR]\n";

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) throw std::invalid_argument(std::string(a) + " needs a value");
      return argv[++i];
    };
    if (a == "--farm-feeds") o.farm_feeds = std::atoi(value());
    else if (a == "--entries") o.entries = std::atoi(value());
    else if (a == "--feeds") o.memory_feeds = std::atol(value());
    else if (a == "--timeout-s") o.timeout_s = std::atoi(value());
    else if (a == "--server-threads") o.server_threads = unsigned(std::atoi(value()));
    else if (a == "--log-level") o.log_level = value();
    else if (a == "--winnowd") o.winnowd = value();
    else if (a == "--pages") o.pages_dir = value();
    else if (a == "--keep") o.keep = true;
    else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else
      throw std::invalid_argument("unknown argument " + std::string(a));
  }
  if (o.farm_feeds < 1 || o.entries < 1 || o.timeout_s < 1 || o.server_threads < 1 || o.memory_feeds < 0)
    throw std::invalid_argument("counts and times must be positive");
  return o;
}

void print_machine() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model = "?";
  while (std::getline(cpuinfo, line))
    if (line.starts_with("model name")) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("machine: %u cores (nproc), %s; load average at start %.2f\n", std::thread::hardware_concurrency(),
              model.c_str(), load[0]);
}

void print_problems(const Winnowd& d) {
  auto problems = d.first_problems();
  if (problems.empty()) return;
  std::printf("first warnings/errors of winnowd:\n");
  for (const auto& p : problems) std::printf("  %s\n", p.c_str());
}

void print_tail(const Winnowd& d) {
  std::fprintf(stderr, "last lines of winnowd's log:\n");
  for (const auto& l : d.last_lines()) std::fprintf(stderr, "  %s\n", l.c_str());
}

const char* verdict(bool ok) { return ok ? "meets target" : "MISSES target"; }

// ---- throughput -------------------------------------------------------------------------

int run_throughput(const Options& o) {
  fs::path pages_dir;
  auto load_start = Clock::now();
  const auto pages = load_pages(o.pages_dir, pages_dir);
  if (pages.empty()) throw std::runtime_error("no pages in " + o.pages_dir.string() + " nor in the seeds");
  std::size_t page_bytes = 0;
  for (const auto& p : pages) page_bytes += p.bytes();
  const long target = long(o.farm_feeds) * o.entries;

  std::printf("== daemon_bench: throughput ==\n");
  print_machine();
  std::printf("pages: %zu real pages from %s, mean %.0f KB, loaded in %.2f s\n", pages.size(),
              pages_dir.lexically_normal().c_str(), double(page_bytes) / double(pages.size()) / 1024,
              seconds_since(load_start));
  std::printf("farm: %d RSS feeds x %d entries = %ld articles on 127.0.0.1 (%u server threads, uncompressed)\n",
              o.farm_feeds, o.entries, target, o.server_threads);
  std::printf("winnowd config: per_host_concurrency = %d, min_delay_s = %g (tuned for the farm: every feed is on\n"
              "  127.0.0.1, one host; defaults are 2 and 1.0), obey_robots = true (permissive robots.txt),\n"
              "  intervals 24 h (each feed polled once), extract.workers = 0 (one per core), log.level = %s\n",
              kFarmPerHostConcurrency, kFarmMinDelayS, o.log_level.c_str());

  TempDir tmp(o.keep);
  Farm farm(pages, o.farm_feeds, o.entries, o.server_threads);
  ConfigParams cp;
  cp.archive = tmp.path() / "archive.db";
  cp.log_level = o.log_level;
  for (int f = 0; f < o.farm_feeds; ++f) cp.urls.push_back(farm.feed_url(f));
  write_config(tmp.path() / "winnowd.toml", cp);
  std::fflush(stdout);

  const double bench_cpu_start = self_cpu_s();
  Winnowd daemon(o.winnowd, tmp.path() / "winnowd.toml", tmp.path() / "winnowd.log");
  const auto t0 = daemon.started();
  if (!daemon.wait_loaded(std::chrono::seconds(60))) {
    print_tail(daemon);
    throw std::runtime_error("winnowd did not load its feeds within 60 s");
  }
  ArchiveReader reader(cp.archive);

  std::optional<double> first_s, last_s;
  std::int64_t archived = 0;
  auto next_report = t0 + std::chrono::seconds(10);
  std::int64_t archived_at_report = 0;
  bool died = false;
  std::printf("progress (every 10 s):\n");
  for (;;) {
    archived = reader.integer("SELECT count(*) FROM articles").value_or(archived);
    const double t = seconds_since(t0);
    if (archived > 0 && !first_s) first_s = t;
    if (archived >= target) {
      last_s = t;
      break;
    }
    if (!daemon.running()) {
      died = true;
      break;
    }
    if (t > o.timeout_s) break;
    if (Clock::now() >= next_report) {
      auto cpu = read_cpu("/proc/" + std::to_string(daemon.pid()) + "/stat");
      std::printf("  t=%4.0f s  archived=%6lld (%5.1f/s)  served feeds=%5llu pages=%6llu  winnowd cpu=%6.1f s  rss=%5.0f MB\n",
                  t, (long long)archived, double(archived - archived_at_report) / 10.0,
                  (unsigned long long)farm.counters().feeds.load(),
                  (unsigned long long)farm.counters().pages.load(), cpu ? cpu->total() : 0.0,
                  read_status_mb(daemon.pid(), "VmRSS:").value_or(0));
      std::fflush(stdout);
      next_report += std::chrono::seconds(10);
      archived_at_report = archived;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double end_s = last_s.value_or(seconds_since(t0));
  const double bench_cpu = self_cpu_s() - bench_cpu_start;
  const ProcCpu cpu = died ? ProcCpu{} : read_cpu("/proc/" + std::to_string(daemon.pid()) + "/stat").value_or(ProcCpu{});
  const double hwm = died ? 0 : read_status_mb(daemon.pid(), "VmHWM:").value_or(0);
  const double rss = died ? 0 : read_status_mb(daemon.pid(), "VmRSS:").value_or(0);
  const auto threads = died ? std::vector<ThreadCpu>{} : thread_cpu(daemon.pid());
  const std::uint64_t served = farm.counters().total();
  const double life_cpu = daemon.stop(std::chrono::seconds(60));
  if (died) {
    print_tail(daemon);
    throw std::runtime_error("winnowd exited during the run (status " + std::to_string(daemon.exit_status()) + ")");
  }

  // What the archive holds, now that winnowd is gone.
  auto a = reader.integer("SELECT count(*) FROM articles").value_or(archived);
  auto near = reader.integer("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").value_or(-1);
  auto from_feed = reader.integer("SELECT count(*) FROM articles WHERE source = 'feed'").value_or(-1);
  auto distinct_fp = reader.integer("SELECT count(DISTINCT fingerprint) FROM articles").value_or(-1);
  std::uintmax_t db_bytes = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    auto size = fs::file_size(fs::path(cp.archive.string() + suffix), ec);
    if (!ec) db_bytes += size;
  }

  const double rate = double(archived) / end_s;
  const double per_article = archived ? cpu.total() / double(archived) : 0;
  std::printf("\n-- results: %s --\n", last_s ? "all articles archived" : "TIMED OUT before the last article");
  std::printf("articles archived          %lld of %ld\n", (long long)archived, target);
  std::printf("wall time to last article  %.1f s (from starting winnowd)\n", end_s);
  std::printf("time to first article      %.2f s\n", first_s.value_or(0));
  std::printf("articles per second        %.1f   (target >= %.0f: %s)\n", rate, kTargetArticlesPerS,
              verdict(rate >= kTargetArticlesPerS && last_s.has_value()));
  if (first_s && end_s > *first_s)
    std::printf("  after the first article  %.1f /s\n", double(archived - 1) / (end_s - *first_s));
  std::printf("winnowd CPU                %.1f s (user %.1f + system %.1f) = %.2f cores busy\n",
              cpu.total(), cpu.user_s, cpu.system_s, cpu.total() / end_s);
  std::printf("CPU seconds per article    %.4f s (%.1f ms)\n", per_article, per_article * 1000);
  std::printf("peak RSS of winnowd        %.1f MB (VmHWM; VmRSS at the end %.1f MB)   (target <= %.0f MB: %s)\n",
              hwm, rss, kTargetPeakRssMb, verdict(hwm > 0 && hwm <= kTargetPeakRssMb));
  std::printf("bench process CPU          %.1f s = %.2f cores (farm server, %u threads + this poller)\n", bench_cpu,
              bench_cpu / end_s, o.server_threads);
  std::printf("winnowd CPU incl. shutdown %.1f s (wait4)\n", life_cpu);
  std::printf("requests served            %llu: feeds %llu, pages %llu, robots.txt %llu, other %llu; %zu connections\n",
              (unsigned long long)served, (unsigned long long)farm.counters().feeds.load(),
              (unsigned long long)farm.counters().pages.load(), (unsigned long long)farm.counters().robots.load(),
              (unsigned long long)farm.counters().other.load(), farm.connections());
  std::printf("archive                    %lld articles, %lld near-duplicates, %lld from feed content, "
              "%lld distinct fingerprints, %.0f MB on disk\n",
              (long long)a, (long long)near, (long long)from_feed, (long long)distinct_fp, double(db_bytes) / 1e6);
  std::printf("winnowd log lines          %zu errors, %zu warnings, %zu info\n", daemon.lines('3'), daemon.lines('4'),
              daemon.lines('6'));
  std::printf("winnowd threads, CPU       (in creation order; ms per archived article)\n");
  for (std::size_t i = 0; i < threads.size(); ++i)
    std::printf("  #%zu%-8s %7.1f s  %6.2f ms\n", i, threads[i].tid == daemon.pid() ? " (main)" : "", threads[i].cpu_s,
                archived ? threads[i].cpu_s * 1000 / double(archived) : 0.0);
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("load average at the end    %.2f %.2f %.2f (other work on the shared cores counts in it)\n", load[0],
              load[1], load[2]);
  print_problems(daemon);
  if (o.keep) std::printf("kept: %s\n", tmp.path().c_str());
  return last_s ? 0 : 1;
}

// ---- memory per scheduled feed ----------------------------------------------------------

struct MemorySample {
  double rss_mb = 0, hwm_mb = 0, load_s = 0;
  long loaded = -1;
};

// Starts winnowd on `archive`, waits for its "feeds loaded" line, lets it settle, reads RSS.
MemorySample measure_loaded(const Options& o, const fs::path& dir, const fs::path& archive, long expect) {
  ConfigParams cp;
  cp.archive = archive;
  cp.log_level = o.log_level;
  write_config(dir / "winnowd.toml", cp);
  Winnowd daemon(o.winnowd, dir / "winnowd.toml", dir / "winnowd.log");
  MemorySample m;
  auto loaded = daemon.wait_loaded(std::chrono::seconds(300));
  m.load_s = seconds_since(daemon.started());
  if (!loaded || *loaded != expect) {
    print_tail(daemon);
    throw std::runtime_error("winnowd did not report feeds loaded feeds=" + std::to_string(expect));
  }
  m.loaded = *loaded;
  // The log line is written before the loop finishes the load callback; 2 s lets the
  // temporary vector of rows go and the RSS settle.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  m.rss_mb = read_status_mb(daemon.pid(), "VmRSS:").value_or(0);
  m.hwm_mb = read_status_mb(daemon.pid(), "VmHWM:").value_or(0);
  daemon.stop(std::chrono::seconds(60));
  print_problems(daemon);
  return m;
}

int run_memory(const Options& o) {
  std::printf("== daemon_bench: memory per scheduled feed ==\n");
  print_machine();
  TempDir tmp(o.keep);
  // Feeds point at the farm so that a poll, if one happened against expectations, stays on
  // 127.0.0.1 and shows in the request count.
  std::vector<PageTemplate> no_pages(1);
  Farm farm(no_pages, int(std::min<long>(o.memory_feeds, 1 << 30)), 1, 1);

  fs::create_directories(tmp.path() / "empty");
  fs::create_directories(tmp.path() / "loaded");
  const fs::path empty_db = tmp.path() / "empty" / "archive.db";
  const fs::path loaded_db = tmp.path() / "loaded" / "archive.db";
  winnow::archive::Archive::open_sqlite(empty_db.string());  // created and migrated, no feeds

  // The feeds as a steady-state daemon holds them: polled an hour ago, with a title, a site
  // URL and validators, next poll a day from now. URLs and strings of realistic length.
  auto fill_start = Clock::now();
  {
    auto archive = winnow::archive::Archive::open_sqlite(loaded_db.string());
    const auto now = std::chrono::system_clock::now();
    const std::int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    const std::string last_modified = winnow::testing::http_date(now - std::chrono::hours(2));
    archive->transaction([&] {
      for (long i = 0; i < o.memory_feeds; ++i) {
        char number[24];
        std::snprintf(number, sizeof number, "%08ld", i);
        const std::string url = farm.url("/feeds/" + std::string(number) + "/world-news/rss.xml");
        winnow::archive::FeedRow row;
        row.id = archive->add_feed(url, "", "");
        row.url = url;
        row.title = std::string("Example Daily ") + number + ": World news";
        row.site_url = "http://127.0.0.1/site/" + std::string(number) + "/world/";
        row.etag = std::string("\"") + number + "-5f3c2a9e7b1d\"";
        row.last_modified = last_modified;
        row.interval_s = 24 * 3600;
        row.last_polled = now_s - 3600;
        row.last_new_entry = now_s - 7200;
        row.next_poll = now_s + 24 * 3600 + i % 3600;
        archive->update_feed(row);
      }
    });
  }
  std::printf("archive: %ld feeds written in %.1f s (next poll in 24 h; title, site URL, ETag, Last-Modified set;\n"
              "  URLs like %s/00000000/world-news/rss.xml)\n",
              o.memory_feeds, seconds_since(fill_start), farm.url("/feeds").c_str());

  const MemorySample empty = measure_loaded(o, tmp.path() / "empty", empty_db, 0);
  const MemorySample loaded = measure_loaded(o, tmp.path() / "loaded", loaded_db, o.memory_feeds);
  const double extra_mb = loaded.rss_mb - empty.rss_mb;
  const double per_100k = o.memory_feeds ? extra_mb * 100000.0 / double(o.memory_feeds) : 0;

  std::printf("\n-- results --\n");
  std::printf("empty archive              RSS %.1f MB (VmHWM %.1f MB), feeds loaded=%ld after %.2f s\n", empty.rss_mb,
              empty.hwm_mb, empty.loaded, empty.load_s);
  std::printf("%-26s RSS %.1f MB (VmHWM %.1f MB), feeds loaded=%ld after %.2f s\n",
              (std::to_string(o.memory_feeds) + " feeds").c_str(), loaded.rss_mb, loaded.hwm_mb, loaded.loaded, loaded.load_s);
  std::printf("extra RSS for the feeds    %.1f MB = %.0f bytes per feed; peak extra (VmHWM) %.1f MB\n", extra_mb,
              o.memory_feeds ? extra_mb * 1024 * 1024 / double(o.memory_feeds) : 0.0, loaded.hwm_mb - empty.hwm_mb);
  std::printf("per 100,000 feeds          %.1f MB   (target <= %.0f MB: %s)\n", per_100k, kTargetExtraMbPer100kFeeds,
              verdict(per_100k <= kTargetExtraMbPer100kFeeds));
  std::printf("requests served meanwhile  %llu (0: no feed was polled)\n",
              (unsigned long long)farm.counters().total());
  if (o.keep) std::printf("kept: %s\n", tmp.path().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  try {
    const Options o = parse_options(argc, argv);
    if (!fs::exists(o.winnowd)) throw std::runtime_error("no winnowd at " + o.winnowd + " (build it, or --winnowd)");
    return o.memory_feeds > 0 ? run_memory(o) : run_throughput(o);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "daemon_bench: %s\n%s", e.what(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "daemon_bench: %s\n", e.what());
    return 1;
  }
}
