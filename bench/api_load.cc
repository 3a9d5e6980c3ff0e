#include "bench/api_load.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <random>
#include <thread>

namespace winnow::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// ---- one keep-alive connection -----------------------------------------------------------

struct KeepAliveConnection::Impl {
  Impl(std::string address, std::chrono::milliseconds timeout) : address(std::move(address)), timeout(timeout) {
    const auto colon = this->address.rfind(':');
    endpoint = tcp::endpoint(asio::ip::make_address(this->address.substr(0, colon)),
                             static_cast<unsigned short>(std::stoi(this->address.substr(colon + 1))));
  }

  // Runs the operation `start` begins to its end (the stream's timer bounds it).
  template <typename Start>
  beast::error_code run(Start start) {
    beast::error_code result;
    stream->expires_after(timeout);
    start([&result](beast::error_code ec, std::size_t) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  beast::error_code connect() {
    stream.emplace(ioc);
    buffer.clear();
    beast::error_code result;
    stream->expires_after(timeout);
    stream->async_connect(endpoint, [&result](beast::error_code ec) { result = ec; });
    ioc.restart();
    ioc.run();
    if (result) stream.reset();
    return result;
  }

  std::string address;
  std::chrono::milliseconds timeout;
  tcp::endpoint endpoint;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
};

KeepAliveConnection::KeepAliveConnection(std::string address, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(std::move(address), timeout)) {}

KeepAliveConnection::~KeepAliveConnection() = default;

KeepAliveConnection::Response KeepAliveConnection::get(const std::string& target, const std::string& if_none_match) {
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, impl_->address);
  request.set(http::field::user_agent, "winnow-api-bench");
  if (!if_none_match.empty()) request.set(http::field::if_none_match, if_none_match);
  request.keep_alive(true);
  Response out;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl_->stream.has_value();
    if (!reused) {
      if (auto ec = impl_->connect()) {
        out.error = "connect: " + ec.message();
        return out;
      }
      ++connects_;
    }
    auto ec = impl_->run([&](auto done) { http::async_write(*impl_->stream, request, done); });
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u << 20);
    if (!ec) ec = impl_->run([&](auto done) { http::async_read(*impl_->stream, impl_->buffer, parser, done); });
    if (ec) {
      impl_->stream.reset();
      // A kept connection the server closed between two requests: once more on a new one.
      const bool closed_while_idle = reused && !parser.got_some() &&
                                     (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                                      ec == asio::error::broken_pipe || ec == asio::error::eof);
      if (closed_while_idle) continue;
      out.error = (ec == beast::error::timeout ? std::string("timeout") : ec.message()) + " on " + target;
      return out;
    }
    auto response = parser.release();
    out.status = response.result_int();
    out.etag = std::string(response[http::field::etag]);
    out.body = std::move(response.body());
    if (!response.keep_alive()) impl_->stream.reset();
    return out;
  }
  out.error = "the server closed two connections in a row on " + target;
  return out;
}

// ---- the clients -------------------------------------------------------------------------

std::string_view to_string(Endpoint e) {
  switch (e) {
    case Endpoint::articles_cursor: return "/v1/articles (cursor)";
    case Endpoint::articles_random: return "/v1/articles (random)";
    case Endpoint::search: return "/v1/search";
    case Endpoint::full_atom: return "full.atom";
    case Endpoint::full_atom_conditional: return "full.atom (If-None-Match)";
  }
  return "?";
}

double percentile(const std::vector<double>& ms, double p) {
  if (ms.empty()) return 0;
  auto rank = std::size_t(std::ceil(p / 100.0 * double(ms.size())));
  return ms[std::min(ms.size() - 1, rank == 0 ? 0 : rank - 1)];
}

namespace {

// Out of 100 requests: 30 follow a cursor, 15 read a random page, 30 search, 12 read a
// feed's full.atom, 13 poll one of the client's 8 feeds with the ETag it last got (a feed
// reader's loop).
constexpr int kCursorShare = 30, kRandomShare = 15, kSearchShare = 30, kAtomShare = 12;
constexpr std::size_t kSubscriptions = 8;
constexpr std::size_t kKeptErrors = 8;

std::string next_cursor_of(const std::string& body) {
  constexpr std::string_view kKey = "\"next_cursor\":\"";
  const auto at = body.rfind(kKey);
  if (at == std::string::npos) return {};
  const auto end = body.find('"', at + kKey.size());
  return end == std::string::npos ? std::string() : body.substr(at + kKey.size(), end - at - kKey.size());
}

std::string url_words(std::string_view a, std::string_view b) {
  std::string q(a);
  if (!b.empty()) (q += '+') += b;
  return q;
}

}  // namespace

struct ApiLoad::State {
  LoadOptions options;
  std::atomic<bool> stopping{false};
  std::atomic<std::int64_t> max_cursor{0};
  Clock::time_point start;
  std::mutex mutex;  // guards what follows
  LoadResult result;
  std::vector<std::thread> threads;

