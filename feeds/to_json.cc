#include "feeds/to_json.h"

#include <boost/json/array.hpp>

#include "base/time.h"

namespace winnow::feeds {
namespace {

namespace json = boost::json;

json::string date(const std::optional<UnixSeconds>& t) {
  return t ? json::string(base::format_rfc3339(*t)) : json::string();
}

json::object entry_json(const Entry& e, JsonDetail detail) {
  json::object o;
  o["id"] = e.id;
  o["title"] = e.title;
  o["link"] = e.link;
  o["published"] = date(e.published);
  o["updated"] = date(e.updated);
  o["author"] = e.author;
  o["summary"] = e.summary;
  o["content"] = e.content;
  json::array categories;
  for (const auto& c : e.categories) categories.emplace_back(c);
  o["categories"] = std::move(categories);
  json::array enclosures;
  for (const auto& enc : e.enclosures)
    enclosures.emplace_back(json::object{{"url", enc.url}, {"type", enc.type}, {"length", enc.length}});
  o["enclosures"] = std::move(enclosures);
  if (detail == JsonDetail::extended) {
    o["comments"] = e.comments;
    o["thumbnail"] = e.thumbnail;
  }
  return o;
}

}  // namespace

json::object to_json(const Feed& feed, JsonDetail detail) {
  json::object f;
  f["title"] = feed.title;
  f["link"] = feed.link;
  f["description"] = feed.description;
  f["language"] = feed.language;
  f["updated"] = date(feed.updated);
  f["generator"] = feed.generator;
  if (detail == JsonDetail::extended) {
    f["self_url"] = feed.self_url;
    f["image"] = json::object{{"url", feed.image.url}, {"title", feed.image.title}, {"link", feed.image.link}};
    f["ttl_minutes"] = feed.ttl_minutes ? json::value(*feed.ttl_minutes) : json::value(nullptr);
    f["update_period"] = feed.update_period;
    f["update_frequency"] = feed.update_frequency;
  }
  json::array entries;
  entries.reserve(feed.entries.size());
  for (const auto& e : feed.entries) entries.emplace_back(entry_json(e, detail));
  json::object out;
  if (detail == JsonDetail::extended) out["format"] = to_string(feed.format);
  out["feed"] = std::move(f);
  out["entries"] = std::move(entries);
  out["bozo"] = feed.bozo;
  if (feed.bozo) out["bozo_reason"] = feed.bozo_reason;
  return out;
}

}  // namespace winnow::feeds
