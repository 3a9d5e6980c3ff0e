// Archive on SQLite: leases (archive.h, "Leases"; docs/scale-out.md). SQLite has one writer
// at a time, so each method's transaction sees no other claim under way; the comments give
// the statement each one stands for on PostgreSQL, where SELECT ... FOR UPDATE SKIP LOCKED
// lets concurrent claims pass each other without waiting or claiming a feed twice.
#include <algorithm>
#include <cstdint>
#include <set>
#include <utility>

#include "daemon/archive/sqlite/rows.h"
#include "daemon/archive/sqlite/sqlite_archive.h"
#include "parsers/url/normalize.h"

namespace winnow::archive::sqlite {
namespace {

std::int64_t to_int64(std::size_t n) { return static_cast<std::int64_t>(std::min<std::size_t>(n, INT64_MAX)); }

}  // namespace

// PostgreSQL, in one transaction (READ COMMITTED):
//   -- 1. the candidates, locked; rows another claim holds locked are skipped, not waited for
//   SELECT <feed columns>, host FROM feeds f
//    WHERE enabled AND next_poll <= $now AND (lease_owner IS NULL OR lease_until < $now)
//      AND NOT EXISTS (SELECT 1 FROM host_leases h
//                       WHERE h.host = f.host AND h.owner <> $owner AND h.until >= $now)
//    ORDER BY next_poll LIMIT $limit FOR UPDATE OF f SKIP LOCKED;
//   -- 2. each distinct non-empty host among them; no row back: another owner won it
//   INSERT INTO host_leases (host, owner, until) VALUES ($host, $owner, $until)
//   ON CONFLICT (host) DO UPDATE SET owner = excluded.owner,
//      until = CASE WHEN host_leases.owner = excluded.owner
//                   THEN greatest(host_leases.until, excluded.until) ELSE excluded.until END
//    WHERE host_leases.owner = excluded.owner OR host_leases.until < $now
//   RETURNING host;
//   -- 3. the candidates whose host was won (or that have none)
//   UPDATE feeds SET lease_owner = $owner, lease_until = $until WHERE id = ANY($ids);
// Step 2 waits on a host row another claim is inserting, then re-checks its WHERE against
// the committed row, so two claims never both win one host.
std::vector<FeedRow> SqliteArchive::claim_due_feeds(const std::string& owner, UnixSeconds now, UnixSeconds until,
                                                    std::size_t limit) {
  std::vector<FeedRow> claimed;
  transaction([&] {
    static const std::string sql =
        std::string("SELECT ") + kFeedColumns +
        ", host FROM feeds f WHERE enabled AND next_poll <= ?1 AND (lease_owner IS NULL OR lease_until < ?1) "
        "AND NOT EXISTS (SELECT 1 FROM host_leases h WHERE h.host = f.host AND h.owner <> ?2 AND h.until >= ?1) "
        "ORDER BY next_poll LIMIT ?3";
    std::vector<std::pair<FeedRow, std::string>> candidates;
    {
      auto q = query(sql);
      q.bind(now, owner, to_int64(limit));
      while (q.step()) candidates.emplace_back(read_feed(q), q.text(14));
    }
    std::set<std::string> won, lost;
    for (const auto& [row, host] : candidates) {
      if (host.empty() || won.contains(host) || lost.contains(host)) continue;
      (claim_host(owner, host, now, until) ? won : lost).insert(host);
    }
    for (auto& [row, host] : candidates) {
      if (lost.contains(host)) continue;
      query("UPDATE feeds SET lease_owner = ?2, lease_until = ?3 WHERE id = ?1").bind(row.id, owner, until).run();
      claimed.push_back(std::move(row));
    }
  });
  return claimed;
}

// PostgreSQL: SELECT lease_owner, consecutive_failures FROM feeds WHERE id = $id FOR UPDATE;
// then, when the owner is $owner, the UPDATE below (and the outbox event).
PollSaved SqliteArchive::finish_feed_poll(const std::string& owner, const FeedRow& row) {
  PollSaved saved = PollSaved::saved;
  transaction([&] {
    {
      auto q = query("SELECT lease_owner FROM feeds WHERE id = ?1");
      q.bind(row.id);
      if (!q.step()) {
        saved = PollSaved::gone;
        return;
      }
      if (q.text(0) != owner) {  // NULL reads as "", never an owner
        saved = PollSaved::lease_lost;
        return;
      }
    }
    const bool crosses = crosses_failing(row.id, row.consecutive_failures);
    query(
        "UPDATE feeds SET url = ?2, title = ?3, site_url = ?4, etag = ?5, last_modified = ?6, next_poll = ?7, "
        "interval_s = ?8, last_polled = ?9, last_new_entry = ?10, consecutive_failures = ?11, last_error = ?12, "
        "host = ?13, lease_owner = NULL, lease_until = 0 WHERE id = ?1 AND lease_owner = ?14")
        .bind(row.id, row.url, row.title, row.site_url, row.etag, row.last_modified, row.next_poll, row.interval_s,
              row.last_polled, row.last_new_entry, row.consecutive_failures, row.last_error,
              parsers::url_host(row.url), owner)
        .run();
    if (crosses) record_event(EventType::feed_failing, std::nullopt, row.id);
  });
  return saved;
}

// PostgreSQL: UPDATE feeds SET lease_until = $until
//              WHERE id = ANY($ids) AND lease_owner = $owner RETURNING id;
std::vector<std::int64_t> SqliteArchive::renew_feed_leases(const std::string& owner,
                                                           const std::vector<std::int64_t>& feed_ids,
                                                           UnixSeconds until) {
  std::vector<std::int64_t> held;
  transaction([&] {
    for (std::int64_t id : feed_ids) {
      query("UPDATE feeds SET lease_until = ?3 WHERE id = ?1 AND lease_owner = ?2").bind(id, owner, until).run();
      if (changes(db_.get()) == 1) held.push_back(id);
    }
  });
  return held;
}

// PostgreSQL: the same SELECT (without FOR UPDATE, LIMIT 1).
std::optional<UnixSeconds> SqliteArchive::next_feed_due(const std::string& owner, UnixSeconds now) {
  auto q = query(
      "SELECT next_poll FROM feeds f WHERE enabled AND (lease_owner IS NULL OR lease_until < ?1) "
      "AND NOT EXISTS (SELECT 1 FROM host_leases h WHERE h.host = f.host AND h.owner <> ?2 AND h.until >= ?1) "
      "ORDER BY next_poll LIMIT 1");
  q.bind(now, owner);
  if (!q.step()) return std::nullopt;
  return q.integer(0);
}

// PostgreSQL: the same SELECT.
std::optional<UnixSeconds> SqliteArchive::next_lease_end(const std::string& owner, UnixSeconds now) {
  auto q = query(
      "SELECT min(t) FROM (SELECT min(lease_until) AS t FROM feeds WHERE lease_owner IS NOT NULL "
      "AND lease_owner <> ?2 AND lease_until >= ?1 UNION ALL "
      "SELECT min(until) FROM host_leases WHERE owner <> ?2 AND until >= ?1)");
  q.bind(now, owner);
  if (!q.step()) return std::nullopt;
  const auto until = q.optional_integer(0);
  if (!until) return std::nullopt;
  return *until + 1;
}

// PostgreSQL: step 2 of claim_due_feeds; true when a row comes back.
bool SqliteArchive::claim_host(const std::string& owner, const std::string& host, UnixSeconds now,
                               UnixSeconds until) {
  // In an upsert's SET every column names the row as it was, so the CASE reads the old owner.
  query(
      "INSERT INTO host_leases (host, owner, until) VALUES (?1, ?2, ?4) ON CONFLICT (host) DO UPDATE SET "
      "owner = excluded.owner, until = CASE WHEN host_leases.owner = excluded.owner "
      "THEN max(host_leases.until, excluded.until) ELSE excluded.until END "
      "WHERE host_leases.owner = excluded.owner OR host_leases.until < ?3")
      .bind(host, owner, now, until)
      .run();
  return changes(db_.get()) == 1;
}

// PostgreSQL: UPDATE host_leases SET until = greatest(until, $until)
//              WHERE host = ANY($hosts) AND owner = $owner RETURNING host;
std::vector<std::string> SqliteArchive::renew_host_leases(const std::string& owner,
                                                          const std::vector<std::string>& hosts, UnixSeconds until) {
  std::vector<std::string> held;
  transaction([&] {
    for (const auto& host : hosts) {
      query("UPDATE host_leases SET until = max(until, ?3) WHERE host = ?1 AND owner = ?2").bind(host, owner, until).run();
      if (changes(db_.get()) == 1) held.push_back(host);
    }
  });
  return held;
}

// PostgreSQL: DELETE FROM host_leases WHERE host = ANY($hosts) AND owner = $owner;
void SqliteArchive::release_hosts(const std::string& owner, const std::vector<std::string>& hosts) {
  transaction([&] {
    for (const auto& host : hosts) query("DELETE FROM host_leases WHERE host = ?1 AND owner = ?2").bind(host, owner).run();
  });
}

// PostgreSQL: the same two statements.
void SqliteArchive::release_leases(const std::string& owner) {
  transaction([&] {
    query("UPDATE feeds SET lease_owner = NULL, lease_until = 0 WHERE lease_owner = ?1").bind(owner).run();
    query("DELETE FROM host_leases WHERE owner = ?1").bind(owner).run();
  });
}

void SqliteArchive::clear_leases() {
  transaction([&] {
    query("UPDATE feeds SET lease_owner = NULL, lease_until = 0 WHERE lease_owner IS NOT NULL").run();
    query("DELETE FROM host_leases").run();
  });
}

// PostgreSQL:
//   UPDATE articles SET retry_at = $until WHERE id IN (SELECT id FROM articles
//     WHERE retry_at IS NOT NULL AND retry_at <= $now ORDER BY retry_at LIMIT $limit
//     FOR UPDATE SKIP LOCKED) RETURNING <article columns>;
std::vector<ArticleRow> SqliteArchive::claim_articles_due_for_retry(UnixSeconds now, UnixSeconds until,
                                                                   std::size_t limit) {
  std::vector<ArticleRow> rows;
  transaction([&] {
    rows = articles_due_for_retry(now, limit);
    for (const auto& row : rows) query("UPDATE articles SET retry_at = ?2 WHERE id = ?1").bind(row.id, until).run();
  });
  return rows;
}

// PostgreSQL: as for articles, on entries (WHERE ... AND article_id IS NULL), keyed by
// (feed_id, entry_key).
std::vector<EntryRetry> SqliteArchive::claim_entries_due_for_retry(UnixSeconds now, UnixSeconds until,
                                                                  std::size_t limit) {
  std::vector<EntryRetry> entries;
  transaction([&] {
    entries = entries_due_for_retry(now, limit);
    for (const auto& e : entries)
      query("UPDATE entries SET retry_at = ?3 WHERE feed_id = ?1 AND entry_key = ?2")
          .bind(e.feed_id, e.entry_key, until)
          .run();
  });
  return entries;
}

// PostgreSQL: the same UPDATE, with floor(random() * least(...))::bigint for the offset and
// `FOR UPDATE SKIP LOCKED` in a sub-select of the ids, so as not to wait on claims under way.
std::int64_t SqliteArchive::spread_overdue_feeds(UnixSeconds now, std::int64_t max_spread_s,
                                                 std::int64_t default_interval_s) {
  query(
      "UPDATE feeds SET next_poll = ?1 + abs(random() % max(1, min(CASE WHEN interval_s > 0 THEN interval_s "
      "ELSE ?3 END, ?2))) WHERE enabled AND last_polled > 0 AND next_poll < ?1 "
      "AND (lease_owner IS NULL OR lease_until < ?1)")
      .bind(now, max_spread_s, default_interval_s)
      .run();
  return changes(db_.get());
}

}  // namespace winnow::archive::sqlite
