#include "daemon/api/feed_out.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdint>

#include "base/ascii.h"
#include "base/hash.h"
#include "daemon/api/article_html.h"
#include "daemon/api/xml_text.h"

namespace winnow::api {
namespace {

namespace json = boost::json;
using base::UnixSeconds;

// Bumped whenever what atom_feed or json_feed write from the same rows changes, so that no
// ETag from an older winnow matches a different body.
constexpr std::string_view kFormatVersion = "feed-out-1";

// The instants both RFC 3339 and xsd:dateTime can spell: years 0001 to 9999.
constexpr UnixSeconds kFirstInstant = -62135596800;  // 0001-01-01T00:00:00Z
constexpr UnixSeconds kLastInstant = 253402300799;   // 9999-12-31T23:59:59Z

std::optional<UnixSeconds> writable(std::optional<UnixSeconds> t) {
  if (t && (*t < kFirstInstant || *t > kLastInstant)) return std::nullopt;
  return t;
}

std::string date(UnixSeconds t) { return base::format_rfc3339(std::clamp(t, kFirstInstant, kLastInstant)); }

// The names of a ", "-joined list, trimmed, empty ones dropped.
std::vector<std::string> split_list(std::string_view joined) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= joined.size()) {
    std::size_t end = joined.find(", ", start);
    if (end == std::string_view::npos) end = joined.size();
    const std::string_view name = base::trim_ascii_space(joined.substr(start, end - start));
    if (!name.empty()) out.push_back(xml_chars(name));
    start = end + 2;
  }
  return out;
}

std::vector<std::string> authors_of(const archive::ArticleRow& row) {
  std::vector<std::string> authors = split_list(row.authors);
  if (authors.empty() && !base::trim_ascii_space(row.site_name).empty())
    authors.push_back(xml_chars(base::trim_ascii_space(row.site_name)));
  return authors;
}

// `tag` when it is a language tag as RFC 4287 (after RFC 3066) spells one,
// [A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*, with '_' read as '-' ("pt_BR", as pages write it); else "".
std::string language_tag(std::string_view tag) {
  std::string out(base::trim_ascii_space(tag));
  std::replace(out.begin(), out.end(), '_', '-');
  std::size_t start = 0;
  bool first = true;
  while (true) {
    std::size_t end = out.find('-', start);
    if (end == std::string::npos) end = out.size();
    const std::string_view part = std::string_view(out).substr(start, end - start);
    if (part.empty() || part.size() > 8) return {};
    for (char c : part)
      if (!base::is_ascii_alpha(c) && (first || !base::is_ascii_digit(c))) return {};
    if (end == out.size()) return out;
    first = false;
    start = end + 1;
  }
}

std::string title_of(const archive::ArticleRow& row) {
  const std::string_view title = base::trim_ascii_space(row.title);
  return title.empty() ? row.url : std::string(title);
}

std::string related_url(const FeedOutInfo& info, const archive::ArticleRow& row) {
  if (!row.duplicate_of || info.article_url_base.empty()) return {};
  return info.article_url_base + std::to_string(*row.duplicate_of);
}

// ---- Atom ----

void element(std::string& out, std::string_view indent, std::string_view tag, std::string_view text) {
  out.append(indent).append("<").append(tag).append(">");
  append_escaped(out, text, false);
  out.append("</").append(tag).append(">\n");
}

void link(std::string& out, std::string_view indent, std::string_view rel, std::string_view type,
          std::string_view href) {
  out.append(indent).append("<link rel=\"").append(rel).append("\"");
  if (!type.empty()) out.append(" type=\"").append(type).append("\"");
  out += " href=\"";
  append_escaped(out, href, true);
  out += "\"/>\n";
}

void person(std::string& out, std::string_view indent, std::string_view name) {
  out.append(indent).append("<author><name>");
  append_escaped(out, name, false);
  out += "</name></author>\n";
}

