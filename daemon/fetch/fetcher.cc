#include "daemon/fetch/fetcher.h"

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <curl/curl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "base/ascii.h"
#include "daemon/fetch/address_policy.h"
#include "daemon/fetch/http_headers.h"

namespace winnow::fetch {

namespace asio = boost::asio;

namespace {

// Sent when the request names no Accept: pages and every feed format, anything else last.
constexpr const char* kDefaultAccept =
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/feed+json,application/json;q=0.9,application/xml;q=0.9,text/xml;q=0.9,"
    "*/*;q=0.8";

struct CurlEasyFree {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyFree>;

struct CurlMultiFree {
  void operator()(CURLM* h) const noexcept { curl_multi_cleanup(h); }
};
using CurlMulti = std::unique_ptr<CURLM, CurlMultiFree>;

struct CurlSlistFree {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistFree>;

// curl_global_init is not thread-safe before 7.84 and must run once; a function-local static
// does that before the first Fetcher. Never cleaned up: other threads may still use curl.
void init_curl_once() {
  static const bool done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)done;
}

class Engine;

struct Transfer {
  Engine* engine = nullptr;
  FetchRequest request;
  Fetcher::Callback done;
  std::chrono::steady_clock::time_point started;
  bool is_file = false;
  std::size_t max_body_bytes = 0;
  // Redirect state.
  std::string current_url;
  std::vector<std::string> visited;  // loop_key of every URL asked for
  int redirects = 0;
  bool all_permanent = true;
  std::string operator_host;  // the host of an operator's URL: its redirects there are trusted
  // This hop.
  std::string host;           // of current_url, as the allow list matches it
  bool trusted = false;       // any address will do (the operator's URL or host)
  std::optional<IpAddress> refused;
  AddressClass refused_range = AddressClass::global;
  ResponseHeaders headers;
  std::string body;
  bool over_limit = false;     // the write callback refused bytes past max_body_bytes
  bool callback_failed = false;  // an exception was caught in a curl callback
  char error_buffer[CURL_ERROR_SIZE] = {};
  // Declared before `easy` so they outlive it.
  CurlSlist request_headers;
  CurlEasy easy;
};

// The state handlers reach through a weak_ptr: the Fetcher destroys it, a handler still
// queued on the loop then finds it gone (or `closed_`) and returns without touching it.
class Engine : public std::enable_shared_from_this<Engine> {
 public:
  Engine(asio::io_context& loop, FetcherOptions options)
      : loop_(loop), options_(std::move(options)), timer_(loop) {
    policy_.allow_private = options_.allow_private;
    for (const auto& entry : options_.allow_hosts)
      if (!policy_.allow.add(entry)) throw std::invalid_argument("bad allow_hosts entry: " + entry);
  }
  ~Engine() { close(); }

  // Second phase: curl's callbacks get `this`; nothing can fire before fetch().
  bool open();
  void fetch(FetchRequest request, Fetcher::Callback done);
  void cancel_all(bool notify);
  void close();
  std::size_t in_flight() const { return transfers_.size(); }

 private:
  struct Watch {
    explicit Watch(asio::io_context& loop) : descriptor(loop) {}
    // Asio must never close curl's socket: hand the descriptor back before destruction.
    ~Watch() { release(); }
    void release() {
      if (!descriptor.is_open()) return;
      boost::system::error_code ignored;
      descriptor.cancel(ignored);
      descriptor.release();
    }
    asio::posix::stream_descriptor descriptor;
    int wanted = 0;  // CURL_POLL_IN / OUT / INOUT
    bool reading = false;
    bool writing = false;
  };

