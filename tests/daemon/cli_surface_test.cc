// The command line of `winnow` and `winnowd`, the real binaries (docs/cli.md): every verb
// and subcommand answers -h, --help and `help VERB` on standard output with exit 0; a bad
// number, a missing argument or an unknown flag is a usage error (2) said on standard error;
// no C++ exception name or SQL text ever reaches the user. `winnow search` survives hostile
// queries with and without --fts5. And the smaller promises: --version, `show --format xml`,
// `feeds list --json` nulls, `extract --input-dir` ids and metadata, `winnowd --check-config`,
// `winnow reload`.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/winnowd_config.h"

namespace winnow {
namespace {

using namespace std::chrono_literals;
using archive::testing::sample_article;
using archive::testing::TempDir;
using winnow::testing::read_file;
using winnow::testing::run_command;

// What must never be shown: C++ exception and type names, SQL.
const char* const kForbidden[] = {"stoll", "stoul", "stoi", "basic_string", "std::", "what()",
                                  "SELECT", "no such column", "fts5:", "terminate called", "sqlite3"};

struct Run {
  int status = -1;
  std::string out, err;
};

struct Cli {
  Cli() {
    std::ofstream(config) << "";
    auto a = archive::Archive::open_sqlite(db);
    const std::int64_t feed = a->add_feed("https://news.example/feed.xml", "News", "world");
    for (int n = 1; n <= 3; ++n) a->store_article(sample_article(n, feed));
  }

  Run run(const std::string& program, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {program};
    argv.insert(argv.end(), args.begin(), args.end());
    auto status = run_command(argv, out, err, 20s);
    BOOST_TEST_REQUIRE(status.has_value(), "did not finish: " << describe(args));
    BOOST_TEST_REQUIRE(WIFEXITED(*status), "killed by a signal: " << describe(args));
    Run r{WEXITSTATUS(*status), read_file(out), read_file(err)};
    for (const char* word : kForbidden) {
      BOOST_TEST(r.out.find(word) == std::string::npos, describe(args) << " printed " << word << ": " << r.out);
      BOOST_TEST(r.err.find(word) == std::string::npos, describe(args) << " printed " << word << ": " << r.err);
    }
    return r;
  }
  Run winnow(const std::vector<std::string>& args) { return run(WINNOW_PATH, args); }
  Run winnowd(const std::vector<std::string>& args) { return run(winnow::testing::winnowd_path(), args); }

  static std::string describe(const std::vector<std::string>& args) {
    std::string s;
    for (const auto& a : args) s += (s.empty() ? "" : " ") + a.substr(0, 60);
    return s;
  }

