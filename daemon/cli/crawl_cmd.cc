// `winnow crawl`: fetch feeds or article pages now, extract, archive (or print).
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <boost/program_options/value_semantic.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "base/ascii.h"
#include "base/utf8.h"
#include "daemon/archive/archive_worker.h"
#include "daemon/archive/article_json.h"
#include "daemon/cli/common.h"
#include "daemon/cli/markdown_out.h"
#include "daemon/cli/verbs.h"
#include "daemon/ingest/ingest.h"
#include "daemon/log.h"

namespace winnow::cli {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace po = boost::program_options;

Command crawl_command() {
  Command c("crawl",
            "URL|FILE... [--print] [--format text|markdown|json] [--links] [--images] [--no-robots]\n"
            "[--quiet] "
            "[--delay SECONDS] [--concurrency N]",
            "Fetches each feed or page now. A feed has its new entries fetched, extracted and\n"
            "archived; any other page is extracted and archived as an article. FILE is read as\n"
            "file://, except FILE.list or FILE.txt: one URL (or path) a line, '#' for comments.\n"
            "With --print, nothing is archived and each article goes to standard output.\n"
            "On a terminal a progress line shows what is done of what is known so far.",
            "exit status: 0 every item archived (or already known); 1 some items failed;\n"
            "             2 bad usage; 3 nothing could be done (every item failed);\n"
            "             75 the archive's disk is full\n");
  c.options()("print", po::bool_switch(), "archive nothing; print each article")(
      "format", po::value<std::string>()->value_name("F"), "with --print: text (default), markdown or json")(
      "no-robots", po::bool_switch(), "ignore robots.txt (for your own sites)")(
      "quiet", po::bool_switch(), "no progress line, errors only")(
      "delay", po::value<std::string>()->value_name("SECONDS"),
      "at least this long between two requests to one host (default: the configuration's)")(
      "concurrency", po::value<std::string>()->value_name("N"),
      "requests at once to one host, 1 to 64 (default: the configuration's)");
  add_markdown_switches(c, false);
  add_archive_options(c);
  c.positionals(1, SIZE_MAX, "URL or FILE");
  return c;
}

// --delay: seconds, a fraction allowed, from 0 to a day.
double delay_seconds(const std::string& text) {
  std::size_t used = 0;
  double value = -1;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !(value >= 0 && value <= 86400))
    throw UsageError("--delay: '" + text + "' is not a number of seconds from 0 to 86400");
  return value;
}

void print_article(const archive::ArticleRow& row, const std::string& format, const MarkdownSwitches& md) {
  if (format == "json") {
    json::object o{{"url", row.url},   {"title", row.title},     {"authors", row.authors},
                   {"site_name", row.site_name}, {"language", row.language}, {"source", row.source},
                   {"verdict", row.verdict},     {"partial", row.partial},   {"text", row.text}};
    boost::system::error_code ec;
    json::value blocks = json::parse(row.blocks_json, ec);
    if (!ec) o["blocks"] = std::move(blocks);
    std::cout << archive::json_line(o) << "\n";
    return;
  }
  const std::string markdown = format == "markdown" ? row_markdown(row, md) : std::string();
  // The Markdown carries its own H1 (the title): not a second one.
  if (format == "markdown" && markdown.starts_with("# ")) {
    std::cout << base::without_controls(markdown) << "\n\n<" << base::without_controls(row.url) << ">\n\n";
    return;
  }
  std::cout << "# " << base::without_controls(row.title) << "\n" << base::without_controls(row.url) << "\n\n"
            << base::without_controls(format == "markdown" ? markdown : row.text) << "\n\n";
}

// A FILE.list (or .txt) names what to crawl, one URL or path a line, '#' comments.
std::vector<std::string> expand_lists(const std::vector<std::string>& inputs) {
  std::vector<std::string> out;
  for (const auto& input : inputs) {
    fs::path path(input);
    if (input.find("://") == std::string::npos && (path.extension() == ".list" || path.extension() == ".txt")) {
      std::ifstream in(path);
      if (!in) throw NothingDone("cannot read " + input);
      for (std::string line; std::getline(in, line);) {
        std::string_view url = base::trim(line, " \t\r");
        if (url.empty() || url.front() == '#') continue;
        out.emplace_back(url);
      }
      continue;
    }
    out.push_back(input);
  }
  return out;
}

}  // namespace

