#include "daemon/archive/postgres/connection.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "daemon/archive/archive.h"
#include "daemon/log.h"

namespace winnow::archive::postgres {

void ConnFinish::operator()(pg_conn* conn) const noexcept { PQfinish(conn); }
void ResultClear::operator()(pg_result* result) const noexcept { PQclear(result); }

namespace {

// libpq's messages end in a newline; ours do not.
std::string trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Throws what `result` (or, when it is null, the connection) says went wrong.
[[noreturn]] void fail(PGconn* conn, const PGresult* result) {
  std::string message = trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(conn));
  if (message.empty()) message = trimmed(PQerrorMessage(conn));
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  // 53100 disk_full; 53200 out_of_memory and 53300 too_many_connections are not.
  if (sqlstate == "53100") throw StorageFull("archive: PostgreSQL: " + message);
  throw PgError("archive: PostgreSQL: " + message, std::move(sqlstate));
}

// Type OIDs (catalog/pg_type.dat), sent with each statement so that a parameter the SQL does
// not use (article_params' $1 in an INSERT) needs no inference.
constexpr unsigned int kBool = 16, kBytea = 17, kInt8 = 20, kText = 25, kFloat8 = 701;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string array_literal(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + std::to_string(values[i]);
  return out + "}";
}

std::string array_literal(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += i ? ",\"" : "\"";
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

void Params::add(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  binary_.push_back(0);
  types_.push_back(kInt8);
}

void Params::add(bool value) {
  values_.emplace_back(value ? "true" : "false");
  binary_.push_back(0);
  types_.push_back(kBool);
}

void Params::add(double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  values_.emplace_back(std::string(buffer, end));
  binary_.push_back(0);
  types_.push_back(kFloat8);
}

void Params::add(std::string_view text) {
  // A text parameter travels as a C string: a NUL would cut it short without a word.
  // PostgreSQL's text cannot hold one anyway.
  if (text.find('\0') != std::string_view::npos)
    throw PgError("archive: PostgreSQL text cannot hold a NUL byte", "22021");
  values_.emplace_back(std::string(text));
  binary_.push_back(0);
  types_.push_back(kText);
}

void Params::add(Bytes bytes) {
  values_.emplace_back(std::string(bytes.bytes));
  binary_.push_back(1);
  types_.push_back(kBytea);
}

void Params::add(const std::optional<std::int64_t>& value) {
  if (value) {
    add(*value);
  } else {
    values_.emplace_back(std::nullopt);
    binary_.push_back(0);
    types_.push_back(kInt8);
  }
}

void Params::add(std::nullopt_t) {
  values_.emplace_back(std::nullopt);
  binary_.push_back(0);
  types_.push_back(0);
}

int Result::rows() const { return PQntuples(handle_.get()); }

bool Result::is_null(int row, int column) const { return PQgetisnull(handle_.get(), row, column) != 0; }

std::string Result::text(int row, int column) const {
  return std::string(PQgetvalue(handle_.get(), row, column),
                     static_cast<std::size_t>(PQgetlength(handle_.get(), row, column)));
}

std::int64_t Result::integer(int row, int column) const {
  const char* value = PQgetvalue(handle_.get(), row, column);
  const char* end = value + PQgetlength(handle_.get(), row, column);
  std::int64_t n = 0;
  const auto [ptr, ec] = std::from_chars(value, end, n);
  if (ec != std::errc() || ptr != end)
    throw std::runtime_error("archive: PostgreSQL: not an integer in column " + std::to_string(column) + ": " +
                             std::string(value, end));
  return n;
}

std::optional<std::int64_t> Result::optional_integer(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return integer(row, column);
}

double Result::real(int row, int column) const {
  return std::strtod(PQgetvalue(handle_.get(), row, column), nullptr);
}

bool Result::boolean(int row, int column) const { return PQgetvalue(handle_.get(), row, column)[0] == 't'; }

std::string Result::bytes(int row, int column) const {
  // bytea in text format: "\x" and two hex digits a byte (bytea_output = 'hex', set at connect).
  const char* value = PQgetvalue(handle_.get(), row, column);
  const std::size_t length = static_cast<std::size_t>(PQgetlength(handle_.get(), row, column));
  if (length < 2 || value[0] != '\\' || value[1] != 'x' || length % 2 != 0)
    throw std::runtime_error("archive: PostgreSQL: a bytea column not in hex format");
  std::string out;
  out.reserve((length - 2) / 2);
  for (std::size_t i = 2; i < length; i += 2) {
    const int high = hex_value(value[i]), low = hex_value(value[i + 1]);
    if (high < 0 || low < 0) throw std::runtime_error("archive: PostgreSQL: a bytea column with a bad hex digit");
    out.push_back(static_cast<char>(high * 16 + low));
  }
  return out;
}

std::int64_t Result::affected() const {
  const char* n = PQcmdTuples(handle_.get());
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

namespace {

std::atomic<std::int64_t> g_timeout_ms{0};
std::atomic<bool> g_interrupt_at_timeout{false};

// The interrupt: an eventfd that stays readable (its count never read) from interrupt_all()
// to clear_interrupt(), polled beside every socket.
int interrupt_fd() {
  static const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  return fd;
}

bool is_interrupted() {
  pollfd watch{interrupt_fd(), POLLIN, 0};
  return watch.fd >= 0 && ::poll(&watch, 1, 0) == 1;
}

// What connecting waits at most when the URL sets no connect_timeout (which only libpq's
// blocking PQconnectdb would apply) and no shorter statement deadline is set.
constexpr std::chrono::seconds kConnectTimeout{10};

using Clock = std::chrono::steady_clock;

enum class Waited { ready, timed_out, interrupted };

// Waits until `conn`'s socket is ready for `events` (or has failed: libpq then says why),
// `deadline` passes (none when nullopt), or the interrupt is set.
Waited wait_for(PGconn* conn, short events, std::optional<Clock::time_point> deadline) {
  pollfd watch[2] = {{PQsocket(conn), events, 0}, {interrupt_fd(), POLLIN, 0}};
  for (;;) {
    int wait_ms = -1;
    if (deadline) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now()).count();
      if (left <= 0) return Waited::timed_out;
      wait_ms = static_cast<int>(std::min<std::int64_t>(left, std::numeric_limits<int>::max()));
    }
    const int n = ::poll(watch, 2, wait_ms);
    if (n < 0 && errno != EINTR) return Waited::ready;  // not ours to handle: libpq's next call fails
    if (n <= 0) continue;
    if (watch[1].revents) return Waited::interrupted;
    if (watch[0].revents) return Waited::ready;
  }
}

// "2", "2.5"
std::string seconds_number(std::chrono::milliseconds timeout) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", static_cast<double>(timeout.count()) / 1000);
  return text;
}

std::string seconds_text(std::chrono::milliseconds timeout) { return seconds_number(timeout) + " s"; }

// Connects with libpq's defaults for what `conninfo` leaves out, but TCP keepalives: a
// server gone silent (a network partition) then fails the statement waiting on it within
// about a minute (30 s idle + 3 probes 10 s apart), not after the kernel's retransmissions
// (15 minutes or more). Keepalives are not sent while bytes we sent wait for their ACK (a
// statement sent into the partition): tcp_user_timeout bounds that case the same. Neither
// helps when a middlebox answers for a server that says nothing: the statement deadline does
// (set_statement_timeout). What the URL says wins: it comes last.
PGconn* start_connecting(const std::string& conninfo) {
  const char* keys[] = {"keepalives",       "keepalives_idle", "keepalives_interval", "keepalives_count",
                        "tcp_user_timeout", "dbname",          nullptr};
  const char* values[] = {"1", "30", "10", "3", "60000", conninfo.c_str(), nullptr};
  return PQconnectStartParams(keys, values, 1);
}

// What the server says outside a statement's result (a warning, or why it is ending the
// session: "terminating connection due to idle-in-transaction timeout") goes to our log,
// not straight to stderr as libpq's default does.
void log_notice(void*, const char* message) {
  log::warning("PostgreSQL says", {{"message", trimmed(message)}});
}

}  // namespace