void atom_entry(std::string& out, const FeedOutInfo& info, const archive::ArticleRow& row) {
  out += "<entry";
  if (const std::string lang = language_tag(row.language); !lang.empty()) out.append(" xml:lang=\"").append(lang).append("\"");
  out += ">\n";
  element(out, "  ", "id", entry_id(info, row));
  element(out, "  ", "title", title_of(row));
  element(out, "  ", "updated", date(entry_updated(row)));
  if (const auto published = writable(row.published)) element(out, "  ", "published", date(*published));
  for (const std::string& name : authors_of(row)) person(out, "  ", name);
  if (const std::string url = safe_url("", row.url); !url.empty()) link(out, "  ", "alternate", "text/html", url);
  if (const std::string related = related_url(info, row); !related.empty()) link(out, "  ", "related", "", related);
  for (const std::string& tag : split_list(row.tags)) {
    out += "  <category term=\"";
    append_escaped(out, tag, true);
    out += "\"/>\n";
  }
  if (!base::trim_ascii_space(row.description).empty())
    element(out, "  ", "summary", base::trim_ascii_space(row.description));
  out += "  <content type=\"html\">";
  append_escaped(out, article_html(row), false);
  out += "</content>\n</entry>\n";
}

// ---- JSON Feed ----

json::value json_string(std::string_view s) { return json::value(xml_chars(s)); }

json::object json_item(const FeedOutInfo& info, const archive::ArticleRow& row) {
  json::object item;
  item["id"] = json_string(entry_id(info, row));
  if (const std::string url = safe_url("", row.url); !url.empty()) item["url"] = json_string(url);
  item["title"] = json_string(title_of(row));
  item["content_html"] = json_string(article_html(row));
  if (!base::trim_ascii_space(row.description).empty())
    item["summary"] = json_string(base::trim_ascii_space(row.description));
  if (const std::string image = safe_url(row.url, row.image); !image.empty()) item["image"] = json_string(image);
  item["date_published"] = date(writable(row.published).value_or(row.fetched_at));
  if (const auto modified = writable(row.modified)) item["date_modified"] = date(*modified);
  if (const std::vector<std::string> names = authors_of(row); !names.empty()) {
    json::array authors;
    for (const std::string& name : names) authors.emplace_back(json::object{{"name", name}});
    item["authors"] = std::move(authors);
  }
  if (const std::string lang = language_tag(row.language); !lang.empty()) item["language"] = lang;
  if (const std::vector<std::string> tags = split_list(row.tags); !tags.empty()) {
    json::array array;
    for (const std::string& tag : tags) array.emplace_back(tag);
    item["tags"] = std::move(array);
  }
  json::object extension;
  extension["article_id"] = row.id;
  extension["verdict"] = json_string(row.verdict);
  extension["partial"] = row.partial;
  extension["source"] = json_string(row.source);
  if (row.duplicate_of) extension["duplicate_of"] = *row.duplicate_of;
  else extension["duplicate_of"] = nullptr;
  if (const std::string related = related_url(info, row); !related.empty()) extension["duplicate_of_url"] = json_string(related);
  else extension["duplicate_of_url"] = nullptr;
  item["_winnow"] = std::move(extension);
  return item;
}

// ---- ETag ----

// FNV-1a, 64 bits (base/hash.h): an ETag needs no more than to change with its input.
class Hash {
 public:
  void add(std::string_view s) {
    add_number(static_cast<std::int64_t>(s.size()));  // lengths keep field boundaries apart
    add_bytes(s);
  }
  void add_number(std::int64_t n) {
    char bytes[sizeof n];
    for (std::size_t i = 0; i < sizeof n; ++i) bytes[i] = static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xFF);
    add_bytes(std::string_view(bytes, sizeof bytes));
  }
  void add_optional(const std::optional<std::int64_t>& n) {
    add_number(n.has_value());
    add_number(n.value_or(0));
  }
  std::uint64_t value() const { return state_; }

 private:
  void add_bytes(std::string_view s) { state_ = base::fnv1a(s, state_); }
  std::uint64_t state_ = base::kFnv1aOffset;
};

}  // namespace

std::string entry_id(const FeedOutInfo& info, const archive::ArticleRow& row) {
  return info.entry_id_prefix + std::to_string(row.id);
}

UnixSeconds entry_updated(const archive::ArticleRow& row) {
  if (const auto modified = writable(row.modified)) return *modified;
  if (const auto published = writable(row.published)) return *published;
  return row.fetched_at;
}

std::optional<UnixSeconds> feed_updated(const std::vector<archive::ArticleRow>& rows) {
  std::optional<UnixSeconds> newest;
  for (const archive::ArticleRow& row : rows) {
    const UnixSeconds t = std::max({entry_updated(row), row.archived_at, row.fetched_at});
    if (!newest || t > *newest) newest = t;
  }
  return newest;
}

