// Archive on PostgreSQL: leases (archive.h, "Leases"; docs/scale-out.md). The statements
// sqlite/leases.cc gives as its PostgreSQL counterparts: SELECT ... FOR UPDATE SKIP LOCKED
// lets concurrent claims pass each other without waiting or claiming a feed twice.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <utility>

#include "daemon/archive/postgres/pg_archive.h"
#include "daemon/archive/postgres/rows.h"
#include "parsers/url/normalize.h"

namespace winnow::archive::postgres {
namespace {

}  // namespace

std::vector<FeedRow> PgArchive::claim_due_feeds(const std::string& owner, UnixSeconds now, UnixSeconds until,
                                                std::size_t limit) {
  std::vector<FeedRow> claimed;
  transaction([&] {
    // 1. The candidates, locked; rows another claim holds locked are skipped, not waited for.
    static const std::string sql =
        std::string("SELECT ") + kFeedColumns +
        ", host FROM feeds f WHERE enabled AND next_poll <= $1 AND (lease_owner IS NULL OR lease_until < $1) "
        "AND NOT EXISTS (SELECT 1 FROM host_leases h WHERE h.host = f.host AND h.owner <> $2 AND h.until >= $1) "
        "ORDER BY next_poll LIMIT $3 FOR UPDATE OF f SKIP LOCKED";
    auto r = db_.run(sql, Params(now, owner, to_int64(limit)));
    std::vector<std::pair<FeedRow, std::string>> candidates;
    for (int i = 0; i < r.rows(); ++i) candidates.emplace_back(read_feed(r, i), r.text(i, 14));
    // 2. Each distinct host among them; another owner may win one meanwhile.
    std::set<std::string> won, lost;
    for (const auto& [row, host] : candidates) {
      if (host.empty() || won.contains(host) || lost.contains(host)) continue;
      (claim_host(owner, host, now, until) ? won : lost).insert(host);
    }
    // 3. The candidates whose host was won (or that have none), in one statement: a
    // statement per feed made a claim of 512 cost 512 round trips (lease_bench, 100,000
    // feeds: claim mean 69 ms before).
    std::vector<std::int64_t> ids;
    for (auto& [row, host] : candidates) {
      if (lost.contains(host)) continue;
      ids.push_back(row.id);
      claimed.push_back(std::move(row));
    }
    if (!ids.empty())
      db_.run("UPDATE feeds SET lease_owner = $2, lease_until = $3 WHERE id = ANY($1::bigint[])",
              Params(array_literal(ids), owner, until));
  });
  return claimed;
}

PollSaved PgArchive::finish_feed_poll(const std::string& owner, const FeedRow& row) {
  PollSaved saved = PollSaved::saved;
  transaction([&] {
    auto r = db_.run("SELECT coalesce(lease_owner, '') FROM feeds WHERE id = $1 FOR UPDATE", Params(row.id));
    if (r.rows() == 0) {
      saved = PollSaved::gone;
      return;
    }
    if (r.text(0, 0) != owner) {  // NULL reads as "", never an owner
      saved = PollSaved::lease_lost;
      return;
    }
    const bool crosses = crosses_failing(row.id, row.consecutive_failures);
    db_.run(
        "UPDATE feeds SET url = $2, title = $3, site_url = $4, etag = $5, last_modified = $6, next_poll = $7, "
        "interval_s = $8, last_polled = $9, last_new_entry = $10, consecutive_failures = $11, last_error = $12, "
        "host = $13, lease_owner = NULL, lease_until = 0 WHERE id = $1 AND lease_owner = $14",
        Params(row.id, row.url, row.title, row.site_url, row.etag, row.last_modified, row.next_poll, row.interval_s,
               row.last_polled, row.last_new_entry, row.consecutive_failures, row.last_error, parsers::url_host(row.url),
               owner));
    if (crosses) record_event(EventType::feed_failing, std::nullopt, row.id);
  });
  return saved;
}

std::vector<std::int64_t> PgArchive::renew_feed_leases(const std::string& owner,
                                                       const std::vector<std::int64_t>& feed_ids, UnixSeconds until) {
  std::vector<std::int64_t> held;
  if (feed_ids.empty()) return held;
  // Idempotent: it sets lease_until to a given time on rows `owner` holds, and returns those
  // rows. Had a first run committed, `owner` still holds them (no one takes a lease before it
  // ends), and the second sets the same time again; had it not, the second is the first.
  auto r = write_idempotent(
      "UPDATE feeds SET lease_until = $3 WHERE id = ANY($1::bigint[]) AND lease_owner = $2 RETURNING id",
      Params(array_literal(feed_ids), owner, until));
  for (int i = 0; i < r.rows(); ++i) held.push_back(r.integer(i, 0));
  std::sort(held.begin(), held.end());
  return held;
}

std::optional<UnixSeconds> PgArchive::next_feed_due(const std::string& owner, UnixSeconds now) {
  auto r = db_.run(
      "SELECT next_poll FROM feeds f WHERE enabled AND (lease_owner IS NULL OR lease_until < $1) "
      "AND NOT EXISTS (SELECT 1 FROM host_leases h WHERE h.host = f.host AND h.owner <> $2 AND h.until >= $1) "
      "ORDER BY next_poll LIMIT 1",
      Params(now, owner));
  if (r.rows() == 0) return std::nullopt;
  return r.integer(0, 0);
}

std::optional<UnixSeconds> PgArchive::next_lease_end(const std::string& owner, UnixSeconds now) {
  // Leased feeds are the few being polled (the partial index feeds_lease_owner); host_leases
  // holds a row per host in use.
  auto r = db_.run(
      "SELECT min(t) FROM (SELECT min(lease_until) AS t FROM feeds WHERE lease_owner IS NOT NULL "
      "AND lease_owner <> $2 AND lease_until >= $1 UNION ALL "
      "SELECT min(until) FROM host_leases WHERE owner <> $2 AND until >= $1) leases",
      Params(now, owner));
  if (r.rows() == 0 || r.is_null(0, 0)) return std::nullopt;
  return r.integer(0, 0) + 1;
}

bool PgArchive::claim_host(const std::string& owner, const std::string& host, UnixSeconds now, UnixSeconds until) {
  // Waits on a host row another claim is inserting, then re-checks the WHERE against the
  // committed row, so two claims never both win one host.
  auto r = write(
      "INSERT INTO host_leases AS h (host, owner, until) VALUES ($1, $2, $4) ON CONFLICT (host) DO UPDATE SET "
      "owner = excluded.owner, until = CASE WHEN h.owner = excluded.owner "
      "THEN greatest(h.until, excluded.until) ELSE excluded.until END "
      "WHERE h.owner = excluded.owner OR h.until < $3 RETURNING host",
      Params(host, owner, now, until));
  return r.rows() == 1;
}

std::vector<std::string> PgArchive::renew_host_leases(const std::string& owner, const std::vector<std::string>& hosts,
                                                      UnixSeconds until) {
  std::vector<std::string> held;
  if (hosts.empty()) return held;
  // Idempotent as renew_feed_leases; greatest() never shortens a lease either way.
  auto r = write_idempotent(
      "UPDATE host_leases SET until = greatest(until, $3) WHERE host = ANY($1::text[]) AND owner = $2 RETURNING host",
      Params(array_literal(hosts), owner, until));
  std::set<std::string> renewed;
  for (int i = 0; i < r.rows(); ++i) renewed.insert(r.text(i, 0));
  for (const auto& host : hosts)  // in the caller's order, as on SQLite
    if (renewed.contains(host) && std::find(held.begin(), held.end(), host) == held.end()) held.push_back(host);
  return held;
}

void PgArchive::release_hosts(const std::string& owner, const std::vector<std::string>& hosts) {
  if (hosts.empty()) return;
  // Idempotent: deleting rows of `owner` that are gone already deletes nothing.
  write_idempotent("DELETE FROM host_leases WHERE host = ANY($1::text[]) AND owner = $2",
                   Params(array_literal(hosts), owner));
}

void PgArchive::release_leases(const std::string& owner) {
  // Idempotent, both statements: once `owner`'s leases are gone there is nothing of theirs to
  // clear again, and no one else's is touched. So a release whose connection broke or timed
  // out (at its COMMIT, perhaps after the server committed) runs once more, on a new
  // connection: the other daemons get the feeds at once instead of after the lease.
  idempotent([&] {
    transaction([&] {
      db_.run("UPDATE feeds SET lease_owner = NULL, lease_until = 0 WHERE lease_owner = $1", Params(owner));
      db_.run("DELETE FROM host_leases WHERE owner = $1", Params(owner));
    });
  });
}

void PgArchive::clear_leases() {
  transaction([&] {
    db_.run("UPDATE feeds SET lease_owner = NULL, lease_until = 0 WHERE lease_owner IS NOT NULL");
    db_.run("DELETE FROM host_leases");
  });
}

std::vector<ArticleRow> PgArchive::claim_articles_due_for_retry(UnixSeconds now, UnixSeconds until,
                                                               std::size_t limit) {
  // RETURNING gives the rows as updated: retry_at is `until` there, so the due time is
  // taken from the locked sub-select and put back into the rows returned.
  static const std::string sql =
      std::string("WITH due AS (SELECT id, retry_at FROM articles WHERE retry_at IS NOT NULL AND retry_at <= $1 "
                  "ORDER BY retry_at LIMIT $3 FOR UPDATE SKIP LOCKED) "
                  "UPDATE articles a SET retry_at = $2 FROM due WHERE a.id = due.id RETURNING due.retry_at, ") +
      [] {
        std::string columns;
        std::string list = kArticleColumns;
        std::size_t start = 0;
        while (start < list.size()) {
          auto end = list.find(',', start);
          if (end == std::string::npos) end = list.size();
          while (list[start] == ' ') ++start;
          columns += (columns.empty() ? "a." : ", a.") + list.substr(start, end - start);
          start = end + 1;
        }
        return columns;
      }();
  std::vector<ArticleRow> rows;
  auto r = write(sql, Params(now, until, to_int64(limit)));
  for (int i = 0; i < r.rows(); ++i) {
    ArticleRow row = read_article(r, i, 1);
    row.retry_at = r.optional_integer(i, 0);
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const ArticleRow& a, const ArticleRow& b) {
    return std::pair(a.retry_at, a.id) < std::pair(b.retry_at, b.id);
  });
  return rows;
}

