#pragma once
// Where winnowd says its process id, so that `winnow reload` signals that one winnowd and no
// other: $RUNTIME_DIRECTORY/winnowd.pid under systemd (RuntimeDirectory=), else winnowd.pid
// beside the archive (./var with scripts/run). Main thread only.
#include <optional>
#include <string>
#include <sys/types.h>

#include "daemon/config.h"

namespace winnow::cli {

// The pid file for `config` when none is named on the command line.
std::string default_pid_file(const Config& config);

// Writes the calling process's id to `path` (replacing it atomically) and removes the file
// when destroyed. An unwritable path is no error: `ok()` says whether it was written.
class PidFile {
 public:
  explicit PidFile(std::string path);
  ~PidFile();
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;
  bool ok() const { return ok_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool ok_ = false;
};

// The id in the pid file at `path` when it names a running winnowd; nullopt otherwise (no
// file, garbage, a stale id, or another program's).
std::optional<pid_t> running_winnowd(const std::string& path);

}  // namespace winnow::cli
