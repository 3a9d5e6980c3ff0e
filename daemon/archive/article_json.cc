#include "daemon/archive/article_json.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <stdexcept>

#include "base/time.h"
#include "daemon/archive/outbox.h"

namespace winnow::archive {
namespace {

boost::json::value optional_time(const std::optional<UnixSeconds>& t) {
  if (!t) return nullptr;
  return boost::json::value(base::format_rfc3339(*t));
}

boost::json::value time_or_null(UnixSeconds t) {
  if (t <= 0) return nullptr;
  return boost::json::value(base::format_rfc3339(t));
}

boost::json::value optional_id(const std::optional<std::int64_t>& id) {
  if (!id) return nullptr;
  return boost::json::value(*id);
}

}  // namespace

boost::json::object feed_json(const FeedRow& row) {
  boost::json::object o;
  o["id"] = row.id;
  o["url"] = row.url;
  o["title"] = row.title;
  o["site_url"] = row.site_url;
  o["category"] = row.category;
  o["enabled"] = row.enabled;
  o["last_polled"] = time_or_null(row.last_polled);
  o["next_poll"] = time_or_null(row.next_poll);
  o["interval_s"] = row.interval_s;
  o["consecutive_failures"] = row.consecutive_failures;
  o["last_error"] = row.last_error.empty() ? boost::json::value(nullptr) : boost::json::value(row.last_error);
  o["broken"] = row.consecutive_failures == 0 && std::string_view(row.last_error).starts_with(kBrokenFeedPrefix);
  o["failing"] = row.consecutive_failures >= kFeedFailingThreshold;
  return o;
}

boost::json::object article_json(const ArticleRow& row) {
  boost::json::value blocks = boost::json::array();
  if (!row.blocks_json.empty()) {
    boost::system::error_code error;
    blocks = boost::json::parse(row.blocks_json, error);
    if (error)
      throw std::runtime_error("article " + std::to_string(row.id) + " has invalid blocks_json: " + error.message());
  }
  boost::json::object object;
  object["id"] = row.id;
  object["feed_id"] = optional_id(row.feed_id);
  object["url"] = row.url;
  object["canonical_url"] = row.canonical_url;
  object["title"] = row.title;
  object["authors"] = row.authors;
  object["published"] = optional_time(row.published);
  object["modified"] = optional_time(row.modified);
  object["site_name"] = row.site_name;
  object["language"] = row.language;
  object["tags"] = row.tags;
  object["description"] = row.description;
  object["image"] = row.image;
  object["text"] = row.text;
  object["blocks"] = std::move(blocks);
  object["source"] = row.source;
  object["verdict"] = row.verdict;
  object["partial"] = row.partial;
  object["duplicate_of"] = optional_id(row.duplicate_of);
  object["fetched_at"] = base::format_rfc3339(row.fetched_at);
  return object;
}

std::string json_line(const boost::json::value& value) {
  const std::string json = boost::json::serialize(value);
  // These bytes occur only inside strings (JSON's own syntax is ASCII), so escaping them
  // there keeps the document valid and its values equal.
  std::string out;
  out.reserve(json.size());
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < json.size(); ++i) {
    const auto c = static_cast<unsigned char>(json[i]);
    unsigned code = 0x100;  // none
    if (c == 0x7f) code = 0x7f;
    else if (c == 0xC2 && i + 1 < json.size() && static_cast<unsigned char>(json[i + 1]) <= 0x9F)
      code = static_cast<unsigned char>(json[++i]);
    if (code == 0x100) {
      out += json[i];
      continue;
    }
    out += "\\u00";
    out += kHex[code >> 4];
    out += kHex[code & 0xF];
  }
  return out;
}

}  // namespace winnow::archive