void set_statement_timeout(std::chrono::milliseconds timeout) { g_timeout_ms = timeout.count(); }

std::chrono::milliseconds statement_timeout() { return std::chrono::milliseconds(g_timeout_ms.load()); }

void interrupt_all() noexcept {
  const std::uint64_t one = 1;
  if (interrupt_fd() >= 0) [[maybe_unused]] auto n = ::write(interrupt_fd(), &one, sizeof one);
}

void interrupt_at_first_timeout() noexcept { g_interrupt_at_timeout = true; }

void clear_interrupt() noexcept {
  g_interrupt_at_timeout = false;
  std::uint64_t count = 0;
  if (interrupt_fd() >= 0) [[maybe_unused]] auto n = ::read(interrupt_fd(), &count, sizeof count);
}

Connection::Connection(const std::string& conninfo, std::chrono::milliseconds timeout)
    : conninfo_(conninfo), timeout_(timeout) {
  connect("archive: cannot connect to PostgreSQL: ");
  // What the archive's SQL and the decoding above rely on, whatever the server's defaults.
  set_session(
      "SET client_encoding = 'UTF8'; SET bytea_output = 'hex'; SET client_min_messages = 'warning'; "
      "SET standard_conforming_strings = on; SET TIME ZONE 'UTC'");
  // The server's end of a partition: a backend blocked sending us a result, or waiting for
  // our next statement inside a transaction, holds its locks until its TCP connection fails,
  // which without these is the kernel's retransmission timeout (15 minutes or more). The
  // same bounds as ours above, where the server's configuration leaves the system default
  // (0); ignored on a Unix socket, and by a server that lacks a setting.
  set_session(
      "SELECT set_config(name, value, false) FROM (VALUES ('tcp_keepalives_idle', '30'), "
      "('tcp_keepalives_interval', '10'), ('tcp_keepalives_count', '3'), ('tcp_user_timeout', '60000')) "
      "AS wanted(name, value) WHERE current_setting(name, true) = '0'");
}

