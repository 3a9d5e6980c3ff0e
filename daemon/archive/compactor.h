#pragma once
// Background compaction of raw pages: the archive converges to every page packed with its
// host's newest dictionary at a higher zstd level than ingest's (level 1, chosen for speed).
//
// First, once: dictionaries a winnow before stored unpacked are stored packed
// (Archive::pack_stored_page_dictionaries). Then per host with pages still to do
// (Archive::raw_page_hosts_to_compact):
//   1. A host with no dictionary and at least `pages_to_train` stored pages gets one, made
//      from its newest stored pages (read back and unpacked; make_page_dictionary). That
//      needs no page kept in memory, so every host that ever had that many pages gets one
//      (ingest's in-memory samples, page_dictionaries.h, stop at 128 hosts and 64 MB).
//      A host's dictionary is checked against its newest pages now and then (refit_every):
//      when it packs them no better than `refit_gain` times packing alone and is older than
//      `refit_wait`, the site's template has likely changed, and a new dictionary is made
//      from the host's newest pages (but those two). It is kept only when it packs those two
//      pages `refit_gain` times smaller than the old one (a host whose pages share no
//      template gains nothing from a new one either, and keeps its dictionary). The older
//      dictionary stays, for the pages packed with it. A dictionary learnt by zstd's trainer
//      (before 2026-12-03) gets a new one made of the pages the same way, fitting or not.
//   2. The host's dictionary is handed to `dictionaries` (ingest's), so that its next pages
//      pack with it already.
//   3. Its pages not done yet (packed alone, or by ingest at level 1, with whichever
//      dictionary) are packed again with the newest dictionary (alone while it has none) at
//      `level`, and against their article's body when it has one (PageCodec::zstd_article:
//      the article's text is in the page), in batches of `batch_pages`. Each new packing is unpacked and compared with
//      the page before it may replace it; a page that does not unpack is marked and left
//      as it is (reported once in the log, never lost). A batch is one job of the
//      ArchiveWorker, so one transaction, and replaces only pages still stored as they were
//      read (Archive::repack_raw_pages): a page replaced meanwhile is left to the next pass.
//      Before each batch the compactor waits while the writer has ingest's jobs queued
//      (max_yield).
// Several daemons on one PostgreSQL: a host is worked on under a per-host advisory lock
// (Archive::try_lock_compaction), and the guarded replacement keeps two compactors from
// ever writing a page both changed.
//
// Threads: reads and CPU work run on the compactor's own thread (start()), at SCHED_IDLE, so
// that it takes only CPU nothing else wants, through its own read-only connection; the
// archive thread only writes the batches. run_pass() does one pass on the caller's thread
// instead (tests, benchmarks); the two are not for use together. Interruptible: stop()
// drops the batch under way unwritten, and what a pass wrote before is complete.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "daemon/archive/archive.h"
#include "daemon/archive/compress.h"

namespace winnow::archive {

class ArchiveWorker;
class PageDictionaries;

class Compactor {
 public:
  struct Options {
    // 9: with a dictionary, pages of one real site 8.9 KB against 10.9 at level 1, for 745 us
    // of CPU a page against 104 (pack_bench, 2026-12); 19 gains 0.5 KB more for 17 times the
    // CPU.
    int level = 9;
    std::size_t pages_to_train = 4;          // as ingest's (PageDictionaries::Limits)
    std::size_t dictionary_bytes = 524'288;  // as ingest's (PageDictionaries::Limits)
    std::size_t batch_pages = 32;            // a write job; some 0.5 MB of packed pages
    std::size_t hosts_per_pass = 256;
    // After a pass that found nothing to do, the background thread looks again after this:
    // such a pass costs one probe of the index of pages still to do. 10 s: new pages are
    // compacted (and their host's dictionary reaches ingest) soon after they are stored.
    std::chrono::milliseconds idle_wait{std::chrono::seconds(10)};
    // The background thread at SCHED_IDLE (takes only CPU no other thread wants).
    bool idle_priority = true;
    // Before each batch, waits while the writer has other jobs queued (ingest is storing),
    // checking every 20 ms, for at most this long: SCHED_IDLE keeps the compactor off busy
    // cores, but not off the archive thread, the caches and a core's other hyperthread.
    // 0: no wait.
    std::chrono::milliseconds max_yield{std::chrono::seconds(2)};
    // A host whose compaction fails (a stored dictionary zstd refuses, say) is set aside for
    // this long, its pages left as they are, so that it cannot stop every other host's.
    std::chrono::seconds failed_host_wait{std::chrono::hours(1)};
    // Refitting a host's dictionary (step 1 above). 1.25: a dictionary learnt from a site's
    // own pages packs them 2.6 times smaller than packing alone (pack_bench, level 9), so one
    // that gains less has stopped fitting; checked at most every `refit_every` per host
    // (two pages packed twice), tried at most every `refit_wait`.
    double refit_gain = 1.25;
    std::chrono::seconds refit_wait{std::chrono::hours(24)};
    std::chrono::seconds refit_every{std::chrono::hours(1)};
  };

