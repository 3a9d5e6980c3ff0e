#include "tests/daemon/test_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace winnow::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxRequestBodyBytes = 8u << 20;

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool iequals(std::string_view a, std::string_view b) { return lowercase(a) == lowercase(b); }

TestResponse plain_response(int status, std::string body) {
  TestResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string zlib_compress(std::string_view in, int window_bits) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

}  // namespace

std::string TestRequest::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::string TestServer::compress(std::string_view body, std::string_view encoding) {
  if (encoding == "gzip") return zlib_compress(body, 15 + 16);
  if (encoding == "deflate") return zlib_compress(body, 15);
  if (encoding == "br") {
    std::string out(BrotliEncoderMaxCompressedSize(body.size()) + 64, '\0');
    std::size_t size = out.size();
    if (!BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, body.size(),
                               reinterpret_cast<const uint8_t*>(body.data()), &size,
                               reinterpret_cast<uint8_t*>(out.data())))
      throw std::runtime_error("BrotliEncoderCompress failed");
    out.resize(size);
    return out;
  }
  if (encoding == "zstd") {
    std::string out(ZSTD_compressBound(body.size()), '\0');
    std::size_t size = ZSTD_compress(out.data(), out.size(), body.data(), body.size(), 3);
    if (ZSTD_isError(size)) throw std::runtime_error(ZSTD_getErrorName(size));
    out.resize(size);
    return out;
  }
  throw std::invalid_argument("unknown content encoding: " + std::string(encoding));
}

std::string http_date(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

namespace {

// Members are declared so that the io_context (and with it every session) is destroyed
// before the state sessions point to.
struct ServerCore {
  // --- state shared by the pool threads, under `mutex` ---
  mutable std::mutex mutex;
  std::map<std::string, TestServer::Handler, std::less<>> exact;
  std::map<std::string, TestServer::Handler, std::less<>> prefixes;  // without the trailing '*'
  TestServer::Handler fallback;
  std::vector<TestRequest> log;
  std::map<std::string, std::size_t, std::less<>> hits;
  bool record = true;
  int active = 0;
  int max_active = 0;
  std::size_t connections = 0;

  // --- networking ---
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::uint16_t port = 0;
  std::vector<std::thread> threads;

  TestServer::Handler find_handler(std::string_view path) const;
  void on_request(const TestRequest& request);
  void on_finished();
  void accept();
  asio::steady_timer accept_retry{io};
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerCore& server, tcp::socket socket)
      : server_(server), socket_(std::move(socket)), timer_(socket_.get_executor()) {}

  void start() { read(); }

 private:
  void read();
  void on_read(beast::error_code ec);
  void respond();
  void after_write(beast::error_code ec);
  void wait_for_close();
  void close();
  void finish_request();

  ServerCore& server_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  TestResponse plan_;
  bool keep_alive_ = true;
  bool close_after_write_ = false;
  bool in_request_ = false;  // counted in `active`
  bool is_head_ = false;     // answer with the headers a GET would get, without the body
  std::array<char, 512> drain_{};
};

void Session::read() {
  parser_.emplace();
  parser_->body_limit(kMaxRequestBodyBytes);
  http::async_read(socket_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     self->on_read(ec);
                   });
}

void Session::on_read(beast::error_code ec) {
  if (ec) {
    close();
    return;
  }
  auto& req = parser_->get();
  keep_alive_ = req.keep_alive();
  TestRequest r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  auto q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q != std::string::npos) r.query = r.target.substr(q + 1);
  for (const auto& field : req) {
    std::string name = lowercase(field.name_string());
    auto [it, inserted] = r.headers.emplace(name, std::string(field.value()));
    if (!inserted) it->second += ", " + std::string(field.value());
  }
  r.body = req.body();
  r.at = std::chrono::steady_clock::now();
  server_.on_request(r);
  in_request_ = true;

  TestServer::Handler handler = server_.find_handler(r.path);
  try {
    plan_ = handler(r);
  } catch (const std::exception& e) {
    plan_ = plain_response(500, std::string("handler threw: ") + e.what());
  } catch (...) {
    plan_ = plain_response(500, "handler threw");
  }
  is_head_ = r.method == "HEAD";

  if (plan_.delay.count() > 0) {
    timer_.expires_after(plan_.delay);
    timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (wait_ec) return self->close();
      self->respond();
    });
  } else {
    respond();
  }
}

void Session::respond() {
  using Fault = TestResponse::Fault;
  if (plan_.fault == Fault::reset) {
    beast::error_code ignored;
    socket_.set_option(asio::socket_base::linger(true, 0), ignored);
    socket_.close(ignored);
    finish_request();
    return;
  }

  std::string body = std::move(plan_.body);
  http::response<http::string_body> res;
  res.result(static_cast<unsigned>(plan_.status));
  res.version(11);
  bool declared_length = false;
  bool chunked = false;
  std::size_t declared = 0;
  for (const auto& [name, value] : plan_.headers) {
    if (iequals(name, "content-length")) {
      declared_length = true;
      declared = std::strtoull(value.c_str(), nullptr, 10);
    }
    if (iequals(name, "transfer-encoding") && iequals(value, "chunked")) {
      chunked = true;
      continue;  // res.chunked() sets it
    }
    res.insert(name, value);
  }
  if (!plan_.encoding.empty()) {
    try {
      body = TestServer::compress(body, plan_.encoding);
      res.set(http::field::content_encoding, plan_.encoding);
    } catch (const std::exception& e) {
      res.result(http::status::internal_server_error);
      body = e.what();
    }
  }
  bool bodiless_status = plan_.status < 200 || plan_.status == 204 || plan_.status == 304;
  if (chunked) {
    res.chunked(true);
  } else if (!declared_length && !bodiless_status) {
    declared = body.size();
    res.content_length(body.size());
  }
  if (plan_.fault == Fault::stall) {
    if (!declared_length && !chunked) res.content_length(std::max<std::size_t>(body.size(), 1));
    body.clear();
    keep_alive_ = false;
  } else if (plan_.fault == Fault::close_early) {
    if (!declared_length) res.content_length(body.size());
    body.resize(body.size() / 2);
    close_after_write_ = true;
  } else if (declared_length && body.size() < declared) {
    close_after_write_ = true;  // promised more than it sends: only a close ends it
  }
  if (is_head_) body.clear();
  res.keep_alive(keep_alive_ && !close_after_write_);
  res.body() = std::move(body);
  response_ = std::move(res);

  http::async_write(socket_, response_,
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->after_write(ec);
                    });
}