void Connection::connect(const std::string& failed) {
  conn_.reset();
  ConnHandle conn(start_connecting(conninfo_));
  if (!conn) throw std::runtime_error("archive: PostgreSQL: out of memory connecting");
  // connect_timeout (the URL's, else ours), and at most the statement deadline.
  std::chrono::milliseconds limit = kConnectTimeout;
  if (PQconninfoOption* options = PQconninfo(conn.get())) {
    for (const PQconninfoOption* o = options; o->keyword; ++o)
      if (std::strcmp(o->keyword, "connect_timeout") == 0 && o->val && std::atoi(o->val) > 0)
        limit = std::chrono::seconds(std::atoi(o->val));
    PQconninfoFree(options);
  }
  if (timeout_.count() > 0) limit = std::min(limit, timeout_);
  const auto deadline = Clock::now() + limit;
  PQsetNoticeProcessor(conn.get(), log_notice, nullptr);
  // PQconnectPoll's dance (libpq's "Connection Control Functions"): wait for what it asks.
  auto polled = PGRES_POLLING_WRITING;
  while (PQstatus(conn.get()) != CONNECTION_BAD && polled != PGRES_POLLING_OK && polled != PGRES_POLLING_FAILED) {
    const Waited waited = wait_for(conn.get(), polled == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);
    if (waited == Waited::interrupted) throw PgError(failed + "interrupted", "");
    if (waited == Waited::timed_out) {
      if (g_interrupt_at_timeout) interrupt_all();
      throw PgError(failed + "no answer within " + seconds_text(limit), "");
    }
    polled = PQconnectPoll(conn.get());
  }
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw PgError(failed + trimmed(PQerrorMessage(conn.get())), "");
  // Sending never blocks: a statement's bytes the server does not take wait for the deadline.
  if (PQsetnonblocking(conn.get(), 1) != 0)
    throw PgError("archive: PostgreSQL: " + trimmed(PQerrorMessage(conn.get())), "");
  conn_ = std::move(conn);
}

