#include "parsers/extract/verdict.h"

#include <algorithm>
#include <cstdio>
#include <span>
#include <string>
#include <type_traits>

#include "parsers/extract/phrases.h"

namespace winnow::parsers {
namespace {

// Article text below this is short. Bot checks, error pages and consent walls hold less (the
// fixtures 0 to 900 characters), but so do 37% of the dev sets' articles: shortness alone
// decides nothing, it only lets the other signals speak.
constexpr std::int32_t kShortText = 1500;
// Past this much article text, or this much text on the whole page, a page is no bot check:
// the wordiest one known (a proof-of-work page explaining itself) keeps about 1,400.
constexpr std::int32_t kChallengeChars = 2000;
constexpr std::int32_t kChallengePageChars = 4000;
// How many blocks the slower checks read at most: a page past that is no interstitial.
constexpr std::size_t kMaxBlocksRead = 600;

bool is_article_type(std::string_view t) {
  return t.ends_with("Article") || t == "BlogPosting" || t == "LiveBlogPosting" || t == "Report" ||
         t == "article" || t == "Review" || t == "SocialMediaPosting";
}

bool is_listing_type(std::string_view t) {
  return t == "CollectionPage" || t == "ItemList" || t == "SearchResultsPage" || t == "WebSite" ||
         t == "website" || t == "ProfilePage" || t == "profile";
}

// fold_case(), with the typographic apostrophe made plain: pages write "can’t", "n’existe",
// "you’re" as often as with a plain one, and the phrases are written with the plain one.
std::string fold(std::string_view text) {
  std::string out = fold_case(text);
  static constexpr std::string_view kCurly = "\u2019";
  for (std::size_t at = out.find(kCurly); at != std::string::npos; at = out.find(kCurly, at + 1))
    out.replace(at, kCurly.size(), "'");
  return out;
}

std::string format_share(double share) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%.2f", share);
  return buffer;
}

class Judge {
 public:
  explicit Judge(const PageEvidence& e)
      : e_(e), title_(fold(e.markers.title)), h1_(fold(e.markers.first_h1)) {
    for (std::size_t k = 0; k < e_.blocks.size(); ++k) {
      if (e_.blocks[k].prose) ++page_prose_;
      if (!e_.blocks[k].kept) continue;
      if (e_.blocks[k].teaser) ++kept_teasers_;
      if (first_kept_ < 0) first_kept_ = std::int32_t(k);
      last_kept_ = std::int32_t(k);
    }
    const Metadata* m = e_.metadata;
    page_type_ = m ? std::string_view(m->page_type) : std::string_view();
    paywalled_ = m && m->accessible_for_free == false;
    article_like_ = is_article_type(page_type_) || (m && !m->published.empty());
  }

  PageVerdict run() {
    add("kept_chars", e_.kept_chars);
    add("prose_blocks", e_.kept_prose_blocks);
    add("page_chars", e_.page_chars);
    add("headline_links", e_.headline_links);
    add("teasers", e_.teasers);
    add("page_prose", page_prose_);
    add("kept_teasers", kept_teasers_);
    add("article_elements", e_.markers.article_elements);
    add("region_share", format_share(e_.region_share));
    if (!page_type_.empty()) add("page_type", page_type_);
    if (paywalled_) add("accessible_for_free", "false");
    if (e_.markers.challenge) add("challenge_markup", e_.markers.challenge);
    if (e_.markers.consent) add("consent_markup", e_.markers.consent);
    if (e_.markers.paywall) add("paywall_markup", e_.markers.paywall);
    // Reported, not voted on: news fronts reload themselves as bot checks do.
    if (e_.markers.meta_refresh) add("meta_refresh", "yes");
    if (is_challenge() || is_blank() || is_error_page() || is_consent_wall() || is_paywall_teaser() ||
        is_listing())
      return std::move(v_);
    if (e_.kept_width == 0)
      decide(PageKind::empty, "no article text");
    else
      decide(PageKind::article, std::to_string(e_.kept_chars) + " characters of article text in " +
                                    std::to_string(e_.kept_prose_blocks) + " paragraphs");
    return std::move(v_);
  }

 private:
  template <class T>
  void add(std::string_view name, const T& value) {
    std::string s(name);
    s += '=';
    if constexpr (std::is_arithmetic_v<T>)
      s += std::to_string(value);
    else
      s += value;
    v_.signals.push_back(std::move(s));
  }

