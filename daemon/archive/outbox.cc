#include "daemon/archive/outbox.h"

#include <ostream>

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

}  // namespace winnow::archive
