#include "daemon/archive/postgres/connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <charconv>
#include <cstring>

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

ResultHandle checked(PGconn* conn, PGresult* raw) {
  ResultHandle result(raw);
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(conn, result.get());
  return result;
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

// Connects with libpq's defaults for what `conninfo` leaves out, but TCP keepalives: a
// server gone silent (a network partition) then fails the statement waiting on it within
// about a minute (30 s idle + 3 probes 10 s apart), not after the kernel's retransmissions
// (15 minutes or more). Keepalives are not sent while bytes we sent wait for their ACK (a
// statement sent into the partition): tcp_user_timeout bounds that case the same. A
// connection made again during a partition gives up after connect_timeout. What the URL
// says wins: it comes last.
PGconn* connect_with_keepalives(const std::string& conninfo) {
  const char* keys[] = {"keepalives",       "keepalives_idle", "keepalives_interval", "keepalives_count",
                        "tcp_user_timeout", "connect_timeout", "dbname",              nullptr};
  const char* values[] = {"1", "30", "10", "3", "60000", "10", conninfo.c_str(), nullptr};
  return PQconnectdbParams(keys, values, 1);
}

// What the server says outside a statement's result (a warning, or why it is ending the
// session: "terminating connection due to idle-in-transaction timeout") goes to our log,
// not straight to stderr as libpq's default does.
void log_notice(void*, const char* message) {
  log::warning("PostgreSQL says", {{"message", trimmed(message)}});
}

}  // namespace

Connection::Connection(const std::string& conninfo) : conn_(connect_with_keepalives(conninfo)) {
  if (!conn_) throw std::runtime_error("archive: PostgreSQL: out of memory connecting");
  PQsetNoticeProcessor(conn_.get(), log_notice, nullptr);
  if (PQstatus(conn_.get()) != CONNECTION_OK)
    throw PgError("archive: cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(conn_.get())), "");
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
  if (PQstatus(conn_.get()) != CONNECTION_BAD && (in_transaction() || !ended_by_server(conn_.get()))) return;
  PQreset(conn_.get());
  if (PQstatus(conn_.get()) != CONNECTION_OK)
    throw PgError("archive: cannot connect to PostgreSQL again: " + trimmed(PQerrorMessage(conn_.get())), "");
  prepared_.clear();  // the new session has none of them
  checked(conn_.get(), PQexec(conn_.get(), session_sql_.c_str()));
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
    // committed before the connection broke cannot be known.
    if (!may_run_again || !broken()) throw;
    return run_once(sql, params);
  }
}

Result Connection::run_once(std::string_view sql, const Params& params) {
  reconnect_if_broken();
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "winnow_" + std::to_string(prepared_.size() + 1);
    const std::string text(sql);
    checked(conn_.get(), PQprepare(conn_.get(), name.c_str(), text.c_str(), static_cast<int>(params.size()),
                                              params.types_.data()));
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
  return Result(checked(conn_.get(), PQexecPrepared(conn_.get(), it->second.c_str(), static_cast<int>(params.size()),
                                                    values.data(), lengths.data(), params.binary_.data(), 0)));
}

void Connection::exec(const std::string& sql) {
  reconnect_if_broken();
  checked(conn_.get(), PQexec(conn_.get(), sql.c_str()));
}

void Connection::exec_quietly(const char* sql) noexcept { PQclear(PQexec(conn_.get(), sql)); }

bool Connection::broken() const { return PQstatus(conn_.get()) == CONNECTION_BAD; }

bool Connection::in_transaction() const {
  const auto status = PQtransactionStatus(conn_.get());
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

bool Connection::failed() const { return PQtransactionStatus(conn_.get()) == PQTRANS_INERROR; }

}  // namespace winnow::archive::postgres
