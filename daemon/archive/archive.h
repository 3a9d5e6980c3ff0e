#pragma once
// The archive: feeds, their entries, and the clean articles, in one SQLite database (WAL
// mode, versioned migrations, FTS5 over title and text, raw page bytes compressed), or in a
// PostgreSQL database (postgres/pg_archive.h, docs/scale-out.md) that several winnowd share.
//
// `Archive` is synchronous and single-threaded: one object per thread. The daemon gives it
// to `ArchiveWorker` (archive_worker.h), which owns it on its own thread and batches writes;
// the CLI verbs use it directly. Errors opening or migrating throw std::runtime_error;
// every other failure throws too (a disk error is not a value to pass around), and a
// transaction that threw is rolled back whole: an article is archived entirely or not at all.
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "daemon/archive/compress.h"
#include "daemon/archive/outbox.h"

namespace winnow::archive {

using base::UnixSeconds;

// Thrown when a write finds no room: the file system is full (ENOSPC, a quota), the
// database reached its page limit (SQLITE_FULL), or the PostgreSQL server's disk is full
// (SQLSTATE 53100). Not worth retrying until an operator frees space, so the daemon stops
// writing and exits (archive_worker.h); a transaction that threw it is rolled back whole, as
// any other.
class StorageFull : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown by Archive::search when the full-text engine cannot read the query (FTS5 syntax:
// an unbalanced quote, an operator without its words, an unknown column). The message is
// the engine's own ("fts5: syntax error near ..."), never SQL: fit for the user.
class BadSearchQuery : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// True when `error` holds a StorageFull.
bool is_storage_full(const std::exception_ptr& error);
// True when `error` is a transaction that lost to another one and may well succeed when run
// again: PostgreSQL's deadlock_detected (40P01) or serialization_failure (40001). The whole
// transaction was rolled back. ArchiveWorker runs such a batch again.
bool is_write_conflict(const std::exception_ptr& error);

// PostgreSQL, for the whole process (postgres/connection.h): how long one statement of an
// archive opened from now on may wait for the server before it fails and its connection is
// abandoned (zero: no limit, the default); winnowd sets [archive] statement_timeout_s. Any
// thread.
void set_postgres_statement_timeout(std::chrono::milliseconds timeout);
// For shutdown: from now on, the first statement that times out ends every wait on the
// server in this process, and every later statement fails at once, so that a stalled server
// costs a stopping daemon one deadline, not one per statement still to run. Any thread.
void stop_waiting_for_postgres_at_first_timeout() noexcept;

// Starts FeedRow::last_error after a successful poll of a broken feed.
inline constexpr std::string_view kBrokenFeedPrefix = "broken feed: ";

struct FeedRow {
  std::int64_t id = 0;
  std::string url;            // as subscribed; updated by permanent redirects
  std::string title;
  std::string site_url;
  std::string category;       // OPML folder path, "/"-separated
  // Poll state.
  std::string etag;
  std::string last_modified;
  UnixSeconds next_poll = 0;       // when the scheduler polls it next
  std::int64_t interval_s = 0;     // current adaptive interval
  UnixSeconds last_polled = 0;
  UnixSeconds last_new_entry = 0;  // newest time a poll found a new entry
  int consecutive_failures = 0;
  // Why the last poll failed (consecutive_failures > 0), or, after a success, what was wrong
  // with a broken but usable feed (kBrokenFeedPrefix + the parser's bozo note); empty after a
  // clean success.
  std::string last_error;
  bool enabled = true;
};

// Feeds by health (Archive::feed_counts), as ingest's metrics and winnowd's status count them:
// enabled feeds whose last poll failed, that are broken but usable (last_error starts with
// kBrokenFeedPrefix), the other enabled ones, and the disabled.
struct FeedCounts {
  std::int64_t ok = 0, failing = 0, broken = 0, disabled = 0;
  std::int64_t enabled() const { return ok + failing + broken; }
};

// What Archive::finish_feed_poll did with a poll's row.
enum class PollSaved {
  saved,       // written, and the lease released
  lease_lost,  // another owner holds the feed now: nothing written
  gone,        // the feed was removed meanwhile: nothing written
};

// One article: a feed entry (or a URL crawled on demand) with its clean text.
struct ArticleRow {
  std::int64_t id = 0;
  std::optional<std::int64_t> feed_id;  // empty for on-demand crawls of a bare URL
  std::string entry_key;                // the entry's id in its feed (or the normalized URL)
  std::string url;                      // where it was fetched from (after redirects)
  std::string normalized_url;           // scheme/host case, default port, no fragment or utm_*
  std::string canonical_url;            // the page's own <link rel=canonical>, normalized
  std::string title;
  std::string authors;                  // ", "-joined
  std::optional<UnixSeconds> published;
  std::optional<UnixSeconds> modified;
  std::string site_name;
  std::string language;
  std::string description;
  std::string image;
  std::string tags;                     // ", "-joined
  std::string text;                     // plain text
  std::string markdown;
  std::string blocks_json;              // the typed blocks (parsers::to_json "blocks")
  std::string removed_json;             // removal reasons and texts
  std::uint64_t fingerprint = 0;        // SimHash of the text, for near-duplicates
  std::optional<std::int64_t> duplicate_of;  // the first archived copy of the same story
  // "page": extracted from the fetched page; "feed": the feed's own content was used
  // because the page could not be fetched or was no article (see verdict).
  std::string source = "page";
  // What the fetched page was, as parsers::to_string(PageKind) spells it. Only an "article"
  // (or, with `partial`, a "paywall_teaser") is ever stored as the page's text; any other
  // verdict marks a row holding the feed's content, whose raw bytes are the judged page.
  // "article" too when no page was judged (it could not be fetched).
  std::string verdict = "article";
  bool partial = false;                 // the text is the start of a longer (paywalled) article
  // When ingest fetches the page again, hoping for the article (a challenge, a consent wall,
  // an error page may be gone later); empty when it will not. `retries`: fetches so far.
  std::optional<UnixSeconds> retry_at;
  int retries = 0;
  int http_status = 0;
  std::string content_type;
  std::string raw;                      // the fetched bytes (stored packed; returned plain)
  // The HTTP status line and header lines of the fetched page as received (FetchResult::
  // http_head): CRLF each, then the blank line. Stored and read back with the raw bytes
  // (with_raw). Empty for file:// pages, feed content, and rows archived before schema 7.
  std::string http_head;
  // The fetched bytes already packed by pack_page() on the caller's thread; stored instead of
  // packing `raw` (which may then stay empty). Never set on rows read back.
  std::optional<PackedPage> raw_packed;
  std::string charset;
  UnixSeconds fetched_at = 0;
  UnixSeconds archived_at = 0;          // set by the archive
  std::int32_t extractor_version = 0;   // which extractor produced text (for reextract)
};

// A feed entry seen without an article, waiting for its page: the page was no article yet (a
// challenge, a consent wall, an error page, an empty page) and the feed carried no content to
// stand in. What a retry of the page needs, and how its retries stand (page_retry.h).
struct EntryRetry {
  std::int64_t feed_id = 0;
  std::string entry_key;
  std::string url;                      // the entry's link: the page fetched again
  std::string title;                    // the entry's, for an article whose page names none
  std::optional<UnixSeconds> published; // the entry's
  std::string verdict;                  // what the page was when last fetched
  std::optional<UnixSeconds> retry_at;  // the next fetch; empty once no try is left
  int retries = 0;                      // fetches again so far
};

// A feed's entries seen without an article because of their page's verdict.
struct EntryRetryCounts {
  std::int64_t waiting = 0;   // with a retry to come
  std::int64_t given_up = 0;  // no try left (or the page gone): never fetched again
  std::optional<UnixSeconds> next_retry_at;
};

// Which articles a consumer's page holds (Archive::articles_page). Every filter left empty
// lets every article through.
struct ArticleQuery {
  std::int64_t after = 0;                // the cursor: the last id the consumer saw
  std::size_t limit = 50;
  std::vector<std::int64_t> feed_ids;    // any of these feeds
  std::string language;                  // "en" matches "en" and "en-GB", any case
  std::vector<std::string> verdicts;     // any of these
  bool originals_only = false;           // skip near-duplicates
};

// A page of articles and where the next one starts. Rows with an id at most `next` that
// the page does not hold did not match: a consumer that asks again with after = next never
// misses an article and never sees one twice, since ids become visible in id order and are
// never reused (no article is ever deleted): SQLite has one writer; on PostgreSQL an
// advisory lock held from taking an id to the commit lets one writing transaction at a
// time, of any instance, hold an uncommitted article (docs/scale-out.md, "Consumers").
struct ArticlePage {
  std::vector<ArticleRow> rows;          // without raw bytes
  std::int64_t next = 0;                 // the cursor to ask with next
  bool more = false;                     // articles past `next` exist already
};

// A recorded entry, every column as stored: for copying an archive (Archive::entries_after,
// Archive::import_entries).
struct EntryRow {
  std::int64_t feed_id = 0;
  std::string entry_key;
  std::optional<std::int64_t> article_id;
  UnixSeconds seen_at = 0;
  std::string url;                       // the retry state (EntryRetry); empty when none
  std::string title;
  std::optional<UnixSeconds> published;
  std::string verdict;
  std::optional<UnixSeconds> retry_at;
  int retries = 0;
};

// How much an archive holds and its highest keys (Archive::extent): what a copy has to do,
// and, read on the target, how far an interrupted copy came.
struct ArchiveExtent {
  std::int64_t feeds = 0, articles = 0, raw_pages = 0, entries = 0, events = 0, webhook_endpoints = 0;
  std::int64_t last_feed_id = 0;        // 0 when there is none
  std::int64_t last_article_id = 0;
  std::int64_t last_entry_feed_id = 0;  // the highest feed_id among the entries
  std::string last_entry_key;           // the highest key (as bytes) of that feed's entries
  std::int64_t last_event_seq = 0;      // the highest seq stored
  std::int64_t newest_event_seq = 0;    // the highest seq ever given (events are pruned)
};

// A zstd dictionary for the raw pages of one host (compress.h, page_dictionaries.h).
struct PageDictionaryRow {
  std::int64_t id = 0;
  std::string host;
  UnixSeconds created_at = 0;
  std::string bytes;
};

// A raw page as stored, packed, for the compactor (compactor.h).
struct StoredRawPage {
  std::int64_t article_id = 0;
  PageCodec codec = PageCodec::zstd;
  std::size_t plain_bytes = 0;
  std::string bytes;                          // as packed
  std::optional<std::int64_t> dictionary_id;  // the PageDictionary it was packed with, if any
  // The level the compactor packed it at; empty while it stands as ingest packed it; -1:
  // the compactor found it undecodable and left it alone.
  std::optional<int> compacted_level;
  // Its article's body (article_codec.h) as stored; empty for rows stored before bodies
  // (schema 10), which keep their text in columns. A zstd_article page unpacks with it, and
  // the compactor packs pages against it.
  std::string article_body;
  // The text stored beside a body packed against it (article_codec.h, format 2: PostgreSQL);
  // empty otherwise. article_body_plain needs it to unpack such a body.
  std::string article_text;
};

// A raw page packed again by the compactor, to replace `before` (Archive::repack_raw_pages).
struct RawPageRepack {
  StoredRawPage before;
  // The new packing, at `level`; empty: `before` is undecodable, and is only marked so
  // (compacted_level -1), its bytes left as they are.
  std::optional<PackedPage> after;
  int level = 0;
};

struct SearchHit {
  std::int64_t article_id;
  std::string title;
  std::string url;
  std::string snippet;                  // with the matches marked [like this]
  double rank;                          // smaller is a better match: FTS5 bm25 (negative) on
                                        // SQLite, -ts_rank on PostgreSQL
};

class Archive {
 public:
  // Opens (creating if needed) the database at `path` and brings its schema up to date.
  static std::unique_ptr<Archive> open_sqlite(const std::string& path);
  // Opens the database at `path` for reading only: nothing is written, not even the journal
  // mode or a migration, so it works on a read-only file, directory or mount. Throws when
  // the file is missing or not at this winnow's schema version (saying how to upgrade it).
  // Every write then fails.
  static std::unique_ptr<Archive> open_sqlite_read_only(const std::string& path);
  // Opens the archive `location` names: a postgresql:// (or postgres://) URL is a
  // PostgreSQL database (libpq reads PG* variables and the passfile for what the URL leaves
  // out), migrated like a SQLite file; anything else is a SQLite path (open_sqlite).
  static std::unique_ptr<Archive> open(const std::string& location);
  // The same for reading only: on PostgreSQL a session with default_transaction_read_only,
  // which does not migrate and refuses every write.
  static std::unique_ptr<Archive> open_read_only(const std::string& location);
  // True when `location` is a PostgreSQL URL.
  static bool is_postgres_url(std::string_view location);
  // `location` fit for logs and messages: a password in a URL shown as "***".
  static std::string location_for_logs(const std::string& location);
  virtual ~Archive() = default;

  // Runs `work` in one transaction: commits when it returns, rolls back when it throws.
  // Nested calls join the outer transaction.
  virtual void transaction(const std::function<void()>& work) = 0;

  // Feeds. add_feed returns the existing id when the URL is already subscribed.
  virtual std::int64_t add_feed(const std::string& url, const std::string& title, const std::string& category) = 0;
  virtual bool remove_feed(std::int64_t id) = 0;           // also forgets its entries, keeps articles
  virtual std::optional<FeedRow> feed(std::int64_t id) = 0;
  virtual std::optional<FeedRow> feed_by_url(const std::string& url) = 0;
  virtual std::vector<FeedRow> feeds() = 0;                // ordered by id
  // The same a page at a time: at most `limit` feeds with an id above `after_id`, by id.
  virtual std::vector<FeedRow> feeds_after(std::int64_t after_id, std::size_t limit) = 0;
  virtual void update_feed(const FeedRow& row) = 0;        // every field but id

  // How many feeds there are, by health. Reads every feed row (a scan): for start-up, reloads
  // and a periodic refresh, not for every poll.
  virtual FeedCounts feed_counts() = 0;

  // ---- Leases: several daemons sharing one database's feeds (docs/scale-out.md, "Work
  // sharing and politeness"). An owner is one daemon process (ingest makes its id once per
  // start: hostname:pid:random). A lease is live while its `until` is not before the `now`
  // the caller passes: every time here is the caller's wall clock, so instances need clocks
  // in step (NTP) to within a fraction of a lease. Each call is one transaction of its own
  // or joins the caller's. The SQL each one stands for on PostgreSQL is written beside the
  // SQLite one (sqlite/leases.cc).
  //
  // Hosts are sharded by lease: a daemon sends requests to a host only while it holds the
  // host's lease (host_leases), so one process's HostBudgets paces each host, whatever the
  // number of daemons. A host is the lowercased host name of a URL (parsers::url_host); a URL
  // without one (file://) has no lease.
  //
  // Claims, in next_poll order, at most `limit` feeds that are enabled, due (next_poll <=
  // now), hold no live lease (not even the caller's: a feed it is polling is not handed out
  // again) and whose host no other owner leases live; leases each of them and its host to
  // `owner` until `until`. A feed whose host lease another owner wins meanwhile is left
  // unclaimed. Returns the claimed rows as stored now (ETag etc.), so that a poll never
  // starts from another instance's stale state.
  virtual std::vector<FeedRow> claim_due_feeds(const std::string& owner, UnixSeconds now, UnixSeconds until,
                                               std::size_t limit) = 0;
  // Ends a poll of row.id: when `owner` still holds the feed's lease (even an expired one no
  // other owner took since), writes what a poll owns (url, title, site_url, etag,
  // last_modified, next_poll, interval_s, last_polled, last_new_entry, consecutive_failures,
  // last_error; not category nor enabled, which the operator owns) as update_feed does,
  // outbox event included, and releases the lease. Otherwise writes nothing: a daemon resumed
  // after SIGSTOP past its lease must not overwrite the poll of the owner that took it over.
  // The feed's host lease is not released (release_hosts).
  virtual PollSaved finish_feed_poll(const std::string& owner, const FeedRow& row) = 0;
  // Extends to `until` the leases of `feed_ids` that `owner` still holds (live or expired but
  // not taken by another); returns those ids. For polls that run long.
  virtual std::vector<std::int64_t> renew_feed_leases(const std::string& owner,
                                                      const std::vector<std::int64_t>& feed_ids,
                                                      UnixSeconds until) = 0;
  // The earliest next_poll of a feed claim_due_feeds could give `owner` (ignoring `limit`),
  // or nothing when there is none: when to claim next. Feeds leased live and hosts leased
  // by others are skipped, so the caller must also look again now and then (other daemons
  // add feeds and let leases go).
  virtual std::optional<UnixSeconds> next_feed_due(const std::string& owner, UnixSeconds now) = 0;
  // The first second at which a lease another owner holds live (not before `now`) will have
  // ended: the earliest `until` + 1 among other owners' feed leases and host leases, or
  // nothing when there is none. With next_feed_due, when to claim next: a dead daemon's
  // feeds and hosts are then taken over as their leases end, not at the next look. A live
  // owner renews its leases a third of the way in, so this is about two thirds of a lease
  // ahead while no other owner dies.
  virtual std::optional<UnixSeconds> next_lease_end(const std::string& owner, UnixSeconds now) = 0;
  // Leases `host` to `owner` until `until` when no other owner holds it live; true when
  // `owner` holds it now. For a page on a host other than its feed's.
  virtual bool claim_host(const std::string& owner, const std::string& host, UnixSeconds now, UnixSeconds until) = 0;
  // Extends the leases of `hosts` that `owner` still holds; returns those hosts.
  virtual std::vector<std::string> renew_host_leases(const std::string& owner, const std::vector<std::string>& hosts,
                                                     UnixSeconds until) = 0;
  // Lets the host leases of `owner` among `hosts` go (no longer in use).
  virtual void release_hosts(const std::string& owner, const std::vector<std::string>& hosts) = 0;
  // Lets every lease of `owner` go, feeds and hosts, writing nothing else: a daemon that
  // stops, so that others take its feeds at once instead of after the expiry.
  virtual void release_leases(const std::string& owner) = 0;
  // Forgets every lease of every owner. Only for a database no other daemon can be using
  // (SQLite under the writer lock): the leases of a daemon killed before are stale.
  virtual void clear_leases() = 0;
  // Page retries (page_retry.h) claimed as feeds are: the articles (without raw bytes) and
  // the entries whose retry_at is set and not after `now`, earliest first, at most `limit`
  // each, get retry_at moved to `until`, so that no other daemon retries them before then; one
  // that dies holding them lets them come due again at `until`. Settling a retry sets its next
  // retry_at (or clears it) as before.
  virtual std::vector<ArticleRow> claim_articles_due_for_retry(UnixSeconds now, UnixSeconds until,
                                                               std::size_t limit) = 0;
  virtual std::vector<EntryRetry> claim_entries_due_for_retry(UnixSeconds now, UnixSeconds until,
                                                              std::size_t limit) = 0;
  // Feeds polled before (last_polled > 0), enabled, overdue (next_poll < now) and without a
  // live lease get next_poll spread uniformly over [now, now + min(interval, max_spread_s)),
  // an interval of 0 counting as `default_interval_s`: after downtime, so that a start does
  // not poll them all at once. Returns how many moved.
  virtual std::int64_t spread_overdue_feeds(UnixSeconds now, std::int64_t max_spread_s,
                                            std::int64_t default_interval_s) = 0;

  // Entries already seen: true when (feed, entry_key) was recorded. record_entry marks one
  // as seen without an article (e.g. an entry that failed for good).
  virtual bool has_entry(std::int64_t feed_id, const std::string& entry_key) = 0;
  // An entry recorded with an article (here, or by store_article) has its retry state
  // cleared: verdict, retry_at and retries.
  virtual void record_entry(std::int64_t feed_id, const std::string& entry_key, std::optional<std::int64_t> article_id) = 0;
  // Records the entry as seen, without an article, with its page's retry state; an entry
  // recorded so before gets the new state. An entry with an article is left alone.
  virtual void record_entry_retry(const EntryRetry& entry) = 0;
  // The entry's retry state, when it is recorded without an article and with a verdict.
  virtual std::optional<EntryRetry> entry_retry(std::int64_t feed_id, const std::string& entry_key) = 0;
  // Entries without an article whose retry_at is set and not after `now`, earliest first,
  // at most `limit`.
  virtual std::vector<EntryRetry> entries_due_for_retry(UnixSeconds now, std::size_t limit) = 0;
  // How the feed's entries recorded so stand (for `winnow feeds list`); reads all its entries.
  virtual EntryRetryCounts entry_retry_counts(std::int64_t feed_id) = 0;

  // Articles. store_article records the entry too (when feed_id is set) and returns the id.
  // On PostgreSQL an article whose normalized or canonical URL is archived already (by any
  // instance) is not stored again: the existing id is returned and the entry recorded with
  // it. SQLite stores it (ingest asks article_by_url first).
  virtual std::int64_t store_article(const ArticleRow& row) = 0;
  virtual std::optional<ArticleRow> article(std::int64_t id, bool with_raw = false) = 0;
  // An archived article with this normalized or canonical URL, if any.
  virtual std::optional<std::int64_t> article_by_url(const std::string& normalized_url) = 0;
  // Articles archived since `fingerprint_since` whose fingerprint is within `max_distance`
  // bits of `fingerprint` (Hamming), oldest first; for near-duplicate detection.
  virtual std::vector<std::int64_t> near_duplicates(std::uint64_t fingerprint, int max_distance,
                                                    UnixSeconds fingerprint_since) = 0;
  // Replaces the extracted fields (text, markdown, blocks, metadata, fingerprint, version,
  // source, verdict, partial, retry) of an existing article; used by reextract. Its raw
  // page, if packed against the article's body (PageCodec::zstd_article), is packed again
  // against the new one in the same transaction.
  virtual void update_extraction(const ArticleRow& row) = 0;
  // Replaces article row.id by `row` in place: every field but id, feed_id, entry_key and
  // archived_at, and the raw page when `row` carries one. The id stays, so consumers'
  // cursors and references stay valid; the full-text index follows. Used when a page
  // fetched again turns out better than what was stored (ingest/dedupe.h).
  virtual void replace_article(const ArticleRow& row) = 0;
  // Writes verdict, partial, retry_at and retries of article row.id, nothing else.
  virtual void update_verdict(const ArticleRow& row) = 0;
  // Articles whose retry_at is set and not after `now`, earliest first, at most `limit`
  // (without raw bytes).
  virtual std::vector<ArticleRow> articles_due_for_retry(UnixSeconds now, std::size_t limit) = 0;

  // Articles with id > cursor in id order, at most `limit`; `originals_only` skips
  // near-duplicates. The cursor of a consumer is the last id it saw.
  virtual std::vector<ArticleRow> articles_after(std::int64_t cursor, std::size_t limit, bool originals_only,
                                                 bool with_raw) = 0;
  virtual std::int64_t article_count() = 0;
  // The articles after query.after that match, in id order, at most query.limit. Looks at
  // no more than kArticlePageScan ids past the cursor, so that a filter few rows match costs
  // a bounded read per page (the page may then be empty, with `more` set).
  static constexpr std::int64_t kArticlePageScan = 5000;
  virtual ArticlePage articles_page(const ArticleQuery& query) = 0;
  // The newest `limit` articles (by id) of any of `feed_ids`, newest first, without raw bytes:
  // what a full-text feed of those feeds shows.
  virtual std::vector<ArticleRow> latest_articles(const std::vector<std::int64_t>& feed_ids, std::size_t limit) = 0;
  // The highest article id archived so far; 0 when there is none.
  virtual std::int64_t last_article_id() = 0;

  // Page dictionaries (compress.h): stores `bytes` as a dictionary of `host` and returns its
  // id, which pages packed with it name (PackedPage::dictionary_id); ids only grow, so a
  // host's newest dictionary has its highest. A backend that keeps none returns 0, and
  // pages are then packed without.
  virtual std::int64_t add_page_dictionary(const std::string& host, const std::string& bytes) {
    (void)host, (void)bytes;
    return 0;
  }
  // Every dictionary stored, oldest first (copies and tests: each is some 512 KiB here,
  // stored packed at a sixth of that or less).
  virtual std::vector<PageDictionaryRow> page_dictionaries() { return {}; }
  // The newest dictionary of each host, the most recently stored first, until their bytes
  // reach `max_bytes` (the one that reaches it included): what ingest holds at start.
  virtual std::vector<PageDictionaryRow> newest_page_dictionaries(std::size_t max_bytes) {
    (void)max_bytes;
    return {};
  }

  // ---- Compaction of raw pages (compactor.h): pages packed again with their host's
  // newest dictionary at a higher level. A raw page's host is parsers::url_host of its
  // article's URL, set when stored; rows stored before SQLite schema 11 / PostgreSQL schema 3
  // have none until fill_raw_page_hosts gives them one.
  //
  // Gives at most `limit` raw pages without a host theirs (from their article's URL); returns
  // how many it did (0: none is left).
  virtual std::int64_t fill_raw_page_hosts(std::size_t limit) = 0;
  // Packs at most `limit` page dictionaries stored before they were stored packed (SQLite
  // schema 13, PostgreSQL 5: pack_stored_dictionary, compress.h); returns how many it did
  // (0: none is left). They read the same before and after.
  virtual std::int64_t pack_stored_page_dictionaries(std::size_t limit) = 0;
  // At most `limit` hosts (not empty) with raw pages the compactor has not packed yet.
  virtual std::vector<std::string> raw_page_hosts_to_compact(std::size_t limit) = 0;
  // The raw pages of `host` after `after_article_id`, in id order, at most `limit`, that are
  // not done: not packed by the compactor yet, or packed at a level below `level`, or (when
  // `newest_dictionary_id` is set) packed alone. A page the compactor packed with an older
  // dictionary of the host is done: a newer one was learnt from a newer template, which
  // fits the older pages no better. Pages marked undecodable never come back.
  virtual std::vector<StoredRawPage> raw_pages_to_compact(const std::string& host,
                                                          std::optional<std::int64_t> newest_dictionary_id,
                                                          int level, std::int64_t after_article_id,
                                                          std::size_t limit) = 0;
  // The newest `limit` raw pages of `host` (highest article ids first): to learn its
  // dictionary from.
  virtual std::vector<StoredRawPage> newest_raw_pages(const std::string& host, std::size_t limit) = 0;
  // Dictionary `id`, or the newest of `host`, if stored.
  virtual std::optional<PageDictionaryRow> page_dictionary_by_id(std::int64_t id) = 0;
  virtual std::optional<PageDictionaryRow> newest_page_dictionary(const std::string& host) = 0;
  // Replaces each page by its repacking, in one transaction (or the caller's), only where
  // the page is still stored as `before` says (codec, dictionary, plain size and bytes) and
  // its article's body too: a page another writer replaced meanwhile (replace_article,
  // update_extraction, another compactor) is left alone. Returns how many were replaced or
  // marked.
  virtual std::int64_t repack_raw_pages(const std::vector<RawPageRepack>& pages) = 0;
  // Takes, without waiting, the lock that lets one compactor at a time work on `host`; true
  // when it is held. On PostgreSQL a session advisory lock of this connection (other
  // daemons' compactors skip the host meanwhile); SQLite has one daemon per file: always true.
  virtual bool try_lock_compaction(const std::string& host) {
    (void)host;
    return true;
  }
  virtual void unlock_compaction(const std::string& host) { (void)host; }

  // Full-text search (FTS5 query syntax) over title and text, best first. Throws
  // BadSearchQuery for a query the engine cannot read. PostgreSQL reads the same syntax
  // through a translation (postgres/tsquery.h), with the differences said there.
  virtual std::vector<SearchHit> search(const std::string& query, std::size_t limit) = 0;

  // True inside a transaction that other writers wait for before they may take an article
  // id or event seq (PostgreSQL's commit-order lock, docs/scale-out.md "Consumers"): commit
  // it soon rather than keep it open for more work. Always false on SQLite.
  virtual bool holds_commit_order() const { return false; }

  // Transactions this connection has committed so far (a lone statement outside
  // transaction() counts as one). Added to the contract so that tests and metrics can see
  // how ArchiveWorker batches; nothing else observes it.
  virtual std::int64_t commit_count() const = 0;

  // Events: the webhook outbox (outbox.h). store_article records article.archived,
  // replace_article article.updated, update_extraction article.updated when the text
  // changed, update_feed feed.failing when consecutive_failures reaches
  // kFeedFailingThreshold from below; each in the change's own transaction, and only when
  // some endpoint takes that type.
  //
  // Makes `endpoints` the subscribed ones (by URL): a new one starts after the newest event
  // ever recorded (it gets what is committed from now on); one kept keeps its cursor and
  // retry state and takes the types given now; one left out is forgotten. Then prunes.
  virtual void set_webhook_endpoints(const std::vector<WebhookSubscription>& endpoints) = 0;
  virtual std::vector<WebhookEndpointState> webhook_endpoints() = 0;
  // Events after `after_seq` of one of `types`, oldest first, at most `limit`: what an
  // endpoint whose cursor is `after_seq` gets next. Reads only (a read-only archive will do).
  virtual std::vector<OutboxEvent> webhook_events_after(std::int64_t after_seq, const std::vector<EventType>& types,
                                                        std::size_t limit) = 0;
  // The endpoint got event `seq`: its cursor moves there (never back) and its retry state
  // is cleared.
  virtual void webhook_delivered(const std::string& url, std::int64_t seq) = 0;
  // An attempt at the event after the cursor failed: `attempts` so far, and why.
  virtual void webhook_failed(const std::string& url, int attempts, const std::string& error) = 0;
  // Moves the cursor of every endpoint with nothing left to take to the newest event, and
  // deletes the events every endpoint is done with (all of them when there is none).
  // Returns how many were deleted.
  virtual std::int64_t prune_webhook_events() = 0;
  // Deliveries waiting: events after an endpoint's cursor of a type it takes, summed over
  // the endpoints.
  virtual std::int64_t webhook_backlog() = 0;

  // ---- Copying an archive into another with its ids kept (`winnow migrate`,
  // daemon/archive/copy.h). The rows are read with feeds_after, articles_after(..., with_raw),
  // entries_after, webhook_endpoints() and webhook_events_after(), and written with the
  // import_ methods below. Each import runs in one transaction (or joins the caller's), stores
  // the rows as given, ids, seen_at and archived_at included, records no outbox event, and
  // leaves a row whose key is stored already as it is: importing a batch twice changes nothing.
  //
  // Counts and highest keys of every table copied.
  virtual ArchiveExtent extent() = 0;
  // Entries in (feed_id, entry_key) order (entry keys compared as bytes), at most `limit`:
  // those of feed `feed_id` with a key after `after_key` and those of later feeds; without
  // `after_key`, every entry of `feed_id` and later feeds.
  virtual std::vector<EntryRow> entries_after(std::int64_t feed_id, const std::optional<std::string>& after_key,
                                              std::size_t limit) = 0;
  // Feeds by id (a feed's host follows from its URL; leases are not copied).
  virtual void import_feeds(const std::vector<FeedRow>& rows) = 0;
  // Articles by id, each with its raw page (`raw` or `raw_packed`, and http_head) when it has
  // one, packed here. Their feeds, and the articles their duplicate_of names, must be stored
  // already (copying in id order does that: a copy always names an older article).
  // PostgreSQL holds one article per normalized and per canonical URL, SQLite does not: an
  // article whose normalized or canonical URL an article stored before holds is stored with
  // that column empty (url, text and the rest kept). Returns how many were.
  virtual std::int64_t import_articles(const std::vector<ArticleRow>& rows) = 0;
  // Entries by (feed_id, entry_key); their feeds and articles must be stored already.
  virtual void import_entries(const std::vector<EntryRow>& rows) = 0;
  // Webhook endpoints by URL, their cursors and retry state as given, and events by seq.
  virtual void import_webhooks(const std::vector<WebhookEndpointState>& endpoints,
                               const std::vector<OutboxEvent>& events) = 0;
  // Moves the generators of ids (feeds, articles, event seqs) past the highest ids stored
  // and past those of `source` (the archive copied; its newest_event_seq, since endpoints'
  // cursors may point past every event kept), so that rows added after an import never take
  // an imported id and webhook receivers never see a seq twice. Idempotent.
  virtual void finish_import(const ArchiveExtent& source) = 0;
};

}  // namespace winnow::archive
