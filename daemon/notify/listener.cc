#include "daemon/notify/listener.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <random>
#include <vector>

#include "daemon/archive/archive.h"
#include "daemon/log.h"

namespace winnow::notify {

namespace asio = boost::asio;

Listener::Listener(asio::io_context& loop, std::string location, ListenerHandlers handlers)
    : loop_(loop), location_(std::move(location)), handlers_(std::move(handlers)), socket_(loop), retry_timer_(loop) {}

Listener::~Listener() {
  stop();
  join_connect();
}

void Listener::start() { connect(); }

void Listener::stop() {
  stopped_ = true;
  retry_timer_.cancel();
  if (socket_.is_open()) {
    socket_.cancel();
    socket_.release();  // libpq owns the fd
  }
  notices_.reset();
  // A connect under way is not waited for here, on the loop: its result finds the listener
  // stopped. The destructor joins it.
}

void Listener::join_connect() {
  if (connecting_.joinable()) connecting_.join();
}

void Listener::connect() {
  if (stopped_) return;
  join_connect();  // the last attempt's thread has posted its result already
  // The thread holds no reference to the listener: the destructor joins it, so the listener
  // and the loop outlive it, and its result finds the listener through a weak_ptr.
  connecting_ = std::thread([&loop = loop_, location = location_, weak = weak_from_this()] {
    std::shared_ptr<archive::ArchiveNotices> notices;
    std::string error;
    try {
      notices = archive::ArchiveNotices::connect(location);
      if (!notices) error = "not a PostgreSQL archive";
    } catch (const std::exception& e) {
      error = e.what();
    }
    asio::post(loop, [weak, notices = std::move(notices), error = std::move(error)]() mutable {
      if (auto self = weak.lock()) self->connected(std::move(notices), error);
    });
  });
}

void Listener::connected(std::shared_ptr<archive::ArchiveNotices> notices, const std::string& error) {
  if (stopped_) return;
  if (!notices) {
    log::warning("archive listener cannot connect", {{"archive", archive::Archive::location_for_logs(location_)},
                                                     {"error", error},
                                                     {"retry_in_ms", retry_delay_.count()}});
    return retry_later();
  }
  boost::system::error_code ec;
  socket_.assign(notices->socket(), ec);
  if (ec) {
    log::warning("archive listener cannot wait on its socket", {{"error", ec.message()}});
    return retry_later();
  }
  notices_ = std::move(notices);
  ++connections_;
  retry_delay_ = kFirstRetry;
  log::info(was_connected_ ? "archive listener connected again" : "archive listener connected",
            {{"archive", archive::Archive::location_for_logs(location_)}});
  was_connected_ = true;
  wait();
  // Whatever was committed while no connection listened was announced to nobody.
  if (handlers_.on_resync) handlers_.on_resync();
}

void Listener::wait() {
  socket_.async_wait(asio::posix::stream_descriptor::wait_read,
                     [weak = weak_from_this()](const boost::system::error_code& ec) {
                       auto self = weak.lock();
                       if (!self || self->stopped_ || ec == asio::error::operation_aborted) return;
                       if (ec) return self->lost(ec.message());
                       self->on_readable();
                     });
}

void Listener::on_readable() {
  std::vector<archive::Notice> notices;
  const bool alive = notices_->read(notices);
  for (const auto& notice : notices) {
    log::debug("archive notice", {{"kind", notice.kind == archive::Notice::Kind::article ? "article" : "event"},
                                  {"id", notice.id}});
    if (handlers_.on_notice) handlers_.on_notice(notice);
    if (stopped_) return;  // a handler stopped the listener
  }
  if (!alive) return lost("the connection was closed");
  wait();
}

void Listener::lost(const std::string& why) {
  log::warning("archive listener lost its connection; notices wait for it to come back",
               {{"archive", archive::Archive::location_for_logs(location_)}, {"error", why},
                {"retry_in_ms", retry_delay_.count()}});
  if (socket_.is_open()) {
    boost::system::error_code ignored;
    socket_.cancel(ignored);
    socket_.release();
  }
  notices_.reset();
  retry_later();
}

void Listener::retry_later() {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  const auto delay = std::chrono::milliseconds(static_cast<std::int64_t>(double(retry_delay_.count()) * jitter(rng)));
  retry_delay_ = std::min(kMaxRetry, retry_delay_ * 2);
  retry_timer_.expires_after(delay);
  retry_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self || ec || self->stopped_) return;
    self->connect();
  });
}

}  // namespace winnow::notify
