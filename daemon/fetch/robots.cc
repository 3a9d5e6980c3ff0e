#include "daemon/fetch/robots.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>

#include "base/ascii.h"

namespace winnow::fetch {
namespace {

// RFC 9309 §2.5: crawlers must parse at least 500 KiB.
constexpr std::size_t kMaxRobotsBytes = 500 * 1024;

using base::iequals;

// RFC 9309 product tokens are [a-zA-Z_-]; digits are allowed too in practice.
bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// "winnow", "Winnow/0.1" and "winnow (+https://...)" name the agent "winnow"; "winnowbot"
// does not.
bool names_agent(std::string_view value, std::string_view agent) {
  if (agent.empty() || value.size() < agent.size()) return false;
  if (!iequals(value.substr(0, agent.size()), agent)) return false;
  return value.size() == agent.size() || !is_token_char(value[agent.size()]);
}

enum class Key { user_agent, allow, disallow, crawl_delay, other };

// Accepts the spellings seen in the wild besides the standard ones.
Key classify(std::string_view key) {
  if (iequals(key, "user-agent") || iequals(key, "useragent") || iequals(key, "user agent"))
    return Key::user_agent;
  if (iequals(key, "allow")) return Key::allow;
  if (iequals(key, "disallow") || iequals(key, "dissallow") || iequals(key, "disalow") ||
      iequals(key, "disallaw") || iequals(key, "diasllow"))
    return Key::disallow;
  if (iequals(key, "crawl-delay") || iequals(key, "crawldelay") || iequals(key, "crawl delay"))
    return Key::crawl_delay;
  return Key::other;
}

std::optional<double> parse_delay(std::string_view v) {
  double d = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec != std::errc() || end == v.data() || !std::isfinite(d) || d < 0) return std::nullopt;
  return d;
}

// Does `pattern` match a prefix of `path` (all of it when the pattern ends in '$')? '*'
// matches any run of octets. Tracks the set of path positions the pattern prefix can end at,
// so the cost is O(|path| * |pattern|) with no backtracking blow-up.
bool matches(std::string_view path, std::string_view pattern) {
  bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) pattern.remove_suffix(1);
  std::vector<std::size_t> pos{0};
  std::vector<std::size_t> next;
  for (char c : pattern) {
    if (c == '*') {
      std::size_t from = pos.front();  // sorted ascending
      pos.clear();
      for (std::size_t p = from; p <= path.size(); ++p) pos.push_back(p);
      continue;
    }
    next.clear();
    for (std::size_t p : pos)
      if (p < path.size() && path[p] == c) next.push_back(p + 1);
    if (next.empty()) return false;
    pos.swap(next);
  }
  if (!anchored) return true;
  return std::find(pos.begin(), pos.end(), path.size()) != pos.end();
}

struct Group {
  bool is_star = false;
  bool is_ours = false;
  std::vector<std::pair<std::string, bool>> rules;  // pattern, allow
  std::optional<double> crawl_delay_s;
};

}  // namespace

RobotsRules RobotsRules::allow_all() { return RobotsRules(); }

RobotsRules RobotsRules::disallow_all() {
  RobotsRules r;
  r.disallow_all_ = true;
  return r;
}

RobotsRules RobotsRules::parse(std::string_view body, std::string_view agent) {
  if (body.size() > kMaxRobotsBytes) {
    body = body.substr(0, kMaxRobotsBytes);
    // A line cut in the middle could turn "Allow: /public" into "Allow: /": drop it.
    auto last_eol = body.find_last_of("\r\n");
    body = last_eol == std::string_view::npos ? std::string_view() : body.substr(0, last_eol);
  }
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);

  std::vector<Group> groups;
  bool in_agent_lines = false;  // the last meaningful line was a user-agent line
  while (!body.empty()) {
    auto eol = body.find_first_of("\r\n");
    std::string_view line = body.substr(0, eol);
    body = eol == std::string_view::npos ? std::string_view() : body.substr(eol + 1);

    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // blank, comment or garbage
    // A line holds no CR or LF: trimming ASCII space trims its blanks, tabs, VT and FF.
    Key key = classify(base::trim_ascii_space(line.substr(0, colon)));
    std::string_view value = base::trim_ascii_space(line.substr(colon + 1));

    switch (key) {
      case Key::user_agent: {
        if (!in_agent_lines) groups.emplace_back();
        in_agent_lines = true;
        Group& g = groups.back();
        if (value == "*")
          g.is_star = true;
        else if (names_agent(value, agent))
          g.is_ours = true;
        break;
      }
      case Key::allow:
      case Key::disallow: {
        in_agent_lines = false;
        if (groups.empty() || value.empty()) break;  // before any group; empty = no rule
        std::string pattern(value);
        if (pattern.front() != '/' && pattern.front() != '*') pattern.insert(0, 1, '/');
        groups.back().rules.emplace_back(std::move(pattern), key == Key::allow);
        break;
      }
      case Key::crawl_delay: {
        in_agent_lines = false;
        if (groups.empty()) break;
        if (auto d = parse_delay(value); d && !groups.back().crawl_delay_s)
          groups.back().crawl_delay_s = d;
        break;
      }
      case Key::other:
        // Sitemap and other records neither belong to a group nor end one's agent lines
        // (RFC 9309 §2.2.4).
        break;
    }
  }

  bool any_ours = std::any_of(groups.begin(), groups.end(), [](const Group& g) { return g.is_ours; });
  RobotsRules result;
  for (Group& g : groups) {
    if (any_ours ? !g.is_ours : !g.is_star) continue;
    for (auto& [pattern, allow] : g.rules) result.rules_.push_back({std::move(pattern), allow});
    if (!result.crawl_delay_s_) result.crawl_delay_s_ = g.crawl_delay_s;
  }
  return result;
}

bool RobotsRules::allowed(std::string_view path) const {
  if (path == "/robots.txt") return true;  // RFC 9309 §2.2.2: implicitly allowed
  if (disallow_all_) return false;
  std::size_t best_length = 0;
  bool best_allow = true;
  bool found = false;
  for (const Rule& r : rules_) {
    if (!matches(path, r.pattern)) continue;
    if (!found || r.pattern.size() > best_length ||
        (r.pattern.size() == best_length && r.allow && !best_allow)) {
      best_length = r.pattern.size();
      best_allow = r.allow;
      found = true;
    }
  }
  return !found || best_allow;
}

}  // namespace winnow::fetch
