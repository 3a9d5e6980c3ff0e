#include "daemon/ingest/robots_cache.h"

#include "parsers/url/normalize.h"

namespace winnow::ingest {
namespace {

// How long robots.txt answers are trusted (RFC 9309 asks for at most 24 hours).
constexpr std::chrono::hours kRobotsTtl{24};
// A robots.txt that could not be fetched (5xx, network) forbids the host this long.
constexpr std::chrono::minutes kRobotsRetry{30};

// "https://host[:port]/robots.txt" for an http(s) URL; empty for anything else.
std::string robots_url(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  std::string_view scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return {};
  auto path_start = url.find_first_of("/?#", scheme_end + 3);
  return std::string(url.substr(0, path_start)) + "/robots.txt";
}

// The path and query of a URL, as robots.txt rules see it.
std::string robots_path(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "/";
  auto path_start = url.find_first_of("/?", scheme_end + 3);
  if (path_start == std::string_view::npos) return "/";
  std::string path(url.substr(path_start));
  if (auto hash = path.find('#'); hash != std::string::npos) path.resize(hash);
  // Not insert(0, "/"): g++ 12 warns falsely (-Wrestrict) on it once inlined here.
  if (path.empty() || path[0] != '/') path.insert(path.begin(), '/');
  return path;
}

}  // namespace

RobotsCache::RobotsCache(HostBudgets& hosts, Fetch fetch, bool obey, std::string agent)
    : hosts_(hosts), fetch_(std::move(fetch)), obey_(obey), agent_(std::move(agent)) {}

void RobotsCache::check(const std::string& url, Done done, fetch::Origin origin) {
  std::string robots = robots_url(url);
  if (robots.empty() || !obey_) return done(true, false);
  std::string host = budget_key(url);
  robots = parsers::normalize_url(robots);  // one entry however the host is spelled
  Site& site = sites_[robots];
  auto now = std::chrono::steady_clock::now();
  if (site.known && site.expires > now) return done(site.rules.allowed(robots_path(url)), site.unreachable);
  site.waiting.push_back({url, std::move(done)});
  if (site.fetching) return;
  site.fetching = true;
  fetch::FetchRequest request;
  request.url = robots;
  request.accept = "text/plain";
  request.origin = origin;
  fetch_(robots, request, [this, host, robots](fetch::FetchResult r) { on_fetched(robots, host, r); });
}

void RobotsCache::on_fetched(const std::string& robots, const std::string& host, const fetch::FetchResult& r) {
  Site& site = sites_[robots];
  site.fetching = false;
  site.known = r.error != fetch::FetchErrc::cancelled;  // shutting down: no answer to keep
  auto now = std::chrono::steady_clock::now();
  site.unreachable = false;
  if (r.error == fetch::FetchErrc::ok && r.status >= 200 && r.status < 300) {
    site.rules = fetch::RobotsRules::parse(r.body, agent_);
    site.expires = now + kRobotsTtl;
  } else if (r.error == fetch::FetchErrc::ok && r.status >= 400 && r.status < 500) {
    site.rules = fetch::RobotsRules::allow_all();  // RFC 9309: "unavailable" means allowed
    site.expires = now + kRobotsTtl;
  } else if (r.error == fetch::FetchErrc::blocked_address) {
    // The page on that host will be refused the same way, and say so: no robots.txt
    // verdict must hide that (nor hold the entry back as "unreachable"). Kept for the retry
    // period only: an operator's URL on that host then asks again under its own policy.
    site.rules = fetch::RobotsRules::allow_all();
    site.expires = now + kRobotsRetry;
  } else {
    site.rules = fetch::RobotsRules::disallow_all();  // "unreachable": assume complete disallow
    site.expires = now + kRobotsRetry;
    site.unreachable = true;
    site.cause = r.error != fetch::FetchErrc::ok ? std::string(fetch::to_string(r.error))
                                                 : "status " + std::to_string(r.status);
  }
  if (auto delay = site.rules.crawl_delay_s()) hosts_.set_crawl_delay(host, *delay);
  auto waiting = std::move(site.waiting);
  site.waiting.clear();
  for (auto& [url, done] : waiting) done(site.rules.allowed(robots_path(url)), site.unreachable);
}

std::string RobotsCache::unreachable_cause(const std::string& url) const {
  auto it = sites_.find(robots_url(url));
  return it != sites_.end() && it->second.unreachable ? it->second.cause : std::string();
}

void RobotsCache::configure(bool obey, std::string agent) {
  obey_ = obey;
  if (agent == agent_) return;
  agent_ = std::move(agent);
  // Every answer is asked for again; fetches under way finish.
  std::erase_if(sites_, [](const auto& site) { return !site.second.fetching; });
}

}  // namespace winnow::ingest
