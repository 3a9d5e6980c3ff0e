#pragma once
// One model for every feed format. Plain values: copy, move and share freely.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"

namespace winnow::feeds {

using base::UnixSeconds;

// cdf: Microsoft's Channel Definition Format (1997), a feed of <CHANNEL> and <ITEM HREF>.
enum class FeedFormat { unknown, rss090, rss091, rss092, rss20, rss10, atom03, atom10, json10, json11, cdf };
// "rss20", "atom10", "json11", ...
std::string_view to_string(FeedFormat format);

// An attached file: an RSS <enclosure>, an Atom link rel="enclosure", a JSON Feed attachment
// or a media:content. URLs are absolute when a base was known.
struct Enclosure {
  std::string url;
  std::string type;         // MIME type as given, may be empty
  std::int64_t length = 0;  // bytes; 0 when unknown
  friend bool operator==(const Enclosure&, const Enclosure&) = default;
};

struct Image {
  std::string url;
  std::string title;
  std::string link;
};

struct Entry {
  std::string id;     // as given, or derived from link + title (stable across fetches)
  std::string title;  // plain text: entities decoded, markup stripped, whitespace collapsed
  std::string link;   // absolute when a base was known
  std::optional<UnixSeconds> published;
  std::optional<UnixSeconds> updated;
  std::string author;   // names joined by ", "; an Atom person with an email "Name (email)"
  // HTML or text payload, unescaped. HTML is sanitized (feeds/sanitize.h): safe to serve
  // again as HTML, its relative links resolved. Text (Atom type="text", JSON Feed
  // content_text) is as given and must be escaped before it is served as HTML.
  std::string summary;
  std::string content;
  std::vector<std::string> categories;
  std::vector<Enclosure> enclosures;
  std::string comments;   // link to the comments page
  std::string thumbnail;  // media:thumbnail / JSON Feed image
};

struct Feed {
  FeedFormat format = FeedFormat::unknown;
  std::string title;        // plain text
  std::string link;         // the site, absolute when a base was known
  std::string self_url;     // the feed's own URL when it names one (atom:link rel="self")
  std::string description;  // plain text
  std::string language;
  std::optional<UnixSeconds> updated;
  std::string generator;
  Image image;
  // Refresh hints: RSS <ttl> in minutes; sy:updatePeriod ("hourly", "daily", "weekly",
  // "monthly", "yearly") with sy:updateFrequency (times per period).
  std::optional<int> ttl_minutes;
  std::string update_period;
  int update_frequency = 0;
  std::vector<Entry> entries;
  // The document was not well-formed (or otherwise broken) but still yielded this much.
  bool bozo = false;
  std::string bozo_reason;
};

// The refresh interval the feed asks for, in seconds, from <ttl> or the sy: hints; nullopt
// when it gives none (or a nonsensical one).
std::optional<std::int64_t> refresh_hint_s(const Feed& feed);

}  // namespace winnow::feeds
