// `winnow search`: full-text search of the archive (SQLite FTS5 over title and text).
#include <boost/json.hpp>
#include <boost/program_options/value_semantic.hpp>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "base/ascii.h"
#include "base/utf8.h"
#include "daemon/archive/article_json.h"
#include "daemon/archive/search_query.h"
#include "daemon/cli/common.h"
#include "daemon/cli/verbs.h"

namespace winnow::cli {
namespace {

namespace po = boost::program_options;

Command search_command() {
  Command c("search", "WORDS... [--limit N] [--json] [--fts5]",
            "Searches the titles and texts of the archived articles; prints the best hits first\n"
            "(id, title, URL, a snippet), the id for `winnow show`. Every word and \"quoted phrase\"\n"
            "must appear; nothing in WORDS is an operator. With --fts5 the query is SQLite FTS5\n"
            "syntax instead (OR, NOT, NEAR, prefix*, title: column filters). Put -- before words\n"
            "that start with a dash: winnow search -- -foo",
            "exit status: 0 searched (even with no hits); 2 bad usage or a query --fts5 cannot read;\n"
            "             3 no archive, or it could not be searched\n");
  c.options()("limit", po::value<std::string>()->value_name("N"), "at most N hits (default 20, 1 to 10000)")(
      "json", po::bool_switch(), "one JSON object a line: id, title, url, snippet, rank")(
      "fts5", po::bool_switch(), "read WORDS as FTS5 query syntax");
  add_archive_options(c);
  c.positionals(1, SIZE_MAX, "WORDS");
  return c;
}

// An archive error without the SQL statement it names.
std::string without_sql(std::string message) {
  if (auto at = message.find(" running: "); at != std::string::npos) message.resize(at);
  return message;
}

}  // namespace

int run_search(std::span<char* const> argv) {
  const Command command = search_command();
  Args args(argv, command);
  if (print_help_if_asked(args, command)) return kExitOk;
  const auto limit = std::size_t(args.number("limit", 20, 1, 10000));
  std::string query;
  for (const auto& p : args.positionals()) query += (query.empty() ? "" : " ") + p;
  const bool fts5 = args.has("fts5");
  if (!fts5) query = archive::fts5_from_plain(query);
  if (base::trim_ascii_space(query).empty()) throw UsageError("nothing to search for");
  auto a = open_archive_to_read(args);
  std::vector<archive::SearchHit> hits;
  try {
    hits = a->search(query, limit);
  } catch (const archive::BadSearchQuery&) {
    // Plain words always read; only --fts5 syntax can be refused. SQLite's wording ("no such
    // column") reads like a bug of ours: ours instead.
    std::fputs("winnow search: not a valid FTS5 query (an unbalanced quote or parenthesis, an operator "
               "without its words, an unknown column?); without --fts5, words are just words\n",
               stderr);
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "winnow search: the archive could not be searched: %s\n", without_sql(e.what()).c_str());
    return kExitNothingDone;
  }
  for (const auto& h : hits) {
    if (args.has("json")) {
      std::cout << archive::json_line(boost::json::object{{"id", h.article_id}, {"title", h.title},
                                                          {"url", h.url}, {"snippet", h.snippet},
                                                          {"rank", h.rank}})
                << "\n";
    } else {
      // Titles and URLs come from feeds: nothing in them may drive the terminal.
      std::printf("%6lld  %s\n        %s\n        %s\n", (long long)h.article_id,
                  base::without_controls(h.title).c_str(), base::without_controls(h.url).c_str(),
                  base::without_controls(h.snippet).c_str());
    }
  }
  if (!args.has("json")) std::fprintf(stderr, "%zu hits\n", hits.size());
  return kExitOk;
}

}  // namespace winnow::cli
