// `winnow search`: full-text search of the archive (SQLite FTS5 over title and text).
#include <boost/json.hpp>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "base/utf8.h"
#include "daemon/archive/article_json.h"
#include "daemon/archive/search_query.h"
#include "daemon/cli/common.h"
#include "daemon/cli/verbs.h"

namespace winnow::cli {

int run_search(std::span<char* const> argv) {
  Args args(argv, {"limit", "config", "archive"}, {"json", "fts5", "help"});
  if (args.has("help") || args.positionals().empty()) {
    std::fputs("usage: winnow search WORDS... [--limit N] [--json] [--fts5]\n"
               "  every word and \"quoted phrase\" must appear; --fts5: the query is SQLite FTS5 syntax\n"
               "  (OR, NOT, NEAR, prefix*, column filters)\n",
               args.has("help") ? stdout : stderr);
    return args.has("help") ? 0 : 2;
  }
  std::string query;
  for (const auto& p : args.positionals()) query += (query.empty() ? "" : " ") + p;
  if (!args.has("fts5")) query = archive::fts5_from_plain(query);
  if (query.empty()) {
    std::fputs("winnow search: nothing to search for\n", stderr);
    return 2;
  }
  auto a = open_archive_to_read(args);
  std::vector<archive::SearchHit> hits;
  try {
    hits = a->search(query, std::size_t(std::stoul(args.get_or("limit", "20"))));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "winnow search: %s\n", e.what());
    return 1;
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
  return 0;
}

}  // namespace winnow::cli
