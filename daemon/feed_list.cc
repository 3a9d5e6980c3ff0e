#include "daemon/feed_list.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_set>

#include "base/ascii.h"

namespace winnow {

std::string feed_url_problem(std::string_view url, bool allow_file) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (!base::istarts_with(url, scheme)) continue;
    std::string_view rest = url.substr(scheme.size());
    if (rest.empty() || rest.front() == '/' || rest.front() == '?' || rest.front() == '#')
      return "no host in " + std::string(url);
    if (rest.find_first_of(" \t\r\n") != std::string_view::npos) return "blanks in " + std::string(url);
    return {};
  }
  if (allow_file && base::istarts_with(url, "file:///")) return {};
  std::size_t colon = url.find(':');
  std::string scheme = colon == std::string_view::npos ? std::string() : base::to_lower(url.substr(0, colon));
  if (scheme.empty() || scheme.find_first_of("/?#") != std::string::npos)
    return "not a URL (http:// or https:// expected): " + std::string(url);
  return scheme + ": URLs cannot be feeds, only http:// and https://" +
         std::string(allow_file ? " (or file:/// in the configuration)" : "") + ": " + std::string(url);
}

std::vector<feeds::Subscription> configured_feeds(const Config& config) {
  std::vector<feeds::Subscription> out;
  std::unordered_set<std::string> seen;
  auto check = [&](const std::string& url, const std::string& where) {
    if (std::string problem = feed_url_problem(url, true); !problem.empty())
      throw std::runtime_error(where + ": " + problem);
  };
  for (const auto& url : config.feed_urls) {
    check(url, "feeds.urls");
    if (seen.insert(url).second) out.push_back({url, "", "", ""});
  }
  if (!config.opml_path.empty()) {
    std::ifstream in(config.opml_path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read OPML file " + config.opml_path);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    auto subs = feeds::parse_opml(bytes.str());
    if (!subs) throw std::runtime_error(config.opml_path + ": " + subs.error().message());
    for (auto& s : *subs) {
      check(s.url, config.opml_path);
      if (seen.insert(s.url).second) out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace winnow
