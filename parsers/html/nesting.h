#pragma once
// A guard in front of Gumbo. Gumbo's tree builder walks the stack of open elements for many
// tags, so a page nested 100,000 deep takes seconds (measured: 20 s for 100k <div>s).
// Pure; any thread.
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace winnow::parsers {

struct NestingBounds {
  int max_depth = 512;
  // Formatting elements (b, i, font, a, ...) left open. The tree builder re-opens every one of
  // them inside each following paragraph, with its attributes: 500 open <b class=...> and
  // 20,000 <p> make ten million elements out of 167 KB. Unbounded unless set.
  int max_open_formatting = std::numeric_limits<int>::max();
  // Attributes of one start tag. The tokenizer looks for a duplicate name among those read
  // so far, for each one: 50,000 attributes took Gumbo 3 s. 256: the most in the dev sets is 161.
  int max_attributes = 256;
  // <html> and <body> start tags after the first few. The tree builder merges the attributes
  // of each into the first's, one lookup per attribute: many of them are as slow.
  int max_repeated_root_tags = 8;
};

// When `html` opens elements deeper than `bounds.max_depth`, or leaves more formatting
// elements open than `bounds.max_open_formatting`, returns a copy in which the start tags
// beyond the bound, and their end tags, are left out (their text stays); attributes past
// `max_attributes` and <html>/<body> tags past `max_repeated_root_tags` are left out too.
// nullopt when the page is within bounds, which is every real page; one linear pass.
// The depth is estimated by a light tokenizer: void elements and elements whose end tag is
// optional (p, li, td, ...) do not count, raw-text elements (script, style, ...) are skipped.
// A "/>" closes an element only inside <svg> and <math>: in HTML, <div/> opens a div.
std::optional<std::string> bound_nesting(std::string_view html, NestingBounds bounds);

}  // namespace winnow::parsers
