#pragma once
// An outline of a Gumbo tree for comparing two parses: one line per node with its namespace,
// tag, attributes and text. The text of <script> and <style> elements and of comments is
// left out, since parsers/html/elide.h removes exactly those. Header-only: used by the
// parsers tests and by tests/fuzz/elide_fuzz.cc. Parses through HtmlDocument (elision off),
// so that a page on which Gumbo asserts gives kGumboFailed instead of ending the process.
#include <gumbo.h>

#include "parsers/html/document.h"

#include <string>
#include <string_view>

namespace winnow::testing {

inline void outline_node(const GumboNode& node, int depth, std::string& out) {
  out.append(std::size_t(depth) * 2, ' ');
  switch (node.type) {
    case GUMBO_NODE_DOCUMENT: {
      const GumboDocument& d = node.v.document;
      out += "#document doctype=" + std::to_string(d.has_doctype) + " name=" + d.name + " public=" +
             d.public_identifier + " system=" + d.system_identifier + " quirks=" +
             std::to_string(int(d.doc_type_quirks_mode)) + "\n";
      for (unsigned i = 0; i < d.children.length; ++i)
        outline_node(*static_cast<const GumboNode*>(d.children.data[i]), depth + 1, out);
      return;
    }
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE: {
      const GumboElement& e = node.v.element;
      out += "<" + std::to_string(int(e.tag_namespace)) + ":";
      if (e.tag != GUMBO_TAG_UNKNOWN) {
        out += gumbo_normalized_tagname(e.tag);
      } else {
        GumboStringPiece piece = e.original_tag;
        gumbo_tag_from_original_text(&piece);
        for (std::size_t i = 0; i < piece.length; ++i) {
          char c = piece.data[i];
          out += c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
        }
      }
      for (unsigned i = 0; i < e.attributes.length; ++i) {
        const auto* a = static_cast<const GumboAttribute*>(e.attributes.data[i]);
        out += " " + std::to_string(int(a->attr_namespace)) + ":" + a->name + "=\"" + a->value + "\"";
      }
      out += node.type == GUMBO_NODE_TEMPLATE ? "> (template)\n" : ">\n";
      bool unread = e.tag == GUMBO_TAG_SCRIPT || e.tag == GUMBO_TAG_STYLE;
      for (unsigned i = 0; i < e.children.length; ++i) {
        const auto* child = static_cast<const GumboNode*>(e.children.data[i]);
        if (unread && (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_WHITESPACE ||
                       child->type == GUMBO_NODE_CDATA))
          continue;
        outline_node(*child, depth + 1, out);
      }
      return;
    }
    case GUMBO_NODE_COMMENT:
      out += "<!-- -->\n";
      return;
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
    case GUMBO_NODE_CDATA:
      out += (node.type == GUMBO_NODE_CDATA ? "cdata \"" : "\"") + std::string(node.v.text.text) + "\"\n";
      return;
  }
}

// What gumbo_outline returns for a page on which Gumbo fails one of its own assertions.
inline constexpr std::string_view kGumboFailed = "#gumbo failed\n";

// The outline of Gumbo's parse of `html` as it is (no repair, no elision, no depth bound).
inline std::string gumbo_outline(std::string_view html) {
  auto doc = parsers::HtmlDocument::parse(std::string(html), {.repair = false, .elide = false, .bound_depth = false});
  if (doc.parse_failed()) return std::string(kGumboFailed);
  std::string out;
  outline_node(doc.document(), 0, out);
  return out;
}

}  // namespace winnow::testing
