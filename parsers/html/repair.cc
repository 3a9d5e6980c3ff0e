#include "parsers/html/repair.h"

#include <algorithm>
#include <string_view>

namespace winnow::parsers {
namespace {

constexpr std::size_t npos = std::string_view::npos;
// A title runs to a few hundred bytes at most; past this the end is a guess anyway.
constexpr std::size_t kMaxTitleBytes = 1024;

char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

// Index of the first "<NAME" (any case) at or after `from` followed by a tag delimiter, or npos.
std::size_t find_tag(std::string_view s, std::string_view lt_name, std::size_t from) {
  for (std::size_t i = s.find('<', from); i != npos; i = s.find('<', i + 1)) {
    if (i + lt_name.size() >= s.size()) return npos;
    bool same = true;
    for (std::size_t k = 1; k < lt_name.size() && same; ++k) same = lower(s[i + k]) == lt_name[k];
    if (!same) continue;
    char after = s[i + lt_name.size()];
    if (after == '>' || after == '/' || after == ' ' || after == '\t' || after == '\n' || after == '\r' ||
        after == '\f')
      return i;
  }
  return npos;
}

}  // namespace

bool close_unclosed_title(std::string& html) {
  const std::string_view s = html;
  std::size_t open = find_tag(s, "<title", 0);
  if (open == npos) return false;
  std::size_t text = s.find('>', open);
  if (text == npos) return false;
  ++text;
  if (find_tag(s, "</title", text) != npos) return false;
  std::size_t end = std::min({s.find_first_of("\n\r<", text), text + kMaxTitleBytes, s.size()});
  html.insert(end, "</title>");
  return true;
}

}  // namespace winnow::parsers
