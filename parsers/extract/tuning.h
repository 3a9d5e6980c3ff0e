#pragma once
// The extractor's tuned numbers in one place, so that each can be checked on the development
// sets it was not tuned on (bench/quality --loso sets them with `winnow extract --tune`).
// The defaults are what ships. Pure; any thread.
#include <string>
#include <string_view>

namespace winnow::parsers {

struct Tuning {
  // Weight of link text and non-prose text against prose when scoring a region.
  // 0.5: best dev-set F1 among 0.25 / 0.5 / 0.75 / 1.0, 2026-11.
  double bad_weight = 0.5;
  // Weight of a paragraph with no other paragraph near it: more often a teaser's summary than
  // part of an article. 0.3: best dev-set F1 among 0.2 / 0.3 / 0.5, 2026-11.
  double isolated_prose_weight = 0.3;
  // The region steps down to a child that keeps this share of its score: a wrapper that wins
  // only by a stray line or two is not the article. 0.85: picked by the leave-one-set-out
  // check on every held-out set, 2026-12 (0.95 before the region took in prose-rich siblings,
  // which brings back the lede paragraphs a lower share used to lose).
  double step_down_share = 0.85;
  // A marked element (footer, comments, ...) holding this share of the page's prose is a wrapper.
  double wrapper_share = 0.85;
  // Lengths here are widths (char_width, segment.h): characters, a wide-script one counting more.
  // A lone block this long (width outside links) is an article written as one paragraph,
  // not a teaser's summary, which runs to a few sentences.
  double lone_article_chars = 400;
  // The paragraph (<p>) right before or after the region, past marked noise, joins it with
  // this much prose: a lede or a closing paragraph that the step down to the wrapper of the
  // others left out. Standfirsts and captions run shorter. 150: --loso picks 80 or 150, within
  // 0.0001 F1 of each other; 80 also takes in standfirsts, 2026-12.
  double edge_paragraph_chars = 150;
  // A list whose text is less than this share links is the article's own (steps, a status
  // report, features): its items stay even when most of an item's words are a link.
  // 0.3: --loso picks 0.5 with zyte or l3s-gn1 held out, 0.3 with readability, all within
  // 0.0004 F1; 0.3 because 0.5 also keeps link boxes whose items carry a line of their own
  // ("More Great WIRED Stories"), 2026-12.
  double article_list_link_share = 0.3;

  // Sets the number called `name` (the member's name); false when there is no such number.
  bool set(std::string_view name, double value);
  // "name=value, ..." of every number, for reports.
  std::string describe() const;
};

}  // namespace winnow::parsers
