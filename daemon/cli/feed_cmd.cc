// `winnow feed parse|discover` and `winnow feeds import|export`: feeds from saved files.
#include "daemon/cli/verbs.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include "base/ascii.h"
#include "base/time.h"
#include "base/utf8.h"
#include "daemon/cli/args.h"
#include "feeds/discover/discover.h"
#include "feeds/formats/parse.h"
#include "feeds/opml/opml.h"
#include "feeds/to_json.h"

namespace winnow::cli {
namespace {

namespace json = boost::json;

constexpr const char* kFeedUsage =
    "usage: winnow feed parse FILE [--url BASE] [--content-type CT] [--json]\n"
    "       winnow feed discover FILE --url URL [--json]\n"
    "FILE may be - for standard input.\n";
constexpr const char* kFeedsUsage =
    "usage: winnow feeds import FILE.opml --dry-run  (prints JSON Lines: url, title, html_url, category)\n"
    "       winnow feeds export FILE|-               (JSON Lines or one URL a line in, OPML 2.0 out)\n";

// Reads at most `limit` + 1 bytes so a huge input is refused, not loaded.
std::optional<std::string> read_input(const std::string& path, std::size_t limit) {
  std::string bytes;
  auto slurp = [&](std::istream& in) {
    char buf[1 << 16];
    while (bytes.size() <= limit && (in.read(buf, sizeof buf), in.gcount() > 0))
      bytes.append(buf, static_cast<std::size_t>(in.gcount()));
    return !in.bad();
  };
  if (path == "-") {
    if (!slurp(std::cin)) return std::nullopt;
    return bytes;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in || !slurp(in)) return std::nullopt;
  return bytes;
}

int usage_error(const char* usage, const std::string& message) {
  std::fprintf(stderr, "winnow: %s\n%s", message.c_str(), usage);
  return 2;
}

std::string date_text(const std::optional<base::UnixSeconds>& t) {
  return t ? base::format_rfc3339(*t) : std::string("-");
}

int feed_parse(const Args& args) {
  if (args.positionals().size() != 2) return usage_error(kFeedUsage, "feed parse needs one FILE");
  const std::string& path = args.positionals()[1];
  feeds::ParseOptions options;
  options.base_url = args.get_or("url", "");
  options.content_type = args.get_or("content-type", "");
  auto bytes = read_input(path, options.max_bytes);
  if (!bytes) {
    std::fprintf(stderr, "winnow feed: cannot read %s\n", path.c_str());
    return 1;
  }
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
  auto bytes = read_input(path, 32u << 20);
  if (!bytes) {
    std::fprintf(stderr, "winnow feed: cannot read %s\n", path.c_str());
    return 1;
  }
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

int feeds_import(const Args& args) {
  if (args.positionals().size() != 2) return usage_error(kFeedsUsage, "feeds import needs one FILE.opml");
  const std::string& path = args.positionals()[1];
  auto bytes = read_input(path, 32u << 20);
  if (!bytes) {
    std::fprintf(stderr, "winnow feeds: cannot read %s\n", path.c_str());
    return 1;
  }
  auto subs = feeds::parse_opml(*bytes);
  if (!subs) {
    std::fprintf(stderr, "winnow feeds: %s: %s\n", path.c_str(), subs.error().message().c_str());
    return 1;
  }
  for (const auto& s : *subs) {
    std::cout << json::serialize(json::object{{"url", base::valid_utf8(s.url)},
                                              {"title", base::valid_utf8(s.title)},
                                              {"html_url", base::valid_utf8(s.html_url)},
                                              {"category", base::valid_utf8(s.category)}})
              << '\n';
  }
  return 0;
}

int feeds_export(const Args& args) {
  if (args.positionals().size() > 2) return usage_error(kFeedsUsage, "feeds export takes at most one FILE");
  const std::string path = args.positionals().size() == 2 ? args.positionals()[1] : "-";
  auto bytes = read_input(path, 256u << 20);
  if (!bytes) {
    std::fprintf(stderr, "winnow feeds: cannot read %s\n", path.c_str());
    return 1;
  }
  std::vector<feeds::Subscription> subs;
  std::istringstream lines(*bytes);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    const std::string_view l = base::trim_ascii_space(line);
    if (l.empty() || l.front() == '#') continue;
    if (l.front() != '{') {
      subs.push_back({std::string(l), "", "", ""});
      continue;
    }
    boost::system::error_code ec;
    json::value v = json::parse(l, ec);
    const json::object* o = ec ? nullptr : v.if_object();
    auto field = [o](const char* key) -> std::string {
      const json::value* f = o->if_contains(key);
      return f && f->is_string() ? std::string(f->get_string()) : std::string();
    };
    if (o == nullptr || field("url").empty()) {
      std::fprintf(stderr, "winnow feeds: %s:%d: not a JSON object with a \"url\"\n", path.c_str(), number);
      return 1;
    }
    subs.push_back({field("url"), field("title"), field("html_url"), field("category")});
  }
  std::cout << feeds::write_opml(subs, "winnow subscriptions");
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

int run_feeds(std::span<char* const> argv) {
  Args args(argv, {"title", "category", "config", "archive"}, {"json", "dry-run", "help"});
  const auto& pos = args.positionals();
  // Without the archive: an OPML file shown as JSON Lines, or a list converted to OPML.
  if (pos.size() == 2 && pos[0] == "import" && args.has("dry-run")) return feeds_import(args);
  if (pos.size() == 2 && pos[0] == "export") return feeds_export(args);
  if (args.has("help")) {
    std::fputs(kFeedsUsage, stdout);
    return run_feeds_archive(args);
  }
  return run_feeds_archive(args);
}

}  // namespace winnow::cli
