#include "daemon/archive/archive_worker.h"

#include <cassert>
#include <filesystem>
#include <utility>
#include <vector>

#include "daemon/log.h"

namespace winnow::archive {
namespace {

// A job that ran, waiting for its batch to commit before `done` is told.
struct Ran {
  ArchiveWorker::Done done;
  std::exception_ptr error;  // what the job threw; its savepoint was rolled back
};

void report(std::vector<Ran>& batch, const std::exception_ptr& commit_error) {
  for (Ran& ran : batch) {
    if (!ran.done) continue;
    try {
      ran.done(ran.error ? ran.error : commit_error);
    } catch (...) {
      log::error("archive done callback threw", {{"error", log::describe(std::current_exception())}});
    }
  }
}

}  // namespace

ArchiveWorker::ArchiveWorker(const std::string& path, OnFull on_full) : path_(path), on_full_(std::move(on_full)) {
  std::promise<void> opened;
  std::future<void> result = opened.get_future();
  // The thread owns the promise: it may still be touching it after the future is ready.
  thread_ = std::thread([this, path, opened = std::move(opened)]() mutable { run(path, opened); });
  try {
    result.get();
  } catch (...) {
    thread_.join();
    throw;
  }
}

ArchiveWorker::~ArchiveWorker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ArchiveWorker::post(Job job, Done done) {
  {
    std::lock_guard lock(mutex_);
    assert(!stopping_ && "post() on an ArchiveWorker being destroyed");
    queue_.push_back(Item{std::move(job), std::move(done)});
    ++posted_;
  }
  wake_.notify_one();
}

void ArchiveWorker::flush() {
  assert(std::this_thread::get_id() != thread_.get_id() && "flush() on the archive thread would wait for itself");
  std::unique_lock lock(mutex_);
  const std::uint64_t target = posted_;
  ++flushing_;
  wake_.notify_all();
  drained_.wait(lock, [&] { return finished_ >= target; });
  --flushing_;
}

std::size_t ArchiveWorker::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + running_;
}

bool ArchiveWorker::full() const {
  std::lock_guard lock(mutex_);
  return full_;
}

void ArchiveWorker::storage_full(const std::exception_ptr& error) {
  {
    std::lock_guard lock(mutex_);
    if (full_) return;
    full_ = true;
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path file = fs::absolute(path_, ec);
  const fs::space_info space = fs::space(file.parent_path(), ec);
  log::error("archive is full; writes stopped", {{"path", file.string()},
                                                 {"free_bytes", ec ? std::string("unknown") : std::to_string(space.available)},
                                                 {"error", log::describe(error)}});
  if (!on_full_) return;
  try {
    on_full_();
  } catch (...) {
    log::error("archive on_full callback threw", {{"error", log::describe(std::current_exception())}});
  }
}

bool ArchiveWorker::next_job(Item& item, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  if (std::chrono::steady_clock::now() >= deadline) return false;
  wake_.wait_until(lock, deadline, [&] { return !queue_.empty() || stopping_ || flushing_ > 0; });
  if (queue_.empty()) return false;
  item = std::move(queue_.front());
  queue_.pop_front();
  ++running_;
  return true;
}

void ArchiveWorker::run(const std::string& path, std::promise<void>& opened) {
  std::unique_ptr<Archive> archive;
  try {
    archive = Archive::open(path);
  } catch (...) {
    opened.set_exception(std::current_exception());
    return;
  }
  opened.set_value();

  std::vector<Ran> batch;
  batch.reserve(kMaxBatch);
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every job has run
    }
    // The batch stays open while jobs keep coming, up to kMaxBatch jobs or kMaxBatchDelay
    // after its first: jobs run as they arrive, and one commit covers them all.
    const auto deadline = std::chrono::steady_clock::now() + kMaxBatchDelay;
    std::exception_ptr commit_error;
    try {
      archive->transaction([&] {
        Item item;
        while (batch.size() < kMaxBatch && next_job(item, deadline)) {
          std::exception_ptr error;
          if (full()) {
            error = std::make_exception_ptr(StorageFull("archive: " + path_ + " is full; job not run"));
          } else {
            try {
              archive->transaction([&] { item.job(*archive); });  // a SAVEPOINT of its own
            } catch (...) {
              error = std::current_exception();
            }
            if (is_storage_full(error)) storage_full(error);
          }
          batch.push_back(Ran{std::move(item.done), error});
          item = Item{};  // let go of what the job captured now, not at the next job
        }
      });
    } catch (...) {
      commit_error = std::current_exception();
    }
    if (commit_error) {
      if (batch.empty()) {
        // The transaction could not even begin (locked past the busy timeout, read-only
        // file): fail the jobs waiting rather than spin on them.
        std::lock_guard lock(mutex_);
        while (batch.size() < kMaxBatch && !queue_.empty()) {
          batch.push_back(Ran{std::move(queue_.front().done), nullptr});
          queue_.pop_front();
          ++running_;
        }
      }
      // A full disk is reported once, by storage_full(); any other failure each time.
      if (is_storage_full(commit_error)) storage_full(commit_error);
      else if (!full()) log::error("archive batch failed", {{"jobs", batch.size()}, {"error", log::describe(commit_error)}});
    }
    report(batch, commit_error);
    {
      std::lock_guard lock(mutex_);
      running_ -= batch.size();
      finished_ += batch.size();
    }
    drained_.notify_all();
    batch.clear();
  }
}

}  // namespace winnow::archive
