#include "tests/daemon/probe.h"

#include <sqlite3.h>

#include <stdexcept>

#include "daemon/archive/sqlite/handles.h"

namespace winnow::testing {
namespace {

struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

// nullptr on an error.
Stmt try_prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    sqlite3_finalize(raw);
    return nullptr;
  }
  return Stmt(raw);
}

Stmt prepare(sqlite3* db, const std::string& sql) {
  Stmt stmt = try_prepare(db, sql);
  if (!stmt) throw std::runtime_error(std::string("probe: ") + sqlite3_errmsg(db) + " in " + sql);
  return stmt;
}

}  // namespace

void Probe::DbClose::operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }

Probe::Probe(const std::string& path, Mode mode) {
  sqlite3* db = nullptr;
  const int flags = mode == Mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  db_.reset(db);
  if (rc != SQLITE_OK) throw std::runtime_error("probe cannot open " + path);
  // The archive's SQL functions, which its full-text index reads article texts with.
  winnow::archive::sqlite::add_functions(db);
  sqlite3_busy_timeout(db, 10'000);
}

Probe::~Probe() = default;

std::int64_t Probe::integer(const std::string& sql) {
  Stmt stmt = prepare(db_.get(), sql);
  return sqlite3_step(stmt.get()) == SQLITE_ROW ? sqlite3_column_int64(stmt.get(), 0) : 0;
}

std::optional<std::int64_t> Probe::find_integer(const std::string& sql) {
  Stmt stmt = try_prepare(db_.get(), sql);
  if (!stmt || sqlite3_step(stmt.get()) != SQLITE_ROW) return std::nullopt;
  return sqlite3_column_int64(stmt.get(), 0);
}

std::string Probe::text(const std::string& sql, int column) {
  Stmt stmt = prepare(db_.get(), sql);
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) return {};
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), column));
  return p ? p : "";
}

std::vector<std::string> Probe::texts(const std::string& sql) {
  Stmt stmt = prepare(db_.get(), sql);
  std::vector<std::string> out;
  while (sqlite3_step(stmt.get()) == SQLITE_ROW) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0));
    out.emplace_back(p ? p : "");
  }
  return out;
}

void Probe::exec(const std::string& sql) {
  if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
    throw std::runtime_error(std::string("probe: ") + sqlite3_errmsg(db_.get()));
}

}  // namespace winnow::testing
