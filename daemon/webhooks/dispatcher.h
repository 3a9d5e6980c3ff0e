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
// (or a stop past `stop_grace`) between the receiver's 2xx and the cursor's commit (with the
// writer's next batch, below) sends those events again after the restart, with the same
// X-Winnow-Delivery ids, so a receiver that de-duplicates on them sees every event exactly
// once (docs/webhooks.md).
//
// Threads and connections: the requests go out from a thread of its own, with libcurl easy
// handles and timeouts, never from the Asio loop. It reads the outbox through a read-only
// connection of its own (WAL: reads never wait for the writer), and writes (registering the
// endpoints, moving cursors, retry state, pruning) as jobs of the ArchiveWorker, the one
// writer: a second writing connection would wait on the worker's batches, which hold the
// write lock up to 50 ms at a time back to back while ingest is busy, and could time out
// between a receiver's 2xx and recording it, sending the event again. So each endpoint's
// cursor lives in memory and is committed shortly after (with the worker's next batch);
// the worker runs every job posted before it stops, so a clean stop commits them all.
// Registering goes through the worker too, in order with ingest's jobs: an endpoint
// configured (at start or by reconfigure()) before an article's job was posted gets its event.
//
// No call blocks long: the constructor waits for its connection to open and the endpoints'
// registration, the destructor for at most `stop_grace` plus a moment. The public member functions but the constructor and
// destructor are thread-safe.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/archive/outbox.h"
#include "daemon/config.h"

namespace winnow::archive {
class Archive;
class ArchiveWorker;
}

namespace winnow::webhooks {

struct DispatcherOptions {
  std::string archive_path;  // the archive's location: a SQLite path or a postgresql:// URL
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
  // Posts the endpoints' registration to `writer` (Archive::set_webhook_endpoints: a new
  // endpoint starts after the newest event; leftovers of endpoints no longer configured are
  // forgotten, so events stop being recorded for them) and opens its own read-only
  // connection to the archive at options.archive_path, which must be at the current schema
  // (`writer` has migrated it), on its thread. Returns once both are done (a batch's delay
  // of the writer, 50 ms at most when it is idle); throws what either threw. `writer` must
  // outlive the dispatcher. winnowd constructs it before ingest starts.
  Dispatcher(archive::ArchiveWorker& writer, DispatcherOptions options);
  // stop().
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Makes `endpoints` the configured ones: their registration is posted to the writer now
  // (a new URL gets the events of jobs posted after it), the rest happens on the
  // dispatcher's thread. Kept URLs keep their place in their queue. Never blocks.
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
  // A reconfiguration: the endpoints, and when the writer has registered them.
  struct Pending {
    std::vector<WebhookConfig> endpoints;
    std::shared_future<void> registered;
  };

  // Any thread: posts the registration of `endpoints` to the writer.
  Pending register_endpoints(std::vector<WebhookConfig> endpoints);
  void run(std::promise<void>& started);
  // Dispatcher thread.
  void apply(const Pending& pending);
  bool deliver_due();  // true when an endpoint has more ready now (a burst ran out)
  bool deliver_one(Endpoint& endpoint, const archive::OutboxEvent& event);
  void failed(Endpoint& endpoint, std::int64_t seq, const std::string& error);
  // Posts a write to the writer; a failure is logged (the write is lost: after a restart
  // the events it covered are sent again).
  void write(std::function<void(archive::Archive&)> job);
  Clock::time_point next_wake() const;
  bool aborting() const;  // for curl's progress callback

  archive::ArchiveWorker& writer_;
  const DispatcherOptions options_;
  std::unique_ptr<archive::Archive> archive_;  // the dispatcher thread's, read-only
  std::vector<std::unique_ptr<Endpoint>> endpoints_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Pending> pending_;  // from the constructor or reconfigure()
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
