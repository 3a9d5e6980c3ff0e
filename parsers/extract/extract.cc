#include "parsers/extract/extract.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "base/ascii.h"
#include "parsers/charset/decode.h"
#include "parsers/extract/assemble.h"
#include "parsers/extract/dom.h"
#include "parsers/extract/inline_refs.h"
#include "parsers/extract/noise.h"
#include "parsers/extract/phrases.h"
#include "parsers/extract/segment.h"
#include "parsers/extract/text_signals.h"
#include "parsers/extract/verdict.h"
#include "parsers/metadata/metadata.h"

namespace winnow::parsers {
namespace {

constexpr int kClusterLevels = 2;
constexpr std::int32_t kMinLoneProseChars = 80;
constexpr double kArticleBeforeWidgetChars = 400;
// What a slideshow's wrapper may add to it and still be its frame: a heading, "show all".
constexpr double kSlideshowFrameChars = 80;
// Slideshows marked on one page at most: each marking fills its box, and boxes may nest.
constexpr int kMaxSlideshows = 8;
constexpr int kSiblingLevels = 2;

double link_density(const TextBlock& b) { return b.width ? double(b.link_width) / b.width : 0.0; }

bool is_prose(const TextBlock& b, const FlatDom& dom) {
  // A "heading" of several sentences is a paragraph styled big.
  if (b.ctx.heading >= 0 && !(b.width >= 200 && ends_like_sentence(b.text))) return false;
  if (b.width < 20) return false;
  if (b.ctx.code < 0 && looks_like_code(b.text)) return false;
  if (dom.nodes[b.owner].tag == GUMBO_TAG_P && b.width >= 30) return true;
  if (b.width >= 80) return true;
  return ends_like_sentence(b.text) && b.words >= 4;
}

// The block's first line is one link of a headline's length, and a summary follows on the
// next: "<p><a>Headline</a><br>Summary</p>", a teaser written as one paragraph.
bool opens_with_headline_line(const TextBlock& b) {
  if (b.links.empty() || b.links[0].begin != 0 || b.lead_link_width < 15) return false;
  const auto end = std::size_t(b.links[0].end);
  return end < b.text.size() && b.text[end] == '\n' && b.width - b.lead_link_width >= 20;
}

std::string node_label(const DomNode& n) {
  if (n.is_text || n.node->type != GUMBO_NODE_ELEMENT) return "#";
  std::string label(tag_name(*n.node));
  std::string_view id = attribute(*n.node, "id");
  std::string_view cls = attribute(*n.node, "class");
  if (!id.empty()) label.append("#").append(id.substr(0, 40));
  if (!cls.empty()) label.append(".").append(cls.substr(0, std::min(cls.find_first_of(" \t\n\r\f"), std::size_t(40))));
  return label;
}

std::string node_path(const FlatDom& dom, std::int32_t i, int levels = 4) {
  std::vector<std::string> parts;
  for (; i >= 0 && levels-- > 0; i = dom.nodes[i].parent) parts.push_back(node_label(dom.nodes[i]));
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!out.empty()) out += " > ";
    out += *it;
  }
  return out;
}

const GumboNode* find_child(const GumboNode& parent, GumboTag tag) {
  const GumboVector& children = parent.v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(children.data[i]);
    if (is_element(*child, tag)) return child;
  }
  return nullptr;
}

// Half or more of the words of `heading` (three letters or more) stand in `title` too.
bool shares_words(std::string_view heading, std::string_view title) {
  const std::string t = fold_case(title);
  std::string h = fold_case(heading);
  int words = 0, shared = 0;
  std::size_t i = 0;
  while (i < h.size()) {
    while (i < h.size() && !(std::isalnum(static_cast<unsigned char>(h[i])) || static_cast<unsigned char>(h[i]) >= 0x80)) ++i;
    std::size_t start = i;
    while (i < h.size() && (std::isalnum(static_cast<unsigned char>(h[i])) || static_cast<unsigned char>(h[i]) >= 0x80)) ++i;
    if (i - start < 3) continue;
    ++words;
    if (t.find(h.substr(start, i - start)) != std::string::npos) ++shared;
  }
  return words == 0 || 2 * shared >= words;
}

class Extractor {
 public:
  Extractor(const HtmlDocument& doc, const ExtractOptions& options) : doc_(doc), options_(options) {}

  Article run() {
    Article article;
    if (doc_.parse_failed()) return unparsed();
    article.metadata = read_metadata(doc_, options_.url);
    extract_text(article);
    article.verdict = judge_page(evidence(article));
    return article;
  }

