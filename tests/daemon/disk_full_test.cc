// The real winnowd on an archive whose disk fills up, against a feed farm in this process:
// it must stop fetching, say so once, exit with 75 (EX_TEMPFAIL), and leave the archive
// intact with every article committed before; a restart with room archives the rest.
// Two ways to fill it: SQLite's max_page_count (WINNOW_TEST_MAX_PAGE_COUNT, always runs)
// and a small tmpfs (needs the right to mount; skipped with a message without it).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/farm.h"
#include "tests/daemon/feed_farm.h"
#include "tests/daemon/mount_precondition.h"
#include "tests/daemon/winnowd_config.h"

namespace winnow {
namespace {

namespace farm = winnow::testing::farm;
using namespace std::chrono_literals;
using archive::testing::Probe;
using archive::testing::TempDir;
using winnow::testing::Daemon;
using winnow::testing::wait_for;
using Clock = std::chrono::steady_clock;

constexpr int kEntries = 30;
constexpr int kConcurrency = 4;

// Feed 0 and feed 1 of kEntries long stories each (some 40 KB of text per page).
farm::FeedFarm::Options farm_options() {
  farm::FeedFarm::Options options;
  options.feeds = 2;
  options.entries = kEntries;
  options.server_threads = 4;
  return options;
}

farm::FeedFarm::PageSource long_pages() {
  return [](int feed, int entry) {
    return farm::html_response(farm::page_html(farm::make_story(std::uint32_t(9000 + feed * 100 + entry), 80)));
  };
}

void write_config(const std::string& path, const std::string& archive, const std::vector<std::string>& feeds) {
  auto toml = winnow::testing::quick_polling(feeds, kConcurrency);
  toml.archive = archive;
  toml.log_level = "info";
  winnow::testing::write_config(path, toml);
}

std::int64_t articles(const std::string& db) {
  try {
    return Probe(db).find_integer("SELECT count(*) FROM articles").value_or(-1);
  } catch (const std::exception&) {
    return -1;  // not created yet
  }
}

std::size_t count_lines(const std::vector<std::string>& lines, const std::string& needle) {
  return std::size_t(std::count_if(lines.begin(), lines.end(),
                                   [&](const std::string& l) { return l.find(needle) != std::string::npos; }));
}

// Archives feed 0 whole into `db`, then stops winnowd.
void archive_feed_zero(const farm::FeedFarm& farm, const std::string& config, const std::string& db,
                       const std::string& log) {
  write_config(config, db, {farm.feed_url(0)});
  Daemon daemon(config, log);
  BOOST_TEST_REQUIRE(wait_for([&] { return articles(db) == kEntries; }, 20s), "see " << log);
  auto status = daemon.terminate(10s);
  BOOST_TEST_REQUIRE(status.has_value());
  BOOST_TEST_REQUIRE(WEXITSTATUS(*status) == 0);
}

// Runs winnowd on both feeds until the archive fills: it must exit 75 within seconds of the
// one error line, with no burst of fetches after it, and leave feed 0's articles intact.
void fill_and_check(const farm::FeedFarm& farm, const std::string& config, const std::string& db,
                    const std::string& log, const std::vector<std::string>& env) {
  write_config(config, db, farm.feed_urls());
  Daemon daemon(config, log, env);
  std::optional<Clock::time_point> reported;
  std::uint64_t requests_at_report = 0;
  BOOST_TEST_REQUIRE(wait_for(
                         [&] {
                           if (!reported && count_lines(daemon.log_lines(), "error: archive is full") > 0) {
                             reported = Clock::now();
                             requests_at_report = farm.counters().total();
                           }
                           return !daemon.running();
                         },
                         30s),
                     "winnowd kept running on a full archive; see " << log);
  const auto exited = Clock::now();
  BOOST_TEST_REQUIRE(reported.has_value(), "no error line; see " << log);
  BOOST_TEST(std::chrono::duration<double>(exited - *reported).count() < 3.0);
  auto status = daemon.exit_status();
  BOOST_TEST_REQUIRE(status.has_value());
  BOOST_TEST(WIFEXITED(*status));
  BOOST_TEST(WEXITSTATUS(*status) == 75);

  const auto lines = daemon.log_lines();
  BOOST_TEST(count_lines(lines, "error: ") == 1u, "error lines; see " << log);
  const auto error_line = std::find_if(lines.begin(), lines.end(), [](const std::string& l) { return l.starts_with("error: "); });
  BOOST_TEST_REQUIRE((error_line != lines.end()));
  const std::string& line = *error_line;
  BOOST_TEST(line.find("path=" + std::filesystem::absolute(db).string()) != std::string::npos, line);
  BOOST_TEST(line.find("free_bytes=") != std::string::npos, line);
  BOOST_TEST(line.find("full") != std::string::npos, line);
  // What was in flight when it filled may still have been answered; nothing was started.
  BOOST_TEST(farm.counters().total() - requests_at_report <= std::uint64_t(2 * kConcurrency),
             farm.counters().total() - requests_at_report << " requests after the report");

  Probe probe(db);
  BOOST_TEST(probe.text("PRAGMA integrity_check") == "ok");
  for (int e = 0; e < kEntries; ++e)
    BOOST_TEST(probe.integer("SELECT count(*) FROM articles WHERE url = '" + farm.page_url(0, e) + "'") == 1);
  BOOST_TEST(articles(db) < 2 * kEntries, "the archive never filled");
}

// With room again, winnowd archives what was not committed, each article once.
void restart_with_room(const std::string& config, const std::string& db,
                       const std::string& log) {
  Daemon daemon(config, log);
  BOOST_TEST_REQUIRE(wait_for([&] { return articles(db) == 2 * kEntries; }, 30s), "see " << log);
  auto status = daemon.terminate(10s);
  BOOST_TEST_REQUIRE(status.has_value());
  BOOST_TEST(WEXITSTATUS(*status) == 0);
  Probe probe(db);
  BOOST_TEST(probe.integer("SELECT count(DISTINCT url) FROM articles") == 2 * kEntries);
  BOOST_TEST(probe.text("PRAGMA integrity_check") == "ok");
}

BOOST_AUTO_TEST_SUITE(disk_full)

BOOST_AUTO_TEST_CASE(page_limit_reached_stops_fetching_reports_once_and_exits_75) {
  TempDir dir;
  farm::FeedFarm farm(farm_options(), long_pages());
  const std::string config = dir.file("winnowd.toml"), db = dir.file("archive.db"), log = dir.file("winnowd.log");
  archive_feed_zero(farm, config, db, log);
  // Room for about two more articles: the limit holds on winnowd's connection only.
  const std::int64_t pages = Probe(db).integer("PRAGMA page_count");
  fill_and_check(farm, config, db, log, {"WINNOW_TEST_MAX_PAGE_COUNT=" + std::to_string(pages + 8)});
  restart_with_room(config, db, log);
}

BOOST_AUTO_TEST_CASE(full_tmpfs_stops_fetching_reports_once_and_exits_75,
                     *winnow::testing::when_mountable("the max_page_count case covers a full archive")) {
  TempDir dir;
  auto fs = winnow::testing::Mount::tmpfs(dir.path() / "fs", "64m");
  BOOST_TEST_REQUIRE(fs.mounted());
  farm::FeedFarm farm(farm_options(), long_pages());
  const std::string config = dir.file("winnowd.toml"), db = (dir.path() / "fs" / "archive.db").string(),
                    log = dir.file("winnowd.log");
  archive_feed_zero(farm, config, db, log);
  // The archive as it is, and some 200 KB more: the WAL fills that first.
  const auto used = std::filesystem::file_size(db);
  BOOST_TEST_REQUIRE(fs.resize(std::to_string(used / 1024 + 256) + "k"));
  fill_and_check(farm, config, db, log, {});
  BOOST_TEST_REQUIRE(fs.resize("64m"));
  restart_with_room(config, db, log);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow
