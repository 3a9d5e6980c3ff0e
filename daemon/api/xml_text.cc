#include "daemon/api/xml_text.h"

#include "base/utf8.h"

namespace winnow::api {

std::string xml_chars(std::string_view s) {
  const std::string valid = base::is_valid_utf8(s) ? std::string(s) : base::valid_utf8(s);
  std::string out;
  out.reserve(valid.size());
  for (std::size_t i = 0; i < valid.size(); ++i) {
    const auto c = static_cast<unsigned char>(valid[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') continue;
    // U+FFFE and U+FFFF: EF BF BE and EF BF BF.
    if (c == 0xEF && i + 2 < valid.size() && static_cast<unsigned char>(valid[i + 1]) == 0xBF &&
        static_cast<unsigned char>(valid[i + 2]) >= 0xBE) {
      i += 2;
      continue;
    }
    out += valid[i];
  }
  return out;
}

void append_escaped(std::string& out, std::string_view text, bool in_attribute) {
  const std::string clean = xml_chars(text);
  out.reserve(out.size() + clean.size());
  for (char c : clean) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;  // never "]]>" in content
      case '\r': out += "&#13;"; break;
      case '"':
        if (in_attribute) out += "&quot;";
        else out += c;
        break;
      case '\t':
        if (in_attribute) out += "&#9;";
        else out += c;
        break;
      case '\n':
        if (in_attribute) out += "&#10;";
        else out += c;
        break;
      default: out += c;
    }
  }
}

std::string escaped(std::string_view text, bool in_attribute) {
  std::string out;
  append_escaped(out, text, in_attribute);
  return out;
}

}  // namespace winnow::api