  void client(int index) {
    std::mt19937_64 rng(0x5eed + std::uint64_t(index));
    KeepAliveConnection connection(options.address, options.timeout);
    EndpointStats stats[kEndpoints];
    std::vector<std::string> errors;
    std::string cursor = "0";
    std::vector<std::int64_t> subscriptions;
    std::vector<std::string> etags(kSubscriptions);
    for (std::size_t i = 0; i < kSubscriptions && !options.feed_ids.empty(); ++i)
      subscriptions.push_back(options.feed_ids[rng() % options.feed_ids.size()]);
    const bool paced = options.rate_per_s > 0;
    const auto period = paced ? std::chrono::duration<double>(double(options.clients) / options.rate_per_s)
                              : std::chrono::duration<double>(0);
    auto due = start + std::chrono::duration_cast<Clock::duration>(period * index / options.clients);

    while (!stopping.load(std::memory_order_relaxed)) {
      if (paced) {
        while (Clock::now() < due && !stopping.load(std::memory_order_relaxed))
          std::this_thread::sleep_until(std::min(due, Clock::now() + std::chrono::milliseconds(50)));
        if (stopping) break;
      } else {
        due = Clock::now();
      }
      const int pick = int(rng() % 100);
      Endpoint endpoint;
      std::string target, if_none_match;
      std::size_t subscription = 0;
      if (pick < kCursorShare) {
        endpoint = Endpoint::articles_cursor;
        target = "/v1/articles?after=" + cursor;
      } else if (pick < kCursorShare + kRandomShare) {
        endpoint = Endpoint::articles_random;
        const auto top = max_cursor.load(std::memory_order_relaxed);
        target = "/v1/articles?limit=20&after=" + std::to_string(top > 0 ? std::int64_t(rng() % std::uint64_t(top)) : 0);
      } else if (pick < kCursorShare + kRandomShare + kSearchShare || options.feed_ids.empty()) {
        endpoint = Endpoint::search;
        const auto& w = options.words;
        target = "/v1/search?q=" + url_words(w[rng() % w.size()], rng() % 2 ? w[rng() % w.size()] : std::string());
      } else if (pick < kCursorShare + kRandomShare + kSearchShare + kAtomShare) {
        endpoint = Endpoint::full_atom;
        target = "/v1/feeds/" + std::to_string(options.feed_ids[rng() % options.feed_ids.size()]) + "/full.atom";
      } else {
        endpoint = Endpoint::full_atom_conditional;
        subscription = rng() % subscriptions.size();
        target = "/v1/feeds/" + std::to_string(subscriptions[subscription]) + "/full.atom";
        if_none_match = etags[subscription];
      }

      const auto sent = Clock::now();
      auto response = connection.get(target, if_none_match);
      const auto answered = Clock::now();
      EndpointStats& s = stats[int(endpoint)];
      ++s.requests;
      s.latency_ms.push_back(std::chrono::duration<double, std::milli>(answered - due).count());
      s.service_ms.push_back(std::chrono::duration<double, std::milli>(answered - sent).count());
      s.bytes += response.body.size();
      const bool ok = (response.status >= 200 && response.status < 300) || response.status == 304;
      if (response.status == 304) ++s.not_modified;
      if (!ok) {
        ++s.errors;
        if (errors.size() < kKeptErrors)
          errors.push_back(response.status ? std::to_string(response.status) + " " + target + ": " +
                                                 response.body.substr(0, 200)
                                           : response.error);
      } else if (endpoint == Endpoint::articles_cursor) {
        if (auto next = next_cursor_of(response.body); !next.empty()) {
          cursor = next;
          const auto value = std::stoll(next);
          auto seen = max_cursor.load(std::memory_order_relaxed);
          while (value > seen && !max_cursor.compare_exchange_weak(seen, value)) {
          }
        }
      } else if (endpoint == Endpoint::full_atom_conditional && response.status == 200) {
        etags[subscription] = response.etag;
      }
      if (paced) due += std::chrono::duration_cast<Clock::duration>(period);
    }

    std::lock_guard lock(mutex);
    for (int i = 0; i < kEndpoints; ++i) {
      auto& to = result.by_endpoint[i];
      to.requests += stats[i].requests;
      to.errors += stats[i].errors;
      to.not_modified += stats[i].not_modified;
      to.bytes += stats[i].bytes;
      to.latency_ms.insert(to.latency_ms.end(), stats[i].latency_ms.begin(), stats[i].latency_ms.end());
      to.service_ms.insert(to.service_ms.end(), stats[i].service_ms.begin(), stats[i].service_ms.end());
    }
    result.connects += connection.connects();
    for (auto& e : errors)
      if (result.first_errors.size() < kKeptErrors) result.first_errors.push_back(std::move(e));
  }
};

ApiLoad::ApiLoad(LoadOptions options) : state_(std::make_unique<State>()) {
  state_->options = std::move(options);
  if (state_->options.words.empty()) state_->options.words = {"news"};
  state_->start = Clock::now();
  for (int i = 0; i < state_->options.clients; ++i) state_->threads.emplace_back([this, i] { state_->client(i); });
}

ApiLoad::~ApiLoad() { stop(); }

LoadResult ApiLoad::stop() {
  state_->stopping = true;
  for (auto& t : state_->threads)
    if (t.joinable()) t.join();
  std::lock_guard lock(state_->mutex);
  state_->result.seconds = std::chrono::duration<double>(Clock::now() - state_->start).count();
  for (auto& s : state_->result.by_endpoint) {
    std::sort(s.latency_ms.begin(), s.latency_ms.end());
    std::sort(s.service_ms.begin(), s.service_ms.end());
  }
  return state_->result;
}

}  // namespace winnow::bench