  static int on_socket(CURL* easy, curl_socket_t s, int what, void* engine, void* socketp);
  static int on_timer(CURLM* multi, long timeout_ms, void* engine);
  static curl_socket_t on_open_socket(void* engine, curlsocktype purpose,
                                      struct curl_sockaddr* address);
  static int on_close_socket(void* engine, curl_socket_t s);
  static int on_prereq(void* transfer, char* primary_ip, char* local_ip, int primary_port, int local_port);
  static bool may_connect(Transfer& t, const std::optional<IpAddress>& address);
  static size_t on_write(char* data, size_t size, size_t count, void* transfer);
  static size_t on_header(char* data, size_t size, size_t count, void* transfer);

  void drop_watch(curl_socket_t s);
  void arm(curl_socket_t s, const std::shared_ptr<Watch>& watch);
  void on_ready(curl_socket_t s, int select, const std::shared_ptr<Watch>& watch);
  void on_timeout();
  void check_done();

  bool configure(Transfer& t);
  void start_hop(Transfer& t);
  void finish_hop(Transfer* t, CURLcode rc);
  void complete(Transfer* t, FetchErrc error, std::string message);
  void deliver(Fetcher::Callback done, FetchResult result);

  asio::io_context& loop_;
  FetcherOptions options_;
  AddressPolicy policy_;
  CurlMulti multi_;
  asio::steady_timer timer_;
  std::uint64_t timer_generation_ = 0;
  std::unordered_map<curl_socket_t, std::shared_ptr<Watch>> watches_;
  std::unordered_set<curl_socket_t> own_sockets_;  // opened by on_open_socket, not closed yet
  std::unordered_map<Transfer*, std::unique_ptr<Transfer>> transfers_;
  bool closed_ = false;
};

bool Engine::open() {
  init_curl_once();
  multi_.reset(curl_multi_init());
  if (!multi_) return false;
  CURLM* m = multi_.get();
  curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, &Engine::on_socket);
  curl_multi_setopt(m, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, &Engine::on_timer);
  curl_multi_setopt(m, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(options_.max_connections));
  curl_multi_setopt(m, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  return true;
}

// --- curl callbacks: they only arm or drop Asio waits and never call back into curl ---

int Engine::on_socket(CURL*, curl_socket_t s, int what, void* engine, void*) {
  auto* self = static_cast<Engine*>(engine);
  try {
    if (what == CURL_POLL_REMOVE) {
      self->drop_watch(s);
      return 0;
    }
    // A descriptor curl opened itself (its resolver's socketpair) may have been closed and
    // its number reused without a CURL_POLL_REMOVE in between: watch it afresh each time.
    if (!self->own_sockets_.count(s)) self->drop_watch(s);
    auto& watch = self->watches_[s];
    if (!watch) {
      auto w = std::make_shared<Watch>(self->loop_);
      boost::system::error_code ec;
      w->descriptor.assign(s, ec);
      if (ec) {
        self->watches_.erase(s);
        return -1;
      }
      watch = std::move(w);
    }
    watch->wanted = what;
    self->arm(s, watch);
    return 0;
  } catch (...) {
    return -1;
  }
}

int Engine::on_timer(CURLM*, long timeout_ms, void* engine) {
  auto* self = static_cast<Engine*>(engine);
  try {
    std::uint64_t generation = ++self->timer_generation_;
    if (timeout_ms < 0) {
      self->timer_.cancel();
      return 0;
    }
    self->timer_.expires_after(std::chrono::milliseconds(timeout_ms));
    self->timer_.async_wait(
        [weak = self->weak_from_this(), generation](const boost::system::error_code& ec) {
          if (ec == asio::error::operation_aborted) return;
          auto e = weak.lock();
          if (!e || e->closed_ || generation != e->timer_generation_) return;
          e->on_timeout();
        });
    return 0;
  } catch (...) {
    return -1;
  }
}

// The network policy, on the address a connection is about to use: after DNS (so a name
// that resolves, or rebinds, to 127.0.0.1 is caught), for every hop of a redirect chain.
// Records the first refusal of the hop, which finish_hop reports.
bool Engine::may_connect(Transfer& t, const std::optional<IpAddress>& address) {
  if (t.trusted || !address) return true;
  auto refused = t.engine->policy_.refusal(*address, t.host);
  if (!refused) return true;
  if (!t.refused) {
    t.refused = *address;
    t.refused_range = *refused;
  }
  return false;
}

// The fetcher opens and closes every connection socket itself, so a descriptor number is
// never reused while Asio still watches the old one: a stale watch left on the same number
// (curl closes its resolver's socketpair before it says CURL_POLL_REMOVE) is dropped here.
// A refused address gets no socket, so no packet leaves for it.
curl_socket_t Engine::on_open_socket(void* transfer, curlsocktype purpose,
                                     struct curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(transfer);
  auto* self = t->engine;
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  try {
    if (!may_connect(*t, address_of(&address->addr, address->addrlen))) return CURL_SOCKET_BAD;
  } catch (...) {
    return CURL_SOCKET_BAD;
  }
  int s = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  if (s < 0) return CURL_SOCKET_BAD;
  try {
    self->drop_watch(s);
    self->own_sockets_.insert(s);
  } catch (...) {
    ::close(s);
    return CURL_SOCKET_BAD;
  }
  return s;
}

int Engine::on_close_socket(void* engine, curl_socket_t s) {
  auto* self = static_cast<Engine*>(engine);
  try {
    self->drop_watch(s);
    self->own_sockets_.erase(s);
  } catch (...) {
  }
  return ::close(s);
}

// A connection curl reuses was opened for another transfer, perhaps an operator's to the
// same address: check it again before this transfer's request goes out on it.
int Engine::on_prereq(void* transfer, char* primary_ip, char*, int, int) {
  auto* t = static_cast<Transfer*>(transfer);
  try {
    // Through a Unix socket there is no address to check here.
    auto address = IpAddress::parse(primary_ip ? primary_ip : "");
    return may_connect(*t, address) ? CURL_PREREQFUNC_OK : CURL_PREREQFUNC_ABORT;
  } catch (...) {
    return CURL_PREREQFUNC_ABORT;
  }
}

size_t Engine::on_write(char* data, size_t size, size_t count, void* transfer) {
  auto* t = static_cast<Transfer*>(transfer);
  std::size_t n = size * count;
  if (t->body.size() + n > t->max_body_bytes) {
    t->over_limit = true;
    return CURL_WRITEFUNC_ERROR;
  }
  try {
    t->body.append(data, n);
  } catch (...) {
    t->callback_failed = true;
    return CURL_WRITEFUNC_ERROR;
  }
  return n;
}

size_t Engine::on_header(char* data, size_t size, size_t count, void* transfer) {
  auto* t = static_cast<Transfer*>(transfer);
  std::size_t n = size * count;
  try {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    read_header_line(std::string_view(data, n), now, t->headers);
  } catch (...) {
    t->callback_failed = true;
    return CURL_WRITEFUNC_ERROR;
  }
  return n;
}

// --- Asio side ---

void Engine::drop_watch(curl_socket_t s) {
  auto it = watches_.find(s);
  if (it == watches_.end()) return;
  it->second->release();
  watches_.erase(it);
}

void Engine::arm(curl_socket_t s, const std::shared_ptr<Watch>& watch) {
  auto weak = weak_from_this();
  if ((watch->wanted & CURL_POLL_IN) && !watch->reading) {
    watch->reading = true;
    watch->descriptor.async_wait(
        asio::posix::stream_descriptor::wait_read,
        [weak, s, watch](const boost::system::error_code& ec) {
          watch->reading = false;
          if (ec == asio::error::operation_aborted) return;
          auto e = weak.lock();
          if (!e || e->closed_) return;
          e->on_ready(s, ec ? CURL_CSELECT_ERR : CURL_CSELECT_IN, watch);
        });
  }
  if ((watch->wanted & CURL_POLL_OUT) && !watch->writing) {
    watch->writing = true;
    watch->descriptor.async_wait(
        asio::posix::stream_descriptor::wait_write,
        [weak, s, watch](const boost::system::error_code& ec) {
          watch->writing = false;
          if (ec == asio::error::operation_aborted) return;
          auto e = weak.lock();
          if (!e || e->closed_) return;
          e->on_ready(s, ec ? CURL_CSELECT_ERR : CURL_CSELECT_OUT, watch);
        });
  }
}

void Engine::on_ready(curl_socket_t s, int select, const std::shared_ptr<Watch>& watch) {
  auto it = watches_.find(s);
  if (it == watches_.end() || it->second != watch) return;  // dropped or replaced meanwhile
  if (select != CURL_CSELECT_ERR) {
    int wanted_bit = select == CURL_CSELECT_IN ? CURL_POLL_IN : CURL_POLL_OUT;
    if (!(watch->wanted & wanted_bit)) return;  // curl lost interest since the wait began
  }
  int running = 0;
  curl_multi_socket_action(multi_.get(), s, select, &running);
  check_done();
  it = watches_.find(s);
  if (!closed_ && it != watches_.end() && it->second == watch) arm(s, watch);
}

void Engine::on_timeout() {
  int running = 0;
  curl_multi_socket_action(multi_.get(), CURL_SOCKET_TIMEOUT, 0, &running);
  check_done();
}

void Engine::check_done() {
  int left = 0;
  while (!closed_) {
    CURLMsg* msg = curl_multi_info_read(multi_.get(), &left);
    if (!msg) break;
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    CURLcode rc = msg->data.result;  // msg dies with curl_multi_remove_handle
    Transfer* t = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
    curl_multi_remove_handle(multi_.get(), easy);
    if (t) finish_hop(t, rc);
  }
}

// --- transfers ---

bool Engine::configure(Transfer& t) {
  t.easy.reset(curl_easy_init());
  if (!t.easy) return false;
  CURL* e = t.easy.get();
  curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https,file");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // every encoding this curl decodes
  curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_bytes);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, options_.low_speed_time_s);
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(std::min<std::size_t>(
                       options_.max_body_bytes,
                       static_cast<std::size_t>(std::numeric_limits<curl_off_t>::max()))));
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error_buffer);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Engine::on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Engine::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Engine::on_open_socket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t);
  curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, &Engine::on_prereq);
  curl_easy_setopt(e, CURLOPT_PREREQDATA, &t);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, &Engine::on_close_socket);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, this);
  if (!options_.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options_.ca_file.c_str());

  curl_slist* list = nullptr;
  auto add = [&list](const std::string& line) {
    curl_slist* grown = curl_slist_append(list, line.c_str());
    if (!grown) return false;
    list = grown;
    return true;
  };
  bool ok = add(header_line("Accept", t.request.accept.empty() ? std::string_view(kDefaultAccept)
                                                                : t.request.accept));
  if (ok && !t.request.etag.empty()) ok = add(header_line("If-None-Match", t.request.etag));
  if (ok && !t.request.last_modified.empty())
    ok = add(header_line("If-Modified-Since", t.request.last_modified));
  t.request_headers.reset(list);
  if (!ok) return false;
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
  return true;
}

