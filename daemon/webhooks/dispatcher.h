#pragma once
// Posts the archive's webhook events (archive/outbox.h) to the configured endpoints.
//
// Design: a transactional outbox. The archive writes each event in the transaction of its
// change, so an event exists exactly when the change was committed, by winnowd or by a verb
// writing beside it; each endpoint's cursor in the archive says which events it has had.
// The dispatcher reads them in order and POSTs them, signed (delivery.h); a 2xx moves the
// cursor, anything else (another status, a refused connection, a timeout) leaves it and the
// event is tried again after a backoff: retry_min_s, doubling, at most retry_max_s, each
// delay jittered by +-20% so that endpoints coming back are not hit in step. An endpoint
// gets its events one at a time, in seq order; one failing holds back only its own queue.
//
// Exactly once per event and endpoint while winnowd runs and across clean restarts; a crash
// (or a stop past `stop_grace`) between the receiver's 2xx and the cursor's commit sends
// that one event again after the restart, with the same X-Winnow-Delivery id, so a receiver
// that de-duplicates on it sees every event exactly once (docs/webhooks.md).
//
// Threads: all its work runs on a thread of its own with its own Archive connection (SQLite
// WAL lets it read and write beside the ArchiveWorker's connection; its writes are single
// statements that wait on the busy timeout, and it never takes a batch's place in the
// worker's queue), and libcurl easy handles with timeouts. No call of it blocks long: the
// constructor waits for the archive to open, the destructor for at most `stop_grace` plus a
// moment. Every public member function but the constructor and destructor is thread-safe.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/config.h"

namespace winnow::archive {
class Archive;
}

namespace winnow::webhooks {

struct DispatcherOptions {
  std::string archive_path;
  std::vector<WebhookConfig> endpoints;  // may be empty: the thread then waits for reconfigure()
  std::string user_agent = "winnow";
  std::string ca_file;                    // empty: the system's certificate authorities
  // How often the archive is looked at for new events without a nudge().
  std::chrono::milliseconds poll_interval{1000};
  // On stop, a request in flight gets this long to finish before it is aborted (an aborted
  // one is sent again after the restart).
  std::chrono::milliseconds stop_grace{2000};
};

class Dispatcher {
 public:
  // Opens its own connection to the archive at options.archive_path (migrating it if
  // needed) on its thread and registers the endpoints there (Archive::set_webhook_endpoints:
  // leftovers of endpoints no longer configured are forgotten, so events stop being
  // recorded for them) before it returns; throws what opening threw. Registering before
  // anything is archived is what lets a new endpoint miss nothing: winnowd constructs it
  // before ingest starts.
  explicit Dispatcher(DispatcherOptions options);
  // stop().
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Makes `endpoints` the configured ones, soon, on the dispatcher's thread (never blocks).
  // Kept URLs keep their place in the queue; a new one gets what is committed after this.
  void reconfigure(std::vector<WebhookConfig> endpoints);
  // New events were committed: look now rather than at the next poll.
  void nudge();
  // Deliveries waiting (events times the endpoints that take them), as of the last pass.
  std::int64_t backlog() const { return backlog_.load(std::memory_order_relaxed); }
  // Events delivered (2xx) since the start; for tests and metrics.
  std::uint64_t delivered() const { return delivered_.load(std::memory_order_relaxed); }
  // Ends the thread: a request in flight gets stop_grace to finish. Idempotent.
  void stop();

 private:
  struct Endpoint;
  using Clock = std::chrono::steady_clock;

  void run(std::promise<void>& started);
  // Dispatcher thread.
  void apply(const std::vector<WebhookConfig>& configs);
  bool deliver_due();  // true when an endpoint has more ready now (a burst ran out)
  bool deliver_one(Endpoint& endpoint);
  void failed(Endpoint& endpoint, std::int64_t seq, const std::string& error);
  Clock::time_point next_wake() const;
  bool aborting() const;  // for curl's progress callback

  const DispatcherOptions options_;
  std::unique_ptr<archive::Archive> archive_;  // the dispatcher thread's
  std::vector<std::unique_ptr<Endpoint>> endpoints_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<std::vector<WebhookConfig>> pending_;  // from reconfigure()
  bool nudged_ = false;
  bool stopping_ = false;
  std::atomic<bool> stop_requested_{false};
  std::atomic<Clock::rep> abort_after_{0};  // with stop_requested_: abort requests from then

  std::atomic<std::int64_t> backlog_{0};
  std::atomic<std::uint64_t> delivered_{0};
  bool archive_failing_ = false;  // logged once per streak
  std::thread thread_;            // last: started once everything above is ready
};

}  // namespace winnow::webhooks
