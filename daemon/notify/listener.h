#pragma once
// Hears on the Asio loop what any winnowd commits to a shared PostgreSQL archive (archive/
// notices.h): the API's live streams and the webhook dispatcher are told of articles and
// events stored by any instance as they commit, not only at their next look.
//
// The connection is made on a thread of the listener's own (connecting and LISTEN wait for
// the server, each for at most 10 s, archive/postgres/notices.h); once made, its socket is
// waited on with the loop's posix::stream_descriptor and read without blocking
// (PQconsumeInput, PQnotifies). A lost connection (a server restart, a terminated backend, a
// partition that keepalives found) is logged and made again after 1 s, doubling to 30 s,
// jittered. Notices sent meanwhile are lost, so after every (re)connection `on_resync` runs:
// consumers read from their cursor then, as they would after a notice.
//
// Loop thread only, but for the constructor. stop() never waits: a connect under way is
// joined by the destructor (at most its deadlines; at once after interrupt_all()).
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "daemon/archive/notices.h"

namespace winnow::notify {

struct ListenerHandlers {
  std::function<void(const archive::Notice&)> on_notice;  // on the loop, per notice
  std::function<void()> on_resync;                       // on the loop, after each connection made
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Nothing happens before start(). `loop` must outlive the listener.
  Listener(boost::asio::io_context& loop, std::string location, ListenerHandlers handlers);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Starts connecting. The listener must be owned by a shared_ptr.
  void start();
  // Closes the connection and cancels the waits; no handler runs afterwards.
  void stop();
  bool connected() const { return notices_ != nullptr; }
  // Connections made so far (the first and every reconnection); for tests and logs.
  int connections() const { return connections_; }

  static constexpr std::chrono::milliseconds kFirstRetry{1000};
  static constexpr std::chrono::milliseconds kMaxRetry{30000};

 private:
  void connect();
  void connected(std::shared_ptr<archive::ArchiveNotices> notices, const std::string& error);
  void wait();
  void on_readable();
  void lost(const std::string& why);
  void retry_later();
  void join_connect();

  boost::asio::io_context& loop_;
  const std::string location_;
  const ListenerHandlers handlers_;
  std::shared_ptr<archive::ArchiveNotices> notices_;
  boost::asio::posix::stream_descriptor socket_;  // notices_'s fd, not owned: released, never closed
  boost::asio::steady_timer retry_timer_;
  std::chrono::milliseconds retry_delay_ = kFirstRetry;
  std::thread connecting_;  // the connect under way, if any
  bool stopped_ = false;
  bool was_connected_ = false;  // to log a reconnection as one
  int connections_ = 0;
};

}  // namespace winnow::notify