 private:
  Article unparsed() const {
    Article article;
    article.unparsed = true;
    article.truncated = doc_.limit_hit() != HtmlDocument::Limit::none;
    const char* why = doc_.limit_hit() == HtmlDocument::Limit::memory ? "memory_limit"
                      : doc_.limit_hit() == HtmlDocument::Limit::time ? "time_limit"
                                                                      : "parser_failed";
    article.verdict = {PageKind::empty, "the page could not be parsed", {std::string("parse=") + why}};
    return article;
  }

  void extract_text(Article& article) {
    const GumboNode* body = find_child(doc_.root(), GUMBO_TAG_BODY);
    dom_ = flatten(body ? *body : doc_.root(), options_.max_nodes);
    article.truncated = dom_.truncated || doc_.depth_limited() || doc_.limit_hit() != HtmlDocument::Limit::none;
    if (dom_.nodes.empty()) return;  // e.g. <body hidden>: nothing shows
    blocks_ = segment(dom_, 0);
    if (blocks_.empty()) return;
    score_nodes();
    region_ = pick_region();
    extend_region();
    article.region = node_path(dom_, region_);
    if (options_.explain) article.candidates = top_candidates(8);
    mark_containers();
    judge_blocks(article.metadata);
    assemble(article);
  }

  // What judge_page() decides on: every block as judged, and the page's counts.
  PageEvidence evidence(const Article& article) const {
    PageEvidence e;
    e.metadata = &article.metadata;
    e.markers = scan_markers(doc_);
    e.blocks.reserve(blocks_.size());
    double page_good = 0, region_good = 0;
    for (std::size_t k = 0; k < blocks_.size(); ++k) {
      const TextBlock& b = blocks_[k];
      EvidenceBlock eb;
      eb.text = b.text;
      eb.chars = b.chars;
      eb.width = b.width;
      eb.link_width = b.link_width;
      eb.kept = kept_[k];
      eb.reason = verdict_[k];
      eb.heading = heading_level(b);
      eb.prose = prose_[k];
      eb.headline_link = b.width >= 15 && b.link_width * 10 >= b.width * 9;
      eb.teaser = headline_led_[k];
      e.blocks.push_back(eb);
      e.page_chars += b.chars;
      e.page_width += b.width;
      e.page_link_width += b.link_width;
      if (eb.headline_link) ++e.headline_links;
      if (eb.teaser) ++e.teasers;
      if (kept_[k]) {
        e.kept_chars += b.chars;
        e.kept_width += b.width;
        if (prose_[k]) ++e.kept_prose_blocks;
      }
      if (prose_[k]) {
        page_good += b.width - b.link_width;
        if (in_region(b.first)) region_good += b.width - b.link_width;
      }
    }
    e.region_share = page_good > 0 ? region_good / page_good : 0;
    return e;
  }

  const std::int32_t kNone = -1;

  // Sums, over each subtree, the prose ("good") and the link or non-prose ("bad") characters.
  // With `use_markup`, text under an element whose markup says noise counts as bad only.
  void accumulate(bool use_markup) {
    const std::size_t n = dom_.nodes.size();
    good_.assign(n, 0.0);
    bad_.assign(n, 0.0);
    for (std::size_t k = 0; k < blocks_.size(); ++k) {
      const TextBlock& b = blocks_[k];
      double good = 0, bad = 0;
      bool noisy_markup = use_markup && noisy_ancestor_[b.owner] != kNone;
      // Readers' comments are removed wherever they stand, so they cost a region nothing:
      // blogs print them in the article's own wrapper, whose score they would otherwise
      // sink below that of a single paragraph.
      bool comments = noisy_markup && *markup_[noisy_ancestor_[b.owner]] == Removal::comments;
      std::int32_t near = neighbourhood(b);
      bool clustered = prose_count_[near] >= 2;
      // A lone paragraph beside a headline link is a teaser's summary.
      bool lone_article = !clustered && b.width - b.link_width >= options_.tuning.lone_article_chars;
      // Summaries under a list of headline links ("Headlines": a headline, its summary, the
      // next headline) cluster like an article's paragraphs; the headlines give them away.
      bool listing = headline_led_[k] && headline_led_count_[near] >= 3 &&
                     2 * headline_led_count_[near] >= prose_count_[near] &&
                     b.width - b.link_width < options_.tuning.lone_article_chars;
      // The same with each headline on the first line of its summary's paragraph.
      listing = listing || (headline_line_[k] && headline_line_count_[near] >= 3 &&
                            2 * headline_line_count_[near] >= prose_count_[near] &&
                            b.width - b.link_width < options_.tuning.lone_article_chars);
      bool teaser = listing || (!clustered && !lone_article && headline_count_[near] > 0);
      // A lone short line ("Loading more articles...") is no evidence of an article.
      bool stray = !clustered && b.width < kMinLoneProseChars;
      if (!noisy_markup && prose_[k] && !teaser && !stray && link_density(b) < 0.5) {
        // A paragraph with no other paragraph near it is more often a teaser's summary.
        double weight = clustered || lone_article ? 1.0 : options_.tuning.isolated_prose_weight;
        good = weight * (b.width - b.link_width);
        bad = b.link_width;
      } else {
        bad = comments ? 0.0 : noisy_markup ? b.width : b.link_width + 0.5 * (b.width - b.link_width);
      }
      good_[b.owner] += good;
      bad_[b.owner] += bad;
    }
    for (std::size_t i = n; i-- > 1;) {
      std::int32_t p = dom_.nodes[i].parent;
      if (p < 0) continue;
      good_[p] += good_[i];
      bad_[p] += bad_[i];
    }
  }

