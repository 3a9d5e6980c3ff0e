#pragma once
// Hearing of what other processes commit to a shared archive: on PostgreSQL a connection of
// its own that LISTENs to the channels store_article and the webhook outbox NOTIFY at commit
// (docs/scale-out.md, "Consumers"). SQLite has none: one process writes it, and its readers
// look by cursor.
//
// A notice is only a hint that something was committed; consumers still read by cursor, so
// a notice lost (the connection dropped, the server restarted) costs latency, not data.
//
// One thread at a time. connect() blocks (call it off the Asio loop); socket() and read()
// never do, so the socket can be waited on by an event loop (notify/listener.h).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace winnow::archive {

struct Notice {
  enum class Kind { article, event };
  Kind kind = Kind::article;
  std::int64_t id = 0;  // the article's id or the event's seq
};

class ArchiveNotices {
 public:
  // Connects to the PostgreSQL archive at `location` and listens. Blocks while connecting
  // and while LISTEN waits for its answer, each for at most the statement deadline and 10 s
  // (a middlebox answering for a stalled server included), less when shutdown interrupts the
  // archive's waits, and throws std::runtime_error when it cannot; TCP keepalives find a
  // silent peer within about a minute. nullptr when `location` is no PostgreSQL URL.
  static std::unique_ptr<ArchiveNotices> connect(const std::string& location);
  virtual ~ArchiveNotices() = default;

  // The connection's socket: readable when read() has something to do.
  virtual int socket() const = 0;
  // Reads what the server sent, without blocking, and appends the notices that came to
  // `out`. False when the connection is lost (then `out` holds what came before).
  virtual bool read(std::vector<Notice>& out) = 0;
};

}  // namespace winnow::archive
