#pragma once
// The extracted content of an article, as the archive stores it: one compact blob in place of
// four strings (ArticleRow's text, markdown, blocks_json and removed_json). Backend-neutral:
// any store that keeps a byte string per article can use it.
//
// Ingest makes the text and the Markdown from the typed blocks (parsers' to_plain_text and
// to_markdown), so the blob keeps the blocks and the removed blocks, zstd-packed, and leaves
// text and Markdown out whenever rendering the blocks again gives them back byte for byte;
// otherwise (a row written by hand, a title changed after rendering) it keeps them too, so
// that every row reads back as it was written. Pure; any thread (each thread keeps one zstd
// context). Corrupt blobs throw std::runtime_error: stored damage, not an expected outcome.
//
// Blob: one byte, the format (kArticleBodyFormat), then a zstd frame of: one byte of flags,
// then length-prefixed (LEB128) strings: blocks_json, removed_json, and text and markdown
// when the flags say they are stored. The format number is stored: never reuse one.
//
// Format 2 is the same payload packed against the article's plain text, which the store
// keeps beside the blob (PostgreSQL, whose full-text index is computed from that text): the
// blocks' texts are then references into it, and the blob holds little more than their
// structure and the removed blocks. Such a blob unpacks only with that text; its zstd
// checksum fails with any other.
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/archive/archive.h"

namespace winnow::archive {

inline constexpr std::uint8_t kArticleBodyFormat = 1;
inline constexpr std::uint8_t kArticleBodyAgainstTextFormat = 2;

// row.text, markdown, blocks_json and removed_json as one blob. `row.title` is the title the
// Markdown may start with; it must be stored beside the blob and given back to unpack.
std::string pack_article_body(const ArticleRow& row);
// The same, packed against row.text (format 2): the text must be stored beside it.
std::string pack_article_body_against_text(const ArticleRow& row);

// Sets row.text, markdown, blocks_json and removed_json from `body`; `row.title` must hold
// the title the row was packed with, and `text` the text stored beside a format 2 body
// (ignored for format 1; it may be row.text itself, read before any field is set).
void unpack_article_body(std::string_view body, ArticleRow& row, std::string_view text = {});

// The plain text alone (what the full-text index holds), without rendering Markdown.
std::string article_body_text(std::string_view body, std::string_view text = {});

// The bytes `body` holds, unpacked: what a raw page packed against its article refers to
// (compress.h, PageCodec::zstd_article). Stored bytes, not a rendering: the same whatever
// the renderer of a later winnow does.
std::string article_body_plain(std::string_view body, std::string_view text = {});

}  // namespace winnow::archive
