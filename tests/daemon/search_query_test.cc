// Plain search words as FTS5: nothing typed is read as syntax; and the archive finds what
// they mean.
#include <boost/test/unit_test.hpp>

#include <string>

#include "daemon/archive/archive.h"
#include "daemon/archive/postgres/tsquery.h"
#include "daemon/archive/search_query.h"
#include "tests/daemon/archive_backends.h"
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

BOOST_DATA_TEST_CASE(the_archive_finds_what_plain_words_mean, testing::kBackends, backend) {
  testing::BackendArchive fx(backend);
  auto& archive = fx.archive;
  ArticleRow row = testing::sample_article(1);
  row.title = "On self-reliance";
  row.text = "An essay on self-reliance, or not: the lighthouse keeper's creed.";
  archive->store_article(row);
  for (const char* plain : {"self-reliance", "\"lighthouse keeper\"", "creed OR", "NOT creed", "keeper's", "\"keeper's creed"})
    BOOST_TEST(archive->search(fts5_from_plain(plain), 10).size() == 1u, plain);
  BOOST_TEST(archive->search(fts5_from_plain("lighthouse submarine"), 10).empty());
}

// PostgreSQL reads FTS5 queries through this translation (postgres/tsquery.h).
BOOST_AUTO_TEST_CASE(fts5_queries_become_tsqueries_with_every_lexeme_quoted) {
  using postgres::tsquery_from_fts5;
  BOOST_TEST(tsquery_from_fts5(fts5_from_plain("lighthouse keeper")) == "('lighthouse' & 'keeper')");
  BOOST_TEST(tsquery_from_fts5("\"the old harbour\"") == "'the old harbour'");
  BOOST_TEST(tsquery_from_fts5("a OR b c") == "('a' | ('b' & 'c'))");
  BOOST_TEST(tsquery_from_fts5("a NOT b") == "('a' & !'b')");
  BOOST_TEST(tsquery_from_fts5("(a OR b) AND c") == "(('a' | 'b') & 'c')");
  BOOST_TEST(tsquery_from_fts5("light* + house") == "('light':* <-> 'house')");
  BOOST_TEST(tsquery_from_fts5("title:keeper text:log") == "('keeper':A & 'log':B)");
  BOOST_TEST(tsquery_from_fts5("-title:(a b*)") == "('a':B & 'b':*B)");
  BOOST_TEST(tsquery_from_fts5("{title text}:a") == "'a'");
  BOOST_TEST(tsquery_from_fts5("NEAR(a b, 3)") == "('a' & 'b')");
  // Quotes and backslashes stay inside their lexeme.
  BOOST_TEST(tsquery_from_fts5("\"it's \\ & | !\"") == "'it''s \\\\ & | !'");
  // Only punctuation: no word, nothing to look for.
  BOOST_TEST(tsquery_from_fts5("\"-\" \"...\"").empty());
  BOOST_TEST(tsquery_from_fts5("a \"-\"") == "'a'");
  for (const char* bad : {"\"unbalanced", "AND", "a OR", "(a", "a)", "nosuchcolumn: a", "^a", "a +", "NEAR()", "-a",
                          "a , b", "{title"})
    BOOST_CHECK_THROW(tsquery_from_fts5(bad), BadSearchQuery);
  BOOST_CHECK_THROW(tsquery_from_fts5(std::string("a\0b", 3)), BadSearchQuery);
}

// The looser query whose candidates the GIN index gives without reading rows: phrases as
// AND, weights dropped, prefixes kept; under a NOT nothing is loosened.
BOOST_AUTO_TEST_CASE(a_tsquery_made_loose_drops_positions_and_weights_only) {
  using postgres::loose_tsquery;
  BOOST_TEST(loose_tsquery("'lighthouse' & 'keeper'") == "'lighthouse' & 'keeper'");
  BOOST_TEST(loose_tsquery("'old' <-> 'harbour'") == "'old' & 'harbour'");
  BOOST_TEST(loose_tsquery("'a' <2> 'b' | 'c':A") == "'a' & 'b' | 'c'");
  BOOST_TEST(loose_tsquery("'keeper':*A & 'log':B") == "'keeper':* & 'log'");
  BOOST_TEST(loose_tsquery("'light':* <-> 'house'") == "'light':* & 'house'");
  BOOST_TEST(loose_tsquery("'a' & !( 'b' <-> 'c' )") == "'a' & !( 'b' <-> 'c' )");
  // What a lexeme holds is copied as it is: doubled quotes and backslashes do not end it.
  BOOST_TEST(loose_tsquery(R"('it''s <-> :A !' <-> 'x\\y\'z':B)") == R"('it''s <-> :A !' & 'x\\y\'z')");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace winnow::archive
