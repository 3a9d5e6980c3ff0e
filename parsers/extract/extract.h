#pragma once
// The main-content extractor: page bytes in, Article out. Pure; any thread; no I/O.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "parsers/extract/article.h"
#include "parsers/extract/tuning.h"
#include "parsers/html/document.h"

namespace winnow::parsers {

// Bumped whenever the extractor's output changes for the same page, so that archived
// articles made by an older version can be found and re-extracted (`winnow reextract`).
// 2: paragraphs between <br><br>, lone long articles, prose-rich siblings, page verdicts (2026-12).
// 3: blocks carry their links and images (the same text) (2026-12).
// 4: readers' comments do not split the region; edge paragraphs, linked subheadings and the
//    link-heavy items of an article's list stay; plain paragraphs are not notices (2026-12).
// 5: noise, byline and date wording in more languages; CJK word counts; copyright lines and
//    linked source addresses kept; one-paragraph teasers a listing; verdicts of more
//    systems and languages; lengths measured as widths (Han 3, kana and Hangul 2); no space
//    after a line break; a numbered slideshow set into an article goes whole (2026-12).
inline constexpr std::int32_t kExtractorVersion = 5;

struct ExtractOptions {
  std::string url;            // the page's URL, to resolve relative links (may be empty)
  std::string content_type;   // the HTTP Content-Type, for its charset (may be empty)
  bool keep_removed = false;  // fill Article::removed
  bool explain = false;       // fill Article::trace
  // Bounds for hostile pages. 200k nodes is ten times the largest page of the dev set.
  std::size_t max_nodes = 200'000;
  std::size_t max_bytes = 16 << 20;  // bytes of HTML read; the rest is cut (Article::truncated)
  Tuning tuning;              // the extractor's tuned numbers (defaults: what ships)
};

// Decodes `bytes` to UTF-8, parses them and extracts the article.
Article extract(std::string_view bytes, const ExtractOptions& options);

// Extracts from an already parsed document.
Article extract_document(const HtmlDocument& doc, const ExtractOptions& options);

}  // namespace winnow::parsers
