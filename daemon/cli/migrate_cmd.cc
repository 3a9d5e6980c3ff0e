// `winnow migrate --from sqlite:PATH --to postgresql://...`: copies an embedded archive into
// PostgreSQL with every id kept, in batches, resumably (daemon/archive/copy.h). The source is
// opened read-only; the target is created (its schema) when empty.
#include <boost/program_options/value_semantic.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "daemon/archive/copy.h"
#include "daemon/cli/common.h"
#include "daemon/cli/verbs.h"
#include "daemon/config.h"

namespace winnow::cli {
namespace {

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

Command migrate_command() {
  Command c("migrate", "[--from sqlite:PATH] [--to postgresql://...] [--batch N] [--dry-run]",
            "Copies the SQLite archive PATH into the PostgreSQL database the URL names, every id kept\n"
            "(article ids, so consumers' cursors and /articles/ID stay the same): feeds with their\n"
            "poll state, entries, articles with their raw pages, webhook endpoints and events. Leases\n"
            "are not copied. Stop winnowd first; the source is only read.\n\n"
            "Each batch is one transaction. Run it again after an interruption: it goes on where the\n"
            "copy stopped, and a finished copy is left as it is. A database holding anything else is\n"
            "refused. Progress goes to standard error, the summary to standard output.\n\n"
            "Without --from, the configuration's [archive] path is copied (or --archive PATH); without\n"
            "--to, into its [archive] url.",
            "exit status: 0 copied (or nothing left to copy); 1 stopped before the end;\n"
            "             2 bad usage; 3 no source, target unreachable or holding other data,\n"
            "             or an error part way (run it again to go on)\n");
  c.options()("from", po::value<std::string>()->value_name("sqlite:PATH"), "the SQLite archive to copy")(
      "to", po::value<std::string>()->value_name("URL"), "the PostgreSQL database, postgresql://...")(
      "batch", po::value<std::string>()->value_name("N"),
      "articles per transaction (default 200; feeds, entries and events: 10 times as many)")(
      "dry-run", po::bool_switch(), "count what the source holds, copy nothing");
  add_archive_options(c);
  c.positionals(0, 0);
  return c;
}

// libpq's messages span lines ("...failed: ...\n\tIs the server running ...?"): one line.
std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  std::string out;
  for (char c : text)
    if (!(c == ' ' && !out.empty() && out.back() == ' ')) out += c;
  return out;
}

long long ll(std::int64_t n) { return static_cast<long long>(n); }

void print_counts(const char* what, const archive::ArchiveExtent& e) {
  std::printf("%s %lld feeds, %lld articles (%lld raw pages), %lld entries, %lld webhook endpoints, %lld events\n",
              what, ll(e.feeds), ll(e.articles), ll(e.raw_pages), ll(e.entries), ll(e.webhook_endpoints),
              ll(e.events));
}

}  // namespace