  TempDir dir;
  const std::string config = dir.file("winnow.toml");
  const std::string db = dir.file("archive.db");
  const std::string out = dir.file("out.txt");
  const std::string err = dir.file("err.txt");
};

// A verb or subcommand, with a command line carrying a bad number (empty: it takes none)
// and one missing an argument.
struct Case {
  std::vector<std::string> command;
  std::vector<std::string> bad_number;
  std::vector<std::string> missing;
};

std::vector<Case> cases(const Cli& cli) {
  const std::string pages = cli.dir.file("pages");
  std::filesystem::create_directories(pages);
  return {
      {{"extract"}, {"--input-dir", pages, "--jobs", "x"}, {"page.html", "--url"}},
      {{"feed", "parse"}, {}, {}},
      {{"feed", "discover"}, {}, {"page.html", "--url"}},
      {{"feeds", "add"}, {}, {}},
      {{"feeds", "remove"}, {"abc"}, {}},
      {{"feeds", "list"}, {}, {"--archive"}},
      {{"feeds", "import"}, {}, {}},
      {{"feeds", "export"}, {}, {"--config"}},
      {{"crawl"}, {"--concurrency", "0", "https://news.example/"}, {}},
      {{"search"}, {"--limit", "x", "story"}, {}},
      {{"show"}, {"abc"}, {}},
      {{"export"}, {"--limit", "-1"}, {"--since"}},
      {{"reextract"}, {}, {"--archive"}},
      {{"reload"}, {}, {"--pid-file"}},
      {{"migrate"}, {"--from", cli.db, "--to", "postgresql://winnow@/none", "--batch", "0"}, {"--from"}},
  };
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; }

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_surface)

BOOST_AUTO_TEST_CASE(every_verb_prints_its_help_on_stdout_three_ways) {
  Cli cli;
  for (const auto& c : cases(cli)) {
    const std::string name = Cli::describe(c.command);
    std::string first;
    for (const auto& args : {concat(c.command, {"-h"}), concat(c.command, {"--help"}), concat({"help"}, c.command)}) {
      Run r = cli.winnow(args);
      BOOST_TEST(r.status == 0, Cli::describe(args) << ": " << r.err);
      BOOST_TEST(r.err.empty(), Cli::describe(args) << ": " << r.err);
      BOOST_TEST(r.out.starts_with("usage: winnow " + name), Cli::describe(args) << ": " << r.out);
      BOOST_TEST(r.out.find("exit status") != std::string::npos, Cli::describe(args));
      if (first.empty()) first = r.out;
      BOOST_TEST(r.out == first, Cli::describe(args) << " differs from -h");
    }
  }
  // The verbs with subcommands, and the whole list.
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"feeds", "--help"}, {"help", "feeds"}, {"feed", "-h"}, {"help"}, {"--help"}, {"-h"}}) {
    Run r = cli.winnow(args);
    BOOST_TEST(r.status == 0, Cli::describe(args));
    BOOST_TEST(r.err.empty(), Cli::describe(args) << ": " << r.err);
    BOOST_TEST(r.out.starts_with("usage: winnow"), Cli::describe(args) << ": " << r.out);
  }
  // Help wins over anything else on the line: `crawl -h` fetches nothing, `extract -h` reads no file.
  Run r = cli.winnow({"crawl", "https://news.example/", "-h"});
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.out.starts_with("usage: winnow crawl"));
}

BOOST_AUTO_TEST_CASE(bad_numbers_missing_arguments_and_unknown_flags_are_usage_errors_on_stderr) {
  Cli cli;
  for (const auto& c : cases(cli)) {
    const std::string name = Cli::describe(c.command);
    std::vector<std::vector<std::string>> bad = {concat(concat(c.command, {"--no-such-flag"}), {"--archive", cli.db})};
    if (!c.bad_number.empty()) bad.push_back(concat(concat(c.command, c.bad_number), {"--archive", cli.db}));
    // A missing argument: the positional the command needs, or the value of its last option.
    bad.push_back(c.missing.empty() ? concat(c.command, {"--archive", cli.db}) : concat(c.command, c.missing));
    for (const auto& args : bad) {
      Run r = cli.winnow(args);
      BOOST_TEST(r.status == 2, Cli::describe(args) << ": " << r.err);
      BOOST_TEST(r.out.empty(), Cli::describe(args) << ": " << r.out);
      BOOST_TEST(r.err.starts_with("winnow " + c.command.front()), Cli::describe(args) << ": " << r.err);
      BOOST_TEST(r.err.find("Try 'winnow help") != std::string::npos, Cli::describe(args) << ": " << r.err);
      if (args == bad.front())
        BOOST_TEST(r.err.find("--no-such-flag") != std::string::npos, r.err);
    }
  }
  // Numbers out of range are refused, naming the option; a verb that is no verb too.
  for (const auto& args : std::vector<std::vector<std::string>>{{"search", "--limit", "0", "story"},
                                                                {"search", "--limit=-1", "story"},
                                                                {"show", "0"},
                                                                {"show", "99999999999999999999999"},
                                                                {"export", "--since", "-5"},
                                                                {"crawl", "--delay", "-1", "https://news.example/"},
                                                                {"extract", "--jobs", "0", "--input-dir", "."}}) {
    Run r = cli.winnow(args.front() == "extract" ? args : concat(args, {"--archive", cli.db}));
    BOOST_TEST(r.status == 2, Cli::describe(args) << ": " << r.err);
    BOOST_TEST((r.err.find("range") != std::string::npos || r.err.find("not a") != std::string::npos), r.err);
  }
  Run r = cli.winnow({"frobnicate"});
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.err.starts_with("winnow: unknown verb 'frobnicate'"), r.err);
  r = cli.winnow({});
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.out.empty());
}

