// `winnow VERB ...`: dispatches to one function per verb.
#include <cstdio>
#include <exception>
#include <span>
#include <string_view>

#include "daemon/cli/verbs.h"

namespace {

struct Verb {
  std::string_view name;
  int (*run)(std::span<char* const>);
  std::string_view summary;
};

constexpr Verb kVerbs[] = {
    {"extract", winnow::cli::run_extract, "extract the article from saved pages"},
    {"feed", winnow::cli::run_feed, "parse a saved feed, or find the feeds a saved page offers"},
    {"feeds", winnow::cli::run_feeds, "add, remove, list, import or export the feeds followed"},
    {"crawl", winnow::cli::run_crawl, "fetch feeds or pages now, extract and archive them"},
    {"search", winnow::cli::run_search, "full-text search of the archive"},
    {"show", winnow::cli::run_show, "print one archived article"},
    {"export", winnow::cli::run_export, "export articles as JSON Lines, text, Markdown or WARC"},
    {"reextract", winnow::cli::run_reextract, "re-run the extractor over the archived pages"},
};

int usage(std::FILE* out) {
  std::fprintf(out, "usage: winnow VERB [ARGS...]\n\nverbs:\n");
  for (const auto& verb : kVerbs)
    std::fprintf(out, "  %-10.*s %.*s\n", int(verb.name.size()), verb.name.data(), int(verb.summary.size()),
                 verb.summary.data());
  std::fprintf(out, "\n`winnow VERB --help` describes a verb.\n");
  return out == stdout ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage(stderr);
  std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") return usage(stdout);
  for (const auto& verb : kVerbs) {
    if (verb.name != name) continue;
    try {
      return verb.run(std::span<char* const>(argv + 2, argv + argc));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "winnow %s: %s\n", argv[1], e.what());
      return 2;
    }
  }
  std::fprintf(stderr, "winnow: unknown verb '%s'\n", argv[1]);
  return usage(stderr);
}