  // The element two levels above the block. Article paragraphs sit together there, even
  // when each is wrapped in its own card; a teaser's summary sits alone in its card, with
  // its headline link, byline and date.
  // 1 for a block in an <h1>, ..., 6 in an <h6>; 0 outside headings.
  int heading_level(const TextBlock& b) const {
    return b.ctx.heading >= 0 ? int(dom_.nodes[b.ctx.heading].tag - GUMBO_TAG_H1) + 1 : 0;
  }

  std::int32_t neighbourhood(const TextBlock& b) const {
    std::int32_t up = b.owner;
    for (int level = 0; level < kClusterLevels && dom_.nodes[up].parent >= 0; ++level) up = dom_.nodes[up].parent;
    return up;
  }

  void score_nodes() {
    const std::size_t n = dom_.nodes.size();
    prose_.assign(blocks_.size(), false);
    prose_count_.assign(n, 0);
    headline_count_.assign(n, 0);
    headline_led_.assign(blocks_.size(), false);
    headline_led_count_.assign(n, 0);
    headline_line_.assign(blocks_.size(), false);
    headline_line_count_.assign(n, 0);
    std::int32_t last_headline = -1;  // index of the last headline-link block; -1 before the first
    for (std::size_t k = 0; k < blocks_.size(); ++k) {
      const TextBlock& b = blocks_[k];
      prose_[k] = is_prose(b, dom_);
      if (prose_[k]) ++prose_count_[b.owner];
      bool headline = b.width >= 15 && b.link_width * 10 >= b.width * 9;
      if (headline) {
        ++headline_count_[b.owner];
        last_headline = std::int32_t(k);
      } else if (prose_[k]) {
        // A summary right under its headline link, maybe past a short date or byline line.
        std::int32_t gap = last_headline < 0 ? 0 : std::int32_t(k) - last_headline;
        headline_led_[k] = gap == 1 || (gap == 2 && blocks_[k - 1].width < 60 && !prose_[k - 1] &&
                                        blocks_[k - 1].ctx.heading < 0);
        if (headline_led_[k]) ++headline_led_count_[b.owner];
        if (opens_with_headline_line(b)) {
          headline_line_[k] = true;
          ++headline_line_count_[b.owner];
        }
      }
    }
    for (std::size_t i = n; i-- > 1;) {
      std::int32_t p = dom_.nodes[i].parent;
      if (p < 0) continue;
      prose_count_[p] += prose_count_[i];
      headline_count_[p] += headline_count_[i];
      headline_led_count_[p] += headline_led_count_[i];
      headline_line_count_[p] += headline_line_count_[i];
    }
    accumulate(false);
    // Markup noise, inherited from the nearest marked ancestor. Wrappers often carry words
    // like "has-sidebar" or "sticky-sidebar" around the whole main column, so a mark is
    // ignored on an element that holds much of the page's prose, unless it is a kind that
    // is never the article (comments, cookie notices, footers, newsletter boxes).
    const double page_good = std::max(good_[0], 1.0);
    markup_.assign(n, std::nullopt);
    noisy_ancestor_.assign(n, kNone);
    for (std::size_t i = 0; i < n; ++i) {
      const DomNode& node = dom_.nodes[i];
      if (node.is_text) continue;
      if (node.node->type == GUMBO_NODE_ELEMENT && node.tag != GUMBO_TAG_BODY && node.tag != GUMBO_TAG_HTML &&
          node.tag != GUMBO_TAG_FORM)
        markup_[i] = removal_by_markup(*node.node);
      bool strong = markup_[i] == Removal::comments || markup_[i] == Removal::cookie_banner ||
                    markup_[i] == Removal::footer || markup_[i] == Removal::newsletter;
      // Even a strong kind does not hold nearly all of the page's prose: an element that does
      // is a wrapper whose words happen to say footer ("region-body-and-footer").
      if (markup_[i] && (strong ? good_[i] >= options_.tuning.wrapper_share * page_good : good_[i] >= 0.4 * page_good))
        markup_[i].reset();
      if (markup_[i] && *markup_[i] != Removal::caption)
        noisy_ancestor_[i] = std::int32_t(i);
      else if (node.parent >= 0)
        noisy_ancestor_[i] = noisy_ancestor_[node.parent];
    }
    accumulate(true);
  }

