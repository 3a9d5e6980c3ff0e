#pragma once
// The JSON form of a Feed that `winnow feed parse --json` prints and other tools read.
// Pure; any thread.
#include <boost/json/object.hpp>

#include <string>

#include "feeds/model.h"

namespace winnow::feeds {

enum class JsonDetail {
  // Exactly the fixed contract: feed {title, link, description, language, updated,
  // generator}, entries [{id, title, link, published, updated, author, summary, content,
  // categories, enclosures [{url, type, length}]}], bozo, and bozo_reason when bozo.
  contract,
  // The contract plus what the model holds beyond it: "format", feed "self_url", "image"
  // {url, title, link}, "ttl_minutes", "update_period", "update_frequency"; entry
  // "comments", "thumbnail". Used by the fixture tests.
  extended,
};

// Dates are UTC RFC 3339 ("2004-01-01T19:48:21Z") or "" when absent; absent text is "".
boost::json::object to_json(const Feed& feed, JsonDetail detail = JsonDetail::contract);

}  // namespace winnow::feeds
