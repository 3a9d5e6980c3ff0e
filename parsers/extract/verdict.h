#pragma once
// What a fetched page is: an article, or one of the pages that stand where an article should
// be (a bot check, a consent wall, an error page served with status 200, a paywall teaser, a
// section front). The daemon archives only articles as a page's text. Pure; any thread.
#include <gumbo.h>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/extract/article.h"

namespace winnow::parsers {

class HtmlDocument;

// Markup signs of a page kind that the extractor's flat DOM leaves out (it skips scripts,
// forms and hidden elements): read from the whole tree by scan_markers().
struct PageMarkers {
  std::int32_t challenge = 0;     // bot-check markup: challenge forms, captcha widgets and scripts
  std::int32_t paywall = 0;       // elements whose class/id say paywall, subscriber-only, metered
  std::int32_t consent = 0;       // consent-management frames, forms and dialogs
  std::int32_t article_elements = 0;  // <article> elements (listings have many)
  bool meta_refresh = false;      // <meta http-equiv=refresh>
  std::string title;              // the <title> text, collapsed
  std::string first_h1;           // the first <h1> text, collapsed
};

// Walks the whole tree once. Bounded by the document's size.
PageMarkers scan_markers(const HtmlDocument& doc);

// One text block of the page as the extractor judged it.
struct EvidenceBlock {
  std::string_view text;
  std::int32_t chars = 0;
  std::int32_t link_chars = 0;
  bool kept = false;
  Removal reason = Removal::outside_article;  // when !kept
  std::int32_t heading = 0;  // 1..6 for <h1>..<h6>, 0 otherwise
};

// Everything the verdict is decided on. The views point into the extractor's blocks.
struct PageEvidence {
  const Metadata* metadata = nullptr;
  PageMarkers markers;
  std::vector<EvidenceBlock> blocks;  // every block of the page, in order
  std::int32_t kept_chars = 0;        // characters of the extracted article
  std::int32_t kept_prose_blocks = 0; // of its blocks, those that read as running text
  std::int32_t page_chars = 0;        // characters of all blocks
  std::int32_t page_link_chars = 0;
  std::int32_t headline_links = 0;    // blocks that are one link of a headline's length
  std::int32_t teasers = 0;           // prose blocks right under a headline link
  double region_share = 0;            // the article region's prose / the page's prose
};

// Decides what the page is, with the reason and the signals it used. Pure.
PageVerdict judge_page(const PageEvidence& evidence);

}  // namespace winnow::parsers
