#pragma once
// An archived article as JSON: the one representation that `winnow show --format json`,
// `winnow export --format jsonl` and the API give consumers, so they cannot drift apart.
// Pure; any thread.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>

#include "daemon/archive/archive.h"

namespace winnow::archive {

// Every field but the fetch internals (raw bytes, charset, fingerprint, markdown, ...):
//   id, feed_id, url, canonical_url, title, authors, published, modified, site_name,
//   language, tags, description, image, text, blocks, source, verdict, partial,
//   duplicate_of, fetched_at.
// `verdict` is what the fetched page was (parsers::to_string(PageKind)): anything but
// "article" and "paywall_teaser" means the text is the feed's content. `partial` (a boolean)
// marks the start of a paywalled article. Every key is always present. What the row may lack is null, never an empty string or a
// missing key: feed_id (a crawled bare URL), published and modified, duplicate_of (an
// original). Times are UTC RFC 3339, as base::format_rfc3339 writes them. `blocks` is the parsed
// blocks_json (an empty one is []). Throws std::runtime_error when blocks_json is not JSON.
boost::json::object article_json(const ArticleRow& row);

// A subscribed feed as JSON: what `winnow feeds list --json` and the API's /v1/feeds give:
//   id, url, title, site_url, category, enabled, last_polled, next_poll, interval_s,
//   consecutive_failures, last_error, broken, failing.
// Times are RFC 3339, null when there is none (never polled); last_error is null after a
// clean poll. `broken`: the last poll succeeded on a broken but usable feed (last_error
// then says what was wrong); `failing`: kFeedFailingThreshold or more polls failed in a row.
boost::json::object feed_json(const FeedRow& row);

// `value` as boost::json::serialize writes it, with DEL and the C1 controls (U+0080-U+009F)
// escaped as \u007f ... \u009f too: Boost.JSON escapes only C0, and a terminal acts on the
// others (U+009B is a CSI). The same JSON to a parser; every verb's JSON goes through here.
std::string json_line(const boost::json::value& value);

}  // namespace winnow::archive
