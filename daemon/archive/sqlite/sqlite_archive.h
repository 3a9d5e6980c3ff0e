#pragma once
// Archive on SQLite: one database file in WAL mode, schema versioned by PRAGMA user_version
// (schema.h). Private to winnow_archive; others get one from Archive::open_sqlite.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "daemon/archive/archive.h"
#include "daemon/archive/sqlite/handles.h"

namespace winnow::archive::sqlite {

class SqliteArchive final : public Archive {
 public:
  // read_write: opens (creating if needed) the database at `path`, configures and migrates
  // it. read_only: opens it without writing anything; it must be at the current version.
  explicit SqliteArchive(const std::string& path, OpenMode mode = OpenMode::read_write);

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
  std::vector<ArticleRow> latest_articles(const std::vector<std::int64_t>& feed_ids, std::size_t limit) override;

  std::vector<SearchHit> search(const std::string& fts_query, std::size_t limit) override;

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

  std::int64_t commit_count() const override { return commits_; }

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
  // Keys the statement cache by SQL text without building a std::string per lookup.
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const noexcept { return std::hash<std::string_view>{}(sql); }
  };

  // A cached statement for `sql` (prepared on first use, kept for the Archive's life).
  Query query(std::string_view sql);
  void outer_transaction(const std::function<void()>& work);
  void upsert_entry(std::int64_t feed_id, const std::string& entry_key, std::optional<std::int64_t> article_id);
  // Stores row's raw page (packed by the caller, or packed here) as article_id's, replacing
  // any; nothing when the row carries none.
  void put_raw_page(std::int64_t article_id, const ArticleRow& row);
  // Sets row.raw and row.http_head from the raw page of article row.id, if it has one.
  void read_raw_page(ArticleRow& row);
  // The raw page of article `id` as stored, with the article's body, when it is packed
  // against that body (PageCodec::zstd_article): what update_extraction packs again when the
  // body changes (compaction.cc). Nothing is unpacked here.
  std::optional<StoredRawPage> page_on_body(std::int64_t id);
  // Whether article `article_id`'s body is `body` (empty: NULL, a row stored before bodies).
  bool body_is(std::int64_t article_id, const std::string& body);
  // Page dictionary `id`, loaded from the table on first use and kept (a few, 110 KiB each).
  const PageDictionary& page_dictionary(std::int64_t id);
  // Whether this update of feed `id` to `consecutive_failures` crosses kFeedFailingThreshold
  // from below, with some endpoint taking feed.failing (read before the update).
  bool crosses_failing(std::int64_t id, int consecutive_failures);
  // True when some webhook endpoint takes events of `type` (one probe of a tiny table).
  bool wants_event(EventType type);
  // Records an event of `type` if some endpoint takes it (outbox.cc).
  void record_event(EventType type, std::optional<std::int64_t> article_id, std::optional<std::int64_t> feed_id);

  DbHandle db_;  // before the statements: destroyed after them
  std::unordered_map<std::string, StmtHandle, SqlHash, std::equal_to<>> statements_;
  int depth_ = 0;          // transaction() nesting; 0 outside any
  bool poisoned_ = false;  // SQLite ended the open transaction after an error
  std::int64_t commits_ = 0;
  std::unordered_map<std::int64_t, std::unique_ptr<const PageDictionary>> dictionaries_;
};

}  // namespace winnow::archive::sqlite
