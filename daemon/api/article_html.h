#pragma once
// An archived article's body as clean HTML, for the full-text feeds (feed_out.h) and any
// other API answer that serves an article as HTML. Pure; any thread.
//
// Safe by construction: the HTML is written here from the article's typed blocks, which
// hold plain text only, so no markup of the page survives to be filtered. What comes out
// uses only p, br, h2-h6, ul, ol, li, table, tbody, tr, td, blockquote, pre, code, figure,
// img and em, with the attributes src and alt; every text is escaped (a "<script>" in a block
// is text), and the one URL (the lead image) is absolute http(s) or left out.
#include <string>
#include <string_view>

#include "daemon/archive/archive.h"

namespace winnow::api {

// The HTML of `row`:
// - its lead image (row.image, resolved against row.url) as <figure><img>, when safe_url
//   keeps it;
// - its blocks (row.blocks_json, as parsers::to_json writes them): paragraph <p>, heading
//   <h2>-<h6> (level 1 is written as 2: the title is the feed entry's), list <ul>/<ol>,
//   table <table> of <td> cells, quote <blockquote>, code <pre><code>, caption <p><em>; a
//   line break inside a text is <br />. A block of a type this version does not know is
//   written as a paragraph of its text.
// - When blocks_json holds no block ("", "[]", or something that is not a JSON array of
//   blocks), the paragraphs of row.text instead: split at blank lines.
// Invalid UTF-8 and characters XML 1.0 forbids are cleaned (xml_text.h), so the result can be
// embedded in XML as it is.
std::string article_html(const archive::ArticleRow& row);

// `ref` resolved against `base` (base::resolve_url) when the result is an absolute http or
// https URL with a host (with `allow_mailto`, a mailto: URL too); "" for anything else:
// javascript:, data:, vbscript:, file:, a reference that is no URL, a relative one without
// an absolute base. The scheme is judged on the resolved, parsed URL, so tricks a browser
// would read as a scheme (case, spaces, tabs or newlines inside it, entities) either fail to
// parse or end up in a path, never in the scheme.
std::string safe_url(std::string_view base, std::string_view ref, bool allow_mailto = false);

}  // namespace winnow::api
