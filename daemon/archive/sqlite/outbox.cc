// Archive on SQLite: the webhook outbox (archive.h, "Events"; the tables of migration 6).
#include <algorithm>
#include <ctime>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

#include "daemon/archive/sqlite/sqlite_archive.h"

namespace winnow::archive::sqlite {
namespace {

// SQL: the endpoint `w` takes events of type `e.type`.
constexpr const char* kTakes = "instr(' ' || w.types || ' ', ' ' || e.type || ' ') > 0";

// The newest seq ever given (AUTOINCREMENT keeps it in sqlite_sequence), 0 before any.
constexpr const char* kNewestSeq = "coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)";

}  // namespace

bool SqliteArchive::wants_event(EventType type) {
  auto q = query("SELECT 1 FROM webhook_endpoints WHERE instr(' ' || types || ' ', ' ' || ?1 || ' ') > 0 LIMIT 1");
  q.bind(to_string(type));
  return q.step();
}

void SqliteArchive::record_event(EventType type, std::optional<std::int64_t> article_id,
                                 std::optional<std::int64_t> feed_id) {
  query(
      "INSERT INTO events (type, article_id, feed_id, at) SELECT ?1, ?2, ?3, ?4 WHERE EXISTS "
      "(SELECT 1 FROM webhook_endpoints WHERE instr(' ' || types || ' ', ' ' || ?1 || ' ') > 0)")
      .bind(to_string(type), article_id, feed_id, static_cast<std::int64_t>(std::time(nullptr)))
      .run();
}

void SqliteArchive::set_webhook_endpoints(const std::vector<WebhookSubscription>& endpoints) {
  transaction([&] {
    std::set<std::string> configured;
    for (const auto& endpoint : endpoints) {
      configured.insert(endpoint.url);
      static const std::string upsert =
          std::string("INSERT INTO webhook_endpoints (url, types, delivered_seq) VALUES (?1, ?2, ") + kNewestSeq +
          ") ON CONFLICT (url) DO UPDATE SET types = excluded.types";
      query(upsert).bind(endpoint.url, join_types(endpoint.types)).run();
    }
    std::vector<std::string> dropped;
    {
      auto q = query("SELECT url FROM webhook_endpoints");
      while (q.step())
        if (!configured.contains(q.text(0))) dropped.push_back(q.text(0));
    }
    for (const auto& url : dropped) query("DELETE FROM webhook_endpoints WHERE url = ?1").bind(url).run();
    prune_webhook_events();
  });
}

std::vector<WebhookEndpointState> SqliteArchive::webhook_endpoints() {
  auto q = query("SELECT url, types, delivered_seq, attempts, last_error FROM webhook_endpoints ORDER BY url");
  std::vector<WebhookEndpointState> states;
  while (q.step())
    states.push_back(WebhookEndpointState{q.text(0), split_types(q.text(1)), q.integer(2),
                                          static_cast<int>(q.integer(3)), q.text(4)});
  return states;
}

std::vector<OutboxEvent> SqliteArchive::webhook_events_after(std::int64_t after_seq,
                                                             const std::vector<EventType>& types, std::size_t limit) {
  // A range scan of events by primary key, skipping other types.
  auto q = query(
      "SELECT seq, type, article_id, feed_id, at FROM events WHERE seq > ?1 "
      "AND instr(?2, ' ' || type || ' ') > 0 ORDER BY seq LIMIT ?3");
  std::string padded = " ";  // ' ' || type || ' ' is found in it
  padded += join_types(types);
  padded += ' ';
  q.bind(after_seq, padded,
         static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max())));
  std::vector<OutboxEvent> events;
  while (q.step())
    if (auto type = event_type_from(q.text(1)))  // only known names are written
      events.push_back(OutboxEvent{q.integer(0), *type, q.optional_integer(2), q.optional_integer(3), q.integer(4)});
  return events;
}

void SqliteArchive::webhook_delivered(const std::string& url, std::int64_t seq) {
  query(
      "UPDATE webhook_endpoints SET delivered_seq = max(delivered_seq, ?2), attempts = 0, last_error = '' "
      "WHERE url = ?1")
      .bind(url, seq)
      .run();
}

void SqliteArchive::webhook_failed(const std::string& url, int attempts, const std::string& error) {
  query("UPDATE webhook_endpoints SET attempts = ?2, last_error = ?3 WHERE url = ?1").bind(url, attempts, error).run();
}

std::int64_t SqliteArchive::prune_webhook_events() {
  std::int64_t deleted = 0;
  transaction([&] {
    // An endpoint with nothing left to take is done with everything so far; without this a
    // cursor would stay behind events of types it does not take, and keep them.
    static const std::string catch_up =
        std::string("UPDATE webhook_endpoints AS w SET delivered_seq = ") + kNewestSeq +
        " WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.seq > w.delivered_seq AND " + kTakes + ")";
    query(catch_up).run();
    query(
        "DELETE FROM events WHERE seq <= coalesce((SELECT min(delivered_seq) FROM webhook_endpoints), "
        "9223372036854775807)")
        .run();
    deleted = changes(db_.get());
  });
  return deleted;
}

std::int64_t SqliteArchive::webhook_backlog() {
  static const std::string sql =
      std::string("SELECT count(*) FROM webhook_endpoints w JOIN events e ON e.seq > w.delivered_seq WHERE ") + kTakes;
  auto q = query(sql);
  q.step();
  return q.integer(0);
}

}  // namespace winnow::archive::sqlite