void Session::after_write(beast::error_code ec) {
  if (ec) {
    close();
    return;
  }
  if (plan_.fault == TestResponse::Fault::stall) {
    wait_for_close();  // still "being handled" until the client gives up
    return;
  }
  finish_request();
  if (close_after_write_ || !keep_alive_) {
    close();
    return;
  }
  read();
}

void Session::wait_for_close() {
  socket_.async_read_some(asio::buffer(drain_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) return self->close();
                            self->wait_for_close();
                          });
}

void Session::close() {
  finish_request();
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void Session::finish_request() {
  if (!in_request_) return;
  in_request_ = false;
  server_.on_finished();
}

TestServer::Handler ServerCore::find_handler(std::string_view path) const {
  std::lock_guard lock(mutex);
  if (auto it = exact.find(path); it != exact.end()) return it->second;
  const TestServer::Handler* best = nullptr;
  std::size_t best_length = 0;
  for (const auto& [prefix, handler] : prefixes) {
    if (path.substr(0, prefix.size()) == prefix && (!best || prefix.size() >= best_length)) {
      best = &handler;
      best_length = prefix.size();
    }
  }
  if (best) return *best;
  if (fallback) return fallback;
  return [](const TestRequest&) { return plain_response(404, "not found"); };
}

void ServerCore::on_request(const TestRequest& request) {
  std::lock_guard lock(mutex);
  ++hits[request.path];
  if (record) log.push_back(request);
  max_active = std::max(max_active, ++active);
}

void ServerCore::on_finished() {
  std::lock_guard lock(mutex);
  --active;
}

void ServerCore::accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      {
        std::lock_guard lock(mutex);
        ++connections;
      }
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(*this, std::move(socket))->start();
    }
    if (!ec) return accept();
    // EMFILE and the like pass when connections close; retry without spinning.
    accept_retry.expires_after(std::chrono::milliseconds(10));
    accept_retry.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec) accept();
    });
  });
}

}  // namespace

struct TestServer::Impl {
  ServerCore core;
};

TestServer::TestServer(unsigned threads, std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  impl_->core.acceptor.open(endpoint.protocol());
  impl_->core.acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->core.acceptor.bind(endpoint);
  impl_->core.acceptor.listen(asio::socket_base::max_listen_connections);
  impl_->core.port = impl_->core.acceptor.local_endpoint().port();
  impl_->core.accept();
  for (unsigned i = 0; i < std::max(1u, threads); ++i)
    impl_->core.threads.emplace_back([io = &impl_->core.io] { io->run(); });
}

TestServer::~TestServer() {
  // Stopping the io_context abandons every session; destroying it (with Impl) frees them
  // and closes their sockets.
  impl_->core.io.stop();
  for (auto& t : impl_->core.threads) t.join();
}

void TestServer::route(std::string path, Handler handler) {
  std::lock_guard lock(impl_->core.mutex);
  if (!path.empty() && path.back() == '*') {
    path.pop_back();
    impl_->core.prefixes[std::move(path)] = std::move(handler);
  } else {
    impl_->core.exact[std::move(path)] = std::move(handler);
  }
}

void TestServer::route(std::string path, TestResponse fixed) {
  route(std::move(path), [fixed = std::move(fixed)](const TestRequest&) { return fixed; });
}

void TestServer::fallback(Handler handler) {
  std::lock_guard lock(impl_->core.mutex);
  impl_->core.fallback = std::move(handler);
}

std::string TestServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(impl_->core.port) + std::string(path);
}

std::uint16_t TestServer::port() const { return impl_->core.port; }

std::vector<TestRequest> TestServer::requests() const {
  std::lock_guard lock(impl_->core.mutex);
  return impl_->core.log;
}

std::size_t TestServer::hits(std::string_view path) const {
  std::lock_guard lock(impl_->core.mutex);
  auto it = impl_->core.hits.find(path);
  return it == impl_->core.hits.end() ? 0 : it->second;
}

int TestServer::max_concurrent() const {
  std::lock_guard lock(impl_->core.mutex);
  return impl_->core.max_active;
}

std::size_t TestServer::connections() const {
  std::lock_guard lock(impl_->core.mutex);
  return impl_->core.connections;
}

void TestServer::set_record_requests(bool on) {
  std::lock_guard lock(impl_->core.mutex);
  impl_->core.record = on;
}

void TestServer::clear_log() {
  std::lock_guard lock(impl_->core.mutex);
  impl_->core.log.clear();
  impl_->core.hits.clear();
  impl_->core.max_active = impl_->core.active;
  impl_->core.connections = 0;
}

}  // namespace winnow::testing
