#pragma once
// Repairs, in front of Gumbo, the one break in a page's markup that loses the whole page.
// Pure; any thread.
#include <string>

namespace winnow::parsers {

// A <title> that is never closed makes the rest of the page its text: <title> is RCDATA, so
// the tokenizer reads every later tag as characters up to a "</title" that never comes, and
// the page has no body. Truncated and hand-made pages do this (7 of the 621 L3S-GN1 pages).
// When the first <title> start tag has no end tag after it, this inserts "</title>" where the
// title most likely ends: at the first line break or '<' after it, and at most 1,024 bytes
// on. Returns true when it changed `html`.
bool close_unclosed_title(std::string& html);

}  // namespace winnow::parsers
