// archive_bench [DIR] [ARTICLES]: stores ARTICLES (20,000) generated articles of about 5 KB of
// text through ArchiveWorker into a fresh database in DIR (a temporary directory, removed
// afterwards), prints articles/s and the database size, then times 1,000 near-duplicate
// lookups and 1,000 full-text searches on the finished archive.
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "daemon/archive/archive.h"
#include "daemon/archive/archive_worker.h"

namespace {

using Clock = std::chrono::steady_clock;
using winnow::archive::Archive;
using winnow::archive::ArchiveWorker;
using winnow::archive::ArticleRow;

constexpr std::size_t kVocabulary = 20'000;
constexpr std::size_t kTextBytes = 5'000;
constexpr std::size_t kLookups = 1'000;
constexpr std::size_t kSearches = 1'000;

// Words with a Zipf-like frequency (weight 1/rank), so that the FTS index and zlib see
// something shaped like prose rather than uniform noise.
class Words {
 public:
  explicit Words(std::mt19937_64& rng) : rng_(rng) {
    const char* syllables[] = {"ka", "lo", "mer", "tin", "sa", "ve", "ro", "dan", "pel", "is",
                               "ur", "ben", "cho", "fa", "gri", "hal", "jo", "nu", "ost", "que"};
    std::uniform_int_distribution<int> count(1, 4), pick(0, 19);
    std::vector<double> weights;
    while (words_.size() < kVocabulary) {
      std::string word;
      for (int n = count(rng_); n > 0; --n) word += syllables[pick(rng_)];
      words_.push_back(word);
      weights.push_back(1.0 / static_cast<double>(words_.size()));
    }
    zipf_ = std::discrete_distribution<std::size_t>(weights.begin(), weights.end());
  }
  const std::string& next() { return words_[zipf_(rng_)]; }
  const std::string& at(std::size_t rank) const { return words_[rank]; }

 private:
  std::mt19937_64& rng_;
  std::vector<std::string> words_;
  std::discrete_distribution<std::size_t> zipf_;
};

ArticleRow make_article(int n, Words& words, std::mt19937_64& rng, std::vector<std::uint64_t>& fingerprints) {
  ArticleRow row;
  const std::string s = std::to_string(n);
  for (int i = 0; i < 8; ++i) row.title += (i ? " " : "") + words.next();
  std::string html = "<!doctype html><html><head><meta charset=utf-8><title>" + row.title +
                     "</title></head><body><nav><a href=/>Home</a> <a href=/world>World</a> <a href=/tech>Tech</a>"
                     "</nav><article><h1>" + row.title + "</h1>\n";
  row.blocks_json = "[";
  std::string paragraph;
  while (row.text.size() < kTextBytes) {
    paragraph.clear();
    for (int i = 0; i < 60; ++i) paragraph += (i ? " " : "") + words.next();
    paragraph += '.';
    row.text += (row.text.empty() ? "" : "\n\n") + paragraph;
    html += "<p class=\"story-body\">" + paragraph + "</p>\n";
    row.blocks_json += std::string(row.blocks_json.size() > 1 ? "," : "") + R"({"type":"paragraph","text":")" +
                       paragraph + "\"}";
  }
  row.blocks_json += "]";
  row.markdown = "# " + row.title + "\n\n" + row.text;
  html += "</article><footer>© News Example. All rights reserved.</footer></body></html>\n";
  row.raw = std::move(html);
  row.url = "https://news" + std::to_string(n % 50) + ".example/story/" + s;
  row.normalized_url = row.url;
  row.canonical_url = row.url;
  row.entry_key = row.url;
  row.authors = words.next() + " " + words.next();
  row.published = 1'700'000'000 + n;
  row.site_name = "News Example";
  row.language = "en";
  row.tags = words.next() + ", " + words.next();
  row.removed_json = "[]";
  // One story in ten is a syndicated copy of an earlier one, one or two bits away.
  if (!fingerprints.empty() && rng() % 10 == 0) {
    row.fingerprint = fingerprints[rng() % fingerprints.size()] ^ (std::uint64_t{1} << (rng() % 64));
    if (rng() % 2) row.fingerprint ^= std::uint64_t{1} << (rng() % 64);
  } else {
    row.fingerprint = rng();
  }
  fingerprints.push_back(row.fingerprint);
  row.http_status = 200;
  row.content_type = "text/html; charset=utf-8";
  row.charset = "utf-8";
  row.fetched_at = 1'700'000'100 + n;
  row.extractor_version = 1;
  return row;
}

struct Latency {
  double mean_ms, p50_ms, p99_ms;
};