BOOST_AUTO_TEST_CASE(show_refuses_an_unknown_format_and_names_a_missing_article) {
  Cli cli;
  Run r = cli.winnow({"show", "1", "--format", "xml", "--archive", cli.db});
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.out.empty(), r.out);
  BOOST_TEST(r.err.find("--format: unknown value 'xml'") != std::string::npos, r.err);
  r = cli.winnow({"show", "1", "--format", "markdown", "--archive", cli.db});
  BOOST_TEST(r.status == 0, r.err);
  r = cli.winnow({"show", "77", "--archive", cli.db});
  BOOST_TEST(r.status == 1);
  BOOST_TEST(r.err == "winnow show: no article 77\n");
}

BOOST_AUTO_TEST_CASE(both_binaries_print_their_version) {
  Cli cli;
  Run r = cli.winnow({"--version"});
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.out.starts_with("winnow "), r.out);
  BOOST_TEST(one_line(r.out), r.out);
  Run d = cli.winnowd({"--version"});
  BOOST_TEST(d.status == 0);
  BOOST_TEST(d.out == "winnowd " + r.out.substr(7), d.out);
  d = cli.winnowd({"--help"});
  BOOST_TEST(d.status == 0);
  BOOST_TEST(d.out.starts_with("usage: winnowd"), d.out);
  d = cli.winnowd({"--no-such-flag"});
  BOOST_TEST(d.status == 2);
  BOOST_TEST(d.out.empty());
  BOOST_TEST(d.err.find("--no-such-flag") != std::string::npos, d.err);
}

BOOST_AUTO_TEST_CASE(reading_verbs_without_an_archive_say_so_and_create_nothing) {
  Cli cli;
  const std::string none = cli.dir.file("none.db");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"show", "1"}, {"search", "story"}, {"export"}, {"feeds", "list"}, {"feeds", "export"}}) {
    Run r = cli.winnow(concat(args, {"--archive", none}));
    BOOST_TEST(r.status == 3, Cli::describe(args) << ": " << r.err);
    BOOST_TEST(one_line(r.err), r.err);
    BOOST_TEST(r.err.find("no archive at " + none) != std::string::npos, r.err);
    BOOST_TEST(r.err.find("--archive PATH") != std::string::npos, r.err);
    BOOST_TEST(!std::filesystem::exists(none));
  }
}

BOOST_AUTO_TEST_CASE(feeds_add_refuses_what_is_no_url_and_list_json_says_null) {
  Cli cli;
  Run r = cli.winnow({"feeds", "add", "not-a-url", "--archive", cli.db});
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.err.starts_with("winnow feeds add: not a URL"), r.err);
  r = cli.winnow({"feeds", "list", "--json", "--archive", cli.db});
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  auto feed = boost::json::parse(r.out).as_object();
  BOOST_TEST(feed.at("last_polled").is_null(), r.out);
  BOOST_TEST(feed.at("next_entry_retry").is_null(), r.out);
}

BOOST_AUTO_TEST_CASE(input_dir_ids_keep_dots_and_lines_carry_metadata) {
  Cli cli;
  const std::string pages = cli.dir.file("dotted");
  std::filesystem::create_directories(pages);
  const std::string page =
      "<html lang=\"en\"><head><title>A story</title><meta name=\"author\" content=\"Ann Writer\">"
      "<meta property=\"article:published_time\" content=\"2026-11-30T10:00:00Z\"></head><body><article>"
      "<h1>A story</h1><p>" +
      std::string(40, 'x') + " The story goes on at some length, as stories do, with words enough to count.</p>"
      "<p>And a second paragraph that also has words enough to be kept as the article's text.</p></article></body></html>";
  for (const char* name : {"bbc.co.uk_news_01.html", "bbc.co.uk_news_02.htm", "v1.2.notes"})
    std::ofstream(pages + "/" + name) << page;
  Run r = cli.winnow({"extract", "--input-dir", pages, "--jobs", "2"});
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  std::vector<std::string> ids;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    auto o = boost::json::parse(line).as_object();
    ids.emplace_back(o.at("id").as_string());
    for (const char* key : {"authors", "published", "modified", "language", "verdict", "title", "text"})
      BOOST_TEST(o.contains(key), key << " missing: " << line);
    BOOST_TEST(o.at("language") == "en", line);
    BOOST_TEST(o.at("published") == "2026-11-30T10:00:00Z", line);
  }
  BOOST_TEST(ids == (std::vector<std::string>{"bbc.co.uk_news_01", "bbc.co.uk_news_02", "v1.2.notes"}),
             boost::json::serialize(boost::json::value_from(ids)));
}

