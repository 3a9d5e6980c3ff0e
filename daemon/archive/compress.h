#pragma once
// Compression for the archive: raw pages are stored packed with zstd (older archives hold
// zlib streams too, RFC 1950), and a .warc.gz is a concatenation of gzip members (RFC 1952),
// one per record. These throw std::runtime_error when the codec fails or the input is
// corrupt (a stored blob that does not unpack is damage, not an expected outcome).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
// zstd_dictionary: zstd with a PageDictionary, whose id is stored beside the page.
// zstd_article: zstd whose history holds, before the page, the bytes of the PageDictionary
// named beside the page (if one is) and then its article's content (article_body_plain,
// article_codec.h). The article's text is in the page too, so the page then refers to it
// instead of packing it again: 1.6 KB less a page (bench/pack_bench). Such a page can be
// unpacked only with its article's body as it was when packed, so whoever changes a body
// packs its page again (Archive::update_extraction does).
enum class PageCodec : std::int64_t { zlib = 1, zstd = 2, zstd_dictionary = 3, zstd_article = 4 };

// A zstd dictionary made from the pages of one host (make_page_dictionary), which share
// their template: its id is the archive's (Archive::add_page_dictionary). Immutable once
// made, so any threads may share one (ZSTD_CDict and ZSTD_DDict are read-only after
// creation, and each is made once, on first use); it must outlive every pack_page and
// unpack_page call given it.
class PageDictionary {
 public:
  // Takes `bytes` for packing and unpacking. Throws std::runtime_error when they are no zstd
  // dictionary (pack_page and unpack_page throw when zstd cannot load them).
  PageDictionary(std::int64_t id, std::string bytes);
  ~PageDictionary();
  PageDictionary(const PageDictionary&) = delete;
  PageDictionary& operator=(const PageDictionary&) = delete;

  std::int64_t id() const { return id_; }
  const std::string& bytes() const { return bytes_; }

 private:
  friend struct PageDictionaryAccess;
  struct Handles;
  std::int64_t id_;
  std::string bytes_;
  std::unique_ptr<Handles> handles_;
};

// How many dictionaries an archive keeps loaded to read pages with: 16, at most some 17 MB
// (512 KiB each, and a DDict of 552 KB for pages not packed against their article).
inline constexpr std::size_t kMaxHeldDictionaries = 16;

// A dictionary of at most `max_bytes` made of `samples` (pages of one host, oldest first):
// the newest pages' own bytes as its content, as much as fits, after zstd's header and
// entropy tables made from all of them (ZDICT_finalizeDictionary), with an id derived from
// the content (the same pages make the same dictionary). Empty when they are too little (under
// 4 KiB) or zstd refuses them. Pure; any thread; about 3 ms of CPU a MB of samples
// (site_pack_bench: 0.6 ms for 0.17-0.19 MB).
//
// Why the pages themselves rather than a dictionary learnt by zstd's trainer
// (ZDICT_trainFromBuffer, used before 2026-12-03): the trainer keeps short segments common to
// many samples and learns nothing from fewer than about ten pages, while a site's page as a
// whole holds its template in order, which zstd matches in long runs. bench/site_pack_bench
// (each page packed at level 9 against its article with a dictionary of its site's other
// pages, leave one out; 2026-12-03): L3S-GN1's 80 pages of the 7 sites the trainer learnt
// from 4,142 bytes a page learnt, 1,410 made of the pages (512 KiB); Zyte's 110 pages of 55
// two-page sites, too few to learn from, 29,671 without a dictionary, 7,067 made of the
// other page.
std::string make_page_dictionary(const std::vector<std::string>& samples, std::size_t max_bytes);
// Whether `dictionary` was made by make_page_dictionary (its id is the one its content
// gives), not learnt by zstd's trainer as winnow did before 2026-12-03: the compactor
// replaces a learnt one (compactor.h, refit).
bool is_made_of_pages(std::string_view dictionary);

// A page dictionary as the archives store it (page_dictionaries.bytes): one zstd frame of
// its bytes at level 3. It is made of whole pages of one site, which zstd packs 5 to 7.5
// times smaller: bench/site_pack_bench's dictionaries (2026-12-03), L3S-GN1 161 KB to 21.6 KB,
// Zyte 157 KB to 31.4 KB, Readability 277 KB to 37.4 KB, in 0.4 to 0.7 ms of CPU (unpacked
// in 0.1 to 0.2 ms). A host's dictionary then has paid for itself once 1.3 to 4 of its
// pages are packed with it, instead of 6 to 29. Level 3: level 19 packs 14% smaller at a
// 190th of the speed (zstd -b on 512 KiB of pages), and the archive thread packs.
std::string pack_stored_dictionary(std::string_view dictionary);
// The dictionary in `stored`: unpacked, or as it is when it was stored unpacked (rows stored
// before SQLite schema 13 and PostgreSQL schema 5 hold the dictionary itself, which begins
// with zstd's dictionary magic number). Throws std::runtime_error when it is neither, or would unpack to more than 64 MiB.
std::string unpack_stored_dictionary(std::string_view stored);

struct PackedPage {
  PageCodec codec = PageCodec::zstd;
  std::size_t plain_bytes = 0;
  std::string bytes;
  std::optional<std::int64_t> dictionary_id;  // the PageDictionary packed with, if any
};

// The zstd level ingest packs at (fast: see compress.cc); the compactor (compactor.h) packs
// again at a higher one.
inline constexpr int kIngestLevel = 1;

// Packs a fetched page for the archive: zstd at `level`, with `dictionary` when given, and
// against `article` (PageCodec::zstd_article) when it is not empty: the plain bytes of the
// article's body, article_body_plain(). Any thread; each thread keeps one compression
// context, and a dictionary keeps one ZSTD_CDict per level used (made on first use). Ingest
// calls it on the extraction workers, so that the single archive thread only writes; the
// compactor packs pages against their article.
PackedPage pack_page(std::string_view plain, const PageDictionary* dictionary = nullptr, int level = kIngestLevel,
                     std::string_view article = {});

// The plain bytes of a page packed with `codec`; `plain_bytes` is the size it had before
// (stored beside it); `dictionary` the one it was packed with (throws when it is missing, or
// when zstd finds it is not the one the page names), and `article` the article body's plain
// bytes it was packed against (zstd_article only: throws when empty, and when they are not
// the packer's, as such a frame carries zstd's checksum of the page). Any thread.
std::string unpack_page(PageCodec codec, std::string_view packed, std::size_t plain_bytes,
                        const PageDictionary* dictionary = nullptr, std::string_view article = {});

}  // namespace winnow::archive
