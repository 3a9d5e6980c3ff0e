// compact_bench ARCHIVE [--level N] [--batch N]: compacts the raw pages of an archive (a
// SQLite file, or a postgresql:// URL: e.g. one copy_bench filled) IN PLACE
// (archive/compactor.h), as winnowd's compactor does, until nothing is left, and prints the
// raw pages' bytes per article before and after, dictionaries learnt and the CPU per
// repacked page (the compactor's thread: reading, unpacking, packing, checking; and the
// archive thread's writes). Meant for an archive daemon_bench kept (--keep --compact-level 0).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/archive/archive_worker.h"
#include "daemon/archive/compactor.h"
#include "tests/daemon/pg_cluster.h"
#include "tests/daemon/probe.h"

namespace {

using winnow::testing::PgCluster;
using winnow::testing::Probe;

double process_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Sizes {
  std::int64_t articles = 0, pages = 0, packed = 0, plain = 0, with_dictionary = 0, compacted = 0;
};

// The statements read alike on both back ends.
Sizes sizes(const std::string& location) {
  std::function<std::int64_t(const std::string&)> integer;
  std::unique_ptr<Probe> probe;
  if (location.starts_with("postgresql:")) {
    integer = [&](const std::string& sql) { return PgCluster::integer(location, sql); };
  } else {
    probe = std::make_unique<Probe>(location, Probe::Mode::read_only);
    integer = [&](const std::string& sql) { return probe->integer(sql); };
  }
  return Sizes{integer("SELECT count(*) FROM articles"),
               integer("SELECT count(*) FROM raw_pages"),
               integer("SELECT coalesce(sum(length(bytes)), 0) FROM raw_pages"),
               integer("SELECT coalesce(sum(plain_bytes), 0) FROM raw_pages"),
               integer("SELECT count(*) FROM raw_pages WHERE dictionary_id IS NOT NULL"),
               integer("SELECT count(*) FROM raw_pages WHERE compacted_level > 0")};
}

void print(const char* what, const Sizes& s) {
  std::printf("%-7s %lld articles, %lld raw pages (%lld with a dictionary, %lld compacted): %.1f MB packed of %.1f MB, "
              "%.2f KB a page, %.2f KB an article\n",
              what, (long long)s.articles, (long long)s.pages, (long long)s.with_dictionary, (long long)s.compacted,
              double(s.packed) / 1e6, double(s.plain) / 1e6, s.pages ? double(s.packed) / double(s.pages) / 1000 : 0.0,
              s.articles ? double(s.packed) / double(s.articles) / 1000 : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: compact_bench ARCHIVE [--level N] [--batch N]   (compacts in place; ARCHIVE: a SQLite file "
               "or a postgresql:// URL)\n",
               stderr);
    return 2;
  }
  const std::string path = argv[1];
  winnow::archive::Compactor::Options options;
  options.idle_priority = false;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string_view a = argv[i];
    if (a == "--level") options.level = std::atoi(argv[i + 1]);
    else if (a == "--batch") options.batch_pages = std::size_t(std::atol(argv[i + 1]));
  }
  try {
    const Sizes before = sizes(path);
    print("before", before);
    winnow::archive::ArchiveWorker writer(path);
    winnow::archive::Compactor compactor(path, writer, nullptr, options);
    const double cpu_start = process_cpu_s();
    const auto wall_start = std::chrono::steady_clock::now();
    int passes = 0;
    for (;;) {
      ++passes;
      const auto pass = compactor.run_pass();
      if (pass.pages_repacked == 0 && pass.dictionaries_learnt == 0) break;
    }
    writer.flush();
    const double cpu = process_cpu_s() - cpu_start;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    const auto s = compactor.stats();
    const Sizes after = sizes(path);
    print("after", after);
    std::printf("compaction at level %d: %d passes, %lld pages repacked (%.1f -> %.1f MB), %lld dictionaries learnt, "
                "%lld undecodable\n",
                options.level, passes, (long long)s.pages_repacked, double(s.bytes_before) / 1e6,
                double(s.bytes_after) / 1e6, (long long)s.dictionaries_learnt, (long long)s.pages_undecodable);
    std::printf("CPU: compactor thread %.2f s = %.0f us a page; whole process (writes too) %.2f s = %.0f us a page; "
                "wall %.1f s\n",
                s.cpu_s, s.pages_repacked ? s.cpu_s / double(s.pages_repacked) * 1e6 : 0.0, cpu,
                s.pages_repacked ? cpu / double(s.pages_repacked) * 1e6 : 0.0, wall);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "compact_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
