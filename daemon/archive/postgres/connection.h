#pragma once
// libpq's C handles in RAII, and the few calls the archive makes on them. Private to
// winnow_archive; the only file that includes <libpq-fe.h> is connection.cc. Values are
// always sent as parameters of prepared statements, never spliced into SQL; results come
// back in text format (bytea as its hex text, decoded here). Every failure throws PgError
// (a std::runtime_error) with libpq's message, or StorageFull when the server's disk is full
// (SQLSTATE 53100). A connection belongs to one thread at a time.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

// libpq's own opaque types (libpq-fe.h names them with these typedefs too).
struct pg_conn;
struct pg_result;

namespace winnow::archive::postgres {

struct ConnFinish {
  void operator()(pg_conn* conn) const noexcept;  // PQfinish
};
using ConnHandle = std::unique_ptr<pg_conn, ConnFinish>;

struct ResultClear {
  void operator()(pg_result* result) const noexcept;  // PQclear
};
using ResultHandle = std::unique_ptr<pg_result, ResultClear>;

// A server error: libpq's message and the SQLSTATE ("42601"), empty when the connection
// itself failed.
class PgError : public std::runtime_error {
 public:
  PgError(const std::string& message, std::string sqlstate)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

// Bytes to send as bytea (binary format) rather than text.
struct Bytes {
  std::string_view bytes;
};

// Array literals ('{1,2}', '{"a","b"}') for a parameter cast to bigint[] or text[].
std::string array_literal(const std::vector<std::int64_t>& values);
std::string array_literal(const std::vector<std::string>& values);

// One statement's parameters: text (NUL-free), NULL, or bytes.
class Params {
 public:
  template <typename... Values>
  explicit Params(const Values&... values) {
    (add(values), ...);
  }
  void add(std::int64_t value);
  void add(int value) { add(static_cast<std::int64_t>(value)); }
  void add(bool value);
  void add(double value);
  void add(std::string_view text);
  void add(const std::string& text) { add(std::string_view(text)); }
  void add(const char* text) { add(std::string_view(text)); }
  void add(Bytes bytes);
  void add(const std::optional<std::int64_t>& value);
  void add(std::nullopt_t);

  std::size_t size() const { return values_.size(); }

 private:
  friend class Connection;
  std::vector<std::optional<std::string>> values_;
  std::vector<int> binary_;           // 1 for Bytes
  std::vector<unsigned int> types_;   // PostgreSQL type OIDs, 0 to let the server infer
};

// The rows of one statement, in text format. Move-only.
class Result {
 public:
  explicit Result(ResultHandle handle) : handle_(std::move(handle)) {}
  int rows() const;
  bool is_null(int row, int column) const;
  std::string text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  std::optional<std::int64_t> optional_integer(int row, int column) const;
  double real(int row, int column) const;
  bool boolean(int row, int column) const;
  std::string bytes(int row, int column) const;  // a bytea column
  std::int64_t affected() const;                 // rows an INSERT, UPDATE or DELETE changed

 private:
  ResultHandle handle_;
};

class Connection {
 public:
  // Connects with `conninfo` (a postgresql:// URL or key=value words; libpq's PG* variables
  // and passfile fill in the rest). Throws naming what failed, without the password.
  explicit Connection(const std::string& conninfo);

  // What every session runs first (SET ...), now and after each reconnection.
  void set_session(std::string sql);
  // While allowed (outside a transaction block), a connection found broken (the server
  // restarted, the backend was terminated) is re-established before the next statement, its
  // session settings run again and its statements prepared anew. A session the server ended
  // (it closed its end) is seen before the next statement is sent, so that statement does
  // not fail for it; a statement that found the connection broken otherwise has thrown, but
  // for a lone read (run()) and a BEGIN (PgArchive). Inside a transaction block the
  // connection stays broken, so that the block fails whole.
  void allow_reconnect(bool allowed) { reconnect_allowed_ = allowed; }

  // Runs `sql` as a statement prepared once per connection and kept, with `params` bound to
  // $1, $2, ... A statement that only reads (SELECT or WITH, locking nothing), outside a
  // transaction, that finds the connection broken is run once more on a new connection.
  Result run(std::string_view sql, const Params& params = Params());
  // Runs SQL without parameters, possibly several statements (schema steps, BEGIN, SET).
  void exec(const std::string& sql);
  // The same for cleanup paths, which must not throw over the exception being handled.
  void exec_quietly(const char* sql) noexcept;
  // True when the connection was found broken (it is made again before the next statement
  // where allowed).
  bool broken() const;
  // True inside a transaction block, also one that failed and waits for ROLLBACK.
  bool in_transaction() const;
  // True inside a transaction block that a failed statement left waiting for ROLLBACK.
  bool failed() const;

 private:
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const noexcept { return std::hash<std::string_view>{}(sql); }
  };
  void reconnect_if_broken();
  Result run_once(std::string_view sql, const Params& params);

  ConnHandle conn_;
  std::string session_sql_;
  bool reconnect_allowed_ = true;
  std::unordered_map<std::string, std::string, SqlHash, std::equal_to<>> prepared_;  // SQL -> name
};

}  // namespace winnow::archive::postgres
