// Archive on PostgreSQL: the webhook outbox (archive.h, "Events"; the tables of schema.cc).
#include <algorithm>
#include <ctime>
#include <limits>
#include <set>
#include <sstream>

#include "daemon/archive/postgres/pg_archive.h"

namespace winnow::archive::postgres {
namespace {

// SQL: the endpoint `w` takes events of type `e.type`.
#define WINNOW_TAKES "strpos(' ' || w.types || ' ', ' ' || e.type || ' ') > 0"

// The newest seq ever given, 0 before any.
#define WINNOW_NEWEST_SEQ "(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM events_seq)"

}  // namespace

bool PgArchive::wants_event(EventType type) {
  return db_.run("SELECT 1 FROM webhook_endpoints WHERE strpos(' ' || types || ' ', ' ' || $1 || ' ') > 0 LIMIT 1",
                 Params(std::string(to_string(type))))
             .rows() > 0;
}

void PgArchive::record_event(EventType type, std::optional<std::int64_t> article_id,
                             std::optional<std::int64_t> feed_id) {
  db_.run(
      "INSERT INTO events (type, article_id, feed_id, at) SELECT $1, $2, $3, $4 WHERE EXISTS "
      "(SELECT 1 FROM webhook_endpoints WHERE strpos(' ' || types || ' ', ' ' || $1 || ' ') > 0)",
      Params(std::string(to_string(type)), article_id, feed_id, static_cast<std::int64_t>(std::time(nullptr))));
}

void PgArchive::set_webhook_endpoints(const std::vector<WebhookSubscription>& endpoints) {
  transaction([&] {
    std::set<std::string> configured;
    for (const auto& endpoint : endpoints) {
      configured.insert(endpoint.url);
      db_.run("INSERT INTO webhook_endpoints (url, types, delivered_seq) VALUES ($1, $2, " WINNOW_NEWEST_SEQ
              ") ON CONFLICT (url) DO UPDATE SET types = excluded.types",
              Params(endpoint.url, join_types(endpoint.types)));
    }
    auto r = db_.run("SELECT url FROM webhook_endpoints");
    for (int i = 0; i < r.rows(); ++i)
      if (!configured.contains(r.text(i, 0)))
        db_.run("DELETE FROM webhook_endpoints WHERE url = $1", Params(r.text(i, 0)));
    prune_webhook_events();
  });
}

std::vector<WebhookEndpointState> PgArchive::webhook_endpoints() {
  auto r = db_.run("SELECT url, types, delivered_seq, attempts, last_error FROM webhook_endpoints ORDER BY url");
  std::vector<WebhookEndpointState> states;
  for (int i = 0; i < r.rows(); ++i)
    states.push_back(WebhookEndpointState{r.text(i, 0), split_types(r.text(i, 1)), r.integer(i, 2),
                                          static_cast<int>(r.integer(i, 3)), r.text(i, 4)});
  return states;
}

std::vector<OutboxEvent> PgArchive::webhook_events_after(std::int64_t after_seq, const std::vector<EventType>& types,
                                                         std::size_t limit) {
  std::string padded = " ";  // ' ' || type || ' ' is found in it
  padded += join_types(types);
  padded += ' ';
  auto r = db_.run(
      "SELECT seq, type, article_id, feed_id, at FROM events WHERE seq > $1 "
      "AND strpos($2, ' ' || type || ' ') > 0 ORDER BY seq LIMIT $3",
      Params(after_seq, padded,
             static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()))));
  std::vector<OutboxEvent> events;
  for (int i = 0; i < r.rows(); ++i)
    if (auto type = event_type_from(r.text(i, 1)))  // only known names are written
      events.push_back(
          OutboxEvent{r.integer(i, 0), *type, r.optional_integer(i, 2), r.optional_integer(i, 3), r.integer(i, 4)});
  return events;
}

void PgArchive::webhook_delivered(const std::string& url, std::int64_t seq) {
  write("UPDATE webhook_endpoints SET delivered_seq = greatest(delivered_seq, $2), attempts = 0, last_error = '' "
        "WHERE url = $1",
        Params(url, seq));
}

void PgArchive::webhook_failed(const std::string& url, int attempts, const std::string& error) {
  write("UPDATE webhook_endpoints SET attempts = $2, last_error = $3 WHERE url = $1", Params(url, attempts, error));
}

std::int64_t PgArchive::prune_webhook_events() {
  std::int64_t deleted = 0;
  transaction([&] {
    // An endpoint with nothing left to take is done with everything so far.
    db_.run("UPDATE webhook_endpoints AS w SET delivered_seq = " WINNOW_NEWEST_SEQ
            " WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.seq > w.delivered_seq AND " WINNOW_TAKES ")");
    deleted = db_.run(
                     "DELETE FROM events WHERE seq <= coalesce((SELECT min(delivered_seq) FROM webhook_endpoints), "
                     "9223372036854775807)")
                  .affected();
  });
  return deleted;
}

std::int64_t PgArchive::webhook_backlog() {
  return db_.run("SELECT count(*) FROM webhook_endpoints w JOIN events e ON e.seq > w.delivered_seq WHERE " WINNOW_TAKES)
      .integer(0, 0);
}

}  // namespace winnow::archive::postgres
