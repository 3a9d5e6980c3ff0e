#pragma once
// One function per `winnow` verb; each lives in its own file, named after it (extract_cmd.cc, ...).
// argv excludes the program and verb names. Returns the process exit code.
#include <span>

namespace winnow::cli {

int run_extract(std::span<char* const> args);
int run_feed(std::span<char* const> args);
int run_feeds(std::span<char* const> args);
int run_crawl(std::span<char* const> args);
int run_search(std::span<char* const> args);
int run_show(std::span<char* const> args);
int run_export(std::span<char* const> args);
int run_reextract(std::span<char* const> args);
int run_reload(std::span<char* const> args);
int run_migrate(std::span<char* const> args);

}  // namespace winnow::cli
