#pragma once
// Compression for the archive: raw pages are stored packed with zstd (older archives hold
// zlib streams too, RFC 1950), and a .warc.gz is a concatenation of gzip members (RFC 1952),
// one per record. These throw std::runtime_error when the codec fails or the input is
// corrupt (a stored blob that does not unpack is damage, not an expected outcome).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace winnow::archive {

// Packs byte strings into gzip members, one complete member a call (a .warc.gz record each).
// It keeps zlib's state (about 256 KiB) from one call to the next: setting it up anew per
// record cost more than packing it (allocation, page faults and brk trimming). One thread
// at a time.
class GzipPacker {
 public:
  GzipPacker();
  ~GzipPacker();
  GzipPacker(GzipPacker&&) noexcept;
  GzipPacker& operator=(GzipPacker&&) noexcept;

  // `plain` as one complete gzip member, at level 1.
  std::string pack(std::string_view plain);

 private:
  struct Stream;
  std::unique_ptr<Stream> stream_;
};

// How a raw page is packed (raw_pages.codec). The numbers are stored: never reuse one.
enum class PageCodec : std::int64_t { zlib = 1, zstd = 2 };

struct PackedPage {
  PageCodec codec = PageCodec::zstd;
  std::size_t plain_bytes = 0;
  std::string bytes;
};

// Packs a fetched page for the archive: zstd at level 1. Any thread; each thread keeps one
// compression context. Ingest calls it on the extraction workers, so that the single archive
// thread only writes.
PackedPage pack_page(std::string_view plain);

// The plain bytes of a page packed with `codec`; `plain_bytes` is the size it had before
// (stored beside it). Any thread.
std::string unpack_page(PageCodec codec, std::string_view packed, std::size_t plain_bytes);

}  // namespace winnow::archive
