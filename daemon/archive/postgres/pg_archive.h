#pragma once
// Archive on PostgreSQL through libpq: one connection per object, schema versioned in the
// table schema_version (schema.h). Private to winnow_archive; others get one from
// Archive::open / Archive::open_read_only with a postgresql:// URL.
//
// Several winnowd instances may share one database: article identity is enforced by unique
// indexes (store_article returns the existing id when another instance archived the URL
// first), migrations take an advisory lock. Article ids and event seqs come from sequences;
// an advisory lock held from taking one to the commit makes them commit in id order across
// instances (order_commits(), docs/scale-out.md "Consumers"). A stored article is announced
// with NOTIFY on kArticlesChannel at commit (notices.h).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "daemon/archive/archive.h"
#include "daemon/archive/postgres/connection.h"

namespace winnow::archive::postgres {

enum class OpenMode { read_write, read_only };

class PgArchive final : public Archive {
 public:
  // read_write: connects with `conninfo` and migrates the database. read_only: a session
  // with default_transaction_read_only, which must find the current schema version.
  explicit PgArchive(const std::string& conninfo, OpenMode mode = OpenMode::read_write);

  void transaction(const std::function<void()>& work) override;

  std::int64_t add_feed(const std::string& url, const std::string& title, const std::string& category) override;
  bool remove_feed(std::int64_t id) override;
  std::optional<FeedRow> feed(std::int64_t id) override;
  std::optional<FeedRow> feed_by_url(const std::string& url) override;
  std::vector<FeedRow> feeds() override;
  std::vector<FeedRow> feeds_after(std::int64_t after_id, std::size_t limit) override;
  void update_feed(const FeedRow& row) override;
  FeedCounts feed_counts() override;

  // Leases (leases.cc).
  std::vector<FeedRow> claim_due_feeds(const std::string& owner, UnixSeconds now, UnixSeconds until,
                                       std::size_t limit) override;
  PollSaved finish_feed_poll(const std::string& owner, const FeedRow& row) override;
  std::vector<std::int64_t> renew_feed_leases(const std::string& owner, const std::vector<std::int64_t>& feed_ids,
                                              UnixSeconds until) override;
  std::optional<UnixSeconds> next_feed_due(const std::string& owner, UnixSeconds now) override;
  std::optional<UnixSeconds> next_lease_end(const std::string& owner, UnixSeconds now) override;
  bool claim_host(const std::string& owner, const std::string& host, UnixSeconds now, UnixSeconds until) override;
  std::vector<std::string> renew_host_leases(const std::string& owner, const std::vector<std::string>& hosts,
                                             UnixSeconds until) override;
  void release_hosts(const std::string& owner, const std::vector<std::string>& hosts) override;
  void release_leases(const std::string& owner) override;
  void clear_leases() override;
  std::vector<ArticleRow> claim_articles_due_for_retry(UnixSeconds now, UnixSeconds until,
                                                       std::size_t limit) override;
  std::vector<EntryRetry> claim_entries_due_for_retry(UnixSeconds now, UnixSeconds until,
                                                      std::size_t limit) override;
  std::int64_t spread_overdue_feeds(UnixSeconds now, std::int64_t max_spread_s,
                                    std::int64_t default_interval_s) override;

  bool has_entry(std::int64_t feed_id, const std::string& entry_key) override;
  void record_entry(std::int64_t feed_id, const std::string& entry_key,
                    std::optional<std::int64_t> article_id) override;
  void record_entry_retry(const EntryRetry& entry) override;
  std::optional<EntryRetry> entry_retry(std::int64_t feed_id, const std::string& entry_key) override;
  std::vector<EntryRetry> entries_due_for_retry(UnixSeconds now, std::size_t limit) override;
  EntryRetryCounts entry_retry_counts(std::int64_t feed_id) override;

  // Returns the id of the article already archived under row's normalized or canonical URL
  // (by this or another instance) instead of storing a second copy; its entry is recorded
  // with that id.
  std::int64_t store_article(const ArticleRow& row) override;
  std::optional<ArticleRow> article(std::int64_t id, bool with_raw) override;
  std::optional<std::int64_t> article_by_url(const std::string& normalized_url) override;
  std::vector<std::int64_t> near_duplicates(std::uint64_t fingerprint, int max_distance,
                                            UnixSeconds fingerprint_since) override;
  void update_extraction(const ArticleRow& row) override;
  void replace_article(const ArticleRow& row) override;
  void update_verdict(const ArticleRow& row) override;
  std::vector<ArticleRow> articles_due_for_retry(UnixSeconds now, std::size_t limit) override;
  std::vector<ArticleRow> articles_after(std::int64_t cursor, std::size_t limit, bool originals_only,
                                         bool with_raw) override;
  std::int64_t article_count() override;
  ArticlePage articles_page(const ArticleQuery& query) override;
  std::int64_t last_article_id() override;
  // Page dictionaries (compress.h), as on SQLite; a raw page names the one it was packed with.
  std::int64_t add_page_dictionary(const std::string& host, const std::string& bytes) override;
  std::vector<PageDictionaryRow> page_dictionaries() override;
  std::vector<PageDictionaryRow> newest_page_dictionaries(std::size_t max_bytes) override;

