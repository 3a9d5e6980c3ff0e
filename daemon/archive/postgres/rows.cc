#include "daemon/archive/postgres/rows.h"

#include <bit>

#include "daemon/archive/article_codec.h"
#include "daemon/archive/compress.h"
#include "daemon/archive/simhash_bands.h"

namespace winnow::archive::postgres {

ArticleRow read_article(const Result& r, int i, int c) {
  ArticleRow row;
  row.id = r.integer(i, c + 0);
  row.feed_id = r.optional_integer(i, c + 1);
  row.entry_key = r.text(i, c + 2);
  row.url = r.text(i, c + 3);
  row.normalized_url = r.text(i, c + 4);
  row.canonical_url = r.text(i, c + 5);
  row.title = r.text(i, c + 6);
  row.authors = r.text(i, c + 7);
  row.published = r.optional_integer(i, c + 8);
  row.modified = r.optional_integer(i, c + 9);
  row.site_name = r.text(i, c + 10);
  row.language = r.text(i, c + 11);
  row.description = r.text(i, c + 12);
  row.image = r.text(i, c + 13);
  row.tags = r.text(i, c + 14);
  row.text = r.text(i, c + 15);
  row.markdown = r.text(i, c + 16);
  row.blocks_json = r.text(i, c + 17);
  row.removed_json = r.text(i, c + 18);
  row.fingerprint = std::bit_cast<std::uint64_t>(r.integer(i, c + 19));
  row.duplicate_of = r.optional_integer(i, c + 20);
  row.source = r.text(i, c + 21);
  row.http_status = static_cast<int>(r.integer(i, c + 22));
  row.content_type = r.text(i, c + 23);
  row.charset = r.text(i, c + 24);
  row.fetched_at = r.integer(i, c + 25);
  row.archived_at = r.integer(i, c + 26);
  row.extractor_version = static_cast<std::int32_t>(r.integer(i, c + 27));
  row.verdict = r.text(i, c + 28);
  row.partial = r.boolean(i, c + 29);
  row.retry_at = r.optional_integer(i, c + 30);
  row.retries = static_cast<int>(r.integer(i, c + 31));
  if (!r.is_null(i, c + 32)) unpack_article_body(r.bytes(i, c + 32), row, row.text);
  return row;
}

FeedRow read_feed(const Result& r, int i) {
  FeedRow row;
  row.id = r.integer(i, 0);
  row.url = r.text(i, 1);
  row.title = r.text(i, 2);
  row.site_url = r.text(i, 3);
  row.category = r.text(i, 4);
  row.etag = r.text(i, 5);
  row.last_modified = r.text(i, 6);
  row.next_poll = r.integer(i, 7);
  row.interval_s = r.integer(i, 8);
  row.last_polled = r.integer(i, 9);
  row.last_new_entry = r.integer(i, 10);
  row.consecutive_failures = static_cast<int>(r.integer(i, 11));
  row.last_error = r.text(i, 12);
  row.enabled = r.boolean(i, 13);
  return row;
}

EntryRetry read_entry_retry(const Result& r, int i) {
  EntryRetry entry;
  entry.feed_id = r.integer(i, 0);
  entry.entry_key = r.text(i, 1);
  entry.url = r.text(i, 2);
  entry.title = r.text(i, 3);
  entry.published = r.optional_integer(i, 4);
  entry.verdict = r.text(i, 5);
  entry.retry_at = r.optional_integer(i, 6);
  entry.retries = static_cast<int>(r.integer(i, 7));
  return entry;
}

PageDictionaryRow read_dictionary(const Result& r, int i) {
  return PageDictionaryRow{r.integer(i, 0), r.text(i, 1), r.integer(i, 2), unpack_stored_dictionary(r.bytes(i, 3))};
}

std::string stored_text(const Result& r, int row, int text_column, int body_column) {
  if (r.is_null(row, body_column)) return r.text(row, text_column);  // stored before schema 2
  const std::string body = r.bytes(row, body_column);
  // Since schema 7 the text column is the text, and the body is packed against it.
  if (!body.empty() && static_cast<std::uint8_t>(body.front()) == kArticleBodyAgainstTextFormat)
    return r.text(row, text_column);
  return article_body_text(body);
}

Params article_params(const ArticleRow& row, std::int64_t now) {
  const auto band = simhash_bands(row.fingerprint);
  return Params(row.id, row.feed_id, row.entry_key, row.url, row.normalized_url, row.canonical_url, row.title,
                row.authors, row.published, row.modified, row.site_name, row.language, row.description, row.image,
                row.tags, row.text, "", "", "",
                std::bit_cast<std::int64_t>(row.fingerprint), band[0], band[1], band[2], band[3], band[4], band[5],
                row.duplicate_of, row.source, row.http_status, row.content_type, row.charset, row.fetched_at, now,
                row.extractor_version, row.verdict, row.partial, row.retry_at, row.retries,
                Bytes{pack_article_body_against_text(row)});
}

}  // namespace winnow::archive::postgres
