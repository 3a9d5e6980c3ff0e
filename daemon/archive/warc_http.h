#pragma once
// The HTTP message a WARC `response` record holds, rebuilt from what the fetcher kept: the
// final response's head as received (FetchResult::http_head) and its body as stored, which
// curl has already de-chunked and content-decoded. Pure; any thread.
//
// WARC 1.1 wants the response as received on the wire. The stored body no longer is, so the
// fields that described the wire form are masked as Common Crawl masks them (X-Crawler-
// prefixed: Transfer-Encoding, a Content-Encoding other than identity, a Content-Length that
// does not fit) and a Content-Length of the stored body is added. Every other line, the
// status line of HTTP/1.x included, stays byte for byte. HTTP/2 and HTTP/3 heads (curl's
// "HTTP/2 200") become HTTP/1.1 with an empty reason phrase, and the record names the
// protocol in WARC-Protocol, as the IIPC "WARC extensions for HTTP/2" proposal says.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace winnow::archive {

struct WarcHttpHead {
  std::string head;      // status line, header lines, the blank line: the block before the payload
  std::string protocol;  // WARC-Protocol: "h2", "h2c" or "h3"; empty for HTTP/1.x
  bool masked = false;   // some framing field was masked (the payload was stored decoded)
};

// The head to write before a body of `body_bytes` fetched from `url`, or nullopt when
// `received` does not start with an HTTP status line ("HTTP/<version> <3 digits>") or has no
// blank line ending it: then there is no HTTP message to write (a `resource` record is).
std::optional<WarcHttpHead> warc_http_head(std::string_view received, std::string_view url,
                                           std::size_t body_bytes);

}  // namespace winnow::archive