  // Compaction of raw pages (compaction.cc).
  std::int64_t fill_raw_page_hosts(std::size_t limit) override;
  std::int64_t pack_stored_page_dictionaries(std::size_t limit) override;
  std::vector<std::string> raw_page_hosts_to_compact(std::size_t limit) override;
  std::vector<StoredRawPage> raw_pages_to_compact(const std::string& host,
                                                  std::optional<std::int64_t> newest_dictionary_id, int level,
                                                  std::int64_t after_article_id, std::size_t limit) override;
  std::vector<StoredRawPage> newest_raw_pages(const std::string& host, std::size_t limit) override;
  std::optional<PageDictionaryRow> page_dictionary_by_id(std::int64_t id) override;
  std::optional<PageDictionaryRow> newest_page_dictionary(const std::string& host) override;
  std::int64_t repack_raw_pages(const std::vector<RawPageRepack>& pages) override;
  bool try_lock_compaction(const std::string& host) override;
  void unlock_compaction(const std::string& host) override;
  std::vector<ArticleRow> latest_articles(const std::vector<std::int64_t>& feed_ids, std::size_t limit) override;

  // FTS5 syntax, translated (tsquery.h); rank is -ts_rank, so smaller is better as on SQLite.
  std::vector<SearchHit> search(const std::string& fts_query, std::size_t limit) override;

  std::int64_t commit_count() const override { return commits_; }
  bool holds_commit_order() const override { return ordered_; }

  // Events: the webhook outbox (outbox.cc).
  void set_webhook_endpoints(const std::vector<WebhookSubscription>& endpoints) override;
  std::vector<WebhookEndpointState> webhook_endpoints() override;
  std::vector<OutboxEvent> webhook_events_after(std::int64_t after_seq, const std::vector<EventType>& types,
                                                std::size_t limit) override;
  void webhook_delivered(const std::string& url, std::int64_t seq) override;
  void webhook_failed(const std::string& url, int attempts, const std::string& error) override;
  std::int64_t prune_webhook_events() override;
  std::int64_t webhook_backlog() override;

  // Copying an archive (copy.cc).
  ArchiveExtent extent() override;
  std::vector<EntryRow> entries_after(std::int64_t feed_id, const std::optional<std::string>& after_key,
                                      std::size_t limit) override;
  void import_feeds(const std::vector<FeedRow>& rows) override;
  std::int64_t import_articles(const std::vector<ArticleRow>& rows) override;
  void import_entries(const std::vector<EntryRow>& rows) override;
  void import_webhooks(const std::vector<WebhookEndpointState>& endpoints,
                       const std::vector<OutboxEvent>& events) override;
  void finish_import(const ArchiveExtent& source) override;

 private:
  // Takes the commit-order lock for the rest of the transaction: before every insert that
  // takes an article id or an event seq.
  void order_commits();
  // A statement that writes: outside transaction() it commits alone, and counts as a commit.
  Result write(std::string_view sql, const Params& params);
  // Runs `work`, whose effect is a state that running it again reproduces (a lease write,
  // leases.cc): outside transaction(), work that failed because the connection broke, timed
  // out or could not be made again runs once more, on a new connection.
  void idempotent(const std::function<void()>& work);
  // write() as idempotent work.
  Result write_idempotent(std::string_view sql, const Params& params);
  void outer_transaction(const std::function<void()>& work);
  void upsert_entry(std::int64_t feed_id, const std::string& entry_key, std::optional<std::int64_t> article_id);
  void put_raw_page(std::int64_t article_id, const ArticleRow& row);
  void read_raw_page(ArticleRow& row);
  // The raw page of article `id` as stored, with the article's body, when it is packed
  // against that body (PageCodec::zstd_article): what update_extraction packs again when the
  // body changes (compaction.cc). Nothing is unpacked here.
  std::optional<StoredRawPage> page_on_body(std::int64_t id);
  // Whether article `article_id`'s body is `body` (empty: NULL, a row stored before bodies)
  // and its text column `text`.
  bool body_is(std::int64_t article_id, const std::string& body, const std::string& text);
  // Dictionary `id`, read once and kept (they never change); throws when there is none.
  const PageDictionary& page_dictionary(std::int64_t id);
  // Records an event of the open transaction: at once when the transaction holds the
  // commit-order lock already (it stored an article), else at its commit (flush_events()), so
  // that a transaction which stores no article takes the lock only for its last statements.
  void record_event(EventType type, std::optional<std::int64_t> article_id, std::optional<std::int64_t> feed_id);
  // Inserts the events record_event() kept, under the commit-order lock: before COMMIT, or
  // at once when the lock is held already.
  void flush_events();
  bool wants_event(EventType type);
  // Whether this update of feed `id` to `consecutive_failures` crosses kFeedFailingThreshold
  // from below, with some endpoint taking feed.failing (read, locked, before the update).
  bool crosses_failing(std::int64_t id, int consecutive_failures);

  Connection db_;
  int depth_ = 0;  // transaction() nesting; 0 outside any
  // order_commits() ran in the open transaction (a savepoint rolled back since may have let
  // the lock go: then it only makes the batch commit sooner).
  bool ordered_ = false;
  // Events of the open transaction waiting for its commit (record_event()), each with the
  // depth it was recorded at, so that a savepoint rolled back drops its own.
  struct PendingEvent {
    EventType type;
    std::optional<std::int64_t> article_id;
    std::optional<std::int64_t> feed_id;
    std::int64_t at;
    int depth;
  };
  std::vector<PendingEvent> pending_events_;
  std::int64_t commits_ = 0;
  std::map<std::int64_t, std::unique_ptr<PageDictionary>> dictionaries_;  // read so far, by id
  // The server has bit_count() (PostgreSQL 14 and later): the near-duplicate lookup then
  // leaves out fingerprints too far apart itself, instead of sending every candidate.
  bool server_counts_bits_ = false;
};

}  // namespace winnow::archive::postgres