  std::int32_t pick_region() const {
    std::int32_t best = 0;
    double best_score = -1e18;
    for (std::size_t i = 0; i < dom_.nodes.size(); ++i) {
      if (dom_.nodes[i].is_text) continue;
      double score = good_[i] - options_.tuning.bad_weight * bad_[i];
      if (score > best_score) {
        best_score = score;
        best = std::int32_t(i);
      }
    }
    // A wrapper that beats its best child only by a stray line or two (a footer blurb, a
    // "Loading..." notice) is not the article: step down while a child keeps nearly all
    // of the score.
    for (bool stepped = true; stepped;) {
      stepped = false;
      const double score = good_[best] - options_.tuning.bad_weight * bad_[best];
      for (std::int32_t c = best + 1; c < dom_.nodes[best].end; c = dom_.nodes[c].end) {
        if (dom_.nodes[c].is_text) continue;
        if (good_[c] - options_.tuning.bad_weight * bad_[c] >= options_.tuning.step_down_share * score) {
          best = c;
          stepped = true;
          break;
        }
      }
    }
    return best;
  }

  // Adds to the region the prose-rich siblings of it and of its parent: a lede or a summary
  // in a cell or column of its own beside the body, a second half after a figure. Readers
  // see one article; the markup split it.
  void extend_region() {
    parts_.assign(1, region_);
    std::int32_t child = region_;
    // Wrappers that add nothing to their one child do not count as levels.
    for (int level = 0; level < kSiblingLevels;) {
      std::int32_t parent = dom_.nodes[child].parent;
      if (parent < 0) break;
      if (good_[parent] > good_[child] || bad_[parent] > bad_[child]) ++level;
      // The paragraph right before or after, past marked noise: a lede or a last paragraph
      // the step down to a wrapper of the others left out.
      for (std::int32_t edge : {edge_sibling(parent, child, false), edge_sibling(parent, child, true)})
        if (edge >= 0 && dom_.nodes[edge].tag == GUMBO_TAG_P && good_[edge] >= options_.tuning.edge_paragraph_chars &&
            good_[edge] >= 2 * bad_[edge])
          parts_.push_back(edge);
      for (std::int32_t c = parent + 1; c < dom_.nodes[parent].end; c = dom_.nodes[c].end) {
        if (c == child || dom_.nodes[c].is_text || markup_[c]) continue;
        if (std::find(parts_.begin(), parts_.end(), c) != parts_.end()) continue;
        // As much prose as a lone article paragraph; half that for two or more paragraphs
        // before the region, where ledes and key points sit (after it, prose-rich siblings
        // are more often the next story's start, and a lone short paragraph before it is more
        // often a photo's caption).
        double enough = options_.tuning.lone_article_chars;
        if (c < region_ && prose_count_[c] >= 2) enough *= 0.5;
        if (good_[c] >= enough && good_[c] >= 2 * bad_[c]) parts_.push_back(c);
      }
      child = parent;
    }
    std::sort(parts_.begin(), parts_.end());
  }

  // The nearest element child of `parent` before (or after) `child` that holds text and
  // is not marked as noise; -1 when there is none.
  std::int32_t edge_sibling(std::int32_t parent, std::int32_t child, bool after) const {
    std::int32_t found = -1;
    const std::int32_t begin = after ? dom_.nodes[child].end : parent + 1;
    const std::int32_t end = after ? dom_.nodes[parent].end : child;
    for (std::int32_t c = begin; c < end; c = dom_.nodes[c].end) {
      if (good_[c] + bad_[c] <= 0 || markup_[c]) continue;
      found = c;  // text nodes hold no score of their own: c is an element
      if (after) break;
    }
    return found;
  }

  bool in_region(std::int32_t node) const {
    for (std::int32_t part : parts_)
      if (node >= part && node < dom_.nodes[part].end) return true;
    return false;
  }

