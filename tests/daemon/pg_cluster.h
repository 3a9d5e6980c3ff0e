#pragma once
// A throw-away PostgreSQL server for the tests: `initdb` and `pg_ctl` from the Debian
// package `postgresql` in a temporary directory, listening on a Unix socket in that
// directory only (no TCP), fsync off. One per test process, started on first use and shared
// by the suites; each test case takes a fresh database of its own. Stopped (pg_ctl stop -m
// immediate) and deleted when the process exits.
//
// PostgreSQL refuses to run as root: as root, the server runs as the `postgres` system user
// (or `nobody`) through runuser, and the tests connect over the socket as the superuser
// `winnow` that initdb makes, with trust authentication. Not thread-safe: one thread.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace winnow::testing {

class PgCluster {
 public:
  // The process's cluster, started on first use (about a second). Throws std::runtime_error
  // naming the package to install when the PostgreSQL server programs are missing, and with
  // the server's log when it does not start.
  static PgCluster& shared();

  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // A new empty database; its postgresql:// URL (socket directory and user in the query).
  std::string create_database();
  // The URL of database `name`.
  std::string url(const std::string& name) const;

  // A connection of the test's own to the database at `url`, beside the archive's: each call
  // runs `sql` alone. integer: the first column of the first row (0 without a row); text:
  // the same as text ("" without a row or for NULL); exec: no result. Throw on any error.
  static std::int64_t integer(const std::string& url, const std::string& sql);
  static std::string text(const std::string& url, const std::string& sql);
  static void exec(const std::string& url, const std::string& sql);

  // Stops the server (pg_ctl stop -m fast: every session is ended), waits `down`, and starts
  // it again: what a database restart does to the connections of an archive.
  void restart(std::chrono::milliseconds down);

  const std::filesystem::path& directory() const { return dir_; }
  // The directory holding initdb and pg_ctl.
  const std::filesystem::path& bin() const { return bin_; }

 private:
  PgCluster();
  void run(const std::string& program, const std::vector<std::string>& args);

  std::filesystem::path bin_;  // initdb, pg_ctl
  std::filesystem::path dir_;  // the socket's and the data directory's parent
  std::string run_as_;         // the user that runs the server when we are root; empty otherwise
  int databases_ = 0;
  bool started_ = false;
};

}  // namespace winnow::testing