// Adds the easy handle for `t.current_url`; the total timeout spans all hops.
void Engine::start_hop(Transfer& t) {
  auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - t.started)
                        .count();
  long remaining_ms = options_.total_timeout_ms - static_cast<long>(elapsed_ms);
  if (options_.total_timeout_ms > 0 && remaining_ms <= 0) {
    complete(&t, FetchErrc::timeout, "total timeout reached while following redirects");
    return;
  }
  t.headers = ResponseHeaders();
  t.body.clear();
  t.over_limit = false;
  t.error_buffer[0] = '\0';
  t.host = host_of(t.current_url);
  t.trusted = !t.operator_host.empty() && t.host == t.operator_host;
  t.refused.reset();
  CURL* e = t.easy.get();
  curl_easy_setopt(e, CURLOPT_URL, t.current_url.c_str());
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, options_.total_timeout_ms > 0 ? remaining_ms : 0L);
  // On https, wait for a connection being set up to the same host: HTTP/2 may multiplex.
  curl_easy_setopt(e, CURLOPT_PIPEWAIT, base::istarts_with(t.current_url, "https:") ? 1L : 0L);
  CURLMcode mc = curl_multi_add_handle(multi_.get(), e);
  if (mc != CURLM_OK) complete(&t, FetchErrc::other, curl_multi_strerror(mc));
}

