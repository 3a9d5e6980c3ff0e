// Plain search words as FTS5: nothing typed is read as syntax; and the archive finds what
// they mean.
#include <boost/test/unit_test.hpp>

#include <string>

#include "daemon/archive/archive.h"
#include "daemon/archive/search_query.h"
#include "tests/daemon/archive_helpers.h"

namespace winnow::archive {

BOOST_AUTO_TEST_SUITE(search_query)

BOOST_AUTO_TEST_CASE(words_and_phrases_become_required_strings) {
  BOOST_TEST(fts5_from_plain("lighthouse keeper") == "\"lighthouse\" \"keeper\"");
  BOOST_TEST(fts5_from_plain("self-reliance") == "\"self-reliance\"");
  BOOST_TEST(fts5_from_plain("  \"the old harbour\"  pier ") == "\"the old harbour\" \"pier\"");
  // Operators and special characters are words like any other.
  BOOST_TEST(fts5_from_plain("cats OR NOT dogs*") == "\"cats\" \"OR\" \"NOT\" \"dogs*\"");
  BOOST_TEST(fts5_from_plain("title:x ^y") == "\"title:x\" \"^y\"");
  // An unbalanced quote runs to the end; a quote inside a word is doubled.
  BOOST_TEST(fts5_from_plain("\"unbalanced phrase") == "\"unbalanced phrase\"");
  BOOST_TEST(fts5_from_plain("it\"s") == "\"it\" \"s\"");
  BOOST_TEST(fts5_from_plain("").empty());
  BOOST_TEST(fts5_from_plain(" \"\" \t").empty());
}

BOOST_AUTO_TEST_CASE(the_archive_finds_what_plain_words_mean) {
  testing::TempDir dir;
  auto archive = Archive::open_sqlite(dir.file("archive.db"));
  ArticleRow row = testing::sample_article(1);
  row.title = "On self-reliance";
  row.text = "An essay on self-reliance, or not: the lighthouse keeper's creed.";
  archive->store_article(row);
  for (const char* plain : {"self-reliance", "\"lighthouse keeper\"", "creed OR", "NOT creed", "keeper's", "\"keeper's creed"})
    BOOST_TEST(archive->search(fts5_from_plain(plain), 10).size() == 1u, plain);
  BOOST_TEST(archive->search(fts5_from_plain("lighthouse submarine"), 10).empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace winnow::archive
