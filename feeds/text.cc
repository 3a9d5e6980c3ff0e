#include "feeds/text.h"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <cstdio>
#include <vector>

#include "parsers/html/document.h"

namespace winnow::feeds {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool is_block(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_BR: case GUMBO_TAG_LI: case GUMBO_TAG_UL:
    case GUMBO_TAG_OL: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4:
    case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_TR: case GUMBO_TAG_TD: case GUMBO_TAG_TH:
    case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE: case GUMBO_TAG_TABLE: case GUMBO_TAG_HR:
    case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_DD: case GUMBO_TAG_DT:
      return true;
    default:
      return false;
  }
}

// Appends the text under `node`, iteratively: Gumbo trees can be deep.
void append_text(const GumboNode& root, std::string& out) {
  std::vector<const GumboNode*> stack{&root};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    if (node == nullptr) {  // the end of a block element
      out += ' ';
      continue;
    }
    switch (node->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_CDATA:
      case GUMBO_NODE_WHITESPACE:
        out += node->v.text.text;
        break;
      case GUMBO_NODE_DOCUMENT:
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE: {
        if (parsers::is_element(*node, GUMBO_TAG_SCRIPT) || parsers::is_element(*node, GUMBO_TAG_STYLE)) break;
        const GumboVector& children =
            node->type == GUMBO_NODE_DOCUMENT ? node->v.document.children : node->v.element.children;
        // Block-level breaks read as spaces: "<p>a</p><p>b</p>" is "a b", not "ab".
        if (node->type != GUMBO_NODE_DOCUMENT && is_block(node->v.element.tag)) {
          out += ' ';
          stack.push_back(nullptr);
        }
        for (unsigned i = children.length; i > 0; --i) stack.push_back(static_cast<const GumboNode*>(children.data[i - 1]));
        break;
      }
      default:
        break;
    }
  }
}

int utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  int n = 0;
  unsigned min = 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) { n = 2; min = 0x80; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; min = 0x800; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; min = 0x10000; }
  else return 0;
  if (i + static_cast<std::size_t>(n) > s.size()) return 0;
  unsigned cp = c & (0xFF >> (n + 1));
  for (int k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string collapse_whitespace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (char c : s) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

std::string html_to_text(std::string_view html) {
  auto doc = parsers::HtmlDocument::parse(std::string(html));
  std::string text;
  append_text(doc.document(), text);
  return collapse_whitespace(text);
}

std::string plain_text(std::string_view maybe_html) {
  if (maybe_html.find_first_of("<&") == std::string_view::npos) return collapse_whitespace(maybe_html);
  return html_to_text(maybe_html);
}

std::string resolve_url(std::string_view base, std::string_view ref) {
  ref = trim(ref);
  if (ref.empty()) return {};
  auto ref_url = boost::urls::parse_uri_reference(ref);
  if (!ref_url || ref_url->has_scheme()) return std::string(ref);
  auto base_url = boost::urls::parse_uri(trim(base));
  if (!base_url) return std::string(ref);
  boost::urls::url dest;
  if (!boost::urls::resolve(*base_url, *ref_url, dest)) return std::string(ref);
  return std::string(dest.buffer());
}

std::string derived_id(std::string_view link, std::string_view title, std::string_view fallback) {
  std::uint64_t h = 14695981039346656037ull;
  auto mix = [&h](std::string_view s) {
    for (char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ull;
    }
  };
  mix(link);
  mix("\n");
  mix(title);
  if (link.empty() && title.empty()) {
    mix("\n");
    mix(fallback);
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "urn:winnow:%016llx", static_cast<unsigned long long>(h));
  return buf;
}

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
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, static_cast<std::size_t>(n)));
      i += static_cast<std::size_t>(n);
    }
  }
  return out;
}

std::int64_t parse_count(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 18) return -1;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace winnow::feeds
