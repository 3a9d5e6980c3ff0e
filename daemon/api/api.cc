#include "daemon/api/api.h"

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>

#include "daemon/api/api_impl.h"
#include "daemon/archive/article_json.h"
#include "daemon/log.h"
#include "feeds/opml/opml.h"

namespace winnow::api {
namespace {

namespace asio = boost::asio;

// "/v1/articles/12/raw" -> {"v1", "articles", "12", "raw"}.
std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start < path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// Compares without leaking through the time taken how much of the token matched (only
// whether the length did, which the token's configured minimum makes worthless to know).
bool same_secret(std::string_view given, std::string_view token) {
  if (token.empty() || given.size() != token.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < token.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ token[i]);
  return diff == 0;
}

HttpResponse method_not_allowed(std::string_view allow) {
  auto response = error_response(http::status::method_not_allowed, "method_not_allowed",
                                 "this resource takes " + std::string(allow));
  response.set(http::field::allow, allow);
  return response;
}

bool is_http_url(std::string_view url) {
  return url.starts_with("http://") || url.starts_with("https://");
}

}  // namespace

ApiOptions api_options_from(const Config& config) {
  ApiOptions options;
  options.listen = config.api_listen;
  options.unix_socket = config.api_socket;
  options.token = config.api_token;
  options.public_url = config.api_public_url;
  options.limits.max_connections = config.api_max_connections;
  options.limits.max_body_bytes = config.api_max_body_bytes;
  options.limits.idle_timeout = std::chrono::seconds(config.api_idle_timeout_s);
  options.limits.request_timeout = std::chrono::seconds(config.api_request_timeout_s);
  options.readers = config.api_readers;
  options.heartbeat = std::chrono::milliseconds(std::int64_t(config.api_heartbeat_s * 1000));
  return options;
}

Api::Impl::Impl(asio::io_context& loop, archive::ArchiveWorker& writer, ingest::Ingest& ingest,
                const std::string& archive_path, ApiOptions options, DaemonState state)
    : loop(loop),
      writer(writer),
      ingest(ingest),
      options(std::move(options)),
      state(std::move(state)),
      readers(archive_path, this->options.readers),
      watch_timer(loop) {}

Api::Api(asio::io_context& loop, archive::ArchiveWorker& writer, ingest::Ingest& ingest,
         const std::string& archive_path, ApiOptions options, DaemonState state)
    : impl_(std::make_shared<Impl>(loop, writer, ingest, archive_path, std::move(options), std::move(state))) {
  std::weak_ptr<Impl> weak = impl_;
  impl_->server = std::make_unique<Server>(loop, impl_->options.listen, impl_->options.unix_socket,
                                           impl_->options.limits, [weak](std::shared_ptr<Exchange> ex) {
                                             if (auto impl = weak.lock()) impl->handle(std::move(ex));
                                           });
  if (!impl_->options.listen.empty() || !impl_->options.unix_socket.empty())
    log::info("api listening", {{"address", impl_->server->tcp_address()}, {"socket", impl_->options.unix_socket},
                                {"writing", impl_->options.token.empty() ? "off" : "token"}});
}

Api::~Api() {
  impl_->stopped = true;
  impl_->end_streams();
  impl_->watch_timer.cancel();
  impl_->server.reset();
}

const std::string& Api::tcp_address() const { return impl_->server->tcp_address(); }

void Api::reconfigure(const ApiOptions& options) {
  impl_->options.token = options.token;
  impl_->options.public_url = options.public_url;
  impl_->options.heartbeat = options.heartbeat;
  impl_->options.watch_interval = options.watch_interval;
  impl_->options.first_poll_wait = options.first_poll_wait;
}

void Api::articles_committed(std::optional<std::int64_t> newest) {
  if (impl_->stopped) return;
  impl_->wake_streams(newest.value_or(INT64_MAX));
}

void Api::stop() {
  impl_->stopped = true;
  impl_->server->stop_accepting();
  impl_->end_streams();
}

void Api::Impl::fail(const std::shared_ptr<Exchange>& ex, std::exception_ptr error) {
  std::string what = "unknown error";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  // The archive's messages can quote SQL; they go to the log, not to clients.
  log::warning("api request failed", {{"target", std::string(ex->request().target())}, {"error", what}});
  ex->respond(error_response(http::status::service_unavailable, "archive_unavailable",
                             "the archive could not be read; see the daemon's log"));
}

void Api::Impl::handle(std::shared_ptr<Exchange> ex) {
  const auto& request = ex->request();
  auto parsed = boost::urls::parse_origin_form(request.target());
  if (!parsed) {
    ex->respond(error_response(http::status::bad_request, "bad_target", "the request target is not a path and query"));
    return;
  }
  try {
    route(ex, *parsed);
  } catch (const std::exception& e) {
    log::warning("api request failed", {{"target", std::string(request.target())}, {"error", e.what()}});
    ex->respond(error_response(http::status::internal_server_error, "internal", "the request failed; see the daemon's log"));
  }
}

void Api::Impl::route(const std::shared_ptr<Exchange>& ex, const boost::urls::url_view& url) {
  const auto method = ex->request().method();
  const auto parts = segments(url.path());
  const QueryParams params(url);
  // HEAD is a GET whose body the server leaves out.
  const bool get = method == http::verb::get || method == http::verb::head;
  auto only_get = [&] {
    if (get) return true;
    ex->respond(method_not_allowed("GET, HEAD"));
    return false;
  };
  auto not_found = [&] {
    ex->respond(error_response(http::status::not_found, "not_found", "no such resource: " + std::string(url.path())));
  };

  if (parts.size() == 1 && parts[0] == "healthz") {
    if (only_get()) ex->respond(json_response(http::status::ok, {{"status", "ok"}}));
    return;
  }
  if (parts.size() == 1 && parts[0] == "readyz") {
    if (!only_get()) return;
    const bool ready = !stopped && (!state.ready || state.ready());
    ex->respond(ready ? json_response(http::status::ok, {{"status", "ready"}})
                      : error_response(http::status::service_unavailable, "not_ready",
                                       stopped ? "the daemon is stopping" : "the archive takes no writes"));
    return;
  }
  if (parts.size() == 1 && parts[0] == "metrics" && state.metrics) {
    if (only_get())
      ex->respond(text_response(http::status::ok, state.metrics(), "text/plain; version=0.0.4; charset=utf-8"));
    return;
  }
  if (parts.empty() || parts[0] != "v1") return not_found();

  if (parts.size() == 2 && parts[1] == "articles") {
    if (only_get()) list_articles(ex, params);
    return;
  }
  if ((parts.size() == 3 || (parts.size() == 4 && parts[3] == "raw")) && parts[1] == "articles") {
    if (!only_get()) return;
    auto id = parse_integer(parts[2], 1, INT64_MAX);
    if (!id) return not_found();
    if (parts.size() == 4) return get_raw(ex, *id);
    return get_article(ex, *id, params);
  }
  if (parts.size() == 2 && parts[1] == "search") {
    if (only_get()) search(ex, params);
    return;
  }
  if (parts.size() == 2 && parts[1] == "stream") {
    if (only_get()) open_stream(ex, params);
    return;
  }
  if (parts.size() == 2 && parts[1] == "feeds") {
    if (get) return list_feeds(ex);
    if (method != http::verb::post) return ex->respond(method_not_allowed("GET, HEAD, POST"));
    if (authorized(ex)) add_feeds(ex);
    return;
  }
  if (parts.size() == 4 && parts[1] == "feeds" && (parts[3] == "full.atom" || parts[3] == "full.json")) {
    if (!only_get()) return;
    auto id = parse_integer(parts[2], 1, INT64_MAX);
    if (!id) return not_found();
    return serve_full_feed(ex, {*id}, parts[3] == "full.atom" ? FeedOutFormat::atom : FeedOutFormat::json, params);
  }
  if (parts.size() == 2 && (parts[1] == "full.atom" || parts[1] == "full.json")) {
    if (only_get()) full_feed_by_query(ex, parts[1] == "full.atom" ? FeedOutFormat::atom : FeedOutFormat::json, params);
    return;
  }
  if (parts.size() == 3 && parts[1] == "feeds") {
    auto id = parse_integer(parts[2], 1, INT64_MAX);
    if (!id) return not_found();
    if (get) return get_feed(ex, *id);
    if (method != http::verb::delete_) return ex->respond(method_not_allowed("GET, HEAD, DELETE"));
    if (authorized(ex)) remove_feed(ex, *id);
    return;
  }
  if (parts.size() == 2 && parts[1] == "crawl") {
    if (method != http::verb::post) return ex->respond(method_not_allowed("POST"));
    if (authorized(ex)) crawl(ex);
    return;
  }
  not_found();
}

bool Api::Impl::authorized(const std::shared_ptr<Exchange>& ex) {
  if (options.token.empty()) {
    ex->respond(error_response(http::status::forbidden, "writing_disabled",
                               "writing through the API is off: set [api] token in winnowd's configuration"));
    return false;
  }
  const auto header = ex->request()[http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() > kBearer.size() && std::equal(kBearer.begin(), kBearer.end(), header.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
      }) && same_secret(header.substr(kBearer.size()), options.token))
    return true;
  auto response = error_response(http::status::unauthorized, "unauthorized",
                                 header.empty() ? "this endpoint needs Authorization: Bearer TOKEN"
                                                : "the token is not the one configured");
  response.set(http::field::www_authenticate, "Bearer realm=\"winnow\"");
  ex->respond(std::move(response));
  return false;
}

