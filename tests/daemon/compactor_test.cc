// Background compaction of raw pages (archive/compactor.h) on real archives of both back ends
// (SQLite schema 12, PostgreSQL schema 4): dictionaries learnt from stored pages, pages packed
// again with the newest one at the compaction level and against their article, byte-exact;
// pages (or their articles) changed meanwhile and undecodable pages left alone; two
// compactors on one PostgreSQL; a stop mid-pass.
#include <zdict.h>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "daemon/archive/archive.h"
#include "daemon/archive/archive_worker.h"
#include "daemon/archive/article_codec.h"
#include "daemon/archive/compactor.h"
#include "daemon/archive/compress.h"
#include "daemon/archive/page_dictionaries.h"
#include "daemon/archive/postgres/connection.h"
#include "tests/daemon/archive_backends.h"
#include "tests/daemon/archive_helpers.h"

namespace winnow::archive {
namespace {

using testing::BackendArchive;
using testing::kBackends;
using testing::sample_article;
using testing::site_pages;

// An archive of either back end with pages of several hosts stored as ingest stores them
// (packed alone at level 1, or with `dictionary`), and what each article's page was.
struct Fixture {
  explicit Fixture(testing::Backend backend) : fx(backend) {}

  std::int64_t store(const std::string& host, const std::string& page, const PageDictionary* dictionary = nullptr) {
    ArticleRow row = sample_article(++n);
    row.url = "https://" + host + "/story/" + std::to_string(n);
    row.normalized_url = row.url;
    row.canonical_url.clear();
    row.raw.clear();
    row.raw_packed = pack_page(page, dictionary);
    const std::int64_t id = fx.archive->store_article(row);
    served[id] = page;
    return id;
  }
  void store_all(const std::string& host, const std::vector<std::string>& pages) {
    for (const auto& p : pages) store(host, p);
  }

  // Every page reads back as it was served (through a connection of its own).
  void check_pages() {
    auto reader = Archive::open_read_only(fx.location);
    for (const auto& [id, page] : served) {
      const auto row = reader->article(id, true);
      BOOST_TEST_REQUIRE(row.has_value());
      BOOST_TEST((row->raw == page), "article " << id);
    }
  }
  // Article `id` as a newer extractor would store it: other text, so another body.
  ArticleRow reextracted(std::int64_t id) const {
    ArticleRow row = *fx.archive->article(id);
    row.text = "Rewritten by a newer extractor.";
    row.blocks_json = R"([{"type":"paragraph","text":"Rewritten by a newer extractor."}])";
    return row;
  }
  std::int64_t packed_bytes() const { return fx.integer("SELECT sum(length(bytes)) FROM raw_pages"); }
  std::int64_t of(std::int64_t id, const std::string& column) const {
    return fx.integer("SELECT coalesce(" + column + ", 0) FROM raw_pages WHERE article_id = " + std::to_string(id));
  }

