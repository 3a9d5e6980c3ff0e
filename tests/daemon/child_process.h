#pragma once
// The real programs as child processes of a test or of daemon_bench: winnowd, to be
// signalled (SIGSTOP/SIGCONT, SIGHUP, SIGTERM, SIGKILL) and watched through its log, and
// commands such as `winnow crawl` run to their exit.
//
// Children get SIGKILL from the kernel when the thread that started them ends
// (PR_SET_PDEATHSIG), so a crashed test or an interrupted benchmark leaves no winnowd behind;
// start them from a thread that outlives them (the main thread).
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace winnow::testing {

using namespace std::chrono_literals;

// The winnowd built beside the tests (from CMake).
const std::string& winnowd_path();

// winnowd as a child process on `config`; killed (SIGKILL) and reaped by the destructor if
// still running. Standard input and output are /dev/null; standard error (the log) is
// appended to `log_path`. Not thread-safe: one thread drives it.
class Daemon {
 public:
  // `extra_env`: NAME=value entries added to the environment (NOTIFY_SOCKET, WATCHDOG_USEC);
  // the test runner's own notify socket and watchdog are never passed on. Throws
  // std::runtime_error if `program` cannot be started.
  Daemon(const std::string& config, const std::string& log_path, const std::vector<std::string>& extra_env = {},
         const std::string& program = winnowd_path());
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Stays valid after the exit (for /proc figures read before it).
  pid_t pid() const { return pid_; }
  std::chrono::steady_clock::time_point started() const { return started_; }

  void pause();   // SIGSTOP
  void reload();  // SIGHUP
  void resume();  // SIGCONT
  // SIGKILL, and reaps it.
  void kill9();

  // True while the process has not exited (reaps it once it has).
  bool running();
  // Waits for the process to exit by itself; the exit status, or nullopt after `timeout`.
  std::optional<int> terminate_after_exit(std::chrono::milliseconds timeout);
  // SIGTERM, then the exit status (from waitpid) once it exited, or nullopt after `timeout`
  // (it is then still running).
  std::optional<int> terminate(std::chrono::milliseconds timeout);
  // The status from waitpid once reaped.
  std::optional<int> exit_status() const { return exit_status_; }
  // CPU seconds (user + system) of its whole life, once reaped; 0 before.
  double cpu_s() const { return cpu_s_; }

  // Waits for winnowd's "feeds loaded feeds=N" line (the feeds read from the archive, the
  // scheduler running); N, or nullopt after `timeout` or if it exited first.
  std::optional<long> wait_loaded(std::chrono::milliseconds timeout);
  // The lines of the log written since this process started (without their newline).
  std::vector<std::string> log_lines() const;

 private:
  void reap(bool block);

  std::string log_path_;
  long long log_start_ = 0;  // the log's size before the start
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::optional<int> exit_status_;
  double cpu_s_ = 0;
  std::chrono::steady_clock::time_point started_;
};

// Polls `done` every 5 ms until it holds or `timeout` passed.
template <typename F>
bool wait_for(F done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// Runs `argv` (argv[0] the program's path) with standard output and error to the files
// named; its exit status (from waitpid), or nullopt when it ran past `timeout` (then killed).
std::optional<int> run_command(std::vector<std::string> argv, const std::string& out_path,
                               const std::string& err_path, std::chrono::milliseconds timeout);

}  // namespace winnow::testing
