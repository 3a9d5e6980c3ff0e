#include "daemon/archive/article_codec.h"

#include <zstd.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "parsers/extract/article.h"
#include "parsers/render/render.h"

namespace winnow::archive {
namespace {

namespace json = boost::json;
using parsers::Block;
using parsers::BlockKind;

// zstd's default level, not tuned: the blob is some 7 KB of JSON, so packing costs tens of
// microseconds, and it packs to a sixth (the seeds and 40 dev-set pages: 1,253,627 bytes as
// four strings, 213,511 packed, article_codec_test).
constexpr int kZstdLevel = 3;
// A blob claiming more than this is damage (a real article's blocks are a few hundred KB).
constexpr unsigned long long kMaxPlainBytes = 256ull << 20;

enum Flags : std::uint8_t {
  kTextStored = 1,            // text kept as is; else the blocks' plain text
  kMarkdownStored = 2,        // markdown kept as is; else rendered from the blocks
  kMarkdownWithoutTitle = 4,  // rendered without a "# title" line (the page named none)
};

[[noreturn]] void corrupt(const std::string& why) {
  throw std::runtime_error("archive: corrupt article body: " + why);
}

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* c) const noexcept { ZSTD_freeDCtx(c); }
};

void put_string(std::string& out, std::string_view s) {
  std::uint64_t n = s.size();
  do {
    std::uint8_t byte = n & 0x7f;
    n >>= 7;
    if (n) byte |= 0x80;
    out.push_back(static_cast<char>(byte));
  } while (n);
  out.append(s);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  std::uint8_t byte() {
    if (in_.empty()) corrupt("truncated");
    const auto b = static_cast<std::uint8_t>(in_.front());
    in_.remove_prefix(1);
    return b;
  }
  std::string_view string() {
    std::uint64_t n = 0;
    for (int shift = 0;; shift += 7) {
      if (shift > 56) corrupt("bad length");
      const std::uint8_t b = byte();
      n |= std::uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    if (n > in_.size()) corrupt("truncated");
    std::string_view s = in_.substr(0, n);
    in_.remove_prefix(n);
    return s;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

std::optional<BlockKind> block_kind(std::string_view name) {
  for (BlockKind k : {BlockKind::paragraph, BlockKind::heading, BlockKind::list, BlockKind::table, BlockKind::quote,
                      BlockKind::code, BlockKind::caption})
    if (parsers::to_string(k) == name) return k;
  return std::nullopt;
}

const json::string* string_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_string() : nullptr;
}

// The blocks of blocks_json as parsers::to_json writes them; nullopt when it is anything else.
std::optional<std::vector<Block>> parse_blocks(std::string_view blocks_json) {
  json::error_code ec;
  const json::value value = json::parse(blocks_json, ec);
  if (ec || !value.is_array()) return std::nullopt;
  std::vector<Block> blocks;
  blocks.reserve(value.get_array().size());
  for (const json::value& v : value.get_array()) {
    const json::object* o = v.if_object();
    if (!o) return std::nullopt;
    const json::string* type = string_at(*o, "type");
    const json::string* text = string_at(*o, "text");
    if (!type || !text) return std::nullopt;
    const auto kind = block_kind(*type);
    if (!kind) return std::nullopt;
    Block b;
    b.kind = *kind;
    b.text = std::string(*text);
    if (const json::value* level = o->if_contains("level"); level && level->is_int64())
      b.level = static_cast<int>(level->get_int64());
    if (const json::value* ordered = o->if_contains("ordered"); ordered && ordered->is_bool())
      b.ordered = ordered->get_bool();
    if (const json::value* items = o->if_contains("items"); items && items->is_array())
      for (const json::value& item : items->get_array()) {
        if (!item.is_string()) return std::nullopt;
        b.items.emplace_back(item.get_string());
      }
    if (const json::value* rows = o->if_contains("rows"); rows && rows->is_array())
      for (const json::value& row : rows->get_array()) {
        if (!row.is_array()) return std::nullopt;
        auto& cells = b.rows.emplace_back();
        for (const json::value& cell : row.get_array()) {
          if (!cell.is_string()) return std::nullopt;
          cells.emplace_back(cell.get_string());
        }
      }
    blocks.push_back(std::move(b));
  }
  return blocks;
}

// What ingest renders from the blocks (daemon/ingest/article_row.cc).
std::string plain_text(std::vector<Block>& blocks) {
  parsers::Article a;
  a.blocks = std::move(blocks);
  std::string text = parsers::to_plain_text(a);
  blocks = std::move(a.blocks);
  return text;
}

std::string markdown(std::vector<Block>& blocks, const std::string& title) {
  parsers::Article a;
  a.metadata.title = title;
  a.blocks = std::move(blocks);
  std::string text = parsers::to_markdown(a);
  blocks = std::move(a.blocks);
  return text;
}

std::string unzstd(std::string_view packed, std::string_view prefix, bool with_prefix) {
  const unsigned long long size = ZSTD_getFrameContentSize(packed.data(), packed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) corrupt("not a zstd frame");
  if (size > kMaxPlainBytes) corrupt("implausible size");
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxFree> context(ZSTD_createDCtx());
  if (!context) throw std::runtime_error("archive: zstd could not allocate a context");
  std::string out(size, '\0');
  // A prefix is referenced for the next frame only.
  if (with_prefix) {
    const std::size_t rc = ZSTD_DCtx_refPrefix(context.get(), prefix.data(), prefix.size());
    if (ZSTD_isError(rc)) corrupt(ZSTD_getErrorName(rc));
  }
  const std::size_t got = ZSTD_decompressDCtx(context.get(), out.data(), out.size(), packed.data(), packed.size());
  if (with_prefix) ZSTD_DCtx_reset(context.get(), ZSTD_reset_session_and_parameters);
  if (ZSTD_isError(got)) corrupt(ZSTD_getErrorName(got));
  if (got != size) corrupt("size differs");
  return out;
}

// The payload of `body`, after checking its format byte; `text` is what a body of
// kArticleBodyAgainstTextFormat was packed against.
std::string payload(std::string_view body, std::string_view text) {
  if (body.empty()) corrupt("empty");
  const auto format = static_cast<std::uint8_t>(body.front());
  if (format != kArticleBodyFormat && format != kArticleBodyAgainstTextFormat)
    corrupt("unknown format " + std::to_string(format));
  return unzstd(body.substr(1), text, format == kArticleBodyAgainstTextFormat);
}

std::string pack(const ArticleRow& row, std::uint8_t format, std::string_view text) {
  std::uint8_t flags = kTextStored | kMarkdownStored;
  if (auto blocks = parse_blocks(row.blocks_json)) {
    if (plain_text(*blocks) == row.text) flags &= ~kTextStored;
    if (markdown(*blocks, row.title) == row.markdown)
      flags &= ~kMarkdownStored;
    else if (!row.title.empty() && markdown(*blocks, std::string()) == row.markdown)
      flags = (flags & ~kMarkdownStored) | kMarkdownWithoutTitle;
  }
  std::string plain;
  plain.reserve(row.blocks_json.size() + row.removed_json.size() + 16);
  plain.push_back(static_cast<char>(flags));
  put_string(plain, row.blocks_json);
  put_string(plain, row.removed_json);
  if (flags & kTextStored) put_string(plain, row.text);
  if (flags & kMarkdownStored) put_string(plain, row.markdown);

  thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> context(ZSTD_createCCtx());
  if (!context) throw std::runtime_error("archive: zstd could not allocate a context");
  ZSTD_CCtx* c = context.get();
  std::string body(1 + ZSTD_compressBound(plain.size()), '\0');
  body[0] = static_cast<char>(format);
  const auto check = [](std::size_t rc) {
    if (ZSTD_isError(rc)) throw std::runtime_error(std::string("archive: zstd failed: ") + ZSTD_getErrorName(rc));
    return rc;
  };
  check(ZSTD_CCtx_reset(c, ZSTD_reset_session_and_parameters));
  check(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, kZstdLevel));
  if (format == kArticleBodyAgainstTextFormat) {
    // Unpacked against other text than this, the checksum fails instead of giving other
    // blocks back.
    check(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1));
    check(ZSTD_CCtx_refPrefix(c, text.data(), text.size()));
  }
  const std::size_t size = check(ZSTD_compress2(c, body.data() + 1, body.size() - 1, plain.data(), plain.size()));
  body.resize(1 + size);
  return body;
}

}  // namespace

