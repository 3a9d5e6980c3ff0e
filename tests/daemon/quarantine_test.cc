// A page that fails extraction twice, even by killing the process, is quarantined: the
// extraction journal beside the archive, and the real winnowd killed with SIGKILL while it
// extracts a page, twice, then started again.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <string>

#include "daemon/ingest/extraction_journal.h"
#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/farm.h"
#include "tests/daemon/feed_farm.h"
#include "tests/daemon/temp_dir.h"
#include "tests/daemon/winnowd_config.h"

namespace winnow {
namespace {

namespace farm = winnow::testing::farm;
using namespace std::chrono_literals;
using archive::testing::Probe;
using archive::testing::TempDir;
using ingest::ExtractionJournal;
using winnow::testing::Daemon;
using winnow::testing::read_file;
using winnow::testing::wait_for;

std::string hex(std::uint64_t key) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(key));
  return buffer;
}

// Whether some worker's slot of the journal at `path` holds `url`: it is being extracted.
bool being_extracted(const std::string& path, const std::string& url) {
  std::string slots = read_file(path).substr(0, ExtractionJournal::kSlots * 17);
  return slots.find(hex(ExtractionJournal::key(url))) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(quarantine)

BOOST_AUTO_TEST_CASE(a_slot_left_filled_by_a_dead_process_counts_as_a_failure) {
  TempDir dir;
  const std::string path = dir.file("archive.db.extracting");
  {
    std::string error;
    auto journal = ExtractionJournal::open(path, error);
    BOOST_TEST(error.empty());
    BOOST_TEST(journal.crashed_at_open() == 0);
    { ExtractionJournal::Extracting done(journal, "https://example.com/fine"); }
    BOOST_TEST(journal.record_failure("https://example.com/failed") == 1);
  }
  {
    // What a process that died while extracting a page leaves: its slot still filled (slot 5
    // here). Written by hand: the guard of a dead process is never destroyed.
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(5 * 17);
    file << hex(ExtractionJournal::key("https://example.com/dies"));
  }
  std::string error;
  auto journal = ExtractionJournal::open(path, error);
  BOOST_TEST(journal.crashed_at_open() == 1);
  BOOST_TEST(journal.failures("https://example.com/dies") == 1);
  BOOST_TEST(journal.failures("https://example.com/fine") == 0);
  BOOST_TEST(journal.failures("https://example.com/failed") == 1);
  BOOST_TEST(!journal.quarantined("https://example.com/dies"));
  BOOST_TEST(journal.record_failure("https://example.com/dies") == 2);
  BOOST_TEST(journal.quarantined("https://example.com/dies"));
  // Counts survive a reopen; the slots are empty again, the file stays small.
  auto again = ExtractionJournal::open(path, error);
  BOOST_TEST(again.crashed_at_open() == 0);
  BOOST_TEST(again.quarantined("https://example.com/dies"));
  BOOST_TEST(again.failures("https://example.com/failed") == 1);
  BOOST_TEST(read_file(path).size() == ExtractionJournal::kSlots * 17 + 3 * 19);
}

BOOST_AUTO_TEST_CASE(a_torn_line_is_ignored_and_a_bad_path_is_named) {
  TempDir dir;
  const std::string path = dir.file("journal");
  std::ofstream(path) << std::string(ExtractionJournal::kSlots * 17, '\n') << "F 00000000000000ab\nF 0000";
  std::string error;
  auto journal = ExtractionJournal::open(path, error);
  BOOST_TEST(error.empty());
  BOOST_TEST(journal.crashed_at_open() == 0);
  ExtractionJournal::open(dir.file("missing/dir/journal"), error);
  BOOST_TEST(error.find("missing/dir/journal") != std::string::npos, error);
  // Without a file, failures count in memory.
  ExtractionJournal memory;
  memory.record_failure("x");
  BOOST_TEST(memory.record_failure("x") == 2);
  BOOST_TEST(memory.quarantined("x"));
}

BOOST_AUTO_TEST_CASE(a_page_that_kills_winnowd_while_extracted_twice_is_quarantined_not_fetched_again) {
  TempDir dir;
  // Entry 0 links a big page, slow enough to extract (a second or so) for the test to see
  // it in the journal and kill winnowd then, as a page crashing the extractor would.
  const farm::Story slow_story = farm::make_story(7001, 3), fine_story = farm::make_story(7002, 3);
  std::string big = "<html><body><article>";
  for (int i = 0; i < 400'000; ++i) big += "<i>x</i> ";
  big += "</article></body></html>";
  farm::FeedFarm feeds(
      {.feeds = 1, .entries = 2},
      [&](int, int e) { return farm::html_response(e == 0 ? big : farm::page_html(fine_story)); },
      [&](int, int e) {
        return farm::item_for(e == 0 ? slow_story : fine_story, feeds.page_url(0, e), /*with_content=*/true);
      });
  const std::string slow_url = feeds.page_url(0, 0), fine_url = feeds.page_url(0, 1);
  const std::string db = dir.file("archive.db"), config = dir.file("winnowd.toml"), log = dir.file("winnowd.log");
  const std::string journal = db + ".extracting";
  auto toml = winnow::testing::quick_polling(feeds.feed_urls(), 2);
  toml.log_level = "info";
  winnow::testing::write_config(config, toml);
  auto fetches_of_slow = [&] {
    int n = 0;
    for (const auto& r : feeds.server().requests()) n += feeds.url(r.path) == slow_url;
    return n;
  };

  for (int kill = 0; kill < 2; ++kill) {
    Daemon daemon(config, log);
    if (kill > 0) {  // the slot the killed process left filled is read and emptied first
      auto says = [&](const char* text) {
        for (const auto& line : daemon.log_lines())
          if (line.find(text) != std::string::npos) return true;
        return false;
      };
      BOOST_TEST_REQUIRE(wait_for([&] { return says("when the last process died"); }, 30s));
    }
    BOOST_TEST_REQUIRE(wait_for([&] { return being_extracted(journal, slow_url); }, 30s), "kill " << kill);
    daemon.kill9();
  }
  BOOST_TEST(fetches_of_slow() == 2);

  Daemon daemon(config, log);
  Probe probe(db);
  auto archived = [&](const std::string& url) {
    try {
      return probe.integer("SELECT count(*) FROM articles WHERE url = '" + url + "'") == 1;
    } catch (const std::exception&) {
      return false;
    }
  };
  BOOST_TEST_REQUIRE(wait_for([&] { return archived(slow_url) && archived(fine_url); }, 30s));
  BOOST_TEST(probe.text("SELECT verdict FROM articles WHERE url = '" + slow_url + "'") == "quarantined");
  BOOST_TEST(probe.text("SELECT source FROM articles WHERE url = '" + slow_url + "'") == "feed");
  BOOST_TEST(probe.integer("SELECT retry_at IS NULL FROM articles WHERE url = '" + slow_url + "'") == 1);
  BOOST_TEST(probe.text("SELECT winnow_article_text(body, text) FROM articles WHERE url = '" + slow_url + "'").find(slow_story.paragraphs.front()) !=
             std::string::npos);
  // Not fetched again, and the process lives on.
  BOOST_TEST(fetches_of_slow() == 2);
  BOOST_TEST(daemon.running());
  bool logged = false;
  for (const auto& line : daemon.log_lines()) logged |= line.find("page quarantined") != std::string::npos;
  BOOST_TEST(logged);
  BOOST_TEST(daemon.terminate(20s).value_or(-1) == 0);
  BOOST_TEST(probe.text("PRAGMA integrity_check") == "ok");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace winnow
