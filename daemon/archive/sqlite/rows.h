#pragma once
// FeedRow, ArticleRow, EntryRetry and PageDictionaryRow out of a statement's columns. Private to winnow_archive.
#include "daemon/archive/archive.h"
#include "daemon/archive/sqlite/handles.h"

namespace winnow::archive::sqlite {

// The columns of ArticleRow but raw, in the order read_article expects (a SELECT list).
inline constexpr const char* kArticleColumns =
    "id, feed_id, entry_key, url, normalized_url, canonical_url, title, authors, published, "
    "modified, site_name, language, description, image, tags, text, markdown, blocks_json, "
    "removed_json, fingerprint, duplicate_of, source, http_status, content_type, charset, "
    "fetched_at, archived_at, extractor_version, verdict, partial, retry_at, retries, body";

// The columns of FeedRow, in the order read_feed expects.
inline constexpr const char* kFeedColumns =
    "id, url, title, site_url, category, etag, last_modified, next_poll, interval_s, last_polled, "
    "last_new_entry, consecutive_failures, last_error, enabled";

// The columns of EntryRetry, in the order read_entry_retry expects.
inline constexpr const char* kEntryRetryColumns =
    "feed_id, entry_key, url, title, published, verdict, retry_at, retries";

// The columns of PageDictionaryRow, in the order read_dictionary expects.
inline constexpr const char* kDictionaryColumns = "id, host, created_at, bytes";

// The row `q` stands on, selected with kArticleColumns; `raw` stays empty. Text, Markdown and
// blocks come from the packed body (article_codec.h), or from their own columns in rows
// stored before schema 10, whose body is NULL.
ArticleRow read_article(const Query& q);
// The row `q` stands on, selected with kFeedColumns.
FeedRow read_feed(const Query& q);
// The row `q` stands on, selected with kEntryRetryColumns.
EntryRetry read_entry_retry(const Query& q);
// The row `q` stands on, selected with kDictionaryColumns: the dictionary unpacked
// (unpack_stored_dictionary, compress.h).
PageDictionaryRow read_dictionary(const Query& q);

}  // namespace winnow::archive::sqlite
