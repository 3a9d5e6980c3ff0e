// `winnow export`: articles archived after a cursor, for consumers, as JSON Lines, plain
// text, Markdown or WARC/1.1 (response + conversion records, like Common Crawl's WET).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "daemon/archive/export.h"
#include "daemon/cli/common.h"
#include "daemon/cli/verbs.h"

namespace winnow::cli {
namespace {

constexpr const char* kUsage =
    "usage: winnow export [--since CURSOR] [--format jsonl|text|markdown|warc] [--gzip]\n"
    "                     [--limit N] [--originals-only] [--output FILE] [--config FILE] [--archive PATH]\n"
    "\n"
    "Writes the articles archived after CURSOR (an article id; default 0: all), oldest first,\n"
    "and prints the next cursor on standard error as \"cursor=N\". --gzip writes .warc.gz.\n";

}  // namespace

int run_export(std::span<char* const> argv) {
  Args args(argv, {"since", "format", "limit", "output", "config", "archive"}, {"originals-only", "gzip", "help"});
  if (args.has("help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!args.positionals().empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto format = archive::parse_export_format(args.get_or("format", "jsonl"));
  if (!format) {
    std::fprintf(stderr, "winnow export: unknown format '%s'\n%s", args.get_or("format", "").c_str(), kUsage);
    return 2;
  }
  archive::ExportOptions options;
  options.originals_only = args.has("originals-only");
  options.gzip = args.has("gzip");
  options.max_articles = std::stoul(args.get_or("limit", "0"));
  std::int64_t cursor = std::stoll(args.get_or("since", "0"));
  auto archive = open_archive_to_read(args);

  std::ofstream file;
  std::ostream* out = &std::cout;
  if (auto path = args.get("output")) {
    file.open(*path, std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "winnow export: cannot write %s\n", path->c_str());
      return 1;
    }
    options.warc_filename = std::filesystem::path(*path).filename().string();
    out = &file;
  }
  std::int64_t next = archive::export_articles(*archive, cursor, *format, *out, options);
  out->flush();
  if (!*out) {
    std::fprintf(stderr, "winnow export: write failed\n");
    return 1;
  }
  std::fprintf(stderr, "cursor=%lld\n", (long long)next);
  return 0;
}

}  // namespace winnow::cli
