// `winnow show`: one archived article as text (title, URL, a line saying where the text
// comes from and what the page was, the text), Markdown, JSON (article_json.h, the same
// object as a line of `winnow export --format jsonl`) or the page as fetched.
#include <boost/program_options/value_semantic.hpp>

#include <cstdio>
#include <iostream>

#include "base/time.h"
#include "base/utf8.h"
#include "daemon/archive/article_json.h"
#include "daemon/cli/common.h"
#include "daemon/cli/markdown_out.h"
#include "daemon/cli/verbs.h"

namespace winnow::cli {
namespace {

namespace po = boost::program_options;

Command show_command() {
  Command c("show", "ID [--format text|markdown|json] [--links] [--images] [--raw]",
            "Prints the archived article ID (as listed by `winnow search`): its title, URL, where its\n"
            "text comes from and what the page was, then the text. --raw prints the page as fetched.",
            "exit status: 0 printed; 1 no article ID; 2 bad usage; 3 no archive\n");
  c.options()("format", po::value<std::string>()->value_name("F"), "text (default), markdown or json")(
      "raw", po::bool_switch(), "the page as it was fetched, byte for byte");
  add_markdown_switches(c, false);
  add_archive_options(c);
  c.positionals(1, 1, "ID");
  return c;
}

}  // namespace

int run_show(std::span<char* const> argv) {
  const Command command = show_command();
  Args args(argv, command);
  if (print_help_if_asked(args, command)) return kExitOk;
  const std::int64_t id = parse_number("ID", args.positionals()[0], 1);
  const std::string format = args.choice("format", "text", {"text", "markdown", "json"});
  auto a = open_archive_to_read(args);
  auto row = a->article(id, args.has("raw"));
  if (!row) {
    std::fprintf(stderr, "winnow show: no article %lld\n", (long long)id);
    return kExitSomeFailed;
  }
  if (args.has("raw")) {
    std::fwrite(row->raw.data(), 1, row->raw.size(), stdout);
    return kExitOk;
  }
  // What came from feeds and pages never reaches the terminal with its control characters.
  using base::without_controls;
  if (format == "json") std::cout << archive::json_line(archive::article_json(*row)) << "\n";
  else if (format == "markdown") std::cout << without_controls(row_markdown(*row, markdown_switches(args))) << "\n";
  else {
    // What the text is, on a line of its own: a row that is not a page's article says so.
    std::cout << without_controls(row->title) << "\n" << without_controls(row->url) << "\nsource=" << row->source
              << " verdict=" << row->verdict << " partial=" << (row->partial ? "yes" : "no");
    if (row->retry_at) std::cout << " retry_at=" << base::format_rfc3339(*row->retry_at) << " retries=" << row->retries;
    std::cout << "\n\n" << without_controls(row->text) << "\n";
  }
  return kExitOk;
}

}  // namespace winnow::cli
