#pragma once
// FeedRow, ArticleRow and EntryRetry to and from PostgreSQL columns: the one place that maps
// the rows' fields to the schema's columns (a storage change follows here). Private to
// winnow_archive.
#include "daemon/archive/archive.h"
#include "daemon/archive/postgres/connection.h"

namespace winnow::archive::postgres {

// The columns of ArticleRow but raw, in the order read_article expects (a SELECT list). Text,
// markdown, blocks and removed blocks come from `body` (article_codec.h) when it is set, from
// their own columns in rows stored before schema 2; since schema 7 the text column holds the
// text too, and the body is packed against it (article_codec.h, format 2).
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

// Row `row` of `r`, selected with kArticleColumns (from column `first` on); `raw` stays empty.
ArticleRow read_article(const Result& r, int row, int first = 0);
FeedRow read_feed(const Result& r, int row);
EntryRetry read_entry_retry(const Result& r, int row);
// Selected with kDictionaryColumns: the dictionary unpacked (unpack_stored_dictionary,
// compress.h).
PageDictionaryRow read_dictionary(const Result& r, int row);

// An article's plain text from its text and body columns (text, bytea) of row `row`: the
// text column for rows stored before schema 2 and since schema 7, derived from the body for
// those between.
std::string stored_text(const Result& r, int row, int text_column, int body_column);

// Every column of `row`, for the INSERT of store_article and the UPDATEs of replace_article
// and update_extraction alike, which use of them what they write: $1 id, $2 feed_id,
// $3 entry_key, $4 url, $5 normalized_url, $6 canonical_url, $7 title, $8 authors,
// $9 published, $10 modified, $11 site_name, $12 language, $13 description, $14 image,
// $15 tags, $16 text (the text column, which the search index reads and the body is
// packed against),
// $17-$19 empty (markdown, blocks_json and removed_json live in the body), $20 fingerprint,
// $21-$26 its bands, $27 duplicate_of, $28 source, $29 http_status, $30 content_type,
// $31 charset, $32 fetched_at, $33 archived_at (`now`), $34 extractor_version, $35 verdict,
// $36 partial, $37 retry_at, $38 retries, $39 the packed body (article_codec.h).
Params article_params(const ArticleRow& row, std::int64_t now);

// What the full-text index holds for a row (schema 7): its stored `search` tsvector for rows
// stored before, computed from the title and the text column for the others (title weight
// A, text weight B, 'simple'). The GIN index is on this expression and the search
// statements use it as it is written here, so that the planner matches them.
#define WINNOW_ARTICLE_SEARCH                                                                     \
  "coalesce(search, setweight(to_tsvector('simple'::regconfig, title), 'A') || "                  \
  "setweight(to_tsvector('simple'::regconfig, text), 'B'))"
#define WINNOW_ARTICLE_CONTENT_SET \
  "text = $16, markdown = '', blocks_json = '', removed_json = '', body = $39, search = NULL"

// The column list and values of the INSERT, matching article_params.
inline constexpr const char* kArticleInsert =
    "INSERT INTO articles (feed_id, entry_key, url, normalized_url, canonical_url, title, authors, published, "
    "modified, site_name, language, description, image, tags, text, markdown, blocks_json, removed_json, "
    "fingerprint, fp_band0, fp_band1, fp_band2, fp_band3, fp_band4, fp_band5, duplicate_of, source, "
    "http_status, content_type, charset, fetched_at, archived_at, extractor_version, verdict, partial, "
    "retry_at, retries, body, search) VALUES ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
    "$16, '', '', '', $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, "
    "$38, $39, NULL) ";

// What replace_article writes: every column but id, feed_id, entry_key and archived_at.
inline constexpr const char* kArticleReplaceSet =
    "url = $4, normalized_url = $5, canonical_url = $6, title = $7, authors = $8, "
    "published = $9, modified = $10, site_name = $11, language = $12, description = $13, image = $14, "
    "tags = $15, " WINNOW_ARTICLE_CONTENT_SET ", fingerprint = $20, "
    "fp_band0 = $21, fp_band1 = $22, fp_band2 = $23, fp_band3 = $24, fp_band4 = $25, fp_band5 = $26, "
    "duplicate_of = $27, source = $28, http_status = $29, content_type = $30, charset = $31, "
    "fetched_at = $32, extractor_version = $34, verdict = $35, partial = $36, retry_at = $37, retries = $38";

// What update_extraction writes: the extracted fields only.
inline constexpr const char* kArticleExtractionSet =
    "canonical_url = $6, title = $7, authors = $8, published = $9, modified = $10, site_name = $11, "
    "language = $12, description = $13, image = $14, tags = $15, " WINNOW_ARTICLE_CONTENT_SET ", "
    "fingerprint = $20, fp_band0 = $21, fp_band1 = $22, "
    "fp_band2 = $23, fp_band3 = $24, fp_band4 = $25, fp_band5 = $26, source = $28, extractor_version = $34, "
    "verdict = $35, partial = $36, retry_at = $37, retries = $38";

}  // namespace winnow::archive::postgres
