#include "daemon/api/reader_pool.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace winnow::api {

ReaderPool::ReaderPool(std::string path, unsigned threads) : path_(std::move(path)), pool_(threads ? threads : 1) {}

ReaderPool::~ReaderPool() {
  pool_.stop();
  pool_.join();
}

void ReaderPool::lower_priority() {
  thread_local bool lowered = false;
  if (lowered) return;
  lowered = true;
  // Failing (a seccomp filter, say) costs only the priority.
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), kReaderNice);
}

std::unique_ptr<archive::Archive> ReaderPool::take() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
  }
  return archive::Archive::open_read_only(path_);
}

void ReaderPool::give_back(std::unique_ptr<archive::Archive> connection) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(connection));
}

}  // namespace winnow::api