  bool decide(PageKind kind, std::string reason) {
    v_.kind = kind;
    v_.reason = std::move(reason);
    return true;
  }

  // The phrase of `list` that the title or else the first <h1> says, or empty; with a signal.
  std::string_view title_says(std::span<const std::string_view> list, std::string_view name) {
    std::string_view p = find_phrase(title_, list);
    if (p.empty()) p = find_phrase(h1_, list);
    if (!p.empty()) add(name, p);
    return p;
  }

  // How many different phrases of `list` the blocks of at most `max_chars` characters say,
  // counting to `enough`; the first is a signal.
  int text_says(std::span<const std::string_view> list, std::int32_t max_chars, std::string_view name,
                int enough = 1) {
    std::string_view first;
    int found = 0;
    for (std::size_t k = 0; k < std::min(e_.blocks.size(), kMaxBlocksRead) && found < enough; ++k) {
      // The headline is the title's business: it must not vote twice.
      if (e_.blocks[k].width > max_chars || e_.blocks[k].heading == 1) continue;
      std::string_view p = find_phrase(fold(e_.blocks[k].text), list);
      if (p.empty() || p == first) continue;
      if (first.empty()) {
        first = p;
        add(name, p);
      }
      ++found;
    }
    return found;
  }

  // A bot check: little text, and two votes of its title or heading, its text (up to two
  // phrases), its markup, a <noscript> asking for JavaScript and cookies; three votes once the
  // page has three paragraphs. Wording is needed but for a page that shows nothing and loads a
  // bot check's script. An article about bot checks says the same words and carries a captcha
  // in its comment form: its paragraphs and its metadata keep it an article.
  bool is_challenge() {
    const PageMarkers& m = e_.markers;
    if (e_.kept_width >= kChallengeChars || e_.page_width >= kChallengePageChars) return false;
    if (e_.kept_prose_blocks > 5 || (article_like_ && e_.kept_prose_blocks > 2)) return false;
    if (e_.page_width == 0 && m.challenge > 0)
      return decide(PageKind::challenge, "a page with no text that loads a bot check");
    bool title = !title_says(phrases::challenge_title, "challenge_title").empty();
    int text = text_says(phrases::challenge_text, 600, "challenge_text", 2);
    bool noscript = m.noscript_cookies || (m.noscript_javascript && e_.kept_width < 200);
    if (noscript) add("noscript", m.noscript_cookies ? "javascript_and_cookies" : "javascript");
    int votes = int(title) + text + int(m.challenge > 0) + int(noscript);
    // Three paragraphs or more read like a story: then one vote more.
    if (!(title || text) || votes < (e_.kept_prose_blocks >= 3 ? 3 : 2)) return false;
    return decide(PageKind::challenge, title ? "a bot check: the title says so, on a page with little text"
                                             : "a bot check: its text says so, on a page with little text");
  }

  bool is_blank() {
    if (e_.page_width > 0) return false;
    return decide(PageKind::empty, "the page shows no text");
  }

  // A "not found" page served as a page: its title or heading names the error, on a page of
  // a few short paragraphs that says so in its text or does not present itself as an
  // article. An article about error pages has more paragraphs, whatever its title says.
  bool is_error_page() {
    // Teasers of "popular stories" under the apology do not make it an article.
    if (e_.kept_prose_blocks - kept_teasers_ > 3 || (e_.kept_width >= kShortText && kept_teasers_ < 3)) return false;
    // A dated story of two paragraphs or more is a story, titled "Page not found" or not.
    // Dated, not only typed: some sites render their 404 in the article template.
    const bool dated = e_.metadata && !e_.metadata->published.empty();
    if (dated && e_.kept_prose_blocks - kept_teasers_ >= 2) return false;
    std::string_view strong = title_says(phrases::error_title, "error_title");
    if (strong.empty() && (has_404(title_) || has_404(h1_))) {
      strong = "404";
      add("error_title", strong);
    }
    std::string_view weak = strong.empty() ? title_says(phrases::error_title_weak, "error_title") : std::string_view();
    // The big "404" of a theme that puts it in a block of its own, not in the heading.
    if (strong.empty() && weak.empty() && shows_404()) {
      weak = "404";
      add("error_block", weak);
    }
    if (strong.empty() && weak.empty()) return false;
    const bool says = text_says(phrases::error_text, 400, "error_text") > 0;
    if (!strong.empty() ? (says || !article_like_) : (says && !article_like_))
      return decide(PageKind::error_page, "the title or heading says '" + std::string(!strong.empty() ? strong : weak) +
                                              "' on a page with little article text");
    return false;
  }

