#include "parsers/extract/segment.h"

#include <string_view>

#include "base/utf8.h"

namespace winnow::parsers {
namespace {

// Builds one block's text while the walk feeds it text runs.
class BlockBuilder {
 public:
  void append(std::string_view text, bool in_link, bool keep_spaces) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      auto c = static_cast<unsigned char>(text[i]);
      bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
      // U+00A0 no-break space counts as a space.
      if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xA0) {
        space = true;
        ++i;
      }
      if (keep_spaces) {
        if (space) {
          block_.text.push_back(c == '\n' ? '\n' : ' ');
          pending_space_ = false;
          continue;
        }
      } else if (space) {
        pending_space_ = !block_.text.empty();
        continue;
      }
      if (pending_space_) {
        block_.text.push_back(' ');
        pending_space_ = false;
      }
      block_.text.push_back(char(c));
      if (!base::is_utf8_continuation(c)) {
        ++block_.chars;
        if (in_link) ++block_.link_chars;
        if (in_link && block_.lead_link_chars + 1 == block_.chars) ++block_.lead_link_chars;
      }
    }
  }

  void line_break() {
    if (!block_.text.empty() && block_.text.back() != '\n') block_.text.push_back('\n');
    pending_space_ = false;
  }

  bool empty() const { return block_.chars == 0; }
  bool at_line_start() const { return !block_.text.empty() && block_.text.back() == '\n'; }
  TextBlock& block() { return block_; }

  TextBlock take() {
    while (!block_.text.empty() && (block_.text.back() == '\n' || block_.text.back() == ' '))
      block_.text.pop_back();
    bool in_word = false;
    for (char c : block_.text) {
      bool space = c == ' ' || c == '\n';
      if (!space && !in_word) ++block_.words;
      in_word = !space;
    }
    TextBlock out = std::move(block_);
    block_ = TextBlock{};
    pending_space_ = false;
    return out;
  }

 private:
  TextBlock block_;
  bool pending_space_ = false;
};

struct Frame {
  std::int32_t node;
  std::int32_t end;
  BlockContext ctx;
  std::int32_t block_owner;  // innermost block-level element, this one included
  bool in_link;
};

BlockContext enter(BlockContext ctx, GumboTag tag, std::int32_t i) {
  switch (tag) {
    case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
    case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
      ctx.heading = i;
      break;
    case GUMBO_TAG_LI: case GUMBO_TAG_DD: case GUMBO_TAG_DT:
      ctx.list_item = i;
      break;
    case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_DL: case GUMBO_TAG_MENU:
      ctx.list = i;
      ctx.list_item = -1;
      break;
    case GUMBO_TAG_TABLE:
      ctx.table = i;
      ctx.row = ctx.cell = -1;
      break;
    case GUMBO_TAG_TR: ctx.row = i; break;
    case GUMBO_TAG_TD: case GUMBO_TAG_TH: ctx.cell = i; break;
    case GUMBO_TAG_BLOCKQUOTE: ctx.quote = i; break;
    case GUMBO_TAG_PRE: ctx.code = i; break;
    case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_CAPTION: ctx.caption = i; break;
    default: break;
  }
  return ctx;
}

}  // namespace

std::vector<TextBlock> segment(const FlatDom& dom, std::int32_t begin) {
  std::vector<TextBlock> blocks;
  if (begin < 0 || std::size_t(begin) >= dom.nodes.size()) return blocks;
  BlockBuilder builder;
  std::vector<Frame> stack;
  const std::int32_t end = dom.nodes[begin].end;

  auto flush = [&] {
    if (builder.empty()) {
      builder.take();
      return;
    }
    TextBlock block = builder.take();
    const Frame& top = stack.back();
    block.owner = top.block_owner;
    block.ctx = top.ctx;
    blocks.push_back(std::move(block));
  };

  for (std::int32_t i = begin; i < end; ++i) {
    while (!stack.empty() && i >= stack.back().end) {
      bool was_block = dom.nodes[stack.back().node].is_block;
      if (was_block) flush();
      stack.pop_back();
    }
    const DomNode& node = dom.nodes[i];
    if (node.is_text) {
      if (stack.empty()) continue;
      const Frame& top = stack.back();
      if (builder.empty()) builder.block().first = i;
      builder.append(dom.text(i), top.in_link, top.ctx.code >= 0);
      continue;
    }
    if (node.tag == GUMBO_TAG_BR) {
      // Two line breaks in a row end a paragraph, as a reader sees it: old layouts and
      // many CMSs write paragraphs as text between <br><br>, not as <p>. (Not in <pre>.)
      if (builder.at_line_start() && !stack.empty() && stack.back().ctx.code < 0)
        flush();
      else
        builder.line_break();
      continue;
    }
    if (node.is_block) flush();
    Frame frame;
    frame.node = i;
    frame.end = node.end;
    if (stack.empty()) {
      frame.ctx = BlockContext{};
      frame.block_owner = i;
      frame.in_link = false;
    } else {
      frame.ctx = stack.back().ctx;
      frame.block_owner = stack.back().block_owner;
      frame.in_link = stack.back().in_link;
    }
    if (node.is_block) {
      frame.ctx = enter(frame.ctx, node.tag, i);
      frame.block_owner = i;
    }
    if (node.tag == GUMBO_TAG_A && node.node->type == GUMBO_NODE_ELEMENT &&
        gumbo_get_attribute(&node.node->v.element.attributes, "href"))
      frame.in_link = true;
    stack.push_back(frame);
  }
  while (!stack.empty()) {
    if (dom.nodes[stack.back().node].is_block || stack.size() == 1) flush();
    stack.pop_back();
  }
  return blocks;
}

}  // namespace winnow::parsers
