#pragma once
// One function per `winnow` verb; each lives in its own file (extract_cmd.cc, ...).
// argv excludes the program and verb names. Returns the process exit code.
#include <span>

namespace winnow::cli {

int run_extract(std::span<char* const> args);
int run_feed(std::span<char* const> args);
int run_feeds(std::span<char* const> args);

}  // namespace winnow::cli
