#include "feeds/text.h"

#include <cstdio>
#include <vector>

#include "base/ascii.h"
#include "parsers/html/document.h"

namespace winnow::feeds {
namespace {

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

}  // namespace

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

std::optional<std::string> decode_base64(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t bits = 0;
  int count = 0;
  bool padded = false;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+' || c == '-') v = 62;  // and base64url's
    else if (c == '/' || c == '_') v = 63;
    else if (c == '=') { padded = true; continue; }
    else if (base::is_ascii_space(c)) continue;
    else return std::nullopt;
    if (padded) return std::nullopt;  // data after padding
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    if (++count == 4) {
      out += static_cast<char>(bits >> 16);
      out += static_cast<char>(bits >> 8);
      out += static_cast<char>(bits);
      bits = 0;
      count = 0;
    }
  }
  if (count == 1) return std::nullopt;
  if (count == 2) out += static_cast<char>(bits >> 4);
  if (count == 3) {
    out += static_cast<char>(bits >> 10);
    out += static_cast<char>(bits >> 2);
  }
  return out;
}

std::int64_t parse_count(std::string_view s) {
  s = base::trim_ascii_space(s);
  if (s.empty() || s.size() > 18) return -1;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace winnow::feeds
