#include "parsers/extract/segment.h"

#include <algorithm>
#include <string_view>

#include "base/utf8.h"

namespace winnow::parsers {

int char_width(char32_t cp) {
  if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0x20000 && cp <= 0x3FFFF))
    return 3;  // Han
  if ((cp >= 0x3041 && cp <= 0x30FA) || (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x1100 && cp <= 0x11FF))
    return 2;  // kana (not the middle dot or the length mark), Hangul syllables and jamo
  return 1;
}

namespace {

// The code point of 3 or 4 bytes that lead byte text[i] starts (U+0800 and up); 0 for a
// shorter one or a sequence cut short. Gumbo's text is valid UTF-8.
char32_t wide_code_point_at(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0xE0) return 0;
  const std::size_t n = base::utf8_lead_length(c);
  if (i + n > text.size()) return 0;
  char32_t cp = c & (n == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  return cp;
}

// The width (char_width) of the character that lead byte text[i] starts.
int width_at(std::string_view text, std::size_t i) {
  if (static_cast<unsigned char>(text[i]) < 0xE1) return 1;  // nothing below U+1000 is wide
  return char_width(wide_code_point_at(text, i));
}

// Chinese and Japanese (Han, kana) write their words without spaces between them.
bool writes_without_spaces(char32_t cp) {
  return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF);
}

// Builds one block's text while the walk feeds it text runs.
class BlockBuilder {
 public:
  // `link` is the <a href> around the text, or -1.
  void append(std::string_view text, std::int32_t link, bool keep_spaces) {
    const bool in_link = link >= 0;
    std::size_t run_begin = std::size_t(-1);  // where a link's first non-space byte went
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
        // Nothing stands for a space at a block's start or right after a line break.
        pending_space_ = !block_.text.empty() && block_.text.back() != '\n';
        continue;
      }
      if (pending_space_) {
        block_.text.push_back(' ');
        pending_space_ = false;
      }
      if (in_link && run_begin == std::size_t(-1)) run_begin = block_.text.size();
      block_.text.push_back(char(c));
      if (!base::is_utf8_continuation(c)) {
        const int width = width_at(text, i);
        ++block_.chars;
        if (in_link && block_.lead_link_width == block_.width) block_.lead_link_width += width;
        block_.width += width;
        if (in_link) block_.link_width += width;
      }
    }
    if (in_link && run_begin != std::size_t(-1)) {
      // Spaces are written before the next character only, except in <pre>.
      std::size_t run_end = block_.text.size();
      while (run_end > run_begin && (block_.text[run_end - 1] == ' ' || block_.text[run_end - 1] == '\n')) --run_end;
      const auto begin = std::int32_t(run_begin), end = std::int32_t(run_end);
      auto& links = block_.links;
      // An anchor's text is one run in document order, so a new anchor starts a new link.
      if (links.empty() || links.back().anchor != link) links.push_back({begin, end, link});
      else links.back().end = end;
    }
  }

  // An image where the text is now; before the block when it has no text yet.
  void image(std::int32_t index) {
    if (empty()) block_.images_before.push_back(index);
    else block_.images.push_back({std::int32_t(block_.text.size()), index});
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
    std::int32_t ideographs = 0;
    const std::string& text = block_.text;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      bool space = c == ' ' || c == '\n';
      if (!space && !in_word) ++block_.words;
      in_word = !space;
      if (writes_without_spaces(wide_code_point_at(text, i))) ++ideographs;
    }
    // Chinese and Japanese put no spaces between words, which run about two characters
    // each: a sentence of them is one "word" to the count above.
    block_.words += ideographs / 2;
    // Inline images past the trimmed end sit at its end.
    for (TextImage& img : block_.images) img.at = std::min(img.at, std::int32_t(block_.text.size()));
    TextBlock out = std::move(block_);
    block_ = TextBlock{};
    pending_space_ = false;
    // Images that stood before a block with no text stand before the next one.
    if (out.chars == 0) block_.images_before = std::move(out.images_before);
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
  std::int32_t link;         // the <a href> around, or -1
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

  // Images sit between nodes: one at node i inside element P comes after every element that
  // closed before i, except P and its ancestors.
  const std::vector<DomImage>& images = dom.images;
  auto next_image = std::size_t(std::upper_bound(images.begin(), images.end(), begin,
                                                 [](std::int32_t v, const DomImage& m) { return v < m.at; }) -
                                images.begin());
  auto place_images = [&](std::int32_t i) {
    for (; next_image < images.size() && images[next_image].at <= i; ++next_image) {
      const DomImage& img = images[next_image];
      if (img.parent < begin || img.parent >= end) continue;
      while (!stack.empty() && i >= stack.back().end &&
             !(img.parent >= stack.back().node && img.parent < stack.back().end)) {
        if (dom.nodes[stack.back().node].is_block) flush();
        stack.pop_back();
      }
      builder.image(std::int32_t(next_image));
    }
  };

  for (std::int32_t i = begin; i < end; ++i) {
    place_images(i);
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
      builder.append(dom.text(i), top.link, top.ctx.code >= 0);
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
      frame.link = -1;
    } else {
      frame.ctx = stack.back().ctx;
      frame.block_owner = stack.back().block_owner;
      frame.link = stack.back().link;
    }
    if (node.is_block) {
      frame.ctx = enter(frame.ctx, node.tag, i);
      frame.block_owner = i;
    }
    if (node.tag == GUMBO_TAG_A && node.node->type == GUMBO_NODE_ELEMENT &&
        gumbo_get_attribute(&node.node->v.element.attributes, "href"))
      frame.link = i;
    stack.push_back(frame);
  }
  place_images(end);
  while (!stack.empty()) {
    if (dom.nodes[stack.back().node].is_block || stack.size() == 1) flush();
    stack.pop_back();
  }
  return blocks;
}

}  // namespace winnow::parsers
