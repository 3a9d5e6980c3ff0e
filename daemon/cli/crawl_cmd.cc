// `winnow crawl`: fetch feeds or article pages now, extract, archive (or print).
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <unistd.h>

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
#include "daemon/cli/verbs.h"
#include "daemon/ingest/ingest.h"
#include "daemon/log.h"

namespace winnow::cli {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: winnow crawl URL|FILE... [--print] [--format text|markdown|json] [--config FILE]\n"
    "                   [--archive PATH] [--no-robots] [--quiet]\n"
    "\n"
    "Fetches each feed or page now. A feed has its new entries fetched, extracted and\n"
    "archived; any other page is extracted and archived as an article. FILE is read as\n"
    "file://, except FILE.list or FILE.txt: one URL (or path) a line, '#' for comments.\n"
    "With --print, nothing is archived and each article goes to standard output.\n";

void print_article(const archive::ArticleRow& row, const std::string& format) {
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
  std::cout << "# " << base::without_controls(row.title) << "\n" << base::without_controls(row.url) << "\n\n"
            << base::without_controls(format == "markdown" ? row.markdown : row.text) << "\n\n";
}

// A FILE.list (or .txt) names what to crawl, one URL or path a line, '#' comments.
std::vector<std::string> expand_lists(const std::vector<std::string>& inputs) {
  std::vector<std::string> out;
  for (const auto& input : inputs) {
    fs::path path(input);
    if (input.find("://") == std::string::npos && (path.extension() == ".list" || path.extension() == ".txt")) {
      std::ifstream in(path);
      if (!in) throw std::runtime_error("cannot read " + input);
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
  Args args(argv, {"format", "config", "archive"}, {"print", "no-robots", "quiet", "help"});
  if (args.has("help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (args.positionals().empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string format = args.get_or("format", "text");
  if (format != "text" && format != "markdown" && format != "json") {
    std::fprintf(stderr, "winnow crawl: unknown format '%s'\n", format.c_str());
    return 2;
  }
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
    ingest::Ingest ingest(loop, archive, options);

    // A progress line on a terminal, redrawn in place.
    const bool progress = isatty(STDERR_FILENO) && !args.has("quiet");
    asio::steady_timer ticker(loop);
    std::function<void()> tick = [&] {
      const auto& s = ingest.stats();
      std::fprintf(stderr, "\r\033[Kfetched %llu  archived %llu  duplicates %llu  failed %llu  in flight %zu",
                   (unsigned long long)(s.pages_fetched + s.polls), (unsigned long long)s.archived,
                   (unsigned long long)(s.url_duplicates + s.near_duplicates), (unsigned long long)s.failed,
                   ingest.in_flight());
      ticker.expires_after(std::chrono::milliseconds(250));
      ticker.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) tick();
      });
    };
    if (progress) tick();

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
    ingest.crawl(
        targets, print,
        [&](const ingest::CrawledArticle& a) {
          if (print) print_article(a.row, format);
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
    if (s.failed > 0 && s.archived == 0 && s.url_duplicates == 0) rc = 1;
    if (full) rc = 75;  // EX_TEMPFAIL, as winnowd
  }
  if (!scratch.empty()) {
    std::error_code ec;
    fs::remove_all(scratch, ec);
  }
  return rc;
}

}  // namespace winnow::cli
