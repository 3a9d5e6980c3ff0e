#pragma once
// robots.txt per scheme, host and port (RFC 9309 2.3: the rules of one authority say nothing
// about another), fetched once through the host's budget and kept 24 hours; every request
// asking meanwhile waits for that one fetch. A robots.txt that cannot be had (5xx, network)
// refuses its host for 30 minutes. Crawl-delays go to the host budgets.
//
// Loop thread only (construction, every member function, every callback).
#include <chrono>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/fetch/fetcher.h"
#include "daemon/fetch/robots.h"
#include "daemon/ingest/hosts.h"

namespace winnow::ingest {

class RobotsCache {
 public:
  // How robots.txt is fetched: through the host's budget, answering on the loop. The answer
  // may be FetchErrc::cancelled (shutting down): nothing is kept then.
  using Fetch = std::function<void(const std::string& url, fetch::FetchRequest request,
                                   std::function<void(fetch::FetchResult)> done)>;

  // `hosts` must outlive the cache. `obey` false allows every URL without asking; `agent` is
  // the product token matched against robots.txt groups.
  RobotsCache(HostBudgets& hosts, Fetch fetch, bool obey, std::string agent);
  RobotsCache(const RobotsCache&) = delete;
  RobotsCache& operator=(const RobotsCache&) = delete;

  // `done(allowed, for_now)`: `for_now` when robots.txt could not be had and the URL is
  // refused only until it is asked again. Runs at once when the answer is known (or the URL
  // is not http(s)), else once robots.txt is fetched. robots.txt is fetched under the
  // network policy of `origin`, the URL's; one the policy refuses allows everything (for a
  // while): the page's own fetch is refused the same way, and says so.
  using Done = std::function<void(bool allowed, bool for_now)>;
  void check(const std::string& url, Done done, fetch::Origin origin = fetch::Origin::discovered);

  // A reload. A new product token asks every answer again (fetches under way finish and
  // are parsed for the new token); `obey` applies from the next check.
  void configure(bool obey, std::string agent);

  // Why robots.txt for `url`'s site could not be had, when a check answered `for_now`: the
  // fetch error ("dns", "connect", "timeout") or "status 503"; empty otherwise.
  std::string unreachable_cause(const std::string& url) const;

 private:
  struct Site {
    fetch::RobotsRules rules = fetch::RobotsRules::allow_all();
    std::chrono::steady_clock::time_point expires{};
    bool known = false;
    bool fetching = false;
    bool unreachable = false;  // the rules are the stand-in "disallow all" of the retry period
    std::string cause;         // why unreachable
    std::vector<std::pair<std::string, Done>> waiting;
  };

  void on_fetched(const std::string& robots, const std::string& host, const fetch::FetchResult& r);

  HostBudgets& hosts_;
  Fetch fetch_;
  bool obey_;
  std::string agent_;
  std::unordered_map<std::string, Site> sites_;  // by normalized robots.txt URL
};

}  // namespace winnow::ingest
