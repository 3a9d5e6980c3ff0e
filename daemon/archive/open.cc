// Archive::open: which back end a location names.
#include "daemon/archive/archive.h"
#include "daemon/archive/postgres/pg_archive.h"

namespace winnow::archive {

bool Archive::is_postgres_url(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::unique_ptr<Archive> Archive::open(const std::string& location) {
  if (is_postgres_url(location)) return std::make_unique<postgres::PgArchive>(location);
  return open_sqlite(location);
}

std::unique_ptr<Archive> Archive::open_read_only(const std::string& location) {
  if (is_postgres_url(location))
    return std::make_unique<postgres::PgArchive>(location, postgres::OpenMode::read_only);
  return open_sqlite_read_only(location);
}

}  // namespace winnow::archive
