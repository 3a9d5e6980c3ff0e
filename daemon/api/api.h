#pragma once
// winnowd's HTTP API (docs/api.md, docs/openapi.json): archived articles by cursor, one
// article in JSON, text, Markdown or its raw page, search, a live stream (Server-Sent
// Events), full-text feeds out, the feed list and its changes, on-demand crawls, health and
// metrics. Archive reads run on a ReaderPool, writes go through the ArchiveWorker, feed
// changes and crawls through Ingest; the loop only routes.
//
// Every error is JSON: {"error": {"code": "not_found", "message": "..."}} with a code that
// stays stable. The writing endpoints (POST/DELETE, and subscribing a feed through
// full.atom?url=) need `Authorization: Bearer TOKEN`; without a token configured they are off.
//
// Loop thread only.
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "daemon/api/server.h"
#include "daemon/archive/archive_worker.h"
#include "daemon/config.h"
#include "daemon/ingest/ingest.h"

namespace winnow::api {

struct ApiOptions {
  std::string listen;        // "127.0.0.1:8470"; empty: no TCP listener
  std::string unix_socket;   // empty: none
  std::string token;         // empty: writing endpoints off
  std::string public_url;    // empty: links built from the request's Host
  ServerLimits limits;
  unsigned readers = 2;
  // Streams: a comment line this often when no article comes, so that proxies and clients
  // know the connection is alive; the archive is looked at for new articles this often.
  std::chrono::milliseconds heartbeat{15000};
  std::chrono::milliseconds watch_interval{250};
  // full.atom?url=: how long the first request waits for the new feed's first poll.
  std::chrono::milliseconds first_poll_wait{20000};
};

ApiOptions api_options_from(const Config& config);

// What the API reads from the running daemon besides the archive.
struct DaemonState {
  std::function<bool()> ready;               // serving: archive writable, loop running
  std::function<std::string()> metrics;      // the Prometheus text; empty: no /metrics
};

class Api {
 public:
  // Listens at once; throws std::runtime_error when it cannot (the address is taken).
  // `loop`, `writer`, `ingest` must outlive the Api.
  Api(boost::asio::io_context& loop, archive::ArchiveWorker& writer, ingest::Ingest& ingest,
      const std::string& archive_path, ApiOptions options, DaemonState state);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  const std::string& tcp_address() const;
  // A reload: the token, public URL and stream timings; listen addresses and limits need a
  // restart.
  void reconfigure(const ApiOptions& options);
  // Articles up to `newest` were committed (a notice from the archive, notify/listener.h);
  // nullopt: some may have been, unseen (after the listener connected). Streams waiting
  // behind it read on now rather than at their next look.
  void articles_committed(std::optional<std::int64_t> newest);
  // Stops accepting and ends every stream (a draining daemon).
  void stop();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace winnow::api
