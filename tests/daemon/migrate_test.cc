// `winnow migrate` and the copy under it (daemon/archive/copy.h): a SQLite archive built
// through the Archive API is copied into PostgreSQL (tests/daemon/pg_cluster.h) and read back
// through the PostgreSQL archive: feeds, articles (JSON, raw page and HTTP head, verdicts,
// retries, near-duplicates), entries, webhook endpoints and events, search, WARC export. A
// copy stopped after some batches goes on when run again; running it again changes nothing;
// a database holding something else is refused; a bad URL or a missing file is one line and
// exit status 3.
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/archive/article_json.h"
#include "daemon/archive/copy.h"
#include "daemon/archive/export.h"
#include "tests/daemon/archive_helpers.h"
#include "tests/daemon/child_process.h"
#include "tests/daemon/pg_cluster.h"
#include "tests/daemon/warc_reader.h"

namespace winnow::archive {
namespace {

using testing::sample_article;
using testing::TempDir;
using ::winnow::testing::PgCluster;

constexpr const char* kHead = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nETag: \"x1\"\r\n\r\n";

// A SQLite archive with something in every table: feeds with poll state (one removed, so
// ids have a gap; one disabled), articles with raw pages and HTTP heads or without, crawled
// ones without a feed, verdicts and retries, a near-duplicate, two articles sharing a
// canonical URL (SQLite lets them in), entries with and without articles and with retry
// state, a webhook endpoint part way through its events, some events pruned.
struct Source {
  explicit Source(int articles = 12) {
    BOOST_TEST_REQUIRE(articles >= 8);
    auto a = Archive::open_sqlite(path);
    a->set_webhook_endpoints({{"https://hooks.example/a", {EventType::article_archived, EventType::feed_failing}},
                              {"https://hooks.example/b", {EventType::article_updated}}});
    const std::int64_t news = a->add_feed("https://news.example/feed.xml", "News", "world/europe");
    const std::int64_t gone = a->add_feed("https://gone.example/feed.xml", "Gone", "");
    const std::int64_t blog = a->add_feed("https://blog.example/atom.xml", "Blog", "tech");
    a->remove_feed(gone);
    FeedRow polled = *a->feed(news);
    polled.etag = "\"etag-1\"";
    polled.last_modified = "Tue, 01 Dec 2026 10:00:00 GMT";
    polled.next_poll = 1'800'000'000;
    polled.interval_s = 1800;
    polled.last_polled = 1'799'998'200;
    polled.last_new_entry = 1'799'990'000;
    polled.site_url = "https://news.example/";
    a->update_feed(polled);
    FeedRow failing = *a->feed(blog);
    failing.consecutive_failures = 4;
    failing.last_error = "HTTP 503";
    failing.enabled = false;
    a->update_feed(failing);  // feed.failing

    for (int n = 1; n <= articles; ++n) {
      ArticleRow row = sample_article(n, n % 3 == 0 ? std::nullopt : std::optional<std::int64_t>(n % 2 ? news : blog));
      if (n % 4 == 0) row.raw.clear();           // no raw page
      else if (n % 2 == 1) row.http_head = kHead;  // a kept HTTP head
      if (n == 5) {
        row.verdict = "paywall_teaser";
        row.partial = true;
      }
      if (n == 7) {
        row.duplicate_of = 2;  // a near copy of article 2
        row.fingerprint = sample_article(2).fingerprint ^ 1;
      }
      if (n == 8) row.canonical_url = sample_article(3).canonical_url;  // shares article 3's
      ids.push_back(a->store_article(row));
    }
    ArticleRow challenged = *a->article(ids.at(3));
    challenged.verdict = "challenge";
    challenged.retry_at = 1'800'000'500;
    challenged.retries = 2;
    a->update_verdict(challenged);
    ArticleRow reextracted = *a->article(ids.at(1));
    reextracted.text += " Updated.";
    a->update_extraction(reextracted);  // article.updated

    a->record_entry(news, "urn:entry:no-article", std::nullopt);
    a->record_entry_retry(EntryRetry{blog, "urn:entry:consent", "https://blog.example/consent", "Consent wall",
                                     1'700'000'050, "consent_wall", 1'800'000'100, 1});
    a->record_entry_retry(EntryRetry{blog, "urn:entry:given-up", "https://blog.example/gone", "Gone", std::nullopt,
                                     "error_page", std::nullopt, 5});
    // Endpoint a took the first three events, b its one. Pruning drops what both are done with.
    const auto events = a->webhook_events_after(0, {std::begin(kEventTypes), std::end(kEventTypes)}, 100);
    BOOST_TEST_REQUIRE(events.size() > 3u);
    a->webhook_delivered("https://hooks.example/a", events.at(2).seq);
    a->webhook_failed("https://hooks.example/a", 3, "HTTP 500");
    a->webhook_delivered("https://hooks.example/b", events.back().seq);  // its one article.updated
    BOOST_TEST(a->prune_webhook_events() == 3);
  }

