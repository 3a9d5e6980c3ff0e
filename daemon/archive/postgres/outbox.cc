// Archive on PostgreSQL: the webhook outbox (archive.h, "Events"; the tables of schema.cc).
#include <algorithm>
#include <ctime>
#include <limits>
#include <set>
#include <sstream>

#include "daemon/archive/postgres/notices.h"
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
  if (!wants_event(type)) return;  // nothing to record: no lock taken
  const auto at = static_cast<std::int64_t>(std::time(nullptr));
  // Every caller runs in transaction(). Holding the lock already, this transaction waits for
  // nothing more by inserting now (with those kept, which keeps the seqs in the order
  // recorded); otherwise the lock waits for the commit: `winnow reextract` updating 200
  // articles in a transaction stalled every instance's stores for all its writes when the
  // first event took it.
  pending_events_.push_back({type, article_id, feed_id, at, depth_});
  if (ordered_ || depth_ == 0) flush_events();
}

void PgArchive::flush_events() {
  if (pending_events_.empty()) return;
  // One statement for them all (reextract's batch has up to 200), their seqs in the order
  // recorded; ids are never 0, so 0 stands for NULL in the arrays.
  std::vector<std::string> types;
  std::vector<std::int64_t> article_ids, feed_ids, ats;
  for (const PendingEvent& e : pending_events_) {
    types.emplace_back(to_string(e.type));
    article_ids.push_back(e.article_id.value_or(0));
    feed_ids.push_back(e.feed_id.value_or(0));
    ats.push_back(e.at);
  }
  pending_events_.clear();
  order_commits();  // before the seqs are taken
  auto r = db_.run(
      "INSERT INTO events (type, article_id, feed_id, at) "
      "SELECT e.type, NULLIF(e.article_id, 0), NULLIF(e.feed_id, 0), e.at "
      "FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[]) WITH ORDINALITY "
      "AS e(type, article_id, feed_id, at, n) "
      "WHERE EXISTS (SELECT 1 FROM webhook_endpoints w WHERE " WINNOW_TAKES ") ORDER BY e.n RETURNING seq",
      Params(array_literal(types), array_literal(article_ids), array_literal(feed_ids), array_literal(ats)));
  // One nudge is enough: a dispatcher reads every event after its cursor.
  if (r.rows() > 0)
    db_.run("SELECT pg_notify('" + std::string(kEventsChannel) + "', $1::text)", Params(r.integer(r.rows() - 1, 0)));
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
