#pragma once
// api_bench's clients: threads that read winnowd's HTTP API over keep-alive connections with
// a mix of requests (article pages by cursor and at random, searches, full-text Atom feeds,
// some conditional), at a fixed total rate or as fast as answers come, timing each request.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace winnow::bench {

// One HTTP/1.1 connection to "127.0.0.1:PORT", kept alive across requests and opened again
// when the server closes it. Blocking, every read and write bounded by `timeout`. One thread.
class KeepAliveConnection {
 public:
  struct Response {
    int status = 0;              // 0: no answer (connection error or timeout; see error)
    std::string etag;
    std::string body;
    std::string error;
  };
  KeepAliveConnection(std::string address, std::chrono::milliseconds timeout);
  ~KeepAliveConnection();
  KeepAliveConnection(const KeepAliveConnection&) = delete;
  KeepAliveConnection& operator=(const KeepAliveConnection&) = delete;

  // GET `target`, with If-None-Match when `if_none_match` is not empty. A request on a kept
  // connection the server had closed meanwhile is sent once more on a new one.
  Response get(const std::string& target, const std::string& if_none_match = {});
  // Connections opened so far.
  int connects() const { return connects_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int connects_ = 0;
};

enum class Endpoint { articles_cursor, articles_random, search, full_atom, full_atom_conditional };
constexpr int kEndpoints = 5;
std::string_view to_string(Endpoint e);

struct LoadOptions {
  std::string address;                 // "127.0.0.1:PORT"
  int clients = 4;                     // threads, one connection each
  double rate_per_s = 200;             // all clients together; 0: each sends when answered
  std::vector<std::int64_t> feed_ids;  // for full.atom
  std::vector<std::string> words;      // for search, one or two of them per query
  std::chrono::milliseconds timeout{10000};
};

// What one endpoint saw. Latency from the moment the request was due (the schedule's slot at
// a fixed rate, so a client that falls behind counts its wait) to the end of the answer;
// service time from sending it. The same with no rate limit.
struct EndpointStats {
  std::uint64_t requests = 0, errors = 0, not_modified = 0, bytes = 0;
  std::vector<double> latency_ms, service_ms;  // sorted once the load stopped
};

// The nearest-rank percentile `p` (0-100) of sorted `ms`; 0 when empty.
double percentile(const std::vector<double>& ms, double p);

struct LoadResult {
  double seconds = 0;
  EndpointStats by_endpoint[kEndpoints];
  int connects = 0;  // TCP connections opened, all clients together
  std::vector<std::string> first_errors;
};

// Starts the clients at once; they run until stop(). Not thread-safe: one thread drives it.
class ApiLoad {
 public:
  explicit ApiLoad(LoadOptions options);
  ~ApiLoad();  // stops
  ApiLoad(const ApiLoad&) = delete;
  ApiLoad& operator=(const ApiLoad&) = delete;

  // Stops the clients (each finishes the request in flight) and merges their figures.
  LoadResult stop();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace winnow::bench
