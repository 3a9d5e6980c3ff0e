#pragma once
// The archive suites run on both back ends: a fresh archive of either, and a probe of the
// test's own beside it (SQL on the same tables, through SQLite or libpq).
//
//   BOOST_DATA_TEST_CASE(name, kBackends, backend) { BackendArchive b(backend); ... }
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "daemon/archive/archive.h"
#include "tests/daemon/pg_cluster.h"
#include "tests/daemon/probe.h"
#include "tests/daemon/temp_dir.h"

namespace winnow::archive::testing {

enum class Backend { sqlite, postgres };

inline std::ostream& operator<<(std::ostream& out, Backend backend) {
  return out << (backend == Backend::sqlite ? "sqlite" : "postgres");
}

// Both, for BOOST_DATA_TEST_CASE: the cases show up as name/_0 (sqlite) and name/_1 (postgres).
inline const auto kBackends = boost::unit_test::data::make({Backend::sqlite, Backend::postgres});

// A new, empty archive location of `backend` (a SQLite file in a temp dir, or a fresh
// database of the process's PostgreSQL cluster), opened as `archive`.
struct BackendArchive {
  explicit BackendArchive(Backend b)
      : backend(b),
        location(b == Backend::sqlite ? dir.file("archive.db") : ::winnow::testing::PgCluster::shared().create_database()),
        archive(Archive::open(location)) {}

  bool is_postgres() const { return backend == Backend::postgres; }

  // The first column of the first row of `sql` on the archive's tables (0 without a row).
  std::int64_t integer(const std::string& sql) const {
    if (is_postgres()) return ::winnow::testing::PgCluster::integer(location, sql);
    return ::winnow::testing::Probe(location).integer(sql);
  }
  std::string text(const std::string& sql) const {
    if (is_postgres()) return ::winnow::testing::PgCluster::text(location, sql);
    return ::winnow::testing::Probe(location).text(sql);
  }
  void exec(const std::string& sql) const {
    if (is_postgres())
      ::winnow::testing::PgCluster::exec(location, sql);
    else
      ::winnow::testing::Probe(location).exec(sql);
  }

  Backend backend;
  ::winnow::testing::TempDir dir;
  std::string location;
  std::unique_ptr<Archive> archive;
};

}  // namespace winnow::archive::testing
