// `winnow VERB ...`: dispatches to one function per verb, and turns what they throw into
// the documented exit codes (args.h).
#include <boost/program_options/errors.hpp>

#include <cstdio>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/cli/args.h"
#include "daemon/cli/verbs.h"
#include "daemon/cli/version.h"

namespace {

using namespace winnow::cli;

struct Verb {
  std::string_view name;
  int (*run)(std::span<char* const>);
  std::string_view summary;
};

constexpr Verb kVerbs[] = {
    {"extract", run_extract, "extract the article from saved pages"},
    {"feed", run_feed, "parse a saved feed, or find the feeds a saved page offers"},
    {"feeds", run_feeds, "add, remove, list, import or export the feeds followed"},
    {"crawl", run_crawl, "fetch feeds or pages now, extract and archive them"},
    {"search", run_search, "full-text search of the archive"},
    {"show", run_show, "print one archived article"},
    {"export", run_export, "export articles as JSON Lines, text, Markdown or WARC"},
    {"reextract", run_reextract, "re-run the extractor over the archived pages"},
    {"reload", run_reload, "make the running winnowd re-read its configuration and feeds"},
    {"migrate", run_migrate, "copy a SQLite archive into PostgreSQL, ids kept, resumably"},
};

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: winnow VERB [ARGS...]\n"
               "       winnow help [VERB [SUBCOMMAND]]\n"
               "       winnow --version\n\nverbs:\n");
  for (const auto& verb : kVerbs)
    std::fprintf(out, "  %-10.*s %.*s\n", int(verb.name.size()), verb.name.data(), int(verb.summary.size()),
                 verb.summary.data());
  std::fprintf(out,
               "\n`winnow help VERB` or `winnow VERB --help` describes a verb.\n"
               "Most verbs take --config FILE (default ./var/winnowd.toml, else /etc/winnow/winnowd.toml)\n"
               "and --archive PATH (default: the configuration's archive).\n\n%s",
               kExitCodesHelp);
}

const Verb* find_verb(std::string_view name) {
  for (const auto& verb : kVerbs)
    if (verb.name == name) return &verb;
  return nullptr;
}

int run(const Verb& verb, std::span<char* const> args) {
  const std::string name(verb.name);
  try {
    return verb.run(args);
  } catch (const UsageError& e) {
    return report_usage_error(name, e.what());
  } catch (const boost::program_options::error& e) {
    return report_usage_error(name, e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "winnow %s: %s\n", name.c_str(), e.what());
    return kExitNothingDone;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return kExitUsage;
  }
  const std::string_view first = argv[1];
  if (first == "--help" || first == "-h") {
    usage(stdout);
    return kExitOk;
  }
  if (first == "--version") {
    std::printf("winnow %s\n", WINNOW_VERSION);
    return kExitOk;
  }
  if (first == "help") {
    if (argc == 2) {
      usage(stdout);
      return kExitOk;
    }
    const Verb* verb = find_verb(argv[2]);
    if (!verb) {
      std::fprintf(stderr, "winnow help: unknown verb '%s'\nTry 'winnow help'.\n", argv[2]);
      return kExitUsage;
    }
    // `help feeds list` is `feeds list --help`.
    std::vector<char*> args(argv + 3, argv + argc);
    static char help[] = "--help";
    args.push_back(help);
    return run(*verb, args);
  }
  if (const Verb* verb = find_verb(first)) return run(*verb, std::span<char* const>(argv + 2, argv + argc));
  std::fprintf(stderr, "winnow: unknown verb '%s'\nTry 'winnow help'.\n", argv[1]);
  return kExitUsage;
}