void Engine::finish_hop(Transfer* t, CURLcode rc) {
  if (t->callback_failed) {
    complete(t, FetchErrc::other, "out of memory in a curl callback");
    return;
  }
  if (rc != CURLE_OK && t->refused) {
    complete(t, FetchErrc::blocked_address,
             "refused " + t->refused->to_string() + " for " + t->current_url + ": " +
                 std::string(to_string(t->refused_range)));
    return;
  }
  if (rc != CURLE_OK) {
    FetchErrc error = map_curl_error(rc, t->over_limit);
    std::string message = t->error_buffer[0] ? t->error_buffer : curl_easy_strerror(rc);
    if (error == FetchErrc::too_large)
      message = "body over " + std::to_string(options_.max_body_bytes) + " bytes";
    complete(t, error, std::move(message));
    return;
  }
  long status = 0;
  curl_easy_getinfo(t->easy.get(), CURLINFO_RESPONSE_CODE, &status);
  if (t->is_file || !is_redirect(status) || t->headers.location.empty()) {
    complete(t, FetchErrc::ok, {});
    return;
  }
  if (t->redirects >= options_.max_redirects) {
    complete(t, FetchErrc::too_many_redirects,
             "more than " + std::to_string(options_.max_redirects) + " redirects");
    return;
  }
  std::string next = resolve_location(t->current_url, t->headers.location);
  if (next.empty() || scheme_of(next) != Scheme::http) {
    complete(t, FetchErrc::bad_url, "unusable redirect to " + t->headers.location);
    return;
  }
  std::string key = loop_key(next);
  if (std::find(t->visited.begin(), t->visited.end(), key) != t->visited.end()) {
    complete(t, FetchErrc::redirect_loop, "redirect loop at " + next);
    return;
  }
  t->visited.push_back(std::move(key));
  t->all_permanent = t->all_permanent && (status == 301 || status == 308);
  ++t->redirects;
  t->current_url = std::move(next);
  start_hop(*t);
}

