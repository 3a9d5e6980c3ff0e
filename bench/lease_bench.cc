// Lease operations on an archive of many feeds (docs/scale-out.md): how long a claim of a
// batch of due feeds, a poll's finish, a renewal and "what is due next" take, with three
// owners taking turns as three daemons would, and the archive's size.
//
//   lease_bench [--backend sqlite|postgres] [--feeds N] [--per-host K] [--batch B] [--claims C] [--dir DIR]
//       N feeds (default 100,000), K per host (20), every one due; C claims (50) of B feeds
//       (512) each by owners a, b, c in turn, each batch finished (its next poll a day away).
//       sqlite (default): an archive file in DIR. postgres: a database on a throw-away server
//       started by the bench (bench/pg_server.h: fsync on, shared_buffers 128 MB), on its
//       Unix socket; the feeds are written by one INSERT ... SELECT and then VACUUM ANALYZE
//       (as autovacuum would, once), the lease calls go through the Archive as winnowd's do.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_args.h"
#include "bench/pg_server.h"
#include "daemon/archive/archive.h"
#include "tests/daemon/pg_cluster.h"

namespace {

using Clock = std::chrono::steady_clock;
using winnow::archive::Archive;
using winnow::archive::FeedRow;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

struct Stat {
  std::vector<double> ms;
  void add(double v) { ms.push_back(v); }
  void print(const char* what) {
    if (ms.empty()) return;
    std::sort(ms.begin(), ms.end());
    double sum = 0;
    for (double v : ms) sum += v;
    std::printf("%-34s n=%-4zu mean %8.2f ms  p50 %8.2f ms  p95 %8.2f ms  max %8.2f ms\n", what, ms.size(),
                sum / double(ms.size()), ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 95 / 100)], ms.back());
  }
};

}  // namespace

