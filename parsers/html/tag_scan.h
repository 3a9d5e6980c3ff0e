#pragma once
// A tag's attributes read from raw page bytes the way the HTML tokenizer reads them, for the
// passes that look at a page before Gumbo does: elide.cc, and the charset prescan, whose "get
// an attribute" (HTML 13.2.3.2) reads them the same way. Pure; any thread.
#include <cstddef>
#include <string_view>

#include "base/ascii.h"

namespace winnow::parsers {

struct TagAttribute {
  std::string_view name;   // as written (any case); never empty
  std::string_view value;  // as written, without its quotes; character references not decoded
  bool has_value = false;  // an '=' followed the name (a bare name's value is "")
};

// Walks the attributes of one start or end tag, in order, duplicates included. Follows the
// tokenizer from "before attribute name" to "after attribute value (quoted)": a name runs up to
// whitespace, '/', '>' or '=' (its first character may be any other, even '=' or a quote),
// only a quote right after the '=' opens a quoted value, and a '/' between attributes is
// skipped. Whitespace is base::is_html_space, '\r' included: Gumbo turns it into '\n' before
// tokenizing. Views into `s`, which must outlive the walker and what it returns.
class TagAttributes {
 public:
  // `pos`: just after the tag name (or between two attributes).
  TagAttributes(std::string_view s, std::size_t pos) : s_(s), pos_(pos) {}

  // Reads the next attribute; false at the end of the tag. An attribute that the end of the
  // input cuts short is still read.
  bool next(TagAttribute& attribute);
  // Reads the rest of the tag; returns end().
  std::size_t skip_to_end();

  // Just past the attribute next() read last.
  std::size_t position() const { return pos_; }

  // Once next() has returned false:
  // Just past the tag's '>', or s.size() when the input ends first.
  std::size_t end() const { return pos_; }
  // Whether a '>' ended the tag.
  bool closed() const { return closed_; }
  // Whether it ended with "/>" (outside an attribute value).
  bool self_closing() const { return self_closing_; }

 private:
  void read_attribute(TagAttribute& attribute);

  std::string_view s_;
  std::size_t pos_;
  bool closed_ = false;
  bool self_closing_ = false;
};

// Inline, here: elide reads every tag of every page with it, and out of line it cost elide
// 10% more instructions (callgrind, the zyte set, 2026-12).
inline bool TagAttributes::next(TagAttribute& attribute) {
  const std::size_t n = s_.size();
  while (pos_ < n) {
    const char c = s_[pos_];
    if (base::is_html_space(c)) {
      ++pos_;
    } else if (c == '/') {
      ++pos_;
      self_closing_ = pos_ < n && s_[pos_] == '>';
    } else if (c == '>') {
      ++pos_;
      closed_ = true;
      return false;
    } else {
      read_attribute(attribute);
      return true;
    }
  }
  return false;
}

inline std::size_t TagAttributes::skip_to_end() {
  TagAttribute ignored;
  while (next(ignored)) {
  }
  return end();
}

inline void TagAttributes::read_attribute(TagAttribute& attribute) {
  const std::string_view s = s_;
  const std::size_t n = s.size();
  std::size_t i = pos_;
  const std::size_t name_start = i++;  // the first character may be anything here
  while (i < n && !base::is_html_space(s[i]) && s[i] != '/' && s[i] != '>' && s[i] != '=') ++i;
  // Views made without substr's range check (the bounds hold), which would keep the compiler
  // from dropping the values elide never reads.
  attribute.name = std::string_view(s.data() + name_start, i - name_start);
  while (i < n && base::is_html_space(s[i])) ++i;
  attribute.has_value = i < n && s[i] == '=';
  if (!attribute.has_value) {
    attribute.value = {};
    pos_ = i;
    return;
  }
  ++i;
  while (i < n && base::is_html_space(s[i])) ++i;
  std::size_t value_start = i;
  if (i < n && (s[i] == '"' || s[i] == '\'')) {
    const std::size_t close = s.find(s[i], ++value_start);
    i = close == std::string_view::npos ? n : close;
    pos_ = close == std::string_view::npos ? n : close + 1;
  } else {  // unquoted, or none before a '>'
    while (i < n && !base::is_html_space(s[i]) && s[i] != '>') ++i;
    pos_ = i;
  }
  attribute.value = std::string_view(s.data() + value_start, i - value_start);
}

}  // namespace winnow::parsers
