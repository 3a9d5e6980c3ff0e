#pragma once
// The webhook outbox's rows (archive.h, "Events: the webhook outbox").
//
// A change the webhooks announce writes an event row in the same transaction as the change
// itself, so that an event exists exactly when its change was committed; the dispatcher
// (daemon/webhooks/dispatcher.h) later reads the events and posts them. Each endpoint has a
// cursor: every event up to it is done for that endpoint (delivered, or of a type it does
// not take). Events are kept only while some endpoint's cursor is behind them, and recorded
// only when some endpoint takes their type: with no webhook configured nothing is written.
// Pure data; any thread.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"

namespace winnow::archive {

enum class EventType { article_archived, article_updated, feed_failing };

// "article.archived", "article.updated", "feed.failing": the names in the database, the
// configuration and the payload.
std::string_view to_string(EventType type);
std::ostream& operator<<(std::ostream& out, EventType type);
// The type of that name, or nullopt.
std::optional<EventType> event_type_from(std::string_view name);
// A list of types as stored in webhook_endpoints.types: the names, space-separated; names
// this winnow does not know are skipped when read back.
std::string join_types(const std::vector<EventType>& types);
std::vector<EventType> split_types(const std::string& joined);
inline constexpr EventType kEventTypes[] = {EventType::article_archived, EventType::article_updated,
                                            EventType::feed_failing};

// update_feed records feed.failing when a feed's consecutive_failures goes from below this
// to this or more: once per failing streak. 3: with the backoff of ingest/schedule.h that is
// a feed failing for a few hours at least, not one timeout.
inline constexpr int kFeedFailingThreshold = 3;

struct OutboxEvent {
  std::int64_t seq = 0;  // increasing in commit order, never reused: the delivery id
  EventType type = EventType::article_archived;
  std::optional<std::int64_t> article_id;  // article.*
  std::optional<std::int64_t> feed_id;     // feed.failing
  base::UnixSeconds at = 0;                // when the change was committed
};

// An endpoint as configured: its URL (its identity in the archive) and the types it takes.
struct WebhookSubscription {
  std::string url;
  std::vector<EventType> types;
};

// An endpoint as the archive keeps it.
struct WebhookEndpointState {
  std::string url;
  std::vector<EventType> types;
  std::int64_t delivered_seq = 0;  // the cursor: every event up to it is done
  int attempts = 0;                // failed attempts at the event after the cursor
  std::string last_error;          // of the last failed attempt; empty after a success
};

}  // namespace winnow::archive
