// The verbs that read or change the archive: `winnow feeds add|remove|list|import|export`,
// `winnow search`, `winnow show`, `winnow reextract` (ingest/reextract.h). They open the SQLite archive directly
// (WAL lets them run beside a running winnowd).
#include <boost/json.hpp>

#include <cstdio>
#include <ctime>
#include <iostream>

#include "daemon/archive/article_json.h"
#include "daemon/cli/common.h"
#include "daemon/cli/verbs.h"
#include "daemon/ingest/reextract.h"
#include "feeds/opml/opml.h"
#include "parsers/dates/dates.h"

namespace winnow::cli {
namespace {

namespace json = boost::json;

constexpr const char* kFeedsUsage =
    "usage: winnow feeds add URL [--title T] [--category C]\n"
    "       winnow feeds remove URL|ID\n"
    "       winnow feeds list [--json]\n"
    "       winnow feeds import FILE.opml [--dry-run]   (--dry-run: print JSON Lines, change nothing)\n"
    "       winnow feeds export [FILE|-]                (no FILE: the archive's feeds; FILE: JSON Lines\n"
    "                                                    or one URL a line, converted) as OPML 2.0\n"
    "options: --config FILE, --archive PATH (see `winnow help`)\n";

std::string when(std::int64_t t) {
  if (t <= 0) return "-";
  return parsers::format_rfc3339(t);
}

std::unique_ptr<archive::Archive> open_archive(const Args& args) {
  Config config = cli_config(args);
  return archive::Archive::open_sqlite(config.archive_path);
}

int feeds_add(const Args& args) {
  if (args.positionals().size() != 2) {
    std::fputs(kFeedsUsage, stderr);
    return 2;
  }
  auto a = open_archive(args);
  const std::string& url = args.positionals()[1];
  bool existed = a->feed_by_url(url).has_value();
  std::int64_t id = a->add_feed(url, args.get_or("title", ""), args.get_or("category", ""));
  std::printf("%s feed %lld %s\n", existed ? "already have" : "added", (long long)id, url.c_str());
  if (!existed) std::fputs("a running winnowd polls it after `systemctl reload winnowd` (SIGHUP)\n", stderr);
  return 0;
}

int feeds_remove(const Args& args) {
  if (args.positionals().size() != 2) {
    std::fputs(kFeedsUsage, stderr);
    return 2;
  }
  auto a = open_archive(args);
  const std::string& which = args.positionals()[1];
  std::optional<archive::FeedRow> feed = a->feed_by_url(which);
  if (!feed && which.find_first_not_of("0123456789") == std::string::npos) feed = a->feed(std::stoll(which));
  if (!feed) {
    std::fprintf(stderr, "winnow feeds: no feed %s\n", which.c_str());
    return 1;
  }
  a->remove_feed(feed->id);
  std::printf("removed feed %lld %s (its articles stay archived)\n", (long long)feed->id, feed->url.c_str());
  return 0;
}

int feeds_list(const Args& args) {
  auto a = open_archive(args);
  auto rows = a->feeds();
  if (args.has("json")) {
    for (const auto& f : rows) {
      json::object o{{"id", f.id},
                     {"url", f.url},
                     {"title", f.title},
                     {"category", f.category},
                     {"enabled", f.enabled},
                     {"last_polled", when(f.last_polled)},
                     {"next_poll", when(f.next_poll)},
                     {"interval_s", f.interval_s},
                     {"consecutive_failures", f.consecutive_failures},
                     {"last_error", f.last_error},
                     {"failing", f.consecutive_failures >= 3}};
      std::cout << json::serialize(o) << "\n";
    }
    return 0;
  }
  std::printf("%5s  %-8s  %-20s  %8s  %s\n", "ID", "STATE", "LAST POLLED", "EVERY", "URL / TITLE");
  for (const auto& f : rows) {
    // A feed that keeps failing is polled less and less; flag it so someone looks.
    std::string state = !f.enabled ? "off" : f.consecutive_failures >= 3 ? "FAILING" : f.consecutive_failures ? "retry" : "ok";
    char every[32];
    if (f.interval_s >= 3600) std::snprintf(every, sizeof every, "%.1fh", f.interval_s / 3600.0);
    else std::snprintf(every, sizeof every, "%lldm", (long long)(f.interval_s / 60));
    std::printf("%5lld  %-8s  %-20s  %8s  %s\n", (long long)f.id, state.c_str(), when(f.last_polled).c_str(), every,
                f.url.c_str());
    if (!f.title.empty()) std::printf("%46s%s\n", "", f.title.c_str());
    if (f.consecutive_failures) std::printf("%46s%d failures: %s\n", "", f.consecutive_failures, f.last_error.c_str());
  }
  std::fprintf(stderr, "%zu feeds\n", rows.size());
  return 0;
}

int feeds_import_archive(const Args& args) {
  std::string path = args.positionals()[1];
  FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) {
    std::fprintf(stderr, "winnow feeds: cannot read %s\n", path.c_str());
    return 1;
  }
  std::string bytes;
  char buffer[1 << 16];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0 && bytes.size() < (32u << 20);)
    bytes.append(buffer, n);
  if (f != stdin) std::fclose(f);
  auto subs = feeds::parse_opml(bytes);
  if (!subs) {
    std::fprintf(stderr, "winnow feeds: %s: %s\n", path.c_str(), subs.error().message().c_str());
    return 1;
  }
  auto a = open_archive(args);
  std::size_t added = 0;
  a->transaction([&] {
    for (const auto& s : *subs) {
      if (!a->feed_by_url(s.url)) ++added;
      a->add_feed(s.url, s.title, s.category);
    }
  });
  std::printf("imported %zu feeds (%zu new)\n", subs->size(), added);
  return 0;
}