  // True when a block of a few characters shows "404" ("404", "Error 404").
  bool shows_404() const {
    for (std::size_t k = 0; k < std::min(e_.blocks.size(), kMaxBlocksRead); ++k)
      if (e_.blocks[k].width <= 16 && has_404(e_.blocks[k].text)) return true;
    return false;
  }

  // True when a block reads as a consent notice: two different words of consent wording.
  static bool reads_as_consent(const EvidenceBlock& b) {
    if (b.reason == Removal::cookie_banner && !b.kept) return true;
    if (b.width < 20) return false;
    std::string folded = fold_case(b.text.substr(0, 1000));
    int words = 0;
    for (std::string_view w : phrases::consent_words)
      if (folded.find(w) != std::string::npos && ++words >= 2) return true;
    return false;
  }

  // A consent interstitial: next to no article text, and consent wording that makes up the
  // page, with its title or consent-management markup agreeing. Or a page that is all one
  // consent notice in short lines ("Before you continue"): its title, its markup and the
  // wording of its text agree, and it does not present itself as an article.
  bool is_consent_wall() {
    if (e_.kept_width >= 2 * kShortText) return false;
    // Cheap signs first: a wall has consent markup, a notice the extractor removed as one,
    // or a title that says so. Most pages have none and stop here.
    const bool title = !title_says(phrases::consent_title, "consent_title").empty();
    const bool removed_notice = std::any_of(e_.blocks.begin(), e_.blocks.end(), [](const EvidenceBlock& b) {
      return !b.kept && b.reason == Removal::cookie_banner;
    });
    if (!title && !removed_notice && e_.markers.consent == 0) return false;
    // A dated story whose own headline speaks of consent, with paragraphs of its own, is an
    // article about consent ("Regulator fines publisher over cookie banner"), however much of
    // its text reads as a notice. A wall served at an article's address keeps the article's
    // headline, which does not. The <title> only: a notice's own <h1> may come first.
    if (article_like_ && e_.kept_prose_blocks >= 2 && !find_phrase(title_, phrases::consent_title).empty())
      return false;
    // The article's own text: what was kept and does not read as consent; and what was kept
    // and does.
    std::int32_t article_width = 0, article_prose = 0, kept_consent_width = 0;
    std::int32_t article_chars = 0, kept_consent_chars = 0;  // the same in characters, to report
    std::string kept_text;
    for (std::size_t k = 0; k < std::min(e_.blocks.size(), kMaxBlocksRead); ++k) {
      const EvidenceBlock& b = e_.blocks[k];
      if (!b.kept) continue;
      kept_text.append(b.text).push_back('\n');
      if (reads_as_consent(b)) {
        kept_consent_width += b.width;
        kept_consent_chars += b.chars;
      } else {
        article_width += b.width;
        article_chars += b.chars;
        if (b.prose) ++article_prose;
      }
    }
    // A notice the extractor put aside, beside two paragraphs of a story that say nothing of
    // consent, is a banner over an article, however long the notice (a brief under a
    // 500-character OneTrust text).
    const bool banner_beside_story = kept_consent_width == 0 && article_prose >= 2;
    if (article_width < 500 && article_prose <= 2 && !banner_beside_story && !notices_inside_story()) {
      std::int32_t consent_width = 0;
      for (std::size_t k = 0; k < std::min(e_.blocks.size(), kMaxBlocksRead); ++k)
        if (reads_as_consent(e_.blocks[k])) consent_width += e_.blocks[k].width;
      const double share = double(consent_width) / std::max(e_.page_width, 1);
      add("consent_width", consent_width);
      add("consent_share", format_share(share));
      if (consent_width >= 150 && consent_width >= 2 * article_width && (title || e_.markers.consent > 0 || share >= 0.4))
        return decide(PageKind::consent_wall, "consent wording stands where the article should be (" +
                                                  std::to_string(article_chars) + " characters of other text)");
    }
    if (e_.kept_width >= kShortText || article_like_ || e_.markers.consent == 0) return false;
    // What the extractor took for the article is a consent notice: half its text reads as
    // consent and it holds five consent words or more (a wall whose wording the extractor's
    // English-only noise rules keep, "Nous utilisons des cookies ... nos partenaires").
    const int kept_words = consent_words(fold_case(kept_text));
    if (kept_words >= 5 && 2 * kept_consent_width >= e_.kept_width) {
      add("consent_words", kept_words);
      return decide(PageKind::consent_wall, "the article text is a consent notice (" +
                                                std::to_string(kept_consent_chars) + " of " +
                                                std::to_string(e_.kept_chars) + " characters)");
    }
    if (!title) return false;
    std::string page_text;
    for (std::size_t k = 0; k < std::min(e_.blocks.size(), kMaxBlocksRead); ++k)
      page_text.append(e_.blocks[k].text).push_back('\n');
    const int page_words = consent_words(fold_case(page_text));
    add("consent_words", page_words);
    if (page_words >= 4) return decide(PageKind::consent_wall, "a consent page: its title, markup and wording agree");
    return false;
  }

