#include "base/ascii.h"

#include <algorithm>

namespace winnow::base {

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return to_lower(x) == to_lower(y); });
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::size_t ifind(std::string_view s, std::string_view needle, std::size_t pos) {
  if (pos > s.size()) return std::string_view::npos;
  const auto it = std::search(s.begin() + static_cast<std::ptrdiff_t>(pos), s.end(), needle.begin(), needle.end(),
                              [](char x, char y) { return to_lower(x) == to_lower(y); });
  if (it == s.end() && !needle.empty()) return std::string_view::npos;
  return static_cast<std::size_t>(it - s.begin());
}

std::string_view trim_left(std::string_view s, std::string_view chars) {
  const auto start = s.find_first_not_of(chars);
  return s.substr(start == std::string_view::npos ? s.size() : start);
}

std::string_view trim_right(std::string_view s, std::string_view chars) {
  const auto last = s.find_last_not_of(chars);
  return s.substr(0, last == std::string_view::npos ? 0 : last + 1);
}

std::string_view trim(std::string_view s, std::string_view chars) { return trim_right(trim_left(s, chars), chars); }

std::string_view trim_ascii_space(std::string_view s) { return trim(s, kAsciiSpace); }

std::string collapse_whitespace(std::string_view s, std::string_view spaces) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (char c : s) {
    if (spaces.find(c) != std::string_view::npos) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

void append_html_escaped(std::string_view text, std::string& out, bool in_attribute) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"':
        if (in_attribute) {
          out += "&quot;";
          break;
        }
        [[fallthrough]];
      default: out += c;
    }
  }
}

}  // namespace winnow::base
