#pragma once
// libpq's C handles in RAII, and the few calls the archive makes on them. Private to
// winnow_archive; the only file that includes <libpq-fe.h> is connection.cc. Values are
// always sent as parameters of prepared statements, never spliced into SQL; results come
// back in text format (bytea as its hex text, decoded here). Every failure throws PgError
// (a std::runtime_error) with libpq's message, or StorageFull when the server's disk is full
// (SQLSTATE 53100). A connection belongs to one thread at a time.
//
// Every exchange with the server (connecting, each statement) is asynchronous underneath:
// libpq's PQsend* calls, a non-blocking flush and poll(2) on the socket, so that a wait can
// end at a deadline or at an interrupt (below) instead of hanging. A proxy or pooler whose
// server side is partitioned, or a frozen server, keeps TCP alive (its kernel answers our
// keepalives and ACKs our bytes) and delivers nothing: without a deadline a statement
// waits for ever there.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
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

// A count or size as a bigint parameter (capped at the largest bigint).
inline std::int64_t to_int64(std::size_t n) {
  return n > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())
             ? std::numeric_limits<std::int64_t>::max()
             : static_cast<std::int64_t>(n);
}

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

// Process-wide, for every Connection in this process; any thread.
//
// How long one exchange (a statement, a prepare, connecting) may wait for the server: past
// it the statement throws PgError "timed out after N s" and the connection is abandoned
// (closed unanswered, as a broken one: it is made again before the next statement where
// reconnection is allowed; the server ends its side by its own timeouts). Zero, the
// default: no deadline, but connecting still gives up after 10 s. Read by each Connection
// when it is made. winnowd sets [archive] statement_timeout_s at start; the CLI's verbs
// (`winnow migrate`, reextract) leave it off: their statements may legitimately run long.
void set_statement_timeout(std::chrono::milliseconds timeout);
std::chrono::milliseconds statement_timeout();
// Sticky until clear_interrupt(): every wait on the server, now or later, in any Connection,
// ends at once with PgError "interrupted" and its connection abandoned. For shutdown, when
// what could be committed was.
void interrupt_all() noexcept;
// From now on, the first statement that times out calls interrupt_all(): a server found
// stalled during shutdown is not waited for once more by each statement still to come
// (the drain's writes, lease releases, the webhook dispatcher's reads).
void interrupt_at_first_timeout() noexcept;
// Undoes interrupt_all() and interrupt_at_first_timeout() (for tests).
void clear_interrupt() noexcept;

class Connection {
 public:
  // Connects with `conninfo` (a postgresql:// URL or key=value words; libpq's PG* variables
  // and passfile fill in the rest), each exchange bounded by `timeout` (zero: none; see
  // set_timeout). Throws naming what failed, without the password.
  explicit Connection(const std::string& conninfo, std::chrono::milliseconds timeout = statement_timeout());

  // This connection's deadline (see set_statement_timeout; zero: none), from the process's at
  // construction. For a migration, which may rebuild an index on a large table.
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  std::chrono::milliseconds timeout() const { return timeout_; }

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
  // The same for cleanup paths, which must not throw over the exception being handled. Sends
  // nothing on a broken connection.
  void exec_quietly(const char* sql) noexcept;
  // True when the connection was found broken (it is made again before the next statement
  // where allowed).
  bool broken() const;
  // Gives the connection up to a user that sends no more statements (the listener,
  // notices.cc, which only reads what the server sends): its handle, connected, non-blocking,
  // its session set. Throws when there is none (abandoned). This Connection has none after.
  ConnHandle release();
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
  // Connects anew (the old connection, if any, closed); throws `failed` and why when it cannot.
  void connect(const std::string& failed);
  Result run_once(std::string_view sql, const Params& params);
  // The results of the statement just sent (a PQsend* that returned `sent`): sends the rest,
  // waits for every result until the deadline, returns the last one or throws the first
  // error. A timeout or an interrupt abandons the connection (conn_ null).
  ResultHandle finish(bool sent);
  // conn_, for sending; throws when there is none (abandoned, and not made again) or the
  // interrupt is set.
  pg_conn* live() const;

  const std::string conninfo_;
  std::chrono::milliseconds timeout_;
  ConnHandle conn_;  // null once abandoned, until made again
  std::string session_sql_;
  bool reconnect_allowed_ = true;
  std::unordered_map<std::string, std::string, SqlHash, std::equal_to<>> prepared_;  // SQL -> name
};

}  // namespace winnow::archive::postgres
