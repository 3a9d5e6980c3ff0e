#include "daemon/archive/sqlite/handles.h"

#include <sqlite3.h>

#include <cassert>
#include <cerrno>
#include <filesystem>
#include <stdexcept>

#include "base/url.h"
#include "daemon/archive/archive.h"
#include "daemon/archive/article_codec.h"

namespace winnow::archive::sqlite {
namespace {

// How long a statement waits for another connection's write lock before failing with
// SQLITE_BUSY. Only the worker writes in the daemon; this covers a CLI verb writing meanwhile.
constexpr int kBusyTimeoutMs = 10'000;

struct SqliteFree {
  void operator()(void* p) const noexcept { sqlite3_free(p); }
};

// SQLITE_FULL covers ENOSPC on the database and WAL files and max_page_count; an I/O error
// whose errno says no space (the -shm file grown on a full tmpfs, a quota) is the same case.
bool is_full(sqlite3* db, int rc) {
  if ((rc & 0xff) == SQLITE_FULL) return true;
  const int errno_seen = sqlite3_system_errno(db);
  return (rc & 0xff) == SQLITE_IOERR && (errno_seen == ENOSPC || errno_seen == EDQUOT);
}

[[noreturn]] void throw_error(sqlite3* db, int rc, const std::string& message) {
  if (is_full(db, rc)) throw StorageFull(message);
  throw std::runtime_error(message);
}

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  const int rc = sqlite3_extended_errcode(db);
  const std::string code = " (SQLite code " + std::to_string(rc) + ")";
  // A full disk is logged once for an operator: SQLite's reason first, the statement cut.
  if (is_full(db, rc))
    throw StorageFull("archive: " + std::string(sqlite3_errmsg(db)) + code + " running: " +
                      std::string(what.substr(0, 40)));
  throw std::runtime_error("archive: " + std::string(what) + ": " + sqlite3_errmsg(db) + code);
}

// winnow_article_text(body, text): see add_functions. A C callback: nothing may throw out.
void article_text_function(sqlite3_context* context, int, sqlite3_value** args) noexcept {
  if (sqlite3_value_type(args[0]) == SQLITE_NULL) {
    sqlite3_result_value(context, args[1]);
    return;
  }
  try {
    const auto* bytes = static_cast<const char*>(sqlite3_value_blob(args[0]));
    const std::string text =
        article_body_text(std::string_view(bytes ? bytes : "", std::size_t(sqlite3_value_bytes(args[0]))));
    sqlite3_result_text64(context, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(context);
  } catch (const std::exception& e) {
    sqlite3_result_error(context, e.what(), -1);
  }
}

}  // namespace

void add_functions(sqlite3* db) {
  // Deterministic and innocuous (pure): usable in the schema's view and triggers.
  const int rc = sqlite3_create_function_v2(db, "winnow_article_text", 2,
                                            SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                            article_text_function, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(db, "sqlite3_create_function_v2");
}

void DbClose::operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }

void StmtFinalize::operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }

DbHandle open_database(const std::string& path, OpenMode mode) {
  namespace fs = std::filesystem;
  // SQLite says only "unable to open database file": name what is missing.
  std::error_code ec;
  const fs::path parent = fs::absolute(path, ec).parent_path();
  if (!ec && !fs::is_directory(parent, ec))
    throw std::runtime_error("archive: cannot open " + path + ": the directory " + parent.string() + " does not exist");
  if (mode == OpenMode::read_only && !fs::exists(path, ec))
    throw std::runtime_error("archive: no archive at " + path + " (the file does not exist)");
  // NOMUTEX: an Archive is used by one thread at a time (archive.h), so SQLite's own
  // connection mutex would only cost.
  const auto open = [&](const std::string& name, int flags) {
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(name.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    DbHandle owned(db);  // a handle comes back even when opening failed, and must be closed
    if (rc != SQLITE_OK)
      throw std::runtime_error("archive: cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    add_functions(db);
    return owned;
  };
  if (mode == OpenMode::read_write) return open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  DbHandle db = open(path, SQLITE_OPEN_READONLY);
  // A reader of a WAL file needs its -shm file, which SQLite cannot create in a directory it
  // may not write (a read-only mount, a backup). Without a -wal file no writer has the archive
  // open, so it is read as immutable: no locks, no -shm.
  const int rc = sqlite3_exec(db.get(), "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
  if ((rc & 0xff) != SQLITE_CANTOPEN || fs::exists(path + "-wal", ec)) return db;
  const std::string uri =
      "file:" + base::percent_encode(path, [](unsigned char c) { return c == '%' || c == '?' || c == '#'; }) +
      "?immutable=1";
  return open(uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
}

void count_commits(sqlite3* db, std::int64_t* commits) {
  sqlite3_commit_hook(
      db,
      [](void* counter) noexcept -> int {
        ++*static_cast<std::int64_t*>(counter);
        return 0;  // 0: let the commit proceed
      },
      commits);
}

StmtHandle prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc =
      sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  StmtHandle owned(stmt);
  if (rc != SQLITE_OK) fail(db, "prepare " + std::string(sql));
  return owned;
}

void exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
  std::unique_ptr<char, SqliteFree> owned(message);
  if (rc != SQLITE_OK)
    throw_error(db, sqlite3_extended_errcode(db),
                std::string("archive: ") + (owned ? owned.get() : sqlite3_errstr(rc)) + " (SQLite code " +
                    std::to_string(rc) + ") running: " + std::string(sql).substr(0, 80));
}

void exec_quietly(sqlite3* db, const char* sql) noexcept { sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }

bool is_autocommit(sqlite3* db) { return sqlite3_get_autocommit(db) != 0; }

std::int64_t changes(sqlite3* db) { return sqlite3_changes(db); }

std::int64_t last_insert_rowid(sqlite3* db) { return sqlite3_last_insert_rowid(db); }

Query::Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {
  assert(!sqlite3_stmt_busy(stmt) && "a cached statement is used twice at once");
}

Query::~Query() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Query::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, sqlite3_sql(stmt_));
}

void Query::run() {
  if (step()) throw std::logic_error(std::string("archive: unexpected row from ") + sqlite3_sql(stmt_));
}

std::int64_t Query::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

std::optional<std::int64_t> Query::optional_integer(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return integer(column);
}

double Query::real(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Query::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}

std::string Query::blob(int column) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}

std::optional<std::string> Query::optional_blob(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return blob(column);
}

void Query::check(int rc) {
  if (rc != SQLITE_OK) fail(db_, "bind");
}

void Query::bind_one(int index, std::int64_t value) { check(sqlite3_bind_int64(stmt_, index, value)); }
void Query::bind_one(int index, int value) { check(sqlite3_bind_int64(stmt_, index, value)); }
void Query::bind_one(int index, bool value) { check(sqlite3_bind_int64(stmt_, index, value ? 1 : 0)); }
void Query::bind_one(int index, std::string_view text) {
  check(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}
void Query::bind_one(int index, const std::string& text) { bind_one(index, std::string_view(text)); }
void Query::bind_one(int index, const char* text) { bind_one(index, std::string_view(text)); }
void Query::bind_one(int index, Blob blob) {
  check(sqlite3_bind_blob64(stmt_, index, blob.bytes.data(), blob.bytes.size(), SQLITE_TRANSIENT));
}
void Query::bind_one(int index, const std::optional<std::int64_t>& value) {
  if (value)
    bind_one(index, *value);
  else
    check(sqlite3_bind_null(stmt_, index));
}

}  // namespace winnow::archive::sqlite
