#include "tests/daemon/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace winnow::testing {
namespace {

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  // Closes now; the destructor then closes nothing.
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

UniqueFd open_file(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  return UniqueFd(fd);
}

[[noreturn]] void report_and_exit(int report_fd) {
  const int error = errno;
  [[maybe_unused]] auto ignored = ::write(report_fd, &error, sizeof error);
  _exit(127);
}

// Starts argv[0] with `env` and `stdio` as its standard input, output and error. fork and
// exec rather than posix_spawn for PR_SET_PDEATHSIG; a failed exec is reported back through
// a close-on-exec pipe (nothing read: the exec succeeded) and thrown as posix_spawn's would be.
pid_t spawn(std::vector<std::string> argv, std::vector<std::string> env, const int (&stdio)[3]) {
  std::vector<char*> args, envp;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  UniqueFd report_read(report[0]), report_write(report[1]);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Only async-signal-safe calls from here to exec: the parent has threads.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(127);  // the parent was gone before prctl
    for (int target = 0; target < 3; ++target) {
      // dup2 onto itself would keep close-on-exec.
      const int r = stdio[target] == target ? ::fcntl(target, F_SETFD, 0) : ::dup2(stdio[target], target);
      if (r < 0) report_and_exit(report[1]);
    }
    ::execve(args[0], args.data(), envp.data());
    report_and_exit(report[1]);
  }
  // Closed here, and only here: a second close() of the number would hit whatever another
  // thread opened in between (it closed the crash suite's SQLite reader: "disk I/O error").
  report_write.reset();
  int child_errno = 0;
  ssize_t n = 0;
  do {
    n = ::read(report_read.get(), &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n == sizeof child_errno) {
    ::waitpid(pid, nullptr, 0);
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(child_errno));
  }
  return pid;
}

// The text of `path` from byte `from` on.
std::string read_from(const std::string& path, long long from) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(from);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

const std::string& winnowd_path() {
  static const std::string path = WINNOWD_PATH;
  return path;
}

Daemon::Daemon(const std::string& config, const std::string& log_path, const std::vector<std::string>& extra_env,
               const std::string& program)
    : log_path_(log_path) {
  UniqueFd in = open_file("/dev/null", O_RDONLY);
  UniqueFd out = open_file("/dev/null", O_WRONLY);
  UniqueFd err = open_file(log_path, O_WRONLY | O_CREAT | O_APPEND);
  struct stat st {};
  if (::fstat(err.get(), &st) == 0) log_start_ = st.st_size;
  // No notify socket or watchdog but the caller's own, whatever the test runner has.
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "NOTIFY_SOCKET=", 14) != 0 && std::strncmp(*e, "WATCHDOG_", 9) != 0) env.emplace_back(*e);
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  pid_ = spawn({program, "--config", config}, std::move(env), {in.get(), out.get(), err.get()});
  started_ = std::chrono::steady_clock::now();
}

Daemon::~Daemon() { kill9(); }

void Daemon::pause() {
  if (!reaped_) ::kill(pid_, SIGSTOP);
}
void Daemon::reload() {
  if (!reaped_) ::kill(pid_, SIGHUP);
}
void Daemon::resume() {
  if (!reaped_) ::kill(pid_, SIGCONT);
}

void Daemon::kill9() {
  if (reaped_) return;
  ::kill(pid_, SIGKILL);
  reap(true);
}

void Daemon::reap(bool block) {
  if (reaped_) return;
  int status = 0;
  rusage usage{};
  const pid_t r = ::wait4(pid_, &status, block ? 0 : WNOHANG, &usage);
  if (r == 0 || (r < 0 && errno == EINTR)) return;
  reaped_ = true;
  if (r != pid_) return;  // not our child any more (ECHILD): nothing to report
  exit_status_ = status;
  auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  cpu_s_ = seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

bool Daemon::running() {
  reap(false);
  return !reaped_;
}

std::optional<int> Daemon::terminate_after_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(10ms);
  }
  return exit_status_;
}

std::optional<int> Daemon::terminate(std::chrono::milliseconds timeout) {
  if (!reaped_) ::kill(pid_, SIGTERM);
  return terminate_after_exit(timeout);
}

std::optional<long> Daemon::wait_loaded(std::chrono::milliseconds timeout) {
  constexpr std::string_view kLoaded = "feeds loaded feeds=";
  long long scanned = log_start_;  // complete lines before this are read
  std::optional<long> loaded;
  auto scan = [&] {
    const std::string text = read_from(log_path_, scanned);
    const auto end = text.rfind('\n');
    if (end == std::string::npos) return;
    scanned += static_cast<long long>(end + 1);
    const auto at = text.find(kLoaded);
    if (at < end && !loaded) loaded = std::strtol(text.c_str() + at + kLoaded.size(), nullptr, 10);
  };
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    scan();
    if (loaded) return loaded;
    if (!running()) {
      scan();  // the line may have come just before the exit
      return loaded;
    }
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
}

std::vector<std::string> Daemon::log_lines() const {
  const std::string text = read_from(log_path_, log_start_);
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (auto nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

std::optional<int> run_command(std::vector<std::string> argv, const std::string& out_path,
                               const std::string& err_path, std::chrono::milliseconds timeout) {
  UniqueFd in = open_file("/dev/null", O_RDONLY);
  UniqueFd out = open_file(out_path, O_WRONLY | O_CREAT | O_TRUNC);
  UniqueFd err = open_file(err_path, O_WRONLY | O_CREAT | O_TRUNC);
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  const pid_t pid = spawn(std::move(argv), std::move(env), {in.get(), out.get(), err.get()});
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      return std::nullopt;
    }
    std::this_thread::sleep_for(5ms);
  }
  return status;
}

}  // namespace winnow::testing
