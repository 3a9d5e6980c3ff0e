#pragma once
// A flat, preorder copy of the parts of a Gumbo tree that can hold visible text.
// Subtrees are index ranges [i, end), so every pass over it is an iterative linear scan:
// no recursion, whatever the nesting depth of the page.
#include <gumbo.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace winnow::parsers {

struct DomNode {
  const GumboNode* node = nullptr;  // an element or a text node of the parsed document
  std::int32_t parent = -1;         // index of the parent, -1 for the root
  std::int32_t end = 0;             // one past the last descendant (preorder)
  std::int32_t depth = 0;
  GumboTag tag = GUMBO_TAG_UNKNOWN;  // GUMBO_TAG_UNKNOWN for text (and custom elements)
  bool is_text = false;
  bool is_block = false;             // starts a new block of text (div, p, li, h2, ...)
};

// An <img> of the page. Images hold no text, so they are no nodes of their own: each records
// where it sat among the nodes, for the blocks that carry inline images.
struct DomImage {
  const GumboNode* node = nullptr;  // the <img> element
  std::int32_t parent = -1;         // index of the nearest copied ancestor
  std::int32_t at = 0;              // index of the next copied node: the image sits before it
};

struct FlatDom {
  std::vector<DomNode> nodes;  // nodes[0] is the root passed to flatten()
  std::vector<DomImage> images;  // the <img> elements among them, in document order
  bool truncated = false;      // max_nodes was reached; the rest of the page was skipped

  std::string_view text(std::int32_t i) const {
    const GumboText& t = nodes[i].node->v.text;
    return {t.text, std::char_traits<char>::length(t.text)};
  }
};

// Copies the subtree of `root` in preorder, leaving out what never shows as text:
// comments, <script>, <style>, <noscript>, <template>, <svg>, <head>, form controls,
// embedded media, and elements hidden with `hidden`, `aria-hidden="true"` or an inline
// `display:none`. Stops after `max_nodes` nodes. `root` must outlive the result.
// Visible <img> elements (also the <img> of a <picture>) go to `images`, not `nodes`.
FlatDom flatten(const GumboNode& root, std::size_t max_nodes);

// True for elements that start a new block of text in a browser's default style sheet.
bool is_block_tag(GumboTag tag);

}  // namespace winnow::parsers
