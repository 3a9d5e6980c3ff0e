#include "parsers/charset/prescan.h"

#include <cstddef>
#include <utility>

#include "base/ascii.h"
#include "parsers/charset/convert.h"
#include "parsers/html/tag_scan.h"

namespace winnow::parsers::charset {
namespace {

// WHATWG: a <meta> or XML declaration cannot mean UTF-16 (the bytes were read as ASCII to find
// it), and x-user-defined there means windows-1252.
const Encoding* as_in_page_encoding(const Encoding* encoding) {
  if (encoding && is_utf16(*encoding)) return &kUtf8;
  if (encoding && encoding->decoder == Decoder::x_user_defined) return &kWindows1252;
  return encoding;
}

// WHATWG "extracting a character encoding from a meta element", for the content attribute
// of <meta http-equiv=Content-Type content="text/html; charset=...">.
const Encoding* encoding_from_meta_content(std::string_view content) {
  std::size_t pos = 0;
  for (;;) {
    pos = base::ifind(content, "charset", pos);
    if (pos == std::string_view::npos) return nullptr;
    pos += 7;
    while (pos < content.size() && base::is_html_space(content[pos])) ++pos;
    if (pos < content.size() && content[pos] == '=') break;
  }
  ++pos;
  while (pos < content.size() && base::is_html_space(content[pos])) ++pos;
  if (pos == content.size()) return nullptr;
  const char quote = content[pos];
  if (quote == '"' || quote == '\'') {
    const std::size_t close = content.find(quote, pos + 1);
    if (close == std::string_view::npos) return nullptr;
    return usable_encoding(content.substr(pos + 1, close - pos - 1));
  }
  std::size_t stop = pos;
  while (stop < content.size() && !base::is_html_space(content[stop]) && content[stop] != ';') ++stop;
  return usable_encoding(content.substr(pos, stop - pos));
}

// The WHATWG prescan (HTML "prescan a byte stream to determine its encoding") for
// <meta charset> and <meta http-equiv=Content-Type>. Browsers keep looking past the first KiB
// while in the head, and real pages put long scripts and styles before the <meta>, so we scan
// on until <body>, up to kMaxBytes.
class MetaPrescan {
 public:
  explicit MetaPrescan(std::string_view bytes) : s_(bytes.substr(0, kMaxBytes)) {}

  const Encoding* run() {
    while (pos_ < s_.size()) {
      pos_ = s_.find('<', pos_);  // everything the prescan looks at starts with one
      if (pos_ == std::string_view::npos) return nullptr;
      if (seen_body_ && pos_ >= kUnconditionalBytes) return nullptr;
      if (at("<!--")) {
        // The "--" of "<!--" may also end it: "<!-->" is a whole comment.
        const std::size_t end = s_.find("-->", pos_ + 2);
        if (end == std::string_view::npos) return nullptr;
        pos_ = end + 3;
      } else if (at("<meta") && pos_ + 5 < s_.size() &&
                 (base::is_html_space(s_[pos_ + 5]) || s_[pos_ + 5] == '/')) {
        pos_ += 6;
        if (const Encoding* encoding = meta_element()) return encoding;
      } else if (is_tag_start()) {
        seen_body_ |= is_body_tag();
        // Unlike the tokenizer's, the prescan's tag name runs on over a '/'.
        while (pos_ < s_.size() && !base::is_html_space(s_[pos_]) && s_[pos_] != '>') ++pos_;
        pos_ = TagAttributes(s_, pos_).skip_to_end();
      } else if (at("<!") || at("</") || at("<?")) {
        const std::size_t end = s_.find('>', pos_ + 2);
        if (end == std::string_view::npos) return nullptr;
        pos_ = end + 1;
      } else {
        ++pos_;
      }
    }
    return nullptr;
  }

 private:
  static constexpr std::size_t kUnconditionalBytes = 1024;  // the HTML standard's prescan length
  static constexpr std::size_t kMaxBytes = 64 * 1024;

