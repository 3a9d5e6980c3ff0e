#include "base/utf8.h"

#include <algorithm>

namespace winnow::base {

int utf8_sequence_length(std::string_view s, std::size_t i) { return std::max(utf8_decode_step(s, i), 0); }

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const int n = utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += static_cast<std::size_t>(n);
  }
  return true;
}

std::string valid_utf8(std::string_view s) {
  if (is_valid_utf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 16);
  for (std::size_t i = 0; i < s.size();) {
    const int n = utf8_sequence_length(s, i);
    if (n == 0) {
      out += kReplacementUtf8;
      ++i;
    } else {
      out.append(s.substr(i, static_cast<std::size_t>(n)));
      i += static_cast<std::size_t>(n);
    }
  }
  return out;
}

namespace {

constexpr bool is_c0_or_del(unsigned char c) { return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f; }

// A C1 control, U+0080-U+009F, is C2 80 to C2 9F in UTF-8.
bool is_c1_at(std::string_view s, std::size_t i) {
  return static_cast<unsigned char>(s[i]) == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F;
}

}  // namespace

std::string without_controls(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const int n = utf8_sequence_length(s, i);
    if (n == 0 || (n == 1 && is_c0_or_del(static_cast<unsigned char>(s[i]))) || (n == 2 && is_c1_at(s, i))) {
      out += kReplacementUtf8;
      i += n == 0 ? 1 : static_cast<std::size_t>(n);
    } else {
      out.append(s.substr(i, static_cast<std::size_t>(n)));
      i += static_cast<std::size_t>(n);
    }
  }
  return out;
}

void append_utf8(std::string& out, char32_t c) {
  char buffer[4];
  out.append(buffer, encode_utf8(c, buffer));
}

}  // namespace winnow::base
