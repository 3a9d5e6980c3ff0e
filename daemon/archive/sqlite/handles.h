#pragma once
// SQLite's C handles in RAII, and the few calls the archive makes on them. Private to
// winnow_archive; the only file that includes <sqlite3.h> is handles.cc, so the rest of
// sqlite/ sees a connection and its statements through this face alone. Every failure
// throws std::runtime_error with SQLite's message and extended code. A connection and its
// statements belong to one thread at a time.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

// SQLite's own opaque types (sqlite3.h names them with these typedefs too).
struct sqlite3;
struct sqlite3_stmt;

namespace winnow::archive::sqlite {

struct DbClose {
  void operator()(sqlite3* db) const noexcept;  // sqlite3_close_v2
};
using DbHandle = std::unique_ptr<sqlite3, DbClose>;

struct StmtFinalize {
  void operator()(sqlite3_stmt* stmt) const noexcept;
};
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

enum class OpenMode { read_write, read_only };

// Opens the database file at `path` for one thread at a time, with extended result codes and
// a busy timeout for another connection's write lock. read_write creates the file if needed;
// read_only never writes (SQLITE_OPEN_READONLY), and reads a WAL archive that has no -shm
// file in a directory it cannot write as an immutable file. Throws with a message naming
// the path, and the directory when that is what is missing.
DbHandle open_database(const std::string& path, OpenMode mode = OpenMode::read_write);

// Adds winnow's SQL functions to `db` (open_database does it for every connection; another
// connection that reads the full-text index or article texts needs them too):
//   winnow_article_text(body, text): the plain text of an articles row, from its packed body
//   (article_codec.h), or `text` itself when body is NULL (rows stored before schema 10).
// The full-text index's content view and its triggers call it (schema.cc).
void add_functions(sqlite3* db);

// Counts the transactions `db` commits into `*commits`, which must outlive `db`.
void count_commits(sqlite3* db, std::int64_t* commits);

// Prepares `sql` to be kept and run many times.
StmtHandle prepare(sqlite3* db, std::string_view sql);

// Runs SQL without values (schema steps, pragmas).
void exec(sqlite3* db, const char* sql);
// The same for cleanup paths, which must not throw over the exception being handled.
void exec_quietly(sqlite3* db, const char* sql) noexcept;

// True outside any transaction, including after SQLite rolled one back on its own.
bool is_autocommit(sqlite3* db);
// Rows the last INSERT, UPDATE or DELETE on `db` changed.
std::int64_t changes(sqlite3* db);
// The rowid the last INSERT on `db` gave.
std::int64_t last_insert_rowid(sqlite3* db);

// Bytes to bind as a BLOB rather than TEXT.
struct Blob {
  std::string_view bytes;
};

// One use of a cached prepared statement: binds, steps, reads columns, and resets the
// statement when it goes, so that it holds no read snapshot open and is ready for next time.
// Values are always bound, never spliced into SQL. `db` and `stmt` must outlive it.
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt);
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  // Binds `values` to ?1, ?2, ... in order.
  template <typename... Values>
  Query& bind(const Values&... values) {
    int index = 0;
    (bind_one(++index, values), ...);
    return *this;
  }

  // True when a row is ready; false when the statement is done.
  bool step();
  // Runs a statement that returns no rows.
  void run();

  std::int64_t integer(int column) const;
  std::optional<std::int64_t> optional_integer(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::string blob(int column) const;
  std::optional<std::string> optional_blob(int column) const;  // nullopt for NULL

 private:
  void check(int rc);
  void bind_one(int index, std::int64_t value);
  void bind_one(int index, int value);
  void bind_one(int index, bool value);
  void bind_one(int index, std::string_view text);
  void bind_one(int index, const std::string& text);
  void bind_one(int index, const char* text);
  void bind_one(int index, Blob blob);
  void bind_one(int index, const std::optional<std::int64_t>& value);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

}  // namespace winnow::archive::sqlite
