#pragma once
// Which pages failed extraction, kept across crashes, so that no page can take winnowd down
// in a loop. Extraction is guarded in process (HtmlDocument's limits, the Gumbo guard, an
// exception caught), but a bug we have not met may still kill the process, and then the
// page's entry is uncommitted and the restart fetches it again. So each worker writes the
// key of the page it is about to extract into its own slot of a small file beside the
// archive, and clears it after; a slot found filled at the next start is a page that was
// being extracted when the process died, and counts as a failure. Failures in process count
// too. A page that has failed twice is quarantined: ingest uses the feed's content, marked
// `quarantined`, and never extracts the page again.
//
// The file: kSlots slots of kSlotBytes at the start (one per worker thread, pwrite, no
// fsync: what a dying process wrote is in the page cache and survives it), then one line
// "F <key>" per failure. Rewritten at open, so it stays small. Thread-safe.
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace winnow::ingest {

class ExtractionJournal {
 public:
  static constexpr int kQuarantineAfter = 2;  // failures
  static constexpr std::size_t kSlots = 64;   // worker threads, at most (more share slot 63)

  // No file: failures are counted for this process only (`winnow crawl`, tests).
  ExtractionJournal() = default;
  // Opens (creating) `path`, counts the slots left filled by a process that died as
  // failures, and rewrites the file. An unusable path is an error with the path in it.
  static ExtractionJournal open(const std::string& path, std::string& error);

  ExtractionJournal(ExtractionJournal&&) noexcept;
  ExtractionJournal& operator=(ExtractionJournal&&) noexcept;
  ~ExtractionJournal();

  // Failures of `url` so far (previous processes included).
  int failures(std::string_view url) const;
  bool quarantined(std::string_view url) const { return failures(url) >= kQuarantineAfter; }
  // Records a failure; returns the count now.
  int record_failure(std::string_view url);
  // Pages found being extracted when the last process died, at open.
  int crashed_at_open() const { return crashed_at_open_; }

  // Marks `url` as being extracted by the calling thread until the guard goes.
  class Extracting {
   public:
    Extracting(ExtractionJournal& journal, std::string_view url);
    ~Extracting();
    Extracting(const Extracting&) = delete;
    Extracting& operator=(const Extracting&) = delete;

   private:
    ExtractionJournal& journal_;
    std::size_t slot_;
  };

  static std::uint64_t key(std::string_view url);

 private:
  static constexpr std::size_t kSlotBytes = 17;  // 16 hex digits and '\n'
  void write_slot(std::size_t slot, std::uint64_t key);

  mutable std::mutex mutex_;
  int fd_ = -1;  // owned; -1: no file
  std::unordered_map<std::uint64_t, int> failures_;
  int crashed_at_open_ = 0;
};

}  // namespace winnow::ingest
