// Concurrent article stores on one PostgreSQL archive (docs/scale-out.md, "Consumers"): W
// writers, each an Archive connection of its own as each winnowd's archive thread is,
// storing articles in transactions of B, as ArchiveWorker batches them. Measures what the
// commit-order lock costs the writers together.
//
//   pg_store_bench [--writers W] [--articles N] [--batch B] [--hold-ms H] [--url URL]
//       W writers (default 1, 2 and 4 in turn), N articles each (2000), B per transaction
//       (32), each transaction kept open H ms more after its stores (0), as a batch waiting
//       for its next job does. Without --url, a throw-away server (tests/daemon/pg_cluster.h).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_args.h"
#include "daemon/archive/archive.h"
#include "tests/daemon/pg_cluster.h"

namespace {

using Clock = std::chrono::steady_clock;
using winnow::archive::Archive;
using winnow::archive::ArticleRow;

// A typical stored article: some kB of text, no raw page (those are TOASTed apart).
ArticleRow article(long writer, long n) {
  ArticleRow row;
  const std::string s = std::to_string(writer) + "-" + std::to_string(n);
  row.entry_key = "urn:" + s;
  row.url = "https://bench.example/" + s;
  row.normalized_url = row.url;
  row.title = "Story " + s;
  for (int i = 0; i < 60; ++i) row.text += "Words of the story " + s + " go on for a while. ";
  row.markdown = row.text;
  row.fingerprint = std::uint64_t(writer * 1'000'003 + n) * 0x9e3779b97f4a7c15ULL;
  row.fetched_at = 1;
  return row;
}

double run(const std::string& url, long writers, long articles, long batch, long hold_ms) {
  std::vector<std::thread> threads;
  std::atomic<int> ready = 0;
  std::atomic<bool> go = false;
  static std::atomic<long> round = 0;
  const long base = ++round * 1'000'000;
  for (long w = 0; w < writers; ++w)
    threads.emplace_back([&, w] {
      auto archive = Archive::open(url);
      ++ready;
      while (!go.load()) std::this_thread::yield();
      for (long n = 0; n < articles; n += batch)
        archive->transaction([&] {
          for (long i = n; i < std::min(articles, n + batch); ++i) archive->store_article(article(base + w, i));
          if (hold_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
        });
    });
  while (ready.load() < writers) std::this_thread::yield();
  const auto start = Clock::now();
  go = true;
  for (auto& t : threads) t.join();
  const double s = std::chrono::duration<double>(Clock::now() - start).count();
  return double(writers * articles) / s;
}

}  // namespace

int main(int argc, char** argv) {
  long writers = 0, articles = 2000, batch = 32, hold_ms = 0;
  std::string url;
  winnow::bench::po::options_description options("options");
  options.add_options()
      ("writers", winnow::bench::po::value(&writers), "concurrent writers (default: 1, 2 and 4 in turn)")
      ("articles", winnow::bench::po::value(&articles)->default_value(articles), "articles each writer stores")
      ("batch", winnow::bench::po::value(&batch)->default_value(batch), "articles per transaction")
      ("hold-ms", winnow::bench::po::value(&hold_ms)->default_value(hold_ms), "time each transaction stays open")
      ("url", winnow::bench::po::value(&url), "a PostgreSQL database (default: a throw-away server)");
  winnow::bench::parse_args(argc, argv, "pg_store_bench", options);
  winnow::bench::require(writers >= 0 && articles >= 1 && batch >= 1 && hold_ms >= 0, "pg_store_bench",
                         "counts must be positive");
  if (url.empty()) url = winnow::testing::PgCluster::shared().create_database();
  Archive::open(url);  // migrated before the clock starts
  const std::vector<long> counts = writers > 0 ? std::vector<long>{writers} : std::vector<long>{1, 2, 4};
  for (long w : counts)
    std::printf("writers %ld  batch %ld  hold %ld ms: %8.0f articles/s\n", w, batch, hold_ms,
                run(url, w, articles, batch, hold_ms));
  return 0;
}
