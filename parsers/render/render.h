#pragma once
// Article -> text, Markdown or JSON. Pure; any thread.
#include <boost/json/object.hpp>

#include <string>

#include "parsers/extract/article.h"

namespace winnow::parsers {

// Blocks separated by a blank line; list items and table rows one a line, cells tab-separated.
std::string to_plain_text(const Article& article);

// CommonMark: headings, lists, quotes, pipe tables, fenced code.
std::string to_markdown(const Article& article);

// {"title", "authors", "published", ..., "text", "blocks": [{"type": "paragraph", "text"},
//  {"type": "heading", "level", "text"}, {"type": "list", "ordered", "items"},
//  {"type": "table", "rows"}, ...]} and, with `with_removed`, "removed": [{"reason", "text"}].
boost::json::object to_json(const Article& article, bool with_removed);

}  // namespace winnow::parsers
