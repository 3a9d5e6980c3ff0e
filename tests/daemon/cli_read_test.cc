// The reading verbs of `winnow` (show, search, export, feeds list, feeds export), the real
// binary on an archive made here: they open it read-only, so that they work on a read-only
// file, directory or mount and write nothing; they name what is missing when it cannot be
// opened; and they never pass a terminal escape from the archive to the terminal.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/mount_precondition.h"

namespace winnow {
namespace {

using namespace std::chrono_literals;
using archive::testing::Probe;
using archive::testing::sample_article;
using archive::testing::TempDir;
using winnow::testing::read_file;
using winnow::testing::run_command;

// An archive of one feed and two articles in a temp dir, and `winnow VERB` run on it.
struct ReadSite {
  ReadSite() {
    std::ofstream(config) << "";
    auto a = archive::Archive::open_sqlite(db);
    const std::int64_t feed = a->add_feed("https://news.example/feed.xml", "News", "world");
    for (int n = 1; n <= 2; ++n) a->store_article(sample_article(n, feed));
  }

  // `winnow VERB ARGS... --archive ARCHIVE --config CONFIG`; the exit status.
  int verb(std::vector<std::string> args, const std::string& archive) {
    std::vector<std::string> argv = {WINNOW_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--archive", archive, "--config", config});
    auto status = run_command(argv, out, err, 20s);
    BOOST_TEST_REQUIRE(status.has_value(), "winnow " << args.front() << " did not finish");
    BOOST_TEST_REQUIRE(WIFEXITED(*status));
    return WEXITSTATUS(*status);
  }
  std::string output() const { return read_file(out); }
  std::string errors() const { return read_file(err); }

  TempDir dir;
  const std::string config = dir.file("winnow.toml");
  const std::string db = dir.file("archive.db");
  const std::string out = dir.file("out.txt");
  const std::string err = dir.file("err.txt");
};

const std::vector<std::vector<std::string>> kReadingVerbs = {
    {"show", "1"}, {"search", "story"}, {"export"}, {"feeds", "list"}, {"feeds", "export"}};

BOOST_AUTO_TEST_SUITE(cli_read)

BOOST_AUTO_TEST_CASE(reading_verbs_write_nothing_to_the_archive) {
  ReadSite site;
  const std::string before = read_file(site.db);
  struct stat st_before{};
  BOOST_TEST_REQUIRE(::stat(site.db.c_str(), &st_before) == 0);
  for (const auto& args : kReadingVerbs) {
    BOOST_TEST(site.verb(args, site.db) == 0, args.front() << ": " << site.errors());
    BOOST_TEST(!site.output().empty(), args.front());
  }
  struct stat st_after{};
  BOOST_TEST_REQUIRE(::stat(site.db.c_str(), &st_after) == 0);
  BOOST_TEST(st_after.st_mtim.tv_sec == st_before.st_mtim.tv_sec);
  BOOST_TEST(st_after.st_mtim.tv_nsec == st_before.st_mtim.tv_nsec);
  BOOST_TEST((read_file(site.db) == before), "a reading verb changed the archive file");
  // SQLite may leave an empty -wal beside it (a reader never checkpoints), but no frame.
  std::error_code ec;
  BOOST_TEST(std::filesystem::file_size(site.db + "-wal", ec) == 0u);
}

BOOST_AUTO_TEST_CASE(read_only_archive_refuses_writes) {
  ReadSite site;
  auto a = archive::Archive::open_sqlite_read_only(site.db);
  BOOST_TEST(a->feeds().size() == 1u);
  BOOST_TEST(a->article_count() == 2);
  BOOST_CHECK_THROW(a->add_feed("https://other.example/feed.xml", "", ""), std::runtime_error);
  BOOST_TEST(Probe(site.db).integer("SELECT count(*) FROM feeds") == 1);
}

BOOST_AUTO_TEST_CASE(reading_verbs_work_on_a_read_only_mount, *winnow::testing::when_mountable("reading_verbs_write_nothing covers the rest")) {
  ReadSite site;
  // Root ignores file modes, so the read-only directory is a read-only bind mount; with no
  // -wal or -shm file there, as after winnowd stopped.
  BOOST_TEST_REQUIRE(!std::filesystem::exists(site.db + "-wal"));
  TempDir view;
  auto mount = winnow::testing::Mount::read_only_bind(site.dir.path(), view.path() / "ro");
  BOOST_TEST_REQUIRE(mount.mounted(), mount.error());
  const std::string db = (view.path() / "ro" / "archive.db").string();
  for (const auto& args : kReadingVerbs) {
    BOOST_TEST(site.verb(args, db) == 0, args.front() << ": " << site.errors());
    BOOST_TEST(!site.output().empty(), args.front());
  }
  BOOST_TEST(site.verb({"show", "2"}, db) == 0);
  BOOST_TEST(site.output().find("Story number 2") != std::string::npos, site.output());
  // A writing verb still says why it cannot.
  BOOST_TEST(site.verb({"feeds", "add", "https://other.example/feed.xml"}, db) != 0);
}

BOOST_AUTO_TEST_CASE(older_schema_is_refused_by_readers_with_what_to_do) {
  ReadSite site;
  Probe(site.db).exec("PRAGMA user_version = 4");
  BOOST_TEST(site.verb({"show", "1"}, site.db) != 0);
  BOOST_TEST(site.errors().find("schema version 4, older than") != std::string::npos, site.errors());
  BOOST_TEST(site.errors().find("start winnowd once") != std::string::npos, site.errors());
  BOOST_TEST(Probe(site.db).integer("PRAGMA user_version") == 4, "a reader migrated the archive");
}

BOOST_AUTO_TEST_CASE(missing_archive_directory_is_named_and_not_created) {
  ReadSite site;
  const std::string missing = site.dir.file("missing");
  for (const auto& args : kReadingVerbs) {
    BOOST_TEST(site.verb(args, missing + "/archive.db") != 0, args.front());
    BOOST_TEST(site.errors().find("the directory " + missing + " does not exist") != std::string::npos,
               site.errors());
  }
  BOOST_TEST(!std::filesystem::exists(missing));
  BOOST_TEST(site.verb({"show", "1"}, site.dir.file("none.db")) != 0);
  BOOST_TEST(site.errors().find("no archive at " + site.dir.file("none.db")) != std::string::npos, site.errors());
  BOOST_TEST(!std::filesystem::exists(site.dir.file("none.db")));
}

// What a hostile feed puts in its titles: SGR colour, an OSC that retitles the terminal (ended
// by BEL), and a C1 CSI (U+009B) that clears the screen.
const std::string kEvil = "\x1b[31mred \x1b]0;pwned\x07 \xc2\x9b" "2J";

// Output a terminal may show: no ESC, BEL, CSI or DEL anywhere.
bool is_inert(const std::string& out) {
  return out.find('\x1b') == std::string::npos && out.find('\x07') == std::string::npos &&
         out.find("\xc2\x9b") == std::string::npos && out.find('\x7f') == std::string::npos;
}

BOOST_AUTO_TEST_CASE(terminal_escapes_from_feeds_never_reach_the_terminal) {
  ReadSite site;
  {
    auto a = archive::Archive::open_sqlite(site.db);
    const std::int64_t feed = a->add_feed("https://evil.example/feed.xml?" + kEvil, "Evil " + kEvil, "x" + kEvil);
    auto row = *a->feed(feed);
    row.consecutive_failures = 1;
    row.last_error = "HTTP 500 " + kEvil;
    a->update_feed(row);
    archive::ArticleRow article = sample_article(3, feed);
    article.title = "Evil title " + kEvil;
    article.authors = "Mallory " + kEvil;
    article.url = "https://evil.example/a?" + kEvil;
    article.site_name = "Evil " + kEvil;
    article.text = "Evil text " + kEvil + " in the story.";
    article.markdown = "Evil *markdown* " + kEvil;
    a->store_article(article);
  }
  const std::vector<std::vector<std::string>> verbs = {
      {"show", "3"},       {"show", "3", "--format", "markdown"}, {"show", "3", "--format", "json"},
      {"search", "Evil"},  {"search", "Evil", "--json"},          {"export", "--format", "text"},
      {"export", "--format", "markdown"}, {"export", "--format", "jsonl"}, {"feeds", "list"},
      {"feeds", "list", "--json"}};
  for (const auto& args : verbs) {
    std::string name;
    for (const auto& a : args) name += a + " ";
    BOOST_TEST_REQUIRE(site.verb(args, site.db) == 0, name << site.errors());
    const std::string out = site.output();
    BOOST_TEST(out.find("Evil") != std::string::npos, name << out);
    BOOST_TEST(is_inert(out), name << "passed a control character: " << out);
  }
  // JSON escapes them instead: a parser gets the stored title back unchanged.
  BOOST_TEST_REQUIRE(site.verb({"show", "3", "--format", "json"}, site.db) == 0);
  BOOST_TEST(boost::json::parse(site.output()).at("title").as_string() == "Evil title " + kEvil);
  BOOST_TEST(site.output().find("\\u009b") != std::string::npos, site.output());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow
