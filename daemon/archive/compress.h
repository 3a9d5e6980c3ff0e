#pragma once
// zlib for the archive: raw page bytes are stored deflated (zlib format, RFC 1950), and a
// .warc.gz is a concatenation of gzip members (RFC 1952), one per record.
// Pure functions; any thread. They throw std::runtime_error when zlib fails or the input is
// corrupt (a stored blob that does not inflate is damage, not an expected outcome).
#include <cstddef>
#include <string>
#include <string_view>

namespace winnow::archive {

// Deflates `plain` into zlib format at the default level.
std::string deflate_bytes(std::string_view plain);
// Inflates what deflate_bytes made; `plain_bytes` is the size it had before (stored beside it).
std::string inflate_bytes(std::string_view packed, std::size_t plain_bytes);
// `plain` as one complete gzip member.
std::string gzip_member(std::string_view plain);

}  // namespace winnow::archive
