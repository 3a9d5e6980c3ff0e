#pragma once
// What the XML feed readers share: URL resolution with xml:base, text constructs, the
// namespaced extensions (content:, dc:, dcterms:, media:, itunes:, sy:, admin:) that any
// format may carry, and the finishing touches on an entry. Internal to feeds/formats.
#include <string>
#include <string_view>
#include <vector>

#include "feeds/model.h"
#include "feeds/xml/document.h"

namespace winnow::feeds::formats {

struct ReadContext {
  std::string base_url;  // the feed's URL, may be empty
};

// The base URL in scope at `at`: the feed URL with every xml:base from the root down to `at`
// (itself included) applied in turn.
std::string base_of(const xml::Element& at, const ReadContext& ctx);
// `ref` resolved against the xml:base in scope at `at` (itself included) and the feed URL.
std::string resolve(const xml::Element& at, std::string_view ref, const ReadContext& ctx);
// The nearest xml:lang at or above `at`, empty when none.
std::string xml_lang(const xml::Element& at);

// Plain text of an RSS-style element that may hold escaped markup or raw elements.
std::string plain_title(const xml::Element& e);
// The HTML payload of an RSS-style element: its text (CDATA and escaped HTML come out as
// markup), or its child elements serialized when it holds raw markup; sanitized
// (feeds/sanitize.h) with relative links resolved against the base in scope. Trimmed.
std::string html_payload(const xml::Element& e, const ReadContext& ctx);
// Atom text constructs (1.0 type="text|html|xhtml"; 0.3 type + mode="xml|escaped"). The
// payload of html and xhtml is sanitized as html_payload's; text stays text.
std::string atom_plain_text(const xml::Element& e);
std::string atom_payload(const xml::Element& e, const ReadContext& ctx);

std::optional<UnixSeconds> date_of(const xml::Element& e);
// Sets `slot` to the date `e` holds, when it holds one: of repeated date elements the last
// readable one wins, as in feedparser.
void keep_last_date(std::optional<UnixSeconds>& slot, const xml::Element& e);

// Extensions collected over an entry's children before precedence is settled.
struct EntryExtras {
  std::vector<std::string> creators;  // dc:creator, itunes:author
  std::optional<UnixSeconds> dc_date, dcterms_modified;
  std::string dc_title, dc_description, dc_identifier, media_title, media_description, itunes_summary;
};

// Reads `child` if it is an extension element of an entry; false when it is not one.
bool read_entry_extension(const xml::Element& child, Entry& entry, EntryExtras& extras, const ReadContext& ctx);
// Fills what the core elements left empty from the extras.
void apply_extras(Entry& entry, const EntryExtras& extras);
// Reads `child` if it is an extension element of a feed/channel; false when not one.
bool read_feed_extension(const xml::Element& child, Feed& feed, const ReadContext& ctx);
// Derives a missing id, drops duplicate categories and enclosures and empty ones.
void finish_entry(Entry& entry);

// RSS 0.9x/2.0 and RSS 1.0 share their item and channel elements (rss.cc).
bool is_rss_core(std::string_view ns_uri);
Entry read_rss_item(const xml::Element& item, const ReadContext& ctx);
// Appends the entry for `item`, then those of items nested in it by recovery.
void read_items(const xml::Element& item, Feed& feed, const ReadContext& ctx);
// Reads the core child elements of a channel (and <item>s, appended to feed.entries).
void read_rss_channel(const xml::Element& channel, Feed& feed, const ReadContext& ctx);
void read_rss_image(const xml::Element& image, Feed& feed, const ReadContext& ctx);

// The readers; `root` is the document element, already recognised.
void read_rss(const xml::Element& root, Feed& feed, const ReadContext& ctx);
void read_rdf(const xml::Element& root, Feed& feed, const ReadContext& ctx);
void read_atom(const xml::Element& root, Feed& feed, const ReadContext& ctx);
// True for a CDF document element: <CHANNEL> in capitals, or a <channel> with an HREF.
bool is_cdf_root(const xml::Element& root);
void read_cdf(const xml::Element& root, Feed& feed, const ReadContext& ctx);

}  // namespace winnow::feeds::formats