std::vector<EntryRetry> PgArchive::claim_entries_due_for_retry(UnixSeconds now, UnixSeconds until,
                                                              std::size_t limit) {
  std::vector<EntryRetry> entries;
  auto r = write(
      "WITH due AS (SELECT feed_id, entry_key, retry_at FROM entries WHERE retry_at IS NOT NULL AND retry_at <= $1 "
      "AND article_id IS NULL ORDER BY retry_at LIMIT $3 FOR UPDATE SKIP LOCKED) "
      "UPDATE entries e SET retry_at = $2 FROM due WHERE e.feed_id = due.feed_id AND e.entry_key = due.entry_key "
      "RETURNING e.feed_id, e.entry_key, e.url, e.title, e.published, e.verdict, due.retry_at, e.retries",
      Params(now, until, to_int64(limit)));
  for (int i = 0; i < r.rows(); ++i) entries.push_back(read_entry_retry(r, i));
  std::sort(entries.begin(), entries.end(), [](const EntryRetry& a, const EntryRetry& b) {
    return std::tie(a.retry_at, a.feed_id, a.entry_key) < std::tie(b.retry_at, b.feed_id, b.entry_key);
  });
  return entries;
}

std::int64_t PgArchive::spread_overdue_feeds(UnixSeconds now, std::int64_t max_spread_s,
                                             std::int64_t default_interval_s) {
  return write(
             "UPDATE feeds SET next_poll = $1 + floor(random() * greatest(1, least(CASE WHEN interval_s > 0 "
             "THEN interval_s ELSE $3 END, $2)))::bigint WHERE id IN (SELECT id FROM feeds WHERE enabled "
             "AND last_polled > 0 AND next_poll < $1 AND (lease_owner IS NULL OR lease_until < $1) "
             "FOR UPDATE SKIP LOCKED)",
             Params(now, max_spread_s, default_interval_s))
      .affected();
}

}  // namespace winnow::archive::postgres