void Engine::complete(Transfer* t, FetchErrc error, std::string message) {
  auto it = transfers_.find(t);
  if (it == transfers_.end()) return;
  std::unique_ptr<Transfer> owned = std::move(it->second);
  transfers_.erase(it);

  FetchResult r;
  r.error = error;
  r.error_message = std::move(message);
  r.url = std::move(owned->request.url);
  r.final_url = owned->current_url;
  if (error == FetchErrc::blocked_address && owned->refused) {
    r.blocked_address = owned->refused->to_string();
    r.blocked_range = to_string(owned->refused_range);
  }
  r.redirects = owned->redirects;
  r.permanent_redirect = owned->redirects > 0 && owned->all_permanent;
  if (owned->easy) {
    long status = 0;
    curl_easy_getinfo(owned->easy.get(), CURLINFO_RESPONSE_CODE, &status);
    r.status = status;
    long version = CURL_HTTP_VERSION_NONE;
    curl_easy_getinfo(owned->easy.get(), CURLINFO_HTTP_VERSION, &version);
    r.http_version = http_version_name(version);
  }
  if (owned->is_file) r.status = error == FetchErrc::ok ? 200 : 0;
  r.content_type = std::move(owned->headers.content_type);
  r.etag = std::move(owned->headers.etag);
  r.last_modified = std::move(owned->headers.last_modified);
  r.retry_after_s = owned->headers.retry_after_s;
  r.max_age_s = owned->headers.max_age_s;
  if (error == FetchErrc::ok) r.body = std::move(owned->body);
  if (error == FetchErrc::ok && !owned->is_file && owned->headers.head_complete)
    r.http_head = std::move(owned->headers.head);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - owned->started)
                  .count();
  deliver(std::move(owned->done), std::move(r));
  // `owned` (and its easy handle, already out of the multi handle) dies here.
}