  BackendArchive fx;
  int n = 0;
  std::map<std::int64_t, std::string> served;
};

Compactor::Options quick_options() {
  Compactor::Options o;
  o.batch_pages = 8;  // several batches a host
  o.idle_wait = std::chrono::milliseconds(20);
  o.idle_priority = false;
  return o;
}

BOOST_AUTO_TEST_SUITE(compactor)

BOOST_DATA_TEST_CASE(pages_of_several_hosts_are_repacked_with_dictionaries_learnt_from_stored_pages, kBackends,
                     backend) {
  Fixture f(backend);
  f.store_all("a.example", site_pages("000-wordpress.html", 20, 1));
  f.store_all("b.example", site_pages("002-portal-cp1252.html", 18, 2));
  f.store_all("c.example", site_pages("003-react.html", 3, 3));  // too few to learn from
  const std::int64_t before = f.packed_bytes();

  ArchiveWorker writer(f.fx.location);
  auto dictionaries = std::make_shared<PageDictionaries>();
  Compactor compactor(f.fx.location, writer, dictionaries, quick_options());
  const auto pass = compactor.run_pass();
  BOOST_TEST(pass.dictionaries_learnt == 2);
  BOOST_TEST(pass.pages_repacked == 41);
  BOOST_TEST(pass.pages_undecodable == 0);
  BOOST_TEST(pass.bytes_after < pass.bytes_before);
  f.check_pages();
  const std::int64_t after = f.packed_bytes();
  // 2.7 times smaller: the stories are random words, which pack worse than real text.
  BOOST_TEST(after * 2 < before, "packed bytes " << before << " -> " << after);

  BOOST_TEST(f.fx.integer("SELECT count(*) FROM page_dictionaries WHERE host = 'a.example'") == 1);
  BOOST_TEST(f.fx.integer("SELECT count(*) FROM page_dictionaries WHERE host = 'b.example'") == 1);
  BOOST_TEST(f.fx.integer("SELECT count(*) FROM page_dictionaries WHERE host = 'c.example'") == 0);
  BOOST_TEST(f.fx.integer("SELECT count(*) FROM raw_pages WHERE compacted_level = 9") == 41);
  // a.example's and b.example's pages name their host's dictionary; c.example's stay alone.
  // All are packed against their article's body (codec 4).
  BOOST_TEST(f.fx.integer("SELECT count(*) FROM raw_pages r JOIN page_dictionaries d ON d.id = r.dictionary_id "
                          "WHERE r.codec = 4 AND d.host = r.host") == 38);
  BOOST_TEST(f.fx.integer("SELECT count(*) FROM raw_pages WHERE host = 'c.example' AND codec = 4 "
                          "AND dictionary_id IS NULL") == 3);
  // Ingest packs the hosts' next pages with them.
  BOOST_TEST_REQUIRE(dictionaries->find("a.example"));
  BOOST_TEST(dictionaries->find("a.example")->id() ==
             f.fx.integer("SELECT id FROM page_dictionaries WHERE host = 'a.example'"));

  // Nothing is left to do; a page stored since is the only one the next pass takes.
  const auto again = compactor.run_pass();
  BOOST_TEST(again.pages_repacked == 0);
  const auto fresh = f.store("a.example", site_pages("000-wordpress.html", 1, 9)[0]);
  BOOST_TEST(compactor.run_pass().pages_repacked == 1);
  BOOST_TEST(f.of(fresh, "codec") == 4);
  BOOST_TEST(f.of(fresh, "compacted_level") == 9);
  f.check_pages();
}

BOOST_DATA_TEST_CASE(a_page_packed_with_an_old_dictionary_moves_to_the_newest, kBackends, backend) {
  Fixture f(backend);
  const auto pages = site_pages("000-wordpress.html", 36, 4);
  const std::string bytes1 = make_page_dictionary({pages.begin(), pages.begin() + 16}, 112'640);
  const PageDictionary one(f.fx.archive->add_page_dictionary("a.example", bytes1), bytes1);
  for (int i = 0; i < 10; ++i) f.store("a.example", pages[16 + i], &one);
  const std::string bytes2 = make_page_dictionary({pages.begin() + 16, pages.begin() + 32}, 112'640);
  const PageDictionary two(f.fx.archive->add_page_dictionary("a.example", bytes2), bytes2);
  const auto with_two = f.store("a.example", pages[30], &two);
  const auto alone = f.store("a.example", pages[31]);

  ArchiveWorker writer(f.fx.location);
  Compactor compactor(f.fx.location, writer, nullptr, quick_options());
  const auto pass = compactor.run_pass();
  BOOST_TEST(pass.dictionaries_learnt == 0);  // it has one
  BOOST_TEST(pass.pages_repacked == 12);      // level 1 with dictionary 2 too: now at 9
  BOOST_TEST(f.fx.integer("SELECT count(*) FROM raw_pages WHERE dictionary_id = " + std::to_string(two.id())) == 12);
  BOOST_TEST(f.of(with_two, "compacted_level") == 9);
  BOOST_TEST(f.of(alone, "dictionary_id") == two.id());
  f.check_pages();
  // Dictionary 1 is still stored (no page names it now; none is ever deleted).
  BOOST_TEST(f.fx.integer("SELECT count(*) FROM page_dictionaries") == 2);
}

// A host whose dictionary no longer fits its pages (the site changed its template) gets a
// new one, learnt from its newest pages; its older pages keep the dictionary they fit.
BOOST_DATA_TEST_CASE(a_dictionary_that_stopped_fitting_is_learnt_again, kBackends, backend) {
  Fixture f(backend);
  auto options = quick_options();
  options.refit_wait = std::chrono::seconds(0);
  options.refit_every = std::chrono::seconds(0);
  f.store_all("a.example", site_pages("000-wordpress.html", 20, 5));
  ArchiveWorker writer(f.fx.location);
  Compactor compactor(f.fx.location, writer, nullptr, options);
  BOOST_TEST(compactor.run_pass().dictionaries_learnt == 1);
  const std::int64_t first = f.fx.integer("SELECT max(id) FROM page_dictionaries");
  const std::string first_bytes = f.fx.archive->page_dictionary_by_id(first)->bytes;
  const PageDictionary one(first, first_bytes);

  // More pages of the same template, packed by ingest with it: it fits, nothing is learnt.
  for (const auto& page : site_pages("000-wordpress.html", 4, 6)) f.store("a.example", page, &one);
  auto pass = compactor.run_pass();
  BOOST_TEST(pass.pages_repacked == 4);
  BOOST_TEST(pass.dictionaries_refit == 0);

  // The site's new template: its pages packed with the old dictionary gain little.
  const auto redesigned = site_pages("002-portal-cp1252.html", 20, 7);
  std::vector<std::int64_t> new_ids;
  for (const auto& page : redesigned) new_ids.push_back(f.store("a.example", page, &one));
  std::size_t with_old = 0;
  for (const auto& page : redesigned) with_old += pack_page(page, &one, 9).bytes.size();
  pass = compactor.run_pass();
  BOOST_TEST(pass.dictionaries_refit == 1);
  BOOST_TEST(pass.pages_repacked == 20);
  const std::int64_t second = f.fx.integer("SELECT max(id) FROM page_dictionaries");
  BOOST_TEST(second > first);
  for (auto id : new_ids) BOOST_TEST(f.of(id, "dictionary_id") == second);
  const std::int64_t with_new =
      f.fx.integer("SELECT sum(length(bytes)) FROM raw_pages WHERE dictionary_id = " + std::to_string(second));
  BOOST_TEST(std::size_t(with_new) * 5 / 4 < with_old, "bytes with the old dictionary " << with_old << ", new " << with_new);
  // The first template's pages stay with the dictionary learnt from them.
  BOOST_TEST(f.fx.integer("SELECT count(*) FROM raw_pages WHERE dictionary_id = " + std::to_string(first)) == 24);
  f.check_pages();
  BOOST_TEST(compactor.run_pass().pages_repacked == 0);
}

// A host whose dictionary zstd's trainer learnt (winnow before 2026-12-03) gets one made of
// its pages even though the old one fits; made dictionaries are told apart by their id.
BOOST_DATA_TEST_CASE(a_dictionary_learnt_by_the_trainer_is_replaced_by_one_made_of_the_pages, kBackends, backend) {
  Fixture f(backend);
  auto options = quick_options();
  options.refit_wait = std::chrono::seconds(0);
  options.refit_every = std::chrono::seconds(0);
  const auto pages = site_pages("000-wordpress.html", 40, 8);
  std::string joined;
  std::vector<std::size_t> sizes;
  for (int i = 0; i < 16; ++i) {
    joined += pages[i];
    sizes.push_back(pages[i].size());
  }
  std::string learnt(112'640, '\0');
  const std::size_t n =
      ZDICT_trainFromBuffer(learnt.data(), learnt.size(), joined.data(), sizes.data(), unsigned(sizes.size()));
  BOOST_TEST_REQUIRE(!ZDICT_isError(n));
  learnt.resize(n);
  BOOST_TEST(!is_made_of_pages(learnt));
  BOOST_TEST(is_made_of_pages(make_page_dictionary({pages.begin(), pages.begin() + 4}, 524'288)));

  const PageDictionary old(f.fx.archive->add_page_dictionary("a.example", learnt), learnt);
  std::size_t alone = 0, with_old = 0;
  for (int i = 16; i < 40; ++i) {
    f.store("a.example", pages[i], &old);
    alone += pack_page(pages[i], nullptr, 9).bytes.size();
    with_old += pack_page(pages[i], &old, 9).bytes.size();
  }
  BOOST_TEST(alone > 2 * with_old);  // it fits: a made one would not have been replaced
  ArchiveWorker writer(f.fx.location);
  Compactor compactor(f.fx.location, writer, nullptr, options);
  const auto pass = compactor.run_pass();
  BOOST_TEST(pass.dictionaries_refit == 1);
  BOOST_TEST(pass.pages_repacked == 24);
  const std::int64_t made = f.fx.integer("SELECT max(id) FROM page_dictionaries");
  BOOST_TEST(made > old.id());
  BOOST_TEST(is_made_of_pages(f.fx.archive->page_dictionary_by_id(made)->bytes));
  BOOST_TEST(f.fx.integer("SELECT count(*) FROM raw_pages WHERE dictionary_id = " + std::to_string(made)) == 24);
  BOOST_TEST_MESSAGE("24 pages at level 9: " << with_old << " bytes with the learnt dictionary, " << f.packed_bytes()
                                             << " with the made one, against their articles");
  f.check_pages();
  BOOST_TEST(compactor.run_pass().dictionaries_refit == 0);  // made ones are left while they fit
}

// Dictionaries stored unpacked by a winnow before SQLite schema 13 / PostgreSQL 5 are stored
// packed by the compactor's first pass; the pages packed with them read as before.
BOOST_DATA_TEST_CASE(dictionaries_stored_unpacked_before_are_stored_packed, kBackends, backend) {
  Fixture f(backend);
  const auto pages = site_pages("000-wordpress.html", 10, 9);
  const std::string before = make_page_dictionary({pages.begin(), pages.begin() + 4}, 65'536);
  f.fx.exec("INSERT INTO page_dictionaries (id, host, created_at, bytes) VALUES (5, 'a.example', 1, " +
            testing::sql_blob(before, f.fx.is_postgres()) + ")");
  const PageDictionary old(5, before);
  for (int i = 4; i < 10; ++i) f.store("a.example", pages[i], &old);
  const std::string length = f.fx.is_postgres() ? "octet_length" : "length";
  BOOST_TEST(f.fx.integer("SELECT " + length + "(bytes) FROM page_dictionaries WHERE id = 5") ==
             std::int64_t(before.size()));

  ArchiveWorker writer(f.fx.location);
  Compactor compactor(f.fx.location, writer, nullptr, quick_options());
  compactor.run_pass();
  const std::int64_t stored = f.fx.integer("SELECT " + length + "(bytes) FROM page_dictionaries WHERE id = 5");
  BOOST_TEST_MESSAGE("a dictionary of " << before.size() << " bytes stored before, now " << stored);
  BOOST_TEST(stored * 3 < std::int64_t(before.size()));
  const auto row = f.fx.archive->page_dictionary_by_id(5);
  BOOST_TEST_REQUIRE(row.has_value());
  BOOST_TEST(row->bytes == before);
  f.check_pages();
}

BOOST_DATA_TEST_CASE(an_undecodable_page_is_left_alone_marked_and_reported, kBackends, backend) {
  Fixture f(backend);
  f.store_all("a.example", site_pages("000-wordpress.html", 18, 5));
  const std::int64_t broken = f.served.begin()->first;
  f.fx.exec("UPDATE raw_pages SET bytes = " + testing::sql_blob("\x01\x02\x03\x04\x05", f.fx.is_postgres()) +
            " WHERE article_id = " + std::to_string(broken));
  f.served.erase(broken);

  ArchiveWorker writer(f.fx.location);
  Compactor compactor(f.fx.location, writer, nullptr, quick_options());
  const auto pass = compactor.run_pass();
  BOOST_TEST(pass.pages_undecodable == 1);
  BOOST_TEST(pass.pages_repacked == 17);
  BOOST_TEST(pass.dictionaries_learnt == 1);  // from the 16 newest pages, all sound
  BOOST_TEST(f.of(broken, "compacted_level") == -1);
  BOOST_TEST(f.of(broken, "length(bytes)") == 5);  // its bytes as they were
  BOOST_TEST(f.of(broken, "codec") == 2);
  f.check_pages();
  const auto again = compactor.run_pass();
  BOOST_TEST(again.pages_undecodable == 0);  // not taken again
  BOOST_TEST(again.pages_repacked == 0);
}

BOOST_DATA_TEST_CASE(a_host_whose_compaction_fails_is_set_aside_and_the_others_are_compacted, kBackends, backend) {
  Fixture f(backend);
  // A stored dictionary zstd refuses: compacting its host fails as a whole.
  f.fx.archive->add_page_dictionary("bad.example", "these bytes are no zstd dictionary");
  f.store_all("bad.example", site_pages("003-react.html", 3, 11));
  f.store_all("a.example", site_pages("000-wordpress.html", 18, 12));
  const auto bad_bytes = [&] {
    return f.fx.integer("SELECT sum(length(r.bytes)) FROM raw_pages r JOIN articles a ON a.id = r.article_id "
                        "WHERE a.url LIKE '%bad.example%'");
  };
  const std::int64_t bad_before = bad_bytes();

  ArchiveWorker writer(f.fx.location);
  Compactor compactor(f.fx.location, writer, nullptr, quick_options());
  const auto pass = compactor.run_pass();  // threw, before: no host after it was compacted
  BOOST_TEST(pass.hosts_failed == 1);
  BOOST_TEST(pass.pages_repacked == 18);  // a.example's, whichever host came first
  BOOST_TEST(bad_bytes() == bad_before);
  f.check_pages();
  const auto again = compactor.run_pass();  // set aside: not tried again at once
  BOOST_TEST(again.hosts_failed == 0);
  BOOST_TEST(again.pages_repacked == 0);
  BOOST_TEST(compactor.stats().hosts_failed == 1);
}

BOOST_DATA_TEST_CASE(pages_stored_before_hosts_were_kept_get_theirs_and_are_compacted, kBackends, backend) {
  Fixture f(backend);
  f.store_all("a.example", site_pages("000-wordpress.html", 17, 6));
  f.fx.exec("UPDATE raw_pages SET host = NULL");
  ArchiveWorker writer(f.fx.location);
  Compactor compactor(f.fx.location, writer, nullptr, quick_options());
  BOOST_TEST(compactor.run_pass().pages_repacked == 17);
  BOOST_TEST(f.fx.integer("SELECT count(*) FROM raw_pages WHERE host = 'a.example'") == 17);
  f.check_pages();
}

// The guard of Archive::repack_raw_pages: a page another writer replaced after it was read
// is not overwritten with a packing of what it was.
BOOST_DATA_TEST_CASE(a_page_replaced_after_it_was_read_is_not_overwritten, kBackends, backend) {
  Fixture f(backend);
  const auto pages = site_pages("000-wordpress.html", 2, 7);
  const std::int64_t id = f.store("a.example", pages[0]);
  auto stale = f.fx.archive->raw_pages_to_compact("a.example", std::nullopt, 9, 0, 10);
  BOOST_TEST_REQUIRE(stale.size() == 1u);

  ArticleRow row = *f.fx.archive->article(id);
  row.raw = pages[1];
  f.fx.archive->replace_article(row);
  const RawPageRepack repack{stale[0], pack_page(pages[0], nullptr, 9), 9};
  BOOST_TEST(f.fx.archive->repack_raw_pages({repack}) == 0);
  BOOST_TEST(f.fx.archive->article(id, true)->raw == pages[1]);
  BOOST_TEST(f.of(id, "compacted_level") == 0);  // NULL: still to do

  auto current = f.fx.archive->raw_pages_to_compact("a.example", std::nullopt, 9, 0, 10);
  BOOST_TEST_REQUIRE(current.size() == 1u);
  BOOST_TEST(f.fx.archive->repack_raw_pages({{current[0], pack_page(pages[1], nullptr, 9), 9}}) == 1);
  BOOST_TEST(f.fx.archive->article(id, true)->raw == pages[1]);
  BOOST_TEST(f.of(id, "compacted_level") == 9);
}

// A page packed against its article's body stays readable when reextract changes the body:
// update_extraction packs it again against the new one, and the compactor redoes it; the
// same body again leaves it alone.
BOOST_DATA_TEST_CASE(a_page_packed_against_its_article_reads_back_after_the_article_changes, kBackends, backend) {
  Fixture f(backend);
  const auto pages = site_pages("000-wordpress.html", 2, 8);
  const std::int64_t id = f.store("a.example", pages[0]);
  f.store("a.example", pages[1]);
  ArchiveWorker writer(f.fx.location);
  Compactor compactor(f.fx.location, writer, nullptr, quick_options());
  BOOST_TEST(compactor.run_pass().pages_repacked == 2);
  BOOST_TEST(f.of(id, "codec") == 4);
  // The same text extracted again: the same body, and the page is left as the compactor made it.
  f.fx.archive->update_extraction(*f.fx.archive->article(id));
  BOOST_TEST(f.of(id, "compacted_level") == 9);

  const ArticleRow row = f.reextracted(id);
  f.fx.archive->update_extraction(row);
  BOOST_TEST(f.of(id, "codec") == 4);
  BOOST_TEST(f.of(id, "compacted_level") == 0);  // NULL: to do again
  f.check_pages();
  BOOST_TEST(Archive::open_read_only(f.fx.location)->article(id)->text == row.text);
  BOOST_TEST(compactor.run_pass().pages_repacked == 1);
  BOOST_TEST(f.of(id, "compacted_level") == 9);
  f.check_pages();
}

// The compactor read a page and its body; the body changed before its repacking was written
// (reextract of a page not packed against it, so the page's bytes did not change): the
// repacking, made against the old body, is not stored.
BOOST_DATA_TEST_CASE(a_page_whose_article_changed_after_it_was_read_is_not_overwritten, kBackends, backend) {
  Fixture f(backend);
  const auto pages = site_pages("000-wordpress.html", 1, 9);
  const std::int64_t id = f.store("a.example", pages[0]);
  auto stale = f.fx.archive->raw_pages_to_compact("a.example", std::nullopt, 9, 0, 10);
  BOOST_TEST_REQUIRE(stale.size() == 1u);
  BOOST_TEST_REQUIRE(!stale[0].article_body.empty());

  const ArticleRow row = f.reextracted(id);
  f.fx.archive->update_extraction(row);
  const std::string article = article_body_plain(stale[0].article_body, stale[0].article_text);
  const RawPageRepack repack{stale[0], pack_page(pages[0], nullptr, 9, article), 9};
  BOOST_TEST(f.fx.archive->repack_raw_pages({repack}) == 0);
  f.check_pages();
  BOOST_TEST(f.of(id, "compacted_level") == 0);  // NULL: still to do
}

// Stopped mid-pass, the batch under way is dropped: every page still reads back, each either
// done or still to do, and the next compactor finishes the work.
BOOST_DATA_TEST_CASE(a_stop_mid_pass_loses_nothing, kBackends, backend) {
  Fixture f(backend);
  f.store_all("a.example", site_pages("000-wordpress.html", 40, 8));
  f.store_all("b.example", site_pages("002-wordpress.html", 40, 9));
  {
    ArchiveWorker writer(f.fx.location);
    auto options = quick_options();
    options.batch_pages = 4;
    Compactor compactor(f.fx.location, writer, nullptr, options);
    compactor.start();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (compactor.stats().pages_repacked == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    compactor.stop();
  }
  const std::int64_t done = f.fx.integer("SELECT count(*) FROM raw_pages WHERE compacted_level = 9");
  BOOST_TEST(done > 0);
  BOOST_TEST(done < 80);
  f.check_pages();

  ArchiveWorker writer(f.fx.location);
  Compactor compactor(f.fx.location, writer, nullptr, quick_options());
  BOOST_TEST(compactor.run_pass().pages_repacked == 80 - done);
  BOOST_TEST(f.fx.integer("SELECT count(*) FROM raw_pages WHERE compacted_level = 9") == 80);
  f.check_pages();
}

// PostgreSQL: another daemon's compactor stores a page packed against the article's body
// (the body read FOR SHARE, as PgArchive::repack_raw_pages does) while reextract changes
// that body. Reextract waits for it, then packs the page it stored again: the page reads back.
BOOST_AUTO_TEST_CASE(postgres_reextract_waits_for_a_compactor_storing_a_page_against_the_old_body) {
  Fixture f(testing::Backend::postgres);
  const auto pages = site_pages("000-wordpress.html", 1, 10);
  const std::int64_t id = f.store("a.example", pages[0]);  // as ingest packs: not against the body
  const auto stale = f.fx.archive->raw_pages_to_compact("a.example", std::nullopt, 9, 0, 10);
  BOOST_TEST_REQUIRE(stale.size() == 1u);
  const PackedPage against =
      pack_page(pages[0], nullptr, 9, article_body_plain(stale[0].article_body, stale[0].article_text));

  postgres::Connection compactor(f.fx.location);
  compactor.exec("BEGIN");
  compactor.run("SELECT body FROM articles WHERE id = $1 FOR SHARE", postgres::Params(id));
  compactor.run("UPDATE raw_pages SET codec = $2, bytes = $3, compacted_level = 9 WHERE article_id = $1",
                postgres::Params(id, static_cast<std::int64_t>(against.codec), postgres::Bytes{against.bytes}));
  const ArticleRow row = f.reextracted(id);
  std::thread reextract([&] { f.fx.archive->update_extraction(row); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // it reaches the article and waits
  compactor.exec("COMMIT");
  reextract.join();
  BOOST_TEST(f.of(id, "codec") == 4);
  BOOST_TEST(f.of(id, "compacted_level") == 0);  // packed again by reextract: to do again
  f.check_pages();
}

// Two daemons' compactors on one PostgreSQL: a host another holds is skipped; run together,
// they share the hosts, and each page is repacked once.
BOOST_AUTO_TEST_CASE(two_compactors_on_one_postgres_do_not_conflict) {
  Fixture f(testing::Backend::postgres);
  const char* fixtures[] = {"000-wordpress.html", "001-react.html", "002-portal-cp1252.html", "003-react.html"};
  for (int h = 0; h < 4; ++h) f.store_all("h" + std::to_string(h) + ".example", site_pages(fixtures[h], 18, 10 + h));

  ArchiveWorker writer1(f.fx.location), writer2(f.fx.location);
  Compactor one(f.fx.location, writer1, nullptr, quick_options());
  Compactor two(f.fx.location, writer2, nullptr, quick_options());
  {
    // Another daemon works on h0.example: skipped.
    auto other = Archive::open_read_only(f.fx.location);
    BOOST_TEST_REQUIRE(other->try_lock_compaction("h0.example"));
    const auto pass = one.run_pass();
    BOOST_TEST(pass.hosts_locked_elsewhere == 1);
    BOOST_TEST(pass.pages_repacked == 54);
    BOOST_TEST(f.fx.integer("SELECT count(*) FROM raw_pages WHERE host = 'h0.example' AND compacted_level IS NULL") == 18);
  }
  f.fx.exec("UPDATE raw_pages SET compacted_level = NULL, host = NULL");  // all to do again (bytes kept)
  Compactor::Stats a, b;
  std::thread t1([&] { a = one.run_pass(); });
  std::thread t2([&] { b = two.run_pass(); });
  t1.join();
  t2.join();
  BOOST_TEST(a.pages_repacked + b.pages_repacked + a.pages_changed_meanwhile + b.pages_changed_meanwhile <= 72);
  // Whatever either left (a host locked by the other), a pass now finishes.
  one.run_pass();
  BOOST_TEST(f.fx.integer("SELECT count(*) FROM raw_pages WHERE compacted_level = 9") == 72);
  BOOST_TEST(f.fx.integer("SELECT count(*) FROM page_dictionaries") == 4);  // one a host: learnt once
  f.check_pages();
}

BOOST_AUTO_TEST_CASE(ingest_holds_so_many_dictionaries_and_lets_the_least_used_go) {
  const auto pages = site_pages("000-wordpress.html", 16, 3);
  const std::string bytes = make_page_dictionary(pages, 16'384);
  BOOST_TEST_REQUIRE(!bytes.empty());
  // Room for two of them.
  PageDictionaries dictionaries({.learn_from_samples = false, .max_held_bytes = 2 * bytes.size()});
  dictionaries.add("a.example", std::make_shared<const PageDictionary>(1, bytes));
  dictionaries.add("b.example", std::make_shared<const PageDictionary>(2, bytes));
  BOOST_TEST(dictionaries.find("a.example"));  // a is used: b is the least recent now
  dictionaries.add("c.example", std::make_shared<const PageDictionary>(3, bytes));
  BOOST_TEST(!dictionaries.find("b.example"));
  BOOST_TEST(dictionaries.find("a.example")->id() == 1);
  BOOST_TEST(dictionaries.find("c.example")->id() == 3);
  BOOST_TEST(dictionaries.keep_sample("d.example", pages[0]).empty());  // learnt from stored pages
  dictionaries.add("b.example", std::make_shared<const PageDictionary>(2, bytes));  // the compactor again
  BOOST_TEST(dictionaries.find("b.example")->id() == 2);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::archive
