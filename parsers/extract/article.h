#pragma once
// What the extractor returns: metadata, the article as typed blocks, and what was removed.
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace winnow::parsers {

enum class BlockKind { paragraph, heading, list, table, quote, code, caption };
std::string_view to_string(BlockKind kind);

// A link inside a block: bytes [begin, end) of Block::text are the link's text. `url` is
// absolute http(s) when the page's URL was known (relative, but never another scheme, when
// it was not).
struct InlineLink {
  std::size_t begin = 0, end = 0;
  std::string url;
};

// An image of the article, at byte `at` of Block::text: 0 stands before the text,
// text.size() after it. `src` follows the rule of InlineLink::url; `alt` may be empty.
struct InlineImage {
  std::size_t at = 0;
  std::string src, alt;
};

struct Block {
  BlockKind kind = BlockKind::paragraph;
  int level = 0;                                  // heading level 1..6
  std::string text;                               // every kind: its text (a list's items one a line)
  std::vector<std::string> items;                 // list
  std::vector<std::vector<std::string>> rows;     // table: rows of cells
  bool ordered = false;                           // list: <ol>
  // Offsets are into `text`; a list's item n, a table's cell sit in `text` as joined there
  // ("\n" between items and rows, "\t" between cells), so each link lies in one item or cell.
  std::vector<InlineLink> links;                  // in text order, not overlapping
  std::vector<InlineImage> images;                // in text order
};

// Why a block of the page is not part of the article.
enum class Removal {
  outside_article,  // not in the region picked as the article
  navigation,       // menus, breadcrumbs, pagination
  header,           // page or article header (logo, kicker)
  footer,
  advertisement,    // ads and sponsored blocks
  newsletter,       // newsletter and subscription pushes
  see_also,         // "See also" / "Read more" links, also between paragraphs
  related,          // related-story widgets and link lists
  most_read,        // "Most read" / "Trending" lists
  share,            // share and social bars
  cookie_banner,    // cookie and consent notices
  comments,
  author_bio,
  disclaimer,
  loading,          // "Loading ..." placeholders
  caption,          // image captions and credits
  duplicate,        // text already kept
  title,            // the headline, kept as metadata
  byline,           // author and date lines, kept as metadata
  tags,             // topic and tag lists
  link_dense,       // mostly links
  form,             // forms and their labels
  boilerplate,      // short text that is not prose (labels, counters)
};
std::string_view to_string(Removal reason);
std::ostream& operator<<(std::ostream& out, Removal reason);

struct RemovedBlock {
  Removal reason;
  std::string text;
};

struct Metadata {
  std::string title;
  std::vector<std::string> authors;
  std::string published;   // RFC 3339 UTC, or empty
  std::string modified;    // RFC 3339 UTC, or empty
  std::string site_name;
  std::string canonical_url;
  std::string language;    // BCP 47 as the page says it ("en", "pt-BR")
  std::string description;
  std::string image;       // main image URL
  std::vector<std::string> tags;
  // What the page says it is: the JSON-LD @type of its main object ("NewsArticle",
  // "CollectionPage"), else og:type ("article", "website"); empty when it says nothing.
  std::string page_type;
  // JSON-LD isAccessibleForFree of the article: false marks a paywalled article.
  std::optional<bool> accessible_for_free;
};

// How one block of the page was judged, for `--explain`.
struct BlockTrace {
  std::string text;
  std::string path;        // e.g. "article.post > div.entry-content > p"
  std::int32_t chars = 0;
  double link_density = 0;
  bool kept = false;
  Removal reason = Removal::outside_article;
};

// What a page is. Only `article` (and, marked partial, `paywall_teaser`) is a page's text.
enum class PageKind {
  article,         // an article: its text is the page's text
  not_article,     // a home, section, tag or search page: a listing of teasers, no one story
  challenge,       // a bot check ("Just a moment...", "Checking your browser", proof of work)
  consent_wall,    // a cookie or privacy interstitial standing in for the page
  paywall_teaser,  // the start of an article, then "subscribe to continue"
  error_page,      // "page not found" and the like, served as if it were a page
  empty,           // no text at all
};
std::string_view to_string(PageKind kind);
std::ostream& operator<<(std::ostream& out, PageKind kind);

struct PageVerdict {
  PageKind kind = PageKind::article;
  std::string reason;                // one line for a human: why this kind
  std::vector<std::string> signals;  // what was weighed, "name=value" each
};

struct Article {
  Metadata metadata;
  PageVerdict verdict;
  std::vector<Block> blocks;
  std::vector<RemovedBlock> removed;  // filled when ExtractOptions::keep_removed
  std::vector<BlockTrace> trace;      // filled when ExtractOptions::explain
  // With explain: the best-scoring elements, "path  score (good/bad)", best first.
  std::vector<std::string> candidates;
  std::string charset;                // the page's encoding, as decoded
  std::string region;                 // path of the element picked as the article
  bool truncated = false;             // the page hit a size or node limit
  // The parser gave up on the page: Gumbo failed an assertion, or the page passed its memory
  // or time limit even with tight bounds (HtmlDocument). The article is empty for that
  // reason, not for what the page says; the verdict is `empty` and says why.
  bool unparsed = false;
};

}  // namespace winnow::parsers
