// Archive::open: which back end a location names.
#include "daemon/archive/archive.h"
#include "daemon/archive/notices.h"
#include "daemon/archive/postgres/connection.h"
#include "daemon/archive/postgres/notices.h"
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

void set_postgres_statement_timeout(std::chrono::milliseconds timeout) { postgres::set_statement_timeout(timeout); }

void stop_waiting_for_postgres_at_first_timeout() noexcept { postgres::interrupt_at_first_timeout(); }

bool is_write_conflict(const std::exception_ptr& error) {
  if (!error) return false;
  try {
    std::rethrow_exception(error);
  } catch (const postgres::PgError& e) {
    return e.sqlstate() == "40P01" || e.sqlstate() == "40001";
  } catch (...) {
    return false;
  }
}

std::unique_ptr<ArchiveNotices> ArchiveNotices::connect(const std::string& location) {
  if (!Archive::is_postgres_url(location)) return nullptr;
  return postgres::connect_notices(location);
}

}  // namespace winnow::archive
