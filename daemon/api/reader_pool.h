#pragma once
// Threads that read the archive for the API, so that no SQLite call runs on the loop. Each
// job gets a read-only connection of its own for its duration (connections are opened as
// needed, at most one per thread, and reused); WAL lets them read while the ArchiveWorker
// writes, each job seeing the archive as last committed when its first statement ran.
//
// The readers run at a lower CPU priority than ingestion (nice kReaderNice): on a machine
// whose cores ingestion keeps busy, consumers' reads take the time left over and slow the
// archiving of new articles little, instead of competing with it as equals.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/archive/archive.h"

namespace winnow::api {

inline constexpr int kReaderNice = 10;

class ReaderPool {
 public:
  // `path`: the archive's location, a SQLite path or a postgresql:// URL (Archive::open_read_only);
  // `threads` readers.
  ReaderPool(std::string path, unsigned threads);
  // Waits for the jobs running; the ones queued are dropped unrun.
  ~ReaderPool();
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  // Any thread. Runs `work()` on a reader, without a connection (parsing a request body),
  // then `done(result, error)` on `loop`: the result, or the exception `work` threw.
  template <typename T>
  void run(boost::asio::io_context& loop, std::function<T()> work, std::function<void(T, std::exception_ptr)> done) {
    boost::asio::post(pool_, [&loop, work = std::move(work), done = std::move(done)]() mutable {
      lower_priority();
      T result{};
      std::exception_ptr error;
      try {
        result = work();
      } catch (...) {
        error = std::current_exception();
      }
      boost::asio::post(loop, [done = std::move(done), result = std::move(result), error]() mutable {
        done(std::move(result), error);
      });
    });
  }

  // Any thread. Runs `read(archive)` on a reader, then `done(result, error)` on `loop`: the
  // result, or the exception `read` (or opening the archive) threw. A connection whose
  // read threw is closed rather than reused.
  template <typename T>
  void read(boost::asio::io_context& loop, std::function<T(archive::Archive&)> read,
            std::function<void(T, std::exception_ptr)> done) {
    run<T>(
        loop,
        [this, read = std::move(read)] {
          auto connection = take();
          T result = read(*connection);
          give_back(std::move(connection));
          return result;
        },
        std::move(done));
  }

 private:
  // Once per reader thread: nice kReaderNice (Linux sets it per thread).
  static void lower_priority();
  std::unique_ptr<archive::Archive> take();
  void give_back(std::unique_ptr<archive::Archive> connection);

  const std::string path_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<archive::Archive>> idle_;
  boost::asio::thread_pool pool_;  // last: joined before the connections go
};

}  // namespace winnow::api
