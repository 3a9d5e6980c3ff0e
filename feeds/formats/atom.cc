// Atom 1.0 (RFC 4287) and the Atom 0.3 draft.
#include <algorithm>

#include "base/ascii.h"
#include "feeds/formats/common.h"
#include "feeds/formats/namespaces.h"
#include "feeds/text.h"

namespace winnow::feeds::formats {
namespace {

bool is_atom(std::string_view uri) { return uri == ns::kAtom10 || uri.empty() || ns::is_atom_pre10(uri); }

// A person construct as feedparser writes it: "Name (email)", or whichever of the two it has.
std::string person_name(const xml::Element& person) {
  std::string name, email;
  for (const auto& c : person.children()) {
    if (!is_atom(c.ns())) continue;
    if (c.local_name() == "name" && name.empty()) name = collapse_whitespace(c.text());
    if (c.local_name() == "email" && email.empty()) email = collapse_whitespace(c.text());
  }
  if (!name.empty() && !email.empty()) return name + " (" + email + ")";
  if (name.empty() && email.empty() && !person.has_element_children()) return collapse_whitespace(person.text());
  return name.empty() ? email : name;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (n.empty()) continue;
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// A link without a type is taken for a web page, as feedparser does; "html" and "xhtml" are
// the text constructs' short names, seen in link types too.
bool is_html_type(std::string_view type) {
  const std::string t = base::to_lower(base::trim_ascii_space(type));
  return t.empty() || t == "text/html" || t == "application/xhtml+xml" || t == "html" || t == "xhtml";
}

// Where a link points: its href, else the url or uri attribute some feeds write instead, else
// its text (an RSS-style <link>URL</link>); resolved.
std::string link_target(const xml::Element& link, const ReadContext& ctx) {
  for (std::string_view attribute : {"href", "url", "uri"})
    if (auto value = link.attribute(attribute); value && !base::trim_ascii_space(*value).empty())
      return resolve(link, *value, ctx);
  if (link.has_element_children()) return {};
  return resolve(link, link.text(), ctx);
}

bool is_alternate(std::string_view rel) {
  return rel == "alternate" || rel == "http://www.iana.org/assignments/relation/alternate";
}

Entry read_entry(const xml::Element& e, const std::string& feed_authors, const ReadContext& ctx) {
  Entry entry;
  EntryExtras extras;
  std::vector<std::string> authors;
  std::string source_authors;
  std::string first_alternate;
  std::optional<UnixSeconds> issued;
  std::optional<UnixSeconds> created;
  const auto children = e.children();
  for (const auto& c : children) {
    if (!is_atom(c.ns())) continue;
    const std::string_view name = c.local_name();
    if (name == "id") {
      if (entry.id.empty()) entry.id = std::string(base::trim_ascii_space(c.text()));
    } else if (name == "title") {
      if (entry.title.empty()) entry.title = atom_plain_text(c);
    } else if (name == "link") {
      const std::string rel(base::trim_ascii_space(c.attribute("rel").value_or("alternate")));
      const std::string type(base::trim_ascii_space(c.attribute_or_empty("type")));
      const std::string href = link_target(c, ctx);
      if (href.empty()) continue;
      if (is_alternate(rel)) {
        // The last web page among the alternates, as feedparser reads them; any alternate
        // when none is one.
        if (first_alternate.empty()) first_alternate = href;
        if (is_html_type(type)) entry.link = href;
      } else if (rel == "enclosure") {
        if (std::none_of(entry.enclosures.begin(), entry.enclosures.end(),
                         [&](const Enclosure& x) { return x.url == href; }))
          entry.enclosures.push_back({href, type, std::max<std::int64_t>(0, parse_count(c.attribute_or_empty("length")))});
      } else if (rel == "replies") {
        if (entry.comments.empty() && is_html_type(type)) entry.comments = href;
      }
    } else if (name == "published") {
      keep_last_date(entry.published, c);
    } else if (name == "issued") {
      keep_last_date(issued, c);
    } else if (name == "created") {
      keep_last_date(created, c);
    } else if (name == "updated" || name == "modified") {
      keep_last_date(entry.updated, c);
    } else if (name == "author") {
      authors.push_back(person_name(c));
    } else if (name == "summary") {
      if (entry.summary.empty()) entry.summary = atom_payload(c, ctx);
    } else if (name == "content") {
      if (entry.content.empty()) entry.content = atom_payload(c, ctx);
    } else if (name == "category") {
      std::string term = collapse_whitespace(c.attribute_or_empty("term"));
      if (term.empty()) term = collapse_whitespace(c.attribute_or_empty("label"));
      if (!term.empty()) entry.categories.push_back(std::move(term));
    } else if (name == "source") {
      std::vector<std::string> names;
      for (const auto& s : c.children())
        if (is_atom(s.ns()) && s.local_name() == "author") names.push_back(person_name(s));
      source_authors = join(names);
    }
  }
  for (const auto& c : children) {
    if (!is_atom(c.ns())) read_entry_extension(c, entry, extras, ctx);
  }
  if (entry.link.empty()) entry.link = first_alternate;
  if (!entry.published) entry.published = issued ? issued : created;
  // RFC 4287 4.2.1: an entry without authors takes its source's, then its feed's.
  entry.author = join(authors);
  if (entry.author.empty()) entry.author = source_authors;
  apply_extras(entry, extras);
  if (entry.author.empty()) entry.author = feed_authors;
  finish_entry(entry);
  return entry;
}

// Appends the entry for `e`, then those nested in it by recovery from an unclosed tag.
void read_entries(const xml::Element& e, const std::string& feed_authors, Feed& feed, const ReadContext& ctx) {
  feed.entries.push_back(read_entry(e, feed_authors, ctx));
  for (const auto& c : e.children())
    if (is_atom(c.ns()) && c.local_name() == "entry") read_entries(c, feed_authors, feed, ctx);
}

}  // namespace

void read_atom(const xml::Element& root, Feed& feed, const ReadContext& ctx) {
  // Atom 0.3 and its drafts, by namespace or (without one) by version="0.x".
  const bool pre10 = ns::is_atom_pre10(root.ns()) ||
                     (root.ns().empty() && base::trim_ascii_space(root.attribute_or_empty("version")).starts_with("0."));
  feed.format = pre10 ? FeedFormat::atom03 : FeedFormat::atom10;
  const auto children = root.children();
  // Authors first: entries that have none inherit them, wherever they stand in the feed.
  std::vector<std::string> authors;
  for (const auto& c : children)
    if (is_atom(c.ns()) && c.local_name() == "author") authors.push_back(person_name(c));
  const std::string feed_authors = join(authors);
  std::string first_alternate;
  std::string icon;
  for (const auto& c : children) {
    if (!is_atom(c.ns())) continue;
    const std::string_view name = c.local_name();
    if (name == "title") {
      if (feed.title.empty()) feed.title = atom_plain_text(c);
    } else if (name == "subtitle" || name == "tagline") {
      if (feed.description.empty()) feed.description = atom_plain_text(c);
    } else if (name == "link") {
      const std::string rel(base::trim_ascii_space(c.attribute("rel").value_or("alternate")));
      const std::string href = link_target(c, ctx);
      if (href.empty()) continue;
      if (is_alternate(rel)) {
        if (first_alternate.empty()) first_alternate = href;
        if (is_html_type(c.attribute_or_empty("type"))) feed.link = href;
      } else if (rel == "self") {
        if (feed.self_url.empty()) feed.self_url = href;
      }
    } else if (name == "updated" || name == "modified") {
      keep_last_date(feed.updated, c);
    } else if (name == "generator") {
      if (feed.generator.empty()) feed.generator = collapse_whitespace(c.text());
    } else if (name == "logo") {
      if (feed.image.url.empty()) feed.image.url = resolve(c, c.text(), ctx);
    } else if (name == "icon") {
      if (icon.empty()) icon = resolve(c, c.text(), ctx);
    } else if (name == "entry") {
      read_entries(c, feed_authors, feed, ctx);
    }
  }
  if (feed.link.empty()) feed.link = first_alternate;
  if (feed.image.url.empty()) feed.image.url = icon;
  feed.language = xml_lang(root);
  for (const auto& c : children) {
    if (!is_atom(c.ns())) read_feed_extension(c, feed, ctx);
  }
}

}  // namespace winnow::feeds::formats
