// `winnow export`: articles archived after a cursor, for consumers, as JSON Lines, plain
// text, Markdown or WARC/1.1 (response + conversion records, like Common Crawl's WET).
#include <boost/program_options/value_semantic.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "daemon/archive/export.h"
#include "daemon/cli/common.h"
#include "daemon/cli/verbs.h"

namespace winnow::cli {
namespace {

namespace po = boost::program_options;

Command export_command() {
  Command c("export",
            "[--since CURSOR] [--format jsonl|text|markdown|warc] [--gzip] [--limit N]\n"
            "[--originals-only] [--output FILE]",
            "Writes the articles archived after CURSOR (an article id; default 0: all), oldest first,\n"
            "and prints the next cursor on standard error as \"cursor=N\".",
            "exit status: 0 written; 1 the output could not be written; 2 bad usage; 3 no archive\n");
  c.options()("since", po::value<std::string>()->value_name("CURSOR"), "only articles after this id (default 0)")(
      "format", po::value<std::string>()->value_name("F"), "jsonl (default), text, markdown or warc")(
      "gzip", po::bool_switch(), "compress (with warc: a .warc.gz, record by record)")(
      "limit", po::value<std::string>()->value_name("N"), "at most N articles (default: all)")(
      "originals-only", po::bool_switch(), "leave out articles found to be copies of others")(
      "output", po::value<std::string>()->value_name("FILE"), "write to FILE, not standard output");
  add_archive_options(c);
  c.positionals(0, 0);
  return c;
}

}  // namespace

int run_export(std::span<char* const> argv) {
  const Command command = export_command();
  Args args(argv, command);
  if (print_help_if_asked(args, command)) return kExitOk;
  const std::string format_name = args.choice("format", "jsonl", {"jsonl", "text", "markdown", "warc"});
  auto format = archive::parse_export_format(format_name);
  if (!format) throw UsageError("--format: unknown value '" + format_name + "'");
  archive::ExportOptions options;
  options.originals_only = args.has("originals-only");
  options.gzip = args.has("gzip");
  options.max_articles = std::size_t(args.number("limit", 0, 1));
  const std::int64_t cursor = args.number("since", 0, 0);
  auto archive = open_archive_to_read(args);

  std::ofstream file;
  std::ostream* out = &std::cout;
  if (auto path = args.get("output")) {
    file.open(*path, std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "winnow export: cannot write %s\n", path->c_str());
      return kExitNothingDone;
    }
    options.warc_filename = std::filesystem::path(*path).filename().string();
    out = &file;
  }
  std::int64_t next = archive::export_articles(*archive, cursor, *format, *out, options);
  out->flush();
  if (!*out) {
    std::fprintf(stderr, "winnow export: write failed\n");
    return kExitSomeFailed;
  }
  std::fprintf(stderr, "cursor=%lld\n", (long long)next);
  return kExitOk;
}

}  // namespace winnow::cli