std::string pack_article_body(const ArticleRow& row) { return pack(row, kArticleBodyFormat, {}); }

std::string pack_article_body_against_text(const ArticleRow& row) {
  return pack(row, kArticleBodyAgainstTextFormat, row.text);
}

void unpack_article_body(std::string_view body, ArticleRow& row, std::string_view text) {
  const std::string plain = payload(body, text);
  Reader in(plain);
  const std::uint8_t flags = in.byte();
  row.blocks_json = std::string(in.string());
  row.removed_json = std::string(in.string());
  std::optional<std::vector<Block>> blocks;
  if (!(flags & kTextStored) || !(flags & kMarkdownStored)) {
    blocks = parse_blocks(row.blocks_json);
    if (!blocks) corrupt("blocks do not parse");
  }
  row.text = flags & kTextStored ? std::string(in.string()) : plain_text(*blocks);
  if (flags & kMarkdownStored)
    row.markdown = std::string(in.string());
  else
    row.markdown = markdown(*blocks, flags & kMarkdownWithoutTitle ? std::string() : row.title);
  if (!in.done()) corrupt("trailing bytes");
}

std::string article_body_text(std::string_view body, std::string_view text) {
  const std::string plain = payload(body, text);
  Reader in(plain);
  const std::uint8_t flags = in.byte();
  const std::string_view blocks_json = in.string();
  in.string();  // removed_json
  if (flags & kTextStored) return std::string(in.string());
  auto blocks = parse_blocks(blocks_json);
  if (!blocks) corrupt("blocks do not parse");
  return plain_text(*blocks);
}

std::string article_body_plain(std::string_view body, std::string_view text) { return payload(body, text); }

}  // namespace winnow::archive
