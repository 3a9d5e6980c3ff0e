#include "daemon/archive/writer_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace winnow::archive {

WriterLock::WriterLock(const std::string& archive_path) : path_(archive_path + ".lock") {
  // 0644 and a read-only retry: a lock file left by root (a manual run) still locks for the
  // service's user; flock needs no write access, only the pid is not written then.
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd_ < 0 && errno == EACCES) fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd_ < 0) {
    const int error = errno;
    std::error_code ec;
    const auto dir = std::filesystem::absolute(path_, ec).parent_path();
    if (error == ENOENT && !ec && !std::filesystem::is_directory(dir, ec))
      throw std::runtime_error("archive: cannot open " + archive_path + ": the directory " + dir.string() +
                               " does not exist");
    throw std::runtime_error("archive: cannot open the lock file " + path_ + ": " + std::strerror(error));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    // The holder wrote its pid there; a message without it is still right.
    char pid[32] = {};
    const ssize_t n = ::pread(fd_, pid, sizeof pid - 1, 0);
    ::close(fd_);
    if (error == EWOULDBLOCK)
      throw std::runtime_error("archive: " + archive_path + " is in use by another winnowd" +
                               (n > 0 ? std::string(" (pid ") + pid + ")" : std::string()) + ": " + path_ +
                               " is locked");
    throw std::runtime_error("archive: cannot lock " + path_ + ": " + std::strerror(error));
  }
  // Our pid, for the message of a second winnowd; if it cannot be written, that message only
  // lacks it.
  const std::string me = std::to_string(::getpid());
  [[maybe_unused]] const bool written =
      ::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, me.data(), me.size(), 0) == ssize_t(me.size());
}

WriterLock::~WriterLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace winnow::archive
