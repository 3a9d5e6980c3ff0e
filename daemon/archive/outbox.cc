#include "daemon/archive/outbox.h"

#include <ostream>
#include <sstream>

namespace winnow::archive {

std::string_view to_string(EventType type) {
  switch (type) {
    case EventType::article_archived: return "article.archived";
    case EventType::article_updated: return "article.updated";
    case EventType::feed_failing: return "feed.failing";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& out, EventType type) { return out << to_string(type); }

std::optional<EventType> event_type_from(std::string_view name) {
  for (EventType type : kEventTypes)
    if (to_string(type) == name) return type;
  return std::nullopt;
}

std::string join_types(const std::vector<EventType>& types) {
  std::string joined;
  for (EventType type : types) {
    if (!joined.empty()) joined += ' ';
    joined += to_string(type);
  }
  return joined;
}

std::vector<EventType> split_types(const std::string& joined) {
  std::vector<EventType> types;
  std::istringstream in(joined);
  std::string name;
  while (in >> name)
    if (auto type = event_type_from(name)) types.push_back(*type);
  return types;
}

}  // namespace winnow::archive
