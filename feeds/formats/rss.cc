// RSS 0.91, 0.92 and 2.0 (and the 0.93/0.94 drafts): <rss><channel>...<item>.
#include <algorithm>

#include "base/ascii.h"
#include "feeds/formats/common.h"
#include "feeds/formats/namespaces.h"
#include "feeds/text.h"

namespace winnow::feeds::formats {
namespace {

bool looks_absolute_http(std::string_view s) {
  s = base::trim_ascii_space(s);
  return s.starts_with("http://") || s.starts_with("https://");
}

}  // namespace

bool is_rss_core(std::string_view uri) {
  return uri.empty() || uri == ns::kRss10 || uri == ns::kRss090 || uri == ns::kRssUserland ||
         uri == ns::kRssUserland092 || uri == ns::kRssHarvard || uri == ns::kRss091Module;
}

Entry read_rss_item(const xml::Element& item, const ReadContext& ctx) {
  Entry entry;
  EntryExtras extras;
  std::string guid_link;
  std::string atom_link;
  std::optional<UnixSeconds> atom_published;
  const auto children = item.children();
  for (const auto& child : children) {
    const std::string_view uri = child.ns();
    const std::string_view name = child.local_name();
    if (is_rss_core(uri)) {
      if (name == "title") {
        if (entry.title.empty()) entry.title = plain_title(child);
      } else if (name == "link") {
        if (entry.link.empty()) entry.link = resolve(child, child.text(), ctx);
      } else if (name == "description") {
        if (entry.summary.empty()) entry.summary = html_payload(child, ctx);
      } else if (name == "guid") {
        if (entry.id.empty()) {
          entry.id = std::string(base::trim_ascii_space(child.text()));
          // RSS 2.0: isPermaLink defaults to true. Any other value than "true" says the guid
          // is no link, as feedparser reads it ("false", but also "no" or a typo).
          const auto permalink = child.attribute("isPermaLink");
          const bool is_permalink = !permalink || base::to_lower(base::trim_ascii_space(*permalink)) == "true";
          if (is_permalink && looks_absolute_http(entry.id))
            guid_link = entry.id;
        }
      } else if (name == "pubDate") {
        keep_last_date(entry.published, child);
      } else if (name == "author") {
        if (entry.author.empty()) entry.author = collapse_whitespace(child.text());
      } else if (name == "category") {
        entry.categories.push_back(collapse_whitespace(child.text()));
      } else if (name == "enclosure") {
        Enclosure enclosure;
        enclosure.url = resolve(child, child.attribute_or_empty("url"), ctx);
        enclosure.type = std::string(base::trim_ascii_space(child.attribute_or_empty("type")));
        enclosure.length = std::max<std::int64_t>(0, parse_count(child.attribute_or_empty("length")));
        if (!enclosure.url.empty() &&
            std::none_of(entry.enclosures.begin(), entry.enclosures.end(),
                         [&](const Enclosure& e) { return e.url == enclosure.url; }))
          entry.enclosures.push_back(std::move(enclosure));
      } else if (name == "comments") {
        if (entry.comments.empty()) entry.comments = resolve(child, child.text(), ctx);
      } else if (name == "fullitem") {  // RSS 0.9x drafts: the full text, escaped HTML
        if (entry.content.empty()) entry.content = html_payload(child, ctx);
      }
    } else if (uri == ns::kXhtml && name == "body") {
      // The full text as inline XHTML, in the way some RSS 2.0 feeds of 2003 wrote it.
      if (entry.content.empty()) entry.content = html_payload(child, ctx);
    } else if (uri == ns::kAtom10) {
      // Atom elements borrowed into RSS items.
      if (name == "link") {
        const std::string rel = child.attribute("rel").value_or("alternate");
        const std::string href = resolve(child, child.attribute_or_empty("href"), ctx);
        if (rel == "alternate" && atom_link.empty()) atom_link = href;
        if (rel == "enclosure" && !href.empty()) {
          Enclosure enclosure{href, std::string(base::trim_ascii_space(child.attribute_or_empty("type"))),
                              std::max<std::int64_t>(0, parse_count(child.attribute_or_empty("length")))};
          if (std::none_of(entry.enclosures.begin(), entry.enclosures.end(),
                           [&](const Enclosure& e) { return e.url == href; }))
            entry.enclosures.push_back(std::move(enclosure));
        }
      } else if (name == "updated") {
        keep_last_date(entry.updated, child);
      } else if (name == "published") {
        keep_last_date(atom_published, child);
      }
    }
  }
  for (const auto& child : children) {
    if (!is_rss_core(child.ns())) read_entry_extension(child, entry, extras, ctx);
  }
  if (entry.link.empty()) entry.link = !atom_link.empty() ? atom_link : resolve(item, guid_link, ctx);
  if (!entry.published) entry.published = atom_published;
  if (entry.id.empty()) {
    // RSS 1.0 names each item by its rdf:about URI.
    if (auto about = item.attribute("about", ns::kRdf)) entry.id = std::string(base::trim_ascii_space(*about));
  }
  apply_extras(entry, extras);
  finish_entry(entry);
  return entry;
}

void read_items(const xml::Element& item, Feed& feed, const ReadContext& ctx) {
  feed.entries.push_back(read_rss_item(item, ctx));
  // Recovering from a tag left open, libxml2 nests the following items inside this one.
  for (const auto& child : item.children())
    if (is_rss_core(child.ns()) && child.local_name() == "item") read_items(child, feed, ctx);
}

void read_rss_image(const xml::Element& image, Feed& feed, const ReadContext& ctx) {
  for (const auto& c : image.children()) {
    if (!is_rss_core(c.ns())) continue;
    if (c.local_name() == "url" && feed.image.url.empty()) feed.image.url = resolve(c, c.text(), ctx);
    if (c.local_name() == "title" && feed.image.title.empty()) feed.image.title = plain_title(c);
    if (c.local_name() == "link" && feed.image.link.empty()) feed.image.link = resolve(c, c.text(), ctx);
  }
}

void read_rss_channel(const xml::Element& channel, Feed& feed, const ReadContext& ctx) {
  std::optional<UnixSeconds> last_build;
  std::optional<UnixSeconds> pub_date;
  const auto children = channel.children();
  for (const auto& child : children) {
    if (!is_rss_core(child.ns())) continue;
    const std::string_view name = child.local_name();
    if (name == "title") {
      if (feed.title.empty()) feed.title = plain_title(child);
    } else if (name == "link") {
      if (feed.link.empty()) feed.link = resolve(child, child.text(), ctx);
    } else if (name == "description") {
      if (feed.description.empty()) feed.description = plain_title(child);
    } else if (name == "language") {
      if (feed.language.empty()) feed.language = std::string(base::trim_ascii_space(child.text()));
    } else if (name == "lastBuildDate") {
      keep_last_date(last_build, child);
    } else if (name == "pubDate") {
      keep_last_date(pub_date, child);
    } else if (name == "generator") {
      if (feed.generator.empty()) feed.generator = collapse_whitespace(child.text());
    } else if (name == "ttl") {
      const auto ttl = parse_count(child.text());
      if (ttl >= 0 && ttl < 1000000) feed.ttl_minutes = static_cast<int>(ttl);
    } else if (name == "image") {
      read_rss_image(child, feed, ctx);
    } else if (name == "item") {
      read_items(child, feed, ctx);
    }
  }
  feed.updated = last_build ? last_build : pub_date;
  for (const auto& child : children) {
    if (!is_rss_core(child.ns())) read_feed_extension(child, feed, ctx);
  }
  // Without <language> or dc:language, the xml:lang of the channel (or of what holds it).
  if (feed.language.empty()) feed.language = xml_lang(channel);
}

void read_rss(const xml::Element& root, Feed& feed, const ReadContext& ctx) {
  const std::string version(base::trim_ascii_space(root.attribute_or_empty("version")));
  if (version.starts_with("0.90")) feed.format = FeedFormat::rss090;
  else if (version.starts_with("0.91")) feed.format = FeedFormat::rss091;
  else if (version.starts_with("0.9")) feed.format = FeedFormat::rss092;
  else feed.format = FeedFormat::rss20;
  if (root.local_name() == "channel") {  // a bare <channel> root, seen in the wild
    read_rss_channel(root, feed, ctx);
    return;
  }
  bool had_channel = false;
  for (const auto& child : root.children()) {
    if (!is_rss_core(child.ns())) continue;
    if (child.local_name() == "channel" && !had_channel) {
      read_rss_channel(child, feed, ctx);
      had_channel = true;
    } else if (child.local_name() == "item") {  // items outside the channel: 0.9x feeds do this
      read_items(child, feed, ctx);
    } else if (child.local_name() == "image" && feed.image.url.empty()) {
      read_rss_image(child, feed, ctx);
    }
  }
  if (feed.language.empty()) feed.language = xml_lang(root);
}

}  // namespace winnow::feeds::formats