std::string atom_feed(const FeedOutInfo& info, const std::vector<archive::ArticleRow>& rows) {
  std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"";
  if (const std::string lang = language_tag(info.language); !lang.empty()) out.append(" xml:lang=\"").append(lang).append("\"");
  out += ">\n";
  element(out, "", "id", info.id.empty() ? info.self_url : info.id);
  element(out, "", "title", info.title);
  if (!info.description.empty()) element(out, "", "subtitle", info.description);
  element(out, "", "updated", date(info.updated.value_or(feed_updated(rows).value_or(0))));
  if (!info.self_url.empty()) link(out, "", "self", "application/atom+xml", info.self_url);
  if (const std::string home = safe_url("", info.home_url); !home.empty()) link(out, "", "alternate", "text/html", home);
  out += "<generator>winnow</generator>\n";
  // Atom wants an author for every entry, from the entry or else from its feed.
  const bool every_entry_has_author =
      std::all_of(rows.begin(), rows.end(), [](const archive::ArticleRow& row) { return !authors_of(row).empty(); });
  if (!every_entry_has_author) person(out, "", info.title.empty() ? std::string_view("winnow") : std::string_view(info.title));
  for (const archive::ArticleRow& row : rows) atom_entry(out, info, row);
  out += "</feed>\n";
  return out;
}

std::string json_feed(const FeedOutInfo& info, const std::vector<archive::ArticleRow>& rows) {
  json::object feed;
  feed["version"] = "https://jsonfeed.org/version/1.1";
  feed["title"] = json_string(info.title);
  if (const std::string home = safe_url("", info.home_url); !home.empty()) feed["home_page_url"] = json_string(home);
  if (!info.self_url.empty()) feed["feed_url"] = json_string(info.self_url);
  if (!info.description.empty()) feed["description"] = json_string(info.description);
  if (const std::string lang = language_tag(info.language); !lang.empty()) feed["language"] = lang;
  json::array items;
  for (const archive::ArticleRow& row : rows) items.emplace_back(json_item(info, row));
  feed["items"] = std::move(items);
  return json::serialize(feed) + "\n";
}

std::string feed_etag(FeedOutFormat format, const FeedOutInfo& info, const std::vector<archive::ArticleRow>& rows) {
  Hash h;
  h.add(kFormatVersion);
  h.add(format == FeedOutFormat::atom ? "atom" : "json");
  for (std::string_view field : {std::string_view(info.id), std::string_view(info.title), std::string_view(info.description),
                                 std::string_view(info.self_url), std::string_view(info.home_url),
                                 std::string_view(info.language), std::string_view(info.article_url_base),
                                 std::string_view(info.entry_id_prefix)})
    h.add(field);
  h.add_optional(info.updated);
  h.add_number(static_cast<std::int64_t>(rows.size()));
  for (const archive::ArticleRow& row : rows) {
    h.add_number(row.id);
    h.add_number(row.archived_at);
    h.add_number(row.fetched_at);
    h.add_optional(row.published);
    h.add_optional(row.modified);
    h.add_optional(row.duplicate_of);
    h.add_number(row.partial);
    for (std::string_view field : {std::string_view(row.url), std::string_view(row.title), std::string_view(row.authors),
                                   std::string_view(row.site_name), std::string_view(row.language),
                                   std::string_view(row.description), std::string_view(row.image),
                                   std::string_view(row.tags), std::string_view(row.blocks_json),
                                   std::string_view(row.text), std::string_view(row.verdict),
                                   std::string_view(row.source)})
      h.add(field);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string etag = format == FeedOutFormat::atom ? "\"a-" : "\"j-";
  for (int shift = 60; shift >= 0; shift -= 4) etag += kHex[(h.value() >> shift) & 0xF];
  etag += '"';
  return etag;
}

std::optional<std::string> feed_last_modified(const std::vector<archive::ArticleRow>& rows) {
  std::optional<UnixSeconds> newest;
  for (const archive::ArticleRow& row : rows) {
    const UnixSeconds t = std::max(row.archived_at, row.fetched_at);
    if (!newest || t > *newest) newest = t;
  }
  if (!newest) return std::nullopt;
  return base::format_http_date(std::clamp(*newest, kFirstInstant, kLastInstant));
}

}  // namespace winnow::api