  // True when a paragraph of story (80 characters or more that do not read as consent) stands
  // between two consent notices: the placeholders of embedded posts and videos that ask for
  // consent ("Externer Inhalt ... personenbezogene Daten"), inside an article, not a wall.
  bool notices_inside_story() const {
    bool seen_notice = false, story_after = false;
    for (std::size_t k = 0; k < std::min(e_.blocks.size(), kMaxBlocksRead); ++k) {
      const EvidenceBlock& b = e_.blocks[k];
      if (reads_as_consent(b)) {
        if (story_after) return true;
        seen_notice = true;
      } else if (seen_notice && b.prose && b.width >= 80) {
        story_after = true;
      }
    }
    return false;
  }

  // How many different consent words `folded` holds.
  static int consent_words(std::string_view folded) {
    int words = 0;
    for (std::string_view w : phrases::consent_words) words += folded.find(w) != std::string_view::npos;
    return words;
  }

  // A paywall teaser: the page says the article is not free (JSON-LD isAccessibleForFree
  // false, or paywall markup), and a call to subscribe cuts the article short, or the text
  // shown is short. A complete article of a paywalled site stays an article.
  bool is_paywall_teaser() {
    if (!paywalled_ && e_.markers.paywall == 0) return false;
    if (first_kept_ < 0) return false;
    // On paywall markup alone, only a teaser's length: a few paragraphs.
    if (!paywalled_ && e_.kept_prose_blocks > 5) return false;
    std::int32_t kept_after = 0;
    std::size_t end = std::min(e_.blocks.size(), std::size_t(last_kept_) + 9);
    for (std::size_t k = e_.blocks.size(); k-- > 0;) {
      if (k < end && k >= std::size_t(first_kept_) && e_.blocks[k].width <= 500) {
        std::string folded = fold(e_.blocks[k].text);
        std::string_view call = find_phrase(folded, phrases::paywall_call);
        // "Already a subscriber?" stands in headers and footers of whole sites too: only
        // right at the cut of a text of a teaser's length.
        if (call.empty() && k <= std::size_t(last_kept_) + 3 && e_.kept_prose_blocks <= 3)
          call = find_phrase(folded, phrases::paywall_call_weak);
        // The call ends the article: at most a sixth of its text comes after it, not counting
        // the short lines of the offer box the call heads ("One month for 1 euro", "Already
        // a subscriber? Sign in"), which the extractor may keep.
        if (!call.empty() && (kept_after - offer_lines_after(k)) * 6 <= e_.kept_width) {
          add("paywall_call", call);
          return decide(PageKind::paywall_teaser, "a call to subscribe cuts the article short");
        }
      }
      if (e_.blocks[k].kept) kept_after += e_.blocks[k].width;
    }
    if (paywalled_ && e_.markers.paywall > 0 && e_.kept_width < kShortText && e_.kept_prose_blocks <= 3)
      return decide(PageKind::paywall_teaser, "a paywalled article with paywall markup shows only a short text");
    return false;
  }

  // The kept width of the short lines (under 100) in the four blocks after block `k`: an
  // offer box under a paywall's call.
  std::int32_t offer_lines_after(std::size_t k) const {
    std::int32_t width = 0;
    for (std::size_t j = k + 1; j < std::min(e_.blocks.size(), k + 5); ++j)
      if (e_.blocks[j].kept && e_.blocks[j].width < 100) width += e_.blocks[j].width;
    return width;
  }

