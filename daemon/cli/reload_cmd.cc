// `winnow reload`: makes the running winnowd re-read its configuration and feeds (SIGHUP),
// through systemd when it runs the service, else by the pid winnowd wrote (pid_file.h).
#include <boost/program_options/value_semantic.hpp>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "daemon/cli/common.h"
#include "daemon/cli/pid_file.h"
#include "daemon/cli/verbs.h"

extern char** environ;

namespace winnow::cli {
namespace {

namespace po = boost::program_options;

// Runs a program found in PATH to its end; its exit status, or -1 when it cannot start.
int run_program(std::vector<std::string> argv) {
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

bool systemd_runs_winnowd() {
  std::error_code ec;
  if (!std::filesystem::exists("/run/systemd/system", ec)) return false;  // not booted with systemd
  return run_program({"systemctl", "--quiet", "is-active", "winnowd.service"}) == 0;
}

}  // namespace

int run_reload(std::span<char* const> argv) {
  Command command("reload", "[--pid-file PATH] [--config FILE]",
                  "Makes the running winnowd re-read its configuration and the feeds (as SIGHUP does):\n"
                  "`systemctl reload winnowd` when systemd runs the service, else the winnowd whose id is\n"
                  "in its pid file ($RUNTIME_DIRECTORY/winnowd.pid, else winnowd.pid beside the archive of\n"
                  "the configuration, as winnowd writes it). Only that winnowd is signalled.",
                  "exit status: 0 reloaded; 2 bad usage; 3 no running winnowd found, or the reload failed\n");
  command.options()("pid-file", po::value<std::string>()->value_name("PATH"), "winnowd's pid file");
  add_archive_options(command);
  command.positionals(0, 0);
  Args args(argv, command);
  if (print_help_if_asked(args, command)) return kExitOk;

  if (!args.has("pid-file") && systemd_runs_winnowd()) {
    if (run_program({"systemctl", "reload", "winnowd.service"}) != 0)
      throw NothingDone("`systemctl reload winnowd` failed (see `systemctl status winnowd`)");
    std::puts("reloaded winnowd.service");
    return kExitOk;
  }
  std::vector<std::string> candidates;
  if (auto path = args.get("pid-file")) candidates.push_back(*path);
  else candidates = {default_pid_file(cli_config(args)), "/run/winnow/winnowd.pid"};
  for (const auto& path : candidates) {
    auto pid = running_winnowd(path);
    if (!pid) continue;
    if (::kill(*pid, SIGHUP) != 0) throw NothingDone("cannot signal winnowd " + std::to_string(*pid) + " (" + path + ")");
    std::printf("reloaded winnowd %d\n", int(*pid));
    return kExitOk;
  }
  std::string tried;
  for (const auto& path : candidates) tried += (tried.empty() ? "" : ", ") + path;
  throw NothingDone("no running winnowd found (pid file " + tried + "); name it with --pid-file PATH");
}

}  // namespace winnow::cli
