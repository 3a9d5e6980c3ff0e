#pragma once
// Namespace URIs the feed readers know.
#include <string_view>

namespace winnow::feeds::ns {

inline constexpr std::string_view kAtom10 = "http://www.w3.org/2005/Atom";
inline constexpr std::string_view kAtom03 = "http://purl.org/atom/ns#";
inline constexpr std::string_view kRdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
// Names Atom went by before 0.3 settled on kAtom03 (the "Echo" and "Pie" drafts of 2003).
inline constexpr std::string_view kAtomDrafts[] = {
    "http://purl.org/echo/", "http://purl.org/pie/", "http://example.com/newformat#", "http://example.com/necho",
    "uri/of/echo/namespace#",
};
// RSS 2.0's namespace while it lived at Harvard, seen in feeds of that time.
inline constexpr std::string_view kRssHarvard = "http://blogs.law.harvard.edu/tech/rss";
// RSS 0.91's elements (language, rating, ...) borrowed into RSS 1.0: read as core elements.
inline constexpr std::string_view kRss091Module = "http://purl.org/rss/1.0/modules/rss091#";
inline constexpr std::string_view kRss10 = "http://purl.org/rss/1.0/";
inline constexpr std::string_view kRss090 = "http://my.netscape.com/rdf/simple/0.9/";
inline constexpr std::string_view kRssUserland = "http://backend.userland.com/rss2";
inline constexpr std::string_view kRssUserland092 = "http://backend.userland.com/rss";
inline constexpr std::string_view kContent = "http://purl.org/rss/1.0/modules/content/";
inline constexpr std::string_view kDc = "http://purl.org/dc/elements/1.1/";
inline constexpr std::string_view kDcTerms = "http://purl.org/dc/terms/";
inline constexpr std::string_view kSy = "http://purl.org/rss/1.0/modules/syndication/";
inline constexpr std::string_view kMedia = "http://search.yahoo.com/mrss/";
inline constexpr std::string_view kMediaNoSlash = "http://search.yahoo.com/mrss";
inline constexpr std::string_view kItunes = "http://www.itunes.com/dtds/podcast-1.0.dtd";
inline constexpr std::string_view kAdmin = "http://webns.net/mvcb/";
inline constexpr std::string_view kXhtml = "http://www.w3.org/1999/xhtml";
inline constexpr std::string_view kXml = "http://www.w3.org/XML/1998/namespace";

// Atom 0.3 or one of the drafts before it.
inline bool is_atom_pre10(std::string_view uri) {
  if (uri == kAtom03) return true;
  for (std::string_view draft : kAtomDrafts)
    if (uri == draft) return true;
  return false;
}

}  // namespace winnow::feeds::ns
