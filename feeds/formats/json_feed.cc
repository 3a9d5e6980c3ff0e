#include "feeds/formats/json_feed.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

#include "base/ascii.h"
#include "base/time.h"
#include "base/url.h"
#include "base/utf8.h"
#include "feeds/errors.h"
#include "feeds/sanitize.h"
#include "feeds/text.h"

namespace winnow::feeds::formats {
namespace {

namespace json = boost::json;

std::string str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return {};
  if (const auto* s = v->if_string()) return base::valid_utf8(std::string_view(s->data(), s->size()));
  return {};
}

// JSON Feed ids are strings, but numbers turn up in the wild.
std::string id_of(const json::object& o) {
  const json::value* v = o.if_contains("id");
  if (v == nullptr) return {};
  if (const auto* s = v->if_string())
    return std::string(base::trim_ascii_space(base::valid_utf8(std::string_view(s->data(), s->size()))));
  if (const auto* i = v->if_int64()) return std::to_string(*i);
  if (const auto* u = v->if_uint64()) return std::to_string(*u);
  return {};
}

std::string authors_of(const json::object& o) {
  std::string out;
  auto add = [&out](const json::value& person) {
    if (const auto* p = person.if_object()) {
      std::string name = collapse_whitespace(str(*p, "name"));
      if (name.empty()) return;
      if (!out.empty()) out += ", ";
      out += name;
    }
  };
  if (const json::value* v = o.if_contains("authors"); v && v->is_array()) {  // 1.1
    for (const auto& person : v->get_array()) add(person);
  }
  if (out.empty()) {
    if (const json::value* v = o.if_contains("author")) add(*v);  // 1.0
  }
  return out;
}

std::optional<UnixSeconds> date(const json::object& o, std::string_view key) {
  std::string text = str(o, key);
  if (text.empty()) return std::nullopt;
  return base::parse_date(text);
}

Entry read_item(const json::object& item, const std::string& base_url, const std::string& feed_authors) {
  Entry entry;
  entry.id = id_of(item);
  entry.title = plain_text(str(item, "title"));
  entry.link = base::resolve_url(base_url, str(item, "url"));
  if (entry.link.empty()) entry.link = base::resolve_url(base_url, str(item, "external_url"));
  entry.summary = std::string(base::trim_ascii_space(str(item, "summary")));
  entry.content = sanitize_html(base::trim_ascii_space(str(item, "content_html")), base_url);
  if (entry.content.empty()) entry.content = std::string(base::trim_ascii_space(str(item, "content_text")));
  entry.published = date(item, "date_published");
  entry.updated = date(item, "date_modified");
  entry.author = authors_of(item);
  if (entry.author.empty()) entry.author = feed_authors;
  if (const json::value* tags = item.if_contains("tags"); tags && tags->is_array()) {
    for (const auto& tag : tags->get_array())
      if (const auto* s = tag.if_string()) entry.categories.push_back(collapse_whitespace(base::valid_utf8(*s)));
  }
  if (const json::value* attachments = item.if_contains("attachments"); attachments && attachments->is_array()) {
    for (const auto& a : attachments->get_array()) {
      const auto* obj = a.if_object();
      if (obj == nullptr) continue;
      Enclosure enclosure;
      enclosure.url = base::resolve_url(base_url, str(*obj, "url"));
      enclosure.type = std::string(base::trim_ascii_space(str(*obj, "mime_type")));
      if (const json::value* size = obj->if_contains("size_in_bytes")) {
        if (size->is_int64()) enclosure.length = std::max<std::int64_t>(0, size->get_int64());
        else if (size->is_uint64()) enclosure.length = static_cast<std::int64_t>(std::min<std::uint64_t>(size->get_uint64(), INT64_MAX));
        else if (size->is_double() && size->get_double() > 0 && size->get_double() < 9e18) enclosure.length = static_cast<std::int64_t>(size->get_double());
      }
      if (enclosure.url.empty() ||
          std::any_of(entry.enclosures.begin(), entry.enclosures.end(), [&](const Enclosure& e) { return e.url == enclosure.url; }))
        continue;
      entry.enclosures.push_back(std::move(enclosure));
    }
  }
  entry.thumbnail = base::resolve_url(base_url, str(item, "image"));
  if (entry.thumbnail.empty()) entry.thumbnail = base::resolve_url(base_url, str(item, "banner_image"));
  finish_entry(entry);
  return entry;
}

}  // namespace

boost::system::result<Feed> read_json_feed(std::string_view bytes, const ReadContext& ctx) {
  json::parse_options options;
  options.max_depth = 64;
  boost::system::error_code ec;
  json::value doc = json::parse(bytes, ec, {}, options);
  bool bad_utf8 = false;
  if (ec) {
    options.allow_invalid_utf8 = true;
    boost::system::error_code ec2;
    doc = json::parse(bytes, ec2, {}, options);
    if (ec2) return FeedErrc::malformed;
    bad_utf8 = true;
  }
  const json::object* root = doc.if_object();
  if (root == nullptr) return FeedErrc::not_a_feed;
  const std::string version = str(*root, "version");
  const json::value* items = root->if_contains("items");
  Feed feed;
  if (version.starts_with("https://jsonfeed.org/version/") || version.starts_with("http://jsonfeed.org/version/")) {
    feed.format = version.ends_with("/1") ? FeedFormat::json10 : FeedFormat::json11;
  } else if (items != nullptr && items->is_array()) {
    feed.format = FeedFormat::json11;
    feed.bozo = true;
    feed.bozo_reason = "JSON Feed without a version";
  } else {
    return FeedErrc::not_a_feed;
  }
  if (bad_utf8) {
    feed.bozo = true;
    feed.bozo_reason = "not valid UTF-8";
  }
  const std::string self = str(*root, "feed_url");
  const std::string base_url = !ctx.base_url.empty() ? ctx.base_url : self;
  feed.title = plain_text(str(*root, "title"));
  feed.link = base::resolve_url(base_url, str(*root, "home_page_url"));
  feed.self_url = base::resolve_url(base_url, self);
  feed.description = plain_text(str(*root, "description"));
  feed.language = std::string(base::trim_ascii_space(str(*root, "language")));
  feed.image.url = base::resolve_url(base_url, str(*root, "icon"));
  if (feed.image.url.empty()) feed.image.url = base::resolve_url(base_url, str(*root, "favicon"));
  const std::string feed_authors = authors_of(*root);
  if (items != nullptr && items->is_array()) {
    for (const auto& item : items->get_array())
      if (const auto* obj = item.if_object()) feed.entries.push_back(read_item(*obj, base_url, feed_authors));
  }
  return feed;
}

}  // namespace winnow::feeds::formats