int run_migrate(std::span<char* const> argv) {
  const Command command = migrate_command();
  Args args(argv, command);
  if (print_help_if_asked(args, command)) return kExitOk;
  archive::CopyOptions options;
  options.article_batch = static_cast<std::size_t>(args.number("batch", 200, 1, 100'000));
  auto from = args.get("from");
  auto to = args.get("to");
  if (!from && args.has("archive") && archive::Archive::is_postgres_url(*args.get("archive")))
    throw UsageError("--archive names a PostgreSQL database: give the SQLite archive with --from sqlite:PATH");
  if (!from || !to) {
    const Config config = cli_config(args);
    if (!from) from = config.archive_path;
    if (!to && !config.archive_url.empty()) to = config.archive_url;
  }
  if (!to) throw UsageError("--to postgresql://... is required (or [archive] url in the configuration)");
  std::string source_path = *from;
  if (source_path.starts_with("sqlite:")) source_path.erase(0, 7);
  if (source_path.empty() || archive::Archive::is_postgres_url(source_path))
    throw UsageError("--from takes a SQLite archive, sqlite:PATH");
  if (!archive::Archive::is_postgres_url(*to)) throw UsageError("--to takes a postgresql:// URL");
  // For tests of resuming (docs/development.md): stops as a copy killed after N batches would.
  if (const char* n = std::getenv("WINNOW_TEST_MIGRATE_BATCHES"); n && *n) options.max_batches = std::atoll(n);

  std::unique_ptr<archive::Archive> source, target;
  try {
    source = archive::Archive::open_sqlite_read_only(source_path);
  } catch (const std::exception& e) {
    throw NothingDone(one_line(e.what()));
  }
  if (args.has("dry-run")) {
    print_counts("the source holds", source->extent());
    return kExitOk;
  }
  try {
    target = archive::Archive::open(*to);
  } catch (const std::exception& e) {
    throw NothingDone(one_line(e.what()) + " (" + archive::Archive::location_for_logs(*to) + ")");
  }

  // A line per table at most once a second, and when a table is done; redrawn in place on a
  // terminal.
  const bool terminal = isatty(STDERR_FILENO);
  const auto started = Clock::now();
  auto last_line = started - std::chrono::seconds(2);
  // The article rate counts from the first article batch of this run.
  std::int64_t articles_at_start = -1;
  Clock::time_point articles_started;
  const auto progress = [&](const archive::CopyProgress& p) {
    const auto now = Clock::now();
    if (p.table == archive::CopyTable::articles && articles_at_start < 0) {
      articles_at_start = p.done;
      articles_started = now;
    }
    const bool table_done = p.done >= p.total;
    if (!table_done && now - last_line < std::chrono::seconds(1)) return;
    last_line = now;
    std::string rate;
    if (p.table == archive::CopyTable::articles) {
      const double s = std::chrono::duration<double>(now - articles_started).count();
      if (s > 0 && p.done > articles_at_start)
        rate = "  " + std::to_string(static_cast<long long>(double(p.done - articles_at_start) / s)) + " articles/s";
    }
    std::fprintf(stderr, "%s%s %lld/%lld (%d%%)%s%s", terminal ? "\r\033[K" : "", archive::to_string(p.table),
                 ll(p.done), ll(p.total), p.total > 0 ? int(p.done * 100 / p.total) : 100, rate.c_str(),
                 terminal && !table_done ? "" : "\n");
    std::fflush(stderr);
  };

  archive::CopyReport report;
  try {
    report = archive::copy_archive(*source, *target, options, progress);
  } catch (const archive::CopyRefused& e) {
    throw NothingDone(std::string("the target is not empty: ") + e.what());
  } catch (const std::exception& e) {
    // What was committed stays: the next run goes on from there.
    if (terminal) std::fputs("\n", stderr);
    throw NothingDone(one_line(e.what()) + "; run again to go on from there");
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  if (!report.complete) {
    std::printf("stopped after %lld batches (WINNOW_TEST_MIGRATE_BATCHES); run again to go on\n", ll(report.batches));
    return kExitSomeFailed;
  }
  const auto& b = report.target_before;
  const auto& a = report.target_after;
  if (report.resumed && a.feeds == b.feeds && a.articles == b.articles && a.entries == b.entries &&
      a.events == b.events && a.webhook_endpoints == b.webhook_endpoints)
    std::printf("the target holds this copy already: nothing left to copy\n");
  else if (report.resumed)
    std::printf("resumed a copy begun before\n");
  print_counts("copied:", report.target_after);
  std::printf("%lld articles in this run in %.1f s (%.0f articles/s), %lld transactions\n", ll(report.articles_copied),
              seconds, seconds > 0 ? double(report.articles_copied) / seconds : 0.0, ll(report.batches));
  if (report.urls_dropped > 0)
    std::printf("%lld articles share a normalized or canonical URL with an older one; PostgreSQL keeps one article "
                "per URL, so theirs was left empty\n",
                ll(report.urls_dropped));
  return kExitOk;
}

}  // namespace winnow::cli
