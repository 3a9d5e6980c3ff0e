#include "feeds/formats/common.h"

#include <algorithm>

#include "base/ascii.h"
#include "base/time.h"
#include "base/url.h"
#include "feeds/formats/namespaces.h"
#include "feeds/sanitize.h"
#include "feeds/text.h"

namespace winnow::feeds::formats {
namespace {

bool is_media(std::string_view uri) { return uri == ns::kMedia || uri == ns::kMediaNoSlash; }

void add_enclosure(Entry& entry, Enclosure enclosure) {
  if (enclosure.url.empty()) return;
  for (const auto& e : entry.enclosures)
    if (e.url == enclosure.url) return;
  entry.enclosures.push_back(std::move(enclosure));
}

// itunes:keywords and media:keywords: a comma-separated list, each one a category.
void add_keywords(std::string_view text, std::vector<std::string>& categories) {
  while (!text.empty()) {
    const std::size_t comma = std::min(text.find(','), text.size());
    if (auto keyword = collapse_whitespace(text.substr(0, comma)); !keyword.empty()) categories.push_back(std::move(keyword));
    text.remove_prefix(std::min(comma + 1, text.size()));
  }
}

// An image reference: the href (iTunes) or url (Media RSS) attribute, else the text some
// feeds put there instead.
std::string image_url(const xml::Element& e, const ReadContext& ctx) {
  for (std::string_view attribute : {"href", "url"})
    if (auto value = e.attribute(attribute); value && !base::trim_ascii_space(*value).empty()) return resolve(e, *value, ctx);
  return e.has_element_children() ? std::string() : resolve(e, e.text(), ctx);
}

void read_media(const xml::Element& e, Entry& entry, EntryExtras& extras, const ReadContext& ctx) {
  const std::string_view name = e.local_name();
  if (name == "content") {
    Enclosure enclosure;
    enclosure.url = resolve(e, e.attribute_or_empty("url"), ctx);
    enclosure.type = std::string(base::trim_ascii_space(e.attribute_or_empty("type")));
    enclosure.length = std::max<std::int64_t>(0, parse_count(e.attribute_or_empty("fileSize")));
    add_enclosure(entry, std::move(enclosure));
    for (const auto& c : e.children())
      if (is_media(c.ns())) read_media(c, entry, extras, ctx);
  } else if (name == "group") {
    for (const auto& c : e.children())
      if (is_media(c.ns())) read_media(c, entry, extras, ctx);
  } else if (name == "thumbnail") {
    if (entry.thumbnail.empty()) entry.thumbnail = image_url(e, ctx);
  } else if (name == "description") {
    if (extras.media_description.empty()) extras.media_description = html_payload(e, ctx);
  } else if (name == "title") {
    if (extras.media_title.empty()) extras.media_title = plain_title(e);
  } else if (name == "keywords") {
    add_keywords(e.text(), entry.categories);
  } else if (name == "category") {
    if (auto category = collapse_whitespace(e.text()); !category.empty()) entry.categories.push_back(std::move(category));
  }
}

}  // namespace

std::string base_of(const xml::Element& at, const ReadContext& ctx) {
  std::vector<std::string> bases;
  for (std::optional<xml::Element> e = at; e; e = e->parent()) {
    if (auto xml_base = e->attribute("base", ns::kXml)) bases.push_back(std::move(*xml_base));
  }
  std::string base_url = ctx.base_url;
  for (auto it = bases.rbegin(); it != bases.rend(); ++it) base_url = base::resolve_url(base_url, *it);
  return base_url;
}

std::string resolve(const xml::Element& at, std::string_view ref, const ReadContext& ctx) {
  ref = base::trim_ascii_space(ref);
  if (ref.empty()) return {};
  return base::resolve_url(base_of(at, ctx), ref);
}

std::string xml_lang(const xml::Element& at) {
  for (std::optional<xml::Element> e = at; e; e = e->parent()) {
    if (auto lang = e->attribute("lang", ns::kXml)) return std::string(base::trim_ascii_space(*lang));
  }
  return {};
}

std::string plain_title(const xml::Element& e) {
  if (e.has_element_children()) return collapse_whitespace(e.text());
  return plain_text(e.text());
}

std::string html_payload(const xml::Element& e, const ReadContext& ctx) {
  const std::string html = e.has_element_children() ? e.inner_markup() : e.text();
  return sanitize_html(base::trim_ascii_space(html), base_of(e, ctx));
}

namespace {

// `other`: a media type that is neither text nor XML (RFC 4287 4.1.3.3: base64 data).
enum class TextKind { text, html, xhtml, other };

TextKind atom_kind(const xml::Element& e) {
  const std::string type = base::to_lower(base::trim_ascii_space(e.attribute_or_empty("type")));
  const std::string mode(base::trim_ascii_space(e.attribute_or_empty("mode")));
  const bool inline_markup = mode != "escaped" && mode != "base64" && e.has_element_children();
  if (type == "xhtml" || type == "application/xhtml+xml") return inline_markup ? TextKind::xhtml : TextKind::html;
  if (type == "html" || type == "text/html") return TextKind::html;
  if (ns::is_atom_pre10(e.ns()) && inline_markup) return TextKind::xhtml;
  if (type.empty() || type == "text" || type.starts_with("text/")) return TextKind::text;
  if (type.ends_with("+xml") || type.ends_with("/xml")) return inline_markup ? TextKind::xhtml : TextKind::text;
  return TextKind::other;
}

// The character data of a text construct, Atom 0.3's mode="base64" decoded (other media
// types stay encoded: their bytes are no text).
std::string atom_text(const xml::Element& e, TextKind kind) {
  std::string text = e.text();
  if (kind != TextKind::other && base::trim_ascii_space(e.attribute_or_empty("mode")) == "base64") {
    if (auto decoded = decode_base64(text)) return std::move(*decoded);
  }
  return text;
}

}  // namespace

std::string atom_plain_text(const xml::Element& e) {
  const TextKind kind = atom_kind(e);
  switch (kind) {
    case TextKind::xhtml:
      return collapse_whitespace(e.text());
    case TextKind::html:
      return html_to_text(atom_text(e, kind));
    case TextKind::text:
    case TextKind::other:
      // Raw markup where plain text was promised: read its text.
      return collapse_whitespace(atom_text(e, kind));
  }
  return {};
}

std::string atom_payload(const xml::Element& e, const ReadContext& ctx) {
  const TextKind kind = atom_kind(e);
  switch (kind) {
    case TextKind::xhtml: {
      // Atom 1.0 wraps xhtml in one div that is not part of the content (RFC 4287 4.1.3.3);
      // a div in another namespace is taken for it too, as long as it holds everything.
      auto children = e.children();
      const bool wrapped = children.size() == 1 && children[0].local_name() == "div" &&
                           (children[0].ns() == ns::kXhtml || children[0].ns() == e.ns()) &&
                           collapse_whitespace(e.text()).size() == collapse_whitespace(children[0].text()).size();
      const xml::Element& markup = wrapped ? children[0] : e;
      return sanitize_html(base::trim_ascii_space(markup.inner_markup()), base_of(markup, ctx));
    }
    case TextKind::html:
      if (e.has_element_children()) return html_payload(e, ctx);
      return sanitize_html(base::trim_ascii_space(atom_text(e, kind)), base_of(e, ctx));
    case TextKind::text:
      // Raw markup where text was promised is still markup someone may serve.
      if (e.has_element_children()) return html_payload(e, ctx);
      return std::string(base::trim_ascii_space(atom_text(e, kind)));
    case TextKind::other:
      return std::string(base::trim_ascii_space(e.text()));
  }
  return {};
}

std::optional<UnixSeconds> date_of(const xml::Element& e) { return base::parse_date(e.text()); }

void keep_last_date(std::optional<UnixSeconds>& slot, const xml::Element& e) {
  if (auto date = date_of(e)) slot = date;
}

bool read_entry_extension(const xml::Element& child, Entry& entry, EntryExtras& extras, const ReadContext& ctx) {
  const std::string_view uri = child.ns();
  const std::string_view name = child.local_name();
  if (uri == ns::kContent) {
    if (name == "encoded" && entry.content.empty()) entry.content = html_payload(child, ctx);
  } else if (uri == ns::kDc) {
    if (name == "creator") {
      if (auto creator = collapse_whitespace(child.text()); !creator.empty()) extras.creators.push_back(creator);
    } else if (name == "date") {
      keep_last_date(extras.dc_date, child);
    } else if (name == "subject") {
      if (auto subject = collapse_whitespace(child.text()); !subject.empty()) entry.categories.push_back(subject);
    } else if (name == "title") {
      if (extras.dc_title.empty()) extras.dc_title = plain_title(child);
    } else if (name == "description") {
      if (extras.dc_description.empty()) extras.dc_description = html_payload(child, ctx);
    } else if (name == "identifier") {
      if (extras.dc_identifier.empty()) extras.dc_identifier = std::string(base::trim_ascii_space(child.text()));
    }
  } else if (uri == ns::kDcTerms) {
    if (name == "modified") keep_last_date(extras.dcterms_modified, child);
    if (name == "issued" || name == "created") keep_last_date(extras.dc_date, child);
  } else if (is_media(uri)) {
    read_media(child, entry, extras, ctx);
  } else if (uri == ns::kItunes) {
    if (name == "author") {
      if (auto author = collapse_whitespace(child.text()); !author.empty()) extras.creators.push_back(author);
    } else if (name == "summary") {
      if (extras.itunes_summary.empty()) extras.itunes_summary = html_payload(child, ctx);
    } else if (name == "image") {
      if (entry.thumbnail.empty()) entry.thumbnail = image_url(child, ctx);
    } else if (name == "keywords") {
      add_keywords(child.text(), entry.categories);
    }
  } else {
    return false;
  }
  return true;
}

void apply_extras(Entry& entry, const EntryExtras& extras) {
  if (entry.author.empty() && !extras.creators.empty()) {
    for (const auto& c : extras.creators) {
      if (!entry.author.empty()) entry.author += ", ";
      entry.author += c;
    }
  }
  if (!entry.published && extras.dc_date) entry.published = extras.dc_date;
  if (!entry.updated && extras.dcterms_modified) entry.updated = extras.dcterms_modified;
  if (entry.title.empty()) entry.title = extras.dc_title;
  if (entry.title.empty()) entry.title = extras.media_title;
  if (entry.summary.empty()) entry.summary = extras.dc_description;
  if (entry.summary.empty()) entry.summary = extras.itunes_summary;
  if (entry.summary.empty()) entry.summary = extras.media_description;
  if (entry.id.empty()) entry.id = extras.dc_identifier;
}

bool read_feed_extension(const xml::Element& child, Feed& feed, const ReadContext& ctx) {
  const std::string_view uri = child.ns();
  const std::string_view name = child.local_name();
  if (uri == ns::kDc) {
    if (name == "language" && feed.language.empty()) feed.language = std::string(base::trim_ascii_space(child.text()));
    if (name == "date" && !feed.updated) feed.updated = date_of(child);
    if (name == "title" && feed.title.empty()) feed.title = plain_title(child);
    if (name == "description" && feed.description.empty()) feed.description = plain_title(child);
  } else if (uri == ns::kSy) {
    if (name == "updatePeriod") feed.update_period = collapse_whitespace(child.text());
    if (name == "updateFrequency") {
      const auto n = parse_count(child.text());
      if (n > 0 && n < 1000000) feed.update_frequency = static_cast<int>(n);
    }
  } else if (uri == ns::kAdmin) {
    if (name == "generatorAgent" && feed.generator.empty())
      feed.generator = std::string(base::trim_ascii_space(child.attribute_or_empty("resource", ns::kRdf)));
  } else if (uri == ns::kAtom10) {
    if (name == "link") {
      const std::string rel = child.attribute("rel").value_or("alternate");
      const std::string href = resolve(child, child.attribute_or_empty("href"), ctx);
      if (rel == "self" && feed.self_url.empty()) feed.self_url = href;
      if (rel == "alternate" && feed.link.empty()) feed.link = href;
    }
  } else if (uri == ns::kItunes) {
    if (name == "image" && feed.image.url.empty()) feed.image.url = image_url(child, ctx);
    if (name == "subtitle" && feed.description.empty()) feed.description = plain_title(child);
  } else {
    return false;
  }
  return true;
}

void finish_entry(Entry& entry) {
  if (entry.id.empty()) {
    entry.id = derived_id(entry.link, entry.title, entry.summary.empty() ? entry.content : entry.summary);
  }
  std::vector<std::string> categories;
  for (auto& c : entry.categories) {
    if (c.empty() || std::find(categories.begin(), categories.end(), c) != categories.end()) continue;
    categories.push_back(std::move(c));
  }
  entry.categories = std::move(categories);
}

}  // namespace winnow::feeds::formats
