// What only the PostgreSQL archive has to show: its migration from an empty database,
// article identity held by the database across connections, search input that must never
// reach the server as syntax, read-only sessions, and the configuration and verbs that pick
// it. The contract both back ends share is archive_test.cc's, run on each.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "daemon/archive/archive.h"
#include "daemon/archive/article_codec.h"
#include "daemon/archive/postgres/rows.h"
#include "daemon/config.h"
#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/pg_cluster.h"

namespace winnow::archive {
namespace {

using testing::sample_article;
using ::winnow::testing::PgCluster;
using ::winnow::testing::TempDir;
using namespace std::chrono_literals;

using testing::throws_with;

BOOST_AUTO_TEST_SUITE(archive_postgres)

BOOST_AUTO_TEST_CASE(an_empty_database_is_migrated_once_and_opened_again_without_writing) {
  const auto url = PgCluster::shared().create_database();
  BOOST_TEST(PgCluster::integer(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0);
  { auto archive = Archive::open(url); }
  BOOST_TEST(PgCluster::integer(url, "SELECT version FROM schema_version") == testing::kPgSchemaVersion);
  BOOST_TEST(PgCluster::integer(url, "SELECT count(*) FROM schema_version") == 1);
  for (const char* table :
       {"feeds", "entries", "articles", "raw_pages", "events", "webhook_endpoints", "page_dictionaries"})
    BOOST_TEST(PgCluster::integer(url, std::string("SELECT count(*) FROM pg_tables WHERE tablename = '") + table + "'") ==
                   1,
               table);
  BOOST_TEST(PgCluster::integer(url, "SELECT count(*) FROM pg_indexes WHERE indexname = 'articles_search'") == 1);
  auto again = Archive::open(url);
  BOOST_TEST(again->commit_count() == 0);
  BOOST_TEST(again->article_count() == 0);
}

BOOST_AUTO_TEST_CASE(the_near_duplicate_lookup_reads_the_band_indexes_only_and_version_5_gets_them) {
  const auto url = PgCluster::shared().create_database();
  const auto band_indexes_with_ids = [&] {
    return PgCluster::integer(url,
                              "SELECT count(*) FROM pg_indexes WHERE tablename = 'articles' AND indexname LIKE "
                              "'articles_fp_band_' AND indexdef LIKE '%INCLUDE (fingerprint, id)'");
  };
  const std::uint64_t base = 0x0123456789abcdefull;
  std::int64_t near = 0;
  {
    auto archive = Archive::open(url);
    ArticleRow row = sample_article(1);
    row.fingerprint = testing::flip(base, {2, 18, 34, 50});  // 4 bits off, two bands intact
    near = archive->store_article(row);
    row = sample_article(2);
    row.fingerprint = testing::flip(base, {1, 2, 12, 13, 23, 34, 45});  // 7 bits off, the last band intact: too far
    archive->store_article(row);
  }
  BOOST_TEST(band_indexes_with_ids() == 6);
  // The server reads the index only, whatever this small table would make it prefer.
  PgCluster::exec(url, "VACUUM ANALYZE articles");
  const std::string plan = PgCluster::text(
      url,
      "SET enable_seqscan = off; SET enable_bitmapscan = off; "
      "EXPLAIN (FORMAT JSON) SELECT id, fingerprint FROM articles WHERE fp_band3 = 1 AND archived_at >= 0");
  BOOST_TEST(plan.find("Index Only Scan") != std::string::npos, plan);

  // Version 5 as it was released: the band indexes without the id.
  std::string back;
  for (int b = 0; b < 6; ++b) {
    const std::string n = std::to_string(b);
    back += "DROP INDEX articles_fp_band" + n + "; CREATE INDEX articles_fp_band" + n + " ON articles (fp_band" + n +
            ", archived_at) INCLUDE (fingerprint); ";
  }
  PgCluster::exec(url, back + "ALTER TABLE articles RESET (autovacuum_vacuum_insert_scale_factor); "
                             "UPDATE schema_version SET version = 5");
  BOOST_TEST(band_indexes_with_ids() == 0);
  auto archive = Archive::open(url);
  BOOST_TEST(PgCluster::integer(url, "SELECT version FROM schema_version") == testing::kPgSchemaVersion);
  BOOST_TEST(band_indexes_with_ids() == 6);
  // Vacuumed after 1% of new rows, so that few candidates' rows are read from the table.
  BOOST_TEST(PgCluster::text(url, "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'articles'") ==
             "autovacuum_vacuum_insert_scale_factor=0.01");
  BOOST_TEST(archive->near_duplicates(base, 5, 0) == std::vector<std::int64_t>{near}, boost::test_tools::per_element());
  BOOST_TEST(archive->near_duplicates(base, 3, 0).empty());
}

// Version 7 stores no tsvector: the text column holds the text, the body is packed against
// it, and the GIN index is on an expression that reads the tsvector of rows stored before.
// A row as version 6 stored it stays as it is, found and read; new rows are found by their
// text; the search's candidates come from the index.
BOOST_AUTO_TEST_CASE(version_6_rows_keep_their_tsvector_and_new_rows_are_searched_by_their_text) {
  const auto url = PgCluster::shared().create_database();
  ArticleRow old_row = sample_article(1);
  old_row.title = "Harbour log";
  old_row.text = "The keeper's lighthouse stood by the old harbour.";
  std::int64_t old_id = 0;
  {
    auto archive = Archive::open(url);
    old_id = archive->store_article(old_row);
  }
  std::string hex;
  for (unsigned char c : pack_article_body(old_row)) {
    static constexpr char digits[] = "0123456789abcdef";
    hex += digits[c >> 4];
    hex += digits[c & 15];
  }
  PgCluster::exec(url,
                  "DROP INDEX articles_search; UPDATE articles SET body = decode('" + hex +
                      "', 'hex'), text = '', search = setweight(to_tsvector('simple', title), 'A') || "
                      "setweight(to_tsvector('simple', 'The keeper''s lighthouse stood by the old harbour.'), 'B'); "
                      "CREATE INDEX articles_search ON articles USING gin (search); "
                      "UPDATE schema_version SET version = 6");

  auto archive = Archive::open(url);
  BOOST_TEST(PgCluster::integer(url, "SELECT version FROM schema_version") == testing::kPgSchemaVersion);
  BOOST_TEST(PgCluster::text(url, "SELECT indexdef FROM pg_indexes WHERE indexname = 'articles_search'")
                 .find("COALESCE(search") != std::string::npos);
  ArticleRow new_row = sample_article(2);
  new_row.title = "Ferry timetable";
  new_row.text = "The ferry leaves the old harbour at noon.";
  const std::int64_t new_id = archive->store_article(new_row);
  BOOST_TEST(PgCluster::integer(url, "SELECT count(*) FROM articles WHERE search IS NULL") == 1);
  BOOST_TEST(PgCluster::integer(url, "SELECT get_byte(body, 0) FROM articles WHERE id = " + std::to_string(new_id)) ==
             kArticleBodyAgainstTextFormat);
  BOOST_TEST(archive->article(old_id)->text == old_row.text);
  BOOST_TEST(archive->article(new_id)->text == new_row.text);

  BOOST_TEST(archive->search("harbour", 10).size() == 2u);
  BOOST_TEST(archive->search("\"old harbour\"", 10).size() == 2u);
  BOOST_TEST(archive->search("\"harbour old\"", 10).empty());
  BOOST_TEST(archive->search("title:harbour", 10).front().article_id == old_id);
  BOOST_TEST(archive->search("title:harbour", 10).size() == 1u);
  BOOST_TEST(archive->search("ferry + leaves", 10).front().article_id == new_id);
  BOOST_TEST(archive->search("lighthouse", 10).front().snippet.find("[lighthouse]") != std::string::npos);
  const auto ferry = archive->search("noon", 10);
  BOOST_TEST_REQUIRE(ferry.size() == 1u);
  BOOST_TEST(ferry.front().snippet.find("[noon]") != std::string::npos, ferry.front().snippet);

  // The statements match the index's expression, so that it finds the candidates.
  PgCluster::exec(url, "ANALYZE articles");
  const std::string plan = PgCluster::text(
      url,
      "SET enable_seqscan = off; SET enable_indexscan = off; "
      "EXPLAIN (FORMAT JSON) SELECT id FROM articles WHERE " WINNOW_ARTICLE_SEARCH
      " @@ 'harbour'::tsquery ORDER BY id DESC LIMIT 10");
  BOOST_TEST(plan.find("\"Index Name\": \"articles_search\"") != std::string::npos, plan);
}

// A search parses and ranks the newest 200 candidates the index gives (articles holding all
// the words); a phrase or a column filter, which only the rows can check, goes on to older
// ones while it has fewer hits than asked for, up to 1,000.
BOOST_AUTO_TEST_CASE(a_phrase_older_than_the_newest_candidates_is_found_in_an_older_window) {
  const auto url = PgCluster::shared().create_database();
  auto archive = Archive::open(url);
  const auto store = [&](int n, const std::string& title, const std::string& text) {
    ArticleRow row = sample_article(n);
    row.title = title;
    row.text = text;
    return archive->store_article(row);
  };
  const std::int64_t phrase = store(1, "Harbour notes", "The old harbour was rebuilt in stone.");
  archive->transaction([&] {
    for (int i = 0; i < 450; ++i) store(2 + i, "Notes " + std::to_string(i), "The harbour is not old, it is new.");
  });
  const auto hits = archive->search("\"old harbour\"", 10);
  BOOST_TEST_REQUIRE(hits.size() == 1u);
  BOOST_TEST(hits.front().article_id == phrase);
  BOOST_TEST(hits.front().snippet.find("[old] [harbour]") != std::string::npos, hits.front().snippet);
  BOOST_TEST(archive->search("title:harbour", 10).front().article_id == phrase);
  // Plain words: the best of the newest 200 holding them, or of as many as the hits asked for.
  BOOST_TEST(archive->search("harbour", 25).size() == 25u);
  BOOST_TEST(archive->search("harbour", 300).size() == 300u);
  BOOST_TEST(archive->search("harbour NOT new", 10).front().article_id == phrase);
}

BOOST_AUTO_TEST_CASE(instances_opening_an_empty_database_together_migrate_it_once) {
  const auto url = PgCluster::shared().create_database();
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      try {
        Archive::open(url)->add_feed("https://a.example/feed", "A", "");
      } catch (...) {
        ++failures;
      }
    });
  for (auto& t : threads) t.join();
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(PgCluster::integer(url, "SELECT count(*) FROM feeds") == 1);
}

BOOST_AUTO_TEST_CASE(two_connections_racing_on_the_same_urls_archive_each_once) {
  const auto url = PgCluster::shared().create_database();
  Archive::open(url);  // migrated before the race
  constexpr int kArticles = 40;
  std::vector<std::int64_t> ids[2];
  std::atomic<int> ready = 0;
  std::vector<std::thread> threads;
  for (int side = 0; side < 2; ++side)
    threads.emplace_back([&, side] {
      auto archive = Archive::open(url);
      const auto feed = archive->add_feed("https://racing.example/feed", "Racing", "");
      ++ready;
      while (ready.load() < 2) std::this_thread::yield();
      // Batches, as ArchiveWorker writes: a transaction of a few articles at a time.
      for (int first = 0; first < kArticles; first += 4)
        archive->transaction([&] {
          for (int n = first; n < first + 4; ++n) {
            ArticleRow row = sample_article(n, feed);
            row.entry_key = "urn:side" + std::to_string(side) + ":" + std::to_string(n);
            ids[side].push_back(archive->store_article(row));
          }
        });
    });
  for (auto& t : threads) t.join();
  BOOST_TEST(PgCluster::integer(url, "SELECT count(*) FROM articles") == kArticles);
  BOOST_TEST(PgCluster::integer(url, "SELECT count(DISTINCT normalized_url) FROM articles") == kArticles);
  BOOST_TEST(PgCluster::integer(url, "SELECT count(*) FROM raw_pages") == kArticles);
  BOOST_TEST(ids[0] == ids[1], boost::test_tools::per_element());  // both got the one id of each URL
  // Each side's entries point at the one copy.
  BOOST_TEST(PgCluster::integer(url, "SELECT count(*) FROM entries") == 2 * kArticles);
  BOOST_TEST(PgCluster::integer(url, "SELECT count(DISTINCT article_id) FROM entries") == kArticles);
}

BOOST_AUTO_TEST_CASE(hostile_search_input_is_searched_or_refused_as_a_bad_query) {
  const auto url = PgCluster::shared().create_database();
  auto archive = Archive::open(url);
  ArticleRow row = sample_article(1);
  row.title = "Lighthouse keeper's log";
  row.text = "It's the self-reliance of the keeper: \"quotes\", back\\slashes and 100% sure.";
  archive->store_article(row);

  std::vector<std::string> inputs = {
      "'", "''", "\\", "\\'", "'lighthouse'", "keeper's", "it's", "100%", "self-reliance", "\"self-reliance\"",
      "&", "|", "!", "<->", "<2>", ":*", "lighthouse:*", "lighthouse & keeper", "!lighthouse", "(", ")", "()",
      "\"\"", "\"", "\"\"\"", "*", "lighthouse*", "title:lighthouse", "text:keeper", "-title:keeper",
      "{title text}:keeper", "{title", "title:", ":", "^lighthouse", "NEAR(lighthouse keeper)", "NEAR(", "NEAR()",
      "NEAR(a b, x)", "a + b", "+", "a +", "AND", "OR", "NOT", "a NOT", "NOT a", "a AND AND b", "((((((a))))))",
      "a\tb\nc", std::string("nul\0byte", 8), std::string("\"nul\0\"", 6), "\xff\xfe", "\"\xc3\x28\"",
      "\"caf\xc3\xa9\"", "\xe2\x80\x8b", std::string(10 * 1024, 'a'), std::string(10 * 1024, '('),
      std::string(10 * 1024, '"'), std::string(10 * 1024, '\'')};
  std::string words;
  for (int i = 0; words.size() < 10 * 1024; ++i) words += "w" + std::to_string(i) + " OR ";
  inputs.push_back(words + "lighthouse");
  // And random strings of syntax characters.
  std::mt19937 random(14);
  const std::string alphabet = "ab \"'\\():*^+-{},&|!<>AND OR NOT NEAR title text\0\xff";
  for (int i = 0; i < 300; ++i) {
    std::string s;
    const int length = 1 + static_cast<int>(random() % 24);
    for (int j = 0; j < length; ++j) s += alphabet[random() % alphabet.size()];
    inputs.push_back(s);
  }
  int searched = 0, refused = 0;
  for (const auto& input : inputs) {
    try {
      archive->search(input, 10);
      ++searched;
    } catch (const BadSearchQuery& e) {
      ++refused;
      BOOST_TEST(std::string(e.what()).find("SELECT") == std::string::npos, e.what());
    } catch (const std::exception& e) {
      BOOST_ERROR("not a BadSearchQuery for input of " << input.size() << " bytes: " << e.what());
    }
  }
  BOOST_TEST(searched > 0);
  BOOST_TEST(refused > 0);
  // The connection is still fine, and operators inside strings are only words.
  BOOST_TEST(archive->search("\"keeper's\"", 10).size() == 1u);
  BOOST_TEST(archive->search("\"self-reliance\"", 10).size() == 1u);
  BOOST_TEST(archive->search("title:lighthouse", 10).size() == 1u);
  BOOST_TEST(archive->search("title:keeper*", 10).size() == 1u);
  BOOST_TEST(archive->search("text:lighthouse", 10).empty());
  BOOST_TEST(archive->search("light*", 10).size() == 1u);
  BOOST_TEST(archive->search("lighthouse NOT keeper", 10).empty());
  // Brackets nest as deep as FTS5 lets them (256), and a deeper query is refused, not
  // recursed into until the stack runs out.
  auto nested = [](int depth) { return std::string(depth, '(') + "lighthouse" + std::string(depth, ')'); };
  BOOST_TEST(archive->search(nested(256), 10).size() == 1u);
  BOOST_CHECK_THROW(archive->search(nested(257), 10), BadSearchQuery);
  BOOST_TEST(archive->search("submarine OR keeper", 10).size() == 1u);
  BOOST_TEST(archive->search("\"keeper log\"", 10).empty());  // not adjacent: 's comes between
  BOOST_TEST(archive->search("\"keepers log\"", 10).empty());
  BOOST_TEST(archive->article_count() == 1);
}

BOOST_AUTO_TEST_CASE(a_read_only_session_reads_and_refuses_every_write) {
  const auto url = PgCluster::shared().create_database();
  BOOST_TEST(throws_with([&] { Archive::open_read_only(url); }, "schema version 0, older than this winnow's"));
  BOOST_TEST(PgCluster::integer(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0);
  std::int64_t id = 0;
  {
    auto writer = Archive::open(url);
    id = writer->store_article(sample_article(1, writer->add_feed("https://a.example/feed", "A", "")));
  }
  auto reader = Archive::open_read_only(url);
  BOOST_TEST(reader->article(id, true).value().title == "Story number 1");
  BOOST_TEST(reader->search("harbour", 10).size() == 1u);
  BOOST_TEST(reader->feeds().size() == 1u);
  BOOST_TEST(throws_with([&] { reader->add_feed("https://b.example/feed", "B", ""); }, "read-only transaction"));
  BOOST_TEST(throws_with([&] { reader->store_article(sample_article(2)); }, "read-only transaction"));
  BOOST_TEST(throws_with([&] { reader->remove_feed(1); }, "read-only transaction"));
  BOOST_TEST(throws_with([&] { reader->webhook_delivered("https://hook.example/", 1); }, "read-only transaction"));
  BOOST_TEST(reader->article_count() == 1);  // and reads on after the refusals
  BOOST_TEST(PgCluster::integer(url, "SELECT count(*) FROM feeds") == 1);
}

// Ends every other session on the database at `url` (as a server restart would), and waits
// until they are gone (their backends exit after the call returns).
void terminate_sessions(const std::string& url) {
  PgCluster::exec(url,
                  "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                  "AND pid <> pg_backend_pid()");
  const std::string others =
      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
  for (int i = 0; i < 500 && PgCluster::integer(url, others) > 0; ++i) std::this_thread::sleep_for(10ms);
  std::this_thread::sleep_for(20ms);  // the backend's end reaches its socket as it exits
}

BOOST_AUTO_TEST_CASE(a_lost_connection_is_made_again_before_the_next_statement_outside_a_transaction) {
  const auto url = PgCluster::shared().create_database();
  auto archive = Archive::open(url);
  const auto feed = archive->add_feed("https://a.example/feed", "A", "");
  terminate_sessions(url);
  // A lone write after the server ended the session: the end is seen before the write is
  // sent, so it goes to a new connection, once (one sent into a connection that then breaks
  // fails and is not run again: it may have committed).
  archive->record_entry(feed, "urn:lost", std::nullopt);
  BOOST_TEST(PgCluster::integer(url, "SELECT count(*) FROM entries WHERE entry_key = 'urn:lost'") == 1);
  BOOST_TEST(archive->feeds().size() == 1u);  // prepared statements made again too
  // A lone read runs again on a new connection instead of failing; so does a BEGIN.
  terminate_sessions(url);
  BOOST_TEST(archive->feeds().size() == 1u);
  terminate_sessions(url);
  archive->store_article(sample_article(1, feed));

  // Lost inside a transaction: the transaction fails whole; nothing of it commits alone.
  BOOST_CHECK_THROW(archive->transaction([&] {
    archive->store_article(sample_article(2, feed));
    terminate_sessions(url);
    archive->store_article(sample_article(3, feed));
  }),
                    std::runtime_error);
  BOOST_TEST(archive->article_count() == 1);
  BOOST_TEST(PgCluster::integer(url, "SELECT count(*) FROM entries WHERE article_id IS NOT NULL") == 1);

  // A read-only session comes back read-only.
  auto reader = Archive::open_read_only(url);
  terminate_sessions(url);
  BOOST_TEST(reader->article_count() == 1);
  BOOST_TEST(throws_with([&] { reader->add_feed("https://b.example/feed", "B", ""); }, "read-only transaction"));
}

BOOST_AUTO_TEST_CASE(an_unreachable_server_is_an_error_naming_it) {
  TempDir dir;
  const std::string url = "postgresql:///nothing?host=" + dir.path().string() + "&user=winnow&connect_timeout=2";
  BOOST_TEST(throws_with([&] { Archive::open(url); }, "cannot connect to PostgreSQL"));
  BOOST_TEST(throws_with([&] { Archive::open_read_only(url); }, "cannot connect to PostgreSQL"));
}

BOOST_AUTO_TEST_CASE(the_configuration_names_the_database_by_url_and_hides_its_password) {
  const Config c = parse_config(
      "[archive]\npath = \"state/archive.db\"\nurl = \"postgresql://winnow:s3cret@db.internal/news\"\n", "/etc/winnow",
      "test.toml");
  BOOST_TEST(c.archive_location() == "postgresql://winnow:s3cret@db.internal/news");
  BOOST_TEST(c.archive_path == "/etc/winnow/state/archive.db");  // still where the local files go
  BOOST_TEST(Archive::location_for_logs(c.archive_location()) == "postgresql://winnow:***@db.internal/news");
  BOOST_TEST(Archive::location_for_logs("postgresql:///news?host=/run/pg&password=s3cret&user=w") ==
             "postgresql:///news?host=/run/pg&password=***&user=w");
  BOOST_TEST(Archive::location_for_logs("postgresql://db.internal:5433/news") == "postgresql://db.internal:5433/news");
  BOOST_TEST(Archive::location_for_logs("/var/lib/winnow/archive.db") == "/var/lib/winnow/archive.db");
  BOOST_TEST(parse_config("[archive]\npath = \"/a.db\"\n", "/", "t").archive_location() == "/a.db");
  BOOST_CHECK_THROW(parse_config("[archive]\nurl = \"mysql://x/y\"\n", "/", "t"), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(the_verbs_take_a_postgresql_url_for_the_archive) {
  const auto url = PgCluster::shared().create_database();
  TempDir dir;
  const auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), WINNOW_PATH);
    const auto status = ::winnow::testing::run_command(args, dir.file("out"), dir.file("err"), 30s);
    BOOST_TEST(status.value_or(-1) == 0, ::winnow::testing::read_file(dir.file("err")));
    return ::winnow::testing::read_file(dir.file("out"));
  };
  run({"feeds", "add", "https://news.example/feed.xml", "--archive", url});
  BOOST_TEST(PgCluster::integer(url, "SELECT count(*) FROM feeds") == 1);
  {
    auto archive = Archive::open(url);
    archive->store_article(sample_article(3));
  }
  const auto found = run({"search", "harbour", "--json", "--archive", url});
  BOOST_TEST(found.find("Story number 3") != std::string::npos, found);
  BOOST_TEST(found.find("[harbour]") != std::string::npos, found);
  const auto listed = run({"feeds", "list", "--archive", url});
  BOOST_TEST(listed.find("news.example") != std::string::npos, listed);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::archive