std::string Api::Impl::base_url(const Exchange& ex) const {
  if (!options.public_url.empty()) return options.public_url;
  std::string host(ex.request()[http::field::host]);
  // A Host header is the client's to write: keep it only when it looks like one.
  const bool plausible = !host.empty() && host.size() < 256 && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
  });
  return "http://" + (plausible ? host : std::string("localhost"));
}


void Api::Impl::list_feeds(const std::shared_ptr<Exchange>& ex) {
  read<std::vector<archive::FeedRow>>(
      ex, [](archive::Archive& a) { return a.feeds(); },
      [ex](std::vector<archive::FeedRow> rows) {
        boost::json::array feeds;
        for (const auto& row : rows) feeds.push_back(archive::feed_json(row));
        ex->respond(json_response(http::status::ok, {{"feeds", std::move(feeds)}}));
      });
}

void Api::Impl::get_feed(const std::shared_ptr<Exchange>& ex, std::int64_t id) {
  read<std::optional<archive::FeedRow>>(
      ex, [id](archive::Archive& a) { return a.feed(id); },
      [ex](std::optional<archive::FeedRow> row) {
        if (!row) return ex->respond(error_response(http::status::not_found, "not_found", "no such feed"));
        ex->respond(json_response(http::status::ok, archive::feed_json(*row)));
      });
}