  // Whether `lower` (lowercase ASCII) is at pos_, ignoring ASCII case.
  bool at(std::string_view lower) const { return base::istarts_with(s_.substr(pos_), lower); }

  // "<" or "</" then an ASCII letter.
  bool is_tag_start() const {
    std::size_t next = pos_ + 1;
    if (next < s_.size() && s_[next] == '/') ++next;
    return next < s_.size() && base::is_ascii_alpha(s_[next]);
  }

  bool is_body_tag() const {
    if (!at("<body") || pos_ + 5 >= s_.size()) return false;
    const char after = s_[pos_ + 5];
    return base::is_html_space(after) || after == '>' || after == '/';
  }

  // The attributes of a <meta> from pos_, then its encoding if it declares one we can use.
  // Leaves pos_ past the tag.
  const Encoding* meta_element() {
    bool seen_http_equiv = false, seen_content = false, seen_charset = false;
    bool got_pragma = false;
    enum class NeedPragma { unknown, yes, no } need_pragma = NeedPragma::unknown;
    enum class Charset { none, found, failure } charset_state = Charset::none;
    const Encoding* charset = nullptr;
    TagAttributes attributes(s_, pos_);
    for (TagAttribute attr; attributes.next(attr);) {
      if (base::iequals(attr.name, "http-equiv")) {
        if (std::exchange(seen_http_equiv, true)) continue;
        if (base::iequals(attr.value, "content-type")) got_pragma = true;
      } else if (base::iequals(attr.name, "content")) {
        if (std::exchange(seen_content, true)) continue;
        if (charset_state != Charset::none) continue;
        if (const Encoding* encoding = encoding_from_meta_content(attr.value)) {
          charset = encoding;
          charset_state = Charset::found;
          need_pragma = NeedPragma::yes;
        }
      } else if (base::iequals(attr.name, "charset")) {
        if (std::exchange(seen_charset, true)) continue;
        charset = usable_encoding(attr.value);
        charset_state = charset ? Charset::found : Charset::failure;
        need_pragma = NeedPragma::no;
      }
    }
    pos_ = attributes.end();
    if (!attributes.closed()) return nullptr;  // cut off inside the tag
    if (need_pragma == NeedPragma::unknown || charset_state != Charset::found) return nullptr;
    if (need_pragma == NeedPragma::yes && !got_pragma) return nullptr;
    return as_in_page_encoding(charset);
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  bool seen_body_ = false;
};

// HTML "get an XML encoding": <?xml version="1.0" encoding="..."?> at the very start.
const Encoding* encoding_from_xml_declaration(std::string_view bytes) {
  if (!bytes.starts_with("<?xml")) return nullptr;
  constexpr std::size_t kMaxDeclarationBytes = 1024;
  const std::size_t end = bytes.substr(0, kMaxDeclarationBytes).find('>');
  if (end == std::string_view::npos) return nullptr;
  const std::string_view declaration = bytes.substr(0, end);
  std::size_t pos = declaration.find("encoding");
  if (pos == std::string_view::npos) return nullptr;
  pos += 8;
  while (pos < declaration.size() && base::is_html_space(declaration[pos])) ++pos;
  if (pos >= declaration.size() || declaration[pos] != '=') return nullptr;
  ++pos;
  while (pos < declaration.size() && base::is_html_space(declaration[pos])) ++pos;
  if (pos >= declaration.size() || (declaration[pos] != '"' && declaration[pos] != '\'')) return nullptr;
  const std::size_t close = declaration.find(declaration[pos], pos + 1);
  if (close == std::string_view::npos) return nullptr;
  return as_in_page_encoding(usable_encoding(declaration.substr(pos + 1, close - pos - 1)));
}

}  // namespace

const Encoding* encoding_declared_in_page(std::string_view bytes) {
  if (const Encoding* encoding = MetaPrescan(bytes).run()) return encoding;
  return encoding_from_xml_declaration(bytes);
}

}  // namespace winnow::parsers::charset