  // A home, section, tag or search page: teasers (a headline link and its summary) make up
  // the page's prose and the extractor found no story of its own, or what it kept is teasers
  // on a page that calls itself a listing; with the page's links, <article> cards, type or
  // title agreeing. Margins on the dev sets: readability's nytimes-5 (a section front) keeps
  // no paragraph of its own and its region holds 4% of the prose; the articles closest to it
  // keep three or more paragraphs of their own, or their region holds 29% or more.
  bool is_listing() {
    const std::int32_t own_prose = e_.kept_prose_blocks - kept_teasers_;
    const bool title_listing = !title_says(phrases::listing_title, "listing_title").empty();
    const bool says_listing = is_listing_type(page_type_) || title_listing;
    // Under 150 characters or one paragraph of its own, and no article metadata, the page has
    // no story to be: a video hub, a search page whose results the extractor set aside, a
    // topic page with a line of introduction.
    const bool agrees = says_listing || e_.headline_links >= 10 || e_.markers.article_elements >= 5 ||
                        (!article_like_ && (e_.kept_width < 150 || own_prose <= 1));
    // A dated article with a paragraph or two under a grid of related stories (a video page)
    // is still an article.
    const bool dated_article = is_article_type(page_type_) && e_.metadata && !e_.metadata->published.empty();
    if (e_.teasers >= 6 && 2 * e_.teasers >= page_prose_ && own_prose <= 2 && e_.kept_width < kShortText &&
        e_.region_share < 0.3 && agrees && !dated_article)
      return decide(PageKind::not_article, std::to_string(e_.teasers) + " teasers and no story of its own");
    const bool calls_itself_listing =
        (says_listing && page_type_ != "website" && page_type_ != "WebSite") || e_.markers.article_elements >= 5;
    if (kept_teasers_ >= 6 && 2 * kept_teasers_ >= e_.kept_prose_blocks && calls_itself_listing &&
        !is_article_type(page_type_))
      return decide(PageKind::not_article, "what reads as the article is " + std::to_string(kept_teasers_) + " teasers");
    // A page whose type says profile or collection (an author page with a long biography):
    // teasers make up half its prose.
    const bool declared_listing = is_listing_type(page_type_) && page_type_ != "website" && page_type_ != "WebSite";
    if (declared_listing && e_.teasers >= 6 && 2 * e_.teasers >= page_prose_ && e_.kept_width < kShortText)
      return decide(PageKind::not_article, "a " + std::string(page_type_) + " page of " + std::to_string(e_.teasers) +
                                               " teasers");
    // A search or tag page with nothing listed: its title says what it is, its heading or
    // text says nothing matched, and it has a line of its own at most and no article metadata.
    if (title_listing && !article_like_ && own_prose <= 1 && e_.kept_width < 300 &&
        (!title_says(phrases::no_results, "no_results").empty() || text_says(phrases::no_results, 300, "no_results") > 0))
      return decide(PageKind::not_article, "a search or tag page with nothing listed");
    // Headlines without summaries: no prose at all, and a page of headline links. Or, with no
    // article metadata, one short line: what the extractor falls back to when every card is
    // one link, summary and all (a copyright line of the footer).
    const bool no_prose = e_.kept_prose_blocks == 0 || (!article_like_ && own_prose <= 1 && e_.kept_width < 150);
    if (no_prose && e_.headline_links >= 12 &&
        (says_listing || e_.markers.article_elements >= 5 || e_.headline_links >= 25))
      return decide(PageKind::not_article, std::to_string(e_.headline_links) + " headline links and no prose");
    return false;
  }

  const PageEvidence& e_;
  const std::string title_, h1_;
  std::string_view page_type_;
  bool paywalled_ = false;
  bool article_like_ = false;  // the page says it is an article: its type, or a publication date
  std::int32_t first_kept_ = -1, last_kept_ = -1;
  std::int32_t page_prose_ = 0, kept_teasers_ = 0;
  PageVerdict v_;
};

}  // namespace

PageVerdict judge_page(const PageEvidence& evidence) { return Judge(evidence).run(); }

}  // namespace winnow::parsers
