#pragma once
// Archived articles as full-text feeds a feed reader can subscribe to: Atom 1.0 (RFC 4287)
// and JSON Feed 1.1, with the caching headers that go with them. Pure: the caller reads the
// archive and the clock, this only writes text. Any thread. docs/api.md, "Full-text feeds".
//
// Entries come out in the order of `rows` (the caller picks: newest first, say). Each
// entry's id is entry_id(info, row): built from the archive id, which the archive keeps for
// an article whatever happens to it later (replace_article, reextract), so a reader never
// sees an article twice because it was regenerated. The HTML is article_html.h's.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "daemon/archive/archive.h"

namespace winnow::api {

struct FeedOutInfo {
  // The feed's own id (atom:id): stable, e.g. "tag:winnow,2026:feed/12" or
  // "tag:winnow,2026:feeds/3,12" for a merged feed. Required (Atom needs one); when empty the
  // self URL stands in.
  std::string id;
  std::string title;
  std::string description;   // atom:subtitle, JSON Feed description; may be empty
  std::string self_url;      // where this document is served from (link rel=self, feed_url):
                             // the .atom URL for atom_feed, the .json one for json_feed
  // The site it follows (link rel=alternate, home_page_url); may be empty. Usually the
  // subscribed feed's own site link, so as untrusted as a page: written only when safe_url
  // keeps it.
  std::string home_url;
  std::string language;      // of the whole feed, when known; may be empty
  // The API URL of article N is article_url_base + N, e.g.
  // "http://127.0.0.1:8470/v1/articles/": where a near-duplicate's link rel=related points.
  std::string article_url_base;
  // Each entry's id is entry_id_prefix + the archive id. Changing it changes every id a
  // reader has seen, so every entry shows up as new once.
  std::string entry_id_prefix = "tag:winnow,2026:article/";
  // atom:updated of the feed. Empty: feed_updated(rows), the epoch for an empty feed; a
  // caller serving an empty feed may pass the time of its last poll instead. Never "now":
  // the same rows must give the same bytes (the ETag promises it).
  std::optional<base::UnixSeconds> updated;
};

// The id of the entry for `row`: info.entry_id_prefix + row.id.
std::string entry_id(const FeedOutInfo& info, const archive::ArticleRow& row);

// When the entry was last updated as Atom says it (atom:updated, which Atom requires):
// row.modified, else row.published, else row.fetched_at.
base::UnixSeconds entry_updated(const archive::ArticleRow& row);

// The newest of the rows' entry_updated, archived_at and fetched_at; nullopt when `rows` is
// empty.
std::optional<base::UnixSeconds> feed_updated(const std::vector<archive::ArticleRow>& rows);

// An Atom 1.0 document (UTF-8, application/atom+xml). Per entry: id, title, updated,
// published (when known), an author per name of row.authors (else row.site_name), link
// rel=alternate to row.url (http and https only), link rel=related to the original when the
// row is a near-duplicate, a category per tag, summary (row.description), content
// type="html" (article_html), and xml:lang when row.language is a language tag.
std::string atom_feed(const FeedOutInfo& info, const std::vector<archive::ArticleRow>& rows);

// A JSON Feed 1.1 document (application/feed+json). Per item: id (as in Atom), url, title,
// content_html, summary, image, date_published (row.published, else fetched_at),
// date_modified (row.modified), authors, language, tags, and the extension object
// "_winnow": {"article_id", "verdict", "partial", "source", "duplicate_of",
// "duplicate_of_url"} (duplicate_of and its URL null for an original).
std::string json_feed(const FeedOutInfo& info, const std::vector<archive::ArticleRow>& rows);

enum class FeedOutFormat { atom, json };

// A strong ETag, quotes included ("\"a-0123456789abcdef\""), for the document that
// atom_feed or json_feed writes from the same arguments: a 64-bit hash of `info`, the format
// version of this module, and every field of every row that the document shows, so it
// changes whenever the bytes would (a reextract that keeps every date changes it too).
// Cheaper than writing the document: it hashes the fields as they are, no HTML is written.
std::string feed_etag(FeedOutFormat format, const FeedOutInfo& info, const std::vector<archive::ArticleRow>& rows);

// The Last-Modified header value (base::format_http_date) for a feed of `rows`: its newest
// archived_at or fetched_at (a page fetched again and replaced in place keeps its
// archived_at); nullopt for no rows. Coarser than the ETag: a reextract in place does not
// move it, so If-None-Match is the validator to trust (RFC 7232 gives it precedence).
std::optional<std::string> feed_last_modified(const std::vector<archive::ArticleRow>& rows);

}  // namespace winnow::api
