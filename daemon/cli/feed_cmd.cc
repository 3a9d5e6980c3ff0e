// `winnow feed parse|discover`: a feed, or the feeds a page offers, from a saved file.
#include "daemon/cli/verbs.h"

#include <boost/json/serialize.hpp>

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "base/ascii.h"
#include "base/time.h"
#include "base/utf8.h"
#include "daemon/cli/common.h"
#include "feeds/discover/discover.h"
#include "feeds/formats/parse.h"
#include "feeds/to_json.h"

namespace winnow::cli {
namespace {

namespace json = boost::json;

constexpr const char* kFeedUsage =
    "usage: winnow feed parse FILE [--url BASE] [--content-type CT] [--json]\n"
    "       winnow feed discover FILE --url URL [--json]\n"
    "FILE may be - for standard input.\n";

std::string date_text(const std::optional<base::UnixSeconds>& t) {
  return t ? base::format_rfc3339(*t) : std::string("-");
}

int feed_parse(const Args& args) {
  if (args.positionals().size() != 2) return usage_error(kFeedUsage, "feed parse needs one FILE");
  const std::string& path = args.positionals()[1];
  feeds::ParseOptions options;
  options.base_url = args.get_or("url", "");
  options.content_type = args.get_or("content-type", "");
  auto bytes = read_input(path, options.max_bytes, "feed");
  if (!bytes) return 1;
  auto feed = feeds::parse_feed(*bytes, options);
  if (!feed) {
    std::fprintf(stderr, "winnow feed: %s: %s\n", path.c_str(), feed.error().message().c_str());
    return 1;
  }
  if (args.has("json")) {
    std::cout << json::serialize(feeds::to_json(*feed)) << '\n';
    return 0;
  }
  std::cout << (feed->title.empty() ? "(untitled)" : feed->title) << "  [" << feeds::to_string(feed->format) << ", "
            << feed->entries.size() << " entries]\n";
  if (!feed->link.empty()) std::cout << feed->link << '\n';
  if (feed->bozo) std::cout << "bozo: " << feed->bozo_reason << '\n';
  for (const auto& e : feed->entries) {
    std::cout << "  " << date_text(e.published ? e.published : e.updated) << "  "
              << (e.title.empty() ? "(untitled)" : e.title) << '\n';
    if (!e.link.empty()) std::cout << "      " << e.link << '\n';
  }
  return 0;
}

int feed_discover(const Args& args) {
  if (args.positionals().size() != 2) return usage_error(kFeedUsage, "feed discover needs one FILE");
  if (!args.has("url")) return usage_error(kFeedUsage, "feed discover needs --url URL");
  const std::string& path = args.positionals()[1];
  auto bytes = read_input(path, 32u << 20, "feed");
  if (!bytes) return 1;
  const auto links = feeds::discover_feeds(*bytes, *args.get("url"));
  if (args.has("json")) {
    json::array out;
    for (const auto& l : links)
      out.emplace_back(json::object{{"url", base::valid_utf8(l.url)},
                                    {"type", l.type},
                                    {"title", base::valid_utf8(l.title)},
                                    {"source", feeds::to_string(l.source)},
                                    {"guess", l.is_guess()}});
    std::cout << json::serialize(json::object{{"feeds", std::move(out)}}) << '\n';
    return 0;
  }
  for (const auto& l : links) {
    std::cout << l.url << "  " << (l.type.empty() ? "-" : l.type) << "  " << feeds::to_string(l.source);
    if (!l.title.empty()) std::cout << "  " << l.title;
    std::cout << '\n';
  }
  return 0;
}

}  // namespace

int run_feed(std::span<char* const> argv) {
  Args args(argv, {"url", "content-type"}, {"json", "help"});
  if (args.has("help")) {
    std::fputs(kFeedUsage, stdout);
    return 0;
  }
  const auto& pos = args.positionals();
  if (!pos.empty() && pos[0] == "parse") return feed_parse(args);
  if (!pos.empty() && pos[0] == "discover") return feed_discover(args);
  return usage_error(kFeedUsage, pos.empty() ? "feed needs a subcommand" : "unknown subcommand " + pos[0]);
}

}  // namespace winnow::cli
