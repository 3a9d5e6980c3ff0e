#include "parsers/extract/assemble.h"

#include <algorithm>

namespace winnow::parsers {
namespace {

Block make_block(BlockKind kind, int level, std::string text, bool ordered) {
  Block b;
  b.kind = kind;
  b.level = level;
  b.text = std::move(text);
  b.ordered = ordered;
  return b;
}

}  // namespace

BlockAssembler::BlockAssembler(const FlatDom& dom, const std::vector<TextBlock>& blocks) : dom_(dom), blocks_(blocks) {}

std::size_t BlockAssembler::first_block_at(std::int32_t node) const {
  auto it = std::lower_bound(blocks_.begin(), blocks_.end(), node,
                             [](const TextBlock& b, std::int32_t v) { return b.first < v; });
  return std::size_t(it - blocks_.begin());
}

bool BlockAssembler::is_data_table(std::int32_t table) {
  auto it = data_table_.find(table);
  if (it != data_table_.end()) return it->second;
  std::int32_t cells = 0, width = 0;
  bool nested = false;
  for (std::int32_t i = table + 1; i < dom_.nodes[table].end; ++i) {
    GumboTag t = dom_.nodes[i].tag;
    if (t == GUMBO_TAG_TD || t == GUMBO_TAG_TH) ++cells;
    if (t == GUMBO_TAG_TABLE && !dom_.nodes[i].is_text) nested = true;
  }
  std::size_t first = first_block_at(table), last = first_block_at(dom_.nodes[table].end);
  for (std::size_t b = first; b < last; ++b) width += blocks_[b].width;
  bool data = !nested && cells >= 2 && width / std::max(cells, 1) < 150;
  data_table_.emplace(table, data);
  return data;
}

void BlockAssembler::append(std::vector<Block>& out, const TextBlock& b, std::vector<InlineLink> links,
                            std::vector<InlineImage> images) {
  add_text(out, b);
  // Every kind ends its text with the block's, so the block's offsets shift by what stood before.
  Block& block = out.back();
  const std::size_t shift = block.text.size() - b.text.size();
  for (InlineLink& link : links) {
    link.begin += shift;
    link.end += shift;
    block.links.push_back(std::move(link));
  }
  for (InlineImage& image : images) {
    image.at += shift;
    block.images.push_back(std::move(image));
  }
}

void BlockAssembler::add_text(std::vector<Block>& out, const TextBlock& b) {
  const BlockContext& c = b.ctx;
  // Group with the previous output block when both come from the same list, table or quote.
  if (c.code >= 0) {
    if (!out.empty() && open_group_ == c.code) {
      out.back().text += "\n" + b.text;
    } else {
      out.push_back(make_block(BlockKind::code, 0, b.text, false));
      open_group_ = c.code;
    }
    return;
  }
  if (c.heading >= 0) {
    int level = int(dom_.nodes[c.heading].tag - GUMBO_TAG_H1) + 1;
    out.push_back(make_block(BlockKind::heading, level, b.text, false));
    open_group_ = -1;
    return;
  }
  if (c.table >= 0 && c.cell >= 0 && is_data_table(c.table)) {
    if (out.empty() || open_group_ != c.table) {
      out.push_back(make_block(BlockKind::table, 0, "", false));
      open_group_ = c.table;
      open_row_ = open_cell_ = -1;
    }
    Block& table = out.back();
    if (open_row_ != c.row || table.rows.empty()) {
      table.rows.emplace_back();
      open_row_ = c.row;
      open_cell_ = -1;
    }
    auto& row = table.rows.back();
    if (open_cell_ == c.cell && !row.empty()) {
      row.back() += " " + b.text;
    } else {
      row.push_back(b.text);
      open_cell_ = c.cell;
    }
    rebuild_table_text(table);
    return;
  }
  if (c.list >= 0 && c.list_item >= 0) {
    if (out.empty() || open_group_ != c.list) {
      bool ordered = dom_.nodes[c.list].tag == GUMBO_TAG_OL;
      out.push_back(make_block(BlockKind::list, 0, "", ordered));
      open_group_ = c.list;
      open_item_ = -1;
    }
    Block& list = out.back();
    if (open_item_ == c.list_item && !list.items.empty()) {
      list.items.back() += " " + b.text;
      list.text += " " + b.text;
    } else {
      list.items.push_back(b.text);
      if (!list.text.empty()) list.text += "\n";
      list.text += b.text;
      open_item_ = c.list_item;
    }
    return;
  }
  if (c.quote >= 0) {
    if (!out.empty() && open_group_ == c.quote) {
      out.back().text += "\n\n" + b.text;
    } else {
      out.push_back(make_block(BlockKind::quote, 0, b.text, false));
      open_group_ = c.quote;
    }
    return;
  }
  out.push_back(make_block(c.caption >= 0 ? BlockKind::caption : BlockKind::paragraph, 0, b.text, false));
  open_group_ = -1;
}

void BlockAssembler::rebuild_table_text(Block& table) {
  table.text.clear();
  for (const auto& row : table.rows) {
    if (!table.text.empty()) table.text += "\n";
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) table.text += "\t";
      table.text += row[i];
    }
  }
}

}  // namespace winnow::parsers
