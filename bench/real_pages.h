#pragma once
// daemon_bench's pages: real article pages, each served for many entries with bytes of the
// entry's own spliced in, so that every copy is archived as an article of its own.
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace winnow::bench {

// One real page cut where the bench splices in entry-specific bytes: the page's canonical
// URL right after <head>, and a short sentence at the end of every paragraph or line. The pages are
// each served ~110 times; the sentences keep the copies' texts (and SimHashes) apart
// whichever paragraphs the extractor keeps. One sentence in the longest paragraph only was
// not enough: 29% of the copies then stayed within kNearDuplicateBits.
struct PageTemplate {
  std::vector<std::string> pieces;  // the canonical link goes before pieces[1], a sentence before each later one
  std::size_t bytes() const {
    std::size_t n = 0;
    for (const auto& p : pieces) n += p.size();
    return n;
  }
};

// The pages in `dir` (*.html, *.html.gz), or in the seeds fixtures if it has none, in name
// order; `used` is set to the folder read. Throws std::runtime_error on an unreadable page.
std::vector<PageTemplate> load_pages(const std::filesystem::path& dir, std::filesystem::path& used);

// The page of entry `entry` of feed `feed` from `page`: `canonical_url` as its canonical
// link, and sentences that only this entry has.
std::string render_page(const PageTemplate& page, int feed, int entry, std::string_view canonical_url);

// The words render_page's sentences are drawn from (lower case), e.g. for search queries
// that find the pages.
std::span<const std::string_view> entry_words();

}  // namespace winnow::bench
