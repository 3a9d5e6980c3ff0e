#include "daemon/archive/sqlite/rows.h"

#include <bit>

#include "daemon/archive/article_codec.h"
#include "daemon/archive/compress.h"

namespace winnow::archive::sqlite {

ArticleRow read_article(const Query& q) {
  ArticleRow row;
  row.id = q.integer(0);
  row.feed_id = q.optional_integer(1);
  row.entry_key = q.text(2);
  row.url = q.text(3);
  row.normalized_url = q.text(4);
  row.canonical_url = q.text(5);
  row.title = q.text(6);
  row.authors = q.text(7);
  row.published = q.optional_integer(8);
  row.modified = q.optional_integer(9);
  row.site_name = q.text(10);
  row.language = q.text(11);
  row.description = q.text(12);
  row.image = q.text(13);
  row.tags = q.text(14);
  row.text = q.text(15);
  row.markdown = q.text(16);
  row.blocks_json = q.text(17);
  row.removed_json = q.text(18);
  row.fingerprint = std::bit_cast<std::uint64_t>(q.integer(19));
  row.duplicate_of = q.optional_integer(20);
  row.source = q.text(21);
  row.http_status = static_cast<int>(q.integer(22));
  row.content_type = q.text(23);
  row.charset = q.text(24);
  row.fetched_at = q.integer(25);
  row.archived_at = q.integer(26);
  row.extractor_version = static_cast<std::int32_t>(q.integer(27));
  row.verdict = q.text(28);
  row.partial = q.integer(29) != 0;
  row.retry_at = q.optional_integer(30);
  row.retries = static_cast<int>(q.integer(31));
  if (const auto body = q.optional_blob(32)) unpack_article_body(*body, row);
  return row;
}

FeedRow read_feed(const Query& q) {
  FeedRow row;
  row.id = q.integer(0);
  row.url = q.text(1);
  row.title = q.text(2);
  row.site_url = q.text(3);
  row.category = q.text(4);
  row.etag = q.text(5);
  row.last_modified = q.text(6);
  row.next_poll = q.integer(7);
  row.interval_s = q.integer(8);
  row.last_polled = q.integer(9);
  row.last_new_entry = q.integer(10);
  row.consecutive_failures = static_cast<int>(q.integer(11));
  row.last_error = q.text(12);
  row.enabled = q.integer(13) != 0;
  return row;
}

EntryRetry read_entry_retry(const Query& q) {
  EntryRetry entry;
  entry.feed_id = q.integer(0);
  entry.entry_key = q.text(1);
  entry.url = q.text(2);
  entry.title = q.text(3);
  entry.published = q.optional_integer(4);
  entry.verdict = q.text(5);
  entry.retry_at = q.optional_integer(6);
  entry.retries = static_cast<int>(q.integer(7));
  return entry;
}

PageDictionaryRow read_dictionary(const Query& q) {
  return PageDictionaryRow{q.integer(0), q.text(1), q.integer(2), unpack_stored_dictionary(q.blob(3))};
}

}  // namespace winnow::archive::sqlite
