#pragma once
// The tests' own HTTP client for winnowd's API (Boost.Beast over TCP or a Unix socket): one
// request per connection, every step bounded by a timeout, and a Server-Sent Events reader.
// Each object is used by one thread.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

namespace winnow::testing {

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  // The body parsed as JSON; throws if it is not.
  boost::json::value json() const;
  std::string header(const std::string& lower_name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// `address`: "127.0.0.1:PORT", or "unix:/path/to/socket". Throws std::runtime_error on a
// connection error or when the answer takes longer than `timeout`.
ClientResponse http_request(const std::string& address, const std::string& method, const std::string& target,
                            const Headers& headers = {}, const std::string& body = {},
                            std::chrono::milliseconds timeout = std::chrono::seconds(10));
inline ClientResponse http_get(const std::string& address, const std::string& target, const Headers& headers = {}) {
  return http_request(address, "GET", target, headers);
}

// Sends `bytes` as they are and returns what comes back until the server closes the
// connection or `timeout` passes (then what came so far).
std::string raw_exchange(const std::string& address, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

struct SseEvent {
  std::string id, event, data;
};

// GET `target` as an EventSource does, optionally with Last-Event-ID.
class SseClient {
 public:
  SseClient(const std::string& address, const std::string& target, const std::string& last_event_id = {});
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  int status() const { return status_; }
  const std::map<std::string, std::string>& headers() const { return headers_; }
  // The next event with data (comments and retry lines are skipped, counted in
  // comments()); nullopt when none came within `timeout` or the server closed the stream.
  std::optional<SseEvent> next(std::chrono::milliseconds timeout);
  int comments() const { return comments_; }
  bool closed() const { return closed_; }

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);

  struct Impl;
  Impl* impl_;
  int status_ = 0;
  std::map<std::string, std::string> headers_;
  std::string buffer_;
  int comments_ = 0;
  bool closed_ = false;
};

}  // namespace winnow::testing
