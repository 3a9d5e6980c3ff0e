// Archive leases (archive.h, "Leases") on SQLite and PostgreSQL, through two Archive objects on
// one archive, as two daemons would hold them: each feed is claimed by one owner at a time, an
// expired lease is taken over, a poll finished by a former owner writes nothing, and a host
// leased by one owner keeps its feeds from the other.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "daemon/archive/archive.h"
#include "tests/daemon/archive_backends.h"
#include "tests/daemon/archive_helpers.h"

namespace winnow::archive {
namespace {

using testing::Probe;
using testing::TempDir;

constexpr UnixSeconds kNow = 1'800'000'000;

std::set<std::int64_t> ids_of(const std::vector<FeedRow>& rows) {
  std::set<std::int64_t> ids;
  for (const auto& r : rows) ids.insert(r.id);
  return ids;
}

// Two connections on one archive file, "a" and "b" owning their claims.
struct TwoDaemons {
  explicit TwoDaemons(testing::Backend backend) : fx(backend), path(fx.location), a(std::move(fx.archive)), b(Archive::open(path)) {}
  testing::BackendArchive fx;
  std::string path;  // the archive's location
  std::unique_ptr<Archive> a;
  std::unique_ptr<Archive> b;
};

BOOST_AUTO_TEST_SUITE(leases)

BOOST_DATA_TEST_CASE(a_due_feed_is_claimed_by_one_owner_only, testing::kBackends, backend) {
  TwoDaemons d(backend);
  std::vector<std::int64_t> ids;
  for (int n = 0; n < 6; ++n)
    ids.push_back(d.a->add_feed("https://h" + std::to_string(n) + ".example/feed.xml", "", ""));
  // Not yet due, and disabled: never claimed.
  FeedRow later = d.a->feed(ids[4]).value();
  later.next_poll = kNow + 60;
  d.a->update_feed(later);
  FeedRow off = d.a->feed(ids[5]).value();
  off.enabled = false;
  d.a->update_feed(off);

  const auto first = d.a->claim_due_feeds("a", kNow, kNow + 30, 3);
  BOOST_TEST(first.size() == 3u);
  const auto second = d.b->claim_due_feeds("b", kNow, kNow + 30, 10);
  BOOST_TEST(second.size() == 1u);
  std::set<std::int64_t> all = ids_of(first);
  for (auto id : ids_of(second)) BOOST_TEST(all.insert(id).second, "feed " << id << " claimed twice");
  BOOST_TEST((all == std::set<std::int64_t>{ids[0], ids[1], ids[2], ids[3]}));
  // Nothing left for anyone, the claimant included (a feed it polls is not handed out again).
  BOOST_TEST(d.a->claim_due_feeds("a", kNow, kNow + 30, 10).empty());
  BOOST_TEST(d.b->claim_due_feeds("b", kNow, kNow + 30, 10).empty());
  // What is due next for either: the feed not due yet.
  BOOST_TEST(d.b->next_feed_due("b", kNow).value_or(0) == kNow + 60);
}

BOOST_DATA_TEST_CASE(claimed_rows_carry_the_state_stored_now, testing::kBackends, backend) {
  TwoDaemons d(backend);
  const auto id = d.a->add_feed("https://news.example/feed.xml", "", "");
  FeedRow row = d.a->feed(id).value();
  row.etag = "\"v1\"";
  row.last_polled = kNow - 100;
  row.next_poll = kNow - 1;
  row.interval_s = 100;
  d.a->update_feed(row);
  const auto claimed = d.b->claim_due_feeds("b", kNow, kNow + 30, 10);
  BOOST_TEST_REQUIRE(claimed.size() == 1u);
  BOOST_TEST(claimed[0].etag == "\"v1\"");
  BOOST_TEST(claimed[0].interval_s == 100);
  BOOST_TEST(claimed[0].url == "https://news.example/feed.xml");
}

BOOST_DATA_TEST_CASE(an_expired_lease_is_claimed_again_and_its_former_owner_writes_nothing, testing::kBackends, backend) {
  TwoDaemons d(backend);
  const auto id = d.a->add_feed("https://news.example/feed.xml", "", "");
  auto held = d.a->claim_due_feeds("a", kNow, kNow + 30, 10);
  BOOST_TEST_REQUIRE(held.size() == 1u);
  // Live until kNow + 30: b gets nothing, and learns of nothing due.
  BOOST_TEST(d.b->claim_due_feeds("b", kNow + 30, kNow + 60, 10).empty());
  BOOST_TEST(!d.b->next_feed_due("b", kNow + 30).has_value());
  // a was stopped past its lease; b takes the feed over (and with it the host).
  auto taken = d.b->claim_due_feeds("b", kNow + 31, kNow + 61, 10);
  BOOST_TEST_REQUIRE(taken.size() == 1u);
  // a resumes and finishes its poll: refused, nothing written.
  FeedRow stale = held[0];
  stale.etag = "\"from-a\"";
  stale.last_polled = kNow + 32;
  stale.next_poll = kNow + 1000;
  BOOST_TEST((d.a->finish_feed_poll("a", stale) == PollSaved::lease_lost));
  BOOST_TEST(d.a->renew_feed_leases("a", {id}, kNow + 90).empty());
  BOOST_TEST(d.a->feed(id)->etag.empty());
  BOOST_TEST(d.a->feed(id)->last_polled == 0);
  // b's poll is saved, and the lease released: due again at its next_poll.
  FeedRow fresh = taken[0];
  fresh.etag = "\"from-b\"";
  fresh.last_polled = kNow + 33;
  fresh.next_poll = kNow + 100;
  BOOST_TEST((d.b->finish_feed_poll("b", fresh) == PollSaved::saved));
  BOOST_TEST(d.a->feed(id)->etag == "\"from-b\"");
  BOOST_TEST(d.a->feed(id)->next_poll == kNow + 100);
  // Due again at its next_poll, for b; a stays off the host b holds until kNow + 61.
  BOOST_TEST(d.b->next_feed_due("b", kNow + 34).value_or(0) == kNow + 100);
  BOOST_TEST(!d.a->next_feed_due("a", kNow + 34).has_value());
  // Finishing twice is refused: the lease is gone.
  BOOST_TEST((d.b->finish_feed_poll("b", fresh) == PollSaved::lease_lost));
  // A feed removed while it was polled.
  BOOST_TEST_REQUIRE(d.a->claim_due_feeds("a", kNow + 100, kNow + 130, 10).size() == 1u);
  BOOST_TEST(d.b->remove_feed(id));
  BOOST_TEST((d.a->finish_feed_poll("a", fresh) == PollSaved::gone));
}

BOOST_DATA_TEST_CASE(an_owner_that_renews_keeps_its_lease_past_the_first_expiry, testing::kBackends, backend) {
  TwoDaemons d(backend);
  const auto id = d.a->add_feed("https://news.example/feed.xml", "", "");
  BOOST_TEST_REQUIRE(d.a->claim_due_feeds("a", kNow, kNow + 30, 10).size() == 1u);
  BOOST_TEST(d.a->renew_feed_leases("a", {id}, kNow + 60) == std::vector<std::int64_t>{id});
  BOOST_TEST(d.a->renew_host_leases("a", {"news.example"}, kNow + 60) == std::vector<std::string>{"news.example"});
  BOOST_TEST(d.b->claim_due_feeds("b", kNow + 45, kNow + 75, 10).empty());
  BOOST_TEST(d.b->renew_feed_leases("b", {id}, kNow + 90).empty());
  BOOST_TEST(d.b->renew_host_leases("b", {"news.example"}, kNow + 90).empty());
}

BOOST_DATA_TEST_CASE(finish_writes_poll_state_but_not_what_the_operator_owns, testing::kBackends, backend) {
  TwoDaemons d(backend);
  const auto id = d.a->add_feed("https://news.example/feed.xml", "", "World");
  auto claimed = d.a->claim_due_feeds("a", kNow, kNow + 30, 10);
  BOOST_TEST_REQUIRE(claimed.size() == 1u);
  // The operator disables the feed while it is polled.
  FeedRow off = d.b->feed(id).value();
  off.enabled = false;
  d.b->update_feed(off);
  FeedRow polled = claimed[0];
  polled.title = "News";
  polled.category = "Ignored";
  polled.url = "https://moved.example/feed.xml";  // a permanent redirect
  polled.consecutive_failures = 1;
  polled.last_error = "HTTP 500";
  BOOST_TEST((d.a->finish_feed_poll("a", polled) == PollSaved::saved));
  const FeedRow saved = d.b->feed(id).value();
  BOOST_TEST(!saved.enabled);
  BOOST_TEST(saved.category == "World");
  BOOST_TEST(saved.title == "News");
  BOOST_TEST(saved.url == "https://moved.example/feed.xml");
  BOOST_TEST(saved.consecutive_failures == 1);
  BOOST_TEST(saved.last_error == "HTTP 500");
  BOOST_TEST(d.fx.text("SELECT host FROM feeds") == "moved.example");
  BOOST_TEST(d.fx.integer("SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL") == 0);
}

BOOST_DATA_TEST_CASE(a_host_leased_by_one_owner_keeps_its_feeds_from_the_other, testing::kBackends, backend) {
  TwoDaemons d(backend);
  const auto one = d.a->add_feed("https://shared.example/one.xml", "", "");
  const auto two = d.a->add_feed("https://Shared.example/two.xml", "", "");
  const auto other = d.a->add_feed("https://other.example/feed.xml", "", "");
  // a takes one feed of shared.example: its host with it.
  auto by_a = d.a->claim_due_feeds("a", kNow, kNow + 30, 1);
  BOOST_TEST_REQUIRE(by_a.size() == 1u);
  BOOST_TEST(by_a[0].id == one);
  // b may not have the host's other feed, only the feed of another host.
  auto by_b = d.b->claim_due_feeds("b", kNow, kNow + 30, 10);
  BOOST_TEST((ids_of(by_b) == std::set<std::int64_t>{other}));
  BOOST_TEST(!d.b->claim_host("b", "shared.example", kNow, kNow + 30));
  BOOST_TEST(d.a->claim_host("a", "shared.example", kNow, kNow + 30));  // held already: true
  // a goes on with the host's second feed.
  auto more = d.a->claim_due_feeds("a", kNow, kNow + 30, 10);
  BOOST_TEST((ids_of(more) == std::set<std::int64_t>{two}));
  // a lets the host go: b may take it, but not while a's lease is live.
  d.a->release_hosts("a", {"shared.example"});
  BOOST_TEST(d.b->claim_host("b", "shared.example", kNow, kNow + 30));
  BOOST_TEST(!d.a->claim_host("a", "shared.example", kNow + 10, kNow + 40));
  // Expired: anyone's.
  BOOST_TEST(d.a->claim_host("a", "shared.example", kNow + 31, kNow + 60));
}

BOOST_DATA_TEST_CASE(the_next_lease_end_is_when_another_owners_first_lease_runs_out, testing::kBackends, backend) {
  TwoDaemons d(backend);
  d.a->add_feed("https://one.example/feed.xml", "", "");
  d.a->add_feed("https://two.example/feed.xml", "", "");
  BOOST_TEST(!d.b->next_lease_end("b", kNow).has_value());
  // a polls one feed (its host with it) until kNow + 30 and holds another host until kNow + 20.
  BOOST_TEST_REQUIRE(d.a->claim_due_feeds("a", kNow, kNow + 30, 1).size() == 1u);
  BOOST_TEST_REQUIRE(d.a->claim_host("a", "pages.example", kNow, kNow + 20));
  // For b the first ends after kNow + 20 (live through that second); a's own leases never count.
  BOOST_TEST(d.b->next_lease_end("b", kNow).value_or(0) == kNow + 21);
  BOOST_TEST(!d.a->next_lease_end("a", kNow).has_value());
  // Past the host's: the feed's and its host's.
  BOOST_TEST(d.b->next_lease_end("b", kNow + 21).value_or(0) == kNow + 31);
  BOOST_TEST(!d.b->next_lease_end("b", kNow + 31).has_value());
  // b's own claim of the other feed changes nothing for b.
  BOOST_TEST_REQUIRE(d.b->claim_due_feeds("b", kNow, kNow + 10, 10).size() == 1u);
  BOOST_TEST(d.b->next_lease_end("b", kNow).value_or(0) == kNow + 21);
  BOOST_TEST(d.a->next_lease_end("a", kNow).value_or(0) == kNow + 11);
}

BOOST_DATA_TEST_CASE(release_lets_every_lease_of_an_owner_go_at_once, testing::kBackends, backend) {
  TwoDaemons d(backend);
  for (int n = 0; n < 3; ++n) d.a->add_feed("https://h" + std::to_string(n) + ".example/feed.xml", "", "");
  BOOST_TEST(d.a->claim_due_feeds("a", kNow, kNow + 300, 10).size() == 3u);
  BOOST_TEST(d.a->claim_host("a", "pages.example", kNow, kNow + 300));
  d.a->release_leases("a");
  BOOST_TEST(d.b->claim_due_feeds("b", kNow, kNow + 300, 10).size() == 3u);
  BOOST_TEST(d.b->claim_host("b", "pages.example", kNow, kNow + 300));
  // A database only one daemon uses forgets a dead one's leases.
  d.b->clear_leases();
  BOOST_TEST(d.a->claim_due_feeds("a", kNow, kNow + 300, 10).size() == 3u);
  BOOST_TEST(d.fx.integer("SELECT count(*) FROM host_leases WHERE owner = 'b'") == 0);
}

BOOST_DATA_TEST_CASE(overdue_feeds_are_spread_and_new_ones_stay_due, testing::kBackends, backend) {
  TwoDaemons d(backend);
  std::vector<std::int64_t> ids;
  for (int n = 0; n < 50; ++n) {
    ids.push_back(d.a->add_feed("https://h" + std::to_string(n) + ".example/feed.xml", "", ""));
    FeedRow row = d.a->feed(ids.back()).value();
    row.last_polled = kNow - 5000;
    row.next_poll = kNow - 1000;
    row.interval_s = n % 2 ? 300 : 0;  // 0: the default's (120 here)
    d.a->update_feed(row);
  }
  const auto fresh = d.a->add_feed("https://new.example/feed.xml", "", "");
  BOOST_TEST(d.a->spread_overdue_feeds(kNow, 600, 120) == 50);
  std::set<UnixSeconds> times;
  for (std::size_t n = 0; n < ids.size(); ++n) {
    const FeedRow row = d.a->feed(ids[n]).value();
    BOOST_TEST(row.next_poll >= kNow);
    BOOST_TEST(row.next_poll < kNow + (n % 2 ? 300 : 120));
    times.insert(row.next_poll);
  }
  BOOST_TEST(times.size() > 10u);  // spread, not bunched
  BOOST_TEST(d.a->feed(fresh)->next_poll == 0);
  BOOST_TEST(d.a->spread_overdue_feeds(kNow, 600, 120) == 0);  // none overdue any more
}

BOOST_DATA_TEST_CASE(a_page_retry_is_handed_to_one_daemon_until_its_lease_runs_out, testing::kBackends, backend) {
  TwoDaemons d(backend);
  const auto feed = d.a->add_feed("https://news.example/feed.xml", "", "");
  ArticleRow row = testing::sample_article(1, feed);
  row.source = "feed";
  row.verdict = "challenge";
  row.retry_at = kNow - 10;
  const auto id = d.a->store_article(row);
  EntryRetry entry;
  entry.feed_id = feed;
  entry.entry_key = "urn:waiting:1";
  entry.url = "https://news.example/waiting/1";
  entry.verdict = "challenge";
  entry.retry_at = kNow - 5;
  d.a->record_entry_retry(entry);

  const auto rows = d.a->claim_articles_due_for_retry(kNow, kNow + 30, 10);
  BOOST_TEST_REQUIRE(rows.size() == 1u);
  BOOST_TEST(rows[0].id == id);
  BOOST_TEST(d.a->claim_entries_due_for_retry(kNow, kNow + 30, 10).size() == 1u);
  // Claimed: the other daemon gets nothing until the lease runs out.
  BOOST_TEST(d.b->claim_articles_due_for_retry(kNow + 29, kNow + 60, 10).empty());
  BOOST_TEST(d.b->claim_entries_due_for_retry(kNow + 29, kNow + 60, 10).empty());
  BOOST_TEST(d.b->claim_articles_due_for_retry(kNow + 30, kNow + 60, 10).size() == 1u);
  BOOST_TEST(d.b->claim_entries_due_for_retry(kNow + 30, kNow + 60, 10).size() == 1u);
}

BOOST_DATA_TEST_CASE(feeds_are_counted_by_health, testing::kBackends, backend) {
  TwoDaemons d(backend);
  const auto ok = d.a->add_feed("https://a.example/feed.xml", "", "");
  const auto failing = d.a->add_feed("https://b.example/feed.xml", "", "");
  const auto broken = d.a->add_feed("https://c.example/feed.xml", "", "");
  const auto off = d.a->add_feed("https://d.example/feed.xml", "", "");
  (void)ok;
  FeedRow row = d.a->feed(failing).value();
  row.consecutive_failures = 2;
  row.last_error = "HTTP 500";
  d.a->update_feed(row);
  row = d.a->feed(broken).value();
  row.last_error = std::string(kBrokenFeedPrefix) + "mismatched tag";
  d.a->update_feed(row);
  row = d.a->feed(off).value();
  row.enabled = false;
  d.a->update_feed(row);
  const FeedCounts counts = d.b->feed_counts();
  BOOST_TEST(counts.ok == 1);
  BOOST_TEST(counts.failing == 1);
  BOOST_TEST(counts.broken == 1);
  BOOST_TEST(counts.disabled == 1);
  BOOST_TEST(counts.enabled() == 3);
}

BOOST_AUTO_TEST_CASE(an_archive_of_version_7_gains_the_hosts_of_its_feeds) {
  TempDir dir;
  const auto path = dir.file("archive.db");
  {
    auto archive = Archive::open_sqlite(path);
    archive->add_feed("https://News.Example:8443/feed.xml", "", "");
    archive->add_feed("file:///srv/feed.xml", "", "");
  }
  testing::back_to_version_9(path);
  {
    Probe probe(path);
    probe.exec("DROP TABLE host_leases");
    probe.exec("DROP INDEX feeds_due");
    probe.exec("DROP INDEX feeds_lease_owner");
    for (const char* column : {"host", "lease_owner", "lease_until"})
      probe.exec(std::string("ALTER TABLE feeds DROP COLUMN ") + column);
    probe.exec("PRAGMA user_version = 7");
  }
  auto archive = Archive::open_sqlite(path);
  Probe probe(path);
  BOOST_TEST(probe.integer("PRAGMA user_version") == testing::kSchemaVersion);
  BOOST_TEST(probe.text("SELECT group_concat(host, ',') FROM (SELECT host FROM feeds ORDER BY id)") == "news.example,");
  BOOST_TEST(archive->claim_due_feeds("a", kNow, kNow + 30, 10).size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace winnow::archive