pg_conn* Connection::live() const {
  if (!conn_)
    throw PgError("archive: PostgreSQL: no connection (abandoned after a timeout or an interrupt)", "");
  // Interrupted: nothing more is sent, not even a COMMIT that might have gone through.
  if (is_interrupted()) throw PgError("archive: PostgreSQL: statement interrupted (shutting down)", "");
  return conn_.get();
}

ResultHandle Connection::finish(bool sent) {
  PGconn* conn = conn_.get();
  if (!sent) fail(conn, nullptr);
  const std::optional<Clock::time_point> deadline =
      timeout_.count() > 0 ? std::optional(Clock::now() + timeout_) : std::nullopt;
  const auto wait = [&](short events) {
    const Waited waited = wait_for(conn, events, deadline);
    if (waited == Waited::ready) return;
    // Abandoned: nothing more is sent on it (not even a Terminate), so that a stalled link
    // cannot hold us; closing the socket is all. The server's side ends by its own timeouts
    // (statement_timeout, tcp_user_timeout, idle_in_transaction_session_timeout), and a
    // transaction open on it rolls back there. A cancel request would need a new connection
    // through the same stalled way: not tried.
    conn_.reset();
    if (waited == Waited::interrupted) throw PgError("archive: PostgreSQL: statement interrupted (shutting down)", "");
    // Logged here, once per stall: the caller may see only what it ran after (a BEGIN again
    // that was interrupted), and a stall is worth a line even where the error is expected.
    log::warning("PostgreSQL statement timed out; connection abandoned", {{"timeout_s", seconds_number(timeout_)}});
    if (g_interrupt_at_timeout) interrupt_all();
    throw PgError("archive: PostgreSQL: statement timed out after " + seconds_text(timeout_) +
                      " without an answer; connection abandoned",
                  "");
  };
  // Sends what libpq could not: PQflush returns 1 while bytes wait. The server may answer
  // before taking all of them (an error): its bytes are read meanwhile, so neither side
  // waits on the other.
  for (;;) {
    const int flushed = PQflush(conn);
    if (flushed == 0) break;
    if (flushed < 0) fail(conn, nullptr);
    wait(POLLIN | POLLOUT);
    if (PQconsumeInput(conn) == 0) fail(conn, nullptr);
  }
  // Every result, as PQexec collects them: the last one, or the first error (the server
  // runs nothing after it).
  ResultHandle last, error;
  for (;;) {
    while (PQisBusy(conn)) {
      wait(POLLIN);
      if (PQconsumeInput(conn) == 0) fail(conn, nullptr);
    }
    ResultHandle result(PQgetResult(conn));
    if (!result) break;
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      if (!error) error = std::move(result);
      continue;
    }
    last = std::move(result);
  }
  if (error) fail(conn, error.get());
  if (!last) fail(conn, nullptr);
  return last;
}

void Connection::set_session(std::string sql) {
  exec(sql);
  if (!session_sql_.empty()) session_sql_ += "; ";
  session_sql_ += sql;
}

namespace {

// True when the server ended the session since the last statement (a restart, a terminated
// backend: it sends why, then closes), as seen on the socket without sending anything. One
// poll(2) without waiting.
bool ended_by_server(PGconn* conn) {
  pollfd watch{PQsocket(conn), POLLIN | POLLRDHUP, 0};
  if (watch.fd < 0) return true;
  if (::poll(&watch, 1, 0) <= 0) return false;
  if (watch.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) return true;
  // Only bytes outside a statement: a notice (logged), or the server's word before its end.
  PQconsumeInput(conn);
  return PQstatus(conn) == CONNECTION_BAD;
}

}  // namespace

