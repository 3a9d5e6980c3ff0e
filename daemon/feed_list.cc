#include "daemon/feed_list.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_set>

namespace winnow {

std::vector<feeds::Subscription> configured_feeds(const Config& config) {
  std::vector<feeds::Subscription> out;
  std::unordered_set<std::string> seen;
  for (const auto& url : config.feed_urls)
    if (seen.insert(url).second) out.push_back({url, "", "", ""});
  if (!config.opml_path.empty()) {
    std::ifstream in(config.opml_path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read OPML file " + config.opml_path);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    auto subs = feeds::parse_opml(bytes.str());
    if (!subs) throw std::runtime_error(config.opml_path + ": " + subs.error().message());
    for (auto& s : *subs)
      if (seen.insert(s.url).second) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace winnow