void Engine::deliver(Fetcher::Callback done, FetchResult result) {
  asio::post(loop_, [weak = weak_from_this(), done = std::move(done),
                     result = std::move(result)]() mutable {
    auto e = weak.lock();
    if (!e || e->closed_ || !done) return;
    try {
      done(std::move(result));
    } catch (...) {
      // A throwing callback is a bug of the caller; it must not unwind through Asio.
      std::terminate();
    }
  });
}

void Engine::fetch(FetchRequest request, Fetcher::Callback done) {
  auto owned = std::make_unique<Transfer>();
  Transfer* t = owned.get();
  t->engine = this;
  if (request.origin == Origin::operator_given) t->operator_host = host_of(request.url);
  t->started = std::chrono::steady_clock::now();
  t->current_url = request.url;
  t->request = std::move(request);
  t->done = std::move(done);
  t->max_body_bytes = options_.max_body_bytes;
  transfers_.emplace(t, std::move(owned));

  Scheme scheme = scheme_of(t->current_url);
  if (scheme == Scheme::bad) {
    complete(t, FetchErrc::bad_url, "not an http, https or file URL: " + t->current_url);
    return;
  }
  t->is_file = scheme == Scheme::file;
  if (t->is_file) {
    // Strip a fragment so curl does not look for "name#frag" on disk.
    if (auto hash = t->current_url.find('#'); hash != std::string::npos)
      t->current_url.resize(hash);
  }
  t->visited.push_back(loop_key(t->current_url));
  if (!configure(*t)) {
    complete(t, FetchErrc::other, "could not set up a curl handle");
    return;
  }
  start_hop(*t);
}

void Engine::cancel_all(bool notify) {
  auto transfers = std::move(transfers_);
  transfers_.clear();
  for (auto& [raw, t] : transfers) {
    curl_multi_remove_handle(multi_.get(), t->easy.get());  // harmless if not added
    if (notify) {
      FetchResult r;
      r.error = FetchErrc::cancelled;
      r.error_message = "cancelled";
      r.url = std::move(t->request.url);
      r.final_url = t->current_url;
      r.redirects = t->redirects;
      deliver(std::move(t->done), std::move(r));
    }
  }
}

void Engine::close() {
  if (closed_) return;
  cancel_all(false);
  closed_ = true;
  // curl closes its cached connections here and calls on_socket / on_close_socket.
  multi_.reset();
  for (auto& [s, watch] : watches_) watch->release();
  watches_.clear();
  timer_.cancel();
}

}  // namespace

struct Fetcher::Impl {
  std::shared_ptr<Engine> engine;
};

Fetcher::Fetcher(boost::asio::io_context& loop, FetcherOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->engine = std::make_shared<Engine>(loop, std::move(options));
  if (!impl_->engine->open()) throw std::runtime_error("curl_multi_init failed");
}

Fetcher::~Fetcher() { impl_->engine->close(); }

void Fetcher::fetch(FetchRequest request, Callback done) {
  impl_->engine->fetch(std::move(request), std::move(done));
}

void Fetcher::cancel_all() { impl_->engine->cancel_all(true); }

std::size_t Fetcher::in_flight() const { return impl_->engine->in_flight(); }

}  // namespace winnow::fetch
