#pragma once
// Owns an Archive on a thread of its own, so that no SQLite call ever runs on the Asio loop.
// Jobs posted close together share one transaction (at most kMaxBatch jobs or kMaxBatchDelay),
// each job inside a SAVEPOINT of its own: a job that throws is rolled back alone and the
// rest of the batch still commits.
//
// A full disk (StorageFull, archive.h) stops the writes: the worker logs one error naming the
// archive and the space left, tells its owner (`on_full`), and from then on fails every job
// with StorageFull without running it, so that nothing loops on a disk that stays full.
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

  // Runs once, on the archive thread, when the first write finds the disk full. Must not
  // throw nor call flush().
  using OnFull = std::function<void()>;

  // Opens the archive at `path` (a SQLite path or a postgresql:// URL: Archive::open) on the
  // new thread; throws what opening threw.
  explicit ArchiveWorker(const std::string& path, OnFull on_full = {});
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
  // True once a write found the disk full: no job runs any more. Any thread.
  bool full() const;

 private:
  struct Item {
    Job job;
    Done done;
  };

  void run(const std::string& path, std::promise<void>& opened);
  // Archive thread: the next job for the open batch, or false when the batch should commit
  // now (deadline passed, queue empty while flushing or stopping).
  bool next_job(Item& item, std::chrono::steady_clock::time_point deadline);
  // Archive thread: the first time, the one log line and on_full_.
  void storage_full(const std::exception_ptr& error);

  const std::string path_;
  const OnFull on_full_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;     // the archive thread waits here for jobs
  std::condition_variable drained_;  // flush() waits here for batches to finish
  std::deque<Item> queue_;
  std::size_t running_ = 0;     // jobs taken off the queue whose batch has not committed yet
  std::uint64_t posted_ = 0;    // jobs ever posted
  std::uint64_t finished_ = 0;  // jobs whose batch ended and whose `done` ran (FIFO order)
  std::size_t flushing_ = 0;    // flush() calls waiting: commit without waiting out the delay
  bool stopping_ = false;
  bool full_ = false;           // a write found the disk full: jobs fail unrun
  std::thread thread_;          // last: started once everything above is ready
};

}  // namespace winnow::archive
