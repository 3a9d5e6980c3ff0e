#pragma once
// Whether fetched bytes can be a text page at all, before they are decoded and extracted: a
// PDF, an image, an archive or a media file, linked from a feed, would otherwise be archived
// as megabytes of mojibake. After the WHATWG MIME Sniffing Standard: the Content-Type, the
// "magic numbers" of common binary formats (which win over a text/html that lies), and its
// "binary data bytes" (controls no text encoding uses) in the resource's first bytes.
// Pure; any thread.
#include <optional>
#include <string>
#include <string_view>

namespace winnow::parsers {

// How many leading bytes the binary-byte check reads (WHATWG reads up to 1445).
inline constexpr std::size_t kSniffBytes = 1024;

// Why `body`, served with `content_type` (the header as sent; may be empty), is no text:
// "content type image/png", "PDF signature", "binary data bytes"...; nullopt when it may be
// text. application/octet-stream and an absent type are decided by the bytes alone. A body
// already decoded from its Content-Encoding that still starts as gzip is a .gz file.
std::optional<std::string> binary_body(std::string_view content_type, std::string_view body);

}  // namespace winnow::parsers
