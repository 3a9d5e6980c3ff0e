#pragma once
// Owns an Archive on a thread of its own, so that no SQLite call ever runs on the Asio loop.
// Jobs posted close together share one transaction (at most kMaxBatch jobs or kMaxBatchDelay),
// each job inside a SAVEPOINT of its own: a job that throws is rolled back alone and the
// rest of the batch still commits.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "daemon/archive/archive.h"

namespace winnow::archive {

class ArchiveWorker {
 public:
  using Job = std::function<void(Archive&)>;
  // Runs on the archive thread once the job's batch is committed (nullptr), or with the
  // exception the job threw (its changes rolled back) or the commit's failure. It must not
  // throw (that is logged and ignored), and must not call flush().
  using Done = std::function<void(std::exception_ptr)>;

  static constexpr std::size_t kMaxBatch = 256;
  static constexpr std::chrono::milliseconds kMaxBatchDelay{50};

  // Opens the archive at `path` on the new thread; throws what opening threw.
  explicit ArchiveWorker(const std::string& path);
  // Runs every job already posted, commits, and joins the thread.
  ~ArchiveWorker();
  ArchiveWorker(const ArchiveWorker&) = delete;
  ArchiveWorker& operator=(const ArchiveWorker&) = delete;

  // Any thread. Queues `job`; `done` (optional) reports how it ended.
  void post(Job job, Done done = {});
  // Any thread but the archive's. Blocks until every job posted before it is committed and
  // its `done` has run; the open batch commits at once instead of waiting out its delay.
  void flush();
  // Jobs queued and not yet committed.
  std::size_t pending() const;

 private:
  struct Item {
    Job job;
    Done done;
  };

  void run(const std::string& path, std::promise<void>& opened);
  // Archive thread: the next job for the open batch, or false when the batch should commit
  // now (deadline passed, queue empty while flushing or stopping).
  bool next_job(Item& item, std::chrono::steady_clock::time_point deadline);

  mutable std::mutex mutex_;
  std::condition_variable wake_;     // the archive thread waits here for jobs
  std::condition_variable drained_;  // flush() waits here for batches to finish
  std::deque<Item> queue_;
  std::size_t running_ = 0;     // jobs taken off the queue whose batch has not committed yet
  std::uint64_t posted_ = 0;    // jobs ever posted
  std::uint64_t finished_ = 0;  // jobs whose batch ended and whose `done` ran (FIFO order)
  std::size_t flushing_ = 0;    // flush() calls waiting: commit without waiting out the delay
  bool stopping_ = false;
  std::thread thread_;          // last: started once everything above is ready
};

}  // namespace winnow::archive