  // What compaction did (a pass's, or the totals since construction).
  struct Stats {
    std::int64_t pages_repacked = 0;
    std::int64_t bytes_before = 0;    // packed bytes of the repacked pages, before
    std::int64_t bytes_after = 0;     // and after
    std::int64_t pages_undecodable = 0;
    std::int64_t pages_changed_meanwhile = 0;  // replaced by another writer: left to later
    std::int64_t dictionaries_learnt = 0;
    std::int64_t dictionaries_refit = 0;  // of those, a host's new one for a changed template
    std::int64_t hosts_locked_elsewhere = 0;
    std::int64_t hosts_failed = 0;     // set aside for failed_host_wait (logged)
    double cpu_s = 0;                  // the compactor thread's CPU time in passes
  };

  // `location` is the archive's (Archive::open), read through a read-only connection of the
  // compactor's own; `writer` writes to the same archive and must outlive the Compactor.
  // `dictionaries` (may be null) gets each host's newest dictionary once its pages are done.
  Compactor(std::string location, ArchiveWorker& writer, std::shared_ptr<PageDictionaries> dictionaries,
            Options options);
  Compactor(std::string location, ArchiveWorker& writer, std::shared_ptr<PageDictionaries> dictionaries)
      : Compactor(std::move(location), writer, std::move(dictionaries), Options{}) {}
  // Stops and joins the thread.
  ~Compactor();
  Compactor(const Compactor&) = delete;
  Compactor& operator=(const Compactor&) = delete;

  // Starts the background thread: passes, one after another while they find work.
  void start();
  // Stops the thread (the batch under way is dropped unwritten) and joins it. Idempotent.
  void stop();
  // Asks the thread to stop, without waiting (the loop thread may call it); stop() joins.
  void request_stop();
  // One pass over up to hosts_per_pass hosts on the caller's thread; returns what it did
  // (this pass only). Throws what reading the archive threw.
  Stats run_pass();
  // Totals so far. Any thread.
  Stats stats() const;

 private:
  void run();
  void compact_host(const std::string& host, Stats& pass);
  // A newer dictionary for `host` when `current` no longer fits the pages of `batch` (see
  // step 1), stored; nullptr when it fits, or a new one would not do better.
  std::shared_ptr<const PageDictionary> refit(const std::string& host, const PageDictionaryRow& current,
                                              const std::vector<StoredRawPage>& batch, Stats& pass);
  // The dictionary `id` (kept a while), for unpacking and packing; nullptr when missing.
  std::shared_ptr<const PageDictionary> dictionary(std::int64_t id);
  // `page` unpacked (with its dictionary and its article's body as needed); throws when it
  // does not unpack.
  std::string unpack(const StoredRawPage& page);
  // Waits (max_yield at most) while the writer has jobs queued, or until stop().
  void yield_to_writer();
  // Runs `job` on the writer and waits for its commit; false when it failed (logged).
  bool write(const std::function<void(Archive&)>& job, const char* what);
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }
  // Adds `delta` to the pass's stats and to the totals (stats() sees them at once).
  void count(Stats& pass, const Stats& delta);

  const std::string location_;
  ArchiveWorker& writer_;
  const std::shared_ptr<PageDictionaries> dictionaries_;
  const Options options_;
  std::unique_ptr<Archive> reader_;  // the pass's thread only
  std::map<std::int64_t, std::shared_ptr<const PageDictionary>> dictionary_cache_;
  // Hosts whose pages zstd could learn no dictionary from, with the newest page tried: tried
  // again once pages_to_train newer ones are stored.
  std::map<std::string, std::int64_t> unlearnable_;
  // Whether the dictionaries stored unpacked before (Archive::pack_stored_page_dictionaries)
  // are all packed: looked for once.
  bool dictionaries_packed_ = false;
  // Hosts whose compaction failed, and until when they are left alone.
  std::map<std::string, std::chrono::steady_clock::time_point> failed_until_;
  // Hosts whose dictionary was checked (refit_every) or refit tried (refit_wait), and when.
  std::map<std::string, std::chrono::steady_clock::time_point> fit_checked_, refit_tried_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  Stats totals_;  // under mutex_
  std::thread thread_;
};

}  // namespace winnow::archive
