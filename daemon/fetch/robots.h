#pragma once
// robots.txt (RFC 9309) for one user agent. Pure; any thread.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace winnow::fetch {

class RobotsRules {
 public:
  // Everything allowed (no robots.txt, or a 4xx for it, per RFC 9309).
  static RobotsRules allow_all();
  // Nothing allowed (a 5xx or unreachable robots.txt: RFC 9309 says assume complete disallow).
  static RobotsRules disallow_all();
  // Parses `body` for `agent` (the product token, e.g. "winnow"): the groups naming the agent
  // (case-insensitive prefix match of the token), else the "*" groups; Allow/Disallow with
  // "*" and "$" patterns, the longest match wins, Allow wins ties; Crawl-delay (seconds, may
  // be fractional). Tolerates BOMs, CRLF, comments, unknown lines and garbage; reads at
  // most the first 500 KiB (RFC 9309's limit).
  static RobotsRules parse(std::string_view body, std::string_view agent);

  // `path` is the URL's path plus query, starting with "/" (percent-encoding compared as given).
  bool allowed(std::string_view path) const;
  std::optional<double> crawl_delay_s() const { return crawl_delay_s_; }

 private:
  struct Rule {
    std::string pattern;
    bool allow;
  };
  std::vector<Rule> rules_;
  std::optional<double> crawl_delay_s_;
  bool disallow_all_ = false;
};

}  // namespace winnow::fetch