namespace {

// The feeds a POST /v1/feeds body names, or the answer refusing it. A JSON body
// {"url": ..., "title"?, "category"?} or {"urls": [...]}, or an OPML document.
struct FeedsBody {
  std::vector<ingest::Ingest::Subscription> subs;
  std::optional<HttpResponse> refusal;
};

FeedsBody parse_feeds_body(const HttpRequest& request) {
  auto refuse = [](HttpResponse answer) { return FeedsBody{{}, std::move(answer)}; };
  const std::string type(request[http::field::content_type]);
  FeedsBody parsed;
  auto& subs = parsed.subs;
  if (type.find("json") != std::string::npos) {
    boost::system::error_code ec;
    auto body = boost::json::parse(request.body(), ec);
    const auto* object = ec ? nullptr : body.if_object();
    if (!object) return refuse(error_response(http::status::bad_request, "bad_body", "the body is not a JSON object"));
    auto string_of = [&](const char* key) {
      const auto* v = object->if_contains(key);
      return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    if (const auto* urls = object->if_contains("urls"); urls && urls->is_array()) {
      for (const auto& u : urls->as_array()) {
        if (!u.is_string())
          return refuse(error_response(http::status::unprocessable_entity, "bad_url", "urls: strings only"));
        subs.push_back({std::string(u.as_string()), "", string_of("category")});
      }
    } else if (object->contains("url")) {
      subs.push_back({string_of("url"), string_of("title"), string_of("category")});
    }
  } else if (type.find("xml") != std::string::npos || type.find("opml") != std::string::npos) {
    auto outline = feeds::parse_opml(request.body());
    if (!outline)
      return refuse(error_response(http::status::bad_request, "bad_opml",
                    "the body is not an OPML document: " + outline.error().message()));
    for (const auto& f : *outline) subs.push_back({f.url, f.title, f.category});
  } else {
    return refuse(error_response(http::status::unsupported_media_type, "unsupported_media_type",
                  "send application/json ({\"url\": ...}) or an OPML document (text/x-opml)"));
  }
  for (const auto& s : subs)
    if (!is_http_url(s.url) || s.url.size() > 4096)
      return refuse(error_response(http::status::unprocessable_entity, "bad_url",
                                   "not an http or https URL: " + s.url.substr(0, 200)));
  if (subs.empty()) return refuse(error_response(http::status::unprocessable_entity, "no_feeds", "the body names no feed"));
  return parsed;
}

}  // namespace

void Api::Impl::add_feeds(const std::shared_ptr<Exchange>& ex) {
  // An OPML body is up to max_body_kb of XML: parsed on a reader, not the loop.
  readers.run<FeedsBody>(loop, [ex] { return parse_feeds_body(ex->request()); },
                         [this, self = shared_from_this(), ex](FeedsBody parsed, std::exception_ptr error) {
                           if (error) return fail(ex, error);
                           if (parsed.refusal) return ex->respond(std::move(*parsed.refusal));
                           subscribe(ex, std::move(parsed.subs));
                         });
}

void Api::Impl::subscribe(const std::shared_ptr<Exchange>& ex, std::vector<ingest::Ingest::Subscription> subs) {
  auto ids = std::make_shared<std::vector<std::pair<std::int64_t, bool>>>();
  writer.post(
      [subs, ids](archive::Archive& a) {
        ids->clear();  // a batch run again (archive_worker.h) starts over
        for (const auto& s : subs) {
          const bool known = a.feed_by_url(s.url).has_value();
          ids->emplace_back(a.add_feed(s.url, s.title, s.category), !known);
        }
      },
      [this, self = shared_from_this(), ex, subs, ids](std::exception_ptr error) mutable {
        asio::post(loop, [this, self, ex, subs = std::move(subs), ids, error]() mutable {
          if (error) return fail(ex, error);
          ingest.subscribe(std::move(subs));  // polls the new ones at once
          boost::json::array out;
          bool created = false;
          for (const auto& [id, is_new] : *ids) {
            out.push_back({{"id", id}, {"created", is_new}});
            created |= is_new;
          }
          ex->respond(json_response(created ? http::status::created : http::status::ok, {{"feeds", std::move(out)}}));
        });
      });
}

void Api::Impl::remove_feed(const std::shared_ptr<Exchange>& ex, std::int64_t id) {
  auto removed = std::make_shared<bool>(false);
  writer.post([id, removed](archive::Archive& a) { *removed = a.remove_feed(id); },
              [this, self = shared_from_this(), ex, removed](std::exception_ptr error) {
                asio::post(loop, [this, self, ex, removed, error] {
                  if (error) return fail(ex, error);
                  if (!*removed)
                    return ex->respond(error_response(http::status::not_found, "not_found", "no such feed"));
                  ingest.start();  // stops polling it
                  ex->respond(json_response(http::status::ok, {{"removed", true}}));
                });
              });
}

void Api::Impl::crawl(const std::shared_ptr<Exchange>& ex) {
  if (std::string(ex->request()[http::field::content_type]).find("json") == std::string::npos)
    return ex->respond(error_response(http::status::unsupported_media_type, "unsupported_media_type",
                                      "send application/json: {\"urls\": [...]}"));
  boost::system::error_code ec;
  auto body = boost::json::parse(ex->request().body(), ec);
  const auto* urls = !ec && body.is_object() ? body.as_object().if_contains("urls") : nullptr;
  if (!urls || !urls->is_array())
    return ex->respond(error_response(http::status::bad_request, "bad_body", "send {\"urls\": [\"https://...\", ...]}"));
  if (urls->as_array().empty())
    return ex->respond(error_response(http::status::unprocessable_entity, "no_urls", "the list of URLs is empty"));
  std::vector<std::string> list;
  for (const auto& u : urls->as_array()) {
    if (!u.is_string() || !is_http_url(u.as_string()))
      return ex->respond(error_response(http::status::unprocessable_entity, "bad_url", "every URL must be http or https"));
    list.emplace_back(u.as_string());
  }
  constexpr std::size_t kMaxCrawl = 1000;
  if (list.size() > kMaxCrawl)
    return ex->respond(error_response(http::status::unprocessable_entity, "too_many_urls",
                                      "at most " + std::to_string(kMaxCrawl) + " URLs per crawl"));
  const auto count = list.size();
  log::info("api crawl", {{"urls", count}, {"peer", ex->peer()}});
  ingest.crawl(std::move(list), false, {}, [] {});
  // The articles arrive as any others: through /v1/articles, the stream and webhooks.
  ex->respond(json_response(http::status::accepted, {{"queued", count}}));
}

}  // namespace winnow::api
