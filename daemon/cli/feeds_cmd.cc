// `winnow feeds add|remove|list|import|export`: the feeds followed. Most open the SQLite
// archive directly (WAL lets them run beside a running winnowd); `import --dry-run` and
// `export FILE` only convert files.
#include <boost/json.hpp>
#include <boost/program_options/value_semantic.hpp>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "base/ascii.h"
#include "base/time.h"
#include "base/utf8.h"
#include "daemon/archive/article_json.h"
#include "daemon/archive/outbox.h"
#include "daemon/cli/common.h"
#include "daemon/cli/verbs.h"
#include "daemon/feed_list.h"
#include "feeds/opml/opml.h"

namespace winnow::cli {
namespace {

namespace json = boost::json;

namespace po = boost::program_options;

constexpr const char* kFeedsHelp =
    "usage: winnow feeds add URL [--title T] [--category C]\n"
    "       winnow feeds remove URL|ID\n"
    "       winnow feeds list [--json]\n"
    "       winnow feeds import FILE.opml [--dry-run]\n"
    "       winnow feeds export [FILE|-]\n"
    "\n"
    "The feeds winnowd follows, kept in the archive. A running winnowd sees a change after\n"
    "`winnow reload`.\n"
    "  add      follow the feed at URL (http:// or https://)\n"
    "  remove   stop following a feed; its articles stay archived\n"
    "  list     the feeds, their state and last poll\n"
    "  import   the feeds of an OPML file\n"
    "  export   the archive's feeds, or a list of feeds in FILE, as OPML 2.0\n"
    "\n"
    "`winnow help feeds SUBCOMMAND` describes one. Each takes --config FILE and --archive PATH.\n"
    "\n";

Command feeds_command(const std::string& sub) {
  // Program_options' descriptions cannot be assigned: each Command is made in place.
  std::optional<Command> made;
  if (sub == "add") {
    Command& c = made.emplace("feeds add", "URL [--title T] [--category C]",
                "Follows the feed at URL (http:// or https://); a running winnowd polls it after\n"
                "`winnow reload`. Adding a feed already followed changes nothing.");
    c.options()("title", po::value<std::string>()->value_name("T"), "the feed's title")(
        "category", po::value<std::string>()->value_name("C"), "the feed's category");
    c.positionals(1, 1, "URL");
  } else if (sub == "remove") {
    Command& c = made.emplace("feeds remove", "URL|ID",
                "Stops following the feed with this URL or id (see `winnow feeds list`); its articles\n"
                "stay archived.",
                "exit status: 0 removed; 1 no such feed; 2 bad usage; 3 no archive\n");
    c.positionals(1, 1, "URL or ID");
  } else if (sub == "list") {
    Command& c = made.emplace("feeds list", "[--json]",
                "Lists the feeds followed: id, state (ok, retry, FAILING, broken, off), last poll,\n"
                "poll interval, URL and title, and why the last poll failed.",
                "exit status: 0 listed; 2 bad usage; 3 no archive\n");
    c.options()("json", po::bool_switch(), "one JSON object a line (times RFC 3339, or null)");
    c.positionals(0, 0);
  } else if (sub == "import") {
    Command& c = made.emplace("feeds import", "FILE.opml [--dry-run]",
                "Follows every feed of an OPML file (- for standard input). Outlines that are no\n"
                "http(s) feeds are skipped and named.",
                "exit status: 0 imported; 1 some outlines were skipped, or FILE could not be read;\n"
                "             2 bad usage\n");
    c.options()("dry-run", po::bool_switch(), "print the outlines as JSON Lines, change nothing");
    c.positionals(1, 1, "FILE.opml");
  } else if (sub == "export") {
    Command& c = made.emplace("feeds export", "[FILE|-]",
                "Writes OPML 2.0: without FILE the archive's feeds; with FILE, the feeds it lists\n"
                "(JSON Lines with a \"url\", or one URL a line), converted.",
                "exit status: 0 written; 1 FILE could not be read or has a bad line; 2 bad usage;\n"
                "             3 no archive\n");
    c.positionals(0, 1);
  } else {
    throw UsageError(sub.empty() ? "a subcommand is missing: add, remove, list, import or export"
                                 : "unknown subcommand '" + sub + "'");
  }
  add_archive_options(*made);
  return std::move(*made);
}

// Larger OPML files or feed lists are cut short, not loaded.
constexpr std::size_t kMaxOpmlBytes = 32u << 20;
constexpr std::size_t kMaxListBytes = 256u << 20;

std::string when(std::int64_t t) {
  if (t <= 0) return "-";
  return base::format_rfc3339(t);
}

// A time for JSON: null when there is none.
json::value json_time(std::int64_t t) {
  if (t <= 0) return nullptr;
  return json::value(base::format_rfc3339(t));
}

int feeds_add(const Args& args) {
  const std::string& url = args.positionals()[0];
  if (std::string problem = feed_url_problem(url, false); !problem.empty()) throw UsageError(problem);
  auto a = open_archive(args);
  bool existed = a->feed_by_url(url).has_value();
  std::int64_t id = a->add_feed(url, args.get_or("title", ""), args.get_or("category", ""));
  std::printf("%s feed %lld %s\n", existed ? "already have" : "added", (long long)id, url.c_str());
  if (!existed) std::fputs("a running winnowd polls it after `winnow reload`\n", stderr);
  return 0;
}

int feeds_remove(const Args& args) {
  auto a = open_archive(args);
  const std::string& which = args.positionals()[0];
  std::optional<archive::FeedRow> feed = a->feed_by_url(which);
  if (!feed && which.find("://") == std::string::npos) feed = a->feed(parse_number("ID", which, 1));
  if (!feed) {
    std::fprintf(stderr, "winnow feeds: no feed %s\n", which.c_str());
    return 1;
  }
  a->remove_feed(feed->id);
  std::printf("removed feed %lld %s (its articles stay archived)\n", (long long)feed->id, feed->url.c_str());
  return 0;
}

// Polled with success, but the feed was broken (bad bytes, not well-formed): some of it
// may be missing or garbled.
bool is_broken(const archive::FeedRow& f) {
  return f.consecutive_failures == 0 && std::string_view(f.last_error).starts_with(archive::kBrokenFeedPrefix);
}

int feeds_list(const Args& args) {
  auto a = open_archive_to_read(args);
  auto rows = a->feeds();
  if (args.has("json")) {
    for (const auto& f : rows) {
      const archive::EntryRetryCounts waiting = a->entry_retry_counts(f.id);
      json::object o = archive::feed_json(f);
      o["entries_waiting"] = waiting.waiting;
      o["entries_given_up"] = waiting.given_up;
      o["next_entry_retry"] = json_time(waiting.next_retry_at.value_or(0));
      std::cout << archive::json_line(o) << "\n";
    }
    return 0;
  }
  std::printf("%5s  %-8s  %-20s  %8s  %s\n", "ID", "STATE", "LAST POLLED", "EVERY", "URL / TITLE");
  for (const auto& f : rows) {
    // A feed that keeps failing is polled less and less; flag it so someone looks.
    std::string state = !f.enabled                    ? "off"
                        : f.consecutive_failures >= archive::kFeedFailingThreshold ? "FAILING"
                        : f.consecutive_failures      ? "retry"
                        : is_broken(f)                ? "broken"
                                                      : "ok";
    char every[32];
    if (f.interval_s >= 3600) std::snprintf(every, sizeof every, "%.1fh", f.interval_s / 3600.0);
    else std::snprintf(every, sizeof every, "%lldm", (long long)(f.interval_s / 60));
    // URL, title and error come from the network: nothing in them may drive the terminal.
    std::printf("%5lld  %-8s  %-20s  %8s  %s\n", (long long)f.id, state.c_str(), when(f.last_polled).c_str(), every,
                base::without_controls(f.url).c_str());
    if (!f.title.empty()) std::printf("%46s%s\n", "", base::without_controls(f.title).c_str());
    if (f.consecutive_failures)
      std::printf("%46s%d failures: %s\n", "", f.consecutive_failures, base::without_controls(f.last_error).c_str());
    else if (is_broken(f))
      std::printf("%46s%s\n", "", base::without_controls(f.last_error).c_str());
    // Entries without content whose page was no article (a bot check, ...): none archived.
    const archive::EntryRetryCounts waiting = a->entry_retry_counts(f.id);
    if (waiting.waiting || waiting.given_up)
      std::printf("%46sentries without article: %lld waiting for their page (next try %s), %lld given up\n", "",
                  (long long)waiting.waiting, when(waiting.next_retry_at.value_or(0)).c_str(),
                  (long long)waiting.given_up);
  }
  std::fprintf(stderr, "%zu feeds\n", rows.size());
  return 0;
}

// An OPML file into the archive, or with --dry-run its outlines as JSON Lines.
int feeds_import(const Args& args) {
  const std::string& path = args.positionals()[0];
  auto bytes = read_input(path, kMaxOpmlBytes, "feeds");
  if (!bytes) return 1;
  auto subs = feeds::parse_opml(*bytes);
  if (!subs) {
    std::fprintf(stderr, "winnow feeds: %s: %s\n", path.c_str(), subs.error().message().c_str());
    return 1;
  }
  if (args.has("dry-run")) {
    for (const auto& s : *subs) {
      std::cout << json::serialize(json::object{{"url", base::valid_utf8(s.url)},
                                                {"title", base::valid_utf8(s.title)},
                                                {"html_url", base::valid_utf8(s.html_url)},
                                                {"category", base::valid_utf8(s.category)}})
                << '\n';
    }
    return 0;
  }
  // An OPML file from elsewhere may hold javascript: or file: outlines: skipped, and said.
  std::size_t skipped = 0;
  std::erase_if(*subs, [&](const feeds::Subscription& s) {
    std::string problem = feed_url_problem(s.url, false);
    if (problem.empty()) return false;
    std::fprintf(stderr, "winnow feeds import: skipped: %s\n", problem.c_str());
    ++skipped;
    return true;
  });
  auto a = open_archive(args);
  std::size_t added = 0;
  a->transaction([&] {
    for (const auto& s : *subs) {
      if (!a->feed_by_url(s.url)) ++added;
      a->add_feed(s.url, s.title, s.category);
    }
  });
  std::printf("imported %zu feeds (%zu new)\n", subs->size(), added);
  if (skipped) return 1;
  return 0;
}

// The archive's feeds as OPML.
int feeds_export_archive(const Args& args) {
  auto a = open_archive_to_read(args);
  std::vector<feeds::Subscription> subs;
  for (const auto& f : a->feeds()) subs.push_back({f.url, f.title, f.site_url, f.category});
  std::cout << feeds::write_opml(subs, "winnow subscriptions");
  return 0;
}

// A list of feeds (JSON Lines, or one URL a line) converted to OPML.
int feeds_export_file(const Args& args) {
  const std::string& path = args.positionals()[0];
  auto bytes = read_input(path, kMaxListBytes, "feeds");
  if (!bytes) return 1;
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

int run_feeds(std::span<char* const> argv) {
  const std::string sub = argv.empty() ? "" : argv[0];
  if (sub == "-h" || sub == "--help") {
    std::fputs(kFeedsHelp, stdout);
    std::fputs(kExitCodesHelp, stdout);
    return kExitOk;
  }
  const Command command = feeds_command(sub);
  // Errors name the subcommand: "winnow feeds add: ...".
  try {
    Args args(argv.subspan(1), command);
    if (print_help_if_asked(args, command)) return kExitOk;
    if (sub == "add") return feeds_add(args);
    if (sub == "remove") return feeds_remove(args);
    if (sub == "list") return feeds_list(args);
    if (sub == "import") return feeds_import(args);
    return args.positionals().empty() ? feeds_export_archive(args) : feeds_export_file(args);
  } catch (const UsageError& e) {
    return report_usage_error(command.name(), e.what());
  } catch (const NothingDone& e) {
    std::fprintf(stderr, "winnow %s: %s\n", command.name().c_str(), e.what());
    return kExitNothingDone;
  }
}

}  // namespace winnow::cli
