#include "daemon/api/reader_pool.h"

namespace winnow::api {

ReaderPool::ReaderPool(std::string path, unsigned threads) : path_(std::move(path)), pool_(threads ? threads : 1) {}

ReaderPool::~ReaderPool() {
  pool_.stop();
  pool_.join();
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
  return archive::Archive::open_sqlite_read_only(path_);
}

void ReaderPool::give_back(std::unique_ptr<archive::Archive> connection) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(connection));
}

}  // namespace winnow::api