  TempDir dir;
  const std::string path = dir.file("archive.db");
  std::vector<std::int64_t> ids;
};

const std::vector<EventType> kAllTypes(std::begin(kEventTypes), std::end(kEventTypes));

std::vector<EntryRow> all_entries(Archive& a) { return a.entries_after(0, std::nullopt, 1'000'000); }

bool same(const EntryRow& x, const EntryRow& y) {
  return x.feed_id == y.feed_id && x.entry_key == y.entry_key && x.article_id == y.article_id &&
         x.seen_at == y.seen_at && x.url == y.url && x.title == y.title && x.published == y.published &&
         x.verdict == y.verdict && x.retry_at == y.retry_at && x.retries == y.retries;
}

std::string feed_text(const FeedRow& f) {
  std::ostringstream out;
  out << f.id << '|' << f.url << '|' << f.title << '|' << f.site_url << '|' << f.category << '|' << f.etag << '|'
      << f.last_modified << '|' << f.next_poll << '|' << f.interval_s << '|' << f.last_polled << '|'
      << f.last_new_entry << '|' << f.consecutive_failures << '|' << f.last_error << '|' << f.enabled;
  return out.str();
}

// The WARC export's records without what differs by export (record ids, the warcinfo date).
std::vector<std::string> warc_records(Archive& a) {
  std::ostringstream out;
  export_articles(a, 0, ExportFormat::warc, out);
  std::vector<std::string> records;
  for (const auto& r : testing::read_warc(out.str())) {
    if (r.field("warc-type") == "warcinfo") continue;
    records.push_back(r.field("warc-type") + "|" + r.field("warc-target-uri") + "|" + r.field("warc-date") + "|" +
                      r.field("content-type") + "|" + r.field("warc-payload-digest") + "|" +
                      (r.field("warc-refers-to").empty() ? "" : "refers") + "|" + r.block);
  }
  return records;
}

// Checks that `target` holds what `source` does, read through each archive's own functions.
void check_same(Archive& source, Archive& target, std::int64_t url_dropped_id) {
  const auto source_feeds = source.feeds();
  const auto target_feeds = target.feeds();
  BOOST_TEST_REQUIRE(source_feeds.size() == target_feeds.size());
  for (std::size_t i = 0; i < source_feeds.size(); ++i)
    BOOST_TEST(feed_text(source_feeds[i]) == feed_text(target_feeds[i]));

  const auto source_articles = source.articles_after(0, 100'000, false, true);
  const auto target_articles = target.articles_after(0, 100'000, false, true);
  BOOST_TEST_REQUIRE(source_articles.size() == target_articles.size());
  for (std::size_t i = 0; i < source_articles.size(); ++i) {
    const ArticleRow& s = source_articles[i];
    const ArticleRow& t = target_articles[i];
    BOOST_TEST(s.id == t.id);
    auto sj = article_json(s);
    auto tj = article_json(t);
    if (s.id == url_dropped_id) {
      // Kept whole but for the canonical URL an older article holds (PostgreSQL: one per URL).
      BOOST_TEST(t.canonical_url.empty());
      sj.erase("canonical_url");
      tj.erase("canonical_url");
    } else {
      BOOST_TEST(s.canonical_url == t.canonical_url);
      BOOST_TEST(s.normalized_url == t.normalized_url);
    }
    BOOST_TEST(boost::json::serialize(sj) == boost::json::serialize(tj));
    BOOST_TEST(s.raw == t.raw);
    BOOST_TEST(s.http_head == t.http_head);
    BOOST_TEST(s.markdown == t.markdown);
    BOOST_TEST(s.removed_json == t.removed_json);
    BOOST_TEST(s.fingerprint == t.fingerprint);
    BOOST_TEST(s.archived_at == t.archived_at);
    BOOST_TEST(s.retry_at == t.retry_at);
    BOOST_TEST(s.retries == t.retries);
    BOOST_TEST(s.http_status == t.http_status);
    BOOST_TEST(s.content_type == t.content_type);
    BOOST_TEST(s.charset == t.charset);
    BOOST_TEST(s.extractor_version == t.extractor_version);
    BOOST_TEST(s.entry_key == t.entry_key);
  }
  // Near-duplicate lookup finds the same articles.
  const auto& probe = source_articles.front();
  BOOST_TEST(source.near_duplicates(probe.fingerprint, 3, 0) == target.near_duplicates(probe.fingerprint, 3, 0));

  const auto source_entries = all_entries(source);
  const auto target_entries = all_entries(target);
  BOOST_TEST_REQUIRE(source_entries.size() == target_entries.size());
  for (std::size_t i = 0; i < source_entries.size(); ++i)
    BOOST_TEST(same(source_entries[i], target_entries[i]), source_entries[i].entry_key);

  const auto source_endpoints = source.webhook_endpoints();
  const auto target_endpoints = target.webhook_endpoints();
  BOOST_TEST_REQUIRE(source_endpoints.size() == target_endpoints.size());
  for (std::size_t i = 0; i < source_endpoints.size(); ++i) {
    BOOST_TEST(source_endpoints[i].url == target_endpoints[i].url);
    BOOST_TEST(source_endpoints[i].types == target_endpoints[i].types, boost::test_tools::per_element());
    BOOST_TEST(source_endpoints[i].delivered_seq == target_endpoints[i].delivered_seq);
    BOOST_TEST(source_endpoints[i].attempts == target_endpoints[i].attempts);
    BOOST_TEST(source_endpoints[i].last_error == target_endpoints[i].last_error);
  }
  const auto source_events = source.webhook_events_after(0, kAllTypes, 1000);
  const auto target_events = target.webhook_events_after(0, kAllTypes, 1000);
  BOOST_TEST_REQUIRE(source_events.size() == target_events.size());
  for (std::size_t i = 0; i < source_events.size(); ++i) {
    BOOST_TEST(source_events[i].seq == target_events[i].seq);
    BOOST_TEST(source_events[i].type == target_events[i].type);
    BOOST_TEST(source_events[i].article_id == target_events[i].article_id);
    BOOST_TEST(source_events[i].feed_id == target_events[i].feed_id);
    BOOST_TEST(source_events[i].at == target_events[i].at);
  }
  BOOST_TEST(source.webhook_backlog() == target.webhook_backlog());

  // Search finds the same articles (ranks are each engine's own).
  for (const char* query : {"harbour", "\"second paragraph\"", "story AND updated", "council*"}) {
    std::vector<std::int64_t> s, t;
    for (const auto& hit : source.search(query, 100000)) s.push_back(hit.article_id);
    for (const auto& hit : target.search(query, 100000)) t.push_back(hit.article_id);
    std::sort(s.begin(), s.end());
    std::sort(t.begin(), t.end());
    BOOST_TEST(s == t, boost::test_tools::per_element());
    BOOST_TEST(!s.empty(), query);
  }
  BOOST_TEST(warc_records(source) == warc_records(target), boost::test_tools::per_element());
}

struct Run {
  int status = -1;
  std::string out, err;
};

Run winnow(const TempDir& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {WINNOW_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string out = dir.file("out.txt"), err = dir.file("err.txt");
  const auto status = ::winnow::testing::run_command(argv, out, err, std::chrono::seconds(60));
  BOOST_TEST_REQUIRE(status.has_value());
  BOOST_TEST_REQUIRE(WIFEXITED(*status));
  return Run{WEXITSTATUS(*status), ::winnow::testing::read_file(out), ::winnow::testing::read_file(err)};
}

bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; }

}  // namespace

BOOST_AUTO_TEST_SUITE(migrate)

BOOST_AUTO_TEST_CASE(a_copy_into_postgresql_reads_back_the_same) {
  Source source;
  const std::string url = PgCluster::shared().create_database();
  auto from = Archive::open_sqlite_read_only(source.path);
  auto to = Archive::open(url);
  const CopyReport report = copy_archive(*from, *to, CopyOptions{.article_batch = 5}, {});
  BOOST_TEST(report.complete);
  BOOST_TEST(!report.resumed);
  BOOST_TEST(report.articles_copied == 12);
  BOOST_TEST(report.urls_dropped == 1);  // article 8's canonical URL is article 3's
  check_same(*from, *to, source.ids.at(7));

  // New rows take ids after the copied ones; new events seqs after every one given.
  const ArchiveExtent s = from->extent();
  BOOST_TEST(to->add_feed("https://new.example/feed.xml", "", "") == s.last_feed_id + 1);
  BOOST_TEST(to->store_article(sample_article(100)) == s.last_article_id + 1);
  const auto events = to->webhook_events_after(0, kAllTypes, 1000);
  BOOST_TEST_REQUIRE(!events.empty());
  BOOST_TEST(events.back().seq == s.newest_event_seq + 1);
  BOOST_TEST(events.back().article_id == s.last_article_id + 1);
}

BOOST_AUTO_TEST_CASE(a_copy_back_into_sqlite_reads_back_the_same) {
  // The import and export methods of the other direction: PostgreSQL to a new SQLite file.
  Source source;
  const std::string url = PgCluster::shared().create_database();
  {
    auto from = Archive::open_sqlite_read_only(source.path);
    auto to = Archive::open(url);
    BOOST_TEST_REQUIRE(copy_archive(*from, *to, CopyOptions{}, {}).complete);
  }
  TempDir dir;
  auto from = Archive::open_read_only(url);
  auto to = Archive::open_sqlite(dir.file("back.db"));
  const CopyReport report = copy_archive(*from, *to, CopyOptions{.article_batch = 3}, {});
  BOOST_TEST(report.complete);
  BOOST_TEST(report.urls_dropped == 0);
  check_same(*from, *to, -1);
  const ArchiveExtent s = from->extent();
  BOOST_TEST(to->store_article(sample_article(100)) == s.last_article_id + 1);
  const auto events = to->webhook_events_after(0, kAllTypes, 1000);
  BOOST_TEST_REQUIRE(!events.empty());
  BOOST_TEST(events.back().seq == s.newest_event_seq + 1);
}

BOOST_AUTO_TEST_CASE(a_copy_stopped_after_some_batches_goes_on_and_a_finished_one_stays) {
  Source source(15);
  const std::string url = PgCluster::shared().create_database();
  auto from = Archive::open_sqlite_read_only(source.path);
  {
    auto to = Archive::open(url);
    // Feeds (1 batch), then 2 of the 8 article batches of 2.
    const CopyReport first = copy_archive(*from, *to, CopyOptions{.article_batch = 2, .max_batches = 3}, {});
    BOOST_TEST(!first.complete);
    BOOST_TEST(to->extent().articles == 4);
    BOOST_TEST(to->extent().entries == 0);
  }
  {
    auto to = Archive::open(url);
    std::vector<CopyProgress> seen;
    const CopyReport second =
        copy_archive(*from, *to, CopyOptions{.article_batch = 2}, [&](const CopyProgress& p) { seen.push_back(p); });
    BOOST_TEST(second.complete);
    BOOST_TEST(second.resumed);
    BOOST_TEST(second.articles_copied == 11);
    BOOST_TEST_REQUIRE(!seen.empty());
    BOOST_TEST(std::any_of(seen.begin(), seen.end(), [](const CopyProgress& p) {
      return p.table == CopyTable::articles && p.done == 15 && p.total == 15;
    }));
    check_same(*from, *to, source.ids.at(7));
  }
  // Again: nothing changes.
  auto to = Archive::open(url);
  const ArchiveExtent before = to->extent();
  const std::string articles_before = PgCluster::text(url, "SELECT string_agg(md5(a::text), ',' ORDER BY id) FROM articles a");
  const CopyReport third = copy_archive(*from, *to, CopyOptions{}, {});
  BOOST_TEST(third.complete);
  BOOST_TEST(third.resumed);
  BOOST_TEST(third.articles_copied == 0);
  const ArchiveExtent after = to->extent();
  BOOST_TEST(after.articles == before.articles);
  BOOST_TEST(after.entries == before.entries);
  BOOST_TEST(after.events == before.events);
  BOOST_TEST(after.feeds == before.feeds);
  BOOST_TEST(PgCluster::text(url, "SELECT string_agg(md5(a::text), ',' ORDER BY id) FROM articles a") == articles_before);
  check_same(*from, *to, source.ids.at(7));
}

BOOST_AUTO_TEST_CASE(feeds_are_copied_and_checked_a_page_at_a_time) {
  // More feeds than a batch (2,000 at the default batch) and than a page of the target's
  // check (2,000), with gaps: 2,142 feeds, ids to 2,500.
  TempDir dir;
  const std::string path = dir.file("many.db");
  {
    auto a = Archive::open_sqlite(path);
    a->transaction([&] {
      for (int n = 0; n < 2500; ++n) a->add_feed("https://f" + std::to_string(n) + ".example/feed.xml", "", "");
      for (int id = 1; id <= 2500; id += 7) a->remove_feed(id);
    });
  }
  const std::string url = PgCluster::shared().create_database();
  auto from = Archive::open_sqlite_read_only(path);
  const auto ours = from->feeds();
  BOOST_TEST_REQUIRE(ours.size() == 2142u);
  {
    auto to = Archive::open(url);
    BOOST_TEST(!copy_archive(*from, *to, CopyOptions{.max_batches = 1}, {}).complete);
    BOOST_TEST(to->extent().feeds == 2000);
    BOOST_TEST(to->extent().last_feed_id == ours[1999].id);
  }
  {
    // Resumed after the first batch: the rest, checked against the 2,000 copied.
    auto to = Archive::open(url);
    const CopyReport rest = copy_archive(*from, *to, CopyOptions{}, {});
    BOOST_TEST(rest.complete);
    BOOST_TEST(rest.resumed);
    const auto theirs = to->feeds();
    BOOST_TEST_REQUIRE(theirs.size() == ours.size());
    for (std::size_t i = 0; i < ours.size(); ++i)
      BOOST_TEST((theirs[i].id == ours[i].id && theirs[i].url == ours[i].url), "feed " << ours[i].id);
  }
  // A feed on the check's second page that is not the source's is found there.
  PgCluster::exec(url, "UPDATE feeds SET url = 'https://other.example/feed.xml' WHERE id = " +
                           std::to_string(ours.back().id));
  auto to = Archive::open(url);
  BOOST_CHECK_THROW(copy_archive(*from, *to, CopyOptions{}, {}), CopyRefused);
}

BOOST_AUTO_TEST_CASE(a_copy_run_one_batch_at_a_time_ends_the_same) {
  // Stopped after every batch: each table is resumed at each of its batch boundaries, the
  // entries part way through a feed too (batches of 10 entries).
  Source source(14);
  const std::string url = PgCluster::shared().create_database();
  auto from = Archive::open_sqlite_read_only(source.path);
  int runs = 0;
  for (bool complete = false; !complete; ++runs) {
    BOOST_TEST_REQUIRE(runs < 40);
    auto to = Archive::open(url);
    complete = copy_archive(*from, *to, CopyOptions{.article_batch = 1, .max_batches = 1}, {}).complete;
  }
  BOOST_TEST(runs >= 14 + 2 + 2);  // articles, entries, and the feeds and webhooks
  auto to = Archive::open(url);
  check_same(*from, *to, source.ids.at(7));
}

BOOST_AUTO_TEST_CASE(a_killed_winnow_migrate_goes_on_when_run_again) {
  Source source(120);
  const std::string url = PgCluster::shared().create_database();
  TempDir dir;
  // Killed after 300 ms, in the middle of its 120 one-article transactions on a loaded
  // machine; on a fast one it may finish first, which the rest checks as well.
  std::vector<std::string> argv = {WINNOW_PATH, "migrate", "--from", "sqlite:" + source.path, "--to", url,
                                   "--batch", "1"};
  const auto status =
      ::winnow::testing::run_command(argv, dir.file("out.txt"), dir.file("err.txt"), std::chrono::milliseconds(300));
  // The killed client's server process may still be committing or rolling back its last
  // transaction: count once it has gone.
  BOOST_TEST_REQUIRE(::winnow::testing::wait_for(
      [&] {
        return PgCluster::integer(url, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                       "AND pid <> pg_backend_pid()") == 0;
      },
      std::chrono::seconds(10)));
  const std::int64_t copied = PgCluster::integer(url, "SELECT count(*) FROM articles");
  BOOST_TEST_MESSAGE("killed: " << !status.has_value() << ", articles copied before: " << copied);
  Run rest = winnow(dir, {"migrate", "--from", "sqlite:" + source.path, "--to", url});
  BOOST_TEST(rest.status == 0, rest.out << rest.err);
  BOOST_TEST(rest.out.find(std::to_string(120 - copied) + " articles in this run") != std::string::npos, rest.out);
  auto from = Archive::open_sqlite_read_only(source.path);
  auto to = Archive::open_read_only(url);
  check_same(*from, *to, source.ids.at(7));
}

BOOST_AUTO_TEST_CASE(a_database_holding_another_archive_is_refused) {
  Source source;
  auto from = Archive::open_sqlite_read_only(source.path);
  {
    const std::string url = PgCluster::shared().create_database();
    auto to = Archive::open(url);
    to->add_feed("https://other.example/feed.xml", "Other", "");
    BOOST_CHECK_THROW(copy_archive(*from, *to, CopyOptions{}, {}), CopyRefused);
    BOOST_TEST(to->extent().feeds == 1);  // nothing written
  }
  {
    // The same feeds, but articles of its own.
    const std::string url = PgCluster::shared().create_database();
    auto to = Archive::open(url);
    copy_archive(*from, *to, CopyOptions{.max_batches = 1}, {});
    BOOST_TEST(to->extent().feeds == 2);
    ArticleRow other = sample_article(50);
    other.url = "https://elsewhere.example/1";
    to->store_article(other);
    BOOST_CHECK_THROW(copy_archive(*from, *to, CopyOptions{}, {}), CopyRefused);
  }
}

BOOST_AUTO_TEST_CASE(winnow_migrate_copies_resumes_and_reports) {
  Source source(20);
  const std::string url = PgCluster::shared().create_database();
  TempDir dir;
  Run dry = winnow(dir, {"migrate", "--from", "sqlite:" + source.path, "--to", url, "--dry-run"});
  BOOST_TEST(dry.status == 0, dry.err);
  BOOST_TEST(dry.out.find("20 articles") != std::string::npos, dry.out);
  BOOST_TEST(PgCluster::integer(url, "SELECT count(*) FROM pg_tables WHERE tablename = 'articles'") == 0);

  const std::string source_bytes = ::winnow::testing::read_file(source.path);
  setenv("WINNOW_TEST_MIGRATE_BATCHES", "3", 1);
  Run stopped = winnow(dir, {"migrate", "--from", "sqlite:" + source.path, "--to", url, "--batch", "3"});
  unsetenv("WINNOW_TEST_MIGRATE_BATCHES");
  BOOST_TEST(stopped.status == 1, stopped.out << stopped.err);
  BOOST_TEST(stopped.out.find("run again") != std::string::npos, stopped.out);
  BOOST_TEST(PgCluster::integer(url, "SELECT count(*) FROM articles") == 6);

  Run rest = winnow(dir, {"migrate", "--from", "sqlite:" + source.path, "--to", url, "--batch", "3"});
  BOOST_TEST(rest.status == 0, rest.out << rest.err);
  BOOST_TEST(rest.out.find("resumed") != std::string::npos, rest.out);
  BOOST_TEST(rest.out.find("20 articles") != std::string::npos, rest.out);
  BOOST_TEST(rest.out.find("14 articles in this run") != std::string::npos, rest.out);
  BOOST_TEST(rest.err.find("articles 20/20 (100%)") != std::string::npos, rest.err);
  BOOST_TEST(rest.err.find("entries") != std::string::npos, rest.err);
  auto from = Archive::open_sqlite_read_only(source.path);
  auto to = Archive::open_read_only(url);
  check_same(*from, *to, source.ids.at(7));

  Run again = winnow(dir, {"migrate", "--from", source.path, "--to", url});
  BOOST_TEST(again.status == 0, again.out << again.err);
  BOOST_TEST(again.out.find("0 articles in this run") != std::string::npos, again.out);
  BOOST_TEST(again.out.find("nothing left to copy") != std::string::npos, again.out);
  BOOST_TEST(PgCluster::integer(url, "SELECT count(*) FROM articles") == 20);

  BOOST_TEST((::winnow::testing::read_file(source.path) == source_bytes), "the source was written to");

  // Reading verbs see the copy with the same ids.
  Run show = winnow(dir, {"show", std::to_string(source.ids.at(4)), "--archive", url, "--format", "json"});
  BOOST_TEST(show.status == 0, show.err);
  BOOST_TEST(show.out.find("\"id\":" + std::to_string(source.ids.at(4))) != std::string::npos, show.out);
}

BOOST_AUTO_TEST_CASE(a_missing_source_a_bad_url_or_another_archive_is_one_line_and_status_3) {
  Source source;
  TempDir dir;
  const std::string url = PgCluster::shared().create_database();

  Run missing = winnow(dir, {"migrate", "--from", "sqlite:" + dir.file("nothing.db"), "--to", url});
  BOOST_TEST(missing.status == 3);
  BOOST_TEST(one_line(missing.err), missing.err);
  BOOST_TEST(missing.err.starts_with("winnow migrate: "), missing.err);

  const std::string nowhere = "postgresql://winnow:secret@/nosuchdb?host=" + dir.file("no-socket-here");
  Run bad = winnow(dir, {"migrate", "--from", "sqlite:" + source.path, "--to", nowhere});
  BOOST_TEST(bad.status == 3);
  BOOST_TEST(one_line(bad.err), bad.err);
  BOOST_TEST(bad.err.find("secret") == std::string::npos, bad.err);

  Run not_pg = winnow(dir, {"migrate", "--from", "sqlite:" + source.path, "--to", dir.file("x.db")});
  BOOST_TEST(not_pg.status == 2);

  auto other = Archive::open(url);
  other->add_feed("https://other.example/feed.xml", "Other", "");
  Run refused = winnow(dir, {"migrate", "--from", "sqlite:" + source.path, "--to", url});
  BOOST_TEST(refused.status == 3);
  BOOST_TEST(one_line(refused.err), refused.err);
  BOOST_TEST(refused.err.find("not empty") != std::string::npos, refused.err);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace winnow::archive
