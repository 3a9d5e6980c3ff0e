#pragma once
// The duplicate checks made as an article is archived, in the same transaction as the write:
// a page already archived under its URL is not stored again (unless the archive held only a
// stand-in for it, which the page's article then replaces), and a near-copy of a story
// archived recently is stored marked as one.
//
// Archive thread only: every function takes the Archive the ArchiveWorker owns there.
#include <ostream>

#include "daemon/archive/archive.h"

namespace winnow::ingest {

enum class StoreOutcome {
  stored,          // a new article
  url_duplicate,   // its URL is archived already: nothing stored (see dedupe_and_store)
  near_duplicate,  // stored, with duplicate_of set: the same story under another URL
  upgraded,        // its URL held no article of the page (feed content, a teaser): replaced in place
};
std::ostream& operator<<(std::ostream& out, StoreOutcome outcome);

// The page's own article text: source "page", verdict "article", not partial. Such a row is
// never replaced, whatever a later fetch says.
bool is_page_article(const archive::ArticleRow& row);

// Archives `row` unless an article with its canonical or normalized URL is there already:
// the page names itself by a URL we have, or another feed archived it meanwhile. Then that
// article's id goes into row.id and is recorded as this feed's entry (with row.feed_id);
// when `row` is the page's article and the stored one is not, `row` replaces it in place
// (upgrade_article) and the outcome is `upgraded`.
// Otherwise, when row.fingerprint is set and an article archived since `near_since` is within
// parsers::kNearDuplicateBits of it, row.duplicate_of names the oldest such one. The stored
// row's id goes into row.id. Throws what the archive throws (the caller's transaction rolls
// back whole).
StoreOutcome dedupe_and_store(archive::Archive& archive, archive::ArticleRow& row, archive::UnixSeconds near_since);

// Replaces `stored` by `row`, a better copy of the same page (Archive::replace_article): the
// id, feed and entry stay stored's, and so do a title and a date the page does not give (they
// may have come from the feed); no retry is left. row.duplicate_of names the oldest article,
// archived before `stored` and since `near_since`, within parsers::kNearDuplicateBits of
// row.fingerprint. Throws what the archive throws.
void upgrade_article(archive::Archive& archive, archive::ArticleRow& row, const archive::ArticleRow& stored,
                     archive::UnixSeconds near_since);

}  // namespace winnow::ingest
