// `winnow reextract`: brings archived articles up to this build's extractor (ingest/reextract.h).
#include <boost/program_options/value_semantic.hpp>

#include <cstdio>

#include "daemon/cli/common.h"
#include "daemon/cli/verbs.h"
#include "daemon/ingest/reextract.h"

namespace winnow::cli {

int run_reextract(std::span<char* const> argv) {
  Command command("reextract", "[--all]",
                  "Re-runs this build's extractor over the raw pages stored in the archive: by default\n"
                  "only the articles an older extractor version made, with --all every one.");
  command.options()("all", boost::program_options::bool_switch(), "every article, not only the outdated ones");
  add_archive_options(command);
  command.positionals(0, 0);
  Args args(argv, command);
  if (print_help_if_asked(args, command)) return kExitOk;
  auto a = open_archive(args);
  const ingest::ReextractCounts counts = ingest::reextract(*a, args.has("all"));
  // "Unchanged" said before: wrong for --all, where a text that came out the same counts as
  // re-extracted, and for a page now judged no article, which is kept as it was.
  std::printf("re-extracted %zu articles; %zu kept as archived (up to date, no page kept, or no article in it)\n",
              counts.updated, counts.skipped);
  return kExitOk;
}

}  // namespace winnow::cli
