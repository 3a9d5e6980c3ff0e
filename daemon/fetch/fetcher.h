#pragma once
// HTTP(S) and file:// fetching with libcurl's multi-socket interface driven by an Asio
// io_context: curl's socket and timer callbacks only arm Asio waits, and
// curl_multi_socket_action runs in the Asio handlers. Nothing here blocks the loop.
// Loop thread only: every member function and every callback runs on the io_context's thread.
// The io_context must outlive the Fetcher. Redirects are followed by the Fetcher itself
// (http and https targets only, never file://). file:// URLs are read by curl on the loop
// thread: meant for local files, not for slow network mounts.
//
// Network policy (SSRF): every connection's address is checked after DNS, as curl is about
// to open the socket (and again before a request goes out on a reused connection). A
// discovered URL (a link in a feed or page, or a redirect of one) may only reach global
// addresses unless FetcherOptions allows more; an operator's URL may reach any address,
// and so may its redirects that stay on the same host. Refusals end the transfer with
// FetchErrc::blocked_address before anything is sent. See address_policy.h for the ranges.
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace winnow::fetch {

struct FetcherOptions {
  std::string user_agent = "winnow/0.1 (+https://github.com/winnow-news/winnow)";
  long connect_timeout_ms = 10'000;
  long total_timeout_ms = 60'000;
  // Abort a transfer that moves fewer than low_speed_bytes per second for low_speed_time_s.
  long low_speed_bytes = 100;
  long low_speed_time_s = 20;
  std::size_t max_body_bytes = 10u << 20;  // also after decompression
  int max_redirects = 5;
  std::size_t max_connections = 256;       // total open connections of the multi handle
  // PEM file of the certificate authorities to trust for https, instead of the system's
  // (for a private CA); empty: the system's. Certificates are always verified.
  std::string ca_file;
  // Discovered URLs may also reach loopback, private, link-local and other special-purpose
  // addresses: all of them (allow_private), or those AllowList entries name. Off and empty
  // by default; tests on 127.0.0.1 turn allow_private on.
  bool allow_private = false;
  std::vector<std::string> allow_hosts;  // AllowList::add entries; the constructor checks them
};

// Who chose the URL, which decides where it may connect (see the network policy above).
enum class Origin {
  discovered,  // found in a feed or a page: only global addresses, unless allowed
  operator_given,  // listed by the operator (a subscribed feed, a `crawl` argument)
};

struct FetchRequest {
  std::string url;
  // Conditional GET: sent as If-None-Match / If-Modified-Since when not empty.
  std::string etag;
  std::string last_modified;
  std::string accept;  // Accept header; empty: a sensible default for HTML and feeds
  Origin origin = Origin::discovered;
};

// How a transfer ended, when it did not end with an HTTP response.
enum class FetchErrc {
  ok = 0,
  bad_url,            // not an http, https or file URL
  dns,                // the host name does not resolve
  connect,            // refused, unreachable
  timeout,            // connect or total timeout, or too slow
  reset,              // connection reset or closed mid-response
  tls,
  too_large,          // body over max_body_bytes (declared or after decompression)
  too_many_redirects,
  redirect_loop,
  bad_encoding,       // the Content-Encoding could not be decoded
  file_error,         // file:// that cannot be read
  blocked_address,    // the network policy refused the address (error_message says which)
  cancelled,
  other,
};
std::string_view to_string(FetchErrc e);
std::ostream& operator<<(std::ostream& os, FetchErrc e);  // to_string(e), for Boost.Test and logs

struct FetchResult {
  FetchErrc error = FetchErrc::ok;
  std::string error_message;  // curl's words, for logs
  // FetchErrc::blocked_address: the address refused ("127.0.0.1", "::1") and its range.
  std::string blocked_address;
  std::string blocked_range;  // "loopback address", ...
  long status = 0;            // final HTTP status (200 for file://); 0 without a response
  std::string url;            // the URL asked for
  std::string final_url;      // after redirects
  // Every redirect hop was permanent (301, 308): the caller may update a stored URL.
  bool permanent_redirect = false;
  int redirects = 0;
  std::string content_type;
  std::string etag;
  std::string last_modified;
  std::optional<std::int64_t> retry_after_s;  // Retry-After (seconds or HTTP date), on any status
  std::optional<std::int64_t> max_age_s;      // Cache-Control: max-age
  std::string http_version;   // of the final response: "1.0", "1.1", "2" or "3"; empty for file://
  std::string body;           // decoded (gzip, deflate, br, zstd) and de-chunked
  // The final response's status line and header lines exactly as curl passed them (CRLF
  // each, then the blank line; HTTP/2 as curl spells it: "HTTP/2 200", lower-case names),
  // without 1xx responses, redirect hops or trailers. They describe the body on the wire,
  // not `body`: Content-Encoding, Transfer-Encoding and Content-Length may not fit it.
  // Empty for file://, on failure, and when over kMaxHeadBytes (http_headers.h).
  std::string http_head;
  double seconds = 0;         // total time
};

class Fetcher {
 public:
  using Callback = std::function<void(FetchResult)>;

  // Throws std::invalid_argument for an allow_hosts entry AllowList does not take.
  Fetcher(boost::asio::io_context& loop, FetcherOptions options);
  ~Fetcher();  // cancels transfers in flight without calling their callbacks
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Starts a transfer; `done` runs on the loop exactly once, unless the Fetcher is destroyed
  // first or cancel_all() was called (then with FetchErrc::cancelled). `done` is always
  // posted, never called from inside fetch() or cancel_all(); it may call fetch(),
  // cancel_all() or destroy the Fetcher. It must not throw (that terminates).
  void fetch(FetchRequest request, Callback done);
  void cancel_all();
  std::size_t in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace winnow::fetch
