#pragma once
// Cuts the flat DOM into text blocks: maximal runs of inline text between block-level tags
// or two consecutive <br>, as a reader sees paragraphs on the page. Pure; any thread.
#include <cstdint>
#include <string>
#include <vector>

#include "parsers/extract/dom.h"

namespace winnow::parsers {

// Where a block sits; each field is a DomNode index, or -1 when there is no such ancestor.
struct BlockContext {
  std::int32_t heading = -1;     // h1..h6
  std::int32_t list_item = -1;   // li, dd, dt
  std::int32_t list = -1;        // ul, ol, dl, menu
  std::int32_t table = -1;
  std::int32_t row = -1;         // tr
  std::int32_t cell = -1;        // td, th
  std::int32_t quote = -1;       // blockquote
  std::int32_t code = -1;        // pre
  std::int32_t caption = -1;     // figcaption, or caption of a table
};

// A link in a block's text: the bytes [begin, end) of `text` are the text of the <a href>
// element `anchor` (a DomNode index). Spaces at either end of the link's text are outside.
struct TextLink {
  std::int32_t begin = 0, end = 0;
  std::int32_t anchor = -1;
};

// An <img> in or before a block: `image` indexes FlatDom::images; `at` is the byte offset in
// `text` where it sits (inline images only).
struct TextImage {
  std::int32_t at = 0;
  std::int32_t image = -1;
};

// How much text a code point stands for, in Latin letters: the unit of every length threshold
// of the extractor and the verdict, which were tuned on European pages. Chinese, Japanese and
// Korean say as much in fewer characters, and a Han character of a Chinese headline or summary
// must not count as one letter of an English one:
//   3 for a Han ideograph: a word or morpheme; Chinese text runs about a third as many
//     characters as its English translation has letters.
//   2 for a kana: one mora, "ka", "shi", two letters romanised; Japanese text, kanji and kana
//     mixed, runs about 2 to 2.5 letters a character.
//   2 for a Hangul syllable: two or three jamo, and Korean runs about half as many syllables as
//     English has letters. Korean puts spaces between words, but spaces count for nothing in
//     any script, so the syllables alone carry the text.
//   1 for everything else, CJK punctuation and full-width digits included (one mark, one digit).
int char_width(char32_t cp);

struct TextBlock {
  std::string text;            // whitespace collapsed ("\n" for <br>), trimmed; pre keeps its spaces
  std::int32_t owner = -1;     // innermost block-level element around the text
  std::int32_t first = -1;     // first text node of the block
  std::int32_t chars = 0;      // non-space code points: what reports say ("N characters")
  // The same text measured by char_width: what every threshold compares ("a block of 80 is
  // prose", "a headline link is 15 or more"). Equal to `chars` on a page in a Latin script.
  std::int32_t width = 0;
  std::int32_t link_width = 0; // of the width, inside <a href>
  std::int32_t lead_link_width = 0;  // of the width, in links before the first character outside one
  std::int32_t words = 0;      // space-separated tokens, and a word per two Chinese or Japanese characters
  BlockContext ctx;
  std::vector<TextLink> links;          // in text order, not overlapping
  std::vector<TextImage> images;        // inside the block's text, in order
  std::vector<std::int32_t> images_before;  // FlatDom::images between the previous block and this one
};

// Blocks of the subtree [begin, dom.nodes[begin].end), in document order; empty ones dropped.
std::vector<TextBlock> segment(const FlatDom& dom, std::int32_t begin);

}  // namespace winnow::parsers
