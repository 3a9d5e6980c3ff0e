// `winnow reextract`: brings archived articles up to this build's extractor (ingest/reextract.h).
#include <cstdio>

#include "daemon/cli/common.h"
#include "daemon/cli/verbs.h"
#include "daemon/ingest/reextract.h"

namespace winnow::cli {

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
