#include "parsers/extract/dom.h"

#include <algorithm>

#include "base/ascii.h"
#include "parsers/html/document.h"

namespace winnow::parsers {
namespace {

bool is_skipped_tag(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_SVG: case GUMBO_TAG_MATH: case GUMBO_TAG_HEAD: case GUMBO_TAG_TITLE:
    case GUMBO_TAG_META: case GUMBO_TAG_LINK: case GUMBO_TAG_BASE: case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT: case GUMBO_TAG_EMBED: case GUMBO_TAG_CANVAS: case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_AUDIO: case GUMBO_TAG_SOURCE: case GUMBO_TAG_TRACK: case GUMBO_TAG_SELECT:
    case GUMBO_TAG_OPTION: case GUMBO_TAG_OPTGROUP: case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_INPUT:
    case GUMBO_TAG_BUTTON: case GUMBO_TAG_DATALIST: case GUMBO_TAG_MAP: case GUMBO_TAG_AREA:
    case GUMBO_TAG_IMG: case GUMBO_TAG_FRAMESET:
    case GUMBO_TAG_FRAME: case GUMBO_TAG_APPLET: case GUMBO_TAG_PARAM: case GUMBO_TAG_RP:
      return true;
    default:
      return false;
  }
}

bool is_hidden(const GumboNode& element) {
  const GumboVector& attrs = element.v.element.attributes;
  for (unsigned i = 0; i < attrs.length; ++i) {
    const auto* attr = static_cast<const GumboAttribute*>(attrs.data[i]);
    std::string_view name = attr->name;
    std::string_view value = attr->value;
    if (name == "hidden") return true;
    if (name == "aria-hidden" && value == "true") return true;
    if (name == "style") {
      std::string compact;
      compact.reserve(value.size());
      for (char c : value)
        if (!base::is_ascii_space(c)) compact.push_back(base::to_lower(c));
      if (base::ifind(compact, "display:none") != std::string_view::npos ||
          base::ifind(compact, "visibility:hidden") != std::string_view::npos)
        return true;
    }
  }
  return false;
}

// The visible <img> child of a <picture>, or null.
const GumboNode* picture_img(const GumboNode& picture) {
  const GumboVector& children = picture.v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(children.data[i]);
    if (child->type == GUMBO_NODE_ELEMENT && child->v.element.tag == GUMBO_TAG_IMG && !is_hidden(*child)) return child;
  }
  return nullptr;
}

}  // namespace

bool is_block_tag(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE: case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_BODY: case GUMBO_TAG_CENTER: case GUMBO_TAG_DD: case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIR: case GUMBO_TAG_DIV: case GUMBO_TAG_DL: case GUMBO_TAG_DT:
    case GUMBO_TAG_FIELDSET: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_FIGURE: case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_FORM: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4:
    case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_HEADER: case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_HR: case GUMBO_TAG_HTML: case GUMBO_TAG_LI: case GUMBO_TAG_MAIN:
    case GUMBO_TAG_MENU: case GUMBO_TAG_NAV: case GUMBO_TAG_OL: case GUMBO_TAG_P: case GUMBO_TAG_PRE:
    case GUMBO_TAG_SECTION: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_TABLE: case GUMBO_TAG_TBODY:
    case GUMBO_TAG_THEAD: case GUMBO_TAG_TFOOT: case GUMBO_TAG_TR: case GUMBO_TAG_TD:
    case GUMBO_TAG_TH: case GUMBO_TAG_UL: case GUMBO_TAG_CAPTION: case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_LISTING: case GUMBO_TAG_PLAINTEXT: case GUMBO_TAG_XMP: case GUMBO_TAG_OPTGROUP:
      return true;
    default:
      return false;
  }
}

FlatDom flatten(const GumboNode& root, std::size_t max_nodes) {
  FlatDom dom;
  // Explicit stack of (gumbo node, parent index); children are pushed in reverse so they
  // pop in document order. `end` is filled in when a node's subtree is closed.
  struct Pending {
    const GumboNode* node;
    std::int32_t parent;
  };
  std::vector<Pending> stack{{&root, -1}};
  std::vector<std::int32_t> open;  // indices whose `end` is not yet known, outermost first
  while (!stack.empty()) {
    Pending item = stack.back();
    stack.pop_back();
    // Close every open node that is not an ancestor of this one.
    while (!open.empty() && open.back() != item.parent) {
      dom.nodes[open.back()].end = std::int32_t(dom.nodes.size());
      open.pop_back();
    }
    if (dom.nodes.size() >= max_nodes) {
      dom.truncated = true;
      break;
    }
    const GumboNode& node = *item.node;
    DomNode out;
    out.node = &node;
    out.parent = item.parent;
    out.depth = item.parent < 0 ? 0 : dom.nodes[item.parent].depth + 1;
    if (node.type == GUMBO_NODE_TEXT || node.type == GUMBO_NODE_WHITESPACE || node.type == GUMBO_NODE_CDATA) {
      out.is_text = true;
      out.end = std::int32_t(dom.nodes.size()) + 1;
      dom.nodes.push_back(out);
      continue;
    }
    if (node.type != GUMBO_NODE_ELEMENT && node.type != GUMBO_NODE_DOCUMENT) continue;
    if (node.type == GUMBO_NODE_ELEMENT) {
      out.tag = node.v.element.tag;
      if (out.tag == GUMBO_TAG_IMG) {
        if (item.parent >= 0 && !is_hidden(node)) dom.images.push_back({&node, item.parent, std::int32_t(dom.nodes.size())});
        continue;
      }
      if (is_skipped_tag(out.tag) || is_hidden(node)) continue;
      if (out.tag == GUMBO_TAG_UNKNOWN) {
        // Elements newer than Gumbo 0.10's tag table.
        std::string_view name = tag_name(node);
        if (name == "picture") {
          // Its <img> is the image; its <source> elements are other sizes of it.
          if (item.parent >= 0 && !is_hidden(node))
            if (const GumboNode* img = picture_img(node))
              dom.images.push_back({img, item.parent, std::int32_t(dom.nodes.size())});
          continue;
        }
        if (name == "dialog" || name == "amp-ad" || name == "amp-analytics" || name == "amp-sidebar" || name == "slot")
          continue;
      }
      out.is_block = is_block_tag(out.tag) || out.tag == GUMBO_TAG_UNKNOWN;
    }
    auto index = std::int32_t(dom.nodes.size());
    dom.nodes.push_back(out);
    open.push_back(index);
    const GumboVector& children =
        node.type == GUMBO_NODE_DOCUMENT ? node.v.document.children : node.v.element.children;
    for (unsigned i = children.length; i-- > 0;)
      stack.push_back({static_cast<const GumboNode*>(children.data[i]), index});
  }
  for (auto i : open) dom.nodes[i].end = std::int32_t(dom.nodes.size());
  return dom;
}

}  // namespace winnow::parsers