  std::vector<std::string> top_candidates(std::size_t count) const {
    std::vector<std::int32_t> order;
    for (std::size_t i = 0; i < dom_.nodes.size(); ++i)
      if (!dom_.nodes[i].is_text) order.push_back(std::int32_t(i));
    auto score = [&](std::int32_t i) { return good_[i] - options_.tuning.bad_weight * bad_[i]; };
    count = std::min(count, order.size());
    std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(count), order.end(),
                      [&](std::int32_t a, std::int32_t b) { return score(a) > score(b); });
    std::vector<std::string> out;
    for (std::size_t k = 0; k < count; ++k) {
      char figures[96];
      std::snprintf(figures, sizeof figures, "  %.0f (good %.0f, bad %.0f)", score(order[k]), good_[order[k]],
                    bad_[order[k]]);
      out.push_back(node_path(dom_, order[k]) + figures);
    }
    return out;
  }

  // The first block whose first text node is at or after `node`.
  std::size_t first_block_at(std::int32_t node) const {
    auto it = std::lower_bound(blocks_.begin(), blocks_.end(), node,
                               [](const TextBlock& b, std::int32_t v) { return b.first < v; });
    return std::size_t(it - blocks_.begin());
  }

  void mark_containers() {
    mark_.assign(dom_.nodes.size(), std::nullopt);
    const double region_good = std::max(good_[region_], 1.0);
    for (std::int32_t part : parts_) {
      const std::int32_t end = dom_.nodes[part].end;
      for (std::int32_t i = part + 1; i < end; ++i) {
        const DomNode& node = dom_.nodes[i];
        if (node.is_text || !node.is_block) continue;
        std::optional<Removal> reason = container_removal(i, region_good);
        if (!reason) continue;
        std::fill(mark_.begin() + i, mark_.begin() + node.end, reason);
        i = node.end - 1;
      }
    }
    mark_slideshows();
  }

  // A slideshow set into the article: three or more slides in a row numbered "1/50",
  // "2/50", "3/50" (or "1 of 50"), beside an article of its own. Its captions tell fifty
  // other stories ("Business news in pictures" under a piece on hotels), so the box goes
  // whole, with its heading and "show all", however much prose it holds. A page that is
  // the gallery keeps it: without an article around it, nothing is marked.
  void mark_slideshows() {
    std::vector<double> width_before, prose_before;  // sums over the blocks before each: made once, when needed
    int marked = 0;
    std::size_t k = 0;
    while (k < blocks_.size() && marked < kMaxSlideshows) {
      std::optional<SlideNumber> first;
      if (in_region(blocks_[k].first) && !mark_[blocks_[k].owner]) first = slide_number(blocks_[k].text);
      if (!first) {
        ++k;
        continue;
      }
      // The slides that follow it, numbered on from it out of the same count.
      std::size_t last = k;
      int next = first->index + 1, slides = 1;
      for (std::size_t t = k + 1; t < blocks_.size(); ++t) {
        std::optional<SlideNumber> n = slide_number(blocks_[t].text);
        if (!n) continue;
        if (n->count != first->count || n->index != next) break;
        last = t;
        ++next;
        ++slides;
      }
      if (slides >= 3) {
        if (width_before.empty()) {
          width_before.assign(blocks_.size() + 1, 0);
          prose_before.assign(blocks_.size() + 1, 0);
          for (std::size_t b = 0; b < blocks_.size(); ++b) {
            const TextBlock& block = blocks_[b];
            const bool article_prose = prose_[b] && in_region(block.first) && !mark_[block.owner];
            width_before[b + 1] = width_before[b] + block.width;
            prose_before[b + 1] = prose_before[b] + (article_prose ? block.width - block.link_width : 0);
          }
        }
        if (mark_slideshow(k, last, width_before, prose_before)) ++marked;
      }
      k = last + 1;
    }
  }

  // Marks the box of the slides blocks_[first..last] when an article stands around it.
  bool mark_slideshow(std::size_t first, std::size_t last, const std::vector<double>& width_before,
                      const std::vector<double>& prose_before) {
    auto sum = [&](const std::vector<double>& before, std::int32_t node) {
      return before[first_block_at(dom_.nodes[node].end)] - before[first_block_at(node)];
    };
    // The box that holds every slide, widened to its wrappers while they add only a short
    // line or two ("Business news in pictures", "50 show all").
    std::int32_t box = blocks_[first].owner;
    while (box >= 0 && dom_.nodes[box].end <= blocks_[last].owner) box = dom_.nodes[box].parent;
    if (box < 0) return false;
    while (dom_.nodes[box].parent >= 0) {
      const std::int32_t wrapper = dom_.nodes[box].parent;
      if (sum(width_before, wrapper) - sum(width_before, box) > kSlideshowFrameChars || !in_region(wrapper)) break;
      box = wrapper;
    }
    const double outside = prose_before.back() - sum(prose_before, box);  // the article's prose around it
    if (outside < 2 * kArticleBeforeWidgetChars) return false;
    std::fill(mark_.begin() + box, mark_.begin() + dom_.nodes[box].end, Removal::caption);
    return true;
  }

  std::optional<Removal> container_removal(std::int32_t i, double region_good) const {
    const DomNode& node = dom_.nodes[i];
    // Never drop what holds most of the article's prose.
    if (good_[i] >= 0.5 * region_good) return std::nullopt;
    if (std::optional<Removal> r = markup_[i]) {
      bool weak = *r == Removal::byline || *r == Removal::tags || *r == Removal::boilerplate ||
                  *r == Removal::caption || *r == Removal::loading || *r == Removal::related ||
                  *r == Removal::navigation || *r == Removal::header || *r == Removal::form;
      if (!weak || good_[i] < std::max(0.15 * region_good, 200.0) || good_[i] < bad_[i]) return r;
    }
    // A widget introduced by a heading such as "Most read" or "Related stories".
    std::size_t first = first_block_at(i);
    std::size_t last = first_block_at(node.end);
    if (first < last) {
      const TextBlock& head = blocks_[first];
      std::int32_t width = 0, link_width = 0;
      for (std::size_t b = first; b < last; ++b) {
        width += blocks_[b].width;
        link_width += blocks_[b].link_width;
      }
      double ld = width ? double(link_width) / width : 0;
      // Teaser cards under "Related stories" read like prose, so a widget heading also
      // removes a container that holds little of the article's prose.
      if (last - first >= 2 && head.width < width && (good_[i] < bad_[i] || good_[i] < 0.3 * region_good)) {
        if (auto r = removal_by_widget_heading(head.text, head.width)) return r;
      }
      // A list of links: three or more short blocks, mostly link text.
      if (last - first >= 3 && ld >= 0.6 && good_[i] < 0.5 * bad_[i]) return Removal::link_dense;
    }
    return std::nullopt;
  }

  void judge_blocks(const Metadata& meta) {
    verdict_.assign(blocks_.size(), Removal::outside_article);
    kept_.assign(blocks_.size(), false);
    const std::string title = fold_key(meta.title);
    std::unordered_map<std::string, std::int32_t> seen;  // folded text -> container of its first copy
    bool seen_prose = false;
    double prose_before = 0;   // prose kept so far
    std::size_t tail_end = 0;  // blocks before this index follow a widget heading
    Removal tail_reason = Removal::related;
    for (std::size_t k = 0; k < blocks_.size(); ++k) {
      const TextBlock& b = blocks_[k];
      if (!in_region(b.first)) {
        if (std::int32_t noisy = noisy_ancestor_[b.owner]; noisy != kNone) verdict_[k] = *markup_[noisy];
        continue;
      }
      std::optional<Removal> reason = mark_[b.owner];
      if (!reason && k < tail_end) reason = tail_reason;
      double ld = link_density(b);
      const bool prose = prose_[k];
      if (!reason && b.ctx.heading >= 0) {
        std::string folded = fold_key(b.text);
        // The headline is the <h1> above the article that shares the title's words, or a
        // heading that repeats the title; an <h1> after the article has begun heads a section
        // (documentation, long reads), and one that shares nothing with the title is text.
        if ((dom_.nodes[b.ctx.heading].tag == GUMBO_TAG_H1 && !seen_prose && shares_words(b.text, meta.title)) ||
            (!title.empty() && !folded.empty() && (folded == title || (title.find(folded) != std::string::npos &&
                                                                       folded.size() * 2 > title.size()))))
          reason = Removal::title;
        else if (auto r = removal_by_widget_heading(b.text, b.width))
          reason = r;
      }
      if (!reason) reason = removal_by_text(b.text, b.width, ld);
      if (!reason && !prose && b.width <= 40) reason = removal_by_widget_heading(b.text, b.width);
      if (reason == Removal::related || reason == Removal::most_read) {
        if (!mark_[b.owner] && k >= tail_end) {
          // What follows a "Related stories" heading in its box belongs to the widget, when
          // it holds little of the article's prose.
          std::int32_t box = dom_.nodes[b.ctx.heading >= 0 ? b.ctx.heading : b.owner].parent;
          std::size_t stop = box >= 0 ? first_block_at(dom_.nodes[box].end) : blocks_.size();
          // A heading's section ends at the next heading of its rank or above that is not
          // itself a link (teasers' headlines are links): "See also", then "References".
          if (b.ctx.heading >= 0) {
            const int rank = heading_level(b);
            for (std::size_t t = k + 1; t < stop; ++t) {
              const TextBlock& next = blocks_[t];
              if (next.ctx.heading >= 0 && heading_level(next) <= rank && next.link_width * 2 < next.width &&
                  !removal_by_widget_heading(next.text, next.width)) {
                stop = t;
                break;
              }
            }
          }
          double tail_good = 0;
          for (std::size_t t = k + 1; t < stop; ++t)
            if (prose_[t]) tail_good += blocks_[t].width - blocks_[t].link_width;
          // A widget heading after a real article ends it, however much its teasers say.
          if (tail_good < 0.3 * std::max(good_[region_], 1.0) ||
              (b.ctx.heading >= 0 && b.link_width == 0 && prose_before >= kArticleBeforeWidgetChars)) {
            tail_end = stop;
            tail_reason = *reason;
          }
        }
      }
      // "Comments (12)" or "Comments are closed" after a real article: what follows in its
      // box are readers' comments, however much prose they hold.
      if (reason == Removal::comments && !mark_[b.owner] && k >= tail_end && b.width <= 60 &&
          b.link_width == 0 && prose_before >= kArticleBeforeWidgetChars) {
        std::int32_t box = dom_.nodes[b.ctx.heading >= 0 ? b.ctx.heading : b.owner].parent;
        tail_end = box >= 0 ? first_block_at(dom_.nodes[box].end) : blocks_.size();
        tail_reason = Removal::comments;
      }
      // "Posted by: Jane, Leeds on 8:21pm Tue 1 Jan 08", and another such line further on in
      // the same box, after a real article: readers' comments, each under its signature.
      if (!reason && k >= tail_end && prose_before >= kArticleBeforeWidgetChars && is_signature(b.text)) {
        std::int32_t box = dom_.nodes[b.owner].parent;
        std::size_t stop = box >= 0 ? first_block_at(dom_.nodes[box].end) : blocks_.size();
        for (std::size_t t = k + 1; t < stop; ++t)
          if (is_signature(blocks_[t].text)) {
            tail_end = stop;
            tail_reason = reason.emplace(Removal::comments);
            break;
          }
      }
      if (!reason && b.ctx.list < 0 && b.ctx.table < 0 && is_counter_label(b.text)) reason = Removal::boilerplate;
      if (!reason && !has_word_character(b.text)) reason = Removal::boilerplate;  // "•", "|", "»"
      if (!reason && b.ctx.code < 0 && looks_like_code(b.text)) reason = Removal::boilerplate;
      // An item of a list that is mostly words is the article's own, links or not: a status
      // report's "mconley fixed a hang in the startup cache", the link on most of its words.
      const bool article_list_item = b.ctx.list >= 0 && b.words >= 4 &&
                                     list_link_share(b.ctx.list) < options_.tuning.article_list_link_share;
      // A subheading that links to what its section is about ("Logitech MX Master 3 Mouse",
      // a product of a roundup), over a paragraph, among the body's own paragraphs; a
      // teaser's headline sits in a card of its own with its summary.
      const bool linked_subheading = b.ctx.heading >= 0 && heading_level(b) >= 2 && k + 1 < blocks_.size() &&
                                     prose_[k + 1] && in_region(blocks_[k + 1].first) &&
                                     link_density(blocks_[k + 1]) < 0.5 &&
                                     prose_count_[dom_.nodes[b.ctx.heading].parent] >= 3;
      // A web address written out as its own link ("http://www.firstnight.org") under a
      // paragraph is a source the article names for its readers; in a list it is a link box.
      const bool source_address = b.ctx.list < 0 && b.links.size() == 1 && is_bare_url(b.text);
      if (!reason && ld >= 0.5 && !(prose && ld < 0.7) && !article_list_item && !linked_subheading && !source_address)
        reason = Removal::link_dense;
      if (!reason && !seen_prose && !prose && b.width < 150 && looks_like_byline(b.text)) reason = Removal::byline;
      if (!reason && !prose && b.width < 80 && looks_like_dateline_anywhere(b.text)) reason = Removal::byline;
      // The headline repeated in a non-heading block above the article's first paragraph.
      if (!reason && !seen_prose && !title.empty() && b.width < 300 && fold_key(b.text) == title) reason = Removal::title;
      // A sentence repeated in another container is a syndicated copy (the same story again
      // in a second card or column). Repeated within one container it is the page's own: a
      // refrain, or a page that prints its story twice; short repeated lines (a recipe's
      // "Eat every 2-3 hours") are the article's own as well.
      if (!reason && b.width >= 40 && ends_like_sentence(b.text)) {
        std::int32_t container = neighbourhood(b);
        auto [it, first_time] = seen.emplace(fold_key(b.text), container);
        if (!first_time && it->second != container) reason = Removal::duplicate;
      }
      if (reason) {
        verdict_[k] = *reason;
        continue;
      }
      kept_[k] = true;
      if (prose) {
        seen_prose = true;
        prose_before += b.width - b.link_width;
      }
    }
  }

  // The share of the text of `list` (a DomNode index) inside links.
  double list_link_share(std::int32_t list) {
    auto [it, added] = list_link_share_.emplace(list, 0.0);
    if (added) {
      std::int32_t width = 0, link_width = 0;
      for (std::size_t b = first_block_at(list), end = first_block_at(dom_.nodes[list].end); b < end; ++b) {
        width += blocks_[b].width;
        link_width += blocks_[b].link_width;
      }
      it->second = width ? double(link_width) / width : 0.0;
    }
    return it->second;
  }

  void assemble(Article& article) {
    const bool trace = options_.explain;
    BlockAssembler assembler(dom_, blocks_);
    std::vector<std::int32_t> pending_images;  // kept images waiting for the next kept block
    for (std::size_t k = 0; k < blocks_.size(); ++k) {
      const TextBlock& b = blocks_[k];
      if (trace) {
        BlockTrace t;
        t.text = b.text;
        t.path = node_path(dom_, b.owner);
        if (std::int32_t noisy = noisy_ancestor_[b.owner]; noisy != kNone)
          t.path += "  [noise: " + node_label(dom_.nodes[noisy]) + " " + std::string(to_string(*markup_[noisy])) + "]";
        t.chars = b.chars;
        t.link_density = link_density(b);
        t.kept = kept_[k];
        t.reason = verdict_[k];
        article.trace.push_back(std::move(t));
      }
      for (std::int32_t image : b.images_before)
        if (keeps_image(dom_.images[std::size_t(image)])) pending_images.push_back(image);
      if (!kept_[k]) {
        if (options_.keep_removed) article.removed.push_back({verdict_[k], b.text});
        continue;
      }
      // Images standing before a kept block go at its start; those of its text where they sit.
      std::vector<InlineImage> images;
      auto add_image = [&](std::int32_t image, std::size_t at) {
        if (auto img = read_image(*dom_.images[std::size_t(image)].node, options_.url)) {
          img->at = at;
          images.push_back(std::move(*img));
        }
      };
      for (std::int32_t image : pending_images) add_image(image, 0);
      pending_images.clear();
      for (const TextImage& image : b.images) add_image(image.image, std::size_t(image.at));
      assembler.append(article.blocks, b, block_links(dom_, b, options_.url), std::move(images));
    }
    // Images after the last kept block close the article.
    if (!article.blocks.empty()) {
      Block& last = article.blocks.back();
      for (std::int32_t image : pending_images)
        if (auto img = read_image(*dom_.images[std::size_t(image)].node, options_.url)) {
          img->at = last.text.size();
          last.images.push_back(std::move(*img));
        }
    }
  }

  // An image between blocks belongs to the article when it stands in the article's region,
  // outside the containers removed as noise (captions excepted: a figure is often marked so).
  bool keeps_image(const DomImage& image) const {
    const std::int32_t at = image.parent;
    if (!in_region(at) || noisy_ancestor_[at] != kNone) return false;
    return !mark_[at] || *mark_[at] == Removal::caption;
  }

  const HtmlDocument& doc_;
  const ExtractOptions& options_;
  FlatDom dom_;
  std::vector<TextBlock> blocks_;
  std::vector<double> good_, bad_;
  std::vector<std::optional<Removal>> markup_, mark_;
  std::vector<std::int32_t> noisy_ancestor_;
  std::vector<bool> prose_;                 // per block: reads like running text
  std::vector<std::int32_t> prose_count_;   // per node: prose blocks in its subtree
  std::vector<bool> headline_led_;             // per block: prose right under a headline link
  std::vector<std::int32_t> headline_led_count_;  // per node: such blocks in its subtree
  std::vector<bool> headline_line_;                // per block: prose under a headline link on its first line
  std::vector<std::int32_t> headline_line_count_;  // per node: such blocks in its subtree
  std::vector<std::int32_t> headline_count_;  // per node: blocks that are one link of a headline's length
  std::vector<Removal> verdict_;
  std::vector<bool> kept_;
  std::int32_t region_ = 0;
  std::vector<std::int32_t> parts_;  // region_ and the siblings extend_region() added, in order
  std::unordered_map<std::int32_t, double> list_link_share_;  // list node -> share of its text in links
};

}  // namespace

Article extract_document(const HtmlDocument& doc, const ExtractOptions& options) {
  return Extractor(doc, options).run();
}

Article extract(std::string_view bytes, const ExtractOptions& options) {
  bool cut = bytes.size() > options.max_bytes;
  if (cut) bytes = bytes.substr(0, options.max_bytes);
  DecodedPage page = decode_html(bytes, options.content_type);
  std::string charset = page.charset;
  HtmlDocument doc = HtmlDocument::parse(std::move(page.utf8));
  Article article = extract_document(doc, options);
  article.charset = std::move(charset);
  article.truncated = article.truncated || cut;
  return article;
}

}  // namespace winnow::parsers
