#pragma once
// What a fetched page is: an article, or one of the pages that stand where an article should
// be (a bot check, a consent wall, an error page served with status 200, a paywall teaser, a
// section front). The daemon archives only articles as a page's text. Pure; any thread.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/extract/article.h"
#include "parsers/extract/markers.h"

namespace winnow::parsers {

// One text block of the page as the extractor judged it.
struct EvidenceBlock {
  std::string_view text;
  std::int32_t chars = 0;       // as TextBlock (segment.h): characters, to report
  std::int32_t width = 0;       // and the width, which every threshold reads
  std::int32_t link_width = 0;
  bool kept = false;
  Removal reason = Removal::outside_article;  // when !kept
  std::int32_t heading = 0;  // 1..6 for <h1>..<h6>, 0 otherwise
  bool prose = false;          // reads as running text
  bool headline_link = false;  // one link of a headline's length
  bool teaser = false;         // prose right under a headline link
};

// Everything the verdict is decided on. The views point into the extractor's blocks.
struct PageEvidence {
  const Metadata* metadata = nullptr;
  PageMarkers markers;
  std::vector<EvidenceBlock> blocks;  // every block of the page, in order
  std::int32_t kept_chars = 0;        // characters of the extracted article
  std::int32_t kept_width = 0;        // its width (segment.h)
  std::int32_t kept_prose_blocks = 0; // of its blocks, those that read as running text
  std::int32_t page_chars = 0;        // characters of all blocks
  std::int32_t page_width = 0;
  std::int32_t page_link_width = 0;
  std::int32_t headline_links = 0;    // blocks that are one link of a headline's length
  std::int32_t teasers = 0;           // prose blocks right under a headline link
  double region_share = 0;            // the article region's prose / the page's prose
};

// Decides what the page is, with the reason and the signals it used. Pure.
PageVerdict judge_page(const PageEvidence& evidence);

}  // namespace winnow::parsers
