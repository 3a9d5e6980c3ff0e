#include "parsers/extract/article.h"

#include <ostream>

namespace winnow::parsers {

std::string_view to_string(BlockKind kind) {
  switch (kind) {
    case BlockKind::paragraph: return "paragraph";
    case BlockKind::heading: return "heading";
    case BlockKind::list: return "list";
    case BlockKind::table: return "table";
    case BlockKind::quote: return "quote";
    case BlockKind::code: return "code";
    case BlockKind::caption: return "caption";
  }
  return "paragraph";
}

std::string_view to_string(Removal reason) {
  switch (reason) {
    case Removal::outside_article: return "outside_article";
    case Removal::navigation: return "navigation";
    case Removal::header: return "header";
    case Removal::footer: return "footer";
    case Removal::advertisement: return "advertisement";
    case Removal::newsletter: return "newsletter";
    case Removal::see_also: return "see_also";
    case Removal::related: return "related";
    case Removal::most_read: return "most_read";
    case Removal::share: return "share";
    case Removal::cookie_banner: return "cookie_banner";
    case Removal::comments: return "comments";
    case Removal::author_bio: return "author_bio";
    case Removal::disclaimer: return "disclaimer";
    case Removal::loading: return "loading";
    case Removal::caption: return "caption";
    case Removal::duplicate: return "duplicate";
    case Removal::title: return "title";
    case Removal::byline: return "byline";
    case Removal::tags: return "tags";
    case Removal::link_dense: return "link_dense";
    case Removal::form: return "form";
    case Removal::boilerplate: return "boilerplate";
  }
  return "boilerplate";
}

std::ostream& operator<<(std::ostream& out, Removal reason) { return out << to_string(reason); }

std::string_view to_string(PageKind kind) {
  switch (kind) {
    case PageKind::article: return "article";
    case PageKind::not_article: return "not_article";
    case PageKind::challenge: return "challenge";
    case PageKind::consent_wall: return "consent_wall";
    case PageKind::paywall_teaser: return "paywall_teaser";
    case PageKind::error_page: return "error_page";
    case PageKind::empty: return "empty";
  }
  return "article";
}

std::ostream& operator<<(std::ostream& out, PageKind kind) { return out << to_string(kind); }

}  // namespace winnow::parsers
