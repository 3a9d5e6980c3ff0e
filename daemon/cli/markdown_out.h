#pragma once
// The Markdown that `winnow extract`, `winnow crawl --print` and `winnow show` print, with
// trafilatura's switches: --links, --images, --no-tables, --front-matter. Single-threaded or
// any thread: pure functions over their arguments.
#include <string>

#include "daemon/archive/archive.h"
#include "daemon/cli/args.h"
#include "parsers/extract/article.h"
#include "parsers/render/render.h"

namespace winnow::cli {

struct MarkdownSwitches {
  parsers::MarkdownOptions options;  // links, images, tables
  bool front_matter = false;         // a YAML header of the metadata
};

// Adds --links and --images to `c`, and with `all` --front-matter and --no-tables too.
void add_markdown_switches(Command& c, bool all);
MarkdownSwitches markdown_switches(const Args& args);

// `article` as Markdown: with --images, its images where they sit and the page's main image
// under the title unless it is one of them; with --front-matter, the YAML header first.
std::string render_markdown(parsers::Article article, const MarkdownSwitches& md);

// An archived article's Markdown: as stored (row.markdown) when no switch asks for more, else
// rendered again from its blocks (row.blocks_json) and title. A row whose blocks_json holds
// no blocks keeps its stored Markdown.
std::string row_markdown(const archive::ArticleRow& row, const MarkdownSwitches& md);

}  // namespace winnow::cli
