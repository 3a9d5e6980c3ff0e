#include "tests/daemon/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <variant>

namespace winnow::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using local = asio::local::stream_protocol;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

template <typename Socket>
constexpr bool is_socket = !std::is_same_v<Socket, std::monostate>;

// A connected socket of either kind, driven by one io_context with run_for() as the timeout.
class Connection {
 public:
  explicit Connection(const std::string& address) {
    if (address.starts_with("unix:")) {
      auto& s = socket_.emplace<local::socket>(ioc_);
      s.connect(local::endpoint(address.substr(5)));
    } else {
      const auto colon = address.rfind(':');
      auto& s = socket_.emplace<tcp::socket>(ioc_);
      s.connect(tcp::endpoint(asio::ip::make_address(address.substr(0, colon)),
                              static_cast<unsigned short>(std::stoi(address.substr(colon + 1)))));
    }
  }

  // Runs `start(socket, done)` until done is called or the deadline; false on timeout.
  template <typename Start>
  bool run(Start start, std::chrono::steady_clock::time_point deadline) {
    bool finished = false;
    std::visit([&](auto& s) { start(s, [&finished] { finished = true; }); }, socket_);
    ioc_.restart();
    while (!finished && std::chrono::steady_clock::now() < deadline)
      ioc_.run_one_until(deadline);
    if (!finished) {
      std::visit([](auto& s) {
        boost::system::error_code ignored;
        if constexpr (is_socket<std::decay_t<decltype(s)>>) s.cancel(ignored);
      }, socket_);
      ioc_.restart();
      ioc_.run();
    }
    return finished;
  }

  // Writes all of `bytes`; false on timeout (`error` says how it failed otherwise).
  bool write(const std::string& bytes, std::chrono::steady_clock::time_point deadline, boost::system::error_code& error) {
    return run([&](auto& s, auto done) {
      if constexpr (is_socket<std::decay_t<decltype(s)>>)
        asio::async_write(s, asio::buffer(bytes), [&, done](boost::system::error_code ec, std::size_t) {
          error = ec;
          done();
        });
    }, deadline);
  }

  // Reads what has come, up to `size` bytes, into `data`; false on timeout.
  bool read_some(char* data, std::size_t size, std::chrono::steady_clock::time_point deadline, std::size_t& got,
                 boost::system::error_code& error) {
    return run([&](auto& s, auto done) {
      if constexpr (is_socket<std::decay_t<decltype(s)>>)
        s.async_read_some(asio::buffer(data, size), [&, done](boost::system::error_code ec, std::size_t n) {
          error = ec;
          got = n;
          done();
        });
    }, deadline);
  }

  void close() {
    std::visit([](auto& s) {
      boost::system::error_code ignored;
      if constexpr (is_socket<std::decay_t<decltype(s)>>) s.close(ignored);
    }, socket_);
  }

 private:
  asio::io_context ioc_;
  std::variant<std::monostate, tcp::socket, local::socket> socket_;
};

}  // namespace

boost::json::value ClientResponse::json() const { return boost::json::parse(body); }

std::string ClientResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

ClientResponse http_request(const std::string& address, const std::string& method, const std::string& target,
                            const Headers& headers, const std::string& body, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Connection connection(address);
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, address.starts_with("unix:") ? "localhost" : address);
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  if (!body.empty() || method == "POST" || method == "PUT") request.prepare_payload();
  request.keep_alive(false);
  boost::system::error_code error;
  if (!connection.run([&](auto& s, auto done) {
        if constexpr (is_socket<std::decay_t<decltype(s)>>)
          http::async_write(s, request, [&, done](boost::system::error_code ec, std::size_t) {
            error = ec;
            done();
          });
      }, deadline))
    throw std::runtime_error("http_request: timed out writing " + target);
  if (error) throw std::runtime_error("http_request: " + error.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256u << 20);
  if (!connection.run([&](auto& s, auto done) {
        if constexpr (is_socket<std::decay_t<decltype(s)>>)
          http::async_read(s, buffer, parser, [&, done](boost::system::error_code ec, std::size_t) {
            error = ec;
            done();
          });
      }, deadline))
    throw std::runtime_error("http_request: timed out reading the answer to " + target);
  if (error) throw std::runtime_error("http_request: " + target + ": " + error.message());
  auto response = parser.release();
  ClientResponse out;
  out.status = response.result_int();
  for (const auto& field : response) out.headers[lower(std::string(field.name_string()))] = std::string(field.value());
  out.body = std::move(response.body());
  return out;
}

std::string raw_exchange(const std::string& address, const std::string& bytes, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Connection connection(address);
  boost::system::error_code error;
  connection.write(bytes, deadline, error);
  std::string answer;
  char chunk[4096];
  std::size_t got = 0;
  while (!error && connection.read_some(chunk, sizeof chunk, deadline, got, error)) answer.append(chunk, got);
  return answer;
}

struct SseClient::Impl {
  explicit Impl(const std::string& address) : connection(address) {}
  Connection connection;
};

SseClient::SseClient(const std::string& address, const std::string& target, const std::string& last_event_id)
    : impl_(new Impl(address)) {
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: " + address + "\r\nAccept: text/event-stream\r\n";
  if (!last_event_id.empty()) request += "Last-Event-ID: " + last_event_id + "\r\n";
  request += "\r\n";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  boost::system::error_code error;
  impl_->connection.write(request, deadline, error);
  if (error) throw std::runtime_error("SseClient: " + error.message());
  std::size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
    if (!fill(deadline)) throw std::runtime_error("SseClient: no response head for " + target + ": " + buffer_);
  const std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  status_ = std::stoi(head.substr(9, 3));
  std::size_t line_start = head.find("\r\n");
  while (line_start != std::string::npos) {
    const auto next = head.find("\r\n", line_start + 2);
    const std::string line = head.substr(line_start + 2, next == std::string::npos ? std::string::npos : next - line_start - 2);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      headers_[lower(line.substr(0, colon))] = value;
    }
    line_start = next;
  }
}

SseClient::~SseClient() {
  impl_->connection.close();
  delete impl_;
}

bool SseClient::fill(std::chrono::steady_clock::time_point deadline) {
  if (closed_) return false;
  char chunk[8192];
  std::size_t got = 0;
  boost::system::error_code error;
  if (!impl_->connection.read_some(chunk, sizeof chunk, deadline, got, error)) return false;
  buffer_.append(chunk, got);
  if (error) closed_ = true;
  return got > 0;
}

std::optional<SseEvent> SseClient::next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::size_t end;
    while ((end = buffer_.find("\n\n")) == std::string::npos)
      if (!fill(deadline)) return std::nullopt;
    const std::string block = buffer_.substr(0, end);
    buffer_.erase(0, end + 2);
    SseEvent event;
    bool has_data = false;
    std::size_t start = 0;
    while (start <= block.size()) {
      auto nl = block.find('\n', start);
      if (nl == std::string::npos) nl = block.size();
      const std::string line = block.substr(start, nl - start);
      start = nl + 1;
      if (line.empty()) continue;
      if (line.front() == ':') {
        ++comments_;
        continue;
      }
      const auto colon = line.find(':');
      const std::string field = line.substr(0, colon);
      std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (field == "id") event.id = value;
      else if (field == "event") event.event = value;
      else if (field == "data") {
        if (has_data) event.data += '\n';
        event.data += value;
        has_data = true;
      }
    }
    if (has_data) return event;
  }
}

}  // namespace winnow::testing
