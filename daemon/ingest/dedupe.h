#pragma once
// The duplicate checks made as an article is archived, in the same transaction as the write:
// a page already archived under its URL is not stored again, and a near-copy of a story
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
};
std::ostream& operator<<(std::ostream& out, StoreOutcome outcome);

// Archives `row` unless an article with its canonical or normalized URL is there already:
// the page names itself by a URL we have, or another feed archived it meanwhile. Then that
// article's id goes into row.id and is recorded as this feed's entry (with row.feed_id).
// Otherwise, when row.fingerprint is set and an article archived since `near_since` is within
// parsers::kNearDuplicateBits of it, row.duplicate_of names the oldest such one. The stored
// row's id goes into row.id. Throws what the archive throws (the caller's transaction rolls
// back whole).
StoreOutcome dedupe_and_store(archive::Archive& archive, archive::ArticleRow& row, archive::UnixSeconds near_since);

}  // namespace winnow::ingest
