// `winnow feed parse|discover`: a feed, or the feeds a page offers, from a saved file.
#include "daemon/cli/verbs.h"

#include <boost/json/serialize.hpp>
#include <boost/program_options/value_semantic.hpp>

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

namespace po = boost::program_options;

constexpr const char* kFeedHelp =
    "usage: winnow feed parse FILE [--url BASE] [--content-type CT] [--json]\n"
    "       winnow feed discover FILE --url URL [--json]\n"
    "\n"
    "Reads a saved file (FILE, or - for standard input); changes nothing.\n"
    "  parse      the feed in FILE (RSS, Atom, JSON Feed): its title and entries\n"
    "  discover   the feeds the page in FILE links to or may offer\n"
    "\n"
    "`winnow help feed parse` describes one.\n";

Command parse_command() {
  Command c("feed parse", "FILE [--url BASE] [--content-type CT] [--json]",
            "Parses the feed in FILE (- for standard input) and prints its title and entries.",
            "exit status: 0 parsed; 1 FILE could not be read or is no feed; 2 bad usage\n");
  c.options()("url", po::value<std::string>()->value_name("BASE"), "the feed's address, to resolve its links")(
      "content-type", po::value<std::string>()->value_name("CT"), "the Content-Type it was served with")(
      "json", po::bool_switch(), "the whole feed as JSON");
  c.positionals(1, 1, "FILE");
  return c;
}

Command discover_command() {
  Command c("feed discover", "FILE --url URL [--json]",
            "Lists the feeds the page in FILE (- for standard input) links to, and the usual\n"
            "addresses it may offer one at (marked as guesses).",
            "exit status: 0 listed (even none); 1 FILE could not be read; 2 bad usage\n");
  c.options()("url", po::value<std::string>()->value_name("URL"), "the page's address (required)")(
      "json", po::bool_switch(), "{\"feeds\": [...]} as JSON");
  c.positionals(1, 1, "FILE");
  return c;
}

std::string date_text(const std::optional<base::UnixSeconds>& t) {
  return t ? base::format_rfc3339(*t) : std::string("-");
}

int feed_parse(const Args& args) {
  const std::string& path = args.positionals()[0];
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
  if (!args.has("url")) throw UsageError("--url URL is required: the page's address");
  const std::string& path = args.positionals()[0];
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
  const std::string sub = argv.empty() ? "" : argv[0];
  if (sub == "-h" || sub == "--help") {
    std::fputs(kFeedHelp, stdout);
    std::fputs("\n", stdout);
    std::fputs(kExitCodesHelp, stdout);
    return kExitOk;
  }
  if (sub != "parse" && sub != "discover")
    throw UsageError(sub.empty() ? "a subcommand is missing: parse or discover" : "unknown subcommand '" + sub + "'");
  const Command command = sub == "parse" ? parse_command() : discover_command();
  // Errors name the subcommand: "winnow feed parse: ...".
  try {
    Args args(argv.subspan(1), command);
    if (print_help_if_asked(args, command)) return kExitOk;
    return sub == "parse" ? feed_parse(args) : feed_discover(args);
  } catch (const UsageError& e) {
    return report_usage_error(command.name(), e.what());
  } catch (const NothingDone& e) {
    std::fprintf(stderr, "winnow %s: %s\n", command.name().c_str(), e.what());
    return kExitNothingDone;
  }
}

}  // namespace winnow::cli
