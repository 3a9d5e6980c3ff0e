#include "daemon/archive/postgres/notices.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstring>

#include "daemon/archive/postgres/connection.h"

namespace winnow::archive::postgres {
namespace {

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
  // Made as every connection of the archive is (connection.h): TCP keepalives and a user
  // timeout, so that a peer gone silent (a network partition) is found in about a minute and
  // the connection made again; connecting and each statement waited for on poll(2), so that
  // a middlebox that answers TCP for a stalled server cannot hold the caller's thread past
  // the deadline, and shutdown's interrupt ends the wait. The listener's statements are its
  // session's SETs and one LISTEN, which a server that answers at all answers at once: the
  // process's deadline, and never more than kListenTimeout, even where there is none.
  std::chrono::milliseconds timeout = statement_timeout();
  if (timeout.count() <= 0 || timeout > kListenTimeout) timeout = kListenTimeout;
  Connection connection(conninfo, timeout);
  connection.exec(std::string("LISTEN ") + kArticlesChannel + "; LISTEN " + kEventsChannel);
  ConnHandle conn = connection.release();
  // libpq hands what the server says outside a query (the FATAL of a terminated backend) to
  // the notice processor; the listener logs the lost connection itself, in the daemon's format.
  PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);
  // Reads never block (the connection is non-blocking): PQconsumeInput takes only what the
  // socket holds.
  return std::make_unique<PgNotices>(std::move(conn));
}

}  // namespace winnow::archive::postgres