BOOST_AUTO_TEST_CASE(markdown_switches_front_matter_images_and_tables) {
  Cli cli;
  const std::string page = cli.dir.file("page.html");
  std::string words;
  for (int n = 0; n < 12; ++n) words += "The council met again on Tuesday to weigh the plan in detail. ";
  std::ofstream(page) << "<html lang=\"en\"><head><title>Budget vote</title>"
                         "<meta property=\"og:image\" content=\"https://news.example/vote.jpg\">"
                         "<meta name=\"author\" content=\"Ann \\\"Quote\\\" Writer\"></head><body><article>"
                         "<h1>Budget vote</h1><p>" << words << "</p><table><tr><th>Party</th><th>Seats</th></tr>"
                         "<tr><td>Left</td><td>12</td></tr><tr><td>Right</td><td>9</td></tr></table><p>"
                      << words << "</p></article></body></html>";
  Run plain = cli.winnow({"extract", page, "--format", "markdown"});
  BOOST_TEST_REQUIRE(plain.status == 0, plain.err);
  BOOST_TEST(plain.out.find("| Left") != std::string::npos, plain.out);
  BOOST_TEST(!plain.out.starts_with("---"));
  Run r = cli.winnow({"extract", page, "--format", "markdown", "--front-matter", "--images", "--no-tables"});
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.out.starts_with("---\ntitle: \"Budget vote\"\n"), r.out);
  BOOST_TEST(r.out.find("\nlanguage: \"en\"\n") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("\nverdict: article\n---\n") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("![](https://news.example/vote.jpg)") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("| Left") == std::string::npos, r.out);
  BOOST_TEST(r.out.find("Left") == std::string::npos, r.out);
  r = cli.winnow({"extract", page, "--no-tables"});
  BOOST_TEST(r.out.find("Left") == std::string::npos, r.out);
}

// A page with a relative link, a javascript: one and an image inside its text.
std::string linked_page() {
  std::string words;
  for (int n = 0; n < 6; ++n) words += "The council met again on Tuesday to weigh the plan in detail. ";
  return "<html lang=\"en\"><head><title>Budget vote</title>"
         "<meta property=\"og:image\" content=\"https://news.example/vote.jpg\"></head><body><article>"
         "<h1>Budget vote</h1><p>" + words + "Read <a href=\"/budget (2026).pdf\">the [full] budget</a> or "
         "<a href=\"javascript:void(0)\">share</a>.</p><p>" + words + "<img src=\"https://news.example/hall.jpg\" "
         "alt=\"The hall\"> Then the vote.</p></article></body></html>";
}

