#pragma once
// A pass in front of Gumbo that removes text nobody reads. Gumbo tokenizes the text of a
// <script> or <style> element one character at a time, and on the dev set those texts are
// 53% of the bytes (script 27%, style 26%): half of the parse time went to characters that
// the extractor then skips. Pure; any thread.
#include <cstddef>
#include <string>

namespace winnow::parsers {

// Removes, in place, the text inside <script> elements (except JSON-LD, which metadata
// reads), inside <style> elements and inside comments, keeping the tags themselves, and
// returns the number of bytes removed. Gumbo builds the same tree from the result as from
// the input, except that those elements and comments are empty; tests/fuzz/elide_fuzz.cc
// checks exactly that against Gumbo.
//
// The scan follows the HTML tokenizer: tags with quoted attributes, comments, the raw-text
// and RCDATA elements (title, textarea, ...), the escape states of script data. Where the
// tree builder could make a <script> or <style> something other than raw text (inside
// <svg> or <math>, inside <select>, after <frameset> or <plaintext>) it keeps the text.
std::size_t elide_unread_text(std::string& html);

}  // namespace winnow::parsers
