#include "daemon/cli/pid_file.h"

#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace winnow::cli {

namespace fs = std::filesystem;

std::string default_pid_file(const Config& config) {
  if (const char* runtime = std::getenv("RUNTIME_DIRECTORY"); runtime && *runtime) {
    std::string dir(runtime);
    dir.resize(std::min(dir.size(), dir.find(':')));  // several directories: the first
    return dir + "/winnowd.pid";
  }
  fs::path dir = fs::path(config.archive_path).parent_path();
  return (dir.empty() ? fs::path("winnowd.pid") : dir / "winnowd.pid").string();
}

PidFile::PidFile(std::string path) : path_(std::move(path)) {
  const std::string temporary = path_ + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << ::getpid() << "\n";
    if (!out.flush()) return;
  }
  std::error_code ec;
  fs::rename(temporary, path_, ec);
  ok_ = !ec;
}

PidFile::~PidFile() {
  // Only our own: a winnowd started since may have written its id there.
  if (ok_ && running_winnowd(path_) == ::getpid()) {
    std::error_code ec;
    fs::remove(path_, ec);
  }
}

std::optional<pid_t> running_winnowd(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!in || !std::getline(in, text)) return std::nullopt;
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
  if (ec != std::errc() || pid <= 1) return std::nullopt;
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  if (!comm || !std::getline(comm, name) || name != "winnowd") return std::nullopt;
  return pid;
}

}  // namespace winnow::cli
