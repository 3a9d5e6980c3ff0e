#include "daemon/archive/postgres/notices.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstring>

#include "daemon/archive/postgres/connection.h"

namespace winnow::archive::postgres {
namespace {

std::string trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

struct NotifyFree {
  void operator()(PGnotify* notify) const noexcept { PQfreemem(notify); }
};
using NotifyHandle = std::unique_ptr<PGnotify, NotifyFree>;

class PgNotices final : public ArchiveNotices {
 public:
  explicit PgNotices(ConnHandle conn) : conn_(std::move(conn)) {}

  int socket() const override { return PQsocket(conn_.get()); }

  bool read(std::vector<Notice>& out) override {
    if (PQstatus(conn_.get()) != CONNECTION_OK) return false;
    // Reads what the socket holds now; never waits for more.
    if (PQconsumeInput(conn_.get()) == 0) return false;
    while (NotifyHandle n{PQnotifies(conn_.get())}) {
      Notice notice;
      notice.kind = std::strcmp(n->relname, kEventsChannel) == 0 ? Notice::Kind::event : Notice::Kind::article;
      const char* payload = n->extra ? n->extra : "";
      const char* end = payload + std::strlen(payload);
      std::from_chars(payload, end, notice.id);  // 0 if it is no number: still a hint
      out.push_back(notice);
    }
    return PQstatus(conn_.get()) == CONNECTION_OK;
  }

 private:
  ConnHandle conn_;
};

}  // namespace

std::unique_ptr<ArchiveNotices> connect_notices(const std::string& conninfo) {
  // The URL first, then what a listener needs whatever it says: a bounded connect (the
  // caller's thread waits for it) and keepalives, so that a connection to a peer gone silent
  // (a network partition) is found broken in about a minute (30 + 3 x 10 s) rather than
  // after the kernel's two hours, and then made again.
  const char* keys[] = {"dbname", "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
                        "keepalives_count", nullptr};
  const char* values[] = {conninfo.c_str(), "10", "1", "30", "10", "3", nullptr};
  ConnHandle conn(PQconnectdbParams(keys, values, 1));
  if (!conn) throw PgError("archive: PostgreSQL: out of memory connecting", "");
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw PgError("archive: cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(conn.get())), "");
  // libpq prints what the server says outside a query (the FATAL of a terminated backend) to
  // stderr; the listener logs the lost connection itself, in the daemon's format.
  PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);
  const std::string listen = std::string("LISTEN ") + kArticlesChannel + "; LISTEN " + kEventsChannel;
  ResultHandle result(PQexec(conn.get(), listen.c_str()));
  if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK)
    throw PgError("archive: PostgreSQL: LISTEN failed: " + trimmed(PQerrorMessage(conn.get())), "");
  // Reads never block: PQconsumeInput then takes only what the socket holds.
  if (PQsetnonblocking(conn.get(), 1) != 0)
    throw PgError("archive: PostgreSQL: " + trimmed(PQerrorMessage(conn.get())), "");
  return std::make_unique<PgNotices>(std::move(conn));
}

}  // namespace winnow::archive::postgres
