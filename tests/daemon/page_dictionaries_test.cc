// Raw pages packed with per-host zstd dictionaries: archive/compress.h (PageDictionary,
// make_page_dictionary), archive/page_dictionaries.h, and both archives keeping the
// dictionaries versioned (SQLite schema 10, PostgreSQL schema 2).
#include <zstd.h>

#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/archive/archive.h"
#include "daemon/archive/compress.h"
#include "daemon/archive/page_dictionaries.h"
#include "tests/daemon/archive_backends.h"
#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/pipeline.h"

namespace winnow::archive {
namespace {

using testing::BackendArchive;
using testing::kBackends;
using testing::sample_article;
using testing::site_pages;
using testing::throws_with;

BOOST_AUTO_TEST_SUITE(page_dictionaries)

BOOST_AUTO_TEST_CASE(a_dictionary_of_a_hosts_pages_packs_its_next_pages_smaller_and_they_read_back) {
  const auto pages = site_pages("000-wordpress.html", 20, 1);
  const std::vector<std::string> training(pages.begin(), pages.begin() + 16);
  const std::string bytes = make_page_dictionary(training, 112'640);
  BOOST_TEST_REQUIRE(!bytes.empty());
  const PageDictionary dictionary(1, bytes);
  std::size_t alone = 0, with = 0;
  for (std::size_t i = 16; i < pages.size(); ++i) {
    const PackedPage plain = pack_page(pages[i]);
    const PackedPage packed = pack_page(pages[i], &dictionary);
    BOOST_TEST((packed.codec == PageCodec::zstd_dictionary));
    BOOST_TEST(packed.dictionary_id.value_or(0) == 1);
    BOOST_TEST(unpack_page(packed.codec, packed.bytes, packed.plain_bytes, &dictionary) == pages[i]);
    alone += plain.bytes.size();
    with += packed.bytes.size();
  }
  BOOST_TEST_MESSAGE("4 pages: " << alone << " bytes packed alone, " << with << " with the host's dictionary");
  BOOST_TEST(with * 10 < alone * 8);  // at least 20% smaller
  // Without its dictionary, a page packed with one is an error, not garbage.
  const PackedPage packed = pack_page(pages[19], &dictionary);
  BOOST_TEST(throws_with([&] { unpack_page(packed.codec, packed.bytes, packed.plain_bytes); }, "dictionary"));
  const PageDictionary other(2, make_page_dictionary(site_pages("002-portal-cp1252.html", 16, 2), 112'640));
  BOOST_TEST(throws_with([&] { unpack_page(packed.codec, packed.bytes, packed.plain_bytes, &other); }, "zstd"));
}

// A page packed against its article's body refers to the article's text instead of packing
// it again; it unpacks only with that body's bytes, and fails with other ones.
BOOST_AUTO_TEST_CASE(a_page_packed_against_its_article_is_smaller_and_needs_that_article) {
  const auto pages = site_pages("000-wordpress.html", 18, 5);
  const PageDictionary dictionary(3, make_page_dictionary({pages.begin(), pages.begin() + 16}, 112'640));
  // The page's own story, as the body holds it (as JSON, in the typed blocks).
  const std::string& page = pages[16];
  const auto start = page.find("<article");
  BOOST_TEST_REQUIRE(start != std::string::npos);
  const std::string article = "[{\"type\":\"paragraph\",\"text\":\"" + page.substr(start, page.find("</article>") - start) + "\"}]";
  for (const PageDictionary* d : {static_cast<const PageDictionary*>(nullptr), &dictionary}) {
    const PackedPage without = pack_page(page, d, 9);
    const PackedPage with = pack_page(page, d, 9, article);
    BOOST_TEST((with.codec == PageCodec::zstd_article));
    BOOST_TEST((with.dictionary_id == without.dictionary_id));
    BOOST_TEST_MESSAGE((d ? "with" : "without") << " a dictionary: " << without.bytes.size() << " bytes, "
                                                << with.bytes.size() << " against the article");
    BOOST_TEST(with.bytes.size() < without.bytes.size());
    BOOST_TEST(unpack_page(with.codec, with.bytes, with.plain_bytes, d, article) == page);
    BOOST_TEST(throws_with([&] { unpack_page(with.codec, with.bytes, with.plain_bytes, d); }, "no article body"));
    // Another body (one byte changed) or a missing dictionary: zstd's checksum says so.
    std::string other = article;
    other[other.size() / 2] ^= 1;
    BOOST_TEST(throws_with([&] { unpack_page(with.codec, with.bytes, with.plain_bytes, d, other); }, "zstd"));
    if (d) BOOST_TEST(throws_with([&] { unpack_page(with.codec, with.bytes, with.plain_bytes, nullptr, article); }, "zstd"));
  }
}

// A dictionary holds the pages' own bytes, the newest at its end, so that two pages of a
// site already pack the next to a fraction; the same pages make the same dictionary (its id
// too), so a frame packed with one names which.
BOOST_AUTO_TEST_CASE(a_dictionary_is_made_of_the_newest_pages_and_two_of_them_do) {
  const auto pages = site_pages("000-wordpress.html", 3, 7);
  const std::vector<std::string> two(pages.begin(), pages.begin() + 2);
  const std::string bytes = make_page_dictionary(two, 524'288);
  BOOST_TEST_REQUIRE(!bytes.empty());
  BOOST_TEST(bytes == make_page_dictionary(two, 524'288));
  BOOST_TEST(bytes.ends_with(pages[1]));  // the newest last, whole: it fits
  BOOST_TEST(bytes.find(pages[0].substr(pages[0].size() - 2000)) != std::string::npos);
  const PageDictionary dictionary(1, bytes);
  const PackedPage alone = pack_page(pages[2]);
  const PackedPage packed = pack_page(pages[2], &dictionary);
  BOOST_TEST_MESSAGE("the third page: " << alone.bytes.size() << " bytes alone, " << packed.bytes.size()
                                        << " with a dictionary of the first two");
  BOOST_TEST(packed.bytes.size() * 2 < alone.bytes.size());
  BOOST_TEST(unpack_page(packed.codec, packed.bytes, packed.plain_bytes, &dictionary) == pages[2]);
  // Smaller than the pages: the newest bytes that fit, the oldest cut.
  const std::string small = make_page_dictionary(two, pages[1].size() / 2);
  BOOST_TEST_REQUIRE(!small.empty());
  BOOST_TEST(small.size() <= pages[1].size() / 2);
  BOOST_TEST(small.ends_with(pages[1].substr(pages[1].size() - 1000)));
  BOOST_TEST(small.find(pages[0].substr(0, 200)) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(too_little_to_learn_from_gives_no_dictionary) {
  BOOST_TEST(make_page_dictionary({"<p>a</p>", "<p>b</p>"}, 112'640).empty());
  BOOST_TEST(throws_with([] { PageDictionary(1, "<p>no dictionary</p>"); }, "no zstd dictionary"));
}

BOOST_AUTO_TEST_CASE(only_so_many_hosts_get_a_dictionary) {
  PageDictionaries dictionaries({.pages_to_train = 1, .max_dictionaries = 2});
  BOOST_TEST(dictionaries.keep_sample("a.example", "page").size() == 1u);
  BOOST_TEST(dictionaries.keep_sample("b.example", "page").size() == 1u);
  BOOST_TEST(dictionaries.keep_sample("c.example", "page").empty());
}

BOOST_AUTO_TEST_CASE(samples_are_kept_until_there_are_enough_then_handed_out_once) {
  PageDictionaries dictionaries({.pages_to_train = 3, .dictionary_bytes = 4096, .max_kept_bytes = 100});
  BOOST_TEST(dictionaries.keep_sample("a.example", std::string(30, 'a')).empty());
  BOOST_TEST(dictionaries.keep_sample("a.example", std::string(30, 'a')).empty());
  // b.example finds too little room left (60 of 100 bytes kept): not sampled.
  BOOST_TEST(dictionaries.keep_sample("b.example", std::string(50, 'b')).empty());
  const auto samples = dictionaries.keep_sample("a.example", std::string(30, 'a'));
  BOOST_TEST(samples.size() == 3u);
  BOOST_TEST(dictionaries.keep_sample("a.example", std::string(30, 'a')).empty());  // learning now
  // The room came back: b.example is sampled again.
  BOOST_TEST(dictionaries.keep_sample("b.example", std::string(50, 'b')).empty());
  BOOST_TEST(dictionaries.keep_sample("b.example", std::string(40, 'b')).empty());
  BOOST_TEST(dictionaries.keep_sample("b.example", std::string(10, 'b')).size() == 3u);

  const auto pages = site_pages("000-wordpress.html", 16, 3);
  auto first = std::make_shared<const PageDictionary>(1, make_page_dictionary(pages, 16'384));
  auto second = std::make_shared<const PageDictionary>(2, make_page_dictionary(pages, 16'384));
  BOOST_TEST(!dictionaries.find("a.example"));
  dictionaries.add("a.example", second);
  dictionaries.add("a.example", first);  // older: the newest stays
  BOOST_TEST(dictionaries.find("a.example")->id() == 2);
  BOOST_TEST(!dictionaries.find("b.example"));
}

BOOST_DATA_TEST_CASE(a_page_packed_with_dictionary_1_still_reads_after_dictionary_2, kBackends, backend) {
  BackendArchive fx(backend);
  const auto pages = site_pages("000-wordpress.html", 34, 4);
  std::int64_t first_id = 0, second_id = 0, plain_id = 0;
  {
    auto& archive = fx.archive;
    const std::string bytes1 = make_page_dictionary({pages.begin(), pages.begin() + 16}, 112'640);
    const PageDictionary one(archive->add_page_dictionary("news.example", bytes1), bytes1);
    BOOST_TEST(one.id() == 1);
    ArticleRow row = sample_article(1);
    row.raw_packed = pack_page(pages[32], &one);
    first_id = archive->store_article(row);

    const std::string bytes2 = make_page_dictionary({pages.begin() + 16, pages.begin() + 32}, 112'640);
    const PageDictionary two(archive->add_page_dictionary("news.example", bytes2), bytes2);
    BOOST_TEST(two.id() == 2);
    row = sample_article(2);
    row.raw_packed = pack_page(pages[33], &two);
    second_id = archive->store_article(row);
    row = sample_article(3);  // packed by the archive, without a dictionary
    row.raw = pages[0];
    plain_id = archive->store_article(row);
    archive.reset();
  }
  auto archive = Archive::open_read_only(fx.location);
  BOOST_TEST(archive->article(first_id, true)->raw == pages[32]);
  BOOST_TEST(archive->article(second_id, true)->raw == pages[33]);
  BOOST_TEST(archive->article(plain_id, true)->raw == pages[0]);
  const auto rows = archive->page_dictionaries();
  BOOST_TEST_REQUIRE(rows.size() == 2u);
  BOOST_TEST(rows[0].id == 1);
  BOOST_TEST(rows[1].host == "news.example");
  BOOST_TEST(rows[1].created_at > 0);
  BOOST_TEST(rows[1].bytes == make_page_dictionary({pages.begin() + 16, pages.begin() + 32}, 112'640));
  // The registry the workers pack with takes the host's newest.
  PageDictionaries dictionaries;
  dictionaries.load(*archive);
  BOOST_TEST(dictionaries.find("news.example")->id() == 2);

  BOOST_TEST(fx.integer("SELECT codec FROM raw_pages WHERE article_id = " + std::to_string(first_id)) == 3);
  BOOST_TEST(fx.integer("SELECT dictionary_id FROM raw_pages WHERE article_id = " + std::to_string(first_id)) == 1);
  BOOST_TEST(fx.integer("SELECT codec FROM raw_pages WHERE article_id = " + std::to_string(plain_id)) == 2);
}

// Stored packed (pack_stored_dictionary), read back as made; rows stored unpacked before
// (SQLite schema 13, PostgreSQL 5) read as they were.
BOOST_DATA_TEST_CASE(a_dictionary_is_stored_packed_and_one_stored_before_unpacked_still_reads, kBackends, backend) {
  BackendArchive fx(backend);
  const auto pages = site_pages("000-wordpress.html", 6, 6);
  const std::string made = make_page_dictionary({pages.begin(), pages.begin() + 4}, 524'288);
  BOOST_TEST_REQUIRE(!made.empty());
  const std::int64_t id = fx.archive->add_page_dictionary("news.example", made);
  const std::string length = fx.is_postgres() ? "octet_length" : "length";
  const std::int64_t stored = fx.integer("SELECT " + length + "(bytes) FROM page_dictionaries WHERE id = 1");
  BOOST_TEST_MESSAGE("a dictionary of " << made.size() << " bytes stored as " << stored);
  BOOST_TEST(stored * 4 < std::int64_t(made.size()));  // four pages of one site
  // Each checked present first: a missing row then fails as such, not as a crash.
  const auto by_id = fx.archive->page_dictionary_by_id(id);
  const auto newest = fx.archive->newest_page_dictionary("news.example");
  BOOST_TEST_REQUIRE(by_id.has_value());
  BOOST_TEST_REQUIRE(newest.has_value());
  BOOST_TEST(by_id->bytes == made);
  BOOST_TEST(newest->bytes == made);

  // As winnow stored them before: the dictionary's own bytes.
  const std::string before = make_page_dictionary({pages.begin() + 1, pages.begin() + 5}, 16'384);
  fx.exec("INSERT INTO page_dictionaries (id, host, created_at, bytes) VALUES (7, 'old.example', 1, " +
          testing::sql_blob(before, fx.is_postgres()) + ")");
  const auto legacy = fx.archive->page_dictionary_by_id(7);
  BOOST_TEST_REQUIRE(legacy.has_value());
  BOOST_TEST(legacy->bytes == before);
  const PageDictionary old(7, before);
  ArticleRow row = sample_article(1);
  row.raw_packed = pack_page(pages[5], &old);
  const std::int64_t article = fx.archive->store_article(row);
  fx.archive.reset();
  auto archive = Archive::open_read_only(fx.location);
  BOOST_TEST(archive->article(article, true)->raw == pages[5]);
  const auto rows = archive->page_dictionaries();
  BOOST_TEST_REQUIRE(rows.size() == 2u);
  BOOST_TEST(rows[1].bytes == before);

  // Bytes that are neither: a clear error, not a crash.
  fx.exec("UPDATE page_dictionaries SET bytes = " + testing::sql_blob("\x01\x02\x03\x04\x05", fx.is_postgres()) +
          " WHERE id = 7");
  BOOST_TEST(throws_with([&] { archive->page_dictionary_by_id(7); }, "neither a zstd frame nor a dictionary"));
}

BOOST_AUTO_TEST_CASE(a_stored_dictionary_whose_frame_does_not_say_its_size_is_refused) {
  // A frame streamed without its size, as winnow never writes one: unpacking it would have
  // no bound.
  const std::string plain(100'000, 'x');
  std::string frame(ZSTD_compressBound(plain.size()), '\0');
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> c(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  ZSTD_inBuffer in{plain.data(), plain.size(), 0};
  ZSTD_outBuffer out{frame.data(), frame.size(), 0};
  BOOST_TEST_REQUIRE(!ZSTD_isError(ZSTD_compressStream2(c.get(), &out, &in, ZSTD_e_continue)));
  ZSTD_inBuffer rest{nullptr, 0, 0};  // ended apart: zstd then writes no size in the header
  BOOST_TEST_REQUIRE(ZSTD_compressStream2(c.get(), &out, &rest, ZSTD_e_end) == 0u);
  frame.resize(out.pos);
  BOOST_TEST(throws_with([&] { unpack_stored_dictionary(frame); }, "no plausible size"));
  BOOST_TEST(unpack_stored_dictionary(pack_stored_dictionary(plain)) == plain);
}

// What ingest loads at start: the newest dictionary of each host, the most recently stored
// first, no more than its budget, never every dictionary of the archive at once.
BOOST_DATA_TEST_CASE(ingest_loads_the_newest_dictionary_of_each_host_as_far_as_its_budget_goes, kBackends, backend) {
  BackendArchive fx(backend);
  const auto pages = site_pages("000-wordpress.html", 12, 7);
  std::vector<std::string> made;
  for (int i = 0; i < 4; ++i)  // a.example 1, b.example 2, a.example 3, c.example 4
    made.push_back(make_page_dictionary({pages.begin() + 2 * i, pages.begin() + 2 * i + 4}, 65'536));
  const char* hosts[] = {"a.example", "b.example", "a.example", "c.example"};
  for (int i = 0; i < 4; ++i) BOOST_TEST(fx.archive->add_page_dictionary(hosts[i], made[i]) == i + 1);

  const auto all = fx.archive->newest_page_dictionaries(std::size_t(1) << 30);
  BOOST_TEST_REQUIRE(all.size() == 3u);
  BOOST_TEST(all[0].id == 4);
  BOOST_TEST(all[1].id == 3);
  BOOST_TEST(all[1].host == "a.example");
  BOOST_TEST(all[1].bytes == made[2]);
  BOOST_TEST(all[2].id == 2);
  // Up to the one that reaches the budget.
  const auto two = fx.archive->newest_page_dictionaries(made[3].size() + 1);
  BOOST_TEST_REQUIRE(two.size() == 2u);
  BOOST_TEST(two[1].id == 3);

  PageDictionaries::Limits limits;
  limits.max_held_bytes = made[3].size() + made[2].size();
  PageDictionaries dictionaries(limits);
  dictionaries.load(*fx.archive);
  BOOST_TEST(dictionaries.find("c.example")->id() == 4);
  BOOST_TEST(dictionaries.find("a.example")->id() == 3);
  BOOST_TEST(!dictionaries.find("b.example"));
}

BOOST_DATA_TEST_CASE(a_page_naming_a_dictionary_the_archive_lacks_is_a_clear_error, kBackends, backend) {
  BackendArchive fx(backend);
  std::int64_t id = 0;
  {
    const auto pages = site_pages("000-wordpress.html", 17, 5);
    const std::string bytes = make_page_dictionary({pages.begin(), pages.begin() + 16}, 112'640);
    const PageDictionary one(fx.archive->add_page_dictionary("news.example", bytes), bytes);
    ArticleRow row = sample_article(1);
    row.raw_packed = pack_page(pages[16], &one);
    id = fx.archive->store_article(row);
    fx.archive.reset();
  }
  // PostgreSQL holds the reference with a foreign key: damage has to get past it first.
  if (fx.is_postgres()) fx.exec("ALTER TABLE raw_pages DROP CONSTRAINT raw_pages_dictionary_id_fkey");
  fx.exec("UPDATE raw_pages SET dictionary_id = 99");
  auto archive = Archive::open_read_only(fx.location);
  BOOST_TEST(archive->article(id).has_value());  // without the raw page: fine
  BOOST_TEST(throws_with([&] { archive->article(id, true); }, "no page dictionary 99"));
}

// PostgreSQL refuses a raw page naming a dictionary it does not hold.
BOOST_AUTO_TEST_CASE(postgres_refuses_a_page_naming_a_dictionary_it_lacks) {
  testing::BackendArchive fx(testing::Backend::postgres);
  const auto pages = site_pages("000-wordpress.html", 17, 6);
  const PageDictionary stray(41, make_page_dictionary({pages.begin(), pages.begin() + 16}, 112'640));
  ArticleRow row = sample_article(1);
  row.raw_packed = pack_page(pages[16], &stray);
  BOOST_TEST(throws_with([&] { fx.archive->store_article(row); }, "raw_pages_dictionary_id_fkey"));
  BOOST_TEST(fx.archive->article_count() == 0);  // the article went with its page
}

// winnowd's way: the first pages of a host are packed alone and kept as samples; from the
// 4th (pages_to_train) a dictionary is made and stored; later pages of the host are packed
// with it, also after a restart; every page reads back as served.
BOOST_AUTO_TEST_CASE(ingest_learns_a_hosts_dictionary_and_packs_its_later_pages_with_it) {
  using namespace winnow::ingest::testing;
  TestServer server(4);
  Pipeline pipeline;
  std::map<std::string, std::string> served;  // path -> page
  const auto publish_feed = [&](const std::string& name, int first, int count) {
    std::vector<farm::Item> items;
    for (int n = first; n < first + count; ++n) {
      const std::string path = "/a/" + std::to_string(n);
      const Story story = farm::make_story(700 + std::uint32_t(n), 12);
      served[path] = farm::page_html(story);
      server.route(path, farm::html_response(served[path]));
      items.push_back(farm::item_for(story, server.url(path), false));
    }
    server.route("/" + name + ".xml", farm::plain_feed(farm::rss(name, server.url("/"), items)));
    return server.url("/" + name + ".xml");
  };
  pipeline.subscribe({publish_feed("first", 0, 20)});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 20; }));
  pipeline.worker().flush();
  BOOST_TEST_REQUIRE(pipeline.probe().integer("SELECT count(*) FROM page_dictionaries WHERE host = '127.0.0.1'") == 1);

  pipeline.subscribe({publish_feed("second", 20, 5)});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 25; }));
  pipeline.restart(test_options());
  pipeline.subscribe({publish_feed("third", 25, 5)});
  BOOST_TEST_REQUIRE(pipeline.run_until([&] { return pipeline.article_count() == 30; }));
  pipeline.worker().flush();

  int alone = 0;
  for (const auto& row : pipeline.articles(true)) {
    const std::string path = row.url.substr(row.url.find("/a/"));
    BOOST_TEST(row.raw == served[path], path);
    const int n = std::stoi(path.substr(3));
    const auto codec = pipeline.probe().integer("SELECT codec FROM raw_pages WHERE article_id = " + std::to_string(row.id));
    alone += codec == 2;
    if (n >= 20) BOOST_TEST(codec == 3, path);
  }
  // The samples themselves, and however many the workers packed while the dictionary was
  // being made and committed: timing (11 of the first 20 under ASan, 16 or more in Release).
  BOOST_TEST(alone >= int(PageDictionaries::Limits{}.pages_to_train));
  BOOST_TEST(alone <= 20);
  BOOST_TEST(pipeline.probe().integer("SELECT count(*) FROM page_dictionaries") == 1);  // none learnt again
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::archive