int run_crawl(std::span<char* const> argv) {
  const Command command = crawl_command();
  Args args(argv, command);
  if (print_help_if_asked(args, command)) return kExitOk;
  const std::string format = args.choice("format", "text", {"text", "markdown", "json"});
  const MarkdownSwitches md = markdown_switches(args);
  std::optional<double> delay_s;
  if (auto d = args.get("delay")) delay_s = delay_seconds(*d);
  const auto concurrency = args.number("concurrency", 0, 1, 64);
  const bool print = args.has("print");
  Config config = cli_config(args);
  make_archive_directory(config);
  log::set_level(args.has("quiet") ? LogLevel::error : LogLevel::warning);

  // --print archives nothing: a scratch archive (for the duplicate checks) in a temp dir.
  std::string scratch;
  if (print) {
    char dir[] = "/tmp/winnow-crawl-XXXXXX";
    if (!mkdtemp(dir)) throw std::runtime_error("cannot create a temporary directory");
    scratch = dir;
    config.archive_path = scratch + "/scratch.db";
  }
  int rc = 0;
  {
    asio::io_context loop;
    // A full disk ends the crawl at once, as it ends winnowd (the worker logs it once).
    bool full = false;
    std::function<void()> on_full;
    archive::ArchiveWorker archive(config.archive_path, [&] { asio::post(loop, [&] { on_full(); }); });
    ingest::IngestOptions options = ingest::options_from(config);
    options.obey_robots = options.obey_robots && !args.has("no-robots");
    if (delay_s) options.politeness.min_delay_s = *delay_s;
    if (concurrency > 0) options.politeness.concurrency = int(concurrency);
    ingest::Ingest ingest(loop, archive, options);

    // A progress line on a terminal, redrawn in place.
    const bool progress = isatty(STDERR_FILENO) && !args.has("quiet");
    asio::steady_timer ticker(loop);
    // What is known so far: the targets, and the new entries of the feeds among them (a feed
    // counts as one item done once polled). Counts are clamped so that the line never says
    // more is under way, or done, than there is.
    const auto started = std::chrono::steady_clock::now();
    std::size_t target_count = 0;
    std::function<void()> tick = [&] {
      const auto& s = ingest.stats();
      const std::uint64_t total = target_count + s.entries_new;
      const std::uint64_t done = std::min<std::uint64_t>(
          total, s.polls + s.archived + s.url_duplicates + s.near_duplicates + s.failed);
      const std::uint64_t in_flight = std::min<std::uint64_t>(ingest.in_flight(), total - done);
      std::string eta = "";
      const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (done > 0 && done < total) {
        const long left_s = long(elapsed_s / double(done) * double(total - done) + 0.5);
        eta = "  eta " + (left_s >= 60 ? std::to_string(left_s / 60) + "m" : "") + std::to_string(left_s % 60) + "s";
      }
      std::fprintf(stderr, "\r\033[K%llu/%llu (%d%%)  archived %llu  duplicates %llu  failed %llu  in flight %llu%s",
                   (unsigned long long)done, (unsigned long long)total, total ? int(done * 100 / total) : 0,
                   (unsigned long long)s.archived, (unsigned long long)(s.url_duplicates + s.near_duplicates),
                   (unsigned long long)s.failed, (unsigned long long)in_flight, eta.c_str());
      ticker.expires_after(std::chrono::milliseconds(250));
      ticker.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) tick();
      });
    };

    // Much of a crawl waits on the worker pool and the archive thread, which are no work of
    // the loop: without a guard, run() would return as soon as the loop had nothing queued.
    auto busy = asio::make_work_guard(loop);
    on_full = [&] {
      full = true;
      ingest.halt([&] {
        ticker.cancel();
        busy.reset();
        loop.stop();
      });
    };
    std::vector<std::string> targets = expand_lists(args.positionals());
    target_count = targets.size();
    if (progress) tick();
    ingest.crawl(
        targets, print,
        [&](const ingest::CrawledArticle& a) {
          if (print) print_article(a.row, format, md);
        },
        [&] {
          ticker.cancel();
          busy.reset();
          loop.stop();
        });
    loop.run();
    if (progress) std::fputs("\r\033[K", stderr);
    archive.flush();

    const auto& s = ingest.stats();
    std::fprintf(stderr, "%s %llu, duplicates %llu (%llu near), from feed content %llu, failed %llu\n",
                 print ? "printed" : "archived", (unsigned long long)s.archived,
                 (unsigned long long)(s.url_duplicates + s.near_duplicates), (unsigned long long)s.near_duplicates,
                 (unsigned long long)s.feed_fallbacks, (unsigned long long)s.failed);
    for (const auto& [reason, count] : s.failure_reasons)
      std::fprintf(stderr, "  failed: %s (%llu)\n", reason.c_str(), (unsigned long long)count);
    for (const auto& [verdict, count] : s.verdicts)
      if (verdict != "article")
        std::fprintf(stderr, "  not an article: %s (%llu)\n", verdict.c_str(), (unsigned long long)count);
    if (s.entries_known > 0 || s.url_duplicates > 0)
      std::fprintf(stderr, "  already known: %llu entries, %llu pages (archived before; nothing new in them)\n",
                   (unsigned long long)s.entries_known, (unsigned long long)s.url_duplicates);
    // Some items failed: 1; every one (nothing archived, nothing known already): 3.
    const bool anything = s.archived > 0 || s.url_duplicates > 0 || s.near_duplicates > 0 || s.entries_known > 0;
    if (s.failed > 0) rc = anything ? kExitSomeFailed : kExitNothingDone;
    if (full) rc = 75;  // EX_TEMPFAIL, as winnowd
  }
  if (!scratch.empty()) {
    std::error_code ec;
    fs::remove_all(scratch, ec);
  }
  return rc;
}

}  // namespace winnow::cli