void Connection::reconnect_if_broken() {
  if (!reconnect_allowed_) return;
  // Outside a transaction, a session the server has ended is seen before the statement is
  // sent, so that the statement goes to a new one: no write fails for a restart between two
  // statements, and nothing is sent twice.
  if (conn_ && PQstatus(conn_.get()) != CONNECTION_BAD && (in_transaction() || !ended_by_server(conn_.get())))
    return;
  connect("archive: cannot connect to PostgreSQL again: ");
  prepared_.clear();  // the new session has none of them
  finish(PQsendQuery(live(), session_sql_.c_str()) == 1);
}

namespace {

// A statement that only reads: running it again on a new connection changes nothing.
bool only_reads(std::string_view sql) {
  if (!sql.starts_with("SELECT ") && !sql.starts_with("WITH ")) return false;
  for (std::string_view writes : {"FOR UPDATE", "pg_advisory", "pg_notify", "set_config", "INSERT ", "UPDATE ",
                                  "DELETE "})
    if (sql.find(writes) != std::string_view::npos) return false;
  return true;
}

}  // namespace

Result Connection::run(std::string_view sql, const Params& params) {
  const bool may_run_again = reconnect_allowed_ && !in_transaction() && only_reads(sql);
  try {
    return run_once(sql, params);
  } catch (const PgError&) {
    // A read outside a transaction that found the connection broken (the server restarted
    // since the last statement) is run once more on a new one, so that an API read or a
    // webhook pass after a restart does not fail for it. Writes are not: whether one
    // committed before the connection broke cannot be known. Nor is a read that timed out
    // or was interrupted run again: the way to the server is what failed.
    if (!may_run_again || !conn_ || !broken()) throw;
    return run_once(sql, params);
  }
}

Result Connection::run_once(std::string_view sql, const Params& params) {
  reconnect_if_broken();
  PGconn* conn = live();
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "winnow_" + std::to_string(prepared_.size() + 1);
    const std::string text(sql);
    finish(PQsendPrepare(conn, name.c_str(), text.c_str(), static_cast<int>(params.size()), params.types_.data()) ==
           1);
    it = prepared_.emplace(text, std::move(name)).first;
  }
  std::vector<const char*> values;
  std::vector<int> lengths;
  values.reserve(params.size());
  lengths.reserve(params.size());
  for (const auto& value : params.values_) {
    values.push_back(value ? value->c_str() : nullptr);
    lengths.push_back(value ? static_cast<int>(value->size()) : 0);
  }
  return Result(finish(PQsendQueryPrepared(conn, it->second.c_str(), static_cast<int>(params.size()), values.data(),
                                           lengths.data(), params.binary_.data(), 0) == 1));
}

void Connection::exec(const std::string& sql) {
  reconnect_if_broken();
  finish(PQsendQuery(live(), sql.c_str()) == 1);
}

void Connection::exec_quietly(const char* sql) noexcept {
  if (!conn_ || PQstatus(conn_.get()) == CONNECTION_BAD) return;
  try {
    finish(PQsendQuery(live(), sql) == 1);
  } catch (...) {
  }
}

ConnHandle Connection::release() {
  live();  // throws when abandoned or interrupted
  prepared_.clear();
  return std::move(conn_);
}

bool Connection::broken() const { return PQstatus(conn_.get()) == CONNECTION_BAD; }

bool Connection::in_transaction() const {
  const auto status = PQtransactionStatus(conn_.get());
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

bool Connection::failed() const { return PQtransactionStatus(conn_.get()) == PQTRANS_INERROR; }

}  // namespace winnow::archive::postgres
