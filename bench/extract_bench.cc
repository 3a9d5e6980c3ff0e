// Extraction speed over a directory of saved pages (default: the development set), in one
// process: (a) Gumbo parse only, (b) the full extraction (decode + parse + extract), single
// thread, then (c) the full extraction on N threads. Prints pages/s, MB/s and b/a.
//
//   build/bench/extract_bench [DIR] [--rounds N] [--threads N]
#include <gumbo.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "parsers/extract/extract.h"
#include "parsers/html/document.h"
#include "tests/page_file.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Runs `work` over every page `rounds` times and returns the best round's seconds.
template <typename F>
double best_of(int rounds, const std::vector<std::string>& pages, F work) {
  double best = 1e30;
  for (int r = 0; r < rounds; ++r) {
    auto start = Clock::now();
    for (const auto& page : pages) work(page);
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return best;
}

void report(const char* what, double seconds, std::size_t pages, double megabytes) {
  std::printf("%-34s %8.1f pages/s %7.1f MB/s  (%.3f s)\n", what, pages / seconds, megabytes / seconds, seconds);
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = fs::path(WINNOW_SOURCE_DIR) / "../shared/bench/zyte/html";
  int rounds = 3;
  unsigned threads = std::max(2u, std::thread::hardware_concurrency());
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = unsigned(std::atoi(argv[++i]));
    else dir = argv[i];
  }
  std::vector<std::string> pages;
  std::size_t bytes = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    pages.push_back(winnow::testing::read_page_file(entry.path()));
    bytes += pages.back().size();
  }
  if (pages.empty()) {
    std::fprintf(stderr, "extract_bench: no pages in %s\n", dir.c_str());
    return 1;
  }
  const double mb = bytes / 1e6;
  std::printf("%zu pages, %.1f MB, best of %d rounds\n", pages.size(), mb, rounds);

  std::size_t sink = 0;  // keeps the work from being optimised away
  // (a0) Gumbo with its default options, which record every parse error; (a) Gumbo as the
  // extractor runs it (HtmlDocument: errors not recorded, nesting bounded). b/a compares
  // the full extraction with (a), the parse it cannot avoid.
  double parse_default = best_of(rounds, pages, [&](const std::string& page) {
    GumboOutput* out = gumbo_parse_with_options(&kGumboDefaultOptions, page.data(), page.size());
    sink += out->root->v.element.children.length;
    gumbo_destroy_output(&kGumboDefaultOptions, out);
  });
  report("(a0) Gumbo parse, default options", parse_default, pages.size(), mb);
  double parse = best_of(rounds, pages, [&](const std::string& page) {
    auto doc = winnow::parsers::HtmlDocument::parse(page);
    sink += doc.root().v.element.children.length;
  });
  report("(a) Gumbo parse as extract runs it", parse, pages.size(), mb);

  winnow::parsers::ExtractOptions options;
  double full = best_of(rounds, pages, [&](const std::string& page) {
    sink += winnow::parsers::extract(page, options).blocks.size();
  });
  report("(b) full extraction, 1 thread", full, pages.size(), mb);
  std::printf("%-34s %8.2f\n", "b/a", full / parse);

  double parallel = 1e30;
  for (int r = 0; r < rounds; ++r) {
    std::atomic<std::size_t> next{0};
    auto start = Clock::now();
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
      pool.emplace_back([&] {
        for (std::size_t i; (i = next++) < pages.size();) sink += winnow::parsers::extract(pages[i], options).blocks.size();
      });
    for (auto& t : pool) t.join();
    parallel = std::min(parallel, std::chrono::duration<double>(Clock::now() - start).count());
  }
  char label[64];
  std::snprintf(label, sizeof label, "(c) full extraction, %u threads", threads);
  report(label, parallel, pages.size(), mb);
  std::printf("%-34s %8.2f\n", "speed-up (c)/(b)", full / parallel);
  return sink == 0 ? 1 : 0;
}
