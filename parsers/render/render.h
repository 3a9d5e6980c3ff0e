#pragma once
// Article -> text, Markdown or JSON. Pure; any thread.
#include <boost/json/object.hpp>

#include <string>
#include <vector>

#include "parsers/extract/article.h"

namespace winnow::parsers {

// Blocks separated by a blank line; list items and table rows one a line, cells tab-separated.
std::string to_plain_text(const Article& article);

// What Markdown shows besides the text (trafilatura's switches).
struct MarkdownOptions {
  bool links = false;   // each block's links as [text](url)
  bool images = false;  // the article's images as ![alt](src), on their own line where they sit
  bool tables = true;   // false: tables left out
};

// CommonMark: headings, lists, quotes, pipe tables, fenced code. Link text and alt text are
// escaped as all text is; a URL with spaces or controls is written <...>, others with
// ( ) \ < > backslash-escaped. An image in a paragraph or quote cuts it where it sits; in a
// list, table, heading or code block it stands before (at offset 0) or after the block.
std::string to_markdown(const Article& article, const MarkdownOptions& options = {});

// {"title", "authors", "published", ..., "text", "blocks": [{"type": "paragraph", "text"},
//  {"type": "heading", "level", "text"}, {"type": "list", "ordered", "items"},
//  {"type": "table", "rows"}, ...]} and, with `with_removed`, "removed": [{"reason", "text"}].
// A block with links has "links": [[begin, end, url], ...] and one with images
// "images": [[at, src, alt], ...]: byte offsets into its UTF-8 "text" (Block's InlineLink and
// InlineImage), left out when there are none.
boost::json::object to_json(const Article& article, bool with_removed);

// The blocks of a to_json "blocks" array (as the archive stores it), for rendering again.
// Tolerant: unknown types read as paragraphs, bad or missing fields as empty, offsets past
// the text are clamped; anything but an array gives no blocks.
std::vector<Block> blocks_from_json(const boost::json::value& blocks);

}  // namespace winnow::parsers