BOOST_AUTO_TEST_CASE(extract_links_and_images_switches) {
  Cli cli;
  const std::string page = cli.dir.file("linked.html");
  std::ofstream(page) << linked_page();
  Run plain = cli.winnow({"extract", page, "--url", "https://news.example/a/b.html", "--format", "markdown"});
  BOOST_TEST_REQUIRE(plain.status == 0, plain.err);
  BOOST_TEST(plain.out.find("](") == std::string::npos, plain.out);
  Run r = cli.winnow({"extract", page, "--url", "https://news.example/a/b.html", "--format", "markdown", "--links"});
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.out.find("Read [the \\[full\\] budget](https://news.example/budget%20\\(2026\\).pdf) or share.") !=
                 std::string::npos,
             r.out);
  BOOST_TEST(r.out.find("![") == std::string::npos, r.out);
  r = cli.winnow({"extract", page, "--url", "https://news.example/a/b.html", "--format", "markdown", "--images"});
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.out.find("# Budget vote\n\n![](https://news.example/vote.jpg)\n\n") == 0u, r.out);
  BOOST_TEST(r.out.find("\n\n![The hall](https://news.example/hall.jpg)\n\nThen the vote.") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("[the") == std::string::npos, r.out);
  // JSON blocks carry them whatever the switches.
  r = cli.winnow({"extract", page, "--url", "https://news.example/a/b.html", "--format", "json"});
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.out.find(R"("links":[[)") != std::string::npos, r.out);
  BOOST_TEST(r.out.find(R"("https://news.example/budget%20(2026).pdf")") != std::string::npos, r.out);
  BOOST_TEST(r.out.find(R"("images":[[)") != std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(show_and_crawl_print_links_and_images_from_the_blocks) {
  Cli cli;
  {
    auto a = archive::Archive::open_sqlite(cli.db);
    archive::ArticleRow row = sample_article(4, std::nullopt);
    row.title = "Budget vote";
    row.markdown = "# Budget vote\n\nSee the plan.";
    row.blocks_json = R"([{"type":"paragraph","text":"See the plan.","links":[[8,12,"https://news.example/plan"]],)"
                      R"("images":[[0,"https://news.example/hall.jpg","Hall"]]}])";
    a->store_article(row);
  }
  Run r = cli.winnow({"show", "4", "--format", "markdown", "--archive", cli.db});
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.out == "# Budget vote\n\nSee the plan.\n", r.out);
  r = cli.winnow({"show", "4", "--format", "markdown", "--links", "--images", "--archive", cli.db});
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.out == "# Budget vote\n\n![](https://news.example/img/4.jpg)\n\n"
                      "![Hall](https://news.example/hall.jpg)\n\nSee the [plan](https://news.example/plan).\n",
             r.out);
  // A row with no blocks keeps its stored Markdown.
  r = cli.winnow({"show", "1", "--format", "markdown", "--links", "--archive", cli.db});
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.out.find("Body of story 1") != std::string::npos, r.out);

  const std::string page = cli.dir.file("linked.html");
  std::ofstream(page) << linked_page();
  r = cli.winnow({"crawl", "--print", "--quiet", "--format", "markdown", "--links", "--images", "--config", cli.config, page});
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.out.find("![The hall](https://news.example/hall.jpg)") != std::string::npos, r.out);
  // The page is a file: its relative link resolves to no web address and is left as text.
  BOOST_TEST(r.out.find("Read the \\[full\\] budget or share.") != std::string::npos, r.out);
  r = cli.winnow({"crawl", "--print", "--quiet", "--format", "markdown", "--config", cli.config, page});
  BOOST_TEST(r.out.find("![") == std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(search_survives_hostile_queries) {
  Cli cli;
  const std::vector<std::string> pieces = {
      "\"", "\"\"", "'", "(", ")", "((", "))", "AND", "OR", "NOT", "NEAR", "NEAR(", "*", "^", ":", "title:",
      "text:", "nosuchcol:", "-", "--", "+", "{", "}", "[", "]", ",", ";", "DROP TABLE articles;", "' OR 1=1 --",
      "self-reliance", "AI OR", "story", "Story number", "\\", "%", "_", "\xc3\xa9t\xc3\xa9", "\xff\xfe", "\x01",
      "a\tb", "NEAR(a b, 3)", "{title text}: x", "x*", "*x", "\"unbalanced", "rank", "bm25(", "MATCH"};
  std::mt19937 random(13);  // fixed: the same 200 queries every run
  std::vector<std::string> queries = {std::string(10'000, '('), std::string(10'000, '"'),
                                      std::string(10'240, 'a'), std::string("nul\0byte", 8)};
  while (queries.size() < 100) {
    std::string q;
    for (int n = 1 + int(random() % 5); n > 0; --n) q += pieces[random() % pieces.size()] + (random() % 2 ? " " : "");
    queries.push_back(q);
  }
  int fts5_refused = 0;
  for (const auto& query : queries) {
    for (bool fts5 : {false, true}) {
      std::vector<std::string> args = {"search", "--archive", cli.db};
      if (fts5) args.push_back("--fts5");
      args.push_back("--");
      args.push_back(query.c_str());  // argv ends at a NUL byte, as a shell's would
      Run r = cli.winnow(args);
      // Plain words are words: never a syntax error. FTS5 syntax may be refused, in one line.
      if (!fts5 || r.status == 0) {
        BOOST_TEST((r.status == 0 || (r.status == 2 && r.err == "winnow search: nothing to search for\nTry 'winnow help search'.\n")),
                   Cli::describe(args) << ": " << r.err);
      } else {
        ++fts5_refused;
        BOOST_TEST(r.status == 2, Cli::describe(args) << ": " << r.err);
        BOOST_TEST(one_line(r.err), Cli::describe(args) << ": " << r.err);
        BOOST_TEST(r.out.empty());
      }
    }
  }
  BOOST_TEST(fts5_refused > 10, "hostile FTS5 queries were all accepted?");
  // The README's example finds its words.
  Run r = cli.winnow({"search", "self-reliance", "--archive", cli.db});
  BOOST_TEST(r.status == 0, r.err);
}

BOOST_AUTO_TEST_CASE(check_config_prints_the_effective_configuration_or_refuses) {
  Cli cli;
  const std::string good = cli.dir.file("good.toml");
  winnow::testing::WinnowdConfig config;
  config.feed_urls = {"https://news.example/feed.xml"};
  config.min_delay_s = 2.5;
  winnow::testing::write_config(good, config);
  Run r = cli.winnowd({"--check-config", good});
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out.find("[politeness]") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("min_delay_s = 2.5") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("https://news.example/feed.xml") != std::string::npos, r.out);
  const std::string bad = cli.dir.file("bad.toml");
  std::ofstream(bad) << "[politeness]\nmin_delay_s = \"soon\"\n";
  r = cli.winnowd({"--check-config", bad});
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.out.empty());
  BOOST_TEST(r.err.find("min_delay_s") != std::string::npos, r.err);
  r = cli.winnowd({"--check-config", cli.dir.file("absent.toml")});
  BOOST_TEST(r.status == 2);
}

BOOST_AUTO_TEST_CASE(reload_signals_the_winnowd_of_the_pid_file) {
  Cli cli;
  Run r = cli.winnow({"reload", "--pid-file", cli.dir.file("absent.pid")});
  BOOST_TEST(r.status == 3);
  BOOST_TEST(one_line(r.err), r.err);
  BOOST_TEST(r.err.find("no running winnowd") != std::string::npos, r.err);

  const std::string config = cli.dir.file("winnowd.toml");
  winnow::testing::WinnowdConfig settings;
  settings.archive = "daemon.db";
  winnow::testing::write_config(config, settings);
  const std::string log = cli.dir.file("winnowd.log");
  winnow::testing::Daemon daemon(config, log);
  BOOST_TEST_REQUIRE(daemon.wait_loaded(10s).has_value(), read_file(log));
  // winnowd wrote its pid beside the archive; `winnow reload` finds it from the same config.
  BOOST_TEST(read_file(cli.dir.file("winnowd.pid")) == std::to_string(daemon.pid()) + "\n");
  {
    // A second winnowd on the same archive is refused, and leaves the first one's pid file.
    winnow::testing::Daemon second(config, cli.dir.file("second.log"));
    BOOST_TEST(second.terminate_after_exit(10s).has_value());
    BOOST_TEST(read_file(cli.dir.file("winnowd.pid")) == std::to_string(daemon.pid()) + "\n");
  }
  r = cli.winnow({"reload", "--config", config});
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out == "reloaded winnowd " + std::to_string(daemon.pid()) + "\n", r.out);
  auto reloaded = [&] {
    for (const auto& line : daemon.log_lines())
      if (line.find("reloaded") != std::string::npos) return true;
    return false;
  };
  BOOST_TEST(winnow::testing::wait_for(reloaded, 10s), read_file(log));
  BOOST_TEST(daemon.terminate(20s).has_value());
  BOOST_TEST(!std::filesystem::exists(cli.dir.file("winnowd.pid")), "the pid file outlived winnowd");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace winnow
