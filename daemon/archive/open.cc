// Archive::open: which back end a location names.
#include "daemon/archive/archive.h"
#include "daemon/archive/postgres/pg_archive.h"

namespace winnow::archive {

bool Archive::is_postgres_url(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::string Archive::location_for_logs(const std::string& location) {
  if (!is_postgres_url(location)) return location;
  // postgresql://user:password@host/db: the password goes.
  std::string shown = location;
  const auto scheme_end = shown.find("://");
  const auto at = shown.find('@', scheme_end);
  const auto colon = shown.find(':', scheme_end + 3);
  if (scheme_end != std::string::npos && at != std::string::npos && colon != std::string::npos && colon < at)
    shown.replace(colon + 1, at - colon - 1, "***");
  if (const auto password = shown.find("password="); password != std::string::npos)
    shown.replace(password + 9, shown.find('&', password) == std::string::npos ? std::string::npos
                                                                                : shown.find('&', password) - password - 9,
                  "***");
  return shown;
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
