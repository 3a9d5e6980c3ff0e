#pragma once
// The one-writer lock of winnowd: an exclusive flock(2) on a file beside the archive
// (`archive.db.lock` for `archive.db`), held for the life of the process, so that a second
// winnowd on the same archive refuses to start instead of fetching everything twice.
// The kernel drops the lock when the process dies, however it dies; the descriptor is
// O_CLOEXEC, so nothing winnowd might start inherits it.
//
// Only winnowd takes it. `winnow crawl`, `reextract` and `feeds add` write beside a running
// winnowd through SQLite's own locking (WAL, a busy timeout), as the scheduled crawls must.
#include <string>

namespace winnow::archive {

class WriterLock {
 public:
  // Takes the lock for the archive at `archive_path` (creating the lock file), or throws
  // std::runtime_error naming the lock file and the process holding it, or the directory
  // that is missing.
  explicit WriterLock(const std::string& archive_path);
  ~WriterLock();
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace winnow::archive
