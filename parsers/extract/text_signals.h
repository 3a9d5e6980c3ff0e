#pragma once
// What a block's own wording says about it: sentence or label, prose or script, byline,
// date, counter, a comment's signature. The extractor's judgements read these; none looks at
// markup. Pure; any thread.
#include <optional>
#include <string>
#include <string_view>

namespace winnow::parsers {

// The text ends as a sentence does: . ! ? : ; a closing quote or bracket, ” ’ 。 ！ ？ » …
bool ends_like_sentence(std::string_view text);

// The text holds a letter or digit in some script, not only punctuation and symbols.
bool has_word_character(std::string_view text);

// Script text showing as text (a <script> tag the page broke): dense in code punctuation.
bool looks_like_code(std::string_view text);

// The text is one web address and nothing else: "https://example.org/a/b".
bool is_bare_url(std::string_view text);

// Lowercase ASCII letters and digits, non-ASCII bytes as they are, nothing else: the key for
// "the same text" and "the page's title".
std::string fold_key(std::string_view text);

// "12 Sources", "3 min read", "45 comments".
bool is_counter_label(std::string_view text);

// A slide's number at the head of its caption: "12/50 Rogue trader freed", "3 of 12", "4 de 20"
// give {12, 50}, {3, 12}, {4, 20}; nothing when the text does not start so or the first
// number is 0 or above the second.
struct SlideNumber {
  int index = 0, count = 0;
};
std::optional<SlideNumber> slide_number(std::string_view text);

// The dated line over a reader's comment: "Posted by: Jane, Leeds on 8:21pm Tue 1 Jan 08".
bool is_signature(std::string_view text);

// A numeric date in the text: 05/10/2018, 5.10.18, 2018-10-05.
bool has_numeric_date(std::string_view text);

// An author or date line: "By Jane Doe", "Published 5 May 2019", "Updated 11:21 pm".
bool looks_like_byline(std::string_view text);

// A stamped date line anywhere in the page: "Updated 11:21 pm CST, Tuesday, November 19, 2019".
bool looks_like_dateline_anywhere(std::string_view text);

}  // namespace winnow::parsers
