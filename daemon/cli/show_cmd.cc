// `winnow show`: one archived article as text (title, URL, a line saying where the text
// comes from and what the page was, the text), Markdown, JSON (article_json.h, the same
// object as a line of `winnow export --format jsonl`) or the page as fetched.
#include <cstdio>
#include <iostream>

#include "base/time.h"
#include "base/utf8.h"
#include "daemon/archive/article_json.h"
#include "daemon/cli/common.h"
#include "daemon/cli/verbs.h"

namespace winnow::cli {

int run_show(std::span<char* const> argv) {
  Args args(argv, {"format", "config", "archive"}, {"raw", "help"});
  if (args.has("help") || args.positionals().size() != 1) {
    std::fputs("usage: winnow show ID [--format text|markdown|json] [--raw]\n", args.has("help") ? stdout : stderr);
    return args.has("help") ? 0 : 2;
  }
  auto a = open_archive_to_read(args);
  auto row = a->article(std::stoll(args.positionals()[0]), args.has("raw"));
  if (!row) {
    std::fprintf(stderr, "winnow show: no article %s\n", args.positionals()[0].c_str());
    return 1;
  }
  if (args.has("raw")) {
    std::fwrite(row->raw.data(), 1, row->raw.size(), stdout);
    return 0;
  }
  // What came from feeds and pages never reaches the terminal with its control characters.
  using base::without_controls;
  std::string format = args.get_or("format", "text");
  if (format == "json") std::cout << archive::json_line(archive::article_json(*row)) << "\n";
  else if (format == "markdown") std::cout << without_controls(row->markdown) << "\n";
  else {
    // What the text is, on a line of its own: a row that is not a page's article says so.
    std::cout << without_controls(row->title) << "\n" << without_controls(row->url) << "\nsource=" << row->source
              << " verdict=" << row->verdict << " partial=" << (row->partial ? "yes" : "no");
    if (row->retry_at) std::cout << " retry_at=" << base::format_rfc3339(*row->retry_at) << " retries=" << row->retries;
    std::cout << "\n\n" << without_controls(row->text) << "\n";
  }
  return 0;
}

}  // namespace winnow::cli
