#include "daemon/archive/search_query.h"

#include "base/ascii.h"

namespace winnow::archive {
namespace {

void append_string(std::string& out, std::string_view term) {
  if (!out.empty()) out += ' ';
  out += '"';
  for (char c : term) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

std::string fts5_from_plain(std::string_view plain) {
  std::string out;
  std::size_t i = 0;
  while (i < plain.size()) {
    if (base::is_ascii_space(plain[i])) {
      ++i;
    } else if (plain[i] == '"') {
      std::size_t close = plain.find('"', i + 1);
      if (close == std::string_view::npos) close = plain.size();
      std::string_view phrase = base::trim(plain.substr(i + 1, close - i - 1), base::kAsciiSpace);
      if (!phrase.empty()) append_string(out, phrase);
      i = close + 1;
    } else {
      std::size_t end = i;
      while (end < plain.size() && !base::is_ascii_space(plain[end]) && plain[end] != '"') ++end;
      append_string(out, plain.substr(i, end - i));
      i = end;
    }
  }
  return out;
}

}  // namespace winnow::archive