int main(int argc, char** argv) {
  long feeds = 100'000, per_host = 20, batch = 512, claims = 50;
  std::string backend = "sqlite";
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "winnow-lease-bench";
  std::string dir_arg = dir.string();
  winnow::bench::po::options_description options("options");
  options.add_options()
      ("backend", winnow::bench::po::value(&backend)->default_value(backend), "sqlite or postgres")
      ("feeds", winnow::bench::po::value(&feeds)->default_value(feeds), "feeds in the archive")
      ("per-host", winnow::bench::po::value(&per_host)->default_value(per_host), "feeds on each host")
      ("batch", winnow::bench::po::value(&batch)->default_value(batch), "feeds a claim asks for")
      ("claims", winnow::bench::po::value(&claims)->default_value(claims), "claims to time")
      ("dir", winnow::bench::po::value(&dir_arg)->default_value(dir_arg), "where the SQLite archive goes");
  winnow::bench::parse_args(argc, argv, "lease_bench", options);
  dir = dir_arg;
  winnow::bench::require(backend == "sqlite" || backend == "postgres", "lease_bench", "--backend is sqlite or postgres");
  winnow::bench::require(feeds >= 1 && per_host >= 1 && batch >= 1 && claims >= 1, "lease_bench",
                         "counts must be positive");
  const bool postgres = backend == "postgres";
  const std::int64_t now = std::int64_t(std::time(nullptr));
  std::string path;  // SQLite: the file; PostgreSQL: the database's URL
  std::int64_t empty_bytes = 0;
  std::unique_ptr<Archive> archive;
  auto fill = Clock::now();
  if (postgres) {
    auto& server = winnow::bench::PgServer::shared();
    std::printf("== lease_bench (PostgreSQL) ==\n");
    server.print_settings();
    path = server.create_database();
    archive = Archive::open(path);  // the schema
    empty_bytes = winnow::bench::PgServer::database_bytes(path);
    fill = Clock::now();
    // The rows add_feed and update_feed would write, in one statement.
    const std::string n = std::to_string(now), k = std::to_string(per_host);
    winnow::testing::PgCluster::exec(
        path, "INSERT INTO feeds (url, host, title, etag, last_modified, interval_s, last_polled, next_poll) "
              "SELECT format('https://site%s.example/feeds/%s.xml', i / " + k + ", lpad(i::text, 8, '0')), "
              "format('site%s.example', i / " + k + "), 'Feed ' || i, '\"etag-' || i || '\"', "
              "'Tue, 01 Dec 2026 10:00:00 GMT', 3600, " + n + " - 7200, " + n + " - 1 - i % 3600 "
              "FROM generate_series(0, " + std::to_string(feeds - 1) + ") AS i");
    winnow::testing::PgCluster::exec(path, "VACUUM ANALYZE");
  } else {
    std::printf("== lease_bench (SQLite) ==\n");
    std::filesystem::create_directories(dir);
    path = (dir / "archive.db").string();
    std::filesystem::remove(path);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
    archive = Archive::open_sqlite(path);
    fill = Clock::now();
    archive->transaction([&] {
      for (long i = 0; i < feeds; ++i) {
        char url[128];
        std::snprintf(url, sizeof url, "https://site%ld.example/feeds/%08ld.xml", i / per_host, i);
        FeedRow row;
        row.id = archive->add_feed(url, "", "");
        row.url = url;
        row.title = "Feed " + std::to_string(i);
        row.etag = "\"etag-" + std::to_string(i) + "\"";
        row.last_modified = "Tue, 01 Dec 2026 10:00:00 GMT";
        row.interval_s = 3600;
        row.last_polled = now - 7200;
        row.next_poll = now - 1 - i % 3600;  // every feed due
        archive->update_feed(row);
      }
    });
  }
  std::printf("%ld feeds, %ld per host (%ld hosts), written in %.1f s\n", feeds, per_host,
              (feeds + per_host - 1) / per_host, ms_since(fill) / 1000);

  Stat claim, finish, next_due, renew;
  const char* owners[] = {"a", "b", "c"};
  long claimed_total = 0;
  for (long c = 0; c < claims; ++c) {
    const std::string owner = owners[c % 3];
    auto t = Clock::now();
    std::vector<FeedRow> rows = archive->claim_due_feeds(owner, now, now + 120, std::size_t(batch));
    claim.add(ms_since(t));
    claimed_total += long(rows.size());
    t = Clock::now();
    (void)archive->next_feed_due(owner, now);
    next_due.add(ms_since(t));
    std::vector<std::int64_t> ids;
    for (const auto& r : rows) ids.push_back(r.id);
    t = Clock::now();
    archive->renew_feed_leases(owner, ids, now + 240);
    renew.add(ms_since(t));
    t = Clock::now();
    archive->transaction([&] {  // as ArchiveWorker batches them
      for (auto& r : rows) {
        r.last_polled = now;
        r.next_poll = now + 86400;
        archive->finish_feed_poll(owner, r);
      }
    });
    finish.add(ms_since(t) / double(std::max<std::size_t>(1, rows.size())));
  }
  std::printf("%ld feeds claimed in %ld claims of at most %ld\n", claimed_total, claims, batch);
  claim.print("claim_due_feeds (one batch)");
  next_due.print("next_feed_due");
  renew.print("renew_feed_leases (one batch)");
  finish.print("finish_feed_poll (per feed)");
  archive.reset();
  if (postgres) {
    const std::int64_t bytes = winnow::bench::PgServer::database_bytes(path);
    std::printf("database size %.1f MB = %.0f bytes per feed (feeds only, no article; %.1f MB of an empty "
                "archive not counted)\n",
                double(bytes) / 1e6, double(bytes - empty_bytes) / double(feeds), double(empty_bytes) / 1e6);
    return 0;
  }
  std::uintmax_t bytes = std::filesystem::file_size(path);
  if (std::filesystem::exists(path + "-wal")) bytes += std::filesystem::file_size(path + "-wal");
  std::printf("archive size %.1f MB = %.0f bytes per feed (feeds only, no article)\n", double(bytes) / 1e6,
              double(bytes) / double(feeds));
  return 0;
}