int feeds_export_archive(const Args& args) {
  auto a = open_archive(args);
  std::vector<feeds::Subscription> subs;
  for (const auto& f : a->feeds()) subs.push_back({f.url, f.title, f.site_url, f.category});
  std::cout << feeds::write_opml(subs, "winnow subscriptions");
  return 0;
}

}  // namespace

int run_feeds_archive(const Args& args) {
  const auto& pos = args.positionals();
  if (pos.empty()) {
    std::fputs(kFeedsUsage, stderr);
    return 2;
  }
  if (pos[0] == "add") return feeds_add(args);
  if (pos[0] == "remove") return feeds_remove(args);
  if (pos[0] == "list") return feeds_list(args);
  if (pos[0] == "import" && pos.size() == 2) return feeds_import_archive(args);
  if (pos[0] == "export" && pos.size() == 1) return feeds_export_archive(args);
  std::fputs(kFeedsUsage, stderr);
  return 2;
}

int run_search(std::span<char* const> argv) {
  Args args(argv, {"limit", "config", "archive"}, {"json", "help"});
  if (args.has("help") || args.positionals().empty()) {
    std::fputs("usage: winnow search QUERY... [--limit N] [--json]   (FTS5 syntax: words, \"phrases\", OR, NOT, prefix*)\n",
               args.has("help") ? stdout : stderr);
    return args.has("help") ? 0 : 2;
  }
  std::string query;
  for (const auto& p : args.positionals()) query += (query.empty() ? "" : " ") + p;
  auto a = open_archive(args);
  std::vector<archive::SearchHit> hits;
  try {
    hits = a->search(query, std::size_t(std::stoul(args.get_or("limit", "20"))));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "winnow search: %s\n", e.what());
    return 1;
  }
  for (const auto& h : hits) {
    if (args.has("json")) {
      std::cout << json::serialize(json::object{{"id", h.article_id}, {"title", h.title}, {"url", h.url},
                                                {"snippet", h.snippet}, {"rank", h.rank}})
                << "\n";
    } else {
      std::printf("%6lld  %s\n        %s\n        %s\n", (long long)h.article_id, h.title.c_str(), h.url.c_str(),
                  h.snippet.c_str());
    }
  }
  if (!args.has("json")) std::fprintf(stderr, "%zu hits\n", hits.size());
  return 0;
}

int run_show(std::span<char* const> argv) {
  Args args(argv, {"format", "config", "archive"}, {"raw", "help"});
  if (args.has("help") || args.positionals().size() != 1) {
    std::fputs("usage: winnow show ID [--format text|markdown|json] [--raw]\n", args.has("help") ? stdout : stderr);
    return args.has("help") ? 0 : 2;
  }
  auto a = open_archive(args);
  auto row = a->article(std::stoll(args.positionals()[0]), args.has("raw"));
  if (!row) {
    std::fprintf(stderr, "winnow show: no article %s\n", args.positionals()[0].c_str());
    return 1;
  }
  if (args.has("raw")) {
    std::fwrite(row->raw.data(), 1, row->raw.size(), stdout);
    return 0;
  }
  std::string format = args.get_or("format", "text");
  if (format == "json") std::cout << json::serialize(archive::article_json(*row)) << "\n";
  else if (format == "markdown") std::cout << row->markdown << "\n";
  else std::cout << row->title << "\n" << row->url << "\n\n" << row->text << "\n";
  return 0;
}

int run_reextract(std::span<char* const> argv) {
  Args args(argv, {"config", "archive"}, {"all", "help"});
  if (args.has("help")) {
    std::fputs("usage: winnow reextract [--all]   re-runs this extractor over the stored raw pages\n"
               "       (default: only articles extracted by an older extractor version)\n",
               stdout);
    return 0;
  }
  auto a = open_archive(args);
  const ingest::ReextractCounts counts = ingest::reextract(*a, args.has("all"));
  std::printf("re-extracted %zu articles, %zu unchanged\n", counts.updated, counts.skipped);
  return 0;
}


}  // namespace winnow::cli
