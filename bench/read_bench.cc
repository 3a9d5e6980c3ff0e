// read_bench ARCHIVE [READS]: the read cost of one article on an existing archive (e.g. one
// kept by `daemon_bench --keep`), opened read-only. Times READS (2,000) reads of random ids,
// each as `winnow show` and GET /v1/articles/{id} read it: Archive::article(id), then the
// API's JSON of it (article_json + serialize). Then the same with the raw page (with_raw, as
// `show --raw` and the WARC export read it), and 200 searches with snippets. Prints bytes
// per article of the file, by table when SQLite's dbstat is compiled in. ARCHIVE may be a
// postgresql:// URL (no file size then: measure the tables with pg_total_relation_size).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "daemon/archive/archive.h"
#include "daemon/archive/article_json.h"

namespace {

using Clock = std::chrono::steady_clock;

// This thread's CPU time in ms: steadier than wall time on shared cores. On PostgreSQL it
// leaves out the server's share, which wall time holds.
double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

struct Timing {
  std::vector<double> ms;
  double cpu_ms = 0;
  double cpu_start = 0;
  Clock::time_point start() {
    cpu_start = thread_cpu_ms();
    return Clock::now();
  }
  void add(Clock::time_point start) {
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    cpu_ms += thread_cpu_ms() - cpu_start;
  }
  void print(const char* what) {
    std::sort(ms.begin(), ms.end());
    double sum = 0;
    for (double m : ms) sum += m;
    std::printf("%-34s %5zu reads, mean %.3f ms, p50 %.3f ms, p99 %.3f ms; client CPU mean %.3f ms\n", what, ms.size(),
                sum / double(ms.size()), ms[ms.size() / 2], ms[ms.size() * 99 / 100], cpu_ms / double(ms.size()));
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: read_bench ARCHIVE [READS]\n");
    return 2;
  }
  const std::string path = argv[1];
  const int reads = argc > 2 ? std::atoi(argv[2]) : 2000;
  try {
    auto archive = winnow::archive::Archive::open_read_only(path);
    const std::int64_t last = archive->last_article_id();
    const std::int64_t count = archive->article_count();
    if (last == 0) throw std::runtime_error("no articles in " + path);
    std::uintmax_t bytes = 0;
    for (const char* suffix : {"", "-wal"}) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(path + suffix, ec);
      if (!ec) bytes += size;
    }
    std::printf("read_bench: %s, %lld articles, %.1f MB, %.0f bytes per article\n", path.c_str(), (long long)count,
                double(bytes) / 1e6, double(bytes) / double(count));

    std::mt19937_64 rng(7);
    std::uniform_int_distribution<std::int64_t> pick(1, last);
    std::size_t sink = 0;
    Timing plain, json, raw;
    // Warm the page cache and SQLite's: what is measured is the CPU of a read, not the disk.
    for (int i = 0; i < reads; ++i) sink += archive->article(pick(rng)).has_value();
    rng.seed(7);
    for (int i = 0; i < reads; ++i) {
      const std::int64_t id = pick(rng);
      auto start = plain.start();
      auto row = archive->article(id);
      plain.add(start);
      if (!row) continue;
      start = json.start();
      sink += winnow::archive::json_line(winnow::archive::article_json(*archive->article(id))).size();
      json.add(start);
      start = raw.start();
      sink += archive->article(id, true)->raw.size();
      raw.add(start);
    }
    plain.print("article(id)");
    json.print("article(id) + API JSON");
    raw.print("article(id, with_raw)");

    Timing search;
    const char* words[] = {"the", "government", "market", "game", "police", "music", "year", "said"};
    for (int i = 0; i < 200; ++i) {
      const auto start = search.start();
      for (const auto& hit : archive->search(words[i % 8], 10)) sink += hit.snippet.size();
      search.add(start);
    }
    search.print("search (10 hits with snippets)");
    std::printf("(checksum %zu)\n", sink);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "read_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
