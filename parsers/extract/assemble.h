#pragma once
// Turns the kept text blocks of a page, in order, into the article's typed blocks: the blocks
// of one list, table, quote or <pre> join into one Block; headings keep their level; a table
// of short cells is a data table (rows and cells), a layout table is paragraphs. Pure; any
// thread; `dom` and `blocks` must outlive the assembler.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "parsers/extract/article.h"
#include "parsers/extract/dom.h"
#include "parsers/extract/segment.h"

namespace winnow::parsers {

class BlockAssembler {
 public:
  // `blocks` is every block of the page (segment()'s output), in document order.
  BlockAssembler(const FlatDom& dom, const std::vector<TextBlock>& blocks);

  // Appends kept block `b` to `out`, joining it to the last Block when both belong to the
  // same list, table, quote or code. Call in document order. `links` and `images` are the
  // block's, with offsets into `b.text`; they move into the Block, their offsets into its text.
  void append(std::vector<Block>& out, const TextBlock& b, std::vector<InlineLink> links = {},
              std::vector<InlineImage> images = {});

 private:
  void add_text(std::vector<Block>& out, const TextBlock& b);
  std::size_t first_block_at(std::int32_t node) const;
  bool is_data_table(std::int32_t table);
  static void rebuild_table_text(Block& table);

  const FlatDom& dom_;
  const std::vector<TextBlock>& blocks_;
  std::unordered_map<std::int32_t, bool> data_table_;
  std::int32_t open_group_ = -1, open_row_ = -1, open_cell_ = -1, open_item_ = -1;
};

}  // namespace winnow::parsers