Latency summarise(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double x : ms) sum += x;
  return {sum / static_cast<double>(ms.size()), ms[ms.size() / 2], ms[ms.size() * 99 / 100]};
}

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::uintmax_t database_bytes(const std::filesystem::path& db) {
  std::uintmax_t total = 0;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code error;
    const auto size = std::filesystem::file_size(db.string() + suffix, error);
    if (!error) total += size;
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir;
  bool remove_dir = false;
  if (argc > 1) {
    dir = argv[1];
  } else {
    std::string pattern = (std::filesystem::temp_directory_path() / "archive-bench-XXXXXX").string();
    if (!mkdtemp(pattern.data())) {
      std::perror("mkdtemp");
      return 1;
    }
    dir = pattern;
    remove_dir = true;
  }
  const int articles = argc > 2 ? std::atoi(argv[2]) : 20'000;
  const auto db = dir / "archive-bench.db";
  std::filesystem::remove(db);

  std::mt19937_64 rng(20'261'125);
  Words words(rng);
  std::vector<std::uint64_t> fingerprints;
  std::uintmax_t text_bytes = 0, raw_bytes = 0;

  std::int64_t commits = 0;
  std::atomic<int> failures = 0;
  const auto start = Clock::now();
  {
    ArchiveWorker worker(db.string());
    for (int n = 0; n < articles; ++n) {
      // Keep memory bounded: the generator outruns the archive.
      while (worker.pending() > 2 * ArchiveWorker::kMaxBatch) std::this_thread::sleep_for(std::chrono::microseconds(200));
      ArticleRow row = make_article(n, words, rng, fingerprints);
      text_bytes += row.text.size();
      raw_bytes += row.raw.size();
      worker.post([row = std::move(row)](Archive& archive) { archive.store_article(row); },
                  [&failures](std::exception_ptr error) { failures += error ? 1 : 0; });
    }
    worker.post([&](Archive& archive) { commits = archive.commit_count(); });
    worker.flush();
  }  // closing checkpoints the WAL into the database file
  const double store_s = elapsed_ms(start) / 1000;
  if (failures > 0) {
    std::fprintf(stderr, "archive_bench: %d articles failed to store\n", failures.load());
    return 1;
  }
  std::printf("archive_bench: %d articles, %.1f KB text and %.1f KB raw HTML each on average\n", articles,
              static_cast<double>(text_bytes) / articles / 1000, static_cast<double>(raw_bytes) / articles / 1000);
  std::printf("store through ArchiveWorker: %.1f s, %.0f articles/s, %lld transactions\n", store_s,
              articles / store_s, static_cast<long long>(commits));
  std::printf("database: %.1f MB (%.1f MB of text and %.1f MB of raw HTML stored)\n",
              static_cast<double>(database_bytes(db)) / 1e6, static_cast<double>(text_bytes) / 1e6,
              static_cast<double>(raw_bytes) / 1e6);

  auto archive = Archive::open_sqlite(db.string());
  std::vector<double> ms;
  std::size_t found = 0;
  for (std::size_t i = 0; i < kLookups; ++i) {
    std::uint64_t probe = fingerprints[rng() % fingerprints.size()];
    for (int flips = static_cast<int>(rng() % 4); flips > 0; --flips) probe ^= std::uint64_t{1} << (rng() % 64);
    const auto t = Clock::now();
    found += archive->near_duplicates(probe, 5, 0).size();
    ms.push_back(elapsed_ms(t));
  }
  auto l = summarise(ms);
  std::printf("near_duplicates (max 5 bits): %zu lookups, mean %.3f ms, p50 %.3f ms, p99 %.3f ms, %.2f matches each\n",
              kLookups, l.mean_ms, l.p50_ms, l.p99_ms, static_cast<double>(found) / kLookups);

  ms.clear();
  found = 0;
  for (std::size_t i = 0; i < kSearches; ++i) {
    // Half single words, half two-word AND queries, drawn from ranks 50-5000: words that
    // match some hundreds to some thousands of articles, as a reader's query would.
    std::string query = words.at(50 + rng() % 4950);
    if (i % 2) query += " " + words.at(50 + rng() % 4950);
    const auto t = Clock::now();
    found += archive->search(query, 10).size();
    ms.push_back(elapsed_ms(t));
  }
  l = summarise(ms);
  std::printf("search (limit 10): %zu queries, mean %.3f ms, p50 %.3f ms, p99 %.3f ms, %.2f hits each\n", kSearches,
              l.mean_ms, l.p50_ms, l.p99_ms, static_cast<double>(found) / kSearches);

  archive.reset();
  if (remove_dir) std::filesystem::remove_all(dir);
  return 0;
}
