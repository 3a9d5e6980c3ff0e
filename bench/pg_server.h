#pragma once
// The benchmarks' PostgreSQL: the tests' throw-away server (tests/daemon/pg_cluster.h), set
// back to what a production server would run with (fsync, synchronous commits and full page
// writes on; shared_buffers as asked) and restarted once. Main thread only; the server stops
// when the process exits.
#include <cstdint>
#include <string>

namespace winnow::bench {

struct PgServer {
  // Starts (or reuses) the process's server with `shared_buffers` ("128MB"), with
  // pg_stat_statements loaded when `track_statements` (the first call decides); throws
  // std::runtime_error as PgCluster does, or when the restart fails.
  static PgServer& shared(const std::string& shared_buffers = "128MB", bool track_statements = false);

  // A new empty database's postgresql:// URL.
  std::string create_database();
  // "server: PostgreSQL 15.x; fsync on, ..." on standard output.
  void print_settings();
  // pg_database_size of the database at `url`, in bytes.
  static std::int64_t database_bytes(const std::string& url);
  // CPU seconds (user + system) of every server process so far (postmaster and its children,
  // including backends that ended: their time is added to the postmaster's when reaped).
  double cpu_s() const;

  // With track_statements: forgets what pg_stat_statements counted so far (and creates the
  // extension in the database at `url`, so that it can be read there).
  static void reset_statements(const std::string& url);
  // With track_statements: the `top` statements of the database at `url` by execution time
  // (wall time in the executor, lock waits included), per article of `articles`, on standard
  // output.
  static void print_statements(const std::string& url, long articles, int top);

 private:
  PgServer(const std::string& shared_buffers, bool track_statements);
  std::string admin_url_;
  int postmaster_pid_ = 0;
};

}  // namespace winnow::bench
