#include "daemon/archive/compress.h"

#include <zlib.h>
#include <zdict.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "base/hash.h"

namespace winnow::archive {
namespace {

// windowBits for deflateInit2: 15 is a 32 KiB window; adding 16 asks for a gzip wrapper.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kMemLevel = 8;  // zlib's own default

// Less page content than this is not worth a dictionary (and too little for zstd's tables).
constexpr std::size_t kMinDictionaryContent = 4096;

// A made dictionary's id: of its content, so that the same pages make the same dictionary;
// within the range zstd leaves to private use (32768 to 2^31 - 1).
unsigned made_dictionary_id(std::string_view content) {
  return static_cast<unsigned>(32768u + base::fnv1a(content) % (0x80000000u - 32768u));
}

// Dictionaries as the archives store them (pack_stored_dictionary).
constexpr int kStoredDictionaryLevel = 3;
// Far above any dictionary winnow makes (dictionary_bytes, 512 KiB): a stored row claiming
// more is damage, not a dictionary.
constexpr unsigned long long kMaxStoredDictionaryBytes = 64ull << 20;

// zstd level 1 on the 181 dev-set pages (31.5 MB): 445 MB/s, 4.8x smaller; zlib level 1:
// 150 MB/s, 4.3x smaller; zstd level 3: 318 MB/s, 5.1x (2026-11, this machine). With a
// dictionary too (bench/pack_bench, 2026-12): a page of a site packed with another page of
// the same site as dictionary is 10.9 KB at level 1, 10.0 KB at level 3 (27.3 KB alone),
// but level 3 packs with a dictionary at half the speed: level 1 stays (kIngestLevel).

[[noreturn]] void zlib_failed(const char* what, int code) {
  throw std::runtime_error(std::string("archive: zlib ") + what + " failed (code " + std::to_string(code) + ")");
}

struct ZstdCCtxFree {
  void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};
using ZstdCCtx = std::unique_ptr<ZSTD_CCtx, ZstdCCtxFree>;

// The zlib stream of an archive written before zstd (codec 1).
std::string inflate_bytes(std::string_view packed, std::size_t plain_bytes) {
  std::string out(plain_bytes, '\0');
  uLongf out_size = static_cast<uLongf>(out.size());
  Bytef empty = 0;  // uncompress wants a destination even for an empty result
  Bytef* dest = out.empty() ? &empty : reinterpret_cast<Bytef*>(out.data());
  const int rc = uncompress(dest, &out_size, reinterpret_cast<const Bytef*>(packed.data()),
                            static_cast<uLong>(packed.size()));
  if (rc != Z_OK) zlib_failed("uncompress", rc);
  if (out_size != plain_bytes) throw std::runtime_error("archive: inflated size differs from the stored size");
  return out;
}

}  // namespace

struct GzipPacker::Stream {
  z_stream z{};
  bool is_initialised = false;
  ~Stream() {
    if (is_initialised) deflateEnd(&z);
  }
};

GzipPacker::GzipPacker() : stream_(std::make_unique<Stream>()) {
  // Level 1: several times faster than the default level 6 on HTML, for files only somewhat
  // larger (a WARC export packs every raw page of the archive).
  const int rc = deflateInit2(&stream_->z, Z_BEST_SPEED, Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY);
  if (rc != Z_OK) zlib_failed("deflateInit2", rc);
  stream_->is_initialised = true;
}

GzipPacker::~GzipPacker() = default;
GzipPacker::GzipPacker(GzipPacker&&) noexcept = default;
GzipPacker& GzipPacker::operator=(GzipPacker&&) noexcept = default;

std::string GzipPacker::pack(std::string_view plain) {
  z_stream& z = stream_->z;
  if (plain.size() > std::numeric_limits<uInt>::max()) throw std::length_error("archive: input too large for zlib");
  const int reset = deflateReset(&z);
  if (reset != Z_OK) zlib_failed("deflateReset", reset);
  std::string out(deflateBound(&z, static_cast<uLong>(plain.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  // deflateBound leaves room for everything, so one Z_FINISH call completes the stream.
  const int rc = deflate(&z, Z_FINISH);
  if (rc != Z_STREAM_END) zlib_failed("deflate", rc);
  out.resize(z.total_out);
  return out;
}

// Made on first use, each: a worker packing needs only the CDict (at ingest's level; a CDict
// at level 1 of a 512 KiB dictionary takes 605 KB), a reader only the DDict (552 KB). Other
// levels load the dictionary for each page instead (pack_page): a CDict at level 9 of it
// would take 13 MB.
struct PageDictionary::Handles {
  struct CDictFree {
    void operator()(ZSTD_CDict* d) const noexcept { ZSTD_freeCDict(d); }
  };
  struct DDictFree {
    void operator()(ZSTD_DDict* d) const noexcept { ZSTD_freeDDict(d); }
  };
  std::once_flag pack_once, unpack_once;
  std::unique_ptr<ZSTD_CDict, CDictFree> pack;  // at kIngestLevel
  std::unique_ptr<ZSTD_DDict, DDictFree> unpack;
};

struct PageDictionaryAccess {
  static const ZSTD_CDict* pack(const PageDictionary& d) {
    auto& h = *d.handles_;
    std::call_once(h.pack_once,
                   [&] { h.pack.reset(ZSTD_createCDict(d.bytes_.data(), d.bytes_.size(), kIngestLevel)); });
    if (!h.pack) throw std::runtime_error("archive: zstd cannot load page dictionary " + std::to_string(d.id_));
    return h.pack.get();
  }
  static const ZSTD_DDict* unpack(const PageDictionary& d) {
    auto& h = *d.handles_;
    std::call_once(h.unpack_once, [&] { h.unpack.reset(ZSTD_createDDict(d.bytes_.data(), d.bytes_.size())); });
    if (!h.unpack) throw std::runtime_error("archive: zstd cannot load page dictionary " + std::to_string(d.id_));
    return h.unpack.get();
  }
};

PageDictionary::PageDictionary(std::int64_t id, std::string bytes)
    : id_(id), bytes_(std::move(bytes)), handles_(std::make_unique<Handles>()) {
  if (ZSTD_isError(ZDICT_getDictHeaderSize(bytes_.data(), bytes_.size())))
    throw std::runtime_error("archive: page dictionary " + std::to_string(id) + " is no zstd dictionary");
}

PageDictionary::~PageDictionary() = default;

bool is_made_of_pages(std::string_view dictionary) {
  const std::size_t header = ZDICT_getDictHeaderSize(dictionary.data(), dictionary.size());
  if (ZDICT_isError(header) || header > dictionary.size()) return false;
  return ZDICT_getDictID(dictionary.data(), dictionary.size()) == made_dictionary_id(dictionary.substr(header));
}

std::string make_page_dictionary(const std::vector<std::string>& samples, std::size_t max_bytes) {
  std::string joined;
  std::vector<std::size_t> sizes;
  for (const auto& s : samples) {
    joined += s;
    sizes.push_back(s.size());
  }
  if (joined.size() < kMinDictionaryContent || max_bytes < 2 * kMinDictionaryContent) return {};
  // The content: the pages' own bytes, the last ones last (zstd reaches the end of a
  // dictionary most cheaply), as much as fits beside zstd's header and entropy tables (made
  // from all the samples; well under kMinDictionaryContent). The room for them is left here,
  // so that zstd need not cut the content: 1.5.4 then kept its beginning, not its end
  // (page_dictionaries_test).
  const std::size_t room = max_bytes - kMinDictionaryContent;
  const std::string_view content = std::string_view(joined).substr(joined.size() - std::min(joined.size(), room));
  ZDICT_params_t params{};
  params.compressionLevel = kIngestLevel;  // the tables serve ingest's packing (codec 3)
  params.dictID = made_dictionary_id(content);
  std::string dictionary(max_bytes, '\0');
  const std::size_t size = ZDICT_finalizeDictionary(dictionary.data(), dictionary.size(), content.data(),
                                                    content.size(), joined.data(), sizes.data(),
                                                    static_cast<unsigned>(sizes.size()), params);
  if (ZDICT_isError(size)) return {};
  dictionary.resize(size);
  return dictionary;
}

std::string pack_stored_dictionary(std::string_view dictionary) {
  std::string packed(ZSTD_compressBound(dictionary.size()), '\0');
  const std::size_t size =
      ZSTD_compress(packed.data(), packed.size(), dictionary.data(), dictionary.size(), kStoredDictionaryLevel);
  if (ZSTD_isError(size))
    throw std::runtime_error(std::string("archive: zstd failed packing a page dictionary: ") + ZSTD_getErrorName(size));
  packed.resize(size);
  return packed;
}

std::string unpack_stored_dictionary(std::string_view stored) {
  std::uint32_t magic = 0;  // little endian, as zstd writes it
  for (std::size_t i = std::min<std::size_t>(stored.size(), 4); i-- > 0;)
    magic = magic << 8 | static_cast<unsigned char>(stored[i]);
  if (magic == ZSTD_MAGIC_DICTIONARY) return std::string(stored);
  if (magic != ZSTD_MAGICNUMBER)
    throw std::runtime_error("archive: a stored page dictionary is neither a zstd frame nor a dictionary");
  const unsigned long long plain = ZSTD_getFrameContentSize(stored.data(), stored.size());
  if (plain == ZSTD_CONTENTSIZE_ERROR || plain == ZSTD_CONTENTSIZE_UNKNOWN || plain > kMaxStoredDictionaryBytes)
    throw std::runtime_error("archive: a stored page dictionary has no plausible size");
  std::string dictionary(static_cast<std::size_t>(plain), '\0');
  const std::size_t size = ZSTD_decompress(dictionary.data(), dictionary.size(), stored.data(), stored.size());
  if (ZSTD_isError(size) || size != dictionary.size())
    throw std::runtime_error("archive: a stored page dictionary does not unpack");
  return dictionary;
}

namespace {

void check(std::size_t zstd_result) {
  if (ZSTD_isError(zstd_result))
    throw std::runtime_error(std::string("archive: zstd failed: ") + ZSTD_getErrorName(zstd_result));
}

// The history a zstd_article page is packed against: the dictionary's bytes, then the
// article's. As raw content: zstd takes one dictionary or one prefix a frame, not both, so
// the dictionary's entropy tables go unused (pack_bench: the page is still 1.6 KB smaller).
std::string article_history(const PageDictionary* dictionary, std::string_view article) {
  std::string history;
  history.reserve((dictionary ? dictionary->bytes().size() : 0) + article.size());
  if (dictionary) history += dictionary->bytes();
  history += article;
  return history;
}

}  // namespace

PackedPage pack_page(std::string_view plain, const PageDictionary* dictionary, int level, std::string_view article) {
  thread_local ZstdCCtx context(ZSTD_createCCtx());
  if (!context) throw std::runtime_error("archive: zstd could not allocate a context");
  PackedPage page;
  page.plain_bytes = plain.size();
  page.bytes.resize(ZSTD_compressBound(plain.size()));
  std::size_t size = 0;
  if (!article.empty()) {
    const std::string history = article_history(dictionary, article);
    ZSTD_CCtx* c = context.get();
    check(ZSTD_CCtx_reset(c, ZSTD_reset_session_and_parameters));
    check(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level));
    // The page's checksum: unpacked against other bytes than these, it fails instead of
    // giving other bytes back.
    check(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1));
    check(ZSTD_CCtx_refPrefix(c, history.data(), history.size()));
    size = ZSTD_compress2(c, page.bytes.data(), page.bytes.size(), plain.data(), plain.size());
    check(ZSTD_CCtx_reset(c, ZSTD_reset_session_and_parameters));
  } else if (dictionary && level == kIngestLevel) {
    size = ZSTD_compress_usingCDict(context.get(), page.bytes.data(), page.bytes.size(), plain.data(), plain.size(),
                                    PageDictionaryAccess::pack(*dictionary));
  } else if (dictionary) {
    // Loaded for this page only (PageDictionary::Handles); it takes about as long as the
    // compactor's packing of a page against its article, which loads its history each time.
    ZSTD_CCtx* c = context.get();
    check(ZSTD_CCtx_reset(c, ZSTD_reset_session_and_parameters));
    check(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level));
    check(ZSTD_CCtx_loadDictionary(c, dictionary->bytes().data(), dictionary->bytes().size()));
    size = ZSTD_compress2(c, page.bytes.data(), page.bytes.size(), plain.data(), plain.size());
    check(ZSTD_CCtx_reset(c, ZSTD_reset_session_and_parameters));
  } else {
    size = ZSTD_compressCCtx(context.get(), page.bytes.data(), page.bytes.size(), plain.data(), plain.size(), level);
  }
  check(size);
  page.bytes.resize(size);
  page.bytes.shrink_to_fit();
  if (!article.empty()) page.codec = PageCodec::zstd_article;
  else if (dictionary) page.codec = PageCodec::zstd_dictionary;
  if (dictionary) page.dictionary_id = dictionary->id();
  return page;
}

std::string unpack_page(PageCodec codec, std::string_view packed, std::size_t plain_bytes,
                        const PageDictionary* dictionary, std::string_view article) {
  if (codec == PageCodec::zlib) return inflate_bytes(packed, plain_bytes);
  if (codec != PageCodec::zstd && codec != PageCodec::zstd_dictionary && codec != PageCodec::zstd_article)
    throw std::runtime_error("archive: unknown page codec " + std::to_string(static_cast<std::int64_t>(codec)));
  if (codec == PageCodec::zstd_dictionary && !dictionary)
    throw std::runtime_error("archive: a page packed with a dictionary, and none given");
  if (codec == PageCodec::zstd_article && article.empty())
    throw std::runtime_error("archive: a page packed against its article, and no article body given");
  std::string out(plain_bytes, '\0');
  std::size_t size = 0;
  thread_local std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> context(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  if (!context) throw std::runtime_error("archive: zstd could not allocate a context");
  if (codec == PageCodec::zstd_article) {
    const std::string history = article_history(dictionary, article);
    check(ZSTD_DCtx_refPrefix(context.get(), history.data(), history.size()));
    size = ZSTD_decompressDCtx(context.get(), out.data(), out.size(), packed.data(), packed.size());
    ZSTD_DCtx_reset(context.get(), ZSTD_reset_session_and_parameters);
  } else if (codec == PageCodec::zstd_dictionary) {
    size = ZSTD_decompress_usingDDict(context.get(), out.data(), out.size(), packed.data(), packed.size(),
                                      PageDictionaryAccess::unpack(*dictionary));
  } else {
    size = ZSTD_decompress(out.data(), out.size(), packed.data(), packed.size());
  }
  check(size);
  if (size != plain_bytes) throw std::runtime_error("archive: unpacked size differs from the stored size");
  return out;
}

}  // namespace winnow::archive
